/**
 * Differential tests of the list commands: seeded random sequences of every
 * list command (small key pools with a string key for WRONGTYPE, invalid
 * arguments on purpose, every option, node sizes set small on both servers in
 * some runs) against gKV and a real redis-server, replies compared byte for
 * byte and the final state with stateOf. A second property scripts several
 * clients: two block (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) on random
 * keys, a third runs random writes (sometimes inside MULTI), then CLIENT
 * UNBLOCK (either form) releases whoever is still blocked; every client's
 * replies must match, and so must the keyspace events after each write (a
 * served BLPOP's lpop, BLMOVE's push and pop, the del of an emptied list),
 * the slow log (which blocked commands Redis logs, and when: served ones
 * after the command that served them, CLIENT UNBLOCKed ones with no
 * arguments, no entry for the moment a command blocks) and INFO
 * commandstats' calls and failed calls. A third property compares the keyspace
 * notifications of random list command sequences (and SORT … STORE) under
 * random notify-keyspace-events flags. GKV_DIFF_SEED / GKV_DIFF_RUNS explore
 * further.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RespClient, type Reply } from '../harness/resp.js';
import { stateOf, type Pair, type Cmd } from './harness.js';
import { cs, diffRuns, diffSeed, sharedPair } from './runner.js';
import { RecordingConn } from '../harness/recording-conn.js';
import { waitForBlocked } from '../harness/info.js';

const SEED = diffSeed(20261201);
const RUNS = diffRuns(100);

const key = fc.constantFrom('l1', 'l2', 'l3', 's');
const listKey = fc.constantFrom('l1', 'l2', 'l3');
const elem = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'c', '1', '2', '') },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(200), '\x00\xff\r\n', 'y'.repeat(5000), '123456789012345') },
);
const elems = fc.array(elem, { minLength: 1, maxLength: 6 });
const index = fc.oneof(fc.integer({ min: -8, max: 8 }).map(String), fc.constantFrom('9223372036854775807', '-9223372036854775808', 'x', '1.5', ''));
const count = fc.oneof(fc.integer({ min: -2, max: 6 }).map(String), fc.constantFrom('x', '9223372036854775807'));
const side = fc.constantFrom('LEFT', 'RIGHT', 'left', 'Right', 'UP');
const timeout = fc.constantFrom('0.01', '0.01', '-1', 'x', 'inf');
const lposOpt: fc.Arbitrary<string[]> = fc.oneof(
  cs([], ['RANK', '0'], ['RANK'], ['FOO'], ['RANK', '-9223372036854775808'], ['COUNT', 'x'], ['MAXLEN', '-1']),
  fc.integer({ min: -3, max: 3 }).map((r) => ['RANK', String(r)]),
  fc.integer({ min: -1, max: 3 }).map((n) => ['COUNT', String(n)]),
  fc.integer({ min: -1, max: 5 }).map((n) => ['MAXLEN', String(n)]),
);

const listCmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('LPUSH', 'RPUSH'), key, elems).map(([c, k, e]) => [c, k, ...e]) },
  fc.tuple(fc.constantFrom('LPUSHX', 'RPUSHX'), key, elems).map(([c, k, e]) => [c, k, ...e]),
  fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key, fc.option(count, { nil: undefined })).map(([c, k, n]) => (n === undefined ? [c, k] : [c, k, n])),
  cs(['LPOP', 'l1', '1', '2']),
  fc.tuple(key).map(([k]) => ['LLEN', k]),
  fc.tuple(key, index).map(([k, i]) => ['LINDEX', k, i]),
  fc.tuple(key, index, elem).map(([k, i, e]) => ['LSET', k, i, e]),
  { weight: 2, arbitrary: fc.tuple(key, index, index).map(([k, a, b]) => ['LRANGE', k, a, b]) },
  fc.tuple(key, index, index).map(([k, a, b]) => ['LTRIM', k, a, b]),
  fc.tuple(key, fc.constantFrom('BEFORE', 'after', 'MIDDLE'), elem, elem).map(([k, w, p, e]) => ['LINSERT', k, w, p, e]),
  fc.tuple(key, count, elem).map(([k, n, e]) => ['LREM', k, n, e]),
  fc.tuple(key, elem, fc.array(lposOpt, { maxLength: 3 })).map(([k, e, o]) => ['LPOS', k, e, ...o.flat()]),
  fc.tuple(key, key, side, side).map(([a, b, x, y]) => ['LMOVE', a, b, x, y]),
  fc.tuple(key, key).map(([a, b]) => ['RPOPLPUSH', a, b]),
  fc
    .tuple(fc.array(key, { minLength: 1, maxLength: 3 }), side, cs([], [], ['COUNT', '2'], ['COUNT', '0'], ['COUNT', 'x'], ['COUNT', '1', 'COUNT', '1'], ['FOO']))
    .map(([ks, w, o]) => ['LMPOP', String(ks.length), ...ks, w, ...o]),
  cs(['LMPOP', '0', 'l1', 'LEFT'], ['LMPOP', '3', 'l1', 'LEFT'], ['LMPOP', 'x', 'l1', 'LEFT']),
  // blocking forms: served at once when a key has data, else a short timeout
  fc.tuple(fc.constantFrom('BLPOP', 'BRPOP'), fc.array(key, { minLength: 1, maxLength: 3 }), timeout).map(([c, ks, t]) => [c, ...ks, t]),
  fc.tuple(key, key, side, side, timeout).map(([a, b, x, y, t]) => ['BLMOVE', a, b, x, y, t]),
  fc.tuple(key, key, timeout).map(([a, b, t]) => ['BRPOPLPUSH', a, b, t]),
  fc.tuple(timeout, fc.array(key, { minLength: 1, maxLength: 2 }), side, cs([], ['COUNT', '3'], ['COUNT', '0'])).map(([t, ks, w, o]) => ['BLMPOP', t, String(ks.length), ...ks, w, ...o]),
  cs(['SET', 's', 'str'], ['DEL', 'l1'], ['MULTI'], ['EXEC'], ['OBJECT', 'ENCODING', 'l1'], ['TYPE', 'l2']),
);

const servers = sharedPair();
const { skip } = servers;

async function resetBoth(p: Pair, fill: string): Promise<void> {
  for (const c of [p.g, p.r]) {
    await c.cmd('RESET');
    await c.cmd('FLUSHALL');
    await c.cmd('CONFIG', 'SET', 'list-max-listpack-size', fill);
  }
}

async function runSequence(p: Pair, cmds: Cmd[], fill: string): Promise<void> {
  await resetBoth(p, fill);
  for (let i = 0; i < cmds.length; i++) {
    const [a, b] = await Promise.all([p.g.call(...cmds[i]), p.r.call(...cmds[i])]);
    if (cmds[i][0] === 'HELLO') continue; // carries the connection id
    assert.equal(
      a.raw,
      b.raw,
      `reply to command #${i} ${JSON.stringify(cmds[i])} differs (fill ${fill})\n  gKV:   ${JSON.stringify(a.raw)}\n  Redis: ${JSON.stringify(b.raw)}\n  sequence: ${JSON.stringify(cmds.slice(0, i + 1))}`,
    );
  }
  await p.g.cmd('RESET');
  await p.r.cmd('RESET');
  const [sa, sb] = await Promise.all([stateOf(p.g, [0]), stateOf(p.r, [0])]);
  assert.equal(sa, sb, `final state differs after ${JSON.stringify(cmds)}`);
}

const fillArb = fc.constantFrom('-2', '-2', '1', '2', '3', '-1');

test('random sequences of list commands give the same replies and final state as Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(listCmd, { minLength: 1, maxLength: 40 }), fillArb, async (cmds, fill) => runSequence(servers.p, cmds, fill)),
    { seed: SEED, numRuns: RUNS, verbose: 1 },
  );
});

test('random sequences of list commands in RESP3 give the same replies as Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(listCmd, { minLength: 1, maxLength: 30 }), fillArb, async (cmds, fill) => runSequence(servers.p, [['HELLO', '3'], ...cmds], fill)),
    { seed: SEED + 1, numRuns: Math.ceil(RUNS / 2), verbose: 1 },
  );
});

// ---------------------------------------------------------------- several clients

const blockCmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(fc.constantFrom('BLPOP', 'BRPOP'), fc.array(listKey, { minLength: 1, maxLength: 3 })).map(([c, ks]) => [c, ...ks, '0']),
  fc
    .tuple(
      listKey,
      fc.constantFrom('l1', 'l2', 'l3', 's'),
      side.filter((x) => x !== 'UP'),
      side.filter((x) => x !== 'UP'),
    )
    .map(([a, b, x, y]) => ['BLMOVE', a, b, x, y, '0']),
  fc.tuple(listKey, listKey).map(([a, b]) => ['BRPOPLPUSH', a, b, '0']),
  fc
    .tuple(fc.array(listKey, { minLength: 1, maxLength: 2 }), fc.constantFrom('LEFT', 'RIGHT'), fc.constantFrom('1', '2', '5'))
    .map(([ks, w, n]) => ['BLMPOP', '0', String(ks.length), ...ks, w, 'COUNT', n]),
);
const writeCmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('LPUSH', 'RPUSH'), key, fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 3 })).map(([c, k, e]) => [c, k, ...e]) },
  fc.tuple(fc.constantFrom('LPOP', 'RPOP'), listKey).map(([c, k]) => [c, k]),
  fc.tuple(key, key).map(([a, b]) => ['LMOVE', a, b, 'LEFT', 'RIGHT']),
  fc.tuple(key).map(([k]) => ['DEL', k]),
  cs(['SET', 's', 'v'], ['SET', 'l1', 'v'], ['SADD', 'l2', 'm'], ['RENAME', 'l1', 'l3']),
);
const notifyFlags = fc.constantFrom('KEA', 'KEAn', 'Kl', 'El', 'KElg', 'Kg', 'AKm', 'Eln', 'KEAnm', '');
const script = fc.record({
  blockers: fc.array(blockCmd, { minLength: 1, maxLength: 3 }),
  writes: fc.array(writeCmd, { minLength: 1, maxLength: 8 }),
  multi: fc.boolean(),
  flags: notifyFlags,
  unblockError: fc.boolean(),
});
type Script = { blockers: Cmd[]; writes: Cmd[]; multi: boolean; flags: string; unblockError: boolean };

interface Side {
  port: number;
  main: RespClient;
}

/** The keyspace events a subscriber received since its last barrier: "channel message" strings. */
async function eventsOf(sub: RecordingConn, token: string): Promise<string[]> {
  const frames = await sub.barrier(token);
  return frames
    .map((f) => f.value)
    .filter((v): v is string[] => Array.isArray(v) && v[0] === 'pmessage')
    .map((v) => `${v[2]} ${v[3]}`);
}

