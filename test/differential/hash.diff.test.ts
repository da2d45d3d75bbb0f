/**
 * Differential property tests of the hash commands: seeded random sequences
 * (small key and field pools, a string key for WRONGTYPE, invalid arguments on
 * purpose, every option, generic commands on hash keys) run against gKV and a
 * real redis-server. Some runs lower hash-max-listpack-entries/value on both
 * servers so that conversions happen often; after every command OBJECT
 * ENCODING of its key must agree, so the exact command that converts is
 * compared too.
 *
 * Replies are compared byte for byte, except: HGETALL/HKEYS/HVALS/HSCAN of a
 * hashtable-encoded hash (unordered in Redis: compared sorted; HSCAN cursors
 * depend on the hash function, so a hashtable HSCAN step is checked to return
 * pairs of the hash), and HRANDFIELD (random: checked by properties — count,
 * distinctness for positive counts, membership, matching values, the RESP3
 * shape — against the hash's contents read just before).
 * A last test compares the keyspace notifications the sequences produce.
 * Reproduce a failure with GKV_DIFF_SEED=<seed>; explore with GKV_DIFF_RUNS.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Reply, RespClient, RespValue } from '../harness/resp.js';
import { RespError } from '../harness/resp.js';
import type { Cmd } from './harness.js';
import { compareEvents, cs, diffRuns, diffSeed, fullScan, runSequence, sharedPair } from './runner.js';

const SEED = diffSeed(20261201);
const RUNS = diffRuns(100);

const key = fc.constantFrom('h1', 'h1', 'h2', 'h3', 's', '');
const field = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', '', '1', 'x'.repeat(9), 'F'.repeat(65), 'a*', '\x00\xff');
const intVal = fc.oneof(fc.integer({ min: -20, max: 20 }).map(String), fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775806', '007', '-0', ' 1', '1e3', 'abc', ''));
const floatVal = fc.constantFrom('1.5', '-0.25', '10', '3e2', '0', '0.1', '-2', 'abc', 'inf', '-inf', 'nan', '+5', '.5', '5.', '1e-5', '1e400', '0x10', '-1e300', '1e4931', '');
const value = fc.oneof(intVal, floatVal, fc.constantFrom('hello', 'y'.repeat(8), 'y'.repeat(9), 'v'.repeat(64), 'v'.repeat(65), '\r\n'));
const pairs = (max: number) => fc.array(fc.tuple(field, value), { minLength: 1, maxLength: max }).map((ps) => ps.flat());
const count = fc.oneof(
  fc.integer({ min: -6, max: 6 }).map(String),
  fc.constantFrom('20', '-20', '9223372036854775807', '-9223372036854775808', '4611686018427387903', '4611686018427387904', 'x', '1.5', ''),
);
const cursor = fc.constantFrom('0', '0', '1', '7', '18446744073709551615', '18446744073709551616', '-1', 'x', '', '+5', '-0', ' 1', '1x', '-', '-18446744073709551615');
const scanOpts = cs(
  [],
  [],
  ['COUNT', '2'],
  ['COUNT', '100'],
  ['MATCH', 'a*'],
  ['MATCH', '*'],
  ['match', '[a-c]', 'count', '1'],
  ['COUNT', '0'],
  ['COUNT', 'x'],
  ['MATCH'],
  ['NOVALUES'],
  ['TYPE', 'hash'],
);

const hashCmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(key, pairs(4)).map(([k, p]) => ['HSET', k, ...p]) },
  fc.tuple(key, pairs(3)).map(([k, p]) => ['HMSET', k, ...p]),
  fc.tuple(key, field, value).map(([k, f, v]) => ['HSETNX', k, f, v]),
  fc.tuple(key, field).map(([k, f]) => ['HGET', k, f]),
  fc.tuple(key, fc.array(field, { minLength: 1, maxLength: 4 })).map(([k, fs]) => ['HMGET', k, ...fs]),
  { weight: 3, arbitrary: fc.tuple(key, fc.array(field, { minLength: 1, maxLength: 4 })).map(([k, fs]) => ['HDEL', k, ...fs]) },
  fc.tuple(fc.constantFrom('HLEN', 'HKEYS', 'HVALS', 'HGETALL'), key).map(([c, k]) => [c, k]),
  fc.tuple(fc.constantFrom('HSTRLEN', 'HEXISTS'), key, field).map(([c, k, f]) => [c, k, f]),
  { weight: 2, arbitrary: fc.tuple(key, field, intVal).map(([k, f, v]) => ['HINCRBY', k, f, v]) },
  { weight: 2, arbitrary: fc.tuple(key, field, floatVal).map(([k, f, v]) => ['HINCRBYFLOAT', k, f, v]) },
  { weight: 2, arbitrary: fc.tuple(key, cs([], [], ['WITHVALUES'], ['withvalues'], ['WITHVALUE'], ['WITHVALUES', 'x'])).map(([k, o]) => ['HRANDFIELD', k, ...o]) },
  { weight: 2, arbitrary: fc.tuple(key, count, cs([], ['WITHVALUES'], ['withvalues'], ['BAD'], ['WITHVALUES', 'x'])).map(([k, n, o]) => ['HRANDFIELD', k, n, ...o]) },
  { weight: 2, arbitrary: fc.tuple(key, cursor, scanOpts).map(([k, c, o]) => ['HSCAN', k, c, ...o]) },
  cs(
    ['HRANDFIELD', 'h1', '-4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'h1', '-4611686018427387903', 'WITHVALUES', 'x'],
    ['HSET', 'h1', 'a'],
    ['HMSET', 'h1', 'a', '1', 'b'],
    ['HSET', 'h1'],
    ['HGET', 'h1'],
    ['HDEL', 'h1'],
    ['HSETNX', 'h1', 'a'],
    ['HINCRBY', 'h1', 'a'],
    ['HSCAN', 'h1'],
    ['HRANDFIELD'],
  ),
);

const otherCmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(key, fc.constantFrom('str', '1')).map(([k, v]) => ['SET', k, v]),
  fc.array(key, { minLength: 1, maxLength: 2 }).map((ks) => ['DEL', ...ks]),
  fc.tuple(fc.constantFrom('TYPE', 'EXISTS', 'PERSIST', 'TTL'), key).map(([c, k]) => [c, k]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key, key).map(([a, b]) => ['RENAMENX', a, b]),
  fc.tuple(key, key, cs([], ['REPLACE'], ['DB', '1'], ['DB', '1', 'REPLACE'])).map(([a, b, o]) => ['COPY', a, b, ...o]),
  fc.tuple(key, fc.constantFrom('0', '1')).map(([k, d]) => ['MOVE', k, d]),
  fc.tuple(key).map(([k]) => ['EXPIRE', k, '1000']),
  fc.constantFrom('0', '1').map((d) => ['SELECT', d]),
);

const anyCmd = fc.oneof({ weight: 8, arbitrary: hashCmd }, { weight: 2, arbitrary: otherCmd });

/** hash-max-listpack-entries/value for a run; null keeps Redis's defaults (512/64). */
const limits = fc.constantFrom<[string, string] | null>(null, null, ['4', '8'], ['2', '64'], ['0', '64'], ['512', '0'], ['3', '3']);

