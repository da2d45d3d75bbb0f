/**
 * Sorted-set commands (Redis group "sorted-set"), as Redis 7.0's t_zset.c:
 * argument parsing, then operations on the keyspace, then one table. The
 * value is a ZSet (datatypes/zset.ts), "listpack" or "skiplist" encoded.
 *
 * Compatibility notes, each reproducing a Redis 7.0 behaviour:
 * - Scores are read with string2d (hex floats and "inf" accepted, overflow,
 *   underflow to zero and NaN refused); score ranges with bare strtod, which
 *   also skips leading spaces and reads "" as 0 (zslParseRange).
 * - ZADD parses options greedily from argv[2], so ZINCRBY k nx m is a syntax
 *   error, as in Redis (ZINCRBY shares ZADD's parser).
 * - A new key's encoding is decided by the FIRST member only (7.0's ZADD);
 *   later members convert the listpack as they are inserted.
 * - Store commands (ZUNIONSTORE…, ZRANGESTORE) create their result in the
 *   encoding its final size calls for, and delete the destination when the
 *   result is empty.
 * - Z*RANGEBYSCORE/BYLEX with a negative LIMIT offset return nothing (Redis's
 *   `while (offset--)` walks off the end); a negative count means no limit.
 * - Sets are accepted as inputs of ZUNION/ZINTER/ZDIFF(STORE)/ZINTERCARD, each
 *   member scoring 1.
 */
import type { Client } from '../../server/client.js';
import type { DataCommands, DataContext } from '../context.js';
import { Err } from '../../protocol/errors.js';
import type { Db } from '../../keyspace/keyspace.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../../keyspace/notify.js';
import type { Value } from '../../keyspace/value.js';
import { ZSet, addResult, ZADD_IN_INCR, ZADD_IN_NX, ZADD_IN_XX, ZADD_IN_GT, ZADD_IN_LT, ZADD_OUT_ADDED, ZADD_OUT_UPDATED, ZADD_OUT_NOP, type ScoreRange, type LexRange } from '../../datatypes/zset.js';
import { SetValue } from '../../datatypes/set.js';
import { formatDouble } from '../../util/numbers.js';
import { string2d, strtodStrict } from '../../util/strtod.js';
import { intArg, is, pairCountCheck, randomCountArg } from '../args.js';
import { addCountedArrayLen, randomWithReplacementBatches } from '../random-reply.js';
import { addEmptyScan, parseScanCursor, parseScanOptions, scanCollection } from '../scan.js';
import { parseTimeout } from '../../server/blocking.js';

// ---------------------------------------------------------------- helpers

/** The sorted set at key for reading (lookupKeyRead), null when missing; WRONGTYPE otherwise. */
export function getZsetRead(db: Db, key: string): ZSet | null {
  const v = db.lookupRead(key);
  if (v === undefined) return null;
  if (!(v instanceof ZSet)) throw Err.wrongType();
  return v;
}

/** The sorted set at key about to be modified (lookupKeyWrite), null when missing; WRONGTYPE otherwise. */
export function getZsetWrite(db: Db, key: string): ZSet | null {
  const v = db.lookupWrite(key);
  if (v === undefined) return null;
  if (!(v instanceof ZSet)) throw Err.wrongType();
  return v;
}

/**
 * After removing elements from z at key: sends `event`, then deletes the key
 * when empty (Redis deletes empty collections, and says "del"), else signals it.
 */
function afterRemoval(db: Db, key: string, z: ZSet, removed: number, event: string): void {
  if (removed === 0) return;
  db.notify(NOTIFY_ZSET, event, key);
  if (z.length === 0) {
    db.delete(key);
    db.notify(NOTIFY_GENERIC, 'del', key);
  } else db.modified(key);
  // Redis counts one change per element removed
  if (removed > 1) db.ks.dirty += removed - 1;
}

/** A long argument (getLongFromObjectOrReply). */
const longArg = (s: string): number => intArg(s);

/** Redis's getRangeLongFromObjectOrReply(min, LONG_MAX) with one message for both failures. */
function rangeLongArg(s: string, min: number, err: () => Error): number {
  let v: number;
  try {
    v = intArg(s);
  } catch {
    throw err();
  }
  if (v < min) throw err();
  return v;
}

/** A score (getDoubleFromObjectOrReply). */
function scoreArg(s: string, err: () => Error = Err.notFloat): number {
  const v = string2d(s);
  if (v === null) throw err();
  return v;
}

/** zslParseRange: "(1.5" is exclusive; strtod syntax; NaN refused. */
export function parseScoreRange(minArg: string, maxArg: string): ScoreRange {
  const r: ScoreRange = { min: 0, max: 0, minex: false, maxex: false };
  const parse = (a: string): [number, boolean] | null => {
    const ex = a.charCodeAt(0) === 40; // '('
    const v = strtodStrict(ex ? a.slice(1) : a);
    return v === null ? null : [v, ex];
  };
  const lo = parse(minArg);
  const hi = parse(maxArg);
  if (lo === null || hi === null) throw Err.zsetMinMaxNotFloat();
  [r.min, r.minex] = lo;
  [r.max, r.maxex] = hi;
  return r;
}

