/**
 * FUNCTION and FCALL against Redis: the same replies, byte for byte, in
 * RESP2 and RESP3, for the registry's commands (LOAD's metadata errors,
 * LIST's shape and options, STATS, DELETE, FLUSH, DUMP's payload bytes,
 * RESTORE's policies and errors, HELP, KILL) and FCALL's argument checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedPair } from './runner.js';
import { waitFor } from '../harness/servers.js';

const sp = sharedPair();

const lib = (name: string, ...fns: string[]): string => `#!lua name=${name}\n${fns.map((f) => `redis.register_function('${f}', function(keys, args) return 1 end)`).join('\n')}`;

async function compare(forms: string[][]): Promise<void> {
  const { g, r } = sp.p;
  for (const f of forms) {
    const [a, b] = await Promise.all([g.call(...f), r.call(...f)]);
    assert.equal(a.raw, b.raw, `${JSON.stringify(f).slice(0, 200)}`);
  }
}

test('FUNCTION LOAD, LIST, STATS, DELETE and FLUSH reply as Redis, RESP2 and RESP3', { skip: sp.skip }, async () => {
  const forms: string[][] = [
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', lib('mylib', 'f1')],
    ['FUNCTION', 'LOAD', lib('mylib', 'f1')],
    ['FUNCTION', 'LOAD', 'REPLACE', 'REPLACE', lib('mylib', 'f1')],
    ['FUNCTION', 'LOAD', 'foo', lib('x', 'f9')],
    ['FUNCTION', 'LOAD'],
    ['FUNCTION', 'LOAD', 'REPLACE'],
    ['FUNCTION', 'LOAD', '#!lua'],
    ['FUNCTION', 'LOAD', '#!lua\nredis.register_function("a", function() end)'],
    ['FUNCTION', 'LOAD', '#!lua name=a b=c\nx'],
    ['FUNCTION', 'LOAD', '#!lua name=a name=b\nx'],
    ['FUNCTION', 'LOAD', '#!foo name=a\nx'],
    ['FUNCTION', 'LOAD', '#! name=a\nx'],
    ['FUNCTION', 'LOAD', '#!lua name=a-b\nx'],
    ['FUNCTION', 'LOAD', '#!lua name=\nx'],
    ['FUNCTION', 'LOAD', '#!lua name="a\nx'],
    ['FUNCTION', 'LOAD', 'lua name=a\nx'],
    ['FUNCTION', 'LOAD', '#!lua name=x\n'],
    ['FUNCTION', 'LOAD', '#!lua name="q_1"\n' + "redis.register_function('q', function() return 1 end)"],
    ['FUNCTION', 'LOAD', lib('other', 'F1')],
    ['FUNCTION', 'LOAD', lib('other', 'g1')],
    ['FUNCTION', 'LOAD', lib('bad', '1a-')],
    ['FUNCTION', 'LOAD', lib('bad', '')],
    ['FUNCTION', 'LOAD', 'REPLACE', '#!lua name=other\n bad script \n'],
    ['FUNCTION', 'DELETE', 'q_1'],
    // libraries (and a library's functions) list in Redis's dict order, random per process: one at a time
    ['FUNCTION', 'LIST', 'libraryname', 'my*'],
    ['FUNCTION', 'LIST', 'libraryname', 'MY?IB'],
    ['FUNCTION', 'LIST', 'WITHCODE', 'libraryname', 'oth?r'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'nomatch*', 'withcode'],
    ['FUNCTION', 'LIST', 'libraryname'],
    ['FUNCTION', 'LIST', 'foo'],
    ['FUNCTION', 'LIST', 'withcode', 'withcode'],
    ['FUNCTION', 'LIST', 'libraryname', 'a', 'libraryname', 'b'],
    ['FUNCTION', 'STATS'],
    ['FUNCTION', 'STATS', 'x'],
    ['FUNCTION', 'DELETE', 'nosuch'],
    ['FUNCTION', 'DELETE', 'MYLIB'],
    ['FUNCTION', 'DELETE'],
    ['FUNCTION', 'DELETE', 'mylib'],
    ['FUNCTION', 'LIST'],
    ['FUNCTION', 'STATS'],
    ['FUNCTION', 'KILL'],
    ['FUNCTION', 'KILL', 'x'],
    ['FUNCTION', 'HELP'],
    ['FUNCTION', 'HELP', 'x'],
    ['FUNCTION', 'NOSUCH'],
    ['FUNCTION'],
    ['FUNCTION', 'FLUSH', 'foo'],
    ['FUNCTION', 'FLUSH', 'sync', 'async'],
    ['FUNCTION', 'FLUSH', 'ASYNC'],
    ['FUNCTION', 'FLUSH', 'sync'],
    ['FUNCTION', 'LIST'],
    ['FUNCTION', 'STATS'],
  ];
  await compare(forms);
  const { g, r } = sp.p;
  await Promise.all([g.call('HELLO', '3'), r.call('HELLO', '3')]);
  await compare(forms);
  await Promise.all([g.call('HELLO', '2'), r.call('HELLO', '2')]);
});

test("FUNCTION DUMP gives Redis's bytes; RESTORE with each policy and its errors replies as Redis", { skip: sp.skip }, async () => {
  const { r } = sp.p;
  await compare([
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'DUMP'],
    ['FUNCTION', 'LOAD', `#!lua name=long\n-- ${'x'.repeat(300)}\n${"redis.register_function('lz', function() return 1 end)\n".repeat(1)}`],
    ['FUNCTION', 'DUMP'],
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', lib('l1', 'f1')],
    ['FUNCTION', 'DUMP'],
    // a second library: the payload's order is Redis's dict order (random per process), so not compared
    ['FUNCTION', 'LOAD', lib('l3', 'f3')],
  ]);
  const dump = (await r.cmd('FUNCTION', 'DUMP')) as string;
  // (with two libraries the payload's order is Redis's dict order: gKV restores Redis's own)
  const other = lib('l2', 'h1');
  await compare([
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'RESTORE', dump],
    // one of the two libraries there: the collision named does not depend on the payload's order
    ['FUNCTION', 'DELETE', 'l3'],
    ['FUNCTION', 'RESTORE', dump, 'APPEND'],
    ['FUNCTION', 'RESTORE', dump, 'REPLACE'],
    ['FUNCTION', 'STATS'],
    ['FUNCTION', 'RESTORE', dump, 'FLUSH'],
    ['FUNCTION', 'RESTORE', dump, 'foo'],
    ['FUNCTION', 'RESTORE', dump, 'FLUSH', 'x'],
    ['FUNCTION', 'RESTORE'],
    ['FUNCTION', 'RESTORE', 'abc'],
    ['FUNCTION', 'RESTORE', dump.slice(0, -1) + 'x'],
    ['FUNCTION', 'RESTORE', 'x'.repeat(5) + dump.slice(-10)],
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', other],
    ['FUNCTION', 'RESTORE', dump, 'APPEND'],
    ['FUNCTION', 'STATS'],
    ['FUNCTION', 'LOAD', 'REPLACE', lib('l2', 'f1')],
    ['FUNCTION', 'RESTORE', dump, 'REPLACE'],
    ['FUNCTION', 'RESTORE', dump, 'FLUSH'],
    ['FUNCTION', 'STATS'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'l1', 'WITHCODE'],
  ]);
});

test('FCALL and FCALL_RO check the function and the number of keys as Redis', { skip: sp.skip }, async () => {
  await compare([
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', lib('l1', 'f1')],
    ['FCALL', 'nosuch', '0'],
    ['FCALL_RO', 'nosuch', '0'],
    ['FCALL', 'f1', 'x'],
    ['FCALL', 'f1', '-1'],
    ['FCALL', 'f1', '3', 'a'],
    ['FCALL', 'f1', '1.5'],
    ['FCALL_RO', 'f1', '-1', 'a'],
    ['FCALL', 'f1'],
    ['FCALL_RO'],
    ['FUNCTION', 'FLUSH'],
  ]);
});

test('redis.register_function in both forms, its argument errors and the load environment reply as Redis', { skip: sp.skip }, async () => {
  const L = (body: string): string[] => ['FUNCTION', 'LOAD', 'REPLACE', `#!lua name=x\n${body}`];
  await compare([
    ['FUNCTION', 'FLUSH'],
    L('redis.register_function()'),
    L("redis.register_function('a')"),
    L("redis.register_function('a', 1)"),
    L('redis.register_function(1, function() end)'),
    L('redis.register_function({}, function() end)'),
    L("redis.register_function('a', function() end, 3)"),
    L('redis.register_function(1)'),
    L("redis.register_function({function_name='a'})"),
    L('redis.register_function({callback=function() end})'),
    L("redis.register_function({function_name='a', callback=function() end, flags={'bad'}})"),
    L("redis.register_function({function_name='a', callback=function() end, flags='no-writes'})"),
    L("redis.register_function({function_name='a', callback=function() end, flags={1}})"),
    L("redis.register_function({function_name='a', callback=function() end, flags={true}})"),
    L("redis.register_function({function_name='a', callback=1})"),
    L('redis.register_function({function_name=1, callback=function() end})'),
    L('redis.register_function({function_name={}, callback=function() end})'),
    L("redis.register_function({function_name='a', description={}, callback=function() end})"),
    L("redis.register_function({function_name='a', description=5, callback=function() end})"),
    L("redis.register_function({function_name='a', foo=5, callback=function() end})"),
    L("redis.register_function({FUNCTION_NAME='a', CallBack=function() end, FLAGS={'NO-WRITES'}})"),
    L("redis.register_function('a-b', function() end)"),
    L("redis.register_function('', function() end)"),
    L("redis.register_function('g', function() end) redis.register_function('g', function() end)"),
    L("redis.register_function{function_name='a', callback=function() end, flags={'no-writes','allow-oom','allow-stale','no-cluster','allow-cross-slot-keys'}, description='desc'}"),
    ['FUNCTION', 'LIST'],
    L("redis.call('ping')"),
    L('redis.setresp(3)'),
    L('redis.set_repl(redis.REPL_NONE)'),
    L('redis.redis.call()'),
    L('x = 1'),
    L('local x = = 1'),
    L('return 1'),
    L(
      "local t = redis.LOG_DEBUG .. redis.LOG_VERBOSE .. redis.LOG_NOTICE .. redis.LOG_WARNING .. redis.REDIS_VERSION_NUM .. redis.REDIS_VERSION redis.register_function('v', function() return t end)",
    ),
    ['FCALL', 'v', '0'],
    L('local a = 1 while true do a = a + 1 end'),
    ['FUNCTION', 'LIST'],
  ]);
});

test('FCALL and FCALL_RO run functions as Redis: KEYS and ARGV, replies, errors with the function name and line, read-only rules', { skip: sp.skip }, async () => {
  const code = `#!lua name=lib1
local function w(keys, args) return redis.call('set', keys[1], args[1]) end
redis.register_function('w', w)
redis.register_function{function_name='r', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}}
redis.register_function('e2', function() return redis.call('nosuch') end)
redis.register_function('e3', function() return redis.error_reply('MY err') end)
redis.register_function('e4', function() local x = nil; return x.y end)
redis.register_function('s', function() globalx = 1 end)
redis.register_function{function_name='rw2', callback=function(keys) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}
redis.register_function('rf', function() redis.register_function('zz', function() end) end)
redis.register_function('args', function(keys, args) return {#keys, #args, keys[1], args[1], args[2]} end)
redis.register_function('st', function() return redis.status_reply('FINE') end)
redis.register_function('tbl', function() return {1, 'two', {3}, false, 5} end)
local lib = redis
redis.register_function('f2', function() lib.register_function('f9', function() end) end)
redis.register_function('f3', function() lib.math = 1 end)`;
  await compare([
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', code],
    ['FCALL', 'w', '1', 'k', 'v'],
    ['FCALL', 'W', '1', 'k', 'v2'],
    ['FCALL', 'r', '1', 'k'],
    ['FCALL_RO', 'r', '1', 'k'],
    ['FCALL_RO', 'w', '1', 'k', 'v'],
    ['FCALL', 'e2', '0'],
    ['FCALL', 'e3', '0'],
    ['FCALL', 'e4', '0'],
    ['FCALL', 's', '0'],
    ['FCALL', 'rw2', '1', 'k'],
    ['FCALL', 'rf', '0'],
    ['FCALL', 'args', '2', 'k1', 'k2', 'a1', 'a2'],
    ['FCALL', 'args', '0'],
    ['FCALL', 'st', '0'],
    ['FCALL', 'tbl', '0'],
    ['FCALL', 'f2', '0'],
    ['FCALL', 'f3', '0'],
    ['GET', 'k'],
    ['FUNCTION', 'FLUSH'],
  ]);
});

test("INFO memory's used_memory_functions, number_of_functions and number_of_libraries count as Redis's", { skip: sp.skip }, async () => {
  const { g, r } = sp.p;
  const fields = async (c: typeof g): Promise<string> =>
    (await c.call('INFO', 'memory')).raw
      .split('\r\n')
      .filter((l) => /^(used_memory_functions|number_of_functions|number_of_libraries|used_memory_scripts):/.test(l))
      .join(' ');
  const steps: string[][] = [
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', lib('mylib', 'f1')],
    ['FUNCTION', 'LOAD', `#!lua name=second_library\nredis.register_function{function_name='f2', callback=function() return 1 end, description='a description'}\n${lib('', 'f3').slice(12)}`],
    // (past 4 functions Redis's dict grows and rehashes step by step, which gKV's estimate does not follow)
    ['FUNCTION', 'DELETE', 'mylib'],
    ['FUNCTION', 'FLUSH'],
  ];
  for (const st of steps) {
    const [a, b] = await Promise.all([g.call(...st), r.call(...st)]);
    assert.equal(a.raw, b.raw);
    assert.equal(await fields(g), await fields(r), JSON.stringify(st));
  }
});

test('FUNCTION FLUSH ASYNC hands the functions to lazy freeing only past 64 of them, as Redis counts lazyfreed_objects', { skip: sp.skip }, async () => {
  const { g, r } = sp.p;
  const freed = async (c: typeof g): Promise<string> => /lazyfreed_objects:\d+/.exec((await c.call('INFO', 'memory')).raw)![0];
  const many = `#!lua name=many\n${Array.from({ length: 70 }, (_, i) => `redis.register_function('m${i}', function() return ${i} end)`).join('\n')}`;
  for (const code of [lib('few', 'f1', 'f2'), many]) {
    await compare([
      ['CONFIG', 'RESETSTAT'],
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'LOAD', code],
      ['FUNCTION', 'FLUSH', 'ASYNC'],
    ]);
    await waitFor(async () => (await freed(g)) === (await freed(r)), `lazyfreed_objects after ${code.slice(0, 20)}`, 5000);
  }
});