/** The fields and values of key as Redis holds them (null when not a hash). */
async function contents(c: RespClient, k: string): Promise<Map<string, string> | null> {
  const r = (await c.call('HGETALL', k)).value;
  if (r instanceof RespError) return null;
  const flat = Array.isArray(r) ? r : (r as { map: [RespValue, RespValue][] }).map.flat();
  const m = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) m.set(String(flat[i]), String(flat[i + 1]));
  return m;
}

/** HRANDFIELD's reply checked by its properties; returns a description that is equal on both servers when both are right. */
function checkRandfield(cmd: Cmd, rep: Reply, h: Map<string, string> | null, resp: 2 | 3): string {
  const v = rep.value;
  if (v instanceof RespError || cmd.length < 3) {
    if (v instanceof RespError) return rep.raw;
    if (h === null || h.size === 0) return rep.raw;
    return typeof v === 'string' && h.has(v) ? 'a field' : `not a field: ${rep.raw}`;
  }
  const n = BigInt(cmd[2]);
  const withValues = cmd.length === 4;
  if (!Array.isArray(v)) return `not an array: ${rep.raw}`;
  const size = h === null ? 0 : h.size;
  const want = n >= 0n ? Math.min(Number(n), size) : size === 0 ? 0 : Number(-n);
  const got: [string, string | null][] = [];
  if (withValues && resp === 2) {
    for (let i = 0; i < v.length; i += 2) got.push([String(v[i]), String(v[i + 1])]);
  } else if (withValues) {
    for (const x of v) {
      if (!Array.isArray(x) || x.length !== 2) return `RESP3 entry not a pair: ${rep.raw}`;
      got.push([String(x[0]), String(x[1])]);
    }
  } else for (const x of v) got.push([String(x), null]);
  if (got.length !== want) return `count ${got.length}, expected ${want}`;
  for (const [f, val] of got) {
    if (!h!.has(f)) return `not a field: ${f}`;
    if (val !== null && h!.get(f) !== val) return `wrong value for ${f}`;
  }
  if (n > 0n && new Set(got.map((g) => g[0])).size !== got.length) return 'repeated fields for a positive count';
  return `ok ${want}`;
}

