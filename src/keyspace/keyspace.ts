/**
 * The keyspace: the server's databases, the write path every mutation passes,
 * and expiry (lazy on access, plus Redis's active cycle).
 *
 * Each database is a Dict (see datatypes/dict.ts) plus side arrays indexed by
 * the Dict's stable slot numbers:
 * - `lru`: Redis's per-object clock (seconds, 24 bits used), for OBJECT
 *   IDLETIME / FREQ and eviction;
 * - `exp`: absolute expiry in ms (0 = none), allocated only once a database
 *   has its first key with a TTL, so a TTL-free dataset pays nothing;
 * - `ttlSlots`/`ttlPos`: a dense list of the slots that have a TTL, so that the
 *   active cycle samples keys with a TTL uniformly in O(1), like Redis sampling
 *   its `expires` dict.
 *
 * The write path: every mutation goes through setKey / deleteKey / the
 * lookupKeyWrite that precedes an in-place change. Each of them calls
 * `beforeWrite` (the snapshot chokepoint), `signalModifiedKey` (WATCH, tracking) and
 * counts `dirty`. Expiry deletions additionally feed `onExpired` (propagation
 * of DEL and the `expired` notification).
 *
 * Accounting (used_memory's dataset part, what maxmemory evicts against): a
 * side array `mem` holds what each slot's key and value were last measured
 * at (entryBytes: V8's bytes as MEMORY USAGE counts them, sampled), and
 * `dataBytes` their sum, per database and for the keyspace. A new or
 * replaced value is measured at once; a value that may change in place is
 * measured again when the change settles (the lookups for writing, the new
 * collections and `modified` queue the key, `settle` runs before used memory
 * is read, or every SETTLE_MAX keys), and a deleted key
 * takes back exactly what it was counted at, so the sum never drifts from
 * the per-key figures. Reading it is Redis's zmalloc counter: a sum, not a
 * walk of the heap (whose garbage counts until the collector runs).
 *
 * Time: `now` is the command's time, cached by the pipeline at the start of
 * each command as Redis caches mstime, so a key does not expire halfway through
 * a command or a transaction. Tests replace `clock` to drive expiry.
 */
import { Dict } from '../datatypes/dict.js';
import { Listeners } from '../util/listeners.js';
import { strBytes, typedBytes } from '../util/v8-size.js';
import type { Value } from './value.js';
import { NOTIFY_EXPIRED, NOTIFY_KEY_MISS, NOTIFY_NEW } from './notify.js';

/** What a snapshot in progress is told by the write path (persistence/snapshot.ts). */
/**
 * The latest expiry time kept: the largest double below 2^63. Redis keeps
 * int64 milliseconds and accepts up to 2^63 - 1; a JS number rounds that up
 * to 2^63, which no int64 writer takes. TTLs this far out (year 292,277,026)
 * lose their last three digits, nothing else.
 */
export const MAX_EXPIRE_MS = 9223372036854774784;

/**
 * A listener of the keyspace's signalModifiedKey: key of db changed;
 * `internal` when the server removed it (expiry, eviction), not a command.
 */
export type ModifiedKeyListener = (db: Db, key: string, internal: boolean) => void;

export interface SnapshotHooks {
  beforeWrite(db: Db, slot: number): void;
  inserted(db: Db, slot: number): void;
  beforeFlush(db: Db): void;
  afterSwap(a: Db, b: Db): void;
}

export const LRU_CLOCK_MAX = (1 << 24) - 1;
export const LRU_CLOCK_RESOLUTION = 1000; // ms
export const LFU_INIT_VAL = 5;

/** From this many keys on, a key's share of its table is measured rather than taken as a slot's cost. */
const SHARED_TABLE_MIN_KEYS = 1024;
/** Bytes of an empty database's table (a fresh Dict and side arrays): not charged to the keys. */
const EMPTY_TABLE_BYTES = new Dict<Value>().tableBytes() + typedBytes(8 * 4) + typedBytes(0);

/**
 * What a flushed key counts for in `dropped` (flushing is O(1): the values
 * are not walked): about what a small key costs (bench/memory.js: 118 bytes
 * per string key, 220-580 per 10-element collection).
 */
const DROPPED_PER_KEY = 128;

/**
 * About how many bytes dropping v frees, for the idle collector: a string's
 * length, and for a collection its free effort (allocations) times a small
 * element's size. O(1) except for streams (their node count).
 */
function droppedBytes(v: Value): number {
  if (typeof v === 'string') return 64 + v.length;
  if (v.type === 'string') return 64 + (v.buf !== null ? v.buf.length : v.length);
  return 64 + 48 * v.freeEffort();
}

