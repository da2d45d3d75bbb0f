/**
 * pqsort: Redis's partial quicksort (pqsort.c, the NetBSD libc qsort of
 * Bentley & McIlroy's "Engineering a Sort Function" changed to sort only
 * what overlaps a range of positions). GEOSEARCH/GEORADIUS with COUNT sort
 * their matches with it; it is not stable, so elements that compare equal
 * (points at the same distance) come out in the order this exact algorithm
 * leaves them, which is what a reply equal to Redis's needs. Ported step by
 * step on an array (element swaps for the C's byte swaps of fixed-size
 * records), with its median-of-three pivots and insertion sort below 7
 * elements. Redis 7.0's copy has no switch to insertion sort after a
 * partition without swaps (NetBSD's swap_cnt), and neither has this one.
 */

export type Compare<T> = (a: T, b: T) => number;

function med3<T>(a: T[], i: number, j: number, k: number, cmp: Compare<T>): number {
  return cmp(a[i], a[j]) < 0 ? (cmp(a[j], a[k]) < 0 ? j : cmp(a[i], a[k]) < 0 ? k : i) : cmp(a[j], a[k]) > 0 ? j : cmp(a[i], a[k]) < 0 ? i : k;
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** vecswap: swaps the n elements from i with the n from j, pairwise in order. */
function vecswap<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function insertionSort<T>(a: T[], base: number, n: number, cmp: Compare<T>): void {
  for (let pm = base + 1; pm < base + n; pm++) for (let pl = pm; pl > base && cmp(a[pl - 1], a[pl]) > 0; pl--) swap(a, pl, pl - 1);
}

/** _pqsort over a[base, base + n); lrange..rrange are the positions (inclusive) that must end up sorted. */
function pqsortRange<T>(a: T[], base: number, n: number, cmp: Compare<T>, lrange: number, rrange: number): void {
  for (;;) {
    if (n < 7) {
      insertionSort(a, base, n, cmp);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(a, pm - d, pm, pm + d, cmp);
        pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb], a[base])) <= 0) {
        if (r === 0) {
          swap(a, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc], a[base])) >= 0) {
        if (r === 0) {
          swap(a, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb, pc);
      pb++;
      pc--;
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    vecswap(a, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(a, pb, pn - r, r);
    r = pb - pa;
    if (r > 1) {
      const l = base;
      const rr = base + r - 1;
      if (!((lrange < l && rrange < l) || (lrange > rr && rrange > rr))) pqsortRange(a, base, r, cmp, lrange, rrange);
    }
    r = pd - pc;
    if (r <= 1) return;
    // iterate rather than recurse
    base = pn - r;
    n = r;
    const l = base;
    const rr = base + r - 1;
    if ((lrange < l && rrange < l) || (lrange > rr && rrange > rr)) return;
  }
}

/**
 * pqsort(a, n, cmp, lrange, rrange): sorts a[0, n) enough that positions
 * lrange..rrange hold what a full sort would put there (Redis's order).
 */
export function pqsort<T>(a: T[], n: number, cmp: Compare<T>, lrange: number, rrange: number): void {
  pqsortRange(a, 0, n, cmp, lrange, rrange);
}
