import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDouble } from '../../src/util/numbers.js';
import {
  ZSet,
  addResult,
  ZADD_IN_INCR,
  ZADD_IN_NX,
  ZADD_IN_XX,
  ZADD_IN_GT,
  ZADD_IN_LT,
  ZADD_OUT_ADDED,
  ZADD_OUT_UPDATED,
  ZADD_OUT_NOP,
  type ScoreRange,
  type LexRange,
} from '../../src/datatypes/zset.js';

type Model = Map<string, number>;
const cmp = (a: [string, number], b: [string, number]) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const sorted = (m: Model): [string, number][] => [...m].sort(cmp);
const all = (z: ZSet): [string, number][] => {
  const out: [string, number][] = [];
  z.forEach((m, s) => out.push([m, s]));
  return out;
};
const inScore = (s: number, r: ScoreRange) => (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max);
const inLex = (m: string, r: LexRange) => !r.empty && (r.min === null || (r.minex ? m > r.min : m >= r.min)) && (r.max === null || (r.maxex ? m < r.max : m <= r.max));

const member = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'd', 'e', '', '\x00', '\xff\xfe', 'x'.repeat(20)),
  fc.integer({ min: 0, max: 40 }).map((i) => `m${i}`),
  fc.constant('L'.repeat(200)),
);
const score = fc.oneof(fc.integer({ min: -20, max: 240 }), fc.constantFrom(-Infinity, Infinity, 0.5, -0, 1e300, -1e-300, 32767, 32768, -32769, 2147483647, 2147483648, -2147483649, 2 ** 53, 1.5));
const flagsArb = fc.constantFrom(0, 0, 0, ZADD_IN_NX, ZADD_IN_XX, ZADD_IN_GT, ZADD_IN_LT, ZADD_IN_INCR, ZADD_IN_INCR | ZADD_IN_XX, ZADD_IN_GT | ZADD_IN_XX);
const scoreRange = fc.record({ min: score, max: score, minex: fc.boolean(), maxex: fc.boolean() });
const lexRange = fc.record({
  min: fc.option(member, { nil: null }),
  max: fc.option(member, { nil: null }),
  minex: fc.boolean(),
  maxex: fc.boolean(),
  empty: fc.boolean().map((b) => b && Math.random() < 0.1),
});
const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('add' as const), m: member, s: score, f: flagsArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('rem' as const), m: member }) },
  fc.record({ t: fc.constant('remrank' as const), a: fc.integer({ min: 0, max: 20 }), n: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ t: fc.constant('remscore' as const), r: scoreRange }),
  fc.record({ t: fc.constant('remlex' as const), r: lexRange }),
);
const limitsArb = fc.record({ zsetMaxListpackEntries: fc.constantFrom(0, 1, 4, 16, 128), zsetMaxListpackValue: fc.constantFrom(0, 8, 64) });

/** The model's zsetAdd: returns [ok, flags, newScore]. */
function modelAdd(m: Model, score: number, member: string, f: number): [boolean, number, number] {
  const cur = m.get(member);
  if (cur !== undefined) {
    if (f & ZADD_IN_NX) return [true, ZADD_OUT_NOP, 0];
    if (f & ZADD_IN_INCR) {
      score += cur;
      if (Number.isNaN(score)) return [false, 0, 0];
    }
    if ((f & ZADD_IN_LT && score >= cur) || (f & ZADD_IN_GT && score <= cur)) return [true, ZADD_OUT_NOP, 0];
    if (score !== cur) {
      m.set(member, score);
      return [true, ZADD_OUT_UPDATED, score];
    }
    return [true, 0, score];
  }
  if (f & ZADD_IN_XX) return [true, ZADD_OUT_NOP, 0];
  m.set(member, score);
  return [true, ZADD_OUT_ADDED, score];
}

