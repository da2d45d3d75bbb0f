/**
 * INFO persistence (Redis's genRedisInfoString, server.c), the section RDB
 * and AOF share: loading, the background child's progress (child.ts), the
 * rdb_ fields (rdb/index.ts), the aof_ fields (aof/), the loading_ fields
 * while a load runs — in Redis 7.0's order. A part whose subsystem is not
 * installed shows what Redis shows with it off. Registered on s.info by
 * whoever installs persistence (registerPersistenceInfo), next to
 * installAof and installRdb.
 */
import type { ServerContext } from '../commands/context.js';
import type { InfoFields } from '../server/info.js';
import { fixed } from '../util/numbers.js';
import { aofOf } from './aof/index.js';
import { rdbStateOf } from './rdb/index.js';
import { childInfoFields } from './child.js';

/** Registers INFO persistence on s.info. */
export function registerPersistenceInfo(s: ServerContext): void {
  s.info.register('persistence', () => persistenceFields(s));
}

/** INFO's aof_ fields for a server without an AOF installed */
const AOF_OFF_FIELDS: InfoFields = [
  ['aof_enabled', 0],
  ['aof_rewrite_in_progress', 0],
  ['aof_rewrite_scheduled', 0],
  ['aof_last_rewrite_time_sec', -1],
  ['aof_current_rewrite_time_sec', -1],
  ['aof_last_bgrewrite_status', 'ok'],
  ['aof_rewrites', 0],
  ['aof_rewrites_consecutive_failures', 0],
  ['aof_last_write_status', 'ok'],
  ['aof_last_cow_size', 0],
];

/** INFO's loading_* fields, present only while a load whose size is known runs (as Redis). */
function loadingFields(s: ServerContext): InfoFields {
  const l = s.loadingInfo;
  if (!s.loading || l === null) return [];
  const elapsed = Math.max(0, Date.now() / 1000 - l.start);
  const perc = l.totalBytes === 0 ? 0 : (l.loadedBytes / l.totalBytes) * 100;
  const eta = l.loadedBytes === 0 ? 1 : Math.round((l.totalBytes - l.loadedBytes) / (l.loadedBytes / Math.max(elapsed, 0.001)));
  return [
    ['loading_start_time', l.start],
    ['loading_total_bytes', l.totalBytes],
    ['loading_rdb_used_mem', l.rdbUsedMem],
    ['loading_loaded_bytes', l.loadedBytes],
    ['loading_loaded_perc', fixed(perc, 2)],
    ['loading_eta_seconds', eta],
  ];
}

function persistenceFields(s: ServerContext): InfoFields {
  // the aof_ fields come from the AOF (persistence/aof/aof.ts); aof.tail only while it is on
  const aof = aofOf(s)?.infoFields() ?? { head: AOF_OFF_FIELDS, tail: [] };
  return [
    ['loading', s.loading ? 1 : 0],
    ['async_loading', 0],
    ...childInfoFields(s),
    ...(rdbStateOf(s)?.infoFields() ??
      ([
        ['rdb_changes_since_last_save', s.ks.dirty],
        ['rdb_bgsave_in_progress', 0],
        ['rdb_last_save_time', Math.floor(s.startTime / 1000)],
        ['rdb_last_bgsave_status', 'ok'],
        ['rdb_last_bgsave_time_sec', -1],
        ['rdb_current_bgsave_time_sec', -1],
        ['rdb_saves', 0],
        ['rdb_last_cow_size', 0],
        ['rdb_last_load_keys_expired', 0],
        ['rdb_last_load_keys_loaded', 0],
      ] as InfoFields)),
    ...aof.head,
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
    ...aof.tail,
    ...loadingFields(s),
  ];
}
