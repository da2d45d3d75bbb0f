/**
 * ZSet: the sorted-set value, in Redis's two encodings.
 *
 * - "listpack" (small sets): every (member, score) pair packed, in sorted-set
 *   order, into ONE latin1 string `lp`, as Redis packs them into one listpack
 *   allocation. A JS object or string per member would cost 24+ bytes each
 *   (V8 headers), several times Redis's few bytes per entry; one string costs
 *   its bytes plus a 16-byte header. Entry layout:
 *       score   1 byte  t < 0xF0: the integer t - 16   (-16 … 223)
 *               0xF0 + 2 bytes: int16 / 0xF1 + 4 bytes: int32 (little endian)
 *               0xF2 + 8 bytes: the IEEE double (anything else; -0 is stored as 0, as in Redis)
 *       length  varint (7 bits per byte, high bit = more)
 *       member  its bytes
 *   Operations walk the entries as Redis walks a listpack (O(n), n bounded by
 *   zset-max-listpack-entries). Mutations rebuild the string through a scratch
 *   Buffer, so the result is always flat (no rope of concatenations).
 * - "skiplist" (large sets): a SkipList (ordered, ranks in O(log n)) plus a
 *   Dict member → skiplist node id (score lookup in O(1)), as Redis's
 *   zset { dict, zsl }.
 *
 * Conversions follow Redis 7.0 (t_zset.c): zsetAdd converts a listpack to a
 * skiplist before inserting a new element when the set would exceed
 * zset-max-listpack-entries or the member is longer than
 * zset-max-listpack-value; nothing converts back, except results built by the
 * store commands (`fromSorted`), which get the encoding their final size and
 * longest member call for (zsetConvertToListpackIfNeeded / ZRANGESTORE's
 * sized creation give the same result).
 *
 * Ties are ordered by member bytes (JS comparison of latin1 strings is
 * unsigned byte order, as Redis's memcmp-based comparison).
 */
import type { RObj } from './object.js';
import { SkipList, before, lexGteMin, lexLteMax, lexRangeEmpty, scoreGteMin, scoreLteMax, scoreRangeEmpty, type LexRange, type ScoreRange } from './skiplist.js';
import { Dict } from './dict.js';
import { objBytes, strBytes } from '../util/v8-size.js';
import { ownString } from '../util/latin1.js';

export type { LexRange, ScoreRange } from './skiplist.js';

