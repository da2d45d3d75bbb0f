/**
 * DUMP and RESTORE (Redis group "generic", cluster.c): a key's value as a
 * DUMP payload — the RDB encoding of the value (persistence/rdb/encode.ts),
 * the RDB version (2 bytes LE) and a CRC-64 (8 bytes LE) — and back, so that
 * payloads move between gKV and Redis 7.0 in both directions.
 *
 * RESTORE follows restoreCommand's order exactly: options (REPLACE, ABSTTL,
 * IDLETIME, FREQ; IDLETIME and FREQ exclude each other, as a syntax error),
 * then BUSYKEY, then the TTL, then the payload's version and checksum, then
 * the value itself ("Bad data format" when it does not load). A TTL already
 * in the past creates nothing (replying OK); if REPLACE deleted a key for it,
 * the command propagates as DEL. A relative TTL propagates as an absolute one
 * with ABSTTL appended, so replicas and the AOF replay the same expiry.
 */
import type { CommandRow } from '../spec.js';
import type { Client } from '../../server/client.js';
import type { Server } from '../../server/server.js';
import { Err } from '../../protocol/errors.js';
import { parseInt64 } from '../../util/numbers.js';
import { is } from '../args.js';
import { NOTIFY_GENERIC } from '../../keyspace/notify.js';
import { LRU_CLOCK_MAX } from '../../keyspace/keyspace.js';
import { createDumpPayload } from '../../persistence/rdb/encode.js';
import { RdbError, RdbUnsupportedError, loadDumpPayload, verifyDumpPayload } from '../../persistence/rdb/decode.js';

/** getLongLongFromObjectOrReply, as a bigint. */
function int64Arg(s: string): bigint {
  const v = parseInt64(s);
  if (v === null) throw Err.notInteger();
  return BigInt(v);
}

function dumpCommand(c: Client, argv: string[], s: Server): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) return c.addNull();
  const payload = createDumpPayload(v, { compress: s.config.getBool('rdbcompression') });
  c.addBulkBuffer(payload, payload.length);
}

/**
 * Redis's objectSetLRUOrLFU for RESTORE (multiplier 1000, clock resolution
 * 1000 ms): the access clock a restored key starts with, or null to keep the
 * new object's. IDLETIME counts only under an LRU policy, FREQ only under an
 * LFU one. The arithmetic is C's: idle*1000 wraps at 64 bits, and the result
 * is cut to the 24-bit lru field, so huge idle times give what Redis gives.
 */
function restoredClock(s: Server, lfuFreq: number, lruIdle: bigint, lruClock: number): number | null {
  if (s.ks.lfu) {
    if (lfuFreq < 0) return null;
    return (((Math.floor(s.ks.now / 60000) & 65535) << 8) | lfuFreq) >>> 0;
  }
  if (lruIdle < 0n) return null;
  const idle = BigInt.asIntN(64, lruIdle * 1000n) / 1000n;
  let abs = BigInt(lruClock) - idle;
  if (abs < 0n) abs += BigInt(LRU_CLOCK_MAX);
  return Number(BigInt.asUintN(24, abs));
}

function restoreCommand(c: Client, argv: string[], s: Server): void {
  let replace = false;
  let absttl = false;
  let lfuFreq = -1;
  let lruIdle = -1n;
  let lruClock = -1;
  for (let j = 4; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    const a = argv[j];
    if (is(a, 'replace')) replace = true;
    else if (is(a, 'absttl')) absttl = true;
    else if (is(a, 'idletime') && additional >= 1 && lfuFreq === -1) {
      lruIdle = int64Arg(argv[j + 1]);
      if (lruIdle < 0n) throw Err.invalidIdletime();
      lruClock = s.ks.lruClock;
      j++;
    } else if (is(a, 'freq') && additional >= 1 && lruIdle === -1n) {
      const f = int64Arg(argv[j + 1]);
      if (f < 0n || f > 255n) throw Err.invalidFreq();
      lfuFreq = Number(f);
      j++;
    } else throw Err.syntax();
  }

  const db = c.db;
  const key = argv[1];
  if (!replace && db.lookupWrite(key) !== undefined) throw Err.busyKey();

  let ttl = int64Arg(argv[2]);
  if (ttl < 0n) throw Err.invalidTtl();

  const payload = Buffer.from(argv[3], 'latin1');
  if (!verifyDumpPayload(payload, s.skipChecksumValidation)) throw Err.dumpPayload();
  let val;
  try {
    val = loadDumpPayload(payload, s.enc);
  } catch (e) {
    if (e instanceof RdbUnsupportedError) throw Err.raw(`ERR Bad data format: ${e.message}`);
    if (e instanceof RdbError) throw Err.badDataFormat();
    throw e;
  }

  const deleted = replace && db.delete(key);
  const now = BigInt(s.ks.now);
  // C's int64 addition (a huge relative TTL wraps negative: already expired)
  if (ttl !== 0n && !absttl) ttl = BigInt.asIntN(64, ttl + now);
  if (ttl !== 0n && ttl <= now && !s.ks.noExpireDeletes) {
    // checkAlreadyExpired: nothing is created
    if (deleted) {
      c.propagateArgv = ['DEL', key];
      db.notify(NOTIFY_GENERIC, 'del', key);
    }
    c.addOK();
    return;
  }

  const slot = db.add(key, val);
  // Redis counts one change for RESTORE, even when REPLACE deleted a key first
  if (deleted) s.ks.dirty--;
  if (ttl !== 0n) {
    db.setExpireSlot(slot, Number(ttl));
    if (!absttl) c.propagateArgv = [argv[0], key, ttl.toString(), ...argv.slice(3), 'ABSTTL'];
  }
  const clock = restoredClock(s, lfuFreq, lruIdle, lruClock);
  if (clock !== null) db.lru[slot] = clock;
  db.notify(NOTIFY_GENERIC, 'restore', key);
  c.addOK();
}

export const dumpCommands: CommandRow[] = [
  { name: 'dump', handler: dumpCommand },
  { name: 'restore', handler: restoreCommand },
];
