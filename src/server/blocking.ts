/**
 * Blocking commands on keys (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, and the
 * sorted-set family's BZPOPMIN, BZPOPMAX, BZMPOP), as Redis 7.0's blocked.c.
 *
 * ## How a family uses it
 *
 * 1. In the handler, parse the timeout first with `parseTimeout(argv[i], s.ks.now)`
 *    (Redis's getTimeoutFromObjectOrReply: fractional seconds, the exact
 *    error texts; returns an absolute deadline in ms, 0 = forever).
 * 2. If some key can be served now, serve it as the non-blocking command
 *    would (and set `c.propagateArgv` to the non-blocking form, e.g. LPOP).
 * 3. Otherwise, if `!s.blocking.mayBlock()` (inside EXEC, or a script),
 *    reply as Redis does there (a null array, or a null bulk for BLMOVE) and
 *    return. Else call
 *        s.blocking.block(c, { type: 'zset', keys, timeout, serve, onTimeout })
 *    and return without replying. The client's connection then stops
 *    processing its pipelined commands until it is unblocked.
 * 4. `serve(c, key, s)` is called later when `key` (in the client's db) holds
 *    a value of `type`: after the command (or whole EXEC / script) that made it
 *    so has finished, in first-come first-served order among the clients
 *    blocked on that key, as long as the key still exists with that type. It
 *    runs like a command of the blocked client: pop from `key` through the
 *    keyspace write path (db.lookupWrite / modified / delete), write the reply
 *    with c.add*, set `c.propagateArgv` to the non-blocking form that ran
 *    (BLPOP served → ['LPOP', key]; propagated whenever it is set, as
 *    Redis's alsoPropagate, even if the serve counted no change: Redis 7.0
 *    counts none for a served BLPOP or BLMOVE).
 *    It may throw a RedisError (the client gets that error and is unblocked,
 *    as BLMOVE does when its destination has the wrong type). It returns true
 *    when it served the client (the client is unblocked), false to leave it
 *    blocked.
 *    Serve from `key`, not from the first non-empty key of the client's list:
 *    Redis 7.0 serves the key that became ready.
 * 5. `onTimeout(c)` writes the reply on timeout and on CLIENT UNBLOCK
 *    TIMEOUT; the default is Redis's null array (*-1, RESP3 _), which all the
 *    list and sorted-set blocking commands use (BLMOVE too, unlike its
 *    non-blocking null bulk).
 *
 * Nothing needs to signal readiness by hand: the keyspace calls
 * `signalKeyAsReady` whenever a key is created (Db.add, or setKey on an
 * absent key — Redis's dbAdd), and the signal is ignored unless a client is
 * blocked on that key waiting for that value type. A key that is deleted,
 * or re-created with another type, while clients wait leaves them blocked
 * until the key holds the right type (verified against Redis 7.0).
 * `signalKeyAsReady` is public for the rare writer that bypasses dbAdd, and
 * SWAPDB should call `scanDatabaseForReadyKeys` for both databases after the
 * swap (Redis 7.0 wakes a client blocked on a key the swap brought in).
 *
 * A request with `watchValue` (XREAD, XREADGROUP) follows the value at its
 * keys, not only their type: Redis 7.0 signals a stream key that is deleted
 * or overwritten (signalDeletedKeyAsReady, from dbGenericDelete and
 * dbSetValue) or flushed or swapped away (scanDatabaseForDeletedStreams).
 * Here the keyspace's `blockedKeyHook` (installed only while such a client
 * waits) reports every change to a key, and a key whose stream is no longer
 * there is queued; the server's `flushedHook` calls
 * `scanDatabaseForDeletedStreams`. When such a key is then missing or holds
 * another type, `onKeyGone` (XREADGROUP's) answers the client (-UNBLOCKED …)
 * and unblocks it; when it holds a (new) stream, `serve` runs as usual.
 *
 * ## Machinery
 * - per database, key → the clients blocked on it, in blocking order (a Set
 *   keeps insertion order and deletes in O(1));
 * - the ready list (deduplicated per database): keys signalled during the
 *   current command; `handleClientsBlockedOnKeys` runs after every top-level
 *   command (Server.processCommand), and loops until no key is ready, so a
 *   BLMOVE that creates its destination wakes the clients blocked there;
 * - timeouts: a binary heap of deadlines with one timer for the earliest;
 * - an unblocked client's remaining input is processed later in the same
 *   event-loop turn (setImmediate, Redis's processUnblockedClients in
 *   beforeSleep), after the input of the client that woke it, so its
 *   pipelined commands see what that client's whole read did.
 * Stats and slow log, as Redis 7.0's updateStatsOnUnblock: the blocking
 * command was counted (calls, usec) by call() when it blocked, but not logged;
 * when it is served its call time plus the serving time is added to its usec
 * again, a failed serve counts as a failed call, and the slow log gets the
 * command's arguments with that total. CLIENT UNBLOCK (either form) counts a
 * failed call and logs an entry with no arguments (Redis has already freed
 * them by then). A timeout adds nothing and logs nothing (Redis 7.0.15).
 */
