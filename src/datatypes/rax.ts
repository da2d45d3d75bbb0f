/**
 * An ordered map from byte-string keys to values: the role Redis's rax (a
 * radix tree) plays under streams — the index of a stream's nodes by their
 * first ID, a consumer group's and a consumer's pending entries by ID, the
 * groups and consumers by name — with the operations those need: get, set,
 * delete, and iteration from any key in either direction.
 *
 * Representation: the keys in order, cut into chunks of at most CHUNK keys
 * (each chunk a sorted array of keys beside its array of values), and the
 * chunks in an array. A lookup is two binary searches (chunk by its first
 * key, then within the chunk); an insert or delete moves at most CHUNK
 * entries plus, when a chunk splits or empties, the chunk array's pointers
 * (n / CHUNK of them). Appends at the end and deletes at the front, the
 * common shapes of stream IDs, touch only the last or first chunk. Keys
 * compare as JS strings compare (by UTF-16 code unit), which for latin1
 * keys is Redis's memcmp order and for stream IDs (encoded big-endian in
 * 16-bit units) is numeric order.
 *
 * A cursor (`RaxIterator`) walks from a seek position and stays valid while
 * the map is not changed; after a change, seek again (as Redis re-seeks a
 * raxIterator after raxRemove).
 */

import { literalPushedArrayBytes, objBytes, pushedArrayBytes } from '../util/v8-size.js';

const CHUNK = 128;

interface Chunk<V> {
  keys: string[];
  vals: V[];
}

export class Rax<V> {
  private chunks: Chunk<V>[] = [];
  size = 0;

  /** Index of the chunk that would hold key: the last whose first key is ≤ key (0 when none). */
  private chunkFor(key: string): number {
    const cs = this.chunks;
    let lo = 0;
    let hi = cs.length - 1;
    if (hi <= 0) return 0;
    // fast paths: the last chunk (appends) and the first (the front)
    if (cs[hi].keys[0] <= key) return hi;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cs[mid].keys[0] <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First index in keys with keys[i] ≥ key. */
  private static lowerBound(keys: string[], key: string): number {
    let lo = 0;
    let hi = keys.length;
    if (hi > 0 && keys[hi - 1] < key) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(key: string): V | undefined {
    if (this.size === 0) return undefined;
    const c = this.chunks[this.chunkFor(key)];
    const i = Rax.lowerBound(c.keys, key);
    return i < c.keys.length && c.keys[i] === key ? c.vals[i] : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Inserts or replaces; returns true when the key is new. */
  set(key: string, val: V): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [key], vals: [val] });
      this.size = 1;
      return true;
    }
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    const i = Rax.lowerBound(c.keys, key);
    if (i < c.keys.length && c.keys[i] === key) {
      c.vals[i] = val;
      return false;
    }
    if (i === c.keys.length) {
      c.keys.push(key);
      c.vals.push(val);
    } else {
      c.keys.splice(i, 0, key);
      c.vals.splice(i, 0, val);
    }
    this.size++;
    if (c.keys.length > CHUNK) {
      // split: an append-only chunk keeps most of its keys, a middle one halves
      const at = i === c.keys.length - 1 ? CHUNK : CHUNK >> 1;
      const nc = { keys: c.keys.splice(at), vals: c.vals.splice(at) };
      this.chunks.splice(ci + 1, 0, nc);
    }
    return true;
  }

  /** Removes key; returns its value, or undefined when absent. */
  delete(key: string): V | undefined {
    if (this.size === 0) return undefined;
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    const i = Rax.lowerBound(c.keys, key);
    if (i >= c.keys.length || c.keys[i] !== key) return undefined;
    const v = c.vals[i];
    if (i === 0) {
      c.keys.shift();
      c.vals.shift();
    } else {
      c.keys.splice(i, 1);
      c.vals.splice(i, 1);
    }
    this.size--;
    if (c.keys.length === 0) this.chunks.splice(ci, 1);
    return v;
  }

  /**
   * Bytes of the map's own structure, without its keys and values: the
   * object, the chunk array and each chunk (an object and its two arrays).
   */
  containerBytes(): number {
    let b = objBytes(2) + pushedArrayBytes(this.chunks.length);
    // a chunk's arrays start as one-element literals ({ keys: [key], vals: [val] }) and grow by push
    for (const c of this.chunks) b += objBytes(2) + 2 * literalPushedArrayBytes(c.keys.length);
    return b;
  }

  clear(): void {
    this.chunks = [];
    this.size = 0;
  }

  /** The smallest key's entry, or null. */
  first(): [string, V] | null {
    if (this.size === 0) return null;
    const c = this.chunks[0];
    return [c.keys[0], c.vals[0]];
  }

  /** The largest key's entry, or null. */
  last(): [string, V] | null {
    if (this.size === 0) return null;
    const c = this.chunks[this.chunks.length - 1];
    return [c.keys[c.keys.length - 1], c.vals[c.vals.length - 1]];
  }

  /** The value of the smallest key, or undefined. */
  firstValue(): V | undefined {
    return this.size === 0 ? undefined : this.chunks[0].vals[0];
  }

  /** The value of the largest key, or undefined. */
  lastValue(): V | undefined {
    if (this.size === 0) return undefined;
    const c = this.chunks[this.chunks.length - 1];
    return c.vals[c.vals.length - 1];
  }

  /**
   * A cursor at the first key ≥ key (op '>='), > key ('>'), the last key
   * ≤ key ('<='), < key ('<'), the first key ('^') or the last ('$').
   * `valid` tells whether it stands on an entry.
   */
  seek(op: '>=' | '>' | '<=' | '<' | '^' | '$', key = ''): RaxIterator<V> {
    const it = new RaxIterator(this.chunks);
    if (this.size === 0) return it;
    if (op === '^') {
      it.at(0, 0);
      return it;
    }
    if (op === '$') {
      const ci = this.chunks.length - 1;
      it.at(ci, this.chunks[ci].keys.length - 1);
      return it;
    }
    const ci = this.chunkFor(key);
    const c = this.chunks[ci];
    let i = Rax.lowerBound(c.keys, key);
    const exact = i < c.keys.length && c.keys[i] === key;
    if (op === '>=' || op === '>') {
      if (op === '>' && exact) i++;
      it.at(ci, i);
      if (i >= c.keys.length) it.normalizeForward();
      // a key below the first chunk's first key: lowerBound gave 0 of chunk 0
      return it;
    }
    // '<=' / '<': the entry before lowerBound, or the exact one for '<='
    if (op === '<=' && exact) {
      it.at(ci, i);
      return it;
    }
    it.at(ci, i - 1);
    if (i - 1 < 0) it.normalizeBackward();
    return it;
  }

  /** Every entry in key order. */
  *entries(): IterableIterator<[string, V]> {
    for (const c of this.chunks) for (let i = 0; i < c.keys.length; i++) yield [c.keys[i], c.vals[i]];
  }

  /** Every value in key order. */
  *values(): IterableIterator<V> {
    for (const c of this.chunks) for (let i = 0; i < c.vals.length; i++) yield c.vals[i];
  }

  /** Calls fn for every entry in key order, until it returns false. */
  forEach(fn: (key: string, val: V) => boolean | void): void {
    for (const c of this.chunks) for (let i = 0; i < c.keys.length; i++) if (fn(c.keys[i], c.vals[i]) === false) return;
  }
}

