/**
 * QuickList: the list type's storage, after Redis's quicklist — a sequence of
 * nodes, each holding a run of elements packed into one byte run.
 *
 * Why packed: a JS array of strings costs ~32 bytes per element (an 8-byte
 * slot plus a 24-byte string object) where Redis's listpack spends 5 for a
 * 3-byte element. Packing a node's elements together costs the element plus
 * 2 bytes, and one header per node.
 *
 * Entry format (like a listpack entry without integer encoding):
 *   [len, LEB128 forward] [the bytes] [len again, readable from the right]
 * The trailing length lets a node be walked backwards (tail pops, negative
 * indexes) as Redis's backlen does. For len < 128 both lengths are one byte.
 * The right-readable form writes the 7-bit groups most significant first,
 * every byte but the leftmost flagged 0x80 ("more to the left").
 *
 * A node is in one of three forms (`w`):
 * - closed (`w` null): the entries are `s`, a flat latin1 string of exactly
 *   their bytes (one 16-byte string header per node);
 * - open (`w` a Win): the entries are the bytes b[lo, hi) of a Buffer with
 *   free room on the side(s) pushes come from; `s` is unused;
 * - plain (`w` === PLAIN): `s` is one element too big to share a node, stored
 *   unpacked (no copy of a large value; Redis's plain nodes).
 * Nodes never hold 0 entries: an emptied node is removed. Only the first and
 * the last node can be open: a push that does not fit starts a new end node
 * and closes the old one (the one copy that trims it to its exact size), and
 * middle edits produce closed nodes.
 *
 * Why open nodes: a push writes its entry's bytes into the buffer and leaves
 * nothing behind that outlives the command. The previous design appended to
 * the node string (V8 ropes, flattened geometrically): the ropes and the
 * intermediate flat copies lived long enough to be promoted, died in old
 * space, and V8 kept those pages.
 *
 * Where open bytes live:
 * - A node of up to SMALL bytes is open in SCRATCH, one buffer shared by all
 *   lists (`owner` is the node in it; taking SCRATCH closes the owner). So a
 *   small list costs its exact string at rest, and a list pushed one element
 *   per command keeps its end node in SCRATCH with no copy per push.
 * - A small closed node takes SCRATCH only on its second push in a row
 *   (`lastPushed`): a push to one of many lists taking turns appends to its
 *   string instead (one copy of the node, ≤ SMALL bytes; the old design's
 *   cost), so lists taking turns do not pass SCRATCH around at two copies a
 *   push; a push of several values (RPUSH of 10) moves in at its second.
 * - A bigger node has a buffer of its own, grown 1.5x (2x, centred, for a
 *   single-node list, whose both ends are pushed): at most two per list,
 *   with at most a third of slack. Pops that leave one under a quarter of
 *   its buffer (and ≤ SMALL bytes) close it.
 * Reads: an element of an open node is decoded from its bytes
 * (String.fromCharCode up to 6 bytes, else latin1Slice); a read of more than
 * 4 entries decodes their byte run once and slices it. A node read in bulk
 * twice with no push between is closed (one copy), so read-mostly lists are
 * read as strings, as closed nodes are.
 *
 * Node size follows list-max-listpack-size (`fill`): positive = at most that
 * many entries (and 8 KB, Redis's SIZE_SAFETY_LIMIT); -1..-5 = at most
 * 4/8/16/32/64 KB of packed bytes. Redis 7.0 always reports the list's
 * encoding as "quicklist", so node boundaries are not observable; they only
 * bound the cost of the O(node) operations.
 *
 * Costs: push/pop at either end O(1) amortized: a copy of a node when its
 * buffer grows (geometric), when it moves into or out of SCRATCH, and per
 * push to a small closed node not pushed in a row (≤ SMALL bytes). Pops of
 * a closed node slice its string (V8 slices share the parent: O(1)); of an
 * open node, move lo/hi. Indexing walks nodes from the nearer end, then
 * entries from the nearer end of the node: O(nodes + node entries), as
 * Redis's quicklistGetIteratorAtIdx. Middle edits (LSET, LINSERT, LREM,
 * LTRIM's partial nodes) rebuild the touched nodes: O(node size), as
 * listpack edits are.
 *
 * Measured (bench/memory.js --warm 300000 --settle 5, 3-byte elements): one
 * list of 1,000,000 elements loaded by RPUSH grows RSS by 16-18 bytes per
 * element (36-38 with ropes; Redis 5.2), 10-14 of which are V8's young
 * generation growing to its working size during the load (a build whose
 * lists store nothing grows as much); after a warm-up that grows it first
 * (1M RPUSH to a list then DEL), 5.4-5.9. 300,000 keys of 10 elements:
 * 350-355 bytes per key (354-359 with ropes; Redis 271). bench/pipeline-cpu
 * LPUSH 270-290 ns/command (400-415 with ropes), RPOP unchanged (~245).
 *
 * Values are latin1 strings (one char per byte). Pure: imports nothing of the
 * server. As an RObj (datatypes/object.ts: type, encoding(), dup(), freeEffort())
 * it is what a list key holds.
 */
