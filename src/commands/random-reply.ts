/**
 * Replies of random members drawn with repetitions (SRANDMEMBER, HRANDFIELD
 * and ZRANDMEMBER with a negative count): the request chooses the reply's
 * length, up to 2^63 - 1 elements, so it is written in batches straight into
 * the client's output (sealed in chunks as it grows, see server/client.ts),
 * never collected first, and it stops when the output passes the client's
 * reply limit, the client then being closed — where Redis stops on
 * CLIENT_CLOSE_ASAP. Redis draws in batches of 1000 as well
 * (RANDFIELD_RANDOM_SAMPLE_LIMIT).
 */
import type { Client } from '../server/client.js';
import { intToString } from '../util/numbers.js';

const BATCH = 1000;

/** An array header for an exact count (the count may pass 2^53). */
export function addCountedArrayLen(c: Client, n: bigint): void {
  c.addRaw('*' + intToString(n) + '\r\n');
}

/** Calls draw(k) with batches adding up to count, until done or the client's reply is over its limit. */
export function randomWithReplacementBatches(c: Client, count: bigint, draw: (k: number) => void): void {
  let left = count;
  while (left > 0n) {
    const k = left > BigInt(BATCH) ? BATCH : Number(left);
    draw(k);
    left -= BigInt(k);
    if (c.replyOverLimit()) return;
  }
}
