/**
 * Differential property tests of the set commands: seeded random sequences
 * (small key pools with a string key for WRONGTYPE, integer and non-integer
 * members, every option, invalid arguments on purpose) against gKV and a real
 * redis-server, RESP2 and RESP3, some runs with a small set-max-intset-entries
 * so intset → hashtable conversions happen (and are compared through the
 * final state's OBJECT ENCODING).
 *
 * Replies are compared byte for byte wherever Redis's order is determined:
 * members of an intset come out ascending, so SMEMBERS/SSCAN of an intset,
 * SINTER whose smallest set is an intset, and SUNION/SDIFF whose result set is
 * an intset (which depends on SDIFF's algorithm, emulated here from the sizes)
 * are compared exactly. Hashtable orders are compared sorted, with the reply
 * header (type and length) still exact. SPOP and SRANDMEMBER are checked by
 * properties (length, distinctness, membership, what was removed, the
 * encoding left behind); after a SPOP both servers are resynchronised to the
 * members they still share, so later commands compare again.
 *
 * A last test compares the keyspace notifications (sadd, srem, spop, smove's
 * pair, the *store events, del, new) with Redis's, for deterministic commands.
 *
 * Reproduce a failure with GKV_DIFF_SEED=<seed>; explore with GKV_DIFF_RUNS.
 * MULTI is left out: a queued SPOP would make EXEC's reply random.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Reply, RespClient, RespValue } from '../harness/resp.js';
import type { Pair, Cmd } from './harness.js';
import { compareEvents, cs, diffRuns, diffSeed, fullScan, header, runSequence, sharedPair, type Step } from './runner.js';

const SEED = diffSeed(20261201);
const RUNS = diffRuns(100);

const setKey = fc.constantFrom('s1', 's2', 's3', 's4');
const key = fc.oneof({ weight: 6, arbitrary: setKey }, { weight: 1, arbitrary: fc.constant('str') });
const member = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -2, max: 8 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775808', '70000', '-40000', '4294967296', '9007199254740993') },
  { weight: 1, arbitrary: fc.constantFrom('007', '-0', '+1', '1.5', ' 2', '') },
  { weight: 2, arbitrary: fc.constantFrom('a', 'b', 'c', 'hello world', '*x', '\x00\xff') },
);
const members = (min: number, max: number) => fc.array(member, { minLength: min, maxLength: max });
const keys = (min: number, max: number) => fc.array(key, { minLength: min, maxLength: max });
const spopCount = fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '12', '100', '-1', 'x', '9223372036854775807');
const srandCount = fc.constantFrom('0', '1', '2', '3', '5', '100', '-1', '-3', '-7', 'x', '-9223372036854775808', '9223372036854775807');
const scanOpts = cs(
  [],
  ['COUNT', '1'],
  ['COUNT', '2'],
  ['COUNT', '100'],
  ['MATCH', '1*'],
  ['MATCH', '*'],
  ['MATCH', '[a-c]', 'COUNT', '3'],
  ['COUNT', '0'],
  ['COUNT', 'x'],
  ['MATCH'],
  ['FOO', '1'],
  ['TYPE', 'set'],
);

const setCmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(key, members(1, 8)).map(([k, ms]) => ['SADD', k, ...ms]) },
  { weight: 1, arbitrary: fc.tuple(setKey, fc.constantFrom(10, 20, 520)).map(([k, n]) => ['SADD', k, ...Array.from({ length: n }, (_, i) => String(i * 3 - 7))]) },
  { weight: 3, arbitrary: fc.tuple(key, members(1, 4)).map(([k, ms]) => ['SREM', k, ...ms]) },
  { weight: 2, arbitrary: fc.tuple(key, key, member).map(([a, b, m]) => ['SMOVE', a, b, m]) },
  fc.tuple(key, member).map(([k, m]) => ['SISMEMBER', k, m]),
  fc.tuple(key, members(1, 4)).map(([k, ms]) => ['SMISMEMBER', k, ...ms]),
  fc.tuple(key).map(([k]) => ['SCARD', k]),
  { weight: 2, arbitrary: fc.tuple(key).map(([k]) => ['SMEMBERS', k]) },
  fc.tuple(key).map(([k]) => ['SPOP', k]),
  { weight: 2, arbitrary: fc.tuple(key, spopCount).map(([k, n]) => ['SPOP', k, n]) },
  fc.tuple(key).map(([k]) => ['SRANDMEMBER', k]),
  { weight: 2, arbitrary: fc.tuple(key, srandCount).map(([k, n]) => ['SRANDMEMBER', k, n]) },
  cs(['SPOP', 's1', '1', '2'], ['SRANDMEMBER', 's1', '1', '2']),
  { weight: 2, arbitrary: keys(1, 4).map((ks) => ['SINTER', ...ks]) },
  { weight: 2, arbitrary: keys(1, 4).map((ks) => ['SUNION', ...ks]) },
  { weight: 2, arbitrary: keys(1, 4).map((ks) => ['SDIFF', ...ks]) },
  fc.tuple(key, keys(1, 3)).map(([d, ks]) => ['SINTERSTORE', d, ...ks]),
  fc.tuple(key, keys(1, 3)).map(([d, ks]) => ['SUNIONSTORE', d, ...ks]),
  { weight: 2, arbitrary: fc.tuple(key, keys(1, 4)).map(([d, ks]) => ['SDIFFSTORE', d, ...ks]) },
  fc
    .tuple(keys(1, 3), cs([], [], ['LIMIT', '1'], ['LIMIT', '2'], ['LIMIT', '0'], ['LIMIT', '-1'], ['LIMIT', 'x'], ['LIMIT'], ['LIMIT', '1', 'LIMIT', '3'], ['FOO']))
    .map(([ks, o]) => ['SINTERCARD', String(ks.length), ...ks, ...o]),
  cs(
    ['SINTERCARD', '0', 's1'],
    ['SINTERCARD', '-1', 's1'],
    ['SINTERCARD', 'x', 's1'],
    ['SINTERCARD', '3', 's1', 's2'],
    ['SINTERCARD', '1', 's1', 's2'],
    ['SINTERCARD', '2147483648', 's1'],
    ['SINTERCARD', '9223372036854775808', 's1'],
  ),
  { weight: 2, arbitrary: fc.tuple(key, fc.constantFrom('0', '0', '0', '7', 'x', '18446744073709551616', '-1', '+5'), scanOpts).map(([k, c, o]) => ['SSCAN', k, c, ...o]) },
);

const otherCmd: fc.Arbitrary<Cmd> = fc.oneof(
  cs(['SET', 'str', 'v'], ['SET', 's1', 'v'], ['DEL', 's1'], ['DEL', 's2', 's3'], ['TYPE', 's1'], ['TYPE', 'str'], ['EXISTS', 's1', 's4']),
  fc.tuple(key).map(([k]) => ['OBJECT', 'ENCODING', k]),
  fc.tuple(key, key, cs([], ['REPLACE'], ['DB', '1'])).map(([a, b, o]) => ['COPY', a, b, ...o]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key).map(([k]) => ['MOVE', k, '1']),
  cs(['SELECT', '1'], ['SELECT', '0'], ['EXPIRE', 's1', '1000'], ['PERSIST', 's1'], ['SWAPDB', '0', '1']),
);

const anyCmd = fc.oneof({ weight: 8, arbitrary: setCmd }, { weight: 1, arbitrary: otherCmd });
const limits = fc.constantFrom(null, null, 4, 2, 1, 0, 16);

// ---------------------------------------------------------------- comparison

interface KeyInfo {
  type: string;
  members: string[];
  enc: string;
}

const asList = (v: RespValue): string[] | null => {
  if (Array.isArray(v)) return v.map(String);
  if (v !== null && typeof v === 'object' && 'set' in v) return v.set.map(String);
  return null;
};
const isInt = (s: string): boolean => /^(0|-?[1-9][0-9]{0,18})$/.test(s) && BigInt(s) <= 9223372036854775807n && BigInt(s) >= -9223372036854775808n;
const sorted = (xs: string[]): string[] => [...xs].sort();
const allIntsWithin = (xs: string[], max: number): boolean => xs.length <= max && xs.every(isInt);

async function infoOf(c: RespClient, k: string): Promise<KeyInfo> {
  const type = String(await c.cmd('TYPE', k));
  if (type !== 'set') return { type, members: [], enc: '' };
  const ms = asList(await c.cmd('SMEMBERS', k))!;
  return { type, members: ms, enc: String(await c.cmd('OBJECT', 'ENCODING', k)) };
}

/** The keys whose contents decide how a command's reply is compared. */
function orderKeys(cmd: Cmd): string[] {
  const name = cmd[0].toUpperCase();
  if (['SMEMBERS', 'SSCAN', 'SPOP', 'SRANDMEMBER'].includes(name)) return [cmd[1]];
  if (['SINTER', 'SUNION', 'SDIFF'].includes(name)) return cmd.slice(1);
  return [];
}

