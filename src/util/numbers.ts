/**
 * Number parsing and formatting with Redis's exact rules.
 *
 * Redis reads integers with string2ll (no leading '+', no spaces, no leading
 * zeros except "0", range of int64) and doubles with strtold (C syntax,
 * "inf"/"-inf", no trailing garbage, no NaN). Replies format doubles with %.17g
 * (Redis 7.0: INCRBYFLOAT with %.17Lg and trailing zeros stripped; RESP doubles
 * shortest round trip). These helpers reproduce those forms.
 */

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/*
 * Integer to decimal without V8's number-to-string cache. String(n) stores
 * every new (n, string) pair in a heap-wide cache that lives in old space:
 * a reply count or counter that keeps changing (INCR's value, LPUSH's
 * length) puts a young string into it per command, each one a remembered
 * old-to-new slot that the next scavenge must visit and copy. Measured:
 * INCR at -P 16 spent 10% of its CPU in scavenges of 1.2 ms (GET: 0.2 ms).
 */
const SMALL_INT: string[] = [];
const PAD4: string[] = [];
for (let i = 0; i < 10000; i++) {
  SMALL_INT.push(`${i}`);
  PAD4.push(`${i}`.padStart(4, '0'));
}

/** The decimal form of a non-negative safe integer: groups of four digits from tables. */
function digits(n: number): string {
  if (n < 10000) return SMALL_INT[n];
  const hi = Math.floor(n / 10000);
  return digits(hi) + PAD4[n - hi * 10000];
}

/** An integer (number or bigint) in decimal, as String(n) gives it, without V8's number-string cache. */
export function intToString(n: number | bigint): string {
  if (typeof n === 'bigint') return String(n); // bigints are not cached
  if (!Number.isSafeInteger(n)) return String(n);
  return n >= 0 ? digits(n) : '-' + digits(-n);
}

/**
 * Parses a string the way Redis's string2ll does. Returns the value as a number
 * when it is a safe integer, a bigint when it is in int64 range but beyond 2^53,
 * or null when it is not a canonical int64.
 */
export function parseInt64(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (n === 1 && c0 === 48) return 0;
  if (c0 === 45) {
    neg = true;
    i = 1;
    if (n === 1) return null;
  }
  // first digit must be 1-9
  const d1 = s.charCodeAt(i);
  if (d1 < 49 || d1 > 57) return null;
  if (n - i <= 15) {
    let v = d1 - 48;
    for (i = i + 1; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      v = v * 10 + (c - 48);
    }
    return neg ? -v : v;
  }
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const b = BigInt(s);
  if (b > INT64_MAX || b < INT64_MIN) return null;
  if (b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(b);
  return b;
}

export function isInt64String(s: string): boolean {
  return parseInt64(s) !== null;
}

export const I64_MAX = INT64_MAX;
export const I64_MIN = INT64_MIN;

/**
 * Parses a double as Redis's string2ld/strtod-based readers do: decimal or
 * exponent notation, hex floats are refused, "inf"/"+inf"/"-inf"/"infinity"
 * accepted (case-insensitively), no spaces, NaN refused. Returns null when invalid.
 */
export function parseDouble(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 5000) return null;
  const c0 = s.charCodeAt(0);
  // strtod skips leading whitespace, but Redis rejects it (isspace check on first char)
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  const cl = s.charCodeAt(n - 1);
  if (cl === 32 || (cl >= 9 && cl <= 13)) return null;
  if (FLOAT_RE.test(s)) {
    const v = Number(s);
    return Number.isNaN(v) ? null : v;
  }
  const lower = s.toLowerCase();
  switch (lower) {
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
  }
  return null;
}
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The reply form of a double in Redis 7.0 (addReplyDouble, ZSCORE, GEODIST…):
 * printf("%.17g"), so 1.1 replies "1.1000000000000001" exactly as Redis 7.0
 * does (7.2 switched to shortest round trip; 7.0 is our reference).
 */