/** The encoding thresholds a zset obeys (a subset of the server's EncodingLimits). */
export interface ZsetLimits {
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

// zsetAdd's input and output flags (Redis's ZADD_IN_* / ZADD_OUT_*)
export const ZADD_IN_INCR = 1;
export const ZADD_IN_NX = 2;
export const ZADD_IN_XX = 4;
export const ZADD_IN_GT = 8;
export const ZADD_IN_LT = 16;
export const ZADD_OUT_NOP = 1;
export const ZADD_OUT_NAN = 2;
export const ZADD_OUT_ADDED = 4;
export const ZADD_OUT_UPDATED = 8;

/** What the last `add` did: flags and the element's resulting score. */
export const addResult = { flags: 0, newScore: 0 };

export type Emit = (member: string, score: number) => void;

// ---------------------------------------------------------------- listpack codec

const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

/** The encoded entry for (score, member). */
function encodeEntry(score: number, member: string): string {
  let s: string;
  // -0 is stored as the integer 0, as a listpack stores it (Redis keeps -0 only in a skiplist)
  if (Number.isInteger(score)) {
    if (score >= -16 && score < 224) s = String.fromCharCode(score + 16);
    else if (score >= -32768 && score <= 32767) s = String.fromCharCode(0xf0, score & 0xff, (score >> 8) & 0xff);
    else if (score >= -2147483648 && score <= 2147483647) s = String.fromCharCode(0xf1, score & 0xff, (score >>> 8) & 0xff, (score >>> 16) & 0xff, (score >>> 24) & 0xff);
    else s = encodeDouble(score);
  } else s = encodeDouble(score);
  let len = member.length;
  while (len >= 0x80) {
    s += String.fromCharCode((len & 0x7f) | 0x80);
    len = Math.floor(len / 128);
  }
  return s + String.fromCharCode(len) + member;
}

function encodeDouble(v: number): string {
  f64[0] = v;
  return String.fromCharCode(0xf2, f64b[0], f64b[1], f64b[2], f64b[3], f64b[4], f64b[5], f64b[6], f64b[7]);
}

// The decoder's outputs (module scratch: decoding never nests)
let dScore = 0;
let dMs = 0; // member start
let dMe = 0; // member end = next entry

/** Decodes the entry at p into dScore/dMs/dMe; returns the next entry's offset. */
function decodeAt(lp: string, p: number): number {
  const t = lp.charCodeAt(p);
  if (t < 0xf0) {
    dScore = t - 16;
    p += 1;
  } else if (t === 0xf0) {
    dScore = ((lp.charCodeAt(p + 1) | (lp.charCodeAt(p + 2) << 8)) << 16) >> 16;
    p += 3;
  } else if (t === 0xf1) {
    dScore = lp.charCodeAt(p + 1) | (lp.charCodeAt(p + 2) << 8) | (lp.charCodeAt(p + 3) << 16) | (lp.charCodeAt(p + 4) << 24);
    p += 5;
  } else {
    for (let k = 0; k < 8; k++) f64b[k] = lp.charCodeAt(p + 1 + k);
    dScore = f64[0];
    p += 9;
  }
  let len = 0;
  let mul = 1;
  for (;;) {
    const b = lp.charCodeAt(p++);
    len += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 128;
  }
  dMs = p;
  dMe = p + len;
  return dMe;
}

/** Offsets of every entry (and the end) in a reusable scratch array. */
let OFFS = new Int32Array(256);
function entryOffsets(lp: string, n: number): Int32Array {
  if (OFFS.length < n + 1) OFFS = new Int32Array(Math.max(n + 1, OFFS.length * 2));
  const o = OFFS;
  let p = 0;
  for (let i = 0; i < n; i++) {
    o[i] = p;
    p = decodeAt(lp, p);
  }
  o[n] = p;
  return o;
}

// Scratch buffer the mutations assemble new listpacks in (the result is one flat string).
let scratch = Buffer.allocUnsafe(4096);
function ensureScratch(n: number): void {
  if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
}

/** lp with [from, to) replaced by ins, as one flat string. */
function splice(lp: string, from: number, to: number, ins: string): string {
  const total = from + ins.length + (lp.length - to);
  if (total === 0) return '';
  ensureScratch(total);
  if (from > 0) scratch.write(lp, 0, from, 'latin1');
  if (ins.length > 0) scratch.write(ins, from, ins.length, 'latin1');
  if (to < lp.length) scratch.write(lp.substring(to), from + ins.length, lp.length - to, 'latin1');
  return scratch.toString('latin1', 0, total);
}

/**
 * Range tests on listpack entries by index, with Redis's zzlFirstInRange /
 * zzlLastInRange (and lex) semantics: the range must overlap the first and
 * last entries (zzlIsInRange), then the first entry >= min must also be <=
 * max (or, from the end, the last <= max must be >= min). Identical to a
 * plain search on sorted data, and to what Redis answers for lex queries on
 * a listpack whose members are not in lex order (mixed scores).
 */
const lpRange = {
  lp: '',
  o: OFFS as Int32Array,
  lex: false,
  sr: null as ScoreRange | null,
  lr: null as LexRange | null,
  set(lp: string, o: Int32Array, lex: boolean, sr: ScoreRange | null, lr: LexRange | null): void {
    this.lp = lp;
    this.o = o;
    this.lex = lex;
    this.sr = sr;
    this.lr = lr;
  },
  gteMin(i: number): boolean {
    decodeAt(this.lp, this.o[i]);
    return this.lex ? lexGteMin(this.lp.substring(dMs, dMe), this.lr!) : scoreGteMin(dScore, this.sr!);
  },
  lteMax(i: number): boolean {
    decodeAt(this.lp, this.o[i]);
    return this.lex ? lexLteMax(this.lp.substring(dMs, dMe), this.lr!) : scoreLteMax(dScore, this.sr!);
  },
  inRange(n: number): boolean {
    if (n === 0 || (this.lex ? lexRangeEmpty(this.lr!) : scoreRangeEmpty(this.sr!))) return false;
    return this.gteMin(n - 1) && this.lteMax(0);
  },
  first(n: number): number {
    if (!this.inRange(n)) return -1;
    for (let i = 0; i < n; i++) if (this.gteMin(i)) return this.lteMax(i) ? i : -1;
    return -1;
  },
  last(n: number): number {
    if (!this.inRange(n)) return -1;
    for (let i = n - 1; i >= 0; i--) if (this.lteMax(i)) return this.gteMin(i) ? i : -1;
    return -1;
  },
};

/**
 * zsetAdd's rules for a member already present with score cur: the score it
 * gets (addResult.newScore), or null with addResult.flags set to NOP (NX, or
 * GT/LT refused it) or NAN (INCR produced NaN).
 */
function updatedScore(cur: number, score: number, flags: number): number | null {
  if (flags & ZADD_IN_NX) {
    addResult.flags = ZADD_OUT_NOP;
    return null;
  }
  if (flags & ZADD_IN_INCR) {
    score += cur;
    if (Number.isNaN(score)) {
      addResult.flags = ZADD_OUT_NAN;
      return null;
    }
  }
  if ((flags & ZADD_IN_LT && score >= cur) || (flags & ZADD_IN_GT && score <= cur)) {
    addResult.flags = ZADD_OUT_NOP;
    return null;
  }
  addResult.newScore = score;
  return score;
}

// ---------------------------------------------------------------- the value

export class ZSet implements RObj {
  /** on the prototype, not a field: one pointer less per sorted set */
  get type(): 'zset' {
    return 'zset';
  }
  /**
   * The data: the listpack's packed entries (a string: listpack form) or
   * the skiplist. One field for both forms, read through `lp` and `sl`: a
   * sorted set is two fields (40 bytes) where `lp` and `sl` side by side
   * took three.
   */
  private d: string | SkipList = '';
  /** listpack form: number of entries */
  n = 0;

