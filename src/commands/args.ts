/**
 * Argument readers shared by the families: each returns the parsed value or
 * throws the RedisError Redis gives for that argument.
 */
import { Err, RedisError } from '../protocol/errors.js';
import { I64_MAX, I64_MIN, parseInt64 } from '../util/numbers.js';

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

/**
 * Redis's getIntFromObjectOrReply without a message of its own (SELECT,
 * MOVE, COPY's DB): an integer that fits in a C int.
 */
export function intRangeArg(s: string): number {
  const v = parseInt64(s);
  if (v === null) throw Err.notInteger();
  if (typeof v !== 'number' || v > 2147483647 || v < -2147483648) throw Err.intRange();
  return v;
}

/**
 * The count of SRANDMEMBER, HRANDFIELD and ZRANDMEMBER: Redis's
 * getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX), so that negating it
 * cannot overflow. Exact (a bigint beyond 2^53) for pairCountCheck.
 */
export function randomCountArg(s: string): number | bigint {
  const v = parseInt64(s);
  if (v === null) throw Err.notInteger();
  if (v === I64_MIN) throw Err.longRange();
  return v;
}

/**
 * WITHSCORES / WITHVALUES: two reply elements per draw, so Redis refuses a
 * count beyond ±LONG_MAX / 2 (checked after the options' syntax).
 */
export function pairCountCheck(count: number | bigint): void {
  if (typeof count === 'bigint' && (count < -HALF_LONG_MAX || count > HALF_LONG_MAX)) throw Err.valueOutOfRange();
}
const HALF_LONG_MAX = I64_MAX / 2n;

/** Case-insensitive keyword compare (argv is latin1). */
export function is(arg: string, kw: string): boolean {
  return arg.length === kw.length && arg.toLowerCase() === kw;
}
