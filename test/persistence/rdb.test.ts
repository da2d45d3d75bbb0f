/**
 * RDB files: every type and encoding survives SAVE and a restart; files gKV
 * writes are loaded by a real redis-server 7.0 (and pass redis-check-rdb),
 * files Redis writes are loaded by gKV, compared by a full-state capture on
 * both sides; BGSAVE under a concurrent writer saves exactly the dataset of
 * the moment it started; the save points start a BGSAVE by themselves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startGkv, startRedis, oracleSkip, connectWhenListening, freePort, waitFor } from '../harness/servers.js';
import { RespClient } from '../harness/resp.js';
import { stateOf } from '../differential/harness.js';

const DBS = [0, 1, 2];

/** Builds one key of every type and encoding (small and big forms), in db 0 and db 2, some with TTLs. */
async function populate(c: RespClient): Promise<void> {
  const big = (n: number, f: (i: number) => string[]) => Array.from({ length: n }, (_, i) => f(i)).flat();
  await c.cmd('SET', 'str', 'hello');
  await c.cmd('SET', 'int', '12345');
  await c.cmd('SET', 'neg', '-9223372036854775808');
  await c.cmd('SET', 'long', 'x'.repeat(1000)); // LZF-compressible
  await c.cmd('SET', 'bin', '\x00\xff\r\n\x01');
  await c.cmd('SET', 'ttl', 'v', 'PX', '3600000');
  await c.cmd('RPUSH', 'list', 'a', 'b', '1', '-7');
  await c.cmd('RPUSH', 'biglist', ...big(3000, (i) => [`e${i}`]));
  await c.cmd('HSET', 'hash', 'f', 'v', 'n', '5');
  await c.cmd('HSET', 'bighash', ...big(600, (i) => [`f${i}`, `v${i}`]));
  await c.cmd('SADD', 'intset', '1', '-2', '300000', '9223372036854775807');
  await c.cmd('SADD', 'set', 'a', 'b', 'c');
  await c.cmd('SADD', 'bigset', ...big(700, (i) => [`m${i}`]));
  await c.cmd('ZADD', 'zset', '1', 'a', '-2.5', 'b', 'inf', 'c');
  await c.cmd('ZADD', 'bigzset', ...big(200, (i) => [String(i / 3), `m${i}`]));
  await c.cmd('EXPIRE', 'bigzset', '7200');
  await c.cmd('XADD', 'stream', '1-1', 'a', '1', 'b', 'x');
  await c.cmd('XADD', 'stream', '2-0', 'a', '2', 'b', 'y');
  await c.cmd('XADD', 'stream', '3-0', 'c', 'z');
  await c.cmd('XDEL', 'stream', '2-0');
  for (let i = 0; i < 300; i += 50) await c.cmd('XADD', 'bigstream', `${1000 + i}-0`, ...big(50, (j) => [`f${j}`, `v${i + j}`]));
  await c.cmd('XADD', 'emptystream', 'MAXLEN', '0', '7-7', 'x', 'y');
  await c.cmd('SELECT', '2');
  await c.cmd('SET', 'other', 'db2');
  await c.cmd('HSET', 'h2', 'x', 'y');
  await c.cmd('SELECT', '0');
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gkv-rdb-'));
}