  /** listpack form: the packed entries ('' when empty or in skiplist form) */
  get lp(): string {
    const d = this.d;
    return typeof d === 'string' ? d : '';
  }
  /** Sets the packed entries; clearing them ('') in skiplist form leaves the skiplist. */
  set lp(v: string) {
    if (v !== '' || typeof this.d === 'string') this.d = v;
  }

  /** skiplist form (null while listpack) */
  get sl(): SkipList | null {
    const d = this.d;
    return typeof d === 'string' ? null : d;
  }
  set sl(v: SkipList | null) {
    this.d = v === null ? '' : v;
  }

  /**
   * Skiplist form: member → node id. Kept on the skiplist (SkipList.dict),
   * not as a field here: a sorted set in listpack form — most of them —
   * then costs one pointer less (8 bytes a key: bench/memory.js zset10).
   */
  get dict(): Dict<number> | null {
    const sl = this.sl;
    return sl === null ? null : sl.dict;
  }
  set dict(d: Dict<number> | null) {
    this.sl!.dict = d;
  }

  /** A new empty set, in skiplist form when `skiplist` (ZADD's first-member rule decides). */
  static create(skiplist: boolean): ZSet {
    const z = new ZSet();
    if (skiplist) z.toSkiplist();
    return z;
  }

  /**
   * A set built from elements already in sorted-set order, in the encoding a
   * store command's result gets: listpack when it has at most
   * zset-max-listpack-entries elements and no member longer than
   * zset-max-listpack-value.
   */
  static fromSorted(members: readonly string[], scores: readonly number[], limits: ZsetLimits): ZSet {
    const z = new ZSet();
    const count = members.length;
    let maxlen = 0;
    for (let i = 0; i < count; i++) if (members[i].length > maxlen) maxlen = members[i].length;
    if (count > limits.zsetMaxListpackEntries || maxlen > limits.zsetMaxListpackValue) {
      const sl = (z.sl = new SkipList(count));
      const d = (z.dict = new Dict<number>());
      for (let i = 0; i < count; i++) {
        const m = ownString(members[i]);
        d.insertNew(m, sl.insert(scores[i], m));
      }
    } else {
      let total = 0;
      const parts: string[] = new Array(count);
      for (let i = 0; i < count; i++) {
        parts[i] = encodeEntry(scores[i], members[i]);
        total += parts[i].length;
      }
      ensureScratch(total);
      let w = 0;
      for (let i = 0; i < count; i++) w += scratch.write(parts[i], w, parts[i].length, 'latin1');
      z.lp = scratch.toString('latin1', 0, total);
      z.n = count;
    }
    return z;
  }

