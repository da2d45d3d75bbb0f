/**
 * HyperLogLog commands (Redis group "hyperloglog"), as hyperloglog.c:
 * PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. The representation and its
 * algorithms are datatypes/hyperloglog.ts; this file is the keyspace side.
 *
 * An HLL is a plain string value. Any string whose bytes pass Redis's header
 * check is one, however it got there (SET, RESTORE, an RDB); any other string
 * is "-WRONGTYPE Key is not a valid HyperLogLog string value.", and a sparse
 * code that does not cover 16384 registers is "-INVALIDOBJ Corrupted HLL
 * object detected" when a command walks it.
 *
 * Writes (PFADD, PFMERGE's destination, PFCOUNT's cache, PFDEBUG's
 * conversions) first do what dbUnshareStringValue does: the value becomes a
 * "raw" RawString, kept in buffer mode (keyspace/value.ts) with its exact
 * length as Redis's sdsnewlen leaves it, so an edit is in place — a dense
 * PFADD is O(1), a sparse one O(length) as in Redis. The edit itself works on
 * an HllBytes over the RawString's buffer (from `writable`, which copies a
 * buffer a pending reply still shares), and the buffer and length it ends
 * with are handed back to the RawString (a sparse edit may grow or shrink it,
 * a promotion swaps in the dense buffer). Readers of several HLLs (PFCOUNT of
 * several keys, PFMERGE's sources) read a buffer-mode value's bytes in place
 * and a latin1 string through a copy.
 *
 * Redis 7.0's accounting, reproduced:
 * - PFADD counts one change for a created key and one per element that
 *   raised a register; when any, it signals the key, sends "pfadd" and
 *   invalidates the cached cardinality (so `PFADD k` on a new key leaves the
 *   cache invalid). A corrupt sparse value answers INVALIDOBJ with whatever
 *   the earlier elements changed kept, counted nowhere, as Redis.
 * - PFCOUNT of one key is flagged read-only, yet writing the cache (only when
 *   it was invalid) counts a change and signals the key, so call()
 *   propagates the PFCOUNT itself, as Redis does. With several keys it only
 *   reads.
 * - PFMERGE merges every key, the destination included, then writes the
 *   destination: dense when any input was dense, else register by register
 *   through the sparse code (which may promote it midway); one change,
 *   "pfadd" (Redis's choice: a merge is a mass add), the cache invalidated.
 * - PFDEBUG GETREG and TODENSE turn a sparse value dense and count one change
 *   (to propagate the conversion) without signalling the key.
 */
import type { Client } from '../../server/client.js';
import type { DataCommands, DataContext } from '../context.js';
import { Err } from '../../protocol/errors.js';
import { CONE, CZERO } from '../../protocol/replies.js';
import { RawString, isString, strValue, type Value } from '../../keyspace/value.js';
import type { Db } from '../../keyspace/keyspace.js';
import { NOTIFY_STRING } from '../../keyspace/notify.js';
import {
  HLL_DENSE,
  HLL_REGISTERS,
  HLL_SPARSE,
  type HllBytes,
  hllAdd,
  hllCacheValid,
  hllCachedCard,
  hllCount,
  hllCountRaw,
  hllCreate,
  hllDenseGet,
  hllHeaderCheck,
  hllHeaderCheckString,
  hllInvalidateCache,
  hllMerge,
  hllSelfTest,
  hllSet,
  hllSetCachedCard,
  hllSparseDecode,
  hllSparseToDense,
} from '../../datatypes/hyperloglog.js';

const invalidHll = () => Err.raw('INVALIDOBJ Corrupted HLL object detected');

/** The register-wise maximum PFCOUNT of several keys and PFMERGE build (scratch, zeroed by each command). */
const maxRegisters = new Uint8Array(HLL_REGISTERS);

// ---------------------------------------------------------------- values

/** isHLLObjectOrReply's errors: a non-string is the generic WRONGTYPE, a string without an HLL header Redis's own. */
function notHll(v: Value): never {
  if (!isString(v)) throw Err.wrongType();
  throw Err.raw('WRONGTYPE Key is not a valid HyperLogLog string value.');
}

