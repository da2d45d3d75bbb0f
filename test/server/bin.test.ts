import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RespClient } from '../harness/resp.js';
import { connectWhenListening, freePort, waitFor } from '../harness/servers.js';
import { createServer } from '../../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin', 'gkv-server');

const waitReady = (port: number): Promise<RespClient> => connectWhenListening(port);

function startBin(args: string[]) {
  const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  // 'close', not 'exit': the output pipes may still hold the last lines when the process exits
  const exited = new Promise<number | null>((r) => p.once('close', (code) => r(code)));
  return { p, exited, output: () => out };
}

test('gkv-server takes a config file and command-line options, and exits 0 on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-bin-'));
  const port = await freePort();
  const conf = join(dir, 'gkv.conf');
  writeFileSync(conf, `# a redis.conf-style file\nport 1\nbind 127.0.0.1\nsave ""\ndatabases 4\n`);
  const s = startBin([conf, '--port', String(port), '--dir', dir]);
  try {
    const c = await waitReady(port);
    assert.equal(await c.cmd('PING'), 'PONG');
    assert.equal(await c.cmd('SET', 'k', 'v'), 'OK');
    assert.equal(await c.cmd('GET', 'k'), 'v');
    c.close();
    s.p.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    assert.match(s.output(), /Received SIGTERM scheduling shutdown/);
  } finally {
    s.p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gkv-server exits 0 on SIGINT after flushing replies and closing clients', async () => {
  const port = await freePort();
  const s = startBin(['--port', String(port), '--bind', '127.0.0.1', '--save', '']);
  try {
    const c = await waitReady(port);
    assert.equal(await c.cmd('PING'), 'PONG');
    s.p.kill('SIGINT');
    await c.waitClose();
    assert.equal(await s.exited, 0);
  } finally {
    s.p.kill('SIGKILL');
  }
});

test('gkv-server logs Redis\'s banner once listening: the logo with " PID: <pid>" (always-show-logo) or one Running mode line', async () => {
  for (const logo of ['yes', 'no']) {
    const port = await freePort();
    const s = startBin(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--always-show-logo', logo]);
    try {
      const c = await waitReady(port);
      c.close();
      await waitFor(() => /Ready to accept connections/.test(s.output()), 'the ready line');
      const out = s.output();
      if (logo === 'yes') {
        assert.match(out, new RegExp(`\\n +PID: ${s.p.pid}\\n`));
        assert.match(out, new RegExp(`\\n +Port: ${port}\\n`));
        assert.doesNotMatch(out, /Running mode=/);
      } else {
        assert.match(out, new RegExp(`\\* Running mode=standalone, port=${port}\\.\\n`));
        assert.doesNotMatch(out, / PID: /);
      }
      // the banner comes before "Server initialized", which comes before loading and "Ready to accept connections"
      assert.ok(out.indexOf('Server initialized') < out.indexOf('Ready to accept connections'));
      assert.ok(out.indexOf(logo === 'yes' ? ' PID: ' : 'Running mode=') < out.indexOf('Server initialized'));
    } finally {
      s.p.kill('SIGKILL');
      await s.exited;
    }
  }
});

test("kill -ABRT and DEBUG SEGFAULT log Redis's crash report and the process dies by that signal; crash-log-enabled no only dies", async () => {
  const cases: { how: 'abrt' | 'segv'; log: boolean }[] = [
    { how: 'abrt', log: true },
    { how: 'segv', log: true },
    { how: 'segv', log: false },
  ];
  for (const k of cases) {
    const port = await freePort();
    const s = startBin(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--enable-debug-command', 'yes', '--crash-log-enabled', k.log ? 'yes' : 'no']);
    const died = new Promise<NodeJS.Signals | null>((r) => s.p.once('close', (_code, sig) => r(sig)));
    try {
      const c = await waitReady(port);
      // the port accepts before startup ends; the crash handlers are installed once it has
      await waitFor(() => /Ready to accept connections/.test(s.output()), 'the ready line');
      if (k.how === 'abrt') s.p.kill('SIGABRT');
      else void c.sendRaw('*2\r\n$5\r\nDEBUG\r\n$8\r\nSEGFAULT\r\n', 0);
      assert.equal(await died, k.how === 'abrt' ? 'SIGABRT' : 'SIGSEGV');
      c.close();
      const out = s.output();
      if (!k.log) {
        assert.doesNotMatch(out, /crashed by signal/);
        continue;
      }
      assert.match(out, /=== REDIS BUG REPORT START: Cut & paste starting from here ===/);
      assert.match(out, new RegExp(`# gKV 7\\.0\\.15 crashed by signal: ${k.how === 'abrt' ? '6, si_code: 0' : '11, si_code: 2'}\\n`));
      assert.match(out, /------ INFO OUTPUT ------\n# Server\r?\nredis_version:7\.0\.15/);
      assert.match(out, /=== REDIS BUG REPORT END\. Make sure to include from START to END\. ===/);
      if (k.how === 'segv') assert.match(out, /------ CURRENT CLIENT INFO ------\nid=\d+ addr=[^\n]*\nargv\[0\]: '"DEBUG"'\nargv\[1\]: '"SEGFAULT"'/);
    } finally {
      s.p.kill('SIGKILL');
      await s.exited;
    }
  }
});

test('gkv-server refuses an unknown directive with a config error and exit code 1', async () => {
  const s = startBin(['--no-such-directive', 'yes']);
  assert.equal(await s.exited, 1);
  assert.match(s.output(), /FATAL CONFIG FILE ERROR/);
  assert.match(s.output(), /Bad directive or wrong number of arguments/);
});

test('createServer starts an in-process server on a free port in one line and close() stops it', async () => {
  const srv = await createServer({ port: 0 });
  assert.ok(srv.port > 0);
  const c = await RespClient.connect(srv.port, srv.host);
  assert.equal(await c.cmd('PING'), 'PONG');
  await srv.close();
  await c.waitClose();
  await assert.rejects(RespClient.connect(srv.port, srv.host));
});

test('createServer rejects an unknown option by name', async () => {
  // @ts-expect-error -- an unknown name is also a compile error (ServerOptions)
  await assert.rejects(createServer({ port: 0, 'not-a-param': 1 }), /bad option 'not-a-param'/);
});