/** True when Redis's reply to SINTER/SUNION/SDIFF has a determined (intset) order. */
function exactOrder(name: string, ks: string[], info: Map<string, KeyInfo>, reply: string[], max: number): boolean {
  const sets = ks.map((k) => info.get(k)!);
  if (sets.some((s) => s.type !== 'set' && s.type !== 'none')) return true; // WRONGTYPE
  if (name === 'SMEMBERS' || name === 'SSCAN') return sets[0].enc !== 'hashtable';
  if (name === 'SINTER') {
    if (sets.some((s) => s.type === 'none')) return true;
    const bySize = sets.map((s, i) => ({ s, i })).sort((a, b) => a.s.members.length - b.s.members.length || a.i - b.i);
    return bySize[0].s.enc === 'intset';
  }
  if (name === 'SUNION') return allIntsWithin(reply, max);
  // SDIFF: Redis's algorithm choice decides whether the result set stayed an intset
  const first = sets[0];
  if (first.type === 'none' || ks.slice(1).includes(ks[0])) return true;
  let one = 0;
  let two = 0;
  for (const s of sets) {
    if (s.type === 'none') continue;
    one += first.members.length;
    two += s.members.length;
  }
  if (Math.floor(one / 2) <= two) return allIntsWithin(reply, max);
  return allIntsWithin(first.members, max);
}

