/**
 * Lua 5.1's pattern matcher (lstrlib.c's MatchState, match, do_match's
 * cases, classend, singlematch, matchbracketclass, max_expand, min_expand,
 * start_capture, end_capture, match_capture, matchbalance), on latin1 JS
 * strings (one char per byte), for string.find / match / gmatch / gsub.
 *
 * Kept exactly as lstrlib.c behaves, including what users can observe of
 * its C nature:
 * - The pattern is a C string: it ends at its first "\0" (find's plain
 *   search is the exception: it uses the whole pattern).
 * - Past the subject's end the matcher reads the terminating "\0" (so
 *   %f[%z] sees the end of the subject as a "\0").
 * - Character classes are the C locale's (bytes >= 128 are in none).
 * - Recursion follows the C code: tail calls are loops, backtracking points
 *   (?, *, +, -, captures) recurse, so JS's stack depth grows with the
 *   pattern's length, not the subject's.
 * Positions are indices into the subject; -1 is C's NULL.
 */
import type { LuaState } from '../state.js';
import type { LuaValue } from '../value.js';

export const CAP_UNFINISHED = -1;
export const CAP_POSITION = -2;
/** LUA_MAXCAPTURES */
export const MAXCAPTURES = 32;
const L_ESC = 37; // '%'

// C-locale ctype bits, per byte
const ALPHA = 1;
const CNTRL = 2;
const DIGIT = 4;
const LOWER = 8;
const PUNCT = 16;
const SPACE = 32;
const UPPER = 64;
const XDIGIT = 128;
const CTYPE = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  let f = 0;
  if (c < 32 || c === 127) f |= CNTRL;
  if (c >= 48 && c <= 57) f |= DIGIT | XDIGIT;
  if (c >= 97 && c <= 122) f |= LOWER | ALPHA;
  if (c >= 65 && c <= 90) f |= UPPER | ALPHA;
  if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) f |= XDIGIT;
  if (c === 32 || (c >= 9 && c <= 13)) f |= SPACE;
  if (c > 32 && c < 127 && !(f & (ALPHA | DIGIT))) f |= PUNCT;
  CTYPE[c] = f;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The characters that make find() use the matcher rather than a plain search. */
