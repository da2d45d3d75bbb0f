#!/usr/bin/env node
/**
 * eviction: throughput of SET at the memory limit, gKV vs a real
 * redis-server side by side — every SET of a new key makes the server evict
 * (performEvictions before each command: sample, pool, delete, propagate).
 *
 * For each round and each server (alternating, fresh servers): starts it with
 * `maxmemory --maxmemory` and `maxmemory-policy --policy`, fills it past the
 * limit with redis-benchmark SETs over a keyspace far larger than fits
 * (--keyspace, values of --value-size bytes), checks evicted_keys moved and
 * used_memory is at the limit, then times redis-benchmark SET on the same
 * keyspace: nearly every SET creates a key and evicts about one. Reports
 * requests/s, p50 latency, server CPU µs per request, evicted keys, used
 * memory and resident memory at the end, and the gKV/Redis ratios (median
 * over rounds).
 *
 *   node bench/eviction.js [--maxmemory 64mb] [--policy allkeys-lru] [--requests 1000000]
 *        [--keyspace 10000000] [--value-size 100] [--clients 50] [--pipeline 16]
 *        [--rounds 3] [--servers gkv,redis] [--json] [--markdown]
 *
 * Bounded: each redis-benchmark run is killed after --time-limit seconds.
 */
import {
  parseArgsOrExit,
  intOpt,
  listOpt,
  startServer,
  memOf,
  envInfo,
  writeResults,
  RespConn,
  infoFields,
  runRedisBenchmark,
  fmtInt,
  fmtNum,
  fmtBytes,
  median,
  textTable,
  markdownTable,
} from './lib.js';

const USAGE = `usage: node bench/eviction.js [options]
  --maxmemory M      the limit (redis.conf units, default 64mb)
  --policy P         maxmemory-policy (default allkeys-lru)
  --requests N       SETs timed (default 1000000)
  --keyspace N       redis-benchmark -r: random keys (default 10000000)
  --value-size B     bytes per value (default 100)
  --clients N        connections (default 50)
  --pipeline N       requests per connection in flight (default 16)
  --rounds N         rounds, servers alternating (default 3)
  --servers a,b      gkv, redis (default gkv,redis)
  --time-limit S     bound on each redis-benchmark run (default 300)
  --markdown         also print a markdown table
  --json             write the results to bench/results/`;

const opts = parseArgsOrExit(
  process.argv.slice(2),
  {
    maxmemory: 'string',
    policy: 'string',
    requests: 'string',
    keyspace: 'string',
    'value-size': 'string',
    clients: 'string',
    pipeline: 'string',
    rounds: 'string',
    servers: 'string',
    'time-limit': 'string',
    markdown: 'bool',
    json: 'bool',
  },
  USAGE,
);
const maxmemory = opts.maxmemory ?? '64mb';
const policy = opts.policy ?? 'allkeys-lru';
const requests = intOpt(opts.requests, 1_000_000);
const keyspace = intOpt(opts.keyspace, 10_000_000);
const valueSize = intOpt(opts['value-size'], 100);
const clients = intOpt(opts.clients, 50);
const pipeline = intOpt(opts.pipeline, 16);
const rounds = intOpt(opts.rounds, 3);
const servers = listOpt(opts.servers, ['gkv', 'redis']);
const timeoutS = intOpt(opts['time-limit'], 300);

async function info(port) {
  const c = await RespConn.connect(port);
  try {
    return { ...(await infoFields(c, 'memory')), ...(await infoFields(c, 'stats')) };
  } finally {
    c.close();
  }
}

async function oneRun(kind) {
  const srv = await startServer(kind, { extraArgs: ['--maxmemory', maxmemory, '--maxmemory-policy', policy] });
  try {
    const bench = (n) => runRedisBenchmark(srv, { clients, requests: n, pipeline, keyspace, timeoutS }, ['-d', String(valueSize), '-t', 'set']);
    // the fill: past the limit, so that the timed run evicts from its first request
    const fill = await bench(Math.max(requests, 500_000));
    if (fill.error) return { error: `fill: ${fill.error}` };
    const before = await info(srv.port);
    if (Number(before.evicted_keys) === 0) return { error: `the fill did not reach maxmemory (used_memory ${before.used_memory})` };
    const r = await bench(requests);
    if (r.error) return { error: r.error };
    const after = await info(srv.port);
    return {
      rps: r.rps,
      p50: r.p50,
      cpuUs: r.cpuUs,
      evicted: Number(after.evicted_keys) - Number(before.evicted_keys),
      used: Number(after.used_memory),
      maxmemory: Number(after.maxmemory),
      rss: memOf(srv.pid).rss,
    };
  } finally {
    await srv.stop();
  }
}

const results = Object.fromEntries(servers.map((s) => [s, []]));
for (let round = 0; round < rounds; round++) {
  for (const kind of round % 2 === 0 ? servers : [...servers].reverse()) {
    const r = await oneRun(kind);
    if (r.error) {
      console.error(`${kind}: ${r.error}`);
      process.exit(1);
    }
    results[kind].push(r);
    console.error(`round ${round + 1} ${kind}: ${fmtInt(r.rps)} SET/s at the limit, ${fmtInt(r.evicted)} evicted, used ${fmtBytes(r.used)}, rss ${fmtBytes(r.rss)}`);
  }
}

const med = (kind, f) => median(results[kind].map((r) => r[f]));
const headers = ['server', 'SET/s', 'p50 ms', 'CPU µs/req', 'evicted/run', 'used_memory', 'maxmemory', 'RSS'];
const rows = servers.map((kind) => [
  kind === 'redis' ? 'Redis' : 'gKV',
  fmtInt(med(kind, 'rps')),
  fmtNum(med(kind, 'p50'), 3),
  fmtNum(med(kind, 'cpuUs'), 2),
  fmtInt(med(kind, 'evicted')),
  fmtBytes(med(kind, 'used')),
  fmtBytes(med(kind, 'maxmemory')),
  fmtBytes(med(kind, 'rss')),
]);
if (servers.includes('gkv') && servers.includes('redis')) {
  rows.push([
    'gKV/Redis',
    fmtNum(med('gkv', 'rps') / med('redis', 'rps')),
    fmtNum(med('gkv', 'p50') / med('redis', 'p50')),
    fmtNum(med('gkv', 'cpuUs') / med('redis', 'cpuUs')),
    '',
    '',
    '',
    fmtNum(med('gkv', 'rss') / med('redis', 'rss')),
  ]);
}
console.log(`SET at maxmemory ${maxmemory} (${policy}), ${fmtInt(requests)} requests, -r ${fmtInt(keyspace)}, -d ${valueSize}, -c ${clients}, -P ${pipeline}, median of ${rounds}`);
console.log(textTable(headers, rows));
if (opts.markdown) console.log(markdownTable(headers, rows));
if (opts.json) writeResults('eviction', { env: envInfo(), opts: { maxmemory, policy, requests, keyspace, valueSize, clients, pipeline, rounds }, results });
