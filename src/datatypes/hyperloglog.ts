/**
 * HyperLogLog, in Redis 7.0's own representation (hyperloglog.c), so that an
 * HLL is an ordinary string value that moves between gKV and Redis unchanged
 * (GET/SET, DUMP/RESTORE, RDB) and PFCOUNT gives Redis's numbers.
 *
 * The string. A 16-byte header: the magic "HYLL", one encoding byte (0 dense,
 * 1 sparse), three unused bytes, and the cached cardinality as a 64-bit
 * little-endian integer whose most significant bit (byte 15's top bit) marks
 * the cache invalid. Then the registers, 16384 of them (P = 14), each holding
 * the longest run of zeros + 1 seen among the hashes that index it:
 * - dense: 16384 6-bit registers packed from each byte's least significant
 *   bit up (12288 bytes, 12304 with the header; the length must be exact);
 * - sparse: a run-length code of opcodes — ZERO `00xxxxxx` (1..64 zero
 *   registers), XZERO `01xxxxxx yyyyyyyy` (1..16384 zero registers), VAL
 *   `1vvvvvxx` (1..4 registers of value 1..32) — which must cover exactly
 *   16384 registers. A new HLL is sparse (one XZERO:16384). It turns dense
 *   when a register needs a value over 32, or when an edit would make the
 *   string longer than `hll-sparse-max-bytes`.
 * - raw: 16384 bytes, one per register; never stored, it is what PFCOUNT of
 *   several keys and PFMERGE merge into (the register-wise maximum).
 *
 * Hashing. Elements are hashed with MurmurHash64A (Redis's endian-neutral
 * version, seed 0xadc83b19). The low 14 bits index the register; the count is
 * the position of the first set bit in the remaining 50 bits (bit 50 forced,
 * so at most 51). The 64-bit arithmetic is done on 32-bit halves (mulM): a
 * BigInt version allocates on every multiply and was several times slower.
 *
 * The estimate is Redis 7.0's (Otmar Ertl's "New cardinality estimation
 * algorithms for HyperLogLog sketches"): a histogram of register values, the
 * sigma and tau corrections, and llroundl of alpha·m²/z, computed in the same
 * double operations in the same order, so the result is Redis's to the unit.
 * llroundl's overflow (an HLL whose registers are all at the top) gives
 * 2^63, as on x86-64.
 *
 * Edits follow hyperloglog.c step by step — where a sparse opcode is split,
 * which neighbours are merged afterwards (up to five opcodes from the
 * previous one), when the string is promoted — because the bytes themselves
 * are observable (GET, DUMP) and must equal Redis's.
 *
 * Corrupt values. Any byte string that passes the header check
 * (hllHeaderCheck) may be handed to these functions: they never read or
 * write outside the buffer, and report a sparse encoding that does not
 * cover exactly 16384 registers (-1 / false), so the commands answer
 * INVALIDOBJ. A run that passes register 16384 is corrupt even where the
 * runs before it add up to 16384 (an opcode after a complete code): Redis's
 * fix for CVE-2025-32023, which the Redis 7.0.15 we compare with carries
 * (Debian's 7.0.15-1~deb12u5 and later); the unpatched 7.0.15 accepted such
 * a tail in PFMERGE, PFCOUNT of several keys and the sparse-to-dense
 * conversion. A read one byte past the end (an XZERO cut in half, the byte
 * after the last dense register) reads 0, as Redis reads the sds terminator.
 *
 * Buffers. An HLL being edited is an HllBytes: its bytes are buf[0..len),
 * the rest room to grow (as an sds's). A sparse edit may grow the buffer or
 * shrink len; a promotion replaces buf with a dense one. No read depends on
 * the bytes past len; the edits leave zeros there (bytes they freed, buffers
 * they allocate), as a RawString's buffer mode requires.
 */

/** log2 of the number of registers */
export const HLL_P = 14;
/** the hash bits that count the run of zeros */
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_REGISTER_MAX = 63;
export const HLL_HDR_SIZE = 16;
/** a dense HLL's exact length */
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8;
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;
/** the header byte whose top bit marks the cached cardinality invalid */
const CARD_MSB = 15;

const XZERO_BIT = 0x40;
const VAL_BIT = 0x80;
const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
const XZERO_MAX_LEN = 16384;

