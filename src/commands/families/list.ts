/**
 * List commands (Redis group "list"), as t_list.c: helpers, the commands,
 * the blocking commands, then one table. The storage is datatypes/quicklist.ts;
 * Redis 7.0 reports every list's OBJECT ENCODING as "quicklist".
 *
 * Argument validation follows Redis's order exactly (it decides which error
 * wins): e.g. LINDEX looks the key up before parsing the index (a missing key
 * with a bad index is nil), LRANGE/LTRIM/LREM parse integers first, LPOP
 * parses its count before the key's type is checked, BLMPOP parses numkeys,
 * the direction and COUNT before the timeout.
 *
 * Blocking commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP) serve a non-empty
 * key at once as the non-blocking command would (and propagate that form,
 * e.g. LPOP); otherwise they block through server/blocking.ts, which serves
 * them from the key that became ready. Inside EXEC they answer as a timeout
 * would (BLMOVE/BRPOPLPUSH with a null bulk, the others a null array).
 *
 * Keyspace events as t_list.c sends them: one push/pop event per command
 * (lpush, rpush, lpop, rpop — LPUSHX/RPUSHX say lpush/rpush, LMPOP/BLMPOP and
 * served blocking pops lpop/rpop), linsert, lset, lrem (only when something
 * changed), ltrim (even when nothing was trimmed), then "del" when a list
 * empties; a move sends the destination's push (after "new") before the
 * source's pop. Changes are counted (dirty) as Redis counts them: one per
 * pushed or removed element, one per move, none for a served BLPOP/BRPOP or
 * BLMOVE/BRPOPLPUSH (serveClientBlockedOnList does not count them).
 */
import type { Client } from '../../server/client.js';
import type { DataCommands, DataContext } from '../context.js';
import { Err } from '../../protocol/errors.js';
import type { Db } from '../../keyspace/keyspace.js';
import { QuickList } from '../../datatypes/quicklist.js';
import { parseInt64 } from '../../util/numbers.js';
import { bulkWriter } from '../../util/bulk-writer.js';
import { intArg, is } from '../args.js';
import { parseTimeout } from '../../server/blocking.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../../keyspace/notify.js';

type Where = 'left' | 'right';

// ---------------------------------------------------------------- helpers

/** The list at key for reading, null when missing; WRONGTYPE otherwise. */
function getList(db: Db, key: string): QuickList | null {
  const v = db.lookupRead(key);
  if (v === undefined) return null;
  if (!(v instanceof QuickList)) throw Err.wrongType();
  return v;
}

/** The list at key to modify in place, null when missing; WRONGTYPE otherwise. */
function getListWrite(db: Db, key: string): QuickList | null {
  const v = db.lookupWrite(key);
  if (v === undefined) return null;
  if (!(v instanceof QuickList)) throw Err.wrongType();
  return v;
}

function newList(s: DataContext): QuickList {
  return new QuickList(s.enc.listMaxListpackSize);
}

/** getListPositionFromObjectOrReply: LEFT or RIGHT, else a syntax error. */
function whereArg(arg: string): Where {
  if (is(arg, 'left')) return 'left';
  if (is(arg, 'right')) return 'right';
  throw Err.syntax();
}

/**
 * getRangeLongFromObjectOrReply(min..LONG_MAX) with a custom message: the
 * message replaces both the parse error and the range error.
 */
function rangeLongArg(arg: string, min: number, msg: string): number {
  const v = parseInt64(arg);
  if (v === null || v < min) throw Err.raw(`ERR ${msg}`);
  return Number(v);
}

function pop(l: QuickList, where: Where): string {
  return (where === 'left' ? l.popHead() : l.popTail())!;
}

const popEvent = (where: Where): string => (where === 'left' ? 'lpop' : 'rpop');
const pushEvent = (where: Where): string => (where === 'left' ? 'lpush' : 'rpush');

