/**
 * String commands (Redis group "string"), as t_string.c: argument parsing,
 * then operations on the keyspace, then one table.
 *
 * Values are latin1 strings. SET-family values are stored as plain strings
 * (Redis's tryObjectEncoding: int/embstr/raw by content); APPEND and
 * SETRANGE store a RawString, as Redis unshares the value into a raw sds.
 */
import type { Client, OutputMark } from '../../server/client.js';
import { CONE, CZERO, EMPTY_BULK } from '../../protocol/replies.js';
import type { DataCommands, DataContext } from '../context.js';
import { Err, RedisError } from '../../protocol/errors.js';
import { BYTES_MIN, RawString, isString, strValue, type Value } from '../../keyspace/value.js';
import type { Db } from '../../keyspace/keyspace.js';
import { intToString, parseInt64, I64_MAX, I64_MIN } from '../../util/numbers.js';
import { addLongDouble, formatLongDouble, isFiniteLongDouble, parseLongDouble, type LongDouble } from '../../util/longdouble.js';
import { intArg } from '../args.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../../keyspace/notify.js';
import { keepStringIdentity } from './debug.js';

// ---------------------------------------------------------------- helpers

/**
 * Argument i as a value to store: a raw string holding its bytes when it is
 * longer than a JS string can be (Client.bigArgs; the row says bigArgs).
 */
function valueArg(c: Client, argv: string[], i: number): string | RawString {
  const big = c.bigArgs;
  if (big !== null) {
    const b = big.get(i);
    if (b !== undefined) return RawString.fromBuffer(b, b.length);
  }
  return argv[i];
}

/** Parts of a long value for propagation (each a string argument). */
const PROPAGATE_PART = 64 * 1024 * 1024;

/**
 * Propagates "key now holds r" for a value longer than one argument can be:
 * SET key <first part> <setOpts…>, then APPEND key <part> for the rest,
 * which replay to the same value (setOpts: PXAT ms, KEEPTTL or none).
 */
function propagateLongValue(c: Client, s: DataContext, key: string, r: RawString, setOpts: string[]): void {
  const b = r.bytes();
  const ops: [number, string[]][] = [];
  for (let at = 0; at < b.length; at += PROPAGATE_PART) {
    const part = b.latin1Slice(at, Math.min(b.length, at + PROPAGATE_PART));
    ops.push([c.db.id, at === 0 ? ['SET', key, part, ...setOpts] : ['APPEND', key, part]]);
  }
  s.propagateOps(c, ops);
}

/** A string value's length in bytes. */
function stringLength(v: string | RawString): number {
  return v.length;
}

/** The string value at key (plain or raw, maybe bytes) for reading, null when missing; WRONGTYPE otherwise. */
function getStringValue(db: Db, key: string): string | RawString | null {
  const v = db.lookupRead(key);
  if (v === undefined) return null;
  if (typeof v === 'string') return v;
  if (!(v instanceof RawString)) throw Err.wrongType();
  return v;
}

/** A string value as a bulk reply: a long one in buffer mode is written from its bytes (keyspace/value.ts). */
export function addStringValue(c: Client, v: string | RawString): void {
  if (typeof v === 'string') c.addBulk(v);
  else if (v.inBuffer && v.len > BYTES_MIN) {
    const b = v.bytes();
    c.addBulkBuffer(b, b.length);
  } else c.addBulk(v.s);
}

/** addStringValue, or a null bulk for a missing key. */
function addStringValueOrNull(c: Client, v: string | RawString | null): void {
  if (v === null) c.addNull();
  else addStringValue(c, v);
}

/** Redis's checkStringLength: the result may not exceed proto-max-bulk-len. */
function checkStringLength(s: DataContext, total: number): void {
  if (total > s.protoMaxBulkLen) throw Err.stringTooLong();
}

type ExpireUnit = 'seconds' | 'ms';
interface SetOptions {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepttl: boolean;
  persist: boolean;
  /** absolute expiry in ms, or -1 for none */
  when: number;
  /** the option used, for propagation */
  kind: '' | 'ex' | 'px' | 'exat' | 'pxat';
  /** the unvalidated expire argument (validated by resolveExpire) */
  expireArg: string | null;
  unit: ExpireUnit;
  relative: boolean;
}

/** Validates the expire argument parsed by parseSetOptions into o.when (Redis validates it after the option syntax). */
function resolveExpire(o: SetOptions, now: number, cmdName: string): void {
  if (o.expireArg !== null) o.when = expireToAbsolute(o.expireArg, o.unit, o.relative, now, cmdName);
}

