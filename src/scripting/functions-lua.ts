/**
 * The "LUA" engine of Redis 7.0's functions (function_lua.c).
 *
 * Pending: the Lua engine (src/lua) and the shared scripting runtime
 * (src/scripting) land separately; until they do, loading a library fails
 * with a compile error and nothing can be registered.
 */
import type { EngineInfo, FunctionEngine } from './functions.js';
import { FunctionsError } from './functions.js';

class LuaFunctionEngine implements FunctionEngine {
  create(): void {
    throw new FunctionsError('Error compiling function: the Lua engine is not available yet');
  }
  call(): void {
    throw new FunctionsError('the Lua engine is not available yet');
  }
  usedMemory(): number {
    return 0;
  }
  functionOverhead(): number {
    return 0;
  }
  freeFunction(): void {}
  dispose(): void {}
}

/** luaEngineInitEngine: a new LUA engine (its own Lua VM). */
export function luaEngine(): EngineInfo {
  return { name: 'LUA', engine: new LuaFunctionEngine() };
}