/**
 * After removing n elements from the list at key: sends `event`, then
 * deletes the key when the list is empty (and says "del"), else records the
 * change; counts n changes (dirty) as Redis does, one per element.
 * listElementsRemoved with event lpop/rpop; LREM sends its own.
 */
function elementsRemoved(db: Db, key: string, l: QuickList, event: string, n: number): void {
  db.notify(NOTIFY_LIST, event, key);
  if (l.length === 0) {
    db.delete(key);
    db.notify(NOTIFY_GENERIC, 'del', key);
  } else db.modified(key);
  db.ks.dirty += n - 1; // delete / modified counted one
}

/** addListRangeReply: elements start..end (Redis's index rules), reversed for a tail pop. */
function addListRange(c: Client, l: QuickList, start: number, end: number): void {
  const llen = l.length;
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    c.addArrayLen(0);
    return;
  }
  if (end >= llen) end = llen - 1;
  c.addArrayLen(end - start + 1);
  bulkWriter.start(c);
  l.writeRange(start, end, bulkWriter);
  bulkWriter.finish();
}

/** Pops count elements from the list (count may exceed its length) and replies with them as an array. */
function popRangeReply(c: Client, l: QuickList, where: Where, count: number): number {
  const n = Math.min(count, l.length);
  c.addArrayLen(n);
  for (let i = 0; i < n; i++) c.addBulk(pop(l, where));
  return n;
}

/** listPopRangeAndReplyWithKey: [key, [elements…]] of LMPOP/BLMPOP; deletes the key when emptied. */
function popRangeWithKey(c: Client, db: Db, key: string, l: QuickList, where: Where, count: number): void {
  c.addArrayLen(2);
  c.addBulk(key);
  const n = popRangeReply(c, l, where, count);
  elementsRemoved(db, key, l, popEvent(where), n);
  c.propagateArgv = [where === 'left' ? 'LPOP' : 'RPOP', key, String(n)];
}

// ---------------------------------------------------------------- push

/** pushGenericCommand: LPUSH/RPUSH, and LPUSHX/RPUSHX (xx: only onto an existing list). */
function pushGeneric(c: Client, argv: string[], s: DataContext, where: Where, xx: boolean): void {
  const db = c.db;
  const key = argv[1];
  let l = getListWrite(db, key);
  if (l === null) {
    if (xx) {
      c.addInt(0);
      return;
    }
    l = newList(s);
    db.add(key, l);
  } else db.modified(key);
  if (where === 'left') for (let j = 2; j < argv.length; j++) l.pushHead(argv[j]);
  else for (let j = 2; j < argv.length; j++) l.pushTail(argv[j]);
  db.notify(NOTIFY_LIST, pushEvent(where), key); // once per command, after every element
  s.ks.dirty += argv.length - 3; // Redis counts one change per element
  c.addInt(l.length);
}

function lpushCommand(c: Client, argv: string[], s: DataContext): void {
  pushGeneric(c, argv, s, 'left', false);
}
function rpushCommand(c: Client, argv: string[], s: DataContext): void {
  pushGeneric(c, argv, s, 'right', false);
}
function lpushxCommand(c: Client, argv: string[], s: DataContext): void {
  pushGeneric(c, argv, s, 'left', true);
}
function rpushxCommand(c: Client, argv: string[], s: DataContext): void {
  pushGeneric(c, argv, s, 'right', true);
}

// ---------------------------------------------------------------- LINSERT LLEN LINDEX LSET

function linsertCommand(c: Client, argv: string[]): void {
  let after: boolean;
  if (is(argv[2], 'after')) after = true;
  else if (is(argv[2], 'before')) after = false;
  else throw Err.syntax();
  const db = c.db;
  const key = argv[1];
  const l = getListWrite(db, key);
  if (l === null) {
    c.addInt(0);
    return;
  }
  const pivot = argv[3];
  let at = -1;
  l.walk(true, (v, i) => {
    if (v !== pivot) return true;
    at = i;
    return false;
  });
  if (at === -1) {
    c.addInt(-1);
    return;
  }
  l.insertAt(after ? at + 1 : at, argv[4]);
  db.modified(key);
  db.notify(NOTIFY_LIST, 'linsert', key);
  c.addInt(l.length);
}

