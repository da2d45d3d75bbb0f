import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SkipList, type ScoreRange } from '../../src/datatypes/skiplist.js';

type Model = Map<string, number>;
const sorted = (m: Model) => [...m].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

const member = fc.integer({ min: 0, max: 60 }).map((i) => `m${i}`);
const score = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(-Infinity, Infinity, 0.5));
const op = fc.oneof(
  fc.record({ t: fc.constant('add' as const), m: member, s: score }),
  fc.record({ t: fc.constant('del' as const), m: member }),
  fc.record({ t: fc.constant('delrank' as const), a: fc.integer({ min: 1, max: 30 }), n: fc.integer({ min: 0, max: 5 }) }),
);

test('a skiplist keeps elements in (score, member) order with correct ranks under random operations', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const sl = new SkipList();
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
        } else {
          const exp = sorted(m).slice(o.a - 1, o.a - 1 + o.n).map((e) => e[0]);
          const got = sl.deleteRangeByRank(o.a, o.a + o.n - 1);
          assert.deepEqual(got, exp);
          for (const x of got) m.delete(x);
        }
      }
      const want = sorted(m);
      assert.equal(sl.length, want.length);
      const got = [...sl.iterate(sl.first())].map((n) => [n.member, n.score]);
      assert.deepEqual(got, want);
      const back = [...sl.iterate(sl.tail, true)].map((n) => n.member);
      assert.deepEqual(back, want.map((e) => e[0]).reverse());
      want.forEach(([mm, s], i) => {
        assert.equal(sl.rank(s, mm), i + 1);
        assert.equal(sl.byRank(i + 1)!.member, mm);
      });
    }),
    { seed: 11, numRuns: 150 },
  );
});

test('score ranges find the first and last element inside, honouring exclusive bounds', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.tuple(member, fc.integer({ min: -10, max: 10 })), { selector: (e) => e[0], maxLength: 50 }), fc.integer({ min: -12, max: 12 }), fc.integer({ min: -12, max: 12 }), fc.boolean(), fc.boolean(), (elems, a, b, minex, maxex) => {
      const sl = new SkipList();
      const m: Model = new Map();
      for (const [mm, s] of elems) {
        sl.insert(s, mm);
        m.set(mm, s);
      }
      const r: ScoreRange = { min: a, max: b, minex, maxex };
      const inside = sorted(m).filter(([, s]) => (minex ? s > a : s >= a) && (maxex ? s < b : s <= b));
      assert.equal(sl.firstInScoreRange(r)?.member ?? null, inside.length ? inside[0][0] : null);
      assert.equal(sl.lastInScoreRange(r)?.member ?? null, inside.length ? inside[inside.length - 1][0] : null);
    }),
    { seed: 5, numRuns: 300 },
  );
});

test('lex ranges over equal scores find bounds by binary member order', () => {
  const sl = new SkipList();
  for (const mm of ['a', 'b', 'c', 'd', 'e', '\xff']) sl.insert(0, mm);
  assert.equal(sl.firstInLexRange({ min: 'b', max: 'd', minex: true, maxex: false })!.member, 'c');
  assert.equal(sl.lastInLexRange({ min: 'b', max: 'd', minex: true, maxex: true })!.member, 'c');
  assert.equal(sl.lastInLexRange({ min: null, max: null, minex: false, maxex: false })!.member, '\xff');
  assert.equal(sl.firstInLexRange({ min: 'f', max: null, minex: false, maxex: false })!.member, '\xff');
  assert.equal(sl.firstInLexRange({ min: null, max: null, minex: false, maxex: false, empty: true }), null);
});
