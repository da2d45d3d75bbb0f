/**
 * Differential property tests: random command sequences (seeded, small key
 * pools, every option, invalid arguments on purpose) run against gKV and a
 * real redis-server; every reply must match byte for byte (normalised only
 * where Redis itself is nondeterministic or time-dependent), and so must the
 * final state. Reproduce a failure with GKV_DIFF_SEED=<seed printed>.
 *
 * Deliberately excluded, with reasons: expiry times beyond 2^53 ms (kept as
 * doubles, so their last digits differ), TTLs short
 * enough to expire during a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Reply } from '../harness/resp.js';
import type { Cmd } from './harness.js';
import { cs, diffRuns, diffSeed, fullScan, runSequence, sharedPair, type Step } from './runner.js';

const SEED = diffSeed(20261123);
const RUNS = diffRuns(120);

const key = fc.constantFrom('k1', 'k2', 'k3', 'n1', 'n2', '');
const db = fc.constantFrom('0', '1', '2');
const intVal = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775806', '10000', '9999', '007', '-0', ' 1', '1e3', '0x10', 'abc', ''),
);
const floatVal = fc.constantFrom('1.5', '-0.25', '10', '3e2', '0', '0.5', '-2', 'abc', 'inf', '-inf', '+5', '.5', '5.', '0.1', '3.14159', '1e-5', '1e400', '0x10', '-1e300');
const strVal = fc.oneof(intVal, floatVal, fc.constantFrom('hello', 'ohmytext', 'mynewtext', 'a b', '\x00\xff\r\n', 'x'.repeat(50)));
const smallInt = fc.oneof(fc.integer({ min: -12, max: 12 }).map(String), fc.constantFrom('9223372036854775807', '-9223372036854775808'));
const secs = fc.oneof(fc.integer({ min: 100, max: 100000 }).map(String), fc.constantFrom('0', '-5', 'abc', '9223372036854775807', '100000000000000000'));
const msecs = fc.oneof(fc.integer({ min: 100000, max: 100000000 }).map(String), fc.constantFrom('0', '-1', 'x'));
const pastAbs = fc.constantFrom('1', '1000', '0', '-1');
const futureAbsSec = fc.constantFrom('4102444800', '32503680000');
const futureAbsMs = fc.constantFrom('4102444800000', '32503680000000');

const setOpt: fc.Arbitrary<string[]> = fc.oneof(
  cs(['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['nx', 'get'], ['XX', 'GET'], ['NX', 'XX'], ['KEEPTTL', 'EX', '10'], ['PERSIST'], ['EX'], ['FOO']),
  secs.map((s) => ['EX', s]),
  msecs.map((s) => ['PX', s]),
  fc.oneof(pastAbs, futureAbsSec).map((s) => ['EXAT', s]),
  fc.oneof(pastAbs, futureAbsMs).map((s) => ['PXAT', s]),
);
const expireFlags = cs([], [], ['NX'], ['XX'], ['GT'], ['LT'], ['NX', 'XX'], ['GT', 'LT'], ['nx', 'gt'], ['BAD']);

const stringCmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(key).map(([k]) => ['GET', k]),
  fc.tuple(key, strVal, fc.array(setOpt, { maxLength: 2 })).map(([k, v, o]) => ['SET', k, v, ...o.flat()]),
  fc.tuple(key, strVal).map(([k, v]) => ['SETNX', k, v]),
  fc.tuple(key, secs, strVal).map(([k, t, v]) => ['SETEX', k, t, v]),
  fc.tuple(key, msecs, strVal).map(([k, t, v]) => ['PSETEX', k, t, v]),
  fc.tuple(key, strVal).map(([k, v]) => ['GETSET', k, v]),
  fc.tuple(key).map(([k]) => ['GETDEL', k]),
  fc.tuple(key, cs([], ['PERSIST'], ['EX', '100'], ['PX', '100000'], ['EXAT', '1'], ['PXAT', '4102444800000'], ['EX', '0'], ['PERSIST', 'EX', '5'], ['FOO'])).map(([k, o]) => ['GETEX', k, ...o]),
  fc.array(key, { minLength: 1, maxLength: 4 }).map((ks) => ['MGET', ...ks]),
  fc.array(fc.tuple(key, strVal), { minLength: 1, maxLength: 3 }).map((ps) => ['MSET', ...ps.flat()]),
  fc.array(fc.tuple(key, strVal), { minLength: 1, maxLength: 3 }).map((ps) => ['MSETNX', ...ps.flat()]),
  cs(['MSET', 'k1'], ['MSET', 'k1', 'v', 'k2']),
  fc.tuple(key, strVal).map(([k, v]) => ['APPEND', k, v]),
  fc.tuple(key).map(([k]) => ['STRLEN', k]),
  fc.tuple(key).map(([k]) => ['INCR', k]),
  fc.tuple(key).map(([k]) => ['DECR', k]),
  fc.tuple(key, intVal).map(([k, v]) => ['INCRBY', k, v]),
  fc.tuple(key, intVal).map(([k, v]) => ['DECRBY', k, v]),
  fc.tuple(key, floatVal).map(([k, v]) => ['INCRBYFLOAT', k, v]),
  fc.tuple(key, smallInt, smallInt).map(([k, a, b]) => ['GETRANGE', k, a, b]),
  fc.tuple(key, smallInt, smallInt).map(([k, a, b]) => ['SUBSTR', k, a, b]),
  fc.tuple(key, fc.oneof(fc.integer({ min: 0, max: 12 }).map(String), fc.constantFrom('-1', 'x', '536870912')), strVal).map(([k, o, v]) => ['SETRANGE', k, o, v]),
  fc.tuple(key, key, cs([], ['LEN'], ['IDX'], ['IDX', 'WITHMATCHLEN'], ['IDX', 'MINMATCHLEN', '2'], ['LEN', 'IDX'], ['MINMATCHLEN', 'x'], ['FOO'])).map(([a, b, o]) => ['LCS', a, b, ...o]),
);

const genericCmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ['DEL', ...ks]),
  fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ['UNLINK', ...ks]),
  fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ['EXISTS', ...ks]),
  fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ['TOUCH', ...ks]),
  fc.tuple(key).map(([k]) => ['TYPE', k]),
  cs(['KEYS', '*'], ['KEYS', 'k*'], ['KEYS', 'n?'], ['KEYS', '[kn]1'], ['KEYS', '*2']),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key, key).map(([a, b]) => ['RENAMENX', a, b]),
  fc.tuple(key, key, cs([], ['REPLACE'], ['DB', '1'], ['DB', '2', 'REPLACE'], ['DB', '99'], ['DB', 'x'], ['BAD'])).map(([a, b, o]) => ['COPY', a, b, ...o]),
  fc.tuple(key, fc.constantFrom('0', '1', '2', '99', 'x')).map(([k, d]) => ['MOVE', k, d]),
  fc.tuple(fc.constantFrom('EXPIRE', 'PEXPIRE'), key, fc.oneof(secs, msecs), expireFlags).map(([c, k, t, f]) => [c, k, t, ...f]),
  fc.tuple(fc.constantFrom('EXPIREAT'), key, fc.oneof(pastAbs, futureAbsSec), expireFlags).map(([c, k, t, f]) => [c, k, t, ...f]),
  fc.tuple(fc.constantFrom('PEXPIREAT'), key, fc.oneof(pastAbs, futureAbsMs), expireFlags).map(([c, k, t, f]) => [c, k, t, ...f]),
  fc.tuple(fc.constantFrom('TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME', 'PERSIST'), key).map(([c, k]) => [c, k]),
  fc.tuple(fc.constantFrom('ENCODING', 'REFCOUNT', 'FREQ', 'NOPE'), key).map(([s, k]) => ['OBJECT', s, k]),
  cs(['DBSIZE'], ['RANDOMKEY'], ['SWAPDB', '0', '1'], ['SWAPDB', '1', '2'], ['SWAPDB', '0', '99'], ['SWAPDB', 'x', '0']),
  cs(['FLUSHDB'], ['FLUSHDB', 'ASYNC'], ['FLUSHDB', 'bad']),
);

const connCmd: fc.Arbitrary<Cmd> = fc.oneof(
  db.map((d) => ['SELECT', d]),
  cs(
    ['SELECT', '16'],
    ['SELECT', 'x'],
    ['PING'],
    ['PING', 'hi'],
    ['PING', 'a', 'b'],
    ['ECHO', 'x'],
    ['ECHO'],
    ['GET'],
    ['SET', 'k1'],
    ['NOSUCH', 'a', 'b'],
    ['get', 'k1', 'extra'],
    ['MULTI'],
    ['EXEC'],
    ['DISCARD'],
  ),
);

const anyCmd = fc.oneof({ weight: 5, arbitrary: stringCmd }, { weight: 4, arbitrary: genericCmd }, { weight: 2, arbitrary: connCmd });

/** Replies that legitimately differ between two servers: TTL clocks and RANDOMKEY. */
function normalise(cmd: Cmd, rep: Reply): string {
  const name = cmd[0].toUpperCase();
  const v = rep.value;
  if (name === 'KEYS' && Array.isArray(v)) return JSON.stringify(v.map(String).sort());
  if ((name === 'TTL' || name === 'PTTL' || name === 'EXPIRETIME' || name === 'PEXPIRETIME') && typeof v === 'number' && v > 0) {
    // relative TTLs were set a few ms apart on the two servers
    return name === 'TTL' || name === 'EXPIRETIME' ? `~${Math.round(v / 5)}` : `~${Math.round(v / 5000)}`;
  }
  if (name === 'RANDOMKEY') return v === null ? 'nil' : 'a key';
  if (name === 'HELLO') return rep.raw.replace(/\$2\r\nid\r\n:\d+\r\n/, '$2\r\nid\r\n:ID\r\n');
  if (name === 'EXEC' && Array.isArray(v)) {
    // inner TTL-like replies of a transaction: compare shape only for integers
    return JSON.stringify(v.map((x) => (typeof x === 'number' && x > 1000 ? 'big' : x === null ? null : String(x))));
  }
  return rep.raw;
}

