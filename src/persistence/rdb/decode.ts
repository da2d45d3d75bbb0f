/**
 * The RDB value decoder, the mirror of encode.ts: rdbLoadLen, string
 * encodings (integer, LZF), doubles (binary, and the old length-prefixed
 * text form), listpack / ziplist / zipmap / intset blobs, and rdbLoadObject
 * for every value type Redis 7.0 can load — the current ones (RDB 10) and
 * the older forms still found in RDB versions 6 to 9 (plain and ziplist
 * lists, ziplist-quicklists, ziplist hashes and zsets, zipmaps, zsets with
 * text scores) — plus RDB 11's set listpack, read as Redis 7.0 would read the
 * same members from a plain set.
 *
 * The result has the encoding Redis 7.0 gives a value it loads (rdb.c's
 * rdbLoadObject), judged against the server's current thresholds:
 * - strings: plain gKV strings (their OBJECT ENCODING follows from the
 *   content: int / embstr / raw, as tryObjectEncoding leaves them);
 * - lists: a quicklist built by pushes under list-max-listpack-size;
 * - hash listpack / ziplist: kept as a listpack unless it has more than
 *   hash-max-listpack-entries fields (the value length is not rechecked);
 *   a zipmap is also converted when a field or value is longer than
 *   hash-max-listpack-value; a plain hash becomes a listpack unless it has
 *   too many fields or a too long field or value;
 * - sets: an intset stays an intset (with its element width) unless it has
 *   more than set-max-intset-entries members; a plain set becomes an intset
 *   when it is small enough and every member is an integer;
 * - zsets: listpack / ziplist kept unless more than zset-max-listpack-entries;
 *   a skiplist payload becomes a listpack when small enough in entries and
 *   member length (zsetConvert after load).
 * Loading fails (RdbError) on corrupt or inconsistent data: bad lengths,
 * listpacks whose header, entries or end byte disagree, unsorted intsets,
 * duplicate members or fields, NaN scores, empty collections (Redis refuses
 * empty keys), and on types gKV does not hold: streams and module values.
 */
import { BYTES_MIN, RawString, type Value } from '../../keyspace/value.js';
import { QuickList } from '../../datatypes/quicklist.js';
import { HashValue } from '../../datatypes/hash.js';
import { SetValue } from '../../datatypes/set.js';
import { ZSet, addResult, ZADD_OUT_ADDED } from '../../datatypes/zset.js';
import { parseDouble, parseInt64 } from '../../util/numbers.js';
import { Crc64 } from './crc64.js';
import { lzfDecompress } from './lzf.js';
import {
  RDB_VERSION,
  RDB_TYPE_STRING, RDB_TYPE_LIST, RDB_TYPE_SET, RDB_TYPE_ZSET, RDB_TYPE_HASH, RDB_TYPE_ZSET_2,
  RDB_TYPE_MODULE, RDB_TYPE_MODULE_2, RDB_TYPE_HASH_ZIPMAP, RDB_TYPE_LIST_ZIPLIST, RDB_TYPE_SET_INTSET,
  RDB_TYPE_ZSET_ZIPLIST, RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_STREAM_LISTPACKS,
  RDB_TYPE_HASH_LISTPACK, RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_SET_LISTPACK, RDB_TYPE_STREAM_LISTPACKS_3,
  QUICKLIST_NODE_CONTAINER_PLAIN, QUICKLIST_NODE_CONTAINER_PACKED,
  RDB_ENC_INT8, RDB_ENC_INT16, RDB_ENC_INT32, RDB_ENC_LZF,
} from './encode.js';

/**
 * Corrupt, inconsistent or unsupported RDB data. The message is Redis's
 * rdbReportCorruptRDB reason where Redis has one ("Ziplist integrity check
 * failed.", "Duplicate set members detected"…); `detail` says what exactly
 * was wrong, when known.
 */
export class RdbError extends Error {
  constructor(message: string, readonly detail = '') {
    super(message);
  }
}

/** Well-formed data of a type gKV does not hold (streams, module values). */
export class RdbUnsupportedError extends RdbError {}

/** A collection with no elements: Redis refuses it in RESTORE and skips it when loading a file. */
export class RdbEmptyKeyError extends RdbError {}