test('a zset matches a sorted model under random adds, removals and range removals, in both encodings', () => {
  fc.assert(
    fc.property(limitsArb, fc.array(op, { maxLength: 120 }), (limits, ops) => {
      const z = ZSet.create(limits.zsetMaxListpackEntries === 0);
      const m: Model = new Map();
      for (const o of ops) {
        if (o.t === 'add') {
          const wasSkiplist = !z.isListpack;
          const ok = z.add(o.s, o.m, o.f, limits);
          const [mok, mflags, mscore] = modelAdd(m, o.s, o.m, o.f);
          assert.equal(ok, mok);
          if (ok) {
            assert.equal(addResult.flags, mflags);
            if (!(mflags & ZADD_OUT_NOP)) assert.equal(addResult.newScore, mscore);
          }
          // conversion happens exactly when a new member would break a limit, and never back
          if (wasSkiplist) assert.equal(z.isListpack, false);
        } else if (o.t === 'rem') {
          assert.equal(z.remove(o.m), m.delete(o.m));
        } else if (o.t === 'remrank') {
          const len = z.length;
          if (o.a < len) {
            const end = Math.min(len - 1, o.a + o.n);
            const exp = sorted(m).slice(o.a, end + 1);
            assert.equal(z.removeRangeByRank(o.a, end), exp.length);
            for (const [x] of exp) m.delete(x);
          }
        } else if (o.t === 'remscore') {
          const exp = sorted(m).filter(([, s]) => inScore(s, o.r));
          assert.equal(z.removeRangeByScore(o.r), exp.length);
          for (const [x] of exp) m.delete(x);
        } else {
          // lex ranges are defined on equal scores: apply to a same-score copy
          const same = ZSet.create(!z.isListpack);
          for (const x of m.keys()) same.add(0, x, 0, limits);
          const exp = [...m.keys()].filter((x) => inLex(x, o.r));
          assert.equal(same.removeRangeByLex(o.r), exp.length);
          assert.equal(same.length, m.size - exp.length);
        }
        assert.equal(z.length, m.size);
      }
      const want = sorted(m);
      // -0 is stored as 0 in a listpack (as Redis stores it)
      assert.deepEqual(
        all(z).map(([x, s]) => [x, s === 0 ? 0 : s]),
        want.map(([x, s]) => [x, s === 0 ? 0 : s]),
      );
      want.forEach(([x, s], i) => {
        assert.equal(z.rank(x, false), i);
        assert.equal(z.rank(x, true), want.length - 1 - i);
        assert.ok(Object.is(z.score(x)! + 0, s + 0));
        assert.equal(z.at(i)[0], x);
      });
      assert.equal(z.rank('nope\x01', false), -1);
      if (z.isListpack) {
        // the listpack limits hold
        assert.ok(z.length <= Math.max(limits.zsetMaxListpackEntries, 0));
      }
      // a copy is equal and independent
      const d = z.dup();
      assert.deepEqual(all(d), all(z));
      assert.equal(d.encoding(), z.encoding());
      d.add(-Infinity, 'copy-only', 0, limits);
      assert.equal(z.score('copy-only'), undefined);
    }),
    { seed: 42, numRuns: 300 },
  );
});

test('score and lex ranges with offset, limit and direction match a filtered model in both encodings', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(member, fc.integer({ min: -5, max: 5 })), { selector: (e) => e[0], maxLength: 40 }),
      scoreRange,
      lexRange,
      fc.integer({ min: -1, max: 8 }),
      fc.integer({ min: -1, max: 8 }),
      fc.boolean(),
      (elems, sr, lr, offset, limit, reverse) => {
        for (const skip of [false, true]) {
          const limits = { zsetMaxListpackEntries: 1000, zsetMaxListpackValue: 1000 };
          const z = ZSet.create(skip);
          const m: Model = new Map(elems);
          for (const [x, s] of elems) z.add(s, x, 0, limits);
          const take = <T>(xs: T[]): T[] => (offset < 0 ? [] : xs.slice(offset, limit < 0 ? undefined : offset + limit));
          const byScore = sorted(m).filter(([, s]) => inScore(s, sr));
          const got: string[] = [];
          z.rangeByScore(sr, offset, limit, reverse, (x) => got.push(x));
          assert.deepEqual(
            got,
            take(reverse ? byScore.reverse() : byScore).map((e) => e[0]),
          );
          assert.equal(z.countInScoreRange(sr), sorted(m).filter(([, s]) => inScore(s, sr)).length);
          // lex on equal scores
          const same = ZSet.create(skip);
          for (const [x] of elems) same.add(0, x, 0, limits);
          const byLex = [...m.keys()].sort().filter((x) => inLex(x, lr));
          const gotLex: string[] = [];
          same.rangeByLex(lr, offset, limit, reverse, (x) => gotLex.push(x));
          assert.deepEqual(gotLex, take(reverse ? [...byLex].reverse() : byLex));
          assert.equal(same.countInLexRange(lr), byLex.length);
          // rank ranges
          const n = z.length;
          if (n > 0) {
            const a = Math.min(n - 1, Math.max(0, offset));
            const b = Math.min(n - 1, a + Math.max(0, limit));
            const gotRank: string[] = [];
            z.rangeByRank(a, b, reverse, (x) => gotRank.push(x));
            const order = sorted(m).map((e) => e[0]);
            if (reverse) order.reverse();
            assert.deepEqual(gotRank, order.slice(a, b + 1));
          }
        }
      },
    ),
    { seed: 7, numRuns: 400 },
  );
});

