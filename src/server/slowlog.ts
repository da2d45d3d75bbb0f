/**
 * The slow log (Redis's slowlog.c): commands whose execution took at least
 * slowlog-log-slower-than microseconds, newest first, at most slowlog-max-len
 * entries. call() feeds it; SLOWLOG GET/LEN/RESET read it.
 *
 * An entry keeps at most 32 arguments (the last one then says how many more
 * there were) of at most 128 bytes each, and secrets (AUTH passwords, HELLO
 * AUTH, CONFIG SET of sensitive parameters) are replaced by "(redacted)", as
 * Redis does.
 */
import type { Client } from './client.js';
import type { Config } from './config.js';
import type { CommandSpec } from '../commands/spec.js';
import { migrateSecretArgs } from '../commands/migrate.js';
import { ownString } from '../util/latin1.js';

export interface SlowlogEntry {
  id: number;
  /** unix time in seconds */
  time: number;
  usec: number;
  argv: string[];
  peer: string;
  name: string;
}

const SENSITIVE_CONFIGS = new Set(['requirepass', 'masterauth', 'tls-key-file-pass', 'tls-client-key-file-pass']);

function isKw(a: string, kw: string): boolean {
  return a.length === kw.length && a.toLowerCase() === kw;
}

export class Slowlog {
  /** newest first */
  entries: SlowlogEntry[] = [];
  nextId = 0;

  /** cached slowlog-log-slower-than / slowlog-max-len (read on every command) */
  private threshold: number;
  private maxLen: number;

  /** whether fast commands may go untimed (see Server.call): the log is off or its threshold far above them */
  allowsUntimed: boolean;

  constructor(config: Config) {
    this.threshold = config.getInt('slowlog-log-slower-than');
    this.allowsUntimed = untimedOk(this.threshold);
    this.maxLen = config.getInt('slowlog-max-len');
    config.onChange('slowlog-log-slower-than', (v) => {
      this.threshold = Number(v);
      this.allowsUntimed = untimedOk(this.threshold);
    });
    config.onChange('slowlog-max-len', (v) => {
      this.maxLen = Number(v);
      if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
    });
  }

  /** Redis's slowlogPushEntryIfNeeded. */
  pushIfNeeded(c: Client, cmd: CommandSpec, argv: string[], usec: number): void {
    const threshold = this.threshold;
    if (threshold < 0 || usec < threshold || cmd.skipSlowlog) return;
    const dur = Math.floor(usec);
    if (dur < threshold) return;
    const max = this.maxLen;
    if (max === 0) return;
    this.entries.unshift({
      id: this.nextId++,
      time: Math.floor(Date.now() / 1000),
      usec: dur,
      argv: slowlogArgs(cmd, argv),
      peer: c.addr,
      name: c.name,
    });
    if (this.entries.length > max) this.entries.length = max;
  }

  reset(): void {
    this.entries.length = 0;
  }
}

/** The threshold (µs) from which fast commands with few arguments go untimed. */
export const SEGMENT_SLOWLOG_MIN = 1000;

function untimedOk(threshold: number): boolean {
  return threshold < 0 || threshold >= SEGMENT_SLOWLOG_MIN;
}

function slowlogArgs(cmd: CommandSpec, argv: string[]): string[] {
  const a = argv.slice();
  if (cmd.fullName === 'auth') {
    for (let i = 1; i < a.length; i++) a[i] = '(redacted)';
  } else if (cmd.fullName === 'hello') {
    for (let i = 1; i < a.length; i++) if (isKw(a[i], 'auth') && i + 2 < a.length) a[i + 1] = a[i + 2] = '(redacted)';
  } else if (cmd.fullName === 'acl|setuser') {
    for (let i = 2; i < a.length; i++) a[i] = '(redacted)';
  } else if (cmd.fullName === 'config|set') {
    for (let i = 2; i + 1 < a.length; i += 2) if (SENSITIVE_CONFIGS.has(a[i].toLowerCase())) a[i + 1] = '(redacted)';
  } else if (cmd.fullName === 'migrate') {
    for (const i of migrateSecretArgs(a)) a[i] = '(redacted)';
  }
  const n = Math.min(a.length, 32);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i === n - 1 && n === 32 && a.length > 32) {
      out.push(`... (${a.length - 31} more arguments)`);
      break;
    }
    const x = a[i];
    // an excerpt of a long argument must not keep the whole argument alive (ownString)
    out.push(x.length > 128 ? `${ownString(x.slice(0, 128))}... (${x.length - 128} more bytes)` : x);
  }
  return out;
}
