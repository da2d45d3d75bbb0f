/**
 * Set commands (Redis group "set"), as Redis 7.0's t_set.c: helpers, then the
 * commands, then one table. The value is a SetValue (datatypes/set.ts):
 * "intset" while every member is an int64 and the count is within
 * set-max-intset-entries, "hashtable" after.
 *
 * Reply shapes follow 7.0 exactly: SMEMBERS (which 7.0 serves with SINTER's
 * code), SINTER, SUNION, SDIFF and SPOP with a count answer a RESP3 set (~);
 * SRANDMEMBER with a count answers an array. Members come out in the set's
 * iteration order, which for an intset is ascending numeric, as in Redis.
 *
 * Results built by SUNION/SDIFF/SINTERSTORE… start as an empty intset
 * (Redis's createIntsetObject) and convert as members arrive, so a *STORE
 * command stores the encoding Redis would, and SDIFF's choice of algorithm
 * (which can leave a hashtable behind after removals) is Redis's.
 */
import type { Client } from '../../server/client.js';
import { CONE, CZERO } from '../../protocol/replies.js';
import type { DataCommands, DataContext } from '../context.js';
import { Err, type RedisError } from '../../protocol/errors.js';
import type { Db } from '../../keyspace/keyspace.js';
import { SetValue } from '../../datatypes/set.js';
import { intsetGet } from '../../datatypes/intset.js';
import { parseInt64 } from '../../util/numbers.js';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../../keyspace/notify.js';
import { is, randomCountArg } from '../args.js';
import { addCountedArrayLen, randomWithReplacementBatches } from '../random-reply.js';
import { addEmptyScan, parseScanCursor, parseScanOptions, scanCollection } from '../scan.js';

// ---------------------------------------------------------------- helpers

/** The set at key for reading (lookupKeyRead), null when missing; WRONGTYPE otherwise. */
export function getSetRead(db: Db, key: string): SetValue | null {
  const v = db.lookupRead(key);
  if (v === undefined) return null;
  if (!(v instanceof SetValue)) throw Err.wrongType();
  return v;
}

/** The set at key about to be modified (lookupKeyWrite), null when missing; WRONGTYPE otherwise. */
function getSetWrite(db: Db, key: string): SetValue | null {
  const v = db.lookupWrite(key);
  if (v === undefined) return null;
  if (!(v instanceof SetValue)) throw Err.wrongType();
  return v;
}

/** Redis counts one dirty change per element touched; the write path counted one already. */
function extraDirty(db: Db, changes: number): void {
  if (changes > 1) db.ks.dirty += changes - 1;
}

/** Writes members as a RESP3 set (an array in RESP2). */
function addSetReply(c: Client, members: readonly string[]): void {
  c.addSetLen(members.length);
  c.addBulkItems(members);
}

/** Writes members as an array. */
function addArrayReply(c: Client, members: readonly string[]): void {
  c.addArrayLen(members.length);
  c.addBulkItems(members);
}

/** Redis's empty set reply (shared.emptyset[resp]). */
function addEmptySet(c: Client): void {
  c.addSetLen(0);
}

/** A SPOP/SINTERCARD-style count: a non-negative int64, else `err`. */
function positiveArg(s: string, err: () => RedisError): number {
  const v = parseInt64(s);
  if (v === null || v < 0) throw err();
  return Number(v);
}

// ---------------------------------------------------------------- SADD SREM SMOVE

function saddCommand(c: Client, argv: string[], s: DataContext): void {
  const db = c.db;
  const key = argv[1];
  let set = getSetWrite(db, key);
  const created = set === null;
  if (set === null) set = SetValue.forMember(argv[2]);
  const max = s.enc.setMaxIntsetEntries;
  const added = set.addAll(argv, 2, max);
  if (created) db.add(key, set);
  else if (added > 0) db.modified(key);
  if (added > 0) db.notify(NOTIFY_SET, 'sadd', key);
  extraDirty(db, added);
  c.addInt(added);
}

function sremCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const key = argv[1];
  const set = getSetWrite(db, key);
  if (set === null) {
    c.addRaw(CZERO);
    return;
  }
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    if (set.remove(argv[j])) {
      deleted++;
      // Redis stops at the first removal that empties the set
      if (set.size === 0) break;
    }
  }
  if (deleted > 0) {
    const emptied = set.size === 0;
    if (emptied) db.delete(key);
    else db.modified(key);
    db.notify(NOTIFY_SET, 'srem', key);
    if (emptied) db.notify(NOTIFY_GENERIC, 'del', key);
    extraDirty(db, deleted);
  }
  c.addInt(deleted);
}

function smoveCommand(c: Client, argv: string[], s: DataContext): void {
  const db = c.db;
  const src = argv[1];
  const dst = argv[2];
  const ele = argv[3];
  const srcv = db.lookupWrite(src);
  const dstv = db.lookupWrite(dst);
  // a missing source answers 0 before the types are checked, as Redis
  if (srcv === undefined) {
    c.addRaw(CZERO);
    return;
  }
  if (!(srcv instanceof SetValue) || (dstv !== undefined && !(dstv instanceof SetValue))) throw Err.wrongType();
  const srcset = srcv;
  let dstset = dstv;
  if (srcset === dstset) {
    c.addRaw(srcset.has(ele) ? CONE : CZERO);
    return;
  }
  if (!srcset.remove(ele)) {
    c.addRaw(CZERO);
    return;
  }
  db.notify(NOTIFY_SET, 'srem', src);
  if (srcset.size === 0) {
    db.delete(src);
    db.notify(NOTIFY_GENERIC, 'del', src);
  } else db.modified(src);
  if (dstset === undefined) {
    dstset = SetValue.forMember(ele);
    dstset.add(ele, s.enc.setMaxIntsetEntries);
    db.add(dst, dstset);
    db.notify(NOTIFY_SET, 'sadd', dst);
  } else if (dstset.add(ele, s.enc.setMaxIntsetEntries)) {
    db.modified(dst);
    db.notify(NOTIFY_SET, 'sadd', dst);
  }
  c.addRaw(CONE);
}

// ---------------------------------------------------------------- SISMEMBER SMISMEMBER SCARD

function sismemberCommand(c: Client, argv: string[]): void {
  const set = getSetRead(c.db, argv[1]);
  c.addRaw(set !== null && set.has(argv[2]) ? CONE : CZERO);
}

function smismemberCommand(c: Client, argv: string[]): void {
  const set = getSetRead(c.db, argv[1]);
  let o = '*' + (argv.length - 2) + '\r\n';
  for (let j = 2; j < argv.length; j++) o += set !== null && set.has(argv[j]) ? CONE : CZERO;
  c.addRaw(o);
}

function scardCommand(c: Client, argv: string[]): void {
  const set = getSetRead(c.db, argv[1]);
  c.addInt(set === null ? 0 : set.size);
}

// ---------------------------------------------------------------- SPOP SRANDMEMBER

/**
 * How SPOP with a count chooses between popping one by one and rebuilding:
 * Redis's SPOP_MOVE_STRATEGY_MUL (and SRANDMEMBER_SUB_STRATEGY_MUL).
 */
const SPOP_MOVE_STRATEGY_MUL = 5;
const SRANDMEMBER_SUB_STRATEGY_MUL = 3;

function spopCommand(c: Client, argv: string[], s: DataContext): void {
  if (argv.length === 3) {
    spopWithCountCommand(c, argv, s);
    return;
  }
  if (argv.length > 3) throw Err.syntax();
  const db = c.db;
  const key = argv[1];
  const set = getSetWrite(db, key);
  if (set === null) {
    c.addNull();
    return;
  }
  const m = set.pop();
  db.notify(NOTIFY_SET, 'spop', key);
  if (set.size === 0) {
    db.delete(key);
    db.notify(NOTIFY_GENERIC, 'del', key);
  } else db.modified(key);
  // replicas and the AOF remove the member that was chosen here
  c.propagateArgv = ['SREM', key, m];
  c.addBulk(m);
}

