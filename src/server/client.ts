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
 * RESP2/RESP3 differences live here and nowhere else: handlers call addMapLen,
 * addDouble, addNull… and the writer picks the wire form for `resp`.
 */
import type { Socket } from 'node:net';
import { RequestParser } from '../protocol/parser.js';
import { formatDouble, intToString } from '../util/numbers.js';
import { bulkWriter } from '../util/bulk-writer.js';

/** '$<len>\r\n' for the lengths of most values, built once (one concatenation less per bulk reply) */
const BULK_HEADERS: string[] = [];
for (let i = 0; i < 512; i++) BULK_HEADERS.push(`$${i}\r\n`);

/** The bulk header of a value of len bytes. */
function bulkHeader(len: number): string {
  return len < 512 ? BULK_HEADERS[len] : '$' + intToString(len) + '\r\n';
}
import type { Db } from '../keyspace/keyspace.js';
import type { CommandSpec } from '../commands/spec.js';

/** CLIENT REPLY: 'skipnext' is set by SKIP and becomes 'skip' for the next command only. */
export type ReplyMode = 'on' | 'off' | 'skipnext' | 'skip';

export class Client {
  readonly id: number;
  out = '';
  resp: 2 | 3 = 2;
  name = '';
  db: Db;
  readonly parser: RequestParser;
  readonly createdAt: number;
  lastInteraction: number;
  /** the last command run (the current one while it runs), for CLIENT LIST cmd= */
  lastCmd = 'NULL';
  /** bytes of the current command's arguments (CLIENT LIST argv-mem) */
  currentArgvBytes = 0;
  authenticated = true;
  user = 'default';
  replyMode: ReplyMode = 'on';
  noEvict = false;
  /** in MONITOR mode (server/monitor.ts) */
  monitor = false;
  noTouch = false;
  /** close once pending replies are written (QUIT, protocol error) */
  closeAfterReply = false;
  closed = false;
  /** in the server's pending-write list */
  pendingWrite = false;
  /** blocked clients stop reading commands until unblocked */
  blocked = false;
  /** paused by CLIENT PAUSE: input is kept until unpaused */
  paused = false;
  /** true while inside MULTI */
  inMulti = false;
  multiQueue: { cmd: CommandSpec; argv: string[] }[] = [];
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
  /** when the output buffer first went past its class's soft limit (ms), 0 when under it */
  obufSoftLimitSince = 0;
  /** kind for CLIENT LIST/KILL TYPE: normal, master, replica, pubsub */
  kind: 'normal' | 'master' | 'replica' = 'normal';

  constructor(id: number, readonly socket: Socket | null, db: Db, now: number, maxBulkLen: number) {
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

  addRaw(s: string): void {
    this.out += s;
  }

  addOK(): void {
    this.out += '+OK\r\n';
  }

  addStatus(s: string): void {
    this.out += '+' + s + '\r\n';
  }

  /** counts error replies (INFO errorstats); set by the server */
  onError: ((text: string) => void) | null = null;
  /** a handler may set the form its write propagates as (INCRBYFLOAT → SET …) */
  propagateArgv: string[] | null = null;
  /** a handler may ask to be propagated although it changed nothing (Redis's forceCommandPropagation) */
  forcePropagate = false;
  /** the handler propagated what it did itself (EXEC): call() propagates nothing more */
  propagated = false;

  /** An error reply; `text` has no leading '-' (e.g. "ERR syntax error"). Counted for INFO errorstats. */
  addError(text: string): void {
    if (this.onError !== null) this.onError(text);
    this.out += '-' + text + '\r\n';
  }

  addInt(n: number | bigint): void {
    this.out += ':' + intToString(n) + '\r\n';
  }

  addBulk(s: string): void {
    this.out += bulkHeader(s.length) + s + '\r\n';
  }

  /** A bulk string, or a null bulk when s is null/undefined. */
  addBulkOrNull(s: string | null | undefined): void {
    if (s === null || s === undefined) this.addNull();
    else this.out += bulkHeader(s.length) + s + '\r\n';
  }

  addBulkInt(n: number | bigint): void {
    this.addBulk(intToString(n));
  }

  /** The null bulk string ($-1 in RESP2, _ in RESP3). */
  addNull(): void {
    this.out += this.resp === 3 ? '_\r\n' : '$-1\r\n';
  }

  /** The null array (*-1 in RESP2, _ in RESP3). */
  addNullArray(): void {
    this.out += this.resp === 3 ? '_\r\n' : '*-1\r\n';
  }

  addArrayLen(n: number): void {
    this.out += '*' + n + '\r\n';
  }

  /** A map of n pairs (%n in RESP3, a flat array of 2n in RESP2). */
  addMapLen(n: number): void {
    this.out += this.resp === 3 ? '%' + n + '\r\n' : '*' + 2 * n + '\r\n';
  }

  /** A set of n elements (~n in RESP3, an array in RESP2). */
  addSetLen(n: number): void {
    this.out += this.resp === 3 ? '~' + n + '\r\n' : '*' + n + '\r\n';
  }

  /** A RESP3 attribute-less push (>n), an array in RESP2. */
  addPushLen(n: number): void {
    this.out += this.resp === 3 ? '>' + n + '\r\n' : '*' + n + '\r\n';
  }

  /** A double: RESP3 ",<d>", RESP2 a bulk string with Redis's %.17g form. */
  addDouble(d: number): void {
    const s = formatDouble(d);
    if (this.resp === 3) this.out += ',' + s + '\r\n';
    else this.out += '$' + s.length + '\r\n' + s + '\r\n';
  }

  addBool(b: boolean): void {
    if (this.resp === 3) this.out += b ? '#t\r\n' : '#f\r\n';
    else this.out += b ? ':1\r\n' : ':0\r\n';
  }

  /** Verbatim text (=len\r\ntxt:... in RESP3), a bulk string in RESP2. */
  addVerbatim(s: string, format = 'txt'): void {
    if (this.resp === 3) this.out += '=' + (s.length + 4) + '\r\n' + format + ':' + s + '\r\n';
    else this.addBulk(s);
  }

  /** An array of bulk strings. */
  addBulks(items: readonly string[]): void {
    this.out += '*' + items.length + '\r\n';
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
    w.start();
    for (let i = 0; i < items.length; i++) {
      const s = items[i];
      w.strBulk(s, 0, s.length);
    }
    this.out += w.take();
  }

  /**
   * Deferred length: returns a mark; the replies written after it are wrapped
   * by finishDeferred* with a header whose count is only known at the end.
   */
  deferLen(): string {
    const saved = this.out;
    this.out = '';
    return saved;
  }

  finishDeferredArray(saved: string, n: number): void {
    this.out = saved + '*' + n + '\r\n' + this.out;
  }

  finishDeferredMap(saved: string, n: number): void {
    this.out = saved + (this.resp === 3 ? '%' + n : '*' + 2 * n) + '\r\n' + this.out;
  }

  finishDeferredSet(saved: string, n: number): void {
    this.out = saved + (this.resp === 3 ? '~' + n : '*' + n) + '\r\n' + this.out;
  }
}