/** A hashtable HSCAN step: [cursor, pairs of the hash]. */
function checkHtScan(rep: Reply, h: Map<string, string> | null): string {
  const v = rep.value;
  if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[1])) return `bad shape ${rep.raw}`;
  const items = v[1];
  if (items.length % 2 !== 0) return 'odd item count';
  for (let i = 0; i < items.length; i += 2) {
    if (h === null || h.get(String(items[i])) !== String(items[i + 1])) return `not a pair of the hash: ${items[i]}`;
  }
  return 'hashtable scan step ok';
}

/** HGETALL/HKEYS/HVALS of a hashtable: the reply's header with its elements sorted (pairs kept together). */
function sortedReply(cmd: Cmd, rep: Reply): string {
  const v = rep.value;
  const header = rep.raw.slice(0, rep.raw.indexOf('\r\n'));
  if (Array.isArray(v)) {
    if (cmd[0] !== 'HGETALL') return header + JSON.stringify(v.map(String).sort());
    const ps: string[] = [];
    for (let i = 0; i < v.length; i += 2) ps.push(`${v[i]}=${v[i + 1]}`);
    return header + JSON.stringify(ps.sort());
  }
  if (v !== null && typeof v === 'object' && 'map' in v) return header + JSON.stringify(v.map.map(([a, b]) => `${a}=${b}`).sort());
  return rep.raw;
}

const shared = sharedPair();
const { skip } = shared;
let commandsRun = 0;

after(() => {
  process.stderr.write(`hash differential: ${commandsRun} commands compared\n`);
});

/** CONFIG SET of a run's hash-max-listpack-entries/value. */
const config = (lim: [string, string] | null): Cmd[] => [['CONFIG', 'SET', 'hash-max-listpack-entries', lim ? lim[0] : '512', 'hash-max-listpack-value', lim ? lim[1] : '64']];

