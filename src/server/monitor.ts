/**
 * MONITOR (Redis's replicationFeedMonitors): every command a client runs is
 * shown to the monitoring connections as a status line
 *   +<seconds>.<microseconds> [<db> <peer>] "arg" "arg" …
 * fed by Server.call() after the command ran (Redis 7.0's order: a queued
 * command shows when EXEC runs it, before the EXEC itself; a blocking command
 * when it is called), except commands flagged admin or skip_monitor, and
 * nothing while loading. AUTH's and HELLO … AUTH's credentials show as
 * "(redacted)", as Redis redacts them. A monitor is a normal client that
 * also receives these lines; RESET or disconnecting ends it, a second
 * MONITOR is ignored without a reply.
 */
import type { Client } from './client.js';
import { sdsRepr } from '../util/repr.js';
import { migrateSecretArgs } from '../commands/migrate.js';

const REDACTED = '"(redacted)"';

/** What MONITOR uses of the server. */
export interface MonitorHost {
  /** the clients in MONITOR mode */
  readonly monitors: Set<Client>;
  /** true inside EXEC (a monitor cannot start there) */
  readonly inExec: boolean;
  /** marks a client as having output to write */
  markPending(c: Client): void;
}

/** The arguments as MONITOR shows them, credentials redacted. */
function shownArgs(argv: readonly string[]): string {
  const name = argv[0].toLowerCase();
  let out = '';
  let redactFrom = argv.length;
  let redactTo = argv.length;
  if (name === 'auth') redactFrom = 1;
  else if (name === 'acl' && argv.length > 2 && argv[1].toLowerCase() === 'setuser') redactFrom = 2;
  else if (name === 'hello') {
    for (let j = 2; j < argv.length; j++) {
      if (argv[j].toLowerCase() === 'auth' && j + 2 < argv.length) {
        redactFrom = j + 1;
        redactTo = j + 3;
        break;
      }
    }
  }
  const secret = name === 'migrate' ? migrateSecretArgs(argv) : [];
  for (let j = 0; j < argv.length; j++) {
    if (j !== 0) out += ' ';
    out += (j >= redactFrom && j < redactTo) || secret.includes(j) ? REDACTED : sdsRepr(argv[j]);
  }
  return out;
}

/** Feeds one executed command to every monitor (called only when there are monitors). */
export function feedMonitors(s: MonitorHost, c: Client, argv: readonly string[]): void {
  const t = performance.timeOrigin + performance.now();
  const sec = Math.floor(t / 1000);
  const usec = Math.floor((t - sec * 1000) * 1000);
  const line = `+${sec}.${String(usec).padStart(6, '0')} [${c.db.id} ${c.socket === null ? 'lua' : c.addr}] ${shownArgs(argv)}\r\n`;
  for (const m of s.monitors) {
    if (m.closed) continue;
    m.addRaw(line);
    s.markPending(m);
  }
}

/** MONITOR. */
export function monitorCommand(c: Client, _argv: string[], s: MonitorHost): void {
  // Redis: a client that expects a reply per command (inside EXEC, a script) cannot monitor
  if (s.inExec) {
    c.addError("MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  // already a monitor (or a replica): ignored, no reply
  if (c.monitor || c.kind === 'replica') return;
  c.monitor = true;
  s.monitors.add(c);
  c.addOK();
}

/** Ends a client's monitor mode (RESET, disconnect). */
export function stopMonitoring(c: Client, s: MonitorHost): void {
  if (!c.monitor) return;
  c.monitor = false;
  s.monitors.delete(c);
}
