/**
 * What a key and its value cost in memory as Redis 7.0 counts it (Redis's
 * objectComputeSize, object.c): MEMORY USAGE's answer, and the size of the
 * entries a write made a background save copy first (INFO's
 * current_cow_size). The figures are Redis's on jemalloc for the same key and
 * value — sds headers, embstr, dictEntry, size classes — not V8's, so the
 * numbers a client compares with Redis agree (for collections only their
 * object header is counted yet).
 */
import { jeSize } from '../util/jemalloc.js';
import { encodingOf, type Value } from './value.js';
import { assertNever } from '../util/assert.js';

/** Bytes of an sds string of len bytes as Redis allocates it (sdsnewlen, exact length). */
function sdsAlloc(len: number, allowType5 = false): number {
  const hdr = allowType5 && len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : len < 2 ** 32 ? 9 : 17;
  return jeSize(hdr + len + 1);
}

/** MEMORY USAGE's estimate: what Redis 7.0 on jemalloc reports for the same key and value. */
export function memoryUsageOf(key: string, v: Value, _samples: number): number {
  let size: number;
  if (typeof v === 'string' || v.type === 'string') {
    const enc = encodingOf(v);
    const len = v.length;
    if (enc === 'int') size = 16;
    else if (enc === 'embstr') size = jeSize(16 + 3 + len + 1);
    else size = 16 + sdsAlloc(len);
  } else {
    switch (v.type) {
      case 'list':
      case 'hash':
      case 'set':
      case 'zset':
      case 'stream':
        // the object header only: the collections' own sizes (Redis's objectComputeSize,
        // sampling `_samples` elements) are issue 12's
        size = 16;
        break;
      default:
        size = assertNever(v);
    }
  }
  return size + sdsAlloc(key.length, true) + 24; // + the key + its dictEntry
}