function llenCommand(c: Client, argv: string[]): void {
  const l = getList(c.db, argv[1]);
  c.addInt(l === null ? 0 : l.length);
}

function lindexCommand(c: Client, argv: string[]): void {
  const l = getList(c.db, argv[1]);
  if (l === null) {
    c.addNull();
    return;
  }
  const index = intArg(argv[2]);
  c.addBulkOrNull(l.index(index));
}

function lsetCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const key = argv[1];
  const l = getListWrite(db, key);
  if (l === null) throw Err.noSuchKey();
  let index = intArg(argv[2]);
  if (index < 0) index += l.length;
  if (index < 0 || index >= l.length) throw Err.outOfRange();
  l.set(index, argv[3]);
  db.modified(key);
  db.notify(NOTIFY_LIST, 'lset', key);
  c.addOK();
}

// ---------------------------------------------------------------- pops

/** popGenericCommand: LPOP/RPOP key [count]. */
function popGeneric(c: Client, argv: string[], where: Where): void {
  if (argv.length > 3) throw Err.wrongArity(argv[0].toLowerCase());
  const hasCount = argv.length === 3;
  const count = hasCount ? rangeLongArg(argv[2], 0, 'value is out of range, must be positive') : 0;
  const db = c.db;
  const key = argv[1];
  const l = getListWrite(db, key);
  if (l === null) {
    if (hasCount) c.addNullArray();
    else c.addNull();
    return;
  }
  if (hasCount && count === 0) {
    c.addArrayLen(0);
    return;
  }
  let n = 1;
  if (hasCount) n = popRangeReply(c, l, where, count);
  else c.addBulk(pop(l, where));
  elementsRemoved(db, key, l, popEvent(where), n);
}

function lpopCommand(c: Client, argv: string[]): void {
  popGeneric(c, argv, 'left');
}
function rpopCommand(c: Client, argv: string[]): void {
  popGeneric(c, argv, 'right');
}

// ---------------------------------------------------------------- LRANGE LTRIM LREM LPOS

function lrangeCommand(c: Client, argv: string[]): void {
  const start = intArg(argv[2]);
  const end = intArg(argv[3]);
  const l = getList(c.db, argv[1]);
  if (l === null) {
    c.addArrayLen(0);
    return;
  }
  addListRange(c, l, start, end);
}

function ltrimCommand(c: Client, argv: string[], s: DataContext): void {
  let start = intArg(argv[2]);
  let end = intArg(argv[3]);
  const db = c.db;
  const key = argv[1];
  const l = getListWrite(db, key);
  if (l === null) {
    c.addOK();
    return;
  }
  const llen = l.length;
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  let ltrim: number;
  let rtrim: number;
  if (start > end || start >= llen) {
    ltrim = llen;
    rtrim = 0;
  } else {
    if (end >= llen) end = llen - 1;
    ltrim = start;
    rtrim = llen - end - 1;
  }
  // Redis says "ltrim" and signals the key even when nothing was trimmed, then
  // "del" if the list went; it counts one change per removed element
  db.notify(NOTIFY_LIST, 'ltrim', key);
  if (ltrim + rtrim === llen) {
    db.delete(key); // counts one
    db.notify(NOTIFY_GENERIC, 'del', key);
    s.ks.dirty += llen - 1;
  } else {
    if (rtrim > 0) l.deleteRange(llen - rtrim, rtrim);
    if (ltrim > 0) l.deleteRange(0, ltrim);
    s.ks.signalModifiedKey(db, key);
    s.ks.dirty += ltrim + rtrim;
  }
  c.addOK();
}

