/**
 * The scripting runtime without the Lua compiler: "scripts" written as
 * the generators compiled Lua is (src/lua/value.ts's contract), installed
 * as the compiler's output for their source text. They exercise what
 * src/scripting/ does around the code — redis.call through call(), error
 * replies, effects propagation, the BUSY state and SCRIPT KILL — whatever
 * the compiler; the Lua-level tests are in scripting.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordPropagation, withClients, withServer } from '../harness/commands.js';
import { LUA_COMPILER } from '../../src/scripting/libs.js';
import { BUDGET, LuaClosure, LuaError, type LuaGen, LuaTable, type LuaValue } from '../../src/lua/value.js';
import type { LuaState } from '../../src/lua/state.js';

type Body = (L: LuaState, g: (name: string) => LuaValue) => LuaGen;

const FAKE = new Map<string, Body>();
const previous = LUA_COMPILER.load;
LUA_COMPILER.load = (L, source) => {
  const body = FAKE.get(source);
  if (body === undefined) {
    if (previous !== null) return previous(L, source, L.chunk);
    throw new LuaError(`user_script:1: no fake script for ${JSON.stringify(source)}`);
  }
  return new LuaClosure(() => body(L, (name) => L.globals.get(name)));
};

/** redis.<fn>(...args) from a fake script */
function redisFn(g: (name: string) => LuaValue, fn: string): (...a: LuaValue[]) => LuaValue[] {
  return (g('redis') as LuaTable).get(fn) as (...a: LuaValue[]) => LuaValue[];
}

FAKE.set('set-get', function* (L, g) {
  const keys = g('KEYS') as LuaTable;
  const argv = g('ARGV') as LuaTable;
  L.line = 1;
  redisFn(g, 'call')('set', keys.get(1), argv.get(1));
  L.line = 2;
  return redisFn(g, 'call')('get', keys.get(1));
});

FAKE.set('wrongtype', function* (L, g) {
  L.line = 3;
  redisFn(g, 'call')('set', 'k', 'v');
  return redisFn(g, 'call')('lpush', 'k', 'x');
});

FAKE.set('pcall-wrongtype', function* (L, g) {
  L.line = 1;
  redisFn(g, 'call')('set', 'k', 'v');
  return redisFn(g, 'pcall')('lpush', 'k', 'x');
});

FAKE.set('nested', function* () {
  const inner = new LuaTable();
  inner.set(1, 2);
  inner.set(2, 'x');
  const t = new LuaTable();
  t.set(1, 1.9);
  t.set(2, inner);
  t.set(3, true);
  t.set(4, false);
  t.set(5, 'after-false');
  return [t];
});

FAKE.set('spin', function* () {
  for (;;) yield BUDGET;
});

FAKE.set('write-then-spin', function* (_L, g) {
  redisFn(g, 'call')('set', 'w', '1');
  for (;;) yield BUDGET;
});

test('EVAL runs the script on its own client: KEYS, ARGV, redis.call and the reply', async () => {
  await withServer(async (c, srv) => {
    const prop = recordPropagation(srv);
    assert.equal(await c.cmd('EVAL', 'set-get', '1', 'key', 'val'), 'val');
    assert.equal(await c.cmd('GET', 'key'), 'val');
    assert.deepEqual(prop, [['set', 'key', 'val']]);
    assert.deepEqual(await c.cmd('SCRIPT', 'EXISTS', '4d7a2b6e0a11c3b1c1d4e3b4a9a7a2c9b8e2f1aa'), [0]);
  });
});

