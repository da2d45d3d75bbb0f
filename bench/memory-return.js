#!/usr/bin/env node
/**
 * memory-return: how much of the memory a dataset took a server gives back to
 * the system once the data is deleted and the server goes idle, gKV vs a real
 * redis-server, side by side.
 *
 * A cache that never shrinks starves its neighbours: after a big value or
 * many keys are deleted, resident memory should fall back close to where it
 * was before, within seconds, with no command telling the server to do so.
 *
 * Scenarios (each on a fresh server, gKV and Redis alternating):
 * - bigvalue: SET of one --value-mb MB value (streamed over the socket), then DEL;
 * - populate: DEBUG POPULATE --keys, then FLUSHDB;
 * - keys:     --keys SETs over a pipelined socket (the parser's path, unlike
 *             POPULATE), then FLUSHALL.
 * For each: RSS (VmRSS) before, after the load (and the peak), then after the
 * delete it samples RSS every 250 ms for --wait seconds while sending nothing
 * (idle), and reports RSS at 1, 2, 5 s and at the end, and the seconds until
 * 90% of the growth was given back ("return time"; "never" if not within
 * --wait), and what was kept (the final RSS minus the RSS before the load).
 * Ratios are gKV/Redis of the final resident set: Node's own floor (about
 * 65 MB against Redis's 12) weighs in them, so read "kept" too.
 *
 *   node bench/memory-return.js [--scenario bigvalue,populate,keys] [--value-mb 500]
 *        [--keys 3000000] [--wait 10] [--servers gkv,redis] [--json] [--markdown]
 *        [--gkv-dist DIR] [--port-base N]
 *
 * Bounded: every load has a time limit (--time-limit, default 120 s) and the
 * idle wait is --wait seconds.
 */
import {
  parseArgsOrExit,
  intOpt,
  listOpt,
  startServer,
  memOf,
  envInfo,
  writeResults,
  sleep,
  RespConn,
  ReplyError,
  bulkLoad,
  benchKey,
  encodeCommand,
  fmtNum,
  fmtBytes,
  textTable,
  markdownTable,
} from './lib.js';

const USAGE = `usage: node bench/memory-return.js [options]
  --scenario a,b     bigvalue, populate, keys (default bigvalue,populate)
  --value-mb N       size of the big value in MB (default 500)
  --keys N           keys for populate / keys (default 3000000)
  --wait S           idle seconds watched after the delete (default 10)
  --servers a,b      gkv, redis (default gkv,redis)
  --time-limit S     bound on each load (default 120)
  --port-base N      first port to use (default: free ports)
  --markdown         also print a markdown table
  --json             write the results to bench/results/
  --gkv-dist DIR     run gKV from DIR/src/bin/server.js (default: bin/gkv-server on dist/)`;

const opts = parseArgsOrExit(
  process.argv.slice(2),
  {
    scenario: 'string',
    'value-mb': 'string',
    keys: 'string',
    wait: 'string',
    servers: 'string',
    'time-limit': 'string',
    'port-base': 'string',
    markdown: 'bool',
    json: 'bool',
    'gkv-dist': 'string',
  },
  USAGE,
);

const scenarios = listOpt(opts.scenario, ['bigvalue', 'populate']);
const valueMb = intOpt(opts['value-mb'], 500);
const keys = intOpt(opts.keys, 3_000_000);
const wait = intOpt(opts.wait, 10);
const timeLimit = intOpt(opts['time-limit'], 120);
const serverKinds = listOpt(opts.servers, ['gkv', 'redis']);
let nextPort = opts['port-base'] === undefined ? null : intOpt(opts['port-base'], 0);
const SCENARIOS = ['bigvalue', 'populate', 'keys'];
for (const s of scenarios) {
  if (!SCENARIOS.includes(s)) {
    console.error(`unknown --scenario ${s} (known: ${SCENARIOS.join(', ')})`);
    process.exit(2);
  }
}