import type { RObj } from './object.js';
import { latin1 } from '../util/latin1.js';
import type { BulkWriter, ElementSink } from '../util/bulk-writer.js';
import { bufferBytes, literalPushedArrayBytes, objBytes, strBytes } from '../util/v8-size.js';

declare module 'buffer' {
  interface Buffer {
    /** Node's Buffer method behind buf.write(s, offset, length, 'latin1'), without its argument checks */
    latin1Write(s: string, offset: number, length: number): number;
  }
}

/** Redis's SIZE_SAFETY_LIMIT: the byte bound of nodes under a positive fill */
const SIZE_SAFETY_LIMIT = 8192;
/** nodes of up to this many bytes are open in SCRATCH rather than in a buffer of their own */
const SMALL = 4096;

interface Limits {
  fill: number;
  maxCount: number;
  maxBytes: number;
  /** elements longer than this get a plain node of their own */
  plainOver: number;
}

const limitsCache = new Map<number, Limits>();

/** Redis's default packed_threshold: elements of 1 GB or more get plain nodes */
const PACKED_THRESHOLD_DEFAULT = 1 << 30;
let packedThreshold = PACKED_THRESHOLD_DEFAULT;

/**
 * Redis's quicklistSetPackedThreshold (DEBUG QUICKLIST-PACKED-THRESHOLD):
 * elements of at least `sz` bytes are stored in plain nodes from now on, in
 * every list (0 restores the 1 GB default). gKV also makes plain nodes of
 * elements over half a node's byte limit, whatever the threshold. Returns
 * false, changing nothing, for sizes of 4 GB - 1 MB and more, as Redis.
 */
export function quicklistSetPackedThreshold(sz: number): boolean {
  if (sz > 2 ** 32 - 2 ** 20) return false;
  packedThreshold = sz === 0 ? PACKED_THRESHOLD_DEFAULT : sz;
  // the limits are shared by every list of a fill: updating them reaches them all
  for (const l of limitsCache.values()) l.plainOver = plainOverFor(l.maxBytes);
  return true;
}

/** The current packed_threshold: elements of this many bytes or more are plain nodes in Redis. */
export function quicklistPackedThreshold(): number {
  return packedThreshold;
}

function plainOverFor(maxBytes: number): number {
  return Math.min(maxBytes >> 1, packedThreshold - 1);
}

/** The node limits for a list-max-listpack-size value. */
function limitsFor(fill: number): Limits {
  let l = limitsCache.get(fill);
  if (l === undefined) {
    let maxCount = Infinity;
    let maxBytes: number;
    if (fill >= 0) {
      maxCount = Math.max(1, fill);
      maxBytes = SIZE_SAFETY_LIMIT;
    } else {
      maxBytes = 4096 * 2 ** (Math.min(5, -fill) - 1);
    }
    l = { fill, maxCount, maxBytes, plainOver: plainOverFor(maxBytes) };
    limitsCache.set(fill, l);
  }
  return l;
}

/** Bytes of one length field for len. */
function lenSize(len: number): number {
  return len < 128 ? 1 : len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5;
}

/** The packed entry for v, as a string. */
export function encodeEntry(v: string): string {
  const len = v.length;
  if (len < 128) {
    const h = String.fromCharCode(len);
    return h + v + h;
  }
  const b = Buffer.allocUnsafe(len + 2 * lenSize(len));
  writeEntry(b, 0, v);
  return b.latin1Slice(0, b.length);
}

/** Writes the latin1 string s at b[p...]: a byte loop when short, else one latin1Write call (~40 ns). */
function put(b: Buffer, p: number, s: string): void {
  const len = s.length;
  if (len < 16) for (let i = 0; i < len; i++) b[p + i] = s.charCodeAt(i);
  else b.latin1Write(s, p, len);
}