  get length(): number {
    return this.sl === null ? this.n : this.sl.length;
  }

  /**
   * The object and its packed string, or the object, the skiplist (with the
   * member strings, which the dict shares) and the dict's table (RObj.memoryUsage).
   */
  memoryUsage(samples: number): number {
    if (this.sl === null) return objBytes(2) + strBytes(this.lp.length);
    return objBytes(2) + this.sl.memoryUsage(samples) + this.dict!.tableBytes();
  }

  get isListpack(): boolean {
    return this.sl === null;
  }

  encoding(): string {
    return this.sl === null ? 'listpack' : 'skiplist';
  }

  /** a listpack is one allocation; a skiplist one per element */
  freeEffort(): number {
    return this.sl === null ? 1 : this.sl.length;
  }

  dup(): ZSet {
    const z = new ZSet();
    if (this.sl === null) {
      z.lp = this.lp; // strings are immutable: sharing is a copy
      z.n = this.n;
    } else {
      z.sl = this.sl.clone();
      const src = this.dict!;
      const d = (z.dict = new Dict<number>());
      src.forEachSlot((slot) => d.insertNew(src.keys[slot]!, src.vals[slot]!));
    }
    return z;
  }

  /** Converts a listpack to the skiplist form (zsetConvert). */
  toSkiplist(): void {
    if (this.sl !== null) return;
    const lp = this.lp;
    const sl = new SkipList(this.n);
    const d = new Dict<number>();
    let p = 0;
    ensureScratch(lp.length);
    scratch.write(lp, 0, lp.length, 'latin1');
    for (let i = 0; i < this.n; i++) {
      p = decodeAt(lp, p);
      const m = scratch.toString('latin1', dMs, dMe);
      d.insertNew(m, sl.insert(dScore, m));
    }
    this.sl = sl;
    this.dict = d;
    this.lp = '';
    this.n = 0;
  }

  // ------------------------------------------------------------ listpack internals

  /** Offset of member's entry in the listpack (its score in dScore), or -1. */
  private lpFind(member: string): number {
    const lp = this.lp;
    const len = member.length;
    let p = 0;
    for (let i = 0; i < this.n; i++) {
      const next = decodeAt(lp, p);
      if (dMe - dMs === len && lp.startsWith(member, dMs)) return p;
      p = next;
    }
    return -1;
  }

  /** Inserts (score, member) at its sorted position (zzlInsert). */
  private lpInsert(score: number, member: string): void {
    const lp = this.lp;
    let p = 0;
    for (let i = 0; i < this.n; i++) {
      const next = decodeAt(lp, p);
      if (dScore > score || (dScore === score && lp.substring(dMs, dMe) > member)) break;
      p = next;
    }
    this.lp = splice(lp, p, p, encodeEntry(score, member));
    this.n++;
  }

  private lpDeleteAt(p: number): void {
    const end = decodeAt(this.lp, p);
    this.lp = splice(this.lp, p, end, '');
    this.n--;
  }

  // ------------------------------------------------------------ point operations

  /** The member's score, or undefined. */
  score(member: string): number | undefined {
    if (this.sl === null) return this.lpFind(member) === -1 ? undefined : dScore;
    const slot = this.dict!.find(member);
    return slot === -1 ? undefined : this.sl.scores[this.dict!.vals[slot]!];
  }

