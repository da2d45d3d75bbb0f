/**
 * No data lost on the way out, and background saves in child processes, as
 * Redis 7.0 behaves:
 * - a shutdown whose final save (or the AOF's final write and fsync) fails
 *   keeps the server up with its data — for SIGTERM/SIGINT and SHUTDOWN,
 *   which then answers "Errors trying to SHUTDOWN" — unless NOSAVE or FORCE;
 * - SHUTDOWN ABORT cancels a shutdown a signal asked for; a second SIGINT
 *   during the final save exits at once, removing its temporary file;
 * - a shutdown while the AOF is being turned on refuses to exit unless FORCE;
 * - BGSAVE and BGREWRITEAOF run in a child process whose death fails the
 *   save, which FLUSHALL and SHUTDOWN kill without error, and whose progress
 *   INFO reports.
 * gkv-server runs as a child process where signals are involved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from '../../src/index.js';
import { RespClient } from '../harness/resp.js';
import { freePort, waitFor } from '../harness/servers.js';
import { errText } from '../harness/commands.js';
import { aofOf } from '../../src/persistence/aof/index.js';
import { activeChildOf } from '../../src/persistence/child.js';

const serverJs = fileURLToPath(new URL('../../src/bin/server.js', import.meta.url));
const SHUTDOWN_FAILED = 'ERR Errors trying to SHUTDOWN. Check logs.';

async function inTmpDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-shutdown-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sends a command whose reply may never come (the server exits). */
function send(c: RespClient, ...argv: string[]): void {
  void c.sendRaw(`*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`, 0);
}

