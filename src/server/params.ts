/**
 * The redis.conf parameters gKV knows: every parameter CONFIG GET * lists in
 * Redis 7.0, with Redis's names, aliases, types, built-in defaults (what a
 * redis-server started without a config file reports, e.g.
 * hash-max-listpack-entries 512), bounds and mutability, so that CONFIG GET
 * shows the same canonical values and CONFIG SET gives the same errors.
 * Parameters that act on the running server have apply hooks registered in
 * server.ts; the others are stored and reported (clients and tools read them).
 *
 * Types follow Redis's config.c: bool (yes/no), int (string2ll, bounds),
 * memory (memtoull units, shown in bytes), enum, string, and 'special' for the
 * ones with their own syntax (save, bind, client-output-buffer-limit,
 * notify-keyspace-events, ...), whose parse functions throw Redis's messages.
 */
import type { ParamDef } from './config.js';
import { ConfigError, memToULL } from './config.js';
import { statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { validateProcTitleTemplate } from './proc-title.js';

const MB = 1024 * 1024;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const UINT_MAX = 4294967295;
const LONG_MAX = 9223372036854775807n;

/** Redis's save: pairs "seconds changes" (seconds >= 1, changes >= 0), or "" for none. */
function saveParam(v: string): string {
  // CONFIG SET splits on single spaces; config files join the directive's arguments
  const parts = v.split(' ');
  if (parts.length === 1 && parts[0] === '') return '';
  if (parts.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
  const nums: number[] = [];
  for (let j = 0; j < parts.length; j++) {
    if (!/^[+-]?\d+$/.test(parts[j])) throw new ConfigError('Invalid save parameters');
    const n = Number(parts[j]);
    if ((j % 2 === 0 && n < 1) || (j % 2 === 1 && n < 0)) throw new ConfigError('Invalid save parameters');
    nums.push(n);
  }
  return nums.join(' ');
}

/** client-output-buffer-limit <class> <hard> <soft> <soft-seconds> ... merged into the current value. */
function outputBufferLimit(v: string, current = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60'): string {
  const parts = v.split(' ');
  if (parts.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
  const cur = new Map<string, string>();
  const c = current.split(' ');
  for (let i = 0; i + 3 < c.length; i += 4) cur.set(c[i], `${c[i + 1]} ${c[i + 2]} ${c[i + 3]}`);
  for (let i = 0; i < parts.length; i += 4) {
    let cls = parts[i].toLowerCase();
    if (cls === 'replica') cls = 'slave';
    if (!cur.has(cls)) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
    const hard = memToULL(parts[i + 1]);
    const soft = memToULL(parts[i + 2]);
    const secs = /^-?\d+$/.test(parts[i + 3]) ? Number(parts[i + 3]) : null;
    if (hard === null || soft === null || secs === null || secs < 0) {
      throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    cur.set(cls, `${hard} ${soft} ${secs}`);
  }
  return [...cur].map(([k, x]) => `${k} ${x}`).join(' ');
}

function bindParam(v: string): string {
  const parts = v.split(' ').filter(Boolean);
  if (parts.length > 16) throw new ConfigError('Too many bind addresses specified.');
  return parts.join(' ');
}

/** notify-keyspace-events: Redis's class characters, shown canonically (keyspaceEventsFlagsToString). */
const NOTIFY_CLASSES = 'g$lshzxetd'; // what 'A' stands for
function notifyParam(v: string): string {
  const set = new Set<string>();
  for (const ch of v) {
    if (ch === 'A') for (const x of NOTIFY_CLASSES) set.add(x);
    else if ('g$lshzxeKEtmdn'.includes(ch)) set.add(ch);
    else throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  let out = '';
  if ([...NOTIFY_CLASSES].every((x) => set.has(x))) out = 'A' + (set.has('n') ? 'n' : '');
  else for (const x of 'g$lshzxetdn') if (set.has(x)) out += x;
  for (const x of 'KEm') if (set.has(x)) out += x;
  return out;
}

/** 'n' is not part of 'A', and Redis 7.0 does not show it next to 'A' (it still sends "new" events). */
function notifyShow(stored: string): string {
  return stored.startsWith('An') ? 'A' + stored.slice(2) : stored;
}

function loglevelParam(v: string): string {
  const l = v.toLowerCase();
  // 'nothing' is accepted for the library API's quiet default; Redis 7.0 lists four levels
  if (['debug', 'verbose', 'notice', 'warning', 'nothing'].includes(l)) return l;
  throw new ConfigError('argument(s) must be one of the following: debug, verbose, notice, warning');
}

function percentilesParam(v: string): string {
  if (v === '') return '';
  const out: string[] = [];
  for (const p of v.split(' ')) {
    const n = Number(p);
    if (p === '' || !Number.isFinite(n) || !/^[\s+-]?[0-9.eE+-]+$/.test(p)) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
    if (n < 0 || n > 100) throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
    out.push(String(n));
  }
  return out.join(' ');
}

function oomValuesParam(v: string): string {
  const parts = v.split(' ');
  if (parts.length !== 3) throw new ConfigError('wrong number of arguments');
  const out = parts.map((p) => {
    const n = /^[+-]?\d+$/.test(p) ? Number(p) : NaN;
    if (!(n >= -2000 && n <= 2000)) throw new ConfigError('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
    return String(n);
  });
  return out.join(' ');
}

/** maxmemory-clients: a memory value, or a percentage of maxmemory ("10%", at most 100). */
function memoryOrPercent(v: string): string {
  if (v.endsWith('%')) {
    const n = /^\d+$/.test(v.slice(0, -1)) ? Number(v.slice(0, -1)) : NaN;
    if (Number.isNaN(n)) throw new ConfigError('argument must be a memory or percent value');
    if (n > 100) throw new ConfigError('percentage argument must be less or equal to 100');
    return `${n}%`;
  }
  const m = memToULL(v);
  if (m === null) throw new ConfigError('argument must be a memory or percent value');
  return String(m);
}

/** Multi-value enums (shutdown-on-sigint/sigterm): space-separated flags, shown in the enum's order. */
function enumFlags(values: string[], zero: string) {
  return (v: string): string => {
    const toks = v.toLowerCase().split(' ');
    for (const t of toks) {
      if (!values.includes(t)) throw new ConfigError(`argument(s) must be one of the following: ${values.join(', ')}`);
    }
    const set = new Set(toks.filter((t) => t !== zero));
    if (set.size === 0) return zero;
    return values.filter((x) => set.has(x)).join(' ');
  };
}

function hostnameParam(v: string): string {
  if (!/^[A-Za-z0-9.-]*$/.test(v)) throw new ConfigError('Hostnames may only contain alphanumeric characters, hyphens or dots');
  return v;
}

/** replicaof <host> <port> | no one (Redis's setConfigReplicaOfOption): "" when not a replica. */
function replicaofParam(v: string): string {
  const parts = v.split(' ');
  if (parts.length !== 2) throw new ConfigError('wrong number of arguments');
  if (parts[0].toLowerCase() === 'no' && parts[1].toLowerCase() === 'one') return '';
  // strtol: optional spaces and sign, then digits up to the end
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(parts[1]);
  const port = m ? Number(m[1]) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError('Invalid master port');
  return `${parts[0]} ${port}`;
}

/**
 * dir: Redis chdir()s there and CONFIG GET shows getcwd(), an absolute path;
 * gKV (one process may run several servers) keeps the absolute path and
 * resolves its files against it. A directory that cannot be entered is
 * refused with chdir's error text.
 */
function dirParam(v: string): string {
  const abs = resolvePath(v);
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : String(code));
  }
  if (!st.isDirectory()) throw new ConfigError('Not a directory');
  return abs;
}

/**
 * unixsocketperm: octal (Redis's OCTAL_CONFIG), 0 to 777, shown in octal.
 * Parsed as strtoll(v, &end, 8) with the whole string consumed: leading
 * spaces and a sign are taken, "" is 0, "-1" is out of range, "8" or "0x1"
 * is not octal.
 */
function octalPermParam(v: string): string {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-7]+)$/.exec(v);
  if (m === null && v !== '') throw new ConfigError("argument couldn't be parsed as an octal number");
  const n = m === null ? 0 : (m[1] === '-' ? -1 : 1) * parseInt(m[2], 8);
  if (n < 0 || n > 0o777) throw new ConfigError('argument must be between 0 and 777 inclusive');
  return n.toString(8);
}

function procTitleParam(v: string): string {
  try {
    return validateProcTitleTemplate(v);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

function dbfilenameParam(v: string): string {
  if (v.includes('/')) throw new ConfigError("dbfilename can't be a path, just a filename");
  return v;
}

const bool = (name: string, def: 'yes' | 'no', extra: Partial<ParamDef> = {}): ParamDef => ({ name, type: 'bool', default: def, ...extra });
const int = (name: string, def: number, min: number | bigint, max: number | bigint, extra: Partial<ParamDef> = {}): ParamDef => ({ name, type: 'int', default: String(def), min, max, ...extra });
const mem = (name: string, def: number, min: number | bigint, max: number | bigint, extra: Partial<ParamDef> = {}): ParamDef => ({ name, type: 'memory', default: String(def), min, max, ...extra });
const str = (name: string, def: string, extra: Partial<ParamDef> = {}): ParamDef => ({ name, type: 'string', default: def, ...extra });
const en = (name: string, def: string, values: string[], extra: Partial<ParamDef> = {}): ParamDef => ({ name, type: 'enum', default: def, values, ...extra });
const special = (name: string, def: string, parse: (v: string, current: string) => string, extra: Partial<ParamDef> = {}): ParamDef => ({ name, type: 'special', default: def, parse, ...extra });
const immutable = { immutable: true };
const YES_NO_LOCAL = ['no', 'yes', 'local'];
/** Redis's MULTI_ARG_CONFIG */
const multi = { multiArg: true };

export const PARAMS: ParamDef[] = [
  // ---- network
  special('bind', '* -::*', bindParam, multi),
  str('bind-source-addr', ''),
  int('port', 6379, 0, 65535),
  int('tcp-backlog', 511, 0, INT_MAX, immutable),
  int('timeout', 0, 0, INT_MAX),
  int('tcp-keepalive', 300, 0, INT_MAX),
  bool('protected-mode', 'yes'),
  str('unixsocket', '', immutable),
  special('unixsocketperm', '0', octalPermParam, immutable),
  int('socket-mark-id', 0, 0, UINT_MAX, immutable),
  int('maxclients', 10000, 1, UINT_MAX),
  mem('proto-max-bulk-len', 512 * MB, 1024 * 1024, LONG_MAX),
  mem('client-query-buffer-limit', 1024 * MB, 1024 * 1024, LONG_MAX),
  special('client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', (v, cur) => outputBufferLimit(v, cur), multi),
  // ---- general
  bool('daemonize', 'no', immutable),
  str('pidfile', '', immutable),
  special('loglevel', 'notice', loglevelParam),
  str('logfile', '', immutable),
  bool('syslog-enabled', 'no', immutable),
  str('syslog-ident', 'redis', immutable),
  en('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], immutable),
  int('databases', 16, 1, INT_MAX, immutable),
  int('hz', 10, 0, INT_MAX, { post: (v) => String(Math.min(500, Math.max(1, Number(v)))) }),
  bool('dynamic-hz', 'yes'),
  int('active-expire-effort', 1, 1, 10),
  bool('always-show-logo', 'no', immutable),
  bool('set-proc-title', 'yes', immutable),
  str('proc-title-template', '{title} {listen-addr} {server-mode}', { parse: procTitleParam }),
  en('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], immutable),
  bool('crash-log-enabled', 'yes'),
  bool('crash-memcheck-enabled', 'yes'),
  bool('disable-thp', 'yes', immutable),
  en('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute']),
  special('oom-score-adj-values', '0 200 800', oomValuesParam, multi),
  str('ignore-warnings', ''),
  special('shutdown-on-sigint', 'default', enumFlags(['default', 'save', 'nosave', 'now', 'force'], 'default'), multi),
  special('shutdown-on-sigterm', 'default', enumFlags(['default', 'save', 'nosave', 'now', 'force'], 'default'), multi),
  int('shutdown-timeout', 10, 0, INT_MAX),
  en('enable-protected-configs', 'no', YES_NO_LOCAL, immutable),
  en('enable-debug-command', 'no', YES_NO_LOCAL, immutable),
  en('enable-module-command', 'no', YES_NO_LOCAL, immutable),
  str('server_cpulist', '', immutable),
  str('bio_cpulist', '', immutable),
  str('aof_rewrite_cpulist', '', immutable),
  str('bgsave_cpulist', '', immutable),
  int('io-threads', 1, 1, 128, immutable),
  bool('io-threads-do-reads', 'no', immutable),
  bool('jemalloc-bg-thread', 'yes'),
  // ---- security / ACL
  str('requirepass', ''),
  str('masterauth', ''),
  str('masteruser', ''),
  str('aclfile', '', immutable),
  int('acllog-max-len', 128, 0, LONG_MAX),
  en('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  // ---- lazy freeing
  bool('lazyfree-lazy-eviction', 'no'),
  bool('lazyfree-lazy-expire', 'no'),
  bool('lazyfree-lazy-server-del', 'no'),
  bool('lazyfree-lazy-user-del', 'no'),
  bool('lazyfree-lazy-user-flush', 'no'),
  bool('replica-lazy-flush', 'no', { alias: 'slave-lazy-flush' }),
  // ---- memory
  mem('maxmemory', 0, 0, LONG_MAX),
  en('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']),
  int('maxmemory-samples', 5, 1, INT_MAX),
  int('maxmemory-eviction-tenacity', 10, 0, 100),
  special('maxmemory-clients', '0', memoryOrPercent),
  int('lfu-log-factor', 10, 0, INT_MAX),
  int('lfu-decay-time', 1, 0, INT_MAX),
  bool('activedefrag', 'no'),
  mem('active-defrag-ignore-bytes', 100 * MB, 1, LONG_MAX),
  int('active-defrag-threshold-lower', 10, 0, 1000),
  int('active-defrag-threshold-upper', 100, 0, 1000),
  int('active-defrag-cycle-min', 1, 1, 99),
  int('active-defrag-cycle-max', 25, 1, 99),
  int('active-defrag-max-scan-fields', 1000, 1, LONG_MAX),
  // ---- persistence (acted on by the persistence layer)
  special('save', '3600 1 300 100 60 10000', saveParam, multi),
  str('dir', process.cwd(), { protected: true, parse: dirParam, denyLoading: true }),
  str('dbfilename', 'dump.rdb', { protected: true, parse: dbfilenameParam, denyLoading: true }),
  bool('rdbcompression', 'yes'),
  bool('rdbchecksum', 'yes', immutable),
  bool('stop-writes-on-bgsave-error', 'yes'),
  bool('rdb-del-sync-files', 'no'),
  bool('rdb-save-incremental-fsync', 'yes'),
  en('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  bool('appendonly', 'no', { denyLoading: true }),
  str('appendfilename', 'appendonly.aof', immutable),
  str('appenddirname', 'appendonlydir', immutable),
  en('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  bool('no-appendfsync-on-rewrite', 'no'),
  int('auto-aof-rewrite-percentage', 100, 0, INT_MAX),
  mem('auto-aof-rewrite-min-size', 64 * MB, 0, LONG_MAX),
  bool('aof-load-truncated', 'yes'),
  bool('aof-use-rdb-preamble', 'yes'),
  bool('aof-timestamp-enabled', 'no'),
  bool('aof-rewrite-incremental-fsync', 'yes'),
  bool('aof-disable-auto-gc', 'no'),
  // debugging aids Redis's own tests use; shown only when asked for by exact name
  int('key-load-delay', 0, INT_MIN, INT_MAX, { hidden: true }),
  int('rdb-key-save-delay', 0, INT_MIN, INT_MAX, { hidden: true }),
  int('loading-process-events-interval-bytes', 2 * MB, 1024, INT_MAX, { hidden: true }),
  bool('use-exit-on-panic', 'no', { hidden: true }),
  // ---- encodings (used by the collection types)
  int('hash-max-listpack-entries', 512, 0, LONG_MAX, { alias: 'hash-max-ziplist-entries' }),
  mem('hash-max-listpack-value', 64, 0, LONG_MAX, { alias: 'hash-max-ziplist-value' }),
  int('list-max-listpack-size', -2, INT_MIN, INT_MAX, { alias: 'list-max-ziplist-size' }),
  int('list-compress-depth', 0, 0, INT_MAX),
  int('set-max-intset-entries', 512, 0, LONG_MAX),
  int('zset-max-listpack-entries', 128, 0, LONG_MAX, { alias: 'zset-max-ziplist-entries' }),
  mem('zset-max-listpack-value', 64, 0, LONG_MAX, { alias: 'zset-max-ziplist-value' }),
  mem('stream-node-max-bytes', 4096, 0, LONG_MAX),
  int('stream-node-max-entries', 100, 0, LONG_MAX),
  mem('hll-sparse-max-bytes', 3000, 0, LONG_MAX),
  bool('activerehashing', 'yes'),
  // ---- notifications, slowlog, latency, tracking
  special('notify-keyspace-events', '', notifyParam, { show: notifyShow }),
  int('slowlog-log-slower-than', 10000, -1, LONG_MAX),
  int('slowlog-max-len', 128, 0, LONG_MAX),
  int('latency-monitor-threshold', 0, 0, LONG_MAX),
  special('latency-tracking-info-percentiles', '50 99 99.9', percentilesParam, multi),
  bool('latency-tracking', 'yes'),
  int('tracking-table-max-keys', 1000000, 0, LONG_MAX),
  // ---- scripting
  int('busy-reply-threshold', 5000, 0, LONG_MAX, { alias: 'lua-time-limit' }),
  // ---- replication
  special('replicaof', '', replicaofParam, { alias: 'slaveof', immutable: true, multiArg: true }),
  bool('replica-read-only', 'yes', { alias: 'slave-read-only' }),
  bool('replica-serve-stale-data', 'yes', { alias: 'slave-serve-stale-data' }),
  bool('replica-ignore-maxmemory', 'yes', { alias: 'slave-ignore-maxmemory' }),
  bool('replica-announced', 'yes'),
  bool('replica-ignore-disk-write-errors', 'no'),
  int('replica-priority', 100, 0, INT_MAX, { alias: 'slave-priority' }),
  str('replica-announce-ip', '', { alias: 'slave-announce-ip' }),
  int('replica-announce-port', 0, 0, 65535, { alias: 'slave-announce-port' }),
  mem('repl-backlog-size', 1024 * 1024, 1, LONG_MAX),
  int('repl-backlog-ttl', 3600, 0, LONG_MAX),
  int('repl-timeout', 60, 1, INT_MAX),
  int('repl-ping-replica-period', 10, 1, INT_MAX, { alias: 'repl-ping-slave-period' }),
  bool('repl-disable-tcp-nodelay', 'no'),
  bool('repl-diskless-sync', 'yes'),
  int('repl-diskless-sync-delay', 5, 0, INT_MAX),
  int('repl-diskless-sync-max-replicas', 0, 0, INT_MAX),
  en('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  int('min-replicas-to-write', 0, 0, INT_MAX, { alias: 'min-slaves-to-write' }),
  int('min-replicas-max-lag', 10, 0, INT_MAX, { alias: 'min-slaves-max-lag' }),
  en('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas']),
  // ---- cluster
  bool('cluster-enabled', 'no', immutable),
  str('cluster-config-file', 'nodes.conf', immutable),
  int('cluster-port', 0, 0, 65535, immutable),
  int('cluster-node-timeout', 15000, 0, LONG_MAX),
  int('cluster-migration-barrier', 1, 0, INT_MAX),
  int('cluster-replica-validity-factor', 10, 0, INT_MAX, { alias: 'cluster-slave-validity-factor' }),
  bool('cluster-replica-no-failover', 'no', { alias: 'cluster-slave-no-failover' }),
  bool('cluster-require-full-coverage', 'yes'),
  bool('cluster-allow-reads-when-down', 'no'),
  bool('cluster-allow-pubsubshard-when-down', 'yes'),
  bool('cluster-allow-replica-migration', 'yes'),
  str('cluster-announce-ip', ''),
  str('cluster-announce-hostname', '', { parse: hostnameParam }),
  int('cluster-announce-port', 0, 0, 65535),
  int('cluster-announce-bus-port', 0, 0, 65535),
  int('cluster-announce-tls-port', 0, 0, 65535),
  en('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint']),
  mem('cluster-link-sendbuf-limit', 0, 0, LONG_MAX),
  // ---- TLS (reported; gKV serves plain TCP)
  int('tls-port', 0, 0, 65535),
  str('tls-cert-file', ''),
  str('tls-key-file', ''),
  str('tls-key-file-pass', ''),
  str('tls-client-cert-file', ''),
  str('tls-client-key-file', ''),
  str('tls-client-key-file-pass', ''),
  str('tls-dh-params-file', ''),
  str('tls-ca-cert-file', ''),
  str('tls-ca-cert-dir', ''),
  str('tls-protocols', ''),
  str('tls-ciphers', ''),
  str('tls-ciphersuites', ''),
  en('tls-auth-clients', 'yes', ['no', 'yes', 'optional']),
  bool('tls-replication', 'no'),
  bool('tls-cluster', 'no'),
  bool('tls-prefer-server-ciphers', 'no'),
  bool('tls-session-caching', 'yes'),
  int('tls-session-cache-size', 20480, 0, INT_MAX),
  int('tls-session-cache-timeout', 300, 0, INT_MAX),
];