/** An HLL value's bytes for reading (checked): a buffer-mode value's own buffer, else a latin1 copy. */
function hllRead(v: Value): HllBytes {
  if (v instanceof RawString && v.inBuffer) {
    if (hllHeaderCheck(v.buf!, v.len) === -1) notHll(v);
    return { buf: v.buf!, len: v.len };
  }
  if (!isString(v)) notHll(v);
  const s = strValue(v);
  if (hllHeaderCheckString(s) === -1) notHll(v);
  return { buf: Buffer.from(s, 'latin1'), len: s.length };
}

/**
 * isHLLObjectOrReply + dbUnshareStringValue: the HLL at slot as a "raw"
 * RawString in buffer mode (replacing a plain string, an embstr or a string
 * mode value with the same bytes, which is no change by itself).
 */
function hllUnshare(db: Db, slot: number, v: Value): RawString {
  if (v instanceof RawString && v.enc === 'raw' && v.inBuffer) {
    if (hllHeaderCheck(v.buf!, v.len) === -1) notHll(v);
    return v;
  }
  if (!isString(v)) notHll(v);
  const s = strValue(v);
  if (hllHeaderCheckString(s) === -1) notHll(v);
  const buf = Buffer.alloc(s.length);
  buf.write(s, 0, 'latin1');
  const r = RawString.fromBuffer(buf, s.length);
  db.reshapeValue(slot, r);
  return r;
}

/** The bytes of a buffer-mode raw string, ready to be edited in place (see the header). */
function hllEdit(r: RawString): HllBytes {
  return { buf: r.writable(r.len), len: r.len };
}

/** What an edit ended with goes back to the string (a grown, shrunk or promoted buffer). */
function hllStore(r: RawString, h: HllBytes): void {
  r.buf = h.buf;
  r.len = h.len;
}

/** A new empty HLL (createHLLObject) added at key. */
function hllAddKey(db: Db, key: string): RawString {
  const h = hllCreate();
  const r = RawString.fromBuffer(h.buf, h.len);
  db.add(key, r);
  return r;
}

/** A cardinality (an integer below 2^64) as addReplyLongLong prints Redis's uint64_t: 2^63 and above wrap negative. */
function cardReply(card: number): number | bigint {
  if (card <= Number.MAX_SAFE_INTEGER) return card;
  return BigInt.asIntN(64, BigInt(card));
}

/** PFCOUNT of several keys and PFMERGE's first half: every existing key merged into maxRegisters; whether one was dense. */
function mergeKeys(db: Db, argv: string[]): boolean {
  const max = maxRegisters;
  max.fill(0);
  let dense = false;
  for (let j = 1; j < argv.length; j++) {
    const v = db.lookupRead(argv[j]);
    if (v === undefined) continue; // a missing key is an empty HLL
    const h = hllRead(v);
    if (h.buf[4] === HLL_DENSE) dense = true;
    if (!hllMerge(max, h.buf, h.len)) throw invalidHll();
  }
  return dense;
}

// ---------------------------------------------------------------- PFADD PFCOUNT PFMERGE

function pfaddCommand(c: Client, argv: string[], s: DataContext): void {
  const db = c.db;
  const key = argv[1];
  const slot = db.lookupWriteSlot(key);
  let updated = 0;
  let r: RawString;
  if (slot === -1) {
    r = hllAddKey(db, key);
    updated++;
  } else r = hllUnshare(db, slot, db.valueAt(slot));
  const h = hllEdit(r);
  const sparseMax = s.enc.hllSparseMaxBytes;
  for (let j = 2; j < argv.length; j++) {
    const ret = hllAdd(h, argv[j], sparseMax);
    if (ret === 1) updated++;
    else if (ret === -1) {
      hllStore(r, h);
      throw invalidHll();
    }
  }
  hllStore(r, h);
  if (updated === 0) {
    c.addRaw(CZERO);
    return;
  }
  // db.add counted the creation already
  if (slot !== -1) db.modified(key);
  db.ks.dirty += updated - 1;
  db.notify(NOTIFY_STRING, 'pfadd', key);
  hllInvalidateCache(h.buf);
  c.addRaw(CONE);
}

