/**
 * The RDB value encoder (Redis 7.0, RDB version 10): rdbSaveLen,
 * rdbSaveRawString (integer-encoded and LZF-compressed strings), doubles,
 * listpack and intset blobs, and rdbSaveObjectType / rdbSaveObject for every
 * value type gKV holds. decode.ts is its mirror. The DUMP payload is one
 * object plus the RDB version and a CRC-64 (createDumpPayload).
 *
 * The RDB type follows the value's current encoding, as Redis's
 * rdbSaveObjectType does:
 *   string                      RDB_TYPE_STRING
 *   list (quicklist)            RDB_TYPE_LIST_QUICKLIST_2 (nodes of listpacks)
 *   hash listpack / hashtable   RDB_TYPE_HASH_LISTPACK / RDB_TYPE_HASH
 *   set intset / hashtable      RDB_TYPE_SET_INTSET / RDB_TYPE_SET
 *   zset listpack / skiplist    RDB_TYPE_ZSET_LISTPACK / RDB_TYPE_ZSET_2
 *   stream                      RDB_TYPE_STREAM_LISTPACKS_2 (nodes of listpacks, groups)
 *
 * Byte-identical output: listpack and intset blobs are written in Redis's exact
 * layout (lpAppend's entry encodings and backlen; intset's element width), and
 * strings go through the same integer / LZF choices, so a string, a listpack
 * hash or zset, an intset, or a stream (whose nodes are cut where Redis cuts
 * them, see datatypes/stream.ts) dumps exactly as Redis dumps it. Where the
 * payload reflects history gKV does not keep, it cannot be identical:
 * - hashtable-encoded hashes and sets, and skiplist zsets with equal scores,
 *   list their elements in gKV's table order, not Redis's dict order;
 * - a list's node boundaries are those Redis would have after pushing the
 *   elements to the tail one by one (quicklistPushTail's fill rule); a Redis
 *   list grown at the head or edited in the middle has other boundaries;
 * - an intset has the width Redis's would: what its values need, or more
 *   when it was widened before (widths grow one way, as in Redis).
 * An element of at least packed_threshold bytes (1 GB unless DEBUG
 * QUICKLIST-PACKED-THRESHOLD lowered it) is written as a PLAIN node, as
 * quicklistPushTail would have stored it.
 *
 * Large values are encoded in one go (no yielding). Measured on the shared
 * 2-core box under load, 1M elements: list ~0.2-0.4 s to encode and ~0.3-0.4 s
 * to decode, hash (hashtable) ~0.5-0.8 s / ~1.2 s, set ~0.1 s / ~0.4 s, zset
 * (skiplist) ~0.15 s / ~0.7 s; a 100 MB string ~0.4 s / ~0.3 s (LZF
 * included). A DUMP or RESTORE of such a key pauses the event loop that long,
 * and the snapshot writer has to budget for it.
 */
import type { Value } from '../../keyspace/value.js';
import { QuickList, quicklistPackedThreshold } from '../../datatypes/quicklist.js';
import { SetValue } from '../../datatypes/set.js';
import { intsetToBlob } from '../../datatypes/intset.js';
import { formatDouble, parseInt64 } from '../../util/numbers.js';
import { LpBuf, lpAppend, lpAppendInteger, lpEntrySize } from '../../datatypes/listpack.js';
import { Crc64 } from './crc64.js';
import { lzfCompress } from './lzf.js';
import { assertNever } from '../../util/assert.js';
import type { Rax } from '../../datatypes/rax.js';
import { type Stream, type StreamNACK, idMs, idSeq, streamIDToRaw } from '../../datatypes/stream.js';

// ---------------------------------------------------------------- format constants (rdb.h)

export const RDB_VERSION = 10;

export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_MODULE = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
export const RDB_TYPE_LIST_QUICKLIST = 14;
export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
export const RDB_TYPE_SET_LISTPACK = 20;
export const RDB_TYPE_STREAM_LISTPACKS_3 = 21;

/** quicklist node containers (RDB_TYPE_LIST_QUICKLIST_2) */
export const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
export const QUICKLIST_NODE_CONTAINER_PACKED = 2;

