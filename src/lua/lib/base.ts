/**
 * Lua 5.1's base library (lbaselib.c's functions and messages, our code):
 * assert error pcall xpcall type tostring tonumber ipairs pairs next select
 * unpack rawget rawset rawequal getmetatable setmetatable loadstring load
 * getfenv setfenv collectgarbage gcinfo print _G _VERSION.
 *
 * pcall and xpcall are LuaClosures (generators): the protected call can
 * pause for the step budget like any Lua code, and a LuaKill (SCRIPT KILL)
 * passes through them untouched. They turn a JavaScript RangeError (the
 * JS stack ran out before L.depth's bound) into Lua's "stack overflow".
 *
 * `print` writes its line through the `print` option of openBase (the test
 * harness collects it; a host may log it or drop it); by default it goes to
 * process.stdout as bytes.
 */
import { chunkId } from '../lexer.js';
import { loadChunk } from '../load.js';
import * as rt from '../runtime.js';
import { LuaKill, type LuaState, MAX_CCALLS, metaOf } from '../state.js';
import { BUDGET, EMPTY, LuaClosure, LuaError, type LuaGen, LuaTable, LuaUserdata, type LuaValue, addressOf, luaType, numberToString, rawToString, stringToNumber, truthy } from '../value.js';
import { checkAny, checkInt, checkString, checkTable, optInt, optString, typeError } from './auxlib.js';

/** the Lua value an exception caught by pcall stands for (or the exception, rethrown, when it is not a Lua error) */
export function caughtValue(L: LuaState, e: unknown): LuaValue {
  if (e instanceof LuaError) return e.value;
  if (e instanceof RangeError) return (rt.asLuaError(L, e) as LuaError).value;
  throw e;
}

/**
 * f(...args) inside pcall/xpcall: budget pauses pass up to the driver, but a
 * coroutine yield cannot cross a protected call in Lua 5.1: it fails where
 * it was attempted, inside f, with "attempt to yield across metamethod/C-call
 * boundary" (which f's own pcalls may catch, and this one does otherwise).
 */
function* callBoundary(L: LuaState, f: LuaValue, args: LuaValue[]): LuaGen {
  if (!(f instanceof LuaClosure) && typeof f !== 'function') {
    const h = metaOf(L, f)?.getStr('__call');
    if (h === undefined) throw L.error(`attempt to call a ${luaType(f)} value`);
    args = [f, ...args];
    f = h;
  }
  if (typeof f === 'function') return f(...args);
  if (!(f instanceof LuaClosure)) return yield* L.call(f, args);
  const gen = f.g(...args);
  let r = gen.next();
  for (;;) {
    if (r.done) return r.value;
    if (r.value === BUDGET) {
      yield BUDGET;
      r = gen.next();
    } else r = gen.throw(new LuaError('attempt to yield across metamethod/C-call boundary'));
  }
}

/** a function compiled from Lua (not a native, nor a resumable native such as pcall): the compiler names its generators '$lua' and its leaf functions '$leaf' */
export function isLuaFunction(f: LuaValue): boolean {
  if (typeof f === 'function') return f.name === '$leaf';
  return f instanceof LuaClosure && f.g.name === '$lua';
}

/**
 * luaL_where(L, level): level 1 is the running Lua line; level k > 1 the
 * line function depth-k+2 was called from (the line stack), none when that
 * call came from a native (pcall, C) or from the host. A native called
 * straight from pcall (L.line is -1) is a C level of its own: its level 2
 * is the Lua line that called pcall, which pcall left in the stack.
 */
function where(L: LuaState, level: number): string {
  if (level === 1) return L.where();
  const stack = rt.lineStack(L);
  const line = L.line < 0 ? (level === 2 ? stack[L.depth + 1] : stack[L.depth - level + 3]) : stack[L.depth - level + 2];
  return line !== undefined && line > 0 ? `${L.chunk}:${line}: ` : '';
}

export interface BaseOptions {
  /** where print writes each line (without its "\n"); default process.stdout */
  print?: (line: string) => void;
}

