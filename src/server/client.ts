/**
 * Client: one connection's state and its reply writer.
 *
 * Replies accumulate in `out`, a latin1 JS string (V8 concatenation builds a
 * rope, so appending is cheap), and leave in one socket write when the read
 * event that produced them has been fully processed (see Server.flush): one
 * write per read, never one per reply. Replies produced for this client while
 * handling another client's read (pub/sub, unblocking) mark it pending and are
 * written at the end of that event.
 *
 * Replies of any size: one JS string holds at most 2^29 - 24 chars, and a
 * rope of millions of small appends costs several times its bytes. When
 * `out` passes SPILL_CHARS it is sealed into `chunks` as a Buffer (flat,
 * off the V8 heap), and a single piece longer than that (a big value) is
 * sealed as it is; the socket gets the chunks in order, then `out`. So a
 * 1 GB LRANGE or a 512 MB GET costs about its own size, as Redis's reply
 * list does. Deferred lengths (Redis's deferred reply nodes) remember where
 * in `chunks` they were taken, and insert their header there when output
 * was sealed meanwhile.
 *
 * RESP2/RESP3 differences live here and nowhere else: handlers call addMapLen,
 * addDouble, addNull… and the writer picks the wire form for `resp`.
 */
import type { Socket } from 'node:net';
import { RequestParser } from '../protocol/parser.js';
import { formatDouble, intToString } from '../util/numbers.js';
import { bulkWriter } from '../util/bulk-writer.js';
import { CONE, CZERO } from '../protocol/replies.js';

/** '$<len>\r\n' for the lengths of most values, built once (one concatenation less per bulk reply) */
const BULK_HEADERS: string[] = [];
for (let i = 0; i < 512; i++) BULK_HEADERS.push(`$${i}\r\n`);

/** The bulk header of a value of len bytes. */
function bulkHeader(len: number): string {
  return len < 512 ? BULK_HEADERS[len] : '$' + intToString(len) + '\r\n';
}
import type { Db } from '../keyspace/keyspace.js';
import { newClientMem, type ClientMem } from './client-mem.js';

/** CLIENT REPLY: 'skipnext' is set by SKIP and becomes 'skip' for the next command only. */
export type ReplyMode = 'on' | 'off' | 'skipnext' | 'skip';

/**
 * `out` is sealed into a chunk past this many chars (and a single appended
 * piece longer than this goes to its own chunk): ropes stay small, and no
 * string comes near V8's limit.
 */
const SPILL_CHARS = 1 << 20;

/**
 * The most reply one command may build for a normal client before the
 * connection is closed instead (Redis's CLIENT_CLOSE_ASAP on the output
 * buffer limit). Redis has no such bound without a normal-class limit and
 * grows until memory runs out; a count of random members with repetitions
 * (ZRANDMEMBER key -2^62) could ask for exabytes. Each server keeps one
 * ReplyLimit its clients share, set to the normal class's hard limit when
 * one is configured (so servers in one process do not share it).
 */
export const REPLY_CAP_BYTES = 4 * 1024 * 1024 * 1024;
export interface ReplyLimit {
  maxBytes: number;
}

/** A position in a client's output (deferLen), where a header can be put later or everything after it dropped. */
export interface OutputMark {
  /** `out` when the mark was taken (taken out of `out`, put back when the mark is resolved) */
  readonly saved: string;
  /** chunks.length when the mark was taken */
  readonly at: number;
}

/**
 * The ACL user a client is authenticated as: server/acl.ts's AclUser, which
 * that file merges in here (the client layer does not import the ACLs).
 */
export interface ClientUser {}

/**
 * A command as MULTI queues it: the server's CommandSpec<ServerContext>, which
 * commands/context.ts merges into this interface (declaration merging). The
 * command layer names Client in its handlers' type, so the connection layer
 * names the command without importing it: no import cycle, no cast.
 */
