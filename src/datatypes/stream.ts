/**
 * Streams (Redis's t_stream.c and stream.h, the data structure): entries
 * with IDs `ms-seq` in an index of nodes, consumer groups with their pending
 * entries lists (PEL) and consumers.
 *
 * IDs. An ID is two unsigned 64-bit integers. gKV holds it as an 8-char
 * string of 16-bit code units, ms then seq, most significant first — the
 * same big-endian order as Redis's 128-bit rax keys — so that IDs compare
 * with `<` as numbers compare, serve as Map and Rax keys without
 * conversion, and cost one allocation. `idMs` / `idSeq` give the halves as
 * numbers when below 2^53 (always, for time-based IDs) and as bigints
 * beyond (`U64`); `streamIDToString` prints `ms-seq`.
 *
 * Entries. As in Redis, entries live in nodes indexed by the ID of their
 * first entry (the master ID; `nodes`, a Rax), each node holding up to
 * stream-node-max-entries entries and about stream-node-max-bytes bytes in
 * listpack format (datatypes/listpack.ts), delta-encoded against a master
 * entry:
 *   master:  count | deleted | num-fields | field_1 … field_N | 0
 *   entry:   flags | ms-diff | seq-diff | [num-fields | f_1 v_1 … | v_1 …] | lp-count
 * An entry whose fields equal the master's carries only its values
 * (STREAM_ITEM_FLAG_SAMEFIELDS); lp-count (the entry's element count) lets
 * a reader walk an entry backwards. A deleted entry keeps its place with
 * STREAM_ITEM_FLAG_DELETED set (XDEL is O(1) on the node) until its node
 * empties. gKV keeps the master entry's figures as fields of the node and
 * the entries' bytes in one growable buffer, so an entry costs what it
 * costs in Redis's listpack; `StreamNode.toListpack` and
 * `StreamNode.fromListpack`
 * convert to and from the whole listpack Redis's RDB carries, byte for
 * byte. Nodes split where Redis's streamAppendItem splits them, so node
 * counts (XINFO's radix-tree-keys) and RDB payloads equal Redis's.
 *
 * Bounds: appending is amortised O(1); seeking an ID is O(log n) to the
 * node plus a scan of at most one node; XDEL marks in place; trimming
 * drops whole nodes from the front and marks entries in at most one node.
 *
 * Consumer groups (`StreamCG`): last delivered ID, entries-read (the
 * logical read counter of 7.0, -1 when unknown), a PEL of StreamNACK by ID
 * and consumers by name; each consumer has its own PEL sharing the group's
 * NACK objects. The 7.0 counters (entries-added, max-deleted-entry-id,
 * first ID) and the lag estimate (`streamEstimateDistanceFromFirstEverEntry`,
 * `streamRangeHasTombstones`) are Redis's.
 */
import type { RObj } from './object.js';
import { Rax } from './rax.js';
import { LpBuf, lpAppend, lpAppendInteger, lpEntrySize, lpGetInteger, lpGetString, lpIntSize, lpPrevAt, lpRead, lpReadAt, lpSkip, lpWriteBulk } from './listpack.js';
import type { ReplySink } from '../util/bulk-writer.js';
import { HEAP_NUMBER, arrayBytes, bufferBytes, numBytes, objBytes, strBytes, twoByteStrBytes } from '../util/v8-size.js';

/** Bytes of an ID (an 8-char two-byte string). */
const ID_BYTES = twoByteStrBytes(8);

/** Bytes of a U64 held in a field: a small integer is free, a bigint ~24 bytes. */
function u64Bytes(v: U64): number {
  return typeof v === 'bigint' ? 24 : numBytes(v);
}

// ---------------------------------------------------------------- IDs

/** An unsigned 64-bit integer: a number below 2^53, a bigint beyond. */
export type U64 = number | bigint;

export const STREAM_ID_MIN = '\0\0\0\0\0\0\0\0';
export const STREAM_ID_MAX = '\uffff\uffff\uffff\uffff\uffff\uffff\uffff\uffff';
const U64_MAX = 18446744073709551615n;
const TWO32 = 4294967296;

export const STREAM_ITEM_FLAG_NONE = 0;
export const STREAM_ITEM_FLAG_DELETED = 1;
export const STREAM_ITEM_FLAG_SAMEFIELDS = 2;
/** SCG_INVALID_ENTRIES_READ: a group's read counter that is not known. */
export const SCG_INVALID_ENTRIES_READ = -1;
/** STREAM_LISTPACK_MAX_SIZE: a node's listpack never grows past 1 GB. */
export const STREAM_LISTPACK_MAX_SIZE = 1 << 30;

