/**
 * Hash commands (Redis group "hash"), as t_hash.c: helpers, then the
 * commands, then one table. The value type and its two encodings (listpack,
 * hashtable) are in datatypes/hash.ts; the conversion points follow Redis 7.0:
 * HSET/HMSET check every argument's length before inserting
 * (hashTypeTryConversion), HSETNX only when it will insert, HINCRBY* through
 * hashTypeSet's own length check, and any insert past
 * hash-max-listpack-entries converts after inserting.
 *
 * Dirty counting follows Redis (HSET adds one per pair, HDEL one per field
 * deleted); a key is created only once its hash has an entry, and deleted
 * when its last field goes.
 */
import type { Client } from '../../server/client.js';
import { CONE, CZERO, EMPTY_ARRAY } from '../../protocol/replies.js';
import type { DataCommands, DataContext } from '../context.js';
import { Err } from '../../protocol/errors.js';
import { NOTIFY_GENERIC, NOTIFY_HASH } from '../../keyspace/notify.js';
import type { Db } from '../../keyspace/keyspace.js';
import { HashValue } from '../../datatypes/hash.js';
import { parseInt64, I64_MAX, I64_MIN } from '../../util/numbers.js';
import { addLongDouble, formatLongDouble, isFiniteLongDouble, parseLongDouble, type LongDouble } from '../../util/longdouble.js';
import { is, pairCountCheck, randomCountArg } from '../args.js';
import { addCountedArrayLen, randomWithReplacementBatches } from '../random-reply.js';
import { addEmptyScan, addScanReply, parseScanCursor, parseScanOptions, scanMatches } from '../scan.js';

// ---------------------------------------------------------------- helpers

const ZERO: LongDouble = { neg: false, m: 0n, e: 0 };

/** The hash at key for reading, null when missing; WRONGTYPE otherwise. */
function getHash(db: Db, key: string): HashValue | null {
  const v = db.lookupRead(key);
  if (v === undefined) return null;
  if (!(v instanceof HashValue)) throw Err.wrongType();
  return v;
}

/**
 * hashTypeLookupWriteOrCreate's lookup: the hash at key to modify in place,
 * or null when the key is missing (the caller starts from HashValue.empty()
 * and `commit` adds it). WRONGTYPE otherwise.
 */
function hashForWrite(db: Db, key: string): HashValue | null {
  const v = db.lookupWrite(key);
  if (v === undefined) return null;
  if (!(v instanceof HashValue)) throw Err.wrongType();
  return v;
}

/**
 * Records a change of `changes` dirty units to h at key, adding the key if it
 * is new ("new" comes first, as from Redis's dbAdd), then sends `event`.
 */
function commit(s: DataContext, db: Db, key: string, h: HashValue, existed: boolean, changes: number, event: string): void {
  if (existed) db.modified(key);
  else db.add(key, h);
  s.ks.dirty += changes - 1;
  db.notify(NOTIFY_HASH, event, key);
}

/** One HRANDFIELD element as reply text: the field and, when withValues, its value (a 2-array in RESP3). */
/** HRANDFIELD's batches are joined into one string up to this many chars (then written, and a new one begun). */
const BATCH_TEXT_MAX = 1 << 20;

function pairText(resp: 2 | 3, field: string, value: string, withValues: boolean): string {
  const f = '$' + field.length + '\r\n' + field + '\r\n';
  if (!withValues) return f;
  const v = '$' + value.length + '\r\n' + value + '\r\n';
  return resp === 3 ? '*2\r\n' + f + v : f + v;
}

function addPair(c: Client, field: string, value: string, withValues: boolean): void {
  c.addRaw(pairText(c.resp, field, value, withValues));
}

// ---------------------------------------------------------------- HSET family