export interface QueuedCommand {}

/**
 * Redis's islocalClient (protected actions with "local": enable-debug-command,
 * enable-module-command, enable-protected-configs): a Unix socket client, one
 * connected from 127.0.0.1 or ::1, or none at all (scripts, the AOF loader).
 */
export function islocalClient(c: Client): boolean {
  return c.socket === null || c.unixSocket || c.addr.startsWith('127.0.0.1:') || c.addr.startsWith('[::1]:') || c.addr === '';
}

/**
 * The flags one call of a command declares in place of the command's own
 * (Redis's getCommandFlags: a script's shebang flags for EVAL, a function's
 * for FCALL), for the pipeline's guards: OOM, MISCONF, CLIENT PAUSE WRITE …
 */
export interface DeclaredFlags {
  readonly write: boolean;
  readonly denyoom: boolean;
  readonly mayReplicate: boolean;
  readonly readonly: boolean;
  readonly stale: boolean;
}

export class Client {
  readonly id: number;
  /** replies not written yet, after `chunks` (see the header) */
  out = '';
  /** sealed output before `out`, in order: Buffers, and strings too long to append */
  chunks: (string | Buffer)[] = [];
  /** bytes held in `chunks` */
  chunkBytes = 0;
  resp: 2 | 3 = 2;
  name = '';
  db: Db;
  readonly parser: RequestParser;
  readonly createdAt: number;
  lastInteraction: number;
  /** the last command run (the current one while it runs), for CLIENT LIST cmd= */
  lastCmd = 'NULL';
  /** the arguments of the command running (or blocked), for CLIENT LIST argv-mem; null between commands */
  curArgv: string[] | null = null;
  /** The arguments Redis's c->argv holds: the command running, or those read so far of one arriving (CLIENT LIST argv-mem). */
  get memArgv(): readonly string[] | null {
    return this.curArgv ?? this.parser.readingArgv;
  }
  /** argv bytes of the commands queued in MULTI (CLIENT LIST multi-mem) */
  multiArgvMem = 0;
  /** Redis's accounting of this client's query and reply buffers (server/client-mem.ts) */
  readonly mem: ClientMem = newClientMem();
  /** what this client counts for in the server's clientsMemory (used_memory), as last refreshed */
  usedMemCounted = 0;
  /** AUTH/HELLO succeeded (Redis's c->authenticated; whether it is needed is the default user's: Acl.authRequired) */
  authenticated = true;
  /** the ACL user (Redis's c->user); null runs anything (the AOF loader's client, as Redis's NULL user) */
  user: ClientUser | null = null;
  replyMode: ReplyMode = 'on';
  /**
   * While CLIENT REPLY OFF|SKIP silences the command being run (call(), or
   * the serving of a blocked command): the mark after which its replies are
   * dropped when it ends. Pushes move it (beginPush / endPush).
   */
  silenced: OutputMark | null = null;
  noEvict = false;
  /** client eviction's bookkeeping (server/evict-clients.ts): the memory last measured, its client type, its bucket (-1: none) */
  lastMemoryUsage = 0;
  lastMemoryType = 0;
  memBucket = -1;
  /** in MONITOR mode (server/monitor.ts) */
  monitor = false;
  noTouch = false;
  /** close once pending replies are written (QUIT, protocol error) */
  closeAfterReply = false;
  /** close without writing what is pending: a reply outgrew its limit (Redis's CLIENT_CLOSE_ASAP) */
  closeAsap = false;
  /** the server's limit on one command's reply (see REPLY_CAP_BYTES) */
  replyLimit: ReplyLimit = { maxBytes: REPLY_CAP_BYTES };
  closed = false;
  /** in the server's pending-write list */
  pendingWrite = false;
  /** blocked clients stop reading commands until unblocked */
  blocked = false;
  /** paused by CLIENT PAUSE: input is kept until unpaused */
  paused = false;
  /** true while inside MULTI */
  inMulti = false;
  /** queued commands; `flags`: what the call declared (DeclaredFlags), null for the command's own */
  multiQueue: { cmd: QueuedCommand; argv: string[]; big: Map<number, Buffer> | null; flags: DeclaredFlags | null }[] = [];
  /**
   * The current command's arguments too long for a JS string (index → bytes;
   * argv holds '' there), null almost always: see protocol/parser.ts and
   * CommandSpec.takesBigArgs.
   */
  bigArgs: Map<number, Buffer> | null = null;
  multiError = false;
  /** set by WATCH when a watched key was touched */
  dirtyCas = false;
  /** WATCHed keys; `expired`: the key was already logically expired when watched */
  watched: { db: Db; key: string; expired: boolean }[] = [];
  /** pub/sub subscriptions */
  channels: Set<string> | null = null;
  patterns: Set<string> | null = null;
  shardChannels: Set<string> | null = null;
  totNetIn = 0;
  totNetOut = 0;
  commandsProcessed = 0;
  laddr = '';
  addr = '';
  fd = -1;
  libName = '';
  libVer = '';
  /** when the output buffer first went past its class's soft limit (unix seconds, as Redis), 0 when under it */
  obufSoftLimitSince = 0;
  /** connected through the Unix socket (unixsocket): CLIENT LIST flag U */
  unixSocket = false;
  /**
   * CLIENT TRACKING (server/tracking.ts): Redis's CLIENT_TRACKING* flags as
   * the TRACKING_* bits there, 0 when off; the client invalidations go to
   * (0: this one); the BCAST prefixes, null without BCAST.
   */
  tracking = 0;
  trackingRedirect = 0;
  trackingPrefixes: Set<string> | null = null;
  /** the replication offset right after this client's last write (WAIT waits for it: Redis's woff) */
  woff = 0;
  /** kind for CLIENT LIST/KILL TYPE: normal, master, replica, pubsub */
  kind: 'normal' | 'master' | 'replica' = 'normal';

