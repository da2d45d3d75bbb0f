/**
 * Server: the listener, the connections, and the request pipeline.
 *
 * The event loop is the reactor: a socket's 'data' event feeds the client's
 * parser, every complete command is run through processCommand (the ordered
 * guards below) and call(), and all replies of that read leave in one write
 * (flushClient) at the end of the event, together with replies this event
 * produced for other clients (pub/sub, unblocked clients).
 *
 * processCommand's guards, in Redis's order, each with its reason:
 *  1. known command / subcommand   — unknown names get Redis's error text
 *  2. arity                        — before any handler sees argv
 *     protected commands           — DEBUG, MODULE LOAD… only as enable-debug/module-command allow
 *  3. authentication               — NOAUTH unless the command is no_auth
 *  4. no_multi inside MULTI        — some commands make no sense queued
 *     ACL                          — the user's selectors allow the command, its keys and channels
 *     client eviction              — over maxmemory-clients, the biggest clients are freed (maybe this one)
 *     OOM                          — over maxmemory keys are evicted (server/evict.ts); when nothing can be, what may grow the dataset is refused
 *     MISCONF, NOREPLICAS          — writes refused while persistence fails or replicas are missing
 *  5. RESP2 pub/sub context        — a subscribed RESP2 connection only takes (un)subscribe, PING, QUIT, RESET
 *  6. loading                      — LOADING until the dataset is in memory
 *  7. MULTI queueing               — queue and answer QUEUED
 *  8. call()                       — timing, stats, errors, propagation
 * Every rejection inside MULTI flags the transaction so EXEC aborts; a
 * rejected EXEC aborts the transaction at once (Redis's execCommandAbort).
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, islocalClient, type DeclaredFlags, REPLY_CAP_BYTES, type ReplyLimit, type ReplyMode } from './client.js';
import { Config, ConfigError } from './config.js';
import { PARAMS } from './params.js';
import { Slowlog } from './slowlog.js';
import { Logger, type LogLevel } from './log.js';
import { Keyspace } from '../keyspace/keyspace.js';
import { MAX_STRING_CHARS, ValueTooLongError, type Value } from '../keyspace/value.js';
import { CommandTable } from '../commands/table.js';
import type { CommandSpec, CommandStats } from '../commands/spec.js';
import {
  SHUTDOWN_FAILED,
  type EncodingLimits,
  type ServerContext,
  type ServerStats,
  newServerStats,
  type ShutdownFlags,
  type ShutdownStep,
  type YieldingCommand,
  type LuaMemoryFigures,
} from '../commands/context.js';
import type { Scripting } from '../scripting/index.js';
import { feedMonitors, stopMonitoring } from './monitor.js';
import { WatchedKeys, discardTransaction } from './multi.js';
import { ACL_DENIED_AUTH, ACL_DENIED_CMD, Acl, type AclCheckResult, type AclDenial, type AclLogContext, type AclUser, noPermText } from './acl.js';
import { MigrateCache } from '../commands/migrate.js';
import { SHARED_READ_BUFFER } from '../protocol/parser.js';
import { Err, ProtocolError, RedisError, sanitizeErrorText } from '../protocol/errors.js';
import { Blocking } from './blocking.js';
import { PubSub } from '../pubsub/pubsub.js';
import { IdleGc } from './idle-gc.js';
import { publishKeyspaceEvent } from './publish.js';
import { notifyFlags } from '../keyspace/notify.js';
import { LatencyMonitor } from './latency.js';
import { BindError, listenToPort, listenUnix, serverOnHandle } from './listeners.js';
import { setAuthClients, tlsAccept, tlsConfigure, type TlsContext } from './tls.js';
import type tls from 'node:tls';
import { procTitle } from './proc-title.js';
import { Tracking, TRACKING_CACHING } from './tracking.js';
import { LazyFree } from './lazyfree.js';
import { Children } from './children.js';
import { PROPAGATE_ALL, Propagation, type PropagatedOp } from './propagation.js';
import type { Aof } from '../persistence/aof/aof.js';
import type { RdbState } from '../persistence/rdb/index.js';
import type { ReplicationMaster } from '../replication/master.js';
import type { Functions } from '../scripting/functions.js';
import { dictSetResizePolicy } from '../datatypes/dict.js';
import { HdrHistogram } from '../util/hdr-histogram.js';
import {
  PROTO_MBULK_BIG_ARG,
  argvLength,
  clientMemoryUsage,
  clientsCronResizeOutputBuffer,
  clientsCronResizeQueryBuffer,
  outputBufferMemory,
  qbufMemory,
  qbufBigArgHeader,
  qbufOnRead,
  qbufTrimmed,
  replyBufferUsed,
  type ReplyBufferStats,
} from './client-mem.js';
import { jeSize } from '../util/jemalloc.js';
import { sdsRepr } from '../util/repr.js';
import { adjustOpenFilesLimit } from './fd-limit.js';
import { sleepBlocking } from '../util/sleep.js';
import { strerror } from '../util/strerror.js';
import { unlinkSync } from 'node:fs';
import { registerMemoryInfo } from './memory.js';
import { Evictor, type EvictHost, type MaxmemoryPolicy } from './evict.js';
import { InfoRegistry } from './info.js';
import { CLIENT_TYPE_MASTER, CLIENT_TYPE_NORMAL, CLIENT_TYPE_PUBSUB, CLIENT_TYPE_SLAVE, ClientEviction } from './evict-clients.js';
import { registerCoreInfo } from './info-core.js';

/** pending output beyond this is written at once instead of at the end of the loop iteration */
const OUTPUT_FLUSH_BYTES = 16 * 1024;
/** seconds of history kept for INFO client_recent_max_input_buffer / output_buffer */
const CLIENTS_PEAK_MEM_USAGE_SLOTS = 8;
/** unsent output of a freed client from which its memory is collected at once (freeClient) */
const BIG_DROPPED_OUTPUT = 64 * 1024;
/** at most this many untimed fast commands share one clock read (see Server.call) */
const SEGMENT_MAX = 16;