function lremCommand(c: Client, argv: string[]): void {
  const count = intArg(argv[2]);
  const db = c.db;
  const key = argv[1];
  const l = getListWrite(db, key);
  if (l === null) {
    c.addInt(0);
    return;
  }
  const removed = l.removeValue(argv[3], count);
  if (removed > 0) elementsRemoved(db, key, l, 'lrem', removed);
  c.addInt(removed);
}

const RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const LONG_MIN = -(2n ** 63n);

function lposCommand(c: Client, argv: string[]): void {
  const ele = argv[2];
  let rank = 1;
  let count = -1; // -1: no COUNT option
  let maxlen = 0;
  let rankMin = false;
  for (let j = 3; j < argv.length; j++) {
    const more = j + 1 < argv.length;
    if (is(argv[j], 'rank') && more) {
      const r = parseInt64(argv[++j]);
      if (r === null) throw Err.notInteger();
      if (r === 0) throw Err.raw(RANK_ZERO);
      rankMin = BigInt(r) === LONG_MIN;
      rank = Number(r);
    } else if (is(argv[j], 'count') && more) {
      count = rangeLongArg(argv[++j], 0, "COUNT can't be negative");
    } else if (is(argv[j], 'maxlen') && more) {
      maxlen = rangeLongArg(argv[++j], 0, "MAXLEN can't be negative");
    } else throw Err.syntax();
  }
  let fromHead = true;
  // RANK LONG_MIN: C's -rank overflows and stays negative, so every match
  // qualifies and `matches - rank + 1 >= count` never holds (COUNT is ignored)
  let unlimited = false;
  if (rank < 0) {
    fromHead = false;
    if (rankMin) {
      rank = 1;
      unlimited = true;
    } else rank = -rank;
  }
  const l = getList(c.db, argv[1]);
  if (l === null) {
    if (count !== -1) c.addArrayLen(0);
    else c.addNull();
    return;
  }
  const found: number[] = [];
  let matches = 0;
  let seen = 0;
  l.walk(fromHead, (v, index) => {
    if (maxlen !== 0 && seen >= maxlen) return false;
    seen++;
    if (v !== ele) return true;
    matches++;
    if (matches < rank) return true;
    found.push(index);
    if (count === -1) return false;
    return unlimited || count === 0 || matches - rank + 1 < count;
  });
  if (count !== -1) {
    c.addArrayLen(found.length);
    for (const i of found) c.addInt(i);
  } else if (found.length > 0) c.addInt(found[0]);
  else c.addNull();
}

// ---------------------------------------------------------------- LMOVE RPOPLPUSH LMPOP

/**
 * lmoveHandlePush: pushes value onto the list at dstKey (created when
 * absent; its creation wakes clients blocked on it) and replies with it.
 */
function lmoveHandlePush(c: Client, s: DataContext, dstKey: string, dst: QuickList | null, value: string, whereTo: Where): void {
  const db = c.db;
  if (dst === null) {
    dst = newList(s);
    db.add(dstKey, dst);
  } else db.modified(dstKey);
  if (whereTo === 'left') dst.pushHead(value);
  else dst.pushTail(value);
  db.notify(NOTIFY_LIST, pushEvent(whereTo), dstKey);
  c.addBulk(value);
}

/**
 * lmoveGenericCommand: pops from source, pushes onto destination (which may
 * be the source). Returns false (replying a null bulk) when the source is missing.
 */
function lmoveGeneric(c: Client, s: DataContext, src: string, dstKey: string, whereFrom: Where, whereTo: Where): boolean {
  const db = c.db;
  const sl = getListWrite(db, src);
  if (sl === null) {
    c.addNull();
    return false;
  }
  const v = db.lookupWrite(dstKey);
  if (v !== undefined && !(v instanceof QuickList)) throw Err.wrongType();
  const dst = v ?? null;
  const dirty = s.ks.dirty;
  const value = pop(sl, whereFrom);
  // Redis's order: the destination's push event (after "new"), then the source's pop, then "del"
  lmoveHandlePush(c, s, dstKey, dst, value, whereTo);
  elementsRemoved(db, src, sl, popEvent(whereFrom), 1);
  s.ks.dirty = dirty + 1; // a move is one change for Redis
  return true;
}

