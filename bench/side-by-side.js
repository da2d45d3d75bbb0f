#!/usr/bin/env node
/**
 * side-by-side: gKV vs a real redis-server under redis-benchmark.
 *
 * Starts gKV (bin/gkv-server) and redis-server on free loopback ports, then
 * runs redis-benchmark against both, interleaved: test X on one server, then
 * X on the other, then the next test (the order of the pair alternates every
 * round so slow drifts of the machine's load hit both sides alike). Each
 * (test, pipeline, server) runs in its own redis-benchmark process, and the
 * server's CPU time (utime+stime from /proc/<pid>/stat, all threads) is read
 * before and after it: CPU µs per request is the steadier figure on a busy
 * machine, throughput the noisier one. With several rounds the median is shown.
 *
 *   node bench/side-by-side.js [--quick] [--tests set,get,...] [--pipeline 1,16]
 *        [--clients 50] [--requests N] [--rounds R] [--markdown] [--json]
 *        [--gkv-dist dist-X] [--timeout S]
 *
 * A test a server does not support (redis-benchmark stops with "Error from
 * server: ERR unknown command ...") is reported as "not supported".
 */
import { parseArgsOrExit, benchRunOpts, listOpt, startServer, envInfo, runRedisBenchmark, writeResults, median, geomean, fmtInt, fmtNum, textTable, markdownTable } from './lib.js';

const DEFAULT_TESTS = ['set', 'get', 'incr', 'mset', 'ping_inline', 'ping_mbulk'];

const USAGE = `usage: node bench/side-by-side.js [options]
  --tests a,b,c      redis-benchmark tests (default ${DEFAULT_TESTS.join(',')})
  --pipeline 1,16    pipeline depths (default 1,16)
  --clients N        parallel connections (default 50)
  --requests N       requests per test run (default 200000 at -P1, 1000000 otherwise)
  --rounds R         rounds; the median is reported (default 3)
  --quick            50000 / 300000 requests, 1 round
  --markdown         also print README-ready markdown tables
  --json             write the results to bench/results/
  --gkv-dist DIR     run gKV from DIR/src/bin/server.js (default: bin/gkv-server on dist/)
  --timeout S        kill a redis-benchmark run after S seconds (default 120)`;

const opts = parseArgsOrExit(
  process.argv.slice(2),
  {
    tests: 'string',
    pipeline: 'string',
    clients: 'string',
    requests: 'string',
    rounds: 'string',
    quick: 'bool',
    markdown: 'bool',
    json: 'bool',
    'gkv-dist': 'string',
    timeout: 'string',
  },
  USAGE,
);

const tests = listOpt(opts.tests, DEFAULT_TESTS).map((t) => t.toLowerCase());
const { pipelines, clients, rounds, timeoutS, requestsFor } = benchRunOpts(opts, { full: [200000, 1000000], quick: [50000, 300000] });

/** One redis-benchmark run of one test (lib.js's runRedisBenchmark). */
function runBenchmark(server, test, pipeline) {
  return runRedisBenchmark(server, { clients, requests: requestsFor(pipeline), pipeline, timeoutS }, ['-t', test]);
}

