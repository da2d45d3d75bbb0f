/**
 * Intset: a sorted set of distinct int64 values packed in one string, the
 * counterpart of Redis's intset.c (the compact encoding of small all-integer
 * sets, OBJECT ENCODING "intset").
 *
 * Layout: char 0 is the element width in bytes — 2, 4 or 8, Redis's
 * INTSET_ENC_INT16/32/64 — and the chars after it are the elements in
 * ascending order as 16-bit units, little-endian: an int16 is one char, an
 * int32 two (low half first), an int64 four. Read as UTF-16LE, the chars
 * after the first are Redis's intset contents byte for byte, so the RDB/DUMP
 * blob is Redis's 8-byte header (encoding, length) followed by them
 * (`intsetToBlob`).
 *
 * Why a string: a typed array costs ~184 bytes of V8 objects (JSTypedArray +
 * JSArrayBuffer) before its first element, which made a set of 10 integers
 * take ~5x Redis's MEMORY USAGE. A sequential string costs a 16-byte header
 * plus its chars, rounded to 8 — and V8 keeps a string whose chars are all
 * below 256 as one byte a char: an intset of small values (0-255, the
 * common ids and flags) takes one byte an element, others two bytes a
 * 16-bit unit, as Redis. 10 small integers: 32 bytes (Redis's intset is 28,
 * in a 32-byte jemalloc bin); 10 integers of 16 bits: 40.
 *
 * Reads decode elements in place with charCodeAt: `intsetSearch` is a binary
 * search (O(log n)), one charCodeAt a probe for int16; an int64 is compared
 * as its (signed high, unsigned low) 32-bit halves, so no BigInt is made to
 * search. Writes build a new string: the elements are copied into SCRATCH,
 * edited there through typed views (the shift of the tail is Redis's
 * memmove) and read back out as a new flat string — never by concatenation,
 * whose cons and sliced strings would pin the old string. One insert or
 * removal is O(n), as Redis's realloc + memmove; `intsetAddAll` pays the two
 * copies once for a batch (SADD of many members, a loaded blob). SCRATCH
 * keeps the last intset edited (or searched twice in a row), so a run of
 * operations on one set skips the copy in and searches the typed views.
 *
 * The width grows one way: a value that does not fit widens every element
 * first (Redis's intsetUpgradeAndAdd; such a value lies beyond every stored
 * one, so it goes first or last); removals never narrow it, as in Redis.
 *
 * Values travel as `number` when safe and `bigint` beyond ±(2^53−1) —
 * exactly what util/numbers.ts parseInt64 returns.
 *
 * Invariants: (s.length − 1) × 2 is a multiple of the width; the elements
 * are strictly ascending and each fits the width. The typed views assume a
 * little-endian host (x64, arm64), checked when the module loads.
 */
import { strBytes, twoByteStrBytes } from '../util/v8-size.js';

declare module 'buffer' {
  interface Buffer {
    /** Node's Buffer methods behind write(s, offset, length, 'utf16le') and toString('utf16le', start, end), without their checks */
    ucs2Write(s: string, offset: number, length: number): number;
    ucs2Slice(start: number, end: number): string;
  }
}

export type IntVal = number | bigint;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('gKV intsets need a little-endian host');

const I16_MIN = -32768;
const I16_MAX = 32767;
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;
const TWO32 = 4294967296;

/** An empty intset of the given width (2, 4 or 8 bytes); Redis's intsetNew is int16. */
export function intsetEmpty(width = 2): string {
  return String.fromCharCode(width);
}

/** The element width in bytes: 2, 4 or 8. */
export function intsetWidth(s: string): number {
  return s.charCodeAt(0);
}

/** The number of elements. */
export function intsetLength(s: string): number {
  return ((s.length - 1) * 2) / s.charCodeAt(0);
}

/**
 * A char of 256 or more: V8 then keeps the string at two bytes a char. Every
 * intset string is made so that V8 narrows it when it can (String.fromCharCode,
 * ucs2Slice), or from the parts of one that has a wide char left.
 */
