/**
 * jemalloc's size classes, for figures Redis reports from zmalloc_size
 * (MEMORY USAGE, CLIENT LIST's qbuf-free, rbs and tot-mem): an allocation
 * of n bytes really takes the next class up — 8, 16, 32, 48 … 128 in steps
 * of 16, then four classes per doubling (160, 192, 224, 256, 320 …).
 */

/** jemalloc's size class for an allocation of n bytes (what zmalloc_size reports). */
export function jeSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  // four classes per doubling above 128
  const p = 2 ** Math.floor(Math.log2(n - 1));
  const step = p / 4;
  return Math.ceil(n / step) * step;
}