const PUBSUB_ALLOWED = new Set(['subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'ping', 'quit', 'reset']);
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** the read-only script commands: tracking remembers the keys of what they run, not theirs (Redis's call()) */
const SCRIPT_RO = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);

/** what a client in MULTI may still run when over maxmemory */
const OOM_MULTI_ALLOWED = new Set(['exec', 'discard', 'quit', 'reset']);

/** the servers of this process, for the tables' resize policy */
const servers = new Set<Server>();
function noActiveChild(): boolean {
  for (const s of servers) if (s.children.active !== null) return false;
  return true;
}

/** A startup step (onStartup) failed: the server stopped; the message says why. */
export class StartupFailure extends Error {}

export class Server implements EvictHost {
  readonly config: Config;
  readonly ks: Keyspace;
  readonly table = new CommandTable<ServerContext>();
  readonly log = new Logger();
  readonly clients = new Map<number, Client>();
  readonly runId = randomBytes(20).toString('hex');
  /** master_replid (Redis's server.replid): INFO replication; DEBUG CHANGE-REPL-ID draws a new one */
  replId = randomBytes(20).toString('hex');
  readonly startTime = Date.now();
  private listeners: net.Server[] = [];
  private nextClientId = 1;
  private pending: Client[] = [];
  private cronTimer: NodeJS.Timeout | null = null;
  private instSampleAt = Date.now();
  private instSampleOps = 0;
  private instSampleIn = 0;
  private instSampleOut = 0;
  /** true while EXEC runs its queue: time is frozen and nothing interleaves */
  inExec = false;
  /**
   * A command running across turns of the event loop: a script past
   * busy-reply-threshold (Redis's isInsideYieldingLongCommand). Meanwhile
   * only allow_busy commands run (others get -BUSY), the cron does nothing
   * (no expiry, no timeouts: the dataset is the script's), and the caller's
   * next commands wait for its end (finishYieldedCall).
   */
  yielding: YieldingCommand | null = null;
  /** EVAL's engine and script cache (installScripting) */
  scripting: Scripting | null = null;
  /** INFO memory's Lua figures, kept by the scripting subsystem (Redis's empty VMs until then) */
  readonly luaMemory: LuaMemoryFigures = { vmEval: 31744, scriptsEval: 0, cachedScripts: 0, vmFunctions: 32768, functions: 184, functionsCount: 0, librariesCount: 0 };
  /** clients in MONITOR mode (server/monitor.ts), in the order they started */
  readonly monitors = new Set<Client>();
  /** the background child process (children.ts) */
  readonly children = new Children();
  /** WATCH's registry (watch.ts) */
  readonly watch: WatchedKeys;
  /** MIGRATE's cached connections to its targets */
  readonly migrateCache = new MigrateCache();
  /** the writes of the transaction EXEC is running, propagated together when it ends */
  execOps: PropagatedOp[] | null = null;
  loading = false;
  /** progress of the load in course, for INFO's loading_* fields (set by the loader; null when unknown) */
  loadingInfo: { start: number; totalBytes: number; loadedBytes: number; rdbUsedMem: number } | null = null;
  /** the shutdown succeeded: the server is stopping for good */
  shuttingDown = false;
  /** the shutdown steps are running (final fsync, final save): no command runs meanwhile, as Redis blocks */
  shutdownRunning = false;
  /** a signal asked for a shutdown that the cron has not started yet (Redis's shutdown_asap) */
  shutdownAsap = false;
  /** the signal behind shutdownAsap (shutdown-on-sigint / shutdown-on-sigterm choose its flags) */
  lastSignal: 'SIGINT' | 'SIGTERM' | null = null;
  /** clients whose SHUTDOWN is running: they get SHUTDOWN_FAILED if the server stays up */
  private shutdownWaiters: Client[] = [];
  /** ms timestamp until which clients are paused (CLIENT PAUSE), and its kind */
  pauseUntil = 0;
  pauseAll = false;
  stats: ServerStats = newServerStats();
  /** the most used memory seen by INFO memory or MEMORY STATS (Redis's stat_peak_memory): see memory.ts */
  peakMemory = 0;
  /** INFO's sections, each registered by the part of gKV that owns its figures: see info.ts */
  readonly info = new InfoRegistry();
  /** the flags of the shutdown running (null when none runs) */
  shutdownFlags: ShutdownFlags | null = null;
  readonly slowlog: Slowlog;
  /** the latency monitor (LATENCY, latency-monitor-threshold): see latency.ts */
  readonly latency = new LatencyMonitor();
  /** latency-tracking: call() records each command's duration in its histogram (INFO latencystats) */
  latencyTracking = true;
  /** latency-tracking-info-percentiles */
  latencyPercentiles: number[] = [50, 99, 99.9];
  /** clients blocked on keys (BLPOP, BZPOPMIN, ...): see blocking.ts */
  readonly blocking: Blocking;
  /** client-side caching (CLIENT TRACKING): see tracking.ts */
  readonly tracking: Tracking;
  /** Redis's server.current_client: the client whose command the pipeline handles, null between commands */
  currentClient: Client | null = null;
  /** the current client's command is inside call() (Redis's CLIENT_EXECUTING_COMMAND): its invalidations wait for its reply */
  currentExecuting = false;
  /** the running script's own client while its code runs (scripting's enter/leave): who modifies keys then, for tracking's NOLOOP */
  scriptClient: Client | null = null;
  /** full GC when the server goes idle after a burst of writes (idle-gc.ts) */
  readonly idleGc = new IdleGc();
  /** lazy freeing's bookkeeping (UNLINK, FLUSH* ASYNC; INFO lazyfree_*): see lazyfree.ts */
  readonly lazyfree = new LazyFree(this.idleGc);
  /** who is subscribed to what (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE) */
  readonly pubsub = new PubSub<Client>();
  /** users, the ACL log and the ACL settings (server/acl.ts) */
  readonly acl = new Acl();
  /** persistence, typed fields the composition root's installers set (persistence/aof, persistence/rdb) */
  aof: Aof | null = null;
  rdb: RdbState | null = null;
  repl: ReplicationMaster | null = null;
  /** FUNCTION's libraries and engines (scripting/functions), set by installFunctions */
  functions: Functions | null = null;
  /** where the writes go (the AOF's feed, tests' recorders): see propagation.ts */
  readonly propagation = new Propagation();
  /**
   * The shutdown steps persistence installs (Redis's finishShutdown): the AOF
   * killing its rewrite and fsyncing, the RDB killing its child and saving.
   * Run in order; one that returns false stops the exit (see ShutdownStep).
   */
  readonly onShutdown: ((flags: ShutdownFlags, sync: boolean) => ShutdownStep)[] = [];
  /** run by FLUSHALL after the dataset was emptied (the RDB kills its BGSAVE and saves, as Redis) */
  readonly onFlushAll: (() => void)[] = [];
  /** run once the server stopped for good (timers, files) */
  readonly onStopped: (() => void)[] = [];
  /**
   * Startup steps run by listen() once bound, before "Ready to accept
   * connections": loading the AOF/RDB (clients that connect meanwhile get
   * -LOADING). A step that throws stops the server (StartupFailure).
   */
  readonly onStartup: (() => Promise<void> | void)[] = [];
  /**
   * Run before any reply leaves (start of flushPending and of flushClient):
   * the AOF writes its buffer there, and with appendfsync always fsyncs it,
   * so no reply to a write is sent before the write is on disk.
   */
  readonly beforeReplies: (() => void)[] = [];
  /**
   * Redis's writeCommandsDeniedByDiskError: each returns a MISCONF error text
   * while its subsystem cannot persist (the AOF after a failed write), or
   * null; write commands (and PING, as in Redis) are then refused.
   */
  readonly diskErrorChecks: (() => string | null)[] = [];
  /** called when the server has stopped (tests and the binary wait on it) */
  private closedResolve: (() => void) | null = null;
  readonly closed: Promise<void>;
  /** the ports actually bound */
  port = 0;
  host = '127.0.0.1';
  // cached hot config
  maxClients = 10000;
  /** timeout: seconds after which an idle client is closed (0: never) */
  maxIdleTime = 0;
  /** tcp-keepalive: seconds of idleness before TCP keepalive probes (0: off) */
  tcpKeepAlive = 300;
  protoMaxBulkLen = 512 * 1024 * 1024;
  queryBufLimit = 1024 * 1024 * 1024;
  requirePass = '';
  hz = 10;
  /** hook for DEBUG SET-ACTIVE-EXPIRE and tests */
  activeExpire = true;
  /** DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE and RDB loading do not check CRC-64s */
  skipChecksumValidation = false;
  /** DEBUG PAUSE-CRON: the periodic work (serverCron, save points, AOF tick, signalled shutdowns) waits */
  pauseCron = false;
  /** maxmemory in bytes (0: no limit) */
  maxmemory = 0;
  /** eviction under maxmemory: the policy's state, performEvictions, its timer */
  readonly evictor: Evictor = new Evictor(this);
  /** performEvictions failed before the command running now (Redis's pre_command_oom_state) */
  preCommandOomState = false;
  /** the clients' memory as last refreshed (each client's share: Client.usedMemCounted) */
  clientsMemory = 0;
  /** used_memory when the server was created: its empty tables and caches (INFO used_memory_startup) */
  readonly startupMemory: number;
  /** min-replicas-to-write (0: writes need no replica) */
  minReplicasToWrite = 0;
  /** maxmemory-clients: the clients' memory by type and the eviction of the biggest (evict-clients.ts) */
  readonly clientEviction = new ClientEviction<Client>({
    clientMemory: (c) => clientMemoryUsage(c, outputBufferMemory(c.mem, this.unsentOutput(c))),
    clientType: (c) => this.clientType(c),
    clientInfo: (c) => this.clientInfoString(c),
    freeClient: (c) => this.freeClient(c),
    logNotice: (msg) => this.log.notice(msg),
    logWarning: (msg) => this.log.warning(msg),
  });
  /**
   * CLIENT LIST's line for a client (Redis's catClientInfoString), for the
   * log lines that name a client: the composition root sets the connection
   * family's; this one stands in for a server built without it.
   */
  clientInfoString: (c: Client) => string = (c) => `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name}`;
  /** the limit on one command's reply, shared by this server's clients (Client.replyOverLimit) */
  readonly replyLimit: ReplyLimit = { maxBytes: REPLY_CAP_BYTES };
  /** client-output-buffer-limit by client class: normal, replica, pubsub (bytes, bytes, seconds) */
  readonly outputLimits = [
    { hard: 0, soft: 0, softSeconds: 0 },
    { hard: 256 * 1024 * 1024, soft: 64 * 1024 * 1024, softSeconds: 60 },
    { hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60 },
  ];
  /** encoding thresholds of the collection types (hot config, kept in sync by CONFIG SET) */
  readonly enc: EncodingLimits = {
    hashMaxListpackEntries: 512,
    hashMaxListpackValue: 64,
    listMaxListpackSize: -2,
    listCompressDepth: 0,
    setMaxIntsetEntries: 512,
    zsetMaxListpackEntries: 128,
    zsetMaxListpackValue: 64,
    nodeMaxBytes: 4096,
    nodeMaxEntries: 100,
    hllSparseMaxBytes: 3000,
  };

  constructor(config?: Config) {
    this.config = config ?? new Config(PARAMS);
    this.closed = new Promise((r) => (this.closedResolve = r));
    this.slowlog = new Slowlog(this.config);
    this.ks = new Keyspace(this.config.getInt('databases'));
    this.ks.latencyHook = (event, ms) => this.latency.addSampleIfNeeded(event, ms);
    this.ks.expiredHook = (db, key) => {
      const emit = this.propagation.emit;
      if (emit !== null) emit(db.id, ['DEL', key]);
    };
    // INFO's sections, registered by their owners (the composition root adds the families' and persistence's)
    registerCoreInfo(this);
    registerMemoryInfo(this);
    // Redis's updateDictResizePolicy: no table resizing while a child process saves
    servers.add(this);
    dictSetResizePolicy(noActiveChild);
    this.blocking = new Blocking(this);
    this.tracking = new Tracking(this);
    // Redis's beforeSleep broadcasts BCAST invalidations before the replies (and the AOF's write) leave
    this.beforeReplies.push(() => this.tracking.broadcastInvalidationMessages());
    this.installConfigHooks();
    this.ks.notifyHook = (_type, event, key, db) => publishKeyspaceEvent(this, event, key, db.id);
    this.watch = new WatchedKeys(this.ks);
    // Redis's signalFlushedDb: WATCHers of the keys, and XREADGROUP clients whose stream goes away
    this.ks.flushedHook = (emptied, replacedWith) => {
      this.watch.touchAllWatchedKeysInDb(emptied, replacedWith);
      this.blocking.scanDatabaseForDeletedStreams(emptied, replacedWith);
    };
    // ... and, once per flush, tracking's null invalidation (trackingInvalidateKeysOnFlush)
    this.ks.flushSignalHook = () => this.tracking.invalidateKeysOnFlush();
    this.startupMemory = this.usedMemory();
    this.ks.overMaxmemoryAfterAlloc = (bytes) => this.maxmemory !== 0 && this.usedMemory() - this.notCountedForEvict() + bytes > this.maxmemory;
  }

  /**
   * The configuration's rename-command directives, applied to the registered
   * table (Redis applies them while reading the file): throws the directive's
   * ConfigError for an unknown or taken name.
   */
  applyRenames(): void {
    for (const r of this.config.renames) {
      const err = this.table.rename(r.from, r.to);
      if (err !== null) throw r.error(err);
    }
  }

  private installConfigHooks(): void {
    const c = this.config;
    c.applyFailed = (name) => this.log.warning(`Failed applying new configuration. Possibly related to new ${name} setting. Restoring previous settings.`);
    c.onChange('tracking-table-max-keys', (v) => (this.tracking.maxKeys = Number(v)));
    c.onChange('maxclients', (v) => {
      const prev = this.maxClients;
      this.maxClients = Number(v);
      // Redis's updateMaxclients: more clients than the open files limit allows is refused
      if (this.started && this.maxClients > prev && !this.adjustOpenFilesLimit()) {
        const fits = this.maxClients;
        this.maxClients = prev;
        throw new ConfigError(`The operating system is not able to handle the specified number of clients, try with ${fits}`);
      }
    });
    c.onChange('timeout', (v) => (this.maxIdleTime = Number(v)));
    c.onChange('tcp-keepalive', (v) => (this.tcpKeepAlive = Number(v)));
    c.onChange('proto-max-bulk-len', (v) => {
      this.protoMaxBulkLen = Number(v);
      for (const cl of this.clients.values()) if (cl.kind !== 'master') cl.parser.maxBulkLen = this.protoMaxBulkLen;
    });
    c.onChange('client-query-buffer-limit', (v) => (this.queryBufLimit = Number(v)));
    c.onChange('requirepass', (v) => {
      this.requirePass = v;
      this.acl.setRequirePass(v);
    });
    c.onChange('acllog-max-len', (v) => (this.acl.logMaxLen = Number(v)));
    c.onChange('acl-pubsub-default', (v) => this.acl.setPubsubDefault(v));
    c.onChange('aclfile', (v) => (this.acl.filename = v));
    c.onChange('hz', (v) => {
      this.hz = Math.min(500, Math.max(1, Number(v)));
      if (this.cronTimer !== null) this.startCron();
    });
    c.onChange('latency-monitor-threshold', (v) => {
      this.latency.threshold = Number(v);
      this.ks.latencyMonitorOn = this.latency.threshold !== 0;
    });
    c.onChange('latency-tracking', (v) => (this.latencyTracking = v === 'yes'));
    c.onChange('latency-tracking-info-percentiles', (v) => (this.latencyPercentiles = v === '' ? [] : v.split(' ').map(Number)));
    c.onChange('loglevel', (v) => (this.log.level = v as LogLevel));
    c.onChange('maxmemory-policy', (v) => {
      this.ks.lfu = v.endsWith('-lfu');
      this.evictor.policy = v as MaxmemoryPolicy;
    });
    c.onChange('maxmemory-samples', (v) => (this.evictor.samples = Number(v)));
    c.onChange('maxmemory-eviction-tenacity', (v) => (this.evictor.tenacity = Number(v)));
    c.onChange('lazyfree-lazy-eviction', (v) => (this.evictor.lazy = v === 'yes'));
    c.onChange('maxmemory', (v) => {
      this.maxmemory = Number(v);
      this.clientEviction.setMaxmemory(this.maxmemory);
      // Redis's updateMaxmemory (CONFIG SET only: not while the configuration is read at startup)
      if (this.maxmemory !== 0 && this.cronTimer !== null) {
        const used = this.usedMemory() - this.notCountedForEvict();
        if (this.maxmemory < used) {
          this.log.warning(
            `WARNING: the new maxmemory value set via CONFIG SET (${this.maxmemory}) is smaller than the current memory usage (${used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`,
          );
        }
        // evicting from the timer, not inside the command (CONFIG SET may run in a transaction)
        this.evictor.startTimeProc();
      }
    });
    c.onChange('maxmemory-clients', (v) => this.clientEviction.setLimit(v, this.clients.values()));
    c.onChange('min-replicas-to-write', (v) => (this.minReplicasToWrite = Number(v)));
    c.onChange('lfu-log-factor', (v) => (this.ks.lfuLogFactor = Number(v)));
    c.onChange('lfu-decay-time', (v) => (this.ks.lfuDecayTime = Number(v)));
    c.onChange('logfile', (v) => (this.log.file = v));
    c.onChange('notify-keyspace-events', (v) => (this.ks.notifyFlags = notifyFlags(v)));
    c.onChange('client-output-buffer-limit', (v) => {
      const p = v.split(' ');
      for (let i = 0; i + 3 < p.length; i += 4) {
        const cls = p[i] === 'normal' ? 0 : p[i] === 'pubsub' ? 2 : 1;
        this.outputLimits[cls] = { hard: Number(p[i + 1]), soft: Number(p[i + 2]), softSeconds: Number(p[i + 3]) };
      }
      const normalHard = this.outputLimits[0].hard;
      this.replyLimit.maxBytes = normalHard !== 0 ? normalHard : REPLY_CAP_BYTES;
    });
    const enc = this.enc;
    c.onChange('hash-max-listpack-entries', (v) => (enc.hashMaxListpackEntries = Number(v)));
    c.onChange('hash-max-listpack-value', (v) => (enc.hashMaxListpackValue = Number(v)));
    c.onChange('list-max-listpack-size', (v) => (enc.listMaxListpackSize = Number(v)));
    c.onChange('list-compress-depth', (v) => (enc.listCompressDepth = Number(v)));
    c.onChange('set-max-intset-entries', (v) => (enc.setMaxIntsetEntries = Number(v)));
    c.onChange('zset-max-listpack-entries', (v) => (enc.zsetMaxListpackEntries = Number(v)));
    c.onChange('zset-max-listpack-value', (v) => (enc.zsetMaxListpackValue = Number(v)));
    c.onChange('stream-node-max-bytes', (v) => (enc.nodeMaxBytes = Number(v)));
    c.onChange('stream-node-max-entries', (v) => (enc.nodeMaxEntries = Number(v)));
    c.onChange('hll-sparse-max-bytes', (v) => (enc.hllSparseMaxBytes = Number(v)));
    // Redis's updatePort / applyBind: listen anew at once, or keep the old sockets and fail
    c.onChange('port', (v) => {
      if (this.started && Number(v) !== this.port) this.rebind(Number(v), this.bindAddresses(), 'Unable to listen on this port', false);
    });
    c.onChange('bind', () => {
      if (this.started) this.rebind(this.port, this.bindAddresses(), 'Failed to bind to specified addresses.', true);
    });
    c.onChange('replica-read-only', (v) => (this.replicaReadOnly = v === 'yes'));
    c.onChange('replica-serve-stale-data', (v) => (this.replicaServeStaleData = v === 'yes'));
    c.onChange('protected-mode', (v) => (this.protectedMode = v === 'yes'));
    // Redis's applyTLSPort: TLS configured if it was not, then the TLS port listened on anew
    c.onChange('tls-port', (v) => {
      if (!this.started) return;
      if (this.tls === null && !this.tlsReconfigure()) throw new ConfigError(TLS_UPDATE_FAILED);
      this.rebindTls(Number(v));
    });
    // Redis's applyTlsCfg: a changed tls-* setting rebuilds the context while TLS is in use
    for (const name of TLS_CONTEXT_PARAMS) {
      c.onChange(name, () => {
        if (!this.started || !this.tlsWanted()) return;
        if (!this.tlsReconfigure()) throw new ConfigError(TLS_UPDATE_FAILED);
      });
    }
    // read per accepted connection, as Redis's SSL_set_verify in connCreateAcceptedTLS
    c.onChange('tls-auth-clients', (v) => {
      if (this.tls !== null) setAuthClients(this.tls, v);
    });
    c.onChange('proc-title-template', () => this.updateProcTitle());
  }

  // ------------------------------------------------------------ lifecycle

  /** Binds the configured addresses and starts the cron. */
  async listen(): Promise<void> {
    this.config.applyAll();
    // Redis's initServer: the open files limit raised for maxclients, or maxclients lowered to fit it
    if (!this.adjustOpenFilesLimit()) this.config.setCorrected('maxclients', String(this.maxClients));
    const port = this.config.getInt('port');
    this.boundAddresses = this.bindAddresses();
    // port 0: no TCP listener, as in Redis (gkv-server); the library's servers pick a free port
    // Redis's initServer: TLS configured before any port is bound, or no start
    if (this.tlsWanted() && !this.tlsReconfigure()) throw new StartupFailure('Failed to configure TLS. Check logs for more info.');
    if (port !== 0 || this.portZeroPicksFreePort) this.bindAll(port, this.boundAddresses);
    const tlsPort = this.config.getInt('tls-port');
    if (tlsPort !== 0) {
      try {
        this.bindTls(tlsPort, this.boundAddresses);
      } catch (e) {
        this.closeListeners();
        if (e instanceof BindError) e.tls = true;
        throw e;
      }
    }
    const unix = this.config.get('unixsocket');
    if (unix !== '') {
      let h;
      try {
        h = listenUnix(unix, parseInt(this.config.get('unixsocketperm'), 8));
      } catch (e) {
        this.closeListeners();
        throw new StartupFailure(`Failed opening Unix socket: ${(e as Error).message}`);
      }
      this.unixSocket = unix;
      this.unixListener = serverOnHandle(
        h,
        (s) => this.onConnection(s, unix),
        (e) => this.log.warning(`listener error: ${e.message}`),
      );
    }
    // Redis's initServer: a server no client could reach does not start
    if (this.listeners.length === 0 && this.tlsListeners.length === 0 && this.unixListener === null) throw new StartupFailure('Configured to not listen anywhere, exiting.');
    this.started = true;
    this.updateProcTitle();
    this.startCron();
    try {
      for (const h of this.onStartup) await h();
    } catch (e) {
      // e.g. an AOF that cannot be loaded: never serve a partial dataset
      if (this.cronTimer !== null) clearInterval(this.cronTimer);
      this.closeListeners();
      for (const c of [...this.clients.values()]) this.freeClient(c);
      throw new StartupFailure((e as Error).message);
    }
    if (this.listeners.length > 0 || this.tlsListeners.length > 0) this.log.notice('Ready to accept connections');
    if (this.unixSocket !== null) this.log.notice(`The server is now ready to accept connections at ${this.unixSocket}`);
  }

  /**
   * Redis's adjustOpenFilesLimit (fd-limit.ts): raises the open files limit
   * for maxclients, or lowers maxClients to what it allows, logging as Redis
   * does. False when maxclients had to be lowered. Throws StartupFailure
   * (Redis exits) when not even one client fits.
   */
  private adjustOpenFilesLimit(): boolean {
    const r = adjustOpenFilesLimit(this.maxClients);
    if (r.exit) throw new StartupFailure(r.warnings[0]);
    for (const w of r.warnings) this.log.warning(w);
    for (const n of r.notices) this.log.notice(n);
    const ok = r.maxclients === this.maxClients;
    this.maxClients = r.maxclients;
    return ok;
  }

  /**
   * port 0 at startup picks a free port (createServer({ port: 0 })); false:
   * it means no TCP listener, as redis-server takes it (gkv-server sets it).
   */
  portZeroPicksFreePort = true;

  /** the TLS context (Redis's redis_tls_ctx): null until TLS is configured */
  tls: TlsContext | null = null;
  /** the TLS port listened on (tls-port; 0: none) and its listeners */
  tlsPort = 0;
  private tlsListeners: net.Server[] = [];

  /** TLS is in use: a TLS port, or TLS for replication or the cluster bus (Redis's condition for tlsConfigure) */
  private tlsWanted(): boolean {
    const c = this.config;
    return c.getInt('tls-port') !== 0 || c.getBool('tls-replication') || c.getBool('tls-cluster');
  }

  /**
   * Redis's tlsConfigure: a new context from the tls-* settings, replacing
   * the one in use (whose connections carry on); false, having logged why,
   * when it cannot be built — the old one stays.
   */
  tlsReconfigure(): boolean {
    const ctx = tlsConfigure(this.config, this.log, {
      ready: (s) => this.onTlsConnection(s),
      failed: (why) => this.log.warning(`Error accepting a client connection: ${why}`),
    });
    if (ctx === null) return false;
    this.tls = ctx;
    return true;
  }

  /** Stops listening on the TCP and TLS ports. */
  private closeListeners(): void {
    for (const l of this.listeners) l.close();
    this.listeners = [];
    for (const l of this.tlsListeners) l.close();
    this.tlsListeners = [];
  }

  /** the Unix socket's path and listener (unixsocket), null without one */
  unixSocket: string | null = null;
  private unixListener: net.Server | null = null;

  /** listen() bound the configured addresses: CONFIG SET port/bind rebind from then on */
  private started = false;
  /** protected-mode: without a password, only loopback clients are served */
  protectedMode = true;

  /** Stops listening on the Unix socket and removes its file (Redis's prepareForShutdown). */
  private closeUnixSocket(): void {
    if (this.unixListener === null) return;
    this.unixListener.close();
    this.unixListener = null;
    this.log.notice('Removing the unix socket file.');
    try {
      unlinkSync(this.unixSocket!);
    } catch (e) {
      this.log.warning(`Error removing the unix socket file: ${strerror(e)}`);
    }
  }

  /**
   * The name the process was started as, when this server owns the process
   * title (the gkv-server binary sets it; null: embedded, the title is left
   * alone).
   */
  procTitleName: string | null = null;

  /** Redis's redisSetProcTitle, after startup and whenever the port, the addresses or the template change. */
  updateProcTitle(): void {
    if (this.procTitleName === null || !this.started || !this.config.getBool('set-proc-title')) return;
    process.title = procTitle(this, this.procTitleName);
  }

  /** The bind addresses of the configuration ("" = none: no TCP listener). */
  private bindAddresses(): string[] {
    return this.config.get('bind').split(' ').filter(Boolean);
  }

  /**
   * Listens on port at the given addresses (Redis's listenToPort). Port 0
   * at startup picks a free port (the library's ephemeral servers).
   * Throws BindError, having bound nothing.
   */
  private bindAll(port: number, binds: string[]): void {
    const handles = listenToPort(port, binds, this.config.getInt('tcp-backlog'), (e) => this.log.warning(`Warning: ${e.message}`));
    for (const h of handles) {
      this.listeners.push(
        serverOnHandle(
          h,
          (s) => this.onConnection(s),
          (e) => this.log.warning(`listener error: ${e.message}`),
        ),
      );
    }
    if (handles.length > 0) {
      const a = handles[0].host;
      this.host = a === '0.0.0.0' ? '127.0.0.1' : a === '::' ? '::1' : a;
      this.port = handles[0].port;
    } else this.port = port;
  }

  /** Listens on the TLS port at the given addresses (port 0: none). Throws BindError, having bound nothing. */
  private bindTls(port: number, binds: string[]): void {
    if (port === 0) {
      this.tlsPort = 0;
      return;
    }
    const handles = listenToPort(port, binds, this.config.getInt('tcp-backlog'), (e) => this.log.warning(`Warning: ${e.message}`));
    for (const h of handles) {
      this.tlsListeners.push(
        serverOnHandle(
          h,
          (s) => this.onConnection(s, null, true),
          (e) => this.log.warning(`listener error: ${e.message}`),
        ),
      );
    }
    this.tlsPort = handles.length > 0 ? handles[0].port : port;
    if (this.listeners.length === 0 && handles.length > 0) {
      const a = handles[0].host;
      this.host = a === '0.0.0.0' ? '127.0.0.1' : a === '::' ? '::1' : a;
    }
  }

  /**
   * CONFIG SET tls-port (Redis's changeListenPort on the TLS listeners): the
   * old TLS sockets are closed and the new port bound, or the old one again
   * and ConfigError thrown. Connected clients stay.
   */
  private rebindTls(port: number): void {
    const oldPort = this.tlsPort;
    for (const l of this.tlsListeners) l.close();
    this.tlsListeners = [];
    try {
      this.bindTls(port, this.boundAddresses);
      this.updateProcTitle();
    } catch (e) {
      this.log.warning(`Warning: ${(e as Error).message}`);
      this.bindTls(oldPort, this.boundAddresses);
      throw new ConfigError('Unable to listen on this port. Check server logs.');
    }
  }

  /**
   * CONFIG SET port/bind at run time: the old listening sockets are closed
   * and the new ones bound (port 0 listens on nothing, as in Redis); when
   * that fails the old ones are bound again and ConfigError(msg) thrown, so
   * CONFIG SET rolls back. Connected clients stay.
   */
  private rebind(port: number, binds: string[], msg: string, tlsToo: boolean): void {
    const oldPort = this.port;
    const oldBinds = this.boundAddresses;
    const tlsPort = this.tlsPort;
    for (const l of this.listeners) l.close();
    this.listeners = [];
    if (tlsToo) {
      for (const l of this.tlsListeners) l.close();
      this.tlsListeners = [];
    }
    try {
      if (port !== 0) this.bindAll(port, binds);
      else this.port = 0;
      // Redis's changeBindAddr: the TLS port moves to the new addresses too
      if (tlsToo) this.bindTls(tlsPort, binds);
      this.boundAddresses = binds;
      this.updateProcTitle();
    } catch (e) {
      this.log.warning(`Warning: ${(e as Error).message}`);
      for (const l of this.listeners) l.close();
      this.listeners = [];
      if (oldPort !== 0) this.bindAll(oldPort, oldBinds);
      if (tlsToo) {
        for (const l of this.tlsListeners) l.close();
        this.tlsListeners = [];
        this.bindTls(tlsPort, oldBinds);
      }
      throw new ConfigError(msg);
    }
  }
  /** the addresses the listening sockets are bound to */
  private boundAddresses: string[] = [];

  private startCron(): void {
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    this.cronTimer = setInterval(() => this.cron(), Math.max(2, Math.floor(1000 / this.hz)));
    this.cronTimer.unref();
  }

  /** serverCron: active expiry, incremental rehash, stats sampling, timeouts. */
  private cron(): void {
    // a busy script owns the dataset: Redis runs no time events while it runs
    if (this.pauseCron || this.shutdownRunning || this.suspended !== 0 || this.yielding !== null) return;
    // a signal asked for a shutdown: carried out here, as Redis's serverCron does
    if (this.shutdownAsap) {
      void this.prepareForShutdown(this.signalShutdownFlags());
      return;
    }
    try {
      const ks = this.ks;
      ks.updateClock();
      if (this.activeExpire) {
        // Redis: 25% of one cron period at most
        const t0 = this.latency.threshold !== 0 ? performance.now() : 0;
        ks.activeExpireCycle(Math.max(1, Math.floor(250 / this.hz)));
        if (t0 !== 0) this.latency.addSampleIfNeeded('expire-cycle', Math.floor(performance.now() - t0));
      }
      for (const db of ks.dbs) if (db.dict.isRehashing) db.dict.rehashFor(1);
      const now = Date.now();
      const dt = now - this.instSampleAt;
      if (dt >= 100) {
        const s = this.stats;
        s.instOps = Math.round(((s.numCommands - this.instSampleOps) * 1000) / dt);
        s.instIn = ((s.netInput - this.instSampleIn) * 1000) / dt / 1024;
        s.instOut = ((s.netOutput - this.instSampleOut) * 1000) / dt / 1024;
        this.instSampleAt = now;
        this.instSampleOps = s.numCommands;
        this.instSampleIn = s.netInput;
        this.instSampleOut = s.netOutput;
      }
      this.clientsCron(now);
      // the table bounded also when idle, after a CONFIG SET tracking-table-max-keys
      if (this.tracking.clients !== 0) this.tracking.limitUsedSlots();
      // Redis's serverCron: the peak of used memory (INFO used_memory_peak)
      const used = this.usedMemory();
      if (used > this.peakMemory) this.peakMemory = used;
      if (this.pauseUntil !== 0 && now >= this.pauseUntil) this.unpause();
      // not while loading: no commands run then, but the heap is being filled, not idle
      if (!this.loading) this.idleGc.maybeCollect(this.stats.numCommands, now, this.ks.dropped);
      this.flushPending();
    } catch (e) {
      this.log.warning(`cron error: ${(e as Error).stack}`);
    }
  }

  /**
   * The library's close(): a shutdown as a signal asks for it (save if save
   * points are set). Rejects, with the server still up, when a shutdown step
   * fails (the final save or AOF fsync) — pass { nosave } or { force } to
   * stop anyway.
   */
  async shutdown(flags: Partial<ShutdownFlags> = {}): Promise<void> {
    if (this.shuttingDown) return this.closed;
    const f: ShutdownFlags = { save: false, nosave: false, now: false, force: false, ...flags };
    if (!(await this.prepareForShutdown(f))) throw new Error(SHUTDOWN_FAILED.slice(4));
    return this.closed;
  }

  /**
   * Redis's prepareForShutdown and finishShutdown: runs the shutdown steps
   * (onShutdown) and stops the server. A step that fails without FORCE keeps
   * the server up: "Errors trying to shut down the server", the SHUTDOWN
   * clients get SHUTDOWN_FAILED, and false is returned. `sync` runs the steps
   * without turns of the event loop (SHUTDOWN inside EXEC, whose reply cannot
   * wait). Nothing is waited for (gKV has no replicas to let catch up).
   */
  prepareForShutdown(flags: ShutdownFlags, sync = false): Promise<boolean> | boolean {
    if (this.shutdownRunning || this.shuttingDown) return false;
    // a shutdown while loading saves nothing: the dataset is partial
    if (this.loading) flags = { ...flags, save: false, nosave: true };
    this.shutdownFlags = flags;
    this.shutdownRunning = true;
    this.log.warning('User requested shutdown...');
    this.flushPending();
    const steps = this.onShutdown.map((h) => () => h(flags, sync));
    if (sync) {
      for (const run of steps) if (runStepSync(run()) === false) return this.cancelShutdown();
      this.stopForGood();
      return true;
    }
    return (async () => {
      for (const run of steps) {
        let ok: boolean;
        try {
          ok = await runStep(run());
        } catch (e) {
          this.log.warning(`BUG: shutdown step failed: ${(e as Error)?.stack ?? e}`);
          ok = false;
        }
        if (!ok) return this.cancelShutdown();
      }
      this.stopForGood();
      return true;
    })();
  }

  /** SHUTDOWN (not ABORT) from c: c waits for the outcome; its next commands wait too. */
  shutdownFrom(c: Client, flags: ShutdownFlags): void {
    this.shutdownWaiters.push(c);
    void this.prepareForShutdown(flags);
  }

  /** SHUTDOWN ABORT (Redis's abortShutdown): true when a signalled shutdown was pending. */
  abortShutdown(): boolean {
    if (!this.shutdownAsap || this.shutdownRunning) return false;
    this.shutdownAsap = false;
    this.lastSignal = null;
    this.log.notice('Shutdown manually aborted.');
    return true;
  }

  /** A shutdown step failed: the server goes on (Redis's cancelShutdown). Returns false. */
  private cancelShutdown(): false {
    this.log.warning('Errors trying to shut down the server. Check the logs for more information.');
    this.shutdownRunning = false;
    this.shutdownAsap = false;
    this.lastSignal = null;
    this.shutdownFlags = null;
    const waiters = this.shutdownWaiters;
    this.shutdownWaiters = [];
    for (const c of waiters) {
      if (c.closed) continue;
      c.addError(SHUTDOWN_FAILED);
      this.markPending(c);
    }
    this.resumeClients();
    return false;
  }

  /** commands wait while > 0 (a MIGRATE waiting for its target: Redis blocks in it) */
  private suspended = 0;

  /**
   * Stops running commands — every client's wait in their input, as while
   * Redis blocks in a command — while the event loop goes on (I/O, timers,
   * children). Returns the function that ends the suspension (once); the
   * commands that arrived meanwhile then run.
   */
  suspendCommands(): () => void {
    this.suspended++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.suspended === 0 && !this.shutdownRunning) this.resumeClients();
    };
  }

  /** Runs the input that waited while commands were stopped (a failed shutdown, the end of a suspension). */
  private resumeClients(): void {
    this.anchorClock();
    for (const c of [...this.clients.values()]) {
      if (c.closed || c.blocked || c.paused) continue;
      this.processInputGuarded(c);
      this.markPending(c);
    }
  }

  /** The steps succeeded: stop listening, close every client, resolve `closed`. */
  private stopForGood(): void {
    servers.delete(this);
    this.shuttingDown = true;
    this.shutdownRunning = false;
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    this.evictor.stop();
    const pidfile = this.config.get('pidfile');
    if (pidfile !== '') {
      this.log.notice('Removing the pid file.');
      try {
        unlinkSync(pidfile);
      } catch {
        /* not there */
      }
    }
    this.closeListeners();
    this.closeUnixSocket();
    for (const c of [...this.clients.values()]) {
      this.flushClient(c);
      c.socket?.end();
      this.freeClient(c);
    }
    this.migrateCache.close();
    for (const h of this.onStopped) h();
    this.log.warning('gKV is now ready to exit, bye bye...');
    this.closedResolve?.();
  }

  /** The flags of a signalled shutdown: shutdown-on-sigint / shutdown-on-sigterm ("default": none). */
  private signalShutdownFlags(): ShutdownFlags {
    const v = this.config.get(this.lastSignal === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm').split(' ');
    return { save: v.includes('save'), nosave: v.includes('nosave'), now: v.includes('now'), force: v.includes('force') };
  }

  // ------------------------------------------------------------ connections

  private onConnection(accepted: net.Socket, unixPath: string | null = null, overTls = false): void {
    if (this.clients.size >= this.maxClients || this.shuttingDown) {
      this.stats.rejectedConnections++;
      accepted.on('error', () => {});
      // before its handshake a TLS connection can be told nothing: it is dropped, as Redis's
      if (overTls) accepted.destroy();
      else accepted.end('-ERR max number of clients reached\r\n');
      return;
    }
    // tcp-keepalive (Redis's connKeepAlive on accepted TCP and TLS connections): TCP keepalive probes
    // after that many idle seconds, so dead peers are noticed and middle boxes keep the connection; Node
    // sets the idle time only (the probe interval and count stay the system's; Redis: interval/3 and 3)
    if (unixPath === null && this.tcpKeepAlive > 0) accepted.setKeepAlive(true, this.tcpKeepAlive * 1000);
    if (overTls) {
      // the handshake first; the client is created once it succeeded (onTlsConnection)
      if (this.tls === null) {
        accepted.destroy();
        return;
      }
      accepted.on('error', () => {});
      accepted.setNoDelay(true);
      tlsAccept(this.tls, accepted);
      return;
    }
    // protected mode: with no password for the default user, only loopback clients (Redis's clientAcceptHandler)
    if (this.protectedMode && this.acl.defaultUser.nopass && unixPath === null && !isLoopback(accepted.remoteAddress)) {
      this.stats.rejectedConnections++;
      accepted.on('error', () => {});
      accepted.end(PROTECTED_MODE_DENIED);
      return;
    }
    this.stats.totalConnections++;
    const socket = adoptSocket(accepted, (n) => this.feedClient(c, SHARED_READ_BUFFER.subarray(0, n)));
    const c = this.createClient(socket, unixPath);
    socket.on('error', () => this.freeClient(c));
    socket.on('close', () => this.freeClient(c));
    socket.on('end', () => {
      // the peer closed its side: Redis frees the client (pending replies are lost)
      this.freeClient(c);
    });
    socket.resume();
  }

  /**
   * A TLS connection whose handshake succeeded (Redis's clientAcceptHandler
   * for a TLS connection): protected mode, then a client reading the
   * decrypted stream ('data' Buffers: TLS sockets take no onread buffer).
   */
  private onTlsConnection(s: tls.TLSSocket): void {
    s.on('error', () => {});
    if (this.shuttingDown) {
      s.destroy();
      return;
    }
    if (this.protectedMode && this.acl.defaultUser.nopass && !isLoopback(s.remoteAddress)) {
      this.stats.rejectedConnections++;
      s.end(PROTECTED_MODE_DENIED);
      return;
    }
    this.stats.totalConnections++;
    const c = this.createClient(s);
    s.on('data', (buf: Buffer) => this.feedClient(c, buf));
    s.on('error', () => this.freeClient(c));
    s.on('close', () => this.freeClient(c));
    s.on('end', () => this.freeClient(c));
  }

  createClient(socket: net.Socket | null, unixPath: string | null = null): Client {
    const c = new Client(this.nextClientId++, socket, this.ks.dbs[0], Date.now(), this.protoMaxBulkLen);
    c.replyLimit = this.replyLimit;
    if (socket !== null) {
      if (unixPath !== null) {
        // a Unix socket client (CLIENT LIST flag U): Redis shows the socket's path, port 0
        c.unixSocket = true;
        c.addr = c.laddr = `${unixPath}:0`;
      } else {
        c.addr = fmtAddr(socket.remoteAddress, socket.remotePort);
        c.laddr = fmtAddr(socket.localAddress, socket.localPort);
      }
      const h = (socket as unknown as { _handle?: { fd?: number } })._handle;
      c.fd = h && typeof h.fd === 'number' ? h.fd : -1;
      this.clients.set(c.id, c);
    }
    // Redis's createClient: the default user, authenticated when that needs no password; a
    // server-side client without a socket (the AOF loader's) runs anything, as Redis's NULL user
    c.user = socket === null ? null : this.acl.defaultUser;
    c.authenticated = !this.acl.authRequired;
    c.onError = (text) => this.countError(text);
    return c;
  }

  freeClient(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    this.clients.delete(c.id);
    c.parser.clear();
    // runs from socket events: a failing step is logged, the others still run
    for (const step of this.freeClientSteps) {
      try {
        step(c);
      } catch (e) {
        this.log.warning(`BUG: unexpected exception freeing client id=${c.id}: ${(e as Error)?.stack ?? e}`);
      }
    }
    if (c.socket !== null && !c.socket.destroyed) c.socket.destroy();
  }

  /** What a client leaving undoes (Redis's freeClient): blocked, watched keys, subscriptions, monitor. */
  private readonly freeClientSteps: ((c: Client) => void)[] = [
    (c) => this.blocking.clientFreed(c),
    (c) => this.watch.unwatchAllKeys(c),
    (c) => this.pubsub.unsubscribeAll(c),
    (c) => stopMonitoring(c, this),
    (c) => this.tracking.clientFreed(c),
    (c) => this.clientEviction.clientFreed(c),
    (c) => {
      this.clientsMemory -= c.usedMemCounted;
      c.usedMemCounted = 0;
    },
    (c) => {
      for (const f of this.onClientFreed) f(c);
    },
  ];
  readonly onClientFreed: ((c: Client) => void)[] = [];

  /**
   * A read event: the client's input (a view of SHARED_READ_BUFFER, a TLS
   * socket's Buffer, or a master's link, which the server did not accept).
   */
  feedClient(c: Client, input: Buffer): void {
    if (c.closed) return;
    const n = input.length;
    c.totNetIn += n;
    this.stats.readsProcessed++;
    this.stats.netInput += n;
    const bulkLen = c.parser.currentBulkLen;
    qbufOnRead(c.mem, n, bulkLen, bulkLen >= PROTO_MBULK_BIG_ARG ? c.mem.qbLen : 0);
    try {
      c.parser.feed(input);
    } catch (e) {
      // e.g. a bulk longer than a Buffer can be: this connection only
      this.log.warning(`Closing client whose input could not be buffered: id=${c.id} addr=${c.addr}: ${(e as Error)?.message ?? e}`);
      this.freeClient(c);
      return;
    }
    // a replica's master is not held to the query buffer limit (its commands are the dataset's)
    if (c.parser.pendingBytes > this.queryBufLimit && c.kind !== 'master') {
      this.log.warning(`Closing client that reached max query buffer length: ${this.clientInfoString(c)} (qbuf initial bytes: ${sdsRepr(c.parser.peekPending(64))})`);
      this.freeClient(c);
      return;
    }
    this.processInputGuarded(c);
    c.parser.detach();
    // the client's buffers as used memory counts them, for the next eviction check
    if (this.maxmemory !== 0 && !c.closed) this.updateClientMemory(c);
    // Replies leave at the end of this loop iteration, after every socket that
    // was ready has been read (Redis's beforeSleep): one write per client per
    // iteration, and a burst of writes wakes a sleeping peer once instead of
    // once per write — on loopback the wake-up is the writer's cost (perf: a
    // quarter of the CPU time when each read event wrote at once).
    this.markPending(c);
  }

  /**
   * processInput for every caller outside a command (a read event, an
   * unblocked or unpaused client): an exception must never escape to the
   * event loop, which would take the whole server down. It is logged as the
   * bug it is and only this connection is closed.
   */
  processInputGuarded(c: Client): void {
    try {
      this.processInput(c);
    } catch (e) {
      this.log.warning(`BUG: unexpected exception processing input of client id=${c.id}: ${(e as Error)?.stack ?? e}`);
      c.addError('ERR internal error processing the request');
      c.closeAfterReply = true;
      c.parser.clear();
      this.currentClient = this.scriptClient = null;
      this.currentExecuting = false;
    }
  }

  /** Runs every complete command in the client's input (Redis's processInputBuffer). */
  processInput(c: Client): void {
    this.anchorClock();
    c.lastInteraction = this.wallAnchor;
    // Redis's query buffer holds this read's commands until all of them ran (CLIENT LIST qbuf)
    c.mem.qbLen = c.parser.pendingBytes;
    let bigArg = 0;
    while (!c.blocked && !c.closeAfterReply && !c.closed) {
      if (this.pauseUntil !== 0 && this.isPausedFor(c)) break;
      // the shutdown steps (or a MIGRATE) run: commands wait, as Redis blocks in them, and run afterwards
      if (this.shutdownRunning || this.suspended !== 0) break;
      // this client's script runs across turns of the event loop: its next commands wait for its end
      if (this.yielding !== null && this.yielding.caller === c) break;
      let argv: string[] | null;
      try {
        c.parser.authRequired = !c.authenticated && this.acl.authRequired;
        argv = c.parser.next();
      } catch (e) {
        if (e instanceof ProtocolError) {
          c.addError(e.resp);
          this.log.verbose(`Protocol error (${e.resp}) from client: id=${c.id} addr=${c.addr}`);
          c.closeAfterReply = true;
          c.parser.clear();
          break;
        }
        throw e;
      }
      if (argv === null) break;
      c.bigArgs = c.parser.lastBigArgs;
      const last = argv[argv.length - 1];
      if (last.length >= PROTO_MBULK_BIG_ARG) bigArg = last.length;
      else if (c.bigArgs !== null) for (const b of c.bigArgs.values()) bigArg = Math.max(bigArg, b.length);
      this.processCommand(c, argv);
      if (c.closeAsap) {
        this.closeForOutputLimit(c);
        return;
      }
      if (c.outBytes > OUTPUT_FLUSH_BYTES) {
        // A client whose class has output buffer limits keeps its replies
        // until the end of the read, as Redis does, so that the limits see
        // them all (a pipeline whose replies pass the hard limit gets none).
        const l = this.outputLimits[this.obufClass(c)];
        if (l.hard !== 0 || l.soft !== 0) {
          if (this.overOutputLimit(c, c.outBytes)) return;
        } else {
          // A large pending output leaves now rather than at the end of the
          // iteration: replies are V8 string ropes, and a rope kept alive across
          // many commands survives young-generation collections, gets copied and
          // promoted, and costs several times its bytes (LRANGE 600 at -P 16 ran
          // at a quarter of its unpipelined speed).
          this.flushClient(c);
        }
      }
    }
    if (this.segLen !== 0) this.closeSegment(performance.now());
    qbufTrimmed(c.mem, c.parser.pendingBytes, bigArg);
    qbufBigArgHeader(c.mem, c.parser.currentBulkLen);
    // Redis's processInputBuffer: the client's memory after its input, which may hold a big command still arriving
    if (this.clientEviction.enabled && !c.closed) this.clientEviction.updateAndBucket(c);
  }

  /** Redis's is_may_replicate_command: a write or may-replicate command, or an EXEC queuing one. */
  private mayReplicate(c: Client, cmd: CommandSpec, f: DeclaredFlags): boolean {
    if (f.write || f.mayReplicate) return true;
    if (cmd.name !== 'exec') return false;
    for (const q of c.multiQueue) {
      const qf = q.flags ?? q.cmd;
      if (qf.write || qf.mayReplicate) return true;
    }
    return false;
  }

  /** A client whose command waits for the end of a CLIENT PAUSE reads no further. */
  private isPausedFor(c: Client): boolean {
    return c.paused || this.pausedClientsWaiting.has(c);
  }
  readonly pausedClientsWaiting = new Set<Client>();

  /**
   * CLIENT PAUSE: until `until` (ms), postpone every command (all) or those
   * that may write. A pause never shortens nor weakens one in force (Redis's
   * pauseClients). Keys are not expired meanwhile, lazily or actively: the
   * dataset does not change under a paused server (a failover in progress).
   */
  pause(until: number, all: boolean): void {
    if (until > this.pauseUntil) this.pauseUntil = until;
    if (all) this.pauseAll = true;
    this.ks.expirePaused = true;
  }

  unpause(): void {
    this.pauseUntil = 0;
    this.pauseAll = false;
    this.ks.expirePaused = false;
    const waiting = [...this.pausedClientsWaiting];
    this.pausedClientsWaiting.clear();
    for (const c of this.clients.values()) if (c.paused) waiting.push(c);
    for (const c of waiting) {
      c.paused = false;
      if (!c.closed) {
        this.processInputGuarded(c);
        this.markPending(c);
      }
    }
    this.flushPending();
  }

  // ------------------------------------------------------------ the pipeline

  /** wall time (ms) and monotonic time at the start of the current event */
  private wallAnchor = Date.now();
  private perfAnchor = performance.now();
  /** monotonic time when the previous command ended: the next one's start */
  private lastMark = this.perfAnchor;
  /** the start of the running timed command (ServerContext.callStart) */
  callStart = this.perfAnchor;

  /**
   * Anchors the command clock at the start of an event. Every path that runs
   * commands (a client's input, unpausing, unblocking, timers) calls this
   * before call().
   */
  anchorClock(): void {
    const t = performance.now();
    if (this.segLen !== 0) this.closeSegment(t);
    this.wallAnchor = Date.now();
    this.perfAnchor = this.lastMark = this.callStart = t;
  }

  /**
   * Untimed fast commands: a command flagged `fast` with a few arguments
   * (GET, INCR, HSET, LPUSH, ZPOPMIN …; not a blocking one, not PUBLISH) is
   * not timed on its own; up to SEGMENT_MAX of them in a row form a segment
   * that one clock read closes, its time shared equally among them for INFO
   * commandstats (CommandSpec.untimed, Slowlog.allowsUntimed). A clock read
   * per command was 15 % of GET's in-process cost (perf: clock_gettime).
   * Only while the slow log cannot miss them: its threshold is off or at
   * least SEGMENT_SLOWLOG_MIN µs, far above what such a command takes (with
   * slowlog-log-slower-than 0, as tests set it, every command is timed).
   * A segment closes before any other command, at the end of the client's
   * input and when the next event anchors the clock. Inside a timed command
   * that runs others (EXEC, a script) the fast ones it runs form a segment
   * that closes with it, sharing its duration (a script's three commands
   * cost three clock reads more than Redis's ustime() calls otherwise).
   * Commands of a segment see the segment's start as their time, a few
   * microseconds at most.
   */
  private segStats: CommandStats[] = [];
  private segLen = 0;

  private closeSegment(t1: number): void {
    const n = this.segLen;
    const per = ((t1 - this.lastMark) * 1000) / n;
    const seg = this.segStats;
    for (let i = 0; i < n; i++) seg[i].usec += per;
    if (this.latencyTracking) for (let i = 0; i < n; i++) this.recordLatency(seg[i], per);
    if (this.latency.threshold !== 0) this.latency.addSampleIfNeeded('fast-command', Math.floor(per / 1000));
    this.segLen = 0;
    this.lastMark = t1;
  }

  /**
   * Runs one command through the guards, then call(). Under CLIENT REPLY
   * OFF|SKIP everything the command answers is dropped — rejections and
   * +QUEUED included — but pushes (Client.beginPush), as Redis's
   * prepareClientToWrite; SKIP is spent by the command after CLIENT REPLY
   * SKIP, unless that one is held by CLIENT PAUSE (it is not processed yet)
   * or blocks (its reply, when it comes, is dropped: blocking.ts).
   */
  processCommand(c: Client, argv: string[]): void {
    this.currentClient = c;
    if (c.replyMode === 'on') {
      this.processCommandGuarded(c, argv);
      this.afterProcessCommand(c);
      return;
    }
    const mode = c.replyMode;
    if (mode === 'skipnext') c.replyMode = 'skip';
    const mark = (c.silenced = c.deferLen());
    this.processCommandGuarded(c, argv);
    this.afterProcessCommand(c);
    const m = c.silenced ?? mark;
    c.silenced = null;
    const after = c.replyMode as ReplyMode; // the command may have been CLIENT REPLY ON, which answers
    if (after === 'on') c.keepSince(m);
    else c.dropSince(m);
    if (c.paused && after === 'skip') c.replyMode = mode;
    else if (after === 'skip' && !c.blocked) c.replyMode = 'on';
  }

  /**
   * Redis's resetClient after a command: no current client any more, and
   * CLIENT CACHING's choice spent unless the command was a CLIENT one or was
   * queued in MULTI (it then covers the transaction).
   */
  private afterProcessCommand(c: Client): void {
    this.currentClient = null;
    if ((c.tracking & TRACKING_CACHING) !== 0 && !c.inMulti && !c.lastCmd.startsWith('client|')) c.tracking &= ~TRACKING_CACHING;
  }

  private processCommandGuarded(c: Client, argv: string[]): void {
    const name = argv[0];
    // 1. known command / subcommand
    let cmd = this.table.lookup(name);
    if (cmd === undefined) {
      c.lastCmd = 'NULL';
      this.reject(c, null, Err.unknownCommand(name, argv.slice(1)).resp, argv);
      return;
    }
    if (cmd.subcommands !== null && argv.length >= 2) {
      const sub = cmd.subcommands.get(argv[1].toLowerCase());
      if (sub === undefined) {
        c.lastCmd = 'NULL';
        this.reject(c, cmd, sanitizeErrorText(Err.unknownSubcommand(argv[1].length > 128 ? argv[1].slice(0, 128) : argv[1], cmd.name).resp), argv);
        return;
      }
      cmd = sub;
    }
    // Redis's c->lastcmd (CLIENT LIST cmd=): set when looked up, so a queued command shows, and EXEC shows as exec
    c.lastCmd = cmd.fullName;
    // 2. arity
    if (!cmd.arityOk(argv.length)) {
      this.reject(c, cmd, Err.wrongArity(cmd.fullName).resp, argv);
      return;
    }
    // protected commands (Redis's CMD_PROTECTED: DEBUG, MODULE LOAD/LOADEX/UNLOAD) run only as
    // enable-debug-command / enable-module-command allow: yes, or local for a local connection
    if (cmd.protectedBy !== null) {
      const mode = this.config.get(cmd.protectedBy);
      if (mode !== 'yes' && !(mode === 'local' && islocalClient(c))) {
        const what = cmd.protectedBy === 'enable-debug-command' ? 'DEBUG' : 'MODULE';
        this.reject(
          c,
          cmd,
          `ERR ${what} command not allowed. If the ${cmd.protectedBy} option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`,
          argv,
        );
        return;
      }
    }
    // arguments longer than a JS string can be: only the commands that store values take them
    if (c.bigArgs !== null && !cmd.takesBigArgs) {
      const len = c.bigArgs.values().next().value!.length;
      this.reject(
        c,
        cmd,
        `ERR argument of ${len} bytes is too long for '${cmd.fullName}' in gKV (over ${MAX_STRING_CHARS} bytes only SET, SETNX, SETEX, PSETEX, GETSET, APPEND and SETRANGE take a value)`,
        argv,
      );
      return;
    }
    // the flags this call declares in place of the command's (a script's shebang: Redis's getCommandFlags)
    const f: DeclaredFlags = cmd.declaredFlags === null ? cmd : (cmd.declaredFlags(argv, this) ?? cmd);
    // 3. authentication
    if (!c.authenticated && this.acl.authRequired && !cmd.noAuth) {
      this.reject(c, cmd, Err.noAuth().resp, argv);
      return;
    }
    // 4. commands that cannot be queued
    if (c.inMulti && cmd.noMulti) {
      this.reject(c, cmd, 'ERR Command not allowed inside a transaction', argv);
      return;
    }
    // ACL (Redis's ACLCheckAllPerm): one of the user's selectors allows the
    // command, every key it names (with the access its key specs declare)
    // and every channel it publishes or subscribes to; an unrestricted user
    // (the default one) costs this one flag test. Denials go to ACL LOG.
    const user = c.user;
    if (user !== null && !user.unrestricted) {
      const denied = this.aclCheck(user, cmd, argv);
      if (denied !== null) {
        this.aclLogDenial(c, denied.denial, c.inMulti ? 'multi' : 'toplevel', cmd, argv, denied.pos);
        this.reject(c, cmd, noPermText(denied.denial, cmd.fullName), argv);
        return;
      }
    }
    // client eviction: clients over maxmemory-clients together are freed,
    // biggest first, before the command runs and may grow them further
    // (Redis's evictClients before performEvictions); this one may be among them
    if (this.clientEviction.enabled) {
      this.clientEviction.evictClients();
      if (c.closed) return;
    }
    // OOM: while maxmemory is set, Redis's performEvictions runs before every
    // command (not while a script yields): keys are evicted by the policy
    // until used memory is under the limit (server/evict.ts). When that fails
    // (noeviction, or nothing left to evict), commands that may grow the
    // dataset are refused, and inside MULTI everything but EXEC, DISCARD,
    // QUIT and RESET (queueing takes memory too); an EXEC whose queue holds
    // such a command is refused as a whole. Scripts read the outcome
    // (preCommandOomState) for the deny-oom commands they call.
    if (this.maxmemory !== 0 && this.yielding === null) {
      const oom = this.evictor.performEvictions() === 'fail';
      this.preCommandOomState = oom;
      if (oom) {
        const denyoom = f.denyoom || (cmd.name === 'exec' && c.multiQueue.some((q) => (q.flags ?? q.cmd).denyoom));
        if (denyoom || (c.inMulti && !OOM_MULTI_ALLOWED.has(cmd.parent?.name ?? cmd.name))) {
          this.reject(c, cmd, Err.oom().resp, argv);
          return;
        }
      }
    }
    // client-side caching: the tracking table kept within tracking-table-max-keys
    // (its invalidations go before this command's reply, even to this client)
    if (this.tracking.clients !== 0) this.tracking.limitUsedSlots();
    // disk error: writes refused while persistence cannot write (MISCONF)
    if (this.diskErrorChecks.length !== 0 && (f.write || cmd.name === 'ping' || (cmd.name === 'exec' && c.multiQueue.some((q) => (q.flags ?? q.cmd).write)))) {
      for (const check of this.diskErrorChecks) {
        const err = check();
        if (err !== null) {
          this.reject(c, cmd, err, argv);
          return;
        }
      }
    }
    // min-replicas-to-write: writes need that many replicas online whose last
    // acknowledgement is at most min-replicas-max-lag seconds old (Redis's
    // checkGoodReplicasStatus)
    if (this.minReplicasToWrite !== 0 && (f.write || (cmd.name === 'exec' && c.multiQueue.some((q) => (q.flags ?? q.cmd).write)))) {
      if (this.tooFewGoodReplicas()) {
        this.reject(c, cmd, Err.noReplicas().resp, argv);
        return;
      }
    }
    // a read-only replica refuses writes but its master's (Redis's roslaveerr)
    const upstream = this.repl?.upstream ?? null;
    if (upstream !== null && c.kind !== 'master') {
      if (this.replicaReadOnly && (f.write || (cmd.name === 'exec' && c.multiQueue.some((q) => (q.flags ?? q.cmd).write)))) {
        this.reject(c, cmd, Err.readonlyReplica().resp, argv);
        return;
      }
    }
    // 5. RESP2 subscribed context
    if (c.resp === 2 && c.inPubSub && !PUBSUB_ALLOWED.has(cmd.parent?.name ?? cmd.name)) {
      this.reject(c, cmd, `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`, argv);
      return;
    }
    // a replica whose link is down serves only the stale-allowed commands when replica-serve-stale-data is no
    if (upstream !== null && upstream.state !== 'connected' && !this.replicaServeStaleData) {
      if (!f.stale || (cmd.name === 'exec' && c.multiQueue.some((q) => !(q.flags ?? q.cmd).stale))) {
        this.reject(c, cmd, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", argv);
        return;
      }
    }
    // 6. loading
    if (this.loading && !cmd.loading) {
      this.reject(c, cmd, Err.loading().resp, argv);
      return;
    }
    // a busy script: only the allow_busy commands (SCRIPT KILL, SHUTDOWN, AUTH, MULTI …) run meanwhile
    if (this.yielding !== null && !cmd.allowBusy) {
      this.reject(c, cmd, Err.busyScript(this.yielding.evalMode).resp, argv);
      return;
    }
    // a monitor (Redis flags it a replica) may not touch the keyspace
    if (
      (c.monitor || c.kind === 'replica') &&
      (f.write || f.readonly || f.mayReplicate || (cmd.name === 'exec' && c.multiQueue.some((q) => (q.flags ?? q.cmd).write || (q.flags ?? q.cmd).readonly)))
    ) {
      this.reject(c, cmd, "ERR Replica can't interact with the keyspace", argv);
      return;
    }
    // CLIENT PAUSE: ALL postpones every command, WRITE those that may write
    // or replicate (an EXEC by what it queued) until the pause ends; the
    // client counts as blocked meanwhile (Redis's blockPostponeClient)
    if (this.pauseUntil !== 0 && c.kind !== 'replica' && (this.pauseAll || this.mayReplicate(c, cmd, f))) {
      c.paused = true;
      this.pausedClientsWaiting.add(c);
      c.parser.pushBack(argv, c.bigArgs);
      return;
    }
    // 7. MULTI queueing
    if (c.inMulti && !MULTI_IMMEDIATE.has(cmd.parent?.name ?? cmd.name)) {
      c.multiQueue.push({ cmd, argv, big: c.bigArgs, flags: cmd.declaredFlags === null ? null : f });
      c.multiArgvMem += argvLength(argv) + 8 * argv.length;
      c.addRaw('+QUEUED\r\n');
      return;
    }
    // 8. run it
    this.currentExecuting = true;
    this.call(c, cmd, argv);
    this.currentExecuting = false;
    // Redis's afterCommand: the invalidations this client caused for itself, after its reply
    // (a script that yielded has not replied yet: finishYieldedCall sends them)
    if (this.tracking.hasPending && this.yielding?.caller !== c) this.tracking.handlePendingKeyInvalidations(c);
    // Redis: after each top-level command (a whole EXEC, a whole script), serve the clients blocked on keys it made ready
    // (a script that yielded has not ended: finishYieldedCall serves them)
    if (this.blocking.hasReadyKeys && this.yielding === null) this.blocking.handleClientsBlockedOnKeys();
  }

  /** ACLCheckAllUserCommandPerm for a command of the table (its ACL id found once, by its original name) */
  aclCheck(user: AclUser, cmd: CommandSpec<ServerContext>, argv: readonly string[]): AclCheckResult | null {
    if (cmd.aclId < 0) cmd.aclId = this.acl.commands.lookup(cmd.fullName)!.id;
    return this.acl.checkCommand(user, cmd, argv);
  }

  /**
   * addACLLogEntry for a denied command: the object is the command's name,
   * or the key or channel at argv[pos]; the client shown is the script's
   * caller for a script's command.
   */
  aclLogDenial(c: Client, denial: AclDenial, context: AclLogContext, cmd: CommandSpec | null, argv: readonly string[], pos: number, username?: string): void {
    const object = denial === ACL_DENIED_CMD ? cmd!.fullName : denial === ACL_DENIED_AUTH ? argv[0] : argv[pos];
    // a command refused by the guard has its argv (CLIENT LIST argv-mem) though call() never set it
    const saved = c.curArgv;
    if (saved === null) c.curArgv = argv as string[];
    this.acl.addLogEntry(denial, context, object, username ?? c.user?.name ?? 'default', this.acl.describeClient(c));
    c.curArgv = saved;
  }

  /**
   * Redis's updateCommandLatencyHistogram: a call of usec microseconds in the
   * command's histogram, in whole microseconds as Redis measures them.
   */
  recordLatency(st: CommandStats, usec: number): void {
    (st.hist ??= new HdrHistogram()).record(Math.floor(usec) * 1000);
  }

  private reject(c: Client, cmd: CommandSpec | null, text: string, argv: string[]): void {
    if (cmd !== null) cmd.stats.rejected++;
    if (cmd?.name === 'exec') {
      // execCommandAbort: the transaction is over; a formatted error loses its "ERR " in the message
      discardTransaction(c, this.watch);
      c.addError(`EXECABORT Transaction discarded because of: ${text.startsWith('ERR ') ? text.slice(4) : text}`);
      if (this.monitors.size !== 0) feedMonitors(this, c, argv);
      return;
    }
    if (c.inMulti) c.multiError = true;
    c.addError(text);
  }

  /** The command argv names (its subcommand's row when it has one): tracking's look-up of a script's caller. */
  private readonly lookupArgv = (argv: string[]): CommandSpec<ServerContext> | undefined => {
    const cmd = this.table.lookup(argv[0]);
    if (cmd === undefined || cmd.subcommands === null || argv.length < 2) return cmd;
    return cmd.subcommands.get(argv[1].toLowerCase());
  };

  /**
   * min-replicas-to-write is unmet (Redis's checkGoodReplicasStatus): a
   * master with fewer replicas online whose last ACK is at most
   * min-replicas-max-lag seconds old. A replica is never held to it.
   */
  tooFewGoodReplicas(): boolean {
    if (this.minReplicasToWrite === 0 || this.config.getInt('min-replicas-max-lag') === 0) return false;
    if (this.repl?.upstream != null) return false;
    return (this.repl?.goodReplicas() ?? 0) < this.minReplicasToWrite;
  }

  readOnlyReplica(): boolean {
    return this.replicaReadOnly && (this.repl?.upstream ?? null) !== null;
  }

  staleReplica(): boolean {
    const u = this.repl?.upstream ?? null;
    return u !== null && u.state !== 'connected' && !this.replicaServeStaleData;
  }

  /** replica-read-only and replica-serve-stale-data */
  replicaReadOnly = true;
  replicaServeStaleData = true;
  get clientsPaused(): boolean {
    return this.pauseUntil !== 0;
  }

  /** Redis's prev_err_count: the error count when the last call() started or ended */
  private prevErrCount = 0;

  /**
   * call(): runs the handler, times it, feeds stats, turns thrown RedisErrors
   * into error replies, and propagates writes (AOF, replicas) only when the
   * dataset changed.
   */
  call(c: Client, cmd: CommandSpec<ServerContext>, argv: string[]): void {
    const ks = this.ks;
    const untimed = cmd.untimed && argv.length <= 8 && this.slowlog.allowsUntimed;
    if (this.segLen !== 0 && (!untimed || this.segLen === SEGMENT_MAX)) this.closeSegment(performance.now());
    // One monotonic clock read per command serves both the command's timing
    // (its start is the previous command's end) and its cached wall time
    // (derived from the event's anchor), instead of three clock reads.
    const t0 = this.lastMark;
    if (!untimed) this.callStart = t0;
    if (!this.inExec) {
      if (ks.clock === Date.now) ks.setNow(this.wallAnchor + Math.floor(t0 - this.perfAnchor));
      else ks.updateClock();
    }
    ks.noTouch = c.noTouch;
    const dirtyBefore = ks.dirty;
    this.prevErrCount = this.stats.totalErrorReplies;
    // what the output was before the handler: a failing handler that wrote nothing leaves the stream in step
    const outBefore = c.out;
    const chunksBefore = c.chunks.length;
    c.curArgv = argv;
    c.propagateArgv = null;
    c.forcePropagate = false;
    c.propagateTargets = PROPAGATE_ALL;
    c.propagated = false;
    try {
      cmd.handler!(c, argv, this);
    } catch (e) {
      if (e instanceof RedisError) c.addError(e.resp);
      else {
        const intact = c.out === outBefore && c.chunks.length === chunksBefore;
        // a string beyond a JS string's length, for a command that reads values as strings
        if (e instanceof ValueTooLongError && intact) c.addError(`ERR ${e.message}: too long for '${cmd.fullName}'`);
        else this.commandFailed(c, cmd, e, intact);
      }
    }
    // client-side caching: the keys a read-only command read are remembered for
    // its tracking client (a script's: the commands it runs, not EVAL_RO itself)
    if (this.tracking.clients !== 0 && cmd.readonly && !SCRIPT_RO.has(cmd.name)) this.tracking.rememberCall(c, cmd, argv, this.lookupArgv);
    const y = this.yielding;
    if (y !== null && y.caller === c && y.endCall === null) {
      // the handler gave the event loop back (a busy script): the rest runs when it ends (finishYieldedCall)
      y.endCall = () => this.endCall(c, cmd, argv, t0, untimed, dirtyBefore);
      return;
    }
    this.endCall(c, cmd, argv, t0, untimed, dirtyBefore);
  }

  /** call()'s bookkeeping after the handler: timing, stats, slow log, monitors, propagation. */
  private endCall(c: Client, cmd: CommandSpec<ServerContext>, argv: string[], t0: number, untimed: boolean, dirtyBefore: number): void {
    const ks = this.ks;
    const st = cmd.stats;
    if (untimed) this.segStats[this.segLen++] = st;
    else {
      const t1 = performance.now();
      // the fast commands it ran (EXEC, a script) share its time
      if (this.segLen !== 0) this.closeSegment(t1);
      this.lastMark = t1;
      const usec = (t1 - t0) * 1000;
      // Redis 7.0: a command that blocked reaches the slow log when it is served or CLIENT UNBLOCKed
      if (c.blocked) this.blocking.noteBlockedCall(c, argv, usec);
      else {
        this.slowlog.pushIfNeeded(c, cmd, argv, usec);
        if (this.latency.threshold !== 0) this.latency.addSampleIfNeeded(cmd.fast ? 'fast-command' : 'command', Math.floor(usec / 1000));
        if (this.latencyTracking) this.recordLatency(st, usec);
      }
      st.usec += usec;
    }
    st.calls++;
    // the reply sits in the static reply buffer until written (its peak: CLIENT LIST rbp); a blocked client keeps its argv
    if (c.outBytes > c.mem.bufPeak) replyBufferUsed(c.mem, c.outBytes);
    if (!c.blocked) c.curArgv = null;
    // Redis's incrCommandStatsOnError: errors since the last (possibly nested)
    // call ended; a command's errors inside EXEC are its own, not EXEC's.
    // '>': CONFIG RESETSTAT zeroes the count during its own call, which is no failure
    // (a script's error reply that its command counted already is not counted again, but the script failed)
    if (this.stats.totalErrorReplies > this.prevErrCount || c.callFailed) st.failed++;
    c.callFailed = false;
    this.prevErrCount = this.stats.totalErrorReplies;
    this.stats.numCommands++;
    c.commandsProcessed++;
    if (this.monitors.size !== 0 && !cmd.skipMonitor && !cmd.admin && !this.loading) feedMonitors(this, c, argv);
    // Redis: only a rise of dirty propagates (DEBUG LOADAOF, DEBUG RELOAD and SAVE set it back)
    const emit = this.propagation.emit;
    if ((ks.dirty > dirtyBefore || c.forcePropagate) && emit !== null && !c.propagated) {
      // Inside EXEC the writes are collected and propagated by EXEC as one
      // unit (Redis's also_propagate, see propagateTransaction).
      if (this.execOps !== null) this.execOps.push([c.db.id, c.propagateArgv ?? argv, c.propagateTargets]);
      else emit(c.db.id, c.propagateArgv ?? argv, c.propagateTargets);
    }
  }

  /**
   * The yielded command of c (a busy script) has ended and written its
   * reply: the rest of its call(), the clients blocked on keys it made ready,
   * then c's next commands.
   */
  finishYieldedCall(c: Client): void {
    const y = this.yielding;
    if (y === null || y.caller !== c) return;
    this.yielding = null;
    this.anchorClock();
    y.endCall?.();
    if (this.tracking.hasPending) this.tracking.handlePendingKeyInvalidations(c);
    if (this.blocking.hasReadyKeys) this.blocking.handleClientsBlockedOnKeys();
    if (!c.closed) {
      this.markPending(c);
      this.processInputGuarded(c);
    }
    // the commands that were refused meanwhile left their replies pending
    this.flushPending();
  }

  /**
   * A handler threw something other than a RedisError: a bug (or a limit of
   * the platform, such as an allocation that failed). It costs this client at
   * most: when the command wrote nothing yet, it gets an error reply and the
   * connection goes on in step; when it had written part of a reply, the
   * stream cannot be mended, so the error is appended and the connection
   * closed after its replies. Logged once per failing command, with its stack.
   */
  commandFailed(c: Client, cmd: CommandSpec, e: unknown, intact: boolean): void {
    this.log.warning(`BUG: unexpected exception in '${cmd.fullName}' (client id=${c.id} addr=${c.addr})${intact ? '' : ', reply cut: closing the connection'}: ${(e as Error)?.stack ?? e}`);
    c.addError(Err.internal(cmd.fullName).resp);
    if (!intact) {
      c.closeAfterReply = true;
      c.parser.clear();
    }
  }

  /**
   * A handler propagates what it did as several commands (a value too long
   * for one argument, see string.ts): inside EXEC they join the
   * transaction's writes, else they leave together (MULTI … EXEC when
   * several); call() then propagates nothing more.
   */
  propagateOps(c: Client, ops: [number, string[]][]): void {
    c.propagated = true;
    if (this.propagation.emit === null) return;
    if (this.execOps !== null) this.execOps.push(...ops);
    else this.propagateTransaction(ops);
  }

  /**
   * Redis's propagatePendingCommands for a transaction: its writes wrapped in
   * MULTI … EXEC when there are several, a single write alone (it is atomic
   * by itself), nothing when it wrote nothing.
   */
  propagateTransaction(ops: PropagatedOp[]): void {
    const p = this.propagation.emit;
    if (p === null || ops.length === 0) return;
    if (ops.length === 1) {
      p(ops[0][0], ops[0][1], ops[0][2]);
      return;
    }
    // MULTI and EXEC go to every consumer, each command to its own (propagatePendingCommands)
    p(ops[0][0], ['MULTI']);
    for (const [db, argv, targets] of ops) p(db, argv, targets);
    p(ops[ops.length - 1][0], ['EXEC']);
  }

  countRejected(cmd: CommandSpec | undefined, text: string): void {
    if (cmd !== undefined) cmd.stats.rejected++;
    this.countError(text);
    this.prevErrCount = this.stats.totalErrorReplies;
  }

  countError(text: string): void {
    this.stats.totalErrorReplies++;
    const sp = text.indexOf(' ');
    const prefix = sp === -1 ? text : text.slice(0, sp);
    const m = this.stats.errorCounts;
    const n = m.get(prefix);
    if (n !== undefined) m.set(prefix, n + 1);
    else if (m.size < 128) m.set(prefix, 1);
  }

  // ------------------------------------------------------------ output

  /** Writes the client's accumulated replies in one socket write. */
  flushClient(c: Client): void {
    if (c.closeAsap) {
      if (!c.closed) this.closeForOutputLimit(c);
      return;
    }
    const bytes = c.outBytes;
    if (bytes !== 0 && (c.kind === 'replica' || c.kind === 'master')) {
      // a replica's connection carries the replication stream only, and a
      // master gets no replies from its replica: replies to their commands are not sent
      c.out = '';
      c.takeChunks();
    } else if (bytes !== 0) {
      for (const h of this.beforeReplies) h();
      const out = c.out;
      c.out = '';
      const chunks = c.chunkBytes !== 0 ? c.takeChunks() : null;
      const sock = c.socket;
      if (sock !== null && !c.closed) {
        if (chunks === null) sock.write(out, 'latin1');
        else {
          // a big reply: its sealed chunks, then the rest, in one writev
          sock.cork();
          for (const ch of chunks) {
            if (typeof ch === 'string') sock.write(ch, 'latin1');
            else sock.write(ch);
          }
          if (out.length !== 0) sock.write(out, 'latin1');
          sock.uncork();
        }
        this.stats.writesProcessed++;
        c.totNetOut += bytes;
        this.stats.netOutput += bytes;
        if (sock.writableLength !== 0 && this.overOutputLimit(c, sock.writableLength)) return;
        // Redis's writeToClient: the client's memory after the write (what the socket did not take stays)
        if (this.clientEviction.enabled) this.clientEviction.updateAndBucket(c);
      }
    }
    if (c.closeAfterReply && !c.closed && c.socket !== null) {
      c.socket.end();
      this.freeClientAfterWrite(c);
    }
  }

  /**
   * Redis's checkClientOutputBufferLimits: a client whose unsent output passes
   * its class's hard limit, or stays past the soft limit for longer than the
   * soft seconds, is closed (a subscriber that does not read cannot make the
   * server hold its messages without bound). Returns true if it was closed.
   */
  overOutputLimit(c: Client, unsent: number, async = true): boolean {
    const l = this.outputLimits[this.obufClass(c)];
    // what Redis measures: the reply list beyond the static reply buffer (client-mem.ts)
    const pending = outputBufferMemory(c.mem, unsent);
    let over = l.hard !== 0 && pending >= l.hard;
    if (!over && l.soft !== 0 && pending >= l.soft) {
      // Redis counts whole seconds (server.unixtime): past the soft limit for more than its seconds
      const now = Math.floor(Date.now() / 1000);
      if (c.obufSoftLimitSince === 0) c.obufSoftLimitSince = now;
      else over = now - c.obufSoftLimitSince > l.softSeconds;
    } else if (!over) c.obufSoftLimitSince = 0;
    if (!over) return false;
    this.closeForOutputLimit(c, async);
    return true;
  }

  /**
   * Closes c, over its output limit, without writing what is pending (Redis's
   * closeClientOnOutputBufferLimitReached): `async` when the output grew
   * (Redis's freeClientAsync), not when the cron found it over the limit.
   */
  closeForOutputLimit(c: Client, async = true): void {
    const info = this.clientInfoString(c);
    if (async) this.log.warning(`Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    else this.log.warning(`Client ${info} closed for overcoming of output buffer limits.`);
    // Redis frees the client's reply buffers with it: a big unsent reply is collected at once
    // (a full collection: what was promoted to the old generation, or handed to the socket, goes too)
    const big = c.outBytes >= BIG_DROPPED_OUTPUT;
    c.out = '';
    c.takeChunks();
    this.freeClient(c);
    if (big) this.idleGc.collectNowOrSoon(Date.now());
  }

  /** The output buffer limit class of a client: 0 normal, 1 replica, 2 pub/sub. */
  obufClass(c: Client): number {
    return c.kind === 'replica' ? 1 : c.inPubSub ? 2 : 0;
  }

  // ---- used memory (server/memory.ts's header) and eviction's host (server/evict.ts) ----

  /**
   * used_memory: the keyspace's accounted bytes (settled),
   * the databases' tables, the clients' memory (every client's refreshed
   * first when `fresh`) and the script caches.
   */
  usedMemory(fresh = false): number {
    if (fresh) for (const c of this.clients.values()) this.updateClientMemory(c);
    const ks = this.ks;
    ks.settle();
    let tables = 0;
    const dbs = ks.dbs;
    for (let i = 0; i < dbs.length; i++) tables += dbs[i].tableBytesTotal();
    return ks.dataBytes + tables + this.clientsMemory + this.luaMemory.scriptsEval + this.luaMemory.functions;
  }

  /** Redis's updateClientMemUsage: the client's figure (CLIENT LIST tot-mem) in clientsMemory. */
  updateClientMemory(c: Client): void {
    const m = clientMemoryUsage(c, outputBufferMemory(c.mem, this.unsentOutput(c)));
    this.clientsMemory += m - c.usedMemCounted;
    c.usedMemCounted = m;
  }

  /** Redis's freeMemoryGetNotCountedMemory: the AOF buffer (no replicas yet). */
  notCountedForEvict(): number {
    return this.aof !== null && this.aof.state !== 'off' ? this.aof.feed.buf.length : 0;
  }

  /** Redis's isSafeToPerformEvictions: not while a script yields, while loading, or while clients are paused. */
  safeToEvict(): boolean {
    // a replica leaves eviction to its master (replica-ignore-maxmemory), whose DELs it applies
    if (this.repl?.upstream != null && this.config.getBool('replica-ignore-maxmemory')) return false;
    return this.yielding === null && !this.loading && this.pauseUntil === 0;
  }

  freeObjectAsync(v: Value): void {
    this.lazyfree.freeObjectAsync(v);
  }

  /** Redis's propagateDeletion: an evicted key as DEL (UNLINK when freed lazily) to the AOF and replicas. */
  propagateDeletion(dbId: number, key: string, lazy: boolean): void {
    const emit = this.propagation.emit;
    if (emit !== null) emit(dbId, [lazy ? 'UNLINK' : 'DEL', key]);
  }

  flushReplies(): void {
    this.flushPending();
  }

  latencySample(event: string, ms: number): void {
    this.latency.addSampleIfNeeded(event, Math.floor(ms));
  }

  /** Bytes of output not written yet: the reply being built and what the socket could not take. */
  unsentOutput(c: Client): number {
    return c.outBytes + (c.socket !== null ? c.socket.writableLength : 0);
  }

  /**
   * Redis's clientsCron for one client: query and reply buffer resizing, and
   * the output buffer limits, also enforced when no more output comes (a
   * soft limit's time passes while the client reads nothing).
   */
  private clientCron(c: Client, now: number): void {
    const m = c.mem;
    // Redis's clientsCronHandleTimeout: idle clients are closed, but not replicas, masters, monitors,
    // blocked (or paused) clients nor subscribers; Redis compares whole seconds
    if (this.maxIdleTime !== 0 && c.kind === 'normal' && !c.monitor && !c.blocked && !c.paused && !c.inPubSub) {
      if (Math.floor(now / 1000) - Math.floor(c.lastInteraction / 1000) > this.maxIdleTime) {
        this.log.verbose('Closing idle client');
        this.freeClient(c);
        return;
      }
    }
    clientsCronResizeQueryBuffer(m, Math.floor((now - c.lastInteraction) / 1000), c.parser.currentBulkLen);
    const unsent = this.unsentOutput(c);
    clientsCronResizeOutputBuffer(m, now, this.replyBufferPeakResetMs, this.replyBufferResizing, unsent, this.replyBufferStats);
    this.updateClientMemory(c);
    // clientsCronTrackExpansiveClients: the biggest buffers of the last seconds (INFO client_recent_max_*)
    const slot = Math.floor(now / 1000) % CLIENTS_PEAK_MEM_USAGE_SLOTS;
    const argv = c.memArgv;
    const inUsage = qbufMemory(m) + (argv !== null ? argvLength(argv) + jeSize(8 * argv.length) : 0);
    const outUsage = outputBufferMemory(m, unsent);
    if (inUsage > this.peakMemInput[slot]) this.peakMemInput[slot] = inUsage;
    if (outUsage > this.peakMemOutput[slot]) this.peakMemOutput[slot] = outUsage;
    // Redis's clientsCron: the client's memory measured again (for eviction, and INFO), then the output limits
    const ev = this.clientEviction;
    if (!ev.updateAndBucket(c)) ev.updateMemoryUsage(c);
    if (unsent !== 0) this.overOutputLimit(c, unsent, false);
  }

  /** the biggest client input and output buffers seen in each of the last 8 seconds */
  private readonly peakMemInput = new Array<number>(CLIENTS_PEAK_MEM_USAGE_SLOTS).fill(0);
  private readonly peakMemOutput = new Array<number>(CLIENTS_PEAK_MEM_USAGE_SLOTS).fill(0);

  /** Redis's getExpansiveClientsInfo: [client_recent_max_input_buffer, client_recent_max_output_buffer]. */
  expansiveClients(): [number, number] {
    return [Math.max(...this.peakMemInput), Math.max(...this.peakMemOutput)];
  }

  /** clients still to visit in this round of clientsCron */
  private cronClients: Client[] = [];
  private cronClientsPos = 0;

  /**
   * Redis's clientsCron: each tick visits numclients/hz clients (at least 5),
   * so that every client is visited about once a second whatever their number.
   */
  private clientsCron(now: number): void {
    const zero = (Math.floor(now / 1000) + 1) % CLIENTS_PEAK_MEM_USAGE_SLOTS;
    this.peakMemInput[zero] = 0;
    this.peakMemOutput[zero] = 0;
    const n = this.clients.size;
    let iterations = Math.max(Math.floor(n / this.hz), Math.min(n, 5));
    while (iterations-- > 0) {
      if (this.cronClientsPos >= this.cronClients.length) {
        this.cronClients = [...this.clients.values()];
        this.cronClientsPos = 0;
        if (this.cronClients.length === 0) return;
      }
      const c = this.cronClients[this.cronClientsPos++];
      if (!c.closed) this.clientCron(c, now);
    }
    if (this.cronClientsPos >= this.cronClients.length) this.cronClients = [];
  }

  /** reply buffer resizing (DEBUG REPLYBUFFER RESIZING) and its peak reset time in ms (PEAK-RESET-TIME, -1 never) */
  replyBufferResizing = true;
  replyBufferPeakResetMs = 5000;
  /** reply buffer resizes done by the cron (INFO stats) */
  readonly replyBufferStats: ReplyBufferStats = { shrinks: 0, expands: 0 };

  private freeClientAfterWrite(c: Client): void {
    const s = c.socket!;
    if (s.writableLength === 0) this.freeClient(c);
    else s.once('finish', () => this.freeClient(c));
  }

  /** Queues a client whose replies were produced outside its own read event. */
  markPending(c: Client): void {
    if (!c.pendingWrite) {
      c.pendingWrite = true;
      this.pending.push(c);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flushPendingCallback);
      }
    }
  }

  private flushScheduled = false;
  private readonly flushPendingCallback = (): void => this.flushPending();

  /** Writes every pending client's replies (end of the loop iteration, or at once where a caller needs it). */
  flushPending(): void {
    this.flushScheduled = false;
    for (const h of this.beforeReplies) h();
    const list = this.pending;
    if (list.length !== 0) {
      this.pending = [];
      for (const c of list) {
        c.pendingWrite = false;
        this.flushClient(c);
      }
    }
    // Redis's beforeSleep: clients over maxmemory-clients go once the replies were written
    if (this.clientEviction.enabled) this.clientEviction.evictClients();
  }

  /** Redis's getClientType: master, replica (a monitor counts as normal), pub/sub, normal. */
  clientType(c: Client): number {
    if (c.kind === 'master') return CLIENT_TYPE_MASTER;
    if (c.kind === 'replica') return CLIENT_TYPE_SLAVE;
    return c.inPubSub ? CLIENT_TYPE_PUBSUB : CLIENT_TYPE_NORMAL;
  }
}

/** Runs a shutdown step to its end, giving the event loop the turns it asks for. */
async function runStep(step: ShutdownStep): Promise<boolean> {
  if (step === undefined || typeof step === 'boolean') return step !== false;
  for (;;) {
    const r = step.next();
    if (r.done === true) return r.value !== false;
    const ms = r.value;
    await new Promise<void>((res) => (ms > 0 ? setTimeout(res, ms) : setImmediate(res)));
  }
}

/** Runs a shutdown step at once: its waits block (SHUTDOWN inside EXEC). */
function runStepSync(step: ShutdownStep): boolean {
  if (step === undefined || typeof step === 'boolean') return step !== false;
  for (;;) {
    const r = step.next();
    if (r.done === true) return r.value !== false;
    sleepBlocking(r.value);
  }
}

/**
 * Re-wraps an accepted connection's handle in a socket that reads into the
 * shared buffer (net.Socket's documented `onread` option, which net.Server
 * does not offer for accepted connections): no Buffer allocated per read and
 * no readable-stream machinery per event, a third of Node's per-read cost
 * (bench: a bare 16-reply server went from 255 to 180 ns per request). The
 * connection was accepted paused (pauseOnConnect), so no byte has been read
 * yet; the accepted socket gives up its handle and is destroyed without
 * closing it, which keeps net.Server's connection count right.
 */
function adoptSocket(accepted: net.Socket, onRead: (n: number) => void): net.Socket {
  const a = accepted as unknown as { _handle: unknown };
  const handle = a._handle;
  a._handle = null;
  accepted.destroy();
  const socket = new net.Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: SHARED_READ_BUFFER,
      callback: (n: number) => {
        onRead(n);
        return true;
      },
    },
  } as net.SocketConstructorOpts);
  socket.setNoDelay(true);
  return socket;
}

/** The client's address is 127.0.0.1 or ::1 (Redis 7.0's islocalClient), IPv4-mapped included. */
function isLoopback(ip: string | undefined): boolean {
  if (ip === undefined) return false;
  if (ip.startsWith('::ffff:')) ip = ip.slice(7);
  return ip === '127.0.0.1' || ip === '::1';
}

/** CONFIG SET's reason when a tls-* change cannot be applied (Redis's applyTlsCfg / applyTLSPort) */
const TLS_UPDATE_FAILED = 'Unable to update TLS configuration. Check server logs.';
/** the settings whose change rebuilds the TLS context (Redis's applyTlsCfg); tls-port and tls-auth-clients act otherwise */
const TLS_CONTEXT_PARAMS = [
  'tls-cert-file',
  'tls-key-file',
  'tls-key-file-pass',
  'tls-client-cert-file',
  'tls-client-key-file',
  'tls-client-key-file-pass',
  'tls-dh-params-file',
  'tls-ca-cert-file',
  'tls-ca-cert-dir',
  'tls-protocols',
  'tls-ciphers',
  'tls-ciphersuites',
  'tls-prefer-server-ciphers',
  'tls-session-caching',
  'tls-session-cache-size',
  'tls-session-cache-timeout',
  'tls-replication',
  'tls-cluster',
];

/** What a non-loopback client gets in protected mode before being closed (Redis 7.0's text). */
const PROTECTED_MODE_DENIED =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you ' +
  'may adopt one of the following solutions: 1) Just disable protected mode sending the command ' +
  "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, " +
  'however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. ' +
  '2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected ' +
  "mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with " +
  "the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of " +
  'the above things in order for the server to start accepting connections from the outside.\r\n';

function fmtAddr(ip: string | undefined, port: number | undefined): string {
  if (ip === undefined) return '';
  if (ip.startsWith('::ffff:')) ip = ip.slice(7);
  // Redis's anetFormatAddr: IPv6 addresses in brackets
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
