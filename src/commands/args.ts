/**
 * Argument readers shared by the families: each returns the parsed value or
 * throws the RedisError Redis gives for that argument.
 */
import { Err, RedisError } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';

/**
 * An int64 argument as a JS number (Redis's getLongLongFromObject rules).
 * Values beyond 2^53 keep their magnitude but not their last digits, which is
 * exact enough for what takes them: ranges, offsets and counts.
 */
export function intArg(s: string, err: () => RedisError = Err.notInteger): number {
  const v = parseInt64(s);
  if (v === null) throw err();
  return Number(v);
}

/** Case-insensitive keyword compare (argv is latin1). */
export function is(arg: string, kw: string): boolean {
  return arg.length === kw.length && arg.toLowerCase() === kw;
}

