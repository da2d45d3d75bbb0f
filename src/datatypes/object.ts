/**
 * What every collection type held by a key is, as the keyspace sees it.
 *
 * Redis's robj carries a type and an encoding and is handled by switches over
 * the type in every module that serializes, digests, frees or measures
 * values. gKV keeps the same shape with the compiler's help: each collection
 * class implements RObj (the operations that belong to the value itself),
 * and `keyspace/value.ts` closes the union of the concrete classes (`Value`),
 * so the modules that need a case per type (the RDB encoder, the AOF
 * rewrite, DEBUG DIGEST, MEMORY USAGE …) switch over `type` exhaustively and
 * fail to compile when a type is added and a case is missing
 * (docs/ARCHITECTURE.md, "Adding a type").
 *
 * The interface lives here rather than in keyspace/ so that the data
 * structures implement it without importing anything of the server.
 */

/** Redis's type names (TYPE, the `type` of a SCAN, keyspace checks). */
export type ObjType = 'string' | 'list' | 'hash' | 'set' | 'zset' | 'stream';

export interface RObj {
  /** the type's name, a literal per class: the union's discriminant */
  readonly type: ObjType;
  /** Redis's OBJECT ENCODING name for the current representation. */
  encoding(): string;
  /** A deep copy (COPY). */
  dup(): RObj;
  /**
   * Redis's lazyfreeGetFreeEffort: about how many allocations freeing the
   * value takes (1 for a value in one allocation, such as a listpack).
   */
  freeEffort(): number;
  /**
   * The bytes the value holds on V8's heap and in the Buffers it owns (its
   * objects, arrays and strings, sized by util/v8-size.ts): MEMORY USAGE's
   * figure for the value, as Redis's objectComputeSize. A collection of more
   * than `samples` elements (or nodes, or buckets) is measured on its first
   * `samples` of them and the average extrapolated, as Redis samples.
   */
  memoryUsage(samples: number): number;
}
