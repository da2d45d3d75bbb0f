/**
 * cmsgpack: MessagePack for Lua, as Redis 7.0 bundles it (lua-cmsgpack
 * 0.4.0 by Salvatore Sanfilippo, built for Lua 5.1 on a 64-bit machine).
 * Scripts use it to pass structured data through keys and arguments (BullMQ
 * packs job options with it); what it produces and accepts is what real
 * Redis's does, byte for byte.
 *
 * pack(v1, v2, …) encodes each value and concatenates them:
 * - a number that is an integer in int64's range is the smallest integer
 *   format (fixnum, uint8…uint64 for n ≥ 0, int8…int64 below zero); any other
 *   number is a float32 when the float holds it exactly (0.5, inf), else a
 *   float64 (NaN is written as x86's default NaN, ff f8 00…, the NaN 0/0 makes);
 * - strings are "raw": fixraw, str8 (0xd9), raw16, raw32;
 * - a table whose keys are exactly 1..n (positive integers that fit a C int,
 *   as many as the largest) is an array, every other table a map, its pairs
 *   in next()'s order; an empty table is an empty array;
 * - a table nested 16 deep (LUACMSGPACK_MAX_NESTING) is nil, which is also
 *   what functions, userdata (cjson.null) and nil become.
 * unpack(s) decodes every value in s; unpack_one(s [, offset]) the first one
 * from offset and unpack_limit(s, limit [, offset]) up to limit of them, both
 * returning the offset to continue from first (-1 when s is consumed).
 * Integers decode to doubles as Redis's build does: uint64 goes through a
 * signed int64 (2^64-1 decodes as -1), int64 is rounded to a double. Lua
 * 5.1 caps a C function's stack at 8000 slots; unpack returns its values on
 * that stack, so "stack overflow (too many return values at once; use
 * unpack_one or unpack_limit instead.)" comes at the 8000th value, and deep
 * nesting fails likewise: the slot counts below follow the C code's pushes.
 */
import type { LuaState } from '../state.js';
import { EMPTY, LuaTable, type LuaValue } from '../value.js';
import { checkInteger, checkStack, checkString, optInteger, toInt } from './auxlib.js';

const MAX_NESTING = 16;

/** The encoder's output: bytes appended to a growing buffer (one pack at a time: pack never calls back into Lua). */
let out = Buffer.allocUnsafe(256);
let outLen = 0;
const scratch = new DataView(new ArrayBuffer(8));

function ensure(n: number): void {
  if (outLen + n <= out.length) return;
  let size = out.length * 2;
  while (size < outLen + n) size *= 2;
  const b = Buffer.allocUnsafe(size);
  out.copy(b, 0, 0, outLen);
  out = b;
}

function byte(b: number): void {
  ensure(1);
  out[outLen++] = b;
}

function be16(n: number): void {
  ensure(2);
  out[outLen++] = (n >>> 8) & 0xff;
  out[outLen++] = n & 0xff;
}

function be32(n: number): void {
  ensure(4);
  out[outLen++] = (n >>> 24) & 0xff;
  out[outLen++] = (n >>> 16) & 0xff;
  out[outLen++] = (n >>> 8) & 0xff;
  out[outLen++] = n & 0xff;
}

/** mp_encode_bytes: the raw header, then the string's bytes */
function mp_encode_bytes(s: string): void {
  const len = s.length;
  if (len < 32) byte(0xa0 | len);
  else if (len <= 0xff) {
    byte(0xd9);
    byte(len);
  } else if (len <= 0xffff) {
    byte(0xda);
    be16(len);
  } else {
    byte(0xdb);
    be32(len);
  }
  ensure(len);
  if (len < 64) for (let i = 0; i < len; i++) out[outLen++] = s.charCodeAt(i);
  else outLen += out.write(s, outLen, 'latin1');
}

