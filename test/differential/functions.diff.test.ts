/**
 * FUNCTION and FCALL against Redis: the same replies, byte for byte, in
 * RESP2 and RESP3, for the registry's commands (LOAD's metadata errors,
 * LIST's shape and options, STATS, DELETE, FLUSH, DUMP's payload bytes,
 * RESTORE's policies and errors, HELP, KILL) and FCALL's argument checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedPair } from './runner.js';
import { useRegexEngine } from '../harness/regex-function-engine.js';

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
  useRegexEngine(sp.p.gkv);
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
  useRegexEngine(sp.p.gkv);
  const { g, r } = sp.p;
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
    ['FUNCTION', 'RESTORE', dump],
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
  useRegexEngine(sp.p.gkv);
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
