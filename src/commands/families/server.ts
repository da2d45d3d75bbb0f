/**
 * Server commands (Redis group "server") that live in Redis's server.c: INFO,
 * TIME, SHUTDOWN, MONITOR, ROLE, WAIT — and this group's table.
 *
 * Redis splits the rest of its "server" group over other files, and so does
 * gKV: COMMAND (command.ts), CONFIG (config.ts, config.c), SLOWLOG
 * (slowlog.ts, slowlog.c), MEMORY (memory.ts, object.c), DEBUG (debug.ts,
 * debug.c, registered on its own). serverCommands gathers the rows of the
 * first four in one table, in the order they always had: COMMAND, COMMAND
 * DOCS/LIST and INFO commandstats list commands in registration order.
 *
 * INFO builds Redis 7.0's sections with the same field names and order, and
 * the process's real figures. A subsystem (persistence, replication...) can
 * replace a section's fields with registerInfoSection().
 */
import { resolve } from 'node:path';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { CommandRow } from '../spec.js';
import type { Client } from '../../server/client.js';
import type { Server } from '../../server/server.js';
import { Err } from '../../protocol/errors.js';
import { bytesToHuman, fixed, parseInt64 } from '../../util/numbers.js';
import { monitorCommand } from '../../server/monitor.js';
import { latencystatsFields } from '../../server/latency.js';
import { LRU_CLOCK_MAX } from '../../keyspace/keyspace.js';
import { SHUTDOWN_FAILED, type ShutdownFlags } from '../../server/server.js';
import { aofOf } from '../../persistence/aof/index.js';
import { rdbStateOf } from '../../persistence/rdb-install.js';
import { childInfoFields, forkStatsOf } from '../../persistence/child.js';
import { migrateCachedSockets } from '../migrate.js';
import { memFigures } from '../../server/memory.js';
import { REDIS_VERSION } from '../../version.js';
import { commandCommands } from './command.js';
import { configCommands } from './config.js';
import { slowlogCommands } from './slowlog.js';
import { memoryCommands } from './memory.js';

// ------------------------------------------------------------------ INFO

type InfoFields = [string, string | number][];
type InfoProvider = (s: Server) => InfoFields;

/** Sections in Redis 7.0's order, with their headers. */
const SECTIONS: [key: string, title: string][] = [
  ['server', 'Server'],
  ['clients', 'Clients'],
  ['memory', 'Memory'],
  ['persistence', 'Persistence'],
  ['stats', 'Stats'],
  ['replication', 'Replication'],
  ['cpu', 'CPU'],
  ['modules', 'Modules'],
  ['commandstats', 'Commandstats'],
  ['errorstats', 'Errorstats'],
  ['latencystats', 'Latencystats'],
  ['cluster', 'Cluster'],
  ['keyspace', 'Keyspace'],
];
const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];

const providers = new Map<string, InfoProvider>();

/**
 * Lets a subsystem supply a section's fields (e.g. persistence the
 * rdb_ and aof_ figures, replication the role and offsets).
 */
export function registerInfoSection(name: string, fn: InfoProvider): void {
  providers.set(name, fn);
}

/** Redis's changeReplicationId (DEBUG CHANGE-REPL-ID): a new random master_replid. */
export function changeReplicationId(s: Server): void {
  s.replId = randomBytes(20).toString('hex');
}

/** INFO's aof_ fields for a server without an AOF installed */
const AOF_OFF_FIELDS: InfoFields = [
  ['aof_enabled', 0], ['aof_rewrite_in_progress', 0], ['aof_rewrite_scheduled', 0], ['aof_last_rewrite_time_sec', -1],
  ['aof_current_rewrite_time_sec', -1], ['aof_last_bgrewrite_status', 'ok'], ['aof_rewrites', 0],
  ['aof_rewrites_consecutive_failures', 0], ['aof_last_write_status', 'ok'], ['aof_last_cow_size', 0],
];

function serverFields(s: Server): InfoFields {
  const now = Date.now();
  const uptime = Math.floor((now - s.startTime) / 1000);
  const cf = s.config.configFile;
  return [
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', '0'],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', process.platform === 'linux' ? 'epoll' : process.platform === 'darwin' ? 'kqueue' : 'select'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', s.runId],
    ['tcp_port', s.port],
    ['server_time_usec', now * 1000],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', s.hz],
    ['configured_hz', s.config.get('hz')],
    ['lru_clock', Math.floor(now / 1000) & LRU_CLOCK_MAX],
    ['executable', resolve(process.argv[1] ?? process.execPath)],
    ['config_file', cf ? resolve(cf) : ''],
    ['io_threads_active', 0],
  ];
}

