/**
 * cjson: JSON for Lua, as Redis 7.0 bundles it (Lua CJSON 2.1.0 by Mark
 * Pulford, with Redis's patches: lua_checkstack on every nesting level).
 * Scripts use it to read and write JSON values kept in keys (BullMQ's job
 * data); encode's output and decode's errors are real Redis's, byte for byte.
 *
 * Encoding (json_append_data):
 * - numbers by snprintf("%.14g") (encode_number_precision sets the digits);
 *   NaN and ±inf are refused ("Cannot serialise number: must not be NaN or
 *   Inf") unless encode_invalid_numbers is on ("nan", "inf") or "null";
 * - strings escaped by char2escape: ", \, / (as "\/"), control characters and
 *   DEL as \uXXXX (\b \t \n \f \r short); bytes ≥ 0x80 pass untouched;
 * - a table whose keys are all integers ≥ 1 is an array of its largest key's
 *   length (holes are null), unless it is "excessively sparse" (largest key >
 *   ratio·count and > safe: an error, or an object when encode_sparse_array's
 *   convert is on); any other table, and the empty one, is an object whose
 *   keys are strings or numbers ("Cannot serialise boolean: table key must be
 *   a number or string"); its pairs come in next()'s order;
 * - nesting deeper than encode_max_depth (1000): "Cannot serialise,
 *   excessive nesting (1001)";
 * - cjson.null (the NULL light userdata) and nil are null; functions,
 *   threads and other userdata are refused ("… type not supported").
 * Decoding (json_decode) reads the string as C does: a NUL byte ends it;
 * numbers are C strtod's (so with decode_invalid_numbers on, the default,
 * "+5", "0x10", "inf", "nan", "1e999" are numbers); \uXXXX escapes (and
 * surrogate pairs) become UTF-8 bytes; errors name the token and its
 * 1-based byte position: "Expected comma or array end but found T_END at
 * character 5". JSON null decodes to cjson.null.
 *
 * Each cjson table has its own configuration (cjson.new() makes another), kept
 * by the Lua state that opened it, as the C library keeps it in an upvalue.
 */
import type { LuaState } from '../state.js';
import { LuaTable, LuaUserdata, type LuaValue, luaType } from '../value.js';
import { formatG } from '../../util/numbers.js';
import { strtod } from '../../util/strtod.js';
import { LUAI_MAXCSTACK, checkInteger, checkString, toInt } from './auxlib.js';

/** The NULL light userdata: cjson.null, and what JSON null decodes to (one value, as every NULL pointer is one). */
export const cjsonNull = new LuaUserdata('null');

interface JsonConfig {
  encodeSparseConvert: number;
  encodeSparseRatio: number;
  encodeSparseSafe: number;
  encodeMaxDepth: number;
  /** 0 off, 1 on, 2 null */
  encodeInvalidNumbers: number;
  encodeNumberPrecision: number;
  encodeKeepBuffer: number;
  decodeInvalidNumbers: number;
  decodeMaxDepth: number;
}

function newConfig(): JsonConfig {
  return {
    encodeSparseConvert: 0,
    encodeSparseRatio: 2,
    encodeSparseSafe: 10,
    encodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    encodeNumberPrecision: 14,
    encodeKeepBuffer: 1,
    decodeInvalidNumbers: 1,
    decodeMaxDepth: 1000,
  };
}

/* ===== CONFIGURATION ===== */

/** json_arg_init: at most n arguments */
function argInit(L: LuaState, args: LuaValue[], n: number, fname: string): void {
  if (args.length > n) throw L.argError(n + 1, fname, 'found too many arguments');
}

/** json_integer_option: sets from argument i unless nil; returns the setting (the range error names argument #1, as the C code does) */
function integerOption(L: LuaState, args: LuaValue[], i: number, fname: string, min: number, max: number, get: () => number, set: (v: number) => void): number {
  if (args[i - 1] !== undefined) {
    const value = toInt(checkInteger(L, args[i - 1], i, fname, args.length));
    if (!(min <= value && value <= max)) throw L.argError(1, fname, `expected integer between ${min} and ${max}`);
    set(value);
  }
  return get();
}

