/**
 * EVAL and SCRIPT against redis-server 7.0.15: every reply byte for byte —
 * the sandbox (globals, read-only tables, removed functions), the redis API
 * and its argument errors, error replies with their script/line suffix,
 * the conversions both ways in RESP2 and RESP3, shebang flags, the script
 * cache — then INFO errorstats and commandstats' counts, and a busy script
 * seen from another connection (BUSY, SCRIPT KILL, UNKILLABLE).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedPair } from './runner.js';
import { RespClient } from '../harness/resp.js';

const sp = sharedPair();

/** Sends each command to both servers and compares the raw replies. */
async function same(cmds: string[][], label: string): Promise<void> {
  const { g, r } = sp.p;
  for (const cmd of cmds) {
    const [a, b] = await Promise.all([g.call(...cmd), r.call(...cmd)]);
    assert.equal(a.raw, b.raw, `${label}: ${JSON.stringify(cmd).slice(0, 200)}`);
  }
}

const ev = (script: string, ...rest: string[]): string[] => ['EVAL', script, ...(rest.length === 0 ? ['0'] : rest)];

test('the sandbox: globals, read-only tables, removed functions, globals protection', { skip: sp.skip }, async () => {
  await same(
    [
      ev('local t={} for k,v in pairs(_G) do if k ~= "server" then t[#t+1]=k end end table.sort(t) return t'),
      ev('local t={} for k,v in pairs(redis) do t[#t+1]=k end table.sort(t) return t'),
      ev('x=1'),
      // reading a missing global: see the test below
      ev('rawset(_G,"x",1)'),
      ev('redis.call=1'),
      ev('string.x=1'),
      ev('cjson.encode=1'),
      ev('cmsgpack.pack=1'),
      ev('bit.band=1'),
      ev('local t = getmetatable(_G) t.__index = nil'),
      ev('return _VERSION'),
      ev('return {redis.REDIS_VERSION_NUM, redis.REDIS_VERSION}'),
      ev('return _G'),
      ev('local a = {}; setmetatable(a,{__index=function() foo() end}) return a'),
      ev("local a = {}; setmetatable(a,{__index=function() redis.call('set', 'x', '1') end}) return a"),
      ['GET', 'x'],
      ev('return KEYS[1] .. ARGV[1] .. #KEYS .. #ARGV', '1', 'k', 'a', 'b'),
      ev('return type(math.random())'),
      ev('math.randomseed(10) return tostring(math.random()) .. tostring(math.random(10)) .. tostring(math.random(5, 7))'),
    ],
    'sandbox',
  );
});

test('reading a missing global (os, debug, print, loadfile, dofile, getfenv: not in the sandbox) is an error', { skip: sp.skip }, async () => {
  const { g, r } = sp.p;
  for (const name of ['x', 'os', 'debug', 'print', 'loadfile', 'dofile', 'getfenv', 'setfenv', 'newproxy', 'module', 'require', 'io', 'package']) {
    // on line 2, so the position ("user_script:2: … on @user_script:2.") is checked too
    const [a, b] = await Promise.all([g.call('EVAL', `local _ = 1\nreturn ${name}`, '0'), r.call('EVAL', `local _ = 1\nreturn ${name}`, '0')]);
    assert.equal(a.raw, b.raw, name);
  }
});

