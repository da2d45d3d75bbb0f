#!/usr/bin/env node
/**
 * rdb-load: loading a large RDB file at startup, gKV vs a real redis-server.
 *
 * Makes the file once with Redis (`DEBUG POPULATE --keys`, then SAVE; or
 * takes `--rdb FILE`), then starts each server on a copy of it, alternating
 * gKV and Redis for `--rounds` rounds, and measures what an operator sees:
 * - load: the server's own "DB loaded from disk: N seconds" log line;
 * - ready: from spawning the process to the first PONG (the process's own
 *   start included: Node's is ~0.1 s, Redis's ~0);
 * - CPU to ready: the server's user+system time when it is ready (the
 *   steadier figure on a busy machine);
 * - first reply: from spawning to the first reply of any kind (PING answered
 *   -LOADING or PONG) — a server that parses before it serves is silent;
 * - longest wait: the slowest reply to PING / INFO persistence while loading
 *   (the event-loop turns the loader gives back);
 * - loading seen: replies that showed `loading:1`, and the loading_loaded_perc
 *   range they reported;
 * - RSS (VmRSS) right after the load, after `--settle` seconds idle, and the
 *   peak (VmHWM); the log lines written from start to "Ready to accept".
 * Medians over the rounds; ratios gKV / Redis.
 *
 *   node bench/rdb-load.js [--keys 3000000] [--rdb FILE] [--rounds 3] [--settle 3]
 *        [--servers gkv,redis] [--poll-ms 10] [--markdown] [--json] [--gkv-dist dist-X]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  parseArgsOrExit,
  intOpt,
  listOpt,
  startServer,
  freePort,
  memOf,
  cpuSeconds,
  envInfo,
  writeResults,
  sleep,
  RespConn,
  ReplyError,
  median,
  fmtInt,
  fmtNum,
  textTable,
  markdownTable,
} from './lib.js';

const USAGE = `usage: node bench/rdb-load.js [options]
  --keys N         keys of the file made with DEBUG POPULATE (default 3000000)
  --rdb FILE       load this file instead of making one
  --rounds R       rounds, gKV and Redis alternating (default 3)
  --settle S       seconds idle after the load before the second RSS reading (default 3)
  --servers a,b    gkv, redis (default gkv,redis)
  --poll-ms M      pause between probes while loading (default 10)
  --time-limit S   give up on a server that has not loaded after S seconds (default 120)
  --gkv-dist DIR   run gKV from another build directory
  --markdown       also print a markdown table
  --json           write the results to bench/results/`;

const MiB = 1024 * 1024;

/** Makes the RDB file with Redis: DEBUG POPULATE keys, SAVE. Returns its path. */
async function makeRdb(dir, keys) {
  const srv = await startServer('redis', { extraArgs: ['--enable-debug-command', 'yes', '--dir', dir] });
  try {
    const c = await RespConn.connect(srv.port);
    await c.call('DEBUG', 'POPULATE', String(keys));
    await c.call('SAVE');
    c.close();
  } finally {
    await srv.stop();
  }
  return path.join(dir, 'dump.rdb');
}

