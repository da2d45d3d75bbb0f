/**
 * Bitmap commands (Redis group "bitmap"), as bitops.c: SETBIT, GETBIT,
 * BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
 *
 * Bits are numbered from the most significant bit of the first byte. Writes
 * turn the value into a "raw" RawString in buffer mode (keyspace/value.ts),
 * so a SETBIT or BITFIELD write is O(1) however long the string (plus the
 * zero-filled growth). Readers read the buffer directly in buffer mode and
 * the latin1 string otherwise, never materialising one from the other.
 *
 * Redis 7.0's accounting, reproduced: SETBIT counts a change (dirty, "setbit"
 * event, WATCH) only when the key was created, grew, or the bit flipped, yet
 * always leaves the value "raw" (dbUnshareStringValue); BITFIELD counts one
 * change per SET/INCRBY that wrote (not those refused by OVERFLOW FAIL) when
 * the key was created or grew or the field's value changed, so a key it
 * created that holds only zeros counts; a BITFIELD of GETs changes
 * nothing and so is not propagated. BITOP stores with setKey (TTL cleared,
 * "set") or deletes the destination when every source is empty ("del").
 */
import type { Client } from '../../server/client.js';
import type { DataCommands, DataContext } from '../context.js';
import { Err } from '../../protocol/errors.js';
import { RawString, isString, strValue } from '../../keyspace/value.js';
import type { Db } from '../../keyspace/keyspace.js';
import { parseInt64 } from '../../util/numbers.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../../keyspace/notify.js';

// ---------------------------------------------------------------- bytes

/** A string value's bytes for reading: the buffer (buffer mode) or the latin1 string. */
interface Bytes {
  buf: Uint8Array | null;
  str: string;
  len: number;
}

function bytesOf(v: string | RawString): Bytes {
  if (v instanceof RawString && v.buf !== null) return { buf: v.buf, str: '', len: v.len };
  const str = strValue(v);
  return { buf: null, str, len: str.length };
}

const EMPTY: Bytes = { buf: null, str: '', len: 0 };

/** The byte at i, 0 past the end. */
function byteAt(b: Bytes, i: number): number {
  if (i >= b.len) return 0;
  return b.buf !== null ? b.buf[i] : b.str.charCodeAt(i);
}

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** The set bits of bytes [start, end] (inclusive, within the string). */
function popcount(b: Bytes, start: number, end: number): number {
  let n = 0;
  const buf = b.buf;
  if (buf !== null) {
    let i = start;
    // 32-bit words over the aligned middle
    while (i <= end && ((buf.byteOffset + i) & 3) !== 0) n += POPCOUNT[buf[i++]];
    if (end - i >= 3) {
      const words = new Uint32Array(buf.buffer, buf.byteOffset + i, (end - i + 1) >> 2);
      for (let w = 0; w < words.length; w++) {
        let x = words[w];
        x -= (x >>> 1) & 0x55555555;
        x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
        n += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
      }
      i += words.length << 2;
    }
    while (i <= end) n += POPCOUNT[buf[i++]];
  } else {
    const s = b.str;
    for (let i = start; i <= end; i++) n += POPCOUNT[s.charCodeAt(i)];
  }
  return n;
}

// ---------------------------------------------------------------- arguments

/**
 * getBitOffsetFromArgument: a bit offset, or with `hash` the `#N` form (N
 * times the field width, wrapping as C's int64 does). The offset's byte must
 * be below proto-max-bulk-len.
 */
function bitOffsetArg(s: DataContext, arg: string, hash: boolean, bits: number): number {
  const usehash = hash && arg.charCodeAt(0) === 35; // '#'
  const v = parseInt64(usehash ? arg.slice(1) : arg);
  if (v === null) throw Err.bitOffset();
  let off = BigInt(v);
  if (usehash) off = BigInt.asIntN(64, off * BigInt(bits));
  if (off < 0n || off >> 3n >= BigInt(s.protoMaxBulkLen)) throw Err.bitOffset();
  return Number(off);
}

