/**
 * Splits an inline command line the way Redis's sdssplitargs does:
 * whitespace separates arguments; "double quotes" take the escapes \n \r \t \b
 * \a \\ \" and \xHH; 'single quotes' take only \'; a closing quote must be
 * followed by whitespace or the end. Returns null for unbalanced quotes, which
 * the caller answers with "Protocol error: unbalanced quotes in request".
 *
 * Input and output are latin1 strings (one char per byte).
 */
export function splitArgs(line: string): string[] | null {
  // sdssplitargs works on a C string: a NUL byte ends the line.
  const z = line.indexOf('\0');
  if (z !== -1) line = line.slice(0, z);
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return out;
    let cur = '';
    let inq = false; // double quotes
    let insq = false; // single quotes
    let done = false;
    while (!done) {
      if (inq) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '\\' && line[i + 1] === 'x' && i + 3 < n && isHex(line.charCodeAt(i + 2)) && isHex(line.charCodeAt(i + 3))) {
          cur += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          // closing quote must be followed by a space or nothing
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (insq) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          cur += c;
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        const c = line[i];
        const cc = line.charCodeAt(i);
        if (cc === 32 || cc === 10 || cc === 13 || cc === 9 || cc === 0) {
          done = true;
        } else if (c === '"') {
          inq = true;
        } else if (c === "'") {
          insq = true;
        } else {
          cur += c;
        }
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
