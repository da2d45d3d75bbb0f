/**
 * Generic keyspace commands (Redis group "generic") and the keyspace commands
 * of the "server" group (DBSIZE, FLUSHDB, FLUSHALL, SWAPDB), as db.c and
 * expire.c: argument parsing first, then keyspace operations through the Db
 * write path, then one table.
 */
import type { DataContext, ServerCommands, ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import { CONE, CZERO } from '../../protocol/replies.js';
import { Err } from '../../protocol/errors.js';
import { encodingOf, typeOf, type Value } from '../../keyspace/value.js';
import type { Db } from '../../keyspace/keyspace.js';
import { globMatch } from '../../util/glob.js';
import { parseInt64, I64_MAX, I64_MIN } from '../../util/numbers.js';
import { intRangeArg, is } from '../args.js';
import { NOTIFY_GENERIC } from '../../keyspace/notify.js';
import { addScanReply, parseScanCursor, parseScanOptions, scanDict, scanMatches } from '../scan.js';
import { addHelp } from '../help.js';

// ---------------------------------------------------------------- helpers

function selectDbOrThrow(s: ServerContext, idArg: string): Db {
  const v = intRangeArg(idArg);
  if (v < 0 || v >= s.ks.dbs.length) throw Err.dbIndexOutOfRange();
  return s.ks.dbs[v];
}

/** A copy of a value for COPY: strings are immutable, objects duplicate themselves. */
function dupValue(v: Value): Value {
  return typeof v === 'string' ? v : v.dup();
}

// ---------------------------------------------------------------- existence, type, delete

/** DEL and UNLINK; UNLINK (or DEL under lazyfree-lazy-user-del) frees big values lazily (server/lazyfree.ts). */
function delGeneric(c: Client, argv: string[], s: ServerContext, lazy: boolean): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const v = lazy ? c.db.peek(argv[i]) : undefined;
    if (c.db.delete(argv[i])) {
      if (v !== undefined) s.lazyfree.freeObjectAsync(v);
      c.db.notify(NOTIFY_GENERIC, 'del', argv[i]);
      n++;
    }
  }
  c.addInt(n);
}

function existsCommand(c: Client, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.lookupReadNoTouch(argv[i]) !== undefined) n++;
  c.addInt(n);
}

function typeCommand(c: Client, argv: string[]): void {
  const v = c.db.lookupReadNoTouch(argv[1]);
  c.addStatus(v === undefined ? 'none' : typeOf(v));
}

function touchCommand(c: Client, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (c.db.lookupRead(argv[i]) !== undefined) n++;
  c.addInt(n);
}

// ---------------------------------------------------------------- KEYS, SCAN, RANDOMKEY

function keysCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const pattern = argv[1];
  const all = pattern === '*';
  const dict = db.dict;
  const keys: string[] = [];
  dict.forEachSlot((slot) => {
    const k = dict.keys[slot]!;
    if ((all || globMatch(pattern, k)) && !db.slotExpired(slot)) keys.push(k);
  });
  c.addBulks(keys);
}

function scanCommand(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[1]);
  const o = parseScanOptions(argv, 2, true);
  const db = c.db;
  const dict = db.dict;
  const found: string[] = [];
  const next = scanDict(dict, cursor, o.count, (slot) => {
    found.push(dict.keys[slot]!);
  });
  const keys: string[] = [];
  for (const k of found) {
    if (!scanMatches(o, k)) continue;
    if (o.type !== null) {
      const v = db.peek(k);
      if (v === undefined || typeOf(v) !== o.type) continue;
    } else {
      const slot = db.findSlot(k);
      if (slot === -1 || db.expireIfNeeded(slot)) continue;
    }
    keys.push(k);
  }
  addScanReply(c, next, keys);
}

function randomkeyCommand(c: Client): void {
  c.addBulkOrNull(c.db.randomKey());
}

// ---------------------------------------------------------------- RENAME, MOVE, COPY