/** The four 16-bit units of a u64, most significant first, appended to out. */
function u64Units(v: U64, out: number[]): void {
  if (typeof v === 'number') {
    const hi = Math.floor(v / TWO32);
    const lo = v >>> 0;
    out.push(hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff);
  } else {
    out.push(Number((v >> 48n) & 0xffffn), Number((v >> 32n) & 0xffffn), Number((v >> 16n) & 0xffffn), Number(v & 0xffffn));
  }
}

/** The ID key of ms-seq. */
export function streamID(ms: U64, seq: U64): string {
  if (typeof ms === 'number' && typeof seq === 'number') {
    const mh = Math.floor(ms / TWO32);
    const ml = ms >>> 0;
    const sh = Math.floor(seq / TWO32);
    const sl = seq >>> 0;
    return String.fromCharCode(mh >>> 16, mh & 0xffff, ml >>> 16, ml & 0xffff, sh >>> 16, sh & 0xffff, sl >>> 16, sl & 0xffff);
  }
  const u: number[] = [];
  u64Units(ms, u);
  u64Units(seq, u);
  return String.fromCharCode(...u);
}

function u64At(id: string, i: number): U64 {
  const a = id.charCodeAt(i);
  const b = id.charCodeAt(i + 1);
  const c = id.charCodeAt(i + 2);
  const d = id.charCodeAt(i + 3);
  if (a < 32) return ((a * 65536 + b) * 65536 + c) * 65536 + d;
  return (BigInt(a) << 48n) | (BigInt(b) << 32n) | (BigInt(c) << 16n) | BigInt(d);
}

/** The ID as Redis's rax key: 16 bytes, ms then seq, each a big-endian u64 (streamEncodeID). */
export function streamIDToRaw(id: string, out: Buffer = Buffer.allocUnsafe(16), at = 0): Buffer {
  for (let i = 0; i < 8; i++) out.writeUInt16BE(id.charCodeAt(i), at + 2 * i);
  return out;
}

/** The ID key of the 16 raw bytes at b[at..at+16) (streamDecodeID). */
export function streamIDFromRaw(b: Uint8Array, at = 0): string {
  let s = '';
  for (let i = 0; i < 16; i += 2) s += String.fromCharCode((b[at + i] << 8) | b[at + i + 1]);
  return s;
}

/** The ms half of an ID. */
export function idMs(id: string): U64 {
  return u64At(id, 0);
}

/** The seq half of an ID. */
export function idSeq(id: string): U64 {
  return u64At(id, 4);
}

/** `ms-seq`, as Redis prints an ID. */
export function streamIDToString(id: string): string {
  return `${u64At(id, 0)}-${u64At(id, 4)}`;
}

/** The ID as `ms-seq` from its halves. */
export function formatStreamID(ms: U64, seq: U64): string {
  return `${ms}-${seq}`;
}

/** string2ull: an unsigned 64-bit decimal (digits only, no sign, no leading spaces), or null. */
export function parseU64(s: string): U64 | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  if (n <= 15) return Number(s);
  const v = BigInt(s);
  if (v > U64_MAX) return null;
  return v <= 9007199254740991n ? Number(v) : v;
}

/** u64 + 1 (the caller checked it is not the maximum). */
function u64Incr(v: U64): U64 {
  if (typeof v === 'number') return v < 9007199254740991 ? v + 1 : BigInt(v) + 1n;
  return v + 1n;
}

function u64Decr(v: U64): U64 {
  if (typeof v === 'number') return v - 1;
  const r = v - 1n;
  return r <= 9007199254740991n ? Number(r) : r;
}

function isU64Max(v: U64): boolean {
  return typeof v === 'bigint' && v === U64_MAX;
}

function isZero(v: U64): boolean {
  return v === 0;
}

/** streamIncrID: the next ID, or null when id is the last possible one. */
export function streamIncrID(id: string): string | null {
  const ms = idMs(id);
  const seq = idSeq(id);
  if (isU64Max(seq)) {
    if (isU64Max(ms)) return null;
    return streamID(u64Incr(ms), 0);
  }
  return streamID(ms, u64Incr(seq));
}

/** streamDecrID: the previous ID, or null when id is 0-0. */
export function streamDecrID(id: string): string | null {
  const ms = idMs(id);
  const seq = idSeq(id);
  if (isZero(seq)) {
    if (isZero(ms)) return null;
    return streamID(u64Decr(ms), U64_MAX);
  }
  return streamID(ms, u64Decr(seq));
}

/** Compares two IDs given by their halves: -1, 0 or 1. */
export function cmpID(ams: U64, aseq: U64, bms: U64, bseq: U64): number {
  if (ams !== bms) return ams < bms ? -1 : 1;
  if (aseq !== bseq) return aseq < bseq ? -1 : 1;
  return 0;
}