export function formatDouble(v: number): string {
  // every integer below 2^53 prints in full under %.17g, as String() prints it (20x faster)
  if (Number.isSafeInteger(v) && (v !== 0 || 1 / v > 0)) return intToString(v);
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Number.isNaN(v)) return 'nan';
  return formatG(v, 17);
}

/**
 * printf("%.<p>g") for finite doubles. The digits come from toExponential,
 * which is exact, but rounding there is half-up where C rounds an exact tie to
 * even (1125899906842624.25 is "1125899906842624.2" in C): so p+1 digits are
 * taken and rounded here, looking further only when the extra digit is a 5.
 */
export function formatG(v: number, p: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const neg = v < 0;
  const a = neg ? -v : v;
  const more = a.toExponential(p);
  const mi = more.indexOf('e');
  let e = Number(more.slice(mi + 1));
  const d = more[0] + more.slice(2, mi); // p+1 significant digits
  let up: boolean;
  const extra = d.charCodeAt(p);
  if (extra !== 53) up = extra > 53;
  else if (e < p && !Number.isInteger(a * 2 ** (p - e))) {
    // not an exact tie (that needs an expansion of p+1 digits, N·10^(e-p), so a·2^(p-e)
    // would be an integer), but the 5 may itself be rounded: toExponential's half-up is right
    return formatExp(neg, a.toExponential(p - 1), p);
  } else {
    const full = a.toExponential(100);
    const fd = full[0] + full.slice(2, full.indexOf('e'));
    if (fd.charCodeAt(p) !== 53) up = fd.charCodeAt(p) > 53;
    else if (!/^0*$/.test(fd.slice(p + 1))) up = true;
    else up = (fd.charCodeAt(p - 1) - 48) % 2 === 1; // exact tie: to even
  }
  let digits = d.slice(0, p);
  if (up) {
    let i = p - 1;
    while (i >= 0 && digits.charCodeAt(i) === 57) i--;
    if (i < 0) {
      digits = '1' + '0'.repeat(p - 1);
      e++;
    } else digits = digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(p - 1 - i);
  }
  return formatDigits(neg, digits, e, p);
}

/** %g from toExponential's output with p digits. */
function formatExp(neg: boolean, es: string, p: number): string {
  const ei = es.indexOf('e');
  return formatDigits(neg, es[0] + es.slice(2, ei), Number(es.slice(ei + 1)), p);
}

/** %g's layout of p significant digits with decimal exponent e: fixed or exponential, trailing zeros dropped. */
function formatDigits(neg: boolean, digits: string, e: number, p: number): string {
  digits = digits.replace(/0+$/, '');
  let out: string;
  if (e < -4 || e >= p) {
    const abs = Math.abs(e);
    out = digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '') + 'e' + (e < 0 ? '-' : '+') + (abs < 10 ? '0' + abs : abs);
  } else if (e >= 0) {
    const int = digits.length > e + 1 ? digits.slice(0, e + 1) : digits + '0'.repeat(e + 1 - digits.length);
    const frac = digits.slice(e + 1);
    out = frac.length > 0 ? int + '.' + frac : int;
  } else {
    out = '0.' + '0'.repeat(-e - 1) + digits;
  }
  return neg ? '-' + out : out;
}

/** printf("%.<d>f"): like toFixed, but exact ties round to even as glibc does. */
export function fixed(x: number, d: number): string {
  const m = 10 ** d;
  const scaled = x * m;
  const fl = Math.floor(scaled);
  if (scaled - fl === 0.5 && scaled / m === x && fl % 2 === 0) return (fl / m).toFixed(d);
  return x.toFixed(d);
}

/** Redis's bytesToHuman: "991.41K", "6.85M", "200B". */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const u of units) {
    if (d < 1024 || u === 'P') return `${fixed(d, 2)}${u}`;
    d /= 1024;
  }
  return `${n}B`;
}
