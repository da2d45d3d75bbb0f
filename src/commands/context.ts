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
import type { Acl, AclCheckResult, AclDenial, AclLogContext, AclUser } from '../server/acl.js';
import type { Socket } from 'node:net';
import type { Client } from '../server/client.js';
import type { Config } from '../server/config.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { LazyFree } from '../server/lazyfree.js';
import type { Blocking } from '../server/blocking.js';
import type { Logger } from '../server/log.js';
import type { Slowlog } from '../server/slowlog.js';
import type { LatencyMonitor } from '../server/latency.js';
import type { IdleGc } from '../server/idle-gc.js';
import type { Evictor } from '../server/evict.js';
import type { InfoRegistry } from '../server/info.js';
import type { ReplyBufferStats } from '../server/client-mem.js';
import type { ClientEviction } from '../server/evict-clients.js';
import type { PubSub } from '../pubsub/pubsub.js';
import type { WatchedKeys } from '../server/multi.js';
import type { Tracking } from '../server/tracking.js';
import type { Children } from '../server/children.js';
import type { PropagatedOp, Propagation } from '../server/propagation.js';
import type { MigrateCache } from './migrate.js';
import type { CommandTable } from './table.js';
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
  /** stream-node-max-bytes (0: only the listpack's own limit) */
  nodeMaxBytes: number;
  /** stream-node-max-entries (0: no limit) */
  nodeMaxEntries: number;
  /** hll-sparse-max-bytes: the longest sparse HyperLogLog before it turns dense */
  hllSparseMaxBytes: number;
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

/** The server's counters (INFO stats, and what CONFIG RESETSTAT resets). */
export interface ServerStats {
  totalConnections: number;
  rejectedConnections: number;
  numCommands: number;
  netInput: number;
  netOutput: number;
  totalErrorReplies: number;
  errorCounts: Map<string, number>;
  /** samples of (time, commands, netIn, netOut) for instantaneous_* */
  instOps: number;
  instIn: number;
  instOut: number;
  /** read events and socket writes (INFO total_reads_processed / total_writes_processed) */
  readsProcessed: number;
  writesProcessed: number;
  /** replication: full and partial resyncs served, and the stream's bytes sent (INFO stats) */
  syncFull: number;
  syncPartialOk: number;
  syncPartialErr: number;
  netReplOutput: number;
}

/** Zeroed counters: a new server's, and what CONFIG RESETSTAT puts back. */
export function newServerStats(): ServerStats {
  return {
    totalConnections: 0,
    rejectedConnections: 0,
    numCommands: 0,
    netInput: 0,
    netOutput: 0,
    totalErrorReplies: 0,
    errorCounts: new Map(),
    instOps: 0,
    instIn: 0,
    instOut: 0,
    readsProcessed: 0,
    writesProcessed: 0,
    syncFull: 0,
    syncPartialOk: 0,
    syncPartialErr: 0,
    netReplOutput: 0,
  };
}

/** SHUTDOWN's options, for the shutdown steps (persistence saves unless nosave). */
export interface ShutdownFlags {
  save: boolean;
  nosave: boolean;
  now: boolean;
  force: boolean;
}

/**
 * A shutdown step (Server.onShutdown). It may be a generator that yields a
 * number of milliseconds to wait (0: one turn of the event loop) between
 * pieces of a long task (the final save walks the dataset in slices, so a
 * second SIGINT is still seen). Its result, or the generator's return value,
 * false means the server must not exit (the step logged why).
 */
export type ShutdownStep = Generator<number, boolean | void, void> | boolean | void;

/** Redis's error reply to a SHUTDOWN that failed (the server stays up). */
export const SHUTDOWN_FAILED = 'ERR Errors trying to SHUTDOWN. Check logs.';

/**
 * What the server, connection, transaction, pub/sub, introspection and
 * persistence commands use: the data context and the server's own state.
 */
