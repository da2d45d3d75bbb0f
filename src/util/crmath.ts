/**
 * Correctly rounded sin, cos and asin for the arguments the geo distance
 * takes, as glibc's libm returns them.
 *
 * Why: Redis computes distances with glibc's sin/cos/asin, which round
 * correctly in practice; V8's Math.sin/cos/asin (fdlibm) are within one ulp
 * but differ from them in the last bit for a few percent of arguments. A
 * distance stored with STOREDIST (or printed where "%.4f" sits on a rounding
 * edge) shows that bit. These functions evaluate in double-double arithmetic
 * (about 106 bits) and round once, so they return glibc's double.
 *
 * Domain: sin and cos for |x| < 8 (the geo code's arguments are within ±π;
 * larger ones fall back to Math), asin on [-1, 1]. About a microsecond a
 * call: the geo code uses them only where the last bit shows.
 */

// double-double helpers: a value is hi + lo with |lo| <= ulp(hi)/2

const SPLIT = 134217729; // 2^27 + 1

let rh = 0;
let rl = 0;

/** twoProd(a, b) → rh + rl = a·b exactly (Dekker). */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  rh = p;
  rl = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** (ah, al) · (bh, bl) → (rh, rl). */
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const p = rh;
  const e = rl + (ah * bl + al * bh);
  rh = p + e;
  rl = e - (rh - p);
}

/** (ah, al) + (bh, bl) → (rh, rl). */
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh;
  const bb = s - ah;
  const e = ah - (s - bb) + (bh - bb) + al + bl;
  rh = s + e;
  rl = e - (rh - s);
}

// π/2 as three doubles
const PIO2_1 = 1.5707963267948966;
const PIO2_2 = 6.123233995736766e-17;
const PIO2_3 = -1.4973849048591698e-33;

/** 1/n! for n = 0..31 as double-doubles, computed once from exact integer ratios. */
const INV_FACT_HI = new Float64Array(32);
const INV_FACT_LO = new Float64Array(32);
{
  let f = 1n;
  for (let n = 0; n < 32; n++) {
    if (n > 0) f *= BigInt(n);
    // 1/f to 240 bits, as the nearest double and the nearest double to the rest
    const scaled = (1n << 240n) / f;
    const hi = Number(scaled);
    INV_FACT_HI[n] = hi * 2 ** -240;
    INV_FACT_LO[n] = Number(scaled - BigInt(hi)) * 2 ** -240;
  }
}

/**
 * The Taylor series of sin (odd) or cos (even) at (xh, xl), |x| <= π/4,
 * in double-double → (rh, rl).
 */
function taylor(xh: number, xl: number, odd: boolean): void {
  ddMul(xh, xl, xh, xl);
  const zh = rh;
  const zl = rl;
  // Horner over z = x², signs alternating: s ← 1/n! − z·s, up to x^29 / x^28
  const first = odd ? 29 : 28;
  let sh = INV_FACT_HI[first];
  let sl = INV_FACT_LO[first];
  for (let n = first - 2; n >= 0; n -= 2) {
    ddMul(sh, sl, zh, zl);
    ddAdd(INV_FACT_HI[n], INV_FACT_LO[n], -rh, -rl);
    sh = rh;
    sl = rl;
  }
  if (odd) ddMul(sh, sl, xh, xl);
  else {
    rh = sh;
    rl = sl;
  }
}

/** (rh, rl) ← sin (kind 0) or cos (kind 1) of x as a double-double. */
function sinCosDD(x: number, kind: 0 | 1): void {
  const k = Math.round(x / PIO2_1);
  // r = x − k·π/2 in double-double (k·PIO2_i exact for |k| <= 5)
  ddAdd(x, 0, -k * PIO2_1, 0);
  ddAdd(rh, rl, -k * PIO2_2, 0);
  ddAdd(rh, rl, -k * PIO2_3, 0);
  const r0 = rh;
  const r1 = rl;
  const q = (((k % 4) + 4) % 4) + kind; // cos(x) = sin(x + π/2)
  switch (q % 4) {
    case 0:
      taylor(r0, r1, true);
      break;
    case 1:
      taylor(r0, r1, false);
      break;
    case 2:
      taylor(r0, r1, true);
      rh = -rh;
      rl = -rl;
      break;
    default:
      taylor(r0, r1, false);
      rh = -rh;
      rl = -rl;
  }
}

/** sin(x), correctly rounded (|x| < 8; Math.sin beyond). */
export function crSin(x: number): number {
  if (!(Math.abs(x) < 8)) return Math.sin(x);
  if (x === 0) return x;
  sinCosDD(x, 0);
  return rh + rl;
}

/** cos(x), correctly rounded (|x| < 8; Math.cos beyond). */
export function crCos(x: number): number {
  if (!(Math.abs(x) < 8)) return Math.cos(x);
  sinCosDD(x, 1);
  return rh + rl;
}

/** (rh, rl) ← asin of the double-double (sh, sl), |s| <= 0.5: one Newton step from Math.asin. */
function asinSmallDD(sh: number, sl: number): void {
  const y0 = Math.asin(sh);
  sinCosDD(y0, 0);
  // δ = (s − sin y0) / cos y0
  ddAdd(sh, sl, -rh, -rl);
  const diff = rh + rl;
  const delta = diff / Math.cos(y0);
  ddAdd(y0, 0, delta, 0);
}

/** asin(x), correctly rounded; NaN outside [-1, 1]. */
export function crAsin(x: number): number {
  if (!(x >= -1 && x <= 1)) return NaN;
  if (x === 0) return x;
  const a = Math.abs(x);
  if (a <= 0.5) {
    asinSmallDD(a, 0);
  } else {
    // asin(a) = π/2 − 2·asin(√((1 − a)/2)); (1 − a)/2 is exact here
    const t = (1 - a) / 2;
    const s0 = Math.sqrt(t);
    // √t as a double-double: s0 + (t − s0²)/(2·s0)
    twoProd(s0, s0);
    const corr = s0 === 0 ? 0 : (t - rh - rl) / (2 * s0);
    const sh = s0 + corr;
    const sl = corr - (sh - s0);
    asinSmallDD(sh, sl);
    const yh = rh;
    const yl = rl;
    ddAdd(PIO2_1, PIO2_2, -2 * yh, -2 * yl);
  }
  const v = rh + rl;
  return x < 0 ? -v : v;
}
