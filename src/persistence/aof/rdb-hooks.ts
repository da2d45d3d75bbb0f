/**
 * How the AOF writes and reads RDB bases (aof-use-rdb-preamble) without
 * importing the RDB module: each Aof holds these hooks (`Aof.rdbHooks`), which
 * the RDB module fills when it is installed on the same server
 * (persistence/rdb/index.ts, installRdb). Until it has, a rewrite writes its
 * base in command form whatever the setting, and an RDB base cannot be
 * loaded. Used by the rewrite (bgrewrite.ts) and the load (boot.ts).
 */
import type { ServerContext } from '../../commands/context.js';
import type { SnapshotSink } from '../snapshot.js';
import type { RdbImageLoader } from './loader.js';

/** Writes an RDB image of the whole dataset (with the aof-base aux field) to fd at once; returns its size. */
export type RdbBaseWriter = (s: ServerContext, fd: number) => number;

/**
 * An RDB image fed by the snapshot (the RDB module's sink): encode/beginDb/
 * write as SnapshotSink, drain() hands buffered bytes to `out`, end() adds
 * EOF and checksum, size counts the bytes.
 */
export interface RdbImageSink extends SnapshotSink<Buffer> {
  drain(): void;
  end(): void;
  readonly size: number;
}
/** Creates an RDB image sink (aof-base 1) writing through out. */
export type RdbImageFactory = (s: ServerContext, out: (b: Buffer) => void) => RdbImageSink;

/**
 * Hooks the RDB module installs so the AOF can write and read RDB bases:
 * `image` lets a rewrite walk the snapshot in slices; without it `writer`
 * writes the base in one go (the rewrite then pauses the server for it).
 */
export interface RdbHooks {
  writer: RdbBaseWriter | null;
  image: RdbImageFactory | null;
  loader: RdbImageLoader | null;
}