async function runHashSequence(lim: [string, string] | null, resp: 2 | 3, cmds: Cmd[]): Promise<void> {
  const p = shared.p;
  commandsRun += cmds.length;
  await runSequence(p, cmds, {
    setup: config(lim),
    resp3: resp === 3,
    note: `limits ${JSON.stringify(lim)} RESP${resp}`,
    before: async (cmd) => (cmd[0].toUpperCase() === 'HRANDFIELD' && cmd[1] !== undefined ? contents(p.r, cmd[1]) : null),
    compare: async ({ i, cmd, a, b, what }, before) => {
      const name = cmd[0].toUpperCase();
      const k = cmd[1];
      let na = a.raw;
      let nb = b.raw;
      let enc = '';
      if (k !== undefined && name.startsWith('H')) {
        const [ea, eb] = await Promise.all([p.g.call('OBJECT', 'ENCODING', k), p.r.call('OBJECT', 'ENCODING', k)]);
        assert.equal(ea.raw, eb.raw, `OBJECT ENCODING of ${JSON.stringify(k)} differs after command #${i} ${JSON.stringify(cmd)}\n  sequence: ${JSON.stringify(cmds.slice(0, i + 1))}`);
        enc = String(eb.value);
      }
      if (name === 'HRANDFIELD') {
        na = checkRandfield(cmd, a, before, resp);
        nb = checkRandfield(cmd, b, before, resp);
        assert.ok(nb.startsWith('ok') || nb === b.raw || nb === 'a field', `the oracle's HRANDFIELD reply fails the checker: ${nb}`);
      } else if (enc === 'hashtable' && (name === 'HGETALL' || name === 'HKEYS' || name === 'HVALS')) {
        na = sortedReply(cmd, a);
        nb = sortedReply(cmd, b);
      } else if (enc === 'hashtable' && name === 'HSCAN' && !(b.value instanceof RespError)) {
        const h = await contents(p.r, k);
        na = checkHtScan(a, h);
        nb = checkHtScan(b, h);
      }
      assert.equal(na, nb, what);
    },
  });
}

test('random sequences of hash commands give the same replies, encodings and final state as Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(limits, fc.array(anyCmd, { minLength: 1, maxLength: 60, size: 'max' }), async (lim, cmds) => runHashSequence(lim, 2, cmds)),
    { seed: SEED, numRuns: RUNS, verbose: 1 },
  );
});

test('random sequences of hash commands in RESP3 give the same replies as Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(limits, fc.array(anyCmd, { minLength: 1, maxLength: 40, size: 'max' }), async (lim, cmds) => runHashSequence(lim, 3, cmds)),
    { seed: SEED + 1, numRuns: Math.ceil(RUNS / 2), verbose: 1 },
  );
});

test('a full HSCAN with MATCH and COUNT returns the same pairs as Redis, on both sides of the listpack limit', { skip }, async () => {
  const p = shared.p;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 700 }), fc.constantFrom(null, 'f:1*', '*5', 'none*'), fc.integer({ min: 1, max: 50 }), async (n, match, cnt) => {
      const cmds: Cmd[] = [['FLUSHALL'], ['CONFIG', 'SET', 'hash-max-listpack-entries', '512', 'hash-max-listpack-value', '64']];
      for (let i = 0; i < n; i += 50) {
        const c: Cmd = ['HSET', 'h'];
        for (let j = i; j < Math.min(n, i + 50); j++) c.push(`f:${j}`, `v${j}`);
        cmds.push(c);
      }
      await Promise.all([p.g.pipeline(cmds), p.r.pipeline(cmds)]);
      const scanAll = async (c: RespClient) => {
        const { items, steps } = await fullScan(c, (cur) => ['HSCAN', 'h', cur, 'COUNT', String(cnt), ...(match ? ['MATCH', match] : [])], 10000);
        const seen = new Set<string>();
        for (let i = 0; i < items.length; i += 2) seen.add(`${items[i]}=${items[i + 1]}`);
        return { pairs: [...seen].sort(), steps };
      };
      const [a, b] = await Promise.all([scanAll(p.g), scanAll(p.r)]);
      assert.deepEqual(a.pairs, b.pairs);
      // a listpack answers everything at once, in insertion order: byte for byte
      if (n <= 512) assert.deepEqual(a.steps, b.steps);
    }),
    { seed: SEED + 2, numRuns: 20, verbose: 1 },
  );
});

test("hash commands send the keyspace notifications Redis sends, in Redis's order", { skip }, async () => {
  await compareEvents(shared.p, {
    flags: fc.constantFrom('KEA', 'KEAn', 'Kh', 'Eh', 'KEhg', 'Kg', 'AKm', 'Ehn'),
    limits,
    config,
    cmds: fc.array(anyCmd, { minLength: 1, maxLength: 30, size: 'max' }),
    onRun: (cmds) => (commandsRun += cmds.length),
    params: { seed: SEED + 3, numRuns: Math.ceil(RUNS / 2), verbose: 1 },
  });
});
