/**
 * HashValue: what a key of type hash holds, in Redis's two encodings.
 *
 * Design
 * - V8 charges every string 16 bytes of header plus its bytes rounded up to 8,
 *   and every array slot 8 bytes. One string per field and one per value, as
 *   a flat JS array or a Dict of strings would hold them, cost 2-3x Redis's
 *   memory per entry. Both encodings therefore keep entries packed in latin1
 *   strings, as listpacks keep them in Redis:
 *     entry = [varint len][field bytes][varint len][value bytes]
 *   (little-endian base-128 varints: one char below 128).
 * - "listpack" (small hashes): ONE string [varint count][entry]… in insertion
 *   order, as Redis's listpack: a new field is appended, a value is replaced
 *   in place, a delete closes the gap. Reads walk the entries (O(n), as Redis
 *   walks its listpack), comparing a field's length and last byte before its
 *   bytes. 10 short fields take one ~90-byte string.
 * - "hashtable": a linear-hashing table (`PackedTable`) whose buckets are
 *   packed strings of entries. It grows one bucket at a time (bucket `split`
 *   divides by one more hash bit) when the load passes 4 entries per bucket,
 *   and merges back under 1, so there is never a whole-table rehash pause.
 *   A field or value longer than 64 bytes is kept out of line, in `big[]`, its
 *   entry holding 65 + its index instead of its length, so that rebuilding a
 *   bucket copies at most a few short entries and overwriting a long value is
 *   O(1). About 30 bytes per short entry against Redis's ~64.
 *   HSCAN uses Redis's reverse-binary cursor over bucket indexes: a bucket at
 *   the coarse level covers both fine cursors, so every entry present for the
 *   whole scan is returned even while the table grows or shrinks (entries may
 *   be returned more than once), as Redis guarantees.
 * - Every change builds its new string with `Array.prototype.join` of two or
 *   more non-empty pieces (or through `copyOf`), which V8 always writes as a
 *   fresh flat string: never a rope, never a slice keeping an older version
 *   alive.
 * - Conversion is one way, at Redis 7.0's points (t_hash.c): `tryConversion`
 *   before a command inserts (any argument longer than hash-max-listpack-value),
 *   `set` itself when the field or value is too long (the HINCRBY* path), and
 *   after an insert that makes the hash longer than hash-max-listpack-entries.
 *
 * Invariants: the listpack count prefix and PackedTable.size equal the number
 * of entries; fields are distinct; the table has 2^level + split buckets
 * (split < 2^level), bucket i holding exactly the fields whose hash h has
 * bucketOf(h) = i; every big[] slot in use is referenced by one entry. A hash
 * is never left empty in the keyspace (the commands delete the key), but the
 * type itself allows size 0.
 */
import type { RObj } from './object.js';
import { hashString, rev32 } from './dict.js';
import { objBytes, pushedArrayBytes, strBytes } from '../util/v8-size.js';
import { ownString } from '../util/latin1.js';

/** The thresholds the conversions follow (the server's EncodingLimits has these fields). */
export interface HashLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
}

// ---------------------------------------------------------------- varints and strings

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

/** a + b as a fresh flat string, whichever of them is empty. */
function cat(a: string, b: string): string {
  if (a === '') return ownString(b);
  if (b === '') return ownString(a);
  return [a, b].join('');
}

/** The pieces joined as a fresh flat string ('' for none). */
function joinFresh(parts: string[]): string {
  return parts.length === 0 ? '' : parts.length === 1 ? ownString(parts[0]) : parts.join('');
}

/** Whether p[i, i + s.length) is s, without a slice of p (one allocation per probe for 13+ bytes). */
function sameAt(p: string, i: number, s: string): boolean {
  const n = s.length;
  if (n > 64) return p.slice(i, i + n) === s;
  for (let k = 0; k < n; k++) if (p.charCodeAt(i + k) !== s.charCodeAt(k)) return false;
  return true;
}

/** Results of the entry lookups (lpFind, PackedTable.find): where the entry is and its value. */
let fEntry = 0;
let fValHdr = 0;
let fVal = 0;
let fValLen = 0;
let fEnd = 0;

// ---------------------------------------------------------------- listpack form