  /**
   * Redis's zsetAdd: adds or updates member under the ZADD_IN_* flags,
   * converting to a skiplist first when the new element would break the
   * listpack limits. Sets `addResult`; returns false (ZADD_OUT_NAN) when the
   * resulting score would be NaN, leaving the set unchanged.
   */
  add(score: number, member: string, flags: number, limits: ZsetLimits): boolean {
    const xx = (flags & ZADD_IN_XX) !== 0;
    addResult.flags = 0;
    if (Number.isNaN(score)) {
      addResult.flags = ZADD_OUT_NAN;
      return false;
    }
    if (this.sl === null) {
      const p = this.lpFind(member);
      if (p !== -1) {
        const cur = dScore;
        const ns = updatedScore(cur, score, flags);
        if (ns === null) return addResult.flags !== ZADD_OUT_NAN;
        if (ns !== cur) {
          this.lpDeleteAt(p);
          this.lpInsert(ns, member);
          addResult.flags = ZADD_OUT_UPDATED;
        }
        return true;
      }
      if (xx) {
        addResult.flags = ZADD_OUT_NOP;
        return true;
      }
      if (this.n + 1 > limits.zsetMaxListpackEntries || member.length > limits.zsetMaxListpackValue) {
        this.toSkiplist();
      } else {
        this.lpInsert(score, member);
        addResult.newScore = score;
        addResult.flags = ZADD_OUT_ADDED;
        return true;
      }
    }
    const sl = this.sl!;
    const d = this.dict!;
    const slot = d.find(member);
    if (slot !== -1) {
      const cur = sl.scores[d.vals[slot]!];
      const ns = updatedScore(cur, score, flags);
      if (ns === null) return addResult.flags !== ZADD_OUT_NAN;
      if (ns !== cur) {
        d.vals[slot] = sl.updateScore(cur, d.keys[slot]!, ns);
        addResult.flags = ZADD_OUT_UPDATED;
      }
      return true;
    }
    if (xx) {
      addResult.flags = ZADD_OUT_NOP;
      return true;
    }
    d.insertNew(member, sl.insert(score, member));
    addResult.flags = ZADD_OUT_ADDED;
    addResult.newScore = score;
    return true;
  }

  /** Removes member; returns true if it was there (zsetDel). */
  remove(member: string): boolean {
    if (this.sl === null) {
      const p = this.lpFind(member);
      if (p === -1) return false;
      this.lpDeleteAt(p);
      return true;
    }
    const d = this.dict!;
    const slot = d.find(member);
    if (slot === -1) return false;
    const node = d.vals[slot]!;
    const score = this.sl.scores[node];
    const m = d.keys[slot]!;
    d.delete(member);
    this.sl.delete(score, m);
    return true;
  }

  /** 0-based rank of member (from the top when reverse), or -1 (zsetRank). */
  rank(member: string, reverse: boolean): number {
    const len = this.length;
    if (this.sl === null) {
      const lp = this.lp;
      let p = 0;
      for (let i = 0; i < this.n; i++) {
        const next = decodeAt(lp, p);
        if (dMe - dMs === member.length && lp.startsWith(member, dMs)) return reverse ? len - 1 - i : i;
        p = next;
      }
      return -1;
    }
    const slot = this.dict!.find(member);
    if (slot === -1) return -1;
    const r = this.sl.rank(this.sl.scores[this.dict!.vals[slot]!], member);
    return reverse ? len - r : r - 1;
  }

  // ------------------------------------------------------------ iteration

  /** Every element in order (lowest first). */
  forEach(emit: Emit): void {
    if (this.sl === null) {
      const lp = this.lp;
      let p = 0;
      for (let i = 0; i < this.n; i++) {
        p = decodeAt(lp, p);
        emit(lp.substring(dMs, dMe), dScore);
      }
      return;
    }
    const sl = this.sl;
    for (let x = sl.first(); x !== 0; x = sl.next(x)) emit(sl.members[x]!, sl.scores[x]);
  }

  /**
   * Emits the elements of 0-based ranks start..end (inclusive, valid indexes)
   * in order, or from the top when reverse (rank 0 = the highest).
   */
  rangeByRank(start: number, end: number, reverse: boolean, emit: Emit): void {
    const len = this.length;
    if (this.sl === null) {
      const lp = this.lp;
      const o = entryOffsets(lp, this.n);
      for (let r = start; r <= end; r++) {
        decodeAt(lp, o[reverse ? len - 1 - r : r]);
        emit(lp.substring(dMs, dMe), dScore);
      }
      return;
    }
    const sl = this.sl;
    let x = sl.byRank(reverse ? len - start : start + 1);
    for (let r = start; r <= end && x !== 0; r++) {
      emit(sl.members[x]!, sl.scores[x]);
      x = reverse ? sl.prev(x) : sl.next(x);
    }
  }

