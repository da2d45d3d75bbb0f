/**
 * What the scripting runtime takes from the Lua engine (src/lua/): the
 * libraries a script's sandbox opens, in Redis's order (luaLoadLibraries:
 * base, table, string, math, cjson, struct, cmsgpack, bit), each a module
 * exporting its opener, and the compiler.
 */
import type { LuaState } from '../lua/state.js';
import type { LuaValue } from '../lua/value.js';
import { openString } from '../lua/lib/string.js';
import { openTable } from '../lua/lib/table.js';
import { openMath } from '../lua/lib/math.js';
import { openCjson } from '../lua/lib/cjson.js';
import { openStruct } from '../lua/lib/struct.js';
import { openCmsgpack } from '../lua/lib/cmsgpack.js';
import { openBit } from '../lua/lib/bit.js';
import { loadChunk, openBase, openCoroutine } from '../lua/index.js';

/** print writes nowhere a script could see: Redis removes it from the sandbox (engine.ts deletes the global) */
const openBaseLib = (L: LuaState): void => openBase(L, { print: () => {} });

export const LUA_LIBRARIES: ((L: LuaState) => void)[] = [openBaseLib, openCoroutine, openTable, openString, openMath, openCjson, openStruct, openCmsgpack, openBit];

/**
 * The compiler: the compiled chunk of `source`, named "@<chunkname>" as
 * Redis loads scripts (errors show "user_script:1: …"); throws a LuaError
 * carrying the syntax error. A field, so tests can put a compiler of their
 * own in front of it.
 */
export const LUA_COMPILER: { load: ((L: LuaState, source: string, chunkname: string) => LuaValue) | null } = {
  load: (L, source, chunkname) => loadChunk(L, source, '@' + chunkname),
};
