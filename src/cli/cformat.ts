/**
 * The few C printf conversions gkv-cli's modes print numbers with, so their
 * lines match redis-cli's byte for byte: "%.2f" rounds an exact tie to even
 * (glibc) where Number.prototype.toFixed rounds it up; "%05.2f" pads with
 * zeros; NaN and infinities print as glibc prints them.
 */

/** printf("%.<digits>f", x) as glibc prints it. */
export function fixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return x < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  const scale = 10 ** digits;
  const scaled = Math.abs(x) * scale;
  // an exact binary tie (0.125 → "0.12"): glibc rounds to even, toFixed away from zero
  if (Number.isInteger(scaled * 2) && !Number.isInteger(scaled) && scaled < 2 ** 52) {
    const down = Math.floor(scaled);
    const n = down % 2 === 0 ? down : down + 1;
    const s = (n / scale).toFixed(digits);
    return x < 0 ? '-' + s : s;
  }
  return x.toFixed(digits);
}

/** printf("%0<width>.<digits>f", x): zero padded after the sign; nan/inf padded with spaces. */
export function fixedZeroPad(x: number, width: number, digits: number): string {
  const s = fixed(x, digits);
  if (!Number.isFinite(x)) return s.padStart(width);
  if (s.startsWith('-')) return '-' + s.slice(1).padStart(width - 1, '0');
  return s.padStart(width, '0');
}

/** redis-cli's bytesToHuman: 1023B, 1.00K, 14.10M ... up to P, with two decimals. */
export function bytesToHuman(n: number): string {
  let sign = '';
  if (n < 0) {
    sign = '-';
    n = -n;
  }
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${sign}${n}B`;
  for (let i = 0; i < units.length; i++) {
    if (n < 1024 ** (i + 2)) return `${sign}${fixed(n / 1024 ** (i + 1), 2)}${units[i]}`;
  }
  return `${sign}${n}B`;
}