/** hsetCommand (HSET and HMSET differ only in the reply). */
function hsetGeneric(c: Client, argv: string[], s: DataContext, hmset: boolean): void {
  if (argv.length % 2 === 1) throw Err.wrongArity(hmset ? 'hmset' : 'hset');
  const db = c.db;
  const key = argv[1];
  const cur = hashForWrite(db, key);
  const h = cur ?? HashValue.empty();
  // setPairs converts first when any argument is too long (hashTypeTryConversion)
  const created = h.setPairs(argv, 2, s.enc);
  commit(s, db, key, h, cur !== null, (argv.length - 2) / 2, 'hset');
  if (hmset) c.addOK();
  else c.addInt(created);
}

function hsetCommand(c: Client, argv: string[], s: DataContext): void {
  hsetGeneric(c, argv, s, false);
}

function hmsetCommand(c: Client, argv: string[], s: DataContext): void {
  hsetGeneric(c, argv, s, true);
}

function hsetnxCommand(c: Client, argv: string[], s: DataContext): void {
  const db = c.db;
  const cur = hashForWrite(db, argv[1]);
  const h = cur ?? HashValue.empty();
  if (h.has(argv[2])) {
    c.addRaw(CZERO);
    return;
  }
  // Redis checks the lengths only when it is going to insert
  h.tryConversion(argv, 2, 3, s.enc);
  h.set(argv[2], argv[3], s.enc);
  commit(s, db, argv[1], h, cur !== null, 1, 'hset');
  c.addRaw(CONE);
}

function hincrbyCommand(c: Client, argv: string[], s: DataContext): void {
  const incr = parseInt64(argv[3]);
  if (incr === null) throw Err.notInteger();
  const db = c.db;
  const key = argv[1];
  const field = argv[2];
  const cur = hashForWrite(db, key);
  const h = cur ?? HashValue.empty();
  const old = h.get(field);
  let value: number | bigint = 0;
  if (old !== null) {
    const v = parseInt64(old);
    if (v === null) throw Err.raw('ERR hash value is not an integer');
    value = v;
  }
  let sum: number | bigint = typeof value === 'number' && typeof incr === 'number' ? value + incr : NaN;
  if (!Number.isSafeInteger(sum)) {
    sum = BigInt(value) + BigInt(incr);
    if (sum > I64_MAX || sum < I64_MIN) throw Err.overflow();
  }
  h.set(field, String(sum), s.enc);
  commit(s, db, key, h, cur !== null, 1, 'hincrby');
  c.addInt(sum);
}

function hincrbyfloatCommand(c: Client, argv: string[], s: DataContext): void {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) throw Err.notFloat();
  if (incr.inf) throw Err.raw('ERR value is NaN or Infinity');
  const db = c.db;
  const key = argv[1];
  const field = argv[2];
  const cur = hashForWrite(db, key);
  const h = cur ?? HashValue.empty();
  const old = h.get(field);
  // long double arithmetic, as Redis (util/longdouble.ts); a missing field counts as 0
  let base = ZERO;
  if (old !== null) {
    const v = parseLongDouble(old);
    if (v === null) throw Err.raw('ERR hash value is not a float');
    base = v;
  }
  const result = addLongDouble(base, incr);
  if (!isFiniteLongDouble(result)) throw Err.incrFloatNaN();
  const str = formatLongDouble(result);
  h.set(field, str, s.enc);
  commit(s, db, key, h, cur !== null, 1, 'hincrbyfloat');
  // propagated as HSET of the result, so float formatting cannot make replicas diverge
  c.propagateArgv = ['HSET', key, field, str];
  c.addBulk(str);
}

// ---------------------------------------------------------------- reads

function hgetCommand(c: Client, argv: string[]): void {
  const h = getHash(c.db, argv[1]);
  c.addBulkOrNull(h === null ? null : h.get(argv[2]));
}

function hmgetCommand(c: Client, argv: string[]): void {
  const h = getHash(c.db, argv[1]);
  c.addArrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.addBulkOrNull(h === null ? null : h.get(argv[i]));
}

function hlenCommand(c: Client, argv: string[]): void {
  const h = getHash(c.db, argv[1]);
  c.addInt(h === null ? 0 : h.size);
}