/** getBitfieldTypeFromArgument: i1..i64 or u1..u63 (lower case only, as Redis). */
function bitfieldTypeArg(arg: string): { sign: boolean; bits: number } {
  const c0 = arg.charCodeAt(0);
  const sign = c0 === 105; // 'i'
  if (!sign && c0 !== 117) throw Err.bitfieldType(); // 'u'
  const n = parseInt64(arg.slice(1));
  if (n === null || typeof n === 'bigint' || n < 1 || (sign && n > 64) || (!sign && n > 63)) throw Err.bitfieldType();
  return { sign, bits: n };
}

function int64Arg(arg: string): bigint {
  const v = parseInt64(arg);
  if (v === null) throw Err.notInteger();
  return BigInt(v);
}

function safeIntArg(arg: string): number {
  const v = parseInt64(arg);
  if (v === null) throw Err.notInteger();
  return Number(v); // beyond 2^53 only the clamping below matters
}

// ---------------------------------------------------------------- the write path

/**
 * lookupStringForBitCommand: the value at key as a raw string in buffer mode
 * with room for bit `maxbit`, created (zeros) when missing. `created`: the key
 * was added (db.add counted it); `grew`: an existing string got longer.
 */
function stringForBitWrite(db: Db, key: string, maxbit: number): { r: RawString; buf: Buffer; created: boolean; grew: boolean } {
  const need = Math.floor(maxbit / 8) + 1;
  const slot = db.lookupWriteSlot(key);
  if (slot === -1) {
    const r = RawString.fromBuffer(Buffer.alloc(0), 0);
    const buf = r.writable(need);
    db.add(key, r);
    return { r, buf, created: true, grew: false };
  }
  const v = db.valueAt(slot);
  if (!isString(v)) throw Err.wrongType();
  let r: RawString;
  if (v instanceof RawString && v.enc === 'raw') r = v;
  else {
    // dbUnshareStringValue: the value becomes raw, which is no change by itself
    r = new RawString(strValue(v));
    db.reshapeValue(slot, r);
  }
  const old = r.length;
  const buf = r.writable(need);
  return { r, buf, created: false, grew: r.len !== old };
}

// ---------------------------------------------------------------- SETBIT / GETBIT

function setbitCommand(c: Client, argv: string[], s: DataContext): void {
  const off = bitOffsetArg(s, argv[2], false, 0);
  const on = parseInt64(argv[3]);
  if (on !== 0 && on !== 1) throw Err.bitValue();
  const db = c.db;
  const key = argv[1];
  const w = stringForBitWrite(db, key, off);
  const byte = Math.floor(off / 8);
  const mask = 1 << (7 - (off % 8));
  const old = w.buf[byte] & mask;
  if (w.created || w.grew || (old !== 0) !== (on === 1)) {
    if (on === 1) w.buf[byte] |= mask;
    else w.buf[byte] &= ~mask;
    if (!w.created) db.modified(key);
    db.notify(NOTIFY_STRING, 'setbit', key);
  }
  c.addInt(old !== 0 ? 1 : 0);
}

function getbitCommand(c: Client, argv: string[], s: DataContext): void {
  const off = bitOffsetArg(s, argv[2], false, 0);
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.addInt(0);
    return;
  }
  if (!isString(v)) throw Err.wrongType();
  c.addInt((byteAt(bytesOf(v), Math.floor(off / 8)) >> (7 - (off % 8))) & 1);
}

// ---------------------------------------------------------------- BITCOUNT / BITPOS

interface Range {
  /** first and last byte, inclusive; start > end for an empty range */
  start: number;
  end: number;
  /** bits of the first / last byte outside the range (BIT mode) */
  firstMask: number;
  lastMask: number;
}

