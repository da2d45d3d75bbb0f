/**
 * lua_load for gKV's Lua: source → syntax tree (parser.ts) → JavaScript
 * (compile.ts) → one `new Function` per chunk, instantiated for a state.
 * Caching compiled chunks (per script SHA) is the host's business.
 */
import { compileChunk } from './compile.js';
import { chunkId } from './lexer.js';
import { parse } from './parser.js';
import * as rt from './runtime.js';
import type { LuaState } from './state.js';
import type { LuaClosure, LuaTable } from './value.js';

/**
 * Compiles a chunk into its main function, a vararg LuaClosure whose
 * globals are `env` (default L.globals; setfenv can change it later).
 * `chunkname` is what errors show before ":line:": a name starting with '@'
 * or '=' is shown without that character (lua_load's convention: Redis
 * loads scripts as "@user_script"); any other name is shown as given.
 * Throws a LuaError carrying lua5.1's syntax error message.
 */
export function loadChunk(L: LuaState, source: string, chunkname: string, env?: LuaTable): LuaClosure {
  const name = chunkname.startsWith('@') || chunkname.startsWith('=') ? chunkId(chunkname) : chunkname;
  const js = compileChunk(parse(source, name), name);
  const factory = new Function('rt', 'L', 'env', js) as (r: typeof rt, L: LuaState, env: LuaTable) => LuaClosure;
  return factory(rt, L, env ?? L.globals);
}