/**
 * zslParseLexRange: "[a" inclusive, "(a" exclusive, "-" and "+" the
 * extremes. Redis reads the item as a C string, so "+" followed by a NUL byte
 * is still "+".
 */
export function parseLexRange(minArg: string, maxArg: string): LexRange {
  const r: LexRange = { min: null, max: null, minex: false, maxex: false, empty: false };
  const item = (a: string, isMin: boolean): boolean => {
    const c0 = a.charCodeAt(0);
    if (c0 === 43 || c0 === 45) {
      if (a.length > 1 && a.charCodeAt(1) !== 0) return false;
      // "-" as min and "+" as max are unbounded; "+" as min or "-" as max match nothing
      if ((c0 === 43) === isMin) r.empty = true;
      if (isMin) r.minex = true;
      else r.maxex = true;
      return true;
    }
    if (c0 !== 40 && c0 !== 91) return false;
    if (isMin) {
      r.min = a.slice(1);
      r.minex = c0 === 40;
    } else {
      r.max = a.slice(1);
      r.maxex = c0 === 40;
    }
    return true;
  };
  if (!item(minArg, true) || !item(maxArg, false)) throw Err.zsetMinMaxNotLex();
  return r;
}

/** Writes a [member, score] list: flat in RESP2, pairs in RESP3 (as Redis's zrange handlers). */
function addScoredArray(c: Client, members: readonly string[], scores: readonly number[], withscores: boolean): void {
  const n = members.length;
  if (!withscores) {
    c.addBulks(members);
    return;
  }
  c.addArrayLen(c.resp === 2 ? n * 2 : n);
  for (let i = 0; i < n; i++) {
    if (c.resp === 3) c.addArrayLen(2);
    c.addBulk(members[i]);
    c.addDouble(scores[i]);
  }
}

// ---------------------------------------------------------------- ZADD, ZINCRBY, ZREM

/** zaddGenericCommand: ZADD with its options, and ZINCRBY (flags = INCR). */
function zaddGenericCommand(c: Client, argv: string[], s: DataContext, flags: number): void {
  const key = argv[1];
  let ch = false;
  let scoreidx = 2;
  while (scoreidx < argv.length) {
    const opt = argv[scoreidx];
    if (is(opt, 'nx')) flags |= ZADD_IN_NX;
    else if (is(opt, 'xx')) flags |= ZADD_IN_XX;
    else if (is(opt, 'ch')) ch = true;
    else if (is(opt, 'incr')) flags |= ZADD_IN_INCR;
    else if (is(opt, 'gt')) flags |= ZADD_IN_GT;
    else if (is(opt, 'lt')) flags |= ZADD_IN_LT;
    else break;
    scoreidx++;
  }
  const incr = (flags & ZADD_IN_INCR) !== 0;
  const nx = (flags & ZADD_IN_NX) !== 0;
  const xx = (flags & ZADD_IN_XX) !== 0;
  const gt = (flags & ZADD_IN_GT) !== 0;
  const lt = (flags & ZADD_IN_LT) !== 0;
  let elements = argv.length - scoreidx;
  if (elements % 2 !== 0 || elements === 0) throw Err.syntax();
  elements /= 2;
  if (nx && xx) throw Err.zaddNxXx();
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw Err.zaddGtLtNx();
  if (incr && elements > 1) throw Err.zaddIncrPair();
  // every score is parsed before anything changes: the command runs whole or not at all
  const scores: number[] = new Array(elements);
  for (let j = 0; j < elements; j++) scores[j] = scoreArg(argv[scoreidx + j * 2]);

  const db = c.db;
  let z = getZsetWrite(db, key);
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  let created = false;
  if (z === null) {
    if (xx) {
      if (incr) c.addNull();
      else c.addInt(0);
      return;
    }
    const enc = s.enc;
    z = ZSet.create(enc.zsetMaxListpackEntries === 0 || enc.zsetMaxListpackValue < argv[scoreidx + 1].length);
    db.add(key, z);
    created = true;
  }
  for (let j = 0; j < elements; j++) {
    if (!z.add(scores[j], argv[scoreidx + 1 + j * 2], flags, s.enc)) {
      zaddSignal(db, key, added + updated, created, incr);
      throw Err.zsetNaN();
    }
    const f = addResult.flags;
    if (f & ZADD_OUT_ADDED) added++;
    if (f & ZADD_OUT_UPDATED) updated++;
    if (!(f & ZADD_OUT_NOP)) processed++;
    score = addResult.newScore;
  }
  zaddSignal(db, key, added + updated, created, incr);
  if (incr) {
    if (processed > 0) c.addDouble(score);
    else c.addNull();
  } else c.addInt(ch ? added + updated : added);
}