/**
 * The slow log, oldest first, as "name: args" (durations, times, ids and peer
 * addresses left out; CLIENT UNBLOCK's client id replaced), without the INFO
 * polls of waitBlocked, whose number depends on timing.
 */
async function slowlogOf(c: RespClient): Promise<string[]> {
  const entries = (await c.cmd('SLOWLOG', 'GET', '-1')) as unknown as [number, number, number, string[], string, string][];
  return entries
    .reverse()
    .map((e) => ({ args: e[3].map(String), name: String(e[5]) }))
    .filter((e) => !/^info$/i.test(e.args[0] ?? ''))
    .map((e) => `${e.name}: ${JSON.stringify(/^client$/i.test(e.args[0] ?? '') && /^unblock$/i.test(e.args[1] ?? '') ? [...e.args.slice(0, 2), 'ID', ...e.args.slice(3)] : e.args)}`);
}

/** INFO commandstats' calls, rejected and failed calls per command (not the times), INFO left out. */
async function commandstatsOf(c: RespClient): Promise<string[]> {
  const info = String(await c.cmd('INFO', 'commandstats'));
  return info
    .split('\r\n')
    .filter((l) => l.startsWith('cmdstat_') && !l.startsWith('cmdstat_info:'))
    .map((l) => l.replace(/,usec=[^,]*,usec_per_call=[^,]*/, ''))
    .sort();
}

