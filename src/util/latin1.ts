/**
 * bytes [start, end) of a buffer as a latin1 string (one char per byte).
 * Strings up to 24 bytes (command names, most keys, small values, list
 * elements) are built with String.fromCharCode of the bytes as arguments: a
 * latin1Slice call (a C++ binding) costs about 40 ns whatever the length,
 * fromCharCode 12 ns for 8 bytes, 24 for 16, 32 for 24 and as much as the
 * binding from about 30 bytes (measured on Node 20).
 */
declare module 'buffer' {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
  }
}

export function latin1(buf: Buffer, start: number, end: number): string {
  // biome-ignore format: one line per length, read as a table
  switch (end - start) {
    case 0: return '';
    case 1: return String.fromCharCode(buf[start]);
    case 2: return String.fromCharCode(buf[start], buf[start + 1]);
    case 3: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2]);
    case 4: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3]);
    case 5: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4]);
    case 6: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5]);
    case 7: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6]);
    case 8: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7]);
    case 9: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8]);
    case 10: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9]);
    case 11: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10]);
    case 12: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11]);
    case 13: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12]);
    case 14: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12], buf[start + 13]);
    case 15: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12], buf[start + 13], buf[start + 14]);
    case 16: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12], buf[start + 13], buf[start + 14], buf[start + 15]);
    case 17: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12], buf[start + 13], buf[start + 14], buf[start + 15], buf[start + 16]);
    case 18: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12], buf[start + 13], buf[start + 14], buf[start + 15], buf[start + 16], buf[start + 17]);
    case 19: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12], buf[start + 13], buf[start + 14], buf[start + 15], buf[start + 16], buf[start + 17], buf[start + 18]);
    case 20: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12], buf[start + 13], buf[start + 14], buf[start + 15], buf[start + 16], buf[start + 17], buf[start + 18], buf[start + 19]);
    case 21: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12], buf[start + 13], buf[start + 14], buf[start + 15], buf[start + 16], buf[start + 17], buf[start + 18], buf[start + 19], buf[start + 20]);
    case 22: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12], buf[start + 13], buf[start + 14], buf[start + 15], buf[start + 16], buf[start + 17], buf[start + 18], buf[start + 19], buf[start + 20], buf[start + 21]);
    case 23: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12], buf[start + 13], buf[start + 14], buf[start + 15], buf[start + 16], buf[start + 17], buf[start + 18], buf[start + 19], buf[start + 20], buf[start + 21], buf[start + 22]);
    case 24: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7], buf[start + 8], buf[start + 9], buf[start + 10], buf[start + 11], buf[start + 12], buf[start + 13], buf[start + 14], buf[start + 15], buf[start + 16], buf[start + 17], buf[start + 18], buf[start + 19], buf[start + 20], buf[start + 21], buf[start + 22], buf[start + 23]);
  }
  return buf.latin1Slice(start, end);
}

/**
 * A flat copy of s that shares no storage with a bigger string. V8 makes a
 * substring of 13 chars or more a "sliced string" pointing into its parent,
 * so a short piece kept for long (a listpack member moved into a skiplist, a
 * truncated argument in the slow log) would otherwise keep the whole parent
 * alive: a 500 MB value held by its 128-byte slow log excerpt.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : [s.charAt(0), s.slice(1)].join('');
}