/** a - b for u64s as lpAppendInteger stores it: the int64 the difference wraps to. */
function u64Delta(a: U64, b: U64): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const d = BigInt.asIntN(64, BigInt(a) - BigInt(b));
  return d >= -9007199254740991n && d <= 9007199254740991n ? Number(d) : d;
}

/** master + delta as u64 (wrapping, as Redis's uint64 addition). */
function u64Add(a: U64, d: number | bigint): U64 {
  if (typeof a === 'number' && typeof d === 'number') {
    const r = a + d;
    if (r >= 0 && r <= 9007199254740991) return r;
  }
  const r = BigInt.asUintN(64, BigInt(a) + BigInt(d));
  return r <= 9007199254740991n ? Number(r) : r;
}

// ---------------------------------------------------------------- nodes

/**
 * One node: the master entry's figures and the entries' listpack bytes
 * (see the header). `elements` counts the listpack elements of the
 * entries, for the header of the listpack Redis would hold.
 */
export class StreamNode {
  /** the master ID (the node's key in the index) and its halves */
  readonly masterMs: U64;
  readonly masterSeq: U64;
  count = 0;
  deleted = 0;
  readonly entries: LpBuf;
  elements = 0;

  /** capHint: the bytes to allocate for entries at first (the previous node's size: nodes tend to fill alike) */
  constructor(
    readonly masterId: string,
    readonly fields: string[],
    capHint = 64,
  ) {
    this.entries = new LpBuf(capHint, true);
    this.masterMs = idMs(masterId);
    this.masterSeq = idSeq(masterId);
  }

  /**
   * Bytes of the node: the object, its master ID and halves, the master
   * fields, the entries' buffer (and its LpBuf).
   */
  memoryUsage(): number {
    let b = objBytes(8) + ID_BYTES + u64Bytes(this.masterMs) + u64Bytes(this.masterSeq) + arrayBytes(this.fields.length);
    for (const f of this.fields) b += strBytes(f.length);
    return b + objBytes(3) + bufferBytes(this.entries.buf.length);
  }

  /**
   * The whole listpack Redis holds for this node (what its RDB and DUMP
   * payloads carry): header (total bytes, element count), the master entry
   * (count, deleted, num-fields, the fields as lpAppend stores them, 0), the
   * entries' bytes as they are, the end byte.
   */
  toListpack(): Buffer {
    const w = new LpBuf(this.lpBytes());
    w.len = 6;
    lpAppendInteger(w, this.count);
    lpAppendInteger(w, this.deleted);
    lpAppendInteger(w, this.fields.length);
    for (const f of this.fields) lpAppend(w, f);
    lpAppendInteger(w, 0);
    const n = this.entries.len;
    w.ensure(n + 1);
    this.entries.buf.copy(w.buf, w.len, 0, n);
    w.len += n;
    w.buf[w.len++] = 0xff;
    w.buf.writeUInt32LE(w.len, 0);
    const elements = 4 + this.fields.length + this.elements;
    w.buf.writeUInt16LE(elements < 65535 ? elements : 65535, 4);
    return w.result();
  }

  /**
   * The node whose whole listpack is lp (toListpack's inverse), keyed by
   * masterId. lp must be well formed as a stream node with every integer of
   * the entries' layout (flags as a 7-bit uint, ID deltas, num-fields,
   * lp-count) integer-encoded: the RDB decoder validates and, where needed,
   * re-encodes foreign listpacks first. The master entry's figures may be
   * integers or integer text, as lpGetInteger reads them.
   */
  static fromListpack(masterId: string, lp: Buffer): StreamNode {
    const eof = lp.length - 1;
    let p = 6;
    const int = (): number => {
      const v = lpGetString(lp, p);
      p = lpSkip(lp, p);
      return Number(v);
    };
    const count = int();
    const deleted = int();
    const nf = int();
    const fields = new Array<string>(nf);
    for (let i = 0; i < nf; i++) {
      fields[i] = lpGetString(lp, p);
      p = lpSkip(lp, p);
    }
    p = lpSkip(lp, p); // the master entry's terminating 0
    const node = new StreamNode(masterId, fields);
    node.count = count;
    node.deleted = deleted;
    let elements = 0;
    for (let q = p; q < eof; q = lpSkip(lp, q)) elements++;
    node.elements = elements;
    const n = eof - p;
    node.entries.ensure(n);
    lp.copy(node.entries.buf, 0, p, eof);
    node.entries.len = n;
    return node;
  }

  /** lpBytes of the listpack Redis would hold for this node. */
  lpBytes(): number {
    let n = 6 + lpIntSize(this.count) + lpIntSize(this.deleted) + lpIntSize(this.fields.length) + lpIntSize(0) + 1;
    for (const f of this.fields) n += lpEntrySize(f);
    return n + this.entries.len;
  }
}

