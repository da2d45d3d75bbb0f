/**
 * Lua 5.1 values as gKV's Lua runs them: the representation every part of
 * src/lua/ (compiler, runtime, libraries) and the scripting layer agree on.
 *
 * Why these choices (the engine compiles Lua to JavaScript, so values are
 * plain JS values wherever Lua's and JS's meanings coincide):
 * - nil is `undefined`; booleans are JS booleans.
 * - A number is a JS number: Lua 5.1's lua_Number is a C double, exactly a
 *   JS number (no integer subtype; `10/2` is 5 and prints "5").
 * - A string is a JS string of latin1 code units (0..255), one per byte: the
 *   same byte strings gKV's keyspace and command arguments already hold, so
 *   redis.call passes them through without conversion.
 * - A table is a LuaTable: an array part for keys 1..n and a Map for the rest.
 * - A function is either a JS function (a native: runs to completion and
 *   returns its results as an array) or a LuaClosure, whose `g` is a
 *   generator function: compiled Lua code and the few natives that call back
 *   into Lua and must let a long script pause (pcall, xpcall, coroutines).
 *   Generators are how a script gives the event loop back: compiled code
 *   counts steps (loop back-edges and function entries) in `LuaState.steps`
 *   and, when the budget is spent, `yield`s BUDGET up to the driver, which
 *   decides whether to go on or to pause (BUSY, SCRIPT KILL).
 * - Every function, native or compiled, returns an array of its results
 *   (EMPTY for none); callers treat returned arrays as read-only.
 * - Errors are thrown as LuaError carrying any Lua value.
 * - Userdata (cjson.null is a light userdata) is a LuaUserdata; coroutines
 *   are LuaThread (defined by the coroutine library).
 */
import { formatG } from '../util/numbers.js';
import { strtod } from '../util/strtod.js';
import { luaTraversalOrder } from './layout.js';

export type LuaValue = undefined | boolean | number | string | LuaTable | LuaFunction | LuaUserdata | LuaThreadLike;

/** A native function: arguments as JS arguments, results as an array. */
export type LuaNative = (...args: LuaValue[]) => LuaValue[];

/** What compiled code and resumable natives yield to the driver when their step budget is spent. */
export const BUDGET = 0;

/** The generator a resumable function returns: yields BUDGET (or a coroutine's yield), returns its results. */
export type LuaGen = Generator<unknown, LuaValue[], unknown>;

/** A function that may pause: compiled Lua functions, pcall, xpcall, coroutine.resume/wrap … */
export class LuaClosure {
  /** `name` is for tostring/debug only (the function's declared name, or '?') */
  constructor(
    readonly g: (...args: LuaValue[]) => LuaGen,
    readonly name: string = '?',
  ) {}
}

export type LuaFunction = LuaNative | LuaClosure;

/** A light or full userdata (cjson.null, the NULL light userdata). */
export class LuaUserdata {
  metatable: LuaTable | undefined = undefined;
  constructor(readonly tag: string) {}
}

/** Coroutines are implemented by the coroutine library; the value only needs its type. */
export interface LuaThreadLike {
  readonly luaThread: true;
}

/** No results: the shared empty result array (never mutate a returned array). */
export const EMPTY: LuaValue[] = [];

/** A Lua error: `value` is what error() was given (a string with position for runtime errors). */
export class LuaError extends Error {
  /** the Lua traceback, when the thrower built one */
  traceback: string | undefined = undefined;
  constructor(readonly value: LuaValue) {
    super(typeof value === 'string' ? value : `(error object is a ${luaType(value)} value)`);
  }
}

export function isFunction(v: LuaValue): v is LuaFunction {
  return typeof v === 'function' || v instanceof LuaClosure;
}

/** type(v) */
export function luaType(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'function':
      return 'function';
  }
  if (v instanceof LuaTable) return 'table';
  if (v instanceof LuaClosure) return 'function';
  if (v instanceof LuaUserdata) return 'userdata';
  return 'thread';
}