test('store results are listpack up to the entry and length limits, skiplist beyond', () => {
  const limits = { zsetMaxListpackEntries: 3, zsetMaxListpackValue: 4 };
  assert.equal(ZSet.fromSorted(['a', 'b', 'c'], [1, 2, 3], limits).encoding(), 'listpack');
  assert.equal(ZSet.fromSorted(['a', 'b', 'c', 'd'], [1, 2, 3, 4], limits).encoding(), 'skiplist');
  assert.equal(ZSet.fromSorted(['abcde'], [1], limits).encoding(), 'skiplist');
  const z = ZSet.fromSorted(['a', 'bb', 'ccc'], [-Infinity, 0.1, 1e300], limits);
  assert.deepEqual(all(z), [
    ['a', -Infinity],
    ['bb', 0.1],
    ['ccc', 1e300],
  ]);
});

test('a new member past zset-max-listpack-entries or longer than zset-max-listpack-value converts the listpack', () => {
  const limits = { zsetMaxListpackEntries: 2, zsetMaxListpackValue: 3 };
  const z = ZSet.create(false);
  z.add(1, 'a', 0, limits);
  z.add(2, 'b', 0, limits);
  z.add(5, 'b', 0, limits); // an update does not convert
  assert.equal(z.encoding(), 'listpack');
  z.add(3, 'c', 0, limits);
  assert.equal(z.encoding(), 'skiplist');
  const y = ZSet.create(false);
  y.add(1, 'abcd', ZADD_IN_XX, limits); // XX on a new member: no insert, no conversion
  assert.equal(y.encoding(), 'listpack');
  y.add(1, 'abcd', 0, limits);
  assert.equal(y.encoding(), 'skiplist');
  assert.deepEqual(all(z), [
    ['a', 1],
    ['c', 3],
    ['b', 5],
  ]);
});

test('scores of every width round-trip through the packed listpack', () => {
  const limits = { zsetMaxListpackEntries: 1000, zsetMaxListpackValue: 1000 };
  const scores = [-16, -17, 223, 224, 32767, -32768, 32768, -32769, 2147483647, -2147483648, 2147483648, 1.5, -1e-310, 1e308, Infinity, -Infinity, 2 ** 60];
  const z = ZSet.create(false);
  scores.forEach((s, i) => z.add(s, `m${i}${'x'.repeat(i * 10)}`, 0, limits));
  scores.forEach((s, i) => assert.equal(z.score(`m${i}${'x'.repeat(i * 10)}`), s));
  assert.equal(z.encoding(), 'listpack');
  z.toSkiplist();
  scores.forEach((s, i) => assert.equal(z.score(`m${i}${'x'.repeat(i * 10)}`), s));
});

test('scores print as C printf("%.17g"): ties to even, exponents from e-05 and e+17, -0 kept', () => {
  const cases: [number, string][] = [
    [1125899906842624.25, '1125899906842624.2'], // an exact tie: C rounds to even, toExponential would round up
    [1125899906842624.75, '1125899906842624.8'],
    [0.1, '0.10000000000000001'],
    [1.1, '1.1000000000000001'],
    [1 / 3, '0.33333333333333331'],
    [0.0001, '0.0001'],
    [0.00001, '1.0000000000000001e-05'],
    [3.0517578125e-5, '3.0517578125e-05'],
    [1e16, '10000000000000000'],
    [1e17, '1e+17'],
    [123456789012345678, '1.2345678901234568e+17'],
    [2 ** 53, '9007199254740992'],
    [-2.5, '-2.5'],
    [-0, '-0'],
    [5e-324, '4.9406564584124654e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [99999999999999999, '1e+17'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [42, '42'],
  ];
  for (const [v, want] of cases) assert.equal(formatDouble(v), want, String(v));
});