export const SPECIALS = /[\^$*+?.([%-]/;

/** match_class(c, cl): c in the class %cl (upper case: the complement) */
function match_class(c: number, cl: number): boolean {
  let res: number;
  switch (cl | 0x20) {
    case 97: // a
      res = CTYPE[c] & ALPHA;
      break;
    case 99: // c
      res = CTYPE[c] & CNTRL;
      break;
    case 100: // d
      res = CTYPE[c] & DIGIT;
      break;
    case 108: // l
      res = CTYPE[c] & LOWER;
      break;
    case 112: // p
      res = CTYPE[c] & PUNCT;
      break;
    case 115: // s
      res = CTYPE[c] & SPACE;
      break;
    case 117: // u
      res = CTYPE[c] & UPPER;
      break;
    case 119: // w
      res = CTYPE[c] & (ALPHA | DIGIT);
      break;
    case 120: // x
      res = CTYPE[c] & XDIGIT;
      break;
    case 122: // z
      res = c === 0 ? 1 : 0;
      break;
    default:
      return cl === c;
  }
  // `cl | 0x20` also maps some non-letters onto letters ('A'..'Z' only are meant)
  if (!(CTYPE[cl] & ALPHA)) return cl === c;
  return CTYPE[cl] & LOWER ? res !== 0 : res === 0;
}

/** A pattern prepared for matching: its C string and what the matcher learnt of it. */
class Compiled {
  /** classend(p) per position (0: not computed yet) */
  readonly ends: Int32Array;
  /** member tables of the classes and sets, by position */
  readonly tables: (Uint8Array | undefined)[];
  /** how often each class or set was tested */
  readonly hits: Int32Array;
  /** the bytes a match can start with, when the first item is one plain class (undefined: not known yet) */
  first: Uint8Array | null | undefined = undefined;
  constructor(readonly p: string) {
    this.ends = new Int32Array(p.length + 1);
    this.tables = new Array(p.length + 1).fill(undefined);
    this.hits = new Int32Array(p.length + 1);
  }
}

const EMPTY_COMPILED = new Compiled('\0');
/**
 * Compiled patterns by source, shared by every LuaState: scripts use a few
 * literal patterns over and over. Only what follows from the pattern's text
 * is kept (a memo, as V8 keeps compiled regular expressions), bounded in
 * count and in pattern length.
 */
const cache = new Map<string, Compiled>();
const CACHE_MAX = 256;
const CACHE_PATTERN_MAX = 1024;
/** a class tested this many times gets its byte table */
const TABLE_AFTER = 32;

export class MatchState {
  /** the subject */
  src = '';
  srcEnd = 0;
  /** the pattern, cut at its first NUL and ended by one (C's terminator) */
  p = '\0';
  level = 0;
  readonly capInit: number[] = new Array(MAXCAPTURES).fill(0);
  readonly capLen: number[] = new Array(MAXCAPTURES).fill(0);

  constructor(readonly L: LuaState) {}

  /** the compiled form of the pattern: memoized class ends and byte tables */
  private pt: Compiled = EMPTY_COMPILED;

  /** Prepares a match of pattern `pat` (a Lua string) over `src`. */
  reset(src: string, pat: string): void {
    this.src = src;
    this.srcEnd = src.length;
    let pt = cache.get(pat);
    if (pt === undefined) {
      const z = pat.indexOf('\0');
      pt = new Compiled((z >= 0 ? pat.slice(0, z) : pat) + '\0');
      if (pat.length <= CACHE_PATTERN_MAX) {
        if (cache.size >= CACHE_MAX) cache.clear();
        cache.set(pat, pt);
      }
    }
    this.pt = pt;
    this.p = pt.p;
    this.level = 0;
  }

  /** classend, memoized per pattern position (errors are raised every time, never memoized) */
  classend(p: number): number {
    const ends = this.pt.ends;
    const e = ends[p];
    if (e !== 0) return e;
    return (ends[p] = this.classend_raw(p));
  }

  /** classend: the index just past the single-char class at p */
  private classend_raw(p: number): number {
    const pat = this.p;
    const c = pat.charCodeAt(p++);
    if (c === L_ESC) {
      if (pat.charCodeAt(p) === 0) throw this.L.error("malformed pattern (ends with '%')");
      return p + 1;
    }
    if (c === 91) {
      // '['
      if (pat.charCodeAt(p) === 94) p++; // '^'
      do {
        // look for a ']'
        const d = pat.charCodeAt(p);
        if (d === 0) throw this.L.error("malformed pattern (missing ']')");
        p++;
        if (d === L_ESC && pat.charCodeAt(p) !== 0) p++; // skip escapes (e.g. '%]')
      } while (pat.charCodeAt(p) !== 93);
      return p + 1;
    }
    return p;
  }

  /** matchbracketclass: p at '[', ec at the closing ']' */
  matchbracketclass(c: number, p: number, ec: number): boolean {
    const pat = this.p;
    let sig = true;
    if (pat.charCodeAt(p + 1) === 94) {
      sig = false;
      p++; // skip the '^'
    }
    while (++p < ec) {
      const d = pat.charCodeAt(p);
      if (d === L_ESC) {
        p++;
        if (match_class(c, pat.charCodeAt(p))) return sig;
      } else if (pat.charCodeAt(p + 1) === 45 && p + 2 < ec) {
        // a range
        p += 2;
        if (d <= c && c <= pat.charCodeAt(p)) return sig;
      } else if (d === c) return sig;
    }
    return !sig;
  }

  /**
   * singlematch. A class (%x) or set ([…]) met often gets a 256-entry table
   * of its members, so that scanning a long subject costs one lookup a byte.
   */
  singlematch(c: number, p: number, ep: number): boolean {
    const d = this.p.charCodeAt(p);
    if (d === L_ESC || d === 91) {
      const pt = this.pt;
      const tab = pt.tables[p];
      if (tab !== undefined) return tab[c] === 1;
      if (++pt.hits[p] === TABLE_AFTER) {
        const t = new Uint8Array(256);
        for (let b = 0; b < 256; b++) t[b] = this.singlematch_raw(b, p, ep) ? 1 : 0;
        pt.tables[p] = t;
      }
    }
    return this.singlematch_raw(c, p, ep);
  }

  /**
   * The bytes a match of the pattern from p0 can start with, or null when
   * any could (the first item is a capture, anchor, %b, %f, back-reference,
   * or may match nothing: *, -, ?). Call only after a match from p0 was
   * tried, so that a malformed first item has already raised its error.
   */
  first_bytes(p0: number): Uint8Array | null {
    const pt = this.pt;
    if (pt.first !== undefined) return pt.first;
    const pat = this.p;
    const c = pat.charCodeAt(p0);
    let tab: Uint8Array | null = null;
    const n = pat.charCodeAt(p0 + 1);
    const special = c === 40 || c === 41 || c === 0 || (c === 36 && n === 0) || (c === L_ESC && (n === 98 || n === 102 || isDigit(n)));
    if (!special) {
      const ep = this.classend(p0);
      const q = pat.charCodeAt(ep);
      if (q !== 42 && q !== 45 && q !== 63) {
        tab = new Uint8Array(256);
        for (let b = 0; b < 256; b++) tab[b] = this.singlematch_raw(b, p0, ep) ? 1 : 0;
      }
    }
    pt.first = tab;
    return tab;
  }

  private singlematch_raw(c: number, p: number, ep: number): boolean {
    const d = this.p.charCodeAt(p);
    switch (d) {
      case 46: // '.'
        return true;
      case L_ESC:
        return match_class(c, this.p.charCodeAt(p + 1));
      case 91: // '['
        return this.matchbracketclass(c, p, ep - 1);
      default:
        return d === c;
    }
  }

  /** match(ms, s, p): the end of the match of p[p..] at s, or -1 */
  match(s: number, p: number): number {
    const pat = this.p;
    for (;;) {
      const pc = pat.charCodeAt(p);
      switch (pc) {
        case 40: // '(' start capture
          if (pat.charCodeAt(p + 1) === 41) return this.start_capture(s, p + 2, CAP_POSITION);
          return this.start_capture(s, p + 1, CAP_UNFINISHED);
        case 41: // ')' end capture
          return this.end_capture(s, p + 1);
        case 0: // end of pattern
          return s;
        case 36: // '$'
          if (pat.charCodeAt(p + 1) === 0) return s === this.srcEnd ? s : -1;
          break;
        case L_ESC: {
          const n = pat.charCodeAt(p + 1);
          if (n === 98) {
            // %b balanced string
            s = this.matchbalance(s, p + 2);
            if (s < 0) return -1;
            p += 4;
            continue;
          }
          if (n === 102) {
            // %f frontier
            p += 2;
            if (pat.charCodeAt(p) !== 91) throw this.L.error("missing '[' after '%f' in pattern");
            const ep = this.classend(p);
            const prev = s === 0 ? 0 : this.src.charCodeAt(s - 1);
            const cur = s < this.srcEnd ? this.src.charCodeAt(s) : 0;
            if (this.matchbracketclass(prev, p, ep - 1) || !this.matchbracketclass(cur, p, ep - 1)) return -1;
            p = ep;
            continue;
          }
          if (isDigit(n)) {
            // %0-%9 back-reference
            s = this.match_capture(s, n);
            if (s < 0) return -1;
            p += 2;
            continue;
          }
          break;
        }
      }
      // a single-char class and its quantifier
      const ep = this.classend(p);
      const m = s < this.srcEnd && this.singlematch(this.src.charCodeAt(s), p, ep);
      switch (pat.charCodeAt(ep)) {
        case 63: {
          // '?'
          if (m) {
            const res = this.match(s + 1, ep + 1);
            if (res >= 0) return res;
          }
          p = ep + 1;
          continue;
        }
        case 42: // '*'
          return this.max_expand(s, p, ep);
        case 43: // '+'
          return m ? this.max_expand(s + 1, p, ep) : -1;
        case 45: // '-'
          return this.min_expand(s, p, ep);
        default:
          if (!m) return -1;
          s++;
          p = ep;
      }
    }
  }

  private max_expand(s: number, p: number, ep: number): number {
    let i = 0;
    const src = this.src;
    while (s + i < this.srcEnd && this.singlematch(src.charCodeAt(s + i), p, ep)) i++;
    // try with the most repetitions first
    while (i >= 0) {
      const res = this.match(s + i, ep + 1);
      if (res >= 0) return res;
      i--;
    }
    return -1;
  }

  private min_expand(s: number, p: number, ep: number): number {
    for (;;) {
      const res = this.match(s, ep + 1);
      if (res >= 0) return res;
      if (s < this.srcEnd && this.singlematch(this.src.charCodeAt(s), p, ep)) s++;
      else return -1;
    }
  }

  private start_capture(s: number, p: number, what: number): number {
    const level = this.level;
    if (level >= MAXCAPTURES) throw this.L.error('too many captures');
    this.capInit[level] = s;
    this.capLen[level] = what;
    this.level = level + 1;
    const res = this.match(s, p);
    if (res < 0) this.level--; // undo capture
    return res;
  }

  private end_capture(s: number, p: number): number {
    const l = this.capture_to_close();
    this.capLen[l] = s - this.capInit[l];
    const res = this.match(s, p);
    if (res < 0) this.capLen[l] = CAP_UNFINISHED;
    return res;
  }

  private capture_to_close(): number {
    let level = this.level;
    for (level--; level >= 0; level--) if (this.capLen[level] === CAP_UNFINISHED) return level;
    throw this.L.error('invalid pattern capture');
  }

  private matchbalance(s: number, p: number): number {
    const pat = this.p;
    const b = pat.charCodeAt(p);
    if (b === 0 || pat.charCodeAt(p + 1) === 0) throw this.L.error('unbalanced pattern');
    const src = this.src;
    const end = this.srcEnd;
    if (s >= end || src.charCodeAt(s) !== b) return -1;
    const e = pat.charCodeAt(p + 1);
    let cont = 1;
    while (++s < end) {
      const c = src.charCodeAt(s);
      if (c === e) {
        if (--cont === 0) return s + 1;
      } else if (c === b) cont++;
    }
    return -1;
  }

  private match_capture(s: number, digit: number): number {
    const l = digit - 49; // check_capture
    if (l < 0 || l >= this.level || this.capLen[l] === CAP_UNFINISHED) throw this.L.error('invalid capture index');
    const len = this.capLen[l];
    const init = this.capInit[l];
    // a position capture has length -2: memcmp of a huge size_t fails unless … C compares (size_t)-2; never fits
    if (len < 0) return -1;
    if (this.srcEnd - s >= len && this.src.substr(init, len) === this.src.substr(s, len)) return s + len;
    return -1;
  }

  /** push_onecapture: capture i (or the whole match s..e when there are none) */
  push_onecapture(i: number, s: number, e: number): LuaValue {
    if (i >= this.level) {
      if (i === 0) return this.src.slice(s, e); // the whole match
      throw this.L.error('invalid capture index');
    }
    const l = this.capLen[i];
    if (l === CAP_UNFINISHED) throw this.L.error('unfinished capture');
    if (l === CAP_POSITION) return this.capInit[i] + 1;
    return this.src.substr(this.capInit[i], l);
  }

  /** push_captures: all captures (or the whole match when s >= 0 and there are none) */
  push_captures(s: number, e: number): LuaValue[] {
    const n = this.level === 0 && s >= 0 ? 1 : this.level;
    const out: LuaValue[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.push_onecapture(i, s, e);
    return out;
  }
}
