/**
 * sdscatrepr: a string as Redis quotes it in MONITOR lines and text files
 * ("..." with C escapes for \\ " \n \r \t \a \b, other bytes outside
 * 0x20-0x7e as \xhh).
 */
export function sdsRepr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\x07':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      default:
        out += c >= 0x20 && c <= 0x7e ? ch : '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}