/** ZADD's cleanup: a key that changed is signalled (a new one was by its creation) and notified. */
function zaddSignal(db: Db, key: string, changes: number, created: boolean, incr: boolean): void {
  if (changes === 0) return;
  if (!created) db.modified(key);
  // Redis counts one change per member added or updated (the creation counted one)
  if (changes > 1) db.ks.dirty += changes - 1;
  db.notify(NOTIFY_ZSET, incr ? 'zincr' : 'zadd', key);
}

/** ZADD; GEOADD runs it on the arguments it rewrites (geo.c's replaceClientCommandVector). */
export function zaddCommand(c: Client, argv: string[], s: DataContext): void {
  zaddGenericCommand(c, argv, s, 0);
}

function zincrbyCommand(c: Client, argv: string[], s: DataContext): void {
  zaddGenericCommand(c, argv, s, ZADD_IN_INCR);
}

function zremCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const key = argv[1];
  const z = getZsetWrite(db, key);
  if (z === null) {
    c.addInt(0);
    return;
  }
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    if (z.remove(argv[j])) deleted++;
    if (z.length === 0) break;
  }
  afterRemoval(db, key, z, deleted, 'zrem');
  c.addInt(deleted);
}

// ---------------------------------------------------------------- point reads

function zcardCommand(c: Client, argv: string[]): void {
  const z = getZsetRead(c.db, argv[1]);
  c.addInt(z === null ? 0 : z.length);
}

function zscoreCommand(c: Client, argv: string[]): void {
  const z = getZsetRead(c.db, argv[1]);
  const sc = z === null ? undefined : z.score(argv[2]);
  if (sc === undefined) c.addNull();
  else c.addDouble(sc);
}

function zmscoreCommand(c: Client, argv: string[]): void {
  const z = getZsetRead(c.db, argv[1]);
  c.addArrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const sc = z === null ? undefined : z.score(argv[j]);
    if (sc === undefined) c.addNull();
    else c.addDouble(sc);
  }
}

function zrankGenericCommand(c: Client, argv: string[], reverse: boolean): void {
  const z = getZsetRead(c.db, argv[1]);
  const r = z === null ? -1 : z.rank(argv[2], reverse);
  if (r >= 0) c.addInt(r);
  else c.addNull();
}

function zrankCommand(c: Client, argv: string[]): void {
  zrankGenericCommand(c, argv, false);
}

function zrevrankCommand(c: Client, argv: string[]): void {
  zrankGenericCommand(c, argv, true);
}

function zcountCommand(c: Client, argv: string[]): void {
  const r = parseScoreRange(argv[2], argv[3]);
  const z = getZsetRead(c.db, argv[1]);
  c.addInt(z === null ? 0 : z.countInScoreRange(r));
}

function zlexcountCommand(c: Client, argv: string[]): void {
  const r = parseLexRange(argv[2], argv[3]);
  const z = getZsetRead(c.db, argv[1]);
  c.addInt(z === null ? 0 : z.countInLexRange(r));
}

// ---------------------------------------------------------------- ZRANGE family

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

/**
 * zrangeGenericCommand: every Z*RANGE* command and ZRANGESTORE. `argcStart`
 * is the index of the source key; `store` is ZRANGESTORE (argv[1] the
 * destination). Options are parsed and validated before the key is read.
 */
