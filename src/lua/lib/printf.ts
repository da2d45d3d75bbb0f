/**
 * One conversion of C's printf as glibc writes it, for string.format (Lua
 * 5.1's str_format hands each "%<flags><width>.<precision><conv>" item to
 * sprintf): d i (a long), o u x X (an unsigned long), c, e E f g G (a
 * double), s, with the flags - + space # 0, a width and a precision.
 *
 * Why not JS's toFixed/toExponential alone: they round an exact decimal tie
 * up (0.125 → "0.13"), glibc rounds it to even in the default rounding mode
 * ("0.12"); toFixed switches to exponent form at 1e21. Both give the exact
 * decimal digits otherwise, so they are used and corrected:
 * - a tie at the rounding position q (value = (n + ½)·10^q exactly) is found
 *   from the double's binary form (value = M·2^e, M odd): 2·value/10^q is an
 *   odd integer only if e + 1 = q and 5^q divides M (q > 0) or always (q ≤ 0);
 * - then the digits one place further are exact, and dropping the final 5
 *   rounds down, which is right when the kept digit is even.
 * Infinities print "inf"/"-inf" and NaN "-nan" (x86's default NaN has its
 * sign bit set, and JS cannot see a NaN's sign; numberToString agrees).
 */

const TWO63 = 9223372036854775808;
const TWO64 = 18446744073709551616;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Whether a (finite, > 0) lies exactly halfway between two multiples of 10^q. */
function isTie(a: number, q: number): boolean {
  f64[0] = a;
  const hi = u32[1];
  const lo = u32[0];
  const bexp = (hi >>> 20) & 0x7ff;
  let m = (hi & 0xfffff) * 4294967296 + lo;
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    m += 4503599627370496;
    e = bexp - 1075;
  }
  if (m === 0) return false;
  // make m odd: drop its trailing zero bits
  const tz = lo !== 0 ? 31 - Math.clz32(lo & -lo) : 32 + (31 - Math.clz32((m / 4294967296) & -(m / 4294967296)));
  m /= 2 ** tz;
  e += tz;
  if (e + 1 !== q) return false;
  if (q <= 0) return true;
  if (q > 22) return false; // 5^q > 2^53 > m
  return m % 5 ** q === 0;
}

/** printf("%.<d>f", a) for finite a >= 0, d in 0..99: digits only, no sign. */
export function fixedDigits(a: number, d: number): string {
  if (a >= 1e21) {
    const int = BigInt(a).toString();
    return d > 0 ? int + '.' + '0'.repeat(d) : int;
  }
  if (a !== 0 && isTie(a, -d)) {
    const t = a.toFixed(d + 1); // exact: the value has d+1 decimals ending in 5
    let cut = t.slice(0, -1);
    if (d === 0) cut = cut.slice(0, -1); // drop the '.'
    const last = cut.charCodeAt(cut.length - 1) - 48;
    if (last % 2 === 0) return cut;
  }
  return a.toFixed(d);
}

/**
 * The p+1 significant digits of a (finite, > 0) rounded as glibc does, and
 * the decimal exponent of the first: what "%.<p>e" prints.
 */
function expDigits(a: number, p: number): { digits: string; exp: number } {
  const s = a.toExponential(p);
  const ei = s.indexOf('e');
  let digits = p > 0 ? s[0] + s.slice(2, ei) : s.slice(0, ei);
  let exp = Number(s.slice(ei + 1));
  if (p < 100) {
    // a tie at p+1 significant digits: the value has p+2 exact digits ending in 5
    const t = a.toExponential(p + 1);
    const ti = t.indexOf('e');
    if (t.charCodeAt(ti - 1) === 53) {
      const texp = Number(t.slice(ti + 1));
      if (isTie(a, texp - p)) {
        const td = t[0] + t.slice(2, ti - 1);
        if ((td.charCodeAt(td.length - 1) - 48) % 2 === 0) {
          digits = td;
          exp = texp;
        }
      }
    }
  }
  return { digits, exp };
}

function expForm(digits: string, exp: number, upper: boolean, hash: boolean): string {
  const ae = exp < 0 ? -exp : exp;
  let out = digits[0];
  if (digits.length > 1 || hash) out += '.' + digits.slice(1);
  out += (upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' + ae : String(ae));
  return out;
}

/** The body (no sign) of %e %f %g for a finite a >= 0. */
function floatBody(a: number, conv: number, prec: number, hash: boolean): string {
  switch (conv) {
    case 102: {
      // f
      const s = fixedDigits(a, prec);
      return hash && prec === 0 ? s + '.' : s;
    }
    case 101:
    case 69: {
      // e E
      if (a === 0) return expForm('0'.repeat(prec + 1), 0, conv === 69, hash);
      const { digits, exp } = expDigits(a, prec);
      return expForm(digits, exp, conv === 69, hash);
    }
    default: {
      // g G
      const P = prec === 0 ? 1 : prec;
      let x = 0;
      let edigits = '';
      if (a !== 0) {
        const r = expDigits(a, P - 1);
        x = r.exp;
        edigits = r.digits;
      } else edigits = '0'.repeat(P);
      let s: string;
      if (x < P && x >= -4) {
        s = fixedDigits(a, P - 1 - x);
        if (!hash) {
          if (s.indexOf('.') >= 0) s = s.replace(/\.?0+$/, '');
        } else if (s.indexOf('.') < 0) s += '.';
        return s;
      }
      if (!hash) {
        edigits = edigits.replace(/0+$/, '');
        if (edigits === '') edigits = '0';
      }
      return expForm(edigits, x, conv === 71, hash);
    }
  }
}

/** Flags of one conversion, parsed from its "-+ #0" characters. */
export interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  hash: boolean;
  zero: boolean;
  /** 0 when absent */
  width: number;
  /** -1 when absent */
  precision: number;
}

