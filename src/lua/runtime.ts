/**
 * The slow paths of compiled Lua code: every operation whose operands are
 * not the plain case the compiled code inlines (numbers for arithmetic and
 * comparisons, metatable-less tables for indexing, functions for calls)
 * lands here, where Lua 5.1's metamethods run (lvm.c's luaV_gettable,
 * luaV_settable, luaV_arith, luaV_concat, luaV_lessthan, luaV_equalval …)
 * and its runtime errors are raised with lua5.1's exact words: "attempt to
 * index local 't' (a nil value)", "attempt to perform arithmetic on field
 * 'x' (a table value)", "attempt to compare number with nil" …
 *
 * The variable names in those messages come from the compiler (`desc`:
 * "local 't'", "global 'f'", "upvalue 'n'", "field 'x'", "method 'm'" or ''
 * when Lua's getobjname would find none) and the line from the call site
 * (`line`), so the fast paths never pay for them.
 *
 * Metamethods that are Lua functions run through L.callSync: as in Lua 5.1,
 * a coroutine cannot yield across them.
 */
import { type LuaState, MAX_DEPTH, metaOf } from './state.js';
import { constructorArraySize } from './layout.js';
import { EMPTY, LuaClosure, LuaError, type LuaGen, LuaTable, LuaUserdata, type LuaValue, isFunction, luaType, numberToString, toNumber, truthy } from './value.js';

/** MAXTAGLOOP: how many __index/__newindex tables a lookup follows */
const MAXTAGLOOP = 100;

/** luaG_typeerror: "attempt to <op> <desc> (a <type> value)" */
export function typeError(L: LuaState, v: LuaValue, op: string, desc: string, line: number): LuaError {
  if (line > 0) L.line = line;
  return L.error(desc === '' ? `attempt to ${op} a ${luaType(v)} value` : `attempt to ${op} ${desc} (a ${luaType(v)} value)`);
}

/** A runtime error at a line of compiled code */
export function rtError(L: LuaState, msg: string, line: number): LuaError {
  if (line > 0) L.line = line;
  return L.error(msg);
}

/** the metamethod `event` of v, or undefined */
export function metaMethod(L: LuaState, v: LuaValue, event: string): LuaValue {
  const mt = metaOf(L, v);
  return mt === undefined ? undefined : mt.getStr(event);
}

// ---- indexing ----

/** luaV_gettable: o[k] with __index */
export function index(L: LuaState, o: LuaValue, k: LuaValue, desc: string, line: number): LuaValue {
  for (let loop = 0; loop < MAXTAGLOOP; loop++) {
    let h: LuaValue;
    if (o instanceof LuaTable) {
      const v = o.get(k);
      if (v !== undefined) return v;
      const mt = o.metatable;
      if (mt === undefined) return undefined;
      h = mt.getStr('__index');
      if (h === undefined) return undefined;
    } else {
      h = metaMethod(L, o, '__index');
      if (h === undefined) throw typeError(L, o, 'index', desc, line);
    }
    if (typeof h === 'function' || h instanceof LuaClosure) {
      if (line > 0) L.line = line;
      return L.callSync(h, [o, k])[0];
    }
    o = h;
    desc = '';
  }
  throw rtError(L, 'loop in gettable', line);
}

/** t[k] = v without metamethods, the error (nil/NaN index, read-only table) carrying the position */
export function rawsetAt(L: LuaState, t: LuaTable, k: LuaValue, v: LuaValue, line: number): void {
  try {
    t.set(k, v);
  } catch (e) {
    if (e instanceof LuaError && typeof e.value === 'string') throw rtError(L, e.value, line);
    throw e;
  }
}

/** luaV_settable: o[k] = v with __newindex */
export function setindex(L: LuaState, o: LuaValue, k: LuaValue, v: LuaValue, desc: string, line: number): void {
  for (let loop = 0; loop < MAXTAGLOOP; loop++) {
    let h: LuaValue;
    if (o instanceof LuaTable) {
      const mt = o.metatable;
      if (mt === undefined || (h = mt.getStr('__newindex')) === undefined || o.get(k) !== undefined) {
        rawsetAt(L, o, k, v, line);
        return;
      }
    } else {
      h = metaMethod(L, o, '__newindex');
      if (h === undefined) throw typeError(L, o, 'index', desc, line);
    }
    if (typeof h === 'function' || h instanceof LuaClosure) {
      if (line > 0) L.line = line;
      L.callSync(h, [o, k, v]);
      return;
    }
    o = h;
    desc = '';
  }
  throw rtError(L, 'loop in settable', line);
}

/** a global's value (the environment table may have __index, as Redis's protected globals do) */
export function gget(L: LuaState, env: LuaTable, name: string, line: number): LuaValue {
  const v = env.getStr(name);
  if (v !== undefined || env.metatable === undefined) return v;
  return index(L, env, name, '', line);
}

export function gset(L: LuaState, env: LuaTable, name: string, v: LuaValue, line: number): void {
  if (env.metatable === undefined && !env.readonly) env.set(name, v);
  else setindex(L, env, name, v, '', line);
}

// ---- arithmetic ----