function renameGeneric(c: Client, argv: string[], nx: boolean): void {
  const db = c.db;
  const src = argv[1];
  const dst = argv[2];
  const v = db.lookupWrite(src);
  if (v === undefined) throw Err.noSuchKey();
  if (src === dst) {
    c.addRaw(nx ? CZERO : '+OK\r\n');
    return;
  }
  const expire = db.getExpire(src);
  const dirty = db.ks.dirty;
  if (db.lookupWrite(dst) !== undefined) {
    if (nx) {
      c.addRaw(CZERO);
      return;
    }
    db.delete(dst);
  }
  db.add(dst, v);
  if (expire > 0) db.setExpire(dst, expire);
  db.delete(src);
  db.ks.dirty = dirty + 1; // one change, as Redis counts a rename
  db.notify(NOTIFY_GENERIC, 'rename_from', src);
  db.notify(NOTIFY_GENERIC, 'rename_to', dst);
  c.addRaw(nx ? CONE : '+OK\r\n');
}

function renameCommand(c: Client, argv: string[]): void {
  renameGeneric(c, argv, false);
}

function renamenxCommand(c: Client, argv: string[]): void {
  renameGeneric(c, argv, true);
}

function moveCommand(c: Client, argv: string[], s: ServerContext): void {
  const src = c.db;
  const dst = selectDbOrThrow(s, argv[2]);
  if (src === dst) throw Err.sameObject();
  const key = argv[1];
  const v = src.lookupWrite(key);
  if (v === undefined) {
    c.addRaw(CZERO);
    return;
  }
  const expire = src.getExpire(key);
  if (dst.lookupWrite(key) !== undefined) {
    c.addRaw(CZERO);
    return;
  }
  const dirty = src.ks.dirty;
  dst.add(key, v);
  if (expire > 0) dst.setExpire(key, expire);
  src.delete(key);
  src.ks.dirty = dirty + 1; // one change, as Redis counts a move
  src.notify(NOTIFY_GENERIC, 'move_from', key);
  dst.notify(NOTIFY_GENERIC, 'move_to', key);
  c.addRaw(CONE);
}

function copyCommand(c: Client, argv: string[], s: ServerContext): void {
  const src = c.db;
  let dst = src;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    if (is(argv[j], 'replace')) replace = true;
    else if (is(argv[j], 'db') && j + 1 < argv.length) {
      const v = intRangeArg(argv[j + 1]);
      if (v < 0 || v >= s.ks.dbs.length) throw Err.dbIndexOutOfRange();
      dst = s.ks.dbs[v];
      j++;
    } else throw Err.syntax();
  }
  const key = argv[1];
  const newkey = argv[2];
  if (src === dst && key === newkey) throw Err.sameObject();
  const v = src.lookupRead(key);
  if (v === undefined) {
    c.addRaw(CZERO);
    return;
  }
  const expire = src.getExpire(key);
  const dirty = dst.ks.dirty;
  if (dst.lookupWrite(newkey) !== undefined) {
    if (!replace) {
      c.addRaw(CZERO);
      return;
    }
    dst.delete(newkey);
  }
  dst.add(newkey, dupValue(v));
  if (expire > 0) dst.setExpire(newkey, expire);
  dst.ks.dirty = dirty + 1; // one change, as Redis counts a copy
  dst.notify(NOTIFY_GENERIC, 'copy_to', newkey);
  c.addRaw(CONE);
}

// ---------------------------------------------------------------- expiry

/** Redis's parseExtendedExpireArgumentsOrReply: NX XX GT LT. */
function parseExpireFlags(argv: string[]): { nx: boolean; xx: boolean; gt: boolean; lt: boolean } {
  const f = { nx: false, xx: false, gt: false, lt: false };
  for (let j = 3; j < argv.length; j++) {
    const o = argv[j].toLowerCase();
    if (o === 'nx') f.nx = true;
    else if (o === 'xx') f.xx = true;
    else if (o === 'gt') f.gt = true;
    else if (o === 'lt') f.lt = true;
    else throw Err.raw(`ERR Unsupported option ${argv[j]}`);
  }
  if ((f.nx && f.xx) || (f.nx && f.gt) || (f.nx && f.lt)) throw Err.raw('ERR NX and XX, GT or LT options at the same time are not compatible');
  if (f.gt && f.lt) throw Err.raw('ERR GT and LT options at the same time are not compatible');
  return f;
}

