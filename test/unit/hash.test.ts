import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HashValue, type HashLimits } from '../../src/datatypes/hash.js';

type Op = { t: 'set'; f: string; v: string } | { t: 'pairs'; ps: string[] } | { t: 'del'; f: string } | { t: 'try'; args: string[] } | { t: 'dup' };

/** Fields and values short and long: multi-char varints start at 128. */
const str = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c', 'd', 'e', '', '1', '\x00', '\xff\x80') },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }).map((s) => Buffer.from(s, 'utf8').toString('latin1')) },
  { weight: 1, arbitrary: fc.constantFrom(127, 128, 200, 16383, 16384).map((n) => 'x'.repeat(n)) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('set' as const), f: str, v: str }) },
  { weight: 2, arbitrary: fc.array(fc.tuple(str, str), { minLength: 1, maxLength: 5 }).map((ps) => ({ t: 'pairs' as const, ps: ps.flat() })) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('del' as const), f: str }) },
  { weight: 1, arbitrary: fc.array(str, { minLength: 1, maxLength: 3 }).map((args) => ({ t: 'try' as const, args })) },
  { weight: 1, arbitrary: fc.constant({ t: 'dup' as const }) },
);
const limitsArb: fc.Arbitrary<HashLimits> = fc.record({
  hashMaxListpackEntries: fc.constantFrom(0, 1, 4, 200, 100000),
  hashMaxListpackValue: fc.constantFrom(0, 3, 64, 1000000),
});

/** The model: a Map keeps insertion order, replaces in place and appends after a delete, as a listpack. */
function flat(m: Map<string, string>): string[] {
  return [...m].flat();
}

function sortedPairs(a: string[]): string[] {
  const ps: string[] = [];
  for (let i = 0; i < a.length; i += 2) ps.push(JSON.stringify([a[i], a[i + 1]]));
  return ps.sort();
}

test('a hash behaves like an insertion-ordered map and converts to a hashtable exactly at the limits, once', () => {
  fc.assert(
    fc.property(limitsArb, fc.array(opArb, { maxLength: 300, size: 'max' }), (lim, ops) => {
      let h = HashValue.empty();
      const m = new Map<string, string>();
      let listpack = true;
      const tooLong = (s: string) => s.length > lim.hashMaxListpackValue;
      const insert = (f: string, v: string): boolean => {
        if (tooLong(f) || tooLong(v)) listpack = false;
        const fresh = !m.has(f);
        m.set(f, v);
        if (m.size > lim.hashMaxListpackEntries) listpack = false;
        return fresh;
      };
      for (const op of ops) {
        if (op.t === 'set') {
          assert.equal(h.set(op.f, op.v, lim), insert(op.f, op.v));
        } else if (op.t === 'pairs') {
          let created = 0;
          for (let i = 0; i < op.ps.length; i += 2) if (insert(op.ps[i], op.ps[i + 1])) created++;
          assert.equal(h.setPairs(['HSET', 'k', ...op.ps], 2, lim), created);
        } else if (op.t === 'del') {
          assert.equal(h.delete(op.f), m.delete(op.f));
        } else if (op.t === 'try') {
          h.tryConversion(op.args, 0, op.args.length - 1, lim);
          if (op.args.some(tooLong)) listpack = false;
        } else {
          const copy = h.dup();
          copy.set('dup-only', 'x', lim);
          assert.equal(h.has('dup-only'), m.has('dup-only'));
          h = h.dup();
        }
        assert.equal(h.encoding(), listpack ? 'listpack' : 'hashtable');
        assert.equal(h.size, m.size);
      }
      for (const [f, v] of m) {
        assert.equal(h.get(f), v);
        assert.equal(h.has(f), true);
        assert.equal(h.strlen(f), v.length);
      }
      assert.equal(h.get('never-set'), null);
      assert.equal(h.strlen('never-set'), 0);
      const all = h.toArray();
      if (listpack) {
        assert.deepEqual(all, flat(m));
        assert.deepEqual(h.column(0), [...m.keys()]);
        assert.deepEqual(h.column(1), [...m.values()]);
      } else {
        assert.deepEqual(sortedPairs(all), sortedPairs(flat(m)));
        assert.deepEqual(h.column(0).sort(), [...m.keys()].sort());
        assert.deepEqual(h.column(1).sort(), [...m.values()].sort());
      }
    }),
    { seed: 7, numRuns: 150 },
  );
});

