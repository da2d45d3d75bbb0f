#!/usr/bin/env node
/**
 * commands: throughput of single commands redis-benchmark has no -t test
 * for (streams, HyperLogLog, geo), gKV vs a real redis-server side by side.
 *
 * Each test loads the same data into both servers (its `setup`, pipelined),
 * then runs `redis-benchmark … <command>` against each, alternating which
 * server goes first between rounds, and reports requests per second, CPU
 * per request (from /proc) and the gKV/Redis ratios. `__rand_int__` in a
 * command is redis-benchmark's random integer (-r 1000000).
 * Consumer-group rounds (XREADGROUP + XACK) are bench/stream-groups.js's,
 * geo searches of several shapes bench/geo.js's.
 *
 *   node bench/commands.js [--tests xadd,xrange10,...] [--requests 200000]
 *        [--pipeline 1] [--clients 50] [--rounds 3] [--markdown] [--json]
 */
import {
  parseArgs,
  intOpt,
  listOpt,
  startServer,
  cpuSeconds,
  envInfo,
  writeResults,
  RespConn,
  encodeCommand,
  bulkLoad,
  runRedisBenchmark,
  median,
  geomean,
  fmtInt,
  fmtNum,
  textTable,
  markdownTable,
} from './lib.js';

const opts = parseArgs(process.argv.slice(2), {
  tests: 'string',
  requests: 'string',
  pipeline: 'string',
  clients: 'string',
  rounds: 'string',
  markdown: 'bool',
  json: 'bool',
  'gkv-dist': 'string',
  help: 'bool',
});

/** One point in Europe per i (deterministic), for the geo set. */
const point = (i) => [String(-5 + ((i * 7919) % 25000) / 1000), String(40 + ((i * 104729) % 15000) / 1000)];

const TESTS = {
  xadd: { cmd: ['XADD', 'bench:stream', '*', 'event', 'job', 'id', '__rand_int__'] },
  'xadd-maxlen': { cmd: ['XADD', 'bench:capped', 'MAXLEN', '~', '10000', '*', 'event', 'job', 'id', '__rand_int__'] },
  xrange10: {
    setup: (n) => Array.from({ length: n }, (_, i) => ['XADD', 'bench:range', `${i + 1}-0`, 'event', 'job', 'id', String(i)]),
    setupCount: 10000,
    cmd: ['XRANGE', 'bench:range', '5000', '+', 'COUNT', '10'],
  },
  xlen: { setup: () => [['XADD', 'bench:len', '1-0', 'a', 'b']], setupCount: 1, cmd: ['XLEN', 'bench:len'] },
  pfadd: { cmd: ['PFADD', 'bench:hll', '__rand_int__'] },
  pfcount3: {
    setup: (n) => Array.from({ length: n }, (_, i) => ['PFADD', `bench:hll${i % 3}`, `e${i}`]),
    setupCount: 30000,
    cmd: ['PFCOUNT', 'bench:hll0', 'bench:hll1', 'bench:hll2'],
  },
  // many small (sparse) HLLs: a new key or a few elements each
  'pfadd-keys': { cmd: ['PFADD', 'bench:hll:__rand_int__', '__rand_int__'] },
  pfmerge3: {
    setup: (n) => Array.from({ length: n }, (_, i) => ['PFADD', `bench:hllm${i % 3}`, `e${i}`]),
    setupCount: 30000,
    cmd: ['PFMERGE', 'bench:hllm', 'bench:hllm0', 'bench:hllm1', 'bench:hllm2'],
  },
  geoadd: { cmd: ['GEOADD', 'bench:geoadd', '13.361389', '38.115556', 'm:__rand_int__'] },
  geosearch: {
    setup: (n) => Array.from({ length: n }, (_, i) => ['GEOADD', 'bench:geo', ...point(i), `p${i}`]),
    setupCount: 100000,
    cmd: ['GEOSEARCH', 'bench:geo', 'FROMLONLAT', '7.5', '47.5', 'BYRADIUS', '50', 'km', 'ASC', 'COUNT', '10'],
  },
};
const DEFAULT_TESTS = Object.keys(TESTS);