function zrangeGenericCommand(c: Client, argv: string[], s: DataContext, argcStart: number, store: boolean, rangetype: RangeType, direction: Direction): void {
  const key = argv[argcStart];
  let minidx = argcStart + 1;
  let maxidx = argcStart + 2;
  let withscores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argcStart + 3; j < argv.length; j++) {
    const leftargs = argv.length - j - 1;
    const a = argv[j];
    if (!store && is(a, 'withscores')) withscores = true;
    else if (is(a, 'limit') && leftargs >= 2) {
      offset = longArg(argv[j + 1]);
      limit = longArg(argv[j + 2]);
      j += 2;
    } else if (direction === 'auto' && is(a, 'rev')) direction = 'reverse';
    else if (rangetype === 'auto' && is(a, 'bylex')) rangetype = 'lex';
    else if (rangetype === 'auto' && is(a, 'byscore')) rangetype = 'score';
    else throw Err.syntax();
  }
  if (direction === 'auto') direction = 'forward';
  if (rangetype === 'auto') rangetype = 'rank';
  if (limit !== -1 && rangetype === 'rank') throw Err.zrangeLimitRank();
  if (withscores && rangetype === 'lex') throw Err.zrangeWithscoresLex();
  const reverse = direction === 'reverse';
  if (reverse && rangetype !== 'rank') {
    // the range is given as max, min
    const t = maxidx;
    maxidx = minidx;
    minidx = t;
  }
  let start = 0;
  let end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (rangetype === 'rank') {
    start = longArg(argv[minidx]);
    end = longArg(argv[maxidx]);
  } else if (rangetype === 'score') sr = parseScoreRange(argv[minidx], argv[maxidx]);
  else lr = parseLexRange(argv[minidx], argv[maxidx]);

  const z = getZsetRead(c.db, key);
  const members: string[] = [];
  const scores: number[] = [];
  const emit = (m: string, sc: number): void => {
    members.push(m);
    scores.push(sc);
  };
  if (z !== null) {
    const len = z.length;
    if (rangetype === 'rank') {
      if (start < 0) start = len + start;
      if (end < 0) end = len + end;
      if (start < 0) start = 0;
      if (start <= end && start < len) {
        if (end >= len) end = len - 1;
        z.rangeByRank(start, end, reverse, emit);
      }
    } else if (!(offset > 0 && offset >= len)) {
      if (sr !== null) z.rangeByScore(sr, offset, limit, reverse, emit);
      else z.rangeByLex(lr!, offset, limit, reverse, emit);
    }
  }
  if (!store) {
    addScoredArray(c, members, scores, withscores);
    return;
  }
  // Redis builds the ZRANGESTORE destination as a listpack and inserts in
  // range order, converting to a skiplist at the first member that does not
  // fit: the members inserted before that went through the listpack, which
  // keeps -0 as 0 (ZSCORE then says 0 even in the final skiplist).
  const maxEntries = s.enc.zsetMaxListpackEntries;
  const maxValue = s.enc.zsetMaxListpackValue;
  for (let i = 0; i < members.length; i++) {
    if (i + 1 > maxEntries || members[i].length > maxValue) break;
    if (scores[i] === 0) scores[i] = 0;
  }
  if (reverse) {
    members.reverse();
    scores.reverse();
  }
  storeResult(c, s, argv[1], members, scores, 'zrangestore');
}

/**
 * A store command's result: set at dst (listpack or skiplist by size) and
 * notified as `event`, or dst deleted when empty; replies the count.
 */
function storeResult(c: Client, s: DataContext, dst: string, members: string[], scores: number[], event: string): void {
  const db = c.db;
  if (members.length > 0) {
    db.setKey(dst, ZSet.fromSorted(members, scores, s.enc));
    c.addInt(members.length);
    db.notify(NOTIFY_ZSET, event, dst);
  } else {
    c.addInt(0);
    if (db.delete(dst)) db.notify(NOTIFY_GENERIC, 'del', dst);
  }
}

function zrangeCommand(c: Client, argv: string[], s: DataContext): void {
  zrangeGenericCommand(c, argv, s, 1, false, 'auto', 'auto');
}
function zrangestoreCommand(c: Client, argv: string[], s: DataContext): void {
  zrangeGenericCommand(c, argv, s, 2, true, 'auto', 'auto');
}
function zrevrangeCommand(c: Client, argv: string[], s: DataContext): void {
  zrangeGenericCommand(c, argv, s, 1, false, 'rank', 'reverse');
}
function zrangebyscoreCommand(c: Client, argv: string[], s: DataContext): void {
  zrangeGenericCommand(c, argv, s, 1, false, 'score', 'forward');
}
function zrevrangebyscoreCommand(c: Client, argv: string[], s: DataContext): void {
  zrangeGenericCommand(c, argv, s, 1, false, 'score', 'reverse');
}
function zrangebylexCommand(c: Client, argv: string[], s: DataContext): void {
  zrangeGenericCommand(c, argv, s, 1, false, 'lex', 'forward');
}
function zrevrangebylexCommand(c: Client, argv: string[], s: DataContext): void {
  zrangeGenericCommand(c, argv, s, 1, false, 'lex', 'reverse');
}

// ---------------------------------------------------------------- ZREMRANGEBY*

function zremrangeGenericCommand(c: Client, argv: string[], rangetype: 'rank' | 'score' | 'lex'): void {
  const key = argv[1];
  let start = 0;
  let end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (rangetype === 'rank') {
    start = longArg(argv[2]);
    end = longArg(argv[3]);
  } else if (rangetype === 'score') sr = parseScoreRange(argv[2], argv[3]);
  else lr = parseLexRange(argv[2], argv[3]);
  const db = c.db;
  const z = getZsetWrite(db, key);
  if (z === null) {
    c.addInt(0);
    return;
  }
  let deleted: number;
  if (rangetype === 'rank') {
    const len = z.length;
    if (start < 0) start = len + start;
    if (end < 0) end = len + end;
    if (start < 0) start = 0;
    if (start > end || start >= len) {
      c.addInt(0);
      return;
    }
    if (end >= len) end = len - 1;
    deleted = z.removeRangeByRank(start, end);
  } else if (sr !== null) deleted = z.removeRangeByScore(sr);
  else deleted = z.removeRangeByLex(lr!);
  afterRemoval(db, key, z, deleted, rangetype === 'rank' ? 'zremrangebyrank' : rangetype === 'score' ? 'zremrangebyscore' : 'zremrangebylex');
  c.addInt(deleted);
}