const WIDE_CHAR = /[^\x00-\xff]/;

/** What the intset's string costs in V8 (one or two bytes a char, see the header). */
export function intsetBytes(s: string): number {
  return WIDE_CHAR.test(s) ? twoByteStrBytes(s.length) : strBytes(s.length);
}

/** The narrowest width holding v (Redis's _intsetValueEncoding). */
export function intsetValueWidth(v: IntVal): 2 | 4 | 8 {
  if (typeof v === 'bigint') return 8;
  return v >= I16_MIN && v <= I16_MAX ? 2 : v >= I32_MIN && v <= I32_MAX ? 4 : 8;
}

/** The signed 32-bit value of the two chars at o (low half first). */
function rd32(s: string, o: number): number {
  return s.charCodeAt(o) | (s.charCodeAt(o + 1) << 16);
}

/** The int64 of a signed high and an unsigned low half: a number when safe, else a bigint. */
function join64(hi: number, lo: number): IntVal {
  if (hi > -0x200000 && hi < 0x200000) return hi * TWO32 + lo;
  if (hi === -0x200000 && lo !== 0) return hi * TWO32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

// the halves of the value being searched or written (no allocation per call)
let splitHi = 0;
let splitLo = 0;

/** Sets splitHi (signed) and splitLo (unsigned) to v's 32-bit halves. */
function split64(v: IntVal): void {
  if (typeof v === 'number') {
    const hi = Math.floor(v / TWO32);
    splitHi = hi;
    splitLo = v - hi * TWO32;
  } else {
    splitHi = Number(BigInt.asIntN(32, v >> 32n));
    splitLo = Number(BigInt.asUintN(32, v));
  }
}

/** The value at index i (0 ≤ i < length), ascending (Redis's intsetGet). */
export function intsetGet(s: string, i: number): IntVal {
  const w = s.charCodeAt(0);
  if (w === 2) return (s.charCodeAt(1 + i) << 16) >> 16;
  const o = 1 + i * (w >> 1);
  if (w === 4) return rd32(s, o);
  return join64(rd32(s, o + 2), rd32(s, o) >>> 0);
}

/** The decimal string of the value at index i: the member as Redis prints it. */
export function intsetMember(s: string, i: number): string {
  return String(intsetGet(s, i));
}

/** Calls fn with every member (decimal strings), ascending, until fn returns false. */
export function intsetForEach(s: string, fn: (member: string) => boolean | void): void {
  const w = s.charCodeAt(0);
  const end = s.length;
  if (w === 2) {
    for (let o = 1; o < end; o++) if (fn(String((s.charCodeAt(o) << 16) >> 16)) === false) return;
  } else if (w === 4) {
    for (let o = 1; o < end; o += 2) if (fn(String(rd32(s, o))) === false) return;
  } else {
    for (let o = 1; o < end; o += 4) if (fn(String(join64(rd32(s, o + 2), rd32(s, o) >>> 0))) === false) return;
  }
}

/** Every member as a decimal string, ascending. */
export function intsetMembers(s: string): string[] {
  const w = s.charCodeAt(0);
  const end = s.length;
  const out: string[] = new Array(((end - 1) * 2) / w);
  let i = 0;
  if (w === 2) for (let o = 1; o < end; o++) out[i++] = String((s.charCodeAt(o) << 16) >> 16);
  else if (w === 4) for (let o = 1; o < end; o += 2) out[i++] = String(rd32(s, o));
  else for (let o = 1; o < end; o += 4) out[i++] = String(join64(rd32(s, o + 2), rd32(s, o) >>> 0));
  return out;
}

// ---------------------------------------------------------------- SCRATCH

/**
 * The working area of every edit, shared by all intsets: the width unit at
 * bytes 6-7, the elements from byte 8, where the typed views start aligned.
 * It holds the intset `held` (null: nothing valid), the last one edited or
 * searched twice in a row: the next operation on that same intset (equal
 * strings are equal intsets) skips the copy in and searches the typed views
 * instead of decoding chars — SADD/SREM/SPOP after SADD/SREM/SPOP on one key,
 * SINTER's and SINTERCARD's probes of one set member after member.
 */
const BASE = 8;
let scratch = Buffer.allocUnsafeSlow(4096);
let u16 = new Uint16Array(scratch.buffer, BASE - 2, (scratch.length - BASE + 2) >> 1);
let v16 = new Int16Array(scratch.buffer, BASE, (scratch.length - BASE) >> 1);
let v32 = new Int32Array(scratch.buffer, BASE, (scratch.length - BASE) >> 2);
let held: string | null = null;
/** the intset searched last without being held: a second search in a row loads it */
let searchedLast: string | null = null;

/** Makes room for `bytes` element bytes in SCRATCH, keeping the first `keep` bytes of its elements. */
function reserve(bytes: number, keep: number): void {
  if (BASE + bytes <= scratch.length) return;
  let size = scratch.length;
  while (size < BASE + bytes) size *= 2;
  const old = scratch;
  scratch = Buffer.allocUnsafeSlow(size);
  if (keep > 0) old.copy(scratch, BASE, BASE, BASE + keep);
  u16 = new Uint16Array(scratch.buffer, BASE - 2, (size - BASE + 2) >> 1);
  v16 = new Int16Array(scratch.buffer, BASE, (size - BASE) >> 1);
  v32 = new Int32Array(scratch.buffer, BASE, (size - BASE) >> 2);
}

/** Makes SCRATCH hold s, with room for `extraBytes` more element bytes. */
function take(s: string, extraBytes: number): void {
  const bytes = (s.length - 1) * 2;
  if (s === held) {
    reserve(bytes + extraBytes, bytes);
    return;
  }
  reserve(bytes + extraBytes, 0);
  if (s.length <= 12) for (let i = 1; i < s.length; i++) u16[i] = s.charCodeAt(i);
  else scratch.ucs2Write(s, BASE - 2, s.length * 2);
  held = s;
}

/** The intset of n elements of width w now in SCRATCH, as a new flat string (SCRATCH holds it). */
function store(w: number, n: number): string {
  u16[0] = w;
  const len = 1 + ((n * w) >> 1);
  // String.fromCharCode of a few units beats the binding's call; V8 narrows either to one byte a char when it can
  // biome-ignore format: one line per length, read as a table
  switch (len) {
    case 1: held = String.fromCharCode(w); break;
    case 2: held = String.fromCharCode(w, u16[1]); break;
    case 3: held = String.fromCharCode(w, u16[1], u16[2]); break;
    case 4: held = String.fromCharCode(w, u16[1], u16[2], u16[3]); break;
    case 5: held = String.fromCharCode(w, u16[1], u16[2], u16[3], u16[4]); break;
    case 6: held = String.fromCharCode(w, u16[1], u16[2], u16[3], u16[4], u16[5]); break;
    case 7: held = String.fromCharCode(w, u16[1], u16[2], u16[3], u16[4], u16[5], u16[6]); break;
    case 8: held = String.fromCharCode(w, u16[1], u16[2], u16[3], u16[4], u16[5], u16[6], u16[7]); break;
    case 9: held = String.fromCharCode(w, u16[1], u16[2], u16[3], u16[4], u16[5], u16[6], u16[7], u16[8]); break;
    default: held = scratch.ucs2Slice(BASE - 2, BASE + n * w);
  }
  return held;
}

/** SCRATCH's element i at width w. */
function getS(w: number, i: number): IntVal {
  if (w === 2) return v16[i];
  if (w === 4) return v32[i];
  return join64(v32[2 * i + 1], v32[2 * i] >>> 0);
}

/** Writes v as SCRATCH's element i at width w (v fits it). */
function setS(w: number, i: number, v: IntVal): void {
  if (w === 2) v16[i] = v as number;
  else if (w === 4) v32[i] = v as number;
  else {
    split64(v);
    v32[2 * i] = splitLo | 0;
    v32[2 * i + 1] = splitHi;
  }
}

/** Binary search of SCRATCH's n elements of width w for v, which fits the width (as intsetSearch). */
function searchS(w: number, n: number, v: IntVal): number {
  let lo = 0;
  let hi = n - 1;
  if (w === 8) {
    split64(v);
    const vh = splitHi;
    const vl = splitLo;
    const a = v32;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      let c = a[2 * mid + 1] - vh;
      if (c === 0) c = (a[2 * mid] >>> 0) - vl;
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }
  return searchView(w === 2 ? v16 : v32, n, v as number);
}

/** Binary search of a[0..n) for v, as intsetSearch. */
function searchView(a: Int16Array | Int32Array, n: number, v: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = a[mid];
    if (m < v) lo = mid + 1;
    else if (m > v) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** Binary search of the string s's n elements of width w for v, which fits the width. */
function searchChars(s: string, w: number, n: number, v: IntVal): number {
  let lo = 0;
  let hi = n - 1;
  if (w === 2) {
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = (s.charCodeAt(1 + mid) << 16) >> 16;
      if (m < (v as number)) lo = mid + 1;
      else if (m > (v as number)) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }
  if (w === 4) {
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = rd32(s, 1 + mid * 2);
      if (m < (v as number)) lo = mid + 1;
      else if (m > (v as number)) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }
  split64(v);
  const vh = splitHi;
  const vl = splitLo;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const o = 1 + mid * 4;
    let c = rd32(s, o + 2) - vh;
    if (c === 0) c = (rd32(s, o) >>> 0) - vl;
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/**
 * Binary search (Redis's intsetSearch): the index of v, or −(insertion
 * point) − 1 when absent. A value wider than the elements lies before or
 * after all of them.
 */
export function intsetSearch(s: string, v: IntVal): number {
  const w = s.charCodeAt(0);
  const n = (((s.length - 1) * 2) / w) | 0;
  if (n === 0) return -1;
  if (w !== 8) {
    if (typeof v === 'bigint') return v < 0n ? -1 : -n - 1;
    if (v < (w === 2 ? I16_MIN : I32_MIN)) return -1;
    if (v > (w === 2 ? I16_MAX : I32_MAX)) return -n - 1;
  }
  if (s === held) return searchS(w, n, v);
  if (s === searchedLast && n > 8) {
    take(s, 0);
    return searchS(w, n, v);
  }
  searchedLast = s;
  return searchChars(s, w, n, v);
}

/** Is v an element? (Redis's intsetFind) */
export function intsetFind(s: string, v: IntVal): boolean {
  return intsetSearch(s, v) >= 0;
}

/**
 * Widens SCRATCH's n elements from width w to nw, leaving slot `gap` (0 or
 * n) free for the value that caused it (Redis's intsetUpgradeAndAdd: back to
 * front, so no element is overwritten before it moved).
 */
function upgradeS(w: number, nw: number, n: number, gap: number): void {
  const shift = gap === 0 ? 1 : 0;
  for (let i = n - 1; i >= 0; i--) setS(nw, i + shift, getS(w, i));
}

/** Inserts v at index pos of SCRATCH's n elements of width w (the tail moves up one). */
function insertS(w: number, n: number, pos: number, v: IntVal): void {
  const at = BASE + pos * w;
  scratch.copyWithin(at + w, at, BASE + n * w);
  setS(w, pos, v);
}

/** s with v added; s itself when v was already there (Redis's intsetAdd). */
export function intsetAdd(s: string, v: IntVal): string {
  const w = s.charCodeAt(0);
  const n = ((s.length - 1) * 2) / w;
  const nw = intsetValueWidth(v);
  if (nw > w) {
    take(s, n * (nw - w) + nw);
    const gap = (typeof v === 'bigint' ? v < 0n : v < 0) ? 0 : n;
    upgradeS(w, nw, n, gap);
    setS(nw, gap, v);
    return store(nw, n + 1);
  }
  const pos = intsetSearch(s, v);
  if (pos >= 0) return s;
  take(s, w);
  insertS(w, n, -pos - 1, v);
  return store(w, n + 1);
}

/**
 * s with the values vals[from..] added in order, as intsetAdd one by one,
 * stopping before a new value that would make the count exceed `max` (the
 * caller converts the set there). Returns the new intset, how many values
 * were taken (`taken`) and how many of those were new (`added`).
 */
export function intsetAddAll(s: string, vals: readonly IntVal[], max: number): { s: string; taken: number; added: number } {
  let w = s.charCodeAt(0);
  let n = ((s.length - 1) * 2) / w;
  take(s, (n + vals.length) * 8);
  let taken = 0;
  let added = 0;
  for (; taken < vals.length; taken++) {
    const v = vals[taken];
    const nw = intsetValueWidth(v);
    let pos: number;
    if (nw > w) {
      if (n >= max) break;
      pos = (typeof v === 'bigint' ? v < 0n : v < 0) ? 0 : n;
      upgradeS(w, nw, n, pos);
      w = nw;
      setS(w, pos, v);
    } else {
      pos = searchS(w, n, v);
      if (pos >= 0) continue;
      if (n >= max) break;
      insertS(w, n, -pos - 1, v);
    }
    n++;
    added++;
  }
  return { s: added === 0 ? s : store(w, n), taken, added };
}

/** Is one of the u chars at o 256 or more? */
function wideUnits(s: string, o: number, u: number): boolean {
  for (let k = 0; k < u; k++) if (s.charCodeAt(o + k) > 255) return true;
  return false;
}

/** s without the element at index i. */
export function intsetRemoveAt(s: string, i: number): string {
  const w = s.charCodeAt(0);
  const n = ((s.length - 1) * 2) / w;
  const u = w >> 1;
  const o = 1 + i * u;
  if (s !== held && s.length > 24 && !wideUnits(s, o, u)) {
    // not in SCRATCH: one copy (join makes a new flat string) beats two. The result keeps s's char size, which
    // stays right (see intsetBytes) as the chars that go are narrow: a wide s keeps a wide char.
    return [s.slice(0, o), s.slice(o + u)].join('');
  }
  take(s, 0);
  const at = BASE + i * w;
  scratch.copyWithin(at, at + w, BASE + n * w);
  return store(w, n - 1);
}

/** s without v; s itself when v was absent (Redis's intsetRemove). */
export function intsetRemove(s: string, v: IntVal): string {
  const pos = intsetSearch(s, v);
  return pos < 0 ? s : intsetRemoveAt(s, pos);
}

/** s widened to at least `width` bytes an element (a loaded blob's width, which Redis keeps). */
export function intsetWiden(s: string, width: number): string {
  const w = s.charCodeAt(0);
  if (width <= w) return s;
  const n = ((s.length - 1) * 2) / w;
  take(s, n * width);
  // the gap slot is n: nothing is inserted
  upgradeS(w, width, n, n);
  return store(width, n);
}

/** An intset of the values, in any order and possibly repeated, at least `width` wide. */
export function intsetFromValues(vals: readonly IntVal[], width = 2): { s: string; added: number } {
  const r = intsetAddAll(intsetEmpty(width), vals, Infinity);
  return { s: r.s, added: r.added };
}

/** Redis's intset blob (RDB_TYPE_SET_INTSET): encoding and length as uint32 LE, then the elements. */
export function intsetToBlob(s: string): Buffer {
  const w = s.charCodeAt(0);
  const b = Buffer.allocUnsafe(6 + s.length * 2);
  // the width char lands on bytes 6-7, which the length then overwrites
  b.ucs2Write(s, 6, s.length * 2);
  b.writeUInt32LE(w, 0);
  b.writeUInt32LE(((s.length - 1) * 2) / w, 4);
  return b;
}
