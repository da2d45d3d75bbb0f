/**
 * HashValue: what a key of type hash holds, in Redis's two encodings.
 *
 * Design
 * - "listpack" (small hashes): ONE latin1 string holding
 *     [count][len field][len value]… as varints and bytes, in insertion order,
 *   like Redis's listpack: a new field is appended at the tail, a value is
 *   replaced in place, a delete closes the gap. Lengths and the entry count are
 *   little-endian base-128 varints (one char below 128), so a 10-field hash of
 *   short strings is one string of ~70 bytes. A flat JS array of 20 strings
 *   would cost ~700 bytes (V8: 24+ bytes per string, 8 per array slot, array
 *   headers) against Redis's ~100; the packed form keeps gKV within Redis's
 *   memory per small hash. Reads walk the entries (O(n), as Redis walks its
 *   listpack) comparing with `startsWith(field, pos)`, which allocates nothing.
 *   Every change builds the new string with `Array.prototype.join` of two or
 *   more non-empty pieces, which V8 always writes as a fresh flat string: never
 *   a rope, and never a slice keeping an older version alive.
 * - "hashtable": a Dict<string> from field to value (datatypes/dict.ts), with
 *   Redis's SCAN cursor for HSCAN and O(1) random slots for HRANDFIELD.
 * - Conversion is one way, at Redis 7.0's points (t_hash.c): `tryConversion`
 *   before a command inserts (any argument longer than hash-max-listpack-value),
 *   `set` itself when the field or value is too long (the HINCRBY* path), and
 *   after an insert that makes the hash longer than hash-max-listpack-entries.
 *   Strings taken out of the packed form into the Dict are copied so that no
 *   slice retains the packed string.
 *
 * Invariants: in listpack form the count prefix equals the number of entries
 * and fields are distinct; a hash is never left empty in the keyspace (the
 * commands delete the key), but the type itself allows size 0.
 */
import { Dict } from './dict.js';

/** The thresholds the conversions follow (the server's EncodingLimits has these fields). */
export interface HashLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
}

// ---------------------------------------------------------------- packed form

const CHR: string[] = [];
for (let i = 0; i < 128; i++) CHR.push(String.fromCharCode(i));

