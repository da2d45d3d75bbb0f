/**
 * HdrHistogram as Redis 7.0 configures it for per-command latencies
 * (deps/hdr_histogram, hdr_init(1, 1_000_000_000, 2)): values in nanoseconds
 * from 1 ns to 1 s, two significant digits. Buckets double in width; each
 * holds 128 sub-buckets (the first one 256), so a recorded value is kept to
 * within 1/128 of itself.
 *
 * Only what Redis reads back is implemented, with its exact arithmetic:
 * hdr_value_at_percentile (INFO latencystats: the highest value equivalent to
 * the one at the percentile, the lowest for percentile 0) and the logarithmic
 * iteration LATENCY HISTOGRAM reports (hdr_iter_log_init with a first bucket
 * of 1024 ns and base 2).
 *
 * Layout (for these parameters): unit magnitude 0, 256 sub-buckets (half
 * 128, magnitude 7), 23 buckets, 24 × 128 = 3072 counters. Every value fits
 * in 31 bits, so Math.clz32 gives the bucket.
 */

export const HDR_MIN = 1;
export const HDR_MAX = 1_000_000_000;
const SUB_HALF_MAG = 7;
const SUB_HALF = 1 << SUB_HALF_MAG; // 128
const SUB_MASK = 2 * SUB_HALF - 1; // 255
const BUCKETS = 23;
const COUNTS_LEN = (BUCKETS + 1) * SUB_HALF; // 3072

/** 64 - clz64(v | mask) - (half magnitude + 1): the bucket of v (any integer below 2^53). */
function bucketIndex(v: number): number {
  const bits = v < 2 ** 31 ? 32 - Math.clz32(v | SUB_MASK) : 32 + bitLength(Math.floor(v / 2 ** 32));
  return bits - (SUB_HALF_MAG + 1);
}

function bitLength(v: number): number {
  return v < 2 ** 31 ? 32 - Math.clz32(v) : 32 + bitLength(Math.floor(v / 2 ** 32));
}

function countsIndexOf(v: number): number {
  const b = bucketIndex(v);
  const sub = v >>> b;
  return ((b + 1) << SUB_HALF_MAG) + sub - SUB_HALF;
}

/** hdr_value_at_index: the lowest value counted at index i. */
function valueAtIndex(i: number): number {
  let b = (i >> SUB_HALF_MAG) - 1;
  let sub = (i & (SUB_HALF - 1)) + SUB_HALF;
  if (b < 0) {
    sub -= SUB_HALF;
    b = 0;
  }
  return sub * 2 ** b;
}

/** lowest_equivalent_value */
export function lowestEquivalent(v: number): number {
  const b = bucketIndex(v);
  return Math.floor(v / 2 ** b) * 2 ** b;
}

/** highest_equivalent_value: the last value of v's counter's range. */
export function highestEquivalent(v: number): number {
  const b = bucketIndex(v);
  const sub = Math.floor(v / 2 ** b);
  const size = 2 ** (sub >= 2 * SUB_HALF ? b + 1 : b);
  return sub * 2 ** b + size - 1;
}

export class HdrHistogram {
  readonly counts = new Float64Array(COUNTS_LEN);
  totalCount = 0;

  /** Records v nanoseconds, clamped to [HDR_MIN, HDR_MAX] as Redis's updateCommandLatencyHistogram does. */
  record(v: number): void {
    const x = v < HDR_MIN ? HDR_MIN : v > HDR_MAX ? HDR_MAX : Math.floor(v);
    this.counts[countsIndexOf(x)]++;
    this.totalCount++;
  }

  /** hdr_value_at_percentile (0 ≤ p ≤ 100); 0 for an empty histogram. */
  valueAtPercentile(p: number): number {
    const req = p < 100 ? p : 100;
    let want = Math.floor((req / 100) * this.totalCount + 0.5);
    if (want < 1) want = 1;
    let sum = 0;
    let found = -1;
    for (let i = 0; i < COUNTS_LEN; i++) {
      sum += this.counts[i];
      if (sum >= want) {
        found = i;
        break;
      }
    }
    const v = found < 0 ? 0 : valueAtIndex(found);
    return p === 0 ? lowestEquivalent(v) : highestEquivalent(v);
  }

  /**
   * The steps of hdr_iter_log_init(h, first, base) that added counts, as
   * LATENCY HISTOGRAM reports them: [highest equivalent value of the step's
   * last counter, cumulative count] for each step whose cumulative count grew.
   */
  logBuckets(first = 1024, base = 2): [number, number][] {
    const out: [number, number][] = [];
    const total = this.totalCount;
    let idx = -1;
    let value = 0;
    let cumulative = 0;
    let level = first;
    let levelLowest = lowestEquivalent(first);
    let previous = 0;
    for (;;) {
      // log_iter_next: a step ends at the first counter at or past the
      // reporting level, or past the last counter (reported as it stands)
      if (!(cumulative < total || (idx < COUNTS_LEN && valueAtIndex(idx + 1) > levelLowest))) break;
      for (;;) {
        if (value >= levelLowest) {
          level *= base;
          levelLowest = lowestEquivalent(level);
          break;
        }
        if (++idx >= COUNTS_LEN) break;
        cumulative += this.counts[idx];
        value = valueAtIndex(idx);
      }
      if (cumulative > previous) out.push([highestEquivalent(value), cumulative]);
      previous = cumulative;
    }
    return out;
  }
}
