/**
 * Differential property tests of the stream commands without consumer
 * groups (XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID XINFO): seeded random
 * sequences against gKV and a real redis-server, with small node limits in
 * some runs so that entries spread over many nodes (XINFO's radix-tree-keys
 * is compared), explicit and partial (`ms-*`) IDs — an auto ID (`*`) depends
 * on each server's clock and is compared by shape — invalid IDs and options
 * on purpose, and the generic commands on stream keys. Replies byte for byte,
 * then the final state (XINFO STREAM of every stream key); a last test
 * compares the keyspace notifications. Reproduce with GKV_DIFF_SEED=<seed>.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Cmd } from './harness.js';
import { compareEvents, cs, diffRuns, diffSeed, runSequence, sharedPair } from './runner.js';

const SEED = diffSeed(20261207);
const RUNS = diffRuns(80);

const key = fc.constantFrom('x1', 'x1', 'x1', 'x2', 'str');
const ms = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }).map(String) },
  fc.constantFrom('18446744073709551615', '18446744073709551616', '-1', '+3', ' 4', 'a', '', '9007199254740993'),
);
const seq = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 5 }).map(String) }, fc.constantFrom('18446744073709551615', '*', '-0', 'x'));
const id = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(ms, seq).map(([a, b]) => `${a}-${b}`) },
  fc.constantFrom('5', '-', '+', '0-0', '(3-1', '(0-0', '(18446744073709551615-18446744073709551615', '1-1-1'),
);
const rangeId = fc.oneof(id, fc.constantFrom('-', '+', '-', '+', '(2', '(5-0'));
const field = fc.constantFrom('a', 'b', 'c', '1', '-7', '', 'f'.repeat(70));
const value = fc.constantFrom('v', '1', '100000', '-3', '', 'w'.repeat(40), '9223372036854775808');
const fields = fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 }).map((ps) => ps.flat());
const count = fc.oneof(fc.integer({ min: -1, max: 6 }).map(String), fc.constantFrom('x', '9223372036854775807'));
const trim = cs(
  [],
  [],
  ['MAXLEN', '3'],
  ['MAXLEN', '~', '2'],
  ['MAXLEN', '=', '0'],
  ['MINID', '5'],
  ['MINID', '~', '7-0'],
  ['MAXLEN', '~', '1', 'LIMIT', '1'],
  ['MAXLEN', '1', 'LIMIT', '2'],
  ['LIMIT', '5'],
  ['MAXLEN', '-1'],
  ['MAXLEN', 'x'],
  ['MINID', 'x'],
  ['MAXLEN', '1', 'MINID', '1'],
  ['NOMKSTREAM'],
  ['nomkstream', 'MAXLEN', '2'],
);

const streamCmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(key, trim, id, fields).map(([k, t, i, f]) => ['XADD', k, ...t, i, ...f]) },
  fc
    .tuple(key, fc.constantFrom('MAXLEN', 'MINID'), fc.constantFrom('=', '~', ''), fc.constantFrom('0', '2', '4', '10-1', 'x'), cs([], ['LIMIT', '1'], ['LIMIT', '0']))
    .map(([k, s, m, n, l]) => ['XTRIM', k, s, ...(m ? [m] : []), n, ...l]),
  { weight: 3, arbitrary: fc.tuple(key, rangeId, rangeId, cs([], [], ['COUNT'], ['BAD'])).map(([k, a, b, o]) => ['XRANGE', k, a, b, ...o]) },
  { weight: 2, arbitrary: fc.tuple(key, rangeId, rangeId, count).map(([k, a, b, n]) => ['XRANGE', k, a, b, 'COUNT', n]) },
  { weight: 3, arbitrary: fc.tuple(key, rangeId, rangeId, cs([], ['COUNT', '2'], ['COUNT', '0'])).map(([k, a, b, o]) => ['XREVRANGE', k, a, b, ...o]) },
  { weight: 3, arbitrary: fc.tuple(key, fc.array(id, { minLength: 1, maxLength: 3 })).map(([k, ids]) => ['XDEL', k, ...ids]) },
  fc.tuple(key).map(([k]) => ['XLEN', k]),
  fc.tuple(key, id, cs([], [], ['ENTRIESADDED', '30'], ['MAXDELETEDID', '2-0'], ['ENTRIESADDED', '-1'], ['MAXDELETEDID', '999-0'], ['BAD'])).map(([k, i, o]) => ['XSETID', k, i, ...o]),
  {
    weight: 2,
    arbitrary: fc
      .tuple(key, cs([], ['FULL'], ['FULL', 'COUNT', '2'], ['FULL', 'COUNT', '0'], ['FULL', 'COUNT', '-1'], ['FULL', 'X'], ['FULL', 'COUNT'], ['X']))
      .map(([k, o]) => ['XINFO', 'STREAM', k, ...o]),
  },
  fc.tuple(key).map(([k]) => ['XINFO', 'GROUPS', k]),
  cs(
    ['XINFO', 'HELP'],
    ['XINFO', 'FOO', 'x1'],
    ['XINFO', 'STREAM'],
    ['XADD', 'x1', '*'],
    ['XADD', 'x1', 'MAXLEN', '3'],
    ['XADD', 'x1', '1-1', 'a'],
    ['XRANGE', 'x1', '-'],
    ['XDEL', 'x1'],
    ['XTRIM', 'x1'],
    ['XTRIM', 'x1', 'BAD', '1'],
  ),
);

const otherCmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(key).map(([k]) => ['SET', k, 'v']),
  fc.tuple(key).map(([k]) => ['DEL', k]),
  fc.tuple(fc.constantFrom('TYPE', 'EXISTS', 'OBJECT ENCODING'), key).map(([c, k]) => [...c.split(' '), k]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key, key, cs([], ['REPLACE'])).map(([a, b, o]) => ['COPY', a, b, ...o]),
  cs(['LPUSH', 'x2', 'e'], ['GET', 'x1'], ['LRANGE', 'x1', '0', '-1']),
);

const anyCmd = fc.oneof({ weight: 9, arbitrary: streamCmd }, { weight: 1, arbitrary: otherCmd });

/** stream-node-max-entries / -bytes for a run. */
const limits = fc.constantFrom<[string, string]>(['100', '4096'], ['2', '4096'], ['3', '0'], ['0', '60'], ['1', '4096']);
const config = (lim: [string, string]): Cmd[] => [['CONFIG', 'SET', 'stream-node-max-entries', lim[0], 'stream-node-max-bytes', lim[1]]];

