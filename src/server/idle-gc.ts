/**
 * Garbage collection when the server goes idle, V8's memory reducer done by
 * hand. Node never tells V8 that the process is idle, so after a burst of
 * writes the garbage it left (request strings, the intermediate copies of
 * packed collection nodes) can hold the old space at several times the live
 * data until the next allocation-driven major GC, which an idle server never
 * reaches (measured: one 1,000,000-element list left 84 heap bytes per
 * element before a full GC, 5.2 after — Redis's quicklist needs 5.1).
 *
 * Lazy freeing asks for a collection (request) after it released many
 * elements: the next tick runs it, at most once a second.
 *
 * The cron calls `maybeCollect` every tick: once the command counter has not
 * moved for a full second, it runs one when, since the last full collection,
 * - the memory in use (the heap plus what V8 holds outside it: Buffers, and
 *   the external strings Node makes of values from 1 MB up) grew by half and
 *   32 MB, or
 * - the keyspace dropped (deleted, overwrote, flushed) about a quarter of
 *   what was in use after it, and at least 32 MB: the heap does not shrink
 *   by itself when data is dropped, and a loaded server that goes idle and
 *   is then flushed grows nothing (measured before this rule: a 500 MB value
 *   SET then DEL stayed resident for 5-10 s, and after DEBUG POPULATE, idle,
 *   FLUSHDB the heap stayed until the next command burst).
 * Under load it never runs, so it adds no pause to a busy server; MEMORY
 * PURGE runs one at once, as Redis's asks the allocator to release memory.
 *
 * The gc function comes from V8's --expose-gc flag, set at run time.
 */
import vm from 'node:vm';
import v8 from 'node:v8';
import { heapUsed } from './used-memory.js';

/** the least growth or drop (bytes) that makes an idle collection worth it */
const IDLE_GC_MIN = 32 * 1024 * 1024;

let gcFn: (() => void) | null | undefined;

/** V8's full collection, or null when it cannot be had. */
export function fullGc(): (() => void) | null {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    } catch {
      gcFn = null;
    }
  }
  return gcFn;
}

export class IdleGc {
  private lastCommands = -1;
  private idleSince = 0;
  /** memory in use (heapUsed: heap + external) after the last full collection */
  private usedAfterGc = heapUsed();
  /** the keyspace's dropped-bytes counter at the last full collection */
  private droppedAtGc = 0;
  /** the latest dropped-bytes counter seen by maybeCollect */
  private dropped = 0;
  /** full collections run so far (INFO, tests) */
  runs = 0;

  /** a collection was asked for (lazy freeing released a lot): run one at the next tick, at most once a second */
  private requested = false;
  private lastRequested = 0;

  /** Asks for a full collection soon (server/lazyfree.ts). */
  request(): void {
    this.requested = true;
  }

  /**
   * A full collection now, unless one ran in the last second (then one is
   * requested for the next tick): for a rare drop that Redis frees at once
   * (a client closed over its output limit), so used_memory falls with it.
   */
  collectNowOrSoon(now: number): void {
    if (now - this.lastRequested >= 1000) {
      this.lastRequested = now;
      this.requested = false;
      this.collect();
    } else this.requested = true;
  }

  /**
   * One cron tick: collects when idle for a second after growth or a drop
   * (see the header). `dropped` is the keyspace's dropped-bytes counter
   * (Keyspace.dropped). Returns true if it collected.
   */
  maybeCollect(commands: number, now: number, dropped = 0, used?: number): boolean {
    this.dropped = dropped;
    if (this.requested && now - this.lastRequested >= 1000) {
      this.requested = false;
      this.lastRequested = now;
      return this.collect();
    }
    if (commands !== this.lastCommands) {
      this.lastCommands = commands;
      this.idleSince = now;
      return false;
    }
    if (now - this.idleSince < 1000) return false;
    if (dropped - this.droppedAtGc >= Math.max(IDLE_GC_MIN, this.usedAfterGc / 4)) return this.collect();
    if ((used ?? heapUsed()) < this.usedAfterGc * 1.5 + IDLE_GC_MIN) return false;
    return this.collect();
  }

  /**
   * A young-generation collection now (a few ms): frees what a closed client
   * held, as Redis frees a client's buffers with the client. Returns false
   * when unavailable.
   */
  collectYoung(): boolean {
    const gc = fullGc() as ((opts?: { type: string }) => void) | null;
    if (gc === null) return false;
    gc({ type: 'minor' });
    return true;
  }

  /** A full collection now (MEMORY PURGE). Returns false when unavailable. */
  collect(): boolean {
    const gc = fullGc();
    if (gc === null) return false;
    gc();
    this.runs++;
    this.usedAfterGc = heapUsed();
    this.droppedAtGc = this.dropped;
    return true;
  }
}