function spopWithCountCommand(c: Client, argv: string[], s: DataContext): void {
  const count = positiveArg(argv[2], Err.mustBePositive);
  const db = c.db;
  const key = argv[1];
  const set = getSetWrite(db, key);
  if (set === null || count === 0) {
    addEmptySet(c);
    return;
  }
  const size = set.size;
  db.notify(NOTIFY_SET, 'spop', key);
  if (count >= size) {
    // the whole set, in its iteration order; propagated as DEL, as Redis does
    addSetReply(c, set.members());
    db.delete(key);
    db.notify(NOTIFY_GENERIC, 'del', key);
    extraDirty(db, size);
    c.propagateArgv = ['DEL', key];
    return;
  }
  const remaining = size - count;
  let popped: string[];
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    // few to pop: pop them one at a time, replying in the order drawn
    popped = new Array(count);
    for (let i = 0; i < count; i++) popped[i] = set.pop();
    db.modified(key);
  } else {
    // most of the set goes: move the few remaining members to a new set
    // (whose encoding follows its first member, Redis's setTypeCreate) and
    // hand out what is left of the old one, in its iteration order
    const max = s.enc.setMaxIntsetEntries;
    let newset: SetValue | null = null;
    for (let i = 0; i < remaining; i++) {
      const m = set.pop();
      if (newset === null) newset = SetValue.forMember(m);
      newset.add(m, max);
    }
    popped = set.members();
    db.setKey(key, newset!, true);
  }
  // Redis 7.0 propagates one SREM per member inside MULTI/EXEC; one SREM of
  // all of them has the same effect
  c.propagateArgv = ['SREM', key, ...popped];
  extraDirty(db, count);
  addSetReply(c, popped);
}

function srandmemberCommand(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    srandmemberWithCountCommand(c, argv);
    return;
  }
  if (argv.length > 3) throw Err.syntax();
  const set = getSetRead(c.db, argv[1]);
  if (set === null) c.addNull();
  else c.addBulk(set.random());
}

function srandmemberWithCountCommand(c: Client, argv: string[]): void {
  const l = BigInt(randomCountArg(argv[2]));
  const set = getSetRead(c.db, argv[1]);
  if (set === null || l === 0n) {
    c.addArrayLen(0);
    return;
  }
  const uniq = l > 0n;
  const size = set.size;
  if (!uniq || l === 1n) {
    // with repetitions: count independent draws
    const exact = uniq ? l : -l;
    addCountedArrayLen(c, exact);
    const batch: string[] = [];
    randomWithReplacementBatches(c, exact, (k) => {
      batch.length = k;
      for (let i = 0; i < k; i++) batch[i] = set.random();
      c.addBulkItems(batch);
    });
    return;
  }
  const count = Number(l);
  if (count >= size) {
    addArrayReply(c, set.members());
    return;
  }
  if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
    // most of the set: copy it and remove random members until count remain
    const copy = set.dup();
    copy.toHashtable();
    while (copy.size > count) copy.pop();
    addArrayReply(c, copy.members());
    return;
  }
  // few of many: draw until count distinct members were found
  const seen = SetValue.hashtable();
  while (seen.size < count) seen.add(set.random(), 0);
  addArrayReply(c, seen.members());
}

// ---------------------------------------------------------------- SINTER SINTERCARD SINTERSTORE

/**
 * sinterGenericCommand: intersects the sets at keys, iterating the smallest
 * and probing the others. Replies with the members (a set), their count
 * (`cardinalityOnly`, stopping at `limit` when non-zero), or stores them at
 * dstkey and replies with the count.
 */