function lmoveCommand(c: Client, argv: string[], s: DataContext): void {
  const from = whereArg(argv[3]);
  const to = whereArg(argv[4]);
  lmoveGeneric(c, s, argv[1], argv[2], from, to);
}

function rpoplpushCommand(c: Client, argv: string[], s: DataContext): void {
  lmoveGeneric(c, s, argv[1], argv[2], 'right', 'left');
}

interface MpopArgs {
  keys: string[];
  where: Where;
  count: number;
}

/** lmpopGenericCommand's parsing: numkeys at argv[numkeysIdx], keys, LEFT|RIGHT, [COUNT n]. */
function parseMpop(argv: string[], numkeysIdx: number): MpopArgs {
  const numkeys = rangeLongArg(argv[numkeysIdx], 1, 'numkeys should be greater than 0');
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) throw Err.syntax();
  const where = whereArg(argv[whereIdx]);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && is(argv[j], 'count') && j + 1 < argv.length) {
      count = rangeLongArg(argv[++j], 1, 'count should be greater than 0');
    } else throw Err.syntax();
  }
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), where, count: count === -1 ? 1 : count };
}

/**
 * The first non-empty list among keys (WRONGTYPE if a key before it holds
 * another type), or null.
 */
function firstNonEmpty(db: Db, keys: readonly string[]): { key: string; l: QuickList } | null {
  for (const key of keys) {
    const l = getListWrite(db, key);
    if (l !== null && l.length > 0) return { key, l };
  }
  return null;
}

function lmpopCommand(c: Client, argv: string[]): void {
  const a = parseMpop(argv, 1);
  const hit = firstNonEmpty(c.db, a.keys);
  if (hit === null) {
    c.addNullArray();
    return;
  }
  popRangeWithKey(c, c.db, hit.key, hit.l, a.where, a.count);
}

// ---------------------------------------------------------------- blocking

/**
 * blockingPopGenericCommand: BLPOP/BRPOP (count -1: [key, element]) and
 * BLMPOP (count >= 1: [key, [elements…]]).
 */
function blockingPopGeneric(c: Client, s: DataContext, keys: string[], where: Where, timeoutArg: string, count: number): void {
  const timeout = parseTimeout(timeoutArg, s.ks.now);
  const db = c.db;
  const hit = firstNonEmpty(db, keys);
  if (hit !== null) {
    servePop(c, db, hit.key, hit.l, where, count);
    return;
  }
  if (!s.blocking.mayBlock()) {
    c.addNullArray();
    return;
  }
  s.blocking.block(c, {
    type: 'list',
    keys,
    timeout,
    serve: (bc, key) => {
      const l = getListWrite(bc.db, key);
      if (l === null || l.length === 0) return false;
      const dirty = s.ks.dirty;
      servePop(bc, bc.db, key, l, where, count);
      // Redis 7.0's serveClientBlockedOnList counts no change for a served
      // BLPOP/BRPOP (BLMPOP's pops count one per element, as LMPOP's)
      if (count === -1) s.ks.dirty = dirty;
      return true;
    },
  });
}

/** Pops from the non-empty list at key for a blocking pop, replying and setting the propagated form. */
function servePop(c: Client, db: Db, key: string, l: QuickList, where: Where, count: number): void {
  if (count !== -1) {
    popRangeWithKey(c, db, key, l, where, count);
    return;
  }
  c.addArrayLen(2);
  c.addBulk(key);
  c.addBulk(pop(l, where));
  elementsRemoved(db, key, l, popEvent(where), 1);
  c.propagateArgv = [where === 'left' ? 'LPOP' : 'RPOP', key];
}