/** Redis's HASHTABLE_MAX_LOAD_FACTOR: a table this full grows even past maxmemory */
const HASHTABLE_MAX_LOAD_FACTOR = 1.618;
/** Elements a collection is measured on when accounted (MEMORY USAGE's default SAMPLES, as Redis). */
const ACCOUNT_SAMPLES = 5;
/** Keys changed in place that wait to be measured again before the queue settles by itself. */
const SETTLE_MAX = 1024;
/** The largest figure a slot's accounting holds (a Uint32Array): a value beyond 4 GB counts as 4 GB. */
const MEM_MAX = 0xffffffff;

/**
 * What a key and its value are accounted at in used_memory: the key string's
 * bytes and the value's (MEMORY USAGE's figure without the table's share,
 * which used_memory counts as the table's bytes).
 */
export function entryBytes(key: string, v: Value): number {
  const b = strBytes(key.length) + (typeof v === 'string' ? strBytes(v.length) : v.memoryUsage(ACCOUNT_SAMPLES));
  return b < MEM_MAX ? b : MEM_MAX;
}

export class Db {
  readonly id: number;
  dict = new Dict<Value>();
  lru: Uint32Array = new Uint32Array(8);
  /** bytes each slot's key and value are accounted at (see the header), 0 for a free slot */
  mem: Uint32Array = new Uint32Array(8);
  /** the sum of `mem`: this database's share of used_memory's dataset */
  dataBytes = 0;
  exp: Float64Array | null = null;
  ttlPos: Int32Array | null = null;
  ttlSlots: Int32Array = new Int32Array(0);
  ttlCount = 0;
  /** sum of TTLs sampled by the active cycle, for INFO keyspace avg_ttl */
  avgTtl = 0;

  constructor(
    id: number,
    readonly ks: Keyspace,
  ) {
    this.id = id;
    this.dict.onSlabGrow = (cap) => this.growSide(cap);
    this.dict.expandAllowed = ks.dictExpandAllowed;
  }

  get size(): number {
    return this.dict.size;
  }

  /**
   * Bytes of the database's table: the Dict's (without keys and values) and
   * the side arrays indexed by its slots (lru; exp, ttlPos and ttlSlots once
   * a key had a TTL). MEMORY STATS' overhead.hashtable.main / .expires.
   */
  tableBytes(): { main: number; expires: number } {
    const main = this.dict.tableBytes() + typedBytes(this.lru.byteLength) + typedBytes(this.mem.byteLength);
    const exp = this.exp === null ? 0 : typedBytes(this.exp.byteLength) + typedBytes(this.ttlPos!.byteLength);
    return { main, expires: exp + typedBytes(this.ttlSlots.byteLength) };
  }

  /** the shape tableBytesTotal last measured (slab, buckets, TTL arrays) and its bytes */
  private tbShape = [-1, -1, -1, -1, -1];
  private tbBytes = 0;

  /**
   * tableBytes' main + expires, remeasured only when the table's shape
   * changed (the slab or the buckets grew or shrank, the TTL arrays came or
   * grew): used_memory reads it for every database before every command
   * under maxmemory.
   */
  tableBytesTotal(): number {
    const d = this.dict;
    const s = this.tbShape;
    const a = d.keys.length;
    const b = d.nexts.length;
    const c = d.bucketCount;
    const e = this.exp === null ? 0 : this.exp.length;
    const t = this.ttlSlots.length;
    if (a !== s[0] || b !== s[1] || c !== s[2] || e !== s[3] || t !== s[4]) {
      s[0] = a;
      s[1] = b;
      s[2] = c;
      s[3] = e;
      s[4] = t;
      const tb = this.tableBytes();
      this.tbBytes = tb.main + tb.expires;
    }
    return this.tbBytes;
  }

  /**
   * What the table costs per key: what one more slot takes (a key and a
   * value pointer, hash, chain link, LRU clock, bucket; expiry and its index
   * when the database has TTLs), or, in a database of many keys, the table's
   * bytes beyond an empty database's shared among them when that is more
   * (the slab's free room). MEMORY USAGE adds it to every key, as Redis adds
   * a dictEntry. Small databases get the slot's cost: their tables' minimum
   * sizes would otherwise weigh on a handful of keys.
   */
  perKeyOverhead(): number {
    const n = this.dict.size;
    const slot = 32 + (this.exp === null ? 0 : 16);
    if (n < SHARED_TABLE_MIN_KEYS) return slot;
    const t = this.tableBytes();
    return Math.max(slot, Math.round((t.main + t.expires - EMPTY_TABLE_BYTES) / n));
  }

  growSide(cap: number): void {
    if (cap <= 8 && this.dict.size === 0) {
      // cleared
      this.lru = new Uint32Array(cap);
      this.mem = new Uint32Array(cap);
      this.exp = null;
      this.ttlPos = null;
      this.ttlSlots = new Int32Array(0);
      this.ttlCount = 0;
      return;
    }
    const l = new Uint32Array(cap);
    l.set(this.lru.subarray(0, Math.min(this.lru.length, cap)));
    this.lru = l;
    const m = new Uint32Array(cap);
    m.set(this.mem.subarray(0, Math.min(this.mem.length, cap)));
    this.mem = m;
    if (this.exp !== null) {
      const e = new Float64Array(cap);
      e.set(this.exp.subarray(0, Math.min(this.exp.length, cap)));
      this.exp = e;
      const p = new Int32Array(cap);
      p.set(this.ttlPos!.subarray(0, Math.min(this.ttlPos!.length, cap)));
      this.ttlPos = p;
    }
  }

