/**
 * The argument checks of Lua 5.1's lauxlib (luaL_checklstring,
 * luaL_checknumber, luaL_checkinteger, luaL_checkint, luaL_opt…, luaL_checktype)
 * and the few core operations the libraries need without a Lua position
 * (lua_lessthan, lua_gettable): shared by the string, table and math
 * libraries so that every native words its errors as lua5.1 does.
 *
 * Conventions:
 * - A native's arguments are its JS arguments; an argument that was not
 *   passed at all is "no value" in Lua's messages, an explicit nil is "nil".
 *   The checks take `argc` (the native's arguments.length) only to tell the
 *   two apart on the error path; the fast paths never need it.
 * - Numbers become integers as the C casts on x86-64 make them:
 *   (lua_Integer)d truncates toward zero and gives INT64_MIN for NaN and
 *   values out of range (cvttsd2si); (int) keeps the low 32 bits of that.
 * - Errors come from L.argError / L.error, so they carry the caller's
 *   "chunk:line:" as luaL_argerror's luaL_where(L, 1) does.
 */
import type { LuaState } from '../state.js';
import { LuaClosure, LuaError, LuaTable, LuaUserdata, type LuaValue, luaType, numberToString, stringToNumber, truthy } from '../value.js';

const TWO63 = 9223372036854775808;
const TWO32 = 4294967296;

/** luaL_typename for argument n: "no value" when it was not passed. */
export function argTypeName(v: LuaValue, n: number, argc: number): string {
  return v === undefined && n > argc ? 'no value' : luaType(v);
}

/** luaL_typerror: "bad argument #n to 'fname' (<tname> expected, got <type>)" */
export function typeError(L: LuaState, n: number, fname: string, tname: string, v: LuaValue, argc: number): LuaError {
  return L.argError(n, fname, `${tname} expected, got ${argTypeName(v, n, argc)}`);
}

/** luaL_checklstring: a string, or a number converted as tostring does ("%.14g"). */
export function checkString(L: LuaState, v: LuaValue, n: number, fname: string, argc: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  throw typeError(L, n, fname, 'string', v, argc);
}

/** luaL_optlstring */
export function optString(L: LuaState, v: LuaValue, n: number, fname: string, def: string, argc: number): string {
  return v === undefined ? def : checkString(L, v, n, fname, argc);
}

/** luaL_checknumber: a number, or a string lua_tonumber converts. */
export function checkNumber(L: LuaState, v: LuaValue, n: number, fname: string, argc: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const d = stringToNumber(v);
    if (d !== undefined) return d;
  }
  throw typeError(L, n, fname, 'number', v, argc);
}

/** luaL_optnumber */
export function optNumber(L: LuaState, v: LuaValue, n: number, fname: string, def: number, argc: number): number {
  return v === undefined ? def : checkNumber(L, v, n, fname, argc);
}

/** (lua_Integer)d on x86-64: truncation; NaN and |d| >= 2^63 give INT64_MIN. */
export function toInteger(d: number): number {
  if (d >= -TWO63 && d < TWO63) return Math.trunc(d);
  return -TWO63;
}

/** (int)(lua_Integer)d: the low 32 bits, signed. */
export function toInt(d: number): number {
  if (d > -2147483649 && d < 2147483648) return Math.trunc(d) | 0;
  const i = toInteger(d);
  if (i === -TWO63) return 0;
  // |i| may exceed 2^53 (then it is a multiple of 2^11): its low 32 bits by exact remainder
  let r = i % TWO32;
  if (r < 0) r += TWO32;
  return r | 0;
}

/** luaL_checkinteger */
export function checkInteger(L: LuaState, v: LuaValue, n: number, fname: string, argc: number): number {
  return toInteger(typeof v === 'number' ? v : checkNumber(L, v, n, fname, argc));
}

/** luaL_optinteger */
export function optInteger(L: LuaState, v: LuaValue, n: number, fname: string, def: number, argc: number): number {
  return v === undefined ? def : checkInteger(L, v, n, fname, argc);
}

/** luaL_checkint */
export function checkInt(L: LuaState, v: LuaValue, n: number, fname: string, argc: number): number {
  return toInt(typeof v === 'number' ? v : checkNumber(L, v, n, fname, argc));
}

/** luaL_optint */
export function optInt(L: LuaState, v: LuaValue, n: number, fname: string, def: number, argc: number): number {
  return v === undefined ? def : checkInt(L, v, n, fname, argc);
}

