/**
 * exp, log, log10, pow, tan, atan, atan2, sinh and cosh as glibc's libm
 * returns them (to Lua's math library, where scripts print them with %.14g
 * and compare them).
 *
 * Why: V8's Math.exp/log/pow/tan/atan… are fdlibm ports, within an ulp of
 * the exact result but a last bit apart from glibc's in a few percent of
 * arguments. glibc 2.36's exp, log and pow (ARM's optimized routines) and
 * its tan/atan/atan2 (IBM's) are within 0.52 ulp, so they give the
 * correctly rounded result for all but rare arguments: these are correctly
 * rounded, from double-double evaluations (util/crmath.ts's helpers,
 * ~106 bits) rounded once. log10, sinh and cosh are fdlibm's formulas in
 * glibc too (e_log10.c, e_sinh.c, e_cosh.c), built on its exp and log and
 * fdlibm's expm1 (V8's Math.expm1 is that port): they are written here the
 * same way on these exp and log, so that they round as glibc's do.
 * Subnormal results of exp/pow may differ in the last bit (double rounding).
 */
import { ddAdd, ddMul, INV_FACT_HI, INV_FACT_LO, rh, rl, sinCosDD, taylor, twoProd } from './crmath.js';

/** A constant to 200 bits from its decimal digits, split into three doubles: hi with `hiBits` bits, then two full ones. */
function split3(digits: string, hiBits: number): [number, number, number] {
  const [ip, fp] = digits.split('.');
  const scale = 10n ** BigInt(fp.length);
  const F = 220n;
  let v = (BigInt(ip + fp) << F) / scale; // value · 2^220
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    const len = v.toString(2).length;
    const bits = i === 0 ? hiBits : 53;
    const drop = BigInt(Math.max(0, len - bits));
    const part = (v >> drop) << drop;
    out.push(Number(part) * 2 ** -220);
    v -= part;
  }
  return out as [number, number, number];
}

const LN2_DIGITS =
  '0.69314718055994530941723212145817656807550013436025525412068000949339362196969471560586332699641868754200148102057068573368552023575813055703267075163507596193072757082837143519030703862389167347112335';
const PIO2_DIGITS =
  '1.57079632679489661923132169163975144209858469968755291048747229615390820314310449931401741267105853399107404325664115332354692230477529111586267970406424055872514205135096926055277982231147447746519098';
// ln 2 with a 32-bit head, so that k·LN2_H is exact for |k| < 2^21
const [LN2_H, LN2_M, LN2_L] = split3(LN2_DIGITS, 32);
// π/2 with a 32-bit head, so that k·PIO2_H is exact for |k| < 2^21
const [PIO2_H, PIO2_M, PIO2_L] = split3(PIO2_DIGITS, 32);

let eh = 0;
let el = 0;

/** (eh, el) ← e^(xh + xl) · 2^-k as a double-double, returning k; |xh| < 746. */
function expDD(xh: number, xl: number): number {
  const k = Math.round(xh / Math.LN2);
  // r = x − k·ln2 (k·LN2_H exact, k·LN2_M exact as a double-double)
  ddAdd(xh, xl, -k * LN2_H, 0);
  let r0 = rh;
  let r1 = rl;
  twoProd(k, LN2_M);
  ddAdd(r0, r1, -rh, -rl);
  ddAdd(rh, rl, -k * LN2_L, 0);
  // e^r = (e^(r/256))^256, the series on |r/256| < 0.0014 to 11 terms
  r0 = rh / 256;
  r1 = rl / 256;
  let ph = INV_FACT_HI[11];
  let pl = INV_FACT_LO[11];
  for (let n = 10; n >= 0; n--) {
    ddMul(ph, pl, r0, r1);
    ddAdd(rh, rl, INV_FACT_HI[n], INV_FACT_LO[n]);
    ph = rh;
    pl = rl;
  }
  for (let i = 0; i < 8; i++) {
    ddMul(ph, pl, ph, pl);
    ph = rh;
    pl = rl;
  }
  eh = ph;
  el = pl;
  return k;
}

/** (eh · 2^k) rounded, without overflowing on the way */
function scale2(v: number, k: number): number {
  if (k > 1000) return v * 2 ** (k - 1000) * 2 ** 1000;
  if (k < -1000) return v * 2 ** (k + 1000) * 2 ** -1000;
  return v * 2 ** k;
}

/** exp(x), correctly rounded */
export function glibcExp(x: number): number {
  if (x !== x) return x;
  if (x > 709.8) return Infinity;
  if (x < -745.2) return 0;
  if (Math.abs(x) < 2 ** -54) return 1 + x;
  const k = expDD(x, 0);
  return scale2(eh + el, k);
}

let lh = 0;
let ll = 0;

