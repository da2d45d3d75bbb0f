/**
 * Dict: a chained hash table from binary-safe (latin1) string keys to values,
 * shaped like Redis's dict so that the keyspace can give Redis's guarantees.
 *
 * Design
 * - Entries live in a slab of parallel arrays indexed by a slot number:
 *   `keys[slot]`, `vals[slot]`, `hashes[slot]`, `nexts[slot]` (the chain link).
 *   A slot is stable for the life of its entry, so callers may keep per-slot
 *   side arrays (expiry times, LRU clocks, snapshot versions) keyed by slot.
 *   Freed slots are reused through a free list threaded through `nexts`.
 * - Buckets are Int32Arrays of power-of-two size holding `slot + 1` (0 = empty),
 *   so a fresh table needs no fill.
 * - Growth is incremental as in Redis: when the table is full (load factor 1)
 *   a second table of twice the size is allocated and every operation moves one
 *   bucket (plus `rehashFor(ms)` from the server cron). Only bucket links move;
 *   entries never do, and stored hashes mean no key is hashed twice.
 * - SCAN uses Redis's reverse-binary cursor over bucket indexes, which returns
 *   every entry present for the whole scan even while the table grows, shrinks
 *   or is rehashing (entries may be returned more than once).
 * - No JS Map is involved, so a Dict holds far more than Map's 2^24 entries
 *   (the bound is V8's array length, about 1.3e8 slots).
 *
 * Invariants: size = number of live slots; when rehashIdx = -1, t1 is null;
 * buckets of t0 below rehashIdx are empty.
 */

import { arrayBytes, objBytes, pushedCapacity, typedBytes } from '../util/v8-size.js';

let seed = (Math.random() * 0x7fffffff) | 0;

/** Sets the hash seed (tests use a fixed seed for reproducible SCAN order). */
export function setHashSeed(s: number): void {
  seed = s | 0;
}

