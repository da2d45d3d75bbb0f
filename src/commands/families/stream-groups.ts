/**
 * Stream reads and consumer groups (Redis group "stream", the rest of
 * t_stream.c): XREAD and XREADGROUP (with BLOCK), XGROUP and its
 * subcommands, XACK, XPENDING, XCLAIM and XAUTOCLAIM, as Redis 7.0.15
 * answers them. The structure (groups, PELs, consumers, the 7.0 read
 * counters) is datatypes/stream.ts; the shared argument helpers are in
 * stream.ts.
 *
 * Argument errors come in Redis's order: XREAD/XREADGROUP parse their
 * options, then per stream look the key up (WRONGTYPE, NOGROUP) before its
 * ID is parsed (`$` refused for XREADGROUP, `>` for XREAD); XACK answers 0
 * for a missing key or group before it parses the IDs; XCLAIM's IDs end
 * where the first argument that is not an ID starts its options.
 *
 * Delivery (streamReplyWithRange with a group): entries after the group's
 * last ID move it forward and update entries-read as 7.0 does (incremented
 * while valid and no tombstone lies ahead, else estimated); each delivered
 * entry gets a NACK in the group's and the consumer's PEL (taken over from
 * another consumer when XGROUP SETID made it be delivered again), unless
 * NOACK. A history read (an ID other than `>`) replies from the consumer's
 * own PEL only, an entry deleted meanwhile as [id, nil].
 *
 * Propagation, as Redis replicates group side effects (the command itself
 * is never propagated by XREADGROUP, XCLAIM, XAUTOCLAIM): each delivered
 * entry as `XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID
 * LASTID last`; a NOACK read that moved the group as `XGROUP SETID key group
 * last ENTRIESREAD n`, after `XGROUP CREATECONSUMER` when it created the
 * consumer; XCLAIM/XAUTOCLAIM as the XCLAIM of each entry they claimed or
 * dropped (a deleted entry's NACK), XCLAIM's LASTID alone as SETID. Several
 * commands leave as MULTI … EXEC (DataContext.propagateOps).
 *
 * Blocking: XREAD/XREADGROUP BLOCK wait through server/blocking.ts for
 * entries after the ID they wait for (`$` is resolved when the command
 * runs; `>` is the group's last ID when served); a served client gets the
 * entries of the key that became ready (COUNT, or at most 1000 when none
 * was given, as 7.0's XREAD_BLOCKED_DEFAULT_COUNT). A group destroyed while
 * a client waits answers NOGROUP; an XREADGROUP whose key is deleted,
 * overwritten, flushed or swapped away answers -UNBLOCKED (7.0's
 * unblockDeletedStreamReadgroupClients); an XREAD keeps waiting.
 *
 * Keyspace events: xgroup-create, xgroup-setid, xgroup-destroy,
 * xgroup-createconsumer (also when XREADGROUP, XCLAIM or XAUTOCLAIM create
 * the consumer), xgroup-delconsumer.
 */
import type { Client } from '../../server/client.js';
import type { DataCommands, DataContext } from '../context.js';
import type { Db } from '../../keyspace/keyspace.js';
import { Err } from '../../protocol/errors.js';
import { parseInt64 } from '../../util/numbers.js';
import { is } from '../args.js';
import { addHelp } from '../help.js';
import { NOTIFY_STREAM } from '../../keyspace/notify.js';
import { SCG_INVALID_ENTRIES_READ, STREAM_ID_MAX, STREAM_ID_MIN, Stream, type StreamCG, type StreamConsumer, StreamNACK, streamIDToString, streamIncrID } from '../../datatypes/stream.js';
import { addStreamEntry, getStream, getStreamWrite, intervalArg, noGroupError, replyWithRange, streamIDArg } from './stream.js';

/** XREAD_BLOCKED_DEFAULT_COUNT: a blocked read served without COUNT returns at most this many entries. */
const XREAD_BLOCKED_DEFAULT_COUNT = 1000;

/** What to propagate: [db, argv] in order. */
type Ops = [number, string[]][];

/** A command's time (commandTimeSnapshot). */
function now(s: DataContext): number {
  return s.ks.now;
}

/** streamCreateConsumer with SCC_DEFAULT: counts a change and sends xgroup-createconsumer. */
function createConsumer(s: DataContext, db: Db, key: string, cg: StreamCG, name: string): StreamConsumer {
  const cons = cg.createConsumer(name, now(s))!;
  s.ks.dirty++;
  db.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key);
  return cons;
}