test('a listpack keeps insertion order: an overwrite stays in place, a re-added field goes to the end', () => {
  const lim = { hashMaxListpackEntries: 512, hashMaxListpackValue: 64 };
  const h = HashValue.empty();
  h.setPairs(['HSET', 'k', 'a', '1', 'b', '2', 'c', '3'], 2, lim);
  h.set('a', 'one', lim);
  h.delete('b');
  h.set('b', 'two', lim);
  assert.deepEqual(h.toArray(), ['a', 'one', 'c', '3', 'b', 'two']);
  assert.equal(h.encoding(), 'listpack');
});

test('setPairs with repeated fields keeps the first position and the last value, and counts a field once', () => {
  const lim = { hashMaxListpackEntries: 512, hashMaxListpackValue: 64 };
  const h = HashValue.empty();
  assert.equal(h.setPairs(['HSET', 'k', 'a', '1', 'b', '2', 'a', '3'], 2, lim), 2);
  assert.deepEqual(h.toArray(), ['a', '3', 'b', '2']);
});

test('setPairs converts in the middle of the arguments when the hash outgrows the entry limit', () => {
  const lim = { hashMaxListpackEntries: 3, hashMaxListpackValue: 64 };
  const h = HashValue.empty();
  assert.equal(h.setPairs(['HSET', 'k', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'a', '5', 'e', '6'], 2, lim), 5);
  assert.equal(h.encoding(), 'hashtable');
  assert.equal(h.size, 5);
  assert.equal(h.get('a'), '5');
  assert.equal(h.get('e'), '6');
});

test('a duplicated hash is independent of the original in both encodings', () => {
  for (const entries of [512, 1]) {
    const lim = { hashMaxListpackEntries: entries, hashMaxListpackValue: 64 };
    const h = HashValue.empty();
    h.setPairs(['HSET', 'k', 'a', '1', 'b', '2'], 2, lim);
    const d = h.dup();
    d.set('a', 'changed', lim);
    d.delete('b');
    assert.equal(h.get('a'), '1');
    assert.equal(h.get('b'), '2');
    assert.equal(d.size, 1);
    assert.equal(d.encoding(), h.encoding());
  }
});

test('fields and values of every byte value and of 100,000 bytes round-trip through the packed form', () => {
  const lim = { hashMaxListpackEntries: 100000, hashMaxListpackValue: 1 << 20 };
  const h = HashValue.empty();
  let all = '';
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  const big = 'z'.repeat(100000);
  h.set(all, big, lim);
  h.set(big, all, lim);
  for (let i = 0; i < 300; i++) h.set(`f${i}`, String.fromCharCode(i % 256), lim);
  assert.equal(h.encoding(), 'listpack');
  assert.equal(h.size, 302);
  assert.equal(h.get(all), big);
  assert.equal(h.get(big), all);
  assert.equal(h.get('f299'), String.fromCharCode(299 % 256));
  h.convert();
  assert.equal(h.get(all), big);
  assert.equal(h.get(big), all);
  assert.equal(h.size, 302);
});

const HT: HashLimits = { hashMaxListpackEntries: 0, hashMaxListpackValue: 64 };