/** 0.5/ln(2) */
const HLL_ALPHA_INF = 0.72134752044448170368;
const TWO_32 = 4294967296;
const TWO_63 = 9223372036854775808;

/** An HLL being edited: its bytes are buf[0..len), room after them. */
export interface HllBytes {
  buf: Buffer;
  len: number;
}

// ---------------------------------------------------------------- MurmurHash64A

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
/**
 * The hash's state in a typed array (stores wrap to uint32 by themselves):
 * R_HI/R_LO mulM's result, H_HI/H_LO the running hash. Module-level `let`s
 * cost a TDZ check on every access and made hashing twice as slow.
 */
const st = new Uint32Array(4);
const R_HI = 0;
const R_LO = 1;
const H_HI = 2;
const H_LO = 3;

/** (hi:lo) * 0xc6a4a7935bd1e995 mod 2^64 into st[R_HI]:st[R_LO], on 16-bit limbs where 32 bits could overflow a double. */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const mid = a0 * (M_LO >>> 16) + a1 * (M_LO & 0xffff);
  const t = a0 * (M_LO & 0xffff) + (mid & 0xffff) * 65536;
  st[R_LO] = t;
  const carry = a1 * (M_LO >>> 16) + Math.floor(mid / 65536) + Math.floor(t / TWO_32);
  st[R_HI] = carry + Math.imul(hi, M_LO) + Math.imul(lo, M_HI);
}

/** h = seed ^ (len * m) */
function hashBegin(len: number): void {
  mulM(0, len);
  st[H_HI] = st[R_HI];
  st[H_LO] = st[R_LO] ^ 0xadc83b19;
}

/** One 8-byte block k of the input: k *= m; k ^= k >> 47; k *= m; h ^= k; h *= m. */
function hashBlock(kHi: number, kLo: number): void {
  mulM(kHi, kLo);
  mulM(st[R_HI], st[R_LO] ^ (st[R_HI] >>> 15));
  mulM(st[H_HI] ^ st[R_HI], st[H_LO] ^ st[R_LO]);
  st[H_HI] = st[R_HI];
  st[H_LO] = st[R_LO];
}

/**
 * hllPatLen's second half on the finished hash's tail: h ^= h >> 47; h *= m;
 * h ^= h >> 47; then the register index and the run length, packed as
 * count << 14 | index.
 */
function hashEnd(): number {
  mulM(st[H_HI], st[H_LO] ^ (st[H_HI] >>> 15));
  const hi = st[R_HI];
  const lo = st[R_LO] ^ (hi >>> 15);
  const index = lo & HLL_P_MASK;
  // hash >>= P, with bit Q set so that the run ends by bit Q (count <= Q + 1)
  const low = (lo >>> HLL_P) | (hi << (32 - HLL_P));
  const high = (hi >>> HLL_P) | (1 << (HLL_Q - 32));
  // the position of the lowest set bit, counted from 1
  const count = low !== 0 ? 32 - Math.clz32(low & -low) : 64 - Math.clz32(high & -high);
  return (count << HLL_P) | index;
}

/**
 * hllPatLen: MurmurHash64A of the element (a latin1 string: one char per
 * byte) with Redis's seed, reduced to its register index and the length of
 * its 000…1 pattern. Returns count << 14 | index.
 */
export function hllPatLen(ele: string): number {
  const len = ele.length;
  hashBegin(len);
  const end = len - (len & 7);
  let i = 0;
  for (; i < end; i += 8) {
    const kLo = ele.charCodeAt(i) | (ele.charCodeAt(i + 1) << 8) | (ele.charCodeAt(i + 2) << 16) | (ele.charCodeAt(i + 3) << 24);
    const kHi = ele.charCodeAt(i + 4) | (ele.charCodeAt(i + 5) << 8) | (ele.charCodeAt(i + 6) << 16) | (ele.charCodeAt(i + 7) << 24);
    hashBlock(kHi, kLo);
  }
  const rem = len & 7;
  if (rem !== 0) {
    let tLo = 0;
    let tHi = 0;
    for (let j = 0; j < rem; j++) {
      const b = ele.charCodeAt(i + j);
      if (j < 4) tLo |= b << (8 * j);
      else tHi |= b << (8 * (j - 4));
    }
    mulM(st[H_HI] ^ tHi, st[H_LO] ^ tLo);
    st[H_HI] = st[R_HI];
    st[H_LO] = st[R_LO];
  }
  return hashEnd();
}