/** Runs the script on one server; returns every reply, event, slow log entry and count in a fixed order. */
async function runScript(sd: Side, s: Script): Promise<string[]> {
  const out: string[] = [];
  const clients: RespClient[] = [];
  const sub = await RecordingConn.open(sd.port);
  let token = 0;
  const events = async () => out.push(JSON.stringify(await eventsOf(sub, `ev-${++token}`)));
  try {
    await sd.main.cmd('FLUSHALL');
    await sd.main.cmd('CONFIG', 'SET', 'notify-keyspace-events', s.flags);
    sub.send(['PSUBSCRIBE', '__key*__:*']);
    await sub.barrier('sub');
    await sd.main.cmd('SLOWLOG', 'RESET');
    await sd.main.cmd('CONFIG', 'RESETSTAT');
    const pending: Promise<Reply>[] = [];
    const ids: string[] = [];
    for (let i = 0; i < s.blockers.length; i++) {
      const c = await RespClient.connect(sd.port);
      clients.push(c);
      await c.cmd('CLIENT', 'SETNAME', `b${i}`);
      ids.push(String(await c.cmd('CLIENT', 'ID')));
      pending.push(c.call(...s.blockers[i]));
      await waitForBlocked(sd.main, i + 1);
    }
    if (s.multi) out.push((await sd.main.call('MULTI')).raw);
    for (const w of s.writes) {
      out.push((await sd.main.call(...w)).raw);
      await events();
    }
    if (s.multi) out.push((await sd.main.call('EXEC')).raw);
    await events();
    // let served clients' replies arrive, then release the rest in order
    await sd.main.cmd('PING');
    for (const id of ids) out.push((await sd.main.call('CLIENT', 'UNBLOCK', id, ...(s.unblockError ? ['ERROR'] : []))).raw);
    for (const p of pending) out.push((await p).raw);
    await events();
    out.push(...(await slowlogOf(sd.main)));
    out.push(...(await commandstatsOf(sd.main)));
    await sd.main.cmd('CONFIG', 'SET', 'notify-keyspace-events', '');
    out.push(await stateOf(sd.main, [0]));
  } finally {
    for (const c of clients) c.close();
    sub.close();
  }
  return out;
}