test('a full hashtable SCAN returns every entry present for the whole scan while the table grows and shrinks', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 3000 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 30 }), (initial, plan, count) => {
      const h = HashValue.empty();
      for (let i = 0; i < initial; i++) h.set(`stable:${i}`, i % 7 === 0 ? 'L'.repeat(100 + i) : `v${i}`, HT);
      let churn = 0;
      const returned = new Map<string, string>();
      let cursor = 0;
      let step = 0;
      do {
        const items: string[] = [];
        cursor = h.scan(cursor, count, items);
        for (let i = 0; i < items.length; i += 2) returned.set(items[i], items[i + 1]);
        const what = plan[step++ % plan.length];
        if (what === 1 && churn < 6000) for (let i = 0; i < 200; i++) h.set(`churn:${churn++}`, 'x', HT);
        else if (what === 2) for (let i = churn - 1; i >= Math.max(0, churn - 400); i--) h.delete(`churn:${i}`);
      } while (cursor !== 0 && step < 20000);
      assert.equal(cursor, 0, 'scan terminates');
      for (let i = 0; i < initial; i++) assert.equal(returned.get(`stable:${i}`), i % 7 === 0 ? 'L'.repeat(100 + i) : `v${i}`);
    }),
    { seed: 11, numRuns: 40 },
  );
});

test('a hashtable SCAN step returns at least COUNT pairs unless the scan is complete', () => {
  const h = HashValue.empty();
  for (let i = 0; i < 5000; i++) h.set(`f${i}`, 'v', HT);
  let cursor = 0;
  do {
    const items: string[] = [];
    cursor = h.scan(cursor, 25, items);
    if (cursor !== 0) assert.ok(items.length >= 50, `got ${items.length / 2} pairs`);
  } while (cursor !== 0);
});

test('random pairs of a hashtable are uniform enough and match their values, also after mass deletions', () => {
  const h = HashValue.empty();
  for (let i = 0; i < 20000; i++) h.set(`k${i}`, `v${i}`, HT);
  for (let i = 0; i < 19980; i++) h.delete(`k${i}`);
  assert.equal(h.size, 20);
  const hits = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    const [f, v] = h.randomPair();
    assert.equal(v, 'v' + f.slice(1));
    hits.set(f, (hits.get(f) ?? 0) + 1);
  }
  assert.equal(hits.size, 20);
  for (const n of hits.values()) assert.ok(n > 700 && n < 1300, `a field was picked ${n} times of an expected 1000`);
  const lp = HashValue.empty();
  lp.setPairs(['HSET', 'k', 'a', '1', 'b', '2', 'c', '3'], 2, { hashMaxListpackEntries: 512, hashMaxListpackValue: 64 });
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) seen.add(lp.randomPair().join('='));
  assert.deepEqual([...seen].sort(), ['a=1', 'b=2', 'c=3']);
});

test('long fields and values kept out of line survive overwrites in every direction, deletes and slot reuse', () => {
  const h = HashValue.empty();
  const long = (c: string, n: number) => c.repeat(n);
  h.set(long('F', 100), long('v', 200), HT);
  h.set('short', long('w', 65), HT);
  h.set(long('F', 100), long('u', 300), HT); // long over long
  assert.equal(h.get(long('F', 100)), long('u', 300));
  h.set(long('F', 100), 'tiny', HT); // long to short
  assert.equal(h.get(long('F', 100)), 'tiny');
  assert.equal(h.strlen(long('F', 100)), 4);
  h.set('short', 'x', HT); // long to short
  h.set('short', long('z', 1000), HT); // short to long
  assert.equal(h.strlen('short'), 1000);
  assert.equal(h.delete(long('F', 100)), true);
  assert.equal(h.has(long('F', 100)), false);
  for (let i = 0; i < 50; i++) h.set(long('G', 65 + i), long('y', 65 + i), HT);
  for (let i = 0; i < 50; i += 2) h.delete(long('G', 65 + i));
  for (let i = 0; i < 50; i += 2) h.set(long('H', 65 + i), long('q', 65 + i), HT);
  for (let i = 1; i < 50; i += 2) assert.equal(h.get(long('G', 65 + i)), long('y', 65 + i));
  for (let i = 0; i < 50; i += 2) assert.equal(h.get(long('H', 65 + i)), long('q', 65 + i));
  assert.equal(h.get('short'), long('z', 1000));
  const d = h.dup();
  d.set('short', 'changed', HT);
  d.set(long('H', 65), long('r', 70), HT);
  assert.equal(h.get('short'), long('z', 1000));
  assert.equal(h.get(long('H', 65)), long('q', 65));
  assert.equal(h.size, 51);
});