  // ---- accounting (used_memory's dataset: see the header) ----

  /** Measures slot's key and value again and moves the sums by the difference. */
  account(slot: number, key: string, val: Value): void {
    const b = entryBytes(key, val);
    const d = b - this.mem[slot];
    if (d === 0) return;
    this.mem[slot] = b;
    this.dataBytes += d;
    this.ks.dataBytes += d;
  }

  /** Takes back what slot was accounted at (its entry is going). */
  unaccount(slot: number): void {
    const b = this.mem[slot];
    this.mem[slot] = 0;
    this.dataBytes -= b;
    this.ks.dataBytes -= b;
  }

  // ---- raw slot access (no expiry checks) ----

  /** The slot of key regardless of expiry, or -1. */
  findSlot(key: string): number {
    return this.dict.find(key);
  }

  expireOfSlot(slot: number): number {
    const e = this.exp;
    return e === null ? 0 : e[slot];
  }

  /** True when the slot's key has a TTL that has passed (at the command's time). */
  slotExpired(slot: number): boolean {
    const e = this.exp;
    if (e === null) return false;
    const t = e[slot];
    return t !== 0 && t <= this.ks.now;
  }

  /**
   * Redis's expireIfNeeded: deletes the key behind slot when it has expired.
   * Returns true if it did (the key is then gone).
   */
  expireIfNeeded(slot: number): boolean {
    if (!this.slotExpired(slot)) return false;
    // replicas/loading, and a CLIENT PAUSE: logically expired, kept
    if (this.ks.noExpireDeletes || this.ks.expirePaused) return !this.ks.masterClientRunning;
    const key = this.dict.keys[slot]!;
    if (this.ks.latencyMonitorOn) {
      // Redis's deleteExpiredKeyAndPropagate: the deletion is the latency monitor's "expire-del" event
      const t0 = Date.now();
      this.deleteSlot(slot, key);
      this.ks.latencyHook?.('expire-del', Date.now() - t0);
    } else this.deleteSlot(slot, key);
    this.ks.stats.expiredKeys++;
    this.ks.notify(NOTIFY_EXPIRED, 'expired', key, this);
    this.ks.onExpired(this, key);
    // deleteExpiredKeyAndPropagate signals the key (WATCH, tracking) with no client
    this.ks.signalModifiedKey(this, key, true);
    return true;
  }

  // ---- access clock (LRU, or LFU under an LFU maxmemory policy) ----

  /** Records an access to slot: the LRU clock, or Redis's logarithmic LFU counter. */
  touch(slot: number): void {
    const ks = this.ks;
    if (ks.lfu) this.lru[slot] = ks.lfuUpdate(this.lru[slot]);
    else this.lru[slot] = ks.lruClock;
  }

  /** OBJECT FREQ: the decayed LFU counter of slot. */
  lfuFreq(slot: number): number {
    return this.ks.lfuDecr(this.lru[slot]);
  }

  // ---- lookups ----

  /** lookupKeyRead: the value, or undefined if missing/expired; counts hits and misses, touches LRU. */
  lookupRead(key: string): Value | undefined {
    const slot = this.dict.find(key);
    if (slot === -1 || this.expireIfNeeded(slot)) {
      this.ks.stats.keyspaceMisses++;
      this.notify(NOTIFY_KEY_MISS, 'keymiss', key);
      return undefined;
    }
    this.ks.stats.keyspaceHits++;
    if (!this.ks.noTouch) this.touch(slot);
    return this.dict.vals[slot];
  }

  /**
   * lookupKeyReadWithFlags(LOOKUP_NOTOUCH): the value, or undefined if
   * missing/expired; counts hits and misses but leaves the access clock, and
   * sends "keymiss" unless `notifyMiss` is false (LOOKUP_NONOTIFY). What
   * EXISTS, TYPE, the TTL family and OBJECT read with.
   */
  lookupReadNoTouch(key: string, notifyMiss = true): Value | undefined {
    const slot = this.dict.find(key);
    if (slot === -1 || this.expireIfNeeded(slot)) {
      this.ks.stats.keyspaceMisses++;
      if (notifyMiss) this.notify(NOTIFY_KEY_MISS, 'keymiss', key);
      return undefined;
    }
    this.ks.stats.keyspaceHits++;
    return this.dict.vals[slot];
  }