function zremrangebyrankCommand(c: Client, argv: string[]): void {
  zremrangeGenericCommand(c, argv, 'rank');
}
function zremrangebyscoreCommand(c: Client, argv: string[]): void {
  zremrangeGenericCommand(c, argv, 'score');
}
function zremrangebylexCommand(c: Client, argv: string[]): void {
  zremrangeGenericCommand(c, argv, 'lex');
}

// ---------------------------------------------------------------- pops

/**
 * genericZpopCommand: pops up to `count` (-1: one, plain reply) elements from
 * the first non-empty sorted set among `keys`, lowest first (or highest when
 * max). Reply shapes: flat [m, s…] (ZPOPMIN/MAX in RESP2, or any single pop),
 * nested [[m, s]…] (ZPOPMIN/MAX with a count in RESP3), [key, m, s…]
 * (BZPOPMIN/MAX), [key, [[m, s]…]] (ZMPOP/BZMPOP). Returns the key popped
 * from, or null when every key was missing.
 */
export function genericZpopCommand(c: Client, keys: readonly string[], max: boolean, emitKey: boolean, count: number, nested: boolean, nilWhenEmpty: boolean): string | null {
  const db = c.db;
  let z: ZSet | null = null;
  let key = '';
  for (const k of keys) {
    z = getZsetWrite(db, k);
    if (z !== null) {
      key = k;
      break;
    }
  }
  if (z === null) {
    if (nilWhenEmpty) c.addNullArray();
    else c.addArrayLen(0);
    return null;
  }
  if (count === 0) {
    c.addArrayLen(0);
    zpopResultCount = 0;
    return key;
  }
  if (count === -1) count = 1;
  const len = z.length;
  const n = count > len ? len : count;
  if (!nested && !emitKey) c.addArrayLen(n * 2);
  else if (nested && !emitKey) c.addArrayLen(n);
  else if (!nested && emitKey) {
    c.addArrayLen(n * 2 + 1);
    c.addBulk(key);
  } else {
    c.addArrayLen(2);
    c.addBulk(key);
    c.addArrayLen(n);
  }
  z.rangeByRank(0, n - 1, max, (m, sc) => {
    if (nested) c.addArrayLen(2);
    c.addBulk(m);
    c.addDouble(sc);
  });
  if (max) z.removeRangeByRank(len - n, len - 1);
  else z.removeRangeByRank(0, n - 1);
  afterRemoval(db, key, z, n, max ? 'zpopmax' : 'zpopmin');
  zpopResultCount = n;
  return key;
}

/** how many elements the last genericZpopCommand popped: ZMPOP/BZMPOP propagate that count, as Redis does */
let zpopResultCount = 0;

/** ZPOPMIN/ZPOPMAX key [count] */
function zpopMinMaxCommand(c: Client, argv: string[], max: boolean): void {
  if (argv.length > 3) throw Err.syntax();
  let count = -1;
  if (argv.length === 3) count = rangeLongArg(argv[2], 0, Err.mustBePositive);
  genericZpopCommand(c, [argv[1]], max, false, count, c.resp > 2 && count !== -1, false);
}

function zpopminCommand(c: Client, argv: string[]): void {
  zpopMinMaxCommand(c, argv, false);
}
function zpopmaxCommand(c: Client, argv: string[]): void {
  zpopMinMaxCommand(c, argv, true);
}

/** ZMPOP/BZMPOP's arguments after numkeys: the keys, MIN|MAX, COUNT (zmpopGenericCommand's parsing). */
export function parseZmpopArgs(argv: string[], numkeysIdx: number): { keys: string[]; max: boolean; count: number } {
  const numkeys = rangeLongArg(argv[numkeysIdx], 1, Err.numkeysPositive);
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) throw Err.syntax();
  let max: boolean;
  if (is(argv[whereIdx], 'min')) max = false;
  else if (is(argv[whereIdx], 'max')) max = true;
  else throw Err.syntax();
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    if (count === -1 && is(argv[j], 'count') && moreargs > 0) {
      j++;
      count = rangeLongArg(argv[j], 1, Err.countPositive);
    } else throw Err.syntax();
  }
  if (count === -1) count = 1;
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), max, count };
}

function zmpopCommand(c: Client, argv: string[]): void {
  const { keys, max, count } = parseZmpopArgs(argv, 1);
  const key = genericZpopCommand(c, keys, max, true, count, true, true);
  // always propagated as ZPOPMIN/ZPOPMAX with a count
  if (key !== null) c.propagateArgv = [max ? 'ZPOPMAX' : 'ZPOPMIN', key, String(zpopResultCount)];
}