function hstrlenCommand(c: Client, argv: string[]): void {
  const h = getHash(c.db, argv[1]);
  c.addInt(h === null ? 0 : h.strlen(argv[2]));
}

function hexistsCommand(c: Client, argv: string[]): void {
  const h = getHash(c.db, argv[1]);
  c.addRaw(h !== null && h.has(argv[2]) ? CONE : CZERO);
}

function hkeysCommand(c: Client, argv: string[]): void {
  const h = getHash(c.db, argv[1]);
  c.addBulks(h === null ? [] : h.column(0));
}

function hvalsCommand(c: Client, argv: string[]): void {
  const h = getHash(c.db, argv[1]);
  c.addBulks(h === null ? [] : h.column(1));
}

function hgetallCommand(c: Client, argv: string[]): void {
  const h = getHash(c.db, argv[1]);
  const flat = h === null ? [] : h.toArray();
  c.addMapLen(flat.length / 2);
  c.addBulkItems(flat);
}

// ---------------------------------------------------------------- HDEL

function hdelCommand(c: Client, argv: string[], s: DataContext): void {
  const db = c.db;
  const key = argv[1];
  const v = db.lookupWrite(key);
  if (v === undefined) {
    c.addRaw(CZERO);
    return;
  }
  if (!(v instanceof HashValue)) throw Err.wrongType();
  let deleted = 0;
  let removed = false;
  for (let j = 2; j < argv.length; j++) {
    if (!v.delete(argv[j])) continue;
    deleted++;
    if (v.size === 0) {
      removed = true;
      break;
    }
  }
  if (deleted > 0) {
    if (removed) db.delete(key);
    else db.modified(key);
    s.ks.dirty += deleted - 1;
    db.notify(NOTIFY_HASH, 'hdel', key);
    if (removed) db.notify(NOTIFY_GENERIC, 'del', key);
  }
  c.addInt(deleted);
}

// ---------------------------------------------------------------- HRANDFIELD

/**
 * hrandfieldWithCountCommand: Redis's four cases. Negative count: `count`
 * independent picks (repeats allowed). Otherwise distinct fields: the whole
 * hash when count >= size; when count is close to size, the whole hash minus
 * random removals; else random picks until count distinct ones (hashtable) or
 * one selection-sampling pass (listpack).
 */
