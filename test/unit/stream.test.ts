/**
 * The stream data structure (datatypes/stream.ts) and its ordered map
 * (datatypes/rax.ts) against plain models: random appends, deletes, trims
 * and range reads in both directions give what a sorted array gives; IDs
 * round-trip through the 8-unit keys up to 2^64-1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rax } from '../../src/datatypes/rax.js';
import { STREAM_ID_MAX, STREAM_ID_MIN, Stream, idMs, idSeq, parseU64, streamDecrID, streamID, streamIDToString, streamIncrID, raxNodeCount } from '../../src/datatypes/stream.js';

test('Rax: set/delete/get and seeks agree with a sorted model', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2000 })), { maxLength: 1500, size: 'max' }),
      fc.array(fc.integer({ min: -1, max: 2001 }), { maxLength: 20 }),
      (ops, probes) => {
        const r = new Rax<number>();
        const m = new Map<string, number>();
        const key = (n: number) => String(n).padStart(5, '0');
        for (const [add, n] of ops) {
          if (add) {
            assert.equal(r.set(key(n), n), !m.has(key(n)));
            m.set(key(n), n);
          } else {
            assert.equal(r.delete(key(n)), m.get(key(n)));
            m.delete(key(n));
          }
        }
        const sorted = [...m.keys()].sort();
        assert.equal(r.size, sorted.length);
        assert.deepEqual(
          [...r.entries()].map((e) => e[0]),
          sorted,
        );
        for (const p of probes) {
          const k = p < 0 ? '' : key(p);
          const ge = sorted.find((x) => x >= k);
          const gt = sorted.find((x) => x > k);
          const le = [...sorted].reverse().find((x) => x <= k);
          const lt = [...sorted].reverse().find((x) => x < k);
          const at = (it: { valid: boolean; key: string }) => (it.valid ? it.key : undefined);
          assert.equal(at(r.seek('>=', k)), ge);
          assert.equal(at(r.seek('>', k)), gt);
          assert.equal(at(r.seek('<=', k)), le);
          assert.equal(at(r.seek('<', k)), lt);
          // walking on from a seek visits the rest in order
          const it = r.seek('>=', k);
          const rest: string[] = [];
          while (it.valid) {
            rest.push(it.key);
            it.next();
          }
          assert.deepEqual(
            rest,
            sorted.filter((x) => x >= k),
          );
          const back = r.seek('<=', k);
          const before: string[] = [];
          while (back.valid) {
            before.push(back.key);
            back.prev();
          }
          assert.deepEqual(before, sorted.filter((x) => x <= k).reverse());
        }
      },
    ),
    { numRuns: 60 },
  );
});

test('stream IDs: keys order as numbers, round-trip up to 2^64-1, incr/decr carry', () => {
  const max = 18446744073709551615n;
  assert.equal(streamIDToString(STREAM_ID_MAX), `${max}-${max}`);
  assert.equal(streamIDToString(STREAM_ID_MIN), '0-0');
  assert.equal(streamIncrID(STREAM_ID_MAX), null);
  assert.equal(streamDecrID(STREAM_ID_MIN), null);
  assert.equal(streamIDToString(streamIncrID(streamID(5, max))!), '6-0');
  assert.equal(streamIDToString(streamDecrID(streamID(6, 0))!), `5-${max}`);
  assert.equal(parseU64('18446744073709551616'), null);
  assert.equal(parseU64('9007199254740993'), 9007199254740993n);
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 18446744073709551615n }),
      fc.bigInt({ min: 0n, max: 18446744073709551615n }),
      fc.bigInt({ min: 0n, max: 18446744073709551615n }),
      fc.bigInt({ min: 0n, max: 18446744073709551615n }),
      (a, b, c, d) => {
        const x = streamID(parseU64(String(a))!, parseU64(String(b))!);
        const y = streamID(parseU64(String(c))!, parseU64(String(d))!);
        assert.equal(streamIDToString(x), `${a}-${b}`);
        assert.equal(BigInt(idMs(x)), a);
        assert.equal(BigInt(idSeq(x)), b);
        const cmp = a !== c ? (a < c ? -1 : 1) : b !== d ? (b < d ? -1 : 1) : 0;
        assert.equal(x < y ? -1 : x > y ? 1 : 0, cmp);
      },
    ),
  );
});

interface ModelEntry {
  ms: number;
  seq: number;
  fv: string[];
}

test('Stream: appends, deletes, trims and ranges agree with a sorted array', () => {
  const field = fc.constantFrom('a', 'b', 'c', '12', '-5', 'x'.repeat(70));
  const op = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.constant('add' as const), fc.integer({ min: 0, max: 3 }), fc.array(field, { minLength: 1, maxLength: 3 })) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('del' as const), fc.nat(), fc.constant([] as string[])) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('maxlen' as const), fc.nat({ max: 60 }), fc.constant([] as string[])) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('minid' as const), fc.nat(), fc.constant([] as string[])) },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400, size: 'max' }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (ops, maxEntries, approx) => {
      const st = new Stream();
      const lim = { nodeMaxBytes: 4096, nodeMaxEntries: maxEntries };
      const model: ModelEntry[] = [];
      let ms = 1;
      let added = 0;
      for (const [kind, n, fields] of ops) {
        if (kind === 'add') {
          ms += n;
          const id = st.nextID(ms, null) as string;
          const fv = fields.flatMap((f, i) => [f, `${f}${i}${added}`]);
          st.append(id, fv, lim);
          model.push({ ms: Number(idMs(id)), seq: Number(idSeq(id)), fv });
          added++;
        } else if (kind === 'del') {
          if (model.length === 0) continue;
          const e = model[n % model.length];
          assert.equal(st.deleteItem(streamID(e.ms, e.seq)), true);
          assert.equal(st.deleteItem(streamID(e.ms, e.seq)), false);
          model.splice(n % model.length, 1);
        } else if (kind === 'maxlen') {
          const removed = st.trim('maxlen', n, STREAM_ID_MIN, approx, 0);
          if (!approx) assert.equal(st.length, Math.min(model.length, n));
          assert.equal(removed, model.length - st.length);
          model.splice(0, removed);
        } else {
          if (model.length === 0) continue;
          const e = model[n % model.length];
          const removed = st.trim('minid', 0, streamID(e.ms, e.seq), approx, 0);
          if (!approx) assert.equal(removed, n % model.length);
          model.splice(0, removed);
        }
        assert.equal(st.length, model.length);
      }
      assert.equal(st.entriesAdded, added);
      const read = (rev: boolean, start = STREAM_ID_MIN, end = STREAM_ID_MAX) => {
        const it = st.iterator(start, end, rev);
        const out: ModelEntry[] = [];
        while (it.next()) out.push({ ms: Number(it.ms), seq: Number(it.seq), fv: it.fieldsValues() });
        return out;
      };
      assert.deepEqual(read(false), model);
      assert.deepEqual(read(true), [...model].reverse());
      if (model.length > 2) {
        const a = model[1];
        const b = model[model.length - 2];
        const lo = streamID(a.ms, a.seq);
        const hi = streamID(b.ms, b.seq);
        assert.deepEqual(read(false, lo, hi), model.slice(1, -1));
        assert.deepEqual(read(true, lo, hi), model.slice(1, -1).reverse());
      }
      // every node within its entry limit, the index sorted by master ID
      for (const node of st.nodes.values()) assert.ok(node.count + node.deleted <= maxEntries);
      // a copy reads the same and is independent
      const d = st.dup();
      const copy = d.iterator(STREAM_ID_MIN, STREAM_ID_MAX);
      let k = 0;
      while (copy.next()) assert.deepEqual(copy.fieldsValues(), model[k++].fv);
      assert.equal(k, model.length);
    }),
    { numRuns: 80 },
  );
});

test('raxNodeCount: an empty index is one node, one key two, keys sharing a prefix share nodes', () => {
  assert.equal(raxNodeCount([]), 1);
  assert.equal(raxNodeCount([streamID(1, 1)]), 2);
  // two keys differing in the last byte: a compressed prefix, a branching node, two leaves
  assert.equal(raxNodeCount([streamID(1, 1), streamID(1, 2)]), 4);
});
