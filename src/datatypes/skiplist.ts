/**
 * SkipList: the ordered index of a sorted set, as Redis's zskiplist.
 *
 * Elements are (score, member) pairs ordered by score, then by member as
 * binary strings (latin1: JS string comparison is byte order). Each node keeps,
 * per level, a forward link and its span (how many level-0 steps it skips), so
 * rank queries are O(log n) like Redis's ZRANK. A backward link at level 0
 * gives reverse iteration. Levels are drawn with p = 1/4 up to 32.
 *
 * Memory layout (struct of arrays, no object per node): a node is a small
 * integer id. `scores` (Float64Array), `members` (a JS array of strings),
 * `back` (backward link), `off` and `lvl` are indexed by id; the per-level
 * (forward, span) pairs of a node live in one chunk of 2·level ints of the
 * shared `pool`, at `off[id]`. Freed ids and chunks are reused (chunks through
 * one free list per level). A node thus costs about 8 (score) + 8 (member
 * pointer) + 9 (links, level) + 8·level (≈ 10.7 on average) bytes, where an
 * object per node would cost ~170 bytes in V8 — the difference is what keeps
 * a big sorted set within Redis's memory footprint.
 *
 * Id 0 is the header (level 32, no element); 0 as a link means "none"
 * (nothing links forward to the header, and the first node's backward is none).
 *
 * The skiplist does not check for duplicate members: the sorted-set type
 * keeps a member → node map and calls insert only for new members.
 *
 * Invariants: nodes at level 0 are sorted; span sums along any level from the
 * header to a node equal that node's rank; length = number of nodes.
 */

import { objBytes, pushedArrayBytes, strBytes, typedBytes } from '../util/v8-size.js';
import type { Dict } from './dict.js';

export const SKIPLIST_MAXLEVEL = 32;
const P = 0.25;
const HEADER = 0;

/** A score interval: min/max with exclusive flags (ZRANGEBYSCORE's "(1"). */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** A lex interval; min/max null mean "-" and "+" (unbounded). */
export interface LexRange {
  min: string | null;
  max: string | null;
  minex: boolean;
  maxex: boolean;
  /** "+" as min or "-" as max: empty */
  empty?: boolean;
}

function randomLevel(): number {
  let level = 1;
  while (level < SKIPLIST_MAXLEVEL && Math.random() < P) level++;
  return level;
}

/** (s1, m1) < (s2, m2) in sorted-set order */
export function before(s1: number, m1: string, s2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && m1 < m2);
}

export function scoreGteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}
export function scoreLteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}
export function lexGteMin(v: string, r: LexRange): boolean {
  if (r.min === null) return true;
  return r.minex ? v > r.min : v >= r.min;
}
export function lexLteMax(v: string, r: LexRange): boolean {
  if (r.max === null) return true;
  return r.maxex ? v < r.max : v <= r.max;
}

