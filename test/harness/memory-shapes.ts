/**
 * Key shapes for the MEMORY USAGE tests: one per type and encoding Redis 7.0
 * has (small and large strings, int strings; listpack and hashtable hashes;
 * intset and hashtable sets, small and large; listpack and skiplist zsets;
 * short and long quicklists; streams, with and without a consumer group), each
 * a number of keys to load and the commands that build key `k` (the i-th).
 * The encodings are Redis 7.0's defaults: hash-max-listpack-entries 512,
 * zset-max-listpack-entries 128, set-max-intset-entries 512.
 */
import type { RespClient } from './resp.js';

export interface Shape {
  name: string;
  /** the encoding OBJECT ENCODING reports for such a key (the shape is what it says) */
  encoding: string;
  /** how many keys make a measurement */
  keys: number;
  build(k: string, i: number): string[][];
}

/** An n-byte value that differs with i. */
const val = (n: number, i: number): string => `${i}${'x'.repeat(n)}`.slice(0, n);
const range = <T>(n: number, f: (j: number) => T): T[] => Array.from({ length: n }, (_, j) => f(j));

export const SHAPES: Shape[] = [
  { name: 'string of 10 bytes', encoding: 'embstr', keys: 40000, build: (k, i) => [['SET', k, val(10, i)]] },
  { name: 'string holding an integer', encoding: 'int', keys: 40000, build: (k, i) => [['SET', k, String(i * 7919)]] },
  { name: 'string of 100 bytes', encoding: 'raw', keys: 20000, build: (k, i) => [['SET', k, val(100, i)]] },
  { name: 'string of 5000 bytes', encoding: 'raw', keys: 800, build: (k, i) => [['SET', k, val(5000, i)]] },
  {
    name: 'string grown by APPEND',
    encoding: 'raw',
    keys: 10000,
    build: (k, i) => [
      ['SET', k, val(20, i)],
      ['APPEND', k, val(300, i)],
    ],
  },
  { name: 'hash of 10 fields (listpack)', encoding: 'listpack', keys: 15000, build: (k, i) => [['HSET', k, ...range(10, (j) => [`f${j}`, val(8, i + j)]).flat()]] },
  { name: 'hash of 1000 fields (hashtable)', encoding: 'hashtable', keys: 150, build: (k, i) => [['HSET', k, ...range(1000, (j) => [`field:${j}`, val(8, i + j)]).flat()]] },
  { name: 'hash with long values (hashtable)', encoding: 'hashtable', keys: 1200, build: (k, i) => [['HSET', k, ...range(20, (j) => [`f${j}`, val(100, i + j)]).flat()]] },
  { name: 'set of 1 integer (intset)', encoding: 'intset', keys: 40000, build: (k, i) => [['SADD', k, String(i)]] },
  { name: 'set of 10 integers under 256 (intset)', encoding: 'intset', keys: 40000, build: (k, i) => [['SADD', k, ...range(10, (j) => String((i + j * 25) % 256))]] },
  { name: 'set of 10 integers (intset)', encoding: 'intset', keys: 40000, build: (k, i) => [['SADD', k, ...range(10, (j) => String(i * 10 + j))]] },
  { name: 'set of 10 64-bit integers (intset)', encoding: 'intset', keys: 20000, build: (k, i) => [['SADD', k, ...range(10, (j) => String(5e9 + i * 10 + j))]] },
  { name: 'set of 100 integers (intset)', encoding: 'intset', keys: 10000, build: (k, i) => [['SADD', k, ...range(100, (j) => String(i * 100 + j))]] },
  { name: 'set of 512 integers (intset)', encoding: 'intset', keys: 2000, build: (k, i) => [['SADD', k, ...range(512, (j) => String(i * 512 + j))]] },
  { name: 'set of 10 strings (hashtable)', encoding: 'hashtable', keys: 8000, build: (k, i) => [['SADD', k, ...range(10, (j) => `m:${i}:${j}`)]] },
  { name: 'set of 1000 strings (hashtable)', encoding: 'hashtable', keys: 70, build: (k, i) => [['SADD', k, ...range(1000, (j) => `m:${i}:${j}`)]] },
  { name: 'sorted set of 10 (listpack)', encoding: 'listpack', keys: 15000, build: (k, i) => [['ZADD', k, ...range(10, (j) => [String(j * 1.5), `m:${i}:${j}`]).flat()]] },
  { name: 'sorted set of 200 (skiplist)', encoding: 'skiplist', keys: 160, build: (k, i) => [['ZADD', k, ...range(200, (j) => [String(j * 1.5), `m:${i}:${j}`]).flat()]] },
  { name: 'list of 10', encoding: 'quicklist', keys: 12000, build: (k, i) => [['RPUSH', k, ...range(10, (j) => val(8, i + j))]] },
  { name: 'list of 2000', encoding: 'quicklist', keys: 200, build: (k, i) => [['RPUSH', k, ...range(2000, (j) => val(8, i + j))]] },
  { name: 'stream of 10 entries', encoding: 'stream', keys: 2500, build: (k) => range(10, (j) => ['XADD', k, '*', 'a', val(8, j), 'b', String(j)]) },
  {
    name: 'stream of 300 entries with a group and 100 pending',
    encoding: 'stream',
    keys: 160,
    build: (k) => [...range(300, (j) => ['XADD', k, '*', 'a', val(8, j)]), ['XGROUP', 'CREATE', k, 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '100', 'STREAMS', k, '>']],
  },
];

/** Builds `count` keys `${prefix}0…` of the shape, pipelined. */
export async function loadShape(c: RespClient, shape: Shape, prefix: string, count = shape.keys): Promise<void> {
  for (let i = 0; i < count; i += 200) {
    const cmds: string[][] = [];
    for (let j = i; j < Math.min(count, i + 200); j++) cmds.push(...shape.build(`${prefix}${j}`, j));
    await c.pipeline(cmds);
  }
}

/** The sum of MEMORY USAGE (SAMPLES 0: every element) over the shape's keys `${prefix}0…`. */
export async function sumMemoryUsage(c: RespClient, shape: Shape, prefix: string, count = shape.keys): Promise<number> {
  let sum = 0;
  for (let i = 0; i < count; i += 500) {
    const replies = await c.pipeline(Array.from({ length: Math.min(500, count - i) }, (_, j) => ['MEMORY', 'USAGE', `${prefix}${i + j}`, 'SAMPLES', '0']));
    for (const r of replies) sum += Number(r.value);
  }
  return sum;
}
