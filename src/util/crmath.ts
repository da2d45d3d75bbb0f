/**
 * sin, cos and asin as glibc's libm returns them to Redis, for the
 * arguments the geo distance takes (and Lua's math library: sin/cos up to
 * 105414350 through glibc's reduce_sincos, acos correctly rounded).
 *
 * Why: Redis computes distances with glibc's sin/cos/asin; V8's Math.sin/cos/
 * asin (fdlibm) differ from them in the last bit for a few percent of
 * arguments, and a distance stored with STOREDIST (or printed where "%.4f"
 * sits on a rounding edge) shows that bit.
 * - glibcSin / glibcCos follow glibc's dbl-64 s_sin.c (IBM's: a Taylor
 *   polynomial below 0.126, else the table of sin/cos at k/128 as
 *   double-doubles, here computed once from exact series) as its x86-64 FMA
 *   build computes them: every multiply-add GCC fuses is an exact fma
 *   (emulated: double-double with an exact fallback). Checked equal to the
 *   system's libm on 40000 arguments in [-1.6, 1.6] (all of the geo code's).
 * - glibcAsin follows e_asin.c below 0.125 (distances under ~1600 km); above,
 *   where glibc reads a large table, the correctly rounded crAsin stands in
 *   (glibc misrounds about 0.15% of those).
 * - crSin / crCos / crAsin: correctly rounded, in double-double arithmetic
 *   (about 106 bits) rounded once; the fallbacks beyond those domains.
 * A few microseconds a call: the geo code uses them only where the last bit shows.
 */

// double-double helpers: a value is hi + lo with |lo| <= ulp(hi)/2

const SPLIT = 134217729; // 2^27 + 1

/** the result registers of the double-double helpers (live bindings for importers) */
export let rh = 0;
export let rl = 0;

/** twoProd(a, b) → rh + rl = a·b exactly (Dekker). */
export function twoProd(a: number, b: number): void {
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
export function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const p = rh;
  const e = rl + (ah * bl + al * bh);
  rh = p + e;
  rl = e - (rh - p);
}

