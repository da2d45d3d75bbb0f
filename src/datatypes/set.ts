/**
 * SetValue: the value of a Redis set key, in one of Redis 7.0's two
 * encodings (t_set.c):
 * - "intset": every member is a canonical int64 string (string2ll rules: no
 *   '+', no leading zeros, no "-0") and there are at most
 *   set-max-intset-entries members. Held as an intset string (datatypes/
 *   intset.ts: the values packed as Redis packs them), iterated in ascending
 *   numeric order, as Redis does.
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
 * One field holds whichever form the set has (`p`: a string is the intset,
 * an array the small form, else the Dict), so a set object is 32 bytes, and
 * a 10-integer set 72 with its intset (MEMORY USAGE within 2x of Redis's for
 * intsets of 1 to 512 elements: test/differential/memory-usage.diff.test.ts).
 * Intsets are immutable strings, so dup() shares it.
 *
 * An RObj (datatypes/object.ts): what a set key holds.
 */
import type { RObj } from './object.js';
import { Dict } from './dict.js';
import { type IntVal, intsetAdd, intsetAddAll, intsetBytes, intsetEmpty, intsetFind, intsetForEach, intsetLength, intsetMember, intsetMembers, intsetRemove, intsetRemoveAt } from './intset.js';
import { parseInt64 } from '../util/numbers.js';
import { objBytes, pushedArrayBytes, strBytes } from '../util/v8-size.js';

export type SetEncoding = 'intset' | 'hashtable';

/** The most members the hashtable encoding keeps in a flat array. */
export const SMALL_MAX = 16;

export class SetValue implements RObj {
  /** the members: the intset (a string), the small hashtable form (an array), or the Dict */
  private p: string | string[] | Dict<null>;

  private constructor(p: string | string[] | Dict<null>) {
    this.p = p;
  }

  /** An empty intset-encoded set (Redis's createIntsetObject, used for results). */
  static intset(): SetValue {
    return new SetValue(intsetEmpty());
  }

  /** A set holding the intset s (datatypes/intset.ts), as loaded. */
  static fromIntset(s: string): SetValue {
    return new SetValue(s);
  }

  /** An empty hashtable-encoded set. */
  static hashtable(): SetValue {
    return new SetValue([]);
  }

  /** An empty set with the encoding Redis's setTypeCreate picks for `first`. */
  static forMember(first: string): SetValue {
    return parseInt64(first) !== null ? SetValue.intset() : SetValue.hashtable();
  }

  /** On the prototype, not a field: one word less per set. */
  get type(): 'set' {
    return 'set';
  }

  /** The intset (datatypes/intset.ts) while the set has that encoding, else null. */
  get intset(): string | null {
    return typeof this.p === 'string' ? this.p : null;
  }

  /** The Dict of a hashtable set past SMALL_MAX members, else null. */
  get ht(): Dict<null> | null {
    return this.p instanceof Dict ? this.p : null;
  }

  encoding(): SetEncoding {
    return typeof this.p === 'string' ? 'intset' : 'hashtable';
  }

  /** an intset is one allocation; a hashtable one per member */
  freeEffort(): number {
    return typeof this.p === 'string' ? 1 : this.size;
  }

  /**
   * The object and its form: the intset's string; the small form's array
   * and strings; the Dict's table and its member strings (sampled).
   */
  memoryUsage(samples: number): number {
    const b = objBytes(1);
    const p = this.p;
    if (typeof p === 'string') return b + intsetBytes(p);
    if (Array.isArray(p)) {
      let a = b + pushedArrayBytes(p.length);
      for (const m of p) a += strBytes(m.length);
      return a;
    }
    const [keyBytes, seen] = p.sampleKeyBytes(samples, strBytes);
    return b + p.tableBytes() + (seen === 0 ? 0 : Math.round((keyBytes / seen) * p.size));
  }

  get size(): number {
    const p = this.p;
    if (typeof p === 'string') return intsetLength(p);
    return Array.isArray(p) ? p.length : p.size;
  }

  /** Every member when the set is held flat (intset or small hashtable), else null (walk `ht`). */
  flatMembers(): string[] | null {
    const p = this.p;
    if (typeof p === 'string') return intsetMembers(p);
    return Array.isArray(p) ? p.slice() : null;
  }

  /**
   * Adds member; returns false when it was already there. `maxIntset` is
   * set-max-intset-entries: an intset converts when it would exceed it or
   * when member is not an integer.
   */
  add(member: string, maxIntset: number): boolean {
    let p = this.p;
    if (typeof p === 'string') {
      const v = parseInt64(member);
      if (v !== null) {
        const q = intsetAdd(p, v);
        if (q === p) return false;
        this.p = q;
        if (intsetLength(q) > maxIntset) this.toHashtable();
        return true;
      }
      this.toHashtable();
      p = this.p;
    }
    if (Array.isArray(p)) {
      if (p.indexOf(member) !== -1) return false;
      if (p.length < SMALL_MAX) {
        p.push(member);
        return true;
      }
      p = this.arrToDict(p);
    }
    const ht = p as Dict<null>;
    if (ht.find(member) !== -1) return false;
    ht.insertNew(member, null);
    return true;
  }