/** hllPatLen of an 8-byte element given as a little-endian 64-bit integer (hi:lo), as PFSELFTEST hashes. */
export function hllPatLen64(hi: number, lo: number): number {
  hashBegin(8);
  hashBlock(hi, lo);
  return hashEnd();
}

/** The full 64-bit MurmurHash64A of a latin1 string with Redis's seed, as a bigint (for tests). */
export function murmurHash64A(ele: string): bigint {
  hllPatLen(ele);
  mulM(st[H_HI], st[H_LO] ^ (st[H_HI] >>> 15));
  return (BigInt(st[R_HI]) << 32n) | BigInt((st[R_LO] ^ (st[R_HI] >>> 15)) >>> 0);
}

// ---------------------------------------------------------------- the header

/**
 * isHLLObjectOrReply's checks on a string value's bytes: long enough for the
 * header, the magic, a known encoding, and a dense one's exact length.
 * Returns the encoding, or -1 when the value is not an HLL.
 */
export function hllHeaderCheck(b: Uint8Array, len: number): number {
  if (len < HLL_HDR_SIZE) return -1;
  if (b[0] !== 72 || b[1] !== 89 || b[2] !== 76 || b[3] !== 76) return -1; // "HYLL"
  const enc = b[4];
  if (enc > HLL_MAX_ENCODING) return -1;
  if (enc === HLL_DENSE && len !== HLL_DENSE_SIZE) return -1;
  return enc;
}

/** hllHeaderCheck for a latin1 string. */
export function hllHeaderCheckString(s: string): number {
  if (s.length < HLL_HDR_SIZE || s.charCodeAt(0) !== 72 || s.charCodeAt(1) !== 89 || s.charCodeAt(2) !== 76 || s.charCodeAt(3) !== 76) return -1; // "HYLL"
  const enc = s.charCodeAt(4);
  if (enc > HLL_MAX_ENCODING) return -1;
  if (enc === HLL_DENSE && s.length !== HLL_DENSE_SIZE) return -1;
  return enc;
}

/** HLL_VALID_CACHE */
export function hllCacheValid(b: Uint8Array): boolean {
  return (b[CARD_MSB] & 0x80) === 0;
}

/** HLL_INVALIDATE_CACHE */
export function hllInvalidateCache(b: Uint8Array): void {
  b[CARD_MSB] |= 0x80;
}

/** The cached cardinality (valid cache: below 2^63), exact: a bigint past 2^53. */
export function hllCachedCard(b: Uint8Array): number | bigint {
  const lo = (b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24)) >>> 0;
  const hi = (b[12] | (b[13] << 8) | (b[14] << 16) | (b[15] << 24)) >>> 0;
  if (hi < 0x200000) return hi * TWO_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Stores card (an integer below 2^64, exact as a double) as the cached cardinality, little endian. */
export function hllSetCachedCard(b: Uint8Array, card: number): void {
  const hi = Math.floor(card / TWO_32);
  const lo = card - hi * TWO_32;
  for (let i = 0; i < 4; i++) {
    b[8 + i] = (lo >>> (8 * i)) & 0xff;
    b[12 + i] = (hi >>> (8 * i)) & 0xff;
  }
}

/** createHLLObject: an empty HLL, sparse (one XZERO:16384), with a valid cache of 0; `room` zero bytes follow. */
export function hllCreate(room = 0): HllBytes {
  const len = HLL_HDR_SIZE + 2;
  const buf = Buffer.alloc(len + room);
  buf.write('HYLL', 0, 'latin1');
  buf[4] = HLL_SPARSE;
  const l = XZERO_MAX_LEN - 1;
  buf[HLL_HDR_SIZE] = (l >> 8) | XZERO_BIT;
  buf[HLL_HDR_SIZE + 1] = l & 0xff;
  return { buf, len };
}

/** createHLLObject's bytes as a latin1 string (an empty sparse HLL: the header, then XZERO:16384). */
export const HLL_EMPTY = (() => {
  const h = hllCreate();
  return h.buf.latin1Slice(0, h.len);
})();

// ---------------------------------------------------------------- dense

/** HLL_DENSE_GET_REGISTER on a dense HLL's bytes (the header included). */
export function hllDenseGet(b: Uint8Array, reg: number): number {
  const bit = reg * 6;
  const i = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  if (fb <= 2) return (b[i] >> fb) & HLL_REGISTER_MAX;
  return ((b[i] >> fb) | (b[i + 1] << (8 - fb))) & HLL_REGISTER_MAX;
}