/** Writes the packed entry for v at b[p...]; returns the position after it. */
function writeEntry(b: Buffer, p: number, v: string): number {
  const len = v.length;
  if (len < 128) {
    b[p++] = len;
    put(b, p, v);
    p += len;
    b[p++] = len;
    return p;
  }
  const h = lenSize(len);
  for (let i = 0; i < h; i++) b[p++] = ((len >>> (7 * i)) & 127) | (i < h - 1 ? 128 : 0);
  put(b, p, v);
  p += len;
  // right-readable: most significant group first, all but the leftmost flagged
  for (let i = h - 1; i >= 0; i--) b[p++] = ((len >>> (7 * i)) & 127) | (i < h - 1 ? 128 : 0);
  return p;
}

// Scratch results of the length readers and of locate() (no allocation per entry).
let rLen = 0;
let rHdr = 0;
let fNode = 0;
let fOff = 0;

/*
 * Length readers: a closed node's string (readFwd, readBack) or an open
 * node's buffer (readFwdB, readBackB), kept apart because one reader of both
 * slowed the closed-node loops (LRANGE) by a third; lengths of 128 and more
 * take the shared slow path.
 */

/** Reads the forward length at s[pos]: sets rLen, rHdr. */
function readFwd(s: string, pos: number): void {
  const c = s.charCodeAt(pos);
  if (c < 128) {
    rLen = c;
    rHdr = 1;
  } else readLong(s, null, pos, 1);
}

/** Reads the backward length ending at s[end] (exclusive): sets rLen, rHdr. */
function readBack(s: string, end: number): void {
  const c = s.charCodeAt(end - 1);
  if (c < 128) {
    rLen = c;
    rHdr = 1;
  } else readLong(s, null, end - 1, -1);
}

/** readFwd for the bytes of an open node. */
function readFwdB(b: Buffer, pos: number): void {
  const c = b[pos];
  if (c < 128) {
    rLen = c;
    rHdr = 1;
  } else readLong('', b, pos, 1);
}

/** readBack for the bytes of an open node. */
function readBackB(b: Buffer, end: number): void {
  const c = b[end - 1];
  if (c < 128) {
    rLen = c;
    rHdr = 1;
  } else readLong('', b, end - 1, -1);
}

/**
 * A length of several bytes from `at` (its least significant group), the
 * next groups at at + dir, at + 2 dir...: sets rLen, rHdr. From (s, b) as
 * the readers above: b null = the string s.
 */
function readLong(s: string, b: Buffer | null, at: number, dir: 1 | -1): void {
  let len = 0;
  let mul = 1;
  let h = 0;
  let c: number;
  do {
    c = b === null ? s.charCodeAt(at + dir * h) : b[at + dir * h];
    h++;
    len += (c & 127) * mul;
    mul *= 128;
  } while (c >= 128);
  rLen = len;
  rHdr = h;
}

/** Position in b after `k` entries from pos. */
function skipFwdB(b: Buffer, pos: number, k: number): number {
  for (; k > 0; k--) {
    const c = b[pos];
    if (c < 128) pos += c + 2;
    else {
      readFwdB(b, pos);
      pos += 2 * rHdr + rLen;
    }
  }
  return pos;
}

/** Position in s after `k` entries from pos. */
function skipFwd(s: string, pos: number, k: number): number {
  for (; k > 0; k--) {
    const c = s.charCodeAt(pos);
    if (c < 128) pos += c + 2;
    else {
      readFwd(s, pos);
      pos += 2 * rHdr + rLen;
    }
  }
  return pos;
}

/** An open node's bytes: b[lo, hi). */
class Win {
  /** reads of many entries since the last push (the second closes the node) */
  reads = 0;
  constructor(
    public b: Buffer,
    public lo: number,
    public hi: number,
  ) {}
}

/** The `w` of plain nodes. */
const PLAIN = new Win(Buffer.alloc(0), 0, 0);

class QNode {
  constructor(
    /** the packed entries (closed), the element (plain), '' (open) */
    public s: string,
    public n: number,
    /** null: closed; PLAIN; else the open node's bytes */
    public w: Win | null,
  ) {}

  /**
   * Bytes of the node: the object and its string (closed, plain), or the
   * object, its window and its own buffer (open; in SCRATCH, which all lists
   * share, only the bytes it holds there).
   */
  memoryUsage(): number {
    const w = this.w;
    if (w === null || w === PLAIN) return objBytes(3) + strBytes(this.s.length);
    return objBytes(3) + objBytes(4) + (w.b === SCRATCH ? w.hi - w.lo : bufferBytes(w.b.length));
  }

  /** Packed bytes (of a node that is not plain). */
  bytes(): number {
    const w = this.w;
    return w === null ? this.s.length : w.hi - w.lo;
  }