// ---------------------------------------------------------------- blocking pops

/**
 * blockingGenericZpopCommand: BZPOPMIN/BZPOPMAX (count -1: [key, member,
 * score]) and BZMPOP (nested [key, [[member, score]…]]). Serves the first
 * non-empty key at once, as the non-blocking pop would, and propagates that
 * form; otherwise blocks (inside MULTI it answers a null array instead).
 */
function blockingGenericZpopCommand(c: Client, s: DataContext, keys: string[], max: boolean, timeoutArg: string, count: number, nested: boolean): void {
  const timeout = parseTimeout(timeoutArg, s.ks.now);
  const popName = max ? 'ZPOPMAX' : 'ZPOPMIN';
  const propagateAs = (key: string): string[] => (count === -1 ? [popName, key] : [popName, key, String(zpopResultCount)]);
  for (const k of keys) {
    const z = getZsetWrite(c.db, k);
    if (z === null || z.length === 0) continue;
    genericZpopCommand(c, [k], max, true, count, nested, nested);
    c.propagateArgv = propagateAs(k);
    return;
  }
  if (!s.blocking.mayBlock()) {
    c.addNullArray();
    return;
  }
  s.blocking.block(c, {
    type: 'zset',
    keys,
    timeout,
    serve: (bc, key) => {
      const z = getZsetWrite(bc.db, key);
      if (z === null || z.length === 0) return false;
      genericZpopCommand(bc, [key], max, true, count, nested, nested);
      bc.propagateArgv = propagateAs(key);
      return true;
    },
  });
}

function bzpopminCommand(c: Client, argv: string[], s: DataContext): void {
  blockingGenericZpopCommand(c, s, argv.slice(1, -1), false, argv[argv.length - 1], -1, false);
}
function bzpopmaxCommand(c: Client, argv: string[], s: DataContext): void {
  blockingGenericZpopCommand(c, s, argv.slice(1, -1), true, argv[argv.length - 1], -1, false);
}
function bzmpopCommand(c: Client, argv: string[], s: DataContext): void {
  const { keys, max, count } = parseZmpopArgs(argv, 2);
  blockingGenericZpopCommand(c, s, keys, max, argv[1], count, true);
}

// ---------------------------------------------------------------- ZRANDMEMBER

function zrandmemberCommand(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const l = BigInt(randomCountArg(argv[2]));
    if (argv.length > 4 || (argv.length === 4 && !is(argv[3], 'withscores'))) throw Err.syntax();
    const withscores = argv.length === 4;
    if (withscores) pairCountCheck(l);
    zrandmemberWithCountCommand(c, argv[1], l, withscores);
    return;
  }
  const z = getZsetRead(c.db, argv[1]);
  if (z === null) {
    c.addNull();
    return;
  }
  c.addBulk(z.at(Math.floor(Math.random() * z.length))[0]);
}

function zrandmemberWithCountCommand(c: Client, key: string, l: bigint, withscores: boolean): void {
  const z = getZsetRead(c.db, key);
  if (z === null || l === 0n) {
    c.addArrayLen(0);
    return;
  }
  const size = z.length;
  const uniq = l > 0n;
  const emit = (m: string, sc: number): void => {
    if (withscores && c.resp > 2) c.addArrayLen(2);
    c.addBulk(m);
    if (withscores) c.addDouble(sc);
  };
  // CASE 1: a negative count samples with replacement (count 1 too: same thing)
  if (!uniq || l === 1n) {
    const exact = uniq ? l : -l;
    addCountedArrayLen(c, withscores && c.resp === 2 ? exact * 2n : exact);
    randomWithReplacementBatches(c, exact, (n) => z.randomWithReplacement(n, emit));
    return;
  }
  const count = Number(l);
  // CASE 2: asking for all of it returns the whole set, highest first (as Redis walks it)
  const n = count >= size ? size : count;
  c.addArrayLen(withscores && c.resp === 2 ? n * 2 : n);
  if (count >= size) z.rangeByRank(0, size - 1, true, emit);
  else z.randomDistinct(count, emit); // CASES 3 and 4
}

// ---------------------------------------------------------------- ZUNION / ZINTER / ZDIFF

interface OpSource {
  z: ZSet | null;
  set: SetValue | null;
  weight: number;
}

const srcLength = (src: OpSource): number => (src.z !== null ? src.z.length : src.set !== null ? src.set.size : 0);

/** Calls fn(member, score) for each element of src (a set's members score 1). */
function srcForEach(src: OpSource, fn: (m: string, sc: number) => void): void {
  if (src.z !== null) src.z.forEach(fn);
  else if (src.set !== null)
    src.set.forEach((m) => {
      fn(m, 1);
    });
}

/** The score of m in src, or undefined (zuiFind). */
function srcScore(src: OpSource, m: string): number | undefined {
  if (src.z !== null) return src.z.score(m);
  if (src.set !== null) return src.set.has(m) ? 1 : undefined;
  return undefined;
}