/** streamLookupConsumer (refreshing seen-time), creating it when missing. */
function lookupOrCreateConsumer(s: DataContext, db: Db, key: string, cg: StreamCG, name: string): { cons: StreamConsumer; created: boolean } {
  const found = cg.lookupConsumer(name);
  if (found !== undefined) {
    found.seenTime = now(s);
    return { cons: found, created: false };
  }
  return { cons: createConsumer(s, db, key, cg, name), created: true };
}

/** streamPropagateXCLAIM: the idempotent XCLAIM that gives `nack` to its consumer on replay. */
function xclaimOp(db: Db, key: string, group: string, cg: StreamCG, idArg: string, nack: StreamNACK): [number, string[]] {
  return [
    db.id,
    ['XCLAIM', key, group, nack.consumer.name, '0', idArg, 'TIME', String(nack.deliveryTime), 'RETRYCOUNT', String(nack.deliveryCount), 'FORCE', 'JUSTID', 'LASTID', streamIDToString(cg.lastId)],
  ];
}

/** streamPropagateGroupID: XGROUP SETID key group last ENTRIESREAD n. */
function setidOp(db: Db, key: string, group: string, cg: StreamCG): [number, string[]] {
  return [db.id, ['XGROUP', 'SETID', key, group, streamIDToString(cg.lastId), 'ENTRIESREAD', String(cg.entriesRead)]];
}

/** Where a group read's side effects are propagated (streamPropInfo), and the ops gathered. */
interface PropInfo {
  db: Db;
  key: string;
  group: string;
  ops: Ops;
}

/**
 * streamReplyWithRange with a group and consumer, from `start` to the end:
 * replies the entries (at most count, 0 = all), moves the group's last ID
 * and read counter, creates or reassigns the NACKs (unless noack) and
 * gathers their XCLAIMs. Returns how many entries were sent.
 */
function replyWithRangeGroup(c: Client, s: DataContext, st: Stream, start: string, count: number, cg: StreamCG, cons: StreamConsumer, noack: boolean, pi: PropInfo): number {
  const it = st.iterator(start, STREAM_ID_MAX, false);
  const m = c.deferLen();
  const t = now(s);
  let n = 0;
  let propagateLastId = false;
  while (it.next()) {
    const id = it.id;
    if (id > cg.lastId) {
      if (cg.entriesRead !== SCG_INVALID_ENTRIES_READ && !st.rangeHasTombstones(id, null)) cg.entriesRead++;
      else if (st.entriesAdded !== 0) cg.entriesRead = st.estimateDistanceFromFirstEverEntry(id);
      cg.lastId = id;
      // with acknowledgements the last ID travels in the XCLAIMs' LASTID
      if (noack) propagateLastId = true;
    }
    addStreamEntry(c, it);
    if (!noack) {
      let nack = cg.pel.get(id);
      if (nack === undefined) {
        nack = new StreamNACK(t, 1, cons);
        cg.pel.set(id, nack);
        cons.pel.set(id, nack);
      } else {
        // delivered again after XGROUP SETID: the entry changes hands
        nack.consumer.pel.delete(id);
        nack.consumer = cons;
        nack.deliveryTime = t;
        nack.deliveryCount = 1;
        cons.pel.set(id, nack);
      }
      pi.ops.push(xclaimOp(pi.db, pi.key, pi.group, cg, streamIDToString(id), nack));
    }
    n++;
    if (count !== 0 && n === count) break;
  }
  if (propagateLastId) pi.ops.push(setidOp(pi.db, pi.key, pi.group, cg));
  c.finishDeferredArray(m, n);
  return n;
}

/**
 * streamReplyWithRangeFromConsumerPEL: the consumer's pending entries from
 * `start` (at most count, 0 = all); one deleted meanwhile is [id, nil].
 * Each one found counts a new delivery.
 */
function replyWithConsumerPEL(c: Client, s: DataContext, st: Stream, start: string, count: number, cons: StreamConsumer): number {
  const m = c.deferLen();
  const t = now(s);
  let n = 0;
  const it = cons.pel.seek('>=', start);
  // replying reads the stream and changes no PEL: the cursor stays valid
  for (; it.valid && (count === 0 || n < count); it.next()) {
    const id = it.key;
    const e = st.iterator(id, id, false);
    if (e.next()) {
      addStreamEntry(c, e);
      const nack = it.value;
      nack.deliveryTime = t;
      nack.deliveryCount++;
    } else {
      c.addArrayLen(2);
      c.addBulk(streamIDToString(id));
      c.addNullArray();
    }
    n++;
  }
  c.finishDeferredArray(m, n);
  return n;
}