interface Ctx {
  max: number;
}

function assertSameSorted(a: Reply, b: Reply, what: string): void {
  assert.equal(header(a), header(b), `${what}: reply type/length`);
  assert.deepEqual(sorted(asList(a.value) ?? []), sorted(asList(b.value) ?? []), what);
}

async function compareRandom(p: Pair, cmd: Cmd, a: Reply, b: Reply, before: KeyInfo, ctx: Ctx, what: string): Promise<void> {
  const name = cmd[0].toUpperCase();
  const k = cmd[1];
  const errA = a.raw.startsWith('-');
  if (errA || b.raw.startsWith('-') || before.type !== 'set') {
    assert.equal(a.raw, b.raw, what);
    return;
  }
  const pool = new Set(before.members);
  const size = before.members.length;
  if (cmd.length === 2) {
    // a single member (or nil when the key is missing)
    assert.equal(typeof a.value, 'string', what);
    assert.ok(pool.has(String(a.value)), `${what}: ${JSON.stringify(a.value)} is a member`);
    assert.ok(pool.has(String(b.value)), `${what}: Redis's pick is a member`);
  } else {
    const n = Number(cmd[2]);
    const ga = asList(a.value)!;
    const gb = asList(b.value)!;
    assert.equal(header(a), header(b), `${what}: reply type/length`);
    for (const m of ga) assert.ok(pool.has(m), `${what}: ${JSON.stringify(m)} is a member`);
    if (n >= 0) {
      assert.equal(new Set(ga).size, ga.length, `${what}: distinct`);
      assert.equal(ga.length, Math.min(n, size), `${what}: length`);
    } else assert.equal(ga.length, -n, `${what}: length`);
    if (n >= size) {
      // the whole set: in its iteration order, ascending for an intset
      if (before.enc === 'intset') assert.equal(a.raw, b.raw, what);
      else assert.deepEqual(sorted(ga), sorted(gb), what);
    } else if (name === 'SPOP' && (size - n) * 5 <= n && before.enc === 'intset') {
      // what is left of the intset after the survivors moved out: ascending
      const asc = [...ga].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
      assert.deepEqual(ga, asc, `${what}: ascending`);
    }
  }
  if (name !== 'SPOP') return;
  // what SPOP left behind, on each server, then both brought back in step
  const popped = (r: Reply): string[] => (cmd.length === 2 ? [String(r.value)] : asList(r.value)!);
  const after = await Promise.all([infoOf(p.g, k), infoOf(p.r, k)]);
  const pops = [popped(a), popped(b)];
  for (let i = 0; i < 2; i++) {
    const who = i === 0 ? 'gKV' : 'Redis';
    const left = after[i].members;
    assert.deepEqual(sorted(left), sorted(before.members.filter((m) => !pops[i].includes(m))), `${what}: ${who} removed exactly what it popped`);
    if (left.length === 0) assert.equal(after[i].type, 'none', `${what}: ${who} deleted the emptied set`);
    else {
      const n = cmd.length === 2 ? 1 : Number(cmd[2]);
      const rebuilt = (size - n) * 5 <= n; // Redis moved the survivors into a new set
      const expected = rebuilt ? (allIntsWithin(left, ctx.max) ? 'intset' : 'hashtable') : before.enc;
      assert.equal(after[i].enc, expected, `${what}: ${who} encoding after SPOP`);
    }
  }
  const [ga, gb] = after;
  if (ga.enc !== gb.enc || JSON.stringify(sorted(ga.members)) !== JSON.stringify(sorted(gb.members))) {
    const common = sorted(ga.members.filter((m) => gb.members.includes(m)));
    for (const c of [p.g, p.r]) {
      await c.cmd('DEL', k);
      if (common.length) await c.cmd('SADD', k, ...common);
    }
  }
}

