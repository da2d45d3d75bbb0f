import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { intToString } from '../../src/util/numbers.js';

test('intToString writes every safe integer and bigint as String does', () => {
  for (const n of [0, -0, 1, -1, 9, 10, 9999, 10000, 10001, 99999999, 100000000, 100000001, 1e12, 1e16 - 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 1.5]) {
    assert.equal(intToString(n), String(n), `${n}`);
  }
  fc.assert(
    fc.property(fc.maxSafeInteger(), (n) => intToString(n) === String(n)),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.integer({ min: -100000, max: 100000 }), (n) => intToString(n) === String(n)),
    { numRuns: 2000 },
  );
  fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => intToString(n) === String(n)));
});