if (opts.help) {
  console.log(`usage: node bench/commands.js [options]
  --tests a,b,c     ${DEFAULT_TESTS.join(', ')}
  --requests N      requests per redis-benchmark run (default 200000)
  --pipeline P      redis-benchmark -P (default 1)
  --clients C       connections (default 50)
  --rounds R        rounds, median reported (default 3)
  --markdown        also print the tables as Markdown
  --json            write the results to bench/results/`);
  process.exit(0);
}

const tests = listOpt(opts.tests, DEFAULT_TESTS);
for (const t of tests) if (!(t in TESTS)) throw new Error(`unknown test '${t}'`);
const requests = intOpt(opts.requests, 200000);
const pipeline = intOpt(opts.pipeline, 1) || 1;
const clients = intOpt(opts.clients, 50);
const rounds = intOpt(opts.rounds, 3) || 1;

async function load(server, cmds) {
  const c = await RespConn.connect(server.port);
  const r = await bulkLoad(c, cmds.length, (i) => encodeCommand(cmds[i]), { deadline: Date.now() + 120000 });
  c.close();
  if (r.firstError) throw new Error(`${server.name} setup: ${r.firstError}`);
}

/** redis-benchmark running one command (lib.js's runRedisBenchmark). */
function benchmark(server, cmd) {
  return runRedisBenchmark(server, { clients, requests, pipeline, keyspace: 1000000, timeoutS: 180 }, cmd);
}

async function main() {
  const env = envInfo();
  console.log(`commands: tests=${tests.join(',')} requests=${requests} -P ${pipeline} clients=${clients} rounds=${rounds}`);
  console.log(`env: node ${env.node}, ${env.redis.split(' ').slice(0, 3).join(' ')}, ${env.cpus} CPUs, load avg ${env.loadavg.join(' ')}, commit ${env.commit}`);
  const gkv = await startServer('gkv', { gkvDist: opts['gkv-dist'] });
  const redis = await startServer('redis');
  const servers = [gkv, redis];
  const results = Object.fromEntries(tests.map((t) => [t, { gkv: [], redis: [], error: null }]));
  try {
    for (const t of tests) {
      const spec = TESTS[t];
      if (spec.setup) for (const s of servers) await load(s, spec.setup(spec.setupCount));
    }
    for (let round = 0; round < rounds; round++) {
      for (const t of tests) {
        const spec = TESTS[t];
        for (const s of round % 2 === 0 ? servers : [redis, gkv]) {
          const r = await benchmark(s, spec.cmd);
          if (r.error) {
            results[t].error = `${s.name}: ${r.error}`;
            console.log(`round ${round + 1} ${t.padEnd(15)} ${s.name.padEnd(5)} FAILED: ${r.error}`);
          } else {
            results[t][s.kind].push(r);
            console.log(`round ${round + 1} ${t.padEnd(15)} ${s.name.padEnd(5)} ${fmtInt(r.rps).padStart(10)} /s  ${fmtNum(r.cpuUs).padStart(7)} CPU µs`);
          }
        }
      }
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  const rows = [];
  const thr = [];
  const cpu = [];
  for (const t of tests) {
    const g = results[t].gkv;
    const r = results[t].redis;
    const gr = median(g.map((x) => x.rps));
    const rr = median(r.map((x) => x.rps));
    const gc = median(g.map((x) => x.cpuUs));
    const rc = median(r.map((x) => x.cpuUs));
    if (Number.isFinite(gr / rr)) thr.push(gr / rr);
    if (Number.isFinite(gc / rc)) cpu.push(gc / rc);
    rows.push([t, fmtInt(gr), fmtInt(rr), fmtNum(gr / rr), fmtNum(gc), fmtNum(rc), fmtNum(gc / rc)]);
  }
  rows.push([`geomean (${thr.length})`, '', '', fmtNum(geomean(thr)), '', '', fmtNum(geomean(cpu))]);
  const headers = ['test', 'gKV /s', 'Redis /s', 'ratio', 'gKV CPU µs', 'Redis CPU µs', 'CPU ratio'];
  console.log(`\n-P ${pipeline}, ${clients} clients, ${fmtInt(requests)} requests per run, median of ${rounds} round(s)`);
  console.log(textTable(headers, rows));
  if (opts.markdown) console.log('\n' + markdownTable(headers, rows));
  if (opts.json) console.log(`results: ${writeResults('commands', { env, tests, requests, pipeline, clients, rounds, results })}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
