/**
 * The intset string (datatypes/intset.ts) against a model (a map of bigints):
 * every operation through every width upgrade, the bytes laid out as Redis's
 * intset (its RDB blob), batches equal to single adds, the binary search's
 * insertion points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type IntVal,
  intsetAdd,
  intsetAddAll,
  intsetEmpty,
  intsetFind,
  intsetForEach,
  intsetFromValues,
  intsetGet,
  intsetLength,
  intsetMember,
  intsetMembers,
  intsetRemove,
  intsetRemoveAt,
  intsetSearch,
  intsetToBlob,
  intsetValueWidth,
  intsetWiden,
  intsetWidth,
} from '../../src/datatypes/intset.js';
import { parseInt64 } from '../../src/util/numbers.js';

/** Values across every width: int16, int32, safe integers beyond 32 bits, and beyond 2^53 (bigint). */
const valArb: fc.Arbitrary<IntVal> = fc.oneof(
  fc.integer({ min: -40, max: 40 }),
  fc.integer({ min: -40000, max: 40000 }),
  fc.integer(),
  fc.constantFrom(2 ** 40, -(2 ** 40), 2 ** 32, -(2 ** 32), 2 ** 32 - 1, -(2 ** 32) + 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => parseInt64(String(b))!),
  fc.constantFrom(9223372036854775807n, -9223372036854775808n, 9007199254740992n, -9007199254740992n),
);

type Op = { t: 'add' | 'remove' | 'has' | 'removeAt'; v: IntVal };
const opArb: fc.Arbitrary<Op> = fc.record({ t: fc.constantFrom('add' as const, 'add' as const, 'remove' as const, 'has' as const, 'removeAt' as const), v: valArb });

/** Redis's layout of the model's values at width w (what intsetToBlob must give). */
function redisBlob(vals: bigint[], w: number): Buffer {
  const b = Buffer.alloc(8 + vals.length * w);
  b.writeUInt32LE(w, 0);
  b.writeUInt32LE(vals.length, 4);
  vals.forEach((v, i) => {
    if (w === 2) b.writeInt16LE(Number(v), 8 + 2 * i);
    else if (w === 4) b.writeInt32LE(Number(v), 8 + 4 * i);
    else b.writeBigInt64LE(v, 8 + 8 * i);
  });
  return b;
}

const sorted = (m: Map<string, bigint>): bigint[] => [...m.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

test('an intset behaves like a set of int64 values kept in ascending order, in Redis bytes, through every width upgrade', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
      let s = intsetEmpty();
      const model = new Map<string, bigint>();
      let width = 2;
      for (const op of ops) {
        const k = String(op.v);
        if (op.t === 'add') {
          const q = intsetAdd(s, op.v);
          assert.equal(q === s, model.has(k));
          model.set(k, BigInt(op.v));
          width = Math.max(width, intsetValueWidth(op.v));
          s = q;
        } else if (op.t === 'remove') {
          const q = intsetRemove(s, op.v);
          assert.equal(q !== s, model.delete(k));
          s = q;
        } else if (op.t === 'removeAt') {
          if (model.size === 0) continue;
          const i = Math.abs(Number(BigInt(op.v) % BigInt(model.size)));
          const gone = sorted(model)[i];
          s = intsetRemoveAt(s, i);
          model.delete(String(gone));
        } else assert.equal(intsetFind(s, op.v), model.has(k));
        assert.equal(intsetLength(s), model.size);
      }
      const expected = sorted(model);
      // widths grow one way: removals never narrow
      assert.equal(intsetWidth(s), width);
      assert.deepEqual(intsetMembers(s), expected.map(String));
      const each: string[] = [];
      intsetForEach(s, (m) => {
        each.push(m);
      });
      assert.deepEqual(each, expected.map(String));
      for (let i = 0; i < expected.length; i++) {
        assert.equal(intsetMember(s, i), String(expected[i]));
        const g = intsetGet(s, i);
        // safe values as numbers, others as bigints (parseInt64's convention)
        assert.equal(g, parseInt64(String(expected[i])));
      }
      assert.deepEqual(intsetToBlob(s), redisBlob(expected, width));
    }),
    { seed: 7, numRuns: 300 },
  );
});