function sinterGeneric(c: Client, s: DataContext, keys: string[], dstkey: string | null, cardinalityOnly: boolean, limit: number): void {
  const db = c.db;
  const sets: SetValue[] = [];
  let empty = false;
  // every key is type-checked even after a missing one, as 7.0 does
  for (const k of keys) {
    const v = dstkey !== null ? db.lookupWrite(k) : db.lookupRead(k);
    if (v === undefined) {
      empty = true;
      continue;
    }
    if (!(v instanceof SetValue)) throw Err.wrongType();
    sets.push(v);
  }
  if (empty) {
    if (dstkey !== null) {
      if (db.delete(dstkey)) db.notify(NOTIFY_GENERIC, 'del', dstkey);
      c.addRaw(CZERO);
    } else if (cardinalityOnly) c.addRaw(CZERO);
    else addEmptySet(c);
    return;
  }
  // smallest first (a stable sort, as glibc's qsort is for these sizes)
  sets.sort((a, b) => a.size - b.size);
  const first = sets[0];
  const n = sets.length;
  const found: string[] = [];
  let cardinality = 0;
  const max = s.enc.setMaxIntsetEntries;
  const dstset = dstkey !== null ? SetValue.intset() : null;
  const is = first.intset;
  if (is !== null) {
    // an intset's values probe the other sets as integers: no string is made for a value some set lacks
    const size = first.size;
    for (let i = 0; i < size; i++) {
      const v = intsetGet(is, i);
      let j = 1;
      while (j < n && (sets[j] === first || sets[j].hasInt(v))) j++;
      if (j < n) continue;
      cardinality++;
      if (!cardinalityOnly) found.push(String(v));
      // SINTERCARD stops once LIMIT members were counted
      if (cardinalityOnly && limit !== 0 && cardinality >= limit) break;
    }
  } else {
    first.forEach((m) => {
      for (let j = 1; j < n; j++) {
        if (sets[j] === first) continue;
        if (!sets[j].has(m)) return true;
      }
      cardinality++;
      if (!cardinalityOnly) found.push(m);
      // SINTERCARD stops once LIMIT members were counted
      return !(cardinalityOnly && limit !== 0 && cardinality >= limit);
    });
  }
  if (cardinalityOnly) c.addInt(cardinality);
  else if (dstset !== null) {
    // added in the order found, as one batch (the same encoding as adding them one by one)
    dstset.addAll(found, 0, max);
    storeResult(c, dstkey!, dstset, 'sinterstore');
  } else addSetReply(c, found);
}

/**
 * Stores a *STORE result (replacing whatever dstkey held) or deletes dstkey
 * when empty; replies with the size and sends `event` (or del).
 */
function storeResult(c: Client, dstkey: string, dstset: SetValue, event: string): void {
  const db = c.db;
  if (dstset.size > 0) {
    db.setKey(dstkey, dstset);
    c.addInt(dstset.size);
    db.notify(NOTIFY_SET, event, dstkey);
  } else {
    c.addRaw(CZERO);
    if (db.delete(dstkey)) db.notify(NOTIFY_GENERIC, 'del', dstkey);
  }
}

function sinterCommand(c: Client, argv: string[], s: DataContext): void {
  sinterGeneric(c, s, argv.slice(1), null, false, 0);
}

function sinterstoreCommand(c: Client, argv: string[], s: DataContext): void {
  sinterGeneric(c, s, argv.slice(2), argv[1], false, 0);
}

function sintercardCommand(c: Client, argv: string[], s: DataContext): void {
  const nv = parseInt64(argv[1]);
  if (nv === null || nv < 1) throw Err.numkeysPositive();
  const numkeys = Number(nv);
  if (numkeys > argv.length - 2) throw Err.numkeysTooMany();
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (is(argv[j], 'limit') && j + 1 < argv.length) {
      limit = positiveArg(argv[++j], Err.limitNegative);
    } else throw Err.syntax();
  }
  sinterGeneric(c, s, argv.slice(2, 2 + numkeys), null, true, limit);
}

// ---------------------------------------------------------------- SUNION SDIFF and their STORE forms

type SetOp = 'union' | 'diff';

/**
 * sunionDiffGenericCommand: the union or difference of the sets at keys
 * (missing keys are empty sets), built in a fresh intset-first result set;
 * replied as a set, or stored at dstkey with its size as the reply.
 *
 * SDIFF picks Redis's algorithm: (1) test each member of the first set
 * against the others, O(N*M), or (2) add the first set and remove the others,
 * O(total), by Redis's work estimate (algorithm 1's halved). Algorithm 2 can
 * leave a hashtable result whose members would fit an intset, as in Redis.
 */
