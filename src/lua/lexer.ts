/**
 * Lua 5.1's lexer (llex.c's rules, our code): turns a chunk's source (a
 * latin1 string, one char per byte) into tokens for the parser, one at a
 * time, with one token of lookahead.
 *
 * What users see of it are its error messages, which must read exactly as
 * lua5.1's: "<chunk>:<line>: <msg> near '<token>'", where <token> is the raw
 * text of a name, number or string token as far as it was read (a string
 * keeps its opening quote: "unfinished string near '\"abc'"), the text of a
 * reserved word or symbol, "<eof>", or "char(N)" for a control character.
 * Lines count "\n", "\r", "\r\n" and "\n\r" as one line break, as llex does.
 */
import { LuaError } from './value.js';
import { stringToNumber } from './value.js';

/** Token kinds: single-character symbols are their own char; the rest are named. */
export type TokenKind =
  | 'name'
  | 'string'
  | 'number'
  | 'eof'
  | 'and'
  | 'break'
  | 'do'
  | 'else'
  | 'elseif'
  | 'end'
  | 'false'
  | 'for'
  | 'function'
  | 'if'
  | 'in'
  | 'local'
  | 'nil'
  | 'not'
  | 'or'
  | 'repeat'
  | 'return'
  | 'then'
  | 'true'
  | 'until'
  | 'while'
  | '..'
  | '...'
  | '=='
  | '>='
  | '<='
  | '~='
  | string;