/** gkv-server as a child process; `log()` is its output so far. */
async function startBin(args: string[]) {
  const port = await freePort();
  const p = spawn(process.execPath, [serverJs, '--port', String(port), '--bind', '127.0.0.1', '--enable-debug-command', 'yes', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  let c: RespClient | null = null;
  await waitFor(async () => {
    try {
      c = await RespClient.connect(port);
      return (await c.cmd('PING')) === 'PONG';
    } catch {
      return false;
    }
  }, 'gkv-server to answer');
  return { p, port, c: c! as RespClient, exited, log: () => out, connect: () => RespClient.connect(port) };
}

test('a SIGTERM whose final save fails (data directory removed) keeps the server up with its data; SHUTDOWN answers the error until the save works', async () => {
  await inTmpDir(async (base) => {
    const dir = join(base, 'data');
    mkdirSync(dir);
    const s = await startBin(['--dir', dir, '--save', '3600 1']);
    try {
      assert.equal(await s.c.cmd('SET', 'k', 'v'), 'OK');
      rmSync(dir, { recursive: true });
      s.p.kill('SIGTERM');
      await waitFor(() => /Errors trying to shut down the server\. Check the logs for more information\./.test(s.log()), 'the failed shutdown');
      assert.match(s.log(), /signal-handler \(\d+\) Received SIGTERM scheduling shutdown\.\.\./);
      assert.match(s.log(), /# Failed opening the temp RDB file temp-\d+\.rdb \(in server root dir unknown\) for saving: No such file or directory/);
      assert.match(s.log(), /# Error trying to save the DB, can't exit\./);
      assert.equal(await s.c.cmd('PING'), 'PONG');
      assert.equal(await s.c.cmd('GET', 'k'), 'v');
      // the same for SHUTDOWN, which answers; commands pipelined after it run once it failed
      const [r1, r2] = await s.c.pipeline([['SHUTDOWN'], ['GET', 'k']]);
      assert.equal(errText(r1.value), SHUTDOWN_FAILED);
      assert.equal(r2.value, 'v');
      assert.equal(errText(await s.c.cmd('SHUTDOWN', 'ABORT')), 'ERR No shutdown in progress.');
      // the directory is back: the shutdown saves and exits
      mkdirSync(dir);
      send(s.c, 'SHUTDOWN');
      assert.equal(await s.exited, 0);
      assert.match(s.log(), /DB saved on disk\n.*gKV is now ready to exit, bye bye\.\.\./);
      const again = await startBin(['--dir', dir, '--save', '']);
      assert.equal(await again.c.cmd('GET', 'k'), 'v');
      again.p.kill('SIGKILL');
      await again.exited;
    } finally {
      s.p.kill('SIGKILL');
      await s.exited;
    }
  });
});

test('SHUTDOWN FORCE exits though the final save fails, NOSAVE without saving; SHUTDOWN is refused inside MULTI', async () => {
  await inTmpDir(async (base) => {
    const dir = join(base, 'data');
    mkdirSync(dir);
    const a = await startBin(['--dir', dir, '--save', '3600 1']);
    try {
      mkdirSync(join(dir, 'dump.rdb')); // the rename over a directory fails
      await a.c.cmd('SET', 'k', 'v');
      // not inside a transaction (no_multi), as in Redis
      const r = (await a.c.pipeline([['MULTI'], ['SHUTDOWN', 'NOW'], ['EXEC'], ['PING']])).map((x) => x.value);
      assert.equal(errText(r[1]), 'ERR Command not allowed inside a transaction');
      assert.match(errText(r[2]), /^EXECABORT /);
      assert.equal(r[3], 'PONG');
      assert.equal(errText(await a.c.cmd('SHUTDOWN', 'NOW')), SHUTDOWN_FAILED);
      assert.match(a.log(), /Error moving temp DB file temp-\d+\.rdb on the final destination dump\.rdb \(in server root dir .*\): Is a directory/);
      send(a.c, 'SHUTDOWN', 'FORCE');
      assert.equal(await a.exited, 0);
      assert.match(a.log(), /# Error trying to save the DB\. Exit anyway\./);
    } finally {
      a.p.kill('SIGKILL');
      await a.exited;
    }
    rmSync(join(dir, 'dump.rdb'), { recursive: true });
    const b = await startBin(['--dir', dir, '--save', '3600 1']);
    try {
      await b.c.cmd('SET', 'k', 'v');
      send(b.c, 'SHUTDOWN', 'NOSAVE');
      assert.equal(await b.exited, 0);
      assert.doesNotMatch(b.log(), /Saving the final RDB snapshot/);
    } finally {
      b.p.kill('SIGKILL');
      await b.exited;
    }
  });
});

test('shutdown-on-sigterm gives a signalled shutdown its flags: force exits though the final save fails', async () => {
  await inTmpDir(async (base) => {
    const dir = join(base, 'data');
    mkdirSync(dir);
    const s = await startBin(['--dir', dir, '--save', '3600 1', '--shutdown-on-sigterm', 'force']);
    try {
      await s.c.cmd('SET', 'k', 'v');
      rmSync(dir, { recursive: true });
      s.p.kill('SIGTERM');
      assert.equal(await s.exited, 0);
      assert.match(s.log(), /# Error trying to save the DB\. Exit anyway\./);
    } finally {
      s.p.kill('SIGKILL');
      await s.exited;
    }
  });
});

test('SHUTDOWN ABORT cancels a shutdown a signal asked for; a second SIGINT during the final save exits at once and removes its file', async () => {
  await inTmpDir(async (dir) => {
    const s = await startBin(['--dir', dir, '--save', '3600 1']);
    try {
      assert.equal(await s.c.cmd('DEBUG', 'PAUSE-CRON', '1'), 'OK');
      s.p.kill('SIGTERM');
      await waitFor(() => /Received SIGTERM/.test(s.log()), 'the signal');
      assert.equal(await s.c.cmd('SHUTDOWN', 'ABORT'), 'OK');
      assert.match(s.log(), /\* Shutdown manually aborted\./);
      assert.equal(await s.c.cmd('DEBUG', 'PAUSE-CRON', '0'), 'OK');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await s.c.cmd('PING'), 'PONG');
      // 20 keys, 100 ms each: the final save takes 2 s
      for (let i = 0; i < 20; i++) await s.c.cmd('SET', `k${i}`, 'v');
      await s.c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '100000');
      const temp = join(dir, `temp-${s.p.pid}.rdb`);
      s.p.kill('SIGINT');
      await waitFor(() => existsSync(temp), 'the final save to start');
      s.p.kill('SIGINT');
      assert.equal(await s.exited, 1);
      assert.match(s.log(), /signal-handler \(\d+\) You insist\.\.\. exiting now\./);
      assert.ok(!existsSync(temp), 'the temporary file is removed');
      assert.ok(!existsSync(join(dir, 'dump.rdb')));
    } finally {
      s.p.kill('SIGKILL');
      await s.exited;
    }
  });
});

test('a shutdown while the AOF is being turned on refuses to exit unless FORCE', async () => {
  await inTmpDir(async (dir) => {
    const s = await startBin(['--dir', dir, '--save', '']);
    try {
      await s.c.cmd('SET', 'k', 'v');
      await s.c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '10000000');
      assert.equal(await s.c.cmd('CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
      assert.equal(errText(await s.c.cmd('SHUTDOWN', 'NOSAVE')), SHUTDOWN_FAILED);
      assert.match(s.log(), /# Writing initial AOF, can't exit\./);
      send(s.c, 'SHUTDOWN', 'FORCE');
      assert.equal(await s.exited, 0);
      assert.match(s.log(), /# Writing initial AOF\. Exit anyway\.\n.*# There is a child rewriting the AOF\. Killing it!/);
      assert.ok(!readdirSync(dir).some((f) => f.startsWith('temp-rewriteaof-bg-')), "the child's file is removed");
    } finally {
      s.p.kill('SIGKILL');
      await s.exited;
    }
  });
});

test('an AOF whose final write fails keeps the server up (close rejects) unless forced; the data is still served', async () => {
  await inTmpDir(async (dir) => {
    const srv = await createServer({ port: 0, dir, appendonly: 'yes', appendfsync: 'everysec' });
    const c = await RespClient.connect(srv.port);
    try {
      await c.cmd('SET', 'a', '1');
      // the AOF's file becomes one that cannot be written (EBADF), as a failing disk would refuse
      const aof = aofOf(srv.server)!;
      writeFileSync(join(dir, 'ro'), '');
      const ro = openSync(join(dir, 'ro'), 'r');
      closeSync(aof.feed.fd);
      aof.feed.fd = ro;
      await c.cmd('SET', 'b', '2'); // its write fails: kept in the buffer
      assert.match(String(await c.cmd('INFO', 'persistence')), /aof_last_write_status:err\r\n/);
      await assert.rejects(srv.close(), /Errors trying to SHUTDOWN/);
      assert.equal(await c.cmd('GET', 'b'), '2');
      assert.notEqual(aof.feed.buf, '', 'the unwritten commands are kept');
      await srv.close({ force: true });
      await c.waitClose();
    } finally {
      c.close();
    }
  });
});

test('BGSAVE runs in a child process: temp-<pid>.rdb named after it, its death fails the save, FLUSHALL and SHUTDOWN kill it without error', async () => {
  await inTmpDir(async (dir) => {
    const srv = await createServer({ port: 0, dir, save: '3600 1' });
    const c = await RespClient.connect(srv.port);
    try {
      for (let i = 0; i < 5; i++) await c.cmd('SET', `k${i}`, 'v'.repeat(500));
      await c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '1000000');
      assert.equal(await c.cmd('BGSAVE'), 'Background saving started');
      const child = activeChildOf(srv.server)!;
      assert.ok(child.pid !== process.pid && child.pid > 0);
      assert.ok(existsSync(join(dir, `temp-${child.pid}.rdb`)), 'the file exists as soon as BGSAVE answered');
      const info = String(await c.cmd('INFO', 'persistence'));
      assert.match(info, /rdb_bgsave_in_progress:1\r\n/);
      assert.match(info, /current_save_keys_total:5\r\n/);
      // a write to a key not saved yet makes the save copy it first: counted as copy-on-write
      await c.cmd('SETRANGE', 'k0', '0', 'x');
      assert.match(String(await c.cmd('INFO', 'persistence')), /current_cow_size:[1-9]\d*\r\n/);
      assert.match(String(await c.cmd('INFO', 'stats')), /total_forks:1\r\n/);
      // killed from outside: the save failed, writes are refused (save points set)
      process.kill(child.pid, 'SIGKILL');
      await waitFor(async () => /rdb_bgsave_in_progress:0\r\n/.test(String(await c.cmd('INFO', 'persistence'))), 'the failure');
      assert.match(String(await c.cmd('INFO', 'persistence')), /rdb_last_bgsave_status:err\r\n/);
      assert.match(errText(await c.cmd('SET', 'x', '1')), /^MISCONF /);
      assert.ok(!existsSync(join(dir, `temp-${child.pid}.rdb`)), 'its file is removed');
      // FLUSHALL kills the next one (no error) and, with save points, saves the empty dataset
      await c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '0');
      assert.equal(await c.cmd('SAVE'), 'OK'); // a good save clears the error
      await c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '1000000');
      await c.cmd('SET', 'y', '1');
      assert.equal(await c.cmd('BGSAVE'), 'Background saving started');
      const second = activeChildOf(srv.server)!;
      await c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '0');
      assert.equal(await c.cmd('FLUSHALL'), 'OK');
      await waitFor(async () => /rdb_bgsave_in_progress:0\r\n/.test(String(await c.cmd('INFO', 'persistence'))), 'the kill');
      assert.match(String(await c.cmd('INFO', 'persistence')), /rdb_last_bgsave_status:ok\r\n/);
      assert.ok(!existsSync(join(dir, `temp-${second.pid}.rdb`)));
      assert.ok(statSync(join(dir, 'dump.rdb')).size < 200, 'the empty dataset was saved');
      // SHUTDOWN NOSAVE during a BGSAVE: the child is killed and its file removed
      await c.cmd('SET', 'z', '1');
      await c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '1000000');
      assert.equal(await c.cmd('BGSAVE'), 'Background saving started');
      const third = activeChildOf(srv.server)!;
      await srv.close({ nosave: true });
      assert.ok(!existsSync(join(dir, `temp-${third.pid}.rdb`)));
    } finally {
      c.close();
      await srv.close({ force: true }).catch(() => {});
    }
  });
});

test('BGREWRITEAOF runs in a child writing temp-rewriteaof-bg-<pid>.aof in dir; a killed child fails the rewrite and the incr files stay', async () => {
  await inTmpDir(async (dir) => {
    const srv = await createServer({ port: 0, dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no' });
    const c = await RespClient.connect(srv.port);
    try {
      await c.cmd('SET', 'a', '1');
      await c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '10000000');
      assert.equal(await c.cmd('BGREWRITEAOF'), 'Background append only file rewriting started');
      const child = activeChildOf(srv.server)!;
      assert.ok(existsSync(join(dir, `temp-rewriteaof-bg-${child.pid}.aof`)));
      assert.equal(errText(await c.cmd('BGREWRITEAOF')), 'ERR Background append only file rewriting already in progress');
      process.kill(child.pid, 'SIGKILL');
      await aofOf(srv.server)!.rewriter.whenDone();
      const info = String(await c.cmd('INFO', 'persistence'));
      assert.match(info, /aof_last_bgrewrite_status:err\r\n/);
      assert.match(info, /aof_rewrites_consecutive_failures:1\r\n/);
      assert.ok(!existsSync(join(dir, `temp-rewriteaof-bg-${child.pid}.aof`)));
      assert.deepEqual(readdirSync(join(dir, 'appendonlydir')).sort(), ['appendonly.aof.1.base.aof', 'appendonly.aof.1.incr.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
      // turning the AOF off kills a running rewrite
      assert.equal(await c.cmd('BGREWRITEAOF'), 'Background append only file rewriting started');
      const second = activeChildOf(srv.server)!;
      assert.equal(await c.cmd('CONFIG', 'SET', 'appendonly', 'no'), 'OK');
      assert.equal(activeChildOf(srv.server), null);
      assert.ok(!existsSync(join(dir, `temp-rewriteaof-bg-${second.pid}.aof`)));
      await c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '0');
      assert.match(readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1'), /appendonly\.aof\.3\.incr\.aof/);
    } finally {
      c.close();
      await srv.close({ force: true });
    }
  });
});

test("a corrupted RDB file stops the start with Redis's lines: the checksum, the internal error, the termination", async () => {
  await inTmpDir(async (dir) => {
    const srv = await createServer({ port: 0, dir });
    const c = await RespClient.connect(srv.port);
    await c.cmd('SET', 'a', '1');
    await c.cmd('SAVE');
    c.close();
    await srv.close();
    const file = join(dir, 'dump.rdb');
    const data = readFileSync(file);
    data.write('foobar00', data.length - 8, 'latin1');
    writeFileSync(file, data);
    const port = await freePort();
    const p = spawn(process.execPath, [serverJs, '--port', String(port), '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => p.once('exit', (x) => r(x)));
    assert.equal(code, 1);
    assert.match(out, /\* Loading RDB produced by version 7\.0\.15\n/);
    assert.match(out, /# Wrong RDB checksum expected: \([0-9a-f]{16}\) but got \(30307261626f6f66\)\. Aborting now\.\n/);
    assert.match(out, /# Internal error in RDB reading offset 0, function at rdb\.c:0 -> RDB CRC error\n/);
    assert.match(out, /--- RDB ERROR DETECTED ---\n/);
    assert.match(out, /# Terminating server after rdb file reading failure\.\n$/);
  });
});