/** luaL_checkoption without a default: the index of the string argument in options */
function checkOption(L: LuaState, args: LuaValue[], i: number, fname: string, options: string[]): number {
  const name = checkString(L, args[i - 1], i, fname, args.length);
  const at = options.indexOf(name);
  if (at < 0) throw L.argError(i, fname, `invalid option '${name}'`);
  return at;
}

const BOOL_OPTIONS = ['off', 'on'];

/** json_enum_option: a boolean or an option name sets it; returns the setting as a boolean when it is 0 or boolTrue, else its name */
function enumOption(L: LuaState, args: LuaValue[], i: number, fname: string, options: string[] | undefined, boolTrue: number, get: () => number, set: (v: number) => void): LuaValue {
  if (options === undefined) {
    options = BOOL_OPTIONS;
    boolTrue = 1;
  }
  const v = args[i - 1];
  if (v !== undefined) {
    if (boolTrue !== 0 && typeof v === 'boolean') set(v ? boolTrue : 0);
    else set(checkOption(L, args, i, fname, options));
  }
  const s = get();
  if (boolTrue !== 0 && (s === 0 || s === boolTrue)) return s !== 0;
  return options[s];
}

/* ===== ENCODING ===== */

/** char2escape: the escape of each byte that has one */
const char2escape: (string | undefined)[] = [];
for (let i = 0; i < 32; i++) char2escape[i] = '\\u' + i.toString(16).padStart(4, '0');
char2escape[8] = '\\b';
char2escape[9] = '\\t';
char2escape[10] = '\\n';
char2escape[12] = '\\f';
char2escape[13] = '\\r';
char2escape[34] = '\\"';
char2escape[47] = '\\/';
char2escape[92] = '\\\\';
char2escape[127] = '\\u007f';
const NEEDS_ESCAPE = /["/\\\x00-\x1f\x7f]/;

/** json_append_string */
function json_append_string(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const e = char2escape[s.charCodeAt(i)];
    if (e !== undefined) {
      out += s.substring(from, i) + e;
      from = i + 1;
    }
  }
  return out + s.substring(from) + '"';
}

function encodeError(L: LuaState, v: LuaValue, reason: string): never {
  throw L.error(`Cannot serialise ${luaType(v)}: ${reason}`);
}

/** json_append_number: %.<precision>g, with the invalid-number policy */
function json_append_number(L: LuaState, cfg: JsonConfig, n: number): string {
  if (n - n !== 0) {
    // NaN or ±inf
    if (cfg.encodeInvalidNumbers === 0) encodeError(L, n, 'must not be NaN or Inf');
    if (cfg.encodeInvalidNumbers === 2) return 'null';
    if (n !== n) return 'nan';
    return n > 0 ? 'inf' : '-inf';
  }
  const p = cfg.encodeNumberPrecision;
  if (Number.isInteger(n) && n < 1e14 && n > -1e14 && p === 14) return n === 0 && 1 / n < 0 ? '-0' : String(n);
  return formatG(n, p);
}

/**
 * lua_array_length: the array length of t (its largest key, stored in a C
 * int), or -1 when t is an object (a key that is not an integer ≥ 1, or an
 * excessively sparse array that convert turns into an object).
 */
function lua_array_length(L: LuaState, cfg: JsonConfig, t: LuaTable): number {
  let max = 0;
  let items = 0;
  const a = t.arr;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== undefined) {
      items++;
      max = i + 1;
    }
  }
  const h = t.hash;
  if (h !== undefined) {
    for (const k of h.keys()) {
      if (typeof k !== 'number' || k < 1 || Math.floor(k) !== k) return -1;
      // max = k: a double past INT_MAX becomes INT_MIN on x86 (the table then encodes as an object)
      if (k > max) max = k > 2147483647 ? -2147483648 : k;
      items++;
    }
  }
  if (cfg.encodeSparseRatio > 0 && max > Math.imul(items, cfg.encodeSparseRatio) && max > cfg.encodeSparseSafe) {
    if (!cfg.encodeSparseConvert) encodeError(L, t, 'excessively sparse array');
    return -1;
  }
  return max;
}