  /**
   * Redis's genericZrangebyscoreCommand walk: from the first (last when
   * reverse) element in range, skips `offset`, emits up to `limit` (negative:
   * no limit) while in range. Returns how many were emitted.
   */
  rangeByScore(r: ScoreRange, offset: number, limit: number, reverse: boolean, emit: Emit): number {
    return this.rangeGeneric(false, r, null, offset, limit, reverse, emit);
  }

  /** The lex variant of rangeByScore (genericZrangebylexCommand). */
  rangeByLex(r: LexRange, offset: number, limit: number, reverse: boolean, emit: Emit): number {
    return this.rangeGeneric(true, null, r, offset, limit, reverse, emit);
  }

  private rangeGeneric(lex: boolean, sr: ScoreRange | null, lr: LexRange | null, offset: number, limit: number, reverse: boolean, emit: Emit): number {
    if (offset < 0) return 0; // Redis's `while (offset--)` walks off the end
    let emitted = 0;
    if (this.sl === null) {
      const lp = this.lp;
      const n = this.n;
      const o = entryOffsets(lp, n);
      lpRange.set(lp, o, lex, sr, lr);
      let i = reverse ? lpRange.last(n) : lpRange.first(n);
      if (i === -1) return 0;
      i += reverse ? -offset : offset;
      while (i >= 0 && i < n && limit-- !== 0) {
        if (reverse ? !lpRange.gteMin(i) : !lpRange.lteMax(i)) break;
        decodeAt(lp, o[i]);
        emit(lp.substring(dMs, dMe), dScore);
        emitted++;
        i += reverse ? -1 : 1;
      }
      return emitted;
    }
    const sl = this.sl;
    let x = reverse ? (lex ? sl.lastInLexRange(lr!) : sl.lastInScoreRange(sr!)) : lex ? sl.firstInLexRange(lr!) : sl.firstInScoreRange(sr!);
    if (x === 0) return 0;
    if (offset > 0) {
      // skip by rank in O(log n) instead of walking
      const rank = sl.rank(sl.scores[x], sl.members[x]!);
      x = sl.byRank(reverse ? rank - offset : rank + offset);
    }
    while (x !== 0 && limit-- !== 0) {
      const m = sl.members[x]!;
      const s = sl.scores[x];
      if (reverse ? (lex ? !lexGteMin(m, lr!) : !scoreGteMin(s, sr!)) : lex ? !lexLteMax(m, lr!) : !scoreLteMax(s, sr!)) break;
      emit(m, s);
      emitted++;
      x = reverse ? sl.prev(x) : sl.next(x);
    }
    return emitted;
  }

  /** Number of elements with score in r (ZCOUNT). */
  countInScoreRange(r: ScoreRange): number {
    return this.countGeneric(false, r, null);
  }

  /** Number of elements with member in r (ZLEXCOUNT). */
  countInLexRange(r: LexRange): number {
    return this.countGeneric(true, null, r);
  }

  private countGeneric(lex: boolean, sr: ScoreRange | null, lr: LexRange | null): number {
    if (this.sl === null) {
      const n = this.n;
      lpRange.set(this.lp, entryOffsets(this.lp, n), lex, sr, lr);
      let i = lpRange.first(n);
      if (i === -1) return 0;
      let c = 0;
      while (i < n && lpRange.lteMax(i)) {
        c++;
        i++;
      }
      return c;
    }
    const sl = this.sl;
    const f = lex ? sl.firstInLexRange(lr!) : sl.firstInScoreRange(sr!);
    if (f === 0) return 0;
    let count = sl.length - (sl.rank(sl.scores[f], sl.members[f]!) - 1);
    const l = lex ? sl.lastInLexRange(lr!) : sl.lastInScoreRange(sr!);
    if (l !== 0) count -= sl.length - sl.rank(sl.scores[l], sl.members[l]!);
    return count;
  }

  // ------------------------------------------------------------ range removal

