/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis's dataset digest (debug.c), so
 * that tests comparing digests before and after a reload, a restart or a
 * replica sync get the same 40 hex digits from gKV as from Redis.
 *
 * The scheme (facts of Redis 7.0's debug.c):
 * - xor(d, bytes): d ^= SHA1(bytes) — order-independent ("adds" unordered
 *   elements); mix(d, bytes): xor, then d = SHA1(d) — order-dependent.
 * - A value's digest: mix the type as a 4-byte big-endian number, then
 *   strings: mix the bytes; lists: mix each element head to tail; sets: xor
 *   each member; hashes: per field a fresh 20 zero bytes, mix field, mix
 *   value, xor into the digest; sorted sets: the same with member and the
 *   score printed as %.17g. A key with a TTL xors "!!expire!!" at the end.
 * - The dataset: per non-empty database, mix its number (4 bytes big
 *   endian) into the result; per key, a fresh 20 zero bytes, mix the key,
 *   add the value as above, xor into the result. Empty: 40 zeros.
 * Integer-encoded elements digest as their decimal text, which is how gKV
 * holds them already.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../keyspace/keyspace.js';
import { typeOf, type Value } from '../keyspace/value.js';
import { formatDouble } from '../util/numbers.js';
import { assertNever } from '../util/assert.js';
import { STREAM_ID_MAX, STREAM_ID_MIN } from '../datatypes/stream.js';

const OBJ_TYPE = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 } as const;

function sha1(data: Buffer | string): Buffer {
  return createHash('sha1')
    .update(typeof data === 'string' ? Buffer.from(data, 'latin1') : data)
    .digest();
}

function xorDigest(d: Buffer, data: Buffer | string): void {
  const h = sha1(data);
  for (let i = 0; i < 20; i++) d[i] ^= h[i];
}

function mixDigest(d: Buffer, data: Buffer | string): void {
  xorDigest(d, data);
  sha1(d).copy(d);
}

function be32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** A field/value or member/score pair's own digest, xored into d. */
function xorPair(d: Buffer, a: string, b: string): void {
  const e = Buffer.alloc(20);
  mixDigest(e, a);
  mixDigest(e, b);
  xorDigest(d, e);
}

/** Redis's xorObjectDigest: the value at key (slot) of db added to d. */
function addValueDigest(d: Buffer, v: Value, hasTtl: boolean): void {
  mixDigest(d, be32(OBJ_TYPE[typeOf(v)]));
  if (typeof v === 'string') mixDigest(d, v);
  else {
    switch (v.type) {
      case 'string':
        mixDigest(d, v.inBuffer ? v.bytes() : v.s);
        break;
      case 'list':
        v.walk(true, (e) => (mixDigest(d, e), true));
        break;
      case 'set':
        v.forEach((m) => xorDigest(d, m));
        break;
      case 'hash':
        v.forEach((f, val) => xorPair(d, f, val));
        break;
      case 'zset':
        v.forEach((m, score) => xorPair(d, m, formatDouble(score)));
        break;
      case 'stream': {
        // each entry's ID as "ms.seq", then its fields and values (consumer groups are not digested)
        const it = v.iterator(STREAM_ID_MIN, STREAM_ID_MAX);
        while (it.next()) {
          mixDigest(d, `${it.ms}.${it.seq}`);
          for (const x of it.fieldsValues()) mixDigest(d, x);
        }
        break;
      }
      default:
        assertNever(v);
    }
  }
  if (hasTtl) xorDigest(d, '!!expire!!');
}

const hex = (d: Buffer) => d.toString('hex');

/** DEBUG DIGEST: the whole dataset's digest (logically expired keys included, as Redis walks its dict). */
export function datasetDigest(dbs: readonly Db[]): string {
  const final = Buffer.alloc(20);
  for (const db of dbs) {
    if (db.size === 0) continue;
    mixDigest(final, be32(db.id));
    const dict = db.dict;
    dict.forEachSlot((slot) => {
      const d = Buffer.alloc(20);
      mixDigest(d, dict.keys[slot]!);
      addValueDigest(d, dict.vals[slot]!, db.expireOfSlot(slot) !== 0);
      xorDigest(final, d);
    });
  }
  return hex(final);
}

/** DEBUG DIGEST-VALUE: one key's value digest (40 zeros for a missing key; no expiry check, as Redis). */
export function valueDigest(db: Db, key: string): string {
  const d = Buffer.alloc(20);
  const slot = db.findSlot(key);
  if (slot !== -1) addValueDigest(d, db.dict.vals[slot]!, db.expireOfSlot(slot) !== 0);
  return hex(d);
}