  /** The entries, in order. */
  values(): string[] {
    const w = this.w;
    if (w === PLAIN) return [this.s];
    const s = w === null ? this.s : w.b.latin1Slice(w.lo, w.hi);
    const out: string[] = new Array(this.n);
    let pos = 0;
    for (let k = 0; k < this.n; k++) {
      readFwd(s, pos);
      out[k] = s.slice(pos + rHdr, pos + rHdr + rLen);
      pos += 2 * rHdr + rLen;
    }
    return out;
  }

  /** The k-th entry (0 <= k < n), walking from the nearer end. */
  get(k: number): string {
    const w = this.w;
    if (w === PLAIN) return this.s;
    if (w !== null) {
      const b = w.b;
      if (k < this.n >> 1) {
        const pos = skipFwdB(b, w.lo, k);
        readFwdB(b, pos);
        return latin1(b, pos + rHdr, pos + rHdr + rLen);
      }
      let end = w.hi;
      for (let j = this.n - 1; ; j--) {
        readBackB(b, end);
        const start = end - rHdr - rLen;
        if (j === k) return latin1(b, start, end - rHdr);
        end = start - rHdr;
      }
    }
    const s = this.s;
    if (k < this.n >> 1) {
      let pos = 0;
      for (;;) {
        readFwd(s, pos);
        if (k-- === 0) return s.slice(pos + rHdr, pos + rHdr + rLen);
        pos += 2 * rHdr + rLen;
      }
    }
    let end = s.length;
    for (let j = this.n - 1; ; j--) {
      readBack(s, end);
      const start = end - rHdr - rLen;
      if (j === k) return s.slice(start, end - rHdr);
      end = start - rHdr;
    }
  }
}

// ---- open nodes ----

const SCRATCH = Buffer.allocUnsafeSlow(2 * SMALL);
/** the node open in SCRATCH */
let owner: QNode | null = null;
/** the node the last push went to: a small closed node takes SCRATCH on its second push in a row */
let lastPushed: QNode | null = null;
/** where middle edits pack their nodes (grown to the largest node limit used) */
let build = Buffer.allocUnsafeSlow(SIZE_SAFETY_LIMIT);

/** Makes an open node closed: its bytes become its string (exact size). */
function close(node: QNode): void {
  const w = node.w;
  if (w === null || w === PLAIN) return;
  node.s = latin1(w.b, w.lo, w.hi);
  node.w = null;
  if (owner === node) owner = null;
}

/** Forgets SCRATCH's owner if it is node (being dropped or rebuilt). */
function release(node: QNode): void {
  if (owner === node) owner = null;
}

/** After a pop from an open node: one in a buffer of its own that pops left small is closed. */
function popped(node: QNode, w: Win): void {
  const size = w.hi - w.lo;
  if (w.b !== SCRATCH && size <= SMALL && size * 4 < w.b.length) close(node);
}

/**
 * Opens node (closed or open, not plain) with at least `add` free bytes on
 * its tail side (atTail) or head side, moving its bytes when needed; `both`
 * when the node is the list's only one (pushes come to both sides). Returns
 * its Win.
 */
function room(node: QNode, add: number, atTail: boolean, both: boolean, lim: Limits): Win {
  const w = node.w;
  if (w !== null && (atTail ? w.hi + add <= w.b.length : w.lo >= add)) return w;
  const size = w === null ? node.s.length : w.hi - w.lo;
  const need = size + add;
  let b: Buffer;
  if (need <= SMALL) {
    if (owner !== node) {
      if (owner !== null) close(owner);
      owner = node;
    }
    b = SCRATCH;
  } else {
    if (w !== null && w.b !== SCRATCH && w.b.length - need >= (both ? need >> 1 : 0)) b = w.b;
    else b = Buffer.allocUnsafeSlow(both ? 2 * need : Math.max(need, Math.min(lim.maxBytes, need + (need >> 1))));
    release(node);
  }
  // the bytes plus the room: centred in b (both sides), else at b's far end
  const r = both ? (b.length - need) >> 1 : atTail ? 0 : b.length - need;
  const lo = atTail ? r : r + add;
  if (w === null) {
    put(b, lo, node.s);
    node.s = '';
    node.w = new Win(b, lo, lo + size);
    return node.w;
  }
  if (b === w.b) b.copyWithin(lo, w.lo, w.hi);
  else w.b.copy(b, lo, w.lo, w.hi);
  w.b = b;
  w.lo = lo;
  w.hi = lo + size;
  return w;
}

export class QuickList implements RObj {
  /**
   * The nodes, head first: null when empty, the node itself when there is
   * one — most lists: no array, 56 bytes less a list (a JS array and its
   * one-slot store) — else an array of them. Readers take `nodes` (a
   * one-node list hands out a temporary array); editors take editNodes()
   * and call settle() when done.
   */
  private ns: QNode | QNode[] | null = null;
  private len = 0;
  private lim: Limits;

