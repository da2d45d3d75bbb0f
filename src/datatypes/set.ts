/**
 * SetValue: the value of a Redis set key, in one of Redis 7.0's two
 * encodings (t_set.c):
 * - "intset": every member is a canonical int64 string (string2ll rules: no
 *   '+', no leading zeros, no "-0") and there are at most
 *   set-max-intset-entries members. Held as an IntSet (sorted typed array),
 *   iterated in ascending numeric order, as Redis does.
 * - "hashtable": a Dict (datatypes/dict.ts) whose keys are the members (values
 *   unused). Iteration is slab order; SCAN uses the Dict's reverse-binary
 *   cursor. Up to SMALL_MAX members the hashtable encoding is held as a plain
 *   array searched linearly instead (`arr`): a Dict's typed arrays cost about
 *   1 KB, which would make a million 10-member sets take twice Redis's memory,
 *   and a scan of 16 strings is as fast as hashing one. OBJECT ENCODING still
 *   says "hashtable" (Redis 7.0 has no small form for non-integer sets);
 *   SSCAN returns such a set whole with cursor 0, as it does an intset. The
 *   array becomes a Dict on the (SMALL_MAX+1)th member, one way.
 * Conversion is one way, intset → hashtable, on the insert of a non-integer
 * member or of the member that takes the count past the limit (Redis's
 * setTypeAdd + setTypeConvert). Removals never convert back.
 *
 * A new set takes the encoding of its first member (Redis's setTypeCreate): an
 * intset when that member is an integer, else a hashtable — even if the limit
 * is 0, in which case the first add converts it.
 *
 * An RObj (datatypes/object.ts): what a set key holds.
 */
import type { RObj } from './object.js';
import { Dict } from './dict.js';
import { IntSet } from './intset.js';
import { parseInt64 } from '../util/numbers.js';
import { objBytes, pushedArrayBytes, strBytes } from '../util/v8-size.js';

export type SetEncoding = 'intset' | 'hashtable';

/** The most members the hashtable encoding keeps in a flat array. */
export const SMALL_MAX = 16;

export class SetValue implements RObj {
  /** the intset form, or null once converted */
  is: IntSet | null;
  /** the small hashtable form (at most SMALL_MAX members), or null */
  arr: string[] | null;
  /** the hashtable form, or null while an intset or small */
  ht: Dict<null> | null;

  private constructor(is: IntSet | null, arr: string[] | null, ht: Dict<null> | null) {
    this.is = is;
    this.arr = arr;
    this.ht = ht;
  }

  /** An empty intset-encoded set (Redis's createIntsetObject, used for results). */
  static intset(): SetValue {
    return new SetValue(new IntSet(), null, null);
  }

  /** An empty hashtable-encoded set. */
  static hashtable(): SetValue {
    return new SetValue(null, [], null);
  }

  /** An empty set with the encoding Redis's setTypeCreate picks for `first`. */
  static forMember(first: string): SetValue {
    return parseInt64(first) !== null ? SetValue.intset() : SetValue.hashtable();
  }

  /** On the prototype, not a field: one word less per set. */
  get type(): 'set' {
    return 'set';
  }

  encoding(): SetEncoding {
    return this.is !== null ? 'intset' : 'hashtable';
  }

  /** an intset is one allocation; a hashtable one per member */
  freeEffort(): number {
    return this.is !== null ? 1 : this.size;
  }

  /**
   * The object and its form: the intset's typed array; the small form's
   * array and strings; the Dict's table and its member strings (sampled).
   */
  memoryUsage(samples: number): number {
    let b = objBytes(3);
    if (this.is !== null) return b + this.is.memoryUsage();
    const arr = this.arr;
    if (arr !== null) {
      b += pushedArrayBytes(arr.length);
      for (const m of arr) b += strBytes(m.length);
      return b;
    }
    const ht = this.ht!;
    const [keyBytes, seen] = ht.sampleKeyBytes(samples, strBytes);
    return b + ht.tableBytes() + (seen === 0 ? 0 : Math.round((keyBytes / seen) * ht.size));
  }

  get size(): number {
    if (this.is !== null) return this.is.length;
    return this.arr !== null ? this.arr.length : this.ht!.size;
  }

  /** Every member when the set is held flat (intset or small hashtable), else null (walk `ht`). */
  flatMembers(): string[] | null {
    if (this.is !== null) return this.members();
    return this.arr !== null ? this.arr.slice() : null;
  }