const RESERVED = new Set(['and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'if', 'in', 'local', 'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while']);

export interface Token {
  kind: TokenKind;
  /** a name's or string's value; a number's value is in `num` */
  value: string;
  num: number;
  /** the token's text as llex's buffer holds it (what "near '…'" shows for names, numbers, strings) */
  raw: string;
  /** the line the lexer was on when the token ended (llex's linenumber) */
  line: number;
}

/**
 * luaO_chunkid with Redis's (and stock Lua 5.1's) LUA_IDSIZE of 60: the chunk
 * name as messages show it ("=name" → name, "@file" → file, shortened from
 * the left; anything else → [string "first line..."]).
 */
export function chunkId(source: string): string {
  const LUA_IDSIZE = 60;
  if (source.startsWith('=')) return source.slice(1, LUA_IDSIZE);
  if (source.startsWith('@')) {
    const s = source.slice(1);
    const max = LUA_IDSIZE - 8; // sizeof(" '...' ")
    return s.length > max ? '...' + s.slice(s.length - max) : s;
  }
  const max = LUA_IDSIZE - 17; // sizeof(" [string \"...\"] ")
  const nl = source.search(/[\r\n]/);
  let len = nl >= 0 ? nl : source.length;
  if (len > max) len = max;
  return len < source.length ? `[string "${source.slice(0, len)}..."]` : `[string "${source}"]`;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isAlnum(c: number): boolean {
  return isAlpha(c) || isDigit(c);
}

export class Lexer {
  private pos = 0;
  /** the current line (llex's linenumber) */
  line = 1;
  /** the line of the last token consumed (llex's lastline) */
  lastline = 1;
  tok: Token;
  private ahead: Token | undefined = undefined;

  constructor(
    private readonly src: string,
    /** the chunk name as messages show it (chunkId of the source name) */
    readonly chunk: string,
  ) {
    this.tok = { kind: 'eof', value: '', num: 0, raw: '', line: 1 };
  }

  /** Advances to the next token (luaX_next). */
  next(): void {
    this.lastline = this.line;
    if (this.ahead !== undefined) {
      this.tok = this.ahead;
      this.ahead = undefined;
    } else this.tok = this.scan();
  }

  /** The token after the current one (luaX_lookahead). */
  peek(): Token {
    if (this.ahead === undefined) this.ahead = this.scan();
    return this.ahead;
  }

  /** The text "near '…'" shows for a token (txtToken / luaX_token2str). */
  static tokenText(t: Token): string {
    switch (t.kind) {
      case 'name':
      case 'string':
      case 'number':
        return t.raw;
      case 'eof':
        return '<eof>';
    }
    if (t.kind.length === 1) {
      const c = t.kind.charCodeAt(0);
      if (c < 32 || c === 127) return `char(${c})`;
    }
    return t.kind;
  }

  /** luaX_token2str for a token kind (what "'x' expected" shows) */
  static kindText(kind: TokenKind): string {
    switch (kind) {
      case 'name':
        return '<name>';
      case 'string':
        return '<string>';
      case 'number':
        return '<number>';
      case 'eof':
        return '<eof>';
    }
    return kind;
  }

  /** luaX_syntaxerror: a message about the current token */
  syntaxError(msg: string): LuaError {
    return this.errorNear(msg, Lexer.tokenText(this.tok));
  }

  private errorNear(msg: string, near: string | undefined): LuaError {
    const m = `${this.chunk}:${this.line}: ${msg}`;
    return new LuaError(near === undefined ? m : `${m} near '${near}'`);
  }

  private cur(): number {
    return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1;
  }

  /** at a line break: skip it ("\n", "\r", "\n\r", "\r\n" are one) and count the line */
  private newline(): void {
    const c = this.src.charCodeAt(this.pos);
    this.pos++;
    const d = this.cur();
    if ((d === 10 || d === 13) && d !== c) this.pos++;
    this.line++;
  }

  private tokenOf(kind: TokenKind, value = '', num = 0, raw = ''): Token {
    return { kind, value, num, raw, line: this.line };
  }

  private scan(): Token {
    const s = this.src;
    for (;;) {
      const c = this.cur();
      switch (c) {
        case -1:
          return this.tokenOf('eof');
        case 10:
        case 13:
          this.newline();
          continue;
        case 32:
        case 9:
        case 11:
        case 12:
          this.pos++;
          continue;
        case 45: // '-'
          if (s.charCodeAt(this.pos + 1) !== 45) {
            this.pos++;
            return this.tokenOf('-');
          }
          this.pos += 2;
          if (this.cur() === 91) {
            const start = this.pos;
            const sep = this.skipSep();
            if (sep >= 0) {
              this.readLong(sep, false);
              continue;
            }
            this.pos = start;
          }
          while (this.pos < s.length && this.cur() !== 10 && this.cur() !== 13) this.pos++;
          continue;
        case 91: {
          // '['
          const start = this.pos;
          const sep = this.skipSep();
          if (sep >= 0) {
            const v = this.readLong(sep, true);
            // llex's buffer: the brackets around the value (the skipped first line break is not in it)
            const bracket = '='.repeat(sep);
            return this.tokenOf('string', v, 0, `[${bracket}[${v}]${bracket}]`);
          }
          if (sep === -1) return this.tokenOf('[');
          throw this.errorNear('invalid long string delimiter', s.slice(start, this.pos));
        }
        case 61: // '='
          this.pos++;
          if (this.cur() !== 61) return this.tokenOf('=');
          this.pos++;
          return this.tokenOf('==');
        case 60: // '<'
          this.pos++;
          if (this.cur() !== 61) return this.tokenOf('<');
          this.pos++;
          return this.tokenOf('<=');
        case 62: // '>'
          this.pos++;
          if (this.cur() !== 61) return this.tokenOf('>');
          this.pos++;
          return this.tokenOf('>=');
        case 126: // '~'
          this.pos++;
          if (this.cur() !== 61) return this.tokenOf('~');
          this.pos++;
          return this.tokenOf('~=');
        case 34:
        case 39:
          return this.readString(c);
        case 46: // '.'
          if (s.charCodeAt(this.pos + 1) === 46) {
            if (s.charCodeAt(this.pos + 2) === 46) {
              this.pos += 3;
              return this.tokenOf('...');
            }
            this.pos += 2;
            return this.tokenOf('..');
          }
          if (!isDigit(s.charCodeAt(this.pos + 1))) {
            this.pos++;
            return this.tokenOf('.');
          }
          return this.readNumeral();
        default:
          if (isDigit(c)) return this.readNumeral();
          if (isAlpha(c)) {
            const start = this.pos;
            do this.pos++;
            while (isAlnum(this.cur()));
            const w = s.slice(start, this.pos);
            if (RESERVED.has(w)) return this.tokenOf(w, w, 0, w);
            return this.tokenOf('name', w, 0, w);
          }
          this.pos++;
          return this.tokenOf(String.fromCharCode(c));
      }
    }
  }

  /** at '[' or ']': counts the '='s of a long bracket; returns the level, or -(count)-1 when not a bracket */
  private skipSep(): number {
    const s = this.src.charCodeAt(this.pos);
    let count = 0;
    this.pos++;
    while (this.cur() === 61) {
      this.pos++;
      count++;
    }
    return this.cur() === s ? count : -count - 1;
  }

  private readLong(sep: number, isString: boolean): string {
    const s = this.src;
    this.pos++; // the second '['
    if (this.cur() === 10 || this.cur() === 13) this.newline(); // the first line break is skipped
    let out = '';
    let chunkStart = this.pos;
    for (;;) {
      const c = this.cur();
      if (c === -1) {
        throw this.errorNear(isString ? 'unfinished long string' : 'unfinished long comment', '<eof>');
      }
      if (c === 93) {
        // ']'
        const at = this.pos;
        if (this.skipSep() === sep) {
          out += s.slice(chunkStart, at);
          this.pos++; // the second ']'
          return out;
        }
      } else if (c === 91) {
        if (this.skipSep() === sep) {
          this.pos++;
          if (sep === 0) throw this.errorNear('nesting of [[...]] is deprecated', '[');
        }
      } else if (c === 10 || c === 13) {
        out += s.slice(chunkStart, this.pos) + '\n';
        this.newline();
        chunkStart = this.pos;
      } else this.pos++;
    }
  }

  private readString(del: number): Token {
    const s = this.src;
    let out = '';
    this.pos++;
    for (;;) {
      const c = this.cur();
      if (c === del) break;
      switch (c) {
        case -1:
          throw this.errorNear('unfinished string', '<eof>');
        case 10:
        case 13:
          throw this.errorNear('unfinished string', String.fromCharCode(del) + out);
        case 92: {
          // '\\'
          this.pos++;
          const e = this.cur();
          let v: number;
          switch (e) {
            case 97:
              v = 7;
              break;
            case 98:
              v = 8;
              break;
            case 102:
              v = 12;
              break;
            case 110:
              v = 10;
              break;
            case 114:
              v = 13;
              break;
            case 116:
              v = 9;
              break;
            case 118:
              v = 11;
              break;
            case 10:
            case 13:
              out += '\n';
              this.newline();
              continue;
            case -1:
              continue; // "unfinished string" on the next round
            default:
              if (!isDigit(e)) {
                out += s[this.pos];
                this.pos++;
                continue;
              }
              v = 0;
              for (let i = 0; i < 3 && isDigit(this.cur()); i++) {
                v = v * 10 + (this.cur() - 48);
                this.pos++;
              }
              if (v > 255) throw this.errorNear('escape sequence too large', String.fromCharCode(del) + out);
              out += String.fromCharCode(v);
              continue;
          }
          out += String.fromCharCode(v);
          this.pos++;
          continue;
        }
        default:
          out += s[this.pos];
          this.pos++;
      }
    }
    this.pos++;
    const q = String.fromCharCode(del);
    return this.tokenOf('string', out, 0, q + out + q);
  }

  private readNumeral(): Token {
    const s = this.src;
    const start = this.pos;
    do this.pos++;
    while (isDigit(this.cur()) || this.cur() === 46);
    const e = this.cur();
    if (e === 69 || e === 101) {
      this.pos++;
      if (this.cur() === 43 || this.cur() === 45) this.pos++;
    }
    while (isAlnum(this.cur())) this.pos++;
    const raw = s.slice(start, this.pos);
    const v = stringToNumber(raw);
    if (v === undefined) throw this.errorNear('malformed number', raw);
    return this.tokenOf('number', '', v, raw);
  }
}
