/**
 * The server's background child process (Redis's server.child_pid,
 * child_type, stat_total_forks, stat_fork_time): at most one at a time.
 * persistence/child.ts's ChildSave registers itself here while it runs; the
 * server reads it for the tables' resize policy and INFO, without knowing
 * persistence.
 */

/** A running child, as the server sees it (persistence/child.ts's ChildSave). */
export interface ActiveChild {
  readonly type: 'rdb' | 'aof';
  readonly pid: number;
}

export class Children {
  /** the child running, or null (Redis's hasActiveChildProcess) */
  active: ActiveChild | null = null;
  /** INFO stats' total_forks and latest_fork_usec */
  totalForks = 0;
  latestForkUsec = 0;
}