// length prefixes (the top two bits of the first byte)
export const RDB_6BITLEN = 0;
export const RDB_14BITLEN = 1;
export const RDB_32BITLEN = 0x80;
export const RDB_64BITLEN = 0x81;
export const RDB_ENCVAL = 3;
// special string encodings (RDB_ENCVAL)
export const RDB_ENC_INT8 = 0;
export const RDB_ENC_INT16 = 1;
export const RDB_ENC_INT32 = 2;
export const RDB_ENC_LZF = 3;

/** What the encoder needs from the server's configuration. */
export interface SaveOptions {
  /** rdbcompression: LZF-compress strings longer than 20 bytes */
  compress: boolean;
}

// ---------------------------------------------------------------- the byte writer

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

/** A growable byte buffer (datatypes/listpack.ts's LpBuf) with Redis's rdbSave* primitives. */
export class RdbWriter extends LpBuf {
  constructor(cap = 256) {
    super(cap);
  }

  u8(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** The bytes of a latin1 string. */
  latin1(s: string): void {
    this.ensure(s.length);
    this.len += this.buf.write(s, this.len, s.length, 'latin1');
  }

  /** rdbSaveType */
  saveType(t: number): void {
    this.u8(t);
  }

  /** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit big-endian length. */
  saveLen(n: number): void {
    if (n < 1 << 6) this.u8(n);
    else if (n < 1 << 14) {
      this.ensure(2);
      this.buf[this.len++] = (n >> 8) | (RDB_14BITLEN << 6);
      this.buf[this.len++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      this.ensure(5);
      this.buf[this.len++] = RDB_32BITLEN;
      this.buf.writeUInt32BE(n, this.len);
      this.len += 4;
    } else {
      this.ensure(9);
      this.buf[this.len++] = RDB_64BITLEN;
      this.buf.writeBigUInt64BE(BigInt(n), this.len);
      this.len += 8;
    }
  }

  /** rdbEncodeInteger + write: true when v fits an RDB integer encoding (int32). */
  saveEncodedInteger(v: number): boolean {
    if (v >= -128 && v <= 127) {
      this.ensure(2);
      this.buf[this.len++] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
      this.buf[this.len++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      this.ensure(3);
      this.buf[this.len++] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
      this.buf.writeInt16LE(v, this.len);
      this.len += 2;
    } else if (v >= -2147483648 && v <= 2147483647) {
      this.ensure(5);
      this.buf[this.len++] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
      this.buf.writeInt32LE(v, this.len);
      this.len += 4;
    } else return false;
    return true;
  }

  /**
   * rdbSaveRawString for a latin1 string: integer-encoded when it is the
   * canonical form of an int32 (rdbTryIntegerEncoding, strings up to 11
   * bytes), LZF-compressed when compress is on, it is longer than 20 bytes and
   * compression saves at least 4 bytes, else length + bytes.
   */
  saveString(s: string, o: SaveOptions): void {
    const len = s.length;
    if (len <= 11 && len > 0) {
      const v = parseInt64(s);
      if (typeof v === 'number' && this.saveEncodedInteger(v)) return;
    }
    if (o.compress && len > 20 && this.saveLzf(Buffer.from(s, 'latin1'))) return;
    this.saveLen(len);
    this.latin1(s);
  }

  /** rdbSaveRawString for a binary blob (listpack, intset, ziplist). */
  saveBlob(b: Uint8Array, o: SaveOptions): void {
    const len = b.length;
    if (len <= 11 && len > 0) {
      const v = parseInt64(Buffer.from(b.buffer, b.byteOffset, len).toString('latin1'));
      if (typeof v === 'number' && this.saveEncodedInteger(v)) return;
    }
    if (o.compress && len > 20 && this.saveLzf(b)) return;
    this.saveLen(len);
    this.bytes(b);
  }

  /** rdbSaveLzfStringObject: false (nothing written) when LZF does not save 4 bytes. */
  private saveLzf(b: Uint8Array): boolean {
    if (b.length <= 4) return false;
    const c = lzfCompress(b, b.length - 4);
    if (c === null) return false;
    this.u8((RDB_ENCVAL << 6) | RDB_ENC_LZF);
    this.saveLen(c.length);
    this.saveLen(b.length);
    this.bytes(c);
    return true;
  }

  /** rdbSaveBinaryDoubleValue: the IEEE double, little endian. */
  saveBinaryDouble(d: number): void {
    f64[0] = d;
    this.bytes(f64b);
  }

  /** rdbSaveLen of a u64 (a stream ID's half, a counter); a negative number is saved as its two's complement, as C's cast to uint64_t does (entries-read -1). */
  saveLenU64(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n <= 0xffffffff) {
      this.saveLen(n);
      return;
    }
    this.ensure(9);
    this.buf[this.len++] = RDB_64BITLEN;
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, BigInt(n)), this.len);
    this.len += 8;
  }