/** Runs a blob's validation; a failure becomes Redis's reason for that encoding, the particulars kept as detail. */
function integrity<T>(reason: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RdbError && !(e instanceof RdbEmptyKeyError)) throw new RdbError(reason, e.detail !== '' ? e.detail : e.message);
    throw e;
  }
}

const emptyKey = (): RdbEmptyKeyError => new RdbEmptyKeyError('empty key');

/** The encoding thresholds loading follows (the server's EncodingLimits has these fields). */
export interface LoadLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  listMaxListpackSize: number;
  setMaxIntsetEntries: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

// ---------------------------------------------------------------- the byte reader

/** A cursor over RDB bytes with Redis's rdbLoad* primitives; every read checks the bounds. */
export class RdbReader {
  pos: number;
  readonly end: number;
  private readonly buf: Buffer;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  private need(n: number): number {
    const p = this.pos;
    if (n > this.end - p) throw new RdbError('RDB: unexpected end of data');
    this.pos = p + n;
    return p;
  }

  u8(): number {
    return this.buf[this.need(1)];
  }

  /** n raw bytes (a view, not a copy). */
  bytes(n: number): Buffer {
    const p = this.need(n);
    return this.buf.subarray(p, p + n);
  }

  /** rdbLoadType */
  loadType(): number {
    return this.u8();
  }

  /** Set by loadLenEnc: the length byte announced a special string encoding. */
  encoded = false;

  /** rdbLoadLenByRef: a length, or (encoded = true) a RDB_ENC_* string encoding. */
  loadLenEnc(): number {
    const b = this.u8();
    const t = b >> 6;
    this.encoded = false;
    if (t === 3) {
      this.encoded = true;
      return b & 0x3f;
    }
    if (t === 0) return b & 0x3f;
    if (t === 1) return ((b & 0x3f) << 8) | this.u8();
    if (b === 0x80) return this.buf.readUInt32BE(this.need(4));
    if (b === 0x81) {
      const v = this.buf.readBigUInt64BE(this.need(8));
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError('RDB: length out of range');
      return Number(v);
    }
    throw new RdbError(`RDB: unknown length encoding ${b}`);
  }

  /**
   * A count of elements read from the data, each taking at least `minBytes`:
   * refused (as the short read it would end in) when the data left cannot
   * hold them, so no array is sized from a corrupt count.
   */
  count(n: number, minBytes: number): number {
    if (n * minBytes > this.end - this.pos) throw new RdbError('Short read or OOM loading DB. Unrecoverable error, aborting now.', `${n} elements announced`);
    return n;
  }

  /** rdbLoadLen: a plain length (an encoded-string marker is an error here). */
  loadLen(): number {
    const n = this.loadLenEnc();
    if (this.encoded) throw new RdbError('RDB: unexpected string encoding where a length was expected');
    return n;
  }

  /** rdbGenericLoadStringObject as bytes: integer-encoded, LZF or plain. */
  loadStringBytes(): Buffer {
    const n = this.loadLenEnc();
    if (!this.encoded) return this.bytes(n);
    switch (n) {
      case RDB_ENC_INT8:
      case RDB_ENC_INT16:
      case RDB_ENC_INT32:
        return Buffer.from(String(this.loadIntegerBody(n)), 'latin1');
      case RDB_ENC_LZF: {
        const clen = this.loadLen();
        const len = this.loadLen();
        const c = this.bytes(clen);
        if (len === 0) throw new RdbError('RDB: LZF string of length 0');
        // LZF expands at most 88 times (a 3-byte back reference copies 264 bytes): a longer claim is corrupt
        if (len > clen * 88 + 32) throw new RdbError('Invalid LZF compressed string', `${len} bytes claimed from ${clen}`);
        try {
          const d = lzfDecompress(c, len);
          return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
        } catch (e) {
          throw new RdbError(`RDB: invalid LZF data (${(e as Error).message})`);
        }
      }
      default:
        throw new RdbError(`RDB: unknown string encoding ${n}`);
    }
  }

  /** rdbGenericLoadStringObject as a latin1 string. */
  loadString(): string {
    const n = this.loadLenEnc();
    if (!this.encoded) return this.buf.toString('latin1', this.need(n), this.pos);
    if (n === RDB_ENC_INT8 || n === RDB_ENC_INT16 || n === RDB_ENC_INT32) return String(this.loadIntegerBody(n));
    this.pos--; // re-read the marker in loadStringBytes
    return this.loadStringBytes().toString('latin1');
  }

