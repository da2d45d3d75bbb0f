#!/usr/bin/env node
/**
 * scripting: Lua scripting, gKV vs a real redis-server side by side.
 *
 *   evalsha3  EVALSHA of a 3-command script (INCR + HSET + GET) under
 *             redis-benchmark at each --pipeline depth: calls per second and
 *             server CPU µs per call (utime+stime from /proc), with the plain
 *             INCR under the same load as a reference for what the script
 *             layer adds.
 *   cpu       a CPU-bound script (1,000,000 arithmetic steps, then 100,000
 *             tostring + table.concat): wall time per EVAL on one connection,
 *             and the server's CPU for it. Redis's reply is checked against
 *             gKV's (the same {s, #concat} on both).
 *   load      SCRIPT LOAD of BullMQ's 64 scripts (400 KB of Lua) after SCRIPT
 *             FLUSH: what compiling costs (the first EVAL of each script).
 *   bullmq    BullMQ (its own Lua scripts, unchanged) adds --jobs jobs with
 *             addBulk and one Worker (concurrency 50) processes them: wall
 *             time from the first add to the last completion, and server CPU.
 *
 * Servers alternate within each round (which goes first flips every round);
 * with several rounds the median is shown, and the ratios are gKV/Redis (for
 * throughput > 1 is gKV faster, for time and CPU < 1 is). A server that lacks
 * EVAL is reported as "not supported". Every run is bounded: redis-benchmark
 * by --timeout, the cpu script by --cpu-calls and a time budget, BullMQ by a
 * deadline.
 *
 *   node bench/scripting.js [--parts evalsha3,cpu,load,bullmq] [--pipeline 1,16]
 *        [--clients 50] [--requests N] [--cpu-calls 10] [--jobs 10000]
 *        [--rounds 3] [--quick] [--markdown] [--json] [--gkv-dist dist-X]
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { createHash } from 'node:crypto';
import {
  parseArgsOrExit,
  benchRunOpts,
  intOpt,
  listOpt,
  startServer,
  cpuSeconds,
  envInfo,
  writeResults,
  RespConn,
  ReplyError,
  isUnknownCommand,
  runRedisBenchmark,
  median,
  fmtInt,
  fmtNum,
  textTable,
  markdownTable,
} from './lib.js';

const USAGE = `usage: node bench/scripting.js [options]
  --parts a,b        evalsha3, cpu, load, bullmq (default all)
  --pipeline 1,16    redis-benchmark -P depths for evalsha3 (default 1,16)
  --clients N        redis-benchmark connections (default 50)
  --requests N       EVALSHA calls per redis-benchmark run (default 200000 at -P1, 1000000 otherwise)
  --cpu-calls N      EVALs of the CPU-bound script per server per round (default 10)
  --jobs N           BullMQ jobs per run (default 10000)
  --rounds R         rounds, median reported (default 3)
  --quick            fewer requests (50000 / 200000), 3 cpu calls, 1 round
  --markdown         also print the table as Markdown
  --json             write the results to bench/results/
  --gkv-dist DIR     run gKV from DIR/src/bin/server.js
  --timeout S        ceiling of one redis-benchmark run or BullMQ run (default 180)`;

const opts = parseArgsOrExit(
  process.argv.slice(2),
  {
    parts: 'string',
    pipeline: 'string',
    clients: 'string',
    requests: 'string',
    'cpu-calls': 'string',
    jobs: 'string',
    rounds: 'string',
    quick: 'bool',
    markdown: 'bool',
    json: 'bool',
    'gkv-dist': 'string',
    timeout: 'string',
  },
  USAGE,
);

const PARTS = ['evalsha3', 'cpu', 'load', 'bullmq'];
const parts = listOpt(opts.parts, PARTS);
for (const p of parts) if (!PARTS.includes(p)) throw new Error(`unknown part '${p}'`);
const { pipelines, clients, rounds, timeoutS, requestsFor } = benchRunOpts(opts, { full: [200000, 1000000], quick: [50000, 200000], timeout: 180 });
const cpuCalls = intOpt(opts['cpu-calls'], opts.quick ? 3 : 10) || 1;
const jobs = intOpt(opts.jobs, 10000) || 1;

// (a) three commands on three keys: INCR a counter, HSET a field to its value, GET the counter back
const SCRIPT3 = "local n = redis.call('INCR', KEYS[1]) redis.call('HSET', KEYS[2], 'f', n) return redis.call('GET', KEYS[3])";
const SHA3 = createHash('sha1').update(SCRIPT3).digest('hex');
// (b) the CPU-bound script
const SCRIPT_CPU = 'local s=0 for i=1,1000000 do s = s + (i % 7) * 2 end local t={} for i=1,100000 do t[#t+1]=tostring(i) end return {s, #table.concat(t)}';
const CPU_BUDGET_MS = 120_000; // per server per round

/** One redis-benchmark run at this pipeline depth (lib.js's runRedisBenchmark). */
function redisBenchmark(server, pipeline, cmd) {
  return runRedisBenchmark(server, { clients, requests: requestsFor(pipeline), pipeline, keyspace: 100000, timeoutS }, cmd);
}

