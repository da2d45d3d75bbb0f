/**
 * Snapshot: a consistent, fork-less cut of the whole keyspace, walked in
 * short time slices while the server keeps serving (the design in
 * ../shared/STYLE.md, "Background saves without fork"). BGSAVE, AOF rewrite
 * and a replica's full sync read the dataset through it.
 *
 * The cut. When a snapshot starts, every entry present then is "owed": the
 * snapshot must emit it exactly as it is at this moment. A per-database
 * bitmap over the hash table's stable slot numbers (datatypes/dict.ts) marks
 * what has been emitted. The keyspace calls three hooks:
 * - `beforeWrite(db, slot)`, before any change to an existing entry (its
 *   value, in place or replaced, its TTL, its deletion — by a command, by
 *   expiry or eviction): an owed entry is encoded first, as it was, then
 *   marked done. So the snapshot never sees a change made after the cut.
 * - `inserted(db, slot)`, after a new entry takes a slot: it was not there at
 *   the cut, so it is marked done (skipped).
 * - `beforeFlush(db)` / `beforeSwap(a, b)`: FLUSHDB/FLUSHALL replace a
 *   database's table, SWAPDB exchanges two; the snapshot keeps the tables it
 *   cut (a flushed one is frozen: nothing writes to its arrays any more).
 * The walker visits each cut table slot by slot and encodes the owed entries.
 *
 * Order. The output is grouped by database, as RDB requires (SELECTDB, then
 * that database's entries). An entry encoded early because a write was about
 * to touch it goes straight to the output when it belongs to the database
 * being walked, and is held in that database's pending list otherwise,
 * until the walker reaches it. So memory grows only by the entries that
 * change during the snapshot, encoded.
 *
 * Cost. Encoding a very large value (a collection of millions of elements)
 * happens in one piece, on the walker's slice or right before the write that
 * touches it: that pause is proportional to the value's size.
 *
 * Invariants: every entry present at the cut is emitted exactly once, with
 * its value and TTL at the cut; no entry created after the cut is emitted.
 */
import type { Db, Keyspace } from '../keyspace/keyspace.js';
import type { Dict } from '../datatypes/dict.js';
import type { Value } from '../keyspace/value.js';

/** What the snapshot produces, in order. Chunks are whatever the encoder returns. */
export interface SnapshotSink<C> {
  /** Encodes one entry (pure: it may run before the entry's turn in the output). */
  encode(key: string, value: Value, expireAt: number, lru: number): C;
  /** A database section starts (RDB: SELECTDB and RESIZEDB). `size`/`expires` as at the cut. */
  beginDb(dbIndex: number, size: number, expires: number): void;
  /** An encoded entry, in output order. */
  write(chunk: C): void;
}

/** One cut table and where to read its side arrays. */
interface CutTable<C> {
  dbIndex: number;
  dict: Dict<Value>;
  /** the database that holds this table now (SWAPDB moves tables); null once flushed (frozen) */
  db: Db | null;
  frozen: { keys: (string | undefined)[]; vals: (Value | undefined)[]; exp: Float64Array | null; lru: Uint32Array } | null;
  /** slots at or beyond this were created after the cut */
  top: number;
  done: Uint8Array;
  size: number;
  expires: number;
  /** entries encoded early, waiting for the walker to reach this database */
  pending: C[];
  begun: boolean;
}

export class Snapshot<C> {
  private readonly tables: CutTable<C>[] = [];
  private readonly byDict = new Map<Dict<Value>, CutTable<C>>();
  /** index into tables of the one being walked, and the next slot there */
  private cur = 0;
  private slot = 0;
  finished = false;
  /** entries emitted (walked + encoded early), for progress and tests */
  emitted = 0;
  earlyEncoded = 0;
  /**
   * Memory of the entries encoded early (by `measure`): what a write during
   * the snapshot made it copy first, as fork's copy-on-write copies the
   * pages a write touches (INFO current_cow_size).
   */
  earlyBytes = 0;
  /** entries in the cut (Redis's current_save_keys_total) */
  readonly total: number;

  /**
   * `measure` sizes what an early encoding copied (earlyBytes). `newestFirst`
   * walks each table from its newest slots down: a background save then
   * writes the recently created entries — the ones most likely to be written
   * again soon — before the writes come, and copies fewer entries early.
   */
  constructor(
    private readonly ks: Keyspace,
    private readonly sink: SnapshotSink<C>,
    private readonly measure: ((key: string, value: Value) => number) | null = null,
    private readonly newestFirst = false,
  ) {
    for (const db of ks.dbs) {
      const dict = db.dict;
      const t: CutTable<C> = {
        dbIndex: db.id,
        dict,
        db,
        frozen: null,
        top: dict.top,
        done: new Uint8Array(dict.top),
        size: dict.size,
        expires: db.expiresCount,
        pending: [],
        begun: false,
      };
      this.tables.push(t);
      this.byDict.set(dict, t);
    }
    this.total = this.tables.reduce((n, t) => n + t.size, 0);
    ks.addSnapshot(this);
  }