const shared = sharedPair();
const { skip } = shared;
let commandsRun = 0;
after(() => process.stderr.write(`stream differential: ${commandsRun} commands compared\n`));

/** An auto ID is the server's clock: compared by shape (digits-digits), the rest byte for byte. */
const masked = (raw: string): string => raw.replace(/\$\d+\r\n\d{13}-\d+\r\n/g, '$<auto-id>\r\n');

async function run(lim: [string, string], resp: 2 | 3, cmds: Cmd[]): Promise<void> {
  commandsRun += cmds.length;
  await runSequence(shared.p, cmds, {
    setup: config(lim),
    resp3: resp === 3,
    note: `limits ${JSON.stringify(lim)} RESP${resp}`,
    compare: ({ a, b, what }) => assert.equal(masked(a.raw), masked(b.raw), what),
  });
}

test('random sequences of stream commands give the same replies and final state as Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(limits, fc.array(anyCmd, { minLength: 1, maxLength: 60, size: 'max' }), async (lim, cmds) => run(lim, 2, cmds)),
    { seed: SEED, numRuns: RUNS, verbose: 1 },
  );
});

test('random sequences of stream commands in RESP3 give the same replies as Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(limits, fc.array(anyCmd, { minLength: 1, maxLength: 40, size: 'max' }), async (lim, cmds) => run(lim, 3, cmds)),
    { seed: SEED + 1, numRuns: Math.ceil(RUNS / 2), verbose: 1 },
  );
});

test('long streams: node splits, trims and ranges over hundreds of entries match Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(limits, fc.integer({ min: 50, max: 600 }), fc.integer({ min: 0, max: 30 }), async (lim, n, del) => {
      const cmds: Cmd[] = [];
      for (let i = 1; i <= n; i++) cmds.push(['XADD', 'x1', `${i}-${i % 3}`, 'a', String(i), ...(i % 7 === 0 ? ['extra', 'field'] : [])]);
      for (let i = 0; i < del; i++) cmds.push(['XDEL', 'x1', `${(i * 13) % n}-${((i * 13) % n) % 3}`]);
      cmds.push(['XINFO', 'STREAM', 'x1'], ['XRANGE', 'x1', '10', '+', 'COUNT', '25'], ['XREVRANGE', 'x1', '+', '-', 'COUNT', '30']);
      cmds.push(
        ['XTRIM', 'x1', 'MAXLEN', '~', String(Math.floor(n / 2))],
        ['XINFO', 'STREAM', 'x1'],
        ['XTRIM', 'x1', 'MINID', `${Math.floor((3 * n) / 4)}`],
        ['XINFO', 'STREAM', 'x1', 'FULL', 'COUNT', '3'],
      );
      await run(lim, 2, cmds);
    }),
    { seed: SEED + 2, numRuns: 15, verbose: 1 },
  );
});

test("stream commands send the keyspace notifications Redis sends, in Redis's order", { skip }, async () => {
  await compareEvents(shared.p, {
    flags: fc.constantFrom('KEA', 'Kt', 'Et', 'KEtg', 'Egn'),
    limits,
    config,
    cmds: fc.array(anyCmd, { minLength: 1, maxLength: 30, size: 'max' }),
    onRun: (cmds) => (commandsRun += cmds.length),
    params: { seed: SEED + 3, numRuns: Math.ceil(RUNS / 2), verbose: 1 },
  });
});