test('errors: error(), runtime errors, redis.call errors, pcall, with the script and line suffix', { skip: sp.skip }, async () => {
  await same(
    [
      ['SET', 's', 'x'],
      ev('error("x")'),
      ev("error('a\\nb')"),
      ev('error({err="FOO bar"})'),
      ev('error({err=1})'),
      ev('error(nil)'),
      ev('error(12)'),
      ev("error('x',0)"),
      ev('\n\nlocal a = nil\nreturn a.b'),
      ev('return 1 + {}'),
      ev('local function f(n) return f(n+1) + 1 end return f(1)'),
      ev('return coroutine.wrap(function() coroutine.yield(5) end)()'),
      ev("return redis.call('nosuch')"),
      ev("return redis.pcall('nosuch')"),
      ev("return redis.call('set')"),
      ev("return redis.pcall('set')"),
      ev('return redis.call()'),
      ev('return redis.pcall()'),
      ev('return redis.call({})'),
      ev("return redis.pcall('get',{})"),
      ev("return redis.call('lpush','s','a')"),
      ev("return redis.pcall('lpush','s','a')"),
      ev("local ok, e = pcall(redis.call, 'lpush', 's', 'a') return {tostring(ok), e}"),
      ev("return pcall(redis.call,'nosuch')"),
      ev("local a,b = pcall(error,{err='x'}) return b"),
      ev("local a,b = pcall(error,'x') return b"),
      ev("local r = redis.pcall('lpush','s','a') return r['err']"),
      ev("return redis.call('debug','sleep','0')"),
      ev("return redis.call('eval','return 1','0')"),
      ev('return redis.call("shutdown")'),
      ev("local t = redis.pcall('nosuch') return t.err"),
      ev('return {err="My Error"}'),
      ev('return {err="a\\nb"}'),
      ev('return redis.error_reply("My Error")'),
      ev('return redis.error_reply("-My Error")'),
      ev('return redis.error_reply("a\\nb")'),
      ev('return redis.error_reply("")'),
      ev('return redis.error_reply(1)'),
      ev('return redis.status_reply("fine")'),
      ev('return redis.status_reply("")'),
      ev('return redis.status_reply()'),
      ev('return {ok="a\\r\\nb"}'),
      ['EVAL', 'return +', '0'],
      ['EVAL', "return 'x", '0'],
      ['EVAL', 'return 1', 'x'],
      ['EVAL', 'return 1', '-1'],
      ['EVAL', 'return 1', '2', 'a'],
      ['EVAL', 'return 1', '1.5'],
      ['EVAL', 'return 1', ' 1', 'a'],
    ],
    'errors',
  );
});

test('the redis API: sha1hex, log, setresp, set_repl, acl_check_cmd, breakpoint, debug, replicate_commands', { skip: sp.skip }, async () => {
  await same(
    [
      ev("return redis.sha1hex('')"),
      ev("return redis.sha1hex('Pizza & Mandolino')"),
      ev('return redis.sha1hex(1)'),
      ev('return redis.sha1hex({})'),
      ev('return redis.sha1hex()'),
      ev('redis.log()'),
      ev("redis.log('a','b')"),
      ev("redis.log(9,'b')"),
      ev("redis.log(redis.LOG_DEBUG,'hello',1,{},'x')"),
      ev('return redis.setresp()'),
      ev('return redis.setresp(4)'),
      ev('return redis.set_repl()'),
      ev('return redis.set_repl(9)'),
      ev('return redis.set_repl(redis.REPL_ALL)'),
      ev('return redis.replicate_commands()'),
      ev('return redis.breakpoint()'),
      ev("return redis.debug('x')"),
      ev("return redis.acl_check_cmd('set','x','y')"),
      ev("return redis.acl_check_cmd('config','get','x')"),
      ev("return redis.acl_check_cmd('nosuch')"),
      ev('return redis.acl_check_cmd()'),
      ev('return {redis.REPL_NONE,redis.REPL_AOF,redis.REPL_SLAVE,redis.REPL_REPLICA,redis.REPL_ALL,redis.LOG_DEBUG,redis.LOG_VERBOSE,redis.LOG_NOTICE,redis.LOG_WARNING}'),
    ],
    'api',
  );
});