/** HLL_DENSE_SET_REGISTER: val (0..63) into register reg. */
export function hllDenseSetRegister(b: Uint8Array, reg: number, val: number): void {
  const bit = reg * 6;
  const i = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  b[i] = (b[i] & ~(HLL_REGISTER_MAX << fb)) | (val << fb);
  if (fb > 2) b[i + 1] = (b[i + 1] & ~(HLL_REGISTER_MAX >> (8 - fb))) | (val >> (8 - fb));
}

/** hllDenseSet: raises register index to count; 1 when it changed, else 0. */
export function hllDenseSet(b: Uint8Array, index: number, count: number): number {
  if (count <= hllDenseGet(b, index)) return 0;
  hllDenseSetRegister(b, index, count);
  return 1;
}

/**
 * Four histograms side by side (64 counters each), for the counting loops:
 * neighbouring registers often hold the same value, and increments of one
 * counter wait for each other; four chains run twice as fast.
 */
const histo4 = new Int32Array(256);

/** histo4's four histograms summed into a new register histogram. */
function sumHisto4(): Int32Array {
  const reghisto = new Int32Array(64);
  const h = histo4;
  for (let v = 0; v < 64; v++) reghisto[v] = h[v] + h[64 + v] + h[128 + v] + h[192 + v];
  return reghisto;
}

/** hllDenseRegHisto: the dense registers' histogram (four registers per three bytes). */
function denseRegHisto(b: Uint8Array): Int32Array {
  const h = histo4;
  h.fill(0);
  for (let i = HLL_HDR_SIZE; i < HLL_DENSE_SIZE; i += 3) {
    const b0 = b[i];
    const b1 = b[i + 1];
    const b2 = b[i + 2];
    h[b0 & 63]++;
    h[64 + (((b0 >> 6) | (b1 << 2)) & 63)]++;
    h[128 + (((b1 >> 4) | (b2 << 4)) & 63)]++;
    h[192 + (b2 >> 2)]++;
  }
  return sumHisto4();
}

// ---------------------------------------------------------------- sparse

/** The byte after an XZERO's first, 0 past the end (the sds terminator Redis reads). */
function at(b: Uint8Array, i: number, len: number): number {
  return i < len ? b[i] : 0;
}

/**
 * hllSparseToDense: a sparse HLL converted in place (h.buf replaced by a
 * dense buffer; the header is kept: magic, unused bytes, cached
 * cardinality). False, leaving h untouched, when the sparse code does not
 * cover exactly 16384 registers. A dense HLL is left as it is.
 */
export function hllSparseToDense(h: HllBytes): boolean {
  const s = h.buf;
  if (s[4] === HLL_DENSE) return true;
  const d = Buffer.alloc(HLL_DENSE_SIZE);
  s.copy(d, 0, 0, HLL_HDR_SIZE);
  d[4] = HLL_DENSE;
  const end = h.len;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = s[p];
    let runlen: number;
    if ((op & 0xc0) === 0) {
      runlen = (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === XZERO_BIT) {
      runlen = (((op & 0x3f) << 8) | at(s, p + 1, end)) + 1;
      p += 2;
    } else {
      runlen = (op & 3) + 1;
      const regval = ((op >> 2) & 0x1f) + 1;
      if (runlen + idx > HLL_REGISTERS) return false; // overflow
      for (let j = 0; j < runlen; j++) hllDenseSetRegister(d, idx + j, regval);
      p++;
    }
    if (runlen + idx > HLL_REGISTERS) return false; // overflow
    idx += runlen;
  }
  if (idx !== HLL_REGISTERS) return false;
  h.buf = d;
  h.len = HLL_DENSE_SIZE;
  return true;
}

/** sdsMakeRoomFor: at least n bytes of buffer, growing as sds does (doubling below 1 MB). */
function reserve(h: HllBytes, n: number): void {
  if (h.buf.length >= n) return;
  const next = Buffer.alloc(n < 1048576 ? n * 2 : n + 1048576);
  h.buf.copy(next, 0, 0, h.len);
  h.buf = next;
}

/** A VAL opcode: value 1..32, run 1..4. */
function valOp(val: number, len: number): number {
  return ((val - 1) << 2) | (len - 1) | VAL_BIT;
}

