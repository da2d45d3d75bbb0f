/**
 * The heap's reading alone (the V8 heap in use plus its external memory),
 * for the modules that need what the process holds, garbage included, but
 * not INFO's breakdown: the idle collector, INFO's allocator_* figures. A
 * module of its own so that they do not import server/memory.ts, which
 * imports the server's context type (an import cycle through
 * commands/context.ts otherwise). used_memory itself is a counter
 * (server/memory.ts's header).
 */
import v8 from 'node:v8';

/** V8's used heap plus its external memory (~0.4 µs). */
export function heapUsed(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}