type Aggregate = 'sum' | 'min' | 'max';

/** zunionInterAggregate: NaN sums (inf + -inf) count as 0. */
function aggregate(target: number, val: number, how: Aggregate): number {
  if (how === 'sum') {
    const r = target + val;
    return Number.isNaN(r) ? 0 : r;
  }
  if (how === 'min') return val < target ? val : target;
  return val > target ? val : target;
}

type SetOp = 'union' | 'inter' | 'diff';

/**
 * zunionInterDiffGenericCommand: ZUNION, ZINTER, ZDIFF, their STORE forms and
 * ZINTERCARD. Keys are read (and type-checked) before the options are parsed,
 * as in Redis; inputs are sorted by size for union and intersection.
 */
function zunionInterDiffGenericCommand(c: Client, argv: string[], s: DataContext, dstkey: string | null, numkeysIndex: number, op: SetOp, cardinalityOnly: boolean, cmdName: string): void {
  const setnum = longArg(argv[numkeysIndex]);
  if (setnum < 1) throw Err.zsetAtLeastOneKey(cmdName);
  if (setnum > argv.length - (numkeysIndex + 1)) throw Err.syntax();
  const db = c.db;
  const src: OpSource[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v: Value | undefined = db.lookupRead(argv[j]);
    const o: OpSource = { z: null, set: null, weight: 1 };
    if (v !== undefined) {
      if (v instanceof ZSet) o.z = v;
      else if (v instanceof SetValue) o.set = v;
      else throw Err.wrongType();
    }
    src.push(o);
  }
  let how: Aggregate = 'sum';
  let withscores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const a = argv[j];
    if (op !== 'diff' && !cardinalityOnly && remaining >= setnum + 1 && is(a, 'weights')) {
      j++;
      for (let i = 0; i < setnum; i++, j++) src[i].weight = scoreArg(argv[j], Err.zsetWeightNotFloat);
    } else if (op !== 'diff' && !cardinalityOnly && remaining >= 2 && is(a, 'aggregate')) {
      const w = argv[j + 1];
      if (is(w, 'sum')) how = 'sum';
      else if (is(w, 'min')) how = 'min';
      else if (is(w, 'max')) how = 'max';
      else throw Err.syntax();
      j += 2;
    } else if (remaining >= 1 && dstkey === null && !cardinalityOnly && is(a, 'withscores')) {
      j++;
      withscores = true;
    } else if (cardinalityOnly && remaining >= 2 && is(a, 'limit')) {
      limit = rangeLongArg(argv[j + 1], 0, Err.limitNegative);
      j += 2;
    } else throw Err.syntax();
  }
  // smallest first (a stable sort, as glibc's qsort on these small arrays)
  if (op !== 'diff') src.sort((a, b) => srcLength(a) - srcLength(b));

  const members: string[] = [];
  const scores: number[] = [];
  let cardinality = 0;
  if (op === 'inter') {
    if (srcLength(src[0]) > 0) {
      const first = src[0];
      let done = false;
      srcForEach(first, (m, sc) => {
        if (done) return;
        let score = first.weight * sc;
        if (Number.isNaN(score)) score = 0;
        let k = 1;
        for (; k < setnum; k++) {
          const v = srcScore(src[k], m);
          if (v === undefined) break;
          score = aggregate(score, v * src[k].weight, how);
        }
        if (k !== setnum) return;
        if (cardinalityOnly) {
          cardinality++;
          if (limit > 0 && cardinality >= limit) done = true;
        } else {
          members.push(m);
          scores.push(score);
        }
      });
    }
  } else if (op === 'union') {
    const acc = new Map<string, number>();
    for (const o of src) {
      if (srcLength(o) === 0) continue;
      srcForEach(o, (m, sc) => {
        let score = o.weight * sc;
        if (Number.isNaN(score)) score = 0;
        const cur = acc.get(m);
        acc.set(m, cur === undefined ? score : aggregate(cur, score, how));
      });
    }
    for (const [m, sc] of acc) {
      members.push(m);
      scores.push(sc);
    }
  } else if (srcLength(src[0]) > 0) {
    srcForEach(src[0], (m, sc) => {
      for (let k = 1; k < setnum; k++) if (srcScore(src[k], m) !== undefined) return;
      members.push(m);
      scores.push(sc);
    });
  }
  if (cardinalityOnly) {
    c.addInt(cardinality);
    return;
  }
  // the result is a sorted set: order by (score, member)
  if (op !== 'diff' || src[0].z === null) sortByScore(members, scores);
  if (dstkey !== null) storeResult(c, s, dstkey, members, scores, op === 'union' ? 'zunionstore' : op === 'inter' ? 'zinterstore' : 'zdiffstore');
  else addScoredArray(c, members, scores, withscores);
}