  constructor(fill: number = -2) {
    this.lim = limitsFor(fill);
  }

  /** the list-max-listpack-size the list was created with */
  get fill(): number {
    return this.lim.fill;
  }

  /** The nodes as an array, for reading. */
  private get nodes(): QNode[] {
    const ns = this.ns;
    return ns === null ? [] : ns instanceof QNode ? [ns] : ns;
  }

  /** The nodes as an array kept on the list, for editing in place; settle() after the edit. */
  private editNodes(): QNode[] {
    const ns = this.ns;
    if (ns !== null && !(ns instanceof QNode)) return ns;
    const a = ns === null ? [] : [ns];
    this.ns = a;
    return a;
  }

  /** Back to the compact forms after an edit: null when empty, the node itself when one. */
  private settle(): void {
    const ns = this.ns;
    if (ns !== null && !(ns instanceof QNode) && ns.length <= 1) this.ns = ns.length === 0 ? null : ns[0];
  }

  /** Node i (0 <= i < nodeCount) without an array for a one-node list. */
  private nodeAt(i: number): QNode {
    const ns = this.ns!;
    return ns instanceof QNode ? ns : ns[i];
  }

  // ---- RObj (what a list key holds) ----
  get type(): 'list' {
    return 'list';
  }
  /** Redis 7.0 reports every list as "quicklist" (the listpack encoding of small lists came in 7.2). */
  encoding(): string {
    return 'quicklist';
  }
  /**
   * The object, the node array and the nodes: the first `samples` nodes give
   * the average for the rest, as Redis's objectComputeSize samples a
   * quicklist's nodes (RObj.memoryUsage).
   */
  memoryUsage(samples: number): number {
    const nodes = this.nodes;
    let bytes = 0;
    const seen = Math.min(samples, nodes.length);
    for (let i = 0; i < seen; i++) bytes += nodes[i].memoryUsage();
    // a one-node list holds its node itself (no array); more nodes are in a pushed array
    const array = this.ns === null || this.ns instanceof QNode ? 0 : literalPushedArrayBytes(nodes.length);
    return objBytes(3) + array + (seen === 0 ? 0 : Math.round((bytes / seen) * nodes.length));
  }

  /** one allocation per node (lazyfreeGetFreeEffort: the quicklist's node count) */
  freeEffort(): number {
    return this.nodeCount;
  }
  dup(): QuickList {
    const q = new QuickList(this.fill);
    q.len = this.len;
    q.ns = this.nodes.map((n) => {
      const w = n.w;
      return w === null || w === PLAIN ? new QNode(n.s, n.n, w) : new QNode(latin1(w.b, w.lo, w.hi), n.n, null);
    });
    q.settle();
    return q;
  }

  get length(): number {
    return this.len;
  }

  /** Number of nodes (for tests and memory reasoning). */
  get nodeCount(): number {
    const ns = this.ns;
    return ns === null ? 0 : ns instanceof QNode ? 1 : ns.length;
  }

  /**
   * Each node's form, entry count and bytes (the element's for a plain node,
   * its packed entries' otherwise), head first: for DEBUG OBJECT and DEBUG
   * QUICKLIST.
   */
  describeNodes(): { plain: boolean; entries: number; bytes: number }[] {
    return this.nodes.map((n) => ({ plain: n.w === PLAIN, entries: n.n, bytes: n.w === PLAIN ? n.s.length : n.bytes() }));
  }

  // ---- both ends ----

  /** A new end node holding v (plain for a big v). */
  private newNode(v: string, atTail: boolean, both: boolean): QNode {
    if (v.length > this.lim.plainOver) return new QNode(v, 1, PLAIN);
    const node = new QNode('', 1, null);
    this.addEntry(node, v, v.length + 2 * lenSize(v.length), atTail, both);
    return node;
  }

  /** Whether `add` more packed bytes fit in node. */
  private fits(node: QNode, add: number): boolean {
    return node.w !== PLAIN && node.n < this.lim.maxCount && node.bytes() + add <= this.lim.maxBytes;
  }

  /** Writes v's entry (`add` bytes) at node's tail or head side (n is the caller's). */
  private addEntry(node: QNode, v: string, add: number, atTail: boolean, both: boolean): void {
    if (node.w === null && lastPushed !== node && node.s.length + add <= SMALL) {
      // a small closed node not pushed in a row (many lists taking turns):
      // one copy of its string, and SCRATCH stays with its owner
      const e = encodeEntry(v);
      const s = atTail ? node.s + e : e + node.s;
      s.charCodeAt(0); // flat
      node.s = s;
    } else {
      const w = room(node, add, atTail, both, this.lim);
      if (atTail) w.hi = writeEntry(w.b, w.hi, v);
      else writeEntry(w.b, (w.lo -= add), v);
      w.reads = 0;
    }
    lastPushed = node;
  }

