/**
 * Differential property tests of the bitmap commands: seeded random
 * sequences of SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
 * BITFIELD_RO mixed with the string commands that read or rewrite the same
 * values (SET, APPEND, SETRANGE, GET, STRLEN, GETRANGE, INCRBYFLOAT, DEL,
 * COPY, DUMP: gKV's payload byte for byte) on a small key pool that also holds a list (for
 * WRONGTYPE), with invalid arguments on purpose, against gKV and a real
 * redis-server. Replies are compared byte for byte, and after every command
 * the change it made to rdb_changes_since_last_save (Redis's dirty counter);
 * then the final state (values and OBJECT ENCODING) with stateOf.
 *
 * A second property compares the keyspace notifications ("setbit", BITOP's
 * "set"/"del", "new") after every command.
 *
 * Reproduce a failure with GKV_DIFF_SEED=<seed>; explore with GKV_DIFF_RUNS.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import type { Cmd } from './harness.js';
import { compareEvents, cs, diffRuns, diffSeed, dirtyOf, runSequence, sharedPair } from './runner.js';

const SEED = diffSeed(20261203);
const RUNS = diffRuns(60);

const bitKey = fc.constantFrom('b1', 'b2', 'b3');
const key = fc.oneof({ weight: 8, arbitrary: bitKey }, { weight: 1, arbitrary: fc.constant('l') }, { weight: 1, arbitrary: fc.constant('none') });
const keys = (min: number, max: number) => fc.array(key, { minLength: min, maxLength: max });
const offset = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 80 }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('-1', 'x', '', '+1', '1.0', '4294967296', '9223372036854775807', '18446744073709551616', '08') },
);
const index = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -30, max: 30 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('x', '9223372036854775807', '-9223372036854775808', '100000', '-100000', '1.5') },
);
const unit = cs([], [], ['BIT'], ['BYTE'], ['bit'], ['FOO']);
const fieldType = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom('i', 'u'), fc.integer({ min: 1, max: 64 })).map(([s, n]) => s + n) },
  { weight: 1, arbitrary: fc.constantFrom('u64', 'i65', 'i0', 'I8', 'U8', 'x', '', 'i', 'u-1', 'i+8') },
);
const fieldOffset = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 100 }).map(String) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 12 }).map((n) => `#${n}`) },
  { weight: 1, arbitrary: fc.constantFrom('#-1', '#', '#x', '-1', 'x', '#+1', '#9223372036854775807') },
);
const fieldValue = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -300, max: 300 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('9223372036854775807', '-9223372036854775808', '4294967296', '-4294967297', '65535', '127', '-128', '255', '256') },
  { weight: 1, arbitrary: fc.constantFrom('x', '', '1.5', '9223372036854775808') },
);
const fieldOp: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fieldType, fieldOffset).map(([t, o]) => ['GET', t, o]) },
  { weight: 3, arbitrary: fc.tuple(fieldType, fieldOffset, fieldValue).map(([t, o, v]) => ['SET', t, o, v]) },
  { weight: 3, arbitrary: fc.tuple(fieldType, fieldOffset, fieldValue).map(([t, o, v]) => ['INCRBY', t, o, v]) },
  { weight: 2, arbitrary: cs(['OVERFLOW', 'WRAP'], ['OVERFLOW', 'SAT'], ['OVERFLOW', 'FAIL'], ['overflow', 'sat']) },
  { weight: 1, arbitrary: cs(['OVERFLOW', 'FOO'], ['FOO'], ['GET', 'i64', '#67108864'], ['SET', 'i64', '#67108864', '1'], ['GET', 'u8'], ['SET', 'u8', '0'], ['OVERFLOW']) },
);
const fieldOps = fc.array(fieldOp, { minLength: 0, maxLength: 5 }).map((xs) => xs.flat());
const value = fc.oneof(fc.constantFrom('', 'a', 'foobar', '123', '-7', '\xff\x00\xf0', '3.5', 'x'.repeat(50), '\x00'.repeat(30)), fc.string({ maxLength: 8 }));

const bitCmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(key, offset, fc.constantFrom('0', '1', '1', '0', '2', '-1', 'x', '01')).map(([k, o, v]) => ['SETBIT', k, o, v]) },
  { weight: 3, arbitrary: fc.tuple(key, offset).map(([k, o]) => ['GETBIT', k, o]) },
  { weight: 2, arbitrary: key.map((k) => ['BITCOUNT', k]) },
  { weight: 4, arbitrary: fc.tuple(key, index, index, unit).map(([k, a, b, u]) => ['BITCOUNT', k, a, b, ...u]) },
  cs(['BITCOUNT', 'b1', '0'], ['BITCOUNT', 'b1', '0', '1', 'BIT', 'x'], ['BITCOUNT', 'none', 'x', 'y'], ['BITCOUNT', 'l', '0']),
  { weight: 2, arbitrary: fc.tuple(key, fc.constantFrom('0', '1')).map(([k, b]) => ['BITPOS', k, b]) },
  {
    weight: 5,
    arbitrary: fc.tuple(key, fc.constantFrom('0', '1', '0', '1', '2', 'x'), index, fc.option(index), unit).map(([k, b, s, e, u]) => (e === null ? ['BITPOS', k, b, s] : ['BITPOS', k, b, s, e, ...u])),
  },
  cs(['BITPOS', 'b1', '1', '0', '-1', 'BIT', 'x'], ['BITPOS', 'b1', '0', '2', '-1', 'bit']),
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('AND', 'OR', 'XOR', 'and', 'xor'), key, keys(1, 3)).map(([op, d, ks]) => ['BITOP', op, d, ...ks]) },
  { weight: 2, arbitrary: fc.tuple(key, keys(1, 2)).map(([d, ks]) => ['BITOP', 'NOT', d, ...ks]) },
  cs(['BITOP', 'FOO', 'b1', 'b2'], ['BITOP', 'NOT', 'b1', 'none']),
  { weight: 8, arbitrary: fc.tuple(key, fieldOps).map(([k, ops]) => ['BITFIELD', k, ...ops]) },
  { weight: 3, arbitrary: fc.tuple(key, fieldOps).map(([k, ops]) => ['BITFIELD_RO', k, ...ops]) },
);

const otherCmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(key, value).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, value).map(([k, v]) => ['APPEND', k, v]),
  fc.tuple(key, fc.integer({ min: 0, max: 20 }), value).map(([k, o, v]) => ['SETRANGE', k, String(o), v]),
  fc.tuple(key).map(([k]) => ['GET', k]),
  fc.tuple(key).map(([k]) => ['STRLEN', k]),
  fc.tuple(key, index, index).map(([k, a, b]) => ['GETRANGE', k, a, b]),
  fc.tuple(key).map(([k]) => ['OBJECT', 'ENCODING', k]),
  fc.tuple(key).map(([k]) => ['DUMP', k]),
  fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
  fc.tuple(key).map(([k]) => ['INCRBYFLOAT', k, '1.5']),
  cs(['DEL', 'b1'], ['DEL', 'b2', 'b3'], ['LPUSH', 'l', 'x'], ['EXPIRE', 'b1', '1000'], ['SET', 'b2', '1234']),
);

const anyCmd = fc.oneof({ weight: 5, arbitrary: bitCmd }, { weight: 2, arbitrary: otherCmd });
const seq = fc.array(anyCmd, { minLength: 1, maxLength: 40 });

const shared = sharedPair();

test('random bitmap command sequences: replies, dirty counts and final state as Redis 7.0', { skip: shared.skip }, async () => {
  const p = shared.p;
  await fc.assert(
    fc.asyncProperty(seq, fc.boolean(), async (cmds, resp3) => {
      const last = [0, 0];
      await runSequence(p, cmds, {
        resp3,
        before: async () => {
          [last[0], last[1]] = await Promise.all([dirtyOf(p.g), dirtyOf(p.r)]);
        },
        compare: async ({ a, b, what }) => {
          assert.equal(a.raw, b.raw, what);
          const [dg, dr] = await Promise.all([dirtyOf(p.g), dirtyOf(p.r)]);
          assert.equal(dg - last[0], dr - last[1], `dirty change of ${what}`);
        },
      });
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
});

test("the keyspace notifications of random bitmap sequences are Redis 7.0's", { skip: shared.skip }, async () => {
  await compareEvents(shared.p, {
    flags: fc.constantFrom('KEA', 'K$g', 'Etgm', 'Kd', 'En'),
    limits: fc.constant(null),
    config: () => [],
    cmds: seq,
    params: { seed: SEED + 1, numRuns: Math.max(10, Math.floor(RUNS / 3)) },
  });
});