/** luaL_checktype(L, n, LUA_TTABLE) */
export function checkTable(L: LuaState, v: LuaValue, n: number, fname: string, argc: number): LuaTable {
  if (v instanceof LuaTable) return v;
  throw typeError(L, n, fname, 'table', v, argc);
}

/** luaL_checktype(L, n, LUA_TFUNCTION) */
export function checkFunction(L: LuaState, v: LuaValue, n: number, fname: string, argc: number): LuaValue {
  if (typeof v === 'function' || v instanceof LuaClosure) return v;
  throw typeError(L, n, fname, 'function', v, argc);
}

/** luaL_checkany */
export function checkAny(L: LuaState, n: number, fname: string, argc: number): void {
  if (n > argc) throw L.argError(n, fname, 'value expected');
}

function metatableOf(L: LuaState, v: LuaValue): LuaTable | undefined {
  if (v instanceof LuaTable || v instanceof LuaUserdata) return v.metatable;
  if (typeof v === 'string') return L.stringMeta;
  return undefined;
}

/**
 * luaG_ordererror's text. Raised from inside a C function (table.sort,
 * math.min in 5.2+ …) luaG_runerror adds no position, so neither does this.
 */
function orderError(a: LuaValue, b: LuaValue): LuaError {
  const t1 = luaType(a);
  const t2 = luaType(b);
  // luaG_ordererror tells "two X values" by the names' third letters (so string and thread are "two")
  return new LuaError(t1[2] === t2[2] ? `attempt to compare two ${t1} values` : `attempt to compare ${t1} with ${t2}`);
}

/**
 * luaV_lessthan as a C function sees it (lua_lessthan): numbers and strings
 * (bytewise, strcoll in the C locale) directly, else the __lt metamethod
 * both operands share, else "attempt to compare …".
 */
export function lessThan(L: LuaState, a: LuaValue, b: LuaValue): boolean {
  const ta = typeof a;
  if (ta === 'number' && typeof b === 'number') return (a as number) < b;
  if (ta === 'string' && typeof b === 'string') return (a as string) < b;
  if (luaType(a) !== luaType(b)) throw orderError(a, b);
  const h1 = metatableOf(L, a)?.get('__lt');
  if (h1 === undefined) throw orderError(a, b);
  const h2 = metatableOf(L, b)?.get('__lt');
  if (h1 !== h2) throw orderError(a, b);
  return truthy(L.callSync(h1, [a, b])[0]);
}

/**
 * lua_gettable for a table: the raw value, else its __index chain (a table
 * to look in, or a function to call), as luaV_gettable does (MAXTAGLOOP 100).
 */
export function getTable(L: LuaState, t: LuaTable, k: LuaValue): LuaValue {
  let o: LuaValue = t;
  for (let loop = 0; loop < 100; loop++) {
    if (o instanceof LuaTable) {
      const v = o.get(k);
      if (v !== undefined) return v;
      const h: LuaValue = o.metatable?.get('__index');
      if (h === undefined) return undefined;
      if (typeof h === 'function' || h instanceof LuaClosure) return L.callSync(h, [o, k])[0];
      o = h;
    } else {
      const h: LuaValue = metatableOf(L, o)?.get('__index');
      if (h === undefined) throw L.error(`attempt to index a ${luaType(o)} value`);
      if (typeof h === 'function' || h instanceof LuaClosure) return L.callSync(h, [o, k])[0];
      o = h;
    }
  }
  throw L.error('loop in gettable');
}

/** Lua 5.1's LUAI_MAXCSTACK: the most stack slots a C function may use (lua_checkstack's bound). */
export const LUAI_MAXCSTACK = 8000;

/**
 * luaL_checkstack(L, n, msg) in a C function that has `top` slots in use:
 * Lua 5.1 refuses to grow a C function's stack past LUAI_MAXCSTACK, so C
 * libraries that leave many results on it (cmsgpack.unpack, struct.unpack)
 * fail with "stack overflow (msg)" where Redis's do.
 */
export function checkStack(L: LuaState, top: number, n: number, msg: string): void {
  if (n > LUAI_MAXCSTACK || top + n > LUAI_MAXCSTACK) throw L.error(`stack overflow (${msg})`);
}

/**
 * JS's own limits as the Lua errors they stand for: a string past V8's
 * maximum length is Lua's memory error (no position, as LUA_ERRMEM); JS's
 * stack overflowing in the matcher is the C stack lstrlib.c would exhaust.
 */
export function jsLimitError(L: LuaState, e: unknown, stackMsg: string): unknown {
  if (!(e instanceof RangeError)) return e;
  if (/call stack/i.test(e.message)) return L.error(stackMsg);
  return new LuaError('not enough memory');
}
