/**
 * What a key holds.
 *
 * Strings are stored as plain latin1 JS strings (one char per byte): cheapest
 * in CPU and memory, and binary safe. A plain string reports Redis's encoding
 * from its content the way tryObjectEncoding would have left it: "int" when it
 * is a canonical int64, "embstr" up to 44 bytes, "raw" beyond.
 *
 * `RawString` wraps a string whose encoding Redis does not derive from its
 * content: the results of APPEND and SETRANGE, which Redis unshares into a
 * "raw" sds whatever their length, and INCRBYFLOAT's result, which Redis
 * creates as a plain string object ("embstr" up to 44 bytes) without trying the
 * "int" encoding. OBJECT ENCODING reports `enc`, as Redis does.
 *
 * A "raw" RawString also has a buffer mode, for the bitmap commands (SETBIT,
 * BITFIELD, BITOP): the bytes live in a growable Buffer (`buf`, the first
 * `len` bytes; room grows geometrically, as sdsMakeRoomFor, and is always
 * zero past `len`), so setting a bit is O(1) however long the string. `s`
 * stays the one way every other reader sees the bytes: in buffer mode it
 * materialises the latin1 string once and caches it until the next edit
 * (`writable` drops the cache); assigning `s` returns to string mode.
 *
 * Long strings: a JS string holds at most MAX_STRING_CHARS (2^29 - 24)
 * chars, 24 bytes short of Redis's 512 MB values, and rebuilding a long
 * string for each SETRANGE or reading it as a string doubles its memory. So
 * APPEND and SETRANGE go to buffer mode past BYTES_MIN (edits in place,
 * amortised growth, as sds), a buffer-mode string longer than BYTES_MIN is
 * not cached as a string, and readers that can take bytes take them
 * (`bytes()`: GET and its family, GETRANGE, DUMP, RDB and AOF writers,
 * DIGEST). Bytes handed out are shared copy-on-write: the next edit copies
 * the buffer first, so a reply still waiting for the socket keeps the bytes
 * it was given. Reading `s` of a string beyond MAX_STRING_CHARS throws
 * ValueTooLongError (the command fails, the server goes on).
 *
 * Every other type is one of the collection classes of datatypes/, each an
 * `RObj`. `Value` is the closed union of the concrete classes: code that needs
 * a case per type switches over `type` and ends in assertNever, so adding a
 * type is a list of compile errors (docs/ARCHITECTURE.md, "Adding a type").
 */
import { constants as bufferConstants } from 'node:buffer';
import { isInt64String } from '../util/numbers.js';
import { bufferBytes, objBytes, strBytes } from '../util/v8-size.js';
import type { ObjType, RObj } from '../datatypes/object.js';
import type { QuickList } from '../datatypes/quicklist.js';
import type { HashValue } from '../datatypes/hash.js';
import type { SetValue } from '../datatypes/set.js';
import type { ZSet } from '../datatypes/zset.js';
import type { Stream } from '../datatypes/stream.js';

export type { ObjType, RObj };

/** V8's longest string: a longer value can only be held as bytes (buffer mode). */
export const MAX_STRING_CHARS = bufferConstants.MAX_STRING_LENGTH;
/** Past this length APPEND/SETRANGE edit bytes in place and readers take bytes (see the header). */
export const BYTES_MIN = 1 << 20;

/** A string value too long to be read as one JS string by the command at hand. */
export class ValueTooLongError extends RangeError {
  constructor(readonly len: number) {
    super(`string value of ${len} bytes is longer than ${MAX_STRING_CHARS}`);
  }
}

export class RawString implements RObj {
  readonly type = 'string' as const;
  /** the bytes as a latin1 string; in buffer mode a cache, null until read after an edit */
  private str: string | null;
  /** buffer mode: the bytes are buf[0..len); null in string mode */
  buf: Buffer | null = null;
  len = 0;
  /** buf was handed out by bytes(): the next edit copies it first */
  private shared = false;
  constructor(
    s: string,
    readonly enc: 'raw' | 'embstr' = 'raw',
  ) {
    this.str = s;
  }