/**
 * Walks a stream's live entries between two IDs (inclusive), forwards or
 * backwards (streamIterator). After next() returns true, `ms`/`seq` are the
 * entry's ID and `fieldsValues()` reads its pairs. Valid while the stream
 * is not changed.
 */
export class StreamIterator {
  ms: U64 = 0;
  seq: U64 = 0;
  private it;
  private node: StreamNode | null = null;
  /** offset of the next entry to read (forward), or of the end of the next entry to read (backward) */
  private p = 0;
  /** the current entry: its flags, where its fields/values start, and how many pairs */
  private flags = 0;
  private body = 0;
  private numFields = 0;
  private done = false;

  /** the bounds' halves, compared without building ID keys */
  private readonly startMs: U64;
  private readonly startSeq: U64;
  private readonly endMs: U64;
  private readonly endSeq: U64;

  constructor(
    s: Stream,
    start: string,
    end: string,
    private readonly rev: boolean,
  ) {
    this.startMs = idMs(start);
    this.startSeq = idSeq(start);
    this.endMs = idMs(end);
    this.endSeq = idSeq(end);
    const nodes = s.nodes;
    if (!rev) {
      this.it = nodes.seek('<=', start);
      if (!this.it.valid) this.it = nodes.seek('^');
    } else {
      this.it = nodes.seek('<=', end);
      if (!this.it.valid) this.it = nodes.seek('$');
    }
    this.enter();
  }

  private enter(): void {
    if (!this.it.valid) {
      this.node = null;
      return;
    }
    this.node = this.it.value;
    this.p = this.rev ? this.node.entries.len : 0;
  }

  /** The ID key of the current entry. */
  get id(): string {
    return streamID(this.ms, this.seq);
  }

  /** Moves to the next live entry in range; false at the end. */
  next(): boolean {
    if (this.done) return false;
    for (;;) {
      const node = this.node;
      if (node === null) {
        this.done = true;
        return false;
      }
      const b = node.entries.buf;
      if (!this.rev) {
        if (this.p >= node.entries.len) {
          this.it.next();
          this.enter();
          continue;
        }
        this.readEntryAt(node, b, this.p);
        if (cmpID(this.ms, this.seq, this.endMs, this.endSeq) > 0) {
          this.done = true;
          return false;
        }
        if ((this.flags & STREAM_ITEM_FLAG_DELETED) === 0 && cmpID(this.ms, this.seq, this.startMs, this.startSeq) >= 0) return true;
      } else {
        if (this.p <= 0) {
          this.it.prev();
          this.enter();
          continue;
        }
        // the entry's last element is lp-count: step back over that many elements plus itself
        let q = lpPrevAt(b, this.p);
        lpReadAt(b, q);
        const lpCount = lpRead.int as number;
        for (let k = 0; k < lpCount; k++) q = lpPrevAt(b, q);
        this.p = q;
        this.readEntryAt(node, b, q);
        this.p = q;
        if (cmpID(this.ms, this.seq, this.startMs, this.startSeq) < 0) {
          this.done = true;
          return false;
        }
        if ((this.flags & STREAM_ITEM_FLAG_DELETED) === 0 && cmpID(this.ms, this.seq, this.endMs, this.endSeq) <= 0) return true;
      }
    }
  }

  /** Reads the entry at p: flags, ID, where its body starts; forward, leaves p at the next entry. */
  private readEntryAt(node: StreamNode, b: Buffer, p: number): void {
    lpReadAt(b, p);
    this.flags = lpRead.int as number;
    p = lpSkip(b, p);
    lpReadAt(b, p);
    const msd = lpRead.int as number | bigint;
    p = lpSkip(b, p);
    lpReadAt(b, p);
    const seqd = lpRead.int as number | bigint;
    p = lpSkip(b, p);
    this.ms = u64Add(node.masterMs, msd);
    this.seq = u64Add(node.masterSeq, seqd);
    if (this.flags & STREAM_ITEM_FLAG_SAMEFIELDS) this.numFields = node.fields.length;
    else {
      lpReadAt(b, p);
      this.numFields = lpRead.int as number;
      p = lpSkip(b, p);
    }
    this.body = p;
    if (!this.rev) {
      const skip = this.flags & STREAM_ITEM_FLAG_SAMEFIELDS ? this.numFields : this.numFields * 2;
      for (let k = 0; k < skip; k++) p = lpSkip(b, p);
      this.p = lpSkip(b, p); // lp-count
    }
  }

  /** The current entry's field and value pairs, flat: f1 v1 f2 v2 … */
  fieldsValues(): string[] {
    const node = this.node!;
    const b = node.entries.buf;
    const n = this.numFields;
    const out = new Array<string>(n * 2);
    let p = this.body;
    if (this.flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
      for (let k = 0; k < n; k++) {
        out[2 * k] = node.fields[k];
        out[2 * k + 1] = lpGetString(b, p);
        p = lpSkip(b, p);
      }
    } else {
      for (let k = 0; k < 2 * n; k++) {
        out[k] = lpGetString(b, p);
        p = lpSkip(b, p);
      }
    }
    return out;
  }