/** An open table while encoding: its array length (0: an object), the position reached, the stack use with it pushed. */
interface EncFrame {
  t: LuaTable;
  len: number;
  /** array: the index written last; object: the array-part index reached */
  i: number;
  /** object: the hash part's pairs, once the array part is done */
  pairs: Iterator<[LuaValue, LuaValue]> | undefined;
  comma: boolean;
  top: number;
}

/** json_append_data for the values that are not tables */
function appendScalar(L: LuaState, cfg: JsonConfig, v: LuaValue): string {
  switch (typeof v) {
    case 'string':
      return json_append_string(v);
    case 'number':
      return json_append_number(L, cfg, v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null';
  }
  if (v === cjsonNull) return 'null';
  return encodeError(L, v, 'type not supported');
}

/**
 * json_append_data: the JSON of v, pushed at stack slot `top`. The C code
 * recurses into tables; here the open ones are kept in a list, so nesting
 * as deep as Lua's stack allows (about 8000 levels under a raised
 * encode_max_depth) does not exhaust JavaScript's stack. `depth` counts the
 * tables around and including the one opened (current_depth), `top` the C
 * function's stack use (lua_checkstack's bound fails very deep nesting even
 * under a large encode_max_depth, as in Redis).
 */
function json_append_data(L: LuaState, cfg: JsonConfig, v: LuaValue, top: number): string {
  let out = '';
  const open: EncFrame[] = [];
  for (;;) {
    if (v instanceof LuaTable) {
      const depth = open.length + 1;
      if (depth > cfg.encodeMaxDepth || top + 3 > LUAI_MAXCSTACK) throw L.error(`Cannot serialise, excessive nesting (${depth})`);
      const len = lua_array_length(L, cfg, v);
      out += len > 0 ? '[' : '{';
      open.push({ t: v, len: len > 0 ? len : 0, i: 0, pairs: undefined, comma: false, top });
    } else out += appendScalar(L, cfg, v);
    // the next value to write, closing the tables that are complete
    for (;;) {
      const f = open[open.length - 1];
      if (f === undefined) return out;
      if (f.len > 0) {
        // an array: t[1..len], holes are null
        if (f.i < f.len) {
          if (f.i > 0) out += ',';
          v = f.t.getInt(++f.i);
          top = f.top + 1;
          break;
        }
        out += ']';
        open.pop();
        continue;
      }
      // an object, its pairs in next()'s order: the array part alone, or every key in Lua's order (value.ts)
      const a = f.t.arr;
      const mixed = f.t.hash !== undefined && f.t.hash.size > 0;
      if (!mixed) while (f.i < a.length && a[f.i] === undefined) f.i++;
      let key: LuaValue;
      if (!mixed && f.i < a.length) {
        key = f.i + 1;
        v = a[f.i++];
      } else {
        if (f.pairs === undefined) f.pairs = hashPairs(f.t);
        const e = f.pairs.next();
        if (e.done) {
          out += '}';
          open.pop();
          continue;
        }
        [key, v] = e.value;
      }
      if (f.comma) out += ',';
      f.comma = true;
      if (typeof key === 'string') out += json_append_string(key) + ':';
      else if (typeof key === 'number') out += '"' + json_append_number(L, cfg, key) + '":';
      else encodeError(L, key, 'table key must be a number or string');
      top = f.top + 2;
      break;
    }
  }
}

/** a table's pairs in next()'s order (Lua 5.1's, value.ts) */
function* hashPairs(t: LuaTable): Iterator<[LuaValue, LuaValue]> {
  if (t.hash === undefined || t.hash.size === 0) return;
  for (const k of t.keysInOrder()) {
    const v = t.get(k);
    if (v !== undefined) yield [k, v];
  }
}

function json_encode(L: LuaState, cfg: JsonConfig, args: LuaValue[]): LuaValue[] {
  if (args.length !== 1) throw L.argError(1, 'encode', 'expected 1 argument');
  return [json_append_data(L, cfg, args[0], 1)];
}

/* ===== DECODING ===== */

const T_OBJ_BEGIN: number = 0;
const T_OBJ_END: number = 1;
const T_ARR_BEGIN: number = 2;
const T_ARR_END: number = 3;
const T_STRING: number = 4;
const T_NUMBER: number = 5;
const T_BOOLEAN: number = 6;
const T_NULL: number = 7;
const T_COLON: number = 8;
const T_COMMA: number = 9;
const T_END: number = 10;
const T_WHITESPACE: number = 11;
const T_ERROR: number = 12;
const T_UNKNOWN: number = 13;
const tokenNames = ['T_OBJ_BEGIN', 'T_OBJ_END', 'T_ARR_BEGIN', 'T_ARR_END', 'T_STRING', 'T_NUMBER', 'T_BOOLEAN', 'T_NULL', 'T_COLON', 'T_COMMA', 'T_END', 'T_WHITESPACE', 'T_ERROR', 'T_UNKNOWN'];

/** ch2token: the token a byte starts (T_UNKNOWN: look further) */
const ch2token = new Uint8Array(256).fill(T_ERROR);
ch2token[0x7b] = T_OBJ_BEGIN;
ch2token[0x7d] = T_OBJ_END;
ch2token[0x5b] = T_ARR_BEGIN;
ch2token[0x5d] = T_ARR_END;
ch2token[0x2c] = T_COMMA;
ch2token[0x3a] = T_COLON;
ch2token[0] = T_END;
for (const c of ' \t\n\r') ch2token[c.charCodeAt(0)] = T_WHITESPACE;
for (const c of 'fiIntN"+-0123456789') ch2token[c.charCodeAt(0)] = T_UNKNOWN;

/** escape2char: the byte a one-letter escape stands for (0: invalid; 'u': a unicode escape) */
const escape2char = new Uint8Array(256);
escape2char[0x22] = 0x22;
escape2char[0x5c] = 0x5c;
escape2char[0x2f] = 0x2f;
escape2char[0x62] = 8;
escape2char[0x74] = 9;
escape2char[0x6e] = 10;
escape2char[0x66] = 12;
escape2char[0x72] = 13;
escape2char[0x75] = 0x75;

/** The parser: the input, the position, nesting depth, and the token just read. */
interface Parse {
  s: string;
  p: number;
  cfg: JsonConfig;
  depth: number;
  /** the token: its type, its (0-based) position, its value */
  type: number;
  index: number;
  str: string;
  num: number;
  bool: boolean;
  /** T_ERROR's description */
  err: string;
}

/** the byte at i, 0 past the end (the C string's terminator) */
function at(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

function setTokenError(j: Parse, err: string): void {
  j.type = T_ERROR;
  j.index = j.p;
  j.err = err;
}

function hexdigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 0x20;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function decodeHex4(s: string, i: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const d = hexdigit(at(s, i + k));
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

/** codepoint_to_utf8, as a latin1 string of the UTF-8 bytes */
function codepointToUtf8(cp: number): string {
  if (cp <= 0x7f) return String.fromCharCode(cp);
  if (cp <= 0x7ff) return String.fromCharCode((cp >> 6) | 0xc0, (cp & 0x3f) | 0x80);
  if (cp <= 0xffff) return String.fromCharCode((cp >> 12) | 0xe0, ((cp >> 6) & 0x3f) | 0x80, (cp & 0x3f) | 0x80);
  return String.fromCharCode((cp >> 18) | 0xf0, ((cp >> 12) & 0x3f) | 0x80, ((cp >> 6) & 0x3f) | 0x80, (cp & 0x3f) | 0x80);
}

/** json_append_unicode_escape: the UTF-8 of the \uXXXX (pair) at j.p, advancing past it; undefined when invalid */
function unicodeEscape(j: Parse): string | undefined {
  const s = j.s;
  let cp = decodeHex4(s, j.p + 2);
  if (cp < 0) return undefined;
  let len = 6;
  if ((cp & 0xf800) === 0xd800) {
    // a surrogate: must be a high one, followed by \u and a low one
    if (cp & 0x400) return undefined;
    if (at(s, j.p + 6) !== 0x5c || at(s, j.p + 7) !== 0x75) return undefined;
    const low = decodeHex4(s, j.p + 8);
    if (low < 0 || (low & 0xfc00) !== 0xdc00) return undefined;
    cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
    len = 12;
  }
  j.p += len;
  return codepointToUtf8(cp);
}

/** json_next_string_token: the string at j.p (which is at its opening quote) */
function nextStringToken(j: Parse): void {
  const s = j.s;
  j.p++;
  let out = '';
  let from = j.p;
  for (;;) {
    const ch = at(s, j.p);
    if (ch === 0x22) break;
    if (ch === 0) {
      setTokenError(j, 'unexpected end of string');
      return;
    }
    if (ch !== 0x5c) {
      j.p++;
      continue;
    }
    out += s.substring(from, j.p);
    const esc = escape2char[at(s, j.p + 1)];
    if (esc === 0x75) {
      const u = unicodeEscape(j);
      if (u === undefined) {
        setTokenError(j, 'invalid unicode escape code');
        return;
      }
      out += u;
    } else if (esc === 0) {
      setTokenError(j, 'invalid escape code');
      return;
    } else {
      out += String.fromCharCode(esc);
      j.p += 2;
    }
    from = j.p;
  }
  j.type = T_STRING;
  j.str = from === j.index + 1 ? s.substring(from, j.p) : out + s.substring(from, j.p);
  j.p++;
}

/** json_is_invalid_number: a number strict JSON refuses (leading +, hex, leading zeros, inf, nan) */
function isInvalidNumber(j: Parse): boolean {
  const s = j.s;
  let p = j.p;
  let c = at(s, p);
  if (c === 0x2b) return true;
  if (c === 0x2d) c = at(s, ++p);
  if (c === 0x30) {
    const c2 = at(s, p + 1);
    return (c2 | 0x20) === 0x78 || (c2 >= 48 && c2 <= 57);
  }
  if (c <= 0x39) return false;
  const w = s.substr(p, 3).toLowerCase();
  return w === 'inf' || w === 'nan';
}

/** characters a C strtod may consume: its number can't reach past them */
function strtodChar(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x28 || c === 0x29 || c === 0x5f;
}

const PLAIN_NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;

/** json_next_number_token: strtod at j.p */
function nextNumberToken(j: Parse): void {
  const s = j.s;
  j.type = T_NUMBER;
  PLAIN_NUMBER.lastIndex = j.p;
  if (PLAIN_NUMBER.test(s)) {
    const end = PLAIN_NUMBER.lastIndex;
    if (end >= s.length || !strtodChar(s.charCodeAt(end))) {
      // plain JSON: Number() and strtod round alike (correctly)
      j.num = Number(s.substring(j.p, end));
      j.p = end;
      return;
    }
  }
  let end = j.p;
  while (end < s.length && strtodChar(s.charCodeAt(end))) end++;
  const r = strtod(s.substring(j.p, end));
  // strtod skips leading white space, which can't be here (the token starts with a sign or a digit)
  if (r.end === 0) {
    setTokenError(j, 'invalid number');
    return;
  }
  j.num = r.value;
  j.p += r.end;
}

/** json_next_token: reads the next token into j */
function nextToken(j: Parse): void {
  const s = j.s;
  let ch: number;
  let type: number;
  for (;;) {
    ch = at(s, j.p);
    type = ch2token[ch];
    if (type !== T_WHITESPACE) break;
    j.p++;
  }
  j.type = type;
  j.index = j.p;
  if (type === T_ERROR) {
    setTokenError(j, 'invalid token');
    return;
  }
  if (type === T_END) return;
  if (type !== T_UNKNOWN) {
    j.p++;
    return;
  }
  if (ch === 0x22) {
    nextStringToken(j);
    return;
  }
  if (ch === 0x2d || (ch >= 48 && ch <= 57)) {
    if (!j.cfg.decodeInvalidNumbers && isInvalidNumber(j)) {
      setTokenError(j, 'invalid number');
      return;
    }
    nextNumberToken(j);
    return;
  }
  if (s.startsWith('true', j.p)) {
    j.type = T_BOOLEAN;
    j.bool = true;
    j.p += 4;
    return;
  }
  if (s.startsWith('false', j.p)) {
    j.type = T_BOOLEAN;
    j.bool = false;
    j.p += 5;
    return;
  }
  if (s.startsWith('null', j.p)) {
    j.type = T_NULL;
    j.p += 4;
    return;
  }
  if (j.cfg.decodeInvalidNumbers && isInvalidNumber(j)) {
    nextNumberToken(j);
    return;
  }
  setTokenError(j, 'invalid token');
}

/** json_throw_parse_error */
function parseError(L: LuaState, j: Parse, expected: string): never {
  const found = j.type === T_ERROR ? j.err : tokenNames[j.type];
  throw L.error(`Expected ${expected} but found ${found} at character ${j.index + 1}`);
}

/** json_decode_descend: one level deeper, within decode_max_depth and the C stack's limit */
function descend(L: LuaState, j: Parse, top: number, slots: number): void {
  j.depth++;
  if (j.depth <= j.cfg.decodeMaxDepth && top + slots <= LUAI_MAXCSTACK) return;
  throw L.error(`Found too many nested data structures (${j.depth}) at character ${j.p}`);
}

/** An open array or object while decoding: its table, the key waiting for its value, the stack use before the table. */
interface DecFrame {
  t: LuaTable;
  obj: boolean;
  key: string;
  top: number;
}

/** After '{' or ',' in an object: the key string and the colon; leaves the value's first token in j */
function objectKey(L: LuaState, j: Parse, f: DecFrame): void {
  if (j.type !== T_STRING) parseError(L, j, 'object key string');
  f.key = j.str;
  nextToken(j);
  if (j.type !== T_COLON) parseError(L, j, 'colon');
  nextToken(j);
}

/**
 * json_process_value with json_parse_object_context and
 * json_parse_array_context: the value the current token starts. The C code
 * recurses into arrays and objects; the open ones are kept in a list here
 * (JavaScript's stack is smaller than Lua's 8000 slots). `top` is the stack
 * use before the value is pushed: arrays take 2 slots (table, value),
 * objects 3 (table, key, value), as json_decode_descend checks.
 */
function processValue(L: LuaState, j: Parse, top: number): LuaValue {
  const open: DecFrame[] = [];
  for (;;) {
    let v: LuaValue;
    const type = j.type;
    if (type === T_OBJ_BEGIN || type === T_ARR_BEGIN) {
      const obj = type === T_OBJ_BEGIN;
      descend(L, j, top, obj ? 3 : 2);
      const t = new LuaTable();
      nextToken(j);
      if (j.type === (obj ? T_OBJ_END : T_ARR_END)) {
        j.depth--;
        v = t;
      } else {
        const f: DecFrame = { t, obj, key: '', top };
        open.push(f);
        if (obj) objectKey(L, j, f);
        top = f.top + (obj ? 2 : 1);
        continue;
      }
    } else if (type === T_STRING) v = j.str;
    else if (type === T_NUMBER) v = j.num;
    else if (type === T_BOOLEAN) v = j.bool;
    else if (type === T_NULL) v = cjsonNull;
    else return parseError(L, j, 'value');
    // hand v to the open table; close the tables that end here
    for (;;) {
      const f = open[open.length - 1];
      if (f === undefined) return v;
      // values are never nil (null is cjson.null): an array's part takes them in order
      if (f.obj) f.t.set(f.key, v);
      else f.t.arr.push(v);
      nextToken(j);
      if (j.type === (f.obj ? T_OBJ_END : T_ARR_END)) {
        j.depth--;
        open.pop();
        v = f.t;
        continue;
      }
      if (j.type !== T_COMMA) parseError(L, j, f.obj ? 'comma or object end' : 'comma or array end');
      nextToken(j);
      if (f.obj) objectKey(L, j, f);
      top = f.top + (f.obj ? 2 : 1);
      break;
    }
  }
}

function json_decode(L: LuaState, cfg: JsonConfig, args: LuaValue[]): LuaValue[] {
  if (args.length !== 1) throw L.argError(1, 'decode', 'expected 1 argument');
  const s = checkString(L, args[0], 1, 'decode', args.length);
  // UTF-16/32 has a NUL in one of the first two bytes
  if (s.length >= 2 && (s.charCodeAt(0) === 0 || s.charCodeAt(1) === 0)) throw L.error('JSON parser does not support UTF-16 or UTF-32');
  const j: Parse = { s, p: 0, cfg, depth: 0, type: T_END, index: 0, str: '', num: 0, bool: false, err: '' };
  nextToken(j);
  const v = processValue(L, j, 1);
  nextToken(j);
  if (j.type !== T_END) parseError(L, j, 'the end');
  return [v];
}

/* ===== INITIALISATION ===== */

/** lua_cjson_new: a cjson table with its own configuration */
function cjsonNew(L: LuaState): LuaTable {
  const cfg = newConfig();
  const t = new LuaTable();
  const fns: Record<string, LuaValue> = {
    encode: (...args: LuaValue[]) => json_encode(L, cfg, args),
    decode: (...args: LuaValue[]) => json_decode(L, cfg, args),
    encode_sparse_array: (...args: LuaValue[]) => {
      const f = 'encode_sparse_array';
      argInit(L, args, 3, f);
      return [
        enumOption(
          L,
          args,
          1,
          f,
          undefined,
          1,
          () => cfg.encodeSparseConvert,
          (v) => (cfg.encodeSparseConvert = v),
        ),
        integerOption(
          L,
          args,
          2,
          f,
          0,
          2147483647,
          () => cfg.encodeSparseRatio,
          (v) => (cfg.encodeSparseRatio = v),
        ),
        integerOption(
          L,
          args,
          3,
          f,
          0,
          2147483647,
          () => cfg.encodeSparseSafe,
          (v) => (cfg.encodeSparseSafe = v),
        ),
      ];
    },
    encode_max_depth: (...args: LuaValue[]) => {
      argInit(L, args, 1, 'encode_max_depth');
      return [
        integerOption(
          L,
          args,
          1,
          'encode_max_depth',
          1,
          2147483647,
          () => cfg.encodeMaxDepth,
          (v) => (cfg.encodeMaxDepth = v),
        ),
      ];
    },
    decode_max_depth: (...args: LuaValue[]) => {
      argInit(L, args, 1, 'decode_max_depth');
      return [
        integerOption(
          L,
          args,
          1,
          'decode_max_depth',
          1,
          2147483647,
          () => cfg.decodeMaxDepth,
          (v) => (cfg.decodeMaxDepth = v),
        ),
      ];
    },
    encode_number_precision: (...args: LuaValue[]) => {
      argInit(L, args, 1, 'encode_number_precision');
      return [
        integerOption(
          L,
          args,
          1,
          'encode_number_precision',
          1,
          14,
          () => cfg.encodeNumberPrecision,
          (v) => (cfg.encodeNumberPrecision = v),
        ),
      ];
    },
    encode_keep_buffer: (...args: LuaValue[]) => {
      argInit(L, args, 1, 'encode_keep_buffer');
      return [
        enumOption(
          L,
          args,
          1,
          'encode_keep_buffer',
          undefined,
          1,
          () => cfg.encodeKeepBuffer,
          (v) => (cfg.encodeKeepBuffer = v),
        ),
      ];
    },
    encode_invalid_numbers: (...args: LuaValue[]) => {
      argInit(L, args, 1, 'encode_invalid_numbers');
      return [
        enumOption(
          L,
          args,
          1,
          'encode_invalid_numbers',
          ['off', 'on', 'null'],
          1,
          () => cfg.encodeInvalidNumbers,
          (v) => (cfg.encodeInvalidNumbers = v),
        ),
      ];
    },
    decode_invalid_numbers: (...args: LuaValue[]) => {
      argInit(L, args, 1, 'decode_invalid_numbers');
      return [
        enumOption(
          L,
          args,
          1,
          'decode_invalid_numbers',
          undefined,
          1,
          () => cfg.decodeInvalidNumbers,
          (v) => (cfg.decodeInvalidNumbers = v),
        ),
      ];
    },
    new: () => [cjsonNew(L)],
    null: cjsonNull,
    _NAME: 'cjson',
    _VERSION: '2.1.0',
  };
  for (const [k, v] of Object.entries(fns)) t.set(k, v);
  return t;
}

/** Registers the global table cjson (Redis's luaLoadLib(lua, "cjson", luaopen_cjson)). */
export function openCjson(L: LuaState): void {
  L.globals.set('cjson', cjsonNew(L));
}