  /**
   * lookupKeyWrite: the value the caller is about to modify in place, or
   * undefined. Runs the write chokepoint for an existing key.
   */
  lookupWrite(key: string): Value | undefined {
    const slot = this.dict.find(key);
    if (slot === -1 || this.expireIfNeeded(slot)) return undefined;
    if (!this.ks.noTouch) this.touch(slot);
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, slot);
    this.ks.queueSettle(this, key);
    return this.dict.vals[slot];
  }

  /**
   * lookupWrite for a caller that will replace the value: the key's slot, or
   * -1 when it is missing or expired. Runs the write chokepoint for an
   * existing key. Pair with replaceValue (one hash lookup for the whole
   * read-modify-write, as INCR does).
   */
  lookupWriteSlot(key: string): number {
    const slot = this.dict.find(key);
    if (slot === -1 || this.expireIfNeeded(slot)) return -1;
    if (!this.ks.noTouch) this.touch(slot);
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, slot);
    this.ks.queueSettle(this, key);
    return slot;
  }

  /** The value at a slot from lookupWriteSlot. */
  valueAt(slot: number): Value {
    return this.dict.vals[slot]!;
  }

  /**
   * The same bytes in another representation at a slot from lookupWriteSlot
   * (Redis's dbUnshareStringValue: a shared or embstr string made raw before
   * an in-place edit): no change is counted or signalled by itself.
   */
  reshapeValue(slot: number, val: Value): void {
    this.dict.vals[slot] = val;
    // another representation costs other bytes
    this.ks.queueSettle(this, this.dict.keys[slot]!);
  }

  /**
   * The write chokepoint for a value found by a read lookup and edited in
   * place after all (PFCOUNT caching the cardinality in the HLL's header).
   */
  beforeEdit(slot: number): void {
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, slot);
    this.ks.queueSettle(this, this.dict.keys[slot]!);
  }

  /** Redis's dbReplaceValue: a new value at an existing slot (from lookupWriteSlot), TTL kept; signals and counts the change. */
  replaceValue(slot: number, key: string, val: Value): void {
    this.dict.vals[slot] = val;
    this.account(slot, key, val);
    this.ks.signalModifiedKey(this, key);
    this.ks.dirty++;
  }

  /** Existence without touching stats or LRU (EXISTS still expires lazily). */
  exists(key: string): boolean {
    const slot = this.dict.find(key);
    return slot !== -1 && !this.expireIfNeeded(slot);
  }

  /** Value without side effects on stats/LRU but with lazy expiry; for internal use. */
  peek(key: string): Value | undefined {
    const slot = this.dict.find(key);
    if (slot === -1 || this.expireIfNeeded(slot)) return undefined;
    return this.dict.vals[slot];
  }

  // ---- the write path ----

  /**
   * setKey: stores val at key (creating or overwriting). Clears the TTL unless
   * keepTtl. Signals the modification (WATCH) and counts dirty.
   */
  setKey(key: string, val: Value, keepTtl = false): void {
    let slot = this.dict.find(key);
    if (slot !== -1 && this.slotExpired(slot)) {
      this.expireIfNeeded(slot);
      slot = -1;
    }
    if (slot === -1) {
      slot = this.dict.insertNew(key, val);
      this.lru[slot] = this.ks.newObjectClock();
      this.account(slot, key, val);
      if (this.ks.beforeWrite !== null) this.ks.snapshotInserted(this, slot);
      if (this.ks.addedHook !== null) this.ks.addedHook(this, key, val);
      this.ks.notify(NOTIFY_NEW, 'new', key, this);
    } else {
      if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, slot);
      this.ks.dropped += droppedBytes(this.dict.vals[slot]!);
      this.dict.vals[slot] = val;
      this.account(slot, key, val);
      if (!keepTtl) this.removeExpireSlot(slot);
      // Redis's dbOverwrite: under LFU the new value inherits the old counter
      if (!this.ks.lfu) this.lru[slot] = this.ks.lruClock;
    }
    // an object may still be edited by the command that stored it (SETRANGE's unshared string): measured again then
    if (typeof val !== 'string') this.ks.queueSettle(this, key);
    this.ks.signalModifiedKey(this, key);
    this.ks.dirty++;
  }

  /** dbAdd: key must be absent (caller checked). Returns the slot. */
  add(key: string, val: Value): number {
    const slot = this.dict.insertNew(key, val);
    this.lru[slot] = this.ks.newObjectClock();
    this.account(slot, key, val);
    // a collection is often added empty and filled after (LPUSH, HSET, ZADD): measured again when that settles
    if (typeof val !== 'string') this.ks.queueSettle(this, key);
    if (this.ks.beforeWrite !== null) this.ks.snapshotInserted(this, slot);
    if (this.ks.addedHook !== null) this.ks.addedHook(this, key, val);
    this.ks.notify(NOTIFY_NEW, 'new', key, this);
    this.ks.signalModifiedKey(this, key);
    this.ks.dirty++;
    return slot;
  }

  /**
   * dbAddRDBLoad: adds a key read from an RDB file when it is absent
   * (hashed and looked up once). Returns its slot, or -1 when the key is
   * present (nothing changed; the caller decides). As Redis's, it fires no
   * keyspace event, signals no WATCH and counts no change: nothing can watch
   * a database being loaded.
   */
  addRdbLoad(key: string, val: Value): number {
    const slot = this.dict.addIfAbsent(key, val);
    if (slot === -1) return -1;
    this.lru[slot] = this.ks.newObjectClock();
    this.account(slot, key, val);
    if (this.ks.beforeWrite !== null) this.ks.snapshotInserted(this, slot);
    return slot;
  }

  /** notifyKeyspaceEvent for a key of this database. */
  notify(type: number, event: string, key: string): void {
    if ((this.ks.notifyFlags & type) !== 0) this.ks.notify(type, event, key, this);
  }

  /** Marks an in-place modification of key (after lookupWrite). */
  modified(key: string): void {
    this.ks.queueSettle(this, key);
    this.ks.signalModifiedKey(this, key);
    this.ks.dirty++;
  }

  /** dbDelete: removes key if present (expired or not). Returns true if it existed and was live. */
  delete(key: string): boolean {
    const slot = this.dict.find(key);
    if (slot === -1) return false;
    if (this.expireIfNeeded(slot)) return false;
    this.deleteSlot(slot, key);
    this.ks.signalModifiedKey(this, key);
    this.ks.dirty++;
    return true;
  }

  /** Removes the entry at slot unconditionally (no signals). */
  deleteSlot(slot: number, key: string): void {
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, slot);
    this.ks.dropped += droppedBytes(this.dict.vals[slot]!);
    this.removeExpireSlot(slot);
    this.unaccount(slot);
    this.dict.delete(key);
  }

  // ---- expiry ----

  /** Sets an absolute expiry (ms) on an existing key's slot. */
  setExpireSlot(slot: number, when: number): void {
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, slot);
    if (this.exp === null) {
      const cap = this.dict.slabCapacity;
      this.exp = new Float64Array(cap);
      this.ttlPos = new Int32Array(cap);
    }
    if (this.exp[slot] === 0) {
      // add to the dense list
      if (this.ttlCount === this.ttlSlots.length) {
        const n = new Int32Array(Math.max(16, this.ttlSlots.length * 2));
        n.set(this.ttlSlots);
        this.ttlSlots = n;
      }
      this.ttlSlots[this.ttlCount] = slot;
      this.ttlPos![slot] = ++this.ttlCount;
    }
    // a double holds no int64 beyond 2^63 - 1024: the largest TTL stays a valid int64 wherever it is written (RDB, PEXPIREAT, PEXPIRETIME)
    this.exp[slot] = when < MAX_EXPIRE_MS ? when : MAX_EXPIRE_MS;
  }

  setExpire(key: string, when: number): boolean {
    const slot = this.dict.find(key);
    if (slot === -1) return false;
    this.setExpireSlot(slot, when);
    return true;
  }

  /** Removes the TTL of slot; returns true if it had one. */
  removeExpireSlot(slot: number): boolean {
    const e = this.exp;
    if (e === null || e[slot] === 0) return false;
    if (this.ks.beforeWrite !== null) this.ks.beforeWrite(this, slot);
    e[slot] = 0;
    const pos = this.ttlPos![slot] - 1;
    const last = this.ttlSlots[--this.ttlCount];
    this.ttlSlots[pos] = last;
    this.ttlPos![last] = pos + 1;
    this.ttlPos![slot] = 0;
    return true;
  }

  /** Absolute expiry of key in ms, 0 for none, -1 if the key does not exist. Lazy expiry applies. */
  getExpire(key: string): number {
    const slot = this.dict.find(key);
    if (slot === -1 || this.expireIfNeeded(slot)) return -1;
    return this.expireOfSlot(slot);
  }

  get expiresCount(): number {
    return this.ttlCount;
  }

  /** Random live key (expired keys sampled are deleted, as Redis's dbRandomKey). */
  randomKey(): string | null {
    let tries = 0;
    while (this.dict.size > 0) {
      const slot = this.dict.randomSlot();
      const key = this.dict.keys[slot]!;
      if (this.exp !== null && this.exp[slot] !== 0) {
        // If all keys are volatile and we tried many times, return an expired key
        // rather than looping forever (Redis does the same on replicas).
        if (this.ttlCount === this.dict.size && ++tries > 100) return key;
        if (this.expireIfNeeded(slot)) continue;
      }
      return key;
    }
    return null;
  }

  /**
   * SWAPDB: exchanges the contents of two databases. Clients keep pointing at
   * their Db object (their db number), as Redis's clients keep their db index.
   */
  swapWith(o: Db): void {
    // the keys queued for measuring name their database object, whose contents are about to change
    this.ks.settle();
    const t = { dict: this.dict, lru: this.lru, mem: this.mem, dataBytes: this.dataBytes, exp: this.exp, ttlPos: this.ttlPos, ttlSlots: this.ttlSlots, ttlCount: this.ttlCount, avgTtl: this.avgTtl };
    this.dict = o.dict;
    this.lru = o.lru;
    this.mem = o.mem;
    this.dataBytes = o.dataBytes;
    this.exp = o.exp;
    this.ttlPos = o.ttlPos;
    this.ttlSlots = o.ttlSlots;
    this.ttlCount = o.ttlCount;
    this.avgTtl = o.avgTtl;
    o.dict = t.dict;
    o.lru = t.lru;
    o.mem = t.mem;
    o.dataBytes = t.dataBytes;
    o.exp = t.exp;
    o.ttlPos = t.ttlPos;
    o.ttlSlots = t.ttlSlots;
    o.ttlCount = t.ttlCount;
    o.avgTtl = t.avgTtl;
    this.dict.onSlabGrow = (cap) => this.growSide(cap);
    o.dict.onSlabGrow = (cap) => o.growSide(cap);
    for (const s of this.ks.snapshots) s.afterSwap(this, o);
  }

  /** Empties the database; returns the number of keys removed. */
  flush(): number {
    for (const s of this.ks.snapshots) s.beforeFlush(this);
    const n = this.dict.size;
    this.ks.dataBytes -= this.dataBytes;
    this.dataBytes = 0;
    this.dict.clear();
    this.ks.dirty += n;
    this.ks.dropped += n * DROPPED_PER_KEY;
    return n;
  }
}