function blpopCommand(c: Client, argv: string[], s: DataContext): void {
  blockingPopGeneric(c, s, argv.slice(1, -1), 'left', argv[argv.length - 1], -1);
}

function brpopCommand(c: Client, argv: string[], s: DataContext): void {
  blockingPopGeneric(c, s, argv.slice(1, -1), 'right', argv[argv.length - 1], -1);
}

function blmpopCommand(c: Client, argv: string[], s: DataContext): void {
  const a = parseMpop(argv, 2);
  blockingPopGeneric(c, s, a.keys, a.where, argv[1], a.count);
}

/**
 * blmoveGenericCommand: BLMOVE/BRPOPLPUSH. With data it runs LMOVE (and
 * propagates as LMOVE/RPOPLPUSH); otherwise it blocks on the source only.
 */
function blmoveGeneric(c: Client, s: DataContext, argv: string[], from: Where, to: Where, timeout: number, rpoplpush: boolean): void {
  const db = c.db;
  const src = argv[1];
  const dstKey = argv[2];
  const sl = getListWrite(db, src);
  if (sl !== null) {
    lmoveGeneric(c, s, src, dstKey, from, to);
    c.propagateArgv = rpoplpush ? ['RPOPLPUSH', src, dstKey] : ['LMOVE', src, dstKey, argv[3], argv[4]];
    return;
  }
  if (!s.blocking.mayBlock()) {
    c.addNull();
    return;
  }
  s.blocking.block(c, {
    type: 'list',
    keys: [src],
    timeout,
    serve: (bc, key) => {
      // serveClientBlockedOnList: a destination of the wrong type answers
      // WRONGTYPE (the client is unblocked) and nothing is popped
      const dirty = s.ks.dirty;
      if (!lmoveGeneric(bc, s, key, dstKey, from, to)) return false;
      s.ks.dirty = dirty; // Redis 7.0 counts no change for a served BLMOVE/BRPOPLPUSH
      bc.propagateArgv = rpoplpush ? ['RPOPLPUSH', key, dstKey] : ['LMOVE', key, dstKey, from, to];
      return true;
    },
  });
}

function blmoveCommand(c: Client, argv: string[], s: DataContext): void {
  const from = whereArg(argv[3]);
  const to = whereArg(argv[4]);
  const timeout = parseTimeout(argv[5], s.ks.now);
  blmoveGeneric(c, s, argv, from, to, timeout, false);
}

function brpoplpushCommand(c: Client, argv: string[], s: DataContext): void {
  const timeout = parseTimeout(argv[3], s.ks.now);
  blmoveGeneric(c, s, argv, 'right', 'left', timeout, true);
}

export const listCommands: DataCommands = [
  { name: 'blmove', handler: blmoveCommand },
  { name: 'blmpop', handler: blmpopCommand },
  { name: 'blpop', handler: blpopCommand },
  { name: 'brpop', handler: brpopCommand },
  { name: 'brpoplpush', handler: brpoplpushCommand },
  { name: 'lindex', handler: lindexCommand },
  { name: 'linsert', handler: linsertCommand },
  { name: 'llen', handler: llenCommand },
  { name: 'lmove', handler: lmoveCommand },
  { name: 'lmpop', handler: lmpopCommand },
  { name: 'lpop', handler: lpopCommand },
  { name: 'lpos', handler: lposCommand },
  { name: 'lpush', handler: lpushCommand },
  { name: 'lpushx', handler: lpushxCommand },
  { name: 'lrange', handler: lrangeCommand },
  { name: 'lrem', handler: lremCommand },
  { name: 'lset', handler: lsetCommand },
  { name: 'ltrim', handler: ltrimCommand },
  { name: 'rpop', handler: rpopCommand },
  { name: 'rpoplpush', handler: rpoplpushCommand },
  { name: 'rpush', handler: rpushCommand },
  { name: 'rpushx', handler: rpushxCommand },
];
