/**
 * Glob matching exactly as Redis's stringmatchlen: `*`, `?`, `[abc]`,
 * `[^a]`, `[a-z]` (reversed ranges allowed), `\x` escapes; optional case
 * folding. One matcher for KEYS, SCAN MATCH, pub/sub patterns and CONFIG GET.
 * Strings are latin1 (one char per byte). Recursion on '*' is bounded the way
 * Redis bounds it (a nesting limit) so hostile patterns cannot stall the server.
 */
export function globMatch(pattern: string, str: string, nocase = false): boolean {
  const skipLongerMatches = { v: false };
  return matchAt(pattern, 0, str, 0, nocase, skipLongerMatches, 0);
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function matchAt(p: string, pi: number, s: string, si: number, nocase: boolean, skip: { v: boolean }, nesting: number): boolean {
  // Redis: protection against abusive patterns
  if (nesting > 1000) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    switch (pc) {
      case 42: {
        // '*'
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
        if (pi + 1 === plen) return true; // trailing * matches everything
        while (si < slen) {
          if (matchAt(p, pi + 1, s, si, nocase, skip, nesting + 1)) return true;
          if (skip.v) return false;
          si++;
        }
        skip.v = true;
        return false;
      }
      case 63: // '?'
        si++;
        break;
      case 91: {
        // '['
        pi++;
        const not = p.charCodeAt(pi) === 94; // '^'
        if (not) pi++;
        let match = false;
        for (;;) {
          if (pi >= plen) {
            pi--; // Redis: pattern ended inside brackets; treat as end
            break;
          }
          const c = p.charCodeAt(pi);
          if (c === 92 && pi + 2 <= plen - 1 + 1 && pi + 1 < plen) {
            // '\\'
            pi++;
            if (p.charCodeAt(pi) === s.charCodeAt(si)) match = true;
          } else if (c === 93) {
            // ']'
            break;
          } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45) {
            // a-z
            let start = c;
            let end = p.charCodeAt(pi + 2);
            let ch = s.charCodeAt(si);
            if (start > end) {
              const t = start;
              start = end;
              end = t;
            }
            if (nocase) {
              start = lower(start);
              end = lower(end);
              ch = lower(ch);
            }
            pi += 2;
            if (ch >= start && ch <= end) match = true;
          } else {
            if (nocase) {
              if (lower(c) === lower(s.charCodeAt(si))) match = true;
            } else if (c === s.charCodeAt(si)) match = true;
          }
          pi++;
        }
        if (not) match = !match;
        if (!match) return false;
        si++;
        break;
      }
      default: {
        if (pc === 92 && pi + 1 < plen) pi++; // '\\' escapes the next pattern char
        const a = p.charCodeAt(pi);
        const b = s.charCodeAt(si);
        if (nocase ? lower(a) !== lower(b) : a !== b) return false;
        si++;
        break;
      }
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}