export interface KeyspaceStats {
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReachedCount: number;
  expireCycleCpuMs: number;
  evictedKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

export class Keyspace {
  dbs: Db[] = [];
  /** The command's cached time in ms. */
  now = Date.now();
  clock: () => number = Date.now;
  /** Redis's LRU clock: seconds, wrapping at 24 bits. */
  lruClock = 0;
  dirty = 0;
  /**
   * Estimated bytes of values dropped (deleted, overwritten, flushed) since
   * the start, only ever growing: the idle collector (server/idle-gc.ts)
   * compares it with its figure at the last full collection, because the
   * heap does not shrink by itself when data is dropped.
   */
  dropped = 0;
  /** the keys and values' bytes as accounted (Db.dataBytes summed): used_memory's dataset, once settled */
  dataBytes = 0;
  /** keys changed in place, to be measured again (settle), and their databases */
  private settleDbs: Db[] = [];
  private settleKeys: string[] = [];
  /** Set for the duration of a command issued by a CLIENT NO-TOUCH client. */
  noTouch = false;
  /** Replicas and loading keep logically expired keys. */
  noExpireDeletes = false;
  /** a replica's master client runs: expired keys are still there for it (it sends the DELs) */
  masterClientRunning = false;
  /** clients are paused (CLIENT PAUSE): expired keys are not deleted either, lazily or actively */
  expirePaused = false;
  activeExpireEnabled = true;
  /** an LFU maxmemory policy is selected: the per-key clock holds LFU data */
  lfu = false;
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  stats: KeyspaceStats = {
    expiredKeys: 0,
    expiredStalePerc: 0,
    expiredTimeCapReachedCount: 0,
    expireCycleCpuMs: 0,
    evictedKeys: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
  };
  /** Snapshot chokepoint: called before an existing entry is changed or removed (set while a snapshot runs). */
  beforeWrite: ((db: Db, slot: number) => void) | null = null;
  /**
   * The snapshots in progress (persistence/snapshot.ts). While there is one,
   * `beforeWrite` is installed and new entries, flushes and swaps are
   * reported to them.
   */
  readonly snapshots: SnapshotHooks[] = [];
  /**
   * The listeners of signalModifiedKey (`modified.fn`: null while nobody
   * listens, so writes pay one null test): WATCH (server/multi.ts) while a
   * key is watched, client-side caching (server/tracking.ts) while keys are
   * tracked. Each installs itself only while it has something to do.
   */
  readonly modified = new Listeners<ModifiedKeyListener>();
  /** server/blocking.ts, only while an XREADGROUP client waits: every change to a key (its stream deleted or replaced) */
  blockedKeyHook: ((db: Db, key: string) => void) | null = null;
  /** Called before a database is flushed, or swapped with another (WATCH's touchAllWatchedKeysInDb). */
  flushedHook: ((emptied: Db, replacedWith: Db | null) => void) | null = null;
  /**
   * Called once per flush (not per database, not for SWAPDB), after
   * flushedHook: client-side caching's null invalidation (Redis's
   * trackingInvalidateKeysOnFlush in signalFlushedDb).
   */
  flushSignalHook: (() => void) | null = null;
  /**
   * Called after a key is created (Redis's dbAdd: add, and setKey on an absent
   * key): the blocking machinery's signalKeyAsReady (server/blocking.ts).
   */
  addedHook: ((db: Db, key: string, val: Value) => void) | null = null;
  /**
   * Redis's overMaxmemoryAfterAlloc, installed by the server: would used
   * memory pass maxmemory with `bytes` more? (null: no limit is known)
   */
  overMaxmemoryAfterAlloc: ((bytes: number) => boolean) | null = null;
  /**
   * Redis's dictExpandAllowed for the databases' tables: below a load factor
   * of 1.618 a table does not double when the new buckets would pass
   * maxmemory (the doubling could cost more than the keys it holds and make
   * the next command evict); above it, it does whatever it costs.
   */
  readonly dictExpandAllowed = (moreBytes: number, usedRatio: number): boolean =>
    usedRatio > HASHTABLE_MAX_LOAD_FACTOR || this.overMaxmemoryAfterAlloc === null || !this.overMaxmemoryAfterAlloc(moreBytes);
  /** the latency monitor is on (latency-monitor-threshold > 0): expiry times its deletions for latencyHook */
  latencyMonitorOn = false;
  /** a latency event the keyspace measured (ms), for the server's latency monitor */
  latencyHook: ((event: string, ms: number) => void) | null = null;
  /** Called after a key is deleted because it expired (propagate DEL, notify 'expired'). */
  expiredHook: ((db: Db, key: string) => void) | null = null;
  private expireDb = 0;

