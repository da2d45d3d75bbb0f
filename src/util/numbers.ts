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
    case 'inf': case '+inf': case 'infinity': case '+infinity': return Infinity;
    case '-inf': case '-infinity': return -Infinity;
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
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Number.isNaN(v)) return 'nan';
  return formatG(v, 17);
}

/** printf("%.<p>g") for finite non-zero doubles. */
export function formatG(v: number, p: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const es = v.toExponential(p - 1);
  const e = Number(es.split('e')[1]);
  if (e < -4 || e >= p) {
    let [mant, ex] = es.split('e');
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const en = Number(ex);
    const abs = Math.abs(en);
    return `${mant}e${en < 0 ? '-' : '+'}${abs < 10 ? '0' + abs : abs}`;
  }
  let s = v.toFixed(Math.max(0, p - 1 - e));
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}
