/**
 * Client-side caching (Redis's tracking.c): CLIENT TRACKING's state and the
 * invalidation messages.
 *
 * Default mode: after a read-only command of a tracking client, call() asks
 * rememberCall to put each key it read in the tracking table (key → ids of
 * the clients that may cache it). When a key is modified — the keyspace's
 * signalModifiedKey, which this subsystem listens to only while the table or
 * the prefix table holds something, so writes pay nothing otherwise — every
 * client in its entry gets one invalidation and the entry goes: a client is
 * told once until it reads the key again. The table is global (keys are
 * names, whatever the database), as Redis's.
 *
 * BCAST mode: nothing is remembered per client; a modified key matching a
 * prefix is collected in that prefix's state, with the client that modified
 * it last (NOLOOP), and each prefix's keys go to its clients as one array
 * before the replies of the loop iteration leave (Redis's beforeSleep:
 * `broadcastInvalidationMessages`, a `beforeReplies` step).
 *
 * Where the message goes (Redis's sendTrackingMessage): to the client itself
 * when it speaks RESP3 (a push `invalidate [keys]`), or to its REDIRECT
 * client: a RESP3 one gets the same push, a RESP2 one in pub/sub mode a
 * `message` on `__redis__:invalidate`; a RESP2 client without redirection
 * gets nothing. A redirect client that is gone marks the tracking client
 * broken, and a RESP3 one is told `tracking-redir-broken <id>`. A message for
 * the client whose command is running waits until its reply was written
 * (Redis's tracking_pending_keys), so replies and pushes do not interleave;
 * invalidations caused before the command runs (eviction) come first.
 *
 * FLUSHALL/FLUSHDB send every tracking client one null ("everything") and
 * empty the table. `tracking-table-max-keys` bounds the table: past it,
 * keys are invalidated as if modified until it fits, with an effort that grows
 * while it stays over (Redis's trackingLimitUsedSlots, run before each
 * command and by the cron). Redis picks the keys by a random walk of its rax;
 * gKV takes them oldest first (a Map's order), which a client cannot tell
 * from chance.
 *
 * Clients leaving (disableTracking) only drop their count and prefixes: their
 * ids stay in the table until the keys are modified, as in Redis.
 */
import type { Client } from './client.js';
import type { Keyspace, ModifiedKeyListener } from '../keyspace/keyspace.js';
import type { CommandSpec } from '../commands/spec.js';
import { getKeysFromCommand } from '../commands/keys.js';
import { deliverPush } from './publish.js';

/** Redis's CLIENT_TRACKING* flags, as Client.tracking bits. */
export const TRACKING_ON = 1;
export const TRACKING_BROKEN_REDIR = 2;
export const TRACKING_BCAST = 4;
export const TRACKING_OPTIN = 8;
export const TRACKING_OPTOUT = 16;
/** CLIENT CACHING yes|no for the next command (or transaction) */
export const TRACKING_CACHING = 32;
export const TRACKING_NOLOOP = 64;

/** What tracking uses of the server. */
export interface TrackingHost {
  readonly ks: Keyspace;
  /** connected clients by id (Redis's lookupClientByID) */
  readonly clients: Map<number, Client>;
  /** Redis's server.current_client: the client whose command the pipeline handles (null between commands) */
  readonly currentClient: Client | null;
  /** the current client's command is inside call() (Redis's CLIENT_EXECUTING_COMMAND) */
  readonly currentExecuting: boolean;
  /** the running script's own client while its code runs (null otherwise): who modifies keys then, as in Redis */
  readonly scriptClient: Client | null;
  markPending(c: Client): void;
}

/** A BCAST prefix: its clients, and the keys modified since the last broadcast → who modified each last (null: the server). */
interface BcastState {
  readonly clients: Set<Client>;
  keys: Map<string, Client | null>;
}

const bulk = (s: string): string => '$' + s.length + '\r\n' + s + '\r\n';
const INVALIDATE_PUSH = '>2\r\n$10\r\ninvalidate\r\n';
const INVALIDATE_MESSAGE = '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n';