/**
 * expireGenericCommand: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT. `relative`
 * adds the command time; `seconds` converts. Propagates as PEXPIREAT (or DEL
 * when the time is already past), as Redis does.
 */
function expireGeneric(c: Client, argv: string[], s: ServerContext, relative: boolean, seconds: boolean): void {
  const name = argv[0].toLowerCase();
  const flags = parseExpireFlags(argv);
  const p = parseInt64(argv[2]);
  if (p === null) throw Err.notInteger();
  let when = BigInt(p);
  if (seconds) {
    if (when > I64_MAX / 1000n || when < I64_MIN / 1000n) throw Err.invalidExpire(name);
    when *= 1000n;
  }
  const base = relative ? BigInt(s.ks.now) : 0n;
  if (when > I64_MAX - base) throw Err.invalidExpire(name);
  when += base;
  const db = c.db;
  const key = argv[1];
  if (db.lookupWrite(key) === undefined) {
    c.addRaw(CZERO);
    return;
  }
  if (flags.nx || flags.xx || flags.gt || flags.lt) {
    const cur = db.getExpire(key);
    const current = cur === 0 ? -1n : BigInt(cur);
    if (flags.nx && current !== -1n) return c.addRaw(CZERO);
    if (flags.xx && current === -1n) return c.addRaw(CZERO);
    if (flags.gt && (when <= current || current === -1n)) return c.addRaw(CZERO);
    if (flags.lt && current !== -1n && when >= current) return c.addRaw(CZERO);
  }
  if (when <= BigInt(s.ks.now)) {
    db.delete(key);
    db.notify(NOTIFY_GENERIC, 'del', key);
    c.propagateArgv = ['DEL', key];
    c.addRaw(CONE);
    return;
  }
  const ms = Number(when);
  db.setExpire(key, ms);
  db.modified(key);
  db.notify(NOTIFY_GENERIC, 'expire', key);
  c.propagateArgv = ['PEXPIREAT', key, String(when)];
  c.addRaw(CONE);
}

function expireCommand(c: Client, argv: string[], s: ServerContext): void {
  expireGeneric(c, argv, s, true, true);
}
function pexpireCommand(c: Client, argv: string[], s: ServerContext): void {
  expireGeneric(c, argv, s, true, false);
}
function expireatCommand(c: Client, argv: string[], s: ServerContext): void {
  expireGeneric(c, argv, s, false, true);
}
function pexpireatCommand(c: Client, argv: string[], s: ServerContext): void {
  expireGeneric(c, argv, s, false, false);
}

/** ttlGenericCommand: TTL, PTTL, EXPIRETIME, PEXPIRETIME. */
function ttlGeneric(c: Client, argv: string[], s: ServerContext, ms: boolean, abs: boolean): void {
  const db = c.db;
  if (db.lookupReadNoTouch(argv[1]) === undefined) {
    c.addRaw(':-2\r\n');
    return;
  }
  const expire = db.getExpire(argv[1]);
  if (expire === 0) {
    c.addRaw(':-1\r\n');
    return;
  }
  let ttl = abs ? expire : expire - s.ks.now;
  if (ttl < 0) ttl = 0;
  c.addInt(ms ? ttl : Math.floor((ttl + 500) / 1000));
}

function ttlCommand(c: Client, argv: string[], s: ServerContext): void {
  ttlGeneric(c, argv, s, false, false);
}
function pttlCommand(c: Client, argv: string[], s: ServerContext): void {
  ttlGeneric(c, argv, s, true, false);
}
function expiretimeCommand(c: Client, argv: string[], s: ServerContext): void {
  ttlGeneric(c, argv, s, false, true);
}
function pexpiretimeCommand(c: Client, argv: string[], s: ServerContext): void {
  ttlGeneric(c, argv, s, true, true);
}

