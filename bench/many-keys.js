#!/usr/bin/env node
/**
 * many-keys: loads 20,000,000 keys into one server and shows they are all
 * there. A JS Map tops out at 2^24 = 16,777,216 entries; gKV's keyspace is its
 * own hash table, and this run proves it holds more than that.
 *
 * Keys are key:000000000000 ... (redis-benchmark -r names) with small values,
 * sent by a pipelined loader over a raw socket. The run is bounded by the key
 * count and by a time limit. It prints progress (keys, rate, RSS) every
 * `--every` keys, then DBSIZE (when the server has it), spot checks with GET
 * (the first key, key 2^24, the last key and a sample of random ones; when
 * the server lacks DBSIZE, every key is read back instead), the
 * resident memory and the load rate.
 *
 *   node bench/many-keys.js [--keys 20000000] [--value-size 3] [--time-limit 900]
 *        [--server gkv|redis] [--every 2000000] [--json] [--gkv-dist dist-X]
 */
import { parseArgsOrExit, intOpt, startServer, memOf, cpuSeconds, envInfo, writeResults, sleep, RespConn, ReplyError, bulkLoad, benchKey, fmtInt, fmtNum, fmtBytes } from './lib.js';

const USAGE = `usage: node bench/many-keys.js [options]
  --keys N           keys to load (default 20000000)
  --value-size B     bytes per value (default 3)
  --time-limit S     stop loading after S seconds (default 900)
  --server K         gkv or redis (default gkv)
  --every N          progress line every N keys (default 2000000)
  --no-verify        without DBSIZE, skip reading every key back with GET
  --json             write the results to bench/results/
  --gkv-dist DIR     run gKV from DIR/src/bin/server.js (default: bin/gkv-server on dist/)`;

const opts = parseArgsOrExit(
  process.argv.slice(2),
  {
    keys: 'string',
    'value-size': 'string',
    'time-limit': 'string',
    server: 'string',
    every: 'string',
    json: 'bool',
    'gkv-dist': 'string',
    'no-verify': 'bool',
  },
  USAGE,
);

const keys = intOpt(opts.keys, 20_000_000);
const valueSize = intOpt(opts['value-size'], 3);
const timeLimit = intOpt(opts['time-limit'], 900);
const every = intOpt(opts.every, 2_000_000) || 2_000_000;
const kind = opts.server ?? 'gkv';
if (kind !== 'gkv' && kind !== 'redis') {
  console.error(`--server must be gkv or redis\n${USAGE}`);
  process.exit(2);
}
const MAP_LIMIT = 2 ** 24;

