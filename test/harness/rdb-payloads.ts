/**
 * Hand-built DUMP payloads for the RDB codec tests: the encodings Redis 7.0
 * still loads but no longer writes (ziplists, zipmaps, the old list and zset
 * forms), built here from their format descriptions, and a `payload()` that
 * wraps any object body with the RDB version and CRC-64 as DUMP does. The
 * differential test restores these into a real Redis too, which checks that
 * the builders produce what Redis accepts.
 */
import { Crc64 } from '../../src/persistence/rdb/crc64.js';
import { RdbWriter } from '../../src/persistence/rdb/encode.js';
import { parseInt64 } from '../../src/util/numbers.js';
import type { LoadLimits } from '../../src/persistence/rdb/decode.js';

/** Redis 7.0's default encoding thresholds, as loading sees them. */
export const DEFAULT_LOAD_LIMITS: LoadLimits = {
  hashMaxListpackEntries: 128,
  hashMaxListpackValue: 64,
  listMaxListpackSize: -2,
  setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
};

/** A DUMP payload: type byte, the body written by fn, RDB version (LE), CRC-64 (LE). */
export function payload(type: number, fn: (w: RdbWriter) => void, version = 10): Buffer {
  const w = new RdbWriter();
  w.saveType(type);
  fn(w);
  w.u8(version & 0xff);
  w.u8(version >> 8);
  const crc = new Crc64().update(w.buf, 0, w.len);
  w.ensure(8);
  crc.writeLE(w.buf, w.len);
  w.len += 8;
  return Buffer.from(w.result());
}

/** One ziplist entry's encoding and content: integers as zipTryEncoding picks them, else a string. */
function ziplistBody(s: string): Buffer {
  const v = s.length <= 32 ? parseInt64(s) : null;
  if (v !== null) {
    const b = BigInt(v);
    if (b >= 0n && b <= 12n) return Buffer.from([0xf1 + Number(b)]);
    if (b >= -128n && b <= 127n) return Buffer.from([0xfe, Number(b) & 0xff]);
    if (b >= -32768n && b <= 32767n) {
      const x = Buffer.alloc(3);
      x[0] = 0xc0;
      x.writeInt16LE(Number(b), 1);
      return x;
    }
    if (b >= -8388608n && b <= 8388607n) {
      const x = Buffer.alloc(4);
      x[0] = 0xf0;
      x.writeIntLE(Number(b), 1, 3);
      return x;
    }
    if (b >= -2147483648n && b <= 2147483647n) {
      const x = Buffer.alloc(5);
      x[0] = 0xd0;
      x.writeInt32LE(Number(b), 1);
      return x;
    }
    const x = Buffer.alloc(9);
    x[0] = 0xe0;
    x.writeBigInt64LE(b, 1);
    return x;
  }
  const data = Buffer.from(s, 'latin1');
  const n = data.length;
  let hdr: Buffer;
  if (n <= 63) hdr = Buffer.from([n]);
  else if (n <= 16383) hdr = Buffer.from([0x40 | (n >> 8), n & 0xff]);
  else {
    hdr = Buffer.alloc(5);
    hdr[0] = 0x80;
    hdr.writeUInt32BE(n, 1);
  }
  return Buffer.concat([hdr, data]);
}

/** A ziplist (RDB versions up to 9): zlbytes, zltail, zllen, entries with prevlen, end byte. */
export function ziplistBlob(entries: string[]): Buffer {
  const parts: Buffer[] = [];
  let prev = 0;
  let off = 10;
  let tail = 10;
  for (const e of entries) {
    const body = ziplistBody(e);
    let pl: Buffer;
    if (prev < 254) pl = Buffer.from([prev]);
    else {
      pl = Buffer.alloc(5);
      pl[0] = 0xfe;
      pl.writeUInt32LE(prev, 1);
    }
    tail = off;
    const entry = Buffer.concat([pl, body]);
    parts.push(entry);
    prev = entry.length;
    off += entry.length;
  }
  const head = Buffer.alloc(10);
  head.writeUInt32LE(off + 1, 0);
  head.writeUInt32LE(tail, 4);
  head.writeUInt16LE(Math.min(entries.length, 65535), 8);
  return Buffer.concat([head, ...parts, Buffer.from([0xff])]);
}

/** A zipmap (RDB_TYPE_HASH_ZIPMAP): count, then len key len free value [free bytes], end byte. */
export function zipmapBlob(pairs: [string, string][], free = 0): Buffer {
  const len = (n: number): Buffer => {
    if (n < 254) return Buffer.from([n]);
    const b = Buffer.alloc(5);
    b[0] = 254;
    b.writeUInt32LE(n, 1);
    return b;
  };
  const parts: Buffer[] = [Buffer.from([pairs.length < 254 ? pairs.length : 254])];
  for (const [k, v] of pairs) {
    parts.push(len(k.length), Buffer.from(k, 'latin1'), len(v.length), Buffer.from([free]), Buffer.from(v, 'latin1'), Buffer.alloc(free));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}
