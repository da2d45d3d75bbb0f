/**
 * A sleep that blocks the event loop, where Redis blocks its main thread on
 * purpose (DEBUG SLEEP, DEBUG AOF-FLUSH-SLEEP, rdb-key-save-delay in a
 * foreground save): nothing else runs meanwhile, as in Redis.
 */
const cell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks for ms milliseconds (fractions allowed; nothing for ms <= 0). */
export function sleepBlocking(ms: number): void {
  if (!(ms > 0)) return;
  Atomics.wait(cell, 0, 0, ms);
}