  /**
   * A string value (RDB_TYPE_STRING): a latin1 string, or past BYTES_MIN a
   * raw string holding its own copy of the bytes (keyspace/value.ts), which
   * may be longer than a JS string can be.
   */
  loadStringValue(): Value {
    const at = this.pos;
    const n = this.loadLenEnc();
    if (!this.encoded && n <= BYTES_MIN) return this.buf.toString('latin1', this.need(n), this.pos);
    this.pos = at;
    const b = this.loadStringBytes();
    if (b.length <= BYTES_MIN) return b.toString('latin1');
    return RawString.fromBuffer(Buffer.from(b), b.length);
  }

  private loadIntegerBody(enc: number): number {
    if (enc === RDB_ENC_INT8) return this.buf.readInt8(this.need(1));
    if (enc === RDB_ENC_INT16) return this.buf.readInt16LE(this.need(2));
    return this.buf.readInt32LE(this.need(4));
  }

  /** rdbLoadBinaryDoubleValue */
  loadBinaryDouble(): number {
    return this.buf.readDoubleLE(this.need(8));
  }

  /** rdbLoadDoubleValue (RDB_TYPE_ZSET): 253 nan, 254 +inf, 255 -inf, else that many bytes of text. */
  loadDouble(): number {
    const n = this.u8();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    return strtod(this.buf.toString('latin1', this.need(n), this.pos));
  }

  /** rdbLoadMillisecondTime: int64 little endian. */
  loadMillisecondTime(): number {
    return Number(this.buf.readBigInt64LE(this.need(8)));
  }

  /** rdbLoadTime: int32 seconds little endian (RDB_OPCODE_EXPIRETIME). */
  loadTime(): number {
    return this.buf.readInt32LE(this.need(4));
  }
}

/**
 * C's strtod as Redis uses it on stored scores (no error reporting): the
 * longest valid prefix, 0 when there is none.
 */
function strtod(s: string): number {
  const v = parseDouble(s);
  if (v !== null) return v;
  const t = s.trimStart();
  const low = t.toLowerCase();
  if (low.startsWith('nan')) return NaN;
  if (/^[+-]?inf/.test(low)) return low[0] === '-' ? -Infinity : Infinity;
  const p = Number.parseFloat(t);
  return Number.isNaN(p) ? 0 : p;
}

// ---------------------------------------------------------------- listpack, ziplist, zipmap, intset

/** The checks listpacks and ziplists share: a minimum size, total bytes in the header, the end byte. */
function checkBlobFrame(b: Buffer, min: number, what: string): void {
  if (b.length < min) throw new RdbError(`${what}: too short`);
  if (b.readUInt32LE(0) !== b.length) throw new RdbError(`${what}: header size mismatch`);
  if (b[b.length - 1] !== 0xff) throw new RdbError(`${what}: missing end byte`);
}