  /** Writes the current entry as Redis replies it, [id, [f1, v1, …]], straight from the node's bytes. */
  writeEntry(w: ReplySink): void {
    const node = this.node!;
    const b = node.entries.buf;
    const n = this.numFields;
    w.arrayLen(2);
    const id = `${this.ms}-${this.seq}`;
    w.strBulk(id, 0, id.length);
    w.arrayLen(n * 2);
    let p = this.body;
    if (this.flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
      for (let k = 0; k < n; k++) {
        const f = node.fields[k];
        w.strBulk(f, 0, f.length);
        p = lpWriteBulk(b, p, w);
      }
    } else for (let k = 0; k < 2 * n; k++) p = lpWriteBulk(b, p, w);
  }

  /** How many field/value pairs the current entry has. */
  get fieldCount(): number {
    return this.numFields;
  }
}

// ---------------------------------------------------------------- consumer groups

/** A pending entry: delivered to a consumer, not acknowledged (streamNACK). */
export class StreamNACK {
  constructor(
    public deliveryTime: number,
    public deliveryCount: number,
    public consumer: StreamConsumer,
  ) {}
}

export class StreamConsumer {
  readonly pel = new Rax<StreamNACK>();
  constructor(
    readonly name: string,
    public seenTime: number,
  ) {}
}

export class StreamCG {
  readonly pel = new Rax<StreamNACK>();
  readonly consumers = new Rax<StreamConsumer>();
  constructor(
    public lastId: string,
    public entriesRead: number,
  ) {}

  /** streamLookupConsumer */
  lookupConsumer(name: string): StreamConsumer | undefined {
    return this.consumers.get(name);
  }

  /** streamCreateConsumer: null when it exists. */
  createConsumer(name: string, now: number): StreamConsumer | null {
    if (this.consumers.has(name)) return null;
    const c = new StreamConsumer(name, now);
    this.consumers.set(name, c);
    return c;
  }

  /** streamDelConsumer: removes it and its pending entries from the group's PEL; returns how many were pending. */
  delConsumer(c: StreamConsumer): number {
    const n = c.pel.size;
    for (const id of c.pel.entries()) this.pel.delete(id[0]);
    this.consumers.delete(c.name);
    return n;
  }
}

/** What readEntryHeader read: the entry's flags, ID halves, and the offset past the whole entry. */
const hdr = { flags: 0, ms: 0 as U64, seq: 0 as U64, next: 0 };

/** Reads the entry at p of node (flags, ID, and where the next entry starts) into hdr. */
function readEntryHeader(node: StreamNode, p: number): void {
  const b = node.entries.buf;
  lpReadAt(b, p);
  const flags = lpRead.int as number;
  p = lpSkip(b, p);
  lpReadAt(b, p);
  hdr.ms = u64Add(node.masterMs, lpRead.int as number | bigint);
  p = lpSkip(b, p);
  lpReadAt(b, p);
  hdr.seq = u64Add(node.masterSeq, lpRead.int as number | bigint);
  p = lpSkip(b, p);
  let skip: number;
  if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) skip = node.fields.length;
  else {
    lpReadAt(b, p);
    skip = (lpRead.int as number) * 2;
    p = lpSkip(b, p);
  }
  for (let k = 0; k < skip; k++) p = lpSkip(b, p);
  hdr.flags = flags;
  hdr.next = lpSkip(b, p); // lp-count
}

/**
 * The rax node count Redis reports as radix-tree-nodes, for the node index's
 * keys (128-bit big-endian IDs, sorted) as a compressed radix tree holds
 * them: a compressed node for each run of bytes shared by a whole subtree,
 * a branching node where the keys part, a node where each key ends.
 */
export function raxNodeCount(keys: readonly string[]): number {
  if (keys.length === 0) return 1;
  const byteAt = (k: string, i: number): number => {
    const u = k.charCodeAt(i >> 1);
    return (i & 1) === 0 ? u >> 8 : u & 0xff;
  };
  // keys[lo..hi) share their first d bytes
  const count = (lo: number, hi: number, d: number): number => {
    if (d === 16) return 1;
    let l = d;
    while (l < 16 && byteAt(keys[lo], l) === byteAt(keys[hi - 1], l)) l++;
    if (l > d) return 1 + count(lo, hi, l);
    let n = 1;
    for (let i = lo; i < hi; ) {
      const b = byteAt(keys[i], d);
      let j = i + 1;
      while (j < hi && byteAt(keys[j], d) === b) j++;
      n += count(i, j, d + 1);
      i = j;
    }
    return n;
  };
  return count(0, keys.length, 0);
}