test('SAVE writes every type and encoding, and a restarted server loads the same state', async () => {
  const dir = tempDir();
  try {
    const a = await startGkv({ dir });
    const ca = await RespClient.connect(a.port);
    await populate(ca);
    const before = await stateOf(ca, DBS);
    assert.equal(await ca.cmd('SAVE'), 'OK');
    assert.equal(Number(String(await ca.cmd('INFO', 'persistence')).match(/rdb_changes_since_last_save:(\d+)/)![1]), 0);
    const lastsave = Number(await ca.cmd('LASTSAVE'));
    assert.ok(Math.abs(lastsave - Date.now() / 1000) < 5);
    ca.close();
    await a.close();
    const b = await startGkv({ dir });
    const cb = await RespClient.connect(b.port);
    try {
      assert.equal(await stateOf(cb, DBS), before);
      assert.match(String(await cb.cmd('INFO', 'persistence')), /rdb_last_load_keys_loaded:20\r\n/);
    } finally {
      cb.close();
      await b.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a real Redis 7.0 loads the RDB file gKV wrote, and gKV loads the file Redis wrote', { skip: oracleSkip() }, async () => {
  const gdir = tempDir();
  try {
    // gKV -> Redis
    const g = await startGkv({ dir: gdir });
    const cg = await RespClient.connect(g.port);
    await populate(cg);
    const state = await stateOf(cg, DBS);
    await cg.cmd('SAVE');
    cg.close();
    await g.close();
    const check = spawnSync('redis-check-rdb', [join(gdir, 'dump.rdb')], { encoding: 'utf8' });
    assert.match(check.stdout, /RDB looks OK/, check.stdout + check.stderr);
    const r = await startRedis(['--dir', gdir, '--dbfilename', 'dump.rdb']);
    const cr = await RespClient.connect(r.port);
    try {
      assert.equal(await stateOf(cr, DBS), state);
      // Redis -> gKV: Redis saves what it loaded (its own encoding choices), gKV loads it
      await cr.cmd('SET', 'from-redis', 'yes');
      await cr.cmd('SAVE');
      const redisState = await stateOf(cr, DBS);
      const g2dir = tempDir();
      copyFileSync(join(gdir, 'dump.rdb'), join(g2dir, 'dump.rdb'));
      const g2 = await startGkv({ dir: g2dir });
      const cg2 = await RespClient.connect(g2.port);
      assert.equal(await stateOf(cg2, DBS), redisState);
      cg2.close();
      await g2.close();
      rmSync(g2dir, { recursive: true, force: true });
    } finally {
      cr.close();
      await r.stop();
    }
  } finally {
    rmSync(gdir, { recursive: true, force: true });
  }
});

test('BGSAVE under a concurrent writer saves exactly the dataset of the moment it started', async () => {
  const dir = tempDir();
  try {
    const a = await startGkv({ dir });
    const c = await RespClient.connect(a.port);
    const N = 50000;
    const fill: string[][] = [];
    for (let i = 0; i < N; i++) fill.push(['SET', `k${i}`, `v${i}`]);
    await c.pipeline(fill);
    await c.cmd('RPUSH', 'list', 'a', 'b');
    await c.cmd('HSET', 'h', 'f', '1');
    const atCut = await stateOf(c, [0]);
    // BGSAVE, then writes that touch owed keys, delete some, add new ones and edit collections in place
    const writes: string[][] = [['BGSAVE']];
    for (let i = 0; i < N; i += 7) writes.push(['SET', `k${i}`, 'changed']);
    for (let i = 3; i < N; i += 11) writes.push(['DEL', `k${i}`]);
    for (let i = 0; i < 2000; i++) writes.push(['SET', `new${i}`, 'x']);
    writes.push(['RPUSH', 'list', 'c'], ['HSET', 'h', 'f', '2'], ['FLUSHDB']);
    const replies = await c.pipeline(writes);
    assert.equal(replies[0].value, 'Background saving started');
    await waitFor(async () => !/rdb_bgsave_in_progress:1/.test(String(await c.cmd('INFO', 'persistence'))), 'the BGSAVE to finish');
    assert.match(String(await c.cmd('INFO', 'persistence')), /rdb_last_bgsave_status:ok/);
    // the writes after the cut are still unsaved changes
    assert.ok(Number(String(await c.cmd('INFO', 'persistence')).match(/rdb_changes_since_last_save:(\d+)/)![1]) > 0);
    c.close();
    await a.close();
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('temp-')),
      [],
      'no temporary file left',
    );
    const b = await startGkv({ dir });
    const cb = await RespClient.connect(b.port);
    try {
      assert.equal(await stateOf(cb, [0]), atCut);
    } finally {
      cb.close();
      await b.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('BGSAVE answers as Redis: already in progress, SCHEDULE, and syntax errors; a save point starts one by itself', async () => {
  const dir = tempDir();
  try {
    const a = await startGkv({ dir });
    const c = await RespClient.connect(a.port);
    try {
      const fill: string[][] = [];
      for (let i = 0; i < 100000; i++) fill.push(['SET', `k${i}`, 'v'.repeat(20)]);
      await c.pipeline(fill);
      const [r1, r2, r3, r4] = await c.pipeline([['BGSAVE'], ['BGSAVE'], ['BGSAVE', 'SCHEDULE'], ['BGSAVE', 'NOW']]);
      assert.equal(r1.value, 'Background saving started');
      assert.equal(r2.raw, '-ERR Background save already in progress\r\n');
      assert.equal(r3.raw, '-ERR Background save already in progress\r\n');
      assert.equal(r4.raw, '-ERR syntax error\r\n');
      const saves0 = async () => Number(String(await c.cmd('INFO', 'persistence')).match(/rdb_saves:(\d+)/)![1]);
      await waitFor(async () => (await saves0()) >= 1, 'the BGSAVE');
      // while another child (an AOF rewrite's) runs, BGSAVE is refused and SCHEDULE runs it afterwards
      await c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '300000');
      const [w1, w2, w3] = await c.pipeline([['BGREWRITEAOF'], ['BGSAVE'], ['BGSAVE', 'SCHEDULE'], ['CONFIG', 'SET', 'rdb-key-save-delay', '0']]);
      assert.equal(w1.value, 'Background append only file rewriting started');
      assert.equal(w2.raw, "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n");
      assert.equal(w3.value, 'Background saving scheduled');
      await waitFor(async () => (await saves0()) >= 2, 'the scheduled BGSAVE');
      // save 1 1: one change, a second later, saves again by itself
      assert.equal(await c.cmd('CONFIG', 'SET', 'save', '1 1'), 'OK');
      await c.cmd('SET', 'trigger', '1');
      const before = await saves0();
      await waitFor(async () => (await saves0()) !== before, 'the save point to trigger');
      assert.ok(existsSync(join(dir, 'dump.rdb')));
    } finally {
      c.close();
      await a.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('DEBUG RELOAD saves, empties and reloads the dataset; NOSAVE reloads the file as it is; bad options are refused', async () => {
  const dir = tempDir();
  const a = await startGkv({ dir, 'enable-debug-command': 'yes' });
  const c = await RespClient.connect(a.port);
  try {
    await populate(c);
    const before = await stateOf(c, DBS);
    assert.equal(await c.cmd('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await stateOf(c, DBS), before);
    assert.match(String(await c.cmd('INFO', 'persistence')), /rdb_changes_since_last_save:0\r\n/);
    await c.cmd('SET', 'later', '1');
    assert.equal(await c.cmd('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
    assert.equal(await c.cmd('EXISTS', 'later'), 0, 'NOSAVE loads the file saved before the SET');
    await c.cmd('SET', 'kept', '1');
    assert.equal(await c.cmd('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'), 'OK');
    assert.equal(await c.cmd('GET', 'kept'), '1');
    assert.equal((await c.call('DEBUG', 'RELOAD', 'bad')).raw, '-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n');
  } finally {
    c.close();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed BGSAVE is reported, and with stop-writes-on-bgsave-error writes and PING get -MISCONF until a save works', async () => {
  const dir = tempDir();
  const a = await startGkv({ dir, save: '1000 1000' });
  const c = await RespClient.connect(a.port);
  try {
    await c.cmd('SET', 'k', 'v');
    rmSync(dir, { recursive: true, force: true }); // the save cannot open its file
    assert.equal(await c.cmd('BGSAVE'), 'Background saving started');
    await waitFor(async () => /rdb_last_bgsave_status:err/.test(String(await c.cmd('INFO', 'persistence'))), 'the BGSAVE to fail');
    const misconf = "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.";
    assert.ok((await c.call('SET', 'k', 'w')).raw.startsWith(misconf));
    assert.ok((await c.call('PING')).raw.startsWith(misconf));
    assert.equal(await c.cmd('GET', 'k'), 'v');
    assert.equal(await c.cmd('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no'), 'OK');
    assert.equal(await c.cmd('SET', 'k', 'w'), 'OK');
    // a working save clears the error
    await c.cmd('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    assert.equal(await c.cmd('BGSAVE'), 'Background saving started');
    await waitFor(async () => /rdb_last_bgsave_status:ok/.test(String(await c.cmd('INFO', 'persistence'))), 'the second BGSAVE to succeed');
    assert.equal(await c.cmd('SET', 'k', 'x'), 'OK');
  } finally {
    c.close();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gkv-server refuses to start on a corrupted RDB file, naming the problem, and keeps the file', async () => {
  const dir = tempDir();
  try {
    const a = await startGkv({ dir });
    const c = await RespClient.connect(a.port);
    await populate(c);
    await c.cmd('SAVE');
    c.close();
    await a.close();
    const { readFileSync, writeFileSync } = await import('node:fs');
    const file = join(dir, 'dump.rdb');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(file, bytes);
    // a free port: gkv-server's port 0 is no TCP listener at all, as redis-server's
    const port = String(await freePort());
    const r = spawnSync(process.execPath, [join(process.cwd(), process.env.GKV_DIST ?? 'dist', 'src/bin/server.js'), '--port', port, '--bind', '127.0.0.1', '--dir', dir, '--save', ''], {
      encoding: 'utf8',
      timeout: 20000,
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /RDB|checksum|Bad data|offset/i);
    assert.ok(existsSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kill -9 during a BGSAVE leaves the previous dump.rdb loadable, and the next start loads it', async () => {
  const dir = tempDir();
  const serverJs = join(process.cwd(), process.env.GKV_DIST ?? 'dist', 'src/bin/server.js');
  const { freePort } = await import('../harness/servers.js');
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  const args = [serverJs, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  const start = () => spawn(process.execPath, args, { stdio: 'ignore' });
  const connect = async (): Promise<RespClient> => {
    const c = await connectWhenListening(port);
    assert.equal(await c.cmd('PING'), 'PONG');
    return c;
  };
  let child = start();
  try {
    let c = await connect();
    await populate(c);
    assert.equal(await c.cmd('SAVE'), 'OK');
    const saved = await stateOf(c, DBS);
    // enough data that the BGSAVE takes a while, then kill it halfway
    const fill: string[][] = [];
    for (let i = 0; i < 300000; i++) fill.push(['SET', `bulk:${i}`, 'v'.repeat(100)]);
    await c.pipeline(fill);
    assert.equal(await c.cmd('BGSAVE'), 'Background saving started');
    await new Promise((r) => setTimeout(r, 30));
    const inProgress = /rdb_bgsave_in_progress:1/.test(String(await c.cmd('INFO', 'persistence')));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    c.close();
    child = start();
    c = await connect();
    assert.equal(await stateOf(c, DBS), saved);
    assert.ok(inProgress, 'the kill came while the BGSAVE was running');
    c.close();
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM saves the dataset when save points are set; a second signal during that save exits at once', async () => {
  const dir = tempDir();
  const serverJs = join(process.cwd(), process.env.GKV_DIST ?? 'dist', 'src/bin/server.js');
  const { freePort } = await import('../harness/servers.js');
  const { spawn } = await import('node:child_process');
  const children: ReturnType<typeof spawn>[] = [];
  const run = async (fill: number, signals: number, size = 200): Promise<{ code: number | null; out: string }> => {
    const port = await freePort();
    const p = spawn(process.execPath, [serverJs, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '3600 1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(p);
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    const c = await connectWhenListening(port);
    const cmds: string[][] = [];
    const value = Buffer.alloc(size, 'v').toString('latin1');
    for (let i = 0; i < fill; i++) cmds.push(['SET', `k${i}`, value + i]);
    await c.pipeline(cmds);
    c.close();
    p.kill('SIGTERM');
    if (signals > 1) {
      await new Promise((r) => setTimeout(r, 15));
      p.kill('SIGINT');
    }
    return { code: await exited, out };
  };
  try {
    const first = await run(1000, 1);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /DB saved on disk/);
    const b = await startGkv({ dir });
    const cb = await RespClient.connect(b.port);
    assert.equal(await cb.cmd('DBSIZE'), 1000);
    cb.close();
    await b.close();
    // 100 MB to save: long enough for the second signal to arrive mid-save
    const second = await run(5000, 2, 20000);
    assert.match(second.out, /You insist\.\.\. exiting now/, second.out.slice(-400));
    assert.equal(second.code, 1);
  } finally {
    for (const p of children) if (p.exitCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('while a large RDB file loads, commands get -LOADING and INFO shows the loading_* progress fields', async () => {
  const dir = tempDir();
  try {
    const a = await startGkv({ dir });
    const c = await RespClient.connect(a.port);
    const fill: string[][] = [];
    for (let i = 0; i < 300000; i++) fill.push(['SET', `k${i}`, 'v']);
    await c.pipeline(fill);
    await c.cmd('SAVE');
    c.close();
    await a.close();
    const { freePort } = await import('../harness/servers.js');
    const port = await freePort();
    // the event loop turns every 16 KB of the file (Redis's loading-process-events-interval-bytes; 2 MB by default)
    const starting = startGkv({ dir, port, 'loading-process-events-interval-bytes': 16384 });
    let sawLoading = false;
    let sawFields = false;
    while (!sawLoading) {
      let probe: RespClient;
      try {
        probe = await RespClient.connect(port);
      } catch {
        await new Promise((r) => setImmediate(r));
        continue;
      }
      const r = await probe.call('GET', 'k1');
      if (r.raw.startsWith('-LOADING')) {
        sawLoading = true;
        const info = String(await probe.cmd('INFO', 'persistence'));
        sawFields = /loading:1\r\n/.test(info) && /loading_total_bytes:\d+\r\n/.test(info) && /loading_loaded_perc:\d+\.\d\d\r\n/.test(info);
      }
      probe.close();
      if (r.raw === '$1\r\nv\r\n') break; // loaded before we caught it
    }
    const b = await starting;
    const cb = await RespClient.connect(b.port);
    assert.equal(await cb.cmd('DBSIZE'), 300000);
    assert.doesNotMatch(String(await cb.cmd('INFO', 'persistence')), /loading_total_bytes/);
    cb.close();
    await b.close();
    assert.ok(sawLoading, 'a client connected during the load was answered -LOADING');
    assert.ok(sawFields, 'INFO persistence had the loading_* fields during the load');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
