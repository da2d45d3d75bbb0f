/**
 * The redis.conf parameters gKV knows, with Redis 7.0's names, types,
 * defaults and bounds (CONFIG GET shows them in the same canonical form as
 * Redis). Parameters that act on the running server have apply hooks
 * registered in server.ts.
 */
import type { ParamDef } from './config.js';
import { ConfigError, parseMemory } from './config.js';

const MB = 1024 * 1024;
const INT_MAX = 2147483647;
const LONG_MAX = Number.MAX_SAFE_INTEGER;

function saveParam(v: string): string {
  const t = v.trim();
  if (t === '') return '';
  const parts = t.split(/\s+/);
  if (parts.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
  for (const p of parts) if (!/^\d+$/.test(p)) throw new ConfigError('Invalid save parameters');
  return parts.map(Number).join(' ');
}

function outputBufferLimit(v: string): string {
  const parts = v.trim().split(/\s+/);
  if (parts.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
  const cur = new Map<string, string>([
    ['normal', '0 0 0'],
    ['slave', '268435456 67108864 60'],
    ['pubsub', '33554432 8388608 60'],
  ]);
  for (let i = 0; i < parts.length; i += 4) {
    let cls = parts[i].toLowerCase();
    if (cls === 'replica') cls = 'slave';
    if (!cur.has(cls)) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
    const hard = parseMemory(parts[i + 1]);
    const soft = parseMemory(parts[i + 2]);
    const secs = /^\d+$/.test(parts[i + 3]) ? Number(parts[i + 3]) : null;
    if (hard === null || soft === null || secs === null || hard < 0 || soft < 0)
      throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    cur.set(cls, `${hard} ${soft} ${secs}`);
  }
  return [...cur].map(([k, x]) => `${k} ${x}`).join(' ');
}

function bindParam(v: string): string {
  const parts = v.trim().split(/\s+/).filter(Boolean);
  if (parts.length > 16) throw new ConfigError('Too many bind addresses specified.');
  return parts.join(' ');
}

const bool = (name: string, def: 'yes' | 'no', extra: Partial<ParamDef> = {}): ParamDef => ({ name, type: 'bool', default: def, ...extra });
const int = (name: string, def: number, min: number, max: number, extra: Partial<ParamDef> = {}): ParamDef => ({ name, type: 'int', default: String(def), min, max, ...extra });
const mem = (name: string, def: number, min: number, max: number, extra: Partial<ParamDef> = {}): ParamDef => ({ name, type: 'memory', default: String(def), min, max, ...extra });
const str = (name: string, def: string, extra: Partial<ParamDef> = {}): ParamDef => ({ name, type: 'string', default: def, ...extra });
const en = (name: string, def: string, values: string[], extra: Partial<ParamDef> = {}): ParamDef => ({ name, type: 'enum', default: def, values, ...extra });

export const PARAMS: ParamDef[] = [
  // network
  { name: 'bind', type: 'special', default: '* -::*', parse: bindParam },
  int('port', 6379, 0, 65535),
  int('tcp-backlog', 511, 0, INT_MAX, { immutable: true }),
  int('timeout', 0, 0, INT_MAX),
  int('tcp-keepalive', 300, 0, INT_MAX),
  bool('protected-mode', 'yes'),
  str('unixsocket', '', { immutable: true }),
  int('maxclients', 10000, 1, INT_MAX),
  mem('proto-max-bulk-len', 512 * MB, 1024 * 1024, LONG_MAX),
  mem('client-query-buffer-limit', 1024 * MB, 1024 * 1024, LONG_MAX),
  { name: 'client-output-buffer-limit', type: 'special', default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', parse: outputBufferLimit },
  // general
  bool('daemonize', 'no', { immutable: true }),
  str('pidfile', '', { immutable: false }),
  en('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning', 'nothing']),
  str('logfile', '', { immutable: true }),
  int('databases', 16, 1, INT_MAX, { immutable: true }),
  int('hz', 10, 0, INT_MAX),
  bool('dynamic-hz', 'yes'),
  int('active-expire-effort', 1, 1, 10),
  str('requirepass', '', { hidden: false }),
  str('masterauth', ''),
  str('masteruser', ''),
  bool('lazyfree-lazy-eviction', 'no'),
  bool('lazyfree-lazy-expire', 'no'),
  bool('lazyfree-lazy-server-del', 'no'),
  bool('lazyfree-lazy-user-del', 'no'),
  bool('lazyfree-lazy-user-flush', 'no'),
  bool('replica-lazy-flush', 'no', { alias: 'slave-lazy-flush' }),
  // memory
  mem('maxmemory', 0, 0, LONG_MAX),
  en('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']),
  int('maxmemory-samples', 5, 1, 64),
  int('maxmemory-eviction-tenacity', 10, 0, 100),
  int('lfu-log-factor', 10, 0, INT_MAX),
  int('lfu-decay-time', 1, 0, INT_MAX),
  // persistence (acted on by the persistence layer)
  { name: 'save', type: 'special', default: '3600 1 300 100 60 10000', parse: saveParam },
  str('dir', process.cwd()),
  str('dbfilename', 'dump.rdb'),
  bool('rdbcompression', 'yes'),
  bool('rdbchecksum', 'yes'),
  bool('stop-writes-on-bgsave-error', 'yes'),
  bool('appendonly', 'no'),
  str('appendfilename', 'appendonly.aof', { immutable: true }),
  str('appenddirname', 'appendonlydir', { immutable: true }),
  en('appendfsync', 'everysec', ['always', 'everysec', 'no']),
  bool('no-appendfsync-on-rewrite', 'no'),
  int('auto-aof-rewrite-percentage', 100, 0, INT_MAX),
  mem('auto-aof-rewrite-min-size', 64 * MB, 0, LONG_MAX),
  bool('aof-load-truncated', 'yes'),
  bool('aof-use-rdb-preamble', 'yes'),
  bool('aof-timestamp-enabled', 'no'),
  bool('aof-rewrite-incremental-fsync', 'yes'),
  bool('rdb-save-incremental-fsync', 'yes'),
  bool('rdb-del-sync-files', 'no'),
  // encodings (used by the collection types)
  int('hash-max-listpack-entries', 128, 0, LONG_MAX, { alias: 'hash-max-ziplist-entries' }),
  int('hash-max-listpack-value', 64, 0, LONG_MAX, { alias: 'hash-max-ziplist-value' }),
  int('list-max-listpack-size', -2, -5, INT_MAX, { alias: 'list-max-ziplist-size' }),
  int('list-compress-depth', 0, 0, INT_MAX),
  int('set-max-intset-entries', 512, 0, LONG_MAX),
  int('zset-max-listpack-entries', 128, 0, LONG_MAX, { alias: 'zset-max-ziplist-entries' }),
  int('zset-max-listpack-value', 64, 0, LONG_MAX, { alias: 'zset-max-ziplist-value' }),
  int('stream-node-max-bytes', 4096, 0, LONG_MAX),
  int('stream-node-max-entries', 100, 0, LONG_MAX),
  int('hll-sparse-max-bytes', 3000, 0, LONG_MAX),
  bool('activerehashing', 'yes'),
  // notifications, slowlog, latency
  { name: 'notify-keyspace-events', type: 'special', default: '', parse: (v) => v },
  int('slowlog-log-slower-than', 10000, -1, LONG_MAX),
  int('slowlog-max-len', 128, 0, LONG_MAX),
  int('latency-monitor-threshold', 0, 0, LONG_MAX),
  str('latency-tracking-info-percentiles', '50 99 99.9'),
  bool('latency-tracking', 'yes'),
  // scripting, replication, cluster: known to clients that read them
  int('lua-time-limit', 5000, 0, LONG_MAX, { alias: 'busy-reply-threshold' }),
  bool('replica-read-only', 'yes', { alias: 'slave-read-only' }),
  bool('replica-serve-stale-data', 'yes', { alias: 'slave-serve-stale-data' }),
  int('repl-backlog-size', 1024 * 1024, 1, LONG_MAX),
  int('repl-timeout', 60, 1, INT_MAX),
  bool('cluster-enabled', 'no', { immutable: true }),
  str('cluster-config-file', 'nodes.conf', { immutable: true }),
  int('cluster-node-timeout', 15000, 0, LONG_MAX),
  // misc
  en('enable-debug-command', 'no', ['no', 'yes', 'local'], { immutable: true }),
  int('io-threads', 1, 1, 128, { immutable: true }),
  bool('io-threads-do-reads', 'no', { immutable: true }),
  str('tls-port', '0', { immutable: true }),
  bool('always-show-logo', 'no', { immutable: true }),
  bool('set-proc-title', 'yes', { immutable: true }),
  str('proc-title-template', '{title} {listen-addr} {server-mode}'),
  en('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], { immutable: true }),
  en('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute']),
  bool('crash-log-enabled', 'yes'),
  bool('crash-memcheck-enabled', 'yes'),
  bool('jemalloc-bg-thread', 'yes'),
  bool('activedefrag', 'no'),
  int('min-replicas-to-write', 0, 0, INT_MAX, { alias: 'min-slaves-to-write' }),
  int('min-replicas-max-lag', 10, 0, INT_MAX, { alias: 'min-slaves-max-lag' }),
  en('enable-protected-configs', 'no', ['no', 'yes', 'local'], { immutable: true }),
  en('enable-module-command', 'no', ['no', 'yes', 'local'], { immutable: true }),
  int('max-new-connections-per-cycle', 10, 1, 1000),
  str('ignore-warnings', ''),
  int('tracking-table-max-keys', 1000000, 0, LONG_MAX),
  int('active-defrag-cycle-min', 1, 1, 99),
  int('active-defrag-cycle-max', 25, 1, 99),
];
