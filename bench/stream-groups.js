#!/usr/bin/env node
/**
 * stream-groups: consumer-group rounds, gKV vs Redis.
 *
 * Fills a stream with --entries entries (XADD, pipelined) and one group;
 * then --clients connections each run rounds of "XREADGROUP GROUP g c<i>
 * COUNT --count STREAMS s >" followed by one XACK of the IDs it got, until
 * the stream is consumed. Reported: rounds per second (one round = the
 * XREADGROUP and its XACK) and the server's CPU time per delivered entry
 * (utime+stime from /proc), side by side, median of --rounds runs.
 *
 *   node bench/stream-groups.js [--entries 200000] [--clients 8] [--count 10]
 *        [--rounds 3] [--gkv-dist dist] [--markdown]
 */
import { parseArgs, intOpt, startServer, cpuSeconds, median, fmtInt, fmtNum, textTable, markdownTable, RespConn } from './lib.js';

const opts = parseArgs(process.argv.slice(2), { entries: 'string', clients: 'string', count: 'string', rounds: 'string', 'gkv-dist': 'string', markdown: 'bool' });
const entries = intOpt(opts.entries, 200000);
const clients = intOpt(opts.clients, 8);
const count = intOpt(opts.count, 10);
const rounds = intOpt(opts.rounds, 3) || 1;

/** Sends cmds pipelined in batches; resolves when all answered. */
async function pipelined(conn, cmds, batch = 1000) {
  for (let i = 0; i < cmds.length; i += batch) await Promise.all(cmds.slice(i, i + batch).map((c) => conn.send(...c)));
}

async function runOnce(srv) {
  const main = await RespConn.connect(srv.port);
  await main.call('FLUSHALL');
  const adds = [];
  for (let i = 1; i <= entries; i++) adds.push(['XADD', 's', `${i}-0`, 'job', `payload-${i}`, 'attempt', '1']);
  await pipelined(main, adds);
  await main.call('XGROUP', 'CREATE', 's', 'g', '0');
  const conns = await Promise.all(Array.from({ length: clients }, () => RespConn.connect(srv.port)));
  const cpu0 = cpuSeconds(srv.pid);
  const t0 = process.hrtime.bigint();
  let roundsDone = 0;
  let delivered = 0;
  await Promise.all(
    conns.map(async (c, i) => {
      for (;;) {
        const r = await c.call('XREADGROUP', 'GROUP', 'g', `c${i}`, 'COUNT', String(count), 'STREAMS', 's', '>');
        if (r === null) return;
        const ids = r[0][1].map((e) => e[0]);
        await c.call('XACK', 's', 'g', ...ids);
        roundsDone++;
        delivered += ids.length;
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuSeconds(srv.pid) - cpu0;
  const pending = await main.call('XPENDING', 's', 'g');
  if (delivered !== entries || pending[0] !== 0) throw new Error(`${srv.name}: delivered ${delivered} of ${entries}, ${pending[0]} pending`);
  for (const c of conns) c.close();
  main.close();
  return { rps: roundsDone / secs, cpuUs: (cpu / delivered) * 1e6 };
}

const servers = [await startServer('gkv', { gkvDist: opts['gkv-dist'] }), await startServer('redis')];
const results = new Map(servers.map((s) => [s.name, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const s of r % 2 === 0 ? servers : [...servers].reverse()) results.get(s.name).push(await runOnce(s));
  }
} finally {
  for (const s of servers) await s.stop();
}
const med = (name, f) => median(results.get(name).map(f));
const g = { rps: med('gKV', (x) => x.rps), cpu: med('gKV', (x) => x.cpuUs) };
const d = { rps: med('Redis', (x) => x.rps), cpu: med('Redis', (x) => x.cpuUs) };
console.log(`stream-groups: entries=${entries} clients=${clients} count=${count} rounds=${rounds}`);
const headers = ['test', 'gKV rounds/s', 'Redis rounds/s', 'ratio', 'gKV CPU µs/entry', 'Redis CPU µs/entry', 'ratio'];
const rows = [[`XREADGROUP COUNT ${count} + XACK`, fmtInt(g.rps), fmtInt(d.rps), fmtNum(g.rps / d.rps), fmtNum(g.cpu), fmtNum(d.cpu), fmtNum(g.cpu / d.cpu)]];
console.log(textTable(headers, rows));
if (opts.markdown) console.log(markdownTable(headers, rows));
