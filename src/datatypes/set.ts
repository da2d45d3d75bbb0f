/**
 * SetValue: the value of a Redis set key, in one of Redis 7.0's two
 * encodings (t_set.c):
 * - "intset": every member is a canonical int64 string (string2ll rules: no
 *   '+', no leading zeros, no "-0") and there are at most
 *   set-max-intset-entries members. Held as an IntSet (sorted typed array),
 *   iterated in ascending numeric order, as Redis does.
 * - "hashtable": a Dict (datatypes/dict.ts) whose keys are the members (values
 *   unused). Iteration is slab order; SCAN uses the Dict's reverse-binary
 *   cursor.
 * Conversion is one way, intset → hashtable, on the insert of a non-integer
 * member or of the member that takes the count past the limit (Redis's
 * setTypeAdd + setTypeConvert). Removals never convert back.
 *
 * A new set takes the encoding of its first member (Redis's setTypeCreate): an
 * intset when that member is an integer, else a hashtable — even if the limit
 * is 0, in which case the first add converts it.
 *
 * Structurally an RObj (type, encoding(), dup()) without importing keyspace/.
 */
import { Dict } from './dict.js';
import { IntSet } from './intset.js';
import { parseInt64 } from '../util/numbers.js';

export type SetEncoding = 'intset' | 'hashtable';

export class SetValue {
  readonly type = 'set' as const;
  /** the intset form, or null once converted */
  is: IntSet | null;
  /** the hashtable form, or null while an intset */
  ht: Dict<null> | null;

  private constructor(is: IntSet | null, ht: Dict<null> | null) {
    this.is = is;
    this.ht = ht;
  }

  /** An empty intset-encoded set (Redis's createIntsetObject, used for results). */
  static intset(): SetValue {
    return new SetValue(new IntSet(), null);
  }

  /** An empty hashtable-encoded set. */
  static hashtable(): SetValue {
    return new SetValue(null, new Dict<null>());
  }

  /** An empty set with the encoding Redis's setTypeCreate picks for `first`. */
  static forMember(first: string): SetValue {
    return parseInt64(first) !== null ? SetValue.intset() : SetValue.hashtable();
  }

  encoding(): SetEncoding {
    return this.is !== null ? 'intset' : 'hashtable';
  }

  get size(): number {
    return this.is !== null ? this.is.length : this.ht!.size;
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
    return this.ht!.delete(member) !== -1;
  }

  has(member: string): boolean {
    if (this.is !== null) {
      const v = parseInt64(member);
      return v !== null && this.is.has(v);
    }
    return this.ht!.find(member) !== -1;
  }

  /** A uniformly random member (size > 0). */
  random(): string {
    if (this.is !== null) return this.is.member(this.is.randomIndex());
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
    const ht = new Dict<null>();
    for (let i = 0; i < is.length; i++) ht.insertNew(is.member(i), null);
    this.ht = ht;
    this.is = null;
  }

  dup(): SetValue {
    if (this.is !== null) return new SetValue(this.is.dup(), null);
    const ht = new Dict<null>();
    this.forEach((m) => {
      ht.insertNew(m, null);
    });
    return new SetValue(null, ht);
  }
}
