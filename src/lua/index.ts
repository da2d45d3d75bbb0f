/**
 * gKV's Lua 5.1 engine: the entry points the scripting layer and the tests
 * use. Lua source is compiled to JavaScript (load.ts → parser.ts →
 * compile.ts) and runs as generators that pause when their step budget is
 * spent (see value.ts and state.ts for the contract, runtime.ts for the
 * slow paths, lib/ for the libraries).
 */
import { asLuaError } from './runtime.js';
import { LuaKill, type LuaState, STEP_BUDGET } from './state.js';
import { BUDGET, LuaClosure, LuaError, type LuaValue } from './value.js';

export { loadChunk } from './load.js';
export { openBase, type BaseOptions } from './lib/base.js';
export { openCoroutine, LuaThread } from './lib/coroutine.js';
export { chunkId } from './lexer.js';
export * from './value.js';
export * from './state.js';

/**
 * Runs f(...args) to completion: a minimal driver for tests and tools. The
 * step budget is refilled at every pause; a kill request (L.kill) stops the
 * script by throwing it; a yield outside any coroutine is an error. A JS
 * RangeError (stack exhausted) comes out as Lua's "stack overflow" LuaError.
 */
export function runToEnd(L: LuaState, f: LuaValue, args: LuaValue[] = []): LuaValue[] {
  if (!(f instanceof LuaClosure)) return L.callSync(f, args);
  L.depth = 0;
  L.ccalls = 0;
  L.line = 0;
  L.steps = STEP_BUDGET;
  const gen = f.g(...args);
  for (;;) {
    let r: IteratorResult<unknown, LuaValue[]>;
    try {
      r = gen.next();
    } catch (e) {
      if (e instanceof RangeError) throw asLuaError(L, e);
      throw e;
    }
    if (r.done) return r.value;
    if (r.value !== BUDGET) throw L.error('attempt to yield across metamethod/C-call boundary');
    if (L.kill !== undefined) throw L.kill;
    L.steps = STEP_BUDGET;
  }
}

export { LuaKill, LuaError };
