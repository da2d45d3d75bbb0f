/**
 * Listpack entries (Redis's listpack.c), as bytes: the encoder every
 * listpack gKV writes goes through (RDB and DUMP blobs, and the stream
 * nodes, which keep their entries in this format in memory, as Redis does),
 * and a reader for entries in memory that gKV wrote itself.
 *
 * An entry is an encoding byte (or two), the data, and the backlen: the
 * entry's size in 7-bit groups, most significant first, so that a reader
 * can step backwards (lpPrev). lpAppend stores a string that is a canonical
 * int64 as an integer, in the smallest of the 7-bit uint, 13-bit, 16-, 24-,
 * 32- and 64-bit encodings; other strings with a 6-bit, 12-bit or 32-bit
 * length. A reader gets integers back as their decimal text, so a field
 * reads back as the exact string written.
 *
 * `LpBuf` is a growable byte run (data in buf[0..len)); the encoder appends
 * to it. The reader (`lpReadAt`, `lpPrevAt`) assumes well-formed entries:
 * the RDB decoder validates foreign listpacks before anything is kept.
 */
import { parseInt64 } from '../util/numbers.js';
import type { ElementSink } from '../util/bulk-writer.js';

/**
 * A growable run of bytes: buf[0..len). `unpooled` buffers (for bytes that
 * stay in the keyspace, such as stream nodes) are allocated on their own
 * rather than carved from Node's shared 8 KB pool, so that a small buffer
 * kept alive does not pin a whole pool slab.
 */
export class LpBuf {
  buf: Buffer;
  len = 0;
  constructor(
    cap = 64,
    private readonly unpooled = false,
  ) {
    this.buf = unpooled ? Buffer.allocUnsafeSlow(cap) : Buffer.allocUnsafe(cap);
  }

  /** Makes room for n more bytes (doubling, as sdsMakeRoomFor). */
  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    const cap = Math.max(need, this.buf.length * 2);
    const b = this.unpooled ? Buffer.allocUnsafeSlow(cap) : Buffer.allocUnsafe(cap);
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }

  /** The bytes written so far (shared, not copied). */
  result(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Gives back spare room: the buffer becomes exactly len bytes. */
  shrink(): void {
    if (this.buf.length <= this.len) return;
    const b = Buffer.allocUnsafeSlow(this.len);
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }
}

