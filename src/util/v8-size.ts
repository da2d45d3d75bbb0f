/**
 * What V8 (Node 20, x64, no pointer compression: 8-byte tagged slots) charges
 * for the things gKV's values are made of: MEMORY USAGE adds these up per
 * key (datatypes' `memoryUsage`, keyspace/object-size.ts), as Redis's
 * objectComputeSize adds up zmalloc sizes.
 *
 * The figures were measured, not read from V8's headers: heap used + external
 * memory after two full collections, over 20,000 objects of one shape
 * (`node --expose-gc`; test/keyspace/memory-usage.test.ts measures whole keys
 * the same way and holds MEMORY USAGE to that):
 * - a sequential one-byte (latin1) string: 16 bytes of header (map, hash,
 *   length) + its bytes, rounded up to 8; two-byte strings (stream IDs) 2 bytes
 *   a char. Strings over ~1 MB made from a Buffer are external (malloc'd): the
 *   same bytes plus a small wrapper, so the formula holds.
 * - an object: 24 bytes (map, properties, elements) + 8 per field; a field
 *   holding a double outside the 31-bit small-integer range adds a 16-byte
 *   HeapNumber.
 * - a JS array: 32 bytes + a backing store of 16 + 8 per slot of capacity; an
 *   array filled by push grows to (n + 1) * 1.5 + 16 slots when full.
 * - a typed array or Buffer with its own ArrayBuffer: ~184 bytes of objects
 *   (JSTypedArray + JSArrayBuffer) + its bytes (on the V8 heap up to 64
 *   bytes, with a 16-byte header; in malloc'd memory above, where the
 *   allocator adds its own word and rounding, and V8 a BackingStore record).
 */

/** Bytes of a sequential one-byte string of len chars ('' is a shared constant: 0). */
export function strBytes(len: number): number {
  return len === 0 ? 0 : (16 + len + 7) & ~7;
}

/** Bytes of a sequential two-byte string of len chars. */
export function twoByteStrBytes(len: number): number {
  return len === 0 ? 0 : (16 + 2 * len + 7) & ~7;
}

/** Bytes of an object with `fields` in-object fields. */
export function objBytes(fields: number): number {
  return 24 + 8 * fields;
}

/** A boxed double (a field holding a non-small-integer number). */
export const HEAP_NUMBER = 16;

/** Bytes of a number held in a field: 0 for a 31-bit small integer, a HeapNumber otherwise. */
export function numBytes(n: number): number {
  return Number.isInteger(n) && n >= -0x40000000 && n < 0x40000000 ? 0 : HEAP_NUMBER;
}

/** Bytes of a JS array with room for `capacity` elements. */
export function arrayBytes(capacity: number): number {
  return 32 + (capacity === 0 ? 0 : 16 + 8 * capacity);
}

/** The capacity V8 gives an array of `length` elements filled by push (its growth rule, replayed). */
export function pushedCapacity(length: number): number {
  let cap = 0;
  while (cap < length) cap = cap + 1 + ((cap + 1) >> 1) + 16;
  return cap;
}

/** Bytes of an array of `length` elements filled by push (its capacity estimated by V8's growth rule). */
export function pushedArrayBytes(length: number): number {
  return arrayBytes(pushedCapacity(length));
}

/** The objects of a typed array / Buffer with its own ArrayBuffer (JSTypedArray + JSArrayBuffer). */
const TYPED_OBJECTS = 184;
/** Largest typed array V8 keeps on its heap (typed_array_max_size_in_heap). */
const ON_HEAP_MAX = 64;
/** Per malloc'd backing store: V8's BackingStore record and glibc's chunk header and rounding. */
const BACKING_STORE = 96;

/** Bytes of a typed array (or an unpooled Buffer) of byteLength bytes. */
export function typedBytes(byteLength: number): number {
  if (byteLength <= ON_HEAP_MAX) return TYPED_OBJECTS + (byteLength === 0 ? 0 : (16 + byteLength + 7) & ~7);
  return TYPED_OBJECTS + BACKING_STORE + ((byteLength + 15) & ~15);
}

/** Bytes of a Node Buffer with its own memory (Buffer.alloc, allocUnsafeSlow): always malloc'd, whatever its size. */
export function bufferBytes(byteLength: number): number {
  return TYPED_OBJECTS + BACKING_STORE + ((byteLength + 15) & ~15);
}

/** Bytes of an array made as a one-element literal ([x]: exact) and grown by push since. */
export function literalPushedArrayBytes(length: number): number {
  return length <= 1 ? arrayBytes(length) : pushedArrayBytes(length);
}