/** (a): SCRIPT LOAD, then EVALSHA under redis-benchmark; the reference INCR alongside. */
async function evalsha3(server, pipeline) {
  const c = await RespConn.connect(server.port);
  try {
    const loaded = await c.send('SCRIPT', 'LOAD', SCRIPT3);
    if (loaded instanceof ReplyError) return { error: loaded.message, unsupported: isUnknownCommand(loaded) };
    if (loaded !== SHA3) return { error: `SCRIPT LOAD answered ${loaded}, not ${SHA3}` };
    const check = await c.send('EVALSHA', SHA3, '3', 'chk', 'chk:h', 'chk');
    if (check !== '1') return { error: `EVALSHA check answered ${check instanceof ReplyError ? check.message : JSON.stringify(check)}, not "1"` };
  } finally {
    c.close();
  }
  const script = await redisBenchmark(server, pipeline, ['EVALSHA', SHA3, '3', 'bench:c:__rand_int__', 'bench:h:__rand_int__', 'bench:c:__rand_int__']);
  if (script.error) return script;
  const incr = await redisBenchmark(server, pipeline, ['INCR', 'bench:i:__rand_int__']);
  return { ...script, incrRps: incr.rps, incrCpuUs: incr.cpuUs };
}

/** (b): the CPU-bound script, cpuCalls times on one connection; wall ms and server CPU ms per call. */
async function cpuScript(server) {
  const c = await RespConn.connect(server.port);
  try {
    const walls = [];
    let reply;
    const deadline = Date.now() + CPU_BUDGET_MS;
    // /proc counts CPU in clock ticks (10 ms): the CPU per call is the whole run's over the calls
    const cpu0 = cpuSeconds(server.pid);
    for (let i = 0; i < cpuCalls && Date.now() < deadline; i++) {
      const t0 = process.hrtime.bigint();
      reply = await c.send('EVAL', SCRIPT_CPU, '0');
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      if (reply instanceof ReplyError) return { error: reply.message, unsupported: isUnknownCommand(reply) };
      walls.push(wall);
    }
    const cpuMs = ((cpuSeconds(server.pid) - cpu0) * 1000) / walls.length;
    return { wallMs: median(walls), cpuMs, calls: walls.length, reply: JSON.stringify(reply) };
  } finally {
    c.close();
  }
}

/** BullMQ's scripts as it sends them (its package does not export them: read by file) */
function bullmqScripts() {
  const require = createRequire(import.meta.url);
  return Object.values(require(path.join(path.dirname(require.resolve('bullmq')), 'scripts/index.js'))).map((x) => x.content);
}

/** load: SCRIPT FLUSH, then SCRIPT LOAD of every BullMQ script; wall and server CPU ms for all of them. */
async function loadScripts(server) {
  const scripts = bullmqScripts();
  const c = await RespConn.connect(server.port);
  try {
    const flushed = await c.send('SCRIPT', 'FLUSH');
    if (flushed instanceof ReplyError) return { error: flushed.message, unsupported: isUnknownCommand(flushed) };
    const cpu0 = cpuSeconds(server.pid);
    const t0 = process.hrtime.bigint();
    for (const src of scripts) {
      const r = await c.send('SCRIPT', 'LOAD', src);
      if (r instanceof ReplyError) return { error: r.message };
    }
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    return { wallMs, cpuMs: (cpuSeconds(server.pid) - cpu0) * 1000, scripts: scripts.length };
  } finally {
    c.close();
  }
}

