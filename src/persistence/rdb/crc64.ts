/**
 * CRC-64 as Redis computes it (crc64.c): the "Jones" polynomial
 * 0xad93d23594c935a9, reflected input and output, initial value 0, no final
 * xor. It checks DUMP payloads and ends RDB files. Check value: the CRC of
 * "123456789" is 0xe9c6d914c4b8d9ca.
 *
 * Design: the reflected (LSB-first) form of the algorithm, one table lookup
 * per byte (`crc = T[(crc ^ b) & 0xff] ^ (crc >> 8)`, T built from the
 * reflected polynomial 0x95ac9329ac4bc9b5). JS has no cheap 64-bit integers, so
 * the CRC and the table are split into 32-bit halves (`hi`, `lo`): no BigInt
 * or allocation per byte. `Crc64` is incremental so that a file writer can
 * feed it chunk by chunk; `crc64()` is the one-shot form.
 */

/** The reflected Jones polynomial, as two 32-bit halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

const T_HI = new Uint32Array(256);
const T_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let k = 0; k < 8; k++) {
    const bit = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (bit) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  T_HI[i] = hi;
  T_LO[i] = lo;
}

/** An incremental CRC-64 (Redis's crc64(crc, buf, len) called chunk after chunk). */
export class Crc64 {
  hi = 0;
  lo = 0;

  /** Feeds bytes buf[start, end). */
  update(buf: Uint8Array, start = 0, end = buf.length): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = start; i < end; i++) {
      const t = (lo ^ buf[i]) & 0xff;
      lo = (((lo >>> 8) | (hi << 24)) ^ T_LO[t]) >>> 0;
      hi = ((hi >>> 8) ^ T_HI[t]) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** The CRC as a 64-bit unsigned bigint. */
  value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** Writes the CRC little endian (as Redis stores it: memrev64ifbe) at out[off..off+8). */
  writeLE(out: Uint8Array, off: number): void {
    let lo = this.lo;
    let hi = this.hi;
    for (let k = 0; k < 4; k++, lo >>>= 8) out[off + k] = lo & 0xff;
    for (let k = 4; k < 8; k++, hi >>>= 8) out[off + k] = hi & 0xff;
  }

  /** True when buf[off..off+8) holds this CRC little endian. */
  equalsLE(buf: Uint8Array, off: number): boolean {
    const lo = (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
    const hi = (buf[off + 4] | (buf[off + 5] << 8) | (buf[off + 6] << 16) | (buf[off + 7] << 24)) >>> 0;
    return lo === this.lo && hi === this.hi;
  }
}

/** The CRC-64 of buf[start, end) as an unsigned bigint. */
export function crc64(buf: Uint8Array, start = 0, end = buf.length): bigint {
  return new Crc64().update(buf, start, end).value();
}