/** The shared range arithmetic of BITCOUNT and BITPOS (negative indexes from the end, clamped). */
function resolveRange(start: number, end: number, len: number, isbit: boolean): Range {
  const total = isbit ? len * 8 : len;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (isbit && start <= end) {
    firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff;
    lastMask = (1 << (7 - (end & 7))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  return { start, end, firstMask, lastMask };
}

function bitUnitArg(arg: string): boolean {
  const u = arg.toLowerCase();
  if (u === 'bit') return true;
  if (u === 'byte') return false;
  throw Err.syntax();
}

function bitcountCommand(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.addInt(0);
    return;
  }
  if (!isString(v)) throw Err.wrongType();
  const b = bytesOf(v);
  let r: Range;
  if (argv.length === 4 || argv.length === 5) {
    const start = safeIntArg(argv[2]);
    const end = safeIntArg(argv[3]);
    // Redis 7.0 answers this empty range before it looks at BIT|BYTE
    if (start < 0 && end < 0 && start > end) {
      c.addInt(0);
      return;
    }
    const isbit = argv.length === 5 && bitUnitArg(argv[4]);
    r = resolveRange(start, end, b.len, isbit);
  } else if (argv.length === 2) {
    r = { start: 0, end: b.len - 1, firstMask: 0, lastMask: 0 };
  } else throw Err.syntax();
  if (r.start > r.end) {
    c.addInt(0);
    return;
  }
  let n = popcount(b, r.start, r.end);
  if (r.firstMask !== 0) n -= POPCOUNT[byteAt(b, r.start) & r.firstMask];
  if (r.lastMask !== 0) n -= POPCOUNT[byteAt(b, r.end) & r.lastMask];
  c.addInt(n);
}

/** The first bit equal to `bit` in byte x (bits outside the range already forced to !bit), or -1. */
function firstBitIn(x: number, bit: number): number {
  if (bit === 0) x = ~x & 0xff;
  if (x === 0) return -1;
  return Math.clz32(x) - 24;
}

function bitposCommand(c: Client, argv: string[]): void {
  const bv = parseInt64(argv[2]);
  if (bv === null) throw Err.notInteger();
  if (bv !== 0 && bv !== 1) throw Err.bitposBit();
  const bit = bv;
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    // a missing key is an infinite run of zeros
    c.addInt(bit === 1 ? -1 : 0);
    return;
  }
  if (!isString(v)) throw Err.wrongType();
  const b = bytesOf(v);
  let r: Range;
  let endGiven = false;
  if (argv.length >= 4 && argv.length <= 6) {
    const start = safeIntArg(argv[3]);
    const isbit = argv.length === 6 && bitUnitArg(argv[5]);
    let end: number;
    if (argv.length >= 5) {
      end = safeIntArg(argv[4]);
      endGiven = true;
    } else end = isbit ? b.len * 8 + 7 : b.len - 1;
    r = resolveRange(start, end, b.len, isbit);
  } else if (argv.length === 3) {
    r = { start: 0, end: b.len - 1, firstMask: 0, lastMask: 0 };
  } else throw Err.syntax();
  if (r.start > r.end) {
    c.addInt(-1);
    return;
  }
  for (let i = r.start; i <= r.end; i++) {
    let x = byteAt(b, i);
    let outside = 0;
    if (i === r.start) outside |= r.firstMask;
    if (i === r.end) outside |= r.lastMask;
    if (outside !== 0) x = bit === 1 ? x & ~outside : x | outside;
    else if (x === (bit === 1 ? 0 : 0xff)) continue;
    const p = firstBitIn(x, bit);
    if (p !== -1) {
      c.addInt(i * 8 + p);
      return;
    }
  }
  // no such bit in the range: clear bits continue past the string unless an end was given
  if (bit === 1 || endGiven) c.addInt(-1);
  else c.addInt((r.end + 1) * 8);
}

// ---------------------------------------------------------------- BITOP