function persistCommand(c: Client, argv: string[]): void {
  const db = c.db;
  if (db.lookupWrite(argv[1]) === undefined) {
    c.addRaw(CZERO);
    return;
  }
  const slot = db.findSlot(argv[1]);
  if (db.removeExpireSlot(slot)) {
    db.modified(argv[1]);
    db.notify(NOTIFY_GENERIC, 'persist', argv[1]);
    c.addRaw(CONE);
  } else c.addRaw(CZERO);
}

// ---------------------------------------------------------------- OBJECT

const LFU_NOT_SELECTED =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const IDLETIME_UNDER_LFU =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

function objectLookup(c: Client, key: string): { v: Value; slot: number } | null {
  const db = c.db;
  const v = db.lookupReadNoTouch(key, false);
  if (v === undefined) return null;
  return { v, slot: db.findSlot(key) };
}

function objectEncodingCommand(c: Client, argv: string[]): void {
  const o = objectLookup(c, argv[2]);
  if (o === null) c.addNull();
  else c.addBulk(encodingOf(o.v));
}

function objectIdletimeCommand(c: Client, argv: string[], s: ServerContext): void {
  const o = objectLookup(c, argv[2]);
  if (o === null) return c.addNull();
  if (s.ks.lfu) throw Err.raw(IDLETIME_UNDER_LFU);
  const lru = c.db.lru[o.slot];
  const clock = s.ks.lruClock;
  const idle = clock >= lru ? clock - lru : clock + (0xffffff - lru);
  c.addInt(idle);
}

function objectFreqCommand(c: Client, argv: string[], s: ServerContext): void {
  const o = objectLookup(c, argv[2]);
  if (o === null) return c.addNull();
  if (!s.ks.lfu) throw Err.raw(LFU_NOT_SELECTED);
  c.addInt(c.db.lfuFreq(o.slot));
}

/**
 * A value's refcount as Redis reports it: Redis shares the integers 0..9999
 * (refcount INT_MAX) unless maxmemory with an LRU/LFU policy forbids sharing;
 * every other value is held once.
 */
export function refcountOf(v: Value, s: DataContext): number {
  if (typeof v === 'string' && v.length <= 4 && encodingOf(v) === 'int') {
    const n = Number(v);
    const policy = s.config.get('maxmemory-policy');
    const noShared = s.config.getInt('maxmemory') !== 0 && (policy.endsWith('-lru') || policy.endsWith('-lfu'));
    if (n >= 0 && n < 10000 && !noShared) return 2147483647;
  }
  return 1;
}

function objectRefcountCommand(c: Client, argv: string[], s: ServerContext): void {
  const o = objectLookup(c, argv[2]);
  if (o === null) return c.addNull();
  c.addInt(refcountOf(o.v, s));
}

function objectHelpCommand(c: Client): void {
  addHelp(c, 'OBJECT', [
    'ENCODING <key>',
    '    Return the kind of internal representation used in order to store the value',
    '    associated with a <key>.',
    'FREQ <key>',
    '    Return the access frequency index of the <key>. The returned integer is',
    '    proportional to the logarithm of the recent access frequency of the key.',
    'IDLETIME <key>',
    '    Return the idle time of the <key>, that is the approximated number of',
    '    seconds elapsed since the last access to the key.',
    'REFCOUNT <key>',
    '    Return the number of references of the value associated with the specified',
    '    <key>.',
  ]);
}

// ---------------------------------------------------------------- databases

function dbsizeCommand(c: Client): void {
  c.addInt(c.db.size);
}

/**
 * FLUSHDB/FLUSHALL take an optional ASYNC or SYNC; without one,
 * lazyfree-lazy-user-flush decides. Returns whether the flush is
 * asynchronous (the data is emptied at once either way; lazyfree.ts keeps
 * Redis's account of what an asynchronous flush hands over).
 */
function flushMode(argv: string[], s: ServerContext): boolean {
  if (argv.length > 2) throw Err.syntax();
  if (argv.length === 2) {
    if (is(argv[1], 'async')) return true;
    if (is(argv[1], 'sync')) return false;
    throw Err.syntax();
  }
  return s.config.getBool('lazyfree-lazy-user-flush');
}

