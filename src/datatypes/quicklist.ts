/**
 * QuickList: the list type's storage, after Redis's quicklist — a sequence of
 * nodes, each holding a run of elements packed into one latin1 JS string.
 *
 * Why packed strings: a JS array of strings costs ~32 bytes per element (an
 * 8-byte slot plus a 24-byte string object) where Redis's listpack spends 5
 * for a 3-byte element. Packing a node's elements into one string costs the
 * element plus 2 bytes, and one 16-byte header per node.
 *
 * Entry format (like a listpack entry without integer encoding):
 *   [len, LEB128 forward] [the bytes] [len again, readable from the right]
 * The trailing length lets a node be walked backwards (tail pops, negative
 * indexes) as Redis's backlen does. For len < 128 both lengths are one byte.
 * The right-readable form writes the 7-bit groups most significant first,
 * every byte but the leftmost flagged 0x80 ("more to the left").
 *
 * Node invariants: `n` >= 1 entries; `s` is the packed entries, or, for a
 * "plain" node (`pend` === -1), the one element itself, unpacked — used for
 * elements too big to share a node (no copy of a large value; Redis's plain
 * nodes). Nodes never hold 0 entries: an emptied node is removed.
 *
 * Node size follows list-max-listpack-size (`fill`): positive = at most that
 * many entries (and 8 KB, Redis's SIZE_SAFETY_LIMIT); -1..-5 = at most
 * 4/8/16/32/64 KB of packed bytes. Redis 7.0 always reports the list's
 * encoding as "quicklist", so node boundaries are not observable; they only
 * bound the cost of the O(node) operations.
 *
 * Costs: push/pop at either end O(1) amortized. V8 turns `s + entry` into a
 * rope (ConsString) of ~50 bytes per piece; `pend` counts appends since the
 * node string was last flat. A node is flattened (a charCodeAt forces it)
 * when its pending pieces reach a quarter of its entries (geometric, so the
 * copying totals a few times the node's size), when it is complete (the next
 * push starts a new node), and after each push command if it is at most
 * SETTLE_BYTES (settle(): a small list then costs its packed bytes plus one
 * string header).
 * Pops slice the node string (V8 slices share the parent: O(1)).
 * Indexing walks nodes from the nearer end, then entries from the nearer end
 * of the node: O(nodes + node entries), as Redis's quicklistGetIteratorAtIdx.
 * Middle edits (LSET, LINSERT, LREM, LTRIM's partial nodes) rebuild the
 * touched nodes: O(node size), as listpack edits are.
 *
 * Values are latin1 strings (one char per byte). Pure: imports nothing of the
 * server. `type`/`encoding()`/`dup()` make a QuickList the RObj that a list
 * key holds.
 */

const FLATTEN_EVERY = 16;
/** end nodes up to this size are flattened after every push command */
const SETTLE_BYTES = 4096;
/** Redis's SIZE_SAFETY_LIMIT: the byte bound of nodes under a positive fill */
const SIZE_SAFETY_LIMIT = 8192;

interface Limits {
  fill: number;
  maxCount: number;
  maxBytes: number;
  /** elements longer than this get a plain node of their own */
  plainOver: number;
}

const limitsCache = new Map<number, Limits>();

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
    l = { fill, maxCount, maxBytes, plainOver: maxBytes >> 1 };
    limitsCache.set(fill, l);
  }
  return l;
}

/** Bytes of one length field for len. */
function lenSize(len: number): number {
  return len < 128 ? 1 : len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5;
}