  constructor(databases: number) {
    for (let i = 0; i < databases; i++) this.dbs.push(new Db(i, this));
    this.updateClock();
  }

  /**
   * Redis's emptyData(-1): every database emptied (one change per key), the
   * WATCHers of their keys signalled first. Returns the keys removed.
   */
  emptyData(): number {
    this.signalFlushedDb(null);
    let n = 0;
    for (const db of this.dbs) n += db.flush();
    return n;
  }

  /** Redis's signalFlushedDb: db (every database when null) is about to be emptied. */
  signalFlushedDb(db: Db | null): void {
    if (this.flushedHook !== null) {
      if (db !== null) this.flushedHook(db, null);
      else for (const d of this.dbs) this.flushedHook(d, null);
    }
    if (this.flushSignalHook !== null) this.flushSignalHook();
  }

  updateClock(): void {
    this.setNow(this.clock());
  }

  /** Sets the command's cached time (ms) and the LRU clock derived from it. */
  setNow(ms: number): void {
    this.now = ms;
    this.lruClock = Math.floor(ms / LRU_CLOCK_RESOLUTION) & LRU_CLOCK_MAX;
  }

  /** The clock value a new object starts with (Redis's createObject). */
  newObjectClock(): number {
    return this.lfu ? ((this.lfuMinutes() << 8) | LFU_INIT_VAL) >>> 0 : this.lruClock;
  }

