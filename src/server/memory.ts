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
 * report (peak, startup, client buffers, dataset, allocator ratios).
 */
import v8 from 'node:v8';
import type { Server } from './server.js';
import { clientMemoryUsage, outputBufferMemory } from './client-mem.js';

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
export function memFigures(s: Server): MemFigures {
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
