import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntSet, type IntVal } from '../../src/datatypes/intset.js';

/** Values across every width: int16, int32, safe doubles, and beyond 2^53 (bigint). */
const valArb: fc.Arbitrary<IntVal> = fc.oneof(
  fc.integer({ min: -40, max: 40 }),
  fc.integer({ min: -40000, max: 40000 }),
  fc.integer(),
  fc.constantFrom(2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b)),
  fc.constantFrom(9223372036854775807n, -9223372036854775808n, 9007199254740992n, -9007199254740992n),
);

type Op = { t: 'add' | 'remove' | 'has'; v: IntVal };
const opArb: fc.Arbitrary<Op> = fc.record({ t: fc.constantFrom('add' as const, 'add' as const, 'remove' as const, 'has' as const), v: valArb });

const key = (v: IntVal): string => String(v);

test('an intset behaves like a set of int64 values kept in ascending order, through every width upgrade', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
      const s = new IntSet();
      const model = new Map<string, bigint>();
      for (const op of ops) {
        const k = key(op.v);
        if (op.t === 'add') assert.equal(s.add(op.v), !model.has(k) && (model.set(k, BigInt(op.v)), true));
        else if (op.t === 'remove') assert.equal(s.remove(op.v), model.delete(k));
        else assert.equal(s.has(op.v), model.has(k));
        assert.equal(s.length, model.size);
      }
      const expected = [...model.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
      const got: string[] = [];
      for (let i = 0; i < s.length; i++) got.push(s.member(i));
      assert.deepEqual(got, expected);
      const copy = s.dup();
      copy.compact();
      for (let i = 0; i < s.length; i++) assert.equal(copy.member(i), s.member(i));
    }),
    { seed: 7, numRuns: 300 },
  );
});

test('search returns the index of a present value and the encoded insertion point of an absent one', () => {
  const s = new IntSet();
  for (const v of [10, -3, 70000, 5]) s.add(v);
  assert.equal(s.search(-3), 0);
  assert.equal(s.search(70000), 3);
  assert.equal(s.search(6), -2 - 1);
  assert.equal(s.search(9223372036854775807n), -4 - 1);
  assert.equal(s.search(-9223372036854775808n), -1);
});

test('an int16 intset of 512 members takes 2 bytes per member plus growth slack', () => {
  const s = new IntSet();
  for (let i = 0; i < 512; i++) s.add(i);
  s.compact();
  assert.equal(s.byteSize, 1024);
  s.add(100000);
  assert.ok(s.byteSize >= 513 * 4 && s.byteSize < 513 * 8, `int32 width after upgrade: ${s.byteSize}`);
});

test('removeAt and randomIndex keep the order and stay in range', () => {
  const s = new IntSet();
  for (let i = 0; i < 50; i++) s.add(i * 3);
  for (let n = 0; n < 200 && s.length > 0; n++) {
    const i = s.randomIndex();
    assert.ok(i >= 0 && i < s.length);
    s.removeAt(i);
    for (let j = 1; j < s.length; j++) assert.ok((s.get(j - 1) as number) < (s.get(j) as number));
  }
  assert.equal(s.length, 0);
});