/** The split opcodes of hllSparseSet's general case (at most XZERO VAL XZERO: 5 bytes). */
const seq = new Uint8Array(5);

/** Writes a run of n zero registers at seq[k] (ZERO up to 64, else XZERO); returns the next position. */
function zeroRun(k: number, n: number): number {
  if (n > ZERO_MAX_LEN) {
    seq[k] = ((n - 1) >> 8) | XZERO_BIT;
    seq[k + 1] = (n - 1) & 0xff;
    return k + 2;
  }
  seq[k] = n - 1;
  return k + 1;
}

/**
 * hllSparseSet: raises register index of a sparse HLL to count, editing the
 * run-length code in place (a split opcode, then neighbouring VALs merged),
 * or promoting the HLL to dense when count is over 32 or the string would
 * pass sparseMaxBytes. Returns 1 when the register changed (the cache is
 * then invalid), 0 when it already held count or more, -1 when the sparse
 * code is corrupt.
 */
export function hllSparseSet(h: HllBytes, index: number, count: number, sparseMaxBytes: number): number {
  if (count > VAL_MAX_VALUE) return promote(h, index, count);
  // room for the worst case: XZERO split into XZERO VAL XZERO
  reserve(h, h.len + 3);
  const b = h.buf;
  let end = h.len;

  // Step 1: the opcode covering index
  let p = HLL_HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p];
    let oplen = 1;
    if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
    else if ((op & VAL_BIT) !== 0) span = (op & 3) + 1;
    else {
      span = (((op & 0x3f) << 8) | at(b, p + 1, end)) + 1;
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = b[p];
  const isXzero = (op & 0xc0) === XZERO_BIT;
  const isVal = (op & VAL_BIT) !== 0;
  const isZero = !isXzero && !isVal;
  let next = isXzero ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const runlen = span;

  updated: {
    // A) a VAL already as high: nothing to do; B) a VAL of one register: raise it
    if (isVal) {
      const oldcount = ((op >> 2) & 0x1f) + 1;
      if (oldcount >= count) return 0;
      if (runlen === 1) {
        b[p] = valOp(count, 1);
        break updated;
      }
    }
    // C) a ZERO of one register becomes a VAL
    if (isZero && runlen === 1) {
      b[p] = valOp(count, 1);
      break updated;
    }
    // D) the general case: the opcode split around index
    const last = first + span - 1;
    let k = 0;
    if (isVal) {
      const curval = ((op >> 2) & 0x1f) + 1;
      if (index !== first) seq[k++] = valOp(curval, index - first);
      seq[k++] = valOp(count, 1);
      if (index !== last) seq[k++] = valOp(curval, last - index);
    } else {
      if (index !== first) k = zeroRun(k, index - first);
      seq[k++] = valOp(count, 1);
      if (index !== last) k = zeroRun(k, last - index);
    }
    // Step 3: the new sequence in place of the old opcode
    const oldlen = isXzero ? 2 : 1;
    const delta = k - oldlen;
    if (delta > 0 && h.len + delta > sparseMaxBytes) return promote(h, index, count);
    if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
    for (let j = 0; j < k; j++) b[p + j] = seq[j];
    if (delta < 0) b.fill(0, end + delta, end);
    end += delta;
    h.len = end;
  }

  // Step 4: merge adjacent VALs of the same value, scanning up to 5 opcodes from prev
  p = prev !== -1 ? prev : HLL_HDR_SIZE;
  let scanlen = 5;
  while (p < end && scanlen-- > 0) {
    const o = b[p];
    if ((o & 0xc0) === XZERO_BIT) {
      p += 2;
      continue;
    }
    if ((o & 0xc0) === 0) {
      p++;
      continue;
    }
    if (p + 1 < end && (b[p + 1] & VAL_BIT) !== 0) {
      const v1 = ((o >> 2) & 0x1f) + 1;
      const v2 = ((b[p + 1] >> 2) & 0x1f) + 1;
      if (v1 === v2) {
        const len = (o & 3) + 1 + (b[p + 1] & 3) + 1;
        if (len <= VAL_MAX_LEN) {
          b[p + 1] = valOp(v1, len);
          b.copyWithin(p, p + 1, end);
          end--;
          b[end] = 0;
          h.len = end;
          // try the merged opcode with the next one again
          continue;
        }
      }
    }
    p++;
  }
  hllInvalidateCache(b);
  return 1;
}

