#!/usr/bin/env node
/**
 * acl: the cost of the ACL check on allowed commands, gKV vs Redis.
 *
 * Starts gKV (bin/gkv-server) and redis-server, creates on both a restricted
 * user — a few commands and key patterns (the key matched by the last one),
 * all channels — and runs redis-benchmark for each test twice per server:
 * as the default user (unrestricted: gKV's guard is one flag test) and as the
 * restricted one (`--user bench -a pw`: the command bit, key extraction and
 * glob matching on every command). Runs alternate between servers and users;
 * with several rounds the median is shown. Reported: requests/s and the
 * server's CPU µs per request (from /proc), the restricted/default ratio on
 * each server (the check's overhead) and gKV/Redis ratios.
 *
 *   node bench/acl.js [--tests set,get,incr,mset] [--pipeline 1,16]
 *        [--clients 50] [--requests N] [--rounds R] [--quick] [--markdown]
 */
import { parseArgsOrExit, benchRunOpts, listOpt, startServer, envInfo, runRedisBenchmark, median, fmtInt, fmtNum, textTable, markdownTable, RespConn } from './lib.js';

const DEFAULT_TESTS = ['set', 'get', 'incr', 'mset'];
/** the restricted user: its rules, and the key patterns redis-benchmark's keys match (key:, counter:) last */
const RULES = ['on', '>pw', '-@all', '+set', '+get', '+incr', '+mset', '+ping', '+config|get', '~user:*', '~session:*', '%R~cache:*', '~counter:*', '~key:*', '&*'];

const USAGE = `usage: node bench/acl.js [options]
  --tests a,b,c      redis-benchmark tests (default ${DEFAULT_TESTS.join(',')})
  --pipeline 1,16    pipeline depths (default 1,16)
  --clients N        parallel connections (default 50)
  --requests N       requests per run (default 200000 at -P1, 1000000 otherwise)
  --rounds R         rounds; the median is reported (default 3)
  --quick            50000 / 300000 requests, 1 round
  --markdown         also print a README-ready markdown table
  --gkv-dist DIR     run gKV from DIR/src/bin/server.js
  --timeout S        kill a redis-benchmark run after S seconds (default 120)`;

const opts = parseArgsOrExit(
  process.argv.slice(2),
  { tests: 'string', pipeline: 'string', clients: 'string', requests: 'string', rounds: 'string', quick: 'bool', markdown: 'bool', 'gkv-dist': 'string', timeout: 'string' },
  USAGE,
);
const tests = listOpt(opts.tests, DEFAULT_TESTS).map((t) => t.toLowerCase());
const { pipelines, clients, rounds, timeoutS, requestsFor } = benchRunOpts(opts, { full: [200000, 1000000], quick: [50000, 300000] });
const USERS = ['default', 'restricted'];

async function main() {
  const env = envInfo();
  console.log(`acl: tests=${tests.join(',')} pipeline=${pipelines.join(',')} clients=${clients} rounds=${rounds}`);
  console.log(`env: node ${env.node}, ${env.redis.split(' ').slice(0, 3).join(' ')}, ${env.cpus} CPUs, load avg ${env.loadavg.join(' ')}, commit ${env.commit}`);
  console.log(`restricted user: ACL SETUSER bench ${RULES.join(' ')}\n`);
  const gkv = await startServer('gkv', { gkvDist: opts['gkv-dist'] });
  const redis = await startServer('redis').catch(async (e) => {
    await gkv.stop();
    throw e;
  });
  const servers = [gkv, redis];
  const results = {};
  try {
    for (const s of servers) {
      const c = await RespConn.connect(s.port);
      const r = await c.call('ACL', 'SETUSER', 'bench', ...RULES);
      c.close();
      if (r !== 'OK') throw new Error(`${s.name}: ACL SETUSER: ${r}`);
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? servers : [redis, gkv];
      for (const p of pipelines) {
        for (const t of tests) {
          for (const s of order) {
            for (const u of round % 2 === 0 ? USERS : [...USERS].reverse()) {
              const auth = u === 'restricted' ? ['--user', 'bench', '-a', 'pw'] : [];
              const r = await runRedisBenchmark(s, { clients, requests: requestsFor(p), pipeline: p, timeoutS }, [...auth, '-t', t]);
              const key = `${p}|${t}|${s.kind}|${u}`;
              const slot = (results[key] ??= { runs: [] });
              const tag = `round ${round + 1}/${rounds} P${p} ${t.padEnd(6)} ${s.name.padEnd(5)} ${u.padEnd(10)}`;
              if (r.error !== undefined) {
                slot.error = r.error;
                console.log(`${tag} FAILED: ${r.error}`);
              } else {
                slot.runs.push(r);
                console.log(`${tag} ${fmtInt(r.rps).padStart(10)} req/s  ${fmtNum(r.cpuUs).padStart(7)} CPU µs/req`);
              }
            }
          }
        }
      }
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  const med = (key, f) => {
    const slot = results[key];
    return slot === undefined || slot.runs.length === 0 ? NaN : median(slot.runs.map((r) => r[f]));
  };
  const headers = ['test', 'P', 'gKV default', 'gKV restricted', 'gKV cost', 'Redis default', 'Redis restricted', 'Redis cost', 'gKV/Redis restricted'];
  const rows = [];
  for (const p of pipelines) {
    for (const t of tests) {
      const g0 = med(`${p}|${t}|gkv|default`, 'rps');
      const g1 = med(`${p}|${t}|gkv|restricted`, 'rps');
      const r0 = med(`${p}|${t}|redis|default`, 'rps');
      const r1 = med(`${p}|${t}|redis|restricted`, 'rps');
      const gc0 = med(`${p}|${t}|gkv|default`, 'cpuUs');
      const gc1 = med(`${p}|${t}|gkv|restricted`, 'cpuUs');
      const rc0 = med(`${p}|${t}|redis|default`, 'cpuUs');
      const rc1 = med(`${p}|${t}|redis|restricted`, 'cpuUs');
      rows.push([
        t,
        String(p),
        `${fmtInt(g0)} (${fmtNum(gc0)} µs)`,
        `${fmtInt(g1)} (${fmtNum(gc1)} µs)`,
        `${fmtNum((gc1 / gc0 - 1) * 100, 1)}% CPU`,
        `${fmtInt(r0)} (${fmtNum(rc0)} µs)`,
        `${fmtInt(r1)} (${fmtNum(rc1)} µs)`,
        `${fmtNum((rc1 / rc0 - 1) * 100, 1)}% CPU`,
        `${fmtNum(g1 / r1)}x req/s, ${fmtNum(gc1 / rc1)}x CPU`,
      ]);
    }
  }
  console.log(`\nmedians (req/s, CPU µs per request); cost = restricted user's CPU per request over the default user's\n`);
  console.log(textTable(headers, rows));
  if (opts.markdown) console.log(`\n${markdownTable(headers, rows)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
