/**
 * The functions registry (scripting/functions.ts) with a stand-in engine:
 * shebang parsing and its errors, library create/replace/collision and the
 * rollback of a failed load, RESTORE's join semantics, per-engine counts.
 * (The LUA engine's own behaviour and the commands' replies are compared
 * with Redis by the differential tests.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type EngineInfo, type FunctionEngine, type FunctionLibInfo, Functions, FunctionsError, functionExtractLibMetaData } from '../../src/scripting/functions.js';

/** Registers a function per `register('name')` in the code; `fail` in the code fails the load. */
function fakeEngine(log: string[] = []): EngineInfo {
  const engine: FunctionEngine = {
    create(lib: FunctionLibInfo, code: string) {
      if (code.includes('fail')) throw new FunctionsError('Error registering functions: failed');
      for (const m of code.matchAll(/register\('([^']*)'\)/g)) lib.createFunction(m[1], { code: m[1] }, undefined, 0);
    },
    call() {},
    usedMemory: () => 1000,
    functionOverhead: () => 8,
    freeFunction: (fn) => log.push(`free ${(fn as { code: string }).code}`),
  };
  return { name: 'LUA', engine };
}

const lib = (name: string, ...fns: string[]) => `#!lua name=${name}\n${fns.map((f) => `register('${f}')`).join('\n')}`;

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FunctionsError, String(e));
    return e.message;
  }
  assert.fail('no error');
}

test('the shebang line: engine, name (quotes as sdssplitargs reads them), and the code from its newline on', () => {
  assert.deepEqual(functionExtractLibMetaData('#!lua name=mylib\nreturn 1'), { engine: 'lua', name: 'mylib', code: '\nreturn 1' });
  assert.deepEqual(functionExtractLibMetaData('#!LUA   NAME="a b"\n'), { engine: 'LUA', name: 'a b', code: '\n' });
  assert.equal(
    errorOf(() => functionExtractLibMetaData('lua name=x\n')),
    'Missing library metadata',
  );
  assert.equal(
    errorOf(() => functionExtractLibMetaData('#!lua name=x')),
    'Invalid library metadata',
  );
  assert.equal(
    errorOf(() => functionExtractLibMetaData('#!lua name="x\n')),
    'Invalid library metadata',
  );
  assert.equal(
    errorOf(() => functionExtractLibMetaData('#!lua\n')),
    'Library name was not given',
  );
  assert.equal(
    errorOf(() => functionExtractLibMetaData('#!lua name=a name=b\n')),
    'Invalid metadata value, name argument was given multiple times',
  );
  assert.equal(
    errorOf(() => functionExtractLibMetaData('#!lua name=a foo=bar\n')),
    'Invalid metadata value given: foo=bar',
  );
});

test('create: names checked, engine looked up case-insensitively, a library name taken unless REPLACE', () => {
  const f = new Functions([fakeEngine()]);
  assert.equal(f.create(lib('l1', 'f1', 'f2'), false), 'l1');
  assert.equal(
    errorOf(() => f.create(lib('l1', 'f9'), false)),
    "Library 'l1' already exists",
  );
  assert.equal(
    errorOf(() => f.create(lib('l-1', 'f9'), false)),
    'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long',
  );
  assert.equal(
    errorOf(() => f.create("#!js name=l2\nregister('x')", false)),
    "Engine 'js' not found",
  );
  assert.equal(
    errorOf(() => f.create('#! name=l2\n', false)),
    "Engine '' not found",
  );
  assert.equal(
    errorOf(() => f.create(lib('l2'), false)),
    'No functions registered',
  );
  assert.equal(
    errorOf(() => f.create(lib('l2', 'F1'), false)),
    'Function F1 already exists',
    'function names are case-insensitive',
  );
  assert.equal(
    errorOf(() => f.create(lib('l2', 'a', 'a'), false)),
    'Function already exists in the library',
  );
  assert.equal(
    errorOf(() => f.create(lib('l2', 'a-b'), false)),
    'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long',
  );
  assert.equal(f.create("#!LuA name=l2\nregister('g')", false), 'l2');
  assert.equal(f.lib.lookup('G')?.lib.name, 'l2');
  assert.deepEqual(f.lib.stats.get('LUA'), { libraries: 2, functions: 3 });
});

