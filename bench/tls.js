#!/usr/bin/env node
/**
 * tls: gKV vs a real redis-server over TLS, side by side, under
 * redis-benchmark --tls (Debian's redis-benchmark 7.0 is built with TLS).
 *
 * Both servers get a plain port and a TLS port with the same certificates
 * (made by scripts/gen-test-certs.sh: the server pair, the CA, client
 * certificates required); each test runs on one server then the other, the
 * order alternating every round, on the TLS port and, for reference, on the
 * plain one. Reported: requests/s and the server's CPU µs per request (from
 * /proc), the gKV/Redis ratios over TLS, and what TLS costs each server
 * (TLS/plain). The median of the rounds is shown.
 *
 *   node bench/tls.js [--tests set,get,ping_mbulk] [--pipeline 1,16] [--clients 50]
 *        [--requests N] [--rounds R] [--quick] [--json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgsOrExit, benchRunOpts, listOpt, startServer, envInfo, runRedisBenchmark, writeResults, median, geomean, fmtInt, fmtNum, textTable, freePort, ROOT } from './lib.js';

const USAGE = `usage: node bench/tls.js [options]
  --tests a,b,c      redis-benchmark tests (default set,get,ping_mbulk)
  --pipeline 1,16    pipeline depths (default 1,16)
  --clients N        parallel connections (default 50)
  --requests N       requests per run (default 100000 at -P1, 500000 otherwise)
  --rounds R         rounds; the median is reported (default 3)
  --quick            30000 / 200000 requests, 1 round
  --json             write the results to bench/results/`;

const opts = parseArgsOrExit(process.argv.slice(2), { tests: 'string', pipeline: 'string', clients: 'string', requests: 'string', rounds: 'string', quick: 'bool', json: 'bool' }, USAGE);
const tests = listOpt(opts.tests, ['set', 'get', 'ping_mbulk']).map((t) => t.toLowerCase());
const { pipelines, clients, rounds, requestsFor } = benchRunOpts(opts, { full: [100000, 500000], quick: [30000, 200000] });

if (!/--tls/.test(spawnSync('redis-benchmark', ['--help'], { encoding: 'utf8' }).stdout ?? '')) {
  console.error('tls: this redis-benchmark has no --tls (it was built without TLS)');
  process.exit(2);
}

async function main() {
  const env = envInfo();
  const dir = mkdtempSync(path.join(tmpdir(), 'gkv-bench-tls-'));
  const made = spawnSync('bash', [path.join(ROOT, 'scripts/gen-test-certs.sh'), dir], { stdio: 'inherit' });
  if (made.status !== 0) throw new Error('certificates not made (openssl?)');
  const c = (f) => path.join(dir, f);
  const tlsServerArgs = (port) => [
    '--tls-port',
    String(port),
    '--tls-cert-file',
    c('server.crt'),
    '--tls-key-file',
    c('server.key'),
    '--tls-ca-cert-file',
    c('ca.crt'),
    '--tls-dh-params-file',
    c('redis.dh'),
  ];
  const tlsClientArgs = ['--tls', '--cert', c('client.crt'), '--key', c('client.key'), '--cacert', c('ca.crt')];
  console.log(`tls: tests=${tests.join(',')} pipeline=${pipelines.join(',')} clients=${clients} rounds=${rounds}`);
  console.log(`env: node ${env.node}, ${env.redis.split(' ').slice(0, 3).join(' ')}, ${env.cpus} CPUs, load avg ${env.loadavg.join(' ')}, commit ${env.commit}`);
  const gTls = await freePort();
  const gkv = await startServer('gkv', { extraArgs: tlsServerArgs(gTls) });
  gkv.tlsPort = gTls;
  let redis;
  try {
    const rTls = await freePort();
    redis = await startServer('redis', { extraArgs: tlsServerArgs(rTls) });
    redis.tlsPort = rTls;
  } catch (e) {
    await gkv.stop();
    throw e;
  }
  const servers = [gkv, redis];
  const results = {};
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? servers : [redis, gkv];
      for (const p of pipelines) {
        for (const t of tests) {
          for (const mode of ['tls', 'plain']) {
            for (const s of order) {
              const key = `${p}/${t}/${mode}/${s.kind}`;
              const r = await runRedisBenchmark(
                s,
                { clients, requests: requestsFor(p), pipeline: p, timeoutS: 180, port: mode === 'tls' ? s.tlsPort : s.port, extraArgs: mode === 'tls' ? tlsClientArgs : [] },
                ['-t', t],
              );
              if (r.error !== undefined) throw new Error(`${key}: ${r.error}`);
              (results[key] ??= []).push(r);
              console.log(`round ${round + 1}/${rounds} P${p} ${t.padEnd(11)} ${mode.padEnd(5)} ${s.name.padEnd(5)} ${fmtInt(r.rps).padStart(9)} req/s ${fmtNum(r.cpuUs).padStart(7)} CPU µs/req`);
            }
          }
        }
      }
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  const m = (p, t, mode, kind, f) => median(results[`${p}/${t}/${mode}/${kind}`].map(f));
  const summary = {};
  for (const p of pipelines) {
    const rows = [];
    const thr = [];
    const cpu = [];
    summary[p] = {};
    for (const t of tests) {
      const gr = m(p, t, 'tls', 'gkv', (x) => x.rps);
      const rr = m(p, t, 'tls', 'redis', (x) => x.rps);
      const gc = m(p, t, 'tls', 'gkv', (x) => x.cpuUs);
      const rc = m(p, t, 'tls', 'redis', (x) => x.cpuUs);
      const gPlain = m(p, t, 'plain', 'gkv', (x) => x.rps);
      const rPlain = m(p, t, 'plain', 'redis', (x) => x.rps);
      thr.push(gr / rr);
      cpu.push(gc / rc);
      rows.push([t, fmtInt(gr), fmtInt(rr), fmtNum(gr / rr), fmtNum(gc), fmtNum(rc), fmtNum(gc / rc), fmtNum(gr / gPlain), fmtNum(rr / rPlain)]);
      summary[p][t] = { gkv: { rps: gr, cpuUsPerReq: gc, plainRps: gPlain }, redis: { rps: rr, cpuUsPerReq: rc, plainRps: rPlain }, ratio: gr / rr, cpuRatio: gc / rc };
    }
    rows.push([`geomean (${thr.length})`, '', '', fmtNum(geomean(thr)), '', '', fmtNum(geomean(cpu)), '', '']);
    console.log(`\nover TLS, -P ${p}, ${clients} clients, ${fmtInt(requestsFor(p))} requests per run, median of ${rounds} round(s)`);
    console.log(textTable(['test', 'gKV req/s', 'Redis req/s', 'ratio', 'gKV CPU µs/req', 'Redis CPU µs/req', 'CPU ratio', 'gKV TLS/plain', 'Redis TLS/plain'], rows));
  }
  if (opts.json) console.log(`results written to ${writeResults('tls', { env, options: { tests, pipelines, clients, rounds }, results: summary })}`);
}

main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(1);
});
