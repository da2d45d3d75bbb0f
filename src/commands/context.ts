/**
 * What a command handler may use: the interfaces the server implements for
 * its command families.
 *
 * A handler gets the client, its arguments, and a context (commands/spec.ts,
 * Handler<Ctx>). Each family declares the narrowest context it needs, so the
 * compiler shows what a family touches and a test double or a new host (a
 * script's fake client, a replica's applier) knows what to provide:
 * - DataContext, for the data types' families (strings, lists, hashes, sets,
 *   sorted sets, SORT, bitmaps): the keyspace, the encoding thresholds,
 *   blocking, configuration reading, lazy freeing, propagation.
 * - ServerContext, for the server, connection, transaction and pub/sub
 *   commands and persistence's commands: the rest of the server.
 * The server's command table is a CommandTable<ServerContext>; a row taking
 * a DataContext registers there because every ServerContext is one.
 */
import type { Client } from '../server/client.js';
import type { Config } from '../server/config.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { LazyFree } from '../server/lazyfree.js';
import type { Blocking } from '../server/blocking.js';
import type { Server } from '../server/server.js';
import type { CommandRow, CommandSpec } from './spec.js';

/** Redis's thresholds between compact and hashed/skiplist encodings (redis.conf *-max-listpack-*, set-max-intset-entries). */
export interface EncodingLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  /** positive: entries per quicklist node; -1..-5: node size limit 4/8/16/32/64 KB */
  listMaxListpackSize: number;
  listCompressDepth: number;
  setMaxIntsetEntries: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

/** What the data types' handlers use. */
export interface DataContext {
  /** the databases and the write path (dirty, WATCH, notifications, expiry) */
  readonly ks: Keyspace;
  /** the encoding thresholds, as CONFIG SET leaves them */
  readonly enc: EncodingLimits;
  /** clients blocked on keys (BLPOP, BZPOPMIN, BLMOVE …) */
  readonly blocking: Blocking;
  /** configuration, read at the time of the command */
  readonly config: Config;
  /** lazy freeing's bookkeeping (UNLINK, FLUSH ASYNC, lazyfree-lazy-*) */
  readonly lazyfree: LazyFree;
  /** proto-max-bulk-len: the longest string a command may make */
  readonly protoMaxBulkLen: number;
  /** propagates ops in place of the command (SET + APPEND parts of a long value) */
  propagateOps(c: Client, ops: [number, string[]][]): void;
}

/**
 * What the server, connection, transaction, pub/sub and persistence commands
 * use: the whole server, for now, while those families are moved to the
 * narrower members they need.
 */
export type ServerContext = Server;

declare module '../server/client.js' {
  /** MULTI queues the server's commands (see Client.multiQueue) */
  interface QueuedCommand extends CommandSpec<ServerContext> {}
}

/** A data family's table. */
export type DataCommands = readonly CommandRow<DataContext>[];
/** A server-side family's table. */
export type ServerCommands = readonly CommandRow<ServerContext>[];