/** (ah, al) + (bh, bl) → (rh, rl). */
export function ddAdd(ah: number, al: number, bh: number, bl: number): void {
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
export const INV_FACT_HI = new Float64Array(32);
export const INV_FACT_LO = new Float64Array(32);
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
export function taylor(xh: number, xl: number, odd: boolean): void {
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
export function sinCosDD(x: number, kind: 0 | 1): void {
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
    asinSqrtDD((1 - a) / 2);
    const yh = rh;
    const yl = rl;
    ddAdd(PIO2_1, PIO2_2, -2 * yh, -2 * yl);
  }
  const v = rh + rl;
  return x < 0 ? -v : v;
}

/** (rh, rl) ← asin(√t) as a double-double, for 0 <= t <= 0.25 (t exact). */
function asinSqrtDD(t: number): void {
  const s0 = Math.sqrt(t);
  // √t as a double-double: s0 + (t − s0²)/(2·s0)
  twoProd(s0, s0);
  const corr = s0 === 0 ? 0 : (t - rh - rl) / (2 * s0);
  const sh = s0 + corr;
  const sl = corr - (sh - s0);
  asinSmallDD(sh, sl);
}

/** acos(x), correctly rounded; NaN outside [-1, 1]. */
export function crAcos(x: number): number {
  if (!(x >= -1 && x <= 1)) return NaN;
  if (x === 1) return 0;
  if (Math.abs(x) <= 0.5) {
    // π/2 − asin(x)
    asinSmallDD(x, 0);
    ddAdd(PIO2_1, PIO2_2, -rh, -rl);
    return rh + rl;
  }
  if (x > 0) {
    // 2·asin(√((1 − x)/2)); (1 − x)/2 is exact
    asinSqrtDD((1 - x) / 2);
    return 2 * (rh + rl);
  }
  // π − 2·asin(√((1 + x)/2))
  asinSqrtDD((1 + x) / 2);
  ddAdd(2 * PIO2_1, 2 * PIO2_2, -2 * rh, -2 * rl);
  return rh + rl;
}

// ---------------------------------------------------------------- glibc's algorithms

/** The exact fma of (a, b, c) through BigInt: the fallback of fma. */
function fmaExact(a: number, b: number, c: number): number {
  const dv = new DataView(new ArrayBuffer(8));
  const parts = (x: number): [bigint, number] => {
    dv.setFloat64(0, x);
    const bits = dv.getBigUint64(0);
    const ex = Number((bits >> 52n) & 0x7ffn);
    let m = bits & ((1n << 52n) - 1n);
    if (ex !== 0) m |= 1n << 52n;
    return [bits >> 63n ? -m : m, ex === 0 ? -1074 : ex - 1075];
  };
  const [ma, ea] = parts(a);
  const [mb, eb] = parts(b);
  const [mc, ec] = parts(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const sum = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  if (sum === 0n) return a * b + c;
  const neg = sum < 0n;
  let m = neg ? -sum : sum;
  let ee = e;
  const len = m.toString(2).length;
  if (len > 53) {
    const sh = BigInt(len - 53);
    const q = m >> sh;
    const r = m - (q << sh);
    const half = 1n << (sh - 1n);
    m = r > half || (r === half && (q & 1n) === 1n) ? q + 1n : q;
    ee += len - 53;
  }
  const v = Number(m) * 2 ** ee;
  return neg ? -v : v;
}

/**
 * fma(a, b, c): a·b + c rounded once, as the FMA instruction: the exact
 * product and sum in double-double, then one rounding (BigInt-exact for
 * magnitudes where Dekker's product would overflow or lose bits).
 */
export function fma(a: number, b: number, c: number): number {
  const ab = Math.abs(a * b);
  if (!(ab < 1e300 && ab > 1e-250) || !(Math.abs(c) < 1e300)) return fmaExact(a, b, c);
  twoProd(a, b);
  const ph = rh;
  const pl = rl;
  // ph + c = s + sl exactly, sl + pl = t + te exactly: the fma's exact value is s + t + te
  const s = ph + c;
  let bb = s - ph;
  const sl = ph - (s - bb) + (c - bb);
  const t = sl + pl;
  bb = t - sl;
  const te = sl - (t - bb) + (pl - bb);
  const r = s + t;
  // t exact: r = fl(s + t) is the fma
  if (te === 0) return r;
  // r + rr = s + t exactly, so the exact value is r + (rr + te): rounded once but for
  // the rounding of rr + te (2^-106 of r), which could only matter on an exact tie
  bb = r - s;
  const rr = s - (r - bb) + (t - bb);
  return r + (rr + te);
}

/** sin and cos of k/128 (k < 110) as double-doubles: glibc's __sincostab, computed on first use. */
let SINCOSTAB: Float64Array | null = null;
function sincostab(): Float64Array {
  if (SINCOSTAB !== null) return SINCOSTAB;
  const t = new Float64Array(440);
  const F = 300n;
  const S = 1n << F;
  const dv = new DataView(new ArrayBuffer(8));
  const split = (v: bigint, at: number): void => {
    const hi = Number(v) / 2 ** 300;
    dv.setFloat64(0, hi);
    const b = dv.getBigUint64(0);
    const e = Number((b >> 52n) & 0x7ffn);
    const m = (b & ((1n << 52n) - 1n)) | (e !== 0 ? 1n << 52n : 0n);
    const sh = BigInt(e - 1075) + F;
    const fixed = hi === 0 ? 0n : sh >= 0n ? m << sh : m >> -sh;
    t[at] = hi;
    t[at + 1] = Number(v - fixed) / 2 ** 300;
  };
  for (let k = 0; k < 110; k++) {
    const X = (BigInt(k) << F) / 128n;
    let ts = X;
    let ss = X;
    let tc = S;
    let cc = S;
    for (let n = 1n; n < 60n; n++) {
      ts = -(((ts * X) / S) * X) / S / (2n * n * (2n * n + 1n));
      ss += ts;
      tc = -(((tc * X) / S) * X) / S / ((2n * n - 1n) * (2n * n));
      cc += tc;
    }
    split(ss, 4 * k);
    split(cc, 4 * k + 2);
  }
  SINCOSTAB = t;
  return t;
}

const sn3 = -1.66666666666664880952546298448555e-1;
const sn5 = 8.33333214285722277379541354343671e-3;
const cs2 = 4.99999999999999999999950396842453e-1;
const cs4 = -4.16666666666664434524222570944589e-2;
const cs6 = 1.38888874007937613028114285595617e-3;
const ts1 = -0.16666666666666666; // -0x1.5555555555555p-3
const ts2 = 0.008333333333332329; // 0x1.1111111110ECEp-7
const ts3 = -1.9841269834414642e-4; // -0x1.A01A019DB08B8p-13
const ts4 = 2.755729806860771e-6; // 0x1.71DE27B9A7ED9p-19
const ts5 = -2.5022014848318398e-8; // -0x1.ADDFFC2FCDF59p-26
const BIG = 52776558133248; // 0x1.8p45: rounds to multiples of 1/128
const HP0 = 1.5707963267948966;
const HP1 = 6.123233995736766e-17;
const LIM1 = 0.85546875; // high word 0x3feb6000
const LIM2 = 2.4262638092041016; // high word 0x400368fd

/** TAYLOR_SIN(xx, a, da) */
function taylorSin(xx: number, a: number, da: number): number {
  const p = fma(fma(fma(fma(ts5, xx, ts4), xx, ts3), xx, ts2), xx, ts1);
  const t = fma(fma(p, a, -(0.5 * da)), xx, da);
  return a + t;
}

/** do_cos(x, dx) */
function doCos(x: number, dx: number): number {
  const tab = sincostab();
  if (x < 0) dx = -dx;
  const u = BIG + Math.abs(x);
  const k = Math.round((u - BIG) * 128);
  x = Math.abs(x) - (u - BIG) + dx;
  const xx = x * x;
  const s = fma(x * xx, fma(xx, sn5, sn3), x);
  const c = xx * fma(xx, fma(xx, cs6, cs4), cs2);
  const sn = tab[4 * k];
  const ssn = tab[4 * k + 1];
  const cs = tab[4 * k + 2];
  const ccs = tab[4 * k + 3];
  const cor = fma(-sn, s, fma(-cs, c, fma(-s, ssn, ccs)));
  return cs + cor;
}

/** do_sin(x, dx) */
function doSin(x: number, dx: number): number {
  const xold = x;
  if (Math.abs(x) < 0.126) return taylorSin(x * x, x, dx);
  const tab = sincostab();
  if (x <= 0) dx = -dx;
  const u = BIG + Math.abs(x);
  const k = Math.round((u - BIG) * 128);
  x = Math.abs(x) - (u - BIG);
  const xx = x * x;
  const s = x + fma(x * xx, fma(xx, sn5, sn3), dx);
  const c = fma(xx, fma(xx, fma(xx, cs6, cs4), cs2), x * dx);
  const sn = tab[4 * k];
  const ssn = tab[4 * k + 1];
  const cs = tab[4 * k + 2];
  const ccs = tab[4 * k + 3];
  const cor = fma(cs, s, fma(-sn, c, fma(s, ccs, ssn)));
  const r = Math.abs(sn + cor);
  return xold < 0 ? -r : r;
}

/** sin as glibc's (|x| < 2.426; correctly rounded beyond). */
export function glibcSin(x: number): number {
  const a = Math.abs(x);
  if (a < 1.4901161193847656e-8) return x; // 2^-26
  if (a < LIM1) return doSin(x, 0);
  if (a < LIM2) {
    const r = Math.abs(doCos(HP0 - a, HP1));
    return x < 0 ? -r : r;
  }
  if (a < LIM3) {
    const n = reduceSinCos(x);
    return doSinCos(ra, rda, n);
  }
  return crSin(x);
}

/** cos as glibc's (|x| < 2.426; correctly rounded beyond). */
export function glibcCos(x: number): number {
  const a = Math.abs(x);
  if (a < 7.450580596923828e-9) return 1; // 2^-27
  if (a < LIM1) return doCos(x, 0);
  if (a < LIM2) {
    const y = HP0 - a;
    const aa = y + HP1;
    const da = y - aa + HP1;
    return doSin(aa, da);
  }
  if (a < LIM3) {
    const n = reduceSinCos(x);
    return doSinCos(ra, rda, n + 1);
  }
  return crCos(x);
}

const HPINV = 0.6366197723675814; // 0x1.45F306DC9C883p-1
const TOINT = 6755399441055744; // 0x1.8p52
const MP1 = 1.5707963407039642; // 0x1.921FB58p0
const MP2 = -1.3909067564377153e-8; // -0x1.DDE973Cp-27
const PP3 = -4.9789962314799099e-17; // -0x1.CB3B398p-55
const PP4 = -1.9034889620193266e-25; // -0x1.d747f23e32ed7p-83
const LIM3 = 105414350; // high word 0x419921fb: Cody-Waite's range
let ra = 0;
let rda = 0;

/** reduce_sincos: x = n·π/2 + (ra + rda), as glibc's FMA build computes it; returns n & 3 */
function reduceSinCos(x: number): number {
  const t = fma(x, HPINV, TOINT);
  const xn = t - TOINT;
  const y = fma(xn, -MP2, fma(-xn, MP1, x));
  const n = xn % 4; // the low bits of t's mantissa are xn's
  const t2 = fma(-xn, PP3, y);
  let db = fma(-xn, PP3, y - t2);
  const b = fma(-xn, PP4, t2);
  db += fma(-xn, PP4, t2 - b);
  ra = b;
  rda = db;
  return ((n % 4) + 4) % 4;
}

/** do_sincos: sin (n even) or cos (n odd) of a + da, negated in quadrants 2 and 3 */
function doSinCos(a: number, da: number, n: number): number {
  const r = n & 1 ? doCos(a, da) : doSin(a, da);
  return n & 2 ? -r : r;
}

const f1 = 0.1666666666666641;
const f2 = 0.07500000000261227;
const f3 = 0.044642856142105974;
const f4 = 0.03038212685821193;
const f5 = 0.022355121102652562;
const f6 = 0.018138290340456505;

/** asin as glibc's below 0.125 (its Taylor branch); correctly rounded above. */
export function glibcAsin(x: number): number {
  const a = Math.abs(x);
  if (a < 1.4901161193847656e-8) return x;
  if (a < 0.125) {
    const x2 = x * x;
    const p = fma(fma(fma(fma(fma(f6, x2, f5), x2, f4), x2, f3), x2, f2), x2, f1);
    return fma(p, x2 * x, x);
  }
  return crAsin(x);
}