/** The entries of a listpack blob, validated (header, entry encodings, backlens, end byte). */
export function listpackEntries(lp: Buffer): string[] {
  const size = lp.length;
  checkBlobFrame(lp, 7, 'listpack');
  const declared = lp.readUInt16LE(4);
  const out: string[] = [];
  let p = 6;
  const end = size - 1;
  while (p < end) {
    const start = p;
    const b = lp[p];
    let v: string;
    if (b < 0x80) {
      v = String(b);
      p += 1;
    } else if (b < 0xc0) {
      const n = b & 0x3f;
      if (p + 1 + n > end) throw new RdbError('listpack: entry overflows');
      v = lp.toString('latin1', p + 1, p + 1 + n);
      p += 1 + n;
    } else if (b < 0xe0) {
      if (p + 2 > end) throw new RdbError('listpack: entry overflows');
      let u = ((b & 0x1f) << 8) | lp[p + 1];
      if (u >= 1 << 12) u -= 1 << 13;
      v = String(u);
      p += 2;
    } else if (b < 0xf0) {
      if (p + 2 > end) throw new RdbError('listpack: entry overflows');
      const n = ((b & 0x0f) << 8) | lp[p + 1];
      if (p + 2 + n > end) throw new RdbError('listpack: entry overflows');
      v = lp.toString('latin1', p + 2, p + 2 + n);
      p += 2 + n;
    } else {
      const w = b === 0xf0 ? 4 : b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : b === 0xf4 ? 8 : -1;
      if (w === -1) throw new RdbError(`listpack: invalid entry encoding ${b}`);
      if (p + 1 + w > end) throw new RdbError('listpack: entry overflows');
      if (b === 0xf0) {
        const n = lp.readUInt32LE(p + 1);
        if (n > end - p - 5) throw new RdbError('listpack: entry overflows');
        v = lp.toString('latin1', p + 5, p + 5 + n);
        p += 5 + n;
      } else {
        if (b === 0xf1) v = String(lp.readInt16LE(p + 1));
        else if (b === 0xf2) v = String(lp.readIntLE(p + 1, 3));
        else if (b === 0xf3) v = String(lp.readInt32LE(p + 1));
        else v = lp.readBigInt64LE(p + 1).toString();
        p += 1 + w;
      }
    }
    // backlen: the entry's length, most significant group first
    const l = p - start;
    const bl = l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
    if (p + bl > end) throw new RdbError('listpack: backlen overflows');
    let got = 0;
    for (let k = 0; k < bl; k++) got = got * 128 + (lp[p + k] & 127);
    if (got !== l) throw new RdbError('listpack: backlen mismatch');
    p += bl;
    out.push(v);
  }
  if (declared !== 65535 && declared !== out.length) throw new RdbError('listpack: element count mismatch');
  return out;
}

/** The entries of a ziplist blob (RDB versions before 10), validated. */
export function ziplistEntries(zl: Buffer): string[] {
  const size = zl.length;
  checkBlobFrame(zl, 11, 'ziplist');
  const declared = zl.readUInt16LE(8);
  const tail = zl.readUInt32LE(4);
  const out: string[] = [];
  let p = 10;
  const end = size - 1;
  let prevLen = 0;
  let lastStart = 10;
  while (p < end) {
    const start = p;
    lastStart = start;
    // prevlen
    let pl = zl[p++];
    if (pl === 254) {
      if (p + 4 > end) throw new RdbError('ziplist: entry overflows');
      pl = zl.readUInt32LE(p);
      p += 4;
    } else if (pl === 255) throw new RdbError('ziplist: invalid prevlen');
    if (pl !== prevLen) throw new RdbError('ziplist: prevlen mismatch');
    if (p >= end) throw new RdbError('ziplist: entry overflows');
    const e = zl[p];
    let v: string;
    const top = e >> 6;
    if (top < 3) {
      let n: number;
      if (top === 0) {
        n = e & 0x3f;
        p += 1;
      } else if (top === 1) {
        if (p + 2 > end) throw new RdbError('ziplist: entry overflows');
        n = ((e & 0x3f) << 8) | zl[p + 1];
        p += 2;
      } else {
        if (e !== 0x80 || p + 5 > end) throw new RdbError('ziplist: invalid string encoding');
        n = zl.readUInt32BE(p + 1);
        p += 5;
      }
      if (n > end - p) throw new RdbError('ziplist: entry overflows');
      v = zl.toString('latin1', p, p + n);
      p += n;
    } else {
      p += 1;
      let w: number;
      if (e === 0xc0) w = 2;
      else if (e === 0xd0) w = 4;
      else if (e === 0xe0) w = 8;
      else if (e === 0xf0) w = 3;
      else if (e === 0xfe) w = 1;
      else if (e >= 0xf1 && e <= 0xfd) w = 0;
      else throw new RdbError(`ziplist: invalid entry encoding ${e}`);
      if (p + w > end) throw new RdbError('ziplist: entry overflows');
      if (w === 0) v = String((e & 0x0f) - 1);
      else if (w === 1) v = String(zl.readInt8(p));
      else if (w === 2) v = String(zl.readInt16LE(p));
      else if (w === 3) v = String(zl.readIntLE(p, 3));
      else if (w === 4) v = String(zl.readInt32LE(p));
      else v = zl.readBigInt64LE(p).toString();
      p += w;
    }
    prevLen = p - start;
    out.push(v);
  }
  if (declared !== 65535 && declared !== out.length) throw new RdbError('ziplist: element count mismatch');
  // zltail: where the last entry starts (the header's end when there is none)
  if (tail !== lastStart) throw new RdbError('ziplist: tail offset mismatch');
  return out;
}