/** A position in a Rax (see Rax.seek); valid until the map changes. */
export class RaxIterator<V> {
  private ci = 0;
  private i = -1;
  valid = false;
  key = '';
  value: V = undefined as V;

  constructor(private readonly chunks: Chunk<V>[]) {}

  /** @internal */
  at(ci: number, i: number): void {
    this.ci = ci;
    this.i = i;
    this.load();
  }

  private load(): void {
    const c = this.chunks[this.ci];
    if (c !== undefined && this.i >= 0 && this.i < c.keys.length) {
      this.valid = true;
      this.key = c.keys[this.i];
      this.value = c.vals[this.i];
    } else this.valid = false;
  }

  /** @internal past a chunk's end: the next chunk's first entry */
  normalizeForward(): void {
    const c = this.chunks[this.ci];
    if (c !== undefined && this.i >= c.keys.length) {
      this.ci++;
      this.i = 0;
    }
    this.load();
  }

  /** @internal before a chunk's start: the previous chunk's last entry */
  normalizeBackward(): void {
    if (this.i < 0) {
      this.ci--;
      this.i = this.ci >= 0 ? this.chunks[this.ci].keys.length - 1 : -1;
    }
    this.load();
  }

  /** Moves to the next key; returns valid. */
  next(): boolean {
    if (!this.valid) return false;
    this.i++;
    this.normalizeForward();
    return this.valid;
  }

  /** Moves to the previous key; returns valid. */
  prev(): boolean {
    if (!this.valid) return false;
    this.i--;
    this.normalizeBackward();
    return this.valid;
  }
}
