/**
 * The engine's contract with its host (src/lua/index.ts): compiled code
 * pauses at its step budget, a kill request stops it at the next pause and
 * pcall cannot catch it, pauses pass through pcall and coroutines, syntax
 * errors are LuaErrors with lua5.1's text, a chunk's environment can be
 * given at load time or by setfenv, and deep recursion ends in Lua's
 * "stack overflow", never in a JS RangeError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUDGET, LuaError, LuaKill, LuaState, LuaTable, type LuaValue, loadChunk, openBase, openCoroutine, runToEnd } from '../../src/lua/index.js';

function state(): LuaState {
  const L = new LuaState();
  openBase(L, { print: () => {} });
  openCoroutine(L);
  return L;
}

/** drives f's generator by hand: how many budget pauses it made, and its results */
function drive(L: LuaState, src: string, onPause?: (n: number) => void): { pauses: number; results: LuaValue[] } {
  const f = loadChunk(L, src, '@t');
  L.steps = 1000;
  const gen = f.g();
  for (let pauses = 0; ; pauses++) {
    const r = gen.next();
    if (r.done) return { pauses, results: r.value };
    assert.equal(r.value, BUDGET);
    onPause?.(pauses);
    if (L.kill !== undefined) throw L.kill;
    L.steps = 1000;
  }
}

test('a long loop pauses every budget of steps and still computes its result', () => {
  const L = state();
  const { pauses, results } = drive(L, 'local s = 0 for i = 1, 100000 do s = s + i end return s');
  assert.ok(pauses >= 99 && pauses <= 101, `pauses: ${pauses}`);
  assert.deepEqual(results, [5000050000]);
});

test('recursion pauses too: function entries count as steps', () => {
  const L = state();
  const { pauses, results } = drive(L, 'local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return f(2000)');
  assert.ok(pauses >= 1, `pauses: ${pauses}`);
  assert.deepEqual(results, [2000]);
});

test('a kill request stops the script at its next pause, and pcall does not catch it', () => {
  const L = state();
  const kill = new LuaKill('killed by test');
  assert.throws(
    () =>
      drive(L, 'while true do pcall(function() for i = 1, 10 do end end) end', (n) => {
        if (n === 3) L.kill = kill;
      }),
    (e) => e === kill,
  );
});

test('budget pauses pass through pcall and coroutines', () => {
  const L = state();
  const src = `
    local co = coroutine.wrap(function() local n = 0 for i = 1, 5000 do n = n + 1 end coroutine.yield(n) return "end" end)
    local ok, v = pcall(function() local s = 0 for i = 1, 5000 do s = s + 1 end return s end)
    return ok, v, co(), co()`;
  const { pauses, results } = drive(L, src);
  assert.ok(pauses >= 9, `pauses: ${pauses}`);
  assert.deepEqual(results, [true, 5000, 5000, 'end']);
});

test('syntax errors are LuaErrors worded as lua5.1 words them', () => {
  const L = state();
  assert.throws(
    () => loadChunk(L, 'x = = 1', '@user_script'),
    (e) => e instanceof LuaError && e.value === "user_script:1: unexpected symbol near '='",
  );
  assert.throws(
    () => loadChunk(L, 'function f()\n', '=stdin'),
    (e) => e instanceof LuaError && e.value === "stdin:2: 'end' expected (to close 'function' at line 1) near '<eof>'",
  );
});

test('a chunk runs with the environment it was loaded with, or the one setfenv gives it', () => {
  const L = state();
  const env = new LuaTable();
  env.set('x', 42);
  assert.deepEqual(runToEnd(L, loadChunk(L, 'return x', '@t', env)), [42]);
  const f = loadChunk(L, 'y = 7 return y', '@t');
  const env2 = new LuaTable();
  (L.globals.get('setfenv') as (...a: LuaValue[]) => LuaValue[])(f, env2);
  assert.deepEqual(runToEnd(L, f), [7]);
  assert.equal(env2.get('y'), 7);
  assert.equal(L.globals.get('y'), undefined);
});

test('unbounded recursion is a Lua "stack overflow" error, caught by pcall or thrown as a LuaError', () => {
  const L = state();
  assert.deepEqual(runToEnd(L, loadChunk(L, 'local function f() return 1 + f() end return pcall(f)', '@t')), [false, 't:1: stack overflow']);
  assert.throws(
    () => runToEnd(L, loadChunk(L, 'local function f(a, b, c) local t = {a, b, c} return 1 + f(t, a, b) end return f()', '@t')),
    (e) => e instanceof LuaError && /stack overflow$/.test(String(e.value)),
  );
  // the state is usable afterwards
  assert.deepEqual(runToEnd(L, loadChunk(L, 'return 1 + 1', '@t')), [2]);
});

// Differs from Lua and Redis on purpose (a platform limit): a string longer than V8's maximum (~2^29
// bytes; Lua allows more, Redis 512 MB) cannot exist, and is Lua's memory error rather than a crash.
test('a string past V8\'s length limit is Lua\'s "not enough memory", caught by pcall', () => {
  const L = state();
  const grow = "local s = 'a' for i = 1, 30 do s = s .. s end return #s";
  assert.deepEqual(runToEnd(L, loadChunk(L, `return pcall(function() ${grow} end)`, '@t')), [false, 'not enough memory']);
  assert.throws(
    () => runToEnd(L, loadChunk(L, grow, '@t')),
    (e) => e instanceof LuaError && e.value === 'not enough memory',
  );
});

test('runtime errors carry the chunk name and line of the failing code', () => {
  const L = state();
  assert.throws(
    () => runToEnd(L, loadChunk(L, 'local t = nil\nreturn t.x', '@user_script')),
    (e) => e instanceof LuaError && e.value === "user_script:2: attempt to index local 't' (a nil value)",
  );
});
