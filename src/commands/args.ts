/**
 * Argument readers shared by the families: each returns the parsed value or
 * throws the RedisError Redis gives for that argument.
 */
import { Err, RedisError } from '../protocol/errors.js';
import { parseDouble, parseInt64 } from '../util/numbers.js';

/** An int64 argument as a JS number; values beyond 2^53 are refused as out of range. */
export function intArg(s: string, err: () => RedisError = Err.notInteger): number {
  const v = parseInt64(s);
  if (typeof v !== 'number') throw err();
  return v;
}

/** An int64 argument as a bigint (exact over the whole int64 range). */
export function int64Arg(s: string, err: () => RedisError = Err.notInteger): bigint {
  const v = parseInt64(s);
  if (v === null) throw err();
  return BigInt(v);
}

/** A double argument (inf allowed, NaN refused). */
export function floatArg(s: string, err: () => RedisError = Err.notFloat): number {
  const v = parseDouble(s);
  if (v === null) throw err();
  return v;
}

/** Case-insensitive keyword compare (argv is latin1). */
export function is(arg: string, kw: string): boolean {
  return arg.length === kw.length && arg.toLowerCase() === kw;
}

/** Redis's db index argument for SELECT/MOVE/COPY DB. */
export function dbIndexArg(s: string): number {
  const v = parseInt64(s);
  if (typeof v !== 'number' || v > 2147483647 || v < -2147483648) throw Err.raw('ERR value is not an integer or out of range');
  return v;
}