async function main() {
  const env = envInfo();
  const started = Date.now();
  console.log(`side-by-side: tests=${tests.join(',')} pipeline=${pipelines.join(',')} clients=${clients} ` + `requests=${pipelines.map((p) => `${requestsFor(p)}@P${p}`).join(',')} rounds=${rounds}`);
  console.log(`env: node ${env.node}, ${env.redis.split(' ').slice(0, 3).join(' ')}, ${env.cpus} CPUs (${env.cpuModel}), ` + `load avg ${env.loadavg.join(' ')}, commit ${env.commit}`);
  const gkv = await startServer('gkv', { gkvDist: opts['gkv-dist'] });
  let redis;
  try {
    redis = await startServer('redis');
  } catch (e) {
    await gkv.stop();
    throw e;
  }
  const servers = [gkv, redis];
  console.log(
    `gKV pid ${gkv.pid} port ${gkv.port}${opts['gkv-dist'] || process.env.GKV_DIST ? ` (from ${opts['gkv-dist'] ?? process.env.GKV_DIST})` : ' (bin/gkv-server)'}; ` +
      `Redis pid ${redis.pid} port ${redis.port}\n`,
  );
  // results[p][test][kind] = { runs: [...], unsupported, error }
  const results = {};
  for (const p of pipelines) {
    results[p] = {};
    for (const t of tests) results[p][t] = { gkv: { runs: [] }, redis: { runs: [] } };
  }
  const stopAll = async () => {
    for (const s of servers) await s.stop();
  };
  process.on('SIGINT', () => {
    stopAll().finally(() => process.exit(130));
  });
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? servers : [redis, gkv];
      for (const p of pipelines) {
        for (const t of tests) {
          for (const s of order) {
            const slot = results[p][t][s.kind];
            if (slot.unsupported || slot.failed) continue;
            const r = await runBenchmark(s, t, p);
            const tag = `round ${round + 1}/${rounds} P${p} ${t.padEnd(12)} ${s.name.padEnd(5)}`;
            if (r.error !== undefined) {
              slot.error = r.error;
              if (r.unsupported) slot.unsupported = true;
              else slot.failed = true;
              console.log(`${tag} ${r.unsupported ? 'not supported' : 'FAILED'}: ${r.error.length > 90 ? r.error.slice(0, 90) + '...' : r.error}`);
            } else {
              slot.runs.push(r);
              console.log(`${tag} ${fmtInt(r.rps).padStart(10)} req/s  ${fmtNum(r.cpuUs).padStart(7)} CPU µs/req  (${fmtNum(r.elapsed, 1)} s)`);
            }
          }
        }
      }
    }
  } finally {
    await stopAll();
  }

  const summary = {};
  for (const p of pipelines) {
    const rows = [];
    const thr = [];
    const cpu = [];
    summary[p] = {};
    for (const t of tests) {
      const g = results[p][t].gkv;
      const r = results[p][t].redis;
      const gr = median(g.runs.map((x) => x.rps));
      const rr = median(r.runs.map((x) => x.rps));
      const gc = median(g.runs.map((x) => x.cpuUs));
      const rc = median(r.runs.map((x) => x.cpuUs));
      const ratio = gr / rr;
      const cratio = gc / rc;
      if (Number.isFinite(ratio)) thr.push(ratio);
      if (Number.isFinite(cratio)) cpu.push(cratio);
      const cell = (slot, v, f) => (slot.unsupported ? 'not supported' : slot.failed ? 'failed' : f(v));
      rows.push([t, cell(g, gr, fmtInt), cell(r, rr, fmtInt), fmtNum(ratio), cell(g, gc, fmtNum), cell(r, rc, fmtNum), fmtNum(cratio)]);
      summary[p][t] = {
        gkv: { rps: gr, cpuUsPerReq: gc, runs: g.runs, unsupported: !!g.unsupported, error: g.error ?? null },
        redis: { rps: rr, cpuUsPerReq: rc, runs: r.runs, unsupported: !!r.unsupported, error: r.error ?? null },
        ratio,
        cpuRatio: cratio,
      };
    }
    const gmT = geomean(thr);
    const gmC = geomean(cpu);
    rows.push([`geomean (${thr.length} tests)`, '', '', fmtNum(gmT), '', '', fmtNum(gmC)]);
    summary[p].geomean = { ratio: gmT, cpuRatio: gmC, tests: thr.length };
    const headers = ['test', 'gKV req/s', 'Redis req/s', 'ratio', 'gKV CPU µs/req', 'Redis CPU µs/req', 'CPU ratio'];
    console.log(
      `\n-P ${p}, ${clients} clients, ${fmtInt(requestsFor(p))} requests per run, median of ${rounds} round(s)` +
        ' (ratio = gKV/Redis throughput, higher is better for gKV; CPU ratio = gKV/Redis CPU per request, lower is better)',
    );
    console.log(textTable(headers, rows));
    if (opts.markdown) {
      console.log(`\nMarkdown (-P ${p}):\n`);
      console.log(
        markdownTable(
          headers,
          rows.map((r, i) => (i === rows.length - 1 ? r.map((c, j) => (j === 0 ? `**${c}**` : c ? `**${c}**` : '')) : r)),
        ),
      );
    }
  }
  const secs = (Date.now() - started) / 1000;
  console.log(`\ntotal time ${fmtNum(secs, 0)} s; load avg now ${envInfo().loadavg.join(' ')}`);
  if (opts.json) {
    const file = writeResults('side-by-side', {
      env,
      options: { tests, pipelines, clients, rounds, requests: Object.fromEntries(pipelines.map((p) => [p, requestsFor(p)])) },
      results: summary,
      seconds: secs,
    });
    console.log(`results written to ${file}`);
  }
}

main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(1);
});
