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

export const LUA_LIBRARIES: ((L: LuaState) => void)[] = [openTable, openString, openMath, openCjson, openStruct, openCmsgpack, openBit];

/** loadChunk(L, source, chunkname): the compiled chunk; throws a LuaError carrying the syntax error */
export const LUA_COMPILER: { load: ((L: LuaState, source: string, chunkname: string) => LuaValue) | null } = { load: null };