test('conversions: Lua to RESP2/RESP3 and replies to Lua, under HELLO 2 and 3 and redis.setresp', { skip: sp.skip }, async () => {
  const cases = [
    ev('return 1.5'),
    ev('return -3.99'),
    ev('return 1e20'),
    ev('return 0/0'),
    ev('return 1/0'),
    ev('return true'),
    ev('return false'),
    ev('return nil'),
    ev('return {1,2,nil,4}'),
    ev("return {1,{2,{3}},'a', false, 'after'}"),
    ev('return {double=3.5}'),
    ev("return {big_number='123'}"),
    ev('return {map={a=1}}'),
    ev('return {set={a=true}}'),
    ev("return {verbatim_string={format='txt',string='hi'}}"),
    ev('return {ok=1}'),
    ev('return {err=1}'),
    ev('local a = {} local b = {a} a[1] = b return 1'),
    ['HSET', 'h', 'a', '1'],
    ['SADD', 'st', 'm'],
    ['ZADD', 'z', '1.5', 'm'],
    ev("return redis.call('hgetall','h')"),
    ev("redis.setresp(3) return redis.call('hgetall','h')"),
    ev("redis.setresp(3) local r = redis.call('hgetall','h') return {type(r), type(r.map), r.map.a}"),
    ev("redis.setresp(3) return redis.call('smembers','st')"),
    ev("redis.setresp(3) local r = redis.call('smembers','st') return {type(r.set), tostring(r.set.m)}"),
    ev("redis.setresp(3) return redis.call('zscore','z','m')"),
    ev("redis.setresp(3) local r = redis.call('zscore','z','m') return {type(r), r.double}"),
    ev("redis.setresp(3) return redis.call('get','nokey')"),
    ev("redis.setresp(3) return {type(redis.call('get','nokey'))}"),
    ev("return {type(redis.call('get','nokey'))}"),
    ev('redis.setresp(3) return true'),
    ev('redis.setresp(3) return false'),
    ev("return redis.call('ping')"),
    ev("local r = redis.call('ping') return r.ok"),
    ev("return redis.call('incr','cnt')"),
    ev("return redis.call('set','f','3.0') and redis.call('incrbyfloat','f', 1.5)"),
    ev("redis.call('set','n', 0.1) return redis.call('get','n')"),
    ev("redis.call('set','n', 1e300) return redis.call('get','n')"),
    ev("redis.call('set','n', -0.0) return redis.call('get','n')"),
    ev("return redis.call('lrange','nolist',0,-1)"),
    ev("return redis.call('mget','a','b')"),
  ];
  const { g, r } = sp.p;
  await same(cases, 'resp2');
  await Promise.all([g.call('HELLO', '3'), r.call('HELLO', '3')]);
  try {
    await same(cases, 'resp3');
  } finally {
    await Promise.all([g.call('HELLO', '2'), r.call('HELLO', '2')]);
  }
});