test('a failed REPLACE keeps the old library and its functions; a successful one frees them', () => {
  const log: string[] = [];
  const f = new Functions([fakeEngine(log)]);
  f.create(lib('l1', 'f1'), false);
  f.create(lib('l2', 'f2'), false);
  assert.equal(
    errorOf(() => f.create(lib('l1', 'fail'), true)),
    'Error registering functions: failed',
  );
  assert.equal(
    errorOf(() => f.create(lib('l1', 'f2'), true)),
    'Function f2 already exists',
  );
  assert.equal(f.lib.lookup('f1')?.lib.code, lib('l1', 'f1'));
  assert.deepEqual(f.lib.stats.get('LUA'), { libraries: 2, functions: 2 });
  log.length = 0;
  f.create(lib('l1', 'f3', 'f1'), true);
  assert.deepEqual(log, ['free f1']);
  assert.deepEqual([...f.lib.functions.keys()].sort(), ['f1', 'f2', 'f3']);
  assert.deepEqual(f.lib.stats.get('LUA'), { libraries: 2, functions: 3 });
});

test('join (RESTORE APPEND/REPLACE): a library name collision fails without REPLACE, a function collision always; nothing changes on failure', () => {
  const f = new Functions([fakeEngine()]);
  f.create(lib('l1', 'f1'), false);
  f.create(lib('l2', 'f2'), false);
  const other = f.newCtx();
  f.create(lib('l1', 'g1'), false, other);
  f.create(lib('l3', 'g3'), false, other);
  assert.equal(
    errorOf(() => f.lib.join(other, false)),
    'Library l1 already exists',
  );
  const clash = f.newCtx();
  f.create(lib('l1', 'f2'), false, clash);
  assert.equal(
    errorOf(() => f.lib.join(clash, true)),
    'Function f2 already exists',
  );
  assert.deepEqual([...f.lib.libraries.keys()].sort(), ['l1', 'l2']);
  assert.equal(f.lib.lookup('f1')?.lib.name, 'l1');
  f.lib.join(other, true);
  assert.deepEqual([...f.lib.libraries.keys()].sort(), ['l1', 'l2', 'l3']);
  assert.equal(f.lib.lookup('f1'), undefined);
  assert.equal(f.lib.lookup('g1')?.lib.name, 'l1');
  assert.deepEqual(f.lib.stats.get('LUA'), { libraries: 3, functions: 3 });
  assert.equal(other.libraries.size, 0);
});

test('flush drops every library (the engines stay, as 7.0 keeps its Lua VM); delete drops one', () => {
  const log: string[] = [];
  const f = new Functions([fakeEngine(log)]);
  f.create(lib('l1', 'f1', 'f2'), false);
  f.create(lib('l2', 'f3'), false);
  const before = f.engines.get('LUA');
  assert.equal(f.deleteLibrary('nope'), false);
  assert.equal(f.deleteLibrary('l2'), true);
  assert.deepEqual(log, ['free f3']);
  assert.deepEqual(f.lib.stats.get('LUA'), { libraries: 1, functions: 2 });
  assert.equal(f.flush(), 2);
  assert.equal(f.engines.get('LUA'), before);
  assert.deepEqual(f.lib.stats.get('LUA'), { libraries: 0, functions: 0 });
  assert.equal(f.numFunctions + f.numLibraries, 0);
});

test("INFO memory's functions figures follow the libraries as Redis counts them", () => {
  const m = { vmEval: 0, scriptsEval: 0, cachedScripts: 0, vmFunctions: 0, functions: 0, functionsCount: 0, librariesCount: 0 };
  const f = new Functions([fakeEngine()], m);
  assert.equal(m.functions, 200);
  f.create(`#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)`.replace("redis.register_function('f1'", "register('f1')"), false);
  assert.deepEqual([m.functionsCount, m.librariesCount], [1, 1]);
  f.flush();
  assert.deepEqual([m.functions, m.functionsCount, m.librariesCount], [200, 0, 0]);
});