// ---------------------------------------------------------------- the stream

/** What streamAppendItem may refuse. */
export const enum AppendError {
  /** EDOM: the ID is not greater than the last one */
  IdTooSmall = 1,
  /** ERANGE: the fields and values exceed a listpack */
  TooBig = 2,
}

export interface StreamLimits {
  /** stream-node-max-bytes (0: no limit but the listpack's) */
  nodeMaxBytes: number;
  /** stream-node-max-entries (0: no limit) */
  nodeMaxEntries: number;
}

export type TrimStrategy = 'maxlen' | 'minid';

export class Stream implements RObj {
  readonly type = 'stream' as const;
  /** nodes by master ID */
  nodes = new Rax<StreamNode>();
  length = 0;
  lastId = STREAM_ID_MIN;
  firstId = STREAM_ID_MIN;
  maxDeletedEntryId = STREAM_ID_MIN;
  entriesAdded = 0;
  /** consumer groups by name; null until the first is created (as Redis, to save memory) */
  cgroups: Rax<StreamCG> | null = null;

  encoding(): string {
    return 'stream';
  }

  /**
   * lazyfreeGetFreeEffort: the radix tree's nodes, plus the groups times one
   * plus the first group's PEL size (Redis's estimate for every group).
   */
  freeEffort(): number {
    let effort = raxNodeCount(this.nodeKeys());
    const first = this.cgroups?.firstValue();
    if (first !== undefined) effort += this.cgroups!.size * (1 + first.pel.size);
    return effort;
  }

  /**
   * The object, its IDs, the node index and the nodes (the first `samples`
   * give the average for the rest, as Redis samples a stream's nodes), and
   * the consumer groups: each group's PEL (a NACK object, its delivery time
   * and its ID per entry, the consumers' PELs sharing them) and consumers
   * (RObj.memoryUsage).
   */
  memoryUsage(samples: number): number {
    let b = objBytes(8) + (this.length > 0 ? 2 * ID_BYTES : 0) + this.nodes.containerBytes();
    let bytes = 0;
    let seen = 0;
    for (const n of this.nodes.values()) {
      if (seen >= samples) break;
      bytes += n.memoryUsage();
      seen++;
    }
    if (seen > 0) b += Math.round((bytes / seen) * this.nodes.size);
    const cgroups = this.cgroups;
    if (cgroups === null) return b;
    b += cgroups.containerBytes();
    for (const [name, cg] of cgroups.entries()) {
      b += strBytes(name.length) + objBytes(4) + ID_BYTES + cg.pel.containerBytes() + cg.consumers.containerBytes();
      b += cg.pel.size * (objBytes(3) + HEAP_NUMBER + ID_BYTES);
      for (const c of cg.consumers.values()) b += objBytes(3) + HEAP_NUMBER + strBytes(c.name.length) + c.pel.containerBytes();
    }
    return b;
  }

  /** The nodes' keys (master IDs), in order. */
  nodeKeys(): string[] {
    const out: string[] = [];
    for (const [k] of this.nodes.entries()) out.push(k);
    return out;
  }