export class Tracking {
  /** key → ids of the clients that may hold it (Redis's TrackingTable) */
  private readonly table = new Map<string, Set<number>>();
  /** ids stored across the table (Redis's TrackingTableTotalItems) */
  totalItems = 0;
  /** BCAST prefix → its state (Redis's PrefixTable) */
  private readonly prefixTable = new Map<string, BcastState>();
  /** clients with tracking on (Redis's server.tracking_clients) */
  clients = 0;
  /** tracking-table-max-keys (0: unbounded) */
  maxKeys = 1000000;
  private timeoutCounter = 0;
  /** invalidations for the current client, sent after its command's reply: key, or null for a flush */
  private readonly pending: { target: Client; key: string | null }[] = [];
  /** some prefix collected keys since the last broadcast */
  private bcastDirty = false;
  private listening = false;
  /** signalModifiedKey: the modifier is the script's client inside a script, else the current client (none for expiry, eviction) */
  private readonly listener: ModifiedKeyListener = (_db, key, internal) => this.invalidateKey(key, internal ? null : (this.h.scriptClient ?? this.h.currentClient), true);

  constructor(private readonly h: TrackingHost) {}

  get totalKeys(): number {
    return this.table.size;
  }

  get totalPrefixes(): number {
    return this.prefixTable.size;
  }

  get hasPending(): boolean {
    return this.pending.length !== 0;
  }

  /** Listens to the keyspace's modifications only while there is something to invalidate. */
  private updateListener(): void {
    const want = this.table.size !== 0 || this.prefixTable.size !== 0;
    if (want === this.listening) return;
    this.listening = want;
    if (want) this.h.ks.modified.add(this.listener);
    else this.h.ks.modified.remove(this.listener);
  }

