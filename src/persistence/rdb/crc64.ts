/**
 * CRC-64 as Redis computes it (crc64.c): the "Jones" polynomial
 * 0xad93d23594c935a9, reflected input and output, initial value 0, no final
 * xor. It checks DUMP payloads and ends RDB files. Check value: the CRC of
 * "123456789" is 0xe9c6d914c4b8d9ca.
 *
 * Design: the reflected (LSB-first) form of the algorithm with a table per
 * byte position ("slicing by 8", as Redis's crcspeed.c): eight bytes are
 * folded in at once with eight lookups, `crc = T7[b0] ^ T6[b1] ^ … ^ T0[b7]`
 * where b = crc ^ the next 8 bytes, T0 the byte table built from the
 * reflected polynomial 0x95ac9329ac4bc9b5 and Tk[i] = T0[Tk-1[i] & 0xff] ^
 * (Tk-1[i] >> 8); the tail goes a byte at a time. JS has no cheap 64-bit
 * integers, so the CRC and the tables are split into 32-bit halves (`hi`,
 * `lo`): no BigInt or allocation per byte. Five times faster than a byte at
 * a time (a 78 MB RDB file: about 100 ms against 600 ms of CPU, measured with
 * process.cpuUsage around Crc64.update). `Crc64` is incremental so that a
 * file writer can feed it chunk by chunk; `crc64()` is the one-shot form.
 */

/** The reflected Jones polynomial, as two 32-bit halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

/** Tk at [k * 256, (k + 1) * 256), high and low halves */
const T_HI = new Uint32Array(8 * 256);
const T_LO = new Uint32Array(8 * 256);
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
for (let k = 1; k < 8; k++) {
  for (let i = 0; i < 256; i++) {
    const hi = T_HI[(k - 1) * 256 + i];
    const lo = T_LO[(k - 1) * 256 + i];
    const t = lo & 0xff;
    T_LO[k * 256 + i] = (((lo >>> 8) | (hi << 24)) ^ T_LO[t]) >>> 0;
    T_HI[k * 256 + i] = ((hi >>> 8) ^ T_HI[t]) >>> 0;
  }
}

/** An incremental CRC-64 (Redis's crc64(crc, buf, len) called chunk after chunk). */
export class Crc64 {
  hi = 0;
  lo = 0;

  /** Feeds bytes buf[start, end). */
  update(buf: Uint8Array, start = 0, end = buf.length): this {
    let hi = this.hi;
    let lo = this.lo;
    let i = start;
    for (; i + 8 <= end; i += 8) {
      const a = lo ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
      const b = hi ^ (buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24));
      const a0 = 1792 + (a & 0xff);
      const a1 = 1536 + ((a >>> 8) & 0xff);
      const a2 = 1280 + ((a >>> 16) & 0xff);
      const a3 = 1024 + (a >>> 24);
      const b0 = 768 + (b & 0xff);
      const b1 = 512 + ((b >>> 8) & 0xff);
      const b2 = 256 + ((b >>> 16) & 0xff);
      const b3 = b >>> 24;
      lo = T_LO[a0] ^ T_LO[a1] ^ T_LO[a2] ^ T_LO[a3] ^ T_LO[b0] ^ T_LO[b1] ^ T_LO[b2] ^ T_LO[b3];
      hi = T_HI[a0] ^ T_HI[a1] ^ T_HI[a2] ^ T_HI[a3] ^ T_HI[b0] ^ T_HI[b1] ^ T_HI[b2] ^ T_HI[b3];
    }
    for (; i < end; i++) {
      const t = (lo ^ buf[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ T_LO[t];
      hi = (hi >>> 8) ^ T_HI[t];
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
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
