/**
 * Starting servers for tests: gKV in-process (createServer), and a real
 * redis-server (the oracle) on a free loopback port. Tests that need the
 * oracle call `oracleOrSkip(t)`: without redis-server on PATH they skip,
 * loudly, naming the missing binary.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type GkvServer, type ServerOptions } from '../../src/index.js';
import { RespClient } from './resp.js';
import './commands-ran.js'; // records the commands servers in this process run (the coverage check)

export async function startGkv(options: ServerOptions = {}): Promise<GkvServer> {
  return createServer({ port: 0, ...options });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

let oracleChecked: boolean | null = null;
export function redisServerAvailable(): boolean {
  if (oracleChecked === null) {
    const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
    oracleChecked = r.status === 0 && /v=7\./.test(r.stdout);
    if (!oracleChecked) {
      process.stderr.write('\n*** redis-server 7.x NOT FOUND: differential tests against the real Redis are SKIPPED. Install it: apt-get install -y redis-server redis-tools ***\n\n');
    }
  }
  return oracleChecked;
}

/** Skip option for node:test: `test('…', { skip: oracleSkip() }, …)`. */
export function oracleSkip(): string | false {
  return redisServerAvailable() ? false : 'redis-server (the oracle) is not installed';
}

export interface RedisProc {
  port: number;
  dir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a real redis-server on a free loopback port with a throwaway dir. */
export async function startRedis(extraArgs: string[] = []): Promise<RedisProc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gkv-oracle-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--enable-debug-command', 'yes', ...extraArgs], {
    stdio: 'ignore',
  });
  // wait until it answers
  (await connectWhenListening(port)).close();
  return {
    port,
    dir,
    proc,
    stop: async () => {
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Connects to a server that is starting (a child process, or one still
 * loading its data): retries the TCP connection every `everyMs` until it is
 * accepted, within `timeoutMs`. Throws when it never is.
 */
/**
 * Tests hold on a busy machine: a wait polls for its condition with a
 * generous ceiling (WAIT_CEILING_MS, two minutes), never assumes that
 * something happened after a fixed sleep. Resolves once check() is true;
 * fails with `what` past the ceiling.
 */
export const WAIT_CEILING_MS = 120_000;

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, ceilingMs = WAIT_CEILING_MS, everyMs = 20): Promise<void> {
  const deadline = Date.now() + ceilingMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ceilingMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function connectWhenListening(port: number, timeoutMs = WAIT_CEILING_MS, everyMs = 30): Promise<RespClient> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await RespClient.connect(port);
    } catch {
      if (Date.now() > deadline) throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
