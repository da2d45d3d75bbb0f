/**
 * LuaState: one Lua "VM" — a global table, the string metatable, and the
 * running script's position and step budget. Redis keeps two (EVAL's and
 * FUNCTION's); gKV makes one per use likewise.
 *
 * What the compiled code and the natives share through it:
 * - `line`: the source line of the Lua code running now. Compiled code sets
 *   it before every call, so an error raised by a native (luaL_error's
 *   "chunk:line:" prefix, error() at level 1) names the caller's line.
 * - `chunk`: the chunk name errors carry ("user_script", "user_function").
 * - `steps`: the step budget. Compiled code decrements it at loop back-edges
 *   and function entries and yields BUDGET when it goes below zero; the
 *   driver (run()) refills it, checks the clock, and may pause the script.
 * - `depth`: nested calls, for "stack overflow" before JS's stack runs out.
 * - `ccalls`: calls into Lua from natives (callSync, pcall, resume) nested
 *   now: Lua 5.1's nCcalls, which stops at LUAI_MAXCCALLS (200) with
 *   "C stack overflow" — each such level costs far more JS stack than a
 *   Lua-to-Lua call.
 */
import { BUDGET, LuaClosure, LuaError, type LuaFunction, type LuaGen, LuaTable, type LuaValue, luaType, rawToString } from './value.js';

/** Steps between two looks at the clock (about 0.1–1 ms of work). */
export const STEP_BUDGET = 100_000;
/** Lua 5.1's LUAI_MAXCALLS-like bound on nested calls, kept below JS's own stack limit. */
export const MAX_DEPTH = 7_000;
/** LUAI_MAXCCALLS: nested calls from natives into Lua ("C stack overflow") */
export const MAX_CCALLS = 200;

/** Thrown through everything (pcall does not catch it) when the host stops a script: SCRIPT KILL, shutdown. */
export class LuaKill extends Error {
  constructor(readonly reason: LuaValue) {
    super('script killed');
  }
}

export class LuaState {
  readonly globals = new LuaTable();
  /** the metatable of strings (its __index is the string library) */
  stringMeta: LuaTable | undefined = undefined;
  line = 0;
  chunk = '?';
  steps = STEP_BUDGET;
  depth = 0;
  ccalls = 0;
  /** set by the host to stop the running script at its next step (SCRIPT KILL) */
  kill: LuaKill | undefined = undefined;

  /** luaL_where(L, 1): "chunk:line: " of the running Lua code */
  where(): string {
    return this.line > 0 ? `${this.chunk}:${this.line}: ` : '';
  }

  /** luaL_error: a LuaError whose message carries the position */
  error(msg: string): LuaError {
    return new LuaError(this.where() + msg);
  }

  /**
   * luaL_argerror: "bad argument #n to 'fname' (msg)". A native called
   * straight from another native (pcall(f, …): L.line is -1) has no Lua
   * caller to name it, so Lua calls it '?'.
   */
  argError(n: number, fname: string, msg: string): LuaError {
    return this.error(`bad argument #${n} to '${this.line < 0 ? '?' : fname}' (${msg})`);
  }

  /**
   * Calls f from a native and runs it to completion: budget yields are
   * absorbed (the step budget is refilled; a kill request still stops it),
   * a coroutine yield cannot cross here (Lua 5.1's "attempt to yield across
   * metamethod/C-call boundary"). For natives that call back into Lua
   * without being resumable themselves: table.sort's comparator, gsub's
   * function, __tostring, __index functions called by rawless natives …
   */
  callSync(f: LuaValue, args: LuaValue[]): LuaValue[] {
    if (typeof f === 'function') {
      // natives count too (lua_call of a C function is a C call; leaf Lua functions are plain functions)
      if (++this.ccalls >= MAX_CCALLS) {
        this.ccalls--;
        throw this.error('C stack overflow');
      }
      try {
        return f(...args);
      } finally {
        this.ccalls--;
      }
    }
    if (f instanceof LuaClosure) {
      if (++this.ccalls >= MAX_CCALLS) {
        this.ccalls--;
        throw this.error('C stack overflow');
      }
      try {
        const gen = f.g(...args);
        for (;;) {
          const r = gen.next();
          if (r.done) return r.value;
          if (r.value !== BUDGET) throw this.error('attempt to yield across metamethod/C-call boundary');
          if (this.kill !== undefined) throw this.kill;
          this.steps = STEP_BUDGET;
        }
      } finally {
        this.ccalls--;
      }
    }
    const h = metaOf(this, f)?.get('__call');
    if (h === undefined) throw this.error(`attempt to call a ${luaType(f)} value`);
    return this.callSync(h, [f, ...args]);
  }

  /** Calls f from a resumable native (yield* it): pauses pass through to the driver. */
  *call(f: LuaValue, args: LuaValue[]): LuaGen {
    if (typeof f === 'function') return f(...args);
    if (f instanceof LuaClosure) return yield* f.g(...args);
    const h = metaOf(this, f)?.get('__call');
    if (h === undefined) throw this.error(`attempt to call a ${luaType(f)} value`);
    return yield* this.call(h, [f, ...args]);
  }

  /** tostring(v): __tostring when the metatable has one, else the raw form */
  tostring(v: LuaValue): string {
    if (v instanceof LuaTable && v.metatable !== undefined) {
      const h = v.metatable.get('__tostring');
      if (h !== undefined) {
        const r = this.callSync(h, [v])[0];
        if (typeof r !== 'string') {
          if (typeof r === 'number') return rawToString(r);
          throw this.error("'__tostring' must return a string");
        }
        return r;
      }
    }
    return rawToString(v);
  }

  /** Registers a library table in the globals (and returns it). */
  register(name: string, fns: Record<string, LuaFunction | LuaValue>): LuaTable {
    let t = this.globals.get(name);
    if (!(t instanceof LuaTable)) {
      t = new LuaTable();
      this.globals.set(name, t);
    }
    for (const [k, v] of Object.entries(fns)) (t as LuaTable).set(k, v);
    return t as LuaTable;
  }
}

/** The metatable of any value (strings share L.stringMeta). */
export function metaOf(L: LuaState, v: LuaValue): LuaTable | undefined {
  if (v instanceof LuaTable) return v.metatable;
  if (typeof v === 'string') return L.stringMeta;
  if (v !== null && typeof v === 'object' && 'metatable' in v) return (v as { metatable: LuaTable | undefined }).metatable;
  return undefined;
}
