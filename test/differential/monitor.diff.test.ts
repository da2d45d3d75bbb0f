/**
 * MONITOR against Redis: a monitoring connection on each server records what
 * seeded random command sequences from another connection show (commands
 * with binary and quoted arguments, errors, admin commands that are not
 * shown, MULTI/EXEC with queued commands, SELECT, AUTH and HELLO AUTH
 * redaction, a blocking command). The lines must be Redis's, the timestamp
 * and the client's port aside.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RecordingConn } from '../harness/recording-conn.js';
import { cs, diffRuns, diffSeed, sharedServers } from './runner.js';

const SEED = diffSeed(20261206);
const RUNS = diffRuns(40);

const key = fc.constantFrom('k', 'l', 'x y', 'q"\\\x00\x07\t\r\n\xff');
const val = fc.constantFrom('1', 'v', 'a b', '\x01\x7f\x80', '');
const cmd: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(key, val).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, val).map(([k, v]) => ['set', k, v, 'EX', '100']),
  fc.tuple(key).map(([k]) => ['GET', k]),
  fc.tuple(key).map(([k]) => ['Incr', k]),
  fc.tuple(key, val).map(([k, v]) => ['RPUSH', k, v]),
  fc.tuple(key).map(([k]) => ['LPOP', k]),
  fc.tuple(key).map(([k]) => ['BLPOP', k, '0.01']),
  fc.tuple(key).map(([k]) => ['DEL', k]),
  fc.tuple(key).map(([k]) => ['GET', k, 'extra']), // arity error: not shown
  cs(['NOSUCHCOMMAND', 'a'], ['CONFIG', 'GET', 'maxmemory'], ['DEBUG', 'SLEEP', '0'], ['INFO', 'server'], ['SLOWLOG', 'LEN'], ['CLIENT', 'SETNAME', 'n'], ['COMMAND', 'COUNT']),
  cs(['SELECT', '2'], ['SELECT', '0'], ['PING'], ['ECHO', 'e'], ['AUTH', 'nopass'], ['AUTH', 'u', 'p'], ['HELLO', '2', 'AUTH', 'default', 'pw'], ['HELLO', '2']),
  cs(['MULTI'], ['EXEC'], ['DISCARD'], ['WATCH', 'k'], ['UNWATCH'], ['MONITOR']),
);

const servers = sharedServers({ 'enable-debug-command': 'yes' });
let seq = 0;

/** A monitor line without its timestamp and client port. */
const norm = (raw: string) => raw.replace(/^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]/, '+T [$1 peer]');

async function run(cmds: string[][]): Promise<void> {
  const ports = [servers.gkv.port, servers.redis.port];
  const mons = await Promise.all(ports.map((p) => RecordingConn.open(p)));
  const conns = await Promise.all(ports.map((p) => RecordingConn.open(p)));
  try {
    for (const m of mons) m.send(['MONITOR']);
    await Promise.all(mons.map((m) => m.until('+OK')));
    for (const c of conns) c.send(['FLUSHALL']);
    const start = `s${++seq}`;
    await Promise.all(conns.map((c) => c.barrier(start)));
    await Promise.all(mons.map((m) => m.until(start)));
    for (const c of cmds) for (const conn of conns) conn.send(c);
    // leave MULTI if the sequence left it open, then a token both monitors will show
    for (const conn of conns) conn.send(['DISCARD']);
    const end = `e${seq}`;
    await Promise.all(conns.map((c) => c.barrier(end)));
    const [g, r] = (await Promise.all(mons.map((m) => m.until(end)))).map((fs) => fs.map((f) => norm(f.raw)));
    assert.deepEqual(g, r, `MONITOR lines for ${JSON.stringify(cmds)}`);
    // the monitor's own commands show too, and RESET ends monitoring
    for (const m of mons) m.send(['RESET']);
    const [rg, rr] = (await Promise.all(mons.map((m) => m.until('RESET')))).map((fs) => fs.map((f) => norm(f.raw)));
    assert.deepEqual(rg, rr);
  } finally {
    for (const c of [...mons, ...conns]) c.close();
  }
}

test('MONITOR shows the same lines as Redis for random command sequences (errors, admin commands, MULTI/EXEC, SELECT, redacted AUTH)', { skip: servers.skip }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 20 }), async (cmds) => run(cmds)),
    { seed: SEED, numRuns: RUNS, verbose: 1 },
  );
});