/** A zipmap blob (RDB_TYPE_HASH_ZIPMAP) as flat [field, value, …], validated. */
export function zipmapEntries(zm: Buffer): string[] {
  const end = zm.length;
  const out: string[] = [];
  let p = 1;
  if (end < 2) throw new RdbError('zipmap: too short');
  const readLen = (): number => {
    if (p >= end) throw new RdbError('zipmap: entry overflows');
    const b = zm[p++];
    if (b < 254) return b;
    if (b === 254) {
      if (p + 4 > end) throw new RdbError('zipmap: entry overflows');
      const n = zm.readUInt32LE(p);
      p += 4;
      return n;
    }
    throw new RdbError('zipmap: unexpected end marker');
  };
  for (;;) {
    if (p >= end) throw new RdbError('zipmap: missing end byte');
    if (zm[p] === 0xff) {
      if (p !== end - 1) throw new RdbError('zipmap: data after the end byte');
      break;
    }
    const kl = readLen();
    if (kl > end - p) throw new RdbError('zipmap: entry overflows');
    const k = zm.toString('latin1', p, p + kl);
    p += kl;
    const vl = readLen();
    if (p >= end) throw new RdbError('zipmap: entry overflows');
    const free = zm[p++];
    if (vl + free > end - p) throw new RdbError('zipmap: entry overflows');
    out.push(k, zm.toString('latin1', p, p + vl));
    p += vl + free;
  }
  if (zm[0] < 254 && zm[0] !== out.length / 2) throw new RdbError('zipmap: element count mismatch');
  return out;
}

/** An intset blob: its element width and its values (strictly ascending, validated). */
export function intsetValues(b: Buffer): { width: number; values: (number | bigint)[] } {
  if (b.length < 8) throw new RdbError('intset: too short');
  const width = b.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) throw new RdbError('intset: invalid encoding');
  const n = b.readUInt32LE(4);
  if (b.length !== 8 + n * width) throw new RdbError('intset: size mismatch');
  const values: (number | bigint)[] = new Array(n);
  let prev: number | bigint | null = null;
  for (let i = 0, p = 8; i < n; i++, p += width) {
    let v: number | bigint;
    if (width === 2) v = b.readInt16LE(p);
    else if (width === 4) v = b.readInt32LE(p);
    else {
      const x = b.readBigInt64LE(p);
      v = x >= -9007199254740991n && x <= 9007199254740991n ? Number(x) : x;
    }
    if (prev !== null && !(prev < v)) throw new RdbError('intset: values not strictly ascending');
    values[i] = prev = v;
  }
  return { width, values };
}

// ---------------------------------------------------------------- objects

/**
 * rdbIsObjectType: Redis 7.0's types (0-7, 9-19) for data of RDB version 10
 * or older — a DUMP payload of version 10 naming type 20 is refused, as Redis
 * 7.0 refuses it — plus RDB 11's set listpack and stream v3 (20, 21) for
 * data of version 11.
 */
export function isObjectType(t: number, rdbVersion = 11): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= (rdbVersion >= 11 ? 21 : 19));
}

/** rdbLoadObjectType: the type byte, refused when it names no object type of that RDB version. */
export function rdbLoadObjectType(r: RdbReader, rdbVersion = 11): number {
  const t = r.loadType();
  if (!isObjectType(t, rdbVersion)) throw new RdbError(`RDB: unknown object type ${t}`);
  return t;
}

const NO_LIMIT = { hashMaxListpackEntries: Infinity, hashMaxListpackValue: Infinity };

/** A hash from flat [field, value, …], listpack in that order or hashtable; refuses duplicate fields. */
function hashFrom(flat: string[], listpack: boolean): HashValue {
  const h = HashValue.empty();
  if (listpack) {
    checkDistinctPairs(flat, 'hash fields');
    if (flat.length > 0) h.setPairs(flat, 0, NO_LIMIT);
    return h;
  }
  h.convert();
  for (let i = 0; i < flat.length; i += 2) if (!h.set(flat[i], flat[i + 1], NO_LIMIT)) throw new RdbError('Duplicate hash fields detected');
  return h;
}