/** CONFIG SET of a run's set-max-intset-entries. */
const config = (limit: number | null): Cmd[] => [['CONFIG', 'SET', 'set-max-intset-entries', String(limit ?? 512)]];

async function runSetSequence(p: Pair, limit: number | null, resp3: boolean, cmds: Cmd[]): Promise<void> {
  const ctx: Ctx = { max: limit ?? 512 };
  await runSequence(p, cmds, {
    setup: config(limit),
    resp3,
    before: async (cmd) => {
      const info = new Map<string, KeyInfo>();
      for (const k of orderKeys(cmd)) if (!info.has(k)) info.set(k, await infoOf(p.r, k));
      return info;
    },
    compare: ({ cmd, a, b, what }: Step, info: Map<string, KeyInfo>) => {
      const name = cmd[0].toUpperCase();
      const ks = orderKeys(cmd);
      if (name === 'SPOP' || name === 'SRANDMEMBER') {
        return compareRandom(p, cmd, a, b, info.get(cmd[1])!, ctx, what);
      } else if (name === 'SSCAN' && !b.raw.startsWith('-') && info.get(cmd[1])!.enc === 'hashtable') {
        // hashtable cursors are the table's own: only membership can be compared
        const [, items] = a.value as [string, RespValue];
        const pool = new Set(info.get(cmd[1])!.members);
        for (const m of asList(items)!) assert.ok(pool.has(m), `${what}: scanned a member`);
        assert.equal(b.raw.startsWith('*2'), a.raw.startsWith('*2'), what);
      } else if (ks.length > 0 && !b.raw.startsWith('-') && asList(b.value) !== null && !exactOrder(name, ks, info, asList(b.value)!, ctx.max)) {
        assertSameSorted(a, b, what);
      } else {
        assert.equal(a.raw, b.raw, what);
      }
    },
  });
}

// ---------------------------------------------------------------- tests

const shared = sharedPair();
const { skip } = shared;

test('random sequences of set commands give the same replies, encodings and final state as Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(limits, fc.array(anyCmd, { minLength: 5, maxLength: 50, size: 'max' }), async (limit, cmds) => runSetSequence(shared.p, limit, false, cmds)),
    { seed: SEED, numRuns: RUNS, verbose: 1 },
  );
});

test('random sequences of set commands in RESP3 give the same replies as Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(limits, fc.array(anyCmd, { minLength: 5, maxLength: 40, size: 'max' }), async (limit, cmds) => runSetSequence(shared.p, limit, true, cmds)),
    { seed: SEED + 1, numRuns: Math.ceil(RUNS / 2), verbose: 1 },
  );
});