  /**
   * Adds member; returns false when it was already there. `maxIntset` is
   * set-max-intset-entries: an intset converts when it would exceed it or
   * when member is not an integer.
   */
  add(member: string, maxIntset: number): boolean {
    const is = this.is;
    if (is !== null) {
      const v = parseInt64(member);
      if (v !== null) {
        if (!is.add(v)) return false;
        if (is.length > maxIntset) this.toHashtable();
        return true;
      }
      this.toHashtable();
    }
    const arr = this.arr;
    if (arr !== null) {
      if (arr.indexOf(member) !== -1) return false;
      if (arr.length < SMALL_MAX) {
        arr.push(member);
        return true;
      }
      this.arrToDict();
    }
    const ht = this.ht!;
    if (ht.find(member) !== -1) return false;
    ht.insertNew(member, null);
    return true;
  }

  /** Removes member; returns false when it was absent. */
  remove(member: string): boolean {
    if (this.is !== null) {
      const v = parseInt64(member);
      return v !== null && this.is.remove(v);
    }
    const arr = this.arr;
    if (arr !== null) {
      const i = arr.indexOf(member);
      if (i === -1) return false;
      arr.splice(i, 1);
      return true;
    }
    return this.ht!.delete(member) !== -1;
  }

  has(member: string): boolean {
    if (this.is !== null) {
      const v = parseInt64(member);
      return v !== null && this.is.has(v);
    }
    if (this.arr !== null) return this.arr.indexOf(member) !== -1;
    return this.ht!.find(member) !== -1;
  }

  /** A uniformly random member (size > 0). */
  random(): string {
    if (this.is !== null) return this.is.member(this.is.randomIndex());
    if (this.arr !== null) return this.arr[Math.floor(Math.random() * this.arr.length)];
    const ht = this.ht!;
    return ht.keys[ht.randomSlot()]!;
  }

  /** Removes and returns a uniformly random member (size > 0). */
  pop(): string {
    if (this.is !== null) {
      const i = this.is.randomIndex();
      const m = this.is.member(i);
      this.is.removeAt(i);
      return m;
    }
    const arr = this.arr;
    if (arr !== null) {
      const i = Math.floor(Math.random() * arr.length);
      const m = arr[i];
      arr[i] = arr[arr.length - 1];
      arr.pop();
      return m;
    }
    const ht = this.ht!;
    const m = ht.keys[ht.randomSlot()]!;
    ht.delete(m);
    return m;
  }

  /**
   * Calls fn for every member in iteration order (intset: ascending; hashtable:
   * slab order) until fn returns false. fn must not mutate the set.
   */
  forEach(fn: (member: string) => boolean | void): void {
    const is = this.is;
    if (is !== null) {
      for (let i = 0; i < is.length; i++) if (fn(is.member(i)) === false) return;
      return;
    }
    const arr = this.arr;
    if (arr !== null) {
      for (let i = 0; i < arr.length; i++) if (fn(arr[i]) === false) return;
      return;
    }
    const ht = this.ht!;
    const keys = ht.keys;
    const top = ht.top;
    for (let s = 0; s < top; s++) {
      const k = keys[s];
      if (k !== undefined && fn(k) === false) return;
    }
  }

  /** Every member, in iteration order. */
  members(): string[] {
    const out: string[] = new Array(this.size);
    let i = 0;
    this.forEach((m) => {
      out[i++] = m;
    });
    return out;
  }

  /** Redis's setTypeConvert to OBJ_ENCODING_HT (one way). */
  toHashtable(): void {
    const is = this.is;
    if (is === null) return;
    this.is = null;
    if (is.length <= SMALL_MAX) {
      const arr: string[] = [];
      for (let i = 0; i < is.length; i++) arr.push(is.member(i));
      this.arr = arr;
      return;
    }
    const ht = new Dict<null>();
    for (let i = 0; i < is.length; i++) ht.insertNew(is.member(i), null);
    this.ht = ht;
  }

  private arrToDict(): void {
    const ht = new Dict<null>();
    for (const m of this.arr!) ht.insertNew(m, null);
    this.ht = ht;
    this.arr = null;
  }

  dup(): SetValue {
    if (this.is !== null) return new SetValue(this.is.dup(), null, null);
    if (this.arr !== null) return new SetValue(null, this.arr.slice(), null);
    const ht = new Dict<null>();
    this.forEach((m) => {
      ht.insertNew(m, null);
    });
    return new SetValue(null, null, ht);
  }
}