function hrandfieldWithCount(c: Client, key: string, l: bigint, withValues: boolean): void {
  const h = c.db.lookupRead(key);
  if (h === undefined) {
    c.addRaw(EMPTY_ARRAY);
    return;
  }
  if (!(h instanceof HashValue)) throw Err.wrongType();
  if (l === 0n) {
    c.addRaw(EMPTY_ARRAY);
    return;
  }
  const size = h.size;
  const uniq = l > 0n;
  // RESP2 flattens field and value; RESP3 nests them in 2-arrays
  const replyLen = (n: number) => c.addArrayLen(withValues && c.resp === 2 ? n * 2 : n);

  // CASE 1: repeats allowed (and count 1): independent uniform picks
  if (!uniq || l === 1n) {
    const exact = uniq ? l : -l;
    addCountedArrayLen(c, withValues && c.resp === 2 ? exact * 2n : exact);
    const flat = h.isListpack ? h.toArray() : null;
    // each batch written as one flat string: a rope of millions of small appends would cost far more than its bytes;
    // a batch of long values is written as soon as it passes BATCH_TEXT_MAX (1000 fields of 1 MB would pass a JS string's length)
    const batch: string[] = [];
    randomWithReplacementBatches(c, exact, (k) => {
      let n = 0;
      let chars = 0;
      for (let i = 0; i < k; i++) {
        let t: string;
        if (flat !== null) {
          const j = 2 * Math.floor(Math.random() * size);
          t = pairText(c.resp, flat[j], flat[j + 1], withValues);
        } else {
          const [f, v] = h.randomPair();
          t = pairText(c.resp, f, v, withValues);
        }
        batch[n++] = t;
        chars += t.length;
        if (chars > BATCH_TEXT_MAX) {
          batch.length = n;
          c.addRaw(batch.join(''));
          n = 0;
          chars = 0;
        }
      }
      batch.length = n;
      if (n !== 0) c.addRaw(batch.join(''));
    });
    return;
  }
  const count = Number(l);
  replyLen(Math.min(count, size));
  // CASE 2: the whole hash
  if (count >= size) {
    h.forEach((f, v) => addPair(c, f, v, withValues));
    return;
  }
  // CASE 3: count close to size: remove random entries from a copy of the whole hash
  if (count * 3 > size) {
    const flat = h.toArray();
    let n = size;
    while (n > count) {
      const k = Math.floor(Math.random() * n);
      n--;
      flat[2 * k] = flat[2 * n];
      flat[2 * k + 1] = flat[2 * n + 1];
    }
    for (let k = 0; k < 2 * count; k += 2) addPair(c, flat[k], flat[k + 1], withValues);
    return;
  }
  // CASE 4: count much smaller than size
  if (h.isListpack) {
    // selection sampling in one pass over the listpack, as lpRandomPairsUnique
    const flat = h.toArray();
    let need = count;
    for (let k = 0, left = size; need > 0; k += 2, left--) {
      if (Math.random() * left < need) {
        addPair(c, flat[k], flat[k + 1], withValues);
        need--;
      }
    }
    return;
  }
  const picked = new Set<string>();
  while (picked.size < count) {
    const [f, v] = h.randomPair();
    if (picked.has(f)) continue;
    picked.add(f);
    addPair(c, f, v, withValues);
  }
}

function hrandfieldCommand(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const v = BigInt(randomCountArg(argv[2]));
    if (argv.length > 4 || (argv.length === 4 && !is(argv[3], 'withvalues'))) throw Err.syntax();
    const withValues = argv.length === 4;
    if (withValues) pairCountCheck(v);
    hrandfieldWithCount(c, argv[1], v, withValues);
    return;
  }
  const h = getHash(c.db, argv[1]);
  if (h === null) {
    c.addNull();
    return;
  }
  c.addBulk(h.randomPair()[0]);
}

// ---------------------------------------------------------------- HSCAN

function hscanCommand(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]);
  const h = getHash(c.db, argv[1]);
  // a missing key answers before the options are parsed, as Redis
  if (h === null) {
    addEmptyScan(c);
    return;
  }
  const o = parseScanOptions(argv, 3, false);
  const items: string[] = [];
  const next = h.scan(cursor, o.count, items);
  if (o.pattern === null) {
    addScanReply(c, next, items);
    return;
  }
  // MATCH filters on the field, dropping its value too
  const kept: string[] = [];
  for (let i = 0; i < items.length; i += 2) if (scanMatches(o, items[i])) kept.push(items[i], items[i + 1]);
  addScanReply(c, next, kept);
}

export const hashCommands: DataCommands = [
  { name: 'hdel', handler: hdelCommand },
  { name: 'hexists', handler: hexistsCommand },
  { name: 'hget', handler: hgetCommand },
  { name: 'hgetall', handler: hgetallCommand },
  { name: 'hincrby', handler: hincrbyCommand },
  { name: 'hincrbyfloat', handler: hincrbyfloatCommand },
  { name: 'hkeys', handler: hkeysCommand },
  { name: 'hlen', handler: hlenCommand },
  { name: 'hmget', handler: hmgetCommand },
  { name: 'hmset', handler: hmsetCommand },
  { name: 'hrandfield', handler: hrandfieldCommand },
  { name: 'hscan', handler: hscanCommand },
  { name: 'hset', handler: hsetCommand },
  { name: 'hsetnx', handler: hsetnxCommand },
  { name: 'hstrlen', handler: hstrlenCommand },
  { name: 'hvals', handler: hvalsCommand },
];