  /**
   * streamAppendItem with an ID already decided (see nextID): appends the
   * entry, creating a node where Redis would, and updates length, last ID,
   * entries-added and the first ID. `fv` is f1 v1 f2 v2 …
   */
  append(id: string, fv: string[], lim: StreamLimits): void {
    const numFields = fv.length >> 1;
    let totelelen = 0;
    for (let i = 0; i < fv.length; i++) totelelen += fv[i].length;
    let node = this.nodes.lastValue() ?? null;
    if (node !== null) {
      let maxBytes = lim.nodeMaxBytes;
      if (maxBytes === 0 || maxBytes > STREAM_LISTPACK_MAX_SIZE) maxBytes = STREAM_LISTPACK_MAX_SIZE;
      if (node.lpBytes() + totelelen >= maxBytes) node = null;
      else if (lim.nodeMaxEntries > 0 && node.count + node.deleted >= lim.nodeMaxEntries) node = null;
    }
    let flags = STREAM_ITEM_FLAG_NONE;
    if (node === null) {
      // the tail node is full: give back its spare room, it only changes by XDEL/trim marks from now on
      const prev = this.nodes.lastValue();
      prev?.entries.shrink();
      const fields = new Array<string>(numFields);
      for (let i = 0; i < numFields; i++) fields[i] = fv[2 * i];
      node = new StreamNode(id, fields, prev === undefined ? 64 : Math.min(prev.entries.len + 64, 1 << 20));
      this.nodes.set(id, node);
      flags = STREAM_ITEM_FLAG_SAMEFIELDS;
    } else if (numFields === node.fields.length) {
      let i = 0;
      while (i < numFields && node.fields[i] === fv[2 * i]) i++;
      if (i === numFields) flags = STREAM_ITEM_FLAG_SAMEFIELDS;
    }
    node.count++;
    const w = node.entries;
    lpAppendInteger(w, flags);
    const ms = idMs(id);
    const seq = idSeq(id);
    lpAppendInteger(w, u64Delta(ms, node.masterMs));
    lpAppendInteger(w, u64Delta(seq, node.masterSeq));
    let lpCount = numFields + 3;
    if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
      for (let i = 0; i < numFields; i++) lpAppend(w, fv[2 * i + 1]);
    } else {
      lpAppendInteger(w, numFields);
      for (let i = 0; i < fv.length; i++) lpAppend(w, fv[i]);
      lpCount += numFields + 1;
    }
    lpAppendInteger(w, lpCount);
    node.elements += lpCount + 1;
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /**
   * The ID XADD gives for `*` (ms null) or `ms-*`: the ID key, or
   * IdTooSmall when it would not be above the last ID.
   */
  nextID(now: number, ms: U64 | null): string | AppendError {
    const last = this.lastId;
    if (ms === null) {
      // streamNextID: the clock's ms, or the last ID's successor when the clock is behind
      const lms = idMs(last);
      if (typeof lms === 'number' && now > lms) return streamID(now, 0);
      return streamIncrID(last) ?? AppendError.IdTooSmall;
    }
    // ms-*: seq 0 for a new ms, else the last seq + 1
    let id: string;
    if (idMs(last) === ms) {
      const lseq = idSeq(last);
      // Redis 7.0 reports this one as ERANGE ("Elements are too large to be stored")
      if (isU64Max(lseq)) return AppendError.TooBig;
      id = streamID(ms, u64Incr(lseq));
    } else id = streamID(ms, 0);
    return id > last ? id : AppendError.IdTooSmall;
  }

  /** An iterator over [start, end] (ID keys), forwards or backwards. */
  iterator(start: string, end: string, rev = false): StreamIterator {
    return new StreamIterator(this, start, end, rev);
  }

  /** streamGetEdgeID with tombstones skipped: the first or last live ID; MAX / MIN when empty. */
  edgeID(first: boolean): string {
    const it = this.iterator(STREAM_ID_MIN, STREAM_ID_MAX, !first);
    if (it.next()) return it.id;
    return first ? STREAM_ID_MAX : STREAM_ID_MIN;
  }

  /**
   * Marks the entry `id` deleted (XDEL's streamDeleteItem); false when there
   * is no such live entry. Updates length, the node's figures (dropping a
   * node left empty), max-deleted-entry-id and the first ID.
   */
  deleteItem(id: string): boolean {
    const it = this.nodes.seek('<=', id);
    if (!it.valid) return false;
    const node = it.value;
    const b = node.entries.buf;
    for (let p = 0; p < node.entries.len; p = hdr.next) {
      readEntryHeader(node, p);
      const eid = streamID(hdr.ms, hdr.seq);
      if (eid > id) return false;
      if (eid !== id) continue;
      if (hdr.flags & STREAM_ITEM_FLAG_DELETED) return false;
      // the flags entry is a 7-bit uint (0..3): set the bit in place
      b[p] = hdr.flags | STREAM_ITEM_FLAG_DELETED;
      node.count--;
      node.deleted++;
      this.length--;
      if (node.count === 0) this.nodes.delete(node.masterId);
      if (id > this.maxDeletedEntryId) this.maxDeletedEntryId = id;
      if (id === this.firstId) this.firstId = this.length === 0 ? STREAM_ID_MIN : this.edgeID(true);
      return true;
    }
    return false;
  }