function checkDistinctPairs(flat: string[], what: string): void {
  const seen = new Set<string>();
  for (let i = 0; i < flat.length; i += 2) {
    if (seen.has(flat[i])) throw new RdbError(`Duplicate ${what} detected`);
    seen.add(flat[i]);
  }
}

function maxLenOf(flat: string[]): number {
  let m = 0;
  for (const s of flat) if (s.length > m) m = s.length;
  return m;
}

/** A list from its elements, pushed to the tail under the current fill. */
function listFrom(q: QuickList | null, elems: string[], lim: LoadLimits): QuickList {
  const list = q ?? new QuickList(lim.listMaxListpackSize);
  for (const e of elems) list.pushTail(e);
  return list;
}

/**
 * A zset from (member, score) pairs in any order, in the encoding Redis 7.0
 * gives it: skiplist payloads become a listpack when within both limits
 * (zsetConvert after load); listpack and ziplist payloads (`listpackUnlessCount`)
 * stay a listpack unless they have more than zset-max-listpack-entries.
 */
function zsetFrom(members: string[], scores: number[], lim: LoadLimits, listpackUnlessCount: boolean): ZSet {
  const n = members.length;
  let maxlen = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new RdbError('Zset with NAN score detected');
    if (members[i].length > maxlen) maxlen = members[i].length;
  }
  const listpack = n <= lim.zsetMaxListpackEntries && (listpackUnlessCount || maxlen <= lim.zsetMaxListpackValue);
  if (!listpack) {
    // the skiplist orders them; its dict reports a repeated member
    const z = ZSet.create(true);
    for (let i = 0; i < n; i++) {
      z.add(scores[i], members[i], 0, NO_ZSET_LIMIT);
      if (addResult.flags !== ZADD_OUT_ADDED) throw new RdbError('Duplicate zset fields detected');
    }
    return z;
  }
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    if (seen.has(members[i])) throw new RdbError('Duplicate zset fields detected');
    seen.add(members[i]);
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((i, j) => scores[i] - scores[j] || (members[i] < members[j] ? -1 : members[i] > members[j] ? 1 : 0));
  return ZSet.fromSorted(idx.map((i) => members[i]), idx.map((i) => scores[i]), NO_ZSET_LIMIT);
}

const NO_ZSET_LIMIT = { zsetMaxListpackEntries: Infinity, zsetMaxListpackValue: Infinity };

/** Scores of a listpack or ziplist zset entry: an integer entry, or text read with strtod. */
function scoreOf(s: string): number {
  const i = parseInt64(s);
  return i !== null ? Number(i) : strtod(s);
}

/** Sets the intset's element width to at least `width` bytes, as the payload had it (Redis keeps the blob). */
function forceIntsetWidth(sv: SetValue, width: number): void {
  const is = sv.is!;
  if (is.elementBytes >= width) return;
  // a value of that width widens the array (IntSet.add widens before searching); take it out again
  const probe = width === 4 ? -2147483648 : -9007199254740991;
  if (is.add(probe)) is.remove(probe);
}

/** A set from its members as Redis loads RDB_TYPE_SET: an intset while small and all-integer. */
function setFrom(members: string[], lim: LoadLimits): SetValue {
  const sv = members.length > lim.setMaxIntsetEntries ? SetValue.hashtable() : SetValue.intset();
  for (const m of members) if (!sv.add(m, Infinity)) throw new RdbError('Duplicate set members detected');
  return sv;
}

/**
 * rdbLoadObject: the value of RDB type `type` read from r, in the encoding
 * Redis 7.0 would give it under `lim`. Throws RdbError with Redis's reason,
 * RdbEmptyKeyError for an empty collection. `deep` is Redis's deep sanitization
 * (sanitize-dump-payload): gKV always reads every element (it builds its own
 * structures from them), so it only chooses the reason Redis gives when a
 * listpack has duplicates — the integrity check with it, the conversion's
 * "listpack with dup elements" without.
 */