test('a command error raised by redis.call names the script and the line; redis.pcall returns it', async () => {
  await withServer(async (c) => {
    const r = await c.call('EVAL', 'wrongtype', '0');
    assert.match(r.raw, /^-WRONGTYPE Operation against a key holding the wrong kind of value script: [0-9a-f]{40}, on @user_script:3\.\r\n$/);
    const p = await c.call('EVAL', 'pcall-wrongtype', '0');
    assert.equal(p.raw, '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    const stats = (await c.cmd('INFO', 'errorstats')) as string;
    // the command's error counts once, not again as the script's
    assert.match(stats, /errorstat_WRONGTYPE:count=2/);
  });
});

test("Lua values convert to Redis's replies: integers truncated, true as 1, an array ending at false's nil", async () => {
  await withServer(async (c) => {
    const r = await c.call('EVAL', 'nested', '0');
    assert.equal(r.raw, '*5\r\n:1\r\n*2\r\n:2\r\n$1\r\nx\r\n:1\r\n$-1\r\n$11\r\nafter-false\r\n');
  });
});

test('a script past busy-reply-threshold: other clients get BUSY, SCRIPT KILL stops it, then all goes on', async () => {
  await withClients(2, async ([a, b]) => {
    await b.cmd('CONFIG', 'SET', 'busy-reply-threshold', '10');
    const pending = a.call('EVAL', 'spin', '0');
    const pong = a.call('PING');
    let busy: unknown;
    for (let i = 0; i < 200; i++) {
      busy = await b.call('PING');
      if ((busy as { raw: string }).raw.startsWith('-BUSY')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal((busy as { raw: string }).raw, '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n');
    assert.equal((await b.call('FUNCTION', 'KILL')).raw.startsWith('-'), true);
    assert.equal(await b.cmd('SCRIPT', 'KILL'), 'OK');
    const r = await pending;
    assert.match(r.raw, /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:\d+\.\r\n$/);
    assert.equal((await pong).raw, '+PONG\r\n');
    assert.equal(await b.cmd('PING'), 'PONG');
    assert.equal((await b.call('SCRIPT', 'KILL')).raw, '-NOTBUSY No scripts in execution right now.\r\n');
  });
});

test('a busy script that wrote cannot be killed; SHUTDOWN NOSAVE stops the server under it', async () => {
  await withClients(2, async ([a, b], srv) => {
    await b.cmd('CONFIG', 'SET', 'busy-reply-threshold', '10');
    void a.call('EVAL', 'write-then-spin', '0').catch(() => undefined);
    for (let i = 0; i < 200 && !(await b.call('PING')).raw.startsWith('-BUSY'); i++) await new Promise((r) => setTimeout(r, 10));
    const k = await b.call('SCRIPT', 'KILL');
    assert.match(k.raw, /^-UNKILLABLE Sorry the script already executed write commands against the dataset/);
    assert.match((await b.call('SHUTDOWN')).raw, /^-BUSY /);
    void b.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    await srv.server.closed;
  });
});

test('SCRIPT LOAD caches a script EVALSHA runs (any case of its SHA); EVAL_RO refuses writes; SCRIPT FLUSH empties the cache', async () => {
  await withServer(async (c) => {
    const sha = (await c.cmd('SCRIPT', 'LOAD', 'set-get')) as string;
    assert.match(sha, /^[0-9a-f]{40}$/);
    assert.deepEqual(await c.cmd('SCRIPT', 'EXISTS', sha, sha.toUpperCase(), 'nope'), [1, 1, 0]);
    assert.equal(await c.cmd('EVALSHA', sha.toUpperCase(), '1', 'k', 'v'), 'v');
    assert.match((await c.call('EVALSHA_RO', sha, '1', 'k', 'v')).raw, /^-ERR Write commands are not allowed from read-only scripts\. script: /);
    assert.match((await c.call('EVAL_RO', 'set-get', '1', 'k', 'v')).raw, /^-ERR Write commands are not allowed from read-only scripts\. script: /);
    assert.equal(await c.cmd('SCRIPT', 'FLUSH', 'ASYNC'), 'OK');
    assert.equal((await c.call('EVALSHA', sha, '0')).raw, '-NOSCRIPT No matching script. Please use EVAL.\r\n');
    assert.equal(await c.cmd('SCRIPT', 'FLUSH'), 'OK');
    assert.equal(((await c.cmd('SCRIPT', 'HELP')) as string[])[0], 'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    // the Lua debugger (redis-cli --ldb) is not implemented: SCRIPT DEBUG is an unknown subcommand, never a pretend OK
    assert.equal((await c.call('SCRIPT', 'DEBUG', 'YES')).raw, "-ERR unknown subcommand 'DEBUG'. Try SCRIPT HELP.\r\n");
    assert.ok(!((await c.cmd('SCRIPT', 'HELP')) as string[]).some((l) => l.startsWith('DEBUG')));
    const info = (await c.cmd('INFO', 'memory')) as string;
    assert.match(info, /number_of_cached_scripts:0\r\n/);
  });
});