export type ArithEvent = '__add' | '__sub' | '__mul' | '__div' | '__mod' | '__pow' | '__unm';

function arithOp(ev: ArithEvent, x: number, y: number): number {
  switch (ev) {
    case '__add':
      return x + y;
    case '__sub':
      return x - y;
    case '__mul':
      return x * y;
    case '__div':
      return x / y;
    case '__mod':
      return x - Math.floor(x / y) * y;
    case '__pow':
      return Math.pow(x, y);
    case '__unm':
      return -x;
  }
}

/** luaV_arith: string coercion, then the metamethod of a or b, else luaG_aritherror */
export function arith(L: LuaState, ev: ArithEvent, a: LuaValue, b: LuaValue, da: string, db: string, line: number): LuaValue {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x !== undefined && y !== undefined) return arithOp(ev, x, y);
  let h = metaMethod(L, a, ev);
  if (h === undefined) h = metaMethod(L, b, ev);
  if (h !== undefined) {
    if (line > 0) L.line = line;
    return L.callSync(h, [a, b])[0];
  }
  if (x === undefined) throw typeError(L, a, 'perform arithmetic on', da, line);
  throw typeError(L, b, 'perform arithmetic on', db, line);
}

export function unm(L: LuaState, a: LuaValue, da: string, line: number): LuaValue {
  return arith(L, '__unm', a, a, da, da, line);
}

/** OP_LEN: tables and strings, else __len (userdata only, in 5.1: tables never consult it) */
export function len(L: LuaState, a: LuaValue, da: string, line: number): LuaValue {
  if (a instanceof LuaTable) return a.length();
  if (typeof a === 'string') return a.length;
  const h = metaMethod(L, a, '__len');
  if (h === undefined) throw typeError(L, a, 'get length of', da, line);
  if (line > 0) L.line = line;
  return L.callSync(h, [a, undefined])[0];
}

/** luaV_concat of two operands: strings and numbers, else __concat, else luaG_concaterror */
export function concat(L: LuaState, a: LuaValue, b: LuaValue, da: string, db: string, line: number): LuaValue {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'string' || ta === 'number') && (tb === 'string' || tb === 'number')) {
    return (ta === 'string' ? (a as string) : numberToString(a as number)) + (tb === 'string' ? (b as string) : numberToString(b as number));
  }
  let h = metaMethod(L, a, '__concat');
  if (h === undefined) h = metaMethod(L, b, '__concat');
  if (h !== undefined) {
    if (line > 0) L.line = line;
    return L.callSync(h, [a, b])[0];
  }
  if (ta === 'string' || ta === 'number') throw typeError(L, b, 'concatenate', db, line);
  throw typeError(L, a, 'concatenate', da, line);
}

// ---- comparisons ----

/** get_compTM: the handler both operands share (same metatable, or rawequal handlers) */
function compTM(L: LuaState, a: LuaValue, b: LuaValue, event: string): LuaValue {
  const m1 = metaOf(L, a);
  if (m1 === undefined) return undefined;
  const h1 = m1.getStr(event);
  if (h1 === undefined) return undefined;
  const m2 = metaOf(L, b);
  if (m1 === m2) return h1;
  if (m2 === undefined) return undefined;
  const h2 = m2.getStr(event);
  return h1 === h2 ? h1 : undefined;
}

/** luaV_equalval for a !== b: only tables (and userdata) with a shared __eq can be equal */
export function eq(L: LuaState, a: LuaValue, b: LuaValue): boolean {
  if ((a instanceof LuaTable && b instanceof LuaTable) || (a instanceof LuaUserdata && b instanceof LuaUserdata)) {
    const h = compTM(L, a, b, '__eq');
    if (h === undefined) return false;
    return truthy(L.callSync(h, [a, b])[0]);
  }
  return false;
}

function orderError(L: LuaState, a: LuaValue, b: LuaValue, line: number): LuaError {
  const t1 = luaType(a);
  const t2 = luaType(b);
  return rtError(L, t1 === t2 ? `attempt to compare two ${t1} values` : `attempt to compare ${t1} with ${t2}`, line);
}

/** luaV_lessthan */
export function lt(L: LuaState, a: LuaValue, b: LuaValue, line: number): boolean {
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'number' || ta === 'string') return (a as string) < (b as string);
  }
  if (luaType(a) !== luaType(b)) throw orderError(L, a, b, line);
  const h = compTM(L, a, b, '__lt');
  if (h === undefined) throw orderError(L, a, b, line);
  if (line > 0) L.line = line;
  return truthy(L.callSync(h, [a, b])[0]);
}

/** lessequal: __le, else not __lt(b, a) */
export function le(L: LuaState, a: LuaValue, b: LuaValue, line: number): boolean {
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'number' || ta === 'string') return (a as string) <= (b as string);
  }
  if (luaType(a) !== luaType(b)) throw orderError(L, a, b, line);
  if (line > 0) L.line = line;
  let h = compTM(L, a, b, '__le');
  if (h !== undefined) return truthy(L.callSync(h, [a, b])[0]);
  h = compTM(L, b, a, '__lt');
  if (h !== undefined) return !truthy(L.callSync(h, [b, a])[0]);
  throw orderError(L, a, b, line);
}