/** A seeded 32-bit multiplicative hash of a latin1 string (murmur-style mixing). */
export function hashString(s: string): number {
  let h = seed ^ s.length;
  const n = s.length;
  let i = 0;
  // four latin1 chars (bytes) per round
  for (; i + 3 < n; i += 4) {
    let k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = s.charCodeAt(i);
    if (i + 1 < n) k |= s.charCodeAt(i + 1) << 8;
    if (i + 2 < n) k |= s.charCodeAt(i + 2) << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * Redis's dict_can_resize: while a child process saves, tables do not grow
 * until they hold five times their size, nor shrink (Redis avoids touching
 * memory the fork shares); set by the server (dictSetResizePolicy).
 */
let resizeAllowed: () => boolean = () => true;
const FORCE_RESIZE_RATIO = 5;

/** Installs the resize policy: a function saying whether tables may resize now. */
export function dictSetResizePolicy(allowed: () => boolean): void {
  resizeAllowed = allowed;
}

const MIN_BUCKETS = 4;
const MIN_SLAB = 8;

/** Reverses the 32 bits of v (the SCAN cursor increments in reverse-binary order). */
export function rev32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/** A copy of a with room for n elements (holey past a's end, which no slot below `top` reads). */
function sized<T>(a: T[], n: number): T[] {
  const b = new Array<T>(n);
  for (let i = 0; i < a.length; i++) b[i] = a[i];
  return b;
}

export class Dict<V> {
  keys: (string | undefined)[] = [];
  vals: (V | undefined)[] = [];
  hashes: Int32Array = new Int32Array(MIN_SLAB);
  nexts: Int32Array = new Int32Array(MIN_SLAB);
  /** slots ever used (slab high-water mark) */
  top = 0;
  private freeHead = -1;
  private t0: Int32Array = new Int32Array(MIN_BUCKETS);
  private m0 = MIN_BUCKETS - 1;
  private t1: Int32Array | null = null;
  private m1 = 0;
  private rehashIdx = -1;
  size = 0;
  /** Called with the new slab capacity when the slab grows (side arrays follow it). */
  onSlabGrow: ((cap: number) => void) | null = null;
  /**
   * Redis's dictType.expandAllowed: asked before the bucket table doubles,
   * with the new table's bytes and the load factor; false keeps the table
   * (the keyspace's: not when the new table would pass maxmemory).
   */
  expandAllowed: ((moreBytes: number, usedRatio: number) => boolean) | null = null;

  /**
   * Bytes of the table itself, without its keys and values: the object, the
   * slab's arrays (keys, vals: grown as by push; hashes, nexts) and the
   * bucket tables (both while rehashing). For MEMORY USAGE and MEMORY STATS.
   */
  tableBytes(): number {
    const slots = arrayBytes(pushedCapacity(this.keys.length));
    const t1 = this.t1 === null ? 0 : typedBytes(this.t1.byteLength);
    return objBytes(13) + 2 * slots + typedBytes(this.hashes.byteLength) + typedBytes(this.nexts.byteLength) + typedBytes(this.t0.byteLength) + t1;
  }

  /**
   * Bytes of the keys (latin1 strings) of up to `samples` live slots, and how
   * many were measured: the caller extrapolates to `size` (MEMORY USAGE's
   * sampling).
   */
  sampleKeyBytes(samples: number, strBytes: (len: number) => number): [bytes: number, measured: number] {
    let bytes = 0;
    let seen = 0;
    const keys = this.keys;
    for (let i = 0; i < this.top && seen < samples; i++) {
      const k = keys[i];
      if (k === undefined) continue;
      bytes += strBytes(k.length);
      seen++;
    }
    return [bytes, seen];
  }

  get slabCapacity(): number {
    return this.nexts.length;
  }

  /** Returns the slot of key, or -1. */
  find(key: string): number {
    if (this.size === 0) return -1;
    if (this.rehashIdx !== -1) this.rehashStep();
    const h = hashString(key);
    const keys = this.keys;
    const hashes = this.hashes;
    const nexts = this.nexts;
    let slot = this.t0[h & this.m0] - 1;
    while (slot >= 0) {
      if (hashes[slot] === h && keys[slot] === key) return slot;
      slot = nexts[slot];
    }
    if (this.t1 !== null) {
      slot = this.t1[h & this.m1] - 1;
      while (slot >= 0) {
        if (hashes[slot] === h && keys[slot] === key) return slot;
        slot = nexts[slot];
      }
    }
    return -1;
  }

  get(key: string): V | undefined {
    const s = this.find(key);
    return s === -1 ? undefined : this.vals[s];
  }

  has(key: string): boolean {
    return this.find(key) !== -1;
  }

  /** Inserts or overwrites; returns the slot. */
  set(key: string, val: V): number {
    const s = this.find(key);
    if (s !== -1) {
      this.vals[s] = val;
      return s;
    }
    return this.insertNew(key, val);
  }

  /**
   * Inserts a key known to be absent (the caller has just looked it up).
   * Returns its slot.
   */
  insertNew(key: string, val: V): number {
    return this.insertHashed(key, val, hashString(key));
  }

  /**
   * dictAddRaw: inserts key unless it is present, hashing it once and
   * walking its chain once (find + insertNew hash and walk twice). Returns
   * the new slot, or -1 when the key was already there (nothing changed).
   */
  addIfAbsent(key: string, val: V): number {
    if (this.rehashIdx !== -1) this.rehashStep();
    const h = hashString(key);
    if (this.size !== 0) {
      const keys = this.keys;
      const hashes = this.hashes;
      const nexts = this.nexts;
      let slot = this.t0[h & this.m0] - 1;
      while (slot >= 0) {
        if (hashes[slot] === h && keys[slot] === key) return -1;
        slot = nexts[slot];
      }
      if (this.t1 !== null) {
        slot = this.t1[h & this.m1] - 1;
        while (slot >= 0) {
          if (hashes[slot] === h && keys[slot] === key) return -1;
          slot = nexts[slot];
        }
      }
    }
    return this.insertHashed(key, val, h);
  }

  /**
   * dictExpand: makes room for n entries at once, as Redis does with an RDB
   * file's RESIZEDB counts — buckets for n (so adding them starts no
   * incremental rehash) and a slab of n slots (so it is not copied as it
   * grows, nor left up to half empty). Smaller than the table: no change.
   */
  expand(n: number): void {
    if (this.rehashIdx !== -1 || !resizeAllowed()) return;
    let buckets = MIN_BUCKETS;
    while (buckets < n) buckets *= 2;
    if (buckets > this.t0.length) {
      if (this.size === 0) {
        this.t0 = new Int32Array(buckets);
        this.m0 = buckets - 1;
      } else this.startRehash(buckets);
    }
    if (n > this.nexts.length) {
      this.growSlabTo(n);
      // the key and value arrays get their n slots at once (filled up to top): no copy, no slack
      if (n > this.keys.length) {
        this.keys = sized(this.keys, n);
        this.vals = sized(this.vals, n);
      }
    }
  }

  private insertHashed(key: string, val: V, h: number): number {
    if (
      this.rehashIdx === -1 &&
      this.size >= this.t0.length &&
      (Math.floor(this.size / this.t0.length) > FORCE_RESIZE_RATIO || resizeAllowed()) &&
      (this.expandAllowed === null || this.expandAllowed(typedBytes(this.t0.byteLength * 2), this.size / this.t0.length))
    ) {
      this.startRehash(this.t0.length * 2);
    } else if (this.rehashIdx !== -1) this.rehashStep();
    let slot: number;
    if (this.freeHead !== -1) {
      slot = this.freeHead;
      this.freeHead = this.nexts[slot];
      this.keys[slot] = key;
      this.vals[slot] = val;
    } else {
      slot = this.top++;
      if (slot >= this.nexts.length) this.growSlab();
      // an append (or a store into the room expand() made)
      this.keys[slot] = key;
      this.vals[slot] = val;
    }
    this.hashes[slot] = h;
    if (this.t1 !== null) {
      const b = h & this.m1;
      this.nexts[slot] = this.t1[b] - 1;
      this.t1[b] = slot + 1;
    } else {
      const b = h & this.m0;
      this.nexts[slot] = this.t0[b] - 1;
      this.t0[b] = slot + 1;
    }
    this.size++;
    return slot;
  }

  /** Removes key; returns the freed slot or -1 when absent. */
  delete(key: string): number {
    if (this.size === 0) return -1;
    if (this.rehashIdx !== -1) this.rehashStep();
    const h = hashString(key);
    let s = this.unlinkFrom(this.t0, h & this.m0, h, key);
    if (s === -1 && this.t1 !== null) s = this.unlinkFrom(this.t1, h & this.m1, h, key);
    if (s === -1) return -1;
    this.keys[s] = undefined;
    this.vals[s] = undefined;
    this.nexts[s] = this.freeHead;
    this.freeHead = s;
    this.size--;
    this.maybeShrink();
    return s;
  }

  private unlinkFrom(t: Int32Array, b: number, h: number, key: string): number {
    let prev = -1;
    let slot = t[b] - 1;
    while (slot >= 0) {
      if (this.hashes[slot] === h && this.keys[slot] === key) {
        if (prev === -1) t[b] = this.nexts[slot] + 1;
        else this.nexts[prev] = this.nexts[slot];
        return slot;
      }
      prev = slot;
      slot = this.nexts[slot];
    }
    return -1;
  }

  /** Removes everything. */
  clear(): void {
    this.keys = [];
    this.vals = [];
    this.hashes = new Int32Array(MIN_SLAB);
    this.nexts = new Int32Array(MIN_SLAB);
    this.top = 0;
    this.freeHead = -1;
    this.t0 = new Int32Array(MIN_BUCKETS);
    this.m0 = MIN_BUCKETS - 1;
    this.t1 = null;
    this.rehashIdx = -1;
    this.size = 0;
    if (this.onSlabGrow) this.onSlabGrow(MIN_SLAB);
  }

  private growSlab(): void {
    const old = this.nexts.length;
    this.growSlabTo(old < 1024 ? old * 2 : Math.floor(old * 1.5));
  }

  private growSlabTo(cap: number): void {
    const h = new Int32Array(cap);
    h.set(this.hashes);
    this.hashes = h;
    const n = new Int32Array(cap);
    n.set(this.nexts);
    this.nexts = n;
    if (this.onSlabGrow) this.onSlabGrow(cap);
  }

  private maybeShrink(): void {
    // Redis resizes when fill drops under 10%; we shrink at 1/8 to a table that fits.
    if (this.rehashIdx !== -1) return;
    const n = this.t0.length;
    if (n > MIN_BUCKETS && this.size * 8 < n && resizeAllowed()) {
      let target = MIN_BUCKETS;
      while (target < this.size) target *= 2;
      if (target < n) this.startRehash(target);
    }
  }

  private startRehash(buckets: number): void {
    this.t1 = new Int32Array(buckets);
    this.m1 = buckets - 1;
    this.rehashIdx = 0;
    // tiny tables move in one go
    if (this.t0.length <= 64) this.rehashBuckets(this.t0.length);
  }

  /** Moves one bucket (and skips up to 10 empty ones), as Redis's _dictRehashStep. */
  private rehashStep(): void {
    this.rehashBuckets(1);
  }

  /** Moves up to n buckets; returns true when rehashing is still in progress. */
  rehashBuckets(n: number): boolean {
    if (this.rehashIdx === -1 || this.t1 === null) return false;
    const t0 = this.t0;
    const t1 = this.t1;
    const m1 = this.m1;
    let emptyVisits = n * 10;
    while (n-- > 0 && this.rehashIdx < t0.length) {
      while (t0[this.rehashIdx] === 0) {
        this.rehashIdx++;
        if (this.rehashIdx >= t0.length) break;
        if (--emptyVisits === 0) return true;
      }
      if (this.rehashIdx >= t0.length) break;
      let slot = t0[this.rehashIdx] - 1;
      while (slot >= 0) {
        const next = this.nexts[slot];
        const b = this.hashes[slot] & m1;
        this.nexts[slot] = t1[b] - 1;
        t1[b] = slot + 1;
        slot = next;
      }
      t0[this.rehashIdx] = 0;
      this.rehashIdx++;
    }
    if (this.rehashIdx >= t0.length) {
      this.t0 = t1;
      this.m0 = m1;
      this.t1 = null;
      this.m1 = 0;
      this.rehashIdx = -1;
      return false;
    }
    return true;
  }

  /** Rehashes for about `ms` milliseconds (server cron); returns true if more remains. */
  rehashFor(ms: number): boolean {
    if (this.rehashIdx === -1) return false;
    const end = Date.now() + ms;
    while (this.rehashBuckets(100)) {
      if (Date.now() >= end) return true;
    }
    return false;
  }

  get isRehashing(): boolean {
    return this.rehashIdx !== -1;
  }

  get bucketCount(): number {
    return this.t0.length + (this.t1 ? this.t1.length : 0);
  }

  /**
   * The chain length of every bucket of the main table and, while
   * rehashing, of the target table (DEBUG HTSTATS, Redis's dictGetStats).
   */
  chainLengths(): Int32Array[] {
    const out: Int32Array[] = [];
    for (const t of this.t1 === null ? [this.t0] : [this.t0, this.t1]) {
      const lens = new Int32Array(t.length);
      for (let b = 0; b < t.length; b++) for (let slot = t[b] - 1; slot >= 0; slot = this.nexts[slot]) lens[b]++;
      out.push(lens);
    }
    return out;
  }

  /**
   * One SCAN step: calls fn(slot) for every entry of the bucket(s) the cursor
   * names and returns the next cursor (0 when the scan is complete).
   */
  scan(cursor: number, fn: (slot: number) => void): number {
    if (this.size === 0) return 0;
    let v = cursor >>> 0;
    if (this.t1 === null) {
      const m = this.m0;
      this.emitBucket(this.t0, v & m, fn);
      v = (v | ~m) >>> 0;
      v = rev32(v);
      v = (v + 1) >>> 0;
      v = rev32(v);
    } else {
      let small = this.t0,
        ms = this.m0,
        large = this.t1,
        ml = this.m1;
      if (small.length > large.length) {
        small = this.t1;
        ms = this.m1;
        large = this.t0;
        ml = this.m0;
      }
      this.emitBucket(small, v & ms, fn);
      do {
        this.emitBucket(large, v & ml, fn);
        v = (v | ~ml) >>> 0;
        v = rev32(v);
        v = (v + 1) >>> 0;
        v = rev32(v);
      } while ((v & (ms ^ ml)) !== 0);
    }
    return v;
  }

  private emitBucket(t: Int32Array, b: number, fn: (slot: number) => void): void {
    let slot = t[b] - 1;
    while (slot >= 0) {
      const next = this.nexts[slot];
      fn(slot);
      slot = next;
    }
  }

  /** A uniformly random live slot, or -1 when empty. */
  randomSlot(): number {
    if (this.size === 0) return -1;
    const keys = this.keys;
    if (this.size * 16 >= this.top) {
      for (;;) {
        const s = Math.floor(Math.random() * this.top);
        if (keys[s] !== undefined) return s;
      }
    }
    // sparse slab: pick a random non-empty bucket, then a random chain element
    for (;;) {
      const useT1 = this.t1 !== null && Math.random() * this.bucketCount >= this.t0.length;
      const t = useT1 ? this.t1! : this.t0;
      const b = Math.floor(Math.random() * t.length);
      let slot = t[b] - 1;
      if (slot < 0) continue;
      let len = 0;
      for (let s = slot; s >= 0; s = this.nexts[s]) len++;
      let k = Math.floor(Math.random() * len);
      while (k-- > 0) slot = this.nexts[slot];
      return slot;
    }
  }

  /** Calls fn(slot) for every live entry, in slab order. fn must not mutate the dict. */
  forEachSlot(fn: (slot: number) => void): void {
    const keys = this.keys;
    const top = this.top;
    for (let s = 0; s < top; s++) if (keys[s] !== undefined) fn(s);
  }
}
