/**
 * Eviction (Redis's evict.c): keeping used memory under `maxmemory` by
 * deleting keys chosen by `maxmemory-policy`, before every command
 * (processCommand's OOM guard) and, when one call could not free enough in
 * its time budget, from a timer that keeps going (evictionTimeProc).
 *
 * The choice is Redis's approximation, not an exact order:
 * - LRU, LFU and volatile-ttl fill a pool of 16 candidates (EVPOOL_SIZE)
 *   from `maxmemory-samples` random keys of every database (all keys, or
 *   those with a TTL for volatile-*), kept sorted by how evictable they are
 *   (idle time; 255 minus the decayed LFU counter; how near the expiry is),
 *   and evict the best one still present; the pool outlives a call, so good
 *   candidates seen earlier are remembered.
 * - allkeys-random and volatile-random take a random key of the next
 *   database in turn.
 * - noeviction frees nothing: the guard then refuses commands that may grow
 *   the dataset with -OOM.
 *
 * An evicted key is deleted as DEL deletes it (WATCH touched, the keyspace
 * signalled), counted in INFO evicted_keys, notified as `evicted`, and
 * propagated as DEL (UNLINK with lazyfree-lazy-eviction) to the AOF and, once
 * there are replicas, to them. What one call frees is measured by what each
 * key was accounted at (keyspace.ts's `mem`): used memory is a counter here
 * as in Redis, so the figure moves as soon as the key is gone.
 *
 * `maxmemory-eviction-tenacity` bounds a call's time: every 16 keys the
 * elapsed time is checked against Redis's limit (50 µs per step up to 10,
 * then +15% per step, unlimited at 100); past it the call stops and the timer
 * continues on the next turns of the event loop, while commands keep running
 * (EVICT_RUNNING is not out of memory).
 */
import { performance } from 'node:perf_hooks';
import type { Db, Keyspace } from '../keyspace/keyspace.js';
import { NOTIFY_EVICTED } from '../keyspace/notify.js';
import type { Value } from '../keyspace/value.js';

/** performEvictions' answer: under the limit (or evicting is not safe now), still evicting, nothing left to evict */
export type EvictResult = 'ok' | 'running' | 'fail';

export type MaxmemoryPolicy = 'volatile-lru' | 'volatile-lfu' | 'volatile-random' | 'volatile-ttl' | 'allkeys-lru' | 'allkeys-lfu' | 'allkeys-random' | 'noeviction';

/** What eviction uses of the server. */
export interface EvictHost {
  readonly ks: Keyspace;
  readonly maxmemory: number;
  /** used_memory (the counter: see server/memory.ts) */
  usedMemory(): number;
  /** the memory used_memory counts but eviction does not (Redis's freeMemoryGetNotCountedMemory: the AOF buffer) */
  notCountedForEvict(): number;
  /** Redis's isSafeToPerformEvictions: no yielding script, not loading, clients not paused */
  safeToEvict(): boolean;
  /** hands a deleted value to the lazy freeing (lazyfree-lazy-eviction: Redis's dbAsyncDelete) */
  freeObjectAsync(v: Value): void;
  /** propagates a deletion (DEL or UNLINK) of key in database dbId */
  propagateDeletion(dbId: number, key: string, lazy: boolean): void;
  /**
   * writes the replies and pushes waiting for the end of the event loop's
   * turn (what evicting queued: invalidations to tracking clients), as
   * Redis's beforeSleep does after its time events: left waiting, they would
   * count as client memory when the cron measures it, and make more keys go
   * (the feedback loop Redis's unit/maxmemory guards against)
   */
  flushReplies(): void;
  /** a latency event (ms) for the latency monitor */
  latencySample(event: string, ms: number): void;
}

/** Redis's EVPOOL_SIZE */
const EVPOOL_SIZE = 16;
/** Keys evicted between two looks at the clock */
const CHECK_EVERY = 16;

/** Redis's evictionTimeLimitUs: tenacity 0..100 to a time budget in µs (Infinity at 100). */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return Math.floor(500 * 1.15 ** (tenacity - 10));
  return Number.POSITIVE_INFINITY;
}