/** mp_encode_double: float32 when (double)(float)d == d, else float64 */
function mp_encode_double(d: number): void {
  if (Math.fround(d) === d) {
    byte(0xca);
    scratch.setFloat32(0, d);
    ensure(4);
    for (let i = 0; i < 4; i++) out[outLen++] = scratch.getUint8(i);
    return;
  }
  byte(0xcb);
  ensure(8);
  if (d !== d) {
    // x86's default NaN (what 0/0 gives in Redis's Lua): sign bit set
    out[outLen++] = 0xff;
    out[outLen++] = 0xf8;
    for (let i = 0; i < 6; i++) out[outLen++] = 0;
    return;
  }
  scratch.setFloat64(0, d);
  for (let i = 0; i < 8; i++) out[outLen++] = scratch.getUint8(i);
}

/** the 8 bytes of a 64-bit two's complement integer, big endian */
function be64(n: number): void {
  const v = BigInt.asUintN(64, BigInt(n));
  be32(Number(v >> 32n));
  be32(Number(v & 0xffffffffn));
}

/** mp_encode_int: the smallest format that holds n (an integer in int64's range) */
function mp_encode_int(n: number): void {
  if (n >= 0) {
    if (n <= 127) byte(n);
    else if (n <= 0xff) {
      byte(0xcc);
      byte(n);
    } else if (n <= 0xffff) {
      byte(0xcd);
      be16(n);
    } else if (n <= 0xffffffff) {
      byte(0xce);
      be32(n);
    } else {
      byte(0xcf);
      be64(n);
    }
  } else if (n >= -32) byte(n & 0xff);
  else if (n >= -128) {
    byte(0xd0);
    byte(n & 0xff);
  } else if (n >= -32768) {
    byte(0xd1);
    be16(n & 0xffff);
  } else if (n >= -2147483648) {
    byte(0xd2);
    be32(n);
  } else {
    byte(0xd3);
    be64(n);
  }
}

/** mp_encode_lua_number: integers (exact in int64: (int64_t)n == n) as integers, the rest as floats */
function mp_encode_lua_number(n: number): void {
  if (Number.isInteger(n) && n >= -9223372036854775808 && n < 9223372036854775808) mp_encode_int(n + 0);
  else mp_encode_double(n);
}

function mp_encode_array_header(n: number): void {
  if (n <= 15) byte(0x90 | n);
  else if (n <= 65535) {
    byte(0xdc);
    be16(n);
  } else {
    byte(0xdd);
    be32(n);
  }
}

function mp_encode_map_header(n: number): void {
  if (n <= 15) byte(0x80 | n);
  else if (n <= 65535) {
    byte(0xde);
    be16(n);
  } else {
    byte(0xdf);
    be32(n);
  }
}

/**
 * table_is_an_array: every key a number > 0 that a C int holds exactly, and
 * as many keys as the largest one (so the keys are 1..n).
 */
function table_is_an_array(t: LuaTable): boolean {
  let count = 0;
  let max = 0;
  const a = t.arr;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== undefined) {
      count++;
      max = i + 1;
    }
  }
  const h = t.hash;
  if (h !== undefined) {
    for (const k of h.keys()) {
      if (typeof k !== 'number' || k <= 0 || k > 2147483647 || !Number.isInteger(k)) return false;
      if (k > max) max = k;
      count++;
    }
  }
  return max === count;
}

/**
 * mp_encode_lua_type: v at nesting `level`; `top` is the C function's stack
 * use with v pushed (for luaL_checkstack's limit).
 */
