/**
 * used_memory's reading alone (the heap in use plus V8's external memory),
 * for the modules that need the figure but not INFO's breakdown: the
 * maxmemory check, the idle collector. A module of its own so that they do
 * not import server/memory.ts, which imports the server's context type
 * (an import cycle through commands/context.ts otherwise). The figure's
 * meaning: server/memory.ts's header.
 */
import v8 from 'node:v8';

/** V8's used heap plus its external memory (~0.4 µs). */
export function usedMemory(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}