/** Fixed sequences for the cases random runs reach rarely; each compared as above. */
const ints = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => String(from + i));
const scenarios: { limit: number | null; cmds: Cmd[] }[] = [
  // SDIFF's algorithm 2 (first set large, others small): the result set saw a
  // non-integer and stays a hashtable although its members fit an intset
  {
    limit: null,
    cmds: [
      ['SADD', 's1', ...ints(1, 6), 'a'],
      ['SADD', 's2', 'a'],
      ['SADD', 's3', '1'],
      ['SADD', 's4', '2'],
      ['SDIFFSTORE', 'd', 's1', 's2', 's3', 's4'],
      ['OBJECT', 'ENCODING', 'd'],
      ['SDIFF', 's1', 's2', 's3', 's4'],
    ],
  },
  // … and algorithm 1 (first set small) builds an intset from the same members
  {
    limit: null,
    cmds: [
      ['SADD', 's1', '3', '4', 'a'],
      ['SADD', 's2', 'a', 'b', 'c', 'd'],
      ['SDIFFSTORE', 'd', 's1', 's2'],
      ['OBJECT', 'ENCODING', 'd'],
      ['SDIFF', 's1', 's2'],
    ],
  },
  // algorithm 2 passing the intset limit on the way
  {
    limit: 4,
    cmds: [
      ['SADD', 's1', ...ints(1, 6)],
      ['SADD', 's2', '1'],
      ['SADD', 's3', '2'],
      ['SADD', 's4', '3'],
      ['SDIFFSTORE', 'd', 's1', 's2', 's3', 's4'],
      ['OBJECT', 'ENCODING', 'd'],
    ],
  },
  // SPOP rebuilding the survivors into a new set: its encoding follows them
  {
    limit: null,
    cmds: [
      ['SADD', 's1', ...ints(1, 5), 'a'],
      ['SREM', 's1', 'a'],
      ['OBJECT', 'ENCODING', 's1'],
      ['SPOP', 's1', '4'],
      ['SPOP', 's1', '0'],
      ['SCARD', 's1'],
    ],
  },
  {
    limit: null,
    cmds: [
      ['SADD', 's1', ...ints(1, 9)],
      ['SPOP', 's1', '8'],
      ['OBJECT', 'ENCODING', 's1'],
      ['SADD', 's2', 'a', 'b', 'c', 'd', 'e', 'f'],
      ['SPOP', 's2', '5'],
      ['OBJECT', 'ENCODING', 's2'],
    ],
  },
  {
    limit: 3,
    cmds: [
      ['SADD', 's1', ...ints(1, 4)],
      ['OBJECT', 'ENCODING', 's1'],
      ['SPOP', 's1', '3'],
      ['OBJECT', 'ENCODING', 's1'],
    ],
  },
  // thresholds: the (limit+1)th member converts, re-adding does not, removal never converts back
  {
    limit: 3,
    cmds: [
      ['SADD', 's1', '1', '2', '3'],
      ['OBJECT', 'ENCODING', 's1'],
      ['SADD', 's1', '3'],
      ['OBJECT', 'ENCODING', 's1'],
      ['SADD', 's1', '4'],
      ['OBJECT', 'ENCODING', 's1'],
      ['SREM', 's1', '4', '3'],
      ['OBJECT', 'ENCODING', 's1'],
      ['SMEMBERS', 's1'],
    ],
  },
  {
    limit: 0,
    cmds: [
      ['SADD', 's1', '1'],
      ['OBJECT', 'ENCODING', 's1'],
      ['SMOVE', 's1', 's2', '1'],
      ['OBJECT', 'ENCODING', 's2'],
    ],
  },
  {
    limit: null,
    cmds: [
      ['SADD', 's1', ...ints(-300, 600)],
      ['OBJECT', 'ENCODING', 's1'],
      ['SADD', 's2', ...ints(0, 512)],
      ['OBJECT', 'ENCODING', 's2'],
      ['SINTERSTORE', 'd', 's1', 's2'],
      ['OBJECT', 'ENCODING', 'd'],
      ['SINTER', 's2', 's1'],
      ['SUNIONSTORE', 'u', 's2', 's2'],
      ['OBJECT', 'ENCODING', 'u'],
      ['SRANDMEMBER', 's2', '600'],
      ['SSCAN', 's2', '0'],
    ],
  },
  // widths: int16 → int32 → int64 in one intset, in ascending order
  {
    limit: null,
    cmds: [
      ['SADD', 's1', '5', '-70000', '9223372036854775807', '-9223372036854775808', '40000', '-1'],
      ['SMEMBERS', 's1'],
      ['SISMEMBER', 's1', '9223372036854775807'],
      ['SREM', 's1', '40000'],
      ['SMEMBERS', 's1'],
      ['OBJECT', 'ENCODING', 's1'],
    ],
  },
  // SINTER iterates its smallest set (ties keep their argument order)
  {
    limit: null,
    cmds: [
      ['SADD', 's1', '5', 'a', '1', '3'],
      ['SADD', 's2', '3', '1', '5'],
      ['SINTER', 's1', 's2'],
      ['SINTER', 's2', 's1'],
      ['SADD', 's3', '1', '3', '5'],
      ['SINTER', 's3', 's2'],
      ['SINTER', 's2', 's3'],
      ['SINTERSTORE', 'd', 's1', 's2'],
      ['OBJECT', 'ENCODING', 'd'],
    ],
  },
];

