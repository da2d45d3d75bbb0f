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
    const lines: [string, string | number][] = [
      ['role', 'master'],
      ['connected_slaves', m.replicas.length],
    ];
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
  s.onStartup.push(() => m.start());
  s.onStopped.push(() => m.stop());
  return m;
}