/** The promote: path of hllSparseSet: to dense, then the register set there (-1: corrupt). */
function promote(h: HllBytes, index: number, count: number): number {
  if (!hllSparseToDense(h)) return -1;
  // the register needed raising in the sparse form, so it does in the dense one
  return hllDenseSet(h.buf, index, count);
}

/** hllSparseRegHisto: adds the sparse registers' values to reghisto; false when the code does not cover 16384 registers. */
function sparseRegHisto(b: Uint8Array, len: number, reghisto: Int32Array): boolean {
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = b[p];
    let runlen: number;
    if ((op & 0xc0) === 0) {
      runlen = (op & 0x3f) + 1;
      reghisto[0] += runlen;
      p++;
    } else if ((op & 0xc0) === XZERO_BIT) {
      runlen = (((op & 0x3f) << 8) | at(b, p + 1, len)) + 1;
      reghisto[0] += runlen;
      p += 2;
    } else {
      runlen = (op & 3) + 1;
      reghisto[((op >> 2) & 0x1f) + 1] += runlen;
      p++;
    }
    idx += runlen;
  }
  return idx === HLL_REGISTERS;
}

// ---------------------------------------------------------------- add, count, merge

/**
 * hllAdd: the element added to the HLL (dense or sparse). Returns 1 when a
 * register changed, 0 when none did, -1 when the sparse code is corrupt.
 * A sparse HLL may be promoted (h.buf replaced). The dense path leaves the
 * cache as it is: PFADD invalidates it once at the end.
 */
export function hllAdd(h: HllBytes, ele: string, sparseMaxBytes: number): number {
  const pl = hllPatLen(ele);
  return hllSet(h, pl & HLL_P_MASK, pl >>> HLL_P, sparseMaxBytes);
}

/** Raises register index to count in whichever encoding h has (hllAdd without the hashing). */
export function hllSet(h: HllBytes, index: number, count: number, sparseMaxBytes: number): number {
  switch (h.buf[4]) {
    case HLL_DENSE:
      return hllDenseSet(h.buf, index, count);
    case HLL_SPARSE:
      return hllSparseSet(h, index, count, sparseMaxBytes);
    default:
      return -1;
  }
}

/** Otmar Ertl's sigma. */
function hllSigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

/** Otmar Ertl's tau. */
function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= Math.pow(1 - x, 2) * y;
  } while (zPrime !== z);
  return z / 3;
}

/**
 * The estimate from a register histogram, as hllCount computes it, then
 * llroundl and the conversion to uint64: an overflow (z = 0 when every
 * register is at the top) is 2^63, as x86-64 gives.
 */
function hllEstimate(reghisto: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - reghisto[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += reghisto[j];
    z *= 0.5;
  }
  z += m * hllSigma(reghisto[0] / m);
  const e = (HLL_ALPHA_INF * m * m) / z;
  if (!(e < TWO_63)) return TWO_63;
  return Math.round(e);
}

/**
 * hllCount of a dense or sparse HLL (the header checked): the estimated
 * cardinality, an integer below 2^64 exact as a double, or -1 when a sparse
 * code does not cover 16384 registers.
 */
export function hllCount(b: Uint8Array, len: number): number {
  if (b[4] === HLL_DENSE) return hllEstimate(denseRegHisto(b));
  const reghisto = new Int32Array(64);
  if (!sparseRegHisto(b, len, reghisto)) return -1;
  return hllEstimate(reghisto);
}

/** hllCount of raw registers (one byte each, as hllMerge leaves them). */
export function hllCountRaw(max: Uint8Array): number {
  const h = histo4;
  h.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i += 4) {
    h[max[i] & 63]++;
    h[64 + (max[i + 1] & 63)]++;
    h[128 + (max[i + 2] & 63)]++;
    h[192 + (max[i + 3] & 63)]++;
  }
  return hllEstimate(sumHisto4());
}

/**
 * hllMerge: max[i] = max(max[i], register i) over a dense or sparse HLL
 * (the header checked). False when a sparse code does not cover 16384
 * registers (max is then partly merged).
 */