export class Evictor {
  policy: MaxmemoryPolicy = 'noeviction';
  samples = 5;
  tenacity = 10;
  lazy = false;
  /** the pool, sorted by idle ascending: the best candidate is the rightmost key */
  private readonly poolIdle = new Float64Array(EVPOOL_SIZE);
  private readonly poolKey: (string | null)[] = new Array<string | null>(EVPOOL_SIZE).fill(null);
  private readonly poolDb = new Int32Array(EVPOOL_SIZE);
  /** the candidates' slots: a key still at its slot is present (slots are stable while their entry lives) */
  private readonly poolSlot = new Int32Array(EVPOOL_SIZE);
  /** the database the random policies visit next */
  private nextDb = 0;
  /** the evictionTimeProc's pending turn, if it runs */
  private timer: NodeJS.Immediate | null = null;
  /** since when used memory has been over the limit (performance.now() ms, 0: not over) */
  private exceededSince = 0;
  /** ms spent over the limit in finished episodes (INFO total_eviction_exceeded_time) */
  private exceededTotal = 0;

  constructor(private readonly host: EvictHost) {}

  /** INFO stats: [total_eviction_exceeded_time, current_eviction_exceeded_time] in ms */
  exceededTimes(): [number, number] {
    const cur = this.exceededSince === 0 ? 0 : performance.now() - this.exceededSince;
    return [Math.floor(this.exceededTotal + cur), Math.floor(cur)];
  }

  /** CONFIG RESETSTAT */
  resetStats(): void {
    this.exceededTotal = 0;
    if (this.exceededSince !== 0) this.exceededSince = performance.now();
  }

  /** True while the timer keeps evicting (EVICT_RUNNING's continuation). */
  get running(): boolean {
    return this.timer !== null;
  }

  /** Redis's startEvictionTimeProc: evicts on the next turns of the event loop until done. */
  startTimeProc(): void {
    if (this.timer !== null) return;
    const step = () => {
      this.timer = null;
      const r = this.performEvictions();
      this.host.flushReplies();
      if (r === 'running' && this.timer === null) this.timer = setImmediate(step);
    };
    this.timer = setImmediate(step);
  }

  /** Stops the timer (shutdown). */
  stop(): void {
    if (this.timer !== null) clearImmediate(this.timer);
    this.timer = null;
  }

  /**
   * Redis's performEvictions: when used memory (less what eviction does not
   * count) is over maxmemory, evicts keys by the policy until it is not, or
   * the time budget runs out (the timer then continues: 'running'), or
   * nothing is left to evict ('fail').
   */
  performEvictions(): EvictResult {
    const h = this.host;
    if (!h.safeToEvict()) return 'ok';
    const result = this.evict();
    if (result === 'ok') {
      if (this.exceededSince !== 0) {
        this.exceededTotal += performance.now() - this.exceededSince;
        this.exceededSince = 0;
      }
    } else if (this.exceededSince === 0) this.exceededSince = performance.now();
    return result;
  }

  /** How much is to be freed: 0 when used memory is within maxmemory (Redis's getMaxmemoryState). */
  toFree(): number {
    const h = this.host;
    const max = h.maxmemory;
    if (max === 0) return 0;
    const reported = h.usedMemory();
    if (reported <= max) return 0;
    const used = Math.max(0, reported - h.notCountedForEvict());
    return used <= max ? 0 : used - max;
  }

  private evict(): EvictResult {
    const toFree = this.toFree();
    if (toFree === 0) return 'ok';
    if (this.policy === 'noeviction') return 'fail';
    const h = this.host;
    const ks = h.ks;
    const limitUs = evictionTimeLimitUs(this.tenacity);
    const t0 = performance.now();
    const random = this.policy === 'allkeys-random' || this.policy === 'volatile-random';
    let freed = 0;
    let keysFreed = 0;
    let result: EvictResult = 'ok';
    while (freed < toFree) {
      const best = random ? this.pickRandom() : this.pickFromPool();
      if (best === null) {
        result = 'fail';
        break;
      }
      const [db, slot] = best;
      const key = db.dict.keys[slot]!;
      freed += db.mem[slot];
      const td = ks.latencyMonitorOn ? performance.now() : 0;
      if (this.lazy) h.freeObjectAsync(db.dict.vals[slot]!);
      db.deleteSlot(slot, key);
      if (td !== 0) h.latencySample('eviction-del', performance.now() - td);
      ks.stats.evictedKeys++;
      ks.signalModifiedKey(db, key, true);
      ks.notify(NOTIFY_EVICTED, 'evicted', key, db);
      h.propagateDeletion(db.id, key, this.lazy);
      keysFreed++;
      if (keysFreed % CHECK_EVERY === 0 && (performance.now() - t0) * 1000 > limitUs) {
        // over the time budget: the rest on the next turns of the event loop
        if (this.toFree() !== 0) {
          this.startTimeProc();
          result = 'running';
        }
        break;
      }
    }
    if (result === 'ok' && this.timer !== null) result = 'running';
    if (ks.latencyMonitorOn) h.latencySample('eviction-cycle', performance.now() - t0);
    return result;
  }

