/**
 * Reply formatting as redis-cli 7.0 prints it: the human ("tty") form with
 * quoting and numbered, indented aggregates; the raw form (bare values, one
 * per line); CSV. All strings are latin1 byte strings.
 */
import type { Reply } from './resp.js';

export type OutputMode = 'standard' | 'raw' | 'csv' | 'json' | 'quoted-json';

/** A reply type redis-cli's formatter does not know (hiredis type number). */
export class UnknownReplyType extends Error {
  constructor(public code: number) {
    super(`Unknown reply type: ${code}`);
  }
}

const HIREDIS_BIGNUM = 13;

/** Double-quoted, with redis-cli's escapes for quotes, backslashes and non-printable bytes. */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x5c:
        out += '\\\\';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      default:
        if (c >= 0x20 && c <= 0x7e) out += s[i];
        else out += '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}

const EMPTY: Record<string, string> = {
  array: '(empty array)\n',
  map: '(empty hash)\n',
  set: '(empty set)\n',
  push: '(empty push)\n',
};

/** Whether formatTTY renders the reply on more than one line. */
function isMultiline(r: Reply): boolean {
  if (r.t === 'array' || r.t === 'set' || r.t === 'push') {
    if (r.items.length === 0) return false;
    return r.items.length > 1 || isMultiline(r.items[0]);
  }
  if (r.t === 'map') {
    if (r.items.length === 0) return false;
    return r.items.length > 2 || isMultiline(r.items[1]);
  }
  return false;
}

/** RESP3 client-tracking invalidation, shown on one line on a terminal. */
export function isInvalidate(r: Reply): boolean {
  if (r.t !== 'push' || r.items.length !== 2) return false;
  const [kind, keys] = r.items;
  return kind.t === 'string' && kind.s.startsWith('invalidate') && keys.t === 'array';
}

export function formatInvalidateTTY(r: Reply): string {
  const keys = r.t === 'push' && r.items[1].t === 'array' ? r.items[1].items : [];
  return '-> invalidate: ' + keys.map((k) => `'${'s' in k ? k.s : ''}'`).join(', ') + '\n';
}

/** The human-readable form; `prefix` is the indentation of nested elements. */
export function formatTTY(r: Reply, prefix = ''): string {
  switch (r.t) {
    case 'error':
      return `(error) ${r.s}\n`;
    case 'status':
      return r.s + '\n';
    case 'integer':
      return `(integer) ${r.s}\n`;
    case 'double':
      return `(double) ${r.s}\n`;
    case 'string':
      return repr(r.s) + '\n';
    case 'verb':
      return r.s + '\n';
    case 'nil':
      return '(nil)\n';
    case 'bool':
      return r.v ? '(true)\n' : '(false)\n';
    case 'bignum':
      throw new UnknownReplyType(HIREDIS_BIGNUM);
    default: {
      const items = r.items;
      if (items.length === 0) return EMPTY[r.t];
      const isMap = r.t === 'map';
      const count = isMap ? items.length / 2 : items.length;
      const width = String(count).length;
      const childPrefix = prefix + ' '.repeat(width + 2);
      const sep = r.t === 'set' ? '~' : isMap ? '#' : ')';
      let out = '';
      for (let i = 0; i < items.length; i++) {
        const idx = (isMap ? i / 2 : i) + 1;
        // the first element follows its parent's index on the same line
        out += (i === 0 ? '' : prefix) + String(idx).padStart(width) + sep + ' ';
        out += formatTTY(items[i], childPrefix);
        if (isMap) {
          i++;
          out = out.slice(0, -1) + ' => ';
          // a value spanning several lines starts on its own line, aligned
          if (isMultiline(items[i])) out += '\n' + childPrefix;
          out += formatTTY(items[i], childPrefix);
        }
      }
      return out;
    }
  }
}