function bitopCommand(c: Client, argv: string[]): void {
  const op = argv[1].toLowerCase();
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') throw Err.syntax();
  if (op === 'not' && argv.length !== 4) throw Err.bitopNot();
  const db = c.db;
  const dest = argv[2];
  const srcs: Bytes[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const v = db.lookupRead(argv[j]);
    if (v === undefined) {
      srcs.push(EMPTY);
      continue;
    }
    if (!isString(v)) throw Err.wrongType();
    const b = bytesOf(v);
    srcs.push(b);
    if (b.len > maxlen) maxlen = b.len;
  }
  if (maxlen === 0) {
    if (db.delete(dest)) db.notify(NOTIFY_GENERIC, 'del', dest);
    c.addInt(0);
    return;
  }
  const res = Buffer.alloc(maxlen);
  const first = srcs[0];
  if (op === 'not') {
    for (let i = 0; i < maxlen; i++) res[i] = ~byteAt(first, i) & 0xff;
  } else {
    for (let i = 0; i < maxlen; i++) res[i] = byteAt(first, i);
    for (let j = 1; j < srcs.length; j++) {
      const b = srcs[j];
      if (op === 'and') for (let i = 0; i < maxlen; i++) res[i] &= byteAt(b, i);
      else if (op === 'or') for (let i = 0; i < b.len; i++) res[i] |= byteAt(b, i);
      else for (let i = 0; i < b.len; i++) res[i] ^= byteAt(b, i);
    }
  }
  db.setKey(dest, RawString.fromBuffer(res, maxlen));
  db.notify(NOTIFY_STRING, 'set', dest);
  c.addInt(maxlen);
}

// ---------------------------------------------------------------- BITFIELD

const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;
type Overflow = 'wrap' | 'sat' | 'fail';

interface FieldOp {
  opcode: number;
  offset: number;
  bits: number;
  sign: boolean;
  value: bigint;
  overflow: Overflow;
}

/** getUnsignedBitfield: `bits` bits from bit `offset`, most significant first (zeros past the end). */
function getField(b: Bytes, offset: number, bits: number): bigint {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < bits; i++) {
    const o = offset + i;
    const bit = (byteAt(b, Math.floor(o / 8)) >> (7 - (o % 8))) & 1;
    hi = hi * 2 + (lo >>> 31);
    lo = ((lo << 1) | bit) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** setUnsignedBitfield: the low `bits` bits of v at bit `offset`. */
function setField(buf: Buffer, offset: number, bits: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  const lo = Number(u & 0xffffffffn);
  const hi = Number(u >> 32n);
  for (let i = 0; i < bits; i++) {
    const k = bits - 1 - i; // the bit of v written at offset + i
    const bit = k >= 32 ? (hi >>> (k - 32)) & 1 : (lo >>> k) & 1;
    const o = offset + i;
    const byte = Math.floor(o / 8);
    const mask = 1 << (7 - (o % 8));
    if (bit === 1) buf[byte] |= mask;
    else buf[byte] &= ~mask;
  }
}

const I64_MAX = (1n << 63n) - 1n;

/**
 * checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow, with C's int64
 * wrap-around in the increments' bounds (which makes OVERFLOW SAT of a SET to
 * a very negative value saturate to the maximum, as Redis does). Returns the
 * value to store, or null when the overflow is refused (FAIL).
 */
function applyOverflow(value: bigint, incr: bigint, bits: number, sign: boolean, ow: Overflow): { v: bigint; overflow: boolean } {
  const bb = BigInt(bits);
  if (sign) {
    const max = bits === 64 ? I64_MAX : (1n << (bb - 1n)) - 1n;
    const min = -max - 1n;
    const maxincr = BigInt.asIntN(64, max - value);
    const minincr = BigInt.asIntN(64, min - value);
    const wrapped = BigInt.asIntN(bits, value + incr);
    if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) {
      return { v: ow === 'wrap' ? wrapped : max, overflow: true };
    }
    if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) {
      return { v: ow === 'wrap' ? wrapped : min, overflow: true };
    }
    return { v: value + incr, overflow: false };
  }
  const max = (1n << bb) - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, -value);
  const wrapped = BigInt.asUintN(bits, value + incr);
  if (value > max || (incr > 0n && incr > maxincr)) return { v: ow === 'wrap' ? wrapped : max, overflow: true };
  if (incr < 0n && incr < minincr) return { v: ow === 'wrap' ? wrapped : 0n, overflow: true };
  return { v: value + incr, overflow: false };
}

