/**
 * What gKV calls used memory (INFO used_memory, the maxmemory check): the
 * V8 heap in use plus the memory V8 knows is held outside it (Buffers,
 * ArrayBuffers). Read from v8.getHeapStatistics (~0.4 µs) rather than
 * process.memoryUsage (~18 µs: it also reads the RSS from /proc), so the
 * maxmemory check can afford it on every command.
 *
 * Unlike Redis's allocator count, it does not drop at once when data is
 * freed: the heap shrinks at the next collection.
 *
 * memFigures derives from it the breakdown INFO memory and MEMORY STATS
 * report (peak, startup, client buffers, dataset, allocator ratios); this
 * file registers INFO's memory section.
 */
import v8 from 'node:v8';
import os from 'node:os';
import type { ServerContext } from '../commands/context.js';
import type { InfoFields } from './info.js';
import { clientMemoryUsage, outputBufferMemory } from './client-mem.js';
import { bytesToHuman, fixed } from '../util/numbers.js';

export function usedMemory(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

/** used_memory when the process loaded the server, before any client or key: used_memory_startup */
const STARTUP_MEMORY = usedMemory();

/** The figures INFO memory and MEMORY STATS / DOCTOR report (Redis's getMemoryOverheadData and zmalloc figures). */
export interface MemFigures {
  used: number;
  rss: number;
  peak: number;
  startup: number;
  clientBufs: number;
  overhead: number;
  dataset: number;
  netUsed: number;
  allocated: number;
  active: number;
  resident: number;
}

/** The memory figures INFO memory and MEMORY STATS report, from process.memoryUsage(); raises s.peakMemory to the used memory. */
export function memFigures(s: ServerContext): MemFigures {
  const m = process.memoryUsage();
  const used = usedMemory();
  if (used > s.peakMemory) s.peakMemory = used;
  const startup = Math.min(STARTUP_MEMORY, used);
  let clientBufs = 0;
  // Redis's mem_clients_normal: every client's memory as CLIENT LIST tot-mem counts it
  for (const c of s.clients.values()) clientBufs += clientMemoryUsage(c, outputBufferMemory(c.mem, s.unsentOutput(c)));
  const overhead = Math.min(used, startup + clientBufs);
  return {
    used,
    rss: m.rss,
    peak: s.peakMemory,
    startup,
    clientBufs,
    overhead,
    dataset: used - overhead,
    netUsed: used - startup,
    allocated: used,
    active: m.heapTotal + m.external + m.arrayBuffers,
    resident: m.rss,
  };
}

/** Registers INFO memory on s.info. */
export function registerMemoryInfo(s: ServerContext): void {
  s.info.register('memory', () => memoryFields(s));
}

function memoryFields(s: ServerContext): InfoFields {
  const { used, rss, peak, startup, clientBufs, overhead, dataset, netUsed, allocated, active, resident } = memFigures(s);
  const m = { rss };
  const maxmemory = Number(s.config.get('maxmemory'));
  const total = os.totalmem();
  const r2 = (a: number, b: number) => fixed(b === 0 ? 0 : a / b, 2);
  const lua = s.luaMemory;
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', m.rss],
    ['used_memory_rss_human', bytesToHuman(m.rss)],
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
    ['rss_overhead_ratio', r2(m.rss, resident)],
    ['rss_overhead_bytes', m.rss - resident],
    ['mem_fragmentation_ratio', r2(m.rss, used)],
    ['mem_fragmentation_bytes', m.rss - used],
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