import { performance } from 'node:perf_hooks';
import type { Client } from './client.js';
import type { Db, Keyspace } from '../keyspace/keyspace.js';
import { typeOf, type ObjType, type Value } from '../keyspace/value.js';
import type { CommandSpec, CommandStats } from '../commands/spec.js';
import type { Logger } from './log.js';
import type { Slowlog } from './slowlog.js';
import type { LatencyMonitor } from './latency.js';

/** What blocking uses of the server: serving a client runs the command's bookkeeping as call() would. */
export interface BlockingHost {
  readonly ks: Keyspace;
  readonly log: Logger;
  readonly stats: { readonly totalErrorReplies: number };
  readonly slowlog: Slowlog;
  readonly latency: LatencyMonitor;
  readonly latencyTracking: boolean;
  /** true inside EXEC, where nothing blocks */
  readonly inExec: boolean;
  readonly propagation: { readonly emit: ((dbId: number, argv: string[]) => void) | null };
  /** the command table: the command a client ran last, by name (its stats are the unblocked command's) */
  readonly table: { lookup(name: string): CommandSpec | undefined };
  recordLatency(st: CommandStats, usec: number): void;
  /** the clock's anchor, before serving (commands see one time) */
  anchorClock(): void;
  markPending(c: Client): void;
  flushPending(): void;
  /** runs what an unblocked client sent meanwhile */
  processInputGuarded(c: Client): void;
  /** Redis's current_client and CLIENT_EXECUTING_COMMAND: a served client is the one executing (tracking) */
  currentClient: Client | null;
  currentExecuting: boolean;
  /** client-side caching: the invalidations held for the served client, sent after its reply */
  readonly tracking: { readonly hasPending: boolean; handlePendingKeyInvalidations(c: Client): void };
}
import { Err, RedisError } from '../protocol/errors.js';
import { parseLongDouble } from '../util/longdouble.js';

export interface BlockRequest {
  /** the value type that can serve the client: 'list', 'zset', 'stream' */
  type: ObjType;
  /** the keys to wait on, in the client's current db (duplicates are waited on once) */
  keys: readonly string[];
  /** absolute deadline in ms (from parseTimeout), 0 = forever */
  timeout: number;
  /** serves the client from `key`; see the header comment. */
  serve: (c: Client, key: string) => boolean;
  /** the reply on timeout (default: a null array) */
  onTimeout?: (c: Client) => void;
  /** signal the keys when their value is deleted or replaced (see the header) */
  watchValue?: boolean;
  /** with watchValue: answers the client when its key is gone or holds another type (it is then unblocked) */
  onKeyGone?: (c: Client, key: string) => void;
}

interface BlockState {
  c: Client;
  req: BlockRequest;
  db: Db;
  keys: string[];
  /** the blocking command, for its stats when served */
  cmd: CommandSpec | undefined;
  /** its arguments and the duration of the call that blocked, for the slow log (noteBlockedCall) */
  argv: string[];
  callUsec: number;
  /** position in the timeout heap, -1 when not in it */
  hi: number;
  /** with watchValue: the value each key held when last seen (parallel to keys) */
  values: (Value | undefined)[] | null;
}

const LLONG_MAX_MS = 9223372036854775807;

/**
 * Redis's getTimeoutFromObjectOrReply (UNIT_SECONDS): the argument is a long
 * double number of seconds; the deadline is now + ceil(seconds * 1000) ms, so
 * even 1e-300 times out (Redis 7.0.15 does not block forever on it), while
 * -0.0001 rounds to 0 = block forever. inf and values beyond 2^63 ms wrap to
 * negative in C's conversion: "timeout is negative". Returns the absolute
 * deadline in ms (from `now`, the command's time), or 0 for no timeout.
 */
