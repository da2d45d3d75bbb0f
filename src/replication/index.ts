/**
 * Wiring replication into a server (installReplication): the master state
 * (master.ts) as the server's `repl`, INFO replication, the stream handed
 * to replicas before each event's replies, replicas leaving with their
 * clients, BGSAVE's end feeding the replicas that wait for it, the cron.
 */
import type { ServerContext } from '../commands/context.js';
import { rdbStateOf } from '../persistence/rdb/index.js';
import { ReplicationMaster } from './master.js';
import './commands.js';

export function installReplication(s: ServerContext): ReplicationMaster {
  if (s.repl !== null) return s.repl;
  const m = new ReplicationMaster(s);
  s.repl = m;
  s.info.register('replication', () => {
    const u = m.upstream;
    const lines: [string, string | number][] = [];
    if (u === null) lines.push(['role', 'master']);
    else {
      const now = Math.floor(Date.now() / 1000);
      const applied = u.master !== null ? u.appliedOffset() : (u.cached?.offset ?? 1);
      lines.push(
        ['role', 'slave'],
        ['master_host', u.host],
        ['master_port', u.port],
        ['master_link_status', u.state === 'connected' ? 'up' : 'down'],
        ['master_last_io_seconds_ago', u.master !== null ? Math.floor((Date.now() - u.master.lastInteraction) / 1000) : -1],
        ['master_sync_in_progress', u.syncInProgress ? 1 : 0],
        ['slave_read_repl_offset', u.master !== null ? m.offset : applied],
        ['slave_repl_offset', applied],
      );
      if (u.syncInProgress) {
        const total = u.transferSize;
        lines.push(
          ['master_sync_total_bytes', total],
          ['master_sync_read_bytes', u.transferRead],
          ['master_sync_left_bytes', total === -1 ? -1 : total - u.transferRead],
          ['master_sync_perc', total > 0 ? ((u.transferRead * 100) / total).toFixed(2) : '0.00'],
          ['master_sync_last_io_seconds_ago', now - u.lastIo],
        );
      }
      if (u.state !== 'connected') lines.push(['master_link_down_since_seconds', u.everUp ? now - u.downSince : -1]);
      lines.push(
        ['slave_priority', s.config.getInt('replica-priority')],
        ['slave_read_only', s.config.getBool('replica-read-only') ? 1 : 0],
        ['replica_announced', s.config.getBool('replica-announced') ? 1 : 0],
      );
    }
    lines.push(['connected_slaves', m.replicas.length]);
    let i = 0;
    for (const d of m.describe()) lines.push([`slave${i++}`, `ip=${d.ip},port=${d.port},state=${d.state},offset=${d.offset},lag=${d.lag}`]);
    const b = m.backlog;
    lines.push(
      ['master_failover_state', 'no-failover'],
      ['master_replid', s.replId],
      ['master_replid2', m.replid2],
      ['master_repl_offset', m.offset],
      ['second_repl_offset', m.secondReplidOffset],
      ['repl_backlog_active', b === null ? 0 : 1],
      ['repl_backlog_size', Number(s.config.get('repl-backlog-size'))],
      ['repl_backlog_first_byte_offset', b === null ? 0 : b.off],
      ['repl_backlog_histlen', b === null ? 0 : b.histlen],
    );
    return lines;
  });
  s.beforeReplies.push(m.flush);
  s.onClientFreed.push((c) => m.clientFreed(c));
  rdbStateOf(s)?.onBackgroundDone.push((ok) => m.bgsaveDone(ok));
  s.config.onChange('repl-backlog-size', () => m.resizeBacklog());
  s.onStartup.push(() => {
    // `replicaof` in the config: a replica from the start, connecting from the cron (no log line of a user request)
    const v = s.config.get('replicaof');
    if (v !== '') {
      const sp = v.lastIndexOf(' ');
      m.setMaster(v.slice(0, sp), Number(v.slice(sp + 1)), null);
    }
    m.start();
  });
  s.onStopped.push(() => m.stop());
  return m;
}
