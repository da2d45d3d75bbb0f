/**
 * Keyspace notifications against Redis: a subscriber PSUBSCRIBEd to
 * `__key*__:*` on each server records the events that seeded random command
 * sequences produce, under random notify-keyspace-events settings; after
 * every command the events (channel, message, order) must be Redis's.
 *
 * Expiry is exercised with TTLs in the past (deleted at once: "del") and a
 * 1 ms TTL followed by a pause, then an access (lazy expiry: "expired"); the
 * active expiry cycle is off on both servers, since it reaps keys at moments
 * of its own choosing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RecordingConn } from '../harness/recording-conn.js';
import { EventTap, cs, diffRuns, diffSeed, sharedServers } from './runner.js';

const SEED = diffSeed(20261203);
const RUNS = diffRuns(60);

const key = fc.constantFrom('k1', 'k2', 'n');
const val = fc.constantFrom('v', '10', '1.5', 'x y');
const flags = fc.constantFrom('KEA', 'KEAn', 'KEAm', 'Kg', 'E$', 'Kx', 'KEg$xn', 'AK', 'En', 'g$');

/** Commands whose events are compared, by family; a family adds its own generator here. */
export const eventCommands: fc.Arbitrary<string[]>[] = [
  fc.tuple(key, val).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, val, cs(['EX', '100'], ['PX', '100000'], ['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['EXAT', '1'])).map(([k, v, o]) => ['SET', k, v, ...o]),
  fc.tuple(key, val).map(([k, v]) => ['SETNX', k, v]),
  fc.tuple(key, val).map(([k, v]) => ['SETEX', k, '100', v]),
  fc.tuple(key, val).map(([k, v]) => ['PSETEX', k, '100000', v]),
  fc.tuple(key, val).map(([k, v]) => ['GETSET', k, v]),
  fc.tuple(key).map(([k]) => ['GETDEL', k]),
  fc.tuple(key, cs(['EX', '100'], ['PERSIST'], ['PXAT', '1'], [])).map(([k, o]) => ['GETEX', k, ...o]),
  fc.tuple(key, val, key, val).map(([a, b, c, d]) => ['MSET', a, b, c, d]),
  fc.tuple(key, val, key, val).map(([a, b, c, d]) => ['MSETNX', a, b, c, d]),
  fc.tuple(key, val).map(([k, v]) => ['APPEND', k, v]),
  fc.tuple(key, fc.constantFrom('0', '3'), val).map(([k, o, v]) => ['SETRANGE', k, o, v]),
  fc.tuple(key, fc.constantFrom('INCR', 'DECR')).map(([k, c]) => [c, k]),
  fc.tuple(key, fc.constantFrom('INCRBY', 'DECRBY')).map(([k, c]) => [c, k, '3']),
  fc.tuple(key).map(([k]) => ['INCRBYFLOAT', k, '0.5']),
  fc.tuple(key).map(([k]) => ['GET', k]),
  fc.tuple(key).map(([k]) => ['STRLEN', k]),
  fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ['DEL', ...ks]),
  fc.array(key, { minLength: 1, maxLength: 2 }).map((ks) => ['UNLINK', ...ks]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key, key).map(([a, b]) => ['RENAMENX', a, b]),
  fc.tuple(key, key, cs([], ['REPLACE'], ['DB', '1'])).map(([a, b, o]) => ['COPY', a, b, ...o]),
  fc.tuple(key).map(([k]) => ['MOVE', k, '1']),
  // relative TTLs are far (100000) or already over (0, -1); a short relative TTL would race the next command
  // (DEL of a key that expired in between sends "expired", not "del") — __EXPIRE_SOON covers that path with a pause
  fc.tuple(key, fc.constantFrom('EXPIRE', 'PEXPIRE'), fc.constantFrom('100000', '0', '-1')).map(([k, c, t]) => [c, k, t]),
  fc.tuple(key, fc.constantFrom('EXPIREAT', 'PEXPIREAT'), fc.constantFrom('100000000000000', '1', '0')).map(([k, c, t]) => [c, k, t]),
  fc.tuple(key).map(([k]) => ['PERSIST', k]),
  fc.tuple(key).map(([k]) => ['EXPIRETIME', k]),
  fc.tuple(key).map(([k]) => ['__EXPIRE_SOON', k]),
  cs(['FLUSHDB'], ['SWAPDB', '0', '1'], ['SELECT', '1'], ['SELECT', '0']),
];

const servers = sharedServers({ 'enable-debug-command': 'yes' });
const { skip } = servers;

let seq = 0;

/** A command connection on a fresh keyspace with the run's notify-keyspace-events. */
async function openCmd(port: number, notify: string): Promise<RecordingConn> {
  const cmd = await RecordingConn.open(port);
  cmd.send(['FLUSHALL']);
  // keys set with a TTL in the past would be reaped by the active cycle at a moment of its choosing
  cmd.send(['DEBUG', 'SET-ACTIVE-EXPIRE', '0']);
  cmd.send(['CONFIG', 'SET', 'notify-keyspace-events', notify]);
  await cmd.barrier('setup');
  return cmd;
}

async function run(notify: string, cmds: string[][]): Promise<void> {
  const [g, r] = await Promise.all([openCmd(servers.gkv.port, notify), openCmd(servers.redis.port, notify)]);
  const tap = await EventTap.open(servers.gkv.port, servers.redis.port);
  try {
    for (let i = 0; i < cmds.length; i++) {
      let cmd = cmds[i];
      if (cmd[0] === '__EXPIRE_SOON') {
        // a 1 ms TTL, a pause, then an access: lazy expiry on both servers
        for (const side of [g, r]) side.send(['PEXPIRE', cmd[1], '1']);
        await Promise.all([g.barrier(`x${++seq}`), r.barrier(`x${seq}`)]);
        await new Promise((res) => setTimeout(res, 5));
        cmd = ['EXISTS', cmd[1]];
      }
      for (const side of [g, r]) side.send(cmd);
      const token = `e${++seq}`;
      const [rg, rr] = await Promise.all([g.barrier(token), r.barrier(token)]);
      assert.equal(rg[0]?.raw, rr[0]?.raw, `reply to ${JSON.stringify(cmd)} differs`);
      const [eg, er] = await tap.take();
      assert.equal(
        eg,
        er,
        `events of command #${i} ${JSON.stringify(cmd)} (notify-keyspace-events ${notify}) differ\n  gKV:   ${JSON.stringify(eg)}\n  Redis: ${JSON.stringify(er)}\n  sequence: ${JSON.stringify(cmds.slice(0, i + 1))}`,
      );
    }
  } finally {
    for (const c of [g, r, tap]) c.close();
  }
}

test('random command sequences send the same keyspace and keyevent notifications as Redis', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(flags, fc.array(fc.oneof(...eventCommands), { minLength: 1, maxLength: 25 }), async (f, cmds) => run(f, cmds)),
    { seed: SEED, numRuns: RUNS, verbose: 1 },
  );
});