/**
 * Redis's getExpireMillisecondsOrReply: validates an expire argument and
 * returns the absolute time in ms. Throws Redis's errors.
 */
export function expireToAbsolute(arg: string, unit: ExpireUnit, relative: boolean, now: number, cmdName: string): number {
  const v = parseInt64(arg);
  if (v === null) throw Err.notInteger();
  const big = BigInt(v);
  if (big <= 0n || (unit === 'seconds' && big > I64_MAX / 1000n)) throw Err.invalidExpire(cmdName);
  let ms = unit === 'seconds' ? big * 1000n : big;
  if (relative) ms += BigInt(now);
  // C's signed overflow wraps negative, which Redis reports as an invalid time
  if (ms > I64_MAX || ms <= 0n) throw Err.invalidExpire(cmdName);
  return Number(ms);
}

/** Parses SET's (or GETEX's) options from argv[from…], as parseExtendedStringArgumentsOrReply. */
function parseSetOptions(argv: string[], from: number, isSet: boolean): SetOptions {
  const o: SetOptions = { nx: false, xx: false, get: false, keepttl: false, persist: false, when: -1, kind: '', expireArg: null, unit: 'seconds', relative: true };
  for (let j = from; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const hasNext = j + 1 < argv.length;
    const timed = o.kind !== '';
    if (opt === 'nx' && !o.xx && isSet) o.nx = true;
    else if (opt === 'xx' && !o.nx && isSet) o.xx = true;
    else if (opt === 'get' && isSet) o.get = true;
    else if (opt === 'keepttl' && !o.persist && !timed && isSet) o.keepttl = true;
    else if (opt === 'persist' && !isSet && !timed && !o.keepttl) o.persist = true;
    else if (opt === 'ex' && !o.keepttl && !o.persist && (o.kind === '' || o.kind === 'ex') && hasNext) {
      o.kind = 'ex';
      o.expireArg = argv[++j];
      o.unit = 'seconds';
      o.relative = true;
    } else if (opt === 'px' && !o.keepttl && !o.persist && (o.kind === '' || o.kind === 'px') && hasNext) {
      o.kind = 'px';
      o.expireArg = argv[++j];
      o.unit = 'ms';
      o.relative = true;
    } else if (opt === 'exat' && !o.keepttl && !o.persist && (o.kind === '' || o.kind === 'exat') && hasNext) {
      o.kind = 'exat';
      o.expireArg = argv[++j];
      o.unit = 'seconds';
      o.relative = false;
    } else if (opt === 'pxat' && !o.keepttl && !o.persist && (o.kind === '' || o.kind === 'pxat') && hasNext) {
      o.kind = 'pxat';
      o.expireArg = argv[++j];
      o.unit = 'ms';
      o.relative = false;
    } else throw Err.syntax();
  }
  return o;
}

/**
 * setGenericCommand: SET with its options, SETNX, SETEX, PSETEX. `okReply`
 * and `abortReply` are what SETNX-style callers answer instead of OK/nil.
 */
function setGeneric(c: Client, s: DataContext, key: string, val: string | RawString, o: SetOptions, okReply: string | null, abortReply: string | null): void {
  const db = c.db;
  if (o.get) {
    const old = getStringValue(db, key); // WRONGTYPE aborts the SET
    addStringValueOrNull(c, old);
  }
  if ((o.nx || o.xx) && db.exists(key) === o.nx) {
    if (!o.get) {
      if (abortReply !== null) c.addRaw(abortReply);
      else c.addNull();
    }
    return;
  }
  db.setKey(key, val, o.keepttl);
  db.notify(NOTIFY_STRING, 'set', key);
  if (o.when !== -1) {
    db.setExpire(key, o.when);
    db.notify(NOTIFY_GENERIC, 'expire', key);
    // propagated with an absolute time so replicas and the AOF agree
    if (typeof val === 'string') c.propagateArgv = ['SET', key, val, 'PXAT', String(o.when)];
  }
  if (typeof val !== 'string') propagateLongValue(c, s, key, val, o.when !== -1 ? ['PXAT', String(o.when)] : o.keepttl ? ['KEEPTTL'] : []);
  if (!o.get) {
    if (okReply !== null) c.addRaw(okReply);
    else c.addOK();
  }
  void s;
}