function mp_encode_lua_type(L: LuaState, v: LuaValue, level: number, top: number): void {
  switch (typeof v) {
    case 'string':
      mp_encode_bytes(v);
      return;
    case 'number':
      mp_encode_lua_number(v);
      return;
    case 'boolean':
      byte(v ? 0xc3 : 0xc2);
      return;
  }
  if (!(v instanceof LuaTable) || level === MAX_NESTING) {
    byte(0xc0);
    return;
  }
  checkStack(L, top, 2, 'in function table_is_an_array');
  if (table_is_an_array(v)) {
    const len = v.length();
    mp_encode_array_header(len);
    checkStack(L, top, 1, 'in function mp_encode_lua_table_as_array');
    for (let j = 1; j <= len; j++) mp_encode_lua_type(L, v.getInt(j), level + 1, top + 1);
    return;
  }
  checkStack(L, top, 3, 'in function mp_encode_lua_table_as_map');
  let len = 0;
  const a = v.arr;
  for (let i = 0; i < a.length; i++) if (a[i] !== undefined) len++;
  if (v.hash !== undefined) len += v.hash.size;
  mp_encode_map_header(len);
  // the pairs in next()'s order: the array part alone, or every key in Lua's order (value.ts)
  const keys = v.hash !== undefined && v.hash.size > 0 ? v.keysInOrder() : undefined;
  if (keys === undefined) {
    for (let i = 0; i < a.length; i++) {
      const e = a[i];
      if (e === undefined) continue;
      mp_encode_lua_number(i + 1);
      mp_encode_lua_type(L, e, level + 1, top + 2);
    }
    return;
  }
  for (const k of keys) {
    const e = v.get(k);
    if (e === undefined) continue;
    mp_encode_lua_type(L, k, level + 1, top + 3);
    mp_encode_lua_type(L, e, level + 1, top + 2);
  }
}

/** cmsgpack.pack(...): every argument encoded, concatenated */
function mp_pack(L: LuaState, args: LuaValue[]): LuaValue[] {
  const nargs = args.length;
  if (nargs === 0) throw L.argError(0, 'pack', 'MessagePack pack needs input.');
  if (2 * nargs > 8000) throw L.argError(0, 'pack', 'Too many arguments for MessagePack pack.');
  outLen = 0;
  for (let i = 0; i < nargs; i++) {
    // the encoded arguments pile up on the stack until lua_concat
    checkStack(L, nargs + i, 1, 'in function mp_check');
    mp_encode_lua_type(L, args[i], 0, nargs + i + 1);
  }
  const s = outLen <= 24 ? String.fromCharCode(...out.subarray(0, outLen)) : out.latin1Slice(0, outLen);
  if (out.length > 65536) {
    out = Buffer.allocUnsafe(256); // don't keep a big buffer alive
  }
  return [s];
}

/* ------------------------------- Decoding --------------------------------- */

/** Thrown inside the decoder; mp_unpack_full turns it into Lua's error. */
const EOF = 1;
const BADFMT = 2;

/** The cursor: the input and the position; decoding throws EOF or BADFMT */
interface Cur {
  s: string;
  p: number;
}

function need(c: Cur, n: number): void {
  if (c.s.length - c.p < n) throw EOF;
}

function u8(c: Cur, i: number): number {
  return c.s.charCodeAt(c.p + i);
}

function u16(c: Cur, i: number): number {
  return (u8(c, i) << 8) | u8(c, i + 1);
}

function u32(c: Cur, i: number): number {
  return ((u8(c, i) << 24) | (u8(c, i + 1) << 16) | (u8(c, i + 2) << 8) | u8(c, i + 3)) >>> 0;
}

/** the 8 bytes at i as a signed 64-bit integer, converted to the nearest double */
function i64(c: Cur, i: number): number {
  const hi = BigInt(u32(c, i));
  const lo = BigInt(u32(c, i + 4));
  return Number(BigInt.asIntN(64, (hi << 32n) | lo));
}

function raw(c: Cur, hdr: number, l: number): string {
  need(c, hdr + l);
  const s = c.s.substring(c.p + hdr, c.p + hdr + l);
  c.p += hdr + l;
  return s;
}

/**
 * An open array or map while decoding: its table, its length, how many
 * values (for a map: keys and values) it has got, the key waiting for its
 * value, and the stack use before the table was pushed.
 */
interface Frame {
  t: LuaTable;
  map: boolean;
  n: number;
  got: number;
  key: LuaValue;
  top: number;
}

