/**
 * bit: LuaBitOp 1.0.2 (Mike Pall) as Redis 7.0 bundles it: 32-bit bitwise
 * operations on Lua numbers.
 *
 * Every argument is normalised as barg() does: lua_tonumber(x) + 2^52 + 2^51,
 * and the low 32 bits of that double's representation. For |x| < 2^51 this is
 * x rounded to an integer (ties to even) modulo 2^32; larger values give
 * what the same double arithmetic gives, reproduced here bit for bit. Results
 * are signed 32-bit integers (bit.tobit(2^32 + 5) is 5, bit.bnot(0) is -1).
 * Shift counts use their low 5 bits. tohex(x [, n]) writes n hex digits (8 by
 * default, at most 8; a negative n for upper case). A non-number argument
 * that does not convert is "bad argument #1 to 'band' (number expected, got
 * string)".
 */
import type { LuaState } from '../state.js';
import type { LuaValue } from '../value.js';
import { stringToNumber } from '../value.js';
import { typeError } from './auxlib.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** index of the low 32 bits of a double in u32 (little-endian hosts: 0) */
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** barg: argument n (1-based) as 32 bits (returned as a signed int32) */
function barg(L: LuaState, args: LuaValue[], n: number, fname: string): number {
  const v = args[n - 1];
  let d: number | undefined;
  if (typeof v === 'number') d = v;
  else if (typeof v === 'string') d = stringToNumber(v);
  if (d === undefined) throw typeError(L, n, fname, 'number', v, args.length);
  if ((d | 0) === d) return d | 0; // the trick is the identity on int32 values (and makes -0 0)
  f64[0] = d + 6755399441055744.0;
  return u32[LO] | 0;
}

/** bit.tohex's digits */
function tohex(b: number, n: number): string {
  let digits = '0123456789abcdef';
  if (n < 0) {
    n = -n;
    digits = '0123456789ABCDEF';
  }
  if (n > 8) n = 8;
  if (n < 0) n = 0; // -INT_MIN: C would ask for a huge string
  let s = '';
  for (let i = 0; i < n; i++) {
    s = digits[b & 15] + s;
    b >>>= 4;
  }
  return s;
}

/** Registers the global table bit (Redis's luaLoadLib(lua, "bit", luaopen_bit)). */
export function openBit(L: LuaState): void {
  L.register('bit', {
    tobit: (...args: LuaValue[]) => [barg(L, args, 1, 'tobit')],
    bnot: (...args: LuaValue[]) => [~barg(L, args, 1, 'bnot')],
    band: (...args: LuaValue[]) => {
      let b = barg(L, args, 1, 'band');
      // the C loop reads the arguments from the last to the second
      for (let i = args.length; i > 1; i--) b &= barg(L, args, i, 'band');
      return [b];
    },
    bor: (...args: LuaValue[]) => {
      let b = barg(L, args, 1, 'bor');
      for (let i = args.length; i > 1; i--) b |= barg(L, args, i, 'bor');
      return [b];
    },
    bxor: (...args: LuaValue[]) => {
      let b = barg(L, args, 1, 'bxor');
      for (let i = args.length; i > 1; i--) b ^= barg(L, args, i, 'bxor');
      return [b];
    },
    lshift: (...args: LuaValue[]) => {
      const b = barg(L, args, 1, 'lshift');
      return [b << (barg(L, args, 2, 'lshift') & 31)];
    },
    rshift: (...args: LuaValue[]) => {
      const b = barg(L, args, 1, 'rshift');
      return [(b >>> (barg(L, args, 2, 'rshift') & 31)) | 0];
    },
    arshift: (...args: LuaValue[]) => {
      const b = barg(L, args, 1, 'arshift');
      return [b >> (barg(L, args, 2, 'arshift') & 31)];
    },
    rol: (...args: LuaValue[]) => {
      const b = barg(L, args, 1, 'rol');
      const n = barg(L, args, 2, 'rol') & 31;
      return [(b << n) | (b >>> (32 - n))];
    },
    ror: (...args: LuaValue[]) => {
      const b = barg(L, args, 1, 'ror');
      const n = barg(L, args, 2, 'ror') & 31;
      return [(b << (32 - n)) | (b >>> n)];
    },
    bswap: (...args: LuaValue[]) => {
      const b = barg(L, args, 1, 'bswap');
      return [(b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)];
    },
    tohex: (...args: LuaValue[]) => {
      const b = barg(L, args, 1, 'tohex');
      const n = args.length < 2 ? 8 : barg(L, args, 2, 'tohex');
      return [tohex(b, n)];
    },
  });
}
