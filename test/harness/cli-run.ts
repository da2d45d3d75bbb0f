/**
 * Running gkv-cli and redis-cli in tests and capturing
 * their output as latin1 bytes, so the two can be compared byte for byte.
 * The environment is cleaned of what changes a CLI's behaviour (history
 * file, REDISCLI_AUTH, FAKETTY unless asked for).
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oracleSkip } from './servers.js';

const distRoot = fileURLToPath(new URL('../../', import.meta.url));
/** the compiled gkv-cli entry point */
export const cliMainJs = join(distRoot, 'src', 'cli', 'main.js');

export interface Run {
  out: string;
  err: string;
  code: number | null;
}

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GKVCLI_HISTFILE: '/dev/null', ...extra };
  if (!('FAKETTY' in extra)) delete env.FAKETTY;
  delete env.REDISCLI_AUTH;
  return env;
}

export interface RunOptions {
  /** standard input (latin1); empty when not given */
  input?: string;
  env?: Record<string, string>;
  /** stop the program with SIGTERM once its output so far passes this check (for modes that run until stopped) */
  stopWhen?: (stdout: string) => boolean;
}

/** Runs a program; output as latin1. Killed after 20 s whatever happens. */
export function runProgram(cmd: string, args: string[], input = '', env: Record<string, string> = {}, opts: Omit<RunOptions, 'input' | 'env'> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv(env) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let stopped = false;
    p.stdout.on('data', (d: Buffer) => {
      out.push(d);
      if (!stopped && opts.stopWhen?.(Buffer.concat(out).toString('latin1'))) {
        stopped = true;
        p.kill('SIGTERM');
      }
    });
    p.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20000);
    p.once('error', reject);
    p.once('close', (code) => {
      clearTimeout(timer);
      resolve({ out: Buffer.concat(out).toString('latin1'), err: Buffer.concat(err).toString('latin1'), code });
    });
    p.stdin.on('error', () => {});
    p.stdin.end(Buffer.from(input, 'latin1'));
  });
}

/** gkv-cli with these arguments. */
export const cli = (args: string[], input = '', env: Record<string, string> = {}, opts: Omit<RunOptions, 'input' | 'env'> = {}) => runProgram(process.execPath, [cliMainJs, ...args], input, env, opts);

function redisCliAvailable(): boolean {
  return spawnSync('redis-cli', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Skip option for tests that compare with redis-cli (and so need redis-server's tools). */
export const oracleCliSkip = (): string | false => oracleSkip() || (redisCliAvailable() ? false : 'redis-cli is not installed');