  /** rdbSaveMillisecondTime: int64 little endian. */
  saveMillisecondTime(ms: number): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt(Math.trunc(ms)), this.len);
    this.len += 8;
  }

  /** The bytes written so far (a view of the buffer). */
}

// ---------------------------------------------------------------- listpack blobs (listpack.c)

export const LP_HDR_SIZE = 6;
const LP_HDR_NUMELE_UNKNOWN = 65535;
const LP_EOF = 0xff;

/**
 * A listpack under construction, entry by entry, as lpAppend builds it (the
 * entries' encodings are datatypes/listpack.ts's): the header and end byte
 * around them.
 */
export class ListpackBuilder {
  private w = new LpBuf(64);
  count = 0;

  constructor() {
    this.w.len = LP_HDR_SIZE;
  }

  /** lpBytes of the listpack as it would be now (header, entries, end byte). */
  get bytes(): number {
    return this.w.len + 1;
  }

  /** The bytes lpAppend(s) adds (entry and backlen). */
  static entrySize(s: string): number {
    return lpEntrySize(s);
  }

  /** lpAppend(s). */
  append(s: string): void {
    lpAppend(this.w, s);
    this.count++;
  }

  /** lpAppendInteger(v). */
  appendInteger(v: number | bigint): void {
    lpAppendInteger(this.w, v);
    this.count++;
  }

  /** n entries already encoded (a stream node's entries), appended as they are. */
  appendEncoded(b: Buffer, n: number): void {
    this.w.ensure(b.length);
    b.copy(this.w.buf, this.w.len);
    this.w.len += b.length;
    this.count += n;
  }

  /** The finished listpack: header (total bytes, element count) and end byte. */
  finish(): Buffer {
    const w = this.w;
    w.ensure(1);
    w.buf[w.len++] = LP_EOF;
    const b = w.buf;
    b.writeUInt32LE(w.len, 0);
    b.writeUInt16LE(this.count < LP_HDR_NUMELE_UNKNOWN ? this.count : LP_HDR_NUMELE_UNKNOWN, 4);
    return w.result();
  }
}

// ---------------------------------------------------------------- intset blobs (intset.c)

/**
 * The intset blob: encoding (2, 4 or 8 bytes per element) and length as
 * uint32 little endian, then the values ascending, little endian.
 */
export function intsetBlob(values: ArrayLike<number | bigint>, width: 2 | 4 | 8): Buffer {
  const n = values.length;
  const b = Buffer.allocUnsafe(8 + n * width);
  b.writeUInt32LE(width, 0);
  b.writeUInt32LE(n, 4);
  let p = 8;
  for (let i = 0; i < n; i++, p += width) {
    const v = values[i];
    if (width === 2) b.writeInt16LE(Number(v), p);
    else if (width === 4) b.writeInt32LE(Number(v), p);
    else b.writeBigInt64LE(BigInt(v), p);
  }
  return b;
}

// ---------------------------------------------------------------- quicklist node boundaries

/** Redis's SIZE_SAFETY_LIMIT and optimization_level[] (quicklist.c). */
const SIZE_SAFETY_LIMIT = 8192;
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];

/**
 * Redis 7.0's _quicklistNodeAllowInsert: may an element of sz bytes join a
 * node of nodeBytes bytes (lpBytes) holding count elements under `fill`?
 * The new size is estimated as nodeBytes + sz + 8 (SIZE_ESTIMATE_OVERHEAD);
 * a negative fill bounds that size by optimization_level, a positive one
 * bounds the count, with the 8 KB safety limit on the size.
 */
function quicklistNodeAllowInsert(nodeBytes: number, count: number, fill: number, sz: number): boolean {
  const newSz = nodeBytes + sz + 8;
  if (fill < 0) return newSz <= OPTIMIZATION_LEVEL[Math.min(-fill, OPTIMIZATION_LEVEL.length) - 1];
  if (newSz > SIZE_SAFETY_LIMIT) return false;
  return count + 1 <= (fill === 0 ? 1 : fill);
}

/** quicklistSetFill's clamp. */
function clampFill(fill: number): number {
  return fill > 32767 ? 32767 : fill < -5 ? -5 : fill;
}