export function rdbLoadObject(type: number, r: RdbReader, lim: LoadLimits, deep = true): Value {
  switch (type) {
    case RDB_TYPE_STRING:
      return r.loadStringValue();

    case RDB_TYPE_LIST: {
      const n = r.count(r.loadLen(), 1);
      if (n === 0) throw emptyKey();
      const list = new QuickList(lim.listMaxListpackSize);
      for (let i = 0; i < n; i++) list.pushTail(r.loadString());
      return list;
    }

    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2: {
      const n = r.count(r.loadLen(), 1);
      if (n === 0) throw emptyKey();
      const list = new QuickList(lim.listMaxListpackSize);
      for (let i = 0; i < n; i++) {
        let container = QUICKLIST_NODE_CONTAINER_PACKED;
        if (type === RDB_TYPE_LIST_QUICKLIST_2) {
          container = r.loadLen();
          if (container !== QUICKLIST_NODE_CONTAINER_PACKED && container !== QUICKLIST_NODE_CONTAINER_PLAIN) {
            throw new RdbError('Quicklist integrity check failed.', `unknown container ${container}`);
          }
        }
        const blob = r.loadStringBytes();
        if (blob.length === 0) throw new RdbError('Bad data format', 'empty quicklist node');
        if (container === QUICKLIST_NODE_CONTAINER_PLAIN) {
          list.pushTail(blob.toString('latin1'));
          continue;
        }
        // empty nodes are skipped silently, as Redis does
        const elems =
          type === RDB_TYPE_LIST_QUICKLIST_2
            ? integrity('Listpack integrity check failed.', () => listpackEntries(blob))
            : integrity('Ziplist integrity check failed.', () => ziplistEntries(blob));
        listFrom(list, elems, lim);
      }
      if (list.length === 0) throw emptyKey();
      return list;
    }

    case RDB_TYPE_LIST_ZIPLIST: {
      const blob = r.loadStringBytes();
      const elems = integrity('List ziplist integrity check failed.', () => ziplistEntries(blob));
      if (elems.length === 0) throw emptyKey();
      return listFrom(null, elems, lim);
    }

    case RDB_TYPE_SET: {
      const n = r.count(r.loadLen(), 1);
      if (n === 0) throw emptyKey();
      const members: string[] = new Array(n);
      for (let i = 0; i < n; i++) members[i] = r.loadString();
      return setFrom(members, lim);
    }

    case RDB_TYPE_SET_LISTPACK: {
      const blob = r.loadStringBytes();
      const members = integrity('Set listpack integrity check failed.', () => listpackEntries(blob));
      if (members.length === 0) throw emptyKey();
      return integrity('Set listpack integrity check failed.', () => setFrom(members, lim));
    }

    case RDB_TYPE_SET_INTSET: {
      const blob = r.loadStringBytes();
      // an empty intset fails the check, as Redis 7.0's intsetValidateIntegrity
      const { width, values } = integrity('Intset integrity check failed.', () => {
        const v = intsetValues(blob);
        if (v.values.length === 0) throw new RdbError('intset: empty');
        return v;
      });
      const sv = SetValue.intset();
      const is = sv.is!;
      for (const v of values) is.add(v);
      forceIntsetWidth(sv, width);
      if (values.length > lim.setMaxIntsetEntries) sv.toHashtable();
      return sv;
    }

    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: {
      const n = r.count(r.loadLen(), type === RDB_TYPE_ZSET_2 ? 9 : 2);
      if (n === 0) throw emptyKey();
      const members: string[] = new Array(n);
      const scores: number[] = new Array(n);
      for (let i = 0; i < n; i++) {
        members[i] = r.loadString();
        scores[i] = type === RDB_TYPE_ZSET_2 ? r.loadBinaryDouble() : r.loadDouble();
      }
      return zsetFrom(members, scores, lim, false);
    }

    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK: {
      const blob = r.loadStringBytes();
      const reason = type === RDB_TYPE_ZSET_LISTPACK ? 'Zset listpack integrity check failed.' : 'Zset ziplist integrity check failed.';
      return integrity(reason, () => {
        const flat = type === RDB_TYPE_ZSET_LISTPACK ? listpackEntries(blob) : ziplistEntries(blob);
        if (flat.length % 2 !== 0) throw new RdbError('zset listpack with an odd number of entries');
        if (flat.length === 0) throw emptyKey();
        const members: string[] = [];
        const scores: number[] = [];
        for (let i = 0; i < flat.length; i += 2) {
          members.push(flat[i]);
          scores.push(scoreOf(flat[i + 1]));
        }
        return zsetFrom(members, scores, lim, true);
      });
    }

    case RDB_TYPE_HASH: {
      const n = r.count(r.loadLen(), 2);
      if (n === 0) throw emptyKey();
      const flat: string[] = new Array(2 * n);
      for (let i = 0; i < 2 * n; i++) flat[i] = r.loadString();
      const listpack = n <= lim.hashMaxListpackEntries && maxLenOf(flat) <= lim.hashMaxListpackValue;
      try {
        return hashFrom(flat, listpack);
      } catch (e) {
        // Redis: the listpack path finds duplicates with its dup-search dict, the hash table path when adding
        if (e instanceof RdbError) throw new RdbError(listpack ? 'Hash with dup elements' : 'Duplicate hash fields detected', e.message);
        throw e;
      }
    }

    case RDB_TYPE_HASH_ZIPMAP: {
      const blob = r.loadStringBytes();
      const flat = integrity('Zipmap integrity check failed.', () => {
        const f = zipmapEntries(blob);
        if (f.length === 0) throw new RdbError('zipmap: empty');
        return f;
      });
      let maxlen = 0;
      const seen = new Set<string>();
      for (let i = 0; i < flat.length; i += 2) {
        if (seen.has(flat[i])) throw new RdbError(`Hash zipmap with dup elements, or big length (${flat[i].length})`);
        seen.add(flat[i]);
        maxlen = Math.max(maxlen, flat[i].length, flat[i + 1].length);
      }
      return hashFrom(flat, flat.length / 2 <= lim.hashMaxListpackEntries && maxlen <= lim.hashMaxListpackValue);
    }

    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK: {
      const blob = r.loadStringBytes();
      const ziplist = type === RDB_TYPE_HASH_ZIPLIST;
      const reason = ziplist ? 'Hash ziplist integrity check failed.' : 'Hash listpack integrity check failed.';
      const flat = integrity(reason, () => {
        const f = ziplist ? ziplistEntries(blob) : listpackEntries(blob);
        if (f.length % 2 !== 0) throw new RdbError('hash listpack with an odd number of entries');
        return f;
      });
      if (flat.length === 0) throw emptyKey();
      const listpack = flat.length / 2 <= lim.hashMaxListpackEntries;
      try {
        return hashFrom(flat, listpack);
      } catch (e) {
        if (!(e instanceof RdbError)) throw e;
        // a ziplist's duplicates fail its conversion check; a listpack's its deep check, or (not checked
        // deeply) the conversion to a hash table, where Redis panics with "listpack with dup elements"
        if (ziplist || deep) throw new RdbError(reason, e.message);
        throw new RdbError('Hash listpack with dup elements', e.message);
      }
    }

    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
      throw new RdbUnsupportedError('stream values are not supported by gKV yet');

    case RDB_TYPE_MODULE:
    case RDB_TYPE_MODULE_2:
      throw new RdbUnsupportedError('module values are not supported by gKV');

    default:
      throw new RdbError(`Unknown RDB encoding type ${type}`);
  }
}

// ---------------------------------------------------------------- DUMP payloads

/**
 * verifyDumpPayload: at least 10 bytes, an RDB version (2 bytes LE before
 * the CRC) no newer than ours, and a matching CRC-64 of everything before it
 * (not checked with `skipChecksum`: DEBUG SET-SKIP-CHECKSUM-VALIDATION 1).
 */
export function verifyDumpPayload(p: Uint8Array, skipChecksum = false): boolean {
  const len = p.length;
  if (len < 10) return false;
  const ver = p[len - 10] | (p[len - 9] << 8);
  if (ver > RDB_VERSION) return false;
  if (skipChecksum) return true;
  return new Crc64().update(p, 0, len - 8).equalsLE(p, len - 8);
}

/** The value in a verified DUMP payload (type byte and object). Throws RdbError. */
export function loadDumpPayload(p: Uint8Array, lim: LoadLimits, deep = true): Value {
  const r = new RdbReader(p, 0, p.length - 10);
  const type = rdbLoadObjectType(r, p[p.length - 10] | (p[p.length - 9] << 8));
  return rdbLoadObject(type, r, lim, deep);
}
