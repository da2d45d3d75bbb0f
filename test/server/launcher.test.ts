/**
 * bin/gkv-server, the launcher: a JavaScript file (npm's shims run it on every
 * platform) that sizes V8's heap from the machine's memory (GKV_HEAP_MB,
 * GKV_SEMI_SPACE_MB), by exec where Node has it, by a child on Windows, in
 * this process when node was already sized or cannot exec. Each way is forced
 * with GKV_LAUNCH and checked here: who the server process is (the PID the
 * caller holds, or a child), with which node flags (read from
 * /proc/<pid>/cmdline with set-proc-title off), and that signals reach it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectWhenListening, freePort, waitFor } from '../harness/servers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin', 'gkv-server');
const linux = process.platform === 'linux' ? false : '/proc/<pid>/cmdline is Linux-only';
const hasExecve = typeof (process as { execve?: unknown }).execve === 'function';

function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0$/, '').split('\0');
}

function childrenOf(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

/** Starts the launcher with `env`, waits for PING; returns the launcher's process, the server's PID and how it exits. */
async function launch(env: NodeJS.ProcessEnv, detached = false) {
  const port = await freePort();
  const p = spawn(process.execPath, [bin, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--set-proc-title', 'no'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached, // its own process group, as a terminal's foreground job
  });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => p.once('close', (code, signal) => r({ code, signal })));
  const c = await connectWhenListening(port);
  assert.equal(await c.cmd('PING'), 'PONG');
  const info = String(await c.cmd('INFO', 'server'));
  const serverPid = Number(/process_id:(\d+)/.exec(info)![1]);
  c.close();
  return { p, port, serverPid, exited, output: () => out };
}

const expectedHeapMb = () => {
  let bytes = os.totalmem();
  const limit = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  if (limit > 0 && limit < bytes) bytes = limit;
  return Math.floor((bytes / 1048576) * 0.85);
};

test('bin/gkv-server and bin/gkv-cli are JavaScript files run by node, which npm can shim on every platform', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
  for (const f of Object.values(pkg.bin)) {
    const text = readFileSync(join(root, f), 'utf8');
    assert.equal(text.split('\n')[0], '#!/usr/bin/env node', `${f}'s shebang`);
    const r = spawnSync(process.execPath, ['--check', join(root, f)], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${f} is JavaScript node parses: ${r.stderr}`);
  }
  // npm start builds (the README's `npm ci && npm start` on a fresh clone), then runs through node too (cmd.exe cannot run a file by its shebang)
  assert.match(pkg.scripts.start, /^npm run build && node bin\/gkv-server /);
});

test('GKV_LAUNCH=child: a child node sized by GKV_HEAP_MB and GKV_SEMI_SPACE_MB; SIGTERM to the launcher shuts the server down, exit 0', { skip: linux }, async () => {
  const s = await launch({ GKV_LAUNCH: 'child', GKV_HEAP_MB: '777', GKV_SEMI_SPACE_MB: '4' });
  try {
    assert.notEqual(s.serverPid, s.p.pid);
    assert.deepEqual(childrenOf(s.p.pid!), [s.serverPid]);
    const argv = cmdline(s.serverPid);
    assert.deepEqual(argv.slice(1, 3), ['--max-old-space-size=777', '--max-semi-space-size=4']);
    assert.match(argv[3], /dist\/src\/bin\/server\.js$/);
    s.p.kill('SIGTERM');
    assert.deepEqual(await s.exited, { code: 0, signal: null });
    assert.match(s.output(), /Received SIGTERM scheduling shutdown/);
    assert.match(s.output(), /ready to exit, bye bye/);
  } finally {
    s.p.kill('SIGKILL');
    try {
      process.kill(s.serverPid, 'SIGKILL');
    } catch {}
  }
});

test("the heap follows the machine's memory: 85% of os.totalmem() (or the cgroup's lower limit), 8 MB semi-spaces by default", { skip: linux }, async () => {
  const s = await launch({ GKV_LAUNCH: 'child', GKV_HEAP_MB: '', GKV_SEMI_SPACE_MB: '' });
  try {
    assert.deepEqual(cmdline(s.serverPid).slice(1, 3), [`--max-old-space-size=${expectedHeapMb()}`, '--max-semi-space-size=8']);
  } finally {
    s.p.kill('SIGKILL');
    try {
      process.kill(s.serverPid, 'SIGKILL');
    } catch {}
    await s.exited;
  }
});

test('node already sized (flags on its command line or in NODE_OPTIONS) runs the server in the same process, flags as given', { skip: linux }, async () => {
  const s = await launch({ GKV_LAUNCH: '', NODE_OPTIONS: '--max-semi-space-size=2' });
  try {
    assert.equal(s.serverPid, s.p.pid, 'the server is the process started');
    assert.deepEqual(childrenOf(s.p.pid!), []);
    s.p.kill('SIGINT');
    assert.deepEqual(await s.exited, { code: 0, signal: null });
    assert.doesNotMatch(s.output(), /default heap limit/, 'a sized node gets no heap warning');
  } finally {
    s.p.kill('SIGKILL');
  }
});

test('by default the server is the process started (exec where node has process.execve, else in this process): one PID, no child', { skip: linux }, async () => {
  const s = await launch({ GKV_LAUNCH: '', GKV_HEAP_MB: '900' });
  try {
    assert.equal(s.serverPid, s.p.pid);
    assert.deepEqual(childrenOf(s.p.pid!), []);
    if (hasExecve) assert.deepEqual(cmdline(s.serverPid).slice(1, 3), ['--max-old-space-size=900', '--max-semi-space-size=8']);
    else process.stderr.write(`# node ${process.version} has no process.execve: gkv-server ran in the launcher's process, V8's default heap\n`);
    s.p.kill('SIGTERM');
    assert.deepEqual(await s.exited, { code: 0, signal: null });
    // unsized, the operator hears of the cap at startup (a warning line, as Redis's about settings the system caps)
    const warned = /# WARNING: V8's default heap limit of \d+ MB caps the dataset: node v[\d.]+ cannot restart gkv-server/.test(s.output());
    assert.equal(warned, !hasExecve, s.output());
  } finally {
    s.p.kill('SIGKILL');
  }
});

test('GKV_LAUNCH=inprocess: the PID started is the server, and killed it is seen dead by that PID', { skip: linux }, async () => {
  const s = await launch({ GKV_LAUNCH: 'inprocess' });
  s.p.kill('SIGKILL');
  assert.deepEqual(await s.exited, { code: null, signal: 'SIGKILL' });
  await waitFor(() => spawnSync('kill', ['-0', String(s.serverPid)]).status !== 0, 'the server gone with its PID');
});

test('GKV_LAUNCH=child: Ctrl+C (SIGINT to the process group) shuts the server down once; the launcher outlives it and exits 0 with it', { skip: linux }, async () => {
  const s = await launch({ GKV_LAUNCH: 'child' }, true);
  try {
    process.kill(-s.p.pid!, 'SIGINT');
    assert.deepEqual(await s.exited, { code: 0, signal: null });
    assert.match(s.output(), /Received SIGINT scheduling shutdown/);
    assert.doesNotMatch(s.output(), /You insist/);
    assert.equal((s.output().match(/Received SIGINT/g) ?? []).length, 1);
  } finally {
    try {
      process.kill(-s.p.pid!, 'SIGKILL');
    } catch {}
  }
});
