/**
 * What gKV calls used memory (INFO used_memory, the maxmemory check): the
 * V8 heap in use plus the memory V8 knows is held outside it (Buffers,
 * ArrayBuffers). Read from v8.getHeapStatistics (~0.4 µs) rather than
 * process.memoryUsage (~18 µs: it also reads the RSS from /proc), so the
 * maxmemory check can afford it on every command.
 *
 * Unlike Redis's allocator count, it does not drop at once when data is
 * freed: the heap shrinks at the next collection.
 */
import v8 from 'node:v8';

export function usedMemory(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}