  // ------------------------------------------------------------ keyspace hooks

  /** An existing entry of db is about to change: encode it first if it is still owed. */
  beforeWrite(db: Db, slot: number): void {
    const t = this.byDict.get(db.dict);
    if (t === undefined || slot >= t.top || t.done[slot] === 1) return;
    this.emitSlot(t, slot, true);
  }

  /** A new entry took slot: it was not there at the cut. */
  inserted(db: Db, slot: number): void {
    const t = this.byDict.get(db.dict);
    if (t !== undefined && slot < t.top) t.done[slot] = 1;
  }

  /** db's table is about to be emptied: keep its arrays as they are for the walker. */
  beforeFlush(db: Db): void {
    const t = this.byDict.get(db.dict);
    if (t === undefined || t.frozen !== null) return;
    // Dict.clear() and the keyspace's flush replace these arrays rather than
    // emptying them, so holding the references freezes the cut contents.
    t.frozen = { keys: t.dict.keys, vals: t.dict.vals, exp: db.exp, lru: db.lru };
    t.db = null;
    this.byDict.delete(t.dict);
  }

  /** SWAPDB: the tables stay cut under their old indexes; follow where their side arrays went. */
  afterSwap(a: Db, b: Db): void {
    for (const db of [a, b]) {
      const t = this.byDict.get(db.dict);
      if (t !== undefined) t.db = db;
    }
  }

  // ------------------------------------------------------------ the walk

  /**
   * Walks for about `budgetMs` (checked every 256 slots), emitting at most
   * `limit` entries. Returns true when the snapshot is complete (every
   * database section written).
   */
  step(budgetMs: number, limit = Infinity): boolean {
    if (this.finished) return true;
    const deadline = performance.now() + budgetMs;
    let n = 0;
    let left = limit;
    while (this.cur < this.tables.length) {
      const t = this.tables[this.cur];
      this.begin(t);
      const keys = t.frozen !== null ? t.frozen.keys : t.dict.keys;
      const last = t.top - 1;
      for (; this.slot < t.top; this.slot++) {
        const s = this.newestFirst ? last - this.slot : this.slot;
        if (t.done[s] === 0 && keys[s] !== undefined) {
          this.emitSlot(t, s, false);
          if (--left <= 0) {
            this.slot++;
            return false;
          }
        } else t.done[s] = 1;
        if ((++n & 255) === 0 && performance.now() > deadline) {
          this.slot++;
          return false;
        }
      }
      this.cur++;
      this.slot = 0;
    }
    this.finish();
    return true;
  }

  /** Stops following writes (after the last step, or when the save is abandoned). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.ks.removeSnapshot(this);
  }

  private begin(t: CutTable<C>): void {
    if (t.begun) return;
    t.begun = true;
    this.sink.beginDb(t.dbIndex, t.size, t.expires);
    for (const chunk of t.pending) this.sink.write(chunk);
    t.pending = [];
  }

  private emitSlot(t: CutTable<C>, slot: number, early: boolean): void {
    t.done[slot] = 1;
    let key: string | undefined;
    let val: Value | undefined;
    let exp = 0;
    let lru = 0;
    if (t.frozen !== null) {
      key = t.frozen.keys[slot];
      val = t.frozen.vals[slot];
      exp = t.frozen.exp !== null && slot < t.frozen.exp.length ? t.frozen.exp[slot] : 0;
      lru = slot < t.frozen.lru.length ? t.frozen.lru[slot] : 0;
    } else {
      key = t.dict.keys[slot];
      val = t.dict.vals[slot];
      const db = t.db!;
      exp = db.exp !== null ? db.exp[slot] : 0;
      lru = db.lru[slot];
    }
    if (key === undefined || val === undefined) return;
    const chunk = this.sink.encode(key, val, exp, lru);
    this.emitted++;
    if (early) {
      this.earlyEncoded++;
      if (this.measure !== null) this.earlyBytes += this.measure(key, val);
    }
    // in the section being written (or an earlier one being finished): straight out
    if (t.begun) this.sink.write(chunk);
    else t.pending.push(chunk);
  }
}