/** strtoul(s, &end, base) as tonumber(s, base) uses it: the value, or undefined when digits are missing or trailing junk remains */
function strtoulBase(s: string, base: number): number | undefined {
  let i = 0;
  const n = s.length;
  const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  if (base === 16 && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    const d = digitOf(s.charCodeAt(i + 2));
    if (d >= 0 && d < 16) i += 2;
  }
  const start = i;
  let v = 0n;
  const B = BigInt(base);
  const MAX = (1n << 64n) - 1n;
  let overflow = false;
  for (; i < n; i++) {
    const d = digitOf(s.charCodeAt(i));
    if (d < 0 || d >= base) break;
    v = v * B + BigInt(d);
    if (v > MAX) overflow = true;
  }
  if (i === start) return undefined;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  if (i !== n) return undefined;
  if (overflow) return Number(MAX);
  if (neg) v = (MAX + 1n - v) & MAX;
  return Number(v);
}

function digitOf(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  if (c >= 65 && c <= 90) return c - 55;
  return -1;
}

/** Opens the base library into L's globals. */
export function openBase(L: LuaState, opts: BaseOptions = {}): void {
  const G = L.globals;
  const out = opts.print ?? ((line: string) => process.stdout.write(Buffer.from(line + '\n', 'latin1')));

  /** luaB_tostring: __tostring's result as it is (5.1 does not check it is a string) */
  const tostring = (...args: LuaValue[]): LuaValue[] => {
    checkAny(L, 1, 'tostring', args.length);
    const v = args[0];
    const h = metaOf(L, v)?.getStr('__tostring');
    if (h !== undefined) return [L.callSync(h, [v])[0]];
    return [rawToString(v)];
  };

  const next = (...args: LuaValue[]): LuaValue[] => {
    const t = checkTable(L, args[0], 1, 'next', args.length);
    return rt.tableNext(t, args[1]);
  };
  rt.registerNext(L, next);

  const ipairsAux = (t: LuaValue, i: LuaValue): LuaValue[] => {
    const k = (i as number) + 1;
    const v = (t as LuaTable).getInt(k);
    return v === undefined ? EMPTY : [k, v];
  };

  const pcall = new LuaClosure(function* pcall(...args: LuaValue[]): LuaGen {
    checkAny(L, 1, 'pcall', args.length);
    const depth = L.depth;
    const chunk = L.chunk;
    if (++L.ccalls >= MAX_CCALLS) {
      L.ccalls--;
      return [false, 'C stack overflow'];
    }
    try {
      const f = args[0];
      // what pcall calls has no Lua caller: a native's errors carry no position, a Lua function's level 2 is pcall's
      rt.lineStack(L)[L.depth + 1] = L.line;
      L.line = -1;
      const r = typeof f === 'function' ? f(...args.slice(1)) : yield* callBoundary(L, f, args.slice(1));
      return [true, ...r];
    } catch (e) {
      if (e instanceof LuaKill) throw e;
      L.depth = depth;
      L.chunk = chunk;
      return [false, caughtValue(L, e)];
    } finally {
      L.ccalls--;
    }
  }, 'pcall');

  const xpcall = new LuaClosure(function* xpcall(...args: LuaValue[]): LuaGen {
    checkAny(L, 2, 'xpcall', args.length);
    const depth = L.depth;
    const chunk = L.chunk;
    if (++L.ccalls >= MAX_CCALLS) {
      L.ccalls--;
      return [false, 'C stack overflow'];
    }
    try {
      rt.lineStack(L)[L.depth + 1] = L.line;
      L.line = -1;
      return [true, ...(yield* callBoundary(L, args[0], EMPTY))];
    } catch (e) {
      if (e instanceof LuaKill) throw e;
      L.depth = depth;
      L.chunk = chunk;
      const v = caughtValue(L, e);
      try {
        return [false, (yield* L.call(args[1], [v]))[0]];
      } catch (e2) {
        if (e2 instanceof LuaKill) throw e2;
        L.depth = depth;
        caughtValue(L, e2);
        return [false, 'error in error handling'];
      }
    } finally {
      L.ccalls--;
    }
  }, 'xpcall');

  const load = (source: string, chunkname: string): LuaValue[] => {
    try {
      return [loadChunk(L, source, chunkname)];
    } catch (e) {
      if (e instanceof LuaError) return [undefined, e.value];
      throw e;
    }
  };

  const fns: Record<string, LuaValue> = {
    assert: (...args: LuaValue[]): LuaValue[] => {
      checkAny(L, 1, 'assert', args.length);
      if (!truthy(args[0])) throw L.error(optString(L, args[1], 2, 'assert', 'assertion failed!', args.length));
      return args;
    },
    error: (...args: LuaValue[]): LuaValue[] => {
      const level = optInt(L, args[1], 2, 'error', 1, args.length);
      let v = args[0];
      if ((typeof v === 'string' || typeof v === 'number') && level > 0) v = where(L, level) + (typeof v === 'number' ? numberToString(v) : v);
      throw new LuaError(v);
    },
    pcall,
    xpcall,
    type: (...args: LuaValue[]): LuaValue[] => {
      checkAny(L, 1, 'type', args.length);
      return [luaType(args[0])];
    },
    tostring,
    tonumber: (...args: LuaValue[]): LuaValue[] => {
      const base = optInt(L, args[1], 2, 'tonumber', 10, args.length);
      const v = args[0];
      if (base === 10) {
        checkAny(L, 1, 'tonumber', args.length);
        if (typeof v === 'number') return [v];
        if (typeof v === 'string') {
          const n = stringToNumber(v);
          if (n !== undefined) return [n];
        }
        return rt.NIL1;
      }
      const s = checkString(L, v, 1, 'tonumber', args.length);
      if (base < 2 || base > 36) throw L.argError(2, 'tonumber', 'base out of range');
      const n = strtoulBase(s, base);
      return n === undefined ? rt.NIL1 : [n];
    },
    ipairs: (...args: LuaValue[]): LuaValue[] => {
      const t = checkTable(L, args[0], 1, 'ipairs', args.length);
      return [ipairsAux, t, 0];
    },
    pairs: (...args: LuaValue[]): LuaValue[] => {
      const t = checkTable(L, args[0], 1, 'pairs', args.length);
      return [next, t, undefined];
    },
    next,
    select: (...args: LuaValue[]): LuaValue[] => {
      const n = args.length;
      const sel = args[0];
      if (typeof sel === 'string' && sel.charCodeAt(0) === 35) return [n - 1];
      let i = checkInt(L, sel, 1, 'select', n);
      if (i < 0) i = n + i;
      else if (i > n) i = n;
      if (i < 1) throw L.argError(1, 'select', 'index out of range');
      return args.slice(i);
    },
    unpack: (...args: LuaValue[]): LuaValue[] => {
      const t = checkTable(L, args[0], 1, 'unpack', args.length);
      let i = optInt(L, args[1], 2, 'unpack', 1, args.length);
      const e = args[2] === undefined ? t.length() : checkInt(L, args[2], 3, 'unpack', args.length);
      if (i > e) return EMPTY;
      const n = e - i + 1;
      if (n <= 0 || n + args.length > 8000) throw L.error('too many results to unpack');
      const out = new Array<LuaValue>(n);
      for (let j = 0; j < n; j++, i++) out[j] = t.getInt(i);
      return out;
    },
    rawget: (...args: LuaValue[]): LuaValue[] => {
      const t = checkTable(L, args[0], 1, 'rawget', args.length);
      checkAny(L, 2, 'rawget', args.length);
      return [t.get(args[1])];
    },
    rawset: (...args: LuaValue[]): LuaValue[] => {
      const t = checkTable(L, args[0], 1, 'rawset', args.length);
      checkAny(L, 2, 'rawset', args.length);
      checkAny(L, 3, 'rawset', args.length);
      try {
        t.set(args[1], args[2]);
      } catch (e) {
        // luaH_set's errors come from inside the C function: no position; Redis's read-only check is luaG_runerror too
        throw e;
      }
      return [t];
    },
    rawequal: (...args: LuaValue[]): LuaValue[] => {
      checkAny(L, 1, 'rawequal', args.length);
      checkAny(L, 2, 'rawequal', args.length);
      return [args[0] === args[1]];
    },
    getmetatable: (...args: LuaValue[]): LuaValue[] => {
      checkAny(L, 1, 'getmetatable', args.length);
      const mt = metaOf(L, args[0]);
      if (mt === undefined) return rt.NIL1;
      const protectedMt = mt.getStr('__metatable');
      return [protectedMt !== undefined ? protectedMt : mt];
    },
    setmetatable: (...args: LuaValue[]): LuaValue[] => {
      const mt = args[1];
      const t = checkTable(L, args[0], 1, 'setmetatable', args.length);
      if (mt !== undefined && !(mt instanceof LuaTable)) throw L.argError(2, 'setmetatable', 'nil or table expected');
      if (t.metatable !== undefined && t.metatable.getStr('__metatable') !== undefined) throw L.error('cannot change a protected metatable');
      if (t.readonly) throw L.error('Attempt to modify a readonly table');
      t.metatable = mt;
      return [t];
    },
    loadstring: (...args: LuaValue[]): LuaValue[] => {
      const s = checkString(L, args[0], 1, 'loadstring', args.length);
      const name = optString(L, args[1], 2, 'loadstring', s, args.length);
      return load(s, chunkNameOf(name));
    },
    load: new LuaClosure(function* loadFn(...args: LuaValue[]): LuaGen {
      const f = args[0];
      if (typeof f !== 'function' && !(f instanceof LuaClosure)) throw typeError(L, 1, 'load', 'function', f, args.length);
      const name = optString(L, args[1], 2, 'load', '=(load)', args.length);
      let src = '';
      for (;;) {
        const piece = (yield* L.call(f, EMPTY))[0];
        if (piece === undefined || piece === '') break;
        if (typeof piece !== 'string') return [undefined, 'reader function must return a string'];
        src += piece;
      }
      return load(src, chunkNameOf(name));
    }, 'load'),
    getfenv: (...args: LuaValue[]): LuaValue[] => {
      const f = args[0];
      if (f instanceof LuaClosure) {
        const env = rt.envOf(f);
        if (env !== undefined) return [env.get()];
      }
      return [G];
    },
    setfenv: (...args: LuaValue[]): LuaValue[] => {
      const f = args[0];
      const t = checkTable(L, args[1], 2, 'setfenv', args.length);
      if (f instanceof LuaClosure) {
        const env = rt.envOf(f);
        if (env !== undefined) {
          env.set(t);
          return [f];
        }
      }
      throw L.error("'setfenv' cannot change environment of given object");
    },
    collectgarbage: (...args: LuaValue[]): LuaValue[] => {
      const opt = optString(L, args[0], 1, 'collectgarbage', 'collect', args.length);
      optInt(L, args[1], 2, 'collectgarbage', 0, args.length);
      switch (opt) {
        case 'stop':
        case 'restart':
        case 'collect':
          return [0];
        case 'count':
          return [process.memoryUsage().heapUsed / 1024];
        case 'step':
          return [false];
        case 'setpause':
          return [200];
        case 'setstepmul':
          return [200];
      }
      throw L.argError(1, 'collectgarbage', `invalid option '${opt}'`);
    },
    gcinfo: (): LuaValue[] => [Math.floor(process.memoryUsage().heapUsed / 1024)],
    print: (...args: LuaValue[]): LuaValue[] => {
      const ts = G.get('tostring');
      let line = '';
      for (let i = 0; i < args.length; i++) {
        const s = L.callSync(ts, [args[i]])[0];
        if (typeof s !== 'string') {
          if (typeof s === 'number') {
            line += (i > 0 ? '\t' : '') + numberToString(s);
            continue;
          }
          throw L.error("'tostring' must return a string to 'print'");
        }
        line += (i > 0 ? '\t' : '') + s;
      }
      out(line);
      return EMPTY;
    },
    _VERSION: 'Lua 5.1',
  };
  for (const [k, v] of Object.entries(fns)) G.set(k, v);
  G.set('_G', G);
}

/** loadstring's chunk name: lua_load shows a name that is not '@…' or '=…' as [string "…"] */
function chunkNameOf(name: string): string {
  return name.startsWith('@') || name.startsWith('=') ? name : '=' + chunkId(name);
}

export { addressOf, LuaUserdata };