export interface ServerContext extends DataContext {
  /** the command table (COMMAND, INFO commandstats, CONFIG RESETSTAT, the AOF loader) */
  readonly table: CommandTable<ServerContext>;
  readonly log: Logger;
  /** connected clients by id */
  readonly clients: Map<number, Client>;
  readonly stats: ServerStats;
  /** INFO's sections, each registered by its owner */
  readonly info: InfoRegistry;
  readonly slowlog: Slowlog;
  readonly idleGc: IdleGc;
  readonly pubsub: PubSub<Client>;
  /** the run id (INFO run_id) and the start time (ms, uptime) */
  readonly runId: string;
  readonly startTime: number;
  /** the TCP port listened on (0: none) */
  readonly port: number;
  /** the cron's frequency (hz) */
  readonly hz: number;
  readonly maxClients: number;
  /** the most used memory seen (INFO used_memory_peak) */
  peakMemory: number;
  /** the latency monitor (LATENCY, latency-monitor-threshold) */
  readonly latency: LatencyMonitor;
  /** latency-tracking and latency-tracking-info-percentiles (INFO latencystats) */
  readonly latencyTracking: boolean;
  readonly latencyPercentiles: number[];
  /** maxmemory in bytes (0: no limit) */
  readonly maxmemory: number;
  /**
   * used_memory: the keyspace's accounted bytes, the clients' buffers, the
   * tables and the script caches, at startup's base (server/memory.ts)
   */
  usedMemory(fresh?: boolean): number;
  /** used_memory when the server was created (used_memory_startup) */
  readonly startupMemory: number;
  /** the clients' memory in used_memory (mem_clients_normal), as last refreshed */
  readonly clientsMemory: number;
  /** what used_memory counts but eviction does not (mem_not_counted_for_evict: the AOF buffer) */
  notCountedForEvict(): number;
  /** eviction under maxmemory (server/evict.ts): the policy, INFO's exceeded times */
  readonly evictor: Evictor;
  /** performEvictions failed before the command running now (Redis's pre_command_oom_state): scripts refuse deny-oom commands */
  preCommandOomState: boolean;
  /** min-replicas-to-write (0: writes need no replica) */
  readonly minReplicasToWrite: number;
  /** the replication id (DEBUG CHANGE-REPL-ID, INFO replication) */
  replId: string;
  /** true while EXEC runs its queue (commands then do not block or pause) */
  inExec: boolean;
  /** the propagated ops of the EXEC running, null outside one */
  execOps: PropagatedOp[] | null;
  /** loading a dataset (RDB or AOF): commands without the loading flag get -LOADING */
  loading: boolean;
  requirePass: string;
  /** users, the ACL log and settings */
  readonly acl: Acl;
  /** ACLCheckAllPerm of a table command for a user: null when allowed */
  aclCheck(user: AclUser, cmd: CommandSpec<ServerContext>, argv: readonly string[]): AclCheckResult | null;
  /** addACLLogEntry for a client's denial (object: the command, or argv[pos]; username: the client's user unless given) */
  aclLogDenial(c: Client, denial: AclDenial, context: AclLogContext, cmd: CommandSpec | null, argv: readonly string[], pos: number, username?: string): void;
  /** DEBUG SET-ACTIVE-EXPIRE */
  activeExpire: boolean;
  /** DEBUG SET-SKIP-CHECKSUM-VALIDATION */
  skipChecksumValidation: boolean;
  /** DEBUG PAUSE-CRON */
  pauseCron: boolean;
  /** DEBUG REPLYBUFFER: resizing on/off, peak reset time, and the counters */
  replyBufferResizing: boolean;
  replyBufferPeakResetMs: number;
  readonly replyBufferStats: ReplyBufferStats;
  /** where the writes go: listeners added by persistence (and tests), see server/propagation.ts */
  readonly propagation: Propagation;
  /** the load running (INFO loading_*), null when none */
  loadingInfo: { start: number; totalBytes: number; loadedBytes: number; rdbUsedMem: number } | null;
  /** a shutdown was asked for (SIGTERM/SIGINT/SHUTDOWN), and one is running its steps */
  readonly shuttingDown: boolean;
  readonly shutdownRunning: boolean;
  /**
   * Persistence's part in the server's life, installed by the composition
   * root: startup steps (loading), shutdown steps (Redis's finishShutdown:
   * the AOF's fsync, the RDB's final save; see ShutdownStep), work before the
   * replies of an event are written (the AOF's fsync with appendfsync
   * always), disk-error checks (MISCONF), FLUSHALL's and the stop's.
   */
  readonly onStartup: (() => Promise<void> | void)[];
  readonly onShutdown: ((flags: ShutdownFlags, sync: boolean) => ShutdownStep)[];
  readonly beforeReplies: (() => void)[];
  readonly diskErrorChecks: (() => string | null)[];
  /** the background child process (a save, an AOF rewrite) and fork counters */
  readonly children: Children;
  /** WATCH's registry */
  readonly watch: WatchedKeys;
  /** client-side caching (CLIENT TRACKING): server/tracking.ts */
  readonly tracking: Tracking;
  /** Redis's server.current_client (null between commands) and CLIENT_EXECUTING_COMMAND: see server.ts */
  currentClient: Client | null;
  currentExecuting: boolean;
  /** the running script's own client while its code runs, null otherwise */
  scriptClient: Client | null;
  /** MIGRATE's cached connections */
  readonly migrateCache: MigrateCache;
  /** the clients in MONITOR mode */
  readonly monitors: Set<Client>;
  readonly onStopped: (() => void)[];
  readonly onFlushAll: (() => void)[];
  /** what a subsystem undoes when a client leaves (freeClient's steps) */
  readonly onClientFreed: ((c: Client) => void)[];
  /**
   * The command that gave the event loop back before finishing — a script
   * running past busy-reply-threshold (Redis's isInsideYieldingLongCommand):
   * other clients get -BUSY but for the allow_busy commands; null when none.
   */
  yielding: YieldingCommand | null;
  /** INFO memory's Lua figures */
  readonly luaMemory: LuaMemoryFigures;
  /**
   * The yielded command of `c` has written its reply: the rest of call()
   * (stats, slow log, latency) runs, then what call() is followed by (clients
   * blocked on keys it made ready), and c's next commands.
   */
  finishYieldedCall(c: Client): void;

