/**
 * What a key and its value cost in gKV's memory: MEMORY USAGE's answer
 * (Redis's objectComputeSize plus the key and its dictEntry), and the size of
 * the entries a write made a background save copy first (INFO's
 * current_cow_size).
 *
 * The figure is gKV's own, not Redis's: the value's objects, arrays, strings
 * and buffers as V8 sizes them (each value class's `memoryUsage`, sized by
 * util/v8-size.ts), the key's string, and the key's share of its database's
 * table (Db.perKeyOverhead: the slab, buckets and side arrays). Summed over
 * many keys it stays within a stated band of what the process really grows
 * by when it holds them (test/keyspace/memory-usage.test.ts), and within 2x
 * of Redis's figure for the same key, type by type
 * (test/differential/memory-usage.diff.test.ts).
 *
 * SAMPLES: a collection of more elements than `samples` is measured on its
 * first `samples` elements (nodes, buckets) and the average extrapolated, as
 * Redis samples; 0 (passed in as MAX_SAFE_INTEGER) measures everything.
 */
import type { Value } from './value.js';
import { strBytes } from '../util/v8-size.js';

/** A slot's cost when no database is at hand (a key, value pointer, hash, link, LRU clock, bucket). */
const SLOT_BYTES = 32;

/**
 * MEMORY USAGE's figure: the value's bytes, the key string's and the key's
 * share of the table (`perKey`, Db.perKeyOverhead; a plain slot's cost when omitted).
 */
export function memoryUsageOf(key: string, v: Value, samples: number, perKey = SLOT_BYTES): number {
  const value = typeof v === 'string' ? strBytes(v.length) : v.memoryUsage(samples);
  return value + strBytes(key.length) + perKey;
}
