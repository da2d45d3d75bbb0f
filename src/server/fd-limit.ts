/**
 * The open files limit and maxclients, as Redis's adjustOpenFilesLimit
 * (server.c): a server of maxclients clients needs maxclients + 32 file
 * descriptors (CONFIG_MIN_RESERVED_FDS: listeners, logs, the AOF, children's
 * pipes). When RLIMIT_NOFILE is lower, Redis raises it; when it cannot, it
 * lowers maxclients to fit and says so in the log (or exits when not even
 * one client would fit).
 *
 * Node has no setrlimit. It raises its own soft limit to the hard one when
 * it starts, so the soft limit read here is usually already the most an
 * unprivileged process can get; a privileged one (root) may go past the hard
 * limit, which gKV asks of util-linux's prlimit(1) for its own pid. The
 * limit is read from /proc/self/limits; where there is none (not Linux),
 * nothing is adjusted, as if the limit sufficed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** descriptors kept for other uses than clients (Redis's CONFIG_MIN_RESERVED_FDS) */
export const CONFIG_MIN_RESERVED_FDS = 32;

/** RLIMIT_NOFILE's soft and hard limits, null when unknown. */
export function readNofileLimit(): { soft: number; hard: number } | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'latin1');
  } catch {
    return null;
  }
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (m === null) return null;
  const num = (s: string) => (s === 'unlimited' ? Infinity : Number(s));
  return { soft: num(m[1]), hard: num(m[2]) };
}

/** Sets this process's RLIMIT_NOFILE to n (soft and hard, as Redis's setrlimit): false when refused. */
function setNofileLimit(n: number): boolean {
  try {
    execFileSync('prlimit', [`--pid=${process.pid}`, `--nofile=${n}:${n}`], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** What adjustOpenFilesLimit decided: the maxclients that fits, the log lines, whether to exit. */
export interface FdLimitOutcome {
  maxclients: number;
  warnings: string[];
  notices: string[];
  exit: boolean;
}

/**
 * Redis's adjustOpenFilesLimit for `maxclients`: raises the open files limit
 * when it is too low, else lowers maxclients to what the limit allows. The
 * caller logs the lines (warnings as LL_WARNING, notices as LL_NOTICE) and
 * exits when `exit`.
 */
export function adjustOpenFilesLimit(maxclients: number, limit = readNofileLimit(), raise = setNofileLimit): FdLimitOutcome {
  const out: FdLimitOutcome = { maxclients, warnings: [], notices: [], exit: false };
  const maxfiles = maxclients + CONFIG_MIN_RESERVED_FDS;
  if (limit === null) return out;
  const oldlimit = limit.soft;
  if (oldlimit >= maxfiles) return out;
  // Redis tries maxfiles, then 16 fewer at a time down to the old limit; an
  // unprivileged process gets at most the hard limit, a privileged one any
  let best = oldlimit;
  if (raise(maxfiles)) best = maxfiles;
  else if (limit.hard > oldlimit && limit.hard < maxfiles && raise(limit.hard)) best = limit.hard;
  if (best >= maxfiles) {
    out.notices.push(`Increased maximum number of open files to ${maxfiles} (it was originally set to ${oldlimit}).`);
    return out;
  }
  if (best <= CONFIG_MIN_RESERVED_FDS) {
    out.warnings.push(`Your current 'ulimit -n' of ${oldlimit} is not enough for the server to start. Please increase your open file limit to at least ${maxfiles}. Exiting.`);
    out.exit = true;
    return out;
  }
  out.maxclients = best - CONFIG_MIN_RESERVED_FDS;
  out.warnings.push(`You requested maxclients of ${maxclients} requiring at least ${maxfiles} max file descriptors.`);
  out.warnings.push(`Server can't set maximum open files to ${maxfiles} because of OS error: Operation not permitted.`);
  out.warnings.push(`Current maximum open files is ${best}. maxclients has been reduced to ${out.maxclients} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.`);
  return out;
}