/** Lua's truth: only nil and false are false. */
export function truthy(v: LuaValue): boolean {
  return v !== undefined && v !== false;
}

/**
 * A Lua table. Keys 1..arr.length live in `arr` (arr[i-1]), which never ends
 * in nil: setting its last element to nil shrinks it, setting key
 * arr.length+1 grows it and pulls the following keys out of the hash, so the
 * hash never holds key arr.length+1. `#t` is then a border in O(1)
 * (arr.length, or a search of the hash when arr is empty). Other keys live in
 * `hash` (a Map: SameValueZero makes 1 and 1.0, 0 and -0 one key, and keeps 1
 * and "1" apart, as Lua does).
 */
export class LuaTable {
  arr: LuaValue[] = [];
  hash: Map<LuaValue, LuaValue> | undefined = undefined;
  metatable: LuaTable | undefined = undefined;
  /**
   * Redis's read-only tables (its Lua patch lua_enablereadonlytable): _G,
   * redis, string, cjson … refuse every write, rawset included, with
   * "Attempt to modify a readonly table". The setters below check it.
   */
  readonly = false;
  /**
   * next()'s order once the table has a hash part: every key as Lua 5.1
   * walks them (layout.ts), cached until a key is added, and the position
   * returned last.
   */
  private nextKeys: LuaValue[] | undefined = undefined;
  private nextPos = 0;
  /**
   * The hash key added last, and the array keys added after the hash had
   * keys, as runs (flat triples: first key, last key, the hash key added just
   * before them): `t[#t+1] = v` on a table with fields adds to one run, so
   * this stays small.
   */
  private lastNew: LuaValue = undefined;
  private late: LuaValue[] | undefined = undefined;

  /**
   * @param hashHint the keyed items of the constructor that made the table
   * @param arrHint the array part's size Lua's constructor gave it (-1: not made by a constructor)
   * Both only shape the traversal order, as Lua's OP_NEWTABLE and SETLIST sizes do.
   */
  constructor(
    readonly hashHint = 0,
    public arrHint = -1,
  ) {}

  get(k: LuaValue): LuaValue {
    if (typeof k === 'number') {
      const a = this.arr;
      if (k >= 1 && k <= a.length && (k | 0) === k) return a[k - 1];
    }
    return this.hash === undefined ? undefined : this.hash.get(k);
  }

  /** t[k] for an integer k in 1..2^31: the array fast path */
  getInt(k: number): LuaValue {
    const a = this.arr;
    if (k >= 1 && k <= a.length) return a[k - 1];
    return this.hash === undefined ? undefined : this.hash.get(k);
  }

  getStr(k: string): LuaValue {
    return this.hash === undefined ? undefined : this.hash.get(k);
  }

  /**
   * rawset. Throws a LuaError without position ("table index is nil", "table
   * index is NaN", "Attempt to modify a readonly table"): the caller that
   * knows the Lua line adds it (runtime's setindex does).
   */
  set(k: LuaValue, v: LuaValue): void {
    if (this.readonly) throw new LuaError('Attempt to modify a readonly table');
    if (typeof k === 'number') {
      if ((k | 0) === k && k >= 1) {
        this.setInt(k, v);
        return;
      }
      if (k !== k) throw new LuaError('table index is NaN');
    } else if (k === undefined) throw new LuaError('table index is nil');
    this.setHash(k, v);
  }

  setInt(k: number, v: LuaValue): void {
    if (this.readonly) throw new LuaError('Attempt to modify a readonly table');
    const a = this.arr;
    const n = a.length;
    if (k <= n) {
      a[k - 1] = v;
      if (v === undefined && k === n) {
        let m = n - 1;
        while (m > 0 && a[m - 1] === undefined) m--;
        a.length = m;
      }
    } else if (k === n + 1) {
      if (v === undefined) {
        this.hash?.delete(k);
        return;
      }
      a.push(v);
      const h = this.hash;
      if (h !== undefined && h.size > 0) {
        // the layout next() replays depends on when array keys came (layout.ts)
        this.nextKeys = undefined;
        this.noteLate(k);
        h.delete(k);
        // pull the keys that now continue the array out of the hash
        for (let j = k + 1; ; j++) {
          const w = h.get(j);
          if (w === undefined) break;
          a.push(w);
          h.delete(j);
          this.noteLate(j);
        }
      }
    } else this.setHash(k, v);
  }

