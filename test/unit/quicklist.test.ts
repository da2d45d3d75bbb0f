import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QuickList, encodeEntry } from '../../src/datatypes/quicklist.js';

// Values of every length class: empty, 1-byte lengths, 2- and 3-byte lengths,
// and longer than half a 4 KB node (plain nodes under fill -1).
const value = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', 'a', 'b', 'abc', 'x'.repeat(13), '\x00\xff\r\n') },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 50 }).map((i) => `v${i}`) },
  { weight: 1, arbitrary: fc.constantFrom('L'.repeat(127), 'M'.repeat(128), 'N'.repeat(300), 'P'.repeat(3000), 'Q'.repeat(16384)) },
);
const idx = fc.integer({ min: -30, max: 30 });

const op = fc.oneof(
  fc.record({ t: fc.constant('pushTail' as const), v: value }),
  fc.record({ t: fc.constant('pushHead' as const), v: value }),
  fc.record({ t: fc.constant('popTail' as const) }),
  fc.record({ t: fc.constant('popHead' as const) }),
  fc.record({ t: fc.constant('set' as const), i: idx, v: value }),
  fc.record({ t: fc.constant('insert' as const), i: idx, v: value }),
  fc.record({ t: fc.constant('del' as const), i: idx, n: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ t: fc.constant('rem' as const), v: value, n: fc.integer({ min: -3, max: 3 }) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(q: QuickList, m: string[], o: Op): void {
  const norm = (i: number) => (i < 0 ? i + m.length : i);
  switch (o.t) {
    case 'pushTail': q.pushTail(o.v); m.push(o.v); break;
    case 'pushHead': q.pushHead(o.v); m.unshift(o.v); break;
    case 'popTail': assert.equal(q.popTail(), m.pop()); break;
    case 'popHead': assert.equal(q.popHead(), m.shift()); break;
    case 'set': {
      const i = norm(o.i);
      if (i >= 0 && i < m.length) { q.set(i, o.v); m[i] = o.v; }
      break;
    }
    case 'insert': {
      const i = norm(o.i);
      if (i >= 0 && i <= m.length) { q.insertAt(i, o.v); m.splice(i, 0, o.v); }
      break;
    }
    case 'del': {
      const i = norm(o.i);
      if (i >= 0 && i < m.length) {
        const n = Math.min(o.n, m.length - i);
        q.deleteRange(i, n);
        m.splice(i, n);
      }
      break;
    }
    case 'rem': {
      let want = 0;
      let limit = o.n === 0 ? Infinity : Math.abs(o.n);
      const order = o.n >= 0 ? m.map((_, k) => k) : m.map((_, k) => m.length - 1 - k);
      const drop = new Set<number>();
      for (const k of order) if (limit > 0 && m[k] === o.v) { drop.add(k); limit--; want++; }
      const kept = m.filter((_, k) => !drop.has(k));
      m.length = 0;
      m.push(...kept);
      assert.equal(q.removeValue(o.v, o.n), want);
      break;
    }
  }
}

function check(q: QuickList, m: string[]): void {
  assert.equal(q.length, m.length);
  assert.deepEqual(q.toArray(), m);
  for (let i = 0; i < m.length; i++) {
    assert.equal(q.index(i), m[i]);
    assert.equal(q.index(i - m.length), m[i]);
  }
  assert.equal(q.index(m.length), undefined);
  assert.equal(q.index(-m.length - 1), undefined);
  const fwd: string[] = [];
  q.walk(true, (v, i) => { assert.equal(i, fwd.length); fwd.push(v); return true; });
  assert.deepEqual(fwd, m);
  const back: string[] = [];
  q.walk(false, (v, i) => { assert.equal(i, m.length - 1 - back.length); back.push(v); return true; });
  assert.deepEqual(back, [...m].reverse());
  if (m.length > 0) {
    const a = Math.floor(m.length / 3);
    const b = m.length - 1 - Math.floor(m.length / 4);
    if (a <= b) {
      const got: string[] = [];
      q.forRange(a, b, (v) => got.push(v));
      assert.deepEqual(got, m.slice(a, b + 1));
    }
  }
}

for (const fill of [-1, -2, 1, 2, 3, 5]) {
  test(`a quicklist with list-max-listpack-size ${fill} behaves as an array under random pushes, pops, sets, inserts, deletes and removals`, () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const q = new QuickList(fill);
        const m: string[] = [];
        for (const o of ops) apply(q, m, o);
        check(q, m);
        const d = q.dup();
        d.pushTail('extra');
        assert.deepEqual(q.toArray(), m, 'dup is independent of the original');
      }),
      { numRuns: 150, seed: 4242 + fill },
    );
  });
}

test('nodes respect the entry count of a positive fill and the byte size of a negative one', () => {
  const q = new QuickList(4);
  for (let i = 0; i < 100; i++) q.pushTail(String(i));
  assert.equal(q.nodeCount, 25);
  const b = new QuickList(-1); // 4 KB nodes
  for (let i = 0; i < 10000; i++) b.pushHead('abcdefgh'); // 10 bytes packed each
  assert.ok(b.nodeCount >= Math.ceil(100000 / 4096) && b.nodeCount <= Math.ceil(100000 / 4096) + 2, `nodes ${b.nodeCount}`);
  assert.equal(b.index(5000), 'abcdefgh');
});

test('a packed entry carries its length before and after the bytes', () => {
  assert.equal(encodeEntry('abc'), '\x03abc\x03');
  assert.equal(encodeEntry(''), '\x00\x00');
  const e = encodeEntry('x'.repeat(300)); // 300 = 0b10_0101100
  assert.equal(e.length, 304);
  assert.deepEqual([e.charCodeAt(0), e.charCodeAt(1)], [0x80 | 44, 2]);
  assert.deepEqual([e.charCodeAt(302), e.charCodeAt(303)], [2, 0x80 | 44]);
});

test('a million-element list costs a few bytes per element beyond the values', () => {
  const q = new QuickList(-2);
  for (let i = 0; i < 1_000_000; i++) q.pushTail('vvv');
  assert.equal(q.length, 1_000_000);
  // 5 packed bytes per element in 8 KB nodes
  assert.ok(q.nodeCount <= Math.ceil(5_000_000 / 8192) + 1, `nodes ${q.nodeCount}`);
  assert.equal(q.index(777_777), 'vvv');
  for (let i = 0; i < 500_000; i++) q.popHead();
  assert.equal(q.length, 500_000);
});
