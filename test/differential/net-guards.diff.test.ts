/**
 * The network guards against Redis: protected mode (who is turned away,
 * with which bytes, and when a default user without a password is not
 * "nopass"), and the protected commands — DEBUG under enable-debug-command,
 * MODULE LOAD/LOADEX/UNLOAD under enable-module-command — for no, yes and
 * local, from a local connection (127.0.0.1) and a loopback one that is not
 * local to Redis (127.0.0.2), MULTI included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oracleSkip, startGkv, startRedis } from '../harness/servers.js';
import { RespClient, type RespValue } from '../harness/resp.js';

const skip = oracleSkip();

/** Both servers with the same settings; `run` gets their ports; both stopped after. */
async function withPair(args: Record<string, string>, run: (gport: number, rport: number) => Promise<void>): Promise<void> {
  const g = await startGkv(args);
  const r = await startRedis(Object.entries(args).flatMap(([k, v]) => [`--${k}`, v]));
  try {
    await run(g.port, r.port);
  } finally {
    await g.close({ nosave: true });
    await r.stop();
  }
}

async function replies(port: number, from: string, cmds: string[][]): Promise<RespValue[]> {
  const c = await RespClient.connect(port, '127.0.0.1', from);
  try {
    const out: RespValue[] = [];
    for (const cmd of cmds) out.push(await c.cmd(...cmd));
    return out;
  } finally {
    c.socket.destroy();
  }
}

const GUARDED: string[][] = [
  ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
  ['DEBUG'],
  ['MODULE', 'LIST'],
  ['MODULE', 'HELP'],
  ['MODULE', 'LOAD', '/nonexistent/m.so'],
  ['MODULE', 'LOADEX', '/nonexistent/m.so', 'CONFIG', 'a', 'b', 'ARGS', 'c'],
  ['MODULE', 'LOADEX', '/nonexistent/m.so', 'nosuchword'],
  ['MODULE', 'UNLOAD', 'nosuchmodule'],
  ['MODULE', 'nosuchsub'],
  ['MODULE'],
  ['MULTI'],
  ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
  ['MODULE', 'LOAD', '/nonexistent/m.so'],
  ['EXEC'],
];

for (const mode of ['no', 'yes', 'local']) {
  test(`enable-debug-command / enable-module-command ${mode}: DEBUG and MODULE answer as Redis, from 127.0.0.1 and from 127.0.0.2`, { skip }, async () => {
    await withPair({ 'enable-debug-command': mode, 'enable-module-command': mode, 'protected-mode': 'no' }, async (gp, rp) => {
      for (const from of ['127.0.0.1', '127.0.0.2']) {
        assert.deepEqual(await replies(gp, from, GUARDED), await replies(rp, from, GUARDED), `${mode} from ${from}`);
      }
    });
  });
}

/** What a client connecting from `from` reads before the server closes (all of it), or its first reply to PING. */
async function firstContact(port: number, from: string): Promise<string> {
  const c = await RespClient.connect(port, '127.0.0.1', from);
  let got = '';
  c.socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
  c.socket.write('*1\r\n$4\r\nPING\r\n');
  await Promise.race([c.waitClose(), new Promise((r) => setTimeout(r, 500))]);
  c.socket.destroy();
  return got;
}

test('protected mode: a non-local client gets Redis bytes and is closed; local ones are served; a default user with a password, or with none but not nopass, lifts it', { skip }, async () => {
  await withPair({}, async (gp, rp) => {
    const denied = await firstContact(rp, '127.0.0.2');
    assert.match(denied, /^-DENIED Redis is running in protected mode/);
    assert.equal(await firstContact(gp, '127.0.0.2'), denied);
    assert.equal(await firstContact(gp, '127.0.0.1'), '+PONG\r\n');
    // the default user with no password that is not "nopass" (ACL SETUSER default resetpass): protected
    // mode no longer applies, as in Redis; a new client must authenticate, and cannot
    const admin = await Promise.all([RespClient.connect(gp), RespClient.connect(rp)]);
    for (const c of admin) assert.equal(await c.cmd('ACL', 'SETUSER', 'default', 'resetpass'), 'OK');
    assert.equal(await firstContact(gp, '127.0.0.2'), await firstContact(rp, '127.0.0.2'));
    assert.match(await firstContact(gp, '127.0.0.2'), /^-NOAUTH/);
    // protected-mode no: everyone
    for (const c of admin) {
      assert.equal(await c.cmd('ACL', 'SETUSER', 'default', 'nopass'), 'OK');
      assert.equal(await c.cmd('CONFIG', 'SET', 'protected-mode', 'no'), 'OK');
      c.socket.destroy();
    }
    assert.equal(await firstContact(gp, '127.0.0.2'), '+PONG\r\n');
    assert.equal(await firstContact(rp, '127.0.0.2'), '+PONG\r\n');
  });
});
