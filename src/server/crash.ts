/**
 * Crash reports, as Redis's debug.c writes them when it dies by a signal
 * (sigsegvHandler, printCrashReport): the "BUG REPORT START" banner, the
 * "crashed by signal: N, si_code: C" line, the stack trace (here the
 * JavaScript stack), INFO, CLIENT LIST, the client whose command was running
 * and its arguments, the configuration that matters to a bug report, then
 * the END banner — and the process then dies by that same signal, so its
 * exit status says how it ended (a supervisor, a core dump).
 *
 * gKV receives SIGABRT as Redis does (kill -ABRT); DEBUG SEGFAULT reports a
 * SIGSEGV and dies by it, as Redis's does by touching a read-only page. With
 * crash-log-enabled no, only the death remains.
 */
import type { ServerContext } from '../commands/context.js';
import type { Client } from './client.js';
import { clientInfoLine } from '../commands/families/connection.js';
import { REDIS_VERSION } from '../version.js';

/** si_code values Redis prints: SI_USER (a kill), SEGV_ACCERR (a write to a read-only page) */
export const SI_USER = 0;
export const SEGV_ACCERR = 2;

const SIGNALS: Record<'SIGSEGV' | 'SIGABRT', number> = { SIGSEGV: 11, SIGABRT: 6 };

/** The configuration Redis's bug report shows (CONFIG DEBUG OUTPUT). */
const CONFIG_DEBUG = [
  'sanitize-dump-payload',
  'activedefrag',
  'lazyfree-lazy-user-flush',
  'client-query-buffer-limit',
  'io-threads-do-reads',
  'io-threads',
  'lazyfree-lazy-expire',
  'replica-read-only',
  'repl-diskless-sync',
  'lazyfree-lazy-server-del',
  'list-compress-depth',
  'lazyfree-lazy-user-del',
  'repl-diskless-load',
  'proto-max-bulk-len',
  'lazyfree-lazy-eviction',
];

/** What went wrong, for the report's header lines. */
export interface CrashCause {
  signal: 'SIGSEGV' | 'SIGABRT';
  siCode: number;
  /** the client whose command was running, and that command */
  client?: Client;
  argv?: string[];
}

/** Writes the bug report to the log (unless crash-log-enabled no). Never throws. */
export function logCrashReport(s: ServerContext, cause: CrashCause): void {
  if (!s.config.getBool('crash-log-enabled')) return;
  // the JavaScript stack of whoever asked for the report (its own frame dropped)
  const stack = (new Error('crash report').stack ?? '')
    .split('\n')
    .slice(2)
    .map((l) => l.trim())
    .join('\n');
  const log = s.log;
  const section = (title: string, body: () => string): void => {
    let text: string;
    try {
      text = body();
    } catch (e) {
      text = `(failed: ${(e as Error)?.message ?? e})`;
    }
    log.raw('warning', `\n------ ${title} ------\n${text}`);
  };
  try {
    log.raw('warning', '\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===');
    log.warning(`gKV ${REDIS_VERSION} crashed by signal: ${SIGNALS[cause.signal]}, si_code: ${cause.siCode}`);
    if (cause.siCode === SI_USER) log.warning(`Killed by PID: -1, UID: ${process.getuid?.() ?? 0}`);
    section('STACK TRACE', () => stack);
    section('INFO OUTPUT', () => s.info.genInfoString(['all']));
    section('CLIENT LIST OUTPUT', () => [...s.clients.values()].map((c) => clientInfoLine(c, s)).join('\n'));
    if (cause.client !== undefined) {
      section('CURRENT CLIENT INFO', () => {
        const argv = cause.argv ?? [];
        return [clientInfoLine(cause.client!, s), ...argv.map((a, i) => `argv[${i}]: '${JSON.stringify(a)}'`)].join('\n');
      });
    }
    section('MODULES INFO OUTPUT', () => '');
    section('CONFIG DEBUG OUTPUT', () => CONFIG_DEBUG.map((k) => `${k} ${s.config.get(k)}`).join('\n'));
    log.raw(
      'warning',
      '\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n\n' + '       Please report the crash by opening an issue on github:\n\n' + '           https://github.com/ (gKV)\n',
    );
  } catch {
    /* a report that fails must not keep the process alive */
  }
}

/** Dies by the signal (its default action), as Redis's bugReportEnd does. */
export function dieBySignal(signal: 'SIGSEGV' | 'SIGABRT'): never {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
  // the signal is delivered asynchronously to ourselves: make sure nothing else runs meanwhile
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}

/** SIGABRT (kill -ABRT): the report, then the death by SIGABRT. */
export function installCrashHandlers(s: ServerContext): void {
  process.on('SIGABRT', () => {
    logCrashReport(s, { signal: 'SIGABRT', siCode: SI_USER });
    dieBySignal('SIGABRT');
  });
}