/** Sorts parallel member/score arrays into sorted-set order. */
export function sortByScore(members: string[], scores: number[]): void {
  const idx = members.map((_, i) => i);
  idx.sort((a, b) => {
    const sa = scores[a];
    const sb = scores[b];
    if (sa < sb) return -1;
    if (sa > sb) return 1;
    const ma = members[a];
    const mb = members[b];
    return ma < mb ? -1 : ma > mb ? 1 : 0;
  });
  const m2 = idx.map((i) => members[i]);
  const s2 = idx.map((i) => scores[i]);
  for (let i = 0; i < idx.length; i++) {
    members[i] = m2[i];
    scores[i] = s2[i];
  }
}

function zunionstoreCommand(c: Client, argv: string[], s: DataContext): void {
  zunionInterDiffGenericCommand(c, argv, s, argv[1], 2, 'union', false, 'zunionstore');
}
function zinterstoreCommand(c: Client, argv: string[], s: DataContext): void {
  zunionInterDiffGenericCommand(c, argv, s, argv[1], 2, 'inter', false, 'zinterstore');
}
function zdiffstoreCommand(c: Client, argv: string[], s: DataContext): void {
  zunionInterDiffGenericCommand(c, argv, s, argv[1], 2, 'diff', false, 'zdiffstore');
}
function zunionCommand(c: Client, argv: string[], s: DataContext): void {
  zunionInterDiffGenericCommand(c, argv, s, null, 1, 'union', false, 'zunion');
}
function zinterCommand(c: Client, argv: string[], s: DataContext): void {
  zunionInterDiffGenericCommand(c, argv, s, null, 1, 'inter', false, 'zinter');
}
function zdiffCommand(c: Client, argv: string[], s: DataContext): void {
  zunionInterDiffGenericCommand(c, argv, s, null, 1, 'diff', false, 'zdiff');
}
function zintercardCommand(c: Client, argv: string[], s: DataContext): void {
  zunionInterDiffGenericCommand(c, argv, s, null, 1, 'inter', true, 'zintercard');
}

// ---------------------------------------------------------------- ZSCAN

function zscanCommand(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]);
  const z = getZsetRead(c.db, argv[1]);
  if (z === null) {
    addEmptyScan(c);
    return;
  }
  const o = parseScanOptions(argv, 3, false);
  const d = z.dict;
  scanCollection(c, cursor, o, true, z.flatPairs(formatDouble), d, (slot, out) => {
    out.push(d!.keys[slot]!, formatDouble(z.scoreOfSlot(slot)));
  });
}

// ---------------------------------------------------------------- table

export const sortedSetCommands: DataCommands = [
  { name: 'zadd', handler: zaddCommand },
  { name: 'zincrby', handler: zincrbyCommand },
  { name: 'zrem', handler: zremCommand },
  { name: 'zcard', handler: zcardCommand },
  { name: 'zscore', handler: zscoreCommand },
  { name: 'zmscore', handler: zmscoreCommand },
  { name: 'zrank', handler: zrankCommand },
  { name: 'zrevrank', handler: zrevrankCommand },
  { name: 'zcount', handler: zcountCommand },
  { name: 'zlexcount', handler: zlexcountCommand },
  { name: 'zrange', handler: zrangeCommand },
  { name: 'zrangestore', handler: zrangestoreCommand },
  { name: 'zrevrange', handler: zrevrangeCommand },
  { name: 'zrangebyscore', handler: zrangebyscoreCommand },
  { name: 'zrevrangebyscore', handler: zrevrangebyscoreCommand },
  { name: 'zrangebylex', handler: zrangebylexCommand },
  { name: 'zrevrangebylex', handler: zrevrangebylexCommand },
  { name: 'zremrangebyrank', handler: zremrangebyrankCommand },
  { name: 'zremrangebyscore', handler: zremrangebyscoreCommand },
  { name: 'zremrangebylex', handler: zremrangebylexCommand },
  { name: 'zpopmin', handler: zpopminCommand },
  { name: 'zpopmax', handler: zpopmaxCommand },
  { name: 'zmpop', handler: zmpopCommand },
  { name: 'bzpopmin', handler: bzpopminCommand },
  { name: 'bzpopmax', handler: bzpopmaxCommand },
  { name: 'bzmpop', handler: bzmpopCommand },
  { name: 'zrandmember', handler: zrandmemberCommand },
  { name: 'zunion', handler: zunionCommand },
  { name: 'zinter', handler: zinterCommand },
  { name: 'zdiff', handler: zdiffCommand },
  { name: 'zunionstore', handler: zunionstoreCommand },
  { name: 'zinterstore', handler: zinterstoreCommand },
  { name: 'zdiffstore', handler: zdiffstoreCommand },
  { name: 'zintercard', handler: zintercardCommand },
  { name: 'zscan', handler: zscanCommand },
];