function flushdbCommand(c: Client, argv: string[], s: ServerContext): void {
  const async = flushMode(argv, s);
  const keys = c.db.size;
  flushDbAndSignal(s, c.db);
  if (async) s.lazyfree.emptyDbAsync(keys);
  // counted one change per key removed; an empty database still propagates (forceCommandPropagation)
  c.forcePropagate = true;
  c.addOK();
}

function flushallCommand(c: Client, argv: string[], s: ServerContext): void {
  const async = flushMode(argv, s);
  const keys = s.ks.emptyData();
  if (async) s.lazyfree.emptyDbAsync(keys);
  for (const h of s.onFlushAll) h();
  // one change per key removed (7.0.15); an empty dataset still propagates
  c.forcePropagate = true;
  c.addOK();
}

/** Empties a db (one change per key); WATCHers of its keys are signalled first (Redis's signalFlushedDb). */
function flushDbAndSignal(s: ServerContext, db: Db): void {
  s.ks.signalFlushedDb(db);
  db.flush();
}

function swapdbCommand(c: Client, argv: string[], s: ServerContext): void {
  const a = parseInt64(argv[1]);
  if (typeof a !== 'number' || a > 2147483647 || a < -2147483648) throw Err.raw('ERR invalid first DB index');
  const b = parseInt64(argv[2]);
  if (typeof b !== 'number' || b > 2147483647 || b < -2147483648) throw Err.raw('ERR invalid second DB index');
  const n = s.ks.dbs.length;
  if (a < 0 || a >= n || b < 0 || b >= n) throw Err.dbIndexOutOfRange();
  if (a !== b) {
    const da = s.ks.dbs[a];
    const db = s.ks.dbs[b];
    if (s.ks.flushedHook !== null) {
      s.ks.flushedHook(da, db);
      s.ks.flushedHook(db, da);
    }
    da.swapWith(db);
    // clients blocked on a key the swap brought in are served (Redis's scanDatabaseForReadyKeys)
    s.blocking.scanDatabaseForReadyKeys(da);
    s.blocking.scanDatabaseForReadyKeys(db);
    s.ks.dirty++;
  }
  c.addOK();
}

export const genericCommands: ServerCommands = [
  { name: 'copy', handler: copyCommand },
  { name: 'dbsize', handler: dbsizeCommand },
  { name: 'del', handler: (c, argv, s) => delGeneric(c, argv, s, s.config.getBool('lazyfree-lazy-user-del')) },
  { name: 'exists', handler: existsCommand },
  { name: 'expire', handler: expireCommand },
  { name: 'expireat', handler: expireatCommand },
  { name: 'expiretime', handler: expiretimeCommand },
  { name: 'flushall', handler: flushallCommand },
  { name: 'flushdb', handler: flushdbCommand },
  { name: 'keys', handler: keysCommand },
  { name: 'move', handler: moveCommand },
  {
    name: 'object',
    sub: [
      { name: 'encoding', handler: objectEncodingCommand },
      { name: 'freq', handler: objectFreqCommand },
      { name: 'help', handler: objectHelpCommand },
      { name: 'idletime', handler: objectIdletimeCommand },
      { name: 'refcount', handler: objectRefcountCommand },
    ],
  },
  { name: 'persist', handler: persistCommand },
  { name: 'pexpire', handler: pexpireCommand },
  { name: 'pexpireat', handler: pexpireatCommand },
  { name: 'pexpiretime', handler: pexpiretimeCommand },
  { name: 'pttl', handler: pttlCommand },
  { name: 'randomkey', handler: randomkeyCommand },
  { name: 'rename', handler: renameCommand },
  { name: 'renamenx', handler: renamenxCommand },
  { name: 'scan', handler: scanCommand },
  { name: 'swapdb', handler: swapdbCommand },
  { name: 'touch', handler: touchCommand },
  { name: 'ttl', handler: ttlCommand },
  { name: 'type', handler: typeCommand },
  { name: 'unlink', handler: (c, argv, s) => delGeneric(c, argv, s, true) },
];
