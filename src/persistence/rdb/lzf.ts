/**
 * LZF compression in the exact form Redis writes it (Redis bundles liblzf 3.6
 * and compresses RDB strings longer than 20 bytes with it).
 *
 * Format: a sequence of chunks, each starting with a control byte c:
 * - c < 32: a literal run of c + 1 bytes follows;
 * - otherwise a back reference: length L = c >> 5 (7 means "7 + next byte"),
 *   then the low offset byte; it copies L + 2 bytes starting
 *   ((c & 31) << 8) + low + 1 bytes back in the output.
 *
 * Byte-identical output with Redis needs the compressor's exact choices, so
 * this follows liblzf's "very fast" configuration step by step: a 2^16-slot
 * hash table of the last position of each 3-byte prefix, hashed as
 * ((p0 << 8 | p1) - 5 * (p1 << 8 | p2)) mod 2^16; a candidate is taken when it
 * lies 1..8192 bytes back, is not position 0 (liblzf's `ref > in_data`), and
 * its first 3 bytes match; a match extends up to 264 bytes (with liblzf's
 * 16-step unrolled probe, which can reach 2 bytes further when fewer than 19
 * remain); after a match only its last two positions are hashed; literal runs
 * hold at most 32 bytes. The output-size checks are liblzf's too, since they
 * decide whether Redis stores a string compressed (it asks for at least 4
 * bytes of savings: out_len = in_len - 4).
 *
 * One difference, invisible in practice: Redis's table is not cleared between
 * calls (INIT_HTAB 0), so a stale entry left by an earlier string can, rarely,
 * offer a match a clean table would not; this table is logically empty at
 * each call (entries are stamped with a per-call base, no 256 KB clear per
 * string).
 */

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** slot -> base + position of the last occurrence of the slot's hash */
const htab = new Uint32Array(HSIZE);
let base = 1;

function idx(h: number): number {
  return ((h >>> 8) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * liblzf's lzf_compress: the compressed form of input, or null when it would
 * not fit in outLen bytes (Redis then stores the string uncompressed).
 */
export function lzfCompress(input: Uint8Array, outLen: number): Uint8Array | null {
  const inLen = input.length;
  if (inLen === 0 || outLen <= 0) return null;
  if (base + inLen + 1 >= 0xffffffff) {
    htab.fill(0);
    base = 1;
  }
  const b0 = base;
  base += inLen + 1;
  const out = new Uint8Array(outLen);
  const outEnd = outLen;
  const inEnd = inLen;
  let ip = 0;
  let op = 1; // start run
  let lit = 0;
  let hval = inLen > 1 ? (input[0] << 8) | input[1] : input[0] << 8;

  let tailChecked = false;
  while (ip < inEnd) {
    if (ip < inEnd - 2) {
      hval = (hval << 8) | input[ip + 2];
      const slot = idx(hval);
      const stored = htab[slot];
      htab[slot] = b0 + ip;
      const ref = stored >= b0 ? stored - b0 : 0; // 0: no candidate (liblzf rejects ref == in_data)
      const off = ip - ref - 1;
      if (ref > 0 && off < MAX_OFF && input[ref] === input[ip] && input[ref + 1] === input[ip + 1] && input[ref + 2] === input[ip + 2]) {
        let len = 2;
        let maxlen = inEnd - ip - len;
        if (maxlen > MAX_REF) maxlen = MAX_REF;
        if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
        out[op - lit - 1] = lit - 1; // stop run
        if (lit === 0) op--; // undo an empty run
        let probed = true;
        if (maxlen > 16) {
          for (let k = 0; k < 16; k++) {
            len++;
            if (input[ref + len] !== input[ip + len]) {
              probed = false;
              break;
            }
          }
        }
        if (probed) {
          do len++;
          while (len < maxlen && input[ref + len] === input[ip + len]);
        }
        len -= 2; // stored length: bytes - 2
        ip++;
        if (len < 7) {
          out[op++] = (off >>> 8) + (len << 5);
        } else {
          out[op++] = (off >>> 8) + (7 << 5);
          out[op++] = len - 7;
        }
        out[op++] = off & 0xff;
        lit = 0;
        op++; // start run
        ip += len + 1;
        if (ip >= inEnd - 2) continue;
        // hash the last two positions of the match
        ip -= 2;
        hval = (input[ip] << 8) | input[ip + 1];
        hval = (hval << 8) | input[ip + 2];
        htab[idx(hval)] = b0 + ip;
        ip++;
        hval = (hval << 8) | input[ip + 2];
        htab[idx(hval)] = b0 + ip;
        ip++;
        continue;
      }
      if (op >= outEnd) return null;
    } else if (!tailChecked) {
      // the last (at most 2) bytes: liblzf checks the room once, for 3 bytes
      if (op + 3 > outEnd) return null;
      tailChecked = true;
    }
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  if (!tailChecked && op + 3 > outEnd) return null;
  out[op - lit - 1] = lit - 1; // end run
  if (lit === 0) op--;
  return out.subarray(0, op);
}

/**
 * liblzf's lzf_decompress: input decompressed into exactly outLen bytes.
 * Throws when the data is corrupt (a reference before the start, output
 * overflow) or does not produce exactly outLen bytes.
 */
export function lzfDecompress(input: Uint8Array, outLen: number): Uint8Array {
  const out = new Uint8Array(outLen);
  let ip = 0;
  let op = 0;
  const inEnd = input.length;
  while (ip < inEnd) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLen) throw new Error('LZF: output overflow');
      if (ip + n > inEnd) throw new Error('LZF: truncated input');
      out.set(input.subarray(ip, ip + n), op);
      op += n;
      ip += n;
    } else {
      let len = ctrl >>> 5;
      if (len === 7) {
        if (ip >= inEnd) throw new Error('LZF: truncated input');
        len += input[ip++];
      }
      if (ip >= inEnd) throw new Error('LZF: truncated input');
      const ref = op - ((ctrl & 0x1f) << 8) - 1 - input[ip++];
      len += 2;
      if (op + len > outLen) throw new Error('LZF: output overflow');
      if (ref < 0) throw new Error('LZF: back reference before the start');
      // byte by byte: the source may overlap what is being written
      for (let k = 0; k < len; k++) out[op + k] = out[ref + k];
      op += len;
    }
  }
  if (op !== outLen) throw new Error('LZF: decompressed length differs from the declared length');
  return out;
}