  pushTail(v: string): void {
    const count = this.nodeCount;
    this.len++;
    if (count > 0) {
      const last = this.nodeAt(count - 1);
      if (v.length <= this.lim.plainOver) {
        const add = v.length + 2 * lenSize(v.length);
        if (this.fits(last, add)) {
          this.addEntry(last, v, add, true, count === 1);
          last.n++;
          return;
        }
      }
      close(last); // complete: no longer an end node
      const node = this.newNode(v, true, false);
      if (count === 1) this.ns = [last, node];
      else (this.ns as QNode[]).push(node);
    } else this.ns = this.newNode(v, true, true);
  }

  pushHead(v: string): void {
    const count = this.nodeCount;
    this.len++;
    if (count > 0) {
      const first = this.nodeAt(0);
      if (v.length <= this.lim.plainOver) {
        const add = v.length + 2 * lenSize(v.length);
        if (this.fits(first, add)) {
          this.addEntry(first, v, add, false, count === 1);
          first.n++;
          return;
        }
      }
      close(first);
      const node = this.newNode(v, false, false);
      if (count === 1) this.ns = [node, first];
      else (this.ns as QNode[]).unshift(node);
    } else this.ns = this.newNode(v, false, true);
  }

  /** Removes the first (head) or last node, which holds one entry; returns it. */
  private dropEnd(head: boolean): string {
    const nodes = this.editNodes();
    const node = head ? nodes.shift()! : nodes.pop()!;
    this.settle();
    const v = node.get(0);
    release(node);
    return v;
  }

  popHead(): string | undefined {
    if (this.ns === null) return undefined;
    const node = this.nodeAt(0);
    this.len--;
    if (node.n === 1) return this.dropEnd(true);
    node.n--;
    const w = node.w;
    if (w !== null) {
      const b = w.b;
      readFwdB(b, w.lo);
      const a = w.lo + rHdr;
      w.lo = a + rHdr + rLen;
      const v = latin1(b, a, a + rLen);
      popped(node, w);
      return v;
    }
    const s = node.s;
    readFwd(s, 0);
    const v = s.slice(rHdr, rHdr + rLen);
    node.s = s.slice(2 * rHdr + rLen);
    return v;
  }

  popTail(): string | undefined {
    if (this.ns === null) return undefined;
    const node = this.nodeAt(this.nodeCount - 1);
    this.len--;
    if (node.n === 1) return this.dropEnd(false);
    node.n--;
    const w = node.w;
    if (w !== null) {
      const b = w.b;
      readBackB(b, w.hi);
      const z = w.hi - rHdr;
      w.hi = z - rLen - rHdr;
      const v = latin1(b, z - rLen, z);
      popped(node, w);
      return v;
    }
    const s = node.s;
    const end = s.length;
    readBack(s, end);
    const start = end - rHdr - rLen;
    const v = s.slice(start, end - rHdr);
    node.s = s.slice(0, start - rHdr);
    return v;
  }

  // ---- by index ----

  /** Node index and offset of element i (0 <= i < len): sets the module's fNode, fOff. */
  private locate(i: number): void {
    const ns = this.ns;
    if (ns instanceof QNode) {
      fNode = 0;
      fOff = i;
      return;
    }
    const nodes = ns!;
    if (i < this.len >> 1) {
      let ni = 0;
      while (i >= nodes[ni].n) i -= nodes[ni++].n;
      fNode = ni;
      fOff = i;
    } else {
      let rest = this.len - 1 - i; // distance from the tail
      let ni = nodes.length - 1;
      while (rest >= nodes[ni].n) rest -= nodes[ni--].n;
      fNode = ni;
      fOff = nodes[ni].n - 1 - rest;
    }
  }

  /** Element i; negative i counts from the tail (-1 = last). undefined when out of range. */
  index(i: number): string | undefined {
    if (i < 0) i += this.len;
    if (i < 0 || i >= this.len) return undefined;
    this.locate(i);
    return this.nodeAt(fNode).get(fOff);
  }

  /** Replaces element i (0 <= i < len). */
  set(i: number, v: string): void {
    this.locate(i);
    const ni = fNode;
    const vals = this.nodeAt(ni).values();
    vals[fOff] = v;
    this.rebuild(ni, 1, vals);
    this.settle();
  }

