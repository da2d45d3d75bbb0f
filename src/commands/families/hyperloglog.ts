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
 * "raw" RawString (keyspace/value.ts). A dense HLL is kept in buffer mode,
 * with the exact length Redis's sdsnewlen gives it, and edited in place: a
 * dense PFADD is O(1) (`writable` copies first a buffer a pending reply
 * still shares). A sparse one is kept as a latin1 string, copied into a
 * scratch buffer for an edit and read back: its edits are O(length) in
 * Redis too, and a Buffer per key would cost small HLLs twice Redis's memory
 * (100 000 HLLs of 10 elements: 411 bytes a key in buffers, 172 in Redis).
 * The edit works on an HllBytes (the buffer or the scratch) and hllStore
 * hands back what it ended with (a sparse code as a string, a promotion's
 * new dense buffer). Readers of several HLLs (PFCOUNT of several keys,
 * PFMERGE's sources) read a buffer in place and a string through the
 * scratch.
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
  HLL_EMPTY,
  HLL_REGISTERS,
  HLL_SPARSE,
  type HllBytes,
  hllAdd,
  hllCacheValid,
  hllCachedCard,
  hllCount,
  hllCountRaw,
  hllDenseGet,
  hllDenseStoreRaw,
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

/**
 * Scratch bytes for a sparse HLL held as a string: copied in to be read or
 * edited (zeros after it, the room an edit needs), read back as a string.
 * One command uses it at a time, for one HLL at a time.
 */
const scratch = { buf: Buffer.alloc(4096) };

/** A latin1 string's bytes in the scratch buffer. */
function scratchOf(s: string): HllBytes {
  const need = s.length + 4;
  if (scratch.buf.length < need) scratch.buf = Buffer.alloc(Math.max(need, 2 * scratch.buf.length));
  const buf = scratch.buf;
  buf.write(s, 0, 'latin1');
  buf.fill(0, s.length, need);
  return { buf, len: s.length };
}

/** The header check on a string value in either representation: its encoding, or -1. */
function headerOf(v: string | RawString): number {
  if (v instanceof RawString && v.inBuffer) return hllHeaderCheck(v.buf!, v.len);
  return hllHeaderCheckString(strValue(v));
}

/** An HLL value's bytes for reading (checked): a buffer-mode value's own buffer, else a copy in the scratch buffer. */
function hllRead(v: Value): HllBytes {
  if (!isString(v) || headerOf(v) === -1) notHll(v);
  if (v instanceof RawString && v.inBuffer) return { buf: v.buf!, len: v.len };
  return scratchOf(strValue(v));
}

/**
 * isHLLObjectOrReply + dbUnshareStringValue: the HLL at key as a "raw"
 * RawString, dense ones in buffer mode (replacing a plain string, an embstr
 * or a dense string-mode value with the same bytes, which is no change by
 * itself). slot: the key's, or -1 to look it up when the value is replaced.
 */
function hllUnshare(db: Db, key: string, slot: number, v: Value): RawString {
  let enc: number;
  if (v instanceof RawString) {
    if (v.inBuffer) {
      enc = hllHeaderCheck(v.buf!, v.len);
      if (enc === -1) notHll(v);
      return v;
    }
    enc = hllHeaderCheckString(v.s);
    if (enc === -1) notHll(v);
    if (enc === HLL_SPARSE && v.enc === 'raw') return v;
  } else {
    if (typeof v !== 'string') notHll(v);
    enc = hllHeaderCheckString(v);
    if (enc === -1) notHll(v);
  }
  const s = strValue(v);
  let r: RawString;
  if (enc === HLL_SPARSE) r = new RawString(s);
  else {
    const buf = Buffer.alloc(s.length);
    buf.write(s, 0, 'latin1');
    r = RawString.fromBuffer(buf, s.length);
  }
  db.reshapeValue(slot === -1 ? db.findSlot(key) : slot, r);
  return r;
}

/** The bytes of an unshared HLL ready to be edited: a dense one's buffer in place, a sparse one's in the scratch. */
function hllEdit(r: RawString): HllBytes {
  if (r.inBuffer) return { buf: r.writable(r.len), len: r.len };
  return scratchOf(r.s);
}

/**
 * What an edit ended with goes back to the value at slot: a sparse HLL as
 * its string, a dense one edited in place as it is, a promoted one as a new
 * buffer-mode value.
 */
function hllStore(db: Db, slot: number, r: RawString, h: HllBytes): void {
  if (h.buf[4] === HLL_SPARSE) r.s = h.buf.latin1Slice(0, h.len);
  else if (h.buf === r.buf) r.len = h.len;
  else db.reshapeValue(slot, RawString.fromBuffer(h.buf, h.len));
}

/** A new empty HLL (createHLLObject) added at key: its slot and value. */
function hllAddKey(db: Db, key: string): { slot: number; r: RawString } {
  const r = new RawString(HLL_EMPTY);
  return { slot: db.add(key, r), r };
}

/**
 * The HLL at key to write to (PFADD, PFMERGE's destination): the existing
 * one checked and unshared, or an empty one created; `created` tells which.
 */
function hllWriteTarget(db: Db, key: string): { slot: number; r: RawString; created: boolean } {
  const slot = db.lookupWriteSlot(key);
  if (slot === -1) return { ...hllAddKey(db, key), created: true };
  return { slot, r: hllUnshare(db, key, slot, db.valueAt(slot)), created: false };
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
  const { slot, r, created } = hllWriteTarget(db, key);
  const h = hllEdit(r);
  const sparseMax = s.enc.hllSparseMaxBytes;
  let changed = 0;
  for (let j = 2; j < argv.length; j++) {
    const ret = hllAdd(h, argv[j], sparseMax);
    if (ret === 1) changed++;
    else if (ret === -1) {
      // what the earlier elements changed stays, counted nowhere, as in Redis
      if (changed > 0) hllStore(db, slot, r, h);
      throw invalidHll();
    }
  }
  const updated = changed + (created ? 1 : 0);
  if (updated === 0) {
    c.addRaw(CZERO);
    return;
  }
  hllInvalidateCache(h.buf);
  hllStore(db, slot, r, h);
  // db.add counted the creation already
  if (!created) db.modified(key);
  db.ks.dirty += updated - 1;
  db.notify(NOTIFY_STRING, 'pfadd', key);
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
  const r = hllUnshare(db, key, -1, v);
  const h: HllBytes = r.inBuffer ? { buf: r.buf!, len: r.len } : scratchOf(r.s);
  if (hllCacheValid(h.buf)) {
    c.addInt(hllCachedCard(h.buf));
    return;
  }
  const card = hllCount(h.buf, h.len);
  if (card === -1) throw invalidHll();
  db.beforeEdit(db.findSlot(key));
  if (r.inBuffer) hllSetCachedCard(r.writable(r.len), card);
  else {
    hllSetCachedCard(h.buf, card);
    r.s = h.buf.latin1Slice(0, h.len);
  }
  // Redis: read-only by its flags, but the cache is part of the string, so the change propagates
  db.modified(key);
  c.addInt(cardReply(card));
}

function pfmergeCommand(c: Client, argv: string[], s: DataContext): void {
  const db = c.db;
  const useDense = mergeKeys(db, argv);
  const key = argv[1];
  // an existing destination was checked as one of the inputs
  const { slot, r, created } = hllWriteTarget(db, key);
  const h = hllEdit(r);
  if (useDense && !hllSparseToDense(h)) throw invalidHll();
  const max = maxRegisters;
  const sparseMax = s.enc.hllSparseMaxBytes;
  // the destination is one of the inputs: a dense one takes the maxima as they are
  if (h.buf[4] === HLL_DENSE) hllDenseStoreRaw(h.buf, max);
  else for (let j = 0; j < HLL_REGISTERS; j++) if (max[j] !== 0) hllSet(h, j, max[j], sparseMax);
  hllInvalidateCache(h.buf);
  hllStore(db, slot, r, h);
  if (!created) db.modified(key);
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
  let r = hllUnshare(db, key, slot, db.valueAt(slot));
  const sparse = !r.inBuffer || r.buf![4] === HLL_SPARSE;
  const sub = cmd.toLowerCase();
  if (sub === 'getreg' || sub === 'todense') {
    if (sparse) {
      const h = hllEdit(r);
      if (!hllSparseToDense(h)) throw invalidHll();
      hllStore(db, slot, r, h);
      r = db.valueAt(slot) as RawString;
      db.ks.dirty++; // propagate the encoding change
    }
    if (sub === 'todense') {
      c.addRaw(sparse ? CONE : CZERO);
      return;
    }
    const b = r.buf!;
    c.addArrayLen(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) c.addInt(hllDenseGet(b, j));
  } else if (sub === 'decode') {
    if (!sparse) throw Err.raw('ERR HLL encoding is not sparse');
    const h = r.inBuffer ? { buf: r.buf!, len: r.len } : scratchOf(r.s);
    c.addBulk(hllSparseDecode(h.buf, h.len));
  } else if (sub === 'encoding') {
    c.addStatus(sparse ? 'sparse' : 'dense');
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
