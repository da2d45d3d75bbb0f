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
 * Every other type is an object implementing `RObj`.
 */
import { isInt64String } from '../util/numbers.js';

export type ObjType = 'string' | 'list' | 'hash' | 'set' | 'zset' | 'stream';

export interface RObj {
  readonly type: ObjType;
  /** Redis's OBJECT ENCODING name for the current representation. */
  encoding(): string;
  /** A deep copy (COPY). */
  dup(): RObj;
}

export class RawString implements RObj {
  readonly type = 'string' as const;
  constructor(public s: string, readonly enc: 'raw' | 'embstr' = 'raw') {}
  encoding(): string {
    return this.enc;
  }
  dup(): RawString {
    return new RawString(this.s, this.enc);
  }
}

export type Value = string | RObj;

export function typeOf(v: Value): ObjType {
  return typeof v === 'string' ? 'string' : v.type;
}

/** The bytes of a string value (plain or raw); callers check the type first. */
export function strValue(v: Value): string {
  return typeof v === 'string' ? v : (v as RawString).s;
}

export function isString(v: Value): boolean {
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