/** (c): BullMQ add + process of `jobs` jobs; wall ms and server CPU ms. */
async function bullmqRun(server, round) {
  const { Queue, Worker } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const conn = () => {
    const r = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: null });
    r.on('error', () => {});
    return r;
  };
  const probe = await RespConn.connect(server.port);
  const hasEval = !isUnknownCommand(await probe.send('EVAL', 'return 1', '0'));
  probe.close();
  if (!hasEval) return { error: 'ERR unknown command EVAL', unsupported: true };
  const name = `bench-${round}`;
  const connections = [conn(), conn()];
  const queue = new Queue(name, { connection: connections[0] });
  await queue.waitUntilReady();
  let done = 0;
  let failed = 0;
  let resolveAll;
  const all = new Promise((r) => (resolveAll = r));
  const cpu0 = cpuSeconds(server.pid);
  const t0 = process.hrtime.bigint();
  const worker = new Worker(name, async (job) => job.data.i * 2, { connection: connections[1], concurrency: 50, removeOnComplete: { count: 1000 } });
  worker.on('completed', () => ++done >= jobs && resolveAll());
  worker.on('failed', () => (failed++, ++done >= jobs && resolveAll()));
  let result;
  const timer = setTimeout(() => resolveAll('timeout'), timeoutS * 1000);
  try {
    for (let i = 0; i < jobs; i += 500) {
      const n = Math.min(500, jobs - i);
      await queue.addBulk(Array.from({ length: n }, (_, k) => ({ name: 'j', data: { i: i + k } })));
    }
    const addedMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const how = await all;
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpuMs = (cpuSeconds(server.pid) - cpu0) * 1000;
    result = how === 'timeout' ? { error: `only ${done} of ${jobs} jobs done within ${timeoutS} s` } : failed ? { error: `${failed} jobs failed` } : { wallMs, cpuMs, addedMs };
  } finally {
    clearTimeout(timer);
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    for (const c of connections) c.disconnect();
  }
  return result;
}