function pfcountCommand(c: Client, argv: string[]): void {
  const db = c.db;
  // several keys: the cardinality of their union, nothing written
  if (argv.length > 2) {
    mergeKeys(db, argv);
    c.addInt(cardReply(hllCountRaw(maxRegisters)));
    return;
  }
  // one key: the cached cardinality, or computed and cached
  const key = argv[1];
  const v = db.lookupRead(key);
  if (v === undefined) {
    c.addRaw(CZERO);
    return;
  }
  let slot = -1;
  let r: RawString;
  if (v instanceof RawString && v.enc === 'raw' && v.inBuffer) {
    if (hllHeaderCheck(v.buf!, v.len) === -1) notHll(v);
    r = v;
  } else {
    slot = db.findSlot(key);
    r = hllUnshare(db, slot, v);
  }
  if (hllCacheValid(r.buf!)) {
    c.addInt(hllCachedCard(r.buf!));
    return;
  }
  const card = hllCount(r.buf!, r.len);
  if (card === -1) throw invalidHll();
  if (slot === -1) slot = db.findSlot(key);
  db.beforeEdit(slot);
  hllSetCachedCard(r.writable(r.len), card);
  // Redis: read-only by its flags, but the cache is part of the string, so the change propagates
  db.modified(key);
  c.addInt(cardReply(card));
}

function pfmergeCommand(c: Client, argv: string[], s: DataContext): void {
  const db = c.db;
  const useDense = mergeKeys(db, argv);
  const key = argv[1];
  const slot = db.lookupWriteSlot(key);
  // an existing destination was checked as one of the inputs
  const r = slot === -1 ? hllAddKey(db, key) : hllUnshare(db, slot, db.valueAt(slot));
  const h = hllEdit(r);
  if (useDense && !hllSparseToDense(h)) throw invalidHll();
  const max = maxRegisters;
  const sparseMax = s.enc.hllSparseMaxBytes;
  for (let j = 0; j < HLL_REGISTERS; j++) if (max[j] !== 0) hllSet(h, j, max[j], sparseMax);
  hllStore(r, h);
  hllInvalidateCache(h.buf);
  if (slot !== -1) db.modified(key);
  // Redis sends "pfadd" for a merge: in theory a mass add of elements
  db.notify(NOTIFY_STRING, 'pfadd', key);
  c.addOK();
}

// ---------------------------------------------------------------- PFDEBUG PFSELFTEST

/** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key: the key is looked up (and unshared) before the subcommand is known. */
function pfdebugCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const cmd = argv[1];
  const key = argv[2];
  const slot = db.lookupWriteSlot(key);
  if (slot === -1) throw Err.raw('ERR The specified key does not exist');
  const r = hllUnshare(db, slot, db.valueAt(slot));
  const sub = cmd.toLowerCase();
  if (sub === 'getreg' || sub === 'todense') {
    let conv = false;
    if (r.buf![4] === HLL_SPARSE) {
      const h = hllEdit(r);
      if (!hllSparseToDense(h)) throw invalidHll();
      hllStore(r, h);
      conv = true;
      db.ks.dirty++; // propagate the encoding change
    }
    if (sub === 'todense') {
      c.addRaw(conv ? CONE : CZERO);
      return;
    }
    const b = r.buf!;
    c.addArrayLen(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) c.addInt(hllDenseGet(b, j));
  } else if (sub === 'decode') {
    if (r.buf![4] !== HLL_SPARSE) throw Err.raw('ERR HLL encoding is not sparse');
    c.addBulk(hllSparseDecode(r.buf!, r.len));
  } else if (sub === 'encoding') {
    c.addStatus(r.buf![4] === HLL_DENSE ? 'dense' : 'sparse');
  } else throw Err.raw(`ERR Unknown PFDEBUG subcommand '${cmd}'`);
}

/** C's rand(): 31 random bits. */
const rand = (): number => Math.floor(Math.random() * 2147483648);

function pfselftestCommand(c: Client, _argv: string[], s: DataContext): void {
  const err = hllSelfTest(s.enc.hllSparseMaxBytes, rand);
  if (err !== null) throw Err.raw(err);
  c.addOK();
}

export const hyperloglogCommands: DataCommands = [
  { name: 'pfadd', handler: pfaddCommand },
  { name: 'pfcount', handler: pfcountCommand },
  { name: 'pfdebug', handler: pfdebugCommand },
  { name: 'pfmerge', handler: pfmergeCommand },
  { name: 'pfselftest', handler: pfselftestCommand },
];