export function parseTimeout(arg: string, now: number): number {
  const ld = parseLongDouble(arg);
  if (ld === null) throw Err.timeoutNotFloat();
  if (ld.inf) throw Err.timeoutNegative();
  // C's (long long) of a product rounded (64-bit mantissa) to 2^63 or more
  // is LLONG_MIN: exact test of m * 2^e * 1000 >= 2^63 - 1/2
  const twiceProduct = ld.m * 2000n;
  const limit = (1n << 64n) - 1n;
  if (ld.e >= 0 ? twiceProduct << BigInt(ld.e) >= limit : twiceProduct >= limit << BigInt(-ld.e)) throw Err.timeoutNegative();
  let ms = Number(ld.m) * 2 ** ld.e * 1000;
  if (ld.neg) ms = -ms;
  ms = Math.min(Math.ceil(ms), LLONG_MAX_MS);
  if (ms < 0) throw Err.timeoutNegative();
  if (ms === 0) return 0;
  return now + ms;
}

export class Blocking {
  private readonly states = new Map<Client, BlockState>();
  /** per db id: key → clients blocked on it, in blocking order */
  private readonly byKey: (Map<string, Set<Client>> | undefined)[] = [];
  /** blocked clients per waited value type (signalKeyAsReady's quick return) */
  private readonly byType = new Map<ObjType, number>();
  private ready: { db: Db; key: string }[] = [];
  private readonly readySets: (Set<string> | undefined)[] = [];
  /** clients with a timeout, a binary min-heap on req.timeout (each state knows its index) */
  private readonly heap: BlockState[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  /** clients blocked with a timeout (INFO clients_in_timeout_table) */
  timeoutCount = 0;
  /** > 0 while a script runs: blocking commands reply at once instead of blocking */
  denyBlocking = 0;
  private unblocked: Client[] = [];
  /** blocked clients whose requests watch their keys' values (XREADGROUP) */
  private valueWatchers = 0;
  private reprocessScheduled = false;

  constructor(private readonly s: BlockingHost) {
    s.ks.addedHook = (db, key, val) => this.signalKeyAsReady(db, key, val);
  }

  /** A client went away: it no longer waits (freeClient). */
  clientFreed(c: Client): void {
    if (this.states.has(c)) this.remove(c);
  }

  /** Blocked clients (of every kind handled here). */
  get blockedCount(): number {
    return this.states.size;
  }

  /** Whether the command running now may block (not inside EXEC or a script). */
  mayBlock(): boolean {
    return !this.s.inExec && this.denyBlocking === 0;
  }

  isBlockedOnKeys(c: Client): boolean {
    return this.states.has(c);
  }

  /** Redis's blockForKeys: blocks c on req.keys of its current db. The caller writes no reply. */
  block(c: Client, req: BlockRequest): void {
    const db = c.db;
    const keys = [...new Set(req.keys)];
    const st: BlockState = { c, req, db, keys, cmd: this.s.table.lookup(c.lastCmd), argv: [], callUsec: 0, hi: -1, values: null };
    if (req.watchValue === true) {
      st.values = keys.map((k) => db.peek(k));
      if (this.valueWatchers++ === 0) this.s.ks.blockedKeyHook = (d, k) => this.keyChanged(d, k);
    }
    this.states.set(c, st);
    let m = this.byKey[db.id];
    if (m === undefined) m = this.byKey[db.id] = new Map();
    for (const k of keys) {
      let set = m.get(k);
      if (set === undefined) m.set(k, (set = new Set()));
      set.add(c);
    }
    this.byType.set(req.type, (this.byType.get(req.type) ?? 0) + 1);
    c.blocked = true;
    if (req.timeout > 0) {
      this.timeoutCount++;
      this.heapPush(st);
      this.armTimer();
    }
  }

  /** call() after a command that blocked c: its arguments and duration, for the slow log later. */
  noteBlockedCall(c: Client, argv: string[], usec: number): void {
    const st = this.states.get(c);
    if (st === undefined) return;
    st.argv = argv;
    st.callUsec = usec;
  }

  /**
   * Redis's signalKeyAsReady: key of db now holds val. Queues it for serving
   * if a client is blocked on it waiting for val's type.
   */
  signalKeyAsReady(db: Db, key: string, val: Value): void {
    if (this.states.size === 0) return;
    if (!this.byType.get(typeOf(val))) return;
    const m = this.byKey[db.id];
    if (m === undefined || !m.has(key)) return;
    let rs = this.readySets[db.id];
    if (rs === undefined) rs = this.readySets[db.id] = new Set();
    if (rs.has(key)) return;
    rs.add(key);
    this.ready.push({ db, key });
  }

  /**
   * Redis's scanDatabaseForReadyKeys, for SWAPDB (call it for both databases
   * after swapping): every key clients wait on that now exists is signalled.
   */
  scanDatabaseForReadyKeys(db: Db): void {
    const m = this.byKey[db.id];
    if (m === undefined) return;
    // the raw table, as Redis's dictFind: an expired key is signalled too, and
    // expires (its DEL propagated) when the waiting client is served, after SWAPDB
    for (const key of m.keys()) {
      const slot = db.dict.find(key);
      if (slot !== -1) this.signalKeyAsReady(db, key, db.dict.vals[slot]!);
    }
  }

  /** Queues key of db for handleClientsBlockedOnKeys (once). */
  private queueReady(db: Db, key: string): void {
    let rs = this.readySets[db.id];
    if (rs === undefined) rs = this.readySets[db.id] = new Set();
    if (rs.has(key)) return;
    rs.add(key);
    this.ready.push({ db, key });
  }

  /**
   * The keyspace's blockedKeyHook: key of db changed. Queued when a client
   * watching its value (XREAD, XREADGROUP) saw a stream there that is gone:
   * deleted or overwritten (signalDeletedKeyAsReady). Redis queues it for
   * any stream reader, so it takes its place in the ready list even when
   * only XREADGROUP clients are answered for it.
   */
  private keyChanged(db: Db, key: string): void {
    const set = this.byKey[db.id]?.get(key);
    if (set === undefined) return;
    const slot = db.findSlot(key);
    const v = slot === -1 ? undefined : db.valueAt(slot);
    for (const c of set) {
      const st = this.states.get(c);
      if (st === undefined || st.values === null) continue;
      const i = st.keys.indexOf(key);
      const was = st.values[i];
      if (was === v) continue;
      st.values[i] = v;
      // Redis signals the stream that went away, not a key that was created or replaced something else
      if (was !== undefined && typeOf(was) === 'stream') this.queueReady(db, key);
    }
  }

  /**
   * Redis's scanDatabaseForDeletedStreams, from the server's flushedHook:
   * `emptied` is being flushed (replacedWith null) or swapped with
   * replacedWith; every key clients wait on that held a stream and will not
   * is queued, so the XREADGROUP clients there are answered.
   */
  scanDatabaseForDeletedStreams(emptied: Db, replacedWith: Db | null): void {
    if (!this.byType.get('stream')) return;
    const m = this.byKey[emptied.id];
    if (m === undefined) return;
    for (const [key, set] of m) {
      const was = emptied.peek(key);
      const now = replacedWith === null ? undefined : replacedWith.peek(key);
      // what the watchers will see there from now on
      for (const c of set) {
        const st = this.states.get(c);
        if (st !== undefined && st.values !== null) st.values[st.keys.indexOf(key)] = now;
      }
      if (was === undefined || typeOf(was) !== 'stream') continue;
      if (now !== undefined && typeOf(now) === 'stream') continue;
      this.queueReady(emptied, key);
    }
  }

  /** True when keys were signalled and wait for handleClientsBlockedOnKeys. */
  get hasReadyKeys(): boolean {
    return this.ready.length !== 0;
  }

  /**
   * Redis's handleClientsBlockedOnKeys: serves the clients blocked on every
   * ready key, in blocking order, while the key holds the type they wait for.
   * Keys made ready while serving (BLMOVE's destination) are served too.
   */
  handleClientsBlockedOnKeys(): void {
    const s = this.s;
    while (this.ready.length !== 0) {
      const list = this.ready;
      this.ready = [];
      for (const { db, key } of list) {
        this.readySets[db.id]?.delete(key);
        s.anchorClock();
        s.ks.updateClock();
        const val = db.peek(key);
        const set = this.byKey[db.id]?.get(key);
        if (set === undefined) continue;
        if (val === undefined || (this.valueWatchers !== 0 && typeOf(val) !== 'stream')) {
          // unblockDeletedStreamReadgroupClients: the key is gone, or no longer a stream
          if (this.valueWatchers !== 0) this.unblockKeyGone(key, set);
          if (val === undefined) continue;
        }
        const type = typeOf(val);
        for (const c of [...set]) {
          const st = this.states.get(c);
          if (st === undefined || st.req.type !== type || !set.has(c)) continue;
          this.serveClient(c, st, key);
          const now = db.peek(key);
          if (now === undefined || typeOf(now) !== type) break;
        }
      }
    }
  }

  /** The clients watching key's value (XREADGROUP) answered by their onKeyGone, in blocking order. */
  private unblockKeyGone(key: string, set: Set<Client>): void {
    for (const c of [...set]) {
      const st = this.states.get(c);
      if (st === undefined || st.req.onKeyGone === undefined || !set.has(c)) continue;
      const gone = st.req.onKeyGone;
      this.serveClient(c, st, key, (bc, k) => {
        gone(bc, k);
        return true;
      });
    }
  }

  private serveClient(c: Client, st: BlockState, key: string, serve: (c: Client, key: string) => boolean = st.req.serve): void {
    const s = this.s;
    const ks = s.ks;
    const errorsBefore = s.stats.totalErrorReplies;
    // CLIENT REPLY OFF, or SKIP before the command that blocked: what it writes is dropped (pushes aside)
    if (c.replyMode === 'off' || c.replyMode === 'skip') c.silenced = c.deferLen();
    c.propagateArgv = null;
    ks.noTouch = c.noTouch;
    const t0 = performance.now();
    let served = true;
    // the served client is the one executing, as Redis's current_client: what it
    // modifies for itself (BLMOVE's destination) is invalidated after its reply
    const outerClient = s.currentClient;
    const outerExecuting = s.currentExecuting;
    s.currentClient = c;
    s.currentExecuting = true;
    try {
      served = serve(c, key);
    } catch (e) {
      if (e instanceof RedisError) {
        c.addError(e.resp);
      } else {
        s.log.warning(`BUG: unexpected exception serving a blocked '${c.lastCmd}': ${(e as Error)?.stack ?? e}`);
        c.addError(Err.internal(c.lastCmd).resp);
      }
    }
    s.currentClient = outerClient;
    s.currentExecuting = outerExecuting;
    if (s.tracking.hasPending) s.tracking.handlePendingKeyInvalidations(c);
    if (c.silenced !== null) {
      c.dropSince(c.silenced);
      c.silenced = null;
    }
    if (!served) return;
    if (c.replyMode === 'skip') c.replyMode = 'on';
    this.updateStatsOnUnblock(c, st, (performance.now() - t0) * 1000, s.stats.totalErrorReplies !== errorsBefore, st.argv);
    const emit = s.propagation.emit;
    if (emit !== null && c.propagateArgv !== null) emit(st.db.id, c.propagateArgv);
    this.unblock(c);
  }

  /** Redis's updateStatsOnUnblock: the command's usec and failed calls, and the slow log. */
  private updateStatsOnUnblock(c: Client, st: BlockState, replyUsec: number, failed: boolean, argv: string[]): void {
    const cmd = st.cmd;
    if (cmd === undefined) return;
    const s = this.s;
    const total = st.callUsec + replyUsec;
    cmd.stats.usec += total;
    if (failed) cmd.stats.failed++;
    if (s.latencyTracking) s.recordLatency(cmd.stats, total);
    s.slowlog.pushIfNeeded(c, cmd, argv, total);
    s.latency.addSampleIfNeeded('command-unblocking', Math.floor(replyUsec / 1000));
  }

  /**
   * Redis's disconnectAllBlockedClients: every client blocked on keys (or in
   * WAIT) gets `text` as an error and is unblocked — the dataset it waits on
   * is about to be replaced (REPLICAOF).
   */
  unblockAll(text: string): void {
    for (const [c, st] of [...this.states]) {
      c.addError(text);
      this.updateStatsOnUnblock(c, st, 0, true, []);
      this.unblock(c);
    }
    this.s.flushPending();
  }

  /**
   * Tries to serve blocked c now, with its request's serve (a wait on
   * something other than keys — WAIT's acknowledgements — that came true).
   * Returns true when c was blocked and is served.
   */
  serveNow(c: Client): boolean {
    const st = this.states.get(c);
    if (st === undefined) return false;
    this.serveClient(c, st, '');
    const served = !this.states.has(c);
    if (served) this.s.flushPending();
    return served;
  }

  /**
   * CLIENT UNBLOCK: unblocks c with the timeout reply, or with Redis's
   * -UNBLOCKED error. Returns false if c is not blocked on keys.
   */
  unblockByRequest(c: Client, error: boolean): boolean {
    const st = this.states.get(c);
    if (st === undefined) return false;
    if (error) c.addError('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    else this.replyTimeout(c, st);
    // Redis 7.0 counts either form as a failed call, and logs it without arguments
    this.updateStatsOnUnblock(c, st, 0, true, []);
    this.unblock(c);
    this.s.flushPending();
    return true;
  }

  private replyTimeout(c: Client, st: BlockState): void {
    const mark = c.replyMode === 'off' || c.replyMode === 'skip' ? c.deferLen() : null;
    if (st.req.onTimeout !== undefined) st.req.onTimeout(c);
    else c.addNullArray();
    if (mark !== null) c.dropSince(mark);
    if (c.replyMode === 'skip') c.replyMode = 'on';
  }

  /** Unblocks c (its reply is written) and queues its remaining input. */
  private unblock(c: Client): void {
    this.remove(c);
    this.s.markPending(c);
    this.unblocked.push(c);
    if (!this.reprocessScheduled) {
      this.reprocessScheduled = true;
      setImmediate(() => this.processUnblockedClients());
    }
  }

  /** Forgets c's blocking state (served, timed out, unblocked or disconnected). */
  private remove(c: Client): void {
    const st = this.states.get(c)!;
    this.states.delete(c);
    c.blocked = false;
    const m = this.byKey[st.db.id]!;
    for (const k of st.keys) {
      const set = m.get(k);
      if (set === undefined) continue;
      set.delete(c);
      if (set.size === 0) m.delete(k);
    }
    if (st.values !== null && --this.valueWatchers === 0) this.s.ks.blockedKeyHook = null;
    const n = this.byType.get(st.req.type)! - 1;
    if (n === 0) this.byType.delete(st.req.type);
    else this.byType.set(st.req.type, n);
    if (st.hi !== -1) {
      this.timeoutCount--;
      this.heapRemove(st);
    }
  }

  /** Redis's processUnblockedClients: runs the pipelined input that waited behind the blocking command. */
  private processUnblockedClients(): void {
    this.reprocessScheduled = false;
    const list = this.unblocked;
    this.unblocked = [];
    const s = this.s;
    for (const c of list) {
      if (c.closed || c.blocked) continue;
      s.processInputGuarded(c);
      s.markPending(c);
    }
    s.flushPending();
  }

  // ---------------------------------------------------------------- timeouts

  private armTimer(): void {
    const top = this.heap[0];
    if (top === undefined) return;
    const at = top.req.timeout;
    if (this.timer !== null) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    const delay = Math.min(0x7fffffff, Math.max(1, at - this.s.ks.clock()));
    this.timer = setTimeout(() => this.onTimer(), delay);
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = null;
    const s = this.s;
    const now = s.ks.clock();
    s.anchorClock();
    s.ks.updateClock();
    while (this.heap.length !== 0 && this.heap[0].req.timeout <= now) {
      const st = this.heap[0];
      try {
        this.replyTimeout(st.c, st);
      } catch (e) {
        // a timer is an entry point from the event loop: a failure costs this client only
        s.log.warning(`BUG: unexpected exception timing out a blocked '${st.c.lastCmd}': ${(e as Error)?.stack ?? e}`);
        st.c.addError(Err.internal(st.c.lastCmd).resp);
        st.c.closeAfterReply = true;
      }
      this.unblock(st.c); // removes it from the heap
    }
    this.armTimer();
    s.flushPending();
  }

  private heapPush(st: BlockState): void {
    st.hi = this.heap.length;
    this.heap.push(st);
    this.siftUp(st.hi);
  }

  private heapRemove(st: BlockState): void {
    const h = this.heap;
    const i = st.hi;
    st.hi = -1;
    const last = h.pop()!;
    if (last === st) return;
    h[i] = last;
    last.hi = i;
    this.siftDown(i);
    this.siftUp(last.hi);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    const e = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].req.timeout <= e.req.timeout) break;
      h[i] = h[p];
      h[i].hi = i;
      i = p;
    }
    h[i] = e;
    e.hi = i;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const e = h[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const m = r < h.length && h[r].req.timeout < h[l].req.timeout ? r : l;
      if (h[m].req.timeout >= e.req.timeout) break;
      h[i] = h[m];
      h[i].hi = i;
      i = m;
    }
    h[i] = e;
    e.hi = i;
  }
}