  /** Inserts v so that it becomes element i (0 <= i <= len). */
  insertAt(i: number, v: string): void {
    if (i === 0) return this.pushHead(v);
    if (i === this.len) return this.pushTail(v);
    this.locate(i);
    const ni = fNode;
    const vals = this.nodeAt(ni).values();
    vals.splice(fOff, 0, v);
    this.len++;
    this.rebuild(ni, 1, vals);
    this.settle();
  }

  /**
   * Replaces `count` nodes from node index ni with closed nodes holding vals
   * (packed to the limits; big elements in plain nodes). len is not changed
   * here. Leaves the nodes in an array (editNodes): the caller settles.
   */
  private rebuild(ni: number, count: number, vals: string[]): void {
    const nodes = this.editNodes();
    for (let j = ni; j < ni + count; j++) release(nodes[j]);
    const out: QNode[] = [];
    const lim = this.lim;
    if (build.length < lim.maxBytes) build = Buffer.allocUnsafeSlow(lim.maxBytes);
    const b = build;
    let p = 0;
    let n = 0;
    for (const v of vals) {
      if (v.length > lim.plainOver) {
        if (n > 0) out.push(new QNode(b.latin1Slice(0, p), n, null));
        out.push(new QNode(v, 1, PLAIN));
        p = n = 0;
        continue;
      }
      if (n > 0 && (n >= lim.maxCount || p + v.length + 2 * lenSize(v.length) > lim.maxBytes)) {
        out.push(new QNode(b.latin1Slice(0, p), n, null));
        p = n = 0;
      }
      p = writeEntry(b, p, v);
      n++;
    }
    if (n > 0) out.push(new QNode(b.latin1Slice(0, p), n, null));
    nodes.splice(ni, count, ...out);
  }

  /** Removes `count` elements starting at index start (0 <= start, start + count <= len). */
  deleteRange(start: number, count: number): void {
    if (count <= 0) return;
    if (start === 0 && count === this.len) {
      release(this.nodeAt(0));
      release(this.nodeAt(this.nodeCount - 1));
      this.ns = null;
      this.len = 0;
      return;
    }
    const nodes = this.editNodes();
    this.locate(start);
    let ni = fNode;
    let off = fOff;
    let left = count;
    this.len -= count;
    while (left > 0) {
      const node = nodes[ni];
      if (off === 0 && left >= node.n) {
        // the whole node
        nodes.splice(ni, 1);
        release(node);
        left -= node.n;
        continue;
      }
      const take = Math.min(left, node.n - off);
      const vals = node.values();
      vals.splice(off, take);
      left -= take;
      const before = nodes.length;
      this.rebuild(ni, 1, vals);
      ni += 1 + nodes.length - before;
      off = 0;
    }
    this.mergeSmallNodes();
    this.settle();
  }

  // ---- iteration ----

  /**
   * Calls fn(v) for elements start..end inclusive (0 <= start <= end < len),
   * head to tail.
   */
  forRange(start: number, end: number, fn: (v: string) => void): void {
    this.visitRange(start, end, {
      strBulk: (s, a, e) => fn(s.slice(a, e)),
      bufBulk: (b, a, e) => fn(latin1(b, a, e)),
    });
  }

  /**
   * Writes elements start..end inclusive as RESP bulk strings into w:
   * LRANGE's reply without a string per element.
   */
  writeRange(start: number, end: number, w: BulkWriter): void {
    this.visitRange(start, end, w);
  }

  /**
   * The one range walk: hands elements start..end inclusive (0 <= start <=
   * end < len), head to tail, to the sink as byte ranges read in place — of
   * a closed node's string or an open node's buffer. An open node read in
   * bulk (more than 4 entries) twice with no push between is closed first,
   * so read-mostly lists are read as strings.
   */
  private visitRange(start: number, end: number, sink: ElementSink): void {
    this.locate(start);
    const nodes = this.nodes;
    let left = end - start + 1;
    let skip = fOff;
    for (let ni = fNode; left > 0; ni++) {
      const node = nodes[ni];
      const win = node.w;
      if (win === PLAIN) {
        sink.strBulk(node.s, 0, node.s.length);
        left--;
        skip = 0;
        continue;
      }
      let take = Math.min(left, node.n - skip);
      left -= take;
      if (win !== null && take > 4 && ++win.reads > 1) close(node);
      const ow = node.w;
      if (ow !== null) {
        const b = ow.b;
        let pos = skipFwdB(b, ow.lo, skip);
        for (; take > 0; take--) {
          readFwdB(b, pos);
          const a = pos + rHdr;
          pos = a + rHdr + rLen;
          sink.bufBulk(b, a, a + rLen);
        }
      } else {
        const s = node.s;
        let pos = skipFwd(s, 0, skip);
        for (; take > 0; take--) {
          readFwd(s, pos);
          const a = pos + rHdr;
          pos = a + rHdr + rLen;
          sink.strBulk(s, a, a + rLen);
        }
      }
      skip = 0;
    }
  }