async function main() {
  const env = envInfo();
  console.log(`scripting: parts=${parts.join(',')} pipeline=${pipelines.join(',')} clients=${clients} cpu-calls=${cpuCalls} jobs=${jobs} rounds=${rounds}`);
  console.log(`env: node ${env.node}, ${env.redis.split(' ').slice(0, 3).join(' ')}, ${env.cpus} CPUs (${env.cpuModel}), load avg ${env.loadavg.join(' ')}, commit ${env.commit}`);
  const gkv = await startServer('gkv', { gkvDist: opts['gkv-dist'] });
  let redis;
  try {
    redis = await startServer('redis');
  } catch (e) {
    await gkv.stop();
    throw e;
  }
  console.log(`gKV pid ${gkv.pid} port ${gkv.port}; Redis pid ${redis.pid} port ${redis.port}\n`);
  // results[key][kind] = { runs: [], error }
  const keys = [];
  for (const part of parts) {
    if (part === 'evalsha3') for (const p of pipelines) keys.push(`evalsha3 P${p}`);
    else keys.push(part);
  }
  const results = Object.fromEntries(keys.map((k) => [k, { gkv: { runs: [] }, redis: { runs: [] } }]));
  const record = (key, s, r, line) => {
    const slot = results[key][s.kind];
    const tag = `${key.padEnd(12)} ${s.name.padEnd(5)}`;
    if (r.error !== undefined) {
      slot.error = r.unsupported ? 'not supported' : r.error;
      console.log(`${tag} ${r.unsupported ? 'not supported' : 'FAILED'}: ${r.error.slice(0, 120)}`);
    } else {
      slot.runs.push(r);
      console.log(`${tag} ${line(r)}`);
    }
  };
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [gkv, redis] : [redis, gkv];
      console.log(`round ${round + 1}/${rounds}`);
      for (const part of parts) {
        for (const p of part === 'evalsha3' ? pipelines : [0]) {
          const key = part === 'evalsha3' ? `evalsha3 P${p}` : part;
          for (const s of order) {
            if (results[key][s.kind].error) continue;
            const c = await RespConn.connect(s.port);
            await c.send('FLUSHALL');
            c.close();
            if (part === 'evalsha3') {
              record(
                key,
                s,
                await evalsha3(s, p),
                (r) => `${fmtInt(r.rps).padStart(9)} calls/s ${fmtNum(r.cpuUs).padStart(6)} CPU µs/call   (INCR alone: ${fmtInt(r.incrRps)}/s, ${fmtNum(r.incrCpuUs)} µs)`,
              );
            } else if (part === 'load') {
              record(key, s, await loadScripts(s), (r) => `${fmtNum(r.wallMs, 1).padStart(8)} ms ${fmtNum(r.cpuMs, 0).padStart(6)} CPU ms for SCRIPT LOAD of ${r.scripts} BullMQ scripts`);
            } else if (part === 'cpu') {
              record(key, s, await cpuScript(s), (r) => `${fmtNum(r.wallMs, 1).padStart(8)} ms/call ${fmtNum(r.cpuMs, 1).padStart(8)} CPU ms/call  (median wall of ${r.calls}) reply ${r.reply}`);
            } else {
              record(
                key,
                s,
                await bullmqRun(s, round),
                (r) => `${fmtInt(r.wallMs).padStart(8)} ms for ${jobs} jobs (adds done at ${fmtInt(r.addedMs)} ms) ${fmtInt(r.cpuMs).padStart(7)} server CPU ms`,
              );
            }
          }
        }
      }
    }
  } finally {
    await gkv.stop();
    await redis.stop();
  }

  const cpuReplies = ['gkv', 'redis'].map((k) => results.cpu?.[k].runs[0]?.reply);
  if (cpuReplies[0] && cpuReplies[1] && cpuReplies[0] !== cpuReplies[1]) console.log(`\n*** the CPU-bound script's replies differ: gKV ${cpuReplies[0]}, Redis ${cpuReplies[1]} ***`);

  const rows = [];
  const ratio = (a, b) => (Number.isFinite(a / b) ? fmtNum(a / b) : '-');
  const cell = (slot, f, digits) => (slot.error ? slot.error.slice(0, 24) : fmtNum(median(slot.runs.map(f)), digits));
  // the rows of each part: label, the measured field, the digits shown (fmtNum's default when undefined)
  const rowsOf = (key) =>
    key.startsWith('evalsha3')
      ? [
          [`${key} calls/s`, 'rps', 0],
          [`${key} CPU µs/call`, 'cpuUs'],
          ['  INCR alone CPU µs', 'incrCpuUs'],
        ]
      : key === 'load'
        ? [
            ['load BullMQ scripts ms', 'wallMs', 1],
            ['load BullMQ CPU ms', 'cpuMs', 0],
          ]
        : key === 'cpu'
          ? [
              ['cpu script ms/call', 'wallMs', 1],
              ['cpu script CPU ms/call', 'cpuMs', 1],
            ]
          : [
              [`bullmq ${jobs} jobs ms`, 'wallMs', 0],
              ['bullmq server CPU ms', 'cpuMs', 0],
            ];
  for (const key of keys) {
    const g = results[key].gkv;
    const r = results[key].redis;
    const m = (slot, field) => median(slot.runs.map((x) => x[field]));
    for (const [label, field, digits] of rowsOf(key)) rows.push([label, cell(g, (x) => x[field], digits), cell(r, (x) => x[field], digits), ratio(m(g, field), m(r, field))]);
  }
  const headers = ['measure', 'gKV', 'Redis', 'gKV/Redis'];
  console.log(`\n${clients} clients for redis-benchmark, median of ${rounds} round(s)`);
  console.log(textTable(headers, rows));
  if (opts.markdown) console.log('\n' + markdownTable(headers, rows));
  if (opts.json) console.log(`results: ${writeResults('scripting', { env, parts, pipelines, clients, cpuCalls, jobs, rounds, results })}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