/** Whether an entry with this ID is in the stream (streamEntryExists). */
function entryExists(st: Stream, id: string): boolean {
  return st.iterator(id, id, false).next();
}

// ---------------------------------------------------------------- XREAD / XREADGROUP

interface ReadArgs {
  timeout: number;
  count: number;
  noack: boolean;
  group: string | null;
  consumer: string;
  keys: string[];
  /** per key: the ID entries must be greater than; STREAM_ID_MAX for `>` */
  ids: string[];
  /** per key for XREADGROUP: its group */
  groups: StreamCG[];
}

const NOGROUP_BLOCKED = 'NOGROUP the consumer group this client was blocked on no longer exists';
const UNBLOCKED_DELETED = 'UNBLOCKED the stream key no longer exists';

/** Redis's getTimeoutFromObjectOrReply in milliseconds: the deadline, 0 for none. */
function parseBlockMs(arg: string, t: number): number {
  const v = parseInt64(arg);
  if (v === null) throw Err.timeoutNotInteger();
  if (v < 0) throw Err.timeoutNegative();
  return v === 0 ? 0 : t + Number(v);
}

function parseRead(c: Client, argv: string[], s: DataContext, xreadgroup: boolean): ReadArgs {
  const a: ReadArgs = { timeout: -1, count: 0, noack: false, group: null, consumer: '', keys: [], ids: [], groups: [] };
  let streamsArg = 0;
  let streamsCount = 0;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i];
    if (is(o, 'block') && more > 0) {
      a.timeout = parseBlockMs(argv[++i], now(s));
    } else if (is(o, 'count') && more > 0) {
      const v = parseInt64(argv[++i]);
      if (v === null) throw Err.notInteger();
      a.count = v < 0 ? 0 : Number(v);
    } else if (is(o, 'streams') && more > 0) {
      streamsArg = i + 1;
      streamsCount = argv.length - streamsArg;
      if (streamsCount % 2 !== 0) throw Err.raw("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
      streamsCount /= 2;
      break;
    } else if (is(o, 'group') && more >= 2) {
      if (!xreadgroup) throw Err.raw('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      a.group = argv[i + 1];
      a.consumer = argv[i + 2];
      i += 2;
    } else if (is(o, 'noack')) {
      if (!xreadgroup) throw Err.raw('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      a.noack = true;
    } else throw Err.syntax();
  }
  if (streamsArg === 0) throw Err.syntax();
  if (xreadgroup && a.group === null) throw Err.raw('ERR Missing GROUP option for XREADGROUP');
  const db = c.db;
  for (let k = 0; k < streamsCount; k++) {
    const key = argv[streamsArg + k];
    const idArg = argv[streamsArg + streamsCount + k];
    const st = getStream(db, key);
    if (a.group !== null) {
      const cg = st === null ? undefined : st.lookupCG(a.group);
      if (cg === undefined) throw Err.raw(`NOGROUP No such key '${key}' or consumer group '${a.group}' in XREADGROUP with GROUP option`);
      a.groups.push(cg);
    }
    let id: string;
    if (idArg === '$') {
      if (xreadgroup)
        throw Err.raw(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
      id = st === null ? STREAM_ID_MIN : st.lastId;
    } else if (idArg === '>') {
      if (!xreadgroup) throw Err.raw('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      id = STREAM_ID_MAX;
    } else id = streamIDArg(idArg, 0, true);
    a.keys.push(key);
    a.ids.push(id);
  }
  return a;
}

/** Opens one stream's part of the reply: [key, …] in RESP2, key → … in RESP3. */
function addReadKey(c: Client, key: string): void {
  if (c.resp === 2) c.addArrayLen(2);
  c.addBulk(key);
}

/** xreadCommand for XREAD and XREADGROUP. */
function xreadGeneric(c: Client, argv: string[], s: DataContext, xreadgroup: boolean): void {
  const a = parseRead(c, argv, s, xreadgroup);
  if (a.timeout !== -1 && c.script) throw Err.raw(`ERR ${argv[0]} command is not allowed with BLOCK option from scripts`);
  const db = c.db;
  const ops: Ops = [];
  let served = 0;
  let m = null;
  for (let k = 0; k < a.keys.length; k++) {
    const key = a.keys[k];
    const st = getStream(db, key);
    if (st === null) continue;
    let gt = a.ids[k];
    let serve = false;
    let history = false;
    let cons: StreamConsumer | null = null;
    let cg: StreamCG | null = null;
    if (a.group !== null) {
      cg = a.groups[k];
      if (gt !== STREAM_ID_MAX) {
        serve = true;
        history = true;
      } else if (st.length !== 0) {
        // entries the group has not seen yet (the last live one, 7.0's streamLastValidID)
        if (st.edgeID(false) > cg.lastId) {
          serve = true;
          gt = cg.lastId;
        }
      }
    } else if (st.length !== 0 && st.edgeID(false) > gt) serve = true;
    if (!serve) continue;
    if (m === null) m = c.deferLen();
    served++;
    addReadKey(c, key);
    if (cg !== null) {
      // 7.0 creates the consumer only when it serves it: a reader that blocks is not created yet
      const r = lookupOrCreateConsumer(s, db, key, cg, a.consumer);
      cons = r.cons;
      if (r.created && a.noack) ops.push([db.id, ['XGROUP', 'CREATECONSUMER', key, a.group!, a.consumer]]);
    }
    // streamIncrID wraps the last possible ID to 0-0
    const start = streamIncrID(gt) ?? STREAM_ID_MIN;
    if (cg === null) replyWithRange(c, st, start, STREAM_ID_MAX, a.count, false);
    else if (history) replyWithConsumerPEL(c, s, st, start, a.count, cons!);
    else replyWithRangeGroup(c, s, st, start, a.count, cg, cons!, a.noack, { db, key, group: a.group!, ops });
    if (cg !== null) s.ks.dirty++;
  }
  // the command itself is never propagated: only its side effects (preventCommandPropagation)
  if (xreadgroup) s.propagateOps(c, ops);
  if (m !== null) {
    if (c.resp === 2) c.finishDeferredArray(m, served);
    else c.finishDeferredMap(m, served);
    return;
  }
  if (a.timeout === -1 || !s.blocking.mayBlock()) {
    c.addNullArray();
    return;
  }
  blockRead(c, s, a);
}

/**
 * Blocks the reader (blockForKeys with BLOCKED_STREAM) and serves it as
 * 7.0's serveClientsBlockedOnStreamKey: when the key's last ID passes the
 * one it waits for (for a group, the group's last ID at that time).
 */
function blockRead(c: Client, s: DataContext, a: ReadArgs): void {
  const waitFor = new Map<string, string>();
  for (let k = 0; k < a.keys.length; k++) if (!waitFor.has(a.keys[k])) waitFor.set(a.keys[k], a.ids[k]);
  const count = a.count !== 0 ? a.count : XREAD_BLOCKED_DEFAULT_COUNT;
  const group = a.group;
  s.blocking.block(c, {
    type: 'stream',
    keys: a.keys,
    timeout: a.timeout,
    // a deleted stream is signalled for every reader (its place in the ready list), answered for XREADGROUP's
    watchValue: true,
    serve: (bc, key) => {
      const db = bc.db;
      const st = db.peek(key) as Stream;
      let gt = waitFor.get(key)!;
      let cg: StreamCG | undefined;
      if (group !== null) {
        cg = st.lookupCG(group);
        if (cg === undefined) throw Err.raw(NOGROUP_BLOCKED);
        gt = cg.lastId;
      }
      if (!(st.lastId > gt)) return false;
      const ops: Ops = [];
      let cons: StreamConsumer | null = null;
      if (cg !== undefined) {
        const r = lookupOrCreateConsumer(s, db, key, cg, a.consumer);
        cons = r.cons;
        if (r.created && a.noack) ops.push([db.id, ['XGROUP', 'CREATECONSUMER', key, group!, a.consumer]]);
      }
      if (bc.resp === 2) {
        bc.addArrayLen(1);
        bc.addArrayLen(2);
      } else bc.addMapLen(1);
      bc.addBulk(key);
      const start = streamIncrID(gt) ?? STREAM_ID_MIN;
      if (cg === undefined) replyWithRange(bc, st, start, STREAM_ID_MAX, count, false);
      else replyWithRangeGroup(bc, s, st, start, count, cg, cons!, a.noack, { db, key, group: group!, ops });
      if (ops.length !== 0) s.propagateOps(bc, ops);
      return true;
    },
    onKeyGone:
      group === null
        ? undefined
        : (bc) => {
            bc.addError(UNBLOCKED_DELETED);
          },
  });
}

function xreadCommand(c: Client, argv: string[], s: DataContext): void {
  xreadGeneric(c, argv, s, false);
}

function xreadgroupCommand(c: Client, argv: string[], s: DataContext): void {
  xreadGeneric(c, argv, s, true);
}

// ---------------------------------------------------------------- XGROUP

/** addReplySubcommandSyntaxError */
function subcommandSyntaxError(argv: string[]): never {
  throw Err.raw(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try XGROUP HELP.`);
}

interface XGroupTarget {
  st: Stream | null;
  cg: StreamCG | undefined;
  mkstream: boolean;
  entriesRead: number;
}

/**
 * The common part of xgroupCommand: CREATE/SETID options from argv[5],
 * the key (WRONGTYPE; must exist unless MKSTREAM), and for SETID,
 * CREATECONSUMER and DELCONSUMER the group (NOGROUP).
 */
function xgroupTarget(c: Client, argv: string[], needGroup: boolean): XGroupTarget {
  const sub = argv[1];
  const create = is(sub, 'create');
  const setid = is(sub, 'setid');
  let mkstream = false;
  let entriesRead = SCG_INVALID_ENTRIES_READ;
  for (let i = 5; i < argv.length; ) {
    if (create && is(argv[i], 'mkstream')) {
      mkstream = true;
      i++;
    } else if ((create || setid) && is(argv[i], 'entriesread') && i + 1 < argv.length) {
      const v = parseInt64(argv[i + 1]);
      if (v === null) throw Err.notInteger();
      if (v < 0 && v !== SCG_INVALID_ENTRIES_READ) throw Err.raw('ERR value for ENTRIESREAD must be positive or -1');
      entriesRead = Number(v);
      i += 2;
    } else subcommandSyntaxError(argv);
  }
  const st = getStreamWrite(c.db, argv[2]);
  let cg: StreamCG | undefined;
  if (!mkstream) {
    if (st === null) throw Err.raw('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
    cg = st.lookupCG(argv[3]);
    if (cg === undefined && needGroup) throw noGroupError(argv[2], argv[3]);
  }
  return { st, cg, mkstream, entriesRead };
}

function xgroupCreateCommand(c: Client, argv: string[], s: DataContext): void {
  const t = xgroupTarget(c, argv, false);
  if (argv.length > 8) subcommandSyntaxError(argv);
  const db = c.db;
  const key = argv[2];
  let id: string;
  if (argv[4] === '$') id = t.st === null ? STREAM_ID_MIN : t.st.lastId;
  else id = streamIDArg(argv[4], 0, true);
  let st = t.st;
  if (st === null) {
    st = new Stream();
    db.add(key, st);
    s.ks.dirty--; // dbAdd counts nothing in Redis: the group's creation is the change
  }
  if (st.createCG(argv[3], id, t.entriesRead) === null) throw Err.raw('BUSYGROUP Consumer Group name already exists');
  c.addOK();
  s.ks.dirty++;
  db.notify(NOTIFY_STREAM, 'xgroup-create', key);
}

function xgroupSetidCommand(c: Client, argv: string[], s: DataContext): void {
  const t = xgroupTarget(c, argv, true);
  if (argv.length !== 5 && argv.length !== 7) subcommandSyntaxError(argv);
  const id = argv[4] === '$' ? t.st!.lastId : streamIDArg(argv[4], 0, false);
  const cg = t.cg!;
  cg.lastId = id;
  cg.entriesRead = t.entriesRead;
  c.addOK();
  s.ks.dirty++;
  c.db.notify(NOTIFY_STREAM, 'xgroup-setid', argv[2]);
}

function xgroupDestroyCommand(c: Client, argv: string[], s: DataContext): void {
  const t = xgroupTarget(c, argv, false);
  const st = t.st!;
  if (t.cg === undefined) {
    c.addInt(0);
    return;
  }
  st.cgroups!.delete(argv[3]);
  c.addInt(1);
  s.ks.dirty++;
  c.db.notify(NOTIFY_STREAM, 'xgroup-destroy', argv[2]);
  // clients blocked in XREADGROUP on this group answer NOGROUP
  s.blocking.signalKeyAsReady(c.db, argv[2], st);
}

function xgroupCreateconsumerCommand(c: Client, argv: string[], s: DataContext): void {
  const t = xgroupTarget(c, argv, true);
  const cg = t.cg!;
  if (cg.lookupConsumer(argv[4]) !== undefined) {
    c.addInt(0);
    return;
  }
  createConsumer(s, c.db, argv[2], cg, argv[4]);
  c.addInt(1);
}

function xgroupDelconsumerCommand(c: Client, argv: string[], s: DataContext): void {
  const t = xgroupTarget(c, argv, true);
  const cg = t.cg!;
  const cons = cg.lookupConsumer(argv[4]);
  let pending = 0;
  if (cons !== undefined) {
    pending = cg.delConsumer(cons);
    s.ks.dirty++;
    c.db.notify(NOTIFY_STREAM, 'xgroup-delconsumer', argv[2]);
  }
  c.addInt(pending);
}

function xgroupHelpCommand(c: Client): void {
  addHelp(c, 'XGROUP', [
    'CREATE <key> <groupname> <id|$> [option]',
    '    Create a new consumer group. Options are:',
    '    * MKSTREAM',
    '      Create the empty stream if it does not exist.',
    '    * ENTRIESREAD entries_read',
    "      Set the group's entries_read counter (internal use).",
    'CREATECONSUMER <key> <groupname> <consumer>',
    '    Create a new consumer in the specified group.',
    'DELCONSUMER <key> <groupname> <consumer>',
    '    Remove the specified consumer.',
    'DESTROY <key> <groupname>',
    '    Remove the specified group.',
    'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
    '    Set the current group ID and entries_read counter.',
  ]);
}

// ---------------------------------------------------------------- XACK

function xackCommand(c: Client, argv: string[], s: DataContext): void {
  const st = getStream(c.db, argv[1]);
  const cg = st === null ? undefined : st.lookupCG(argv[2]);
  if (cg === undefined) {
    c.addInt(0);
    return;
  }
  // all or nothing: every ID parsed before any is acknowledged
  const ids: string[] = [];
  for (let j = 3; j < argv.length; j++) ids.push(streamIDArg(argv[j], 0, true));
  let acked = 0;
  for (const id of ids) {
    const nack = cg.pel.get(id);
    if (nack === undefined) continue;
    cg.pel.delete(id);
    nack.consumer.pel.delete(id);
    acked++;
    s.ks.dirty++;
  }
  c.addInt(acked);
}

// ---------------------------------------------------------------- XPENDING

function xpendingCommand(c: Client, argv: string[], s: DataContext): void {
  const justinfo = argv.length === 3;
  const argc = argv.length;
  if (argc !== 3 && (argc < 6 || argc > 9)) throw Err.syntax();
  let minidle = 0;
  let count = 0;
  let start = STREAM_ID_MIN;
  let end = STREAM_ID_MAX;
  let consumerName: string | null = null;
  if (argc >= 6) {
    let startidx = 3;
    if (is(argv[3], 'idle')) {
      const v = parseInt64(argv[4]);
      if (v === null) throw Err.notInteger();
      minidle = Number(v);
      if (argc < 8) throw Err.syntax();
      startidx += 2;
    }
    const cnt = parseInt64(argv[startidx + 2]);
    if (cnt === null) throw Err.notInteger();
    count = cnt < 0 ? 0 : Number(cnt);
    start = intervalArg(argv[startidx], false);
    end = intervalArg(argv[startidx + 1], true);
    if (startidx + 3 < argc) consumerName = argv[startidx + 3];
  }
  const st = getStream(c.db, argv[1]);
  const cg = st === null ? undefined : st.lookupCG(argv[2]);
  if (cg === undefined) throw Err.raw(`NOGROUP No such key '${argv[1]}' or consumer group '${argv[2]}'`);
  if (justinfo) {
    c.addArrayLen(4);
    c.addInt(cg.pel.size);
    const first = cg.pel.first();
    if (first === null) {
      c.addNull();
      c.addNull();
      c.addNullArray();
      return;
    }
    c.addBulk(streamIDToString(first[0]));
    c.addBulk(streamIDToString(cg.pel.last()![0]));
    const m = c.deferLen();
    let n = 0;
    for (const cons of cg.consumers.values()) {
      if (cons.pel.size === 0) continue;
      c.addArrayLen(2);
      c.addBulk(cons.name);
      c.addBulkInt(cons.pel.size);
      n++;
    }
    c.finishDeferredArray(m, n);
    return;
  }
  let pel = cg.pel;
  if (consumerName !== null) {
    const cons = cg.lookupConsumer(consumerName);
    if (cons === undefined) {
      c.addArrayLen(0);
      return;
    }
    pel = cons.pel;
  }
  const t = now(s);
  const m = c.deferLen();
  let n = 0;
  for (const it = pel.seek('>=', start); count > 0 && it.valid && it.key <= end; it.next()) {
    const nack = it.value;
    if (minidle !== 0 && t - nack.deliveryTime < minidle) continue;
    n++;
    count--;
    c.addArrayLen(4);
    c.addBulk(streamIDToString(it.key));
    c.addBulk(nack.consumer.name);
    c.addInt(Math.max(0, t - nack.deliveryTime));
    c.addInt(nack.deliveryCount);
  }
  c.finishDeferredArray(m, n);
}

// ---------------------------------------------------------------- XCLAIM / XAUTOCLAIM

/** The stream and group XCLAIM/XAUTOCLAIM work on, or NOGROUP. */
function claimTarget(c: Client, argv: string[]): { st: Stream; cg: StreamCG } {
  const st = getStream(c.db, argv[1]);
  const cg = st === null ? undefined : st.lookupCG(argv[2]);
  if (cg === undefined) throw Err.raw(`NOGROUP No such key '${argv[1]}' or consumer group '${argv[2]}'`);
  return { st: st!, cg };
}

/** An integer option of XCLAIM/XAUTOCLAIM, with its own error text. */
function int64Or(arg: string, err: string): number {
  const v = parseInt64(arg);
  if (v === null) throw Err.raw(err);
  return Number(v);
}

/** Gives nack to cons (taking it from its previous owner), as XCLAIM and XAUTOCLAIM do. */
function moveNack(id: string, nack: StreamNACK, cons: StreamConsumer): void {
  if (nack.consumer === cons) return;
  nack.consumer.pel.delete(id);
  cons.pel.set(id, nack);
  nack.consumer = cons;
}

function xclaimCommand(c: Client, argv: string[], s: DataContext): void {
  const { st, cg } = claimTarget(c, argv);
  let minidle = int64Or(argv[4], 'ERR Invalid min-idle-time argument for XCLAIM');
  if (minidle < 0) minidle = 0;
  const ids: string[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    let id: string;
    try {
      id = streamIDArg(argv[j], 0, true);
    } catch {
      break;
    }
    ids.push(id);
  }
  const lastIdArg = j - 1;
  const t = now(s);
  let retrycount = -1;
  let deliverytime = -1;
  let force = false;
  let justid = false;
  let lastId = STREAM_ID_MIN;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (is(opt, 'force')) force = true;
    else if (is(opt, 'justid')) justid = true;
    else if (is(opt, 'idle') && more > 0) deliverytime = t - int64Or(argv[++j], 'ERR Invalid IDLE option argument for XCLAIM');
    else if (is(opt, 'time') && more > 0) deliverytime = int64Or(argv[++j], 'ERR Invalid TIME option argument for XCLAIM');
    else if (is(opt, 'retrycount') && more > 0) retrycount = int64Or(argv[++j], 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
    else if (is(opt, 'lastid') && more > 0) lastId = streamIDArg(argv[++j], 0, true);
    else throw Err.raw(`ERR Unrecognized XCLAIM option '${opt}'`);
  }
  const db = c.db;
  const key = argv[1];
  const group = argv[2];
  const ops: Ops = [];
  let propagateLastId = false;
  if (lastId > cg.lastId) {
    cg.lastId = lastId;
    propagateLastId = true;
  }
  // a bogus IDLE/TIME (in the future, or negative) means now
  if (deliverytime === -1 || deliverytime < 0 || deliverytime > t) deliverytime = t;
  let cons: StreamConsumer | null = null;
  const m = c.deferLen();
  let n = 0;
  for (let k = 5; k <= lastIdArg; k++) {
    const id = ids[k - 5];
    let nack = cg.pel.get(id);
    if (!entryExists(st, id)) {
      // an entry deleted meanwhile leaves the PEL (and the replicas' PELs)
      if (nack !== undefined) {
        ops.push(xclaimOp(db, key, group, cg, argv[k], nack));
        propagateLastId = false;
        s.ks.dirty++;
        cg.pel.delete(id);
        nack.consumer.pel.delete(id);
      }
      continue;
    }
    let forced = false;
    if (force && nack === undefined) {
      // FORCE: a NACK made from scratch (the AOF's and replicas' way to rebuild a PEL)
      nack = new StreamNACK(t, 1, null as unknown as StreamConsumer);
      cg.pel.set(id, nack);
      forced = true;
    }
    if (nack === undefined) continue;
    if (!forced && minidle !== 0 && t - nack.deliveryTime < minidle) continue;
    if (cons === null) cons = lookupOrCreateConsumer(s, db, key, cg, argv[3]).cons;
    if (forced) {
      cons.pel.set(id, nack);
      nack.consumer = cons;
    } else moveNack(id, nack, cons);
    nack.deliveryTime = deliverytime;
    if (retrycount >= 0) nack.deliveryCount = retrycount;
    else if (!justid) nack.deliveryCount++;
    if (justid) c.addBulk(streamIDToString(id));
    else {
      const e = st.iterator(id, id, false);
      e.next();
      addStreamEntry(c, e);
    }
    n++;
    ops.push(xclaimOp(db, key, group, cg, argv[k], nack));
    propagateLastId = false;
    s.ks.dirty++;
  }
  if (propagateLastId) {
    ops.push(setidOp(db, key, group, cg));
    s.ks.dirty++;
  }
  c.finishDeferredArray(m, n);
  s.propagateOps(c, ops);
}

/** LONG_MAX / max(sizeof(streamID), attempts factor): XAUTOCLAIM's largest COUNT. */
const XAUTOCLAIM_MAX_COUNT = 576460752303423487;
const ATTEMPTS_FACTOR = 10;

function xautoclaimCommand(c: Client, argv: string[], s: DataContext): void {
  let minidle = int64Or(argv[4], 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (minidle < 0) minidle = 0;
  const start = intervalArg(argv[5], false);
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], 'count') && more > 0) {
      const v = parseInt64(argv[j + 1]);
      if (v === null || v < 1 || v > XAUTOCLAIM_MAX_COUNT) throw Err.countGreaterThanZero();
      count = Number(v);
      j++;
    } else if (is(argv[j], 'justid')) justid = true;
    else throw Err.syntax();
  }
  const { st, cg } = claimTarget(c, argv);
  const db = c.db;
  const key = argv[1];
  const group = argv[2];
  const ops: Ops = [];
  const t = now(s);
  let attempts = count * ATTEMPTS_FACTOR;
  let cons: StreamConsumer | null = null;
  const deleted: string[] = [];
  // the reply starts with the cursor, known at the end: the claimed entries wait in a list (at most COUNT)
  const claimed: string[] = [];
  let it = cg.pel.seek('>=', start);
  while (attempts-- > 0 && count > 0 && it.valid) {
    const id = it.key;
    const nack = it.value;
    if (!entryExists(st, id)) {
      ops.push(xclaimOp(db, key, group, cg, streamIDToString(id), nack));
      s.ks.dirty++;
      cg.pel.delete(id);
      nack.consumer.pel.delete(id);
      deleted.push(id);
      count--;
      it = cg.pel.seek('>=', id);
      continue;
    }
    if (minidle !== 0 && t - nack.deliveryTime < minidle) {
      it.next();
      continue;
    }
    if (cons === null) cons = lookupOrCreateConsumer(s, db, key, cg, argv[3]).cons;
    moveNack(id, nack, cons);
    nack.deliveryTime = t;
    if (!justid) nack.deliveryCount++;
    claimed.push(id);
    count--;
    ops.push(xclaimOp(db, key, group, cg, streamIDToString(id), nack));
    s.ks.dirty++;
    // moving a NACK between consumers leaves the group's PEL as it was: the cursor stays valid
    it.next();
  }
  c.addArrayLen(3);
  c.addBulk(streamIDToString(it.valid ? it.key : STREAM_ID_MIN));
  c.addArrayLen(claimed.length);
  for (const id of claimed) {
    if (justid) c.addBulk(streamIDToString(id));
    else {
      const e = st.iterator(id, id, false);
      e.next();
      addStreamEntry(c, e);
    }
  }
  c.addArrayLen(deleted.length);
  for (const id of deleted) c.addBulk(streamIDToString(id));
  s.propagateOps(c, ops);
}

export const streamGroupCommands: DataCommands = [
  { name: 'xack', handler: xackCommand },
  { name: 'xautoclaim', handler: xautoclaimCommand },
  { name: 'xclaim', handler: xclaimCommand },
  {
    name: 'xgroup',
    sub: [
      { name: 'create', handler: xgroupCreateCommand },
      { name: 'createconsumer', handler: xgroupCreateconsumerCommand },
      { name: 'delconsumer', handler: xgroupDelconsumerCommand },
      { name: 'destroy', handler: xgroupDestroyCommand },
      { name: 'help', handler: xgroupHelpCommand },
      { name: 'setid', handler: xgroupSetidCommand },
    ],
  },
  { name: 'xpending', handler: xpendingCommand },
  { name: 'xread', handler: xreadCommand },
  { name: 'xreadgroup', handler: xreadgroupCommand },
];