/** (lh, ll) ← log(x) as a double-double, for finite x > 0. */
function logDD(x: number): void {
  // x = m·2^e with m in [√½, √2)
  let e = 0;
  let m = x;
  if (m < 2 ** -1000) {
    m *= 2 ** 100;
    e -= 100;
  }
  const ex = Math.floor(Math.log2(m));
  m = m * 2 ** -ex;
  e += ex;
  // Math.log2 may be off by one at the edges: normalise m into [1, 2), then [√½, √2)
  while (m >= 2) {
    m /= 2;
    e++;
  }
  while (m < 1) {
    m *= 2;
    e--;
  }
  if (m > Math.SQRT2) {
    m /= 2;
    e++;
  }
  // log m by one Newton step from Math.log: y + (m·e^-y − 1)
  const y0 = Math.log(m);
  const k = expDD(-y0, 0);
  // m·e^-y0 = m·(eh + el)·2^k, near 1
  twoProd(m, eh);
  const p1 = rh * 2 ** k;
  const p2 = (rl + m * el) * 2 ** k;
  ddAdd(p1 - 1, 0, p2, 0);
  const ch = rh;
  const cl = rl;
  // log(1 + c) = c − c²/2 (c ~ 1e-16)
  ddAdd(y0, 0, ch - (ch * ch) / 2, cl);
  const yh = rh;
  const yl = rl;
  if (e === 0) {
    lh = yh;
    ll = yl;
    return;
  }
  // + e·ln2
  twoProd(e, LN2_M);
  ddAdd(e * LN2_H, 0, rh, rl + e * LN2_L);
  ddAdd(rh, rl, yh, yl);
  lh = rh;
  ll = rl;
}

/** log(x), correctly rounded */
export function glibcLog(x: number): number {
  if (x !== x || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return x;
  if (x === 1) return 0;
  logDD(x);
  return lh + ll;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** log10 as glibc's e_log10.c: k·log10(2) in two parts and log10(e)·log(m) */
export function glibcLog10(x: number): number {
  const TWO54 = 18014398509481984;
  const IVLN10 = 0.4342944819032518; // 0x3FDBCB7B1526E50E
  const LOG10_2HI = 0.30102999566361177; // 0x3FD34413509F6000
  const LOG10_2LO = 3.694239077158931e-13; // 0x3D59FEF311F12B36
  f64[0] = x;
  let hx = u32[1] | 0;
  const lx = u32[0];
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    f64[0] = x;
    hx = u32[1] | 0;
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  const i = (k & 0x80000000) >>> 31;
  hx = (hx & 0x000fffff) | ((0x3ff - i) << 20);
  const y = k + i;
  f64[0] = x;
  u32[1] = hx;
  const z = y * LOG10_2LO + IVLN10 * glibcLog(f64[0]);
  return z + y * LOG10_2HI;
}

function isOddInteger(y: number): boolean {
  return Number.isInteger(y) && Math.abs(y) < 2 ** 53 && Math.abs(y % 2) === 1;
}

/** pow(x, y) with C99's special cases, correctly rounded otherwise */
export function glibcPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x !== x || y !== y) return NaN;
  const ax = Math.abs(x);
  if (y === Infinity || y === -Infinity) {
    if (ax === 1) return 1;
    return ax > 1 === y > 0 ? Infinity : 0;
  }
  const odd = isOddInteger(y);
  if (x === 0) {
    if (y < 0) return odd ? 1 / x : Infinity;
    return odd ? x : 0;
  }
  if (x === Infinity || x === -Infinity) {
    const neg = x < 0 && odd;
    if (y < 0) return neg ? -0 : 0;
    return neg ? -Infinity : Infinity;
  }
  if (x < 0 && !Number.isInteger(y)) return NaN;
  if (y === 1) return x;
  logDD(ax);
  ddMul(lh, ll, y, 0);
  const ph = rh;
  const pl = rl;
  let r: number;
  if (ph > 709.8) r = Infinity;
  else if (ph < -745.2) r = 0;
  else {
    const k = expDD(ph, pl);
    r = scale2(eh + el, k);
  }
  return x < 0 && odd ? -r : r;
}

/** SC ← sin t and cos t as double-doubles (|t| < 8) */
const SC = new Float64Array(4);
function sinAndCos(t: number): void {
  sinCosDD(t, 0);
  SC[0] = rh;
  SC[1] = rl;
  sinCosDD(t, 1);
  SC[2] = rh;
  SC[3] = rl;
}

