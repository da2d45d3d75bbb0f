/**
 * INFO's sections the server core owns (Redis's genRedisInfoString,
 * server.c): server, clients, stats, replication, cpu, modules,
 * commandstats, errorstats, cluster, keyspace — with Redis 7.0's field names
 * and order, and this process's real figures. Replication, modules and
 * cluster say what a standalone master without them says; the subsystem that
 * brings one registers its own section in place of this one (server/info.ts).
 */
import { resolve } from 'node:path';
import os from 'node:os';
import type { ServerContext } from '../commands/context.js';
import type { InfoFields } from './info.js';
import { fixed } from '../util/numbers.js';
import { LRU_CLOCK_MAX } from '../keyspace/keyspace.js';
import { GKV_VERSION, REDIS_VERSION } from '../version.js';

/** Registers the core's sections on s.info. */
export function registerCoreInfo(s: ServerContext): void {
  const info = s.info;
  info.register('server', () => serverFields(s));
  info.register('clients', () => clientsFields(s));
  info.register('stats', () => statsFields(s));
  info.register('replication', () => replicationFields(s));
  info.register('cpu', cpuFields);
  info.register('modules', () => []);
  info.register('commandstats', () => commandstatsFields(s));
  info.register('errorstats', () => errorstatsFields(s));
  info.register('cluster', () => [['cluster_enabled', 0]]);
  info.register('keyspace', () => keyspaceFields(s));
}

function serverFields(s: ServerContext): InfoFields {
  const now = Date.now();
  const uptime = Math.floor((now - s.startTime) / 1000);
  const cf = s.config.configFile;
  return [
    ['redis_version', REDIS_VERSION],
    // gKV's own release, beside the Redis version clients read to pick features
    ['gkv_version', GKV_VERSION],
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

function clientsFields(s: ServerContext): InfoFields {
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
    ['tracking_clients', s.tracking.clients],
    ['clients_in_timeout_table', s.blocking.timeoutCount], // blocked clients with a timeout (server/blocking.ts)
  ];
}

function statsFields(s: ServerContext): InfoFields {
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
    ['total_net_repl_output_bytes', st.netReplOutput],
    ['instantaneous_input_kbps', fixed(st.instIn, 2)],
    ['instantaneous_output_kbps', fixed(st.instOut, 2)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', st.syncFull],
    ['sync_partial_ok', st.syncPartialOk],
    ['sync_partial_err', st.syncPartialErr],
    ['expired_keys', ks.expiredKeys],
    ['expired_stale_perc', fixed(ks.expiredStalePerc * 100, 2)],
    ['expired_time_cap_reached_count', ks.expiredTimeCapReachedCount],
    ['expire_cycle_cpu_milliseconds', ks.expireCycleCpuMs],
    ['evicted_keys', ks.evictedKeys],
    ['evicted_clients', s.clientEviction.evicted],
    ['total_eviction_exceeded_time', s.evictor.exceededTimes()[0]],
    ['current_eviction_exceeded_time', s.evictor.exceededTimes()[1]],
    ['keyspace_hits', ks.keyspaceHits],
    ['keyspace_misses', ks.keyspaceMisses],
    ['pubsub_channels', channels.size],
    ['pubsub_patterns', patterns],
    ['pubsubshard_channels', shard.size],
    ['latest_fork_usec', s.children.latestForkUsec],
    ['total_forks', s.children.totalForks],
    ['migrate_cached_sockets', s.migrateCache.size],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', s.tracking.totalKeys],
    ['tracking_total_items', s.tracking.totalItems],
    ['tracking_total_prefixes', s.tracking.totalPrefixes],
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

function replicationFields(s: ServerContext): InfoFields {
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

function commandstatsFields(s: ServerContext): InfoFields {
  const out: InfoFields = [];
  for (const spec of s.table.all()) {
    const st = spec.stats;
    if (st.calls === 0 && st.failed === 0 && st.rejected === 0) continue;
    const usec = Math.round(st.usec);
    out.push([`cmdstat_${spec.fullName}`, `calls=${st.calls},usec=${usec},usec_per_call=${fixed(st.calls === 0 ? 0 : usec / st.calls, 2)},rejected_calls=${st.rejected},failed_calls=${st.failed}`]);
  }
  return out;
}

function errorstatsFields(s: ServerContext): InfoFields {
  return [...s.stats.errorCounts.keys()].sort().map((k) => [`errorstat_${k}`, `count=${s.stats.errorCounts.get(k)}`]);
}

function keyspaceFields(s: ServerContext): InfoFields {
  const out: InfoFields = [];
  for (const db of s.ks.dbs) {
    const keys = db.size;
    const expires = db.expiresCount;
    if (keys === 0 && expires === 0) continue;
    out.push([`db${db.id}`, `keys=${keys},expires=${expires},avg_ttl=${Math.round(db.avgTtl)}`]);
  }
  return out;
}
