#!/usr/bin/env node
/**
 * aof: what the append-only file costs, gKV beside a real redis-server.
 *
 * 1. Writes under each appendfsync policy (always, everysec, no): redis-benchmark
 *    SET with 1 client (every write waits for its own write+fsync: the
 *    per-write cost of `always`) and with 50 clients (writes of one
 *    event-loop iteration share one fsync).
 * 2. BGREWRITEAOF of N keys (default 1,000,000, DEBUG POPULATE) while a probe
 *    client sends a SET and waits for its reply, again and again: the longest
 *    and the 99th-percentile reply time during the rewrite (gKV walks its
 *    fork-less snapshot in time slices; Redis forks), and how long the rewrite
 *    took.
 *
 *   node bench/aof.js [--gkv-dist dist-X] [--keys N] [--requests N] [--skip-fsync] [--skip-rewrite] [--preamble]
 *
 * --preamble: the rewrite writes an RDB base (aof-use-rdb-preamble yes, Redis's
 * default) instead of the command form.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, intOpt, startServer, RespConn, infoFields, fmtInt, fmtNum, textTable, sleep } from './lib.js';

const opts = parseArgs(process.argv.slice(2), {
  'gkv-dist': 'string',
  keys: 'string',
  requests: 'string',
  'skip-fsync': 'bool',
  'skip-rewrite': 'bool',
  preamble: 'bool',
  help: 'bool',
});
if (opts.help) {
  console.log('usage: node bench/aof.js [--gkv-dist dist-X] [--keys N] [--requests N] [--skip-fsync] [--skip-rewrite] [--preamble]');
  process.exit(0);
}
const KEYS = intOpt(opts.keys, 1_000_000);
const REQUESTS = intOpt(opts.requests, 20000);

function tmpDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gkv-bench-aof-'));
}

async function start(kind, extra) {
  const dir = tmpDir();
  const s = await startServer(kind, { gkvDist: opts['gkv-dist'], extraArgs: ['--dir', dir, '--appendonly', 'yes', '--aof-use-rdb-preamble', opts.preamble ? 'yes' : 'no', ...extra] });
  return { ...s, dir };
}

async function stop(s) {
  await s.stop();
  fs.rmSync(s.dir, { recursive: true, force: true });
}

function benchmark(port, clients, n) {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-t', 'set', '-n', String(n), '-c', String(clients), '-r', '100000', '-q', '--csv'], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('"SET"'));
  if (!line) throw new Error(`redis-benchmark failed: ${r.stdout}${r.stderr}`);
  const f = line.split(',').map((x) => x.replace(/"/g, ''));
  return { rps: Number(f[1]), avgMs: Number(f[2]) };
}

if (!opts['skip-fsync']) {
  const rows = [];
  for (const policy of ['always', 'everysec', 'no']) {
    for (const clients of [1, 50]) {
      const row = [policy, String(clients)];
      for (const kind of ['gkv', 'redis']) {
        const s = await start(kind, ['--appendfsync', policy]);
        const n = clients === 1 && policy === 'always' ? Math.min(REQUESTS, 5000) : REQUESTS;
        const r = benchmark(s.port, clients, n);
        row.push(fmtInt(r.rps), fmtNum(r.avgMs * 1000, 0));
        await stop(s);
      }
      rows.push(row);
    }
  }
  console.log('\nSET with appendonly yes (redis-benchmark; avg = mean reply time in µs)');
  console.log(textTable(['appendfsync', 'clients', 'gKV req/s', 'gKV avg µs', 'Redis req/s', 'Redis avg µs'], rows));
}

if (!opts['skip-rewrite']) {
  const rows = [];
  for (const kind of ['gkv', 'redis']) {
    const s = await start(kind, ['--appendfsync', 'everysec', '--enable-debug-command', 'yes', '--auto-aof-rewrite-percentage', '0']);
    const c = await RespConn.connect(s.port);
    await c.call('DEBUG', 'POPULATE', String(KEYS));
    const probe = await RespConn.connect(s.port);
    const lat = [];
    let stopProbe = false;
    const probing = (async () => {
      let i = 0;
      while (!stopProbe) {
        const t = process.hrtime.bigint();
        await probe.call('SET', `probe:${i++ % 1000}`, 'x');
        lat.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    })();
    await sleep(200);
    lat.length = 0;
    const t0 = Date.now();
    await c.call('BGREWRITEAOF');
    for (;;) {
      const f = await infoFields(c, 'persistence');
      if (f.aof_rewrite_in_progress === '0' && f.aof_rewrites === '1') break;
      await sleep(5);
    }
    const took = Date.now() - t0;
    stopProbe = true;
    await probing;
    lat.sort((a, b) => a - b);
    const p99 = lat[Math.floor(lat.length * 0.99)] ?? 0;
    rows.push([kind === 'gkv' ? 'gKV' : 'Redis', fmtInt(KEYS), fmtInt(took), fmtNum(lat[lat.length - 1] ?? 0, 1), fmtNum(p99, 2), fmtInt(lat.length)]);
    c.close();
    probe.close();
    await stop(s);
  }
  console.log(`\nBGREWRITEAOF of ${fmtInt(KEYS)} keys (${opts.preamble ? 'RDB' : 'command-form'} base) under a probe client's SETs (one at a time)`);
  console.log(textTable(['server', 'keys', 'rewrite ms', 'max reply ms', 'p99 reply ms', 'probe SETs'], rows));
}