/** Looks field up in packed p ([count][entry]…); on success fills fEntry… and returns true. */
function lpFind(p: string, field: string): boolean {
  const n = decLen(p, 0);
  let i = next;
  const fl = field.length;
  for (let k = 0; k < n; k++) {
    const e = i;
    const kl = decLen(p, i);
    i = next;
    const match = kl === fl && (fl === 0 || (p.charCodeAt(i + fl - 1) === field.charCodeAt(fl - 1) && sameAt(p, i, field)));
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

/** The packed listpack of flat [field, value, …]. */
function encode(flat: readonly string[]): string {
  const parts: string[] = [encLen(flat.length / 2)];
  for (let i = 0; i < flat.length; i++) parts.push(encLen(flat[i].length), flat[i]);
  // a single piece would come back as is (it is the count, a one-char string)
  return parts.length === 1 ? parts[0] : parts.join('');
}

/** Calls fn(field, value) for every entry of listpack p, in order (the strings are slices of p). */
function lpForEach(p: string, fn: (field: string, value: string) => void): void {
  const n = decLen(p, 0);
  let i = next;
  for (let k = 0; k < n; k++) {
    const kl = decLen(p, i);
    const ks = next;
    const vl = decLen(p, ks + kl);
    const vs = next;
    i = vs + vl;
    fn(p.slice(ks, ks + kl), p.slice(vs, i));
  }
}

const EMPTY = CHR[0];

// ---------------------------------------------------------------- hashtable form

/** Strings up to this length are stored inside their bucket; longer ones in big[]. */
const INLINE_MAX = 64;
const MAX_LOAD = 4;
const MIN_BUCKETS = 4;

/** A hash table of packed buckets (see the header). Not exported: HashValue is its interface. */
class PackedTable {
  /** buckets: packed entries, '' when empty; length 2^level + split */
  b: string[] = ['', '', '', ''];
  level = 2;
  split = 0;
  size = 0;
  /** out-of-line strings; a free slot holds the next free index (-1 ends the list) */
  big: (string | number)[] = [];
  private freeBig = -1;

  private bucketOf(h: number): number {
    const i = h & ((1 << this.level) - 1);
    return i < this.split ? h & ((2 << this.level) - 1) : i;
  }

  // ---- strings of an entry: inline (varint length ≤ 64, bytes) or out of line (varint 65 + index)

  /** Stores a long string in big[] and returns its entry header. */
  private outOfLine(s: string): string {
    let k: number;
    if (this.freeBig !== -1) {
      k = this.freeBig;
      this.freeBig = this.big[k] as number;
      this.big[k] = s;
    } else {
      k = this.big.length;
      this.big.push(s);
    }
    return encLen(INLINE_MAX + 1 + k);
  }

  /** Appends s's pieces for an entry: [length, bytes] inline, or [65 + its big[] index]. */
  private pushStr(parts: string[], s: string): void {
    if (s.length <= INLINE_MAX) parts.push(CHR[s.length], s);
    else parts.push(this.outOfLine(s));
  }

  private freeStr(x: number): void {
    if (x <= INLINE_MAX) return;
    const k = x - INLINE_MAX - 1;
    this.big[k] = this.freeBig;
    this.freeBig = k;
  }

  /** The string whose header x was just read (inline bytes start at `next`); advances `next` past it. */
  private readStr(p: string, x: number): string {
    if (x > INLINE_MAX) return this.big[x - INLINE_MAX - 1] as string;
    const s = p.slice(next, next + x);
    next += x;
    return s;
  }

  /** The index after the entry at p[i]. */
  private skipEntry(p: string, i: number): number {
    const kx = decLen(p, i);
    i = kx <= INLINE_MAX ? next + kx : next;
    const vx = decLen(p, i);
    return vx <= INLINE_MAX ? next + vx : next;
  }

  /** Finds field in bucket string p; fills fEntry… (fValLen is the value's header x) and returns true. */
  private findIn(p: string, field: string): boolean {
    const fl = field.length;
    const inline = fl <= INLINE_MAX;
    let i = 0;
    while (i < p.length) {
      const e = i;
      const kx = decLen(p, i);
      i = next;
      let match: boolean;
      if (kx <= INLINE_MAX) {
        match = inline && kx === fl && (fl === 0 || (p.charCodeAt(i + fl - 1) === field.charCodeAt(fl - 1) && sameAt(p, i, field)));
        i += kx;
      } else match = !inline && this.big[kx - INLINE_MAX - 1] === field;
      const vh = i;
      const vx = decLen(p, i);
      i = next;
      if (vx <= INLINE_MAX) i += vx;
      if (match) {
        fEntry = e;
        fValHdr = vh;
        fVal = next;
        fValLen = vx;
        fEnd = i;
        return true;
      }
    }
    return false;
  }

  get(field: string): string | null {
    const p = this.b[this.bucketOf(hashString(field))];
    if (!this.findIn(p, field)) return null;
    return fValLen <= INLINE_MAX ? p.slice(fVal, fVal + fValLen) : (this.big[fValLen - INLINE_MAX - 1] as string);
  }

  has(field: string): boolean {
    return this.findIn(this.b[this.bucketOf(hashString(field))], field);
  }

  strlen(field: string): number {
    if (!this.findIn(this.b[this.bucketOf(hashString(field))], field)) return 0;
    return fValLen <= INLINE_MAX ? fValLen : (this.big[fValLen - INLINE_MAX - 1] as string).length;
  }

  /** Inserts or overwrites; returns true when the field is new. */
  set(field: string, value: string): boolean {
    const i = this.bucketOf(hashString(field));
    const p = this.b[i];
    if (this.findIn(p, field)) {
      const vx = fValLen;
      if (vx > INLINE_MAX && value.length > INLINE_MAX) {
        this.big[vx - INLINE_MAX - 1] = value; // long over long: the entry does not change
        return false;
      }
      if (vx === value.length && sameAt(p, fVal, value)) return false; // the same short value again
      const head = p.slice(0, fValHdr);
      const tail = p.slice(fEnd);
      this.freeStr(vx);
      const parts = [head];
      this.pushStr(parts, value);
      parts.push(tail);
      this.b[i] = parts.join('');
      return false;
    }
    if (field.length <= INLINE_MAX && value.length <= INLINE_MAX) {
      this.b[i] = [p, CHR[field.length], field, CHR[value.length], value].join('');
    } else {
      const parts = [p];
      this.pushStr(parts, field);
      this.pushStr(parts, value);
      this.b[i] = parts.join('');
    }
    if (++this.size > MAX_LOAD * this.b.length) this.grow();
    return true;
  }

  /** Removes field; returns true if it was there. */
  delete(field: string): boolean {
    const i = this.bucketOf(hashString(field));
    const p = this.b[i];
    if (!this.findIn(p, field)) return false;
    const kx = decLen(p, fEntry);
    this.freeStr(kx);
    this.freeStr(fValLen);
    this.b[i] = cat(p.slice(0, fEntry), p.slice(fEnd));
    if (--this.size < this.b.length && this.b.length > MIN_BUCKETS) this.shrink();
    return true;
  }

  /** Calls fn(field, value) for every entry of bucket p. */
  private eachIn(p: string, fn: (field: string, value: string) => void): void {
    let i = 0;
    while (i < p.length) {
      const f = this.readStr(p, decLen(p, i));
      const v = this.readStr(p, decLen(p, next));
      i = next;
      fn(f, v);
    }
  }

  forEach(fn: (field: string, value: string) => void): void {
    const b = this.b;
    for (let i = 0; i < b.length; i++) if (b[i] !== '') this.eachIn(b[i], fn);
  }

  /** Splits bucket `split` by hash bit `level` (linear hashing's one-bucket growth step). */
  private grow(): void {
    const s = this.split;
    const bit = 1 << this.level;
    const p = this.b[s];
    const stay: string[] = [];
    const move: string[] = [];
    let i = 0;
    while (i < p.length) {
      const e = i;
      const f = this.readStr(p, decLen(p, i));
      i = this.skipEntry(p, e);
      (hashString(f) & bit ? move : stay).push(p.slice(e, i));
    }
    this.b[s] = joinFresh(stay);
    this.b.push(joinFresh(move));
    if (++this.split === bit) {
      this.level++;
      this.split = 0;
    }
  }

  /** Merges the last bucket back into its sibling (the inverse of grow). */
  private shrink(): void {
    if (this.split === 0) {
      this.level--;
      this.split = 1 << this.level;
    }
    this.split--;
    const last = this.b.pop()!;
    if (last !== '') this.b[this.split] = cat(this.b[this.split], last);
  }

  /**
   * One SCAN step: calls fn for the entries of the bucket the cursor names and
   * returns the next cursor (0 when complete), as Redis's dictScan.
   */
  scan(cursor: number, fn: (field: string, value: string) => void): number {
    let v = cursor >>> 0;
    const lo = (1 << this.level) - 1;
    let m = lo;
    let i = v & lo;
    if (i < this.split) {
      m = (lo << 1) | 1;
      i = v & m;
    }
    if (this.b[i] !== '') this.eachIn(this.b[i], fn);
    v = (v | ~m) >>> 0;
    v = rev32(v);
    v = (v + 1) >>> 0;
    return rev32(v);
  }

  /**
   * A uniformly random entry as [field, value]: a random bucket, then a random
   * position among max(entries, 8), retried when it falls on no entry (exactly
   * uniform while no bucket holds more than 8 entries).
   */
  random(): [string, string] {
    const b = this.b;
    for (;;) {
      const p = b[Math.floor(Math.random() * b.length)];
      if (p === '') continue;
      let n = 0;
      for (let i = 0; i < p.length; n++) i = this.skipEntry(p, i);
      const k = Math.floor(Math.random() * Math.max(n, 8));
      if (k >= n) continue;
      let i = 0;
      for (let j = 0; j < k; j++) i = this.skipEntry(p, i);
      const f = this.readStr(p, decLen(p, i));
      return [f, this.readStr(p, decLen(p, next))];
    }
  }

  /**
   * Bytes of the table: the object, the bucket array, the bucket strings and
   * the out-of-line strings. Past `samples` entries the buckets walked so far
   * give the bytes per entry for the rest.
   */
  memoryUsage(samples: number): number {
    const b = this.b;
    let bytes = 0;
    let entries = 0;
    let i = 0;
    for (; i < b.length && entries < samples; i++) {
      const p = b[i];
      if (p === '') continue;
      bytes += strBytes(p.length);
      for (let j = 0; j < p.length; entries++) {
        const kx = decLen(p, j);
        if (kx > INLINE_MAX) bytes += strBytes((this.big[kx - INLINE_MAX - 1] as string).length);
        j = kx <= INLINE_MAX ? next + kx : next;
        const vx = decLen(p, j);
        if (vx > INLINE_MAX) bytes += strBytes((this.big[vx - INLINE_MAX - 1] as string).length);
        j = vx <= INLINE_MAX ? next + vx : next;
      }
    }
    if (i < b.length && entries > 0) bytes = (bytes / entries) * this.size;
    return objBytes(6) + pushedArrayBytes(b.length) + pushedArrayBytes(this.big.length) + Math.round(bytes);
  }

  dup(): PackedTable {
    const t = new PackedTable();
    t.b = this.b.slice();
    t.level = this.level;
    t.split = this.split;
    t.size = this.size;
    t.big = this.big.slice();
    t.freeBig = this.freeBig;
    return t;
  }
}

// ---------------------------------------------------------------- the value type

export class HashValue implements RObj {
  /** packed listpack form, or the hashtable */
  private d: string | PackedTable;

  private constructor(d: string | PackedTable) {
    this.d = d;
  }

  /** A new empty hash (listpack). */
  static empty(): HashValue {
    return new HashValue(EMPTY);
  }

  // RObj (datatypes/object.ts); `type` lives on the prototype, not in every object
  get type(): 'hash' {
    return 'hash';
  }

  encoding(): 'listpack' | 'hashtable' {
    return typeof this.d === 'string' ? 'listpack' : 'hashtable';
  }

  dup(): HashValue {
    const d = this.d;
    return new HashValue(typeof d === 'string' ? d : d.dup()); // strings are immutable: shared
  }

  /** a listpack is one allocation; a hashtable one per field */
  freeEffort(): number {
    return typeof this.d === 'string' ? 1 : this.d.size;
  }

  /** The object and its packed string, or the object and its table (RObj.memoryUsage). */
  memoryUsage(samples: number): number {
    const d = this.d;
    return objBytes(1) + (typeof d === 'string' ? strBytes(d.length) : d.memoryUsage(samples));
  }

  get isListpack(): boolean {
    return typeof this.d === 'string';
  }

  get size(): number {
    const d = this.d;
    return typeof d === 'string' ? decLen(d, 0) : d.size;
  }

  /** The value of field, or null. */
  get(field: string): string | null {
    const d = this.d;
    if (typeof d === 'string') return lpFind(d, field) ? d.slice(fVal, fEnd) : null;
    return d.get(field);
  }

  has(field: string): boolean {
    const d = this.d;
    return typeof d === 'string' ? lpFind(d, field) : d.has(field);
  }

  /** Length of field's value, 0 when absent (HSTRLEN). */
  strlen(field: string): number {
    const d = this.d;
    if (typeof d === 'string') return lpFind(d, field) ? fValLen : 0;
    return d.strlen(field);
  }

  /** Redis's hashTypeConvert to hashtable; no-op when already converted. */
  convert(): void {
    const p = this.d;
    if (typeof p !== 'string') return;
    const t = new PackedTable();
    // out-of-line strings are stored: copy them so that no slice keeps p alive
    lpForEach(p, (f, v) => t.set(f.length > INLINE_MAX ? ownString(f) : f, v.length > INLINE_MAX ? ownString(v) : v));
    this.d = t;
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
    if (typeof p !== 'string') return p.set(field, value);
    if (lpFind(p, field)) {
      // the same value again changes nothing: keep the packed string (no copy)
      if (fValLen !== value.length || !sameAt(p, fVal, value)) this.d = [p.slice(0, fValHdr), encLen(value.length), value, p.slice(fEnd)].join('');
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
    // Redis's HSET runs hashTypeTryConversion over all the arguments first
    this.tryConversion(argv, from, argv.length - 1, lim);
    let created = 0;
    let i = from;
    if (argv.length - from > 2 && typeof this.d === 'string') {
      const flat = this.toArray();
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
      if (flat.length / 2 > lim.hashMaxListpackEntries) this.convert();
    }
    for (; i < argv.length; i += 2) if (this.set(argv[i], argv[i + 1], lim)) created++;
    return created;
  }

  /** Removes field; returns true if it was there. */
  delete(field: string): boolean {
    const p = this.d;
    if (typeof p !== 'string') return p.delete(field);
    if (!lpFind(p, field)) return false;
    const n = decLen(p, 0) - 1;
    const body = next;
    // [count, entries before, entries after]: the count is never empty, so join copies
    this.d = [encLen(n), p.slice(body, fEntry), p.slice(fEnd)].join('');
    return true;
  }

  /** Calls fn(field, value) for every entry: insertion order for a listpack, bucket order for a hashtable. */
  forEach(fn: (field: string, value: string) => void): void {
    const d = this.d;
    if (typeof d === 'string') lpForEach(d, fn);
    else d.forEach(fn);
  }

  /**
   * Every entry as flat [field, value, …], in forEach's order. The strings may
   * be slices of the packed form: use them for replies, not for storage.
   */
  toArray(): string[] {
    const out: string[] = [];
    this.forEach((f, v) => out.push(f, v));
    return out;
  }

  /** Fields only (which = 0) or values only (which = 1), in forEach's order. */
  column(which: 0 | 1): string[] {
    const out: string[] = [];
    if (which === 0) this.forEach((f) => out.push(f));
    else this.forEach((_f, v) => out.push(v));
    return out;
  }

  /**
   * HSCAN of a hashtable as Redis's scanGenericCommand: SCAN steps from cursor
   * until about `count` pairs were pushed onto `out` or count*10 steps were
   * made; returns the next cursor. A listpack answers everything with cursor 0.
   */
  scan(cursor: number, count: number, out: string[]): number {
    const d = this.d;
    if (typeof d === 'string') {
      lpForEach(d, (f, v) => out.push(f, v));
      return 0;
    }
    let maxIterations = count * 10;
    const push = (f: string, v: string): void => {
      out.push(f, v);
    };
    do cursor = d.scan(cursor, push);
    while (cursor !== 0 && maxIterations-- > 0 && out.length < 2 * count);
    return cursor;
  }

  /** A uniformly random [field, value] of a non-empty hash. */
  randomPair(): [string, string] {
    const d = this.d;
    if (typeof d !== 'string') return d.random();
    const k = Math.floor(Math.random() * decLen(d, 0));
    let i = next;
    for (let j = 0; ; j++) {
      const kl = decLen(d, i);
      const ks = next;
      const vl = decLen(d, ks + kl);
      i = next + vl;
      if (j === k) return [d.slice(ks, ks + kl), d.slice(next, i)];
    }
  }
}