  /**
   * streamTrim: removes entries from the front until at most `maxlen`
   * remain (MAXLEN) or none is below `minid` (MINID). With approx, only whole
   * nodes go; `limit` (0: none) caps the entries removed. Returns how many
   * were removed.
   */
  trim(strategy: TrimStrategy, maxlen: number, minid: string, approx: boolean, limit: number): number {
    let deleted = 0;
    for (;;) {
      if (strategy === 'maxlen' && this.length <= maxlen) break;
      const node = this.nodes.firstValue();
      if (node === undefined) break;
      const entries = node.count;
      if (limit && deleted + entries > limit) break;
      let removeNode: boolean;
      if (strategy === 'maxlen') removeNode = this.length - entries >= maxlen;
      else removeNode = this.nodeLastID(node) < minid;
      if (removeNode) {
        this.nodes.delete(node.masterId);
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (approx) break;
      // mark entries deleted from the node's start
      const b = node.entries.buf;
      let fromNode = 0;
      for (let p = 0; p < node.entries.len; p = hdr.next) {
        readEntryHeader(node, p);
        const stop = strategy === 'maxlen' ? this.length <= maxlen : streamID(hdr.ms, hdr.seq) >= minid;
        if (stop) break;
        if ((hdr.flags & STREAM_ITEM_FLAG_DELETED) === 0) {
          b[p] = hdr.flags | STREAM_ITEM_FLAG_DELETED;
          fromNode++;
          this.length--;
        }
      }
      deleted += fromNode;
      node.count -= fromNode;
      node.deleted += fromNode;
      break;
    }
    if (deleted > 0) this.firstId = this.length === 0 ? STREAM_ID_MIN : this.edgeID(true);
    return deleted;
  }

  /** lpGetEdgeStreamID(lp, last): the ID of a node's last entry, deleted or not. */
  private nodeLastID(node: StreamNode): string {
    const b = node.entries.buf;
    let q = lpPrevAt(b, node.entries.len);
    const lpCount = Number(lpGetInteger(b, q));
    for (let k = 0; k < lpCount; k++) q = lpPrevAt(b, q);
    q = lpSkip(b, q);
    const msd = lpGetInteger(b, q);
    q = lpSkip(b, q);
    const seqd = lpGetInteger(b, q);
    return streamID(u64Add(node.masterMs, msd), u64Add(node.masterSeq, seqd));
  }

  // ---------------------------------------------------------------- groups

  /** streamLookupCG */
  lookupCG(name: string): StreamCG | undefined {
    return this.cgroups?.get(name);
  }

  /** streamCreateCG: null when the group exists. */
  createCG(name: string, id: string, entriesRead: number): StreamCG | null {
    if (this.cgroups === null) this.cgroups = new Rax<StreamCG>();
    if (this.cgroups.has(name)) return null;
    const cg = new StreamCG(id, entriesRead);
    this.cgroups.set(name, cg);
    return cg;
  }

  /** streamRangeHasTombstones: may [start, end] (null: open) hold a deleted entry? */
  rangeHasTombstones(start: string | null, end: string | null): boolean {
    if (this.length === 0 || this.maxDeletedEntryId === STREAM_ID_MIN) return false;
    if (this.firstId > this.maxDeletedEntryId) return false;
    const s = start ?? STREAM_ID_MIN;
    const e = end ?? STREAM_ID_MAX;
    return s <= this.maxDeletedEntryId && this.maxDeletedEntryId <= e;
  }

  /** streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`, or SCG_INVALID_ENTRIES_READ. */
  estimateDistanceFromFirstEverEntry(id: string): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return SCG_INVALID_ENTRIES_READ;
    if (this.maxDeletedEntryId === STREAM_ID_MIN || this.maxDeletedEntryId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length;
      if (id === this.firstId) return this.entriesAdded - this.length + 1;
    }
    return SCG_INVALID_ENTRIES_READ;
  }

  /** A group's lag (XINFO GROUPS), or null when it cannot be known. */
  groupLag(cg: StreamCG): number | null {
    if (this.entriesAdded === 0) return 0;
    if (cg.entriesRead !== SCG_INVALID_ENTRIES_READ && !this.rangeHasTombstones(cg.lastId, null)) return this.entriesAdded - cg.entriesRead;
    const read = this.estimateDistanceFromFirstEverEntry(cg.lastId);
    return read !== SCG_INVALID_ENTRIES_READ ? this.entriesAdded - read : null;
  }

  /** A deep copy (COPY): nodes' bytes, groups, consumers and PELs (NACKs shared between a group and its consumer, as in the original). */
  dup(): Stream {
    const d = new Stream();
    for (const n of this.nodes.values()) {
      const c = new StreamNode(n.masterId, n.fields.slice());
      c.count = n.count;
      c.deleted = n.deleted;
      c.elements = n.elements;
      c.entries.ensure(n.entries.len);
      n.entries.buf.copy(c.entries.buf, 0, 0, n.entries.len);
      c.entries.len = n.entries.len;
      d.nodes.set(c.masterId, c);
    }
    d.length = this.length;
    d.lastId = this.lastId;
    d.firstId = this.firstId;
    d.maxDeletedEntryId = this.maxDeletedEntryId;
    d.entriesAdded = this.entriesAdded;
    if (this.cgroups !== null) {
      for (const [name, cg] of this.cgroups.entries()) {
        const ncg = d.createCG(name, cg.lastId, cg.entriesRead)!;
        for (const c of cg.consumers.values()) {
          const nc = new StreamConsumer(c.name, c.seenTime);
          ncg.consumers.set(c.name, nc);
          for (const [id, nack] of c.pel.entries()) {
            const nn = new StreamNACK(nack.deliveryTime, nack.deliveryCount, nc);
            nc.pel.set(id, nn);
            ncg.pel.set(id, nn);
          }
        }
      }
    }
    return d;
  }
}