// ---- calls ----

/** a call of a value that is not a function: its __call, else "attempt to call …" */
export function* callMeta(L: LuaState, f: LuaValue, args: LuaValue[], desc: string, line: number): LuaGen {
  const h = metaMethod(L, f, '__call');
  if (h === undefined || !isFunction(h)) throw typeError(L, f, 'call', desc, line);
  if (typeof h === 'function') return h(f, ...args);
  return yield* (h as LuaClosure).g(f, ...args);
}

/** forprep's coercions: "'for' initial value must be a number" … */
export function forNum(L: LuaState, v: LuaValue, what: string, line: number): number {
  const n = toNumber(v);
  if (n === undefined) throw rtError(L, `'for' ${what} must be a number`, line);
  return n;
}

/** the nested-call limit: Lua's "stack overflow", raised before JS's own stack runs out */
export function overflow(L: LuaState): never {
  L.depth--;
  throw L.error('stack overflow');
}

/** LUA_COMPAT_VARARG's `arg` table: the varargs and n */
export function packArg(va: LuaValue[]): LuaTable {
  const t = new LuaTable();
  for (let i = 0; i < va.length; i++) t.set(i + 1, va[i]);
  t.set('n', va.length);
  return t;
}

/** A table from a constructor's positional values (a fresh array the table may own) */
export function tableOf(arr: LuaValue[], npos: number): LuaTable {
  const t = new LuaTable(0, constructorArraySize(npos, arr.length));
  let n = arr.length;
  while (n > 0 && arr[n - 1] === undefined) n--;
  arr.length = n;
  t.arr = arr;
  return t;
}

/**
 * The positional items of a constructor that also has keyed items: set after
 * them (Lua's SETLIST runs at the end), so `{[1] = 'a', 'b'}` holds 'b'.
 */
export function setList(t: LuaTable, arr: LuaValue[]): LuaTable {
  t.arrHint = constructorArraySize(t.arrHint, arr.length);
  let n = arr.length;
  while (n > 0 && arr[n - 1] === undefined) n--;
  arr.length = n;
  const h = t.hash;
  if (t.arr.length === 0) {
    // the table is fresh: the positional items are its array part, holes included (as Lua sizes it)
    t.arr = arr;
    if (h !== undefined) {
      for (let i = 1; i <= n; i++) h.delete(i);
      for (let j = n + 1; h.has(j); j++) {
        arr.push(h.get(j));
        h.delete(j);
      }
    }
  } else for (let i = 0; i < n; i++) t.set(i + 1, arr[i]);
  return t;
}

/** next(t, k) as the base library's `next` and the compiled `pairs` loop use it */
export function tableNext(t: LuaTable, k: LuaValue): LuaValue[] {
  // "invalid key to 'next'" is thrown without position: luaH_next raises it inside the C function next
  const r = t.next(k);
  return r === undefined ? NIL1 : r;
}

const lineStacks = new WeakMap<LuaState, number[]>();
/**
 * The line each running Lua function was called from, by depth: compiled
 * functions record L.line (their caller's line) at entry in slot L.depth.
 * error(msg, 2) and beyond read it (luaL_where of an outer level); 0 or -1
 * (called from a native) means no position.
 */
export function lineStack(L: LuaState): number[] {
  let s = lineStacks.get(L);
  if (s === undefined) {
    s = [];
    lineStacks.set(L, s);
  }
  return s;
}

const nexts = new WeakMap<LuaState, LuaValue>();
/** the base library registers its `next`, so a compiled generic for can run pairs() loops without calls */
export function registerNext(L: LuaState, f: LuaValue): void {
  nexts.set(L, f);
}
export function nextOf(L: LuaState): LuaValue {
  return nexts.get(L);
}

/** getfenv/setfenv of a chunk's functions: the chunk's environment variable */
interface EnvAccess {
  get(): LuaTable;
  set(t: LuaTable): void;
}
const envs = new WeakMap<LuaClosure, EnvAccess>();
export function bindEnv(f: LuaClosure, get: () => LuaTable, set: (t: LuaTable) => void): void {
  envs.set(f, { get, set });
}
/** the environment of a chunk's main function (undefined for other functions) */
export function envOf(f: LuaClosure): EnvAccess | undefined {
  return envs.get(f);
}

/** one nil result */
export const NIL1: LuaValue[] = [undefined];

/**
 * A JS exception for one of JS's own limits, as the Lua error it stands for:
 * the call stack exhausted by deep recursion is lua5.1's "stack overflow";
 * a string past V8's maximum length (about 2^29 bytes, below Lua's limits)
 * is Lua's memory error, "not enough memory" without position (LUA_ERRMEM).
 * Anything else is returned as it is.
 */
export function asLuaError(L: LuaState, e: unknown): unknown {
  if (!(e instanceof RangeError)) return e;
  if (/call stack/i.test(e.message)) return L.error('stack overflow');
  return new LuaError('not enough memory');
}

export { EMPTY, LuaClosure, LuaTable, MAX_DEPTH };