  /** Removes 0-based ranks start..end (valid, inclusive); returns the count. */
  removeRangeByRank(start: number, end: number): number {
    if (this.sl === null) {
      const o = entryOffsets(this.lp, this.n);
      const from = o[start];
      const to = o[end + 1];
      this.lp = splice(this.lp, from, to, '');
      this.n -= end - start + 1;
      return end - start + 1;
    }
    const d = this.dict!;
    return this.sl.deleteRangeByRank(start + 1, end + 1, (m) => d.delete(m));
  }

  removeRangeByScore(r: ScoreRange): number {
    if (this.sl === null) return this.lpRemoveRange(false, r, null);
    if (scoreRangeEmpty(r)) return 0;
    const d = this.dict!;
    return this.sl.deleteRangeByScore(r, (m) => d.delete(m));
  }

  removeRangeByLex(r: LexRange): number {
    if (this.sl === null) return this.lpRemoveRange(true, null, r);
    const d = this.dict!;
    return this.sl.deleteRangeByLex(r, (m) => d.delete(m));
  }

  /** zzlDeleteRangeByScore/ByLex: from the first element in range, removes while within max. */
  private lpRemoveRange(lex: boolean, sr: ScoreRange | null, lr: LexRange | null): number {
    const n = this.n;
    const o = entryOffsets(this.lp, n);
    lpRange.set(this.lp, o, lex, sr, lr);
    const i = lpRange.first(n);
    if (i === -1) return 0;
    let j = i;
    while (j < n && lpRange.lteMax(j)) j++;
    this.lp = splice(this.lp, o[i], o[j], '');
    this.n -= j - i;
    return j - i;
  }

  // ------------------------------------------------------------ random access

  /** The element at 0-based rank i (valid index): [member, score]. */
  at(i: number): [string, number] {
    if (this.sl === null) {
      const o = entryOffsets(this.lp, this.n);
      decodeAt(this.lp, o[i]);
      return [this.lp.substring(dMs, dMe), dScore];
    }
    const x = this.sl.byRank(i + 1);
    return [this.sl.members[x]!, this.sl.scores[x]];
  }

  /**
   * Emits `count` elements drawn uniformly with replacement
   * (ZRANDMEMBER with a negative count).
   */
  randomWithReplacement(count: number, emit: Emit): void {
    if (this.sl === null) {
      const lp = this.lp;
      const n = this.n;
      const o = entryOffsets(lp, n);
      for (let k = 0; k < count; k++) {
        decodeAt(lp, o[Math.floor(Math.random() * n)]);
        emit(lp.substring(dMs, dMe), dScore);
      }
      return;
    }
    const d = this.dict!;
    const sl = this.sl;
    for (let k = 0; k < count; k++) {
      const slot = d.randomSlot();
      emit(d.keys[slot]!, sl.scores[d.vals[slot]!]);
    }
  }

  /** Emits `count` (< length) distinct random elements, in no particular order. */
  randomDistinct(count: number, emit: Emit): void {
    const len = this.length;
    if (this.sl === null || count * 3 > len) {
      // partial Fisher-Yates over the ranks
      const idx = new Int32Array(len);
      for (let i = 0; i < len; i++) idx[i] = i;
      const all: [string, number][] = [];
      this.forEach((m, s) => all.push([m, s]));
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(Math.random() * (len - i));
        const t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        const e = all[idx[i]];
        emit(e[0], e[1]);
      }
      return;
    }
    const d = this.dict!;
    const sl = this.sl;
    const seen = new Set<number>();
    while (seen.size < count) {
      const slot = d.randomSlot();
      if (seen.has(slot)) continue;
      seen.add(slot);
      emit(d.keys[slot]!, sl.scores[d.vals[slot]!]);
    }
  }

  /**
   * ZSCAN's view: for the listpack form, every [member, score, …] with the
   * score as its reply text (fmt); null for the skiplist form (scan `dict`).
   */
  flatPairs(fmt: (score: number) => string): string[] | null {
    if (this.sl !== null) return null;
    const out: string[] = [];
    this.forEach((m, s) => out.push(m, fmt(s)));
    return out;
  }

  /** Score of the element a dict slot points at (skiplist form). */
  scoreOfSlot(slot: number): number {
    return this.sl!.scores[this.dict!.vals[slot]!];
  }
}

/** True when (s1, m1) sorts before (s2, m2). */
export const zsetBefore = before;