// ---------------------------------------------------------------- commands

function getCommand(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) c.addNull();
  else if (typeof v === 'string') c.addBulk(v);
  else if (v instanceof RawString) addStringValue(c, v);
  else throw Err.wrongType();
}

function setCommand(c: Client, argv: string[], s: DataContext): void {
  if (argv.length === 3 && c.bigArgs === null) {
    // plain SET key value, the common case: no options to parse
    c.db.setKey(argv[1], argv[2]);
    c.db.notify(NOTIFY_STRING, 'set', argv[1]);
    c.addOK();
    return;
  }
  const o = parseSetOptions(argv, 3, true);
  resolveExpire(o, s.ks.now, 'set');
  setGeneric(c, s, argv[1], valueArg(c, argv, 2), o, null, null);
}

function setnxCommand(c: Client, argv: string[], s: DataContext): void {
  const o: SetOptions = { nx: true, xx: false, get: false, keepttl: false, persist: false, when: -1, kind: '', expireArg: null, unit: 'seconds', relative: true };
  setGeneric(c, s, argv[1], valueArg(c, argv, 2), o, CONE, CZERO);
}

function setexCommand(c: Client, argv: string[], s: DataContext): void {
  const when = expireToAbsolute(argv[2], 'seconds', true, s.ks.now, 'setex');
  const o: SetOptions = { nx: false, xx: false, get: false, keepttl: false, persist: false, when, kind: 'ex', expireArg: null, unit: 'seconds', relative: true };
  setGeneric(c, s, argv[1], valueArg(c, argv, 3), o, null, null);
}

function psetexCommand(c: Client, argv: string[], s: DataContext): void {
  const when = expireToAbsolute(argv[2], 'ms', true, s.ks.now, 'psetex');
  const o: SetOptions = { nx: false, xx: false, get: false, keepttl: false, persist: false, when, kind: 'px', expireArg: null, unit: 'ms', relative: true };
  setGeneric(c, s, argv[1], valueArg(c, argv, 3), o, null, null);
}

function getsetCommand(c: Client, argv: string[], s: DataContext): void {
  const old = getStringValue(c.db, argv[1]);
  const val = valueArg(c, argv, 2);
  c.db.setKey(argv[1], val);
  c.db.notify(NOTIFY_STRING, 'set', argv[1]);
  if (typeof val !== 'string') propagateLongValue(c, s, argv[1], val, []);
  addStringValueOrNull(c, old);
}

function getdelCommand(c: Client, argv: string[]): void {
  const v = getStringValue(c.db, argv[1]);
  if (v !== null) {
    c.db.delete(argv[1]);
    c.db.notify(NOTIFY_GENERIC, 'del', argv[1]);
    // propagated as the DEL it amounts to (Redis's getdelCommand)
    c.propagateArgv = ['DEL', argv[1]];
  }
  addStringValueOrNull(c, v);
}

function getexCommand(c: Client, argv: string[], s: DataContext): void {
  const o = parseSetOptions(argv, 2, false);
  const db = c.db;
  const v = getStringValue(db, argv[1]);
  if (v === null) {
    c.addNull();
    return;
  }
  resolveExpire(o, s.ks.now, 'getex');
  if (o.when !== -1) {
    if (o.when <= s.ks.now) {
      // Redis's checkAlreadyExpired: an expiry in the past deletes the key
      db.delete(argv[1]);
      db.notify(NOTIFY_GENERIC, 'del', argv[1]);
      c.propagateArgv = ['DEL', argv[1]];
    } else {
      db.setExpire(argv[1], o.when);
      db.modified(argv[1]);
      db.notify(NOTIFY_GENERIC, 'expire', argv[1]);
      c.propagateArgv = ['PEXPIREAT', argv[1], String(o.when)];
    }
  } else if (o.persist) {
    const slot = db.findSlot(argv[1]);
    if (db.removeExpireSlot(slot)) {
      db.modified(argv[1]);
      db.notify(NOTIFY_GENERIC, 'persist', argv[1]);
      c.propagateArgv = ['PERSIST', argv[1]];
    }
  }
  addStringValue(c, v);
}

function mgetCommand(c: Client, argv: string[]): void {
  const db = c.db;
  c.addArrayLen(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const v = db.lookupRead(argv[i]);
    if (v === undefined) c.addNull();
    else if (typeof v === 'string') c.addBulk(v);
    else if (v instanceof RawString) addStringValue(c, v);
    else c.addNull();
  }
}