test('shebang flags, EVAL_RO, EVALSHA and the script cache', { skip: sp.skip }, async () => {
  await same(
    [
      ['SCRIPT', 'FLUSH'],
      ev('#!lua flags=allow-cross-slot-keys\nreturn 1'),
      ev('#!lua flags=no-writes,allow-oom\nreturn 1'),
      ev("#!lua flags=no-writes\nreturn redis.call('set','x','1')"),
      ev('#!lua flags=bad\nreturn 1'),
      ev('#!lua name=x\nreturn 1'),
      ev('#!lua\nreturn 1'),
      ev('#!luax\nreturn 1'),
      ev('#! lua\nreturn 1'),
      ev('#!lua  flags=no-writes\nreturn 1'),
      ev('#!lua flags=\nreturn 1'),
      ev('#!lua "flags=no-writes"\nreturn 1'),
      ev('#!lua "flags=no-writes\nreturn 1'),
      ev('#!lua'),
      ev('#!lua flags=no-writes'),
      ev("#!lua\nreturn error('x')"),
      ev("#!lua\n\nreturn error('x')"),
      ['EVAL_RO', "return redis.call('set','x','1')", '0'],
      ['EVAL_RO', "#!lua\nreturn redis.call('get','x')", '0'],
      ['EVAL_RO', "#!lua flags=no-writes\nreturn redis.call('get','x')", '0'],
      ['EVAL_RO', "return redis.call('publish','ch','msg')", '0'],
      ['EVALSHA', 'abc', '0'],
      ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'],
      ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', 'E0E1F9FABFC9D4800C877A703B823AC0578FF8DB', 'x'],
      ['SCRIPT', 'LOAD', 'return 1'],
      ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', 'E0E1F9FABFC9D4800C877A703B823AC0578FF8DB', 'x'],
      ['EVALSHA', 'E0E1F9FABFC9D4800C877A703B823AC0578FF8DB', '0'],
      ['EVALSHA_RO', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'],
      ['SCRIPT', 'LOAD', 'return +'],
      ['SCRIPT', 'LOAD', '#!lua flags=nope\nreturn 1'],
      ['SCRIPT', 'FLUSH', 'x'],
      ['SCRIPT', 'FLUSH', 'async', 'x'],
      ['SCRIPT', 'FLUSH', 'SYNC'],
      ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'],
      ['SCRIPT', 'KILL'],
      ['SCRIPT', 'FOO'],
      ['SCRIPT'],
      ['SCRIPT', 'LOAD'],
      ['SCRIPT', 'EXISTS'],
    ],
    'flags',
  );
});

test('SCRIPT FLUSH ASYNC of more than 64 scripts counts them as lazily freed; the cache figures in INFO', { skip: sp.skip }, async () => {
  const { g, r } = sp.p;
  const lazyfreed = async (c: RespClient): Promise<string> => /lazyfreed_objects:(\d+)/.exec((await c.call('INFO', 'memory')).raw)![1];
  const cached = async (c: RespClient): Promise<string> => /number_of_cached_scripts:(\d+)/.exec((await c.call('INFO', 'memory')).raw)![1];
  await same(
    [
      ['SCRIPT', 'FLUSH'],
      ['CONFIG', 'RESETSTAT'],
    ],
    'reset',
  );
  for (let i = 0; i < 70; i++) await same([['SCRIPT', 'LOAD', `return ${i}`]], 'load');
  assert.equal(await cached(g), await cached(r));
  await same([['SCRIPT', 'FLUSH', 'ASYNC']], 'flush');
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(await lazyfreed(g), await lazyfreed(r));
  assert.equal(await cached(g), '0');
  for (let i = 0; i < 10; i++) await same([['SCRIPT', 'LOAD', `return ${i}`]], 'load');
  await same([['SCRIPT', 'FLUSH', 'ASYNC']], 'flush');
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(await lazyfreed(g), await lazyfreed(r));
});

test('commands from scripts: SELECT stays the script client’s, SORT is sorted, blocking commands do not block', { skip: sp.skip }, async () => {
  await same(
    [
      ['FLUSHALL'],
      ['SELECT', '0'],
      ['SET', 'k', 'db0'],
      ev("redis.call('select','9') redis.call('set','k','db9') return redis.call('get','k')"),
      ['GET', 'k'],
      ['SELECT', '9'],
      ['GET', 'k'],
      ['SELECT', '0'],
      ['SADD', 'myset', 'c', 'a', 'b', '10', '2'],
      ev("return redis.call('sort',KEYS[1],'by','_')", '1', 'myset'),
      ev("return redis.call('sort',KEYS[1],'desc')", '1', 'myset'),
      ev("return redis.call('blpop','nolist',0)"),
      ev("return redis.call('brpop','nolist',0)"),
      ev("return redis.call('brpoplpush','nolist','x',0)"),
      ev("return redis.call('blmove','nolist','x','LEFT','RIGHT',0)"),
      ev("return redis.call('bzpopmin','nozset',0)"),
      ev("return redis.call('bzpopmax','nozset',0)"),
      ev("return redis.call('xread','BLOCK','0','STREAMS','s','$')"),
      ev("local a = {} for i=1,7999 do a[i] = 1 end return redis.call('lpush', 'l', unpack(a))"),
      ev("redis.call('set','key','value','ex','10') return redis.call('ttl','key')"),
    ],
    'commands',
  );
});

test('error stats and command stats count what Redis counts for scripts', { skip: sp.skip }, async () => {
  const { g, r } = sp.p;
  const stats = async (c: RespClient): Promise<string> => {
    const e = (await c.call('INFO', 'errorstats')).raw;
    const cs = (await c.call('INFO', 'commandstats')).raw
      .split('\r\n')
      .filter((l) => l.startsWith('cmdstat_') && !/cmdstat_(info|config)/.test(l))
      .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, ''))
      .sort();
    return e + cs.join('\n');
  };
  await same(
    [
      ['SET', 's', 'x'],
      ['CONFIG', 'RESETSTAT'],
    ],
    'reset',
  );
  await same(
    [
      ev("return redis.pcall('lpush','s','a')"),
      ev("return redis.call('lpush','s','a')"),
      ev("error('x')"),
      ev("return redis.error_reply('MY err')"),
      ev("return {err='ERR x'}"),
      ev("return redis.call('nosuch')"),
      ev("return redis.pcall('set')"),
      ev("return redis.call('get','s')"),
      ['EVAL_RO', "return redis.call('set','x','1')", '0'],
    ],
    'stats',
  );
  assert.equal(await stats(g), await stats(r));
  // refusals by the script's checks (OOM, read-only) count as the refused command's, not the script's failure
  await same(
    [
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['CONFIG', 'RESETSTAT'],
    ],
    'oom',
  );
  try {
    await same(
      [
        ev("return redis.call('set','x','y')", '1', 'x'),
        ev("local t = redis.pcall('set','x','y') return t['err']", '1', 'x'),
        ev("return redis.pcall('set','x','y')", '1', 'x'),
        ev("return redis.call('get','x')", '1', 'x'),
        ev('#!lua\nreturn 1'),
        ev('#!lua flags=no-writes\nreturn 1'),
        ev("#!lua flags=allow-oom\nreturn redis.call('set','x','y')", '1', 'x'),
        ['EVAL_RO', "local t = redis.pcall('set','x','y') return t['err']", '1', 'x'],
      ],
      'oom',
    );
    assert.equal(await stats(g), await stats(r));
  } finally {
    await same([['CONFIG', 'SET', 'maxmemory', '0']], 'oom');
  }
  await same(
    [
      ['CONFIG', 'SET', 'min-replicas-to-write', '1'],
      ['CONFIG', 'RESETSTAT'],
    ],
    'noreplicas',
  );
  try {
    await same(
      [
        ev("#!lua flags=no-writes\nreturn redis.call('get','x')", '1', 'x'),
        ev("return redis.call('get','x')", '1', 'x'),
        ev("#!lua\nreturn redis.call('get','x')", '1', 'x'),
        ev("return redis.call('set','x', 1)", '1', 'x'),
      ],
      'noreplicas',
    );
    assert.equal(await stats(g), await stats(r));
  } finally {
    await same([['CONFIG', 'SET', 'min-replicas-to-write', '0']], 'noreplicas');
  }
});

