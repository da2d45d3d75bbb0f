/**
 * IntSet: a sorted set of distinct int64 values in one flat typed array, the
 * counterpart of Redis's intset.c (the compact encoding of small all-integer
 * sets, OBJECT ENCODING "intset").
 *
 * Design
 * - Values are kept in ascending order in a typed array, so membership is a
 *   binary search (O(log n)) and iteration is ascending numeric order — the
 *   order Redis's SMEMBERS/SSCAN/SINTER… return for an intset.
 * - As Redis's intset upgrades its element width (int16 → int32 → int64) when
 *   a value does not fit, the array widens one way: Int16Array → Int32Array →
 *   Float64Array (every value a safe integer, |v| ≤ 2^53−1) → BigInt64Array
 *   (some value beyond 2^53, where a double is no longer exact). Widths never
 *   shrink on removal, as in Redis.
 * - Values travel as `number` when safe and `bigint` otherwise — exactly what
 *   util/numbers.ts parseInt64 returns. In the BigInt64Array width every stored
 *   value is a bigint and arguments are converted to bigint before comparing.
 * - Insertion and removal shift the tail (O(n)), as Redis's memmove; the
 *   caller keeps n small (set-max-intset-entries). Capacity grows by 1.5x so a
 *   run of inserts is not quadratic in allocations; `compact()` trims it.
 *
 * Invariants: arr[0..len) strictly ascending; every value fits the width.
 */

import { objBytes, typedBytes } from '../util/v8-size.js';

export type IntVal = number | bigint;
type Arr = Int16Array | Int32Array | Float64Array | BigInt64Array;

const I16_MIN = -32768;
const I16_MAX = 32767;
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** The narrowest width (0: int16, 1: int32, 2: safe double, 3: bigint) that holds v. */
function widthOf(v: IntVal): number {
  if (typeof v === 'bigint') return 3;
  if (v >= I16_MIN && v <= I16_MAX) return 0;
  if (v >= I32_MIN && v <= I32_MAX) return 1;
  return 2;
}

function alloc(width: number, cap: number): Arr {
  switch (width) {
    case 0:
      return new Int16Array(cap);
    case 1:
      return new Int32Array(cap);
    case 2:
      return new Float64Array(cap);
    default:
      return new BigInt64Array(cap);
  }
}

export class IntSet {
  private arr: Arr;
  private width: number;
  length = 0;

  constructor(cap = 4) {
    this.arr = new Int16Array(cap);
    this.width = 0;
  }

  /** The value at index i (0 ≤ i < length), ascending. */
  get(i: number): IntVal {
    return this.arr[i];
  }

  /** The decimal string of the value at index i (a set member as Redis prints it). */
  member(i: number): string {
    return String(this.arr[i]);
  }

  /** Bytes per element of the current width: 2, 4, or 8 (both 64-bit widths), as Redis's intset encoding. */
  get elementBytes(): number {
    return this.arr.BYTES_PER_ELEMENT;
  }

  /** Bytes held by the element array (for memory reports). */
  get byteSize(): number {
    return this.arr.byteLength;
  }

  /** Bytes of the object and its typed array (V8's sizes). */
  memoryUsage(): number {
    return objBytes(3) + typedBytes(this.arr.byteLength);
  }

  /**
   * Binary search: the index of v, or -(insertion point) - 1 when absent.
   */
  search(v: IntVal): number {
    const arr = this.arr;
    let x: IntVal = v;
    if (this.width === 3) {
      if (typeof x === 'number') x = BigInt(x);
    } else if (typeof x === 'bigint') {
      // beyond every stored value (all are safe integers)
      return x < 0n ? -1 : -this.length - 1;
    }
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = arr[mid];
      if (m < x) lo = mid + 1;
      else if (m > x) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  has(v: IntVal): boolean {
    return this.search(v) >= 0;
  }

  /** Adds v; returns false when it was already present. */
  add(v: IntVal): boolean {
    const w = widthOf(v);
    if (w > this.width) {
      // Redis's intsetUpgradeAndAdd: v lies beyond every stored value
      this.upgrade(w);
    }
    let pos = this.search(v);
    if (pos >= 0) return false;
    pos = -pos - 1;
    if (this.length === this.arr.length) this.grow();
    const arr = this.arr;
    arr.copyWithin(pos + 1, pos, this.length);
    if (this.width === 3) (arr as BigInt64Array)[pos] = BigInt(v);
    else (arr as Float64Array)[pos] = v as number;
    this.length++;
    return true;
  }

  /** Removes v; returns false when it was absent. */
  remove(v: IntVal): boolean {
    const pos = this.search(v);
    if (pos < 0) return false;
    this.arr.copyWithin(pos, pos + 1, this.length);
    this.length--;
    return true;
  }

  /** Removes the value at index i. */
  removeAt(i: number): void {
    this.arr.copyWithin(i, i + 1, this.length);
    this.length--;
  }

  /** A uniformly random index (length > 0). */
  randomIndex(): number {
    return Math.floor(Math.random() * this.length);
  }

  /** Trims the capacity to the length (after a bulk build). */
  compact(): void {
    if (this.arr.length > this.length + 2) {
      const a = alloc(this.width, Math.max(this.length, 1));
      copyInto(a, this.arr, this.length, this.width);
      this.arr = a;
    }
  }

  dup(): IntSet {
    const c = new IntSet(0);
    c.width = this.width;
    c.arr = this.arr.slice(0, Math.max(this.length, 1)) as Arr;
    c.length = this.length;
    return c;
  }

  private grow(): void {
    const cap = this.arr.length < 4 ? 4 : this.arr.length + (this.arr.length >>> 1);
    const a = alloc(this.width, cap);
    copyInto(a, this.arr, this.length, this.width);
    this.arr = a;
  }

  private upgrade(width: number): void {
    const a = alloc(width, Math.max(this.arr.length, 4));
    const old = this.arr;
    const n = this.length;
    if (width === 3) {
      for (let i = 0; i < n; i++) (a as BigInt64Array)[i] = BigInt(old[i] as number);
    } else {
      for (let i = 0; i < n; i++) (a as Float64Array)[i] = old[i] as number;
    }
    this.arr = a;
    this.width = width;
  }
}

function copyInto(dst: Arr, src: Arr, n: number, width: number): void {
  if (width === 3) (dst as BigInt64Array).set((src as BigInt64Array).subarray(0, n));
  else (dst as Float64Array).set((src as Float64Array).subarray(0, n));
}