/** Sends SET big <valueMb MB> streamed in 1 MB chunks (socket backpressure respected); resolves with the reply. */
async function setBigValue(conn, deadline) {
  const len = valueMb * 1024 * 1024;
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  const reply = new Promise((resolve) => conn.waiters.push(resolve));
  const sock = conn.sock;
  const write = (b) => (sock.write(b) ? Promise.resolve() : new Promise((r) => sock.once('drain', r)));
  await write(Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${len}\r\n`, 'latin1'));
  for (let sent = 0; sent < len; sent += chunk.length) {
    if (Date.now() > deadline) throw new Error('time limit while sending the big value');
    await write(chunk);
  }
  await write(Buffer.from('\r\n', 'latin1'));
  return reply;
}

/** Loads the scenario's data; returns a description of what was loaded. */
async function load(conn, scenario, deadline) {
  switch (scenario) {
    case 'bigvalue': {
      const r = await setBigValue(conn, deadline);
      if (r !== 'OK') throw new Error(`SET big: ${r instanceof ReplyError ? r.message : r}`);
      return `SET of ${valueMb} MB`;
    }
    case 'populate': {
      const r = await conn.send('DEBUG', 'POPULATE', String(keys));
      if (r instanceof ReplyError) throw new Error(`DEBUG POPULATE: ${r.message}`);
      return `DEBUG POPULATE ${keys}`;
    }
    case 'keys': {
      const res = await bulkLoad(conn, keys, (i) => encodeCommand(['SET', benchKey(i), 'xxx']), { batch: 1000, window: 8, deadline });
      if (res.stoppedBy !== null) throw new Error(`SET loader stopped: ${res.stoppedBy} ${res.firstError ?? ''}`);
      return `${keys} SETs`;
    }
  }
  throw new Error(scenario);
}

/** The delete after the load. */
async function drop(conn, scenario) {
  const cmd = scenario === 'bigvalue' ? ['DEL', 'big'] : scenario === 'populate' ? ['FLUSHDB'] : ['FLUSHALL'];
  const r = await conn.send(...cmd);
  if (r instanceof ReplyError) throw new Error(`${cmd.join(' ')}: ${r.message}`);
  return cmd.join(' ');
}

async function measure(kind, scenario) {
  const port = nextPort === null ? undefined : nextPort++;
  const server = await startServer(kind, { gkvDist: opts['gkv-dist'], port, extraArgs: ['--enable-debug-command', 'local'] });
  const res = { server: server.name, scenario };
  try {
    const conn = await RespConn.connect(server.port);
    await sleep(1000);
    res.rssBefore = memOf(server.pid).rss;
    res.loaded = await load(conn, scenario, Date.now() + timeLimit * 1000);
    const m = memOf(server.pid);
    res.rssLoaded = m.rss;
    res.rssPeak = m.hwm;
    res.dropped = await drop(conn, scenario);
    const t0 = Date.now();
    const samples = [];
    // idle: nothing is sent while the server's resident set is sampled
    while (Date.now() - t0 < wait * 1000) {
      await sleep(250);
      samples.push({ t: (Date.now() - t0) / 1000, rss: memOf(server.pid).rss });
    }
    const at = (s) => samples.filter((x) => x.t <= s + 0.125).at(-1)?.rss ?? NaN;
    res.rss1 = at(1);
    res.rss2 = at(2);
    res.rss5 = at(5);
    res.rssEnd = samples.at(-1).rss;
    const target = res.rssBefore + 0.1 * Math.max(0, res.rssPeak - res.rssBefore);
    const hit = samples.find((x) => x.rss <= target);
    res.returnSeconds = hit ? hit.t : null;
    conn.close();
  } finally {
    await server.stop();
  }
  return res;
}

async function main() {
  const env = envInfo();
  console.log(`memory-return: scenarios=${scenarios.join(',')} value=${valueMb} MB keys=${keys} wait=${wait}s servers=${serverKinds.join(',')}`);
  console.log(`env: node ${env.node}, ${env.redis.split(' ').slice(0, 3).join(' ')}, ${env.cpus} CPUs, load avg ${env.loadavg.join(' ')}, commit ${env.commit}\n`);
  const results = [];
  for (const s of scenarios) {
    for (const k of serverKinds) {
      const r = await measure(k, s);
      results.push(r);
      console.log(
        `${r.server} ${s}: ${r.loaded}: RSS ${fmtBytes(r.rssBefore)} -> ${fmtBytes(r.rssLoaded)} (peak ${fmtBytes(r.rssPeak)}); ` +
          `${r.dropped}: ${fmtBytes(r.rss1)} at 1 s, ${fmtBytes(r.rss2)} at 2 s, ${fmtBytes(r.rss5)} at 5 s, ${fmtBytes(r.rssEnd)} at ${wait} s; ` +
          `90% returned ${r.returnSeconds === null ? 'never' : `after ${fmtNum(r.returnSeconds, 2)} s`}`,
      );
    }
  }
  const headers = ['scenario', 'server', 'RSS before', 'RSS peak', 'after 1 s', 'after 2 s', 'after 5 s', `after ${wait} s`, 'kept', '90% returned', `gKV/Redis (${wait} s)`];
  const rows = [];
  for (const s of scenarios) {
    const g = results.find((r) => r.scenario === s && r.server === 'gKV');
    const rd = results.find((r) => r.scenario === s && r.server === 'Redis');
    for (const r of results.filter((x) => x.scenario === s)) {
      rows.push([
        s,
        r.server,
        fmtBytes(r.rssBefore),
        fmtBytes(r.rssPeak),
        fmtBytes(r.rss1),
        fmtBytes(r.rss2),
        fmtBytes(r.rss5),
        fmtBytes(r.rssEnd),
        fmtBytes(r.rssEnd - r.rssBefore),
        r.returnSeconds === null ? 'never' : `${fmtNum(r.returnSeconds, 2)} s`,
        r.server === 'gKV' && g && rd ? fmtNum(g.rssEnd / rd.rssEnd) : '',
      ]);
    }
  }
  console.log('\n' + textTable(headers, rows));
  if (opts.markdown) console.log('\n' + markdownTable(headers, rows));
  if (opts.json) console.log(`results written to ${writeResults('memory-return', { env, results })}`);
}

main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(1);
});