test('several clients blocking while another writes get the same replies, keyspace events, slow log and command stats as with Redis', { skip }, async () => {
  const p = servers.p;
  await resetBoth(p, '-2');
  for (const c of [p.g, p.r]) await c.cmd('CONFIG', 'SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', '1000');
  try {
    await fc.assert(
      fc.asyncProperty(script, async (s) => {
        const [a, b] = await Promise.all([runScript({ port: p.gkv.port, main: p.g }, s), runScript({ port: p.redis.port, main: p.r }, s)]);
        const at = a.findIndex((x, i) => x !== b[i]);
        assert.deepEqual(a, b, `script ${JSON.stringify(s)}\n  first difference, item #${at}:\n  gKV:   ${a[at]}\n  Redis: ${b[at]}`);
      }),
      { seed: SEED + 2, numRuns: Math.ceil(RUNS / 3), verbose: 1 },
    );
  } finally {
    for (const c of [p.g, p.r]) await c.cmd('CONFIG', 'SET', 'slowlog-log-slower-than', '10000', 'slowlog-max-len', '128', 'notify-keyspace-events', '');
  }
});

// ---------------------------------------------------------------- keyspace events

const sortStore: fc.Arbitrary<Cmd> = fc.tuple(key, fc.constantFrom<string[]>(['ALPHA'], [], ['BY', 'nosort'], ['ALPHA', 'LIMIT', '5', '2']), listKey).map(([k, o, d]) => ['SORT', k, ...o, 'STORE', d]);

test("list commands send the keyspace notifications Redis sends, in Redis's order", { skip }, async () => {
  const p = servers.p;
  const [sg, sr] = await Promise.all([RecordingConn.open(p.gkv.port), RecordingConn.open(p.redis.port)]);
  let token = 0;
  const events = async () => {
    const t = `barrier-${++token}`;
    return Promise.all([eventsOf(sg, t), eventsOf(sr, t)]);
  };
  try {
    for (const c of [sg, sr]) c.send(['PSUBSCRIBE', '__key*__:*']);
    await events();
    await fc.assert(
      fc.asyncProperty(
        notifyFlags,
        fc.array(fc.oneof({ weight: 8, arbitrary: listCmd }, { weight: 1, arbitrary: sortStore }), { minLength: 1, maxLength: 30, size: 'max' }),
        fillArb,
        async (flags, cmds, fill) => {
          for (const c of [p.g, p.r]) {
            await c.cmd('RESET');
            await c.cmd('CONFIG', 'SET', 'notify-keyspace-events', '');
            await c.cmd('FLUSHALL');
            await c.cmd('CONFIG', 'SET', 'list-max-listpack-size', fill, 'notify-keyspace-events', flags);
          }
          await events();
          for (let i = 0; i < cmds.length; i++) {
            const [ra, rb] = await Promise.all([p.g.call(...cmds[i]), p.r.call(...cmds[i])]);
            assert.equal(ra.raw, rb.raw, `reply to command #${i} ${JSON.stringify(cmds[i])} differs\n  sequence: ${JSON.stringify(cmds.slice(0, i + 1))}`);
            const [a, b] = await events();
            assert.deepEqual(
              a,
              b,
              `events of command #${i} ${JSON.stringify(cmds[i])} differ (flags ${flags})\n  gKV:   ${JSON.stringify(a)}\n  Redis: ${JSON.stringify(b)}\n  sequence: ${JSON.stringify(cmds.slice(0, i + 1))}`,
            );
          }
        },
      ),
      { seed: SEED + 3, numRuns: Math.ceil(RUNS / 2), verbose: 1 },
    );
  } finally {
    for (const c of [p.g, p.r]) await c.cmd('CONFIG', 'SET', 'notify-keyspace-events', '');
    sg.close();
    sr.close();
  }
});
