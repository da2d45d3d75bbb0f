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

function pow2AtLeast(n: number): number {
  let p = 4;
  while (p < n) p *= 2;
  return p;
}

/** MEMORY STATS: Redis's map of figures (ratios are C floats widened to double, as Redis sends them). */
function memoryStatsCommand(c: Client, _argv: string[], s: ServerContext): void {
  const f = memFigures(s);
  const fl = (x: number) => Math.fround(Number.isFinite(x) ? x : 0);
  const dbs = s.ks.dbs.filter((db) => db.size > 0 || db.expiresCount > 0);
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
    c.addBulk('overhead.hashtable.main');
    // Redis's figure: a dictEntry per key plus a bucket pointer per slot of a power-of-two table
    c.addInt(db.size * 24 + pow2AtLeast(db.size) * 8);
    c.addBulk('overhead.hashtable.expires');
    c.addInt(db.expiresCount * 24 + (db.expiresCount === 0 ? 0 : pow2AtLeast(db.expiresCount) * 8));
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

/**
 * MEMORY DOCTOR: gKV has none of the allocator-level problems Redis's doctor
 * looks for (it runs on V8's heap), so it reports Redis's all-clear text, or
 * the empty-instance text when there is nearly no data.
 */
function memoryDoctorCommand(c: Client, _argv: string[], s: ServerContext): void {
  const f = memFigures(s);
  if (f.dataset < 5 * 1024 * 1024 && s.ks.dbs.every((db) => db.size === 0)) {
    c.addVerbatim(
      "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.",
    );
  } else {
    c.addVerbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.");
  }
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