  /** array key k came after the hash had keys: it extends the last run when it continues it */
  private noteLate(k: number): void {
    const late = (this.late ??= []);
    const n = late.length;
    if (n !== 0 && late[n - 2] === k - 1 && late[n - 1] === this.lastNew) late[n - 2] = k;
    else late.push(k, k, this.lastNew);
  }

  private setHash(k: LuaValue, v: LuaValue): void {
    let h = this.hash;
    if (v === undefined) {
      h?.delete(k);
      return;
    }
    if (h === undefined) h = this.hash = new Map();
    const size = h.size;
    h.set(k, v);
    if (h.size !== size) {
      this.nextKeys = undefined; // a new key: next()'s order is stale
      this.lastNew = k;
    }
  }

  /** #t: a border (t[n] ~= nil and t[n+1] == nil) */
  length(): number {
    const n = this.arr.length;
    if (n > 0 || this.hash === undefined || this.hash.size === 0) return n;
    // no array part: Lua's unbound search over the hash
    const h = this.hash;
    if (h.get(1) === undefined) return 0;
    let i = 1;
    let j = 2;
    while (h.get(j) !== undefined) {
      i = j;
      if (j > 0x3fffffff) {
        // a pathological table: linear search, as Lua does
        let k = 1;
        while (h.get(k + 1) !== undefined) k++;
        return k;
      }
      j *= 2;
    }
    while (j - i > 1) {
      const m = (i + j) >>> 1;
      if (h.get(m) === undefined) j = m;
      else i = m;
    }
    return i;
  }

  /**
   * next(t, k): the key after k and its value, or undefined at the end. The
   * array part first, then the hash in insertion order. Assigning nil to a
   * field during the traversal is allowed (the key is skipped); adding keys
   * is not (Lua says undefined; here the walk goes on from k).
   * Throws for a key that is not in the table ("invalid key to 'next'").
   */
  next(k: LuaValue): [LuaValue, LuaValue] | undefined {
    const h = this.hash;
    if (h !== undefined && (h.size > 0 || this.nextKeys !== undefined)) return this.nextInOrder(k);
    const a = this.arr;
    let i: number; // array index to look at next
    if (k === undefined) i = 0;
    else if (typeof k === 'number' && (k | 0) === k && k >= 1 && k <= a.length) i = k;
    else throw new LuaError("invalid key to 'next'");
    for (; i < a.length; i++) if (a[i] !== undefined) return [i + 1, a[i]];
    return undefined;
  }

  /**
   * Every key in Lua 5.1's traversal order (layout.ts), cached until a key
   * is added; it may still hold keys deleted since (skip those whose value
   * is nil). Without a hash part, the order is simply 1..arr.length.
   */
  keysInOrder(): LuaValue[] {
    let keys = this.nextKeys;
    if (keys === undefined) {
      const h = this.hash;
      if (h === undefined || h.size === 0) {
        keys = [];
        for (let i = 0; i < this.arr.length; i++) if (this.arr[i] !== undefined) keys.push(i + 1);
        return keys;
      }
      keys = luaTraversalOrder(this.arr, this.arrHint, this.hashHint, Array.from(h.keys()), this.late, objectHash) as LuaValue[];
      this.nextKeys = keys;
    }
    return keys;
  }

  private nextInOrder(k: LuaValue): [LuaValue, LuaValue] | undefined {
    const keys = this.keysInOrder();
    let p: number;
    if (k === undefined) p = 0;
    else if (keys[this.nextPos] === k) p = this.nextPos + 1;
    else {
      const at = keys.indexOf(k);
      if (at < 0) {
        if (this.get(k) === undefined) throw new LuaError("invalid key to 'next'");
        // a key added during the traversal (Lua: undefined): go on from its place in a fresh order
        this.nextKeys = undefined;
        const fresh = this.keysInOrder();
        p = fresh.indexOf(k) + 1;
        return this.scanFrom(fresh, p);
      }
      p = at + 1;
    }
    return this.scanFrom(keys, p);
  }