  /** min-replicas-to-write is unmet: writes get -NOREPLICAS */
  tooFewGoodReplicas(): boolean;
  /** a replica whose link is down with replica-serve-stale-data no: only stale-allowed commands run */
  staleReplica(): boolean;
  /** a replica with replica-read-only yes: writes are its master's only */
  readOnlyReplica(): boolean;
  /** CLIENT PAUSE is in force */
  readonly clientsPaused: boolean;
  /**
   * Redis's checkClientOutputBufferLimits for output the server holds for c
   * elsewhere (a replica's stream): closes c when over its class's limit.
   */
  overOutputLimit(c: Client, unsent: number): boolean;
  /** runs a command as call() does (EXEC's queue) */
  call(c: Client, cmd: CommandSpec<ServerContext>, argv: string[]): void;
  /**
   * The monotonic time (performance.now()) the running timed command started
   * at: what a handler takes for "now" instead of reading the clock again.
   */
  readonly callStart: number;
  /** counts an error reply in INFO errorstats and total_error_replies (the text without its '-') */
  countError(text: string): void;
  /**
   * A command refused outside the pipeline (a script's checks on the
   * commands it calls): its error counted, the command's rejected_calls too,
   * as Redis's afterErrorReply + incrCommandStatsOnError(REJECTED) — so the
   * command running (the script) is not counted failed for it.
   */
  countRejected(cmd: CommandSpec | undefined, text: string): void;
  /** propagates a transaction's ops wrapped in MULTI/EXEC */
  propagateTransaction(ops: PropagatedOp[]): void;
  /** marks a client as having output to write at the end of the loop iteration */
  markPending(c: Client): void;
  /** writes every pending client's output now */
  flushPending(): void;
  /** a client of the server's own (a socket, or null: the AOF loader's fake client) */
  createClient(socket: Socket | null, unixPath?: string | null): Client;
  freeClient(c: Client): void;
  /** a read event's input for c (also from a connection the server did not accept: a master's link) */
  feedClient(c: Client, input: Buffer): void;
  /** the biggest input and output buffers among the clients (INFO client_recent_max_*) */
  expansiveClients(): [number, number];
  /** a client's output not yet written (CLIENT LIST omem) */
  unsentOutput(c: Client): number;
  /** maxmemory-clients: the clients' memory by type, their buckets, evicted_clients (CLIENT NO-EVICT) */
  readonly clientEviction: ClientEviction<Client>;
  /** CLIENT PAUSE / UNPAUSE */
  pause(until: number, all: boolean): void;
  unpause(): void;
  /** holds every other client's commands until the returned function is called (MIGRATE's exchange) */
  suspendCommands(): () => void;
  /** SHUTDOWN: the exit as Redis's prepareForShutdown (false/promise of false: the server stays up) */
  prepareForShutdown(flags: ShutdownFlags, sync?: boolean): Promise<boolean> | boolean;
  shutdownFrom(c: Client, flags: ShutdownFlags): void;
  abortShutdown(): boolean;
}

/**
 * INFO memory's Lua figures (Redis's evalMemory, evalScriptsMemory,
 * functionsMemory …), kept up to date by the scripting subsystem.
 */
export interface LuaMemoryFigures {
  /** used_memory_vm_eval (used_memory_lua) */
  vmEval: number;
  /** used_memory_scripts_eval */
  scriptsEval: number;
  /** number_of_cached_scripts */
  cachedScripts: number;
  /** used_memory_vm_functions */
  vmFunctions: number;
  /** used_memory_functions */
  functions: number;
  /** number_of_functions, number_of_libraries */
  functionsCount: number;
  librariesCount: number;
}

/** A command running across turns of the event loop (see ServerContext.yielding). */
export interface YieldingCommand {
  /** the client whose command it is: its next commands wait */
  readonly caller: Client;
  /** an EVAL (SCRIPT KILL stops it) rather than an FCALL (FUNCTION KILL): picks the -BUSY text */
  readonly evalMode: boolean;
  /** set by call() when the handler returned: the rest of call(), run by finishYieldedCall */
  endCall: (() => void) | null;
}

declare module '../server/client.js' {
  /** MULTI queues the server's commands (see Client.multiQueue) */
  interface QueuedCommand extends CommandSpec<ServerContext> {}
}

/** A data family's table. */
export type DataCommands = readonly CommandRow<DataContext>[];
/** A server-side family's table. */
export type ServerCommands = readonly CommandRow<ServerContext>[];
