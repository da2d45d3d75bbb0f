/**
 * x87 80-bit long double arithmetic, emulated exactly with BigInt, for the
 * commands Redis computes in long double: INCRBYFLOAT and HINCRBYFLOAT.
 *
 * A value is sign × m × 2^e with a 64-bit mantissa m (2^63 <= m < 2^64, or 0),
 * as the x87 format holds it. parse follows strtold (round to nearest, ties
 * to even; Redis's string2ld refuses overflow, underflow to zero, NaN,
 * leading spaces and trailing garbage); add rounds the exact sum the same way;
 * format prints printf("%.17Lf") exactly and strips trailing zeros, as
 * Redis's ld2string(LD_STR_HUMAN). Subnormals are not modelled (values below
 * about 1e-4931 are refused as underflow).
 */

export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
  inf?: boolean;
}

const TWO64 = 1n << 64n;
const TWO63 = 1n << 63n;
const MAX_EXP = 16384; // values >= 2^16384 overflow
const MIN_EXP = -16445;

function bitlen(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Rounds num/den (positive) to a 64-bit mantissa; returns [m, e] with value m × 2^e. */
function roundRatio(num: bigint, den: bigint): [bigint, number] {
  let shift = 64 - (bitlen(num) - bitlen(den));
  let q: bigint;
  let r: bigint;
  let d: bigint;
  for (;;) {
    const n = shift >= 0 ? num << BigInt(shift) : num;
    d = shift >= 0 ? den : den << BigInt(-shift);
    q = n / d;
    r = n % d;
    if (q >= TWO64) shift--;
    else if (q < TWO63) shift++;
    else break;
  }
  const twice = 2n * r;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
  if (q === TWO64) {
    q = TWO63;
    shift--;
  }
  return [q, -shift];
}

const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;

/** strtold's hexadecimal form: 0x<hex>[.<hex>][p<binary exponent>]. */
function parseHex(h: RegExpExecArray): LongDouble | null {
  const intDigits = h[2] ?? '';
  const fracDigits = h[3] ?? '';
  if (intDigits === '' && fracDigits === '') return null;
  const neg = h[1] === '-';
  const mant = BigInt('0x' + (intDigits + fracDigits || '0'));
  if (mant === 0n) return { neg, m: 0n, e: 0 };
  const exp2 = (h[4] !== undefined ? Number(h[4]) : 0) - 4 * fracDigits.length;
  if (!Number.isFinite(exp2) || exp2 > 20000 || exp2 < -20000) return null;
  const [m, e] = exp2 >= 0 ? roundRatio(mant << BigInt(exp2), 1n) : roundRatio(mant, 1n << BigInt(-exp2));
  if (e + 64 > MAX_EXP || e < MIN_EXP) return null;
  return { neg, m, e };
}

/** strtold as Redis's string2ld uses it; null when Redis would refuse the string. */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= 5120) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  const lower = s.toLowerCase();
  const bare = lower.replace(/^[+-]/, '');
  if (bare === 'inf' || bare === 'infinity') return { neg: lower.startsWith('-'), m: 0n, e: 0, inf: true };
  const hx = HEX_RE.exec(s);
  if (hx !== null) return parseHex(hx);
  const mt = DEC_RE.exec(s);
  if (mt === null) return null;
  const intDigits = mt[2] ?? '';
  const fracDigits = mt[3] ?? '';
  if (intDigits === '' && fracDigits === '') return null;
  const neg = mt[1] === '-';
  const digits = BigInt((intDigits + fracDigits).replace(/^0+(?=\d)/, '') || '0');
  let exp10 = (mt[4] !== undefined ? Number(mt[4]) : 0) - fracDigits.length;
  if (digits === 0n) return { neg, m: 0n, e: 0 };
  if (!Number.isFinite(exp10) || exp10 > 6000) return null; // overflow
  if (exp10 < -12000) return null; // underflow
  let num = digits;
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den = 10n ** BigInt(-exp10);
  const [m, e] = roundRatio(num, den);
  if (e + 64 > MAX_EXP) return null; // ERANGE overflow: refused by string2ld
  if (e < MIN_EXP) return null; // ERANGE underflow
  return { neg, m, e };
}

/** a + b rounded to long double; inf on overflow. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return { neg: false, m: 0n, e: 0, inf: true }; // NaN; callers treat as not finite
    return a.inf ? a : b;
  }
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const A = (a.neg ? -a.m : a.m) << BigInt(a.e - e);
  const B = (b.neg ? -b.m : b.m) << BigInt(b.e - e);
  const S = A + B;
  if (S === 0n) return { neg: false, m: 0n, e: 0 };
  const neg = S < 0n;
  const [m, e2] = roundRatio(neg ? -S : S, 1n);
  const ex = e2 + e;
  if (ex + 64 > MAX_EXP) return { neg, m: 0n, e: 0, inf: true };
  return { neg, m, e: ex };
}

export function isFiniteLongDouble(v: LongDouble): boolean {
  return !v.inf;
}

const TEN17 = 10n ** 17n;

/** printf("%.17Lf") with trailing zeros (and a bare '.') removed, "-0" as "0". */
export function formatLongDouble(v: LongDouble): string {
  if (v.inf) return v.neg ? '-inf' : 'inf';
  let q: bigint;
  if (v.e >= 0) q = (v.m << BigInt(v.e)) * TEN17;
  else {
    const num = v.m * TEN17;
    const den = 1n << BigInt(-v.e);
    q = num / den;
    const r = num % den;
    const twice = 2n * r;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q += 1n;
  }
  const intPart = q / TEN17;
  let frac = (q % TEN17).toString().padStart(17, '0').replace(/0+$/, '');
  let out = intPart.toString() + (frac === '' ? '' : '.' + frac);
  if (v.neg) out = '-' + out;
  if (out === '-0') out = '0';
  void frac;
  frac = '';
  return out;
}