/** The varint of n (n >= 0). */
function encLen(n: number): string {
  if (n < 0x80) return CHR[n];
  let s = '';
  while (n >= 0x80) {
    s += String.fromCharCode((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  return s + CHR[n];
}

/** Out-parameter of decLen: the index after the varint just read. */
let next = 0;

/** Reads the varint at p[i]; sets `next`. */
function decLen(p: string, i: number): number {
  let c = p.charCodeAt(i++);
  if (c < 0x80) {
    next = i;
    return c;
  }
  let v = c & 0x7f;
  let mul = 0x80;
  for (;;) {
    c = p.charCodeAt(i++);
    v += (c & 0x7f) * mul;
    if (c < 0x80) break;
    mul *= 0x80;
  }
  next = i;
  return v;
}

/** Results of lpFind: where the entry found starts and ends, and its value. */
let fEntry = 0;
let fValHdr = 0;
let fVal = 0;
let fValLen = 0;
let fEnd = 0;

/** Looks field up in packed p; on success fills fEntry… and returns true. */
function lpFind(p: string, field: string): boolean {
  const n = decLen(p, 0);
  let i = next;
  const fl = field.length;
  for (let k = 0; k < n; k++) {
    const e = i;
    const kl = decLen(p, i);
    i = next;
    const match = kl === fl && p.startsWith(field, i);
    i += kl;
    const vh = i;
    const vl = decLen(p, i);
    i = next;
    if (match) {
      fEntry = e;
      fValHdr = vh;
      fVal = i;
      fValLen = vl;
      fEnd = i + vl;
      return true;
    }
    i += vl;
  }
  return false;
}

/** A standalone copy of p[a, b): V8 copies slices shorter than 13 chars; longer ones go through join. */
function copyOf(p: string, a: number, b: number): string {
  return b - a < 13 ? p.slice(a, b) : [p.charAt(a), p.slice(a + 1, b)].join('');
}

/** The packed form of flat [field, value, …]. */
function encode(flat: readonly string[]): string {
  const parts: string[] = [encLen(flat.length / 2)];
  for (let i = 0; i < flat.length; i++) parts.push(encLen(flat[i].length), flat[i]);
  // a single piece would come back as is (it is the count, a one-char string)
  return parts.length === 1 ? parts[0] : parts.join('');
}

const EMPTY = CHR[0];

// ---------------------------------------------------------------- the value type

export class HashValue {
  /** packed listpack form, or the hashtable */
  private d: string | Dict<string>;

  constructor(d: string | Dict<string> = EMPTY) {
    this.d = d;
  }

  /** A hash holding flat [field, value, …] (distinct fields) in listpack form. */
  static fromPairs(flat: readonly string[]): HashValue {
    return new HashValue(encode(flat));
  }

  // RObj (keyspace/value.ts); `type` lives on the prototype, not in every object
  get type(): 'hash' {
    return 'hash';
  }

  encoding(): 'listpack' | 'hashtable' {
    return typeof this.d === 'string' ? 'listpack' : 'hashtable';
  }

  dup(): HashValue {
    const d = this.d;
    if (typeof d === 'string') return new HashValue(d); // strings are immutable: share
    const n = new Dict<string>();
    d.forEachSlot((s) => n.insertNew(d.keys[s]!, d.vals[s]!));
    return new HashValue(n);
  }

  get isListpack(): boolean {
    return typeof this.d === 'string';
  }

  /** The hashtable, or null in listpack form. */
  get dict(): Dict<string> | null {
    return typeof this.d === 'string' ? null : this.d;
  }

  get size(): number {
    const d = this.d;
    return typeof d === 'string' ? decLen(d, 0) : d.size;
  }

  /** The value of field, or null. */
  get(field: string): string | null {
    const d = this.d;
    if (typeof d === 'string') return lpFind(d, field) ? d.slice(fVal, fEnd) : null;
    const v = d.get(field);
    return v === undefined ? null : v;
  }

  has(field: string): boolean {
    const d = this.d;
    return typeof d === 'string' ? lpFind(d, field) : d.find(field) !== -1;
  }

  /** Length of field's value, 0 when absent (HSTRLEN). */
  strlen(field: string): number {
    const d = this.d;
    if (typeof d === 'string') return lpFind(d, field) ? fValLen : 0;
    const v = d.get(field);
    return v === undefined ? 0 : v.length;
  }

  /** Redis's hashTypeConvert to hashtable; no-op when already converted. */
  convert(): void {
    const p = this.d;
    if (typeof p !== 'string') return;
    const dict = new Dict<string>();
    const n = decLen(p, 0);
    let i = next;
    for (let k = 0; k < n; k++) {
      const kl = decLen(p, i);
      const ks = next;
      i = ks + kl;
      const vl = decLen(p, i);
      const vs = next;
      i = vs + vl;
      dict.insertNew(copyOf(p, ks, ks + kl), copyOf(p, vs, i));
    }
    this.d = dict;
  }

  /**
   * Redis's hashTypeTryConversion: converts when any of argv[start..end] is
   * longer than hash-max-listpack-value (checked before inserting anything).
   */
  tryConversion(argv: readonly string[], start: number, end: number, lim: HashLimits): void {
    if (typeof this.d !== 'string') return;
    const max = lim.hashMaxListpackValue;
    for (let i = start; i <= end; i++) {
      if (argv[i].length > max) {
        this.convert();
        return;
      }
    }
  }

  /**
   * Redis's hashTypeSet: inserts or overwrites; returns true when the field is
   * new. Converts first when field or value is too long for a listpack, and
   * after inserting when the hash outgrew hash-max-listpack-entries.
   */
  set(field: string, value: string, lim: HashLimits): boolean {
    let p = this.d;
    if (typeof p === 'string' && (field.length > lim.hashMaxListpackValue || value.length > lim.hashMaxListpackValue)) {
      this.convert();
      p = this.d;
    }
    if (typeof p !== 'string') {
      const slot = p.find(field);
      if (slot !== -1) {
        p.vals[slot] = value;
        return false;
      }
      p.insertNew(field, value);
      return true;
    }
    if (lpFind(p, field)) {
      this.d = [p.slice(0, fValHdr), encLen(value.length), value, p.slice(fEnd)].join('');
      return false;
    }
    const n = decLen(p, 0) + 1;
    this.d = [encLen(n), p.slice(next), encLen(field.length), field, encLen(value.length), value].join('');
    if (n > lim.hashMaxListpackEntries) this.convert();
    return true;
  }

  /**
   * HSET's loop over argv[from…] as field/value pairs, with set()'s semantics
   * for each pair; returns how many fields were new. A listpack is decoded and
   * rebuilt once rather than once per pair.
   */
  setPairs(argv: readonly string[], from: number, lim: HashLimits): number {
    if (argv.length - from === 2 || typeof this.d !== 'string') {
      let created = 0;
      for (let i = from; i < argv.length; i += 2) if (this.set(argv[i], argv[i + 1], lim)) created++;
      return created;
    }
    const flat = this.toArray();
    let created = 0;
    let i = from;
    for (; i < argv.length; i += 2) {
      const f = argv[i];
      let j = 0;
      while (j < flat.length && flat[j] !== f) j += 2;
      if (j < flat.length) flat[j + 1] = argv[i + 1];
      else {
        flat.push(f, argv[i + 1]);
        created++;
        if (flat.length / 2 > lim.hashMaxListpackEntries) {
          i += 2;
          break;
        }
      }
    }
    this.d = encode(flat);
    if (i < argv.length || flat.length / 2 > lim.hashMaxListpackEntries) {
      this.convert();
      for (; i < argv.length; i += 2) if (this.set(argv[i], argv[i + 1], lim)) created++;
    }
    return created;
  }

  /** Removes field; returns true if it was there. */
  delete(field: string): boolean {
    const p = this.d;
    if (typeof p !== 'string') return p.delete(field) !== -1;
    if (!lpFind(p, field)) return false;
    const n = decLen(p, 0) - 1;
    const body = next;
    // [count, entries before, entries after]: the count is never empty, so join copies
    this.d = [encLen(n), p.slice(body, fEntry), p.slice(fEnd)].join('');
    return true;
  }

  /**
   * Every entry as flat [field, value, …]: insertion order for a listpack, slab
   * order for a hashtable. The strings may be slices of the packed form: use
   * them for replies, not for storage.
   */
  toArray(): string[] {
    const d = this.d;
    const out: string[] = [];
    if (typeof d !== 'string') {
      d.forEachSlot((s) => out.push(d.keys[s]!, d.vals[s]!));
      return out;
    }
    const n = decLen(d, 0);
    let i = next;
    for (let k = 0; k < 2 * n; k++) {
      const l = decLen(d, i);
      i = next + l;
      out.push(d.slice(next, i));
    }
    return out;
  }

  /** Fields only (which = 0) or values only (which = 1), in toArray's order. */
  column(which: 0 | 1): string[] {
    const d = this.d;
    const out: string[] = [];
    if (typeof d !== 'string') {
      const col = which === 0 ? d.keys : d.vals;
      d.forEachSlot((s) => out.push(col[s]!));
      return out;
    }
    const n = decLen(d, 0);
    let i = next;
    for (let k = 0; k < 2 * n; k++) {
      const l = decLen(d, i);
      i = next + l;
      if ((k & 1) === which) out.push(d.slice(next, i));
    }
    return out;
  }
}