function clientsFields(s: Server): InfoFields {
  let blocked = 0;
  let normal = 0;
  for (const c of s.clients.values()) {
    if (c.kind === 'replica') continue;
    normal++;
    // Redis counts clients blocked on keys and clients whose command waits for a CLIENT PAUSE
    if (c.blocked || c.paused) blocked++;
  }
  const [maxIn, maxOut] = s.expansiveClients();
  return [
    ['connected_clients', normal],
    ['cluster_connections', 0],
    ['maxclients', s.maxClients],
    ['client_recent_max_input_buffer', maxIn],
    ['client_recent_max_output_buffer', maxOut],
    ['blocked_clients', blocked],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', s.blocking.timeoutCount], // blocked clients with a timeout (server/blocking.ts)
  ];
}


function memoryFields(s: Server): InfoFields {
  const { used, rss, peak, startup, clientBufs, overhead, dataset, netUsed, allocated, active, resident } = memFigures(s);
  const m = { rss };
  const maxmemory = Number(s.config.get('maxmemory'));
  const total = os.totalmem();
  const r2 = (a: number, b: number) => fixed(b === 0 ? 0 : a / b, 2);
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', m.rss],
    ['used_memory_rss_human', bytesToHuman(m.rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', `${fixed(peak === 0 ? 0 : (used * 100) / peak, 2)}%`],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', startup],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', `${fixed(netUsed <= 0 ? 0 : (dataset * 100) / netUsed, 2)}%`],
    ['allocator_allocated', allocated],
    ['allocator_active', active],
    ['allocator_resident', resident],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', s.config.get('maxmemory-policy')],
    ['allocator_frag_ratio', r2(active, allocated)],
    ['allocator_frag_bytes', active - allocated],
    ['allocator_rss_ratio', r2(resident, active)],
    ['allocator_rss_bytes', resident - active],
    ['rss_overhead_ratio', r2(m.rss, resident)],
    ['rss_overhead_bytes', m.rss - resident],
    ['mem_fragmentation_ratio', r2(m.rss, used)],
    ['mem_fragmentation_bytes', m.rss - used],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', clientBufs],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', 'libc'],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', s.lazyfree.pending],
    ['lazyfreed_objects', s.lazyfree.freed],
  ];
}

/** INFO's loading_* fields, present only while a load whose size is known runs (as Redis). */
function loadingFields(s: Server): InfoFields {
  const l = s.loadingInfo;
  if (!s.loading || l === null) return [];
  const elapsed = Math.max(0, Date.now() / 1000 - l.start);
  const perc = l.totalBytes === 0 ? 0 : (l.loadedBytes / l.totalBytes) * 100;
  const eta = l.loadedBytes === 0 ? 1 : Math.round(((l.totalBytes - l.loadedBytes) / (l.loadedBytes / Math.max(elapsed, 0.001))));
  return [
    ['loading_start_time', l.start],
    ['loading_total_bytes', l.totalBytes],
    ['loading_rdb_used_mem', 0],
    ['loading_loaded_bytes', l.loadedBytes],
    ['loading_loaded_perc', fixed(perc, 2)],
    ['loading_eta_seconds', eta],
  ];
}

function persistenceFields(s: Server): InfoFields {
  // the aof_ fields come from the AOF (persistence/aof/writer.ts); aof.tail only while it is on
  const aof = aofOf(s)?.infoFields() ?? { head: AOF_OFF_FIELDS, tail: [] };
  return [
    ['loading', s.loading ? 1 : 0],
    ['async_loading', 0],
    ...childInfoFields(s),
    ...(rdbStateOf(s)?.infoFields() ?? [
      ['rdb_changes_since_last_save', s.ks.dirty], ['rdb_bgsave_in_progress', 0],
      ['rdb_last_save_time', Math.floor(s.startTime / 1000)], ['rdb_last_bgsave_status', 'ok'],
      ['rdb_last_bgsave_time_sec', -1], ['rdb_current_bgsave_time_sec', -1], ['rdb_saves', 0],
      ['rdb_last_cow_size', 0], ['rdb_last_load_keys_expired', 0], ['rdb_last_load_keys_loaded', 0],
    ] as InfoFields),
    ...aof.head,
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
    ...aof.tail,
    ...loadingFields(s),
  ];
}

