#!/usr/bin/env node
/**
 * bgsave: what a background save costs a serving gKV (and, for reference,
 * Redis's fork). Loads --keys keys, then, while a writer keeps sending SETs
 * (one at a time, each round trip timed) over the same keys, runs BGSAVE and
 * waits for it to finish. Reported: the save's duration, the longest and the
 * 99.9th-percentile round trip of the writer during the save (the event-loop
 * pauses the save caused), against the same figures before it, and the peak
 * extra resident memory (VmRSS sampled every 10 ms, max during the save minus
 * the value just before it).
 *
 *   node bench/bgsave.js [--keys 1000000] [--servers gkv,redis] [--gkv-dist dist]
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { parseArgs, intOpt, listOpt, startServer, memOf, sleep, RespConn, bulkLoad, benchKey, encodeCommand, fmtInt, fmtNum, fmtBytes, textTable } from './lib.js';

const o = parseArgs(process.argv.slice(2), { keys: 'string', servers: 'string', 'gkv-dist': 'string', help: 'bool' });
if (o.help) {
  console.log('usage: node bench/bgsave.js [--keys 1000000] [--servers gkv,redis] [--gkv-dist dist]');
  process.exit(0);
}
const keys = intOpt(o.keys, 1_000_000);
const kinds = listOpt(o.servers, ['gkv', 'redis']);

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function measure(kind) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gkv-bgsave-'));
  const server = await startServer(kind, { gkvDist: o['gkv-dist'], extraArgs: ['--dir', dir] });
  try {
    const conn = await RespConn.connect(server.port);
    await bulkLoad(conn, keys, (i) => encodeCommand(['SET', benchKey(i), 'value:' + i]), { batch: 1000, window: 8 });
    await sleep(2000);
    const writer = await RespConn.connect(server.port);
    let stop = false;
    let phase = 'before';
    const lat = { before: [], during: [] };
    let i = 0;
    const loop = (async () => {
      while (!stop) {
        const t = process.hrtime.bigint();
        await writer.send('SET', benchKey((i = (i + 7919) % keys)), 'new');
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        if (phase !== 'after') lat[phase].push(ms);
      }
    })();
    await sleep(1000);
    const rssBefore = memOf(server.pid).rss;
    let rssMax = rssBefore;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, memOf(server.pid).rss);
    }, 10);
    phase = 'during';
    const t0 = Date.now();
    const r = await conn.send('BGSAVE');
    for (;;) {
      const info = String(await conn.send('INFO', 'persistence'));
      if (/rdb_bgsave_in_progress:0/.test(info)) break;
      await sleep(5);
    }
    const seconds = (Date.now() - t0) / 1000;
    phase = 'after';
    clearInterval(sampler);
    stop = true;
    await loop;
    const info = String(await conn.send('INFO', 'persistence'));
    conn.close();
    writer.close();
    return {
      server: server.name,
      reply: String(r),
      seconds,
      status: /rdb_last_bgsave_status:(\w+)/.exec(info)?.[1],
      writesDuring: lat.during.length,
      maxBefore: Math.max(...lat.before),
      p999Before: pct(lat.before, 99.9),
      maxDuring: Math.max(...lat.during),
      p999During: pct(lat.during, 99.9),
      p50During: pct(lat.during, 50),
      p50Before: pct(lat.before, 50),
      extraRss: rssMax - rssBefore,
      rssBefore,
      fileSize: fs.statSync(path.join(dir, 'dump.rdb')).size,
    };
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const rows = [];
for (const k of kinds) {
  const r = await measure(k);
  console.log(JSON.stringify(r));
  rows.push([
    r.server,
    fmtNum(r.seconds),
    r.status,
    fmtInt(r.writesDuring),
    fmtNum(r.p50Before),
    fmtNum(r.maxBefore),
    fmtNum(r.p50During),
    fmtNum(r.maxDuring),
    fmtBytes(r.rssBefore),
    fmtBytes(r.extraRss),
    fmtBytes(r.fileSize),
  ]);
}
console.log(`\nBGSAVE of ${fmtInt(keys)} keys under a writer (one SET at a time); round trips in ms`);
console.log(textTable(['server', 'save s', 'status', 'writes during', 'median rt before', 'max rt before', 'median rt during', 'max rt during', 'RSS before', 'peak extra RSS', 'file'], rows));
