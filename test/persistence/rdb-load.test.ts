/**
 * Loading an RDB file at startup as Redis 7.0 does, seen from outside: the
 * same log lines and no others (no line per percent), -LOADING and INFO
 * persistence's loading fields in Redis's order while the file is read in
 * slices (loading_loaded_bytes growing from one probe to the next), and a
 * file's RESIZEDB counts taken as a hint, never as an allocation the file
 * cannot back. gkv-server and redis-server run as child processes on copies
 * of one file that Redis wrote (DEBUG POPULATE, SAVE), slowed down with the
 * hidden key-load-delay so that the load lasts long enough to be probed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RespClient, RespError } from '../harness/resp.js';
import { connectWhenListening, freePort, startGkv, startRedis, waitFor } from '../harness/servers.js';

const serverJs = fileURLToPath(new URL('../../src/bin/server.js', import.meta.url));

interface Observed {
  /** the log from the "Loading RDB" line to the "DB loaded from disk" line, numbers masked */
  log: string[];
  /** INFO persistence's field names while loading:1 */
  fields: string[];
  /** loading_loaded_bytes as seen by successive probes */
  loadedBytes: number[];
  /** what PING answered while loading */
  pingWhileLoading: string;
  dbsize: number;
}

/** Starts `cmd` on a copy of the file, probes it while it loads and until it is ready, stops it. */
async function observeLoad(kind: 'gkv' | 'redis', file: string, keys: number): Promise<Observed> {
  const dir = mkdtempSync(join(tmpdir(), `gkv-rdb-load-${kind}-`));
  copyFileSync(file, join(dir, 'dump.rdb'));
  const port = await freePort();
  // about 100 µs per key: a 20,000-key file takes two seconds or more to load
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--key-load-delay', '100', '--loading-process-events-interval-bytes', '1024'];
  const p = kind === 'gkv' ? spawn(process.execPath, [serverJs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  const seen: Observed = { log: [], fields: [], loadedBytes: [], pingWhileLoading: '', dbsize: -1 };
  try {
    const c = await connectWhenListening(port);
    let ready = false;
    await waitFor(async () => {
      const ping = await c.cmd('PING');
      const info = String(await c.cmd('INFO', 'persistence'));
      if (/\r\nloading:1\r\n/.test(`\r\n${info}`)) {
        if (ping instanceof RespError) seen.pingWhileLoading = ping.message;
        seen.fields = info
          .split('\r\n')
          .filter((l) => l.includes(':'))
          .map((l) => l.slice(0, l.indexOf(':')));
        const m = /loading_loaded_bytes:(\d+)/.exec(info);
        if (m) seen.loadedBytes.push(Number(m[1]));
        return false;
      }
      ready = ping === 'PONG';
      return ready;
    }, `${kind} loads the file`);
    seen.dbsize = Number(await c.cmd('DBSIZE'));
    c.close();
    const lines = out.split('\n').map((l) => l.replace(/^\d+:[A-Z] \d\d \w{3} \d{4} [\d:.]+ [*#.-] /, ''));
    const from = lines.findIndex((l) => l.startsWith('Loading RDB produced by'));
    const to = lines.findIndex((l) => l.startsWith('DB loaded from disk'));
    assert.ok(from !== -1 && to > from, `${kind} logged the load:\n${out}`);
    seen.log = lines.slice(from, to + 1).map((l) => l.replace(/\d+(\.\d+)*/g, 'N'));
    assert.equal(seen.dbsize, keys);
  } finally {
    p.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
  return seen;
}

test("loading a file logs Redis's lines and no others, and answers -LOADING and INFO's loading fields as Redis does while it reads the file in slices", async () => {
  const keys = 20000;
  const redis = await startRedis();
  const src = mkdtempSync(join(tmpdir(), 'gkv-rdb-load-src-'));
  try {
    const c = await RespClient.connect(redis.port);
    assert.equal(await c.cmd('DEBUG', 'POPULATE', String(keys)), 'OK');
    assert.equal(await c.cmd('SAVE'), 'OK');
    c.close();
    copyFileSync(join(redis.dir, 'dump.rdb'), join(src, 'dump.rdb'));
    const file = join(src, 'dump.rdb');
    const r = await observeLoad('redis', file, keys);
    const g = await observeLoad('gkv', file, keys);
    assert.deepEqual(g.log, r.log);
    assert.deepEqual(g.log, [
      'Loading RDB produced by version N',
      'RDB age N seconds',
      'RDB memory usage when created N Mb',
      'Done loading RDB, keys loaded: N, keys expired: N.',
      'DB loaded from disk: N seconds',
    ]);
    assert.equal(g.pingWhileLoading, 'LOADING Redis is loading the dataset in memory');
    assert.equal(g.pingWhileLoading, r.pingWhileLoading);
    assert.deepEqual(g.fields, r.fields);
    // the file is read and installed as the load goes, not parsed whole first: the figure grows
    assert.ok(new Set(g.loadedBytes).size >= 2, `loading_loaded_bytes seen: ${g.loadedBytes.join(', ')}`);
    for (let i = 1; i < g.loadedBytes.length; i++) assert.ok(g.loadedBytes[i] >= g.loadedBytes[i - 1]);
  } finally {
    await redis.stop();
    rmSync(src, { recursive: true, force: true });
  }
});

test("a file whose RESIZEDB announces more keys than it holds loads what it holds (the count sizes the table only as far as the file's bytes could fill it)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-rdb-resizedb-'));
  try {
    // REDIS0010, SELECTDB 0, RESIZEDB 2^40 0 (a 64-bit length), one string key, EOF, no checksum
    const body = Buffer.concat([
      Buffer.from('REDIS0010', 'latin1'),
      Buffer.from([0xfe, 0x00, 0xfb, 0x81, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x00]),
      Buffer.from([0x00, 0x01]),
      Buffer.from('k', 'latin1'),
      Buffer.from([0x01]),
      Buffer.from('v', 'latin1'),
      Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 0]),
    ]);
    writeFileSync(join(dir, 'dump.rdb'), body);
    const s = await startGkv({ dir });
    const c = await RespClient.connect(s.port);
    assert.equal(await c.cmd('DBSIZE'), 1);
    assert.equal(await c.cmd('GET', 'k'), 'v');
    c.close();
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file read through its window loads whole: records across the window edges, values longer than the window, every type', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-rdb-window-'));
  try {
    const a = await startGkv({ dir, save: '', 'enable-debug-command': 'yes' });
    const c = await RespClient.connect(a.port);
    // 10 MB of small keys, then values of 6-12 MB (the loader reads 4 MB at a time), then more small keys
    const small = (from: number) => Array.from({ length: 100000 }, (_, i) => ['SET', `key:${from + i}`, `value:${'x'.repeat(80)}:${from + i}`]);
    await c.pipeline(small(0));
    assert.equal(await c.cmd('SET', 'big-string', 'b'.repeat(12 << 20)), 'OK');
    for (const [cmd, key, shape] of [
      ['HSET', 'big-hash', (i: number) => [`field:${i}`, `v${i}`.repeat(4)]],
      ['ZADD', 'big-zset', (i: number) => [String(i / 7), `member:${i}`.repeat(3)]],
      ['SADD', 'big-set', (i: number) => [`m:${i}`.repeat(3)]],
      ['RPUSH', 'big-list', (i: number) => [`e:${i}`.repeat(3)]],
    ] as const) {
      for (let i = 0; i < 300000; i += 10000) await c.cmd(cmd, key, ...Array.from({ length: 10000 }, (_, j) => shape(i + j)).flat());
    }
    for (let i = 0; i < 2000; i++) await c.cmd('XADD', 'stream', '*', 'f', `v${i}`.repeat(20));
    await c.pipeline(small(100000));
    assert.equal(await c.cmd('PEXPIRE', 'key:7', 100000000), 1);
    const digest = await c.cmd('DEBUG', 'DIGEST');
    const size = await c.cmd('DBSIZE');
    assert.equal(await c.cmd('SAVE'), 'OK');
    c.close();
    await a.close();
    const b = await startGkv({ dir, save: '', 'enable-debug-command': 'yes' });
    const cb = await RespClient.connect(b.port);
    assert.equal(await cb.cmd('DBSIZE'), size);
    assert.equal(await cb.cmd('DEBUG', 'DIGEST'), digest);
    assert.ok(Number(await cb.cmd('PTTL', 'key:7')) > 0);
    cb.close();
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
