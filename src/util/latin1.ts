/**
 * bytes [start, end) of a buffer as a latin1 string (one char per byte).
 * Short strings (command names, small values, list elements) are built with
 * String.fromCharCode, a quarter of the cost of a latin1Slice call (a C++
 * binding call of about 40 ns whatever the length).
 */
declare module 'buffer' {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
  }
}

export function latin1(buf: Buffer, start: number, end: number): string {
  switch (end - start) {
    case 0: return '';
    case 1: return String.fromCharCode(buf[start]);
    case 2: return String.fromCharCode(buf[start], buf[start + 1]);
    case 3: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2]);
    case 4: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3]);
    case 5: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4]);
    case 6: return String.fromCharCode(buf[start], buf[start + 1], buf[start + 2], buf[start + 3], buf[start + 4], buf[start + 5]);
  }
  return buf.latin1Slice(start, end);
}
