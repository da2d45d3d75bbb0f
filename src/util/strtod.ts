/**
 * C's strtod, as Redis's readers of doubles use it.
 *
 * Redis reads doubles in two ways, and they accept different inputs:
 * - string2d (getDoubleFromObject: ZADD scores, ZINCRBY, WEIGHTS): the whole
 *   string must be consumed, no leading space, NaN refused, and ERANGE refused
 *   when the result overflowed to ±inf or underflowed to zero ("1e400",
 *   "1e-400"); hex floats ("0x10", "0x1p3") and "inf"/"infinity" are fine.
 * - bare strtod with an end check (zslParseRange: ZRANGEBYSCORE, ZCOUNT…):
 *   leading whitespace is skipped, "" parses as 0, overflow gives ±inf and
 *   underflow gives 0, both accepted; only NaN and trailing garbage are refused.
 *
 * `strtod` returns the value and how many characters it consumed (0 when
 * nothing parsed), plus whether the result over/underflowed, so both readers
 * are one-liners on top of it.
 */

export interface StrtodResult {
  value: number;
  /** characters consumed; 0 when no number was recognised */
  end: number;
  /** glibc's ERANGE: a finite literal overflowed to ±inf or a non-zero one underflowed to 0 */
  erange: boolean;
}

const out: StrtodResult = { value: 0, end: 0, erange: false };

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
function matchWord(s: string, i: number, w: string): boolean {
  return s.length - i >= w.length && s.substr(i, w.length).toLowerCase() === w;
}

/** C strtod on s (from its start). The returned object is reused by the next call. */
export function strtod(s: string): StrtodResult {
  const n = s.length;
  let i = 0;
  out.value = 0;
  out.end = 0;
  out.erange = false;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
  }
  if (matchWord(s, i, 'inf')) {
    i += matchWord(s, i, 'infinity') ? 8 : 3;
    out.value = neg ? -Infinity : Infinity;
    out.end = i;
    return out;
  }
  if (matchWord(s, i, 'nan')) {
    i += 3;
    // "nan(n-char-sequence)"
    if (s.charCodeAt(i) === 40) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_]/.test(s[j])) j++;
      if (s.charCodeAt(j) === 41) i = j + 1;
    }
    out.value = NaN;
    out.end = i;
    return out;
  }
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
    const r = parseHex(s, i + 2, neg);
    if (r !== -1) {
      out.end = r;
      return out;
    }
    // "0x" without hex digits: strtod reads the "0" and stops at 'x'
    out.value = neg ? -0 : 0;
    out.end = i + 1;
    return out;
  }
  const start = i;
  let digits = 0;
  let nonZero = false;
  while (i < n && isDigit(s.charCodeAt(i))) {
    if (s.charCodeAt(i) !== 48) nonZero = true;
    i++;
    digits++;
  }
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      if (s.charCodeAt(i) !== 48) nonZero = true;
      i++;
      digits++;
    }
  }
  if (digits === 0) return out; // nothing recognised: end = 0
  const intEnd = i;
  let mantEnd = i;
  if ((s.charCodeAt(i) | 32) === 101) {
    let j = i + 1;
    const sc = s.charCodeAt(j);
    if (sc === 43 || sc === 45) j++;
    if (isDigit(s.charCodeAt(j))) {
      while (j < n && isDigit(s.charCodeAt(j))) j++;
      mantEnd = j;
    }
  }
  if (mantEnd === intEnd && digits <= 15 && s.charCodeAt(intEnd - 1) !== 46 && !s.slice(start, intEnd).includes('.')) {
    // plain digits (the common "0", "100"): exact in a double, no text conversion
    let v = 0;
    for (let k = start; k < intEnd; k++) v = v * 10 + (s.charCodeAt(k) - 48);
    out.value = neg ? -v : v;
    out.end = mantEnd;
    return out;
  }
  let text = s.slice(start, mantEnd);
  if (text.charCodeAt(text.length - 1) === 46) text = text.slice(0, -1); // "5." is 5 for strtod
  if (text.charCodeAt(0) === 46) text = '0' + text;
  const v = Number(text.replace(/\.(?=[eE]|$)/, ''));
  out.value = neg ? -v : v;
  out.end = mantEnd;
  out.erange = v === Infinity || (v === 0 && nonZero);
  return out;
}