/** Bytes of lpEncodeBacklen for an entry of l bytes (encoding + data). */
export function lpBacklenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** Bytes of an integer entry (encoding + data, without backlen). */
export function lpIntEntrySize(v: number | bigint): number {
  if (typeof v === 'bigint') return 9;
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

/** The integer lpAppend would store s as, or null when it stores s as a string. */
function lpIntOf(s: string): number | bigint | null {
  return s.length <= 20 && s.length > 0 ? parseInt64(s) : null;
}

/** The bytes lpAppend(s) adds (entry and backlen). */
export function lpEntrySize(s: string): number {
  const v = lpIntOf(s);
  const l = v !== null ? lpIntEntrySize(v) : s.length < 64 ? 1 + s.length : s.length < 4096 ? 2 + s.length : 5 + s.length;
  return l + lpBacklenSize(l);
}

/** The bytes lpAppendInteger(v) adds (entry and backlen). */
export function lpIntSize(v: number | bigint): number {
  const l = lpIntEntrySize(v);
  return l + lpBacklenSize(l);
}

/** lpAppend(s): an integer entry when s is a canonical int64, else a string entry. */
export function lpAppend(w: LpBuf, s: string): void {
  const v = lpIntOf(s);
  if (v !== null) lpAppendInteger(w, v);
  else lpAppendString(w, s);
}

/** lpAppendInteger(v), v an int64 (a number within ±2^53 or a bigint). */
export function lpAppendInteger(w: LpBuf, v: number | bigint): void {
  const l = lpIntEntrySize(v);
  w.ensure(l + 1);
  const b = w.buf;
  let p = w.len;
  if (typeof v === 'bigint') {
    b[p++] = 0xf4;
    b.writeBigInt64LE(v, p);
    p += 8;
  } else if (v >= 0 && v <= 127) {
    b[p++] = v;
  } else if (v >= -4096 && v <= 4095) {
    const u = v < 0 ? (1 << 13) + v : v;
    b[p++] = (u >> 8) | 0xc0;
    b[p++] = u & 0xff;
  } else if (v >= -32768 && v <= 32767) {
    b[p++] = 0xf1;
    b.writeInt16LE(v, p);
    p += 2;
  } else if (v >= -8388608 && v <= 8388607) {
    b[p++] = 0xf2;
    const u = v < 0 ? (1 << 24) + v : v;
    b[p++] = u & 0xff;
    b[p++] = (u >> 8) & 0xff;
    b[p++] = (u >> 16) & 0xff;
  } else if (v >= -2147483648 && v <= 2147483647) {
    b[p++] = 0xf3;
    b.writeInt32LE(v, p);
    p += 4;
  } else {
    b[p++] = 0xf4;
    b.writeBigInt64LE(BigInt(v), p);
    p += 8;
  }
  w.len = p;
  lpAppendBacklen(w, l);
}

/** A string entry (6-bit, 12-bit or 32-bit length) holding the latin1 bytes of s. */
export function lpAppendString(w: LpBuf, s: string): void {
  const n = s.length;
  const hdr = n < 64 ? 1 : n < 4096 ? 2 : 5;
  w.ensure(hdr + n + 5);
  const b = w.buf;
  if (hdr === 1) b[w.len++] = 0x80 | n;
  else if (hdr === 2) {
    b[w.len++] = 0xe0 | (n >> 8);
    b[w.len++] = n & 0xff;
  } else {
    b[w.len++] = 0xf0;
    b.writeUInt32LE(n, w.len);
    w.len += 4;
  }
  w.len += b.latin1Write(s, w.len, n);
  lpAppendBacklen(w, hdr + n);
}

/** lpEncodeBacklen(l): the most significant 7-bit group first, all but that one flagged 0x80. */
function lpAppendBacklen(w: LpBuf, l: number): void {
  const n = lpBacklenSize(l);
  w.ensure(n);
  const b = w.buf;
  if (n === 1) {
    b[w.len++] = l;
    return;
  }
  for (let k = n - 1; k >= 0; k--) {
    const g = Math.floor(l / 2 ** (7 * k)) & 127;
    b[w.len++] = k === n - 1 ? g : g | 128;
  }
}

/**
 * What lpReadAt read: `int` for an integer entry (a number, or a bigint
 * beyond ±2^53), else `str`. One shared object: read it before the next call.
 */
export const lpRead = { int: null as number | bigint | null, str: '' };

/** Reads the entry at p into lpRead; returns the next entry's offset. */
export function lpReadAt(b: Buffer, p: number): number {
  const c = b[p];
  let q: number;
  if (c < 0x80) {
    lpRead.int = c;
    q = p + 1;
  } else if (c < 0xc0) {
    const n = c & 0x3f;
    lpRead.int = null;
    lpRead.str = b.latin1Slice(p + 1, p + 1 + n);
    q = p + 1 + n;
  } else if (c < 0xe0) {
    let u = ((c & 0x1f) << 8) | b[p + 1];
    if (u >= 1 << 12) u -= 1 << 13;
    lpRead.int = u;
    q = p + 2;
  } else if (c < 0xf0) {
    const n = ((c & 0x0f) << 8) | b[p + 1];
    lpRead.int = null;
    lpRead.str = b.latin1Slice(p + 2, p + 2 + n);
    q = p + 2 + n;
  } else if (c === 0xf0) {
    const n = b.readUInt32LE(p + 1);
    lpRead.int = null;
    lpRead.str = b.latin1Slice(p + 5, p + 5 + n);
    q = p + 5 + n;
  } else if (c === 0xf1) {
    lpRead.int = b.readInt16LE(p + 1);
    q = p + 3;
  } else if (c === 0xf2) {
    lpRead.int = b.readIntLE(p + 1, 3);
    q = p + 4;
  } else if (c === 0xf3) {
    lpRead.int = b.readInt32LE(p + 1);
    q = p + 5;
  } else {
    const v = b.readBigInt64LE(p + 1);
    lpRead.int = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
    q = p + 9;
  }
  return q + lpBacklenSize(q - p);
}

/** The entry at p as a string (an integer as its decimal text); returns the next offset. */
export function lpGetString(b: Buffer, p: number): string {
  lpReadAt(b, p);
  return lpRead.int === null ? lpRead.str : String(lpRead.int);
}

/** The entry at p as an integer (lpGetInteger: the caller knows it is one). */
export function lpGetInteger(b: Buffer, p: number): number | bigint {
  lpReadAt(b, p);
  return lpRead.int as number | bigint;
}

/** Writes the entry at p to sink as a bulk (an integer as its decimal text); returns the next offset. */
export function lpWriteBulk(b: Buffer, p: number, sink: ElementSink): number {
  const c = b[p];
  if (c >= 0x80 && c < 0xc0) {
    const n = c & 0x3f;
    sink.bufBulk(b, p + 1, p + 1 + n);
    return p + 1 + n + lpBacklenSize(1 + n);
  }
  if (c >= 0xe0 && c < 0xf0) {
    const n = ((c & 0x0f) << 8) | b[p + 1];
    sink.bufBulk(b, p + 2, p + 2 + n);
    return p + 2 + n + lpBacklenSize(2 + n);
  }
  const next = lpReadAt(b, p);
  const s = lpRead.int === null ? lpRead.str : String(lpRead.int);
  sink.strBulk(s, 0, s.length);
  return next;
}

/** Skips the entry at p: the next entry's offset. */
export function lpSkip(b: Buffer, p: number): number {
  const c = b[p];
  let q: number;
  if (c < 0x80) q = p + 1;
  else if (c < 0xc0) q = p + 1 + (c & 0x3f);
  else if (c < 0xe0) q = p + 2;
  else if (c < 0xf0) q = p + 2 + (((c & 0x0f) << 8) | b[p + 1]);
  else if (c === 0xf0) q = p + 5 + b.readUInt32LE(p + 1);
  else if (c === 0xf1) q = p + 3;
  else if (c === 0xf2) q = p + 4;
  else if (c === 0xf3) q = p + 5;
  else q = p + 9;
  return q + lpBacklenSize(q - p);
}

/**
 * lpPrev: the offset of the entry that ends just before p, read through its
 * backlen. As in Redis, the entry is taken to span its decoded size plus the
 * bytes lpEncodeBacklen gives that size (not the bytes the decoding read):
 * a foreign listpack may carry a longer backlen that decodes to the same
 * size (lpValidateNext accepts it), and stepping over it must still land on
 * the entry's first byte.
 */
export function lpPrevAt(b: Buffer, p: number): number {
  let q = p - 1;
  let l = 0;
  let mul = 1;
  for (;;) {
    const c = b[q];
    l += (c & 127) * mul;
    if ((c & 128) === 0) break;
    mul *= 128;
    q--;
  }
  return p - l - lpBacklenSize(l);
}
