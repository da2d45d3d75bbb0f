/**
 * What gKV calls used memory (INFO used_memory, the maxmemory check): the
 * V8 heap in use plus the memory V8 knows is held outside it (Buffers,
 * ArrayBuffers, external strings) — the bytes in objects the program holds,
 * as Redis's used_memory is the bytes its allocator handed out. Read from
 * v8.getHeapStatistics (~0.4 µs) rather than process.memoryUsage (~18 µs:
 * it also reads the RSS from /proc), so the maxmemory check can afford it
 * on every command.
 *
 * Unlike Redis's allocator count, it does not drop at once when data is
 * freed: objects count until the collector finds them dead (the idle
 * collector, server/idle-gc.ts, or MEMORY PURGE, runs it). So that INFO,
 * MEMORY STATS and DOCTOR do not count the garbage every request leaves in
 * the young generation (parsed arguments, reply chunks: megabytes after a
 * burst, against a dataset of a few), memFigures runs a young-generation
 * collection first (redis-benchmark INFO memory, 200,000 keys: p50 0.29 ms
 * against PING's 0.03). Old-space garbage still counts until a full
 * collection: Redis's unit/memefficiency passed whole in 2 runs of 5 with
 * it, in none of 2 without (its small-value cases fail when a collection
 * lands between its two readings).
 *
 * memFigures derives from it the breakdown INFO memory and MEMORY STATS
 * report, Redis's fields mapped onto what V8 and the process report:
 *   allocator_allocated  = used_memory (V8's used heap + external memory)
 *   allocator_active     = the heap's resident pages (total_physical_size)
 *                          + external memory: what the allocator keeps in
 *                          use, free room inside V8's pages included
 *                          (allocator_frag_* = V8's heap slack)
 *   allocator_resident   = active + V8's own malloc'd memory (compiler and
 *                          parser zones: malloced_memory)
 *   used_memory_rss      = the process's RSS; rss_overhead_* (rss against
 *                          allocator_resident) is the rest of the process:
 *                          Node's and V8's code, native libraries, stacks,
 *                          glibc's slack around the external allocations
 *   mem_fragmentation_*  = rss against used_memory, as Redis 7.0
 * used_memory_overhead counts what Redis's does (getMemoryOverheadData):
 * startup, clients, the script caches, and the databases' tables (slab,
 * buckets, LRU and TTL arrays: Db.tableBytes, MEMORY STATS' db.N figures);
 * the dataset is the rest. This file registers INFO's memory section.
 */
import v8 from 'node:v8';
import os from 'node:os';
import type { ServerContext } from '../commands/context.js';
import type { InfoFields } from './info.js';
import { clientMemoryUsage, outputBufferMemory } from './client-mem.js';
import { bytesToHuman, fixed } from '../util/numbers.js';
import { usedMemory } from './used-memory.js';

export { usedMemory };

/** used_memory when the process loaded the server, before any client or key: used_memory_startup */
const STARTUP_MEMORY = usedMemory();

/** The figures INFO memory and MEMORY STATS / DOCTOR report (Redis's getMemoryOverheadData and zmalloc figures). */
export interface MemFigures {
  used: number;
  rss: number;
  peak: number;
  startup: number;
  clientBufs: number;
  /** the script and function caches (used_memory_scripts) */
  scripts: number;
  /** per database with keys or TTLs: its id and table bytes (MEMORY STATS db.N) */
  dbs: { id: number; main: number; expires: number }[];
  overhead: number;
  dataset: number;
  netUsed: number;
  allocated: number;
  active: number;
  resident: number;
}

/** The memory figures INFO memory and MEMORY STATS report (the mapping: see the header); raises s.peakMemory to the used memory. */
export function memFigures(s: ServerContext): MemFigures {
  // the young generation's garbage out first (see the header)
  s.idleGc.collectYoung();
  const h = v8.getHeapStatistics();
  const rss = process.memoryUsage.rss();
  const used = h.used_heap_size + h.external_memory;
  if (used > s.peakMemory) s.peakMemory = used;
  const startup = Math.min(STARTUP_MEMORY, used);
  let clientBufs = 0;
  // Redis's mem_clients_normal: every client's memory as CLIENT LIST tot-mem counts it
  for (const c of s.clients.values()) clientBufs += clientMemoryUsage(c, outputBufferMemory(c.mem, s.unsentOutput(c)));
  const scripts = s.luaMemory.scriptsEval + s.luaMemory.functions;
  const dbs: MemFigures['dbs'] = [];
  let tables = 0;
  for (const db of s.ks.dbs) {
    if (db.size === 0 && db.expiresCount === 0) continue;
    const t = db.tableBytes();
    dbs.push({ id: db.id, main: t.main, expires: t.expires });
    tables += t.main + t.expires;
  }
  const overhead = Math.min(used, startup + clientBufs + scripts + tables);
  const active = h.total_physical_size + h.external_memory;
  return {
    used,
    rss,
    peak: s.peakMemory,
    startup,
    clientBufs,
    scripts,
    dbs,
    overhead,
    dataset: used - overhead,
    netUsed: used - startup,
    allocated: used,
    active,
    resident: active + h.malloced_memory,
  };
}

/** Registers INFO memory on s.info. */
export function registerMemoryInfo(s: ServerContext): void {
  s.info.register('memory', () => memoryFields(s));
}

function memoryFields(s: ServerContext): InfoFields {
  const { used, rss, peak, startup, clientBufs, overhead, dataset, netUsed, allocated, active, resident } = memFigures(s);
  const maxmemory = Number(s.config.get('maxmemory'));
  const total = os.totalmem();
  const r2 = (a: number, b: number) => fixed(b === 0 ? 0 : a / b, 2);
  const lua = s.luaMemory;
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', rss],
    ['used_memory_rss_human', bytesToHuman(rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', `${fixed(peak === 0 ? 0 : (used * 100) / peak, 2)}%`],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', startup],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', `${fixed(netUsed <= 0 ? 0 : (dataset * 100) / netUsed, 2)}%`],
    ['allocator_allocated', allocated],
    ['allocator_active', active],
    ['allocator_resident', resident],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', lua.vmEval],
    ['used_memory_vm_eval', lua.vmEval],
    ['used_memory_lua_human', bytesToHuman(lua.vmEval)],
    ['used_memory_scripts_eval', lua.scriptsEval],
    ['number_of_cached_scripts', lua.cachedScripts],
    ['number_of_functions', lua.functionsCount],
    ['number_of_libraries', lua.librariesCount],
    ['used_memory_vm_functions', lua.vmFunctions],
    ['used_memory_vm_total', lua.vmEval + lua.vmFunctions],
    ['used_memory_vm_total_human', bytesToHuman(lua.vmEval + lua.vmFunctions)],
    ['used_memory_functions', lua.functions],
    ['used_memory_scripts', lua.scriptsEval + lua.functions],
    ['used_memory_scripts_human', bytesToHuman(lua.scriptsEval + lua.functions)],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', s.config.get('maxmemory-policy')],
    ['allocator_frag_ratio', r2(active, allocated)],
    ['allocator_frag_bytes', active - allocated],
    ['allocator_rss_ratio', r2(resident, active)],
    ['allocator_rss_bytes', resident - active],
    ['rss_overhead_ratio', r2(rss, resident)],
    ['rss_overhead_bytes', rss - resident],
    ['mem_fragmentation_ratio', r2(rss, used)],
    ['mem_fragmentation_bytes', rss - used],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', clientBufs],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', 'libc'],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', s.lazyfree.pending],
    ['lazyfreed_objects', s.lazyfree.freed],
  ];
}