  /** A raw string in buffer mode holding buf[0..len) (taken, not copied). */
  static fromBuffer(buf: Buffer, len: number): RawString {
    const r = new RawString('');
    r.str = len === 0 ? '' : null;
    r.buf = buf;
    r.len = len;
    return r;
  }

  get s(): string {
    if (this.str !== null) return this.str;
    if (this.len > MAX_STRING_CHARS) throw new ValueTooLongError(this.len);
    const str = this.buf!.latin1Slice(0, this.len);
    // a long one is not kept twice (bytes and string)
    if (this.len <= BYTES_MIN) this.str = str;
    return str;
  }

  set s(v: string) {
    this.str = v;
    this.buf = null;
    this.len = 0;
    this.shared = false;
  }

  /** True when the bytes live in a buffer (readers may take bytes() instead of s). */
  get inBuffer(): boolean {
    return this.buf !== null;
  }

  /**
   * The bytes in buffer mode, shared copy-on-write with the caller (a reply
   * waiting for the socket, an encoder): valid until the caller is done,
   * whatever edits come meanwhile.
   */
  bytes(): Buffer {
    this.shared = true;
    return this.buf!.subarray(0, this.len);
  }

  /** The length in bytes. */
  get length(): number {
    return this.buf !== null ? this.len : this.str!.length;
  }

  /**
   * Switches to buffer mode with at least n bytes (the new ones zero) and
   * returns the buffer for in-place edits of its first `len` bytes. Drops the
   * cached string: call it before every edit. Only for "raw" strings.
   */
  writable(n: number): Buffer {
    let buf = this.buf;
    if (buf === null) {
      const s = this.str!;
      const len = Math.max(n, s.length);
      buf = Buffer.alloc(len < 1048576 ? len * 2 : len + 1048576);
      buf.write(s, 0, 'latin1');
      this.buf = buf;
      this.len = s.length;
    } else if (n > buf.length || this.shared) {
      const room = Math.max(n, this.len);
      const next = Buffer.alloc(n > buf.length ? (room < 1048576 ? room * 2 : room + 1048576) : buf.length);
      buf.copy(next, 0, 0, this.len);
      this.buf = buf = next;
      this.shared = false;
    }
    if (n > this.len) this.len = n;
    this.str = null;
    return buf;
  }

  encoding(): string {
    return this.enc;
  }

  freeEffort(): number {
    return 1;
  }

  /** The object, its string (when held or cached) and its buffer (RObj.memoryUsage). */
  memoryUsage(_samples: number): number {
    return objBytes(6) + (this.str === null ? 0 : strBytes(this.str.length)) + (this.buf === null ? 0 : bufferBytes(this.buf.length));
  }

  dup(): RawString {
    if (this.buf === null) return new RawString(this.str!, this.enc);
    return RawString.fromBuffer(Buffer.from(this.buf.subarray(0, this.len)), this.len);
  }
}

/** What a key holds: a plain string or one of the object classes (closed: see the header). */
export type Value = string | RawString | QuickList | HashValue | SetValue | ZSet | Stream;
/** A value that is an object (every type but the plain string). */
export type ObjValue = Exclude<Value, string>;

export function typeOf(v: Value): ObjType {
  return typeof v === 'string' ? 'string' : v.type;
}

/** The bytes of a string value (plain or raw); callers check the type first. */
export function strValue(v: string | RawString): string {
  return typeof v === 'string' ? v : v.s;
}

export function isString(v: Value): v is string | RawString {
  return typeof v === 'string' || v instanceof RawString;
}

/** Redis's encoding name for a plain string value. */
export function stringEncoding(s: string): string {
  if (s.length <= 20 && isInt64String(s)) return 'int';
  return s.length <= 44 ? 'embstr' : 'raw';
}

export function encodingOf(v: Value): string {
  return typeof v === 'string' ? stringEncoding(v) : v.encoding();
}