  /**
   * Redis's checkPrefixCollisionsOrReply: the error text when a prefix overlaps
   * one the client has or another of the list (one is a prefix of the other),
   * null when none does.
   */
  prefixCollision(c: Client, prefixes: readonly string[]): string | null {
    const overlap = (a: string, b: string): boolean => (a.length < b.length ? b.startsWith(a) : a.startsWith(b));
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i];
      if (c.trackingPrefixes !== null) {
        for (const q of [...c.trackingPrefixes].sort()) {
          if (overlap(q, p)) return `ERR Prefix '${p}' overlaps with an existing prefix '${q}'. Prefixes for a single client must not overlap.`;
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlap(p, prefixes[j])) return `ERR Prefix '${p}' overlaps with another provided prefix '${prefixes[j]}'. Prefixes for a single client must not overlap.`;
      }
    }
    return null;
  }

  /** Redis's enableTracking: options are TRACKING_* bits (BCAST, OPTIN, OPTOUT, NOLOOP). */
  enable(c: Client, redirect: number, options: number, prefixes: readonly string[]): void {
    if ((c.tracking & TRACKING_ON) === 0) this.clients++;
    // the mode flags are the new ones; CACHING stays for the command after this one
    c.tracking = TRACKING_ON | (c.tracking & TRACKING_CACHING) | (options & (TRACKING_OPTIN | TRACKING_OPTOUT | TRACKING_NOLOOP));
    c.trackingRedirect = redirect;
    if ((options & TRACKING_BCAST) !== 0) {
      c.tracking |= TRACKING_BCAST;
      if (prefixes.length === 0) this.enableBcastPrefix(c, '');
      for (const p of prefixes) this.enableBcastPrefix(c, p);
      this.updateListener();
    }
  }

  private enableBcastPrefix(c: Client, prefix: string): void {
    let bs = this.prefixTable.get(prefix);
    if (bs === undefined) this.prefixTable.set(prefix, (bs = { clients: new Set(), keys: new Map() }));
    if (bs.clients.has(c)) return;
    bs.clients.add(c);
    (c.trackingPrefixes ??= new Set()).add(prefix);
  }

  /** Redis's disableTracking: CLIENT TRACKING off, RESET, the client leaving. */
  disable(c: Client): void {
    if ((c.tracking & TRACKING_BCAST) !== 0 && c.trackingPrefixes !== null) {
      for (const p of c.trackingPrefixes) {
        const bs = this.prefixTable.get(p);
        if (bs === undefined) continue;
        bs.clients.delete(c);
        if (bs.clients.size === 0) this.prefixTable.delete(p);
      }
      c.trackingPrefixes = null;
      this.updateListener();
    }
    if ((c.tracking & TRACKING_ON) !== 0) {
      this.clients--;
      c.tracking = 0;
    }
  }

  /**
   * call() after a read-only command (not EVAL_RO, EVALSHA_RO, FCALL_RO: a
   * script counts through the commands it runs) of client c, while some
   * client tracks: remembers its keys for the client that asked — the
   * script's caller for a command a script runs, which then remembers the
   * script's declared keys (Redis 7.0's trackingRememberKeys(caller)).
   */
  rememberCall(c: Client, cmd: CommandSpec, argv: string[], lookup: (argv: string[]) => CommandSpec | undefined): void {
    const cur = this.h.currentClient;
    let caller = c;
    if (cur !== null && c !== cur) {
      caller = cur;
      if (caller.curArgv === null) return;
      argv = caller.curArgv;
      const spec = lookup(argv);
      if (spec === undefined) return;
      cmd = spec;
    }
    const f = caller.tracking;
    if ((f & TRACKING_ON) === 0 || (f & TRACKING_BCAST) !== 0) return;
    // OPTIN without CLIENT CACHING yes, OPTOUT with CLIENT CACHING no: not remembered
    const caching = (f & TRACKING_CACHING) !== 0;
    if (((f & TRACKING_OPTIN) !== 0 && !caching) || ((f & TRACKING_OPTOUT) !== 0 && caching)) return;
    const keys = getKeysFromCommand(cmd, argv);
    if (keys.length === 0) return;
    const id = caller.id;
    for (const k of keys) {
      const key = argv[k.pos];
      let ids = this.table.get(key);
      if (ids === undefined) this.table.set(key, (ids = new Set()));
      if (!ids.has(id)) {
        ids.add(id);
        this.totalItems++;
      }
    }
    this.updateListener();
  }

  /**
   * Redis's trackingInvalidateKey: key was modified (by `by`, null when the
   * server removed it: expiry, eviction, the table's limit). Collects it for
   * the BCAST prefixes it matches (when bcast), and tells the clients that
   * may cache it, then forgets them.
   */
  invalidateKey(key: string, by: Client | null, bcast: boolean): void {
    if (bcast && this.prefixTable.size !== 0) this.rememberKeyToBroadcast(key, by);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    const cur = this.h.currentClient;
    for (const id of ids) {
      const t = this.h.clients.get(id);
      // a client that left, turned tracking off, or switched to BCAST gets nothing of its old keys
      if (t === undefined || (t.tracking & TRACKING_ON) === 0 || (t.tracking & TRACKING_BCAST) !== 0) continue;
      // NOLOOP: not about the keys the client changed itself
      if ((t.tracking & TRACKING_NOLOOP) !== 0 && t === cur) continue;
      if (t === cur && this.h.currentExecuting) this.pending.push({ target: t, key });
      else this.sendTrackingMessage(t, '*1\r\n' + bulk(key));
    }
    this.totalItems -= ids.size;
    this.table.delete(key);
    this.updateListener();
  }

  /** Redis's trackingRememberKeyToBroadcast: key joins every matching prefix's keys, with who changed it last. */
  private rememberKeyToBroadcast(key: string, by: Client | null): void {
    for (const [prefix, bs] of this.prefixTable) {
      if (prefix.length > key.length || (prefix.length !== 0 && !key.startsWith(prefix))) continue;
      bs.keys.set(key, by);
      this.bcastDirty = true;
    }
  }

  /**
   * Redis's trackingHandlePendingKeyInvalidations: the invalidations held
   * for client c while its command ran, after its reply (after the
   * top-level command: a whole EXEC, a whole script — also one that yielded,
   * while other clients' commands ran meanwhile).
   */
  handlePendingKeyInvalidations(c: Client): void {
    const all = this.pending;
    let kept = 0;
    for (let i = 0; i < all.length; i++) {
      const { target, key } = all[i];
      if (target !== c) all[kept++] = all[i];
      else if (!target.closed) this.sendTrackingMessage(target, key === null ? nullFor(target) : '*1\r\n' + bulk(key));
    }
    all.length = kept;
  }

  /**
   * Redis's trackingInvalidateKeysOnFlush (FLUSHALL, FLUSHDB, a reload):
   * every tracking client is told "everything" (a null), and the table is
   * emptied.
   */
  invalidateKeysOnFlush(): void {
    if (this.clients !== 0) {
      const cur = this.h.currentClient;
      for (const c of this.h.clients.values()) {
        if ((c.tracking & TRACKING_ON) === 0) continue;
        if (c === cur) this.pending.push({ target: c, key: null });
        else this.sendTrackingMessage(c, nullFor(c));
      }
    }
    this.table.clear();
    this.totalItems = 0;
    this.updateListener();
  }

  /**
   * Redis's trackingLimitUsedSlots: over tracking-table-max-keys, keys are
   * invalidated (their clients told, as if modified) until the table fits,
   * at most 100 × (runs in a row that ended still over) keys per run.
   */
  limitUsedSlots(): void {
    const max = this.maxKeys;
    if (max === 0 || this.table.size <= max) {
      this.timeoutCounter = 0;
      return;
    }
    let effort = 100 * (this.timeoutCounter + 1);
    while (effort-- > 0) {
      const next = this.table.keys().next();
      if (next.done === true) break;
      this.invalidateKey(next.value, null, false);
      if (this.table.size <= max) {
        this.timeoutCounter = 0;
        return;
      }
    }
    this.timeoutCounter++;
  }

  /**
   * Redis's trackingBroadcastInvalidationMessages (beforeSleep): each
   * prefix's collected keys to its clients as one array — without the keys a
   * NOLOOP client changed itself (nothing when that leaves none).
   */
  broadcastInvalidationMessages(): void {
    if (!this.bcastDirty) return;
    this.bcastDirty = false;
    if (this.clients === 0) {
      for (const bs of this.prefixTable.values()) bs.keys = new Map();
      return;
    }
    const prefixes = [...this.prefixTable.keys()].sort();
    for (const p of prefixes) {
      const bs = this.prefixTable.get(p)!;
      if (bs.keys.size === 0) continue;
      const keys = [...bs.keys.keys()].sort();
      let all: string | null = null;
      for (const c of bs.clients) {
        if ((c.tracking & TRACKING_NOLOOP) !== 0) {
          const own = keys.filter((k) => bs.keys.get(k) !== c);
          if (own.length !== 0) this.sendTrackingMessage(c, arrayOf(own));
        } else this.sendTrackingMessage(c, (all ??= arrayOf(keys)));
      }
      bs.keys = new Map();
    }
  }

  /**
   * Redis's sendTrackingMessage: `value` (the RESP of the keys array, or of
   * a null) to c or to its redirect client, in the form each can take.
   */
  private sendTrackingMessage(c: Client, value: string): void {
    let target = c;
    if (c.trackingRedirect !== 0) {
      const r = this.h.clients.get(c.trackingRedirect);
      if (r === undefined || r.closed) {
        c.tracking |= TRACKING_BROKEN_REDIR;
        if (c.resp === 3) deliverPush(this.h, c, '>2\r\n$21\r\ntracking-redir-broken\r\n:' + c.trackingRedirect + '\r\n');
        return;
      }
      target = r;
    }
    if (target.resp === 3) deliverPush(this.h, target, INVALIDATE_PUSH + value);
    else if (target !== c && target.inPubSub) deliverPush(this.h, target, INVALIDATE_MESSAGE + value);
    // a RESP2 client without redirection: RESP2 has no pushes outside pub/sub
  }

  /** Redis's freeClient: a leaving client's tracking off; its pending messages dropped. */
  clientFreed(c: Client): void {
    if (c.tracking !== 0 || c.trackingPrefixes !== null) this.disable(c);
  }
}

/** Redis's shared.null[c->resp]: the flush message's value, in the tracking client's protocol (also when redirected). */
function nullFor(c: Client): string {
  return c.resp === 3 ? '_\r\n' : '$-1\r\n';
}

function arrayOf(keys: readonly string[]): string {
  let s = '*' + keys.length + '\r\n';
  for (const k of keys) s += bulk(k);
  return s;
}