/** The packed entry for v. */
export function encodeEntry(v: string): string {
  const len = v.length;
  if (len < 128) {
    const h = String.fromCharCode(len);
    return h + v + h;
  }
  let fwd = '';
  let n = len;
  while (n >= 128) {
    fwd += String.fromCharCode((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  fwd += String.fromCharCode(n);
  // right-readable: most significant group first, all but the leftmost flagged
  let back = '';
  for (let i = fwd.length - 1; i >= 0; i--) {
    const g = fwd.charCodeAt(i) & 127;
    back += String.fromCharCode(i === fwd.length - 1 ? g : g | 128);
  }
  return fwd + v + back;
}

// Scratch results of the length readers and of locate() (no allocation per entry).
let rLen = 0;
let rHdr = 0;
let fNode = 0;
let fOff = 0;

/** Reads the forward length at pos: sets rLen, rHdr. */
function readFwd(s: string, pos: number): void {
  let b = s.charCodeAt(pos);
  if (b < 128) {
    rLen = b;
    rHdr = 1;
    return;
  }
  let len = b & 127;
  let mul = 128;
  let h = 1;
  do {
    b = s.charCodeAt(pos + h++);
    len += (b & 127) * mul;
    mul *= 128;
  } while (b >= 128);
  rLen = len;
  rHdr = h;
}

/** Reads the backward length ending at end (exclusive): sets rLen, rHdr. */
function readBack(s: string, end: number): void {
  let b = s.charCodeAt(end - 1);
  if (b < 128) {
    rLen = b;
    rHdr = 1;
    return;
  }
  let len = b & 127;
  let mul = 128;
  let h = 1;
  do {
    b = s.charCodeAt(end - 1 - h++);
    len += (b & 127) * mul;
    mul *= 128;
  } while (b >= 128);
  rLen = len;
  rHdr = h;
}

/** Makes the node's string flat (V8 flattens a rope on charCodeAt). */
function flatten(node: QNode): void {
  node.s.charCodeAt(0);
  node.pend = 0;
}

class QNode {
  /** appends since the string was last flattened; -1 marks a plain node */
  pend: number;
  constructor(
    public s: string,
    public n: number,
    plain: boolean,
  ) {
    this.pend = plain ? -1 : 0;
  }

  get plain(): boolean {
    return this.pend === -1;
  }

  /** The entries, in order. */
  values(): string[] {
    if (this.pend === -1) return [this.s];
    const out: string[] = new Array(this.n);
    const s = this.s;
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
    if (this.pend === -1) return this.s;
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

export class QuickList {
  private nodes: QNode[] = [];
  private len = 0;
  private lim: Limits;

  constructor(fill: number = -2) {
    this.lim = limitsFor(fill);
  }

  /** the list-max-listpack-size the list was created with */
  get fill(): number {
    return this.lim.fill;
  }

  // ---- RObj (what a list key holds) ----
  get type(): 'list' {
    return 'list';
  }
  /** Redis 7.0 reports every list as "quicklist" (the listpack encoding of small lists came in 7.2). */
  encoding(): string {
    return 'quicklist';
  }
  dup(): QuickList {
    const q = new QuickList(this.fill);
    q.len = this.len;
    q.nodes = this.nodes.map((n) => new QNode(n.s, n.n, n.plain));
    return q;
  }

  get length(): number {
    return this.len;
  }

  /** Number of nodes (for tests and memory reasoning). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  // ---- both ends ----

  private newNode(v: string): QNode {
    return v.length > this.lim.plainOver ? new QNode(v, 1, true) : new QNode(encodeEntry(v), 1, false);
  }

  private fits(node: QNode, add: number): boolean {
    return node.pend !== -1 && node.n < this.lim.maxCount && node.s.length + add <= this.lim.maxBytes;
  }

  pushTail(v: string): void {
    const nodes = this.nodes;
    const last = nodes.length === 0 ? null : nodes[nodes.length - 1];
    const add = v.length + 2 * lenSize(v.length);
    if (last !== null && v.length <= this.lim.plainOver && this.fits(last, add)) {
      last.s = last.s + encodeEntry(v);
      last.n++;
      if (++last.pend >= FLATTEN_EVERY && last.pend >= last.n >> 2) flatten(last);
    } else {
      if (last === null) this.nodes = [this.newNode(v)]; // exact-size backing store for the common one-node list
      else {
        if (last.pend > 0) flatten(last); // a node is complete: keep it flat
        nodes.push(this.newNode(v));
      }
    }
    this.len++;
  }

  pushHead(v: string): void {
    const nodes = this.nodes;
    const first = nodes.length === 0 ? null : nodes[0];
    const add = v.length + 2 * lenSize(v.length);
    if (first !== null && v.length <= this.lim.plainOver && this.fits(first, add)) {
      first.s = encodeEntry(v) + first.s;
      first.n++;
      if (++first.pend >= FLATTEN_EVERY && first.pend >= first.n >> 2) flatten(first);
    } else {
      if (first === null) this.nodes = [this.newNode(v)];
      else {
        if (first.pend > 0) flatten(first);
        nodes.unshift(this.newNode(v));
      }
    }
    this.len++;
  }

  popHead(): string | undefined {
    const nodes = this.nodes;
    if (nodes.length === 0) return undefined;
    const node = nodes[0];
    this.len--;
    if (node.n === 1) {
      nodes.shift();
      return node.pend === -1 ? node.s : node.get(0);
    }
    const s = node.s;
    readFwd(s, 0);
    const v = s.slice(rHdr, rHdr + rLen);
    node.s = s.slice(2 * rHdr + rLen);
    node.n--;
    return v;
  }

  popTail(): string | undefined {
    const nodes = this.nodes;
    if (nodes.length === 0) return undefined;
    const node = nodes[nodes.length - 1];
    this.len--;
    if (node.n === 1) {
      nodes.pop();
      return node.pend === -1 ? node.s : node.get(0);
    }
    const s = node.s;
    const end = s.length;
    readBack(s, end);
    const start = end - rHdr - rLen;
    const v = s.slice(start, end - rHdr);
    node.s = s.slice(0, start - rHdr);
    node.n--;
    return v;
  }

  /**
   * Called after a command's pushes: end nodes of up to SETTLE_BYTES are
   * flattened now (cheap, and a small list then costs its packed bytes plus
   * one string header); bigger nodes follow the geometric rule of the pushes.
   */
  settle(): void {
    const nodes = this.nodes;
    if (nodes.length === 0) return;
    const a = nodes[0];
    if (a.pend > 0 && a.s.length <= SETTLE_BYTES) flatten(a);
    const b = nodes[nodes.length - 1];
    if (b.pend > 0 && b.s.length <= SETTLE_BYTES) flatten(b);
  }

  // ---- by index ----

  /** Node index and offset of element i (0 <= i < len): sets the module's fNode, fOff. */
  private locate(i: number): void {
    const nodes = this.nodes;
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
    return this.nodes[fNode].get(fOff);
  }

  /** Replaces element i (0 <= i < len). */
  set(i: number, v: string): void {
    this.locate(i);
    const ni = fNode;
    const vals = this.nodes[ni].values();
    vals[fOff] = v;
    this.rebuild(ni, 1, vals);
  }

  /** Inserts v so that it becomes element i (0 <= i <= len). */
  insertAt(i: number, v: string): void {
    if (i === 0) return this.pushHead(v);
    if (i === this.len) return this.pushTail(v);
    this.locate(i);
    const ni = fNode;
    const vals = this.nodes[ni].values();
    vals.splice(fOff, 0, v);
    this.len++;
    this.rebuild(ni, 1, vals);
  }

  /**
   * Replaces `count` nodes from node index ni with nodes holding vals (packed
   * to the limits; big elements in plain nodes). len is not changed here.
   */
  private rebuild(ni: number, count: number, vals: string[]): void {
    const out: QNode[] = [];
    let cur = '';
    let n = 0;
    const lim = this.lim;
    for (const v of vals) {
      if (v.length > lim.plainOver) {
        if (n > 0) out.push(new QNode(cur, n, false));
        out.push(new QNode(v, 1, true));
        cur = '';
        n = 0;
        continue;
      }
      const e = encodeEntry(v);
      if (n > 0 && (n >= lim.maxCount || cur.length + e.length > lim.maxBytes)) {
        out.push(new QNode(cur, n, false));
        cur = '';
        n = 0;
      }
      cur += e;
      n++;
    }
    if (n > 0) out.push(new QNode(cur, n, false));
    for (const node of out) if (node.pend !== -1) node.s.charCodeAt(0); // flat
    this.nodes.splice(ni, count, ...out);
  }

  /** Removes `count` elements starting at index start (0 <= start, start + count <= len). */
  deleteRange(start: number, count: number): void {
    if (count <= 0) return;
    if (start === 0 && count === this.len) {
      this.nodes = [];
      this.len = 0;
      return;
    }
    const nodes = this.nodes;
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
  }

  // ---- iteration ----

  /**
   * Calls fn(v) for elements start..end inclusive (0 <= start <= end < len),
   * head to tail.
   */
  forRange(start: number, end: number, fn: (v: string) => void): void {
    this.locate(start);
    const nodes = this.nodes;
    let ni = fNode;
    let left = end - start + 1;
    let node = nodes[ni];
    // byte position of entry fOff in the first node
    let pos = 0;
    if (node.pend !== -1) for (let k = 0; k < fOff; k++) {
      readFwd(node.s, pos);
      pos += 2 * rHdr + rLen;
    }
    let k = fOff;
    while (left > 0) {
      if (node.pend === -1) {
        fn(node.s);
        left--;
      } else {
        const s = node.s;
        for (; k < node.n && left > 0; k++, left--) {
          readFwd(s, pos);
          const a = pos + rHdr;
          pos = a + rHdr + rLen;
          fn(s.slice(a, a + rLen));
        }
      }
      if (left === 0) break;
      node = nodes[++ni];
      pos = 0;
      k = 0;
    }
  }

  /**
   * Walks the elements head to tail (fromHead) or tail to head, calling
   * fn(v, index); stops when fn returns false.
   */
  walk(fromHead: boolean, fn: (v: string, index: number) => boolean): void {
    const nodes = this.nodes;
    if (fromHead) {
      let idx = 0;
      for (let ni = 0; ni < nodes.length; ni++) {
        const node = nodes[ni];
        if (node.pend === -1) {
          if (!fn(node.s, idx++)) return;
          continue;
        }
        const s = node.s;
        let pos = 0;
        for (let k = 0; k < node.n; k++) {
          readFwd(s, pos);
          const a = pos + rHdr;
          pos = a + rHdr + rLen;
          if (!fn(s.slice(a, a + rLen), idx++)) return;
        }
      }
    } else {
      let idx = this.len - 1;
      for (let ni = nodes.length - 1; ni >= 0; ni--) {
        const node = nodes[ni];
        if (node.pend === -1) {
          if (!fn(node.s, idx--)) return;
          continue;
        }
        const s = node.s;
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
    const nodes = this.nodes;
    let limit = count === 0 ? Infinity : Math.abs(count);
    let removed = 0;
    const enc = encodeEntry(v);
    const fromHead = count >= 0;
    for (let ni = fromHead ? 0 : nodes.length - 1; ni >= 0 && ni < nodes.length && limit > 0; ) {
      const node = nodes[ni];
      // quick reject: the packed entry (with its lengths) does not occur in the node
      if (node.pend === -1 ? node.s !== v : node.s.indexOf(enc) === -1) {
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
    return removed;
  }

  /** Merges neighbouring nodes that fit together (after middle deletions left small nodes). */
  private mergeSmallNodes(): void {
    const nodes = this.nodes;
    const lim = this.lim;
    for (let i = 0; i + 1 < nodes.length; ) {
      const a = nodes[i];
      const b = nodes[i + 1];
      if (a.pend !== -1 && b.pend !== -1 && a.n + b.n <= lim.maxCount && a.s.length + b.s.length <= lim.maxBytes) {
        a.s = a.s + b.s;
        a.s.charCodeAt(0);
        a.n += b.n;
        a.pend = 0;
        nodes.splice(i + 1, 1);
      } else i++;
    }
  }
}