  constructor(
    id: number,
    readonly socket: Socket | null,
    db: Db,
    now: number,
    maxBulkLen: number,
  ) {
    this.id = id;
    this.db = db;
    this.parser = new RequestParser(maxBulkLen);
    this.createdAt = now;
    this.lastInteraction = now;
  }

  get subscriptionCount(): number {
    return (this.channels ? this.channels.size : 0) + (this.patterns ? this.patterns.size : 0);
  }

  /** RESP2 pub/sub mode: subscribed to something. */
  get inPubSub(): boolean {
    return this.subscriptionCount > 0 || (this.shardChannels !== null && this.shardChannels.size > 0);
  }

  // ---------------------------------------------------------------- replies

  /** Bytes of reply not handed to the socket yet (chunks and `out`). */
  get outBytes(): number {
    return this.chunkBytes + this.out.length;
  }

  /**
   * For loops that build a reply of a size the request chose (random members
   * with repetitions): true once the pending output passed replyLimit, the
   * client then being marked closeAsap; the loop stops, as Redis's stop on
   * CLIENT_CLOSE_ASAP.
   */
  replyOverLimit(): boolean {
    if (this.chunkBytes + this.out.length > this.replyLimit.maxBytes) this.closeAsap = true;
    return this.closeAsap;
  }

  /** Seals `out` into a chunk (a flat Buffer off the V8 heap). */
  private spill(): void {
    const o = this.out;
    if (o.length === 0) return;
    this.out = '';
    const b = Buffer.from(o, 'latin1');
    this.chunks.push(b);
    this.chunkBytes += b.length;
  }

  /** Appends a piece too long for `out`: it becomes a chunk of its own. */
  private addLong(s: string | Buffer): void {
    this.spill();
    this.chunks.push(s);
    this.chunkBytes += s.length;
  }