export function hllMerge(max: Uint8Array, b: Uint8Array, len: number): boolean {
  if (b[4] === HLL_DENSE) {
    let r = 0;
    for (let i = HLL_HDR_SIZE; i < HLL_DENSE_SIZE; i += 3) {
      const b0 = b[i];
      const b1 = b[i + 1];
      const b2 = b[i + 2];
      let v = b0 & 63;
      if (v > max[r]) max[r] = v;
      v = ((b0 >> 6) | (b1 << 2)) & 63;
      if (v > max[r + 1]) max[r + 1] = v;
      v = ((b1 >> 4) | (b2 << 4)) & 63;
      if (v > max[r + 2]) max[r + 2] = v;
      v = b2 >> 2;
      if (v > max[r + 3]) max[r + 3] = v;
      r += 4;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = b[p];
    let runlen: number;
    if ((op & 0xc0) === 0) {
      runlen = (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === XZERO_BIT) {
      runlen = (((op & 0x3f) << 8) | at(b, p + 1, len)) + 1;
      p += 2;
    } else {
      runlen = (op & 3) + 1;
      const regval = ((op >> 2) & 0x1f) + 1;
      if (runlen + i > HLL_REGISTERS) return false; // overflow
      for (let j = i; j < i + runlen; j++) if (regval > max[j]) max[j] = regval;
      p++;
    }
    if (runlen + i > HLL_REGISTERS) return false; // overflow
    i += runlen;
  }
  return i === HLL_REGISTERS;
}

/**
 * A dense HLL's registers set to raw registers (one byte each, 0..63), four
 * per three bytes; the header is left as it is. PFMERGE's write when its
 * destination, one of its inputs, is dense: raising each register to the
 * maximum is then the same as setting it.
 */
export function hllDenseStoreRaw(b: Uint8Array, max: Uint8Array): void {
  let r = 0;
  for (let i = HLL_HDR_SIZE; i < HLL_DENSE_SIZE; i += 3) {
    const r0 = max[r];
    const r1 = max[r + 1];
    const r2 = max[r + 2];
    const r3 = max[r + 3];
    b[i] = r0 | (r1 << 6);
    b[i + 1] = (r1 >> 2) | (r2 << 4);
    b[i + 2] = (r2 >> 4) | (r3 << 2);
    r += 4;
  }
}

// ---------------------------------------------------------------- debugging

/** PFDEBUG DECODE's text of a sparse HLL: "z:N" ZERO, "Z:N" XZERO, "v:V,N" VAL, space separated. */
export function hllSparseDecode(b: Uint8Array, len: number): string {
  const parts: string[] = [];
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === XZERO_BIT) {
      parts.push(`Z:${(((op & 0x3f) << 8) | at(b, p + 1, len)) + 1}`);
      p += 2;
    } else {
      parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(' ');
}

/**
 * PFSELFTEST: the register accessors on random values, then 10 million
 * distinct elements added to a dense and a sparse HLL at once, checked at
 * each power of ten (sparse while small, dense and sparse agree, error
 * within six standard errors). Returns the TESTFAILED error text, or null.
 * `rand` returns C rand()'s 31-bit integers.
 */
export function hllSelfTest(sparseMaxBytes: number, rand: () => number): string | null {
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  const bytecounters = new Uint8Array(HLL_REGISTERS);
  // Test 1: the registers keep what is set and leave their neighbours alone
  for (let j = 0; j < 1000; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = rand() & HLL_REGISTER_MAX;
      bytecounters[i] = r;
      hllDenseSetRegister(dense, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = hllDenseGet(dense, i);
      if (val !== bytecounters[i]) return `TESTFAILED Register ${i} should be ${bytecounters[i]} but is ${val}`;
    }
  }
  // Test 2: the approximation error, dense and sparse side by side
  dense.fill(0, HLL_HDR_SIZE);
  const o = hllCreate();
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedLo = rand();
  const seedHi = rand();
  for (let j = 1; j <= 10000000; j++) {
    const pl = hllPatLen64(seedHi, (j ^ seedLo) >>> 0);
    const index = pl & HLL_P_MASK;
    const count = pl >>> HLL_P;
    hllDenseSet(dense, index, count);
    hllSet(o, index, count, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && o.buf[4] !== HLL_SPARSE) return 'TESTFAILED sparse encoding not used';
    const card = hllCount(dense, HLL_DENSE_SIZE);
    if (card !== hllCount(o.buf, o.len)) return 'TESTFAILED dense/sparse disagree';
    const abserr = Math.abs(checkpoint - card);
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}
