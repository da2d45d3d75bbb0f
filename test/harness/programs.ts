/**
 * Running the programs as an operator does — gkv-server, redis-server (the
 * oracle), gkv-cli, redis-cli — as child processes: their stdout, stderr and
 * exit code, and log text with what varies between runs (pid, time) masked
 * so that gKV's and Redis's lines compare as equal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WAIT_CEILING_MS } from './servers.js';

/** the repository's root (tests run from dist/test/…) */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const gkvServerBin = join(repoRoot, 'bin', 'gkv-server');
export const gkvCliBin = join(repoRoot, 'bin', 'gkv-cli');

export interface Program {
  proc: ChildProcess;
  /** the exit code (null: killed by a signal), once the output pipes are drained too */
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

export interface ProgramOptions {
  cwd?: string;
  /** written to stdin, which is then closed (stdin is /dev/null without it) */
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts a program; its output is collected as it comes. */
export function startProgram(cmd: string, args: string[], opts: ProgramOptions = {}): Program {
  const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (opts.input !== undefined) proc.stdin!.end(opts.input);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  // 'close', not 'exit': the pipes may still hold the last lines when the process exits
  const exited = new Promise<number | null>((r) => proc.once('close', (code) => r(code)));
  return { proc, exited, stdout: () => out, stderr: () => err };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program that should exit by itself; one still running after
 * ceilingMs is killed (code null), so a refusal that did not happen fails
 * the test instead of hanging it.
 */
export async function runProgram(cmd: string, args: string[], opts: ProgramOptions = {}, ceilingMs = WAIT_CEILING_MS): Promise<Ran> {
  const p = startProgram(cmd, args, opts);
  const timer = setTimeout(() => p.proc.kill('SIGKILL'), ceilingMs);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Log lines with the pid and the time masked: `<pid>:C <time> # text`; signal-handler lines' time too. */
export function maskLog(text: string): string {
  return text.replace(/^\d+:([CMSX]) \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} /gm, '<pid>:$1 <time> ').replace(/^\d+:signal-handler \(\d+\) /gm, '<pid>:signal-handler (<time>) ');
}

/** The lines of a masked log whose text matches re. */
export function logLines(text: string, re: RegExp): string[] {
  return maskLog(text)
    .split('\n')
    .filter((l) => re.test(l));
}