// ---------------------------------------------------------------- objects

/** rdbSaveObjectType: the RDB type byte for v's type and current encoding. */
export function rdbObjectType(v: Value): number {
  if (typeof v === 'string') return RDB_TYPE_STRING;
  switch (v.type) {
    case 'string':
      return RDB_TYPE_STRING;
    case 'list':
      return RDB_TYPE_LIST_QUICKLIST_2;
    case 'hash':
      return v.isListpack ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    case 'set':
      return v.encoding() === 'intset' ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
    case 'zset':
      return v.isListpack ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
    case 'stream':
      return RDB_TYPE_STREAM_LISTPACKS_2;
    default:
      return assertNever(v);
  }
}

/**
 * The score as Redis 7.0's zzlInsertAt stores it in a listpack: an integral
 * score within ±2^62 (double2ll) as that exact integer (so -0 is 0 and
 * 1.2345678901234568e17 is 123456789012345680), anything else as d2string's
 * %.17g text ("1.5", "1e+20", "inf", "-inf"); lpAppend then stores integer
 * text as an integer entry.
 */
export function zsetListpackScore(score: number): string {
  if (Number.isInteger(score) && score >= -(2 ** 62) && score <= 2 ** 62) {
    return Number.isSafeInteger(score) ? String(score === 0 ? 0 : score) : BigInt(score).toString();
  }
  return formatDouble(score);
}

/** rdbSaveObject: v's payload after its type byte. */
export function rdbSaveObject(w: RdbWriter, v: Value, o: SaveOptions): void {
  if (typeof v === 'string') {
    w.saveString(v, o);
    return;
  }
  switch (v.type) {
    case 'string':
      // a string kept as bytes is saved from them (it may be longer than a JS string)
      if (v.inBuffer) w.saveBlob(v.bytes(), o);
      else w.saveString(v.s, o);
      return;
    case 'list':
      saveQuicklist(w, v, o);
      return;
    case 'hash':
      if (v.isListpack) {
        savePairsListpack(w, o, (emit) => v.forEach(emit));
      } else {
        w.saveLen(v.size);
        v.forEach((f, val) => {
          w.saveString(f, o);
          w.saveString(val, o);
        });
      }
      return;
    case 'set':
      saveSet(w, v, o);
      return;
    case 'zset':
      if (v.isListpack) {
        savePairsListpack(w, o, (emit) => v.forEach((m, score) => emit(m, zsetListpackScore(score))));
      } else {
        // greatest to smallest, as Redis writes them (the loader then inserts at the head)
        const n = v.length;
        w.saveLen(n);
        if (n > 0)
          v.rangeByRank(0, n - 1, true, (m, score) => {
            w.saveString(m, o);
            w.saveBinaryDouble(score);
          });
      }
      return;
    case 'stream':
      saveStream(w, v, o);
      return;
    default:
      assertNever(v);
  }
}

/** The two halves of a stream ID, each with rdbSaveLen. */
function saveStreamID(w: RdbWriter, id: string): void {
  w.saveLenU64(idMs(id));
  w.saveLenU64(idSeq(id));
}

/** rdbSaveStreamPEL: the count, then per entry its raw 16-byte ID and, with nacks, delivery time and count. */
function saveStreamPEL(w: RdbWriter, pel: Rax<StreamNACK>, nacks: boolean): void {
  w.saveLen(pel.size);
  pel.forEach((id, nack) => {
    w.ensure(16);
    streamIDToRaw(id, w.buf, w.len);
    w.len += 16;
    if (nacks) {
      w.saveMillisecondTime(nack.deliveryTime);
      w.saveLenU64(nack.deliveryCount);
    }
  });
}

/**
 * A stream as RDB_TYPE_STREAM_LISTPACKS_2 (rdbSaveObject's OBJ_STREAM): the
 * node count, each node as its master ID (16 raw bytes) and its whole
 * listpack, both rdbSaveRawString (so a listpack longer than 20 bytes is
 * LZF-compressed under rdbcompression); length, last ID, first ID,
 * max-deleted-entry-id, entries-added; then the groups, in name order: name,
 * last ID, entries-read, the PEL with its NACKs, and the consumers (name,
 * seen time, their PEL as IDs only: the loader points them at the group's
 * NACKs).
 */