function pad(s: string, width: number, minus: boolean): string {
  if (s.length >= width) return s;
  return minus ? s + ' '.repeat(width - s.length) : ' '.repeat(width - s.length) + s;
}

/** sign/prefix + zero padding + body, laid out in width */
function layout(prefix: string, body: string, spec: Spec, zeroPad: boolean): string {
  const len = prefix.length + body.length;
  if (len >= spec.width) return prefix + body;
  if (spec.minus) return prefix + body + ' '.repeat(spec.width - len);
  if (zeroPad) return prefix + '0'.repeat(spec.width - len) + body;
  return ' '.repeat(spec.width - len) + prefix + body;
}

/** %e %E %f %g %G of a double */
export function formatFloat(spec: Spec, conv: number, v: number): string {
  const upper = conv === 69 || conv === 71;
  const neg = v < 0 || (v === 0 && 1 / v < 0) || v !== v;
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  if (v !== v || v === Infinity || v === -Infinity) {
    const body = v !== v ? (upper ? 'NAN' : 'nan') : upper ? 'INF' : 'inf';
    return layout(sign, body, spec, false);
  }
  const prec = spec.precision < 0 ? 6 : spec.precision;
  const body = floatBody(neg ? -v : v, conv, prec, spec.hash);
  return layout(sign, body, spec, spec.zero);
}

/** (unsigned long)d as x86-64 GCC code converts it. */
function toUnsigned(d: number): bigint {
  if (d >= TWO63) return d >= TWO64 ? 0n : BigInt(d);
  if (d >= 0) return BigInt(Math.trunc(d));
  if (d > -1) return 0n; // truncates to (-)0
  if (d > -TWO63) return BigInt(Math.trunc(d)) + 18446744073709551616n;
  return 9223372036854775808n; // INT64_MIN as unsigned (NaN, d <= -2^63)
}

/** %d %i (signed long) and %o %u %x %X (unsigned long) of a double, as str_format casts it. */
export function formatInt(spec: Spec, conv: number, d: number): string {
  let neg = false;
  let digits: string;
  let isZero: boolean;
  if (conv === 100 || conv === 105) {
    // d i: (long)d
    let i: number;
    if (d >= -TWO63 && d < TWO63) i = Math.trunc(d);
    else i = -TWO63;
    neg = i < 0;
    const a = neg ? -i : i;
    digits = a < 9007199254740992 ? String(a) : BigInt(a).toString();
    isZero = i === 0;
  } else {
    const u = d >= 0 && d < 9007199254740992 ? Math.trunc(d) : toUnsigned(d);
    isZero = u === 0 || u === 0n;
    const base = conv === 111 ? 8 : conv === 117 ? 10 : 16;
    digits = u.toString(base);
    if (conv === 88) digits = digits.toUpperCase();
  }
  if (spec.precision >= 0) {
    if (spec.precision === 0 && isZero) digits = '';
    else if (digits.length < spec.precision) digits = '0'.repeat(spec.precision - digits.length) + digits;
  }
  let prefix = '';
  if (conv === 100 || conv === 105) prefix = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  else if (spec.hash) {
    if (conv === 111) {
      if (digits.charCodeAt(0) !== 48) digits = '0' + digits;
    } else if (conv !== 117 && !isZero) prefix = conv === 88 ? '0X' : '0x';
  }
  return layout(prefix, digits, spec, spec.zero && spec.precision < 0);
}

/** %c: the low byte of (int)d */
export function formatChar(spec: Spec, d: number): string {
  let c: number;
  if (d > -2147483649 && d < 2147483648) c = Math.trunc(d) & 0xff;
  else c = 0; // (int) of an out-of-range double is INT_MIN: low byte 0
  return pad(String.fromCharCode(c), spec.width, spec.minus);
}

/** %s: the string, cut at the precision */
export function formatStr(spec: Spec, s: string): string {
  if (spec.precision >= 0 && s.length > spec.precision) s = s.slice(0, spec.precision);
  return pad(s, spec.width, spec.minus);
}