/** SET key:<i> <value>, with the value padded to valueSize from i (so GET can check it). */
function valueFor(i) {
  const s = String(i % 10 ** Math.max(1, valueSize));
  return s.length >= valueSize ? s.slice(-valueSize) : s.padStart(valueSize, 'v');
}
function setCmd(i) {
  const k = benchKey(i);
  const v = valueFor(i);
  return `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
}

async function main() {
  const env = envInfo();
  console.log(`many-keys: keys=${fmtInt(keys)} value-size=${valueSize} server=${kind} time-limit=${timeLimit}s`);
  console.log(`env: node ${env.node}, ${env.cpus} CPUs, ${env.memGiB} GiB, load avg ${env.loadavg.join(' ')}, commit ${env.commit}`);
  const server = await startServer(kind, { gkvDist: opts['gkv-dist'] });
  console.log(`${server.name} pid ${server.pid} port ${server.port}\n`);
  const res = { server: server.name, keysRequested: keys, valueSize, progress: [] };
  try {
    const conn = await RespConn.connect(server.port);
    await sleep(500);
    res.rssBefore = memOf(server.pid).rss;
    const cpu0 = cpuSeconds(server.pid);
    const t0 = Date.now();
    let next = every;
    let lastT = t0;
    let lastN = 0;
    const load = await bulkLoad(conn, keys, setCmd, {
      batch: 2000,
      window: 8,
      deadline: t0 + timeLimit * 1000,
      onProgress: (done) => {
        if (done < next && done !== keys) return;
        next = done + every;
        const now = Date.now();
        const m = memOf(server.pid);
        const p = { keys: done, seconds: (now - t0) / 1000, rate: ((done - lastN) * 1000) / Math.max(1, now - lastT), rss: m.rss };
        res.progress.push(p);
        console.log(`${fmtInt(done).padStart(12)} keys  ${fmtNum(p.seconds, 1).padStart(7)} s  ` + `${fmtInt(p.rate).padStart(9)} keys/s (last interval)  RSS ${fmtBytes(m.rss)}`);
        lastT = now;
        lastN = done;
      },
    });
    res.loadSeconds = (Date.now() - t0) / 1000;
    res.serverCpuSeconds = cpuSeconds(server.pid) - cpu0;
    res.loaded = load.answered - load.errors;
    if (load.stoppedBy !== null) {
      res.stoppedBy = load.firstError ? `${load.stoppedBy}: ${load.firstError}` : load.stoppedBy;
      console.log(`loading STOPPED EARLY after ${fmtInt(load.answered)} replies: ${res.stoppedBy}`);
    }
    res.rssAfterLoad = memOf(server.pid).rss;

    const t1 = Date.now();
    const d = await conn.send('DBSIZE');
    res.dbsizeSeconds = (Date.now() - t1) / 1000;
    res.dbsize = typeof d === 'number' ? d : d instanceof ReplyError ? `not supported (${d.message})` : String(d);

    // Without DBSIZE, GET every key back: all `loaded` distinct keys answering
    // with their own value is the same proof, only slower.
    if (typeof res.dbsize !== 'number' && !opts['no-verify']) {
      console.log(`DBSIZE is not supported: reading all ${fmtInt(res.loaded)} keys back with GET instead...`);
      const t2 = Date.now();
      let found = 0;
      const v = await bulkLoad(
        conn,
        res.loaded,
        (i) => {
          const k = benchKey(i);
          return `*2\r\n$3\r\nGET\r\n$${k.length}\r\n${k}\r\n`;
        },
        {
          batch: 2000,
          window: 8,
          deadline: t2 + timeLimit * 1000,
          onReply: (i, r) => {
            if (r === valueFor(i)) found++;
          },
        },
      );
      res.verifiedAll = { checked: v.answered, found, seconds: (Date.now() - t2) / 1000, stoppedBy: v.stoppedBy };
    }

    // spot checks: GET the first key, key 2^24, the last key and random ones
    const probes = [0, MAP_LIMIT, res.loaded - 1];
    for (let j = 0; j < 1000; j++) probes.push(Math.floor(Math.random() * res.loaded));
    const want = probes.filter((i) => i >= 0 && i < res.loaded);
    const replies = await Promise.all(want.map((i) => conn.send('GET', benchKey(i))));
    res.spotChecked = want.length;
    res.spotOk = replies.filter((r, j) => r === valueFor(want[j])).length;
    res.keyAbove2p24 = res.loaded > MAP_LIMIT ? replies[1] === valueFor(MAP_LIMIT) : null;
    await sleep(2000);
    const m = memOf(server.pid);
    res.rssFinal = m.rss;
    res.rssPeak = m.hwm;
    conn.close();
  } finally {
    await server.stop();
  }

  console.log('');
  const dbsizeOk = typeof res.dbsize === 'number';
  console.log(
    `DBSIZE: ${dbsizeOk ? fmtInt(res.dbsize) : res.dbsize}` +
      (dbsizeOk ? `  (${res.dbsize > MAP_LIMIT ? 'more' : 'NOT more'} than a JS Map's 2^24 = ${fmtInt(MAP_LIMIT)}; answered in ${fmtNum(res.dbsizeSeconds * 1000, 1)} ms)` : ''),
  );
  if (res.verifiedAll) {
    const va = res.verifiedAll;
    console.log(
      `GET of every key: ${fmtInt(va.found)}/${fmtInt(res.loaded)} distinct keys found with the value written ` +
        `(${fmtNum(va.seconds, 1)} s${va.stoppedBy ? `, STOPPED: ${va.stoppedBy}` : ''})` +
        (va.found > MAP_LIMIT ? ` = more than a JS Map's 2^24 = ${fmtInt(MAP_LIMIT)}` : ''),
    );
  }
  console.log(
    `GET spot checks: ${fmtInt(res.spotOk)}/${fmtInt(res.spotChecked)} keys found with the value written` +
      (res.keyAbove2p24 !== null ? `; ${benchKey(MAP_LIMIT)} (index 2^24) ${res.keyAbove2p24 ? 'present' : 'MISSING'}` : ''),
  );
  console.log(
    `loaded ${fmtInt(res.loaded)} keys in ${fmtNum(res.loadSeconds, 1)} s = ${fmtInt(res.loaded / res.loadSeconds)} keys/s ` +
      `(server CPU ${fmtNum(res.serverCpuSeconds, 1)} s = ${fmtNum((res.serverCpuSeconds / res.loaded) * 1e6)} µs/key)`,
  );
  console.log(
    `RSS: ${fmtBytes(res.rssBefore)} before, ${fmtBytes(res.rssAfterLoad)} after loading, ${fmtBytes(res.rssFinal)} at the end, ` +
      `peak ${fmtBytes(res.rssPeak)}; ${fmtNum((res.rssAfterLoad - res.rssBefore) / res.loaded, 1)} bytes/key right after loading`,
  );
  if (opts.json) console.log(`results written to ${writeResults('many-keys', { env, results: res })}`);
  const ok = res.loaded === keys && res.spotOk === res.spotChecked && (!dbsizeOk || res.dbsize === keys) && (!res.verifiedAll || res.verifiedAll.found === keys);
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(1);
});