/** The raw form: bare values, aggregate elements joined by `mbDelim`. */
export function formatRaw(r: Reply, mbDelim = '\n'): string {
  switch (r.t) {
    case 'nil':
      return '';
    case 'error':
      return r.s + '\n';
    case 'status':
    case 'string':
    case 'verb':
    case 'integer':
    case 'double':
      return r.s;
    case 'bool':
      return r.v ? '(true)' : '(false)';
    case 'bignum':
      throw new UnknownReplyType(HIREDIS_BIGNUM);
    case 'map': {
      let out = '';
      for (let i = 0; i < r.items.length; i += 2) {
        if (i > 0) out += mbDelim;
        out += formatRaw(r.items[i], mbDelim) + ' ' + formatRaw(r.items[i + 1], mbDelim);
      }
      return out;
    }
    default:
      return r.items.map((x) => formatRaw(x, mbDelim)).join(mbDelim);
  }
}

/** CSV: one line per reply, aggregates flattened. */
export function formatCSV(r: Reply): string {
  switch (r.t) {
    case 'error':
      return 'ERROR,' + repr(r.s);
    case 'status':
    case 'string':
    case 'verb':
      return repr(r.s);
    case 'integer':
    case 'double':
      return r.s;
    case 'nil':
      return 'NULL';
    case 'bool':
      return r.v ? 'true' : 'false';
    case 'bignum':
      throw new UnknownReplyType(HIREDIS_BIGNUM);
    default:
      return r.items.map(formatCSV).join(',');
  }
}

/**
 * A string in --json: JSON's escapes (\" \\ \n \r \t \b \f, \u00XX for the
 * other control bytes), every other byte as it is (0xF0 stays one byte).
 * In --quoted-json: redis-cli's quoting (repr) with each escape's backslash
 * doubled, so the bytes survive as text ("\\xf0").
 */
function jsonString(s: string, quoted: boolean): string {
  if (quoted) return '"' + repr(s).slice(1, -1).replaceAll('\\', '\\\\') + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out + '"';
}

/**
 * JSON (redis-cli 7.0's --json and --quoted-json): strings as jsonString
 * gives them, null, true/false, arrays and sets as lists, maps as objects
 * (a key that is not a string is quoted), errors as `error:"..."`.
 */
export function formatJSON(r: Reply, quoted = false): string {
  switch (r.t) {
    case 'error':
      return 'error:' + jsonString(r.s, quoted);
    case 'status':
    case 'string':
    case 'verb':
      return jsonString(r.s, quoted);
    case 'integer':
    case 'double':
      return r.s;
    case 'nil':
      return 'null';
    case 'bool':
      return r.v ? 'true' : 'false';
    case 'bignum':
      throw new UnknownReplyType(HIREDIS_BIGNUM);
    case 'map': {
      const parts: string[] = [];
      for (let i = 0; i < r.items.length; i += 2) {
        const k = r.items[i];
        let key = formatJSON(k, quoted);
        if (!(k.t === 'error' || k.t === 'status' || k.t === 'string' || k.t === 'verb') && !key.startsWith('"')) key = `"${key}"`;
        parts.push(key + ':' + formatJSON(r.items[i + 1], quoted));
      }
      return '{' + parts.join(',') + '}';
    }
    default:
      return '[' + r.items.map((x) => formatJSON(x, quoted)).join(',') + ']';
  }
}

/**
 * One top-level reply as redis-cli writes it. `verbatim` is set for the
 * commands whose output is shown raw even on a terminal (INFO, CLIENT LIST...).
 */
export function formatReply(r: Reply, mode: OutputMode, verbatim: boolean, mbDelim = '\n', cmdDelim = '\n'): string {
  if (verbatim) return formatRaw(r, mbDelim);
  if (mode === 'standard') return formatTTY(r);
  if (mode === 'raw') return formatRaw(r, mbDelim) + cmdDelim;
  if (mode === 'json' || mode === 'quoted-json') return formatJSON(r, mode === 'quoted-json') + '\n';
  return formatCSV(r) + '\n';
}