function statsFields(s: Server): InfoFields {
  const st = s.stats;
  const ks = s.ks.stats;
  const { channels, shardChannels: shard } = s.pubsub;
  const patterns = s.pubsub.patterns.size;
  return [
    ['total_connections_received', st.totalConnections],
    ['total_commands_processed', st.numCommands],
    ['instantaneous_ops_per_sec', st.instOps],
    ['total_net_input_bytes', st.netInput],
    ['total_net_output_bytes', st.netOutput],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', fixed(st.instIn, 2)],
    ['instantaneous_output_kbps', fixed(st.instOut, 2)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', ks.expiredKeys],
    ['expired_stale_perc', fixed(ks.expiredStalePerc * 100, 2)],
    ['expired_time_cap_reached_count', ks.expiredTimeCapReachedCount],
    ['expire_cycle_cpu_milliseconds', ks.expireCycleCpuMs],
    ['evicted_keys', ks.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', ks.keyspaceHits],
    ['keyspace_misses', ks.keyspaceMisses],
    ['pubsub_channels', channels.size],
    ['pubsub_patterns', patterns],
    ['pubsubshard_channels', shard.size],
    ['latest_fork_usec', forkStatsOf(s).latestUsec],
    ['total_forks', forkStatsOf(s).total],
    ['migrate_cached_sockets', migrateCachedSockets(s)],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', 0],
    ['tracking_total_items', 0],
    ['tracking_total_prefixes', 0],
    ['unexpected_error_replies', 0],
    ['total_error_replies', st.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', st.readsProcessed],
    ['total_writes_processed', st.writesProcessed],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', s.replyBufferStats.shrinks],
    ['reply_buffer_expands', s.replyBufferStats.expands],
  ];
}

function replicationFields(s: Server): InfoFields {
  return [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', s.replId],
    ['master_replid2', '0000000000000000000000000000000000000000'],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', Number(s.config.get('repl-backlog-size'))],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ];
}

function cpuFields(): InfoFields {
  const u = process.cpuUsage();
  const secs = (us: number) => `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
  return [
    ['used_cpu_sys', secs(u.system)],
    ['used_cpu_user', secs(u.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', secs(u.system)],
    ['used_cpu_user_main_thread', secs(u.user)],
  ];
}

function commandstatsFields(s: Server): InfoFields {
  const out: InfoFields = [];
  for (const spec of s.table.all()) {
    const st = spec.stats;
    if (st.calls === 0 && st.failed === 0 && st.rejected === 0) continue;
    const usec = Math.round(st.usec);
    out.push([
      `cmdstat_${spec.fullName}`,
      `calls=${st.calls},usec=${usec},usec_per_call=${fixed(st.calls === 0 ? 0 : usec / st.calls, 2)},rejected_calls=${st.rejected},failed_calls=${st.failed}`,
    ]);
  }
  return out;
}

function errorstatsFields(s: Server): InfoFields {
  return [...s.stats.errorCounts.keys()].sort().map((k) => [`errorstat_${k}`, `count=${s.stats.errorCounts.get(k)}`]);
}

function keyspaceFields(s: Server): InfoFields {
  const out: InfoFields = [];
  for (const db of s.ks.dbs) {
    const keys = db.size;
    const expires = db.expiresCount;
    if (keys === 0 && expires === 0) continue;
    out.push([`db${db.id}`, `keys=${keys},expires=${expires},avg_ttl=${Math.round(db.avgTtl)}`]);
  }
  return out;
}

const BUILTIN: Record<string, InfoProvider> = {
  server: serverFields,
  clients: clientsFields,
  memory: memoryFields,
  persistence: persistenceFields,
  stats: statsFields,
  replication: replicationFields,
  cpu: cpuFields,
  modules: () => [],
  commandstats: commandstatsFields,
  errorstats: errorstatsFields,
  latencystats: latencystatsFields,
  cluster: () => [['cluster_enabled', 0]],
  keyspace: keyspaceFields,
};

/** Redis's genRedisInfoString for the requested section names ([] = default). */
export function genInfoString(s: Server, names: string[]): string {
  const want = new Set<string>();
  if (names.length === 0) for (const n of DEFAULT_SECTIONS) want.add(n);
  for (const raw of names) {
    const n = raw.toLowerCase();
    if (n === 'default') for (const x of DEFAULT_SECTIONS) want.add(x);
    else if (n === 'all' || n === 'everything') for (const [x] of SECTIONS) want.add(x);
    else if (n === 'module_list') want.add('modules');
    else want.add(n);
  }
  let out = '';
  let count = 0;
  for (const [key, title] of SECTIONS) {
    if (!want.has(key)) continue;
    const fields = (providers.get(key) ?? BUILTIN[key])(s);
    if (count++ > 0) out += '\r\n';
    out += `# ${title}\r\n`;
    for (const [k, v] of fields) out += `${k}:${v}\r\n`;
  }
  return out;
}

function infoCommand(c: Client, argv: string[], s: Server): void {
  c.addVerbatim(genInfoString(s, argv.slice(1)));
}

// ------------------------------------------------------------------ SHUTDOWN

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] | SHUTDOWN ABORT, as Redis 7.0's
 * shutdownCommand: the steps run (Server.prepareForShutdown); the client
 * gets no reply when the server stops, and "Errors trying to SHUTDOWN" when a
 * step failed without FORCE (the server then stays up). ABORT cancels a
 * shutdown a signal asked for that has not started.
 */
function shutdownCommand(c: Client, argv: string[], s: Server): void {
  const flags: ShutdownFlags = { save: false, nosave: false, now: false, force: false };
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a === 'nosave') flags.nosave = true;
    else if (a === 'save') flags.save = true;
    else if (a === 'now') flags.now = true;
    else if (a === 'force') flags.force = true;
    else if (a === 'abort') abort = true;
    else throw Err.syntax();
  }
  const any = flags.save || flags.nosave || flags.now || flags.force;
  if ((abort && any) || (flags.save && flags.nosave)) throw Err.syntax();
  if (abort) {
    if (!s.abortShutdown()) throw Err.raw('ERR No shutdown in progress.');
    c.addOK();
    return;
  }
  if (!flags.now && s.inExec) throw Err.raw("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client");
  if (s.inExec) {
    // inside EXEC the outcome is this command's reply: the steps run at once
    if (s.prepareForShutdown(flags, true) === false) throw Err.raw(SHUTDOWN_FAILED);
    return;
  }
  // no reply: the connection closes as the server goes away, or the error comes when it stays up
  s.shutdownFrom(c, flags);
}

