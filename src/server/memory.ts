/**
 * What gKV calls used memory (INFO used_memory, what maxmemory is held to):
 * a counter, as Redis's is the count of bytes its allocator handed out, made
 * of figures each owner keeps up to date as it changes:
 *   used_memory = the keys and values (keyspace.ts's accounting: what each
 *                 key was measured at, V8's bytes as MEMORY USAGE counts them)
 *               + the databases' tables (slab, buckets, LRU/TTL/size arrays)
 *               + the clients' memory (CLIENT LIST tot-mem, kept per client
 *                 by the server: refreshed after each read, by the cron, and
 *                 all of them when INFO asks)
 *               + the script caches.
 * used_memory_startup is that sum when the server was created (the empty
 * tables). The runtime itself — V8's builtins, the compiled code, the
 * modules' objects, ~13 MB of heap before the first key — is not counted,
 * as Redis's used_memory does not count its binary and libraries: it shows
 * in allocator_allocated and the RSS. A limit of a few megabytes is then a
 * limit on data, as in Redis (unit/maxmemory sets 11mb).
 * Reading it is a sum (Server.usedMemory: the in-place changes settled, the
 * tables added up: well under a microsecond on 16 databases), so the
 * maxmemory check runs before every command as Redis's does. It drops as
 * soon as a key goes, where V8's heap (which counts garbage until a
 * collection finds it dead) would not: eviction measures what it freed by
 * it. What the heap really holds is allocator_allocated (V8's used heap +
 * external memory, garbage included until a collection).
 *
 * memFigures derives from it the breakdown INFO memory and MEMORY STATS
 * report, Redis's fields mapped onto what V8 and the process report:
 *   allocator_allocated  = V8's used heap + external memory
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
import { bytesToHuman, fixed } from '../util/numbers.js';

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
  // every client's figure refreshed (Redis's mem_clients_normal: what CLIENT LIST tot-mem counts)
  const used = s.usedMemory(true);
  const h = v8.getHeapStatistics();
  const rss = process.memoryUsage.rss();
  const heap = h.used_heap_size + h.external_memory;
  if (used > s.peakMemory) s.peakMemory = used;
  const startup = Math.min(s.startupMemory, used);
  const clientBufs = s.clientsMemory;
  const scripts = s.luaMemory.scriptsEval + s.luaMemory.functions;
  const dbs: MemFigures['dbs'] = [];
  let tables = 0;
  for (const db of s.ks.dbs) {
    if (db.size === 0 && db.expiresCount === 0) continue;
    const t = db.tableBytes();
    dbs.push({ id: db.id, main: t.main, expires: t.expires });
    tables += t.main + t.expires;
  }
  // the startup figure is the empty tables and caches, counted in tables and scripts
  const overhead = Math.min(used, clientBufs + scripts + tables);
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
    allocated: heap,
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
    ['mem_not_counted_for_evict', s.notCountedForEvict()],
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
