/**
 * struct: Roberto Ierusalimschy's struct library (struct.c 1.4) as Redis 7.0
 * bundles it, with Redis's security patches (integral sizes up to 32 bytes,
 * "integral size overflow", bounds checks on unpack), on x86-64 Linux: short
 * 2 bytes, int 4, long and size_t 8, native order little-endian, maximum
 * alignment 8.
 *
 * Formats: > < (endianness), ![n] (alignment, a power of 2, default 8), x
 * (a pad byte), b B h H l L T i[n] I[n] (integers of 1, 2, 8, 8, n bytes),
 * f d (float, double), c[n] (n chars; c0 in pack: the whole string, in unpack:
 * the previous result is the length), s (a zero-terminated string), ' '.
 * The format is a C string: it ends at its first NUL byte.
 *
 * What the C code does with integers is reproduced as x86 does it: pack
 * converts a negative number through int64 ((uint64_t)(int64_t)n), others
 * through uint64 (2^64 and beyond become 0, NaN 2^63); sizes over 8 bytes
 * leave the extra bytes zero. unpack builds the value in 64 bits (bytes
 * shifted out are lost) and sign-extends with a mask shifted by size·8-1
 * modulo 64. unpack returns the values, then the position after them;
 * results live on the C stack, so more than about 8000 of them is "stack
 * overflow (too many results)" as in Lua 5.1.
 */
import type { LuaState } from '../state.js';
import { type LuaValue, stringToNumber } from '../value.js';
import { LUAI_MAXCSTACK, checkNumber, checkString, optInteger, toInteger } from './auxlib.js';

/** b B h H l L T i I: the integer options */
const INTEGER_OPTIONS = [0x62, 0x42, 0x68, 0x48, 0x6c, 0x4c, 0x54, 0x69, 0x49];

const BIG = 0;
const LITTLE = 1;
const MAXINTSIZE = 32;
const MAXALIGN = 8;

interface Header {
  endian: number;
  align: number;
}

/** The format being read: the string and the position of the next option. */
interface Fmt {
  s: string;
  i: number;
}

function isdigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isalnum(c: number): boolean {
  return isdigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** getnum: the decimal number at the format's position, or df when there is none */
function getnum(L: LuaState, f: Fmt, df: number): number {
  if (!isdigit(f.s.charCodeAt(f.i))) return df;
  let a = 0;
  do {
    const d = f.s.charCodeAt(f.i) - 48;
    if (a > 214748364 || a * 10 > 2147483647 - d) throw L.error('integral size overflow');
    a = a * 10 + d;
    f.i++;
  } while (isdigit(f.s.charCodeAt(f.i)));
  return a;
}

/** optsize: the size of option opt (reading its number); 0 for options without one */
function optsize(L: LuaState, opt: number, f: Fmt): number {
  switch (opt) {
    case 0x42: // B
    case 0x62: // b
      return 1;
    case 0x48: // H
    case 0x68: // h
      return 2;
    case 0x4c: // L
    case 0x6c: // l
    case 0x54: // T
    case 0x64: // d
      return 8;
    case 0x66: // f
      return 4;
    case 0x78: // x
      return 1;
    case 0x63: // c
      return getnum(L, f, 1);
    case 0x69: // i
    case 0x49: {
      // I
      const sz = getnum(L, f, 4);
      if (sz > MAXINTSIZE) throw L.error(`integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
      return sz;
    }
  }
  return 0;
}

/** gettoalign: padding before an item of `size` at position len (len may stand for a wrapped size_t: only its low bits count) */
function gettoalign(len: number, h: Header, opt: number, size: number): number {
  if (size === 0 || opt === 0x63) return 0;
  if (size > h.align) size = h.align;
  return (size - (len & (size - 1))) & (size - 1);
}

/** controloptions: the options that only change the header ("invalid format option" for the rest) */
function controloptions(L: LuaState, opt: number, f: Fmt, h: Header, fname: string): void {
  switch (opt) {
    case 0x20:
      return;
    case 0x3e:
      h.endian = BIG;
      return;
    case 0x3c:
      h.endian = LITTLE;
      return;
    case 0x21: {
      const a = getnum(L, f, MAXALIGN);
      if (!(a > 0 && (a & (a - 1)) === 0)) throw L.error(`alignment ${a} is not a power of 2`);
      h.align = a;
      return;
    }
  }
  throw L.argError(1, fname, `invalid format option '${String.fromCharCode(opt)}'`);
}

/** the format as C sees it: up to its first NUL */
function cfmt(s: string): Fmt {
  const z = s.indexOf('\0');
  return { s: z < 0 ? s : s.substring(0, z), i: 0 };
}

const TWO64 = 18446744073709551616;
const TWO63 = 9223372036854775808;

/** putinteger: n as `size` bytes in the given order (the 64-bit value C computes, then zeros) */
function putinteger(n: number, endian: number, size: number): string {
  let v: bigint;
  if (n < 0) v = BigInt.asUintN(64, BigInt(toInteger(n)));
  else if (n < TWO64) v = BigInt(Math.trunc(n));
  else v = 0n; // x86's (uint64_t) of a double past 2^64
  if (n !== n) v = BigInt(TWO63);
  const bytes: number[] = new Array(size).fill(0);
  for (let k = 0; k < size && k < 8; k++) {
    const b = Number(v & 0xffn);
    v >>= 8n;
    bytes[endian === LITTLE ? k : size - 1 - k] = b;
  }
  return String.fromCharCode(...bytes);
}

const scratch = new DataView(new ArrayBuffer(8));

/** a float or double's bytes in the given order; NaN as x86's default NaN (sign set) */
function putfloat(d: number, size: number, endian: number): string {
  if (size === 4) {
    if (d !== d) scratch.setUint32(0, 0xffc00000);
    else scratch.setFloat32(0, d);
  } else if (d !== d) {
    scratch.setUint32(0, 0xfff80000);
    scratch.setUint32(4, 0);
  } else scratch.setFloat64(0, d);
  let s = '';
  for (let k = 0; k < size; k++) s += String.fromCharCode(scratch.getUint8(endian === BIG ? k : size - 1 - k));
  return s;
}

function b_pack(L: LuaState, argv: LuaValue[]): LuaValue[] {
  // b_pack pushes a nil after its arguments: a missing argument is "got nil" there
  const f = cfmt(checkString(L, argv[0], 1, 'pack', argv.length));
  const argc = argv.length + 1;
  const num = (n: number) => checkNumber(L, argv[n - 1], n, 'pack', argc);
  const h: Header = { endian: LITTLE, align: 1 };
  let arg = 2;
  let totalsize = 0;
  let out = '';
  while (f.i < f.s.length) {
    const opt = f.s.charCodeAt(f.i++);
    let size = optsize(L, opt, f);
    const toalign = gettoalign(totalsize, h, opt, size);
    totalsize += toalign;
    if (toalign > 0) out += '\0'.repeat(toalign);
    if (INTEGER_OPTIONS.includes(opt)) {
      out += putinteger(num(arg++), h.endian, size);
      totalsize += size;
      continue;
    }
    switch (opt) {
      case 0x78:
        out += '\0';
        break;
      case 0x66:
        out += putfloat(Math.fround(num(arg++)), 4, h.endian);
        break;
      case 0x64:
        out += putfloat(num(arg++), 8, h.endian);
        break;
      case 0x63:
      case 0x73: {
        const s = checkString(L, argv[arg - 1], arg, 'pack', argc);
        arg++;
        if (size === 0) size = s.length;
        // the C code names the argument after the string's
        if (s.length < size) throw L.argError(arg, 'pack', 'string too short');
        out += size === s.length ? s : s.substring(0, size);
        if (opt === 0x73) {
          out += '\0';
          size++;
        }
        break;
      }
      default:
        controloptions(L, opt, f, h, 'pack');
    }
    totalsize += size;
  }
  return [out];
}

/** getinteger: `size` bytes at pos as C computes them in 64 bits, converted to a double */
function getinteger(data: string, pos: number, endian: number, issigned: boolean, size: number): number {
  if (size <= 6) {
    // fits a double exactly: plain arithmetic
    let l = 0;
    for (let i = 0; i < size; i++) l = l * 256 + data.charCodeAt(endian === BIG ? pos + i : pos + size - 1 - i);
    if (issigned && size > 0 && l >= 2 ** (size * 8 - 1)) l -= 2 ** (size * 8);
    return l;
  }
  let l = 0n;
  for (let i = 0; i < size; i++) {
    l = ((l << 8n) | BigInt(data.charCodeAt(endian === BIG ? pos + i : pos + size - 1 - i))) & 0xffffffffffffffffn;
  }
  if (!issigned) return Number(l);
  const mask = (0xffffffffffffffffn << BigInt((size * 8 - 1) & 63)) & 0xffffffffffffffffn;
  if (l & mask) l |= mask;
  return Number(BigInt.asIntN(64, l));
}

function getfloat(data: string, pos: number, size: number, endian: number): number {
  for (let k = 0; k < size; k++) scratch.setUint8(endian === BIG ? k : size - 1 - k, data.charCodeAt(pos + k));
  return size === 4 ? scratch.getFloat32(0) : scratch.getFloat64(0);
}

function b_unpack(L: LuaState, args: LuaValue[]): LuaValue[] {
  const f = cfmt(checkString(L, args[0], 1, 'unpack', args.length));
  const data = checkString(L, args[1], 2, 'unpack', args.length);
  const ld = data.length;
  const offset = optInteger(L, args[2], 3, 'unpack', 1, args.length);
  // pos is a size_t: a negative offset wraps to a huge position (kept negative here; its low bits are right)
  if (offset === 0) throw L.argError(3, 'unpack', 'offset must be 1 or greater');
  let pos = offset - 1;
  const h: Header = { endian: LITTLE, align: 1 };
  const base = Math.max(args.length, 2);
  const res: LuaValue[] = [];
  while (f.i < f.s.length) {
    const opt = f.s.charCodeAt(f.i++);
    let size = optsize(L, opt, f);
    pos += gettoalign(pos, h, opt, size);
    if (!(size <= ld && pos >= 0 && pos <= ld - size)) throw L.argError(2, 'unpack', 'data string too short');
    if (base + res.length + 2 > LUAI_MAXCSTACK) throw L.error('stack overflow (too many results)');
    if (INTEGER_OPTIONS.includes(opt)) {
      res.push(getinteger(data, pos, h.endian, opt >= 0x61, size)); // lower case: signed
      pos += size;
      continue;
    }
    switch (opt) {
      case 0x78:
        break;
      case 0x66:
      case 0x64:
        res.push(getfloat(data, pos, size, h.endian));
        break;
      case 0x63: {
        if (size === 0) {
          const prev = res.length === 0 ? undefined : res[res.length - 1];
          const n = typeof prev === 'number' ? prev : typeof prev === 'string' ? stringToNumber(prev) : undefined;
          if (n === undefined) throw L.error("format 'c0' needs a previous size");
          res.pop();
          size = sizeT(n);
          if (!(size <= ld && pos <= ld - size)) throw L.argError(2, 'unpack', 'data string too short');
        }
        res.push(data.substring(pos, pos + size));
        break;
      }
      case 0x73: {
        const e = data.indexOf('\0', pos);
        if (e < 0) throw L.error('unfinished string in data');
        size = e - pos + 1;
        res.push(data.substring(pos, e));
        break;
      }
      default:
        controloptions(L, opt, f, h, 'unpack');
    }
    pos += size;
  }
  res.push(pos + 1);
  return res;
}

/** (size_t) of a lua_Number as x86-64 computes it; past what a string can hold it only needs to be too big */
function sizeT(n: number): number {
  if (n !== n) return TWO63;
  if (n < 0) return TWO64 + Math.trunc(n); // a huge size: "data string too short"
  return Math.trunc(n);
}

function b_size(L: LuaState, args: LuaValue[]): LuaValue[] {
  const f = cfmt(checkString(L, args[0], 1, 'size', args.length));
  const h: Header = { endian: LITTLE, align: 1 };
  let pos = 0;
  while (f.i < f.s.length) {
    const opt = f.s.charCodeAt(f.i++);
    const size = optsize(L, opt, f);
    pos += gettoalign(pos, h, opt, size);
    if (opt === 0x73) throw L.argError(1, 'size', "option 's' has no fixed size");
    if (opt === 0x63 && size === 0) throw L.argError(1, 'size', "option 'c0' has no fixed size");
    // letters without a meaning have no size and no error here
    if (!isalnum(opt)) controloptions(L, opt, f, h, 'size');
    pos += size;
  }
  return [pos];
}

/** Registers the global table struct (Redis's luaLoadLib(lua, "struct", luaopen_struct)). */
export function openStruct(L: LuaState): void {
  L.register('struct', {
    pack: (...args: LuaValue[]) => b_pack(L, args),
    unpack: (...args: LuaValue[]) => b_unpack(L, args),
    size: (...args: LuaValue[]) => b_size(L, args),
  });
}
