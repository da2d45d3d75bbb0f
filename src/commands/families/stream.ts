/**
 * Stream commands (Redis group "stream"), as t_stream.c: the argument
 * helpers every stream command shares (IDs, ranges, the XADD/XTRIM
 * trimming options), XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID and XINFO.
 * The consumer-group commands and XREAD live in stream-groups.ts and use the
 * helpers exported here. The structure is datatypes/stream.ts.
 *
 * Argument errors come in Redis's order and words; e.g. XADD parses its
 * options and ID before the key is looked up, XDEL looks the key up first
 * (a missing key answers 0 whatever the IDs).
 *
 * Propagation, as Redis rewrites the command for the AOF and replicas: XADD
 * with an auto (`*`) or partial (`ms-*`) ID propagates the ID it made; an
 * approximate trim (`~`) propagates as exact (`=`) with the threshold it
 * reached (MAXLEN: the length left, MINID: the first ID left), so a replay
 * gives the same stream whatever its node boundaries.
 *
 * Keyspace events: xadd (then xtrim when XADD's trim removed something),
 * xtrim, xdel, xsetid; changes counted as Redis counts them (XADD one, XDEL
 * and XTRIM one per entry removed).
 */
import type { Client } from '../../server/client.js';
import type { DataCommands, DataContext } from '../context.js';
import type { Db } from '../../keyspace/keyspace.js';
import { Err, type RedisError } from '../../protocol/errors.js';
import { parseInt64 } from '../../util/numbers.js';
import { is } from '../args.js';
import { addHelp } from '../help.js';
import { bulkWriter } from '../../util/bulk-writer.js';
import type { Rax } from '../../datatypes/rax.js';
import { NOTIFY_STREAM } from '../../keyspace/notify.js';
import {
  AppendError,
  SCG_INVALID_ENTRIES_READ,
  STREAM_ID_MAX,
  STREAM_ID_MIN,
  STREAM_LISTPACK_MAX_SIZE,
  Stream,
  type StreamCG,
  type StreamIterator,
  type StreamNACK,
  type TrimStrategy,
  type U64,
  parseU64,
  raxNodeCount,
  streamDecrID,
  streamID,
  streamIDToString,
  streamIncrID,
} from '../../datatypes/stream.js';

// ---------------------------------------------------------------- lookups

/** The stream at key for reading, null when missing; WRONGTYPE otherwise. */
export function getStream(db: Db, key: string): Stream | null {
  const v = db.lookupRead(key);
  if (v === undefined) return null;
  if (!(v instanceof Stream)) throw Err.wrongType();
  return v;
}

/** The stream at key to modify, null when missing; WRONGTYPE otherwise. */
export function getStreamWrite(db: Db, key: string): Stream | null {
  const v = db.lookupWrite(key);
  if (v === undefined) return null;
  if (!(v instanceof Stream)) throw Err.wrongType();
  return v;
}

// ---------------------------------------------------------------- IDs

export const invalidStreamID = (): RedisError => Err.raw('ERR Invalid stream ID specified as stream command argument');

/** C's isspace. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Redis's string2ull: a canonical non-negative int64, or else what C's
 * strtoull takes (leading spaces, a sign, digits, the value below 2^64; a
 * minus sign negates modulo 2^64), or null.
 */
function string2ull(s: string): U64 | null {
  const direct = parseU64(s);
  if (direct !== null) return direct;
  const ll = parseInt64(s);
  if (ll !== null) return ll < 0 ? null : ll;
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  const digits = s.slice(i);
  if (digits.length === 0 || !/^[0-9]+$/.test(digits)) return null;
  let v = BigInt(digits);
  if (v > 18446744073709551615n) return null;
  if (neg) v = BigInt.asUintN(64, -v);
  return v <= 9007199254740991n ? Number(v) : v;
}

/** A parsed ID: its key, and whether the seq was given (false for `ms-*`). */
export interface ParsedID {
  id: string;
  seqGiven: boolean;
  /** for `ms-*`: the ms */
  ms: U64;
}

/**
 * streamGenericParseIDOrReply: `-`, `+` (unless strict), `ms`, `ms-seq`, and
 * with allowPartial `ms-*` (seqGiven false). A missing seq is missingSeq.
 */