/**
 * mp_decode_to_lua_type: the value at the cursor; `top` is the C stack's use
 * before it is pushed. The C code recurses into arrays and maps; this loop
 * keeps the open ones in `open` instead, so that nesting as deep as Lua's
 * stack allows (about 4000 levels) does not exhaust JavaScript's stack.
 */
function mp_decode_to_lua_type(L: LuaState, c: Cur, top: number): LuaValue {
  let sp = 0; // open containers: frames[0 … sp-1]
  for (;;) {
    let v = mp_decode_scalar(L, c, top);
    if (v === OPEN) {
      // an array or a map header: lua_newtable, then its values one level up
      const map = openMap;
      if (!map) checkStack(L, top + 1, 1, 'in function mp_decode_to_lua_array');
      const t = new LuaTable();
      if (openLen > 0) {
        let f = frames[sp];
        if (f === undefined) f = frames[sp] = { t, map, n: 0, got: 0, key: undefined, top: 0 };
        f.t = t;
        f.map = map;
        f.n = openLen;
        f.got = 0;
        f.top = top;
        sp++;
        top = top + (map ? 1 : 2);
        continue;
      }
      v = t;
    }
    // hand v to the containers it completes
    for (;;) {
      if (sp === 0) return v;
      const f = frames[sp - 1];
      if (!f.map) {
        f.got++;
        if (v !== undefined) f.t.setInt(f.got, v);
      } else if ((f.got & 1) === 0) {
        f.key = v;
        f.got++;
        top = f.top + 2; // the value is decoded above the key
        break;
      } else {
        f.t.set(f.key, v); // lua_settable: a nil or NaN key is an error
        f.got++;
      }
      if ((f.map ? f.got >> 1 : f.got) < f.n) {
        top = f.top + (f.map ? 1 : 2);
        break;
      }
      sp--;
      v = f.t;
      f.t = NO_TABLE; // don't keep the value alive in the pool
      f.key = undefined;
    }
  }
}

/** the frames of open containers, reused (decoding never calls back into Lua, so never nests) */
const frames: Frame[] = [];
const NO_TABLE = new LuaTable();
/** mp_decode_scalar's answer for an array or map header, described by openMap and openLen */
const OPEN = Symbol('open');
let openMap = false;
let openLen = 0;

function openContainer(map: boolean, n: number): typeof OPEN {
  openMap = map;
  openLen = n;
  return OPEN;
}

/** one value at the cursor: a scalar, or OPEN for an array or map header (consumed) */
function mp_decode_scalar(L: LuaState, c: Cur, top: number): LuaValue | typeof OPEN {
  need(c, 1);
  checkStack(L, top, 1, 'too many return values at once; use unpack_one or unpack_limit instead.');
  const b = u8(c, 0);
  if (b <= 0x7f) {
    c.p++;
    return b;
  }
  if (b >= 0xe0) {
    c.p++;
    return b - 256;
  }
  if ((b & 0xe0) === 0xa0) return raw(c, 1, b & 0x1f);
  if ((b & 0xf0) === 0x90) {
    c.p++;
    return openContainer(false, b & 0xf);
  }
  if ((b & 0xf0) === 0x80) {
    c.p++;
    return openContainer(true, b & 0xf);
  }
  let v: number;
  switch (b) {
    case 0xc0:
      c.p++;
      return undefined;
    case 0xc2:
      c.p++;
      return false;
    case 0xc3:
      c.p++;
      return true;
    case 0xcc:
      need(c, 2);
      v = u8(c, 1);
      c.p += 2;
      return v;
    case 0xd0:
      need(c, 2);
      v = (u8(c, 1) << 24) >> 24;
      c.p += 2;
      return v;
    case 0xcd:
      need(c, 3);
      v = u16(c, 1);
      c.p += 3;
      return v;
    case 0xd1:
      need(c, 3);
      v = (u16(c, 1) << 16) >> 16;
      c.p += 3;
      return v;
    case 0xce:
      need(c, 5);
      v = u32(c, 1);
      c.p += 5;
      return v;
    case 0xd2:
      need(c, 5);
      v = u32(c, 1) | 0;
      c.p += 5;
      return v;
    case 0xcf: // uint64, pushed through a signed lua_Integer
    case 0xd3:
      need(c, 9);
      v = i64(c, 1);
      c.p += 9;
      return v;
    case 0xca:
      need(c, 5);
      for (let i = 0; i < 4; i++) scratch.setUint8(i, u8(c, 1 + i));
      c.p += 5;
      return scratch.getFloat32(0);
    case 0xcb:
      need(c, 9);
      for (let i = 0; i < 8; i++) scratch.setUint8(i, u8(c, 1 + i));
      c.p += 9;
      return scratch.getFloat64(0);
    case 0xd9:
      need(c, 2);
      return raw(c, 2, u8(c, 1));
    case 0xda:
      need(c, 3);
      return raw(c, 3, u16(c, 1));
    case 0xdb:
      need(c, 5);
      return raw(c, 5, u32(c, 1));
    case 0xdc:
    case 0xde: {
      need(c, 3);
      const l = u16(c, 1);
      c.p += 3;
      return openContainer(b === 0xde, l);
    }
    case 0xdd:
    case 0xdf: {
      need(c, 5);
      const l = u32(c, 1);
      c.p += 5;
      return openContainer(b === 0xdf, l);
    }
  }
  throw BADFMT;
}

