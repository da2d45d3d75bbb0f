#!/usr/bin/env node
/**
 * geo: GEOADD and GEOSEARCH side by side, gKV vs a real redis-server.
 *
 * Starts both servers on free loopback ports, loads the same dataset into
 * both (N random points over western Europe, a fixed seed: lon -10..30,
 * lat 35..60), then runs redis-benchmark on each, interleaved and
 * alternating which goes first every round:
 *   GEOSEARCH pts FROMLONLAT 13.36 45.11 BYRADIUS 50 km ASC COUNT 10
 *     (with 100k points: 2 of the nine cells read, ~190 candidates, 86 matches)
 *   GEOADD gbench 13.361389 38.115556 m:__rand_int__   (-r 1000000: new members)
 * Prints requests/s and the server's CPU µs per request (utime+stime from
 * /proc), medians over the rounds, and the gKV/Redis ratios.
 *
 *   node bench/geo.js [--points N] [--rounds R] [--requests N] [--pipeline 1,16] [--clients 50]
 */
import { spawn } from 'node:child_process';
import { parseArgs, intOpt, listOpt, startServer, cpuSeconds, RespConn, bulkLoad, encodeCommand, median, fmtInt, fmtNum, textTable } from './lib.js';

const opts = parseArgs(process.argv.slice(2), { points: 'string', rounds: 'string', requests: 'string', pipeline: 'string', clients: 'string' });
const points = intOpt(opts.points, 100000);
const rounds = intOpt(opts.rounds, 3) || 1;
const pipelines = listOpt(opts.pipeline, ['1', '16']).map((p) => intOpt(p, 1) || 1);
const clients = intOpt(opts.clients, 50);
const requestsFor = (p) => intOpt(opts.requests, p === 1 ? 100000 : 300000);

const TESTS = [
  { name: 'GEOSEARCH 50 km COUNT 10', args: ['GEOSEARCH', 'pts', 'FROMLONLAT', '13.36', '45.11', 'BYRADIUS', '50', 'km', 'ASC', 'COUNT', '10'] },
  { name: 'GEOADD (new members)', args: ['-r', '1000000', 'GEOADD', 'gbench', '13.361389', '38.115556', 'm:__rand_int__'] },
];

/** mulberry32: the same points in both servers */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function load(server) {
  const conn = await RespConn.connect(server.port);
  const rand = rng(12345);
  const per = 100;
  const r = await bulkLoad(conn, Math.ceil(points / per), (i) => {
    const args = ['GEOADD', 'pts'];
    for (let j = i * per; j < Math.min(points, (i + 1) * per); j++) args.push(String(-10 + rand() * 40), String(35 + rand() * 25), `p${j}`);
    return encodeCommand(args);
  });
  const n = await conn.call('ZCARD', 'pts');
  conn.close();
  if (r.errors > 0 || n !== points) throw new Error(`${server.name}: loading failed (${r.firstError ?? `${n} points`})`);
}

function runBenchmark(server, test, pipeline) {
  const n = requestsFor(pipeline);
  const args = ['-h', '127.0.0.1', '-p', String(server.port), '-c', String(clients), '-n', String(n), '-P', String(pipeline), '--csv', ...test.args];
  return new Promise((resolve, reject) => {
    const cpu0 = cpuSeconds(server.pid);
    const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      const cpu = cpuSeconds(server.pid) - cpu0;
      const row = out
        .split('\n')
        .filter((l) => l.startsWith('"') && !l.startsWith('"test"'))
        .pop();
      if (!row) return reject(new Error(`redis-benchmark: ${out.trim().split('\n').slice(-2).join(' / ')}`));
      resolve({ rps: Number(row.split(',')[1].replace(/"/g, '')), cpuUs: (cpu / n) * 1e6 });
    });
  });
}

async function main() {
  const gkv = await startServer('gkv');
  const redis = await startServer('redis');
  try {
    await Promise.all([load(gkv), load(redis)]);
    console.log(`geo: ${points} points, clients=${clients}, rounds=${rounds}`);
    const rows = [];
    for (const test of TESTS) {
      for (const p of pipelines) {
        const got = { gkv: [], redis: [] };
        for (let r = 0; r < rounds; r++) {
          const order = r % 2 === 0 ? [gkv, redis] : [redis, gkv];
          for (const s of order) got[s.kind].push(await runBenchmark(s, test, p));
        }
        const g = { rps: median(got.gkv.map((x) => x.rps)), cpu: median(got.gkv.map((x) => x.cpuUs)) };
        const re = { rps: median(got.redis.map((x) => x.rps)), cpu: median(got.redis.map((x) => x.cpuUs)) };
        rows.push([test.name, `P${p}`, fmtInt(g.rps), fmtInt(re.rps), fmtNum(g.rps / re.rps), fmtNum(g.cpu, 1), fmtNum(re.cpu, 1), fmtNum(re.cpu / g.cpu)]);
      }
    }
    console.log(textTable(['test', 'pipeline', 'gKV rps', 'Redis rps', 'rps ratio', 'gKV CPU µs/req', 'Redis CPU µs/req', 'CPU ratio'], rows));
  } finally {
    await gkv.stop();
    await redis.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