test('fixed sequences at the encoding edges (SDIFF algorithms, SPOP rebuilds, thresholds, widths) match Redis', { skip }, async () => {
  for (const sc of scenarios) {
    await runSetSequence(shared.p, sc.limit, false, sc.cmds);
    await runSetSequence(shared.p, sc.limit, true, sc.cmds);
  }
});

test('a full SSCAN of a hashtable set with MATCH and COUNT returns the same members as Redis', { skip }, async () => {
  const p = shared.p;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 700 }), fc.boolean(), fc.constantFrom(null, 'm:1*', '*5', '7*'), fc.integer({ min: 1, max: 40 }), async (n, ints, match, count) => {
      const cmd = ['SADD', 'big', ...Array.from({ length: n }, (_, i) => (ints ? String(i * 7) : `m:${i}`))];
      for (const c of [p.g, p.r]) {
        await c.cmd('FLUSHALL');
        await c.cmd(...cmd);
      }
      const scanAll = async (c: RespClient) => {
        const { items } = await fullScan(c, (cursor) => ['SSCAN', 'big', cursor, 'COUNT', String(count), ...(match ? ['MATCH', match] : [])], 100000);
        return [...new Set(items)].sort();
      };
      const [a, b] = await Promise.all([scanAll(p.g), scanAll(p.r)]);
      assert.deepEqual(a, b);
      assert.equal(await p.g.cmd('OBJECT', 'ENCODING', 'big'), await p.r.cmd('OBJECT', 'ENCODING', 'big'));
    }),
    { seed: SEED + 2, numRuns: 20, verbose: 1 },
  );
});

test("set commands send the keyspace notifications Redis sends, in Redis's order", { skip }, async () => {
  // SPOP and SRANDMEMBER pick at random; with a count of at least the set's size SPOP does not.
  // A cursor beyond 2^64 leaves Redis's errno at ERANGE, which its SORT then misreads as a
  // conversion error (see sort.ts): left out here, where SORT … STORE runs.
  const deterministic = setCmd.filter((c) => (!['SRANDMEMBER', 'SPOP'].includes(c[0]) || (c[0] === 'SPOP' && c[2] === '100')) && !c.includes('18446744073709551616'));
  const sortStore = fc.tuple(key, fc.constantFrom<string[]>(['ALPHA'], [], ['BY', 'nosort'])).map(([k, o]) => ['SORT', k, ...o, 'STORE', 's4']);
  await compareEvents(shared.p, {
    flags: fc.constantFrom('KEA', 'KEAn', 'Ks', 'Es', 'KEsg', 'Kg', 'El', 'Esn'),
    limits,
    config,
    cmds: fc.array(fc.oneof({ weight: 8, arbitrary: deterministic }, { weight: 1, arbitrary: sortStore }), { minLength: 1, maxLength: 30, size: 'max' }),
    params: { seed: SEED + 3, numRuns: Math.ceil(RUNS / 2), verbose: 1 },
  });
});