function saveStream(w: RdbWriter, s: Stream, o: SaveOptions): void {
  w.saveLen(s.nodes.size);
  const raw = Buffer.allocUnsafe(16);
  for (const node of s.nodes.values()) {
    w.saveBlob(streamIDToRaw(node.masterId, raw), o);
    w.saveBlob(node.toListpack(), o);
  }
  w.saveLen(s.length);
  saveStreamID(w, s.lastId);
  saveStreamID(w, s.firstId);
  saveStreamID(w, s.maxDeletedEntryId);
  w.saveLen(s.entriesAdded);
  const groups = s.cgroups;
  w.saveLen(groups === null ? 0 : groups.size);
  if (groups === null) return;
  groups.forEach((name, cg) => {
    w.saveString(name, o);
    saveStreamID(w, cg.lastId);
    w.saveLenU64(cg.entriesRead);
    saveStreamPEL(w, cg.pel, true);
    w.saveLen(cg.consumers.size);
    cg.consumers.forEach((cname, consumer) => {
      w.saveString(cname, o);
      w.saveMillisecondTime(consumer.seenTime);
      saveStreamPEL(w, consumer.pel, false);
    });
  });
}

/** A listpack of the pairs `each` emits (field value…, member score…), saved as a blob. */
function savePairsListpack(w: RdbWriter, o: SaveOptions, each: (emit: (a: string, b: string) => void) => void): void {
  const lp = new ListpackBuilder();
  each((a, b) => {
    lp.append(a);
    lp.append(b);
  });
  w.saveBlob(lp.finish(), o);
}

/**
 * A list as RDB_TYPE_LIST_QUICKLIST_2: the node count, then per node its
 * container and its listpack. Nodes are cut where quicklistPushTail would cut
 * them for these elements under the list's fill.
 */
function saveQuicklist(w: RdbWriter, q: QuickList, o: SaveOptions): void {
  const fill = clampFill(q.fill);
  const threshold = quicklistPackedThreshold();
  /** a listpack, or a plain node's element */
  const nodes: (Buffer | string)[] = [];
  let cur: ListpackBuilder | null = null;
  q.walk(true, (e) => {
    if (e.length >= threshold) {
      if (cur !== null) nodes.push(cur.finish());
      cur = null;
      nodes.push(e);
      return true;
    }
    if (cur === null || !quicklistNodeAllowInsert(cur.bytes, cur.count, fill, e.length)) {
      if (cur !== null) nodes.push(cur.finish());
      cur = new ListpackBuilder();
    }
    cur.append(e);
    return true;
  });
  if (cur !== null) nodes.push((cur as ListpackBuilder).finish());
  w.saveLen(nodes.length);
  for (const node of nodes) {
    if (typeof node === 'string') {
      w.saveLen(QUICKLIST_NODE_CONTAINER_PLAIN);
      w.saveString(node, o);
    } else {
      w.saveLen(QUICKLIST_NODE_CONTAINER_PACKED);
      w.saveBlob(node, o);
    }
  }
}

function saveSet(w: RdbWriter, v: SetValue, o: SaveOptions): void {
  const is = v.intset;
  if (is !== null) {
    // the intset's string is Redis's intset contents: its blob is the header and those bytes
    w.saveBlob(intsetToBlob(is), o);
    return;
  }
  w.saveLen(v.size);
  v.forEach((m) => {
    w.saveString(m, o);
  });
}

// ---------------------------------------------------------------- DUMP

/**
 * createDumpPayload: type byte, rdbSaveObject, the RDB version (2 bytes LE),
 * then the CRC-64 of all of that (8 bytes LE).
 */
export function createDumpPayload(v: Value, o: SaveOptions): Buffer {
  const w = new RdbWriter(64);
  w.saveType(rdbObjectType(v));
  rdbSaveObject(w, v, o);
  return dumpPayloadEnd(w);
}

/** A DUMP payload's footer (also FUNCTION DUMP's): the RDB version (2 bytes LE), then the CRC-64 of all before it (8 bytes LE). */
export function dumpPayloadEnd(w: RdbWriter): Buffer {
  w.ensure(10);
  w.buf[w.len++] = RDB_VERSION & 0xff;
  w.buf[w.len++] = (RDB_VERSION >> 8) & 0xff;
  const crc = new Crc64().update(w.buf, 0, w.len);
  crc.writeLE(w.buf, w.len);
  w.len += 8;
  return w.result();
}