/** One start of `kind` on a copy of the file: the figures of one round. */
async function measure(kind, rdb, o) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rdb-load-${kind}-`));
  fs.copyFileSync(rdb, path.join(dir, 'dump.rdb'));
  const port = await freePort();
  const t0 = performance.now();
  const srv = await startServer(kind, { port, wait: false, gkvDist: o.gkvDist, extraArgs: ['--dir', dir, '--dbfilename', 'dump.rdb'] });
  const deadline = t0 + o.timeLimit * 1000;
  const r = { firstReply: NaN, ready: NaN, load: NaN, longestWait: 0, loadingSeen: 0, percMin: NaN, percMax: NaN, cpu: NaN, rssLoaded: NaN, rssSettled: NaN, peak: NaN, logLines: NaN, dbsize: NaN };
  try {
    let conn = null;
    while (conn === null) {
      if (srv.exited) throw new Error(`${kind} exited:\n${srv.log}`);
      if (performance.now() > deadline) throw new Error(`${kind}: no connection within ${o.timeLimit} s`);
      try {
        conn = await RespConn.connect(port);
      } catch {
        await sleep(2);
      }
    }
    const probe = async (...args) => {
      const sent = performance.now();
      const v = await conn.send(...args);
      const now = performance.now();
      if (Number.isNaN(r.firstReply)) r.firstReply = now - t0;
      return { v, wait: now - sent };
    };
    for (;;) {
      if (performance.now() > deadline) throw new Error(`${kind}: not loaded within ${o.timeLimit} s`);
      const ping = await probe('PING');
      const info = await probe('INFO', 'persistence');
      const text = typeof info.v === 'string' ? info.v : '';
      const loading = /\r\nloading:1\r\n/.test(`\r\n${text}`) || (ping.v instanceof ReplyError && ping.v.message.startsWith('LOADING'));
      if (ping.v === 'PONG' && !loading) {
        r.ready = performance.now() - t0;
        break;
      }
      if (ping.v instanceof ReplyError && !ping.v.message.startsWith('LOADING')) throw new Error(`${kind}: PING answered ${ping.v.message}`);
      r.longestWait = Math.max(r.longestWait, ping.wait, info.wait);
      if (loading) {
        r.loadingSeen++;
        const m = /loading_loaded_perc:([\d.]+)/.exec(text);
        if (m) {
          const p = Number(m[1]);
          r.percMin = Number.isNaN(r.percMin) ? p : Math.min(r.percMin, p);
          r.percMax = Number.isNaN(r.percMax) ? p : Math.max(r.percMax, p);
        }
      }
      await sleep(o.pollMs);
    }
    r.cpu = cpuSeconds(srv.pid) * 1000;
    r.rssLoaded = memOf(srv.pid).rss;
    r.dbsize = await conn.call('DBSIZE');
    conn.close();
    await sleep(o.settle * 1000);
    const m = memOf(srv.pid);
    r.rssSettled = m.rss;
    r.peak = m.hwm;
    const log = srv.log;
    const secs = /DB loaded from disk: ([\d.]+) seconds/.exec(log);
    r.load = secs ? Number(secs[1]) * 1000 : NaN;
    const upTo = log.indexOf('Ready to accept connections');
    r.logLines = upTo === -1 ? NaN : log.slice(0, upTo).split('\n').length;
  } finally {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return r;
}

async function main() {
  const a = parseArgsOrExit(
    process.argv.slice(2),
    {
      keys: 'string',
      rdb: 'string',
      rounds: 'string',
      settle: 'string',
      servers: 'string',
      'poll-ms': 'string',
      'time-limit': 'string',
      'gkv-dist': 'string',
      markdown: 'bool',
      json: 'bool',
    },
    USAGE,
  );
  const keys = intOpt(a.keys, 3_000_000);
  const rounds = Math.max(1, intOpt(a.rounds, 3));
  const servers = listOpt(a.servers, ['gkv', 'redis']);
  const o = { settle: intOpt(a.settle, 3), pollMs: intOpt(a['poll-ms'], 10), timeLimit: intOpt(a['time-limit'], 120), gkvDist: a['gkv-dist'] };
  let tmp = null;
  let rdb = a.rdb;
  if (rdb === undefined) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rdb-load-src-'));
    process.stdout.write(`making the file: DEBUG POPULATE ${fmtInt(keys)} in redis-server, SAVE ... `);
    rdb = await makeRdb(tmp, keys);
  }
  console.log(`${rdb}: ${fmtNum(fs.statSync(rdb).size / MiB, 1)} MiB`);
  const runs = Object.fromEntries(servers.map((k) => [k, []]));
  try {
    for (let i = 0; i < rounds; i++) {
      for (const kind of i % 2 === 0 ? servers : [...servers].reverse()) {
        const r = await measure(kind, rdb, o);
        runs[kind].push(r);
        console.log(
          `round ${i + 1} ${kind}: load ${fmtInt(r.load)} ms, CPU ${fmtInt(r.cpu)} ms, ready ${fmtInt(r.ready)} ms, first reply ${fmtInt(r.firstReply)} ms, RSS ${fmtNum(r.rssLoaded / MiB, 0)} / ${fmtNum(r.rssSettled / MiB, 0)} MiB, keys ${fmtInt(r.dbsize)}`,
        );
      }
    }
  } finally {
    if (tmp !== null) fs.rmSync(tmp, { recursive: true, force: true });
  }
  const med = (kind, f) => median(runs[kind].map((r) => r[f]));
  const cols = [
    ['load (log)', 'load', (v) => `${fmtInt(v)} ms`],
    ['ready (spawn→PONG)', 'ready', (v) => `${fmtInt(v)} ms`],
    ['CPU to ready', 'cpu', (v) => `${fmtInt(v)} ms`],
    ['first reply', 'firstReply', (v) => `${fmtInt(v)} ms`],
    ['longest wait while loading', 'longestWait', (v) => `${fmtInt(v)} ms`],
    ['RSS after load', 'rssLoaded', (v) => `${fmtNum(v / MiB, 0)} MiB`],
    [`RSS after ${o.settle} s idle`, 'rssSettled', (v) => `${fmtNum(v / MiB, 0)} MiB`],
    ['peak RSS', 'peak', (v) => `${fmtNum(v / MiB, 0)} MiB`],
    ['log lines to Ready', 'logLines', (v) => fmtInt(v)],
  ];
  const headers = ['', ...servers.map((k) => (k === 'gkv' ? 'gKV' : 'Redis'))];
  const both = servers.includes('gkv') && servers.includes('redis');
  if (both) headers.push('gKV / Redis');
  const rows = cols.map(([label, f, fmt]) => {
    const row = [label, ...servers.map((k) => fmt(med(k, f)))];
    if (both) row.push(f === 'logLines' || f === 'longestWait' || f === 'firstReply' ? '' : `${fmtNum(med('gkv', f) / med('redis', f), 2)}x`);
    return row;
  });
  console.log(`\n${fmtInt(keys)} keys, median of ${rounds} round(s)`);
  console.log(textTable(headers, rows));
  for (const k of servers) {
    const seen = runs[k].map((r) => `${r.loadingSeen} probes saw loading:1 (perc ${fmtNum(r.percMin, 1)}–${fmtNum(r.percMax, 1)})`);
    console.log(`${k}: ${seen.join('; ')}`);
  }
  if (a.markdown) console.log(`\n${markdownTable(headers, rows)}`);
  if (a.json) console.log(writeResults('rdb-load', { env: envInfo(), keys, rounds, settle: o.settle, runs }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