  /**
   * Adds members[from..] in order, as add() one by one; returns how many
   * were new. While the set is an intset, the leading integer members go in
   * as one batch (one copy of the intset, not one per member).
   */
  addAll(members: readonly string[], from: number, maxIntset: number): number {
    let added = 0;
    let j = from;
    const p = this.p;
    if (typeof p === 'string' && members.length - from > 1) {
      const vals: IntVal[] = [];
      for (let k = from; k < members.length; k++) {
        const v = parseInt64(members[k]);
        if (v === null) break;
        vals.push(v);
      }
      if (vals.length > 1) {
        const r = intsetAddAll(p, vals, maxIntset);
        this.p = r.s;
        added = r.added;
        j = from + r.taken;
      }
    }
    for (; j < members.length; j++) if (this.add(members[j], maxIntset)) added++;
    return added;
  }

  /** Removes member; returns false when it was absent. */
  remove(member: string): boolean {
    const p = this.p;
    if (typeof p === 'string') {
      const v = parseInt64(member);
      if (v === null) return false;
      const q = intsetRemove(p, v);
      if (q === p) return false;
      this.p = q;
      return true;
    }
    if (Array.isArray(p)) {
      const i = p.indexOf(member);
      if (i === -1) return false;
      p.splice(i, 1);
      return true;
    }
    return p.delete(member) !== -1;
  }

  has(member: string): boolean {
    const p = this.p;
    if (typeof p === 'string') {
      const v = parseInt64(member);
      return v !== null && intsetFind(p, v);
    }
    if (Array.isArray(p)) return p.indexOf(member) !== -1;
    return p.find(member) !== -1;
  }

  /** Is the integer v (as parseInt64 gives it: its decimal string is the member) a member? No string for an intset. */
  hasInt(v: IntVal): boolean {
    const p = this.p;
    if (typeof p === 'string') return intsetFind(p, v);
    return this.has(String(v));
  }

  /** A uniformly random member (size > 0). */
  random(): string {
    const p = this.p;
    if (typeof p === 'string') return intsetMember(p, Math.floor(Math.random() * intsetLength(p)));
    if (Array.isArray(p)) return p[Math.floor(Math.random() * p.length)];
    return p.keys[p.randomSlot()]!;
  }

  /** Removes and returns a uniformly random member (size > 0). */
  pop(): string {
    const p = this.p;
    if (typeof p === 'string') {
      const i = Math.floor(Math.random() * intsetLength(p));
      const m = intsetMember(p, i);
      this.p = intsetRemoveAt(p, i);
      return m;
    }
    if (Array.isArray(p)) {
      const i = Math.floor(Math.random() * p.length);
      const m = p[i];
      p[i] = p[p.length - 1];
      p.pop();
      return m;
    }
    const m = p.keys[p.randomSlot()]!;
    p.delete(m);
    return m;
  }

  /**
   * Calls fn for every member in iteration order (intset: ascending; hashtable:
   * slab order) until fn returns false. fn must not mutate the set.
   */
  forEach(fn: (member: string) => boolean | void): void {
    const p = this.p;
    if (typeof p === 'string') {
      intsetForEach(p, fn);
      return;
    }
    if (Array.isArray(p)) {
      for (let i = 0; i < p.length; i++) if (fn(p[i]) === false) return;
      return;
    }
    const keys = p.keys;
    const top = p.top;
    for (let s = 0; s < top; s++) {
      const k = keys[s];
      if (k !== undefined && fn(k) === false) return;
    }
  }

  /** Every member, in iteration order. */
  members(): string[] {
    const p = this.p;
    if (typeof p === 'string') return intsetMembers(p);
    if (Array.isArray(p)) return p.slice();
    const out: string[] = new Array(p.size);
    let i = 0;
    this.forEach((m) => {
      out[i++] = m;
    });
    return out;
  }

  /** Redis's setTypeConvert to OBJ_ENCODING_HT (one way). */
  toHashtable(): void {
    const p = this.p;
    if (typeof p !== 'string') return;
    if (intsetLength(p) <= SMALL_MAX) {
      // filled by push, as the small form always is
      const arr: string[] = [];
      intsetForEach(p, (m) => {
        arr.push(m);
      });
      this.p = arr;
      return;
    }
    const ht = new Dict<null>();
    intsetForEach(p, (m) => {
      ht.insertNew(m, null);
    });
    this.p = ht;
  }

  private arrToDict(arr: string[]): Dict<null> {
    const ht = new Dict<null>();
    for (const m of arr) ht.insertNew(m, null);
    this.p = ht;
    return ht;
  }

  dup(): SetValue {
    const p = this.p;
    if (typeof p === 'string') return new SetValue(p);
    if (Array.isArray(p)) return new SetValue(p.slice());
    const ht = new Dict<null>();
    this.forEach((m) => {
      ht.insertNew(m, null);
    });
    return new SetValue(ht);
  }
}