/**
 * mp_unpack_full: decodes up to `limit` values from `offset` (both 0: all of
 * them, without the offset result); otherwise the next offset (-1 at the
 * end) comes first.
 */
function mp_unpack_full(L: LuaState, args: LuaValue[], fname: string, limit: number, offset: number): LuaValue[] {
  const s = checkString(L, args[0], 1, fname, args.length);
  const len = s.length;
  const decodeAll = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) throw L.error(`Invalid request to unpack with offset of ${toInt(offset)} and limit of ${toInt(len)}.`);
  if (offset > len) throw L.error(`Start offset ${toInt(offset)} greater than input length ${toInt(len)}.`);
  if (decodeAll) limit = 2147483647;
  const c: Cur = { s, p: offset };
  const results: LuaValue[] = decodeAll ? [] : [undefined];
  try {
    // the string argument is slot 1; the values pile up above it
    for (let cnt = 0; c.p < len && cnt < limit; cnt++) results.push(mp_decode_to_lua_type(L, c, 1 + cnt));
  } catch (e) {
    frames.length = 0; // the open tables of the failed decode
    if (e === EOF) throw L.error('Missing bytes in input.');
    if (e === BADFMT) throw L.error('Bad data format in input.');
    throw e;
  }
  if (!decodeAll) {
    checkStack(L, results.length, 1, 'in function mp_unpack_full');
    results[0] = c.p === len ? -1 : c.p;
  }
  return results.length === 0 ? EMPTY : results;
}

/** Registers the global table cmsgpack (Redis's luaLoadLib(lua, "cmsgpack", luaopen_cmsgpack)). */
export function openCmsgpack(L: LuaState): void {
  L.register('cmsgpack', {
    pack: (...args: LuaValue[]) => mp_pack(L, args),
    unpack: (...args: LuaValue[]) => mp_unpack_full(L, args, 'unpack', 0, 0),
    unpack_one: (...args: LuaValue[]) => {
      const offset = optInteger(L, args[1], 2, 'unpack_one', 0, args.length);
      return mp_unpack_full(L, args, 'unpack_one', 1, offset);
    },
    unpack_limit: (...args: LuaValue[]) => {
      const limit = checkInteger(L, args[1], 2, 'unpack_limit', args.length);
      const offset = optInteger(L, args[2], 3, 'unpack_limit', 0, args.length);
      return mp_unpack_full(L, args, 'unpack_limit', limit, offset);
    },
    _NAME: 'cmsgpack',
    _VERSION: 'lua-cmsgpack 0.4.0',
    _COPYRIGHT: 'Copyright (C) 2012, Salvatore Sanfilippo',
    _DESCRIPTION: 'MessagePack C implementation for Lua',
  });
}
