/**
 * Lua 5.1's string library (lstrlib.c) for gKV's Lua: byte char dump find
 * format gfind gmatch gsub len lower match rep reverse sub upper, and the
 * string metatable whose __index is this table, so ("x"):upper() works.
 *
 * Strings are latin1 JS strings (one char per byte), so lengths, positions
 * and byte values are JS's. What follows lstrlib.c to the letter, because
 * scripts see it:
 * - positions as posrelat makes them (negative from the end, clamped);
 * - lower/upper change only ASCII letters (the C locale);
 * - patterns (lpattern.ts), find's plain search when the pattern has no
 *   special character before its first NUL, gmatch's empty-match step,
 *   gsub's "%0".."%9" and its "%" before anything else (that char, or a NUL
 *   at the end of the replacement);
 * - format: each item goes through printf as glibc prints it (printf.ts),
 *   with 5.1.5's checks ("no value", repeated flags, two-digit width and
 *   precision); %s of a string of 100 bytes or more without precision is
 *   copied whole, and a %c or %s item stops at a NUL byte (sprintf+strlen);
 * - string.dump of a Lua function gives a binary chunk's header only (gKV
 *   compiles to JavaScript: there is no bytecode), enough for what scripts
 *   can do with it in Redis (loadstring refuses binary chunks); of a native,
 *   "unable to dump given function" as for C functions.
 * - gfind is gmatch (LUA_COMPAT_GFIND, as Debian's lua5.1 and Redis build it).
 * Errors name the C function as lua5.1 does ("bad argument #1 to 'upper'").
 */
import type { LuaState } from '../state.js';
import { EMPTY, LuaClosure, LuaError, LuaTable, type LuaValue, luaType, numberToString } from '../value.js';
import { checkFunction, checkInt, checkInteger, checkNumber, checkStack, checkString, getTable, jsLimitError, optInt } from './auxlib.js';
import { isDigit, MatchState, SPECIALS } from './lpattern.js';
import { formatChar, formatFloat, formatInt, formatStr, type Spec } from './printf.js';

/** posrelat: a relative string position (negative counts back from the end), never below 0 */
function posrelat(pos: number, len: number): number {
  if (pos < 0) pos += len + 1;
  return pos >= 0 ? pos : 0;
}

/** V8's longest string; past it Lua would run out of memory. */
const MAX_STRING = (1 << 29) - 24;

/** What format's %q writes for a string (addquoted). */
function addquoted(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string;
    if (c === 34) rep = '\\"';
    else if (c === 92) rep = '\\\\';
    else if (c === 10) rep = '\\\n';
    else if (c === 13) rep = '\\r';
    else if (c === 0) rep = '\\000';
    else continue;
    out += s.slice(from, i) + rep;
    from = i + 1;
  }
  return out + s.slice(from) + '"';
}

function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s.toLowerCase();
}

function asciiUpper(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
  }
  return s.toUpperCase();
}

const FLAGS = '-+ #0';

/**
 * What string.dump gives for a Lua function: the header of a Lua 5.1 binary
 * chunk (ESC "Lua", version 0x51, format 0, little endian, sizes of int,
 * size_t, Instruction and lua_Number, non-integral numbers). gKV compiles
 * to JavaScript and has no bytecode after it: what scripts can do with a
 * dump is hand it to loadstring, which in Redis refuses binary chunks.
 */
const LUAC_HEADER = '\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00';

/**
 * Opens the string library: the global `string` and L.stringMeta.
 * Returns the library table.
 */