  private lfuMinutes(): number {
    return Math.floor(this.now / 60000) & 65535;
  }

  /** Seconds since an LRU clock value (Redis's estimateObjectIdleTime / 1000), wrapping at 24 bits. */
  idleSecondsOf(lru: number): number {
    const clock = this.lruClock;
    return clock >= lru ? clock - lru : clock + (LRU_CLOCK_MAX - lru);
  }

  /**
   * objectSetLRUOrLFU: the access clock of a loaded or restored key, from an
   * idle time in seconds (LRU policies) or an LFU counter (LFU policies);
   * -1 leaves the clock a new object gets.
   */
  restoreClock(db: Db, key: string, idleSeconds: number, freq: number): void {
    const slot = db.findSlot(key);
    if (slot === -1) return;
    if (this.lfu) {
      if (freq >= 0) db.lru[slot] = (((Math.floor(this.now / 60000) & 65535) << 8) | Math.min(255, freq)) >>> 0;
    } else if (idleSeconds >= 0) {
      const c = this.lruClock - idleSeconds;
      db.lru[slot] = c >= 0 ? c : (c + LRU_CLOCK_MAX) & LRU_CLOCK_MAX;
    }
  }

  /** Redis's LFUDecrAndReturn: the counter after decay for the minutes elapsed. */
  lfuDecr(v: number): number {
    const ldt = v >>> 8;
    let counter = v & 255;
    const now = this.lfuMinutes();
    const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
    const periods = this.lfuDecayTime > 0 ? Math.floor(elapsed / this.lfuDecayTime) : 0;
    if (periods > 0) counter = periods > counter ? 0 : counter - periods;
    return counter;
  }

  /** Redis's updateLFU: decay, then a logarithmic increment. */
  lfuUpdate(v: number): number {
    let counter = this.lfuDecr(v);
    if (counter < 255) {
      const base = Math.max(0, counter - LFU_INIT_VAL);
      if (Math.random() < 1 / (base * this.lfuLogFactor + 1)) counter++;
    }
    return ((this.lfuMinutes() << 8) | counter) >>> 0;
  }

  /** enabled notification classes (notify-keyspace-events, see notify.ts); 0 when off */
  notifyFlags = 0;
  /** publishes an enabled event (installed by the server) */
  notifyHook: ((type: number, event: string, key: string, db: Db) => void) | null = null;

