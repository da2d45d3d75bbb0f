/**
 * MEMORY (Redis's memoryCommand, object.c): USAGE, STATS, DOCTOR,
 * MALLOC-STATS, PURGE, HELP.
 *
 * USAGE reports what Redis 7.0 on jemalloc would for the same key and value
 * (keyspace/object-size.ts); STATS and DOCTOR read the process's figures
 * as INFO memory does (server/memory.ts). gKV runs on V8's heap, so the
 * allocator-level subcommands answer as Redis does without jemalloc's stats,
 * and PURGE runs a full collection.
 */
import type { ServerCommands, ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { intArg, is } from '../args.js';
import { memoryUsageOf } from '../../keyspace/object-size.js';
import { memFigures } from '../../server/memory.js';
import { addHelp } from '../help.js';

function memoryUsageCommand(c: Client, argv: string[]): void {
  let samples = 5;
  for (let i = 3; i < argv.length; i++) {
    if (is(argv[i], 'samples') && i + 1 < argv.length) {
      samples = intArg(argv[i + 1]);
      if (samples < 0) throw Err.syntax();
      if (samples === 0) samples = Number.MAX_SAFE_INTEGER;
      i++;
    } else throw Err.syntax();
  }
  // as Redis 7.0: a raw dictionary lookup, no expiry check
  const slot = c.db.findSlot(argv[2]);
  if (slot === -1) {
    c.addNull();
    return;
  }
  c.addInt(memoryUsageOf(argv[2], c.db.dict.vals[slot]!, samples, c.db.perKeyOverhead()));
}

function memoryHelpCommand(c: Client): void {
  addHelp(c, 'MEMORY', [
    'DOCTOR',
    '    Return memory problems reports.',
    'MALLOC-STATS',
    '    Return internal statistics report from the memory allocator.',
    'PURGE',
    '    Attempt to purge dirty pages for reclamation by the allocator.',
    'STATS',
    '    Return information about the memory usage of the server.',
    'USAGE <key> [SAMPLES <count>]',
    '    Return memory in bytes used by <key> and its value. Nested values are',
    '    sampled up to <count> times (default: 5, 0 means sample all).',
  ]);
}

/** MEMORY STATS: Redis's map of figures (ratios are C floats widened to double, as Redis sends them). */
function memoryStatsCommand(c: Client, _argv: string[], s: ServerContext): void {
  const f = memFigures(s);
  const fl = (x: number) => Math.fround(Number.isFinite(x) ? x : 0);
  const dbs = f.dbs;
  let keys = 0;
  for (const db of s.ks.dbs) keys += db.size;
  const ints: [string, number][] = [
    ['peak.allocated', f.peak],
    ['total.allocated', f.used],
    ['startup.allocated', f.startup],
    ['replication.backlog', 0],
    ['clients.slaves', 0],
    ['clients.normal', f.clientBufs],
    ['cluster.links', 0],
    ['aof.buffer', 0],
    ['lua.caches', s.luaMemory.scriptsEval],
    ['functions.caches', s.luaMemory.functions],
  ];
  c.addMapLen(ints.length + dbs.length + 17);
  for (const [k, v] of ints) {
    c.addBulk(k);
    c.addInt(v);
  }
  for (const db of dbs) {
    c.addBulk(`db.${db.id}`);
    c.addMapLen(3);
    // the database's table as gKV holds it (Db.tableBytes): slab, buckets and LRU clocks; the TTL arrays
    c.addBulk('overhead.hashtable.main');
    c.addInt(db.main);
    c.addBulk('overhead.hashtable.expires');
    c.addInt(db.expires);
    c.addBulk('overhead.hashtable.slot-to-keys');
    c.addInt(0);
  }
  const kv: [string, number, 'i' | 'd'][] = [
    ['overhead.total', f.overhead, 'i'],
    ['keys.count', keys, 'i'],
    ['keys.bytes-per-key', keys === 0 ? 0 : Math.floor(f.netUsed / keys), 'i'],
    ['dataset.bytes', f.dataset, 'i'],
    ['dataset.percentage', f.netUsed <= 0 ? 0 : (f.dataset * 100) / f.netUsed, 'd'],
    ['peak.percentage', f.peak === 0 ? 0 : (f.used * 100) / f.peak, 'd'],
    ['allocator.allocated', f.allocated, 'i'],
    ['allocator.active', f.active, 'i'],
    ['allocator.resident', f.resident, 'i'],
    ['allocator-fragmentation.ratio', f.active / f.allocated, 'd'],
    ['allocator-fragmentation.bytes', f.active - f.allocated, 'i'],
    ['allocator-rss.ratio', f.resident / f.active, 'd'],
    ['allocator-rss.bytes', f.resident - f.active, 'i'],
    ['rss-overhead.ratio', f.rss / f.resident, 'd'],
    ['rss-overhead.bytes', f.rss - f.resident, 'i'],
    ['fragmentation', f.rss / f.used, 'd'],
    ['fragmentation.bytes', f.rss - f.used, 'i'],
  ];
  for (const [k, v, t] of kv) {
    c.addBulk(k);
    if (t === 'i') c.addInt(v);
    else c.addDouble(fl(v));
  }
}

/** MEMORY DOCTOR's thresholds (Redis's getMemoryDoctorReport). */
const DOCTOR_EMPTY_BYTES = 5 * 1024 * 1024;
const DOCTOR_RATIO_BYTES = 10 * 1024 * 1024;

/**
 * MEMORY DOCTOR: Redis's checks and texts over the figures INFO memory
 * reports (server/memory.ts): a peak over 1.5x the used memory; RSS over
 * 1.4x the used memory, allocator fragmentation (V8's heap slack) or
 * allocator RSS overhead over 1.1x, process RSS overhead over 1.1x (each by
 * 10 MB or more); clients averaging over 200 KB; more than 1000 cached
 * scripts. "Empty" is under 5 MB of used memory beyond what the server used
 * at startup (Redis: under 5 MB in all; a Node process starts with more
 * than that in its heap).
 */
function memoryDoctorCommand(c: Client, _argv: string[], s: ServerContext): void {
  c.addVerbatim(memoryDoctorReport(s));
}

/** Redis's getMemoryDoctorReport on gKV's figures. */
export function memoryDoctorReport(s: ServerContext): string {
  const f = memFigures(s);
  if (f.netUsed < DOCTOR_EMPTY_BYTES) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
  }
  const over = (a: number, b: number, ratio: number): boolean => a / b > ratio && a - b > DOCTOR_RATIO_BYTES;
  // [found, Redis's paragraph], in Redis's order
  const checks: [boolean, string][] = [
    [
      f.peak / f.used > 1.5,
      'Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.',
    ],
    [
      over(f.rss, f.used, 1.4),
      'High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is "libc".',
    ],
    [
      over(f.active, f.allocated, 1.1),
      "High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.",
    ],
    [
      over(f.resident, f.active, 1.1),
      'High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.',
    ],
    [
      over(f.rss, f.resident, 1.1),
      'High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). This problem may be due to Lua scripts or Modules.',
    ],
    [
      s.clients.size > 0 && f.clientBufs / s.clients.size > 200 * 1024,
      'Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.',
    ],
    [
      s.luaMemory.cachedScripts > 1000,
      "Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of your memory.",
    ],
  ];
  const issues = checks.filter(([found]) => found).map(([, text]) => text);
  if (issues.length === 0) return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
  return `Sam, I detected a few issues in this Redis instance memory implants:\n\n${issues.map((t) => ` * ${t}\n\n`).join('')}I'm here to keep you safe, Sam. I want to help you.\n`;
}

function memoryMallocStatsCommand(c: Client): void {
  c.addVerbatim('Stats not supported for the current allocator');
}

/** MEMORY PURGE: Redis asks jemalloc to release memory; gKV runs a full V8 collection (idle-gc.ts). */
function memoryPurgeCommand(c: Client, _argv: string[], s: ServerContext): void {
  s.idleGc.collect();
  c.addOK();
}

// ------------------------------------------------------------------ table

export const memoryCommands: ServerCommands = [
  {
    name: 'memory',
    sub: [
      { name: 'usage', handler: memoryUsageCommand },
      { name: 'stats', handler: memoryStatsCommand },
      { name: 'doctor', handler: memoryDoctorCommand },
      { name: 'malloc-stats', handler: memoryMallocStatsCommand },
      { name: 'purge', handler: memoryPurgeCommand },
      { name: 'help', handler: memoryHelpCommand },
    ],
  },
];