function sunionDiffGeneric(c: Client, s: DataContext, keys: string[], dstkey: string | null, op: SetOp): void {
  const db = c.db;
  const sets: (SetValue | null)[] = new Array(keys.length);
  let sameset = false;
  for (let j = 0; j < keys.length; j++) {
    const v = dstkey !== null ? db.lookupWrite(keys[j]) : db.lookupRead(keys[j]);
    if (v === undefined) {
      sets[j] = null;
      continue;
    }
    if (!(v instanceof SetValue)) throw Err.wrongType();
    sets[j] = v;
    if (j > 0 && sets[0] === v) sameset = true;
  }
  const max = s.enc.setMaxIntsetEntries;
  const dstset = SetValue.intset();
  const first = sets[0];
  if (op === 'union') {
    for (const set of sets) if (set !== null) dstset.addAll(set.members(), 0, max);
  } else if (first !== null && !sameset) {
    let algoOne = 0;
    let algoTwo = 0;
    for (const set of sets) {
      if (set === null) continue;
      algoOne += first.size;
      algoTwo += set.size;
    }
    // algorithm 1 has better constants and stops early on common members
    algoOne = Math.floor(algoOne / 2);
    if (algoOne <= algoTwo) {
      const others = sets.slice(1).filter((x): x is SetValue => x !== null);
      // largest first: a member is more likely to be found early
      others.sort((a, b) => b.size - a.size);
      const kept: string[] = [];
      first.forEach((m) => {
        for (const o of others) if (o.has(m)) return;
        kept.push(m);
      });
      dstset.addAll(kept, 0, max);
    } else {
      dstset.addAll(first.members(), 0, max);
      for (let j = 1; j < sets.length && dstset.size > 0; j++) {
        const set = sets[j];
        if (set !== null)
          set.forEach((m) => {
            dstset.remove(m);
          });
      }
    }
  }
  if (dstkey === null) addSetReply(c, dstset.members());
  else storeResult(c, dstkey, dstset, op === 'union' ? 'sunionstore' : 'sdiffstore');
}

function sunionCommand(c: Client, argv: string[], s: DataContext): void {
  sunionDiffGeneric(c, s, argv.slice(1), null, 'union');
}

function sunionstoreCommand(c: Client, argv: string[], s: DataContext): void {
  sunionDiffGeneric(c, s, argv.slice(2), argv[1], 'union');
}

function sdiffCommand(c: Client, argv: string[], s: DataContext): void {
  sunionDiffGeneric(c, s, argv.slice(1), null, 'diff');
}

function sdiffstoreCommand(c: Client, argv: string[], s: DataContext): void {
  sunionDiffGeneric(c, s, argv.slice(2), argv[1], 'diff');
}

// ---------------------------------------------------------------- SMEMBERS SSCAN

/** SMEMBERS: Redis 7.0 serves it with SINTER's code on one key (a set reply). */
function smembersCommand(c: Client, argv: string[]): void {
  const set = getSetRead(c.db, argv[1]);
  if (set === null) addEmptySet(c);
  else addSetReply(c, set.members());
}

function sscanCommand(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]);
  const set = getSetRead(c.db, argv[1]);
  if (set === null) {
    addEmptyScan(c);
    return;
  }
  const o = parseScanOptions(argv, 3, false);
  const flat = set.flatMembers();
  if (flat !== null) {
    scanCollection(c, cursor, o, false, flat, null, null);
  } else {
    const ht = set.ht!;
    const keys = ht.keys;
    scanCollection(c, cursor, o, false, null, ht, (slot, out) => {
      out.push(keys[slot]!);
    });
  }
}

// ---------------------------------------------------------------- table

export const setCommands: DataCommands = [
  { name: 'sadd', handler: saddCommand },
  { name: 'srem', handler: sremCommand },
  { name: 'smove', handler: smoveCommand },
  { name: 'sismember', handler: sismemberCommand },
  { name: 'smismember', handler: smismemberCommand },
  { name: 'scard', handler: scardCommand },
  { name: 'spop', handler: spopCommand },
  { name: 'srandmember', handler: srandmemberCommand },
  { name: 'sinter', handler: sinterCommand },
  { name: 'sintercard', handler: sintercardCommand },
  { name: 'sinterstore', handler: sinterstoreCommand },
  { name: 'sunion', handler: sunionCommand },
  { name: 'sunionstore', handler: sunionstoreCommand },
  { name: 'sdiff', handler: sdiffCommand },
  { name: 'sdiffstore', handler: sdiffstoreCommand },
  { name: 'smembers', handler: smembersCommand },
  { name: 'sscan', handler: sscanCommand },
];
