import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SetValue } from '../../src/datatypes/set.js';
import { isInt64String } from '../../src/util/numbers.js';

const memberArb = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775808', '007', '-0', '+1', ' 1', '1.0', ''),
  fc.constantFrom('a', 'b', 'member:1', '\x00\xff'),
);
type Op = { t: 'add' | 'remove' | 'has' | 'pop'; m: string };
const opArb: fc.Arbitrary<Op> = fc.record({ t: fc.constantFrom('add' as const, 'add' as const, 'remove' as const, 'has' as const, 'pop' as const), m: memberArb });

test('a set value behaves like a JS Set and converts to a hashtable exactly when Redis does', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 8 }), fc.array(opArb, { minLength: 1, maxLength: 120 }), (max, ops) => {
      const s = SetValue.forMember(ops[0].m);
      const model = new Set<string>();
      // the encoding Redis would report: intset until a non-integer or the (max+1)th member arrives
      let expectIntset = isInt64String(ops[0].m);
      for (const op of ops) {
        if (op.t === 'add') {
          const fresh = !model.has(op.m);
          assert.equal(s.add(op.m, max), fresh);
          model.add(op.m);
          if (!isInt64String(op.m) || model.size > max) expectIntset = false;
        } else if (op.t === 'remove') {
          assert.equal(s.remove(op.m), model.delete(op.m));
        } else if (op.t === 'has') {
          assert.equal(s.has(op.m), model.has(op.m));
        } else if (model.size > 0) {
          const m = s.pop();
          assert.ok(model.delete(m), `popped ${m} was a member`);
        }
        assert.equal(s.size, model.size);
        assert.equal(s.encoding(), expectIntset ? 'intset' : 'hashtable');
      }
      const members = s.members();
      assert.deepEqual([...members].sort(), [...model].sort());
      if (s.encoding() === 'intset') {
        const nums = members.map(BigInt);
        for (let i = 1; i < nums.length; i++) assert.ok(nums[i - 1] < nums[i], 'intset iterates ascending');
      }
      const copy = s.dup();
      assert.equal(copy.encoding(), s.encoding());
      assert.deepEqual(copy.members().sort(), members.sort());
      if (model.size > 0) {
        copy.remove(copy.random());
        assert.equal(s.size, model.size, 'a copy is independent');
      }
    }),
    { seed: 11, numRuns: 400 },
  );
});

test('forEach stops when the callback returns false', () => {
  for (const s of [SetValue.intset(), SetValue.hashtable()]) {
    for (let i = 0; i < 10; i++) s.add(String(i), 512);
    let n = 0;
    s.forEach(() => ++n < 3);
    assert.equal(n, 3);
  }
});

test('random draws reach every member of a hashtable set', () => {
  const s = SetValue.hashtable();
  for (let i = 0; i < 20; i++) s.add('m' + i, 0);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(s.random());
  assert.equal(seen.size, 20);
});