export function parseStreamID(arg: string, missingSeq: U64, strict: boolean, allowPartial = false): ParsedID {
  if (arg.length > 127) throw invalidStreamID();
  if (arg === '-' || arg === '+') {
    if (strict) throw invalidStreamID();
    return { id: arg === '-' ? STREAM_ID_MIN : STREAM_ID_MAX, seqGiven: true, ms: 0 };
  }
  const dash = arg.indexOf('-');
  const msPart = dash === -1 ? arg : arg.slice(0, dash);
  // C reads up to a NUL: bytes after one are not part of the number
  const ms = string2ull(cstr(msPart));
  if (ms === null) throw invalidStreamID();
  let seq: U64 = missingSeq;
  if (dash !== -1) {
    const seqPart = cstr(arg.slice(dash + 1));
    if (allowPartial && seqPart === '*') return { id: streamID(ms, 0), seqGiven: false, ms };
    const v = string2ull(seqPart);
    if (v === null) throw invalidStreamID();
    seq = v;
  }
  return { id: streamID(ms, seq), seqGiven: true, ms };
}

/** The part of s before a NUL byte (what C's string functions see). */
function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z === -1 ? s : s.slice(0, z);
}

/** streamParseIDOrReply / streamParseStrictIDOrReply: the ID key. */
export function streamIDArg(arg: string, missingSeq: U64 = 0, strict = false): string {
  return parseStreamID(arg, missingSeq, strict).id;
}

const U64_MAX = 18446744073709551615n;

/**
 * streamParseIntervalIDOrReply for a range's start (missing seq 0) or end
 * (missing seq max): `(` makes it exclusive (a strict ID follows). Returns
 * the inclusive bound, or throws Redis's interval errors.
 */
export function intervalArg(arg: string, end: boolean): string {
  const missing: U64 = end ? U64_MAX : 0;
  if (arg.length > 1 && arg[0] === '(') {
    const id = parseStreamID(arg.slice(1), missing, true).id;
    const v = end ? streamDecrID(id) : streamIncrID(id);
    if (v === null) throw Err.raw(end ? 'ERR invalid end ID for the interval' : 'ERR invalid start ID for the interval');
    return v;
  }
  return parseStreamID(arg, missing, false).id;
}

// ---------------------------------------------------------------- replies

/** The iterator's current entry as Redis replies it, [id, [f1, v1, …]], written from the node's bytes. */
export function addStreamEntry(c: Client, it: StreamIterator): void {
  bulkWriter.start(c);
  it.writeEntry(bulkWriter);
  bulkWriter.finish();
}

/**
 * streamReplyWithRange without a group: the entries in [start, end] (at most
 * count, 0 = all) as an array; returns how many.
 */
export function replyWithRange(c: Client, st: Stream, start: string, end: string, count: number, rev: boolean): number {
  const it = st.iterator(start, end, rev);
  const m = c.deferLen();
  let n = 0;
  bulkWriter.start(c);
  while ((count === 0 || n < count) && it.next()) {
    it.writeEntry(bulkWriter);
    n++;
  }
  bulkWriter.finish();
  c.finishDeferredArray(m, n);
  return n;
}

// ---------------------------------------------------------------- XADD / XTRIM options

export interface AddTrimArgs {
  strategy: TrimStrategy | null;
  /** index of the threshold argument (MAXLEN's count, MINID's id) */
  thresholdIdx: number;
  approx: boolean;
  maxlen: number;
  minid: string;
  limit: number;
  noMkstream: boolean;
  /** XADD: the ID argument's index, and the ID (null: `*`) */
  idIdx: number;
  id: ParsedID | null;
}

/**
 * streamParseAddOrTrimArgsOrReply: the options from argv[2] on, and for XADD
 * the ID that ends them. `mustObey` is true when the command comes from the
 * AOF (no LIMIT enforced).
 */