const shared = sharedPair();
const { skip } = shared;

const compare = ({ cmd, a, b, what }: Step): void => assert.equal(normalise(cmd, a), normalise(cmd, b), what);

test('random sequences of string, keyspace and connection commands give the same replies and final state as Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(anyCmd, { minLength: 1, maxLength: 40 }), async (cmds) => runSequence(shared.p, cmds, { dbs: [0, 1, 2], compare })),
    { seed: SEED, numRuns: RUNS, verbose: 1 },
  );
});

test('random sequences in RESP3 give the same replies as Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(anyCmd, { minLength: 1, maxLength: 30 }), async (cmds) => {
      await runSequence(shared.p, [['HELLO', '3'], ...cmds.filter((c) => c[0] !== 'RESET')], { dbs: [0, 1, 2], compare });
    }),
    { seed: SEED + 1, numRuns: Math.ceil(RUNS / 2), verbose: 1 },
  );
});

test('a full SCAN with MATCH, COUNT and TYPE returns the same set of keys as Redis', { skip }, async () => {
  const p = shared.p;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 300 }),
      fc.constantFrom(null, 'key:1*', '*5', 'other*'),
      fc.constantFrom(null, 'string', 'list', 'none'),
      fc.integer({ min: 1, max: 50 }),
      async (n, match, type, count) => {
        for (const c of [p.g, p.r]) {
          await c.cmd('RESET');
          await c.cmd('FLUSHALL');
        }
        const cmds: Cmd[] = [];
        for (let i = 0; i < n; i++) cmds.push(['SET', i % 7 === 0 ? `other:${i}` : `key:${i}`, 'v']);
        if (cmds.length) await Promise.all([p.g.pipeline(cmds), p.r.pipeline(cmds)]);
        const scanAll = async (c: typeof p.g) => {
          const { items } = await fullScan(c, (cursor) => ['SCAN', cursor, 'COUNT', String(count), ...(match ? ['MATCH', match] : []), ...(type ? ['TYPE', type] : [])], 10000);
          return [...new Set(items)].sort();
        };
        const [a, b] = await Promise.all([scanAll(p.g), scanAll(p.r)]);
        assert.deepEqual(a, b);
      },
    ),
    { seed: SEED + 2, numRuns: 25, verbose: 1 },
  );
});