/** True when no value can be inside r (Redis's zslIsInRange first test). */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** True when no string can be inside r (zslIsInLexRange's first test). */
export function lexRangeEmpty(r: LexRange): boolean {
  if (r.empty) return true;
  if (r.min === null || r.max === null) return false;
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

// scratch vectors for the search paths (no reentrancy: every method completes before returning)
const update = new Int32Array(SKIPLIST_MAXLEVEL);
const rankv = new Float64Array(SKIPLIST_MAXLEVEL);

export class SkipList {
  scores: Float64Array;
  members: (string | undefined)[] = [''];
  back: Int32Array;
  off: Int32Array;
  lvl: Uint8Array;
  pool: Int32Array;
  /** node ids ever used (high-water mark) */
  private top = 1;
  private freeNode = 0;
  private poolTop: number;
  /** per level, the offset + 1 of the first free chunk (0 = none) */
  private readonly freeChunk = new Int32Array(SKIPLIST_MAXLEVEL + 1);
  tail = 0;
  length = 0;
  level = 1;
  /** the sorted set's member → node id table, kept here for it (ZSet.dict); null until set */
  dict: Dict<number> | null = null;

  constructor(capacity = 16) {
    const cap = Math.max(2, capacity + 1);
    this.scores = new Float64Array(cap);
    this.back = new Int32Array(cap);
    this.off = new Int32Array(cap);
    this.lvl = new Uint8Array(cap);
    this.pool = new Int32Array(2 * SKIPLIST_MAXLEVEL + Math.ceil(cap * 2.8));
    this.lvl[HEADER] = SKIPLIST_MAXLEVEL;
    this.off[HEADER] = 0;
    this.poolTop = 2 * SKIPLIST_MAXLEVEL;
  }

  /**
   * Bytes of the skiplist: the object, its typed arrays, the member array
   * and the member strings (the first `samples` members give the average for
   * the rest).
   */
  memoryUsage(samples: number): number {
    let b = objBytes(14) + pushedArrayBytes(this.members.length);
    for (const a of [this.scores, this.back, this.off, this.lvl, this.pool, this.freeChunk]) b += typedBytes(a.byteLength);
    let bytes = 0;
    let seen = 0;
    for (let x = this.pool[0]; x !== 0 && seen < samples; x = this.pool[this.off[x]], seen++) bytes += strBytes(this.members[x]!.length);
    return b + (seen === 0 ? 0 : Math.round((bytes / seen) * this.length));
  }

  // ---------------------------------------------------------------- node access

  /** The node after x at level 0 (0 = none). */
  next(x: number): number {
    return this.pool[this.off[x]];
  }
  /** The node before x (0 = none). */
  prev(x: number): number {
    return this.back[x];
  }
  first(): number {
    return this.pool[0];
  }
  last(): number {
    return this.tail;
  }
  score(x: number): number {
    return this.scores[x];
  }
  member(x: number): string {
    return this.members[x]!;
  }

  // ---------------------------------------------------------------- storage

  private allocNode(level: number): number {
    let id: number;
    if (this.freeNode !== 0) {
      id = this.freeNode;
      this.freeNode = this.back[id];
    } else {
      id = this.top++;
      if (id >= this.scores.length) this.growNodes();
    }
    this.lvl[id] = level;
    this.off[id] = this.allocChunk(level);
    return id;
  }

  private freeNodeId(id: number): void {
    const level = this.lvl[id];
    const o = this.off[id];
    this.pool[o] = this.freeChunk[level];
    this.freeChunk[level] = o + 1;
    this.members[id] = undefined;
    this.back[id] = this.freeNode;
    this.freeNode = id;
  }

  private allocChunk(level: number): number {
    const head = this.freeChunk[level];
    const size = 2 * level;
    if (head !== 0) {
      const o = head - 1;
      this.freeChunk[level] = this.pool[o];
      this.pool.fill(0, o, o + size);
      return o;
    }
    const o = this.poolTop;
    if (o + size > this.pool.length) {
      const cap = Math.max(o + size, this.pool.length < 4096 ? this.pool.length * 2 : Math.floor(this.pool.length * 1.5));
      const p = new Int32Array(cap);
      p.set(this.pool.subarray(0, this.poolTop));
      this.pool = p;
    }
    this.poolTop = o + size;
    return o;
  }

  private growNodes(): void {
    const old = this.scores.length;
    const cap = old < 1024 ? old * 2 : Math.floor(old * 1.5);
    const s = new Float64Array(cap);
    s.set(this.scores);
    this.scores = s;
    const b = new Int32Array(cap);
    b.set(this.back);
    this.back = b;
    const f = new Int32Array(cap);
    f.set(this.off);
    this.off = f;
    const l = new Uint8Array(cap);
    l.set(this.lvl);
    this.lvl = l;
  }

  // ---------------------------------------------------------------- updates

  /** Inserts a new element (the member must not be present). Returns its node. */
  insert(score: number, member: string): number {
    const level = randomLevel();
    const n = this.allocNode(level);
    const pool = this.pool;
    const off = this.off;
    const scores = this.scores;
    const members = this.members;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      rankv[i] = i === this.level - 1 ? 0 : rankv[i + 1];
      let f = pool[off[x] + 2 * i];
      while (f !== 0 && before(scores[f], members[f]!, score, member)) {
        rankv[i] += pool[off[x] + 2 * i + 1];
        x = f;
        f = pool[off[x] + 2 * i];
      }
      update[i] = x;
    }
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rankv[i] = 0;
        update[i] = HEADER;
        pool[2 * i + 1] = this.length;
      }
      this.level = level;
    }
    scores[n] = score;
    if (n === members.length) members.push(member);
    else members[n] = member;
    const on = off[n];
    for (let i = 0; i < level; i++) {
      const ou = off[update[i]] + 2 * i;
      pool[on + 2 * i] = pool[ou];
      pool[ou] = n;
      pool[on + 2 * i + 1] = pool[ou + 1] - (rankv[0] - rankv[i]);
      pool[ou + 1] = rankv[0] - rankv[i] + 1;
    }
    for (let i = level; i < this.level; i++) pool[off[update[i]] + 2 * i + 1]++;
    this.back[n] = update[0] === HEADER ? 0 : update[0];
    const nx = pool[on];
    if (nx !== 0) this.back[nx] = n;
    else this.tail = n;
    this.length++;
    return n;
  }

  /** Unlinks x given the update vector of its predecessors (does not free it). */
  private unlink(x: number): void {
    const pool = this.pool;
    const off = this.off;
    const ox = off[x];
    for (let i = 0; i < this.level; i++) {
      const ou = off[update[i]] + 2 * i;
      if (pool[ou] === x) {
        pool[ou + 1] += pool[ox + 2 * i + 1] - 1;
        pool[ou] = pool[ox + 2 * i];
      } else {
        pool[ou + 1] -= 1;
      }
    }
    const nx = pool[ox];
    if (nx !== 0) this.back[nx] = this.back[x];
    else this.tail = this.back[x];
    while (this.level > 1 && pool[2 * (this.level - 1)] === 0) this.level--;
    this.length--;
  }

  /** Fills `update` with the last node before (score, member) at each level; returns the level-0 predecessor. */
  private findUpdate(score: number, member: string): number {
    const pool = this.pool;
    const off = this.off;
    const scores = this.scores;
    const members = this.members;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = pool[off[x] + 2 * i];
      while (f !== 0 && before(scores[f], members[f]!, score, member)) {
        x = f;
        f = pool[off[x] + 2 * i];
      }
      update[i] = x;
    }
    return x;
  }

  /** Removes (score, member); returns true if it was there. */
  delete(score: number, member: string): boolean {
    const x = this.findUpdate(score, member);
    const t = this.pool[this.off[x]];
    if (t !== 0 && this.scores[t] === score && this.members[t] === member) {
      this.unlink(t);
      this.freeNodeId(t);
      return true;
    }
    return false;
  }

  /**
   * Changes the score of an element known to be at curScore. Moves the node
   * only when its position changes, as Redis's zslUpdateScore. Returns the
   * element's node (a new id when it moved).
   */
  updateScore(curScore: number, member: string, newScore: number): number {
    const x = this.findUpdate(curScore, member);
    const node = this.pool[this.off[x]];
    const prev = this.back[node];
    const next = this.pool[this.off[node]];
    const scores = this.scores;
    const members = this.members;
    if ((prev === 0 || before(scores[prev], members[prev]!, newScore, member)) && (next === 0 || before(newScore, member, scores[next], members[next]!))) {
      scores[node] = newScore;
      return node;
    }
    this.unlink(node);
    this.freeNodeId(node);
    return this.insert(newScore, member);
  }

  // ---------------------------------------------------------------- queries

  /** 1-based rank of (score, member), 0 when absent. */
  rank(score: number, member: string): number {
    const pool = this.pool;
    const off = this.off;
    const scores = this.scores;
    const members = this.members;
    let rank = 0;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = pool[off[x] + 2 * i];
      while (f !== 0 && (before(scores[f], members[f]!, score, member) || (scores[f] === score && members[f] === member))) {
        rank += pool[off[x] + 2 * i + 1];
        x = f;
        f = pool[off[x] + 2 * i];
      }
      if (x !== HEADER && members[x] === member && scores[x] === score) return rank;
    }
    return 0;
  }

  /** The node at a 1-based rank, or 0. */
  byRank(rank: number): number {
    if (rank < 1 || rank > this.length) return 0;
    const pool = this.pool;
    const off = this.off;
    let traversed = 0;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = pool[off[x] + 2 * i];
      while (f !== 0 && traversed + pool[off[x] + 2 * i + 1] <= rank) {
        traversed += pool[off[x] + 2 * i + 1];
        x = f;
        f = pool[off[x] + 2 * i];
      }
      if (traversed === rank) return x;
    }
    return 0;
  }

  /** First node with score in range, or 0. */
  firstInScoreRange(r: ScoreRange): number {
    if (scoreRangeEmpty(r)) return 0;
    const scores = this.scores;
    return this.firstWhere(
      (x) => scoreGteMin(scores[x], r),
      (x) => scoreLteMax(scores[x], r),
    );
  }

  /** Last node with score in range, or 0. */
  lastInScoreRange(r: ScoreRange): number {
    if (scoreRangeEmpty(r)) return 0;
    const scores = this.scores;
    return this.lastWhere(
      (x) => scoreGteMin(scores[x], r),
      (x) => scoreLteMax(scores[x], r),
    );
  }

  /** zslIsInLexRange: the range overlaps the first and last members (Redis checks this before every lex search). */
  private inLexRange(r: LexRange): boolean {
    if (lexRangeEmpty(r) || this.length === 0) return false;
    return lexGteMin(this.members[this.tail]!, r) && lexLteMax(this.members[this.first()]!, r);
  }

  firstInLexRange(r: LexRange): number {
    if (!this.inLexRange(r)) return 0;
    const members = this.members;
    return this.firstWhere(
      (x) => lexGteMin(members[x]!, r),
      (x) => lexLteMax(members[x]!, r),
    );
  }

  lastInLexRange(r: LexRange): number {
    if (!this.inLexRange(r)) return 0;
    const members = this.members;
    return this.lastWhere(
      (x) => lexGteMin(members[x]!, r),
      (x) => lexLteMax(members[x]!, r),
    );
  }

  /**
   * The first node for which gteMin holds (descending the levels while it
   * does not), if lteMax holds for it too; else 0. Fills `update` with the
   * predecessors at each level, for range deletion.
   */
  private firstWhere(gteMin: (x: number) => boolean, lteMax: (x: number) => boolean): number {
    const pool = this.pool;
    const off = this.off;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = pool[off[x] + 2 * i];
      while (f !== 0 && !gteMin(f)) {
        x = f;
        f = pool[off[x] + 2 * i];
      }
      update[i] = x;
    }
    const n = pool[off[x]];
    return n !== 0 && lteMax(n) ? n : 0;
  }

  /** The last node for which lteMax holds, if gteMin holds for it too; else 0. */
  private lastWhere(gteMin: (x: number) => boolean, lteMax: (x: number) => boolean): number {
    const pool = this.pool;
    const off = this.off;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = pool[off[x] + 2 * i];
      while (f !== 0 && lteMax(f)) {
        x = f;
        f = pool[off[x] + 2 * i];
      }
    }
    return x !== HEADER && gteMin(x) ? x : 0;
  }

  // ---------------------------------------------------------------- range deletion

  /**
   * Removes the nodes with 1-based ranks start..end (inclusive), calling
   * `removed(member)` for each; returns how many were removed.
   */
  deleteRangeByRank(start: number, end: number, removed?: (member: string) => void): number {
    const pool = this.pool;
    const off = this.off;
    let traversed = 0;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = pool[off[x] + 2 * i];
      while (f !== 0 && traversed + pool[off[x] + 2 * i + 1] < start) {
        traversed += pool[off[x] + 2 * i + 1];
        x = f;
        f = pool[off[x] + 2 * i];
      }
      update[i] = x;
    }
    traversed++;
    let n = pool[off[x]];
    let count = 0;
    while (n !== 0 && traversed <= end) {
      const next = this.pool[this.off[n]];
      const m = this.members[n]!;
      this.unlink(n);
      this.freeNodeId(n);
      if (removed) removed(m);
      count++;
      traversed++;
      n = next;
    }
    return count;
  }

  /** Removes every node with score in r (zslDeleteRangeByScore); returns how many. */
  deleteRangeByScore(r: ScoreRange, removed?: (member: string) => void): number {
    const scores = this.scores;
    return this.deleteWhile(
      (x) => scoreGteMin(scores[x], r),
      (x) => scoreLteMax(scores[x], r),
      removed,
    );
  }

  /** Removes every node with member in r (zslDeleteRangeByLex); returns how many. */
  deleteRangeByLex(r: LexRange, removed?: (member: string) => void): number {
    if (lexRangeEmpty(r)) return 0;
    const members = this.members;
    return this.deleteWhile(
      (x) => lexGteMin(members[x]!, r),
      (x) => lexLteMax(members[x]!, r),
      removed,
    );
  }

  /** From the first node where gteMin holds, removes nodes while lteMax holds. */
  private deleteWhile(gteMin: (x: number) => boolean, lteMax: (x: number) => boolean, removed?: (member: string) => void): number {
    let n = this.firstWhere(gteMin, lteMax);
    let count = 0;
    while (n !== 0 && lteMax(n)) {
      const next = this.pool[this.off[n]];
      const m = this.members[n]!;
      this.unlink(n);
      this.freeNodeId(n);
      if (removed) removed(m);
      count++;
      n = next;
    }
    return count;
  }

  /** An exact structural copy (node ids are preserved). */
  clone(): SkipList {
    const c = Object.create(SkipList.prototype) as SkipList;
    Object.assign(c, this);
    c.scores = this.scores.slice();
    c.members = this.members.slice();
    c.back = this.back.slice();
    c.off = this.off.slice();
    c.lvl = this.lvl.slice();
    c.pool = this.pool.slice();
    c.dict = null;
    (c as unknown as { freeChunk: Int32Array }).freeChunk = this.freeChunk.slice();
    return c;
  }
}
