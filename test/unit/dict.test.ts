import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Dict } from '../../src/datatypes/dict.js';

type Op = { t: 'set'; k: string; v: number } | { t: 'del'; k: string } | { t: 'get'; k: string };

const keyArb = fc.integer({ min: 0, max: 300 }).map((i) => `k${i}`);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('set' as const), k: keyArb, v: fc.integer() }),
  fc.record({ t: fc.constant('del' as const), k: keyArb }),
  fc.record({ t: fc.constant('get' as const), k: keyArb }),
);

test('a dict behaves like a Map under random sets, deletes and gets (through growth, shrink and rehash)', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 2000 }), (ops) => {
      const d = new Dict<number>();
      const m = new Map<string, number>();
      for (const op of ops) {
        if (op.t === 'set') {
          d.set(op.k, op.v);
          m.set(op.k, op.v);
        } else if (op.t === 'del') {
          assert.equal(d.delete(op.k) !== -1, m.delete(op.k));
        } else {
          assert.equal(d.get(op.k), m.get(op.k));
        }
        assert.equal(d.size, m.size);
      }
      const seen = new Map<string, number>();
      d.forEachSlot((s) => seen.set(d.keys[s]!, d.vals[s]!));
      assert.deepEqual([...seen].sort(), [...m].sort());
    }),
    { seed: 42, numRuns: 60 },
  );
});

test('slots stay stable for the life of an entry', () => {
  const d = new Dict<string>();
  const slots = new Map<string, number>();
  for (let i = 0; i < 5000; i++) slots.set(`key:${i}`, d.set(`key:${i}`, `v${i}`));
  for (let i = 0; i < 5000; i += 2) d.delete(`key:${i}`);
  for (let i = 1; i < 5000; i += 2) assert.equal(d.find(`key:${i}`), slots.get(`key:${i}`));
});

test('a full SCAN returns every key present for the whole scan while the table grows and shrinks', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 3000 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 0, max: 1000 }), (initial, plan, salt) => {
      const d = new Dict<number>();
      for (let i = 0; i < initial; i++) d.set(`stable:${i}`, i);
      let churn = 0;
      const returned = new Set<string>();
      let cursor = 0;
      let step = 0;
      do {
        cursor = d.scan(cursor, (s) => returned.add(d.keys[s]!));
        // between steps: grow a lot, shrink a lot, or do nothing
        const what = plan[step++ % plan.length];
        if (what === 1 && churn < 6000) for (let i = 0; i < 200; i++) d.set(`churn:${salt}:${churn++}`, i);
        else if (what === 2) for (let i = churn - 1; i >= Math.max(0, churn - 400); i--) d.delete(`churn:${salt}:${i}`);
      } while (cursor !== 0 && step < 20000);
      assert.equal(cursor, 0, 'scan terminates');
      for (let i = 0; i < initial; i++) assert.ok(returned.has(`stable:${i}`), `stable:${i} was returned`);
    }),
    { seed: 7, numRuns: 40 },
  );
});

test('random slots cover every entry, also after mass deletions', () => {
  const d = new Dict<number>();
  for (let i = 0; i < 10000; i++) d.set(`k${i}`, i);
  for (let i = 0; i < 9990; i++) d.delete(`k${i}`);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(d.keys[d.randomSlot()]!);
  assert.equal(seen.size, 10);
});

test('a dict holds more entries than a JS Map bucket table limit would allow per table growth step', () => {
  // not 2^24 entries here (that is bench/many-keys.js); check that growth keeps every key reachable
  const d = new Dict<number>();
  const n = 200000;
  for (let i = 0; i < n; i++) d.insertNew(`key:${i}`, i);
  assert.equal(d.size, n);
  for (let i = 0; i < n; i += 997) assert.equal(d.get(`key:${i}`), i);
});

test('while resizing is not allowed (a child saves) a table grows only past five times its size, and never shrinks', async () => {
  const { dictSetResizePolicy } = await import('../../src/datatypes/dict.js');
  const d = new Dict<number>();
  for (let i = 0; i < 64; i++) d.set(`k${i}`, i);
  while (d.isRehashing) d.rehashBuckets(100);
  assert.equal(d.bucketCount, 64);
  let allowed = false;
  dictSetResizePolicy(() => allowed);
  try {
    for (let i = 64; i < 64 * 6; i++) d.set(`k${i}`, i);
    assert.equal(d.bucketCount, 64);
    d.set('one-more', 0); // 384 / 64 > 5: grows anyway
    assert.ok(d.bucketCount > 64);
    while (d.isRehashing) d.rehashBuckets(100);
    const grown = d.bucketCount;
    for (let i = 0; i < 64 * 6; i++) d.delete(`k${i}`);
    assert.equal(d.bucketCount, grown);
    allowed = true;
    d.delete('one-more');
    assert.equal(d.size, 0);
    d.set('x', 1);
    d.delete('x');
    assert.ok(d.bucketCount < grown || d.isRehashing);
  } finally {
    dictSetResizePolicy(() => true);
  }
});