// ---------------------------------------------------------------- ROLE, WAIT (no replication yet: a master without replicas)

/** ROLE of a master with no replicas: ["master", master_repl_offset, []]. */
function roleCommand(c: Client): void {
  c.addArrayLen(3);
  c.addBulk('master');
  c.addInt(0);
  c.addArrayLen(0);
}

/**
 * WAIT numreplicas timeout: no replica acknowledges anything, so the count is
 * 0 — at once when 0 is enough (or inside EXEC), else after the timeout in
 * ms (0 = forever), or when CLIENT UNBLOCK ends the wait, as Redis 7.0 does.
 */
function waitCommand(c: Client, argv: string[], s: Server): void {
  const numreplicas = parseInt64(argv[1]);
  if (numreplicas === null) throw Err.notInteger();
  const t = parseInt64(argv[2]);
  if (t === null) throw Err.raw('ERR timeout is not an integer or out of range');
  if (t < 0) throw Err.timeoutNegative();
  const acked = 0;
  if (acked >= numreplicas || !s.blocking.mayBlock()) {
    c.addInt(acked);
    return;
  }
  const ms = Number(t);
  const timeout = ms === 0 || ms > Number.MAX_SAFE_INTEGER - s.ks.now ? 0 : s.ks.now + ms;
  s.blocking.block(c, { type: 'string', keys: [], timeout, serve: () => false, onTimeout: (bc) => bc.addInt(acked) });
}


/** TIME: the wall clock as [seconds, microseconds], read now (not the command's cached time), as Redis's gettimeofday. */
function timeCommand(c: Client): void {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const sec = Math.floor(us / 1e6);
  c.addArrayLen(2);
  c.addBulk(String(sec));
  c.addBulk(String(us - sec * 1e6));
}

// ------------------------------------------------------------------ table

export const serverCommands: CommandRow[] = [
  ...commandCommands,
  { name: 'info', handler: infoCommand },
  { name: 'time', handler: timeCommand },
  ...configCommands,
  { name: 'shutdown', handler: shutdownCommand },
  { name: 'monitor', handler: monitorCommand },
  { name: 'role', handler: roleCommand },
  { name: 'wait', handler: waitCommand },
  ...slowlogCommands,
  ...memoryCommands,
];