/** The field as its type reads it: sign-extended for iN. */
function typed(u: bigint, bits: number, sign: boolean): bigint {
  return sign ? BigInt.asIntN(bits, u) : u;
}

function bitfieldGeneric(c: Client, argv: string[], s: DataContext, readonlyCmd: boolean): void {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  let readonly = true;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const remargs = argv.length - j - 1;
    const sub = argv[j].toLowerCase();
    let opcode: number;
    if (sub === 'get' && remargs >= 2) opcode = OP_GET;
    else if (sub === 'set' && remargs >= 3) opcode = OP_SET;
    else if (sub === 'incrby' && remargs >= 3) opcode = OP_INCRBY;
    else if (sub === 'overflow' && remargs >= 1) {
      const t = argv[++j].toLowerCase();
      if (t === 'wrap' || t === 'sat' || t === 'fail') overflow = t;
      else throw Err.bitfieldOverflow();
      continue;
    } else throw Err.syntax();
    const { sign, bits } = bitfieldTypeArg(argv[j + 1]);
    const offset = bitOffsetArg(s, argv[j + 2], true, bits);
    let value = 0n;
    if (opcode !== OP_GET) {
      readonly = false;
      if (offset + bits - 1 > highest) highest = offset + bits - 1;
      value = int64Arg(argv[j + 3]);
    }
    ops.push({ opcode, offset, bits, sign, value, overflow });
    j += opcode === OP_GET ? 2 : 3;
  }
  const db = c.db;
  const key = argv[1];
  let src: Bytes;
  let w: ReturnType<typeof stringForBitWrite> | null = null;
  if (readonly) {
    const v = db.lookupRead(key);
    if (v !== undefined && !isString(v)) throw Err.wrongType();
    src = v === undefined ? EMPTY : bytesOf(v);
  } else {
    if (readonlyCmd) throw Err.bitfieldRo();
    w = stringForBitWrite(db, key, highest);
    src = { buf: w.buf, str: '', len: w.r.len };
  }
  c.addArrayLen(ops.length);
  let changes = 0;
  for (const op of ops) {
    const cur = typed(getField(src, op.offset, op.bits), op.bits, op.sign);
    if (op.opcode === OP_GET) {
      c.addInt(cur);
      continue;
    }
    let next: { v: bigint; overflow: boolean };
    if (op.opcode === OP_INCRBY) next = applyOverflow(cur, op.value, op.bits, op.sign, op.overflow);
    else next = applyOverflow(op.sign ? op.value : BigInt.asUintN(64, op.value), 0n, op.bits, op.sign, op.overflow);
    if (next.overflow && op.overflow === 'fail') {
      c.addNull();
      continue;
    }
    c.addInt(op.opcode === OP_INCRBY ? next.v : cur);
    setField(w!.buf, op.offset, op.bits, next.v);
    // a write counts when the key was created or grew, or the field's value changed
    if (w!.created || w!.grew || next.v !== cur) changes++;
  }
  if (w === null) return;
  // db.add counted the creation as one change; Redis counts only the writes
  if (changes > 0) {
    if (!w.created) db.modified(key);
    db.ks.dirty += changes - 1;
    db.notify(NOTIFY_STRING, 'setbit', key);
  } else if (w.created) db.ks.dirty--;
}

function bitfieldCommand(c: Client, argv: string[], s: DataContext): void {
  bitfieldGeneric(c, argv, s, false);
}

function bitfieldRoCommand(c: Client, argv: string[], s: DataContext): void {
  bitfieldGeneric(c, argv, s, true);
}

export const bitmapCommands: DataCommands = [
  { name: 'bitcount', handler: bitcountCommand },
  { name: 'bitfield', handler: bitfieldCommand },
  { name: 'bitfield_ro', handler: bitfieldRoCommand },
  { name: 'bitop', handler: bitopCommand },
  { name: 'bitpos', handler: bitposCommand },
  { name: 'getbit', handler: getbitCommand },
  { name: 'setbit', handler: setbitCommand },
];