export function openString(L: LuaState): LuaTable {
  const ms = new MatchState(L);
  const shared = ms;

  function str_len(s: LuaValue): LuaValue[] {
    return [(typeof s === 'string' ? s : checkString(L, s, 1, 'len', arguments.length)).length];
  }

  function str_sub(s: LuaValue, i: LuaValue, j: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const str = typeof s === 'string' ? s : checkString(L, s, 1, 'sub', argc);
    const l = str.length;
    let start = posrelat(checkInteger(L, i, 2, 'sub', argc), l);
    let end = j === undefined ? l : posrelat(checkInteger(L, j, 3, 'sub', argc), l);
    if (start < 1) start = 1;
    if (end > l) end = l;
    if (start > end) return [''];
    return [start === 1 && end === l ? str : str.slice(start - 1, end)];
  }

  function str_reverse(s: LuaValue): LuaValue[] {
    const str = typeof s === 'string' ? s : checkString(L, s, 1, 'reverse', arguments.length);
    let out = '';
    for (let i = str.length - 1; i >= 0; i--) out += str[i];
    return [out];
  }

  function str_lower(s: LuaValue): LuaValue[] {
    return [asciiLower(typeof s === 'string' ? s : checkString(L, s, 1, 'lower', arguments.length))];
  }

  function str_upper(s: LuaValue): LuaValue[] {
    return [asciiUpper(typeof s === 'string' ? s : checkString(L, s, 1, 'upper', arguments.length))];
  }

  function str_rep(s: LuaValue, n: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const str = typeof s === 'string' ? s : checkString(L, s, 1, 'rep', argc);
    const count = checkInt(L, n, 2, 'rep', argc);
    if (count <= 0 || str.length === 0) return [''];
    // a memory error (LUA_ERRMEM) carries no position
    if (str.length * count > MAX_STRING) throw new LuaError('not enough memory');
    return [str.repeat(count)];
  }

  function str_byte(s: LuaValue, i: LuaValue, j: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const str = typeof s === 'string' ? s : checkString(L, s, 1, 'byte', argc);
    const l = str.length;
    let posi = posrelat(i === undefined ? 1 : checkInteger(L, i, 2, 'byte', argc), l);
    let pose = j === undefined ? posi : posrelat(checkInteger(L, j, 3, 'byte', argc), l);
    if (posi <= 0) posi = 1;
    if (pose > l) pose = l;
    if (posi > pose) return EMPTY;
    const n = pose - posi + 1;
    if (n === 1) return [str.charCodeAt(posi - 1)];
    checkStack(L, argc, n, 'string slice too long');
    const out: LuaValue[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = str.charCodeAt(posi - 1 + k);
    return out;
  }

  function str_char(...args: LuaValue[]): LuaValue[] {
    let out = '';
    for (let i = 0; i < args.length; i++) {
      const c = checkInt(L, args[i], i + 1, 'char', args.length);
      if (c < 0 || c > 255) throw L.argError(i + 1, 'char', 'invalid value');
      out += String.fromCharCode(c);
    }
    return [out];
  }

  function str_dump(f: LuaValue): LuaValue[] {
    checkFunction(L, f, 1, 'dump', arguments.length);
    // a C function cannot be dumped; a Lua one dumps to a binary chunk, which only ever goes back
    // through loadstring — and Redis's loadstring refuses binary chunks (it reads text only)
    // (compile.ts makes Lua functions LuaClosures, and leaf functions plain JS functions named $leaf)
    const isLua = f instanceof LuaClosure || (typeof f === 'function' && f.name === '$leaf');
    if (!isLua) throw L.error('unable to dump given function');
    return [LUAC_HEADER];
  }

  /** str_find_aux: find (find = true) and match */
  function str_find_aux(find: boolean, fname: string, argc: number, s: LuaValue, p: LuaValue, i: LuaValue, plain: LuaValue): LuaValue[] {
    const src = typeof s === 'string' ? s : checkString(L, s, 1, fname, argc);
    const pat = typeof p === 'string' ? p : checkString(L, p, 2, fname, argc);
    const l1 = src.length;
    let init = posrelat(i === undefined ? 1 : checkInteger(L, i, 3, fname, argc), l1) - 1;
    if (init < 0) init = 0;
    else if (init > l1) init = l1;
    if (find && ((plain !== undefined && plain !== false) || !hasSpecials(pat))) {
      // a plain search, with the whole pattern (NULs included)
      const at = src.indexOf(pat, init);
      if (at >= 0) return [at + 1, at + pat.length];
      return [undefined];
    }
    ms.reset(src, pat);
    let p0 = 0;
    const anchor = ms.p.charCodeAt(0) === 94;
    if (anchor) p0 = 1;
    try {
      return find_loop(ms, find, src, init, p0, anchor);
    } catch (e) {
      throw jsLimitError(L, e, 'pattern too complex');
    }
  }

  /** str_find_aux's search: the match from each position in turn (or the anchored one) */
  function find_loop(ms: MatchState, find: boolean, src: string, init: number, p0: number, anchor: boolean): LuaValue[] {
    let s1 = init;
    const end = ms.srcEnd;
    let first: Uint8Array | null | undefined;
    do {
      ms.level = 0;
      const e = ms.match(s1, p0);
      if (e >= 0) {
        if (find) {
          if (ms.level === 0) return [s1 + 1, e];
          return [s1 + 1, e, ...ms.push_captures(-1, 0)];
        }
        if (ms.level === 0) return [src.slice(s1, e)];
        return ms.push_captures(s1, e);
      }
      if (anchor) break;
      // skip the positions where the first item cannot match (it needs a byte there)
      if (first === undefined) first = ms.first_bytes(p0);
      if (first !== null) {
        while (s1 + 1 < end && first[src.charCodeAt(s1 + 1)] === 0) s1++;
        if (s1 + 1 >= end) return [undefined];
      }
    } while (s1++ < end);
    return [undefined];
  }

  function str_find(s: LuaValue, p: LuaValue, i: LuaValue, plain: LuaValue): LuaValue[] {
    return str_find_aux(true, 'find', arguments.length, s, p, i, plain);
  }

  function str_match(s: LuaValue, p: LuaValue, i: LuaValue): LuaValue[] {
    return str_find_aux(false, 'match', arguments.length, s, p, i, undefined);
  }

  function gmatch(s: LuaValue, p: LuaValue): LuaValue[] {
    return gmatch_named('gmatch', arguments.length, s, p);
  }

  function gmatch_named(fname: string, argc: number, s: LuaValue, p: LuaValue): LuaValue[] {
    const src = checkString(L, s, 1, fname, argc);
    const pat = checkString(L, p, 2, fname, argc);
    let start = 0;
    // gmatch_aux: the iterator, with its own match state (iterators may interleave)
    const own = new MatchState(L);
    const gmatch_aux = (): LuaValue[] => {
      own.reset(src, pat);
      try {
        for (let at = start; at <= own.srcEnd; at++) {
          own.level = 0;
          const e = own.match(at, 0);
          if (e >= 0) {
            start = e === at ? e + 1 : e; // an empty match steps one on
            return own.push_captures(at, e);
          }
        }
      } catch (e) {
        throw jsLimitError(L, e, 'pattern too complex');
      }
      return EMPTY;
    };
    return [gmatch_aux];
  }

  /** add_s: the replacement string with its %0-%9 and %x escapes */
  function add_s(ms: MatchState, news: string, s: number, e: number): string {
    let i = news.indexOf('%');
    if (i < 0) return news;
    let out = news.slice(0, i);
    const l = news.length;
    for (; i < l; i++) {
      const c = news.charCodeAt(i);
      if (c !== 37) {
        out += news[i];
        continue;
      }
      i++; // skip the '%'
      const d = i < l ? news.charCodeAt(i) : 0; // past the end: C's terminating NUL
      if (!isDigit(d)) out += String.fromCharCode(d);
      else if (d === 48) out += ms.src.slice(s, e);
      else {
        const v = ms.push_onecapture(d - 49, s, e);
        out += typeof v === 'string' ? v : numberToString(v as number);
      }
    }
    return out;
  }

  function str_gsub(s: LuaValue, p: LuaValue, repl: LuaValue, n: LuaValue): LuaValue[] {
    try {
      return gsub(arguments.length, s, p, repl, n);
    } catch (e) {
      throw jsLimitError(L, e, 'C stack overflow');
    }
  }

  function gsub(argc: number, s: LuaValue, p: LuaValue, repl: LuaValue, n: LuaValue): LuaValue[] {
    const src = typeof s === 'string' ? s : checkString(L, s, 1, 'gsub', argc);
    const pat = typeof p === 'string' ? p : checkString(L, p, 2, 'gsub', argc);
    const tr = typeof repl;
    const maxS = n === undefined ? src.length + 1 : optInt(L, n, 4, 'gsub', 0, argc);
    const isFn = tr === 'function' || repl instanceof LuaClosure;
    if (!(tr === 'string' || tr === 'number' || isFn || repl instanceof LuaTable)) {
      throw L.argError(3, 'gsub', 'string/function/table expected');
    }
    const news = tr === 'string' ? (repl as string) : tr === 'number' ? numberToString(repl as number) : '';
    const line = L.line;
    // a function or __index may run string functions itself: they get the shared state, gsub its own
    const ms = isFn || repl instanceof LuaTable ? new MatchState(L) : shared;
    ms.reset(src, pat);
    let p0 = 0;
    const anchor = ms.p.charCodeAt(0) === 94;
    if (anchor) p0 = 1;
    let out = '';
    let at = 0;
    let count = 0;
    const end = ms.srcEnd;
    let first: Uint8Array | null | undefined;
    while (count < maxS) {
      ms.level = 0;
      const e = ms.match(at, p0);
      if (e >= 0) {
        count++;
        // add_value
        if (!isFn && !(repl instanceof LuaTable)) out += add_s(ms, news, at, e);
        else {
          let v: LuaValue;
          if (isFn) {
            const caps = ms.push_captures(at, e);
            v = L.callSync(repl, caps)[0];
          } else v = getTable(L, repl as LuaTable, ms.push_onecapture(0, at, e));
          L.line = line;
          if (v === undefined || v === false) out += src.slice(at, e);
          else if (typeof v === 'string') out += v;
          else if (typeof v === 'number') out += numberToString(v);
          else throw L.error(`invalid replacement value (a ${luaType(v)})`);
        }
      }
      if (e >= 0 && e > at) at = e;
      else if (at < end) {
        if (e < 0 && !anchor) {
          // skip, copying them, the bytes where the first item cannot match
          if (first === undefined) first = ms.first_bytes(p0);
          if (first !== null) {
            let to = at + 1;
            while (to < end && first[src.charCodeAt(to)] === 0) to++;
            out += src.slice(at, to);
            at = to;
            if (at >= end) break;
            continue;
          }
        }
        out += src[at++];
      } else break;
      if (anchor) break;
    }
    if (at < end) out += src.slice(at);
    return [out, count];
  }

  /** one format item of str_format's switch: its text, or the error lua5.1 raises */
  function formatItem(spec: Spec, conv: number, v: LuaValue, arg: number, argc: number): string {
    switch (conv) {
      case 99: {
        // c
        const item = formatChar(spec, checkNumber(L, v, arg, 'format', argc));
        const z = item.indexOf('\0');
        return z >= 0 ? item.slice(0, z) : item;
      }
      case 100:
      case 105:
      case 111:
      case 117:
      case 120:
      case 88: {
        const d = typeof v === 'number' ? v : checkNumber(L, v, arg, 'format', argc);
        if (spec.width === 0 && spec.precision < 0 && (conv === 100 || conv === 105) && !spec.plus && !spec.space && d > -2147483648 && d < 2147483648) {
          return String(Math.trunc(d) | 0); // the common '%d'
        }
        return formatInt(spec, conv, d);
      }
      case 101:
      case 69:
      case 102:
      case 103:
      case 71:
        return formatFloat(spec, conv, typeof v === 'number' ? v : checkNumber(L, v, arg, 'format', argc));
      case 113:
        // q
        return addquoted(typeof v === 'string' ? v : checkString(L, v, arg, 'format', argc));
      case 115: {
        // s
        let s = typeof v === 'string' ? v : checkString(L, v, arg, 'format', argc);
        if (spec.precision < 0 && s.length >= 100) return s; // too long to be formatted: kept whole
        const z = s.indexOf('\0');
        if (z >= 0) s = s.slice(0, z);
        if (spec.width === 0 && spec.precision < 0) return s;
        return formatStr(spec, s);
      }
      default:
        throw L.error(`invalid option '%${conv === 0 ? '' : String.fromCharCode(conv)}' to 'format'`);
    }
  }

  function str_format(fmt: LuaValue, ...args: LuaValue[]): LuaValue[] {
    try {
      return format(fmt, args, arguments.length);
    } catch (e) {
      throw jsLimitError(L, e, 'C stack overflow');
    }
  }

  function format(fmt: LuaValue, args: LuaValue[], argc: number): LuaValue[] {
    const top = args.length + 1;
    const f = typeof fmt === 'string' ? fmt : checkString(L, fmt, 1, 'format', argc);
    let items = formats.get(f);
    if (items === undefined) {
      items = parseFormat(f);
      if (f.length <= 256) {
        if (formats.size >= 256) formats.clear();
        formats.set(f, items);
      }
    }
    if (items === null) return [formatSlow(f, args, top, argc)];
    let out = '';
    let arg = 1;
    for (let k = 0; k < items.length; k++) {
      const it = items[k];
      if (typeof it === 'string') {
        out += it;
        continue;
      }
      if (++arg > top) throw L.argError(arg, 'format', 'no value');
      out += formatItem(it.spec, it.conv, args[arg - 2], arg, argc);
    }
    return [out];
  }

  /** str_format item by item (scanformat as it goes): for formats whose parse fails, so errors come in lua5.1's order */
  function formatSlow(f: string, args: LuaValue[], top: number, argc: number): string {
    const fl = f.length;
    let out = '';
    let arg = 1;
    let i = 0;
    while (i < fl) {
      const pc = f.indexOf('%', i);
      if (pc < 0) {
        out += f.slice(i);
        break;
      }
      if (pc > i) out += f.slice(i, pc);
      i = pc + 1;
      if (f.charCodeAt(i) === 37) {
        out += '%';
        i++;
        continue;
      }
      if (++arg > top) throw L.argError(arg, 'format', 'no value');
      const r = scanformat(f, i);
      if (typeof r === 'string') throw L.error(r);
      i = r.next;
      out += formatItem(r.spec, r.conv, args[arg - 2], arg, argc);
    }
    return out;
  }

  const lib = L.register('string', {
    byte: str_byte,
    char: str_char,
    dump: str_dump,
    find: str_find,
    format: str_format,
    gfind: gmatch, // the same function, as string.gfind == string.gmatch in lua5.1
    gmatch,
    gsub: str_gsub,
    len: str_len,
    lower: str_lower,
    match: str_match,
    rep: str_rep,
    reverse: str_reverse,
    sub: str_sub,
    upper: str_upper,
  });
  const meta = new LuaTable();
  meta.set('__index', lib);
  L.stringMeta = meta;
  return lib;
}

interface FormatItem {
  spec: Spec;
  conv: number;
}

/** parsed format strings (a memo of their text only) */
const formats = new Map<string, (string | FormatItem)[] | null>();

/**
 * scanformat at f[i] (just past a '%'): the item's flags, width, precision
 * and conversion and where the format goes on, or scanformat's error text.
 */
function scanformat(f: string, i: number): { spec: Spec; conv: number; next: number } | string {
  const fl = f.length;
  const flagsFrom = i;
  while (i < fl && FLAGS.indexOf(f[i]) >= 0) i++;
  if (i - flagsFrom >= FLAGS.length + 1) return 'invalid format (repeated flags)';
  const spec: Spec = { minus: false, plus: false, space: false, hash: false, zero: false, width: 0, precision: -1 };
  for (let k = flagsFrom; k < i; k++) {
    switch (f.charCodeAt(k)) {
      case 45:
        spec.minus = true;
        break;
      case 43:
        spec.plus = true;
        break;
      case 32:
        spec.space = true;
        break;
      case 35:
        spec.hash = true;
        break;
      default:
        spec.zero = true;
    }
  }
  if (isDigit(f.charCodeAt(i))) {
    spec.width = f.charCodeAt(i++) - 48;
    if (isDigit(f.charCodeAt(i))) spec.width = spec.width * 10 + f.charCodeAt(i++) - 48;
  }
  if (f.charCodeAt(i) === 46) {
    i++;
    spec.precision = 0;
    if (isDigit(f.charCodeAt(i))) {
      spec.precision = f.charCodeAt(i++) - 48;
      if (isDigit(f.charCodeAt(i))) spec.precision = spec.precision * 10 + f.charCodeAt(i++) - 48;
    }
  }
  if (isDigit(f.charCodeAt(i))) return 'invalid format (width or precision too long)';
  const conv = i < fl ? f.charCodeAt(i) : 0;
  return { spec, conv, next: i + 1 };
}

/** A format as literal runs and items, or null when some item is malformed (then it runs item by item). */
function parseFormat(f: string): (string | FormatItem)[] | null {
  const items: (string | FormatItem)[] = [];
  const fl = f.length;
  let lit = '';
  let i = 0;
  while (i < fl) {
    const pc = f.indexOf('%', i);
    if (pc < 0) {
      lit += f.slice(i);
      break;
    }
    lit += f.slice(i, pc);
    i = pc + 1;
    if (f.charCodeAt(i) === 37) {
      lit += '%';
      i++;
      continue;
    }
    const r = scanformat(f, i);
    if (typeof r === 'string' || 'cdiouxXeEfgGqs'.indexOf(String.fromCharCode(r.conv)) < 0 || r.conv === 0) return null;
    if (lit !== '') items.push(lit);
    lit = '';
    items.push({ spec: r.spec, conv: r.conv });
    i = r.next;
  }
  if (lit !== '') items.push(lit);
  return items;
}

/** strpbrk(p, SPECIALS) over the pattern up to its first NUL */
function hasSpecials(p: string): boolean {
  const z = p.indexOf('\0');
  return SPECIALS.test(z >= 0 ? p.slice(0, z) : p);
}