  /** Takes the chunks (the socket write), leaving none. */
  takeChunks(): (string | Buffer)[] {
    const ch = this.chunks;
    this.chunks = [];
    this.chunkBytes = 0;
    return ch;
  }

  addRaw(s: string): void {
    if (s.length > SPILL_CHARS) {
      this.addLong(s);
      return;
    }
    this.out += s;
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  addOK(): void {
    this.out += '+OK\r\n';
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  addStatus(s: string): void {
    this.addRaw('+' + s + '\r\n');
  }

  /** counts error replies (INFO errorstats); set by the server */
  onError: ((text: string) => void) | null = null;
  /** a handler may set the form its write propagates as (INCRBYFLOAT → SET …) */
  propagateArgv: string[] | null = null;
  /** a handler may ask to be propagated although it changed nothing (Redis's forceCommandPropagation) */
  forcePropagate = false;
  /** where this call's propagation goes (PROPAGATE_AOF | PROPAGATE_REPL, server/propagation.ts) */
  propagateTargets = 3;
  /** the handler propagated what it did itself (EXEC): call() propagates nothing more */
  propagated = false;
  /** the command failed with an error reply its stats do not count again (a script returning a command's error) */
  callFailed = false;
  /** a script's own client (Redis's CLIENT_SCRIPT): SORT sorts sets for it */
  script = false;

  /** An error reply; `text` has no leading '-' (e.g. "ERR syntax error"). Counted for INFO errorstats. */
  addError(text: string): void {
    if (this.onError !== null) this.onError(text);
    this.addRaw('-' + text + '\r\n');
  }

  addInt(n: number | bigint): void {
    this.out += ':' + intToString(n) + '\r\n';
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  addBulk(s: string): void {
    if (s.length > SPILL_CHARS) {
      this.addRaw(bulkHeader(s.length));
      this.addLong(s);
      this.out += '\r\n';
      return;
    }
    this.out += bulkHeader(s.length) + s + '\r\n';
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  /**
   * A bulk string of the bytes buf[0, len), for values kept as bytes (see
   * keyspace/value.ts). The bytes are copied when small and referenced when
   * long: the caller must not change them until they were written (a value
   * hands out its buffer copy-on-write).
   */
  addBulkBuffer(buf: Buffer, len: number): void {
    if (len <= SPILL_CHARS) {
      this.addBulk(buf.latin1Slice(0, len));
      return;
    }
    this.addRaw(bulkHeader(len));
    this.addLong(len === buf.length ? buf : buf.subarray(0, len));
    this.out += '\r\n';
  }

  /** A bulk string, or a null bulk when s is null/undefined. */
  addBulkOrNull(s: string | null | undefined): void {
    if (s === null || s === undefined) this.addNull();
    else this.addBulk(s);
  }

  addBulkInt(n: number | bigint): void {
    this.addBulk(intToString(n));
  }

  /** The null bulk string ($-1 in RESP2, _ in RESP3). */
  addNull(): void {
    this.out += this.resp === 3 ? '_\r\n' : '$-1\r\n';
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  /** The null array (*-1 in RESP2, _ in RESP3). */
  addNullArray(): void {
    this.out += this.resp === 3 ? '_\r\n' : '*-1\r\n';
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  addArrayLen(n: number): void {
    this.out += '*' + n + '\r\n';
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  /** A map of n pairs (%n in RESP3, a flat array of 2n in RESP2). */
  addMapLen(n: number): void {
    this.out += this.resp === 3 ? '%' + n + '\r\n' : '*' + 2 * n + '\r\n';
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  /** A set of n elements (~n in RESP3, an array in RESP2). */
  addSetLen(n: number): void {
    this.out += this.resp === 3 ? '~' + n + '\r\n' : '*' + n + '\r\n';
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  /** A RESP3 attribute-less push (>n), an array in RESP2. */
  /**
   * Redis's CLIENT_PUSHING: pub/sub frames (subscription confirmations,
   * messages, keyspace events) reach the client even while CLIENT REPLY
   * OFF|SKIP silences its replies, in RESP2 as in RESP3. beginPush drops what
   * the silenced command wrote so far; endPush resumes the silence after the
   * push, which stays.
   */
  beginPush(): void {
    if (this.silenced !== null) this.dropSince(this.silenced);
  }

  endPush(): void {
    if (this.silenced !== null) this.silenced = this.deferLen();
  }

  addPushLen(n: number): void {
    this.out += this.resp === 3 ? '>' + n + '\r\n' : '*' + n + '\r\n';
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  /** A double: RESP3 ",<d>", RESP2 a bulk string with Redis's %.17g form. */
  addDouble(d: number): void {
    const s = formatDouble(d);
    if (this.resp === 3) this.out += ',' + s + '\r\n';
    else this.out += '$' + s.length + '\r\n' + s + '\r\n';
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  addBool(b: boolean): void {
    if (this.resp === 3) this.out += b ? '#t\r\n' : '#f\r\n';
    else this.out += b ? CONE : CZERO;
    if (this.out.length > SPILL_CHARS) this.spill();
  }

  /** Verbatim text (=len\r\ntxt:... in RESP3), a bulk string in RESP2. */
  addVerbatim(s: string, format = 'txt'): void {
    if (this.resp === 3) this.addRaw('=' + (s.length + 4) + '\r\n' + format + ':' + s + '\r\n');
    else this.addBulk(s);
  }

  /** An array of bulk strings. */
  addBulks(items: readonly string[]): void {
    this.addArrayLen(items.length);
    this.addBulkItems(items);
  }

  /** Bulk strings one after the other (no header), written as bytes by the shared bulk writer. */
  addBulkItems(items: readonly string[]): void {
    if (items.length === 0) return;
    if (items.length === 1) {
      this.addBulk(items[0]);
      return;
    }
    const w = bulkWriter;
    w.start(this);
    for (let i = 0; i < items.length; i++) {
      const s = items[i];
      w.strBulk(s, 0, s.length);
    }
    w.finish();
  }

  /**
   * Deferred length: returns a mark; the replies written after it are wrapped
   * by finishDeferred* with a header whose count is only known at the end,
   * or dropped (dropSince) or kept as they are (keepSince).
   */
  deferLen(): OutputMark {
    const mark = { saved: this.out, at: this.chunks.length };
    this.out = '';
    return mark;
  }

  /** Resolves a mark: `head` goes where the mark was taken, before what was written since. */
  private resolveMark(m: OutputMark, head: string): void {
    if (this.chunks.length === m.at) {
      // nothing was sealed since the mark: one concatenation (the usual case)
      this.out = m.saved + head + this.out;
      if (this.out.length > SPILL_CHARS) this.spill();
    } else {
      const before = m.saved + head;
      this.chunks.splice(m.at, 0, before);
      this.chunkBytes += before.length;
    }
  }

  finishDeferredArray(m: OutputMark, n: number): void {
    this.resolveMark(m, '*' + n + '\r\n');
  }

  finishDeferredMap(m: OutputMark, n: number): void {
    this.resolveMark(m, (this.resp === 3 ? '%' + n : '*' + 2 * n) + '\r\n');
  }

  finishDeferredSet(m: OutputMark, n: number): void {
    this.resolveMark(m, (this.resp === 3 ? '~' + n : '*' + n) + '\r\n');
  }

  /** Keeps what was written since the mark, as it is. */
  keepSince(m: OutputMark): void {
    this.resolveMark(m, '');
  }

  /** Drops everything written since the mark (CLIENT REPLY OFF, a reply that failed halfway). */
  dropSince(m: OutputMark): void {
    const ch = this.chunks;
    while (ch.length > m.at) this.chunkBytes -= ch.pop()!.length;
    this.out = m.saved;
  }
}
