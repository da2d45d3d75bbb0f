/**
 * SkipList: the ordered index of a sorted set, as Redis's zskiplist.
 *
 * Elements are (score, member) pairs ordered by score, then by member as
 * binary strings (latin1: JS string comparison is byte order). Each node keeps,
 * per level, a forward link and its span (how many level-0 steps it skips), so
 * rank queries are O(log n) like Redis's ZRANK. A backward link at level 0
 * gives reverse iteration. Levels are drawn with p = 1/4 up to 32.
 *
 * The skiplist does not check for duplicate members: the sorted-set type
 * keeps a member → score map and calls insert only for new members.
 *
 * Invariants: nodes at level 0 are sorted; span sums along any level from the
 * header to a node equal that node's rank; length = number of nodes.
 */

export const SKIPLIST_MAXLEVEL = 32;
const P = 0.25;

export class SkipNode {
  backward: SkipNode | null = null;
  readonly forward: (SkipNode | null)[];
  readonly span: number[];
  constructor(
    public score: number,
    public member: string,
    level: number,
  ) {
    this.forward = new Array(level).fill(null);
    this.span = new Array(level).fill(0);
  }
}

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
function before(s1: number, m1: string, s2: number, m2: string): boolean {
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

export class SkipList {
  readonly header = new SkipNode(0, '', SKIPLIST_MAXLEVEL);
  tail: SkipNode | null = null;
  length = 0;
  level = 1;

  /** Inserts a new element (the member must not be present). Returns its node. */
  insert(score: number, member: string): SkipNode {
    const update: SkipNode[] = new Array(SKIPLIST_MAXLEVEL);
    const rank: number[] = new Array(SKIPLIST_MAXLEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let f = x.forward[i];
      while (f !== null && before(f.score, f.member, score, member)) {
        rank[i] += x.span[i];
        x = f;
        f = x.forward[i];
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.header;
        update[i].span[i] = this.length;
      }
      this.level = level;
    }
    const n = new SkipNode(score, member, level);
    for (let i = 0; i < level; i++) {
      n.forward[i] = update[i].forward[i];
      update[i].forward[i] = n;
      n.span[i] = update[i].span[i] - (rank[0] - rank[i]);
      update[i].span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    n.backward = update[0] === this.header ? null : update[0];
    if (n.forward[0] !== null) n.forward[0].backward = n;
    else this.tail = n;
    this.length++;
    return n;
  }

  private unlink(x: SkipNode, update: SkipNode[]): void {
    for (let i = 0; i < this.level; i++) {
      if (update[i].forward[i] === x) {
        update[i].span[i] += x.span[i] - 1;
        update[i].forward[i] = x.forward[i];
      } else {
        update[i].span[i] -= 1;
      }
    }
    if (x.forward[0] !== null) x.forward[0].backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && this.header.forward[this.level - 1] === null) this.level--;
    this.length--;
  }

  /** Removes (score, member); returns true if it was there. */
  delete(score: number, member: string): boolean {
    const update: SkipNode[] = new Array(SKIPLIST_MAXLEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.forward[i];
      while (f !== null && before(f.score, f.member, score, member)) {
        x = f;
        f = x.forward[i];
      }
      update[i] = x;
    }
    const t = x.forward[0];
    if (t !== null && t.score === score && t.member === member) {
      this.unlink(t, update);
      return true;
    }
    return false;
  }

  /**
   * Changes the score of an element known to be at curScore. Moves the node
   * only when its position changes, as Redis's zslUpdateScore.
   */
  updateScore(curScore: number, member: string, newScore: number): SkipNode {
    const update: SkipNode[] = new Array(SKIPLIST_MAXLEVEL);
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.forward[i];
      while (f !== null && before(f.score, f.member, curScore, member)) {
        x = f;
        f = x.forward[i];
      }
      update[i] = x;
    }
    const node = x.forward[0]!;
    const prev = node.backward;
    const next = node.forward[0];
    if ((prev === null || before(prev.score, prev.member, newScore, member)) && (next === null || before(newScore, member, next.score, next.member))) {
      node.score = newScore;
      return node;
    }
    this.unlink(node, update);
    return this.insert(newScore, member);
  }

  /** 1-based rank of (score, member), 0 when absent. */
  rank(score: number, member: string): number {
    let rank = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.forward[i];
      while (f !== null && (before(f.score, f.member, score, member) || (f.score === score && f.member === member))) {
        rank += x.span[i];
        x = f;
        f = x.forward[i];
      }
      if (x !== this.header && x.member === member && x.score === score) return rank;
    }
    return 0;
  }

  /** The node at a 1-based rank, or null. */
  byRank(rank: number): SkipNode | null {
    if (rank < 1 || rank > this.length) return null;
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.forward[i];
      while (f !== null && traversed + x.span[i] <= rank) {
        traversed += x.span[i];
        x = f;
        f = x.forward[i];
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  first(): SkipNode | null {
    return this.header.forward[0];
  }

  /** First node with score in range, or null. */
  firstInScoreRange(r: ScoreRange): SkipNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.forward[i];
      while (f !== null && !scoreGteMin(f.score, r)) {
        x = f;
        f = x.forward[i];
      }
    }
    const n = x.forward[0];
    return n !== null && scoreLteMax(n.score, r) ? n : null;
  }

  /** Last node with score in range, or null. */
  lastInScoreRange(r: ScoreRange): SkipNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.forward[i];
      while (f !== null && scoreLteMax(f.score, r)) {
        x = f;
        f = x.forward[i];
      }
    }
    return x !== this.header && scoreGteMin(x.score, r) ? x : null;
  }

  firstInLexRange(r: LexRange): SkipNode | null {
    if (r.empty) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.forward[i];
      while (f !== null && !lexGteMin(f.member, r)) {
        x = f;
        f = x.forward[i];
      }
    }
    const n = x.forward[0];
    return n !== null && lexLteMax(n.member, r) ? n : null;
  }

  lastInLexRange(r: LexRange): SkipNode | null {
    if (r.empty) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.forward[i];
      while (f !== null && lexLteMax(f.member, r)) {
        x = f;
        f = x.forward[i];
      }
    }
    return x !== this.header && lexGteMin(x.member, r) ? x : null;
  }

  /** Removes the nodes with 1-based ranks start..end (inclusive); returns their members. */
  deleteRangeByRank(start: number, end: number): string[] {
    const update: SkipNode[] = new Array(SKIPLIST_MAXLEVEL);
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.forward[i];
      while (f !== null && traversed + x.span[i] < start) {
        traversed += x.span[i];
        x = f;
        f = x.forward[i];
      }
      update[i] = x;
    }
    traversed++;
    const removed: string[] = [];
    let n = x.forward[0];
    while (n !== null && traversed <= end) {
      const next = n.forward[0];
      this.unlink(n, update);
      removed.push(n.member);
      traversed++;
      n = next;
    }
    return removed;
  }

  /** Iterates level 0 from a node forward (or backward). */
  *iterate(from: SkipNode | null, reverse = false): Iterable<SkipNode> {
    let n = from;
    while (n !== null) {
      yield n;
      n = reverse ? n.backward : n.forward[0];
    }
  }
}