  /** The random policies: a random key (with a TTL for volatile-random) of the next database that has one. */
  private pickRandom(): [Db, number] | null {
    const dbs = this.host.ks.dbs;
    const all = this.policy === 'allkeys-random';
    for (let i = 0; i < dbs.length; i++) {
      this.nextDb = (this.nextDb + 1) % dbs.length;
      const db = dbs[this.nextDb];
      if (all) {
        if (db.size !== 0) return [db, db.dict.randomSlot()];
      } else if (db.ttlCount !== 0) return [db, db.ttlSlots[Math.floor(Math.random() * db.ttlCount)]];
    }
    return null;
  }

  /**
   * LRU, LFU, volatile-ttl: fills the pool from every database, then takes
   * the best candidate still present (a key deleted meanwhile, or whose TTL
   * went, is a ghost: the next one is tried), as Redis's performEvictions.
   */
  private pickFromPool(): [Db, number] | null {
    const dbs = this.host.ks.dbs;
    const all = this.policy.startsWith('allkeys-');
    for (;;) {
      let total = 0;
      for (const db of dbs) {
        const n = all ? db.size : db.ttlCount;
        if (n !== 0) {
          this.populate(db, all);
          total += n;
        }
      }
      if (total === 0) return null;
      for (let k = EVPOOL_SIZE - 1; k >= 0; k--) {
        const key = this.poolKey[k];
        if (key === null) continue;
        const db = dbs[this.poolDb[k]];
        const slot = this.poolSlot[k];
        this.poolKey[k] = null;
        this.poolIdle[k] = 0;
        // still there (Redis's dictFind of the candidate), without hashing it again
        if (db.dict.keys[slot] === key && (all || db.expireOfSlot(slot) !== 0)) return [db, slot];
      }
    }
  }

  /**
   * Redis's evictionPoolPopulate: samples `maxmemory-samples` keys of db
   * and inserts those better than the pool's worst, keeping it sorted.
   */
  private populate(db: Db, all: boolean): void {
    const ks = this.host.ks;
    const pIdle = this.poolIdle;
    const pKey = this.poolKey;
    const pDb = this.poolDb;
    const pSlot = this.poolSlot;
    const n = Math.min(this.samples, all ? db.size : db.ttlCount);
    for (let i = 0; i < n; i++) {
      const slot = all ? db.dict.randomSlot() : db.ttlSlots[Math.floor(Math.random() * db.ttlCount)];
      let idle: number;
      if (this.policy === 'volatile-ttl') idle = Number.MAX_SAFE_INTEGER - db.expireOfSlot(slot);
      else if (ks.lfu) idle = 255 - ks.lfuDecr(db.lru[slot]);
      else idle = ks.idleSecondsOf(db.lru[slot]) * 1000;
      let k = 0;
      while (k < EVPOOL_SIZE && pKey[k] !== null && pIdle[k] < idle) k++;
      if (k === 0 && pKey[EVPOOL_SIZE - 1] !== null) continue; // worse than all, and no room
      if (k < EVPOOL_SIZE && pKey[k] === null) {
        // an empty place
      } else if (pKey[EVPOOL_SIZE - 1] === null) {
        // room on the right: shift k.. right by one
        for (let j = EVPOOL_SIZE - 1; j > k; j--) {
          pKey[j] = pKey[j - 1];
          pIdle[j] = pIdle[j - 1];
          pDb[j] = pDb[j - 1];
          pSlot[j] = pSlot[j - 1];
        }
      } else {
        // full: the worst (leftmost) goes, 1..k-1 shift left
        k--;
        for (let j = 0; j < k; j++) {
          pKey[j] = pKey[j + 1];
          pIdle[j] = pIdle[j + 1];
          pDb[j] = pDb[j + 1];
          pSlot[j] = pSlot[j + 1];
        }
      }
      pKey[k] = db.dict.keys[slot]!;
      pIdle[k] = idle;
      pDb[k] = db.id;
      pSlot[k] = slot;
    }
  }
}