/** Hex float after "0x" at i; sets out.value/erange and returns the end, or -1 without hex digits. */
function parseHex(s: string, i: number, neg: boolean): number {
  const n = s.length;
  let mant = 0n;
  let digits = 0;
  let exp = 0;
  while (i < n && hexVal(s.charCodeAt(i)) >= 0) {
    mant = (mant << 4n) | BigInt(hexVal(s.charCodeAt(i)));
    i++;
    digits++;
  }
  if (s.charCodeAt(i) === 46) {
    let j = i + 1;
    let frac = 0;
    while (j < n && hexVal(s.charCodeAt(j)) >= 0) {
      mant = (mant << 4n) | BigInt(hexVal(s.charCodeAt(j)));
      j++;
      frac++;
    }
    if (digits + frac > 0) {
      i = j;
      digits += frac;
      exp -= 4 * frac;
    }
  }
  if (digits === 0) return -1;
  if ((s.charCodeAt(i) | 32) === 112) {
    let j = i + 1;
    let eneg = false;
    const sc = s.charCodeAt(j);
    if (sc === 43 || sc === 45) {
      eneg = sc === 45;
      j++;
    }
    if (isDigit(s.charCodeAt(j))) {
      let e = 0;
      while (j < n && isDigit(s.charCodeAt(j))) {
        e = Math.min(1e9, e * 10 + (s.charCodeAt(j) - 48));
        j++;
      }
      exp += eneg ? -e : e;
      i = j;
    }
  }
  let v = mant === 0n ? 0 : scaleBig(mant, exp);
  out.erange = v === Infinity || (v === 0 && mant !== 0n);
  out.value = neg ? -v : v;
  return i;
}

/** mant * 2^exp rounded to the nearest double. */
function scaleBig(mant: bigint, exp: number): number {
  // keep 64 significant bits with a sticky bit, so the final rounding is single
  const bits = mant.toString(2).length;
  if (bits > 64) {
    const drop = BigInt(bits - 64);
    const sticky = (mant & ((1n << drop) - 1n)) !== 0n ? 1n : 0n;
    mant = (mant >> drop) | sticky;
    exp += bits - 64;
  }
  let v = Number(mant);
  // scale in steps to avoid intermediate overflow/underflow of 2**exp
  while (exp > 0) {
    const k = Math.min(exp, 1000);
    v *= 2 ** k;
    exp -= k;
  }
  while (exp < 0) {
    const k = Math.min(-exp, 1000);
    v /= 2 ** k;
    exp += k;
  }
  return v;
}

/**
 * Redis's string2d: the whole string is a double, no leading space, no NaN,
 * no overflow or underflow. Returns null when Redis would refuse it.
 */
export function string2d(s: string): number | null {
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return null;
  const r = strtod(s);
  if (r.end !== s.length || r.erange || Number.isNaN(r.value)) return null;
  return r.value;
}

/**
 * strtod followed by Redis's `eptr[0] != '\0' || isnan` check (zslParseRange):
 * returns null when refused. An empty string parses as 0 (nothing consumed,
 * and the end pointer is at the terminator).
 */
export function strtodStrict(s: string): number | null {
  const r = strtod(s);
  const end = r.end;
  // C sees the argument up to its first NUL byte
  if (end === 0) return s.length === 0 || s.charCodeAt(0) === 0 ? 0 : null;
  if ((end !== s.length && s.charCodeAt(end) !== 0) || Number.isNaN(r.value)) return null;
  return r.value;
}