  /** notifyKeyspaceEvent: sends `event` about key when its class is enabled. */
  notify(type: number, event: string, key: string, db: Db): void {
    if ((this.notifyFlags & type) !== 0 && this.notifyHook !== null) this.notifyHook(type, event, key, db);
  }

  /** Registers a snapshot in progress: installs the write chokepoint. */
  addSnapshot(h: SnapshotHooks): void {
    this.snapshots.push(h);
    const list = this.snapshots;
    this.beforeWrite = (db, slot) => {
      for (let i = 0; i < list.length; i++) list[i].beforeWrite(db, slot);
    };
  }

  /** Unregisters a finished snapshot; the chokepoint goes when the last one does. */
  removeSnapshot(h: SnapshotHooks): void {
    const i = this.snapshots.indexOf(h);
    if (i !== -1) this.snapshots.splice(i, 1);
    if (this.snapshots.length === 0) this.beforeWrite = null;
  }

  /** A new entry took slot while snapshots run. */
  snapshotInserted(db: Db, slot: number): void {
    for (const s of this.snapshots) s.inserted(db, slot);
  }

  /** Queues key for measuring again after an in-place change (settles at once when the queue is full). */
  queueSettle(db: Db, key: string): void {
    const keys = this.settleKeys;
    // the same key again (a lookup for writing, then the change): once is enough
    if (keys.length !== 0 && keys[keys.length - 1] === key && this.settleDbs[keys.length - 1] === db) return;
    const n = keys.push(key);
    this.settleDbs.push(db);
    if (n >= SETTLE_MAX) this.settle();
  }

  /** Measures the keys changed in place since the last settle: dataBytes is exact afterwards. */
  settle(): void {
    const keys = this.settleKeys;
    const n = keys.length;
    if (n === 0) return;
    const dbs = this.settleDbs;
    for (let i = 0; i < n; i++) {
      const db = dbs[i];
      const slot = db.dict.find(keys[i]);
      if (slot !== -1) db.account(slot, keys[i], db.dict.vals[slot]!);
    }
    this.settleKeys = [];
    this.settleDbs = [];
  }

  /**
   * Redis's signalModifiedKey: key of db changed (written, deleted, expired,
   * evicted). `internal` is true when the server itself removed the key —
   * expiry, eviction — where Redis passes no client (tracking's NOLOOP then
   * notifies even the client whose command triggered it).
   */
  signalModifiedKey(db: Db, key: string, internal = false): void {
    const h = this.modified.fn;
    if (h !== null) h(db, key, internal);
    if (this.blockedKeyHook !== null) this.blockedKeyHook(db, key);
  }

  onExpired(db: Db, key: string): void {
    if (this.expiredHook !== null) this.expiredHook(db, key);
  }

  /**
   * Redis's active expire cycle (slow mode): for each database with volatile
   * keys, sample 20 keys with a TTL, delete the expired ones, and repeat while
   * more than 10% of a sample was expired, within `timeLimitMs`.
   * Returns the number of keys expired.
   */
  activeExpireCycle(timeLimitMs: number): number {
    if (!this.activeExpireEnabled || this.noExpireDeletes || this.expirePaused) return 0;
    const start = Date.now();
    this.updateClock();
    let expired = 0;
    let sampledTotal = 0;
    let expiredTotal = 0;
    const n = this.dbs.length;
    let timedOut = false;
    for (let j = 0; j < n && !timedOut; j++) {
      const db = this.dbs[this.expireDb];
      this.expireDb = (this.expireDb + 1) % n;
      let iteration = 0;
      for (;;) {
        if (db.ttlCount === 0) break;
        let sampled = 0;
        let found = 0;
        let ttlSum = 0;
        let ttlSamples = 0;
        const num = Math.min(20, db.ttlCount);
        for (let i = 0; i < num && db.ttlCount > 0; i++) {
          const pos = Math.floor(Math.random() * db.ttlCount);
          const slot = db.ttlSlots[pos];
          sampled++;
          if (db.expireIfNeeded(slot)) {
            found++;
          } else {
            const ttl = db.exp![slot] - this.now;
            if (ttl > 0) {
              ttlSum += ttl;
              ttlSamples++;
            }
          }
        }
        expired += found;
        sampledTotal += sampled;
        expiredTotal += found;
        if (ttlSamples > 0) {
          const avg = ttlSum / ttlSamples;
          db.avgTtl = db.avgTtl === 0 ? avg : (db.avgTtl / 50) * 49 + avg / 50;
        }
        if ((++iteration & 15) === 0 && Date.now() - start > timeLimitMs) {
          timedOut = true;
          this.stats.expiredTimeCapReachedCount++;
          break;
        }
        if (sampled === 0 || found * 10 <= sampled) break;
      }
    }
    const current = sampledTotal === 0 ? 0 : expiredTotal / sampledTotal;
    this.stats.expiredStalePerc = current * 0.05 + this.stats.expiredStalePerc * 0.95;
    this.stats.expireCycleCpuMs += Date.now() - start;
    return expired;
  }
}