export function parseAddTrimArgs(argv: string[], xadd: boolean, nodeMaxEntries: number, mustObey: boolean): AddTrimArgs {
  const a: AddTrimArgs = { strategy: null, thresholdIdx: 0, approx: false, maxlen: 0, minid: STREAM_ID_MIN, limit: 0, noMkstream: false, idIdx: 0, id: null };
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && opt === '*') break;
    if (more > 0 && (is(opt, 'maxlen') || is(opt, 'minid'))) {
      const maxlen = is(opt, 'maxlen');
      if (a.strategy !== null) throw Err.raw('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
      a.approx = false;
      const next = argv[i + 1];
      if (more >= 2 && next === '~') {
        a.approx = true;
        i++;
      } else if (more >= 2 && next === '=') i++;
      if (maxlen) {
        const v = parseInt64(argv[i + 1]);
        if (v === null) throw Err.notInteger();
        if (v < 0) throw Err.raw('ERR The MAXLEN argument must be >= 0.');
        a.maxlen = Number(v);
        a.strategy = 'maxlen';
      } else {
        a.minid = streamIDArg(argv[i + 1], 0, true);
        a.strategy = 'minid';
      }
      i++;
      a.thresholdIdx = i;
    } else if (more > 0 && is(opt, 'limit')) {
      const v = parseInt64(argv[i + 1]);
      if (v === null) throw Err.notInteger();
      if (v < 0) throw Err.raw('ERR The LIMIT argument must be >= 0.');
      a.limit = Number(v);
      limitGiven = true;
      i++;
    } else if (xadd && is(opt, 'nomkstream')) {
      a.noMkstream = true;
    } else if (xadd) {
      a.id = parseStreamID(opt, 0, true, true);
      break;
    } else throw Err.syntax();
  }
  a.idIdx = i;
  if (a.limit && a.strategy === null) throw Err.raw('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && a.strategy === null) throw Err.raw('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (mustObey) a.limit = 0;
  else if (limitGiven) {
    if (!a.approx) throw Err.raw('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else if (a.approx) {
    a.limit = 100 * nodeMaxEntries;
    if (a.limit <= 0 || a.limit > 10000) a.limit = 10000;
  } else a.limit = 0;
  return a;
}

/**
 * streamRewriteApproxSpecifier + streamRewriteTrimArgument: the propagated
 * form of an approximate trim is exact, at the threshold reached.
 */
function rewriteApproxTrim(argv: string[], st: Stream, a: AddTrimArgs): string[] {
  const out = argv.slice();
  out[a.thresholdIdx - 1] = '=';
  out[a.thresholdIdx] = a.strategy === 'maxlen' ? String(st.length) : streamIDToString(st.edgeID(true));
  return out;
}

/** streamTrim with parsed options. */
function trimWith(st: Stream, a: AddTrimArgs): number {
  return st.trim(a.strategy!, a.maxlen, a.minid, a.approx, a.limit);
}

/**
 * mustObeyClient: a command replayed from the AOF (a client without a
 * connection) is applied as written, without LIMIT's cap.
 */
function mustObey(c: Client): boolean {
  return c.socket === null;
}

// ---------------------------------------------------------------- XADD

function xaddCommand(c: Client, argv: string[], s: DataContext): void {
  const a = parseAddTrimArgs(argv, true, s.enc.nodeMaxEntries, mustObey(c));
  const fieldPos = a.idIdx + 1;
  if (argv.length - fieldPos < 2 || (argv.length - fieldPos) % 2 === 1) throw Err.wrongArity('xadd');
  if (a.id !== null && a.id.seqGiven && a.id.id === STREAM_ID_MIN) throw Err.raw('ERR The ID specified in XADD must be greater than 0-0');
  const db = c.db;
  const key = argv[1];
  let st = getStreamWrite(db, key);
  if (st === null) {
    if (a.noMkstream) {
      c.addNull();
      return;
    }
    st = new Stream();
    db.add(key, st);
    s.ks.dirty--; // counted once below, as Redis counts XADD
  }
  if (st.lastId === STREAM_ID_MAX) throw Err.raw('ERR The stream has exhausted the last possible ID, unable to add more items');
  const fv = argv.slice(fieldPos);
  let total = 0;
  for (const x of fv) total += x.length;
  let id: string | AppendError;
  if (a.id === null) id = st.nextID(s.ks.now, null);
  else if (!a.id.seqGiven) id = st.nextID(s.ks.now, a.id.ms);
  else id = a.id.id > st.lastId ? a.id.id : AppendError.IdTooSmall;
  if (id === AppendError.IdTooSmall) throw Err.raw('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  if (id === AppendError.TooBig || total > STREAM_LISTPACK_MAX_SIZE) throw Err.raw('ERR Elements are too large to be stored');
  st.append(id, fv, s.enc);
  const idText = streamIDToString(id);
  c.addBulk(idText);
  db.modified(key);
  db.notify(NOTIFY_STREAM, 'xadd', key);
  let prop: string[] | null = null;
  if (a.strategy !== null) {
    if (trimWith(st, a) > 0) db.notify(NOTIFY_STREAM, 'xtrim', key);
    if (a.approx) prop = rewriteApproxTrim(argv, st, a);
  }
  if (a.id === null || !a.id.seqGiven) {
    prop ??= argv.slice();
    prop[a.idIdx] = idText;
  }
  if (prop !== null) c.propagateArgv = prop;
  s.blocking.signalKeyAsReady(db, key, st);
}

// ---------------------------------------------------------------- XLEN XRANGE XREVRANGE

function xlenCommand(c: Client, argv: string[]): void {
  const st = getStream(c.db, argv[1]);
  c.addInt(st === null ? 0 : st.length);
}

function xrangeGeneric(c: Client, argv: string[], rev: boolean): void {
  const start = intervalArg(rev ? argv[3] : argv[2], false);
  const end = intervalArg(rev ? argv[2] : argv[3], true);
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (is(argv[j], 'count') && j + 1 < argv.length) {
      const v = parseInt64(argv[j + 1]);
      if (v === null) throw Err.notInteger();
      count = v < 0 ? 0 : Number(v);
      j++;
    } else throw Err.syntax();
  }
  const st = getStream(c.db, argv[1]);
  if (st === null) {
    c.addArrayLen(0);
    return;
  }
  if (count === 0) {
    c.addNullArray();
    return;
  }
  replyWithRange(c, st, start, end, count === -1 ? 0 : count, rev);
}

function xrangeCommand(c: Client, argv: string[]): void {
  xrangeGeneric(c, argv, false);
}

function xrevrangeCommand(c: Client, argv: string[]): void {
  xrangeGeneric(c, argv, true);
}

// ---------------------------------------------------------------- XDEL XTRIM XSETID

function xdelCommand(c: Client, argv: string[], s: DataContext): void {
  const db = c.db;
  const key = argv[1];
  const st = getStreamWrite(db, key);
  if (st === null) {
    c.addInt(0);
    return;
  }
  const ids: string[] = [];
  for (let j = 2; j < argv.length; j++) ids.push(streamIDArg(argv[j], 0, true));
  let deleted = 0;
  for (const id of ids) if (st.deleteItem(id)) deleted++;
  if (deleted > 0) {
    db.modified(key);
    db.notify(NOTIFY_STREAM, 'xdel', key);
    s.ks.dirty += deleted - 1;
  }
  c.addInt(deleted);
}

function xtrimCommand(c: Client, argv: string[], s: DataContext): void {
  const a = parseAddTrimArgs(argv, false, s.enc.nodeMaxEntries, mustObey(c));
  const db = c.db;
  const key = argv[1];
  const st = getStreamWrite(db, key);
  if (st === null) {
    c.addInt(0);
    return;
  }
  const deleted = trimWith(st, a);
  if (deleted > 0) {
    db.notify(NOTIFY_STREAM, 'xtrim', key);
    if (a.approx) c.propagateArgv = rewriteApproxTrim(argv, st, a);
    db.modified(key);
    s.ks.dirty += deleted - 1;
  }
  c.addInt(deleted);
}

function xsetidCommand(c: Client, argv: string[]): void {
  const id = streamIDArg(argv[2], 0, true);
  let entriesAdded = -1;
  let maxXdel = STREAM_ID_MIN;
  for (let i = 3; i < argv.length; ) {
    const more = argv.length - 1 - i;
    if (is(argv[i], 'entriesadded') && more > 0) {
      const v = parseInt64(argv[i + 1]);
      if (v === null) throw Err.notInteger();
      if (v < 0) throw Err.raw('ERR entries_added must be positive');
      entriesAdded = Number(v);
      i += 2;
    } else if (is(argv[i], 'maxdeletedid') && more > 0) {
      maxXdel = streamIDArg(argv[i + 1], 0, true);
      if (id < maxXdel) throw Err.raw('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
      i += 2;
    } else throw Err.syntax();
  }
  const db = c.db;
  const key = argv[1];
  const st = getStreamWrite(db, key);
  if (st === null) throw Err.noSuchKey();
  if (id < st.maxDeletedEntryId) throw Err.raw('ERR The ID specified in XSETID is smaller than current max_deleted_entry_id');
  if (st.length > 0) {
    if (id < st.edgeID(false)) throw Err.raw('ERR The ID specified in XSETID is smaller than the target stream top item');
    if (entriesAdded !== -1 && st.length > entriesAdded) throw Err.raw('ERR The entries_added specified in XSETID is smaller than the target stream length');
  }
  st.lastId = id;
  if (entriesAdded !== -1) st.entriesAdded = entriesAdded;
  if (maxXdel !== STREAM_ID_MIN) st.maxDeletedEntryId = maxXdel;
  c.addOK();
  db.modified(key);
  db.notify(NOTIFY_STREAM, 'xsetid', key);
}

// ---------------------------------------------------------------- XINFO

/** The group part of XINFO: lag, or a null when unknown. */
function addLag(c: Client, st: Stream, cg: StreamCG): void {
  const lag = st.groupLag(cg);
  if (lag === null) c.addNull();
  else c.addInt(lag);
}

function addEntriesRead(c: Client, cg: StreamCG): void {
  if (cg.entriesRead !== SCG_INVALID_ENTRIES_READ) c.addInt(cg.entriesRead);
  else c.addNull();
}

/** XINFO STREAM FULL's pending entries of a group (with their consumer) or a consumer: the first `count` (0: all). */
function addPendingList(c: Client, pel: Rax<StreamNACK>, count: number, withConsumer: boolean): void {
  const n = count === 0 ? pel.size : Math.min(count, pel.size);
  c.addArrayLen(n);
  const it = pel.seek('^');
  for (let k = 0; k < n; k++, it.next()) {
    c.addArrayLen(withConsumer ? 4 : 3);
    c.addBulk(streamIDToString(it.key));
    if (withConsumer) c.addBulk(it.value.consumer.name);
    c.addInt(it.value.deliveryTime);
    c.addInt(it.value.deliveryCount);
  }
}

/** XINFO STREAM key [FULL [COUNT n]]. */
function xinfoStream(c: Client, st: Stream, full: boolean, count: number): void {
  c.addMapLen(full ? 9 : 10);
  c.addBulk('length');
  c.addInt(st.length);
  c.addBulk('radix-tree-keys');
  c.addInt(st.nodes.size);
  c.addBulk('radix-tree-nodes');
  c.addInt(raxNodeCount(st.nodeKeys()));
  c.addBulk('last-generated-id');
  c.addBulk(streamIDToString(st.lastId));
  c.addBulk('max-deleted-entry-id');
  c.addBulk(streamIDToString(st.maxDeletedEntryId));
  c.addBulk('entries-added');
  c.addInt(st.entriesAdded);
  c.addBulk('recorded-first-entry-id');
  c.addBulk(streamIDToString(st.firstId));
  if (!full) {
    c.addBulk('groups');
    c.addInt(st.cgroups === null ? 0 : st.cgroups.size);
    for (const first of [true, false]) {
      c.addBulk(first ? 'first-entry' : 'last-entry');
      const it = st.iterator(STREAM_ID_MIN, STREAM_ID_MAX, !first);
      if (it.next()) addStreamEntry(c, it);
      else c.addNull();
    }
    return;
  }
  c.addBulk('entries');
  replyWithRange(c, st, STREAM_ID_MIN, STREAM_ID_MAX, count, false);
  c.addBulk('groups');
  const groups = st.cgroups === null ? [] : [...st.cgroups.entries()];
  c.addArrayLen(groups.length);
  for (const [name, cg] of groups) {
    c.addMapLen(7);
    c.addBulk('name');
    c.addBulk(name);
    c.addBulk('last-delivered-id');
    c.addBulk(streamIDToString(cg.lastId));
    c.addBulk('entries-read');
    addEntriesRead(c, cg);
    c.addBulk('lag');
    addLag(c, st, cg);
    c.addBulk('pel-count');
    c.addInt(cg.pel.size);
    c.addBulk('pending');
    addPendingList(c, cg.pel, count, true);
    c.addBulk('consumers');
    c.addArrayLen(cg.consumers.size);
    for (const cons of cg.consumers.values()) {
      c.addMapLen(4);
      c.addBulk('name');
      c.addBulk(cons.name);
      c.addBulk('seen-time');
      c.addInt(cons.seenTime);
      c.addBulk('pel-count');
      c.addInt(cons.pel.size);
      c.addBulk('pending');
      addPendingList(c, cons.pel, count, false);
    }
  }
}

function xinfoHelpCommand(c: Client): void {
  addHelp(c, 'XINFO', [
    'CONSUMERS <key> <groupname>',
    '    Show consumers of <groupname>.',
    'GROUPS <key>',
    '    Show the stream consumer groups.',
    'STREAM <key> [FULL [COUNT <count>]',
    '    Show information about the stream.',
  ]);
}

/** The stream XINFO describes: it must exist (checked before the subcommand's own arguments, as Redis). */
function xinfoStreamArg(c: Client, key: string): Stream {
  const st = getStream(c.db, key);
  if (st === null) throw Err.noSuchKey();
  return st;
}

export function noGroupError(key: string, group: string): RedisError {
  return Err.raw(`NOGROUP No such consumer group '${group}' for key name '${key}'`);
}

function xinfoConsumersCommand(c: Client, argv: string[], s: DataContext): void {
  const st = xinfoStreamArg(c, argv[2]);
  const cg = st.lookupCG(argv[3]);
  if (cg === undefined) throw noGroupError(argv[2], argv[3]);
  const now = s.ks.now;
  c.addArrayLen(cg.consumers.size);
  for (const cons of cg.consumers.values()) {
    c.addMapLen(3);
    c.addBulk('name');
    c.addBulk(cons.name);
    c.addBulk('pending');
    c.addInt(cons.pel.size);
    c.addBulk('idle');
    c.addInt(Math.max(0, now - cons.seenTime));
  }
}

function xinfoGroupsCommand(c: Client, argv: string[]): void {
  const st = xinfoStreamArg(c, argv[2]);
  const groups = st.cgroups === null ? [] : [...st.cgroups.entries()];
  c.addArrayLen(groups.length);
  for (const [name, cg] of groups) {
    c.addMapLen(6);
    c.addBulk('name');
    c.addBulk(name);
    c.addBulk('consumers');
    c.addInt(cg.consumers.size);
    c.addBulk('pending');
    c.addInt(cg.pel.size);
    c.addBulk('last-delivered-id');
    c.addBulk(streamIDToString(cg.lastId));
    c.addBulk('entries-read');
    addEntriesRead(c, cg);
    c.addBulk('lag');
    addLag(c, st, cg);
  }
}

function xinfoStreamCommand(c: Client, argv: string[]): void {
  const st = xinfoStreamArg(c, argv[2]);
  let full = false;
  let count = 10;
  const syntax = () => Err.subcommandSyntax(argv[1], 'XINFO');
  if (argv.length > 6) throw syntax();
  if (argv.length > 3) {
    if (!is(argv[3], 'full')) throw syntax();
    full = true;
    if (argv.length > 4) {
      if (argv.length !== 6 || !is(argv[4], 'count')) throw syntax();
      const v = parseInt64(argv[5]);
      if (v === null) throw Err.notInteger();
      count = v < 0 ? 0 : Number(v);
    }
  }
  xinfoStream(c, st, full, count);
}

export const streamCommands: DataCommands = [
  { name: 'xadd', handler: xaddCommand },
  { name: 'xdel', handler: xdelCommand },
  {
    name: 'xinfo',
    sub: [
      { name: 'consumers', handler: xinfoConsumersCommand },
      { name: 'groups', handler: xinfoGroupsCommand },
      { name: 'help', handler: xinfoHelpCommand },
      { name: 'stream', handler: xinfoStreamCommand },
    ],
  },
  { name: 'xlen', handler: xlenCommand },
  { name: 'xrange', handler: xrangeCommand },
  { name: 'xrevrange', handler: xrevrangeCommand },
  { name: 'xsetid', handler: xsetidCommand },
  { name: 'xtrim', handler: xtrimCommand },
];
