/**
 * Lazy freeing (Redis's lazyfree.c) as gKV can have it. Redis hands big
 * values (UNLINK, FLUSHDB/FLUSHALL ASYNC, and DEL/expiry/FLUSH* under the
 * lazyfree-lazy-* options) to a background thread so that freeing them does
 * not block; INFO shows lazyfree_pending_objects (handed over, not freed yet)
 * and lazyfreed_objects (freed by the thread since the last RESETSTAT).
 *
 * In gKV dropping a value is already O(1): the garbage collector frees it.
 * What stays observable is kept: the same objects count as lazily freed
 * (a value whose free effort passes LAZYFREE_THRESHOLD, every key of an
 * emptied database), they are pending until the end of the event-loop
 * iteration (the "thread"), and then freed. So that the memory comes back as
 * it does in Redis — an idle V8 never collects — a lot of freed effort asks
 * the idle collector for a full collection soon (server/idle-gc.ts).
 */
import type { Value } from '../keyspace/value.js';
import type { IdleGc } from './idle-gc.js';

/** Redis's LAZYFREE_THRESHOLD: values cheaper to free than this are freed at once */
export const LAZYFREE_THRESHOLD = 64;
/** freed effort (elements) from which a full collection is asked for */
const GC_EFFORT = 10_000;

/** Redis's lazyfreeGetFreeEffort: about how many allocations freeing v takes. */
export function freeEffort(v: Value): number {
  return typeof v === 'string' ? 1 : v.freeEffort();
}

export class LazyFree {
  /** objects handed over and not freed yet (INFO lazyfree_pending_objects) */
  pending = 0;
  /** objects freed lazily since the last CONFIG RESETSTAT (INFO lazyfreed_objects) */
  freed = 0;
  private effort = 0;
  private scheduled = false;

  constructor(private readonly gc: IdleGc) {}

  /** Redis's freeObjAsync: a value just removed from the keyspace. */
  freeObjectAsync(v: Value): void {
    const effort = freeEffort(v);
    if (effort <= LAZYFREE_THRESHOLD) return;
    this.handOver(1, effort);
  }

  /**
   * Redis's emptyDbAsync: databases holding `keys` keys emptied
   * asynchronously. Their whole content became garbage: a collection is
   * asked for when there was any (what the values held is not counted, which
   * would cost the walk an asynchronous flush is meant to avoid).
   */
  emptyDbAsync(keys: number): void {
    if (keys === 0) return;
    this.handOver(keys, GC_EFFORT);
  }

  /** Redis's freeLuaScriptsAsync: a script cache of more than LAZYFREE_THRESHOLD scripts (SCRIPT FLUSH ASYNC) */
  freeScriptsAsync(scripts: number): void {
    if (scripts > LAZYFREE_THRESHOLD) this.handOver(scripts, scripts);
  }

  private handOver(objects: number, effort: number): void {
    this.pending += objects;
    this.effort += effort;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.job());
    }
  }

  /** The background job: everything handed over is freed. */
  private job(): void {
    this.scheduled = false;
    this.freed += this.pending;
    this.pending = 0;
    if (this.effort >= GC_EFFORT) this.gc.request();
    this.effort = 0;
  }
}
