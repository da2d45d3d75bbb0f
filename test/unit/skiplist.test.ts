import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SkipList, type ScoreRange, type LexRange } from '../../src/datatypes/skiplist.js';

type Model = Map<string, number>;
const sorted = (m: Model) => [...m].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

const member = fc.integer({ min: 0, max: 60 }).map((i) => `m${i}`);
const score = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(-Infinity, Infinity, 0.5));
const op = fc.oneof(
  fc.record({ t: fc.constant('add' as const), m: member, s: score }),
  fc.record({ t: fc.constant('del' as const), m: member }),
  fc.record({ t: fc.constant('delrank' as const), a: fc.integer({ min: 1, max: 30 }), n: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ t: fc.constant('delscore' as const), a: fc.integer({ min: -6, max: 6 }), b: fc.integer({ min: -6, max: 6 }), minex: fc.boolean(), maxex: fc.boolean() }),
  fc.record({ t: fc.constant('dellex' as const), a: member, b: member, minex: fc.boolean(), maxex: fc.boolean() }),
);

function walk(sl: SkipList): [string, number][] {
  const out: [string, number][] = [];
  for (let n = sl.first(); n !== 0; n = sl.next(n)) out.push([sl.member(n), sl.score(n)]);
  return out;
}

function checkAgainst(sl: SkipList, m: Model): void {
  const want = sorted(m);
  assert.equal(sl.length, want.length);
  assert.deepEqual(walk(sl), want);
  const back: string[] = [];
  for (let n = sl.last(); n !== 0; n = sl.prev(n)) back.push(sl.member(n));
  assert.deepEqual(back, want.map((e) => e[0]).reverse());
  want.forEach(([mm, s], i) => {
    assert.equal(sl.rank(s, mm), i + 1);
    assert.equal(sl.member(sl.byRank(i + 1)), mm);
  });
  assert.equal(sl.byRank(want.length + 1), 0);
}

test('a skiplist keeps elements in (score, member) order with correct ranks under random operations', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const sl = new SkipList(2);
      const m: Model = new Map();
      for (const o of ops) {
        if (o.t === 'add') {
          const cur = m.get(o.m);
          if (cur === undefined) sl.insert(o.s, o.m);
          else sl.updateScore(cur, o.m, o.s);
          m.set(o.m, o.s);
        } else if (o.t === 'del') {
          const cur = m.get(o.m);
          assert.equal(sl.delete(cur ?? 0, o.m), cur !== undefined);
          m.delete(o.m);
        } else if (o.t === 'delrank') {
          const exp = sorted(m)
            .slice(o.a - 1, o.a - 1 + o.n)
            .map((e) => e[0]);
          const got: string[] = [];
          assert.equal(
            sl.deleteRangeByRank(o.a, o.a + o.n - 1, (x) => got.push(x)),
            exp.length,
          );
          assert.deepEqual(got, exp);
          for (const x of got) m.delete(x);
        } else if (o.t === 'delscore') {
          const r: ScoreRange = { min: o.a, max: o.b, minex: o.minex, maxex: o.maxex };
          const exp = sorted(m)
            .filter(([, s]) => (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max))
            .map((e) => e[0]);
          const got: string[] = [];
          sl.deleteRangeByScore(r, (x) => got.push(x));
          assert.deepEqual(got, exp);
          for (const x of got) m.delete(x);
        } else {
          // lex deletion is only meaningful when all scores are equal: compare on a same-score copy
          const same = new SkipList();
          const names = [...m.keys()].sort();
          for (const x of names) same.insert(0, x);
          const r: LexRange = { min: o.a, max: o.b, minex: o.minex, maxex: o.maxex };
          const exp = names.filter((x) => (r.minex ? x > o.a : x >= o.a) && (r.maxex ? x < o.b : x <= o.b));
          const got: string[] = [];
          same.deleteRangeByLex(r, (x) => got.push(x));
          assert.deepEqual(got, exp);
          assert.equal(same.length, names.length - exp.length);
        }
      }
      checkAgainst(sl, m);
      // a clone is independent and equal
      const c = sl.clone();
      checkAgainst(c, m);
      if (m.size > 0) {
        const [mm, s] = sorted(m)[0];
        c.delete(s, mm);
        checkAgainst(sl, m);
      }
    }),
    { seed: 11, numRuns: 150 },
  );
});

test('score ranges find the first and last element inside, honouring exclusive bounds', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(member, fc.integer({ min: -10, max: 10 })), { selector: (e) => e[0], maxLength: 50 }),
      fc.integer({ min: -12, max: 12 }),
      fc.integer({ min: -12, max: 12 }),
      fc.boolean(),
      fc.boolean(),
      (elems, a, b, minex, maxex) => {
        const sl = new SkipList();
        const m: Model = new Map();
        for (const [mm, s] of elems) {
          sl.insert(s, mm);
          m.set(mm, s);
        }
        const r: ScoreRange = { min: a, max: b, minex, maxex };
        const inside = sorted(m).filter(([, s]) => (minex ? s > a : s >= a) && (maxex ? s < b : s <= b));
        const f = sl.firstInScoreRange(r);
        const l = sl.lastInScoreRange(r);
        assert.equal(f === 0 ? null : sl.member(f), inside.length ? inside[0][0] : null);
        assert.equal(l === 0 ? null : sl.member(l), inside.length ? inside[inside.length - 1][0] : null);
      },
    ),
    { seed: 5, numRuns: 300 },
  );
});

test('lex ranges over equal scores find bounds by binary member order', () => {
  const sl = new SkipList();
  for (const mm of ['a', 'b', 'c', 'd', 'e', '\xff']) sl.insert(0, mm);
  const name = (n: number) => (n === 0 ? null : sl.member(n));
  assert.equal(name(sl.firstInLexRange({ min: 'b', max: 'd', minex: true, maxex: false })), 'c');
  assert.equal(name(sl.lastInLexRange({ min: 'b', max: 'd', minex: true, maxex: true })), 'c');
  assert.equal(name(sl.lastInLexRange({ min: null, max: null, minex: false, maxex: false })), '\xff');
  assert.equal(name(sl.firstInLexRange({ min: 'f', max: null, minex: false, maxex: false })), '\xff');
  assert.equal(name(sl.firstInLexRange({ min: null, max: null, minex: false, maxex: false, empty: true })), null);
  assert.equal(name(sl.firstInLexRange({ min: 'c', max: 'b', minex: false, maxex: false })), null);
});

test('a skiplist of many elements reuses freed nodes and keeps ranks exact', () => {
  const sl = new SkipList();
  const n = 20000;
  for (let i = 0; i < n; i++) sl.insert(i % 100, `m${i}`);
  for (let i = 0; i < n; i += 2) assert.ok(sl.delete(i % 100, `m${i}`));
  for (let i = 0; i < n; i += 2) sl.insert(-1, `z${i}`);
  assert.equal(sl.length, n);
  assert.equal(sl.member(sl.byRank(1)), 'z0');
  assert.equal(sl.rank(-1, 'z0'), 1);
  assert.equal(sl.rank(0, 'm1'), 0); // m1 has score 1
  assert.equal(sl.rank(1, 'm1'), n / 2 + 1);
});