function msetGeneric(c: Client, argv: string[], nx: boolean): void {
  if (argv.length % 2 === 0) throw Err.wrongArity(nx ? 'msetnx' : 'mset');
  const db = c.db;
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) {
      if (db.exists(argv[i])) {
        c.addRaw(CZERO);
        return;
      }
    }
  }
  for (let i = 1; i < argv.length; i += 2) {
    db.setKey(argv[i], argv[i + 1]);
    db.notify(NOTIFY_STRING, 'set', argv[i]);
  }
  if (nx) c.addRaw(CONE);
  else c.addOK();
}

function msetCommand(c: Client, argv: string[]): void {
  msetGeneric(c, argv, false);
}

function msetnxCommand(c: Client, argv: string[]): void {
  msetGeneric(c, argv, true);
}

function appendCommand(c: Client, argv: string[], s: DataContext): void {
  const db = c.db;
  const key = argv[1];
  const add = valueArg(c, argv, 2);
  const v = db.lookupWrite(key);
  if (v === undefined) {
    // a new key holds the appended value as SET would store it
    db.add(key, add);
    db.notify(NOTIFY_STRING, 'append', key);
    if (typeof add !== 'string') propagateLongValue(c, s, key, add, []);
    c.addInt(add.length);
    return;
  }
  if (!isString(v)) throw Err.wrongType();
  const curLen = stringLength(v);
  const total = curLen + add.length;
  checkStringLength(s, total);
  const r = unshareStringValue(db, key, v);
  if (r.inBuffer || total > BYTES_MIN) {
    // in place, with sds's amortised growth
    writeBytesAt(r.writable(total), curLen, add);
  } else r.s = r.s + (add as string);
  db.notify(NOTIFY_STRING, 'append', key);
  if (typeof add !== 'string') propagateLongValue(c, s, key, r, ['KEEPTTL']);
  c.addInt(total);
}

/**
 * dbUnshareStringValue for APPEND and SETRANGE: the string at key as a raw
 * string they may edit in place (a plain or embstr value is replaced by
 * one; an existing raw one is only marked modified).
 */
function unshareStringValue(db: Db, key: string, v: string | RawString): RawString {
  if (v instanceof RawString && v.enc === 'raw') {
    db.modified(key);
    return v;
  }
  const r = new RawString(strValue(v));
  db.setKey(key, r, true);
  return r;
}

/** Writes v's bytes into buf at offset. */
function writeBytesAt(buf: Buffer, offset: number, v: string | RawString): void {
  if (typeof v === 'string') buf.latin1Write(v, offset, v.length);
  else v.bytes().copy(buf, offset);
}

function strlenCommand(c: Client, argv: string[]): void {
  const v = getStringValue(c.db, argv[1]);
  c.addInt(v === null ? 0 : v.length);
}

/** incrDecrCommand: the int64 arithmetic, exact over the whole range. */
function incrDecr(c: Client, key: string, incr: bigint | number, s: DataContext): void {
  const db = c.db;
  const slot = db.lookupWriteSlot(key);
  let cur: number | bigint = 0;
  let v: Value | undefined;
  if (slot !== -1) {
    v = db.valueAt(slot);
    if (!isString(v)) throw Err.wrongType();
    // no int64 has more than 20 chars (a long value is not read as a string at all)
    const p = stringLength(v) > 20 ? null : parseInt64(strValue(v));
    if (p === null) throw Err.notInteger();
    cur = p;
  }
  let result: number | bigint;
  if (typeof cur === 'number' && typeof incr === 'number') {
    result = cur + incr;
    if (!Number.isSafeInteger(result)) {
      const b = BigInt(cur) + BigInt(incr);
      if (b > I64_MAX || b < I64_MIN) throw Err.overflow();
      result = b;
    }
  } else {
    const b = BigInt(cur) + BigInt(incr);
    if (b > I64_MAX || b < I64_MIN) throw Err.overflow();
    result = b;
  }
  const str = intToString(result);
  if (slot === -1) db.add(key, str);
  else {
    db.replaceValue(slot, key, str);
    if (typeof v === 'string') keepStringIdentity(s, db, slot, key, v, str);
  }
  db.notify(NOTIFY_STRING, 'incrby', key);
  c.addRaw(':' + str + '\r\n');
}

function incrCommand(c: Client, argv: string[], s: DataContext): void {
  incrDecr(c, argv[1], 1, s);
}