  /**
   * Walks the elements head to tail (fromHead) or tail to head, calling
   * fn(v, index); stops when fn returns false.
   */
  walk(fromHead: boolean, fn: (v: string, index: number) => boolean): void {
    const nodes = this.nodes;
    let idx = fromHead ? 0 : this.len - 1;
    for (let j = 0; j < nodes.length; j++) {
      const node = nodes[fromHead ? j : nodes.length - 1 - j];
      let w = node.w;
      if (w === PLAIN) {
        if (!fn(node.s, fromHead ? idx++ : idx--)) return;
        continue;
      }
      // an open node's bytes decoded once; read twice with no push between, it is closed
      if (w !== null && ++w.reads > 1) {
        close(node);
        w = null;
      }
      const s = w === null ? node.s : w.b.latin1Slice(w.lo, w.hi);
      if (fromHead) {
        let pos = 0;
        for (let k = 0; k < node.n; k++) {
          readFwd(s, pos);
          const a = pos + rHdr;
          pos = a + rHdr + rLen;
          if (!fn(s.slice(a, a + rLen), idx++)) return;
        }
      } else {
        let end = s.length;
        for (let k = 0; k < node.n; k++) {
          readBack(s, end);
          const a = end - rHdr - rLen;
          const v = s.slice(a, end - rHdr);
          end = a - rHdr;
          if (!fn(v, idx--)) return;
        }
      }
    }
  }

  /** The whole list as an array (tests, small lists). */
  toArray(): string[] {
    const out: string[] = [];
    for (const node of this.nodes) for (const v of node.values()) out.push(v);
    return out;
  }

  /**
   * LREM: removes elements equal to v — the first `count` from the head
   * (count > 0), the last -count from the tail (count < 0), or all (0).
   * Returns the number removed. Rebuilds only the nodes that held a match.
   */
  removeValue(v: string, count: number): number {
    const nodes = this.editNodes();
    let limit = count === 0 ? Infinity : Math.abs(count);
    let removed = 0;
    const enc = encodeEntry(v);
    const fromHead = count >= 0;
    for (let ni = fromHead ? 0 : nodes.length - 1; ni >= 0 && ni < nodes.length && limit > 0; ) {
      const node = nodes[ni];
      const w = node.w;
      // quick reject: the element, or its packed entry (with its lengths), does not occur in the node
      if (w === PLAIN ? node.s !== v : w === null ? node.s.indexOf(enc) === -1 : w.b.subarray(w.lo, w.hi).indexOf(enc, 0, 'latin1') === -1) {
        ni += fromHead ? 1 : -1;
        continue;
      }
      const vals = node.values();
      const kept: string[] = [];
      if (fromHead) {
        for (let k = 0; k < vals.length; k++) {
          if (limit > 0 && vals[k] === v) {
            limit--;
            removed++;
          } else kept.push(vals[k]);
        }
      } else {
        for (let k = vals.length - 1; k >= 0; k--) {
          if (limit > 0 && vals[k] === v) {
            limit--;
            removed++;
          } else kept.push(vals[k]);
        }
        kept.reverse();
      }
      if (kept.length === vals.length) {
        ni += fromHead ? 1 : -1;
        continue;
      }
      const before = nodes.length;
      this.rebuild(ni, 1, kept);
      if (fromHead) ni += 1 + nodes.length - before;
      else ni -= 1;
    }
    this.len -= removed;
    this.mergeSmallNodes();
    this.settle();
    return removed;
  }

  /** Merges neighbouring nodes that fit together (after middle deletions left small nodes). */
  private mergeSmallNodes(): void {
    const nodes = this.editNodes();
    const lim = this.lim;
    for (let i = 0; i + 1 < nodes.length; ) {
      const a = nodes[i];
      const b = nodes[i + 1];
      if (a.w !== PLAIN && b.w !== PLAIN && a.n + b.n <= lim.maxCount && a.bytes() + b.bytes() <= lim.maxBytes) {
        close(a);
        close(b);
        a.s = a.s + b.s;
        a.s.charCodeAt(0); // flat
        a.n += b.n;
        nodes.splice(i + 1, 1);
      } else i++;
    }
  }
}