/** atan(x), correctly rounded: Math.atan refined by one Newton step in double-double */
export function glibcAtan(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  if (ax < 2 ** -27) return x;
  if (ax > 2 ** 60) return x > 0 ? 1.5707963267948966 : -1.5707963267948966;
  const y0 = Math.atan(x);
  // g(y) = sin y − x·cos y, g'(y) = 1/cos y at the root: y1 = y0 − g(y0)·cos y0
  sinAndCos(y0);
  const [sh, sl, ch, cl] = [SC[0], SC[1], SC[2], SC[3]];
  twoProd(x, ch);
  ddAdd(sh, sl, -rh, -(rl + x * cl));
  const g = rh + rl;
  return y0 - g * ch;
}

/** atan2(y, x) with C99's special cases, correctly rounded otherwise */
export function glibcAtan2(y: number, x: number): number {
  if (x !== x || y !== y) return NaN;
  if (y === 0 || x === Infinity || x === -Infinity || y === Infinity || y === -Infinity) return Math.atan2(y, x);
  if (x === 0) return y > 0 ? 1.5707963267948966 : -1.5707963267948966;
  // scale so that the larger is in [1, 2): the angle does not change
  const big = Math.max(Math.abs(x), Math.abs(y));
  let e = Math.floor(Math.log2(big));
  if (e > 1000) e = 1000;
  if (e < -1000) e = -1000;
  const sx = x * 2 ** -e;
  const sy = y * 2 ** -e;
  if (x > 0 && Math.abs(sy) < Math.abs(sx) * 2 ** -60) return y / x;
  const t0 = Math.atan2(y, x);
  // g(t) = y·cos t − x·sin t; g'(t) = −r at the root: t1 = t0 + g(t0)/r
  sinAndCos(t0);
  const [sh, sl, ch, cl] = [SC[0], SC[1], SC[2], SC[3]];
  twoProd(sy, ch);
  const ah = rh;
  const al = rl + sy * cl;
  twoProd(sx, sh);
  ddAdd(ah, al, -rh, -(rl + sx * sl));
  const g = rh + rl;
  return t0 + g / Math.hypot(sx, sy);
}

/** tan(x), correctly rounded for |x| < 2^20 (Math.tan beyond) */
export function glibcTan(x: number): number {
  if (x !== x || x === Infinity || x === -Infinity) return NaN;
  const ax = Math.abs(x);
  if (ax < 2 ** -27) return x;
  if (ax >= 2 ** 20) return Math.tan(x);
  const k = Math.round(x / 1.5707963267948966);
  // r = x − k·π/2 in double-double
  ddAdd(x, 0, -k * PIO2_H, 0);
  const r0 = rh;
  const r1 = rl;
  twoProd(k, PIO2_M);
  ddAdd(r0, r1, -rh, -rl);
  ddAdd(rh, rl, -k * PIO2_L, 0);
  const a = rh;
  const b = rl;
  taylor(a, b, true);
  const sh = rh;
  const sl = rl;
  taylor(a, b, false);
  const ch = rh;
  const cl = rl;
  // tan = s/c (k even) or −c/s (k odd), divided in double-double
  const [nh, nl, dh, dl] = k % 2 === 0 ? [sh, sl, ch, cl] : [-ch, -cl, sh, sl];
  const q = nh / dh;
  twoProd(q, dh);
  const corr = (nh - rh - rl + nl - q * dl) / dh;
  return q + corr;
}

/** sinh as glibc's e_sinh.c (fdlibm's), on expm1 and this exp */
export function glibcSinh(x: number): number {
  if (x !== x || x === Infinity || x === -Infinity) return x + x;
  const h = x < 0 ? -0.5 : 0.5;
  const ax = Math.abs(x);
  if (ax < 22) {
    if (ax < 2 ** -28) return x;
    const t = Math.expm1(ax);
    if (ax < 1) return h * (2.0 * t - (t * t) / (t + 1));
    return h * (t + t / (t + 1));
  }
  if (ax < 709.7822265625) return h * glibcExp(ax); // high word 0x40862e42
  if (ax <= 710.4758600739439) {
    const w = glibcExp(0.5 * ax);
    const t = h * w;
    return t * w;
  }
  return x * 1e307;
}

/** cosh as glibc's e_cosh.c (fdlibm's), on expm1 and this exp */
export function glibcCosh(x: number): number {
  const ax = Math.abs(x);
  if (ax < 22) {
    if (ax < 0.3465735912322998) {
      // high word 0x3fd62e43: 0.5·ln2
      if (ax < 2 ** -55) return 1;
      const t = Math.expm1(ax);
      const w = 1 + t;
      return 1 + (t * t) / (w + w);
    }
    const t = glibcExp(ax);
    return 0.5 * t + 0.5 / t;
  }
  if (ax < 709.7822265625) return 0.5 * glibcExp(ax);
  if (ax <= 710.4758600739439) {
    const w = glibcExp(0.5 * ax);
    const t = 0.5 * w;
    return t * w;
  }
  if (x !== x) return x;
  return Infinity;
}