function decrCommand(c: Client, argv: string[], s: DataContext): void {
  incrDecr(c, argv[1], -1, s);
}

function incrbyCommand(c: Client, argv: string[], s: DataContext): void {
  const v = parseInt64(argv[2]);
  if (v === null) throw Err.notInteger();
  incrDecr(c, argv[1], v, s);
}

function decrbyCommand(c: Client, argv: string[], s: DataContext): void {
  const v = parseInt64(argv[2]);
  if (v === null) throw Err.notInteger();
  if (typeof v === 'bigint' && v === I64_MIN) throw Err.raw('ERR decrement would overflow');
  incrDecr(c, argv[1], typeof v === 'number' ? -v : -v, s);
}

function incrbyfloatCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const key = argv[1];
  const v = db.lookupWrite(key);
  // Redis computes in 80-bit long double; so do we (util/longdouble.ts)
  let cur: LongDouble = { neg: false, m: 0n, e: 0 };
  if (v !== undefined) {
    if (!isString(v)) throw Err.wrongType();
    // string2ld refuses more than MAX_LONG_DOUBLE_CHARS
    const p = stringLength(v) > 5 * 1024 ? null : parseLongDouble(strValue(v));
    if (p === null) throw Err.notFloat();
    cur = p;
  }
  const incr = parseLongDouble(argv[2]);
  if (incr === null) throw Err.notFloat();
  if (cur.inf || incr.inf) throw Err.incrFloatNaN();
  const result = addLongDouble(cur, incr);
  if (!isFiniteLongDouble(result)) throw Err.incrFloatNaN();
  const str = formatLongDouble(result);
  // createStringObjectFromLongDouble: embstr/raw by length, never "int"
  db.setKey(key, new RawString(str, str.length <= 44 ? 'embstr' : 'raw'), true);
  db.notify(NOTIFY_STRING, 'incrbyfloat', key);
  // Redis propagates INCRBYFLOAT as a SET, so float formatting cannot make replicas diverge
  c.propagateArgv = ['SET', key, str, 'KEEPTTL'];
  c.addBulk(str);
}

function getrangeCommand(c: Client, argv: string[]): void {
  let start = intArg(argv[2]);
  let end = intArg(argv[3]);
  const v = getStringValue(c.db, argv[1]);
  if (v === null) {
    c.addRaw(EMPTY_BULK);
    return;
  }
  const len = v.length;
  if (start < 0 && end < 0 && start > end) {
    c.addRaw(EMPTY_BULK);
    return;
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) {
    c.addRaw(EMPTY_BULK);
    return;
  }
  if (typeof v === 'string') c.addBulk(v.slice(start, end + 1));
  else if (v.inBuffer) {
    const b = v.bytes().subarray(start, end + 1);
    c.addBulkBuffer(b, b.length);
  } else c.addBulk(v.s.slice(start, end + 1));
}

function setrangeCommand(c: Client, argv: string[], s: DataContext): void {
  const db = c.db;
  const key = argv[1];
  const offset = intArg(argv[2]);
  const value = valueArg(c, argv, 3);
  if (offset < 0) throw Err.offsetOutOfRange();
  const v = db.lookupWrite(key);
  let r: RawString;
  let total: number;
  if (v === undefined) {
    if (value.length === 0) {
      c.addInt(0);
      return;
    }
    total = offset + value.length;
    checkStringLength(s, total);
    if (total > BYTES_MIN) {
      r = RawString.fromBuffer(Buffer.alloc(0), 0);
      writeBytesAt(r.writable(total), offset, value);
    } else r = new RawString('\0'.repeat(offset) + (value as string));
    db.add(key, r);
  } else {
    if (!isString(v)) throw Err.wrongType();
    const curLen = stringLength(v);
    if (value.length === 0) {
      c.addInt(curLen);
      return;
    }
    checkStringLength(s, offset + value.length);
    r = unshareStringValue(db, key, v);
    total = Math.max(curLen, offset + value.length);
    if (r.inBuffer || total > BYTES_MIN) {
      // in place: O(len(value)), as Redis
      writeBytesAt(r.writable(total), offset, value);
    } else {
      const cur = r.s;
      const padded = cur.length < offset ? cur + '\0'.repeat(offset - cur.length) : cur;
      r.s = padded.slice(0, offset) + (value as string) + padded.slice(offset + value.length);
    }
  }
  db.notify(NOTIFY_STRING, 'setrange', key);
  if (typeof value !== 'string') propagateLongValue(c, s, key, r, ['KEEPTTL']);
  c.addInt(total);
}

