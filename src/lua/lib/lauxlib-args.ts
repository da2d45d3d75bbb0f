/**
 * The argument checks of Lua 5.1's lauxlib (luaL_checklstring,
 * luaL_checkinteger, luaL_optinteger, luaL_checknumber, luaL_checkstack) as
 * the C libraries Redis bundles (cjson, cmsgpack, struct, bit) call them,
 * with lauxlib's error texts: "bad argument #1 to 'unpack' (string expected,
 * got no value)", "stack overflow (…)".
 *
 * Natives receive their arguments as a JS array; an argument past its end is
 * "no value" (lua_type LUA_TNONE), which errors name differently from nil.
 */
import type { LuaState } from '../state.js';
import { type LuaValue, luaType, numberToString, stringToNumber } from '../value.js';

/** Lua 5.1's LUAI_MAXCSTACK: the most slots a C function may use (lua_checkstack's bound). */
export const LUAI_MAXCSTACK = 8000;

/** luaL_typename of argument n (1-based) of args: "no value" past the end */
export function argTypeName(args: LuaValue[], n: number): string {
  return n > args.length ? 'no value' : luaType(args[n - 1]);
}

/** luaL_typerror: "bad argument #n to 'fname' (<tname> expected, got <type>)" */
export function typeError(L: LuaState, args: LuaValue[], n: number, fname: string, tname: string): never {
  throw L.argError(n, fname, `${tname} expected, got ${argTypeName(args, n)}`);
}

/** luaL_checklstring: a string, or a number converted as lua_tolstring does (%.14g) */
export function checkString(L: LuaState, args: LuaValue[], n: number, fname: string): string {
  const v = args[n - 1];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  return typeError(L, args, n, fname, 'string');
}

/** luaL_checknumber: a number, or a string that converts to one */
export function checkNumber(L: LuaState, args: LuaValue[], n: number, fname: string): number {
  const v = args[n - 1];
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const d = stringToNumber(v);
    if (d !== undefined) return d;
  }
  return typeError(L, args, n, fname, 'number');
}

/**
 * lua_Number → lua_Integer (ptrdiff_t, 64 bits) as x86-64's cvttsd2si does
 * it: truncation toward zero; NaN and values out of int64's range give
 * INT64_MIN ("integer indefinite"), which is -2^63 exactly as a double.
 */
export function numberToInteger(d: number): number {
  if (d !== d || d >= 9223372036854775808 || d < -9223372036854775808) return -9223372036854775808;
  return Math.trunc(d) + 0; // + 0: -0 is 0
}

/** luaL_checkinteger: (lua_Integer) of luaL_checknumber's value */
export function checkInteger(L: LuaState, args: LuaValue[], n: number, fname: string): number {
  return numberToInteger(checkNumber(L, args, n, fname));
}

/** luaL_optinteger: def when the argument is none or nil */
export function optInteger(L: LuaState, args: LuaValue[], n: number, fname: string, def: number): number {
  return args[n - 1] === undefined ? def : checkInteger(L, args, n, fname);
}

/** (int) of a lua_Integer: its low 32 bits, signed */
export function toCInt(i: number): number {
  if (i >= -2147483648 && i <= 2147483647) return i;
  return Number(BigInt.asIntN(32, BigInt(i)));
}

/**
 * luaL_checkstack(L, n, msg) of a C function that has `top` slots in use:
 * Lua 5.1 refuses to grow a C function's stack past LUAI_MAXCSTACK slots.
 */
export function checkStack(L: LuaState, top: number, n: number, msg: string): void {
  if (n > LUAI_MAXCSTACK || top + n > LUAI_MAXCSTACK) throw L.error(`stack overflow (${msg})`);
}