  private scanFrom(keys: LuaValue[], p: number): [LuaValue, LuaValue] | undefined {
    for (; p < keys.length; p++) {
      const key = keys[p];
      const v = this.get(key);
      if (v !== undefined) {
        this.nextPos = p;
        return [key, v];
      }
    }
    return undefined;
  }
}

/** A table from a JS array (1-based; copied), for natives and hosts that build lists: KEYS, ARGV … */
export function tableFromArray(values: readonly LuaValue[]): LuaTable {
  const t = new LuaTable();
  if (!values.includes(undefined)) t.arr = values.slice();
  else for (let i = 0; i < values.length; i++) t.set(i + 1, values[i]);
  return t;
}

/**
 * tostring of a number: Lua 5.1's LUAI_NUMFFORMAT "%.14g". NaN prints as glibc
 * prints the NaN x86 arithmetic makes ("-nan"); `nan` for one negated.
 */
export function numberToString(n: number): string {
  if ((n | 0) === n && (n !== 0 || 1 / n > 0)) return String(n);
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n !== n) return '-nan';
  return formatG(n, 14);
}

/**
 * lua_str2number as luaO_str2d does it: strtod (decimal, hex floats, inf,
 * nan), else a "0x" hex integer by strtoul; leading and trailing white space
 * allowed, anything else left over fails; the string ends at its first NUL, as
 * the C string luaO_str2d reads does. Returns undefined when s is not a number.
 */
export function stringToNumber(s: string): number | undefined {
  const r = strtod(s);
  let end = r.end;
  let v = r.value;
  if (end === 0) return undefined;
  const c = s.charCodeAt(end);
  if (c === 120 || c === 88) {
    // "0x…": strtod of glibc reads hex itself; this path is for what it stopped at
    const m = /^\s*0[xX]([0-9a-fA-F]+)/.exec(s);
    if (m === null) return undefined;
    v = Number.parseInt(m[1], 16);
    end = m[0].length;
  }
  for (; end < s.length; end++) {
    const ch = s.charCodeAt(end);
    if (ch === 0) break; // luaO_str2d reads a C string: it ends at the first NUL ("2\0x" is 2)
    if (!(ch === 32 || (ch >= 9 && ch <= 13))) return undefined;
  }
  return v;
}

/** tonumber without a base / arithmetic coercion: numbers as they are, numeric strings converted. */
export function toNumber(v: LuaValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return stringToNumber(v);
  return undefined;
}

/** The string a number or string coerces to (concatenation, string library arguments), else undefined. */
export function toStr(v: LuaValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  return undefined;
}

const ids = new WeakMap<object, number>();
let nextId = 0x55a4c0;

function objectHash(o: object): number {
  addressOf(o);
  return ids.get(o) as number;
}

/** "table: 0x…", "function: 0x…": a stable pseudo-address per object, as %p prints one */
export function addressOf(o: object): string {
  let id = ids.get(o);
  if (id === undefined) {
    nextId += 0x40;
    id = nextId;
    ids.set(o, id);
  }
  return '0x' + id.toString(16).padStart(8, '0');
}

/** tostring without metamethods (what luaL_tolstring does after __tostring is absent). */
export function rawToString(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return numberToString(v);
    case 'string':
      return v;
    case 'function':
      return 'function: ' + addressOf(v);
  }
  if (v instanceof LuaClosure) return 'function: ' + addressOf(v);
  if (v instanceof LuaTable) return 'table: ' + addressOf(v);
  if (v instanceof LuaUserdata) return v.tag === 'null' ? 'userdata: (nil)' : 'userdata: ' + addressOf(v);
  return 'thread: ' + addressOf(v as object);
}