function lcsCommand(c: Client, argv: string[], s: DataContext): void {
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const more = argv.length - j - 1;
    if (opt === 'idx') getIdx = true;
    else if (opt === 'len') getLen = true;
    else if (opt === 'withmatchlen') withMatchLen = true;
    else if (opt === 'minmatchlen' && more >= 1) {
      minMatchLen = intArg(argv[++j]);
      if (minMatchLen < 0) minMatchLen = 0;
    } else throw Err.syntax();
  }
  const va: Value | undefined = c.db.lookupRead(argv[1]);
  const vb: Value | undefined = c.db.lookupRead(argv[2]);
  if ((va !== undefined && !isString(va)) || (vb !== undefined && !isString(vb))) {
    throw Err.raw('ERR The specified keys must contain string values');
  }
  if (getLen && getIdx) throw Err.raw('ERR If you want both the length and indexes, please just use IDX.');
  const a = va === undefined ? '' : strValue(va);
  const b = vb === undefined ? '' : strValue(vb);
  const alen = a.length;
  const blen = b.length;
  if ((alen + 1) * (blen + 1) * 4 > s.protoMaxBulkLen) {
    throw Err.raw('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  // dp[i][j] = LCS length of a[0..i) and b[0..j)
  const w = blen + 1;
  const dp = new Uint32Array((alen + 1) * w);
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= blen; j++) {
      dp[i * w + j] = ai === b.charCodeAt(j - 1) ? dp[(i - 1) * w + j - 1] + 1 : Math.max(dp[(i - 1) * w + j], dp[i * w + j - 1]);
    }
  }
  const total = dp[alen * w + blen];
  if (getLen) {
    c.addInt(total);
    return;
  }
  const result: string[] = new Array(total);
  let idx = total;
  let matches = 0;
  let mark: OutputMark | null = null;
  if (getIdx) {
    c.addMapLen(2);
    c.addBulk('matches');
    mark = c.deferLen();
  }
  let i = alen;
  let j = blen;
  let aStart = alen,
    aEnd = 0,
    bStart = 0,
    bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      result[idx - 1] = a[i - 1];
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      const l1 = dp[(i - 1) * w + j];
      const l2 = dp[i * w + j - 1];
      if (l1 > l2) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getIdx && (minMatchLen === 0 || matchLen >= minMatchLen)) {
        c.addArrayLen(withMatchLen ? 3 : 2);
        c.addArrayLen(2);
        c.addInt(aStart);
        c.addInt(aEnd);
        c.addArrayLen(2);
        c.addInt(bStart);
        c.addInt(bEnd);
        if (withMatchLen) c.addInt(matchLen);
        matches++;
      }
      aStart = alen;
    }
  }
  if (getIdx) {
    c.finishDeferredArray(mark!, matches);
    c.addBulk('len');
    c.addInt(total);
  } else {
    c.addBulk(result.join(''));
  }
}

void RedisError;

export const stringCommands: DataCommands = [
  { name: 'append', handler: appendCommand, bigArgs: true },
  { name: 'decr', handler: decrCommand },
  { name: 'decrby', handler: decrbyCommand },
  { name: 'get', handler: getCommand },
  { name: 'getdel', handler: getdelCommand },
  { name: 'getex', handler: getexCommand },
  { name: 'getrange', handler: getrangeCommand },
  { name: 'getset', handler: getsetCommand, bigArgs: true },
  { name: 'incr', handler: incrCommand },
  { name: 'incrby', handler: incrbyCommand },
  { name: 'incrbyfloat', handler: incrbyfloatCommand },
  { name: 'lcs', handler: lcsCommand },
  { name: 'mget', handler: mgetCommand },
  { name: 'mset', handler: msetCommand },
  { name: 'msetnx', handler: msetnxCommand },
  { name: 'psetex', handler: psetexCommand, bigArgs: true },
  { name: 'set', handler: setCommand, bigArgs: true },
  { name: 'setex', handler: setexCommand, bigArgs: true },
  { name: 'setnx', handler: setnxCommand, bigArgs: true },
  { name: 'setrange', handler: setrangeCommand, bigArgs: true },
  { name: 'strlen', handler: strlenCommand },
  { name: 'substr', handler: getrangeCommand },
];