test('a batch add equals single adds in order, and stops before the value that would pass the limit', () => {
  fc.assert(
    fc.property(fc.array(valArb, { maxLength: 40 }), fc.array(valArb, { maxLength: 60 }), fc.integer({ min: 0, max: 80 }), (start, vals, max) => {
      let s = intsetEmpty();
      for (const v of start) s = intsetAdd(s, v);
      const r = intsetAddAll(s, vals, max);
      let one = s;
      let added = 0;
      let taken = 0;
      for (const v of vals) {
        if (intsetFind(one, v)) {
          taken++;
          continue;
        }
        if (intsetLength(one) >= max) break;
        one = intsetAdd(one, v);
        added++;
        taken++;
      }
      assert.equal(r.s, one);
      assert.equal(r.added, added);
      assert.equal(r.taken, taken);
      assert.equal(r.added === 0, r.s === s);
    }),
    { seed: 11, numRuns: 300 },
  );
});

test('intsets from a blob keep its width, and widening keeps the values', () => {
  const { s, added } = intsetFromValues([5, -3, 5, 70000], 8);
  assert.equal(added, 3);
  assert.equal(intsetWidth(s), 8);
  assert.deepEqual(intsetMembers(s), ['-3', '5', '70000']);
  const w = intsetWiden(intsetFromValues([1, 2, -3]).s, 4);
  assert.equal(intsetWidth(w), 4);
  assert.deepEqual(intsetMembers(w), ['-3', '1', '2']);
  assert.equal(intsetToBlob(w).toString('hex'), '040000000300000' + '0fdffffff0100000002000000');
});

test('search returns the index of a present value and the encoded insertion point of an absent one', () => {
  let s = intsetEmpty();
  for (const v of [10, -3, 70000, 5]) s = intsetAdd(s, v);
  assert.equal(intsetSearch(s, -3), 0);
  assert.equal(intsetSearch(s, 70000), 3);
  assert.equal(intsetSearch(s, 6), -2 - 1);
  assert.equal(intsetSearch(s, 9223372036854775807n), -4 - 1);
  assert.equal(intsetSearch(s, -9223372036854775808n), -1);
  assert.equal(intsetSearch(intsetEmpty(), 1), -1);
});

test('an int16 intset of 512 members is a string of 1 + 1 char a member, 2 after the upgrade to int32, 4 to int64', () => {
  let s = intsetEmpty();
  for (let i = 0; i < 512; i++) s = intsetAdd(s, i);
  assert.equal(s.length, 1 + 512);
  s = intsetAdd(s, 100000);
  assert.equal(s.length, 1 + 513 * 2);
  assert.equal(intsetGet(s, 512), 100000);
  s = intsetAdd(s, -(2 ** 40));
  assert.equal(s.length, 1 + 514 * 4);
  assert.equal(intsetGet(s, 0), -(2 ** 40));
});

test('removals alternating between intsets (neither held in the scratch buffer) give the same elements as a model', () => {
  fc.assert(
    fc.property(fc.array(valArb, { minLength: 30, maxLength: 80 }), fc.array(valArb, { minLength: 30, maxLength: 80 }), fc.array(fc.nat(), { maxLength: 60 }), (xs, ys, picks) => {
      const sets = [intsetFromValues(xs).s, intsetFromValues(ys).s];
      const models = [intsetMembers(sets[0]), intsetMembers(sets[1])];
      picks.forEach((p, k) => {
        const which = k & 1;
        if (models[which].length === 0) return;
        const i = p % models[which].length;
        sets[which] = intsetRemoveAt(sets[which], i);
        models[which].splice(i, 1);
        assert.deepEqual(intsetMembers(sets[which]), models[which]);
        assert.equal(intsetLength(sets[which]), models[which].length);
      });
      for (const w of [0, 1]) for (const m of models[w]) assert.ok(intsetFind(sets[w], parseInt64(m)!));
    }),
    { seed: 13, numRuns: 200 },
  );
});