test('a busy script: BUSY for others, SCRIPT KILL and its error, UNKILLABLE after a write', { skip: sp.skip }, async () => {
  const { gkv, redis } = sp.p;
  const run = async (port: number): Promise<string[]> => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    const out: string[] = [];
    try {
      await b.call('CONFIG', 'SET', 'busy-reply-threshold', '10');
      const killed = a.call('EVAL', 'local x = 0\nwhile true do x = x + 1 end', '0');
      const after = a.call('PING');
      let busy = '';
      for (let i = 0; i < 300 && !busy.startsWith('-BUSY'); i++) {
        busy = (await b.call('PING')).raw;
        if (!busy.startsWith('-BUSY')) await new Promise((res) => setTimeout(res, 10));
      }
      out.push(busy, (await b.call('FUNCTION', 'KILL')).raw, (await b.call('SHUTDOWN')).raw, (await b.call('SCRIPT', 'KILL')).raw);
      // the line Redis's count hook saw: gKV's compiled loops do not count lines (the position is the last call's)
      out.push((await killed).raw.replace(/script: [0-9a-f]{40}, on @user_script:\d+/, 'script: <sha>, on @user_script:<line>'), (await after).raw, (await b.call('SCRIPT', 'KILL')).raw);
      // a script that wrote, then runs for half a second of its own
      const dirty = a.call('EVAL', "redis.call('set','w','1') local x = 0 for i = 1, 50000000 do x = x + i end return 'done'", '0');
      busy = '';
      for (let i = 0; i < 300 && !busy.startsWith('-BUSY'); i++) {
        busy = (await b.call('PING')).raw;
        if (!busy.startsWith('-BUSY')) await new Promise((res) => setTimeout(res, 10));
      }
      out.push((await b.call('SCRIPT', 'KILL')).raw, (await dirty).raw, (await b.call('GET', 'w')).raw);
    } finally {
      a.close();
      b.close();
    }
    return out;
  };
  const [x, y] = await Promise.all([run(gkv.port), run(redis.port)]);
  assert.deepEqual(x, y);
});
