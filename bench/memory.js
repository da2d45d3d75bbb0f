#!/usr/bin/env node
/**
 * memory: resident memory per key, gKV vs a real redis-server.
 *
 * For each value type and each server, starts a fresh server, measures its
 * resident set (VmRSS from /proc/<pid>/status) and INFO memory used_memory
 * (where the server has INFO), loads `--keys` keys with a pipelined loader over
 * a raw socket (deterministic, full coverage: key:000000000000 ...
 * key:<keys-1>, the names redis-benchmark -r uses), waits `--settle` seconds
 * (the JS heap's garbage from parsing is collected lazily), measures again and
 * reports bytes per key and the gKV/Redis ratio; then MEMORY PURGE (a full
 * collection in gKV, the allocator's purge in Redis) and, two seconds later,
 * the resident set again ("after GC"): ratios per key (growth over the
 * empty server) and of the whole process.
 *
 *   node bench/memory.js [--keys 1000000] [--value-size 3] [--type string,hash10,...]
 *        [--servers gkv,redis] [--settle 5] [--json] [--gkv-dist dist-X] [--time-limit 300]
 *
 * Types: string (SET key value), hash10 (HSET with 10 fields), list10 (RPUSH of
 * 10 elements), set10 (SADD of 10 members), intset10 (SADD of the integers 0-9:
 * an intset), zset10 (ZADD of 10 members);
 * bigset / bigintset: one set of --keys members (member:NNNNNN / integers), per member;
 * bigzset: one sorted set of --keys members (member:NNNNNN, scores 0-999), per member;
 * biglist: one list of --keys elements; bighash: one hash of --keys fields (field:NNNNNN);
 * bigstream: one stream of --keys entries (event job id <n>, IDs 16 per ms), per entry.
 * --warm N first runs N of the type's own commands on throwaway keys, then
 * FLUSHALL and MEMORY PURGE, on both servers, before the baseline reading:
 * the load grows V8's young generation to its working size for that load
 * (16-27 MB with gkv-server's 8 MB semi-spaces) once, a fixed cost of the
 * process that would otherwise be charged to the first keys loaded.
 * A type whose command a server lacks is reported as "not supported".
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
  isUnknownCommand,
  infoFields,
  bulkLoad,
  benchKey,
  encodeCommand,
  fmtInt,
  fmtNum,
  fmtBytes,
  textTable,
  markdownTable,
} from './lib.js';

const USAGE = `usage: node bench/memory.js [options]
  --keys N           keys to load (default 1000000)
  --value-size B     bytes per value / element (default 3)
  --type a,b         string, hash10, list10, set10, intset10, zset10, bigset, bigintset, bigzset, biglist, bighash, bigstream (default string)
  --servers a,b      gkv, redis (default gkv,redis)
  --settle S         seconds to wait after loading before the final reading (default 5)
  --warm N           N of the type's commands on throwaway keys, then FLUSHALL, before the baseline (default 0)
  --time-limit S     stop loading after S seconds per server (default 300)
  --markdown         also print a markdown table
  --json             write the results to bench/results/
  --gkv-dist DIR     run gKV from DIR/src/bin/server.js (default: bin/gkv-server on dist/)`;

const opts = parseArgsOrExit(
  process.argv.slice(2),
  {
    keys: 'string',
    'value-size': 'string',
    type: 'string',
    servers: 'string',
    settle: 'string',
    'time-limit': 'string',
    warm: 'string',
    markdown: 'bool',
    json: 'bool',
    'gkv-dist': 'string',
  },
  USAGE,
);

const keys = intOpt(opts.keys, 1_000_000);
const valueSize = intOpt(opts['value-size'], 3);
const settle = intOpt(opts.settle, 5);
const timeLimit = intOpt(opts['time-limit'], 300);
const warm = intOpt(opts.warm, 0);
const serverKinds = listOpt(opts.servers, ['gkv', 'redis']);
const value = 'v'.repeat(valueSize);

/** For each type: the command creating key i, as RESP text. */
const member = (j) => String(j).padStart(Math.max(valueSize, 2), 'm');
const TYPES = {
  string: { cmd: 'SET', gen: (i) => encodeCommand(['SET', benchKey(i), value]) },
  hash10: {
    cmd: 'HSET',
    gen: (i) => {
      const a = ['HSET', benchKey(i)];
      for (let j = 0; j < 10; j++) a.push('f' + j, value);
      return encodeCommand(a);
    },
  },
  list10: {
    cmd: 'RPUSH',
    gen: (i) => encodeCommand(['RPUSH', benchKey(i), ...Array.from({ length: 10 }, () => value)]),
  },
  set10: {
    cmd: 'SADD',
    gen: (i) => encodeCommand(['SADD', benchKey(i), ...Array.from({ length: 10 }, (_, j) => member(j))]),
  },
  // 10 small integers a key (0-9): an intset of int16 elements
  intset10: {
    cmd: 'SADD',
    gen: (i) => encodeCommand(['SADD', benchKey(i), ...Array.from({ length: 10 }, (_, j) => String(j))]),
  },
  // one set of --keys members (bytes per member): member:NNNNNN strings, or integers
  bigset: { cmd: 'SADD', perElement: true, gen: (i) => encodeCommand(['SADD', 'bigset', 'member:' + String(i).padStart(6, '0')]) },
  bigintset: { cmd: 'SADD', perElement: true, gen: (i) => encodeCommand(['SADD', 'bigset', String(i)]) },
  biglist: { cmd: 'RPUSH', perElement: true, gen: () => encodeCommand(['RPUSH', 'biglist', value]) },
  bighash: { cmd: 'HSET', perElement: true, gen: (i) => encodeCommand(['HSET', 'bighash', 'field:' + String(i).padStart(6, '0'), value]) },
  bigzset: { cmd: 'ZADD', perElement: true, gen: (i) => encodeCommand(['ZADD', 'bigzset', String(i % 1000), 'member:' + String(i).padStart(6, '0')]) },
  bigstream: { cmd: 'XADD', perElement: true, gen: (i) => encodeCommand(['XADD', 'bigstream', `${1_700_000_000_000 + (i >> 4)}-${i & 15}`, 'event', 'job', 'id', String(i)]) },
  zset10: {
    cmd: 'ZADD',
    gen: (i) => {
      const a = ['ZADD', benchKey(i)];
      for (let j = 0; j < 10; j++) a.push(String(j), member(j));
      return encodeCommand(a);
    },
  },
};
const types = listOpt(opts.type, ['string']);
for (const t of types) {
  if (!TYPES[t]) {
    console.error(`unknown --type ${t} (known: ${Object.keys(TYPES).join(', ')})`);
    process.exit(2);
  }
}

async function usedMemory(conn) {
  const info = await infoFields(conn, 'memory');
  if (info === null || info.used_memory === undefined) return NaN;
  return Number(info.used_memory);
}

async function dbsize(conn) {
  const r = await conn.send('DBSIZE');
  return typeof r === 'number' ? r : NaN;
}

/** Loads one type into one fresh server; returns the measurement. */
async function measure(kind, typeName) {
  const type = TYPES[typeName];
  const server = await startServer(kind, { gkvDist: opts['gkv-dist'] });
  const res = { server: server.name, type: typeName, keys, valueSize };
  try {
    const conn = await RespConn.connect(server.port);
    // probe with the first key's own command: a server lacking it is skipped
    const probe = await conn.send(...decodeArgs(type.gen(0)));
    if (isUnknownCommand(probe)) {
      res.unsupported = `${type.cmd} not supported`;
      conn.close();
      return res;
    }
    if (probe instanceof ReplyError) throw new Error(`${server.name}: ${type.cmd} failed: ${probe.message}`);
    if (warm > 0) {
      // the type's own command on throwaway keys, then everything dropped and the allocator purged
      await bulkLoad(
        conn,
        warm,
        (i) => {
          const a = decodeArgs(type.gen(i));
          a[1] = type.perElement ? '__warm__' : `__warm__:${i}`;
          return encodeCommand(a);
        },
        { batch: 500, window: 8, deadline: Date.now() + 120000 },
      );
      await conn.send('FLUSHALL');
      await conn.send('MEMORY', 'PURGE');
      await conn.send(...decodeArgs(type.gen(0)));
    }
    await sleep(1000);
    const before = memOf(server.pid);
    res.rssBefore = before.rss;
    res.usedBefore = await usedMemory(conn);
    const t0 = process.hrtime.bigint();
    let lastShown = 0;
    const load = await bulkLoad(conn, keys - 1, (i) => type.gen(i + 1), {
      batch: 1000,
      window: 8,
      deadline: Date.now() + timeLimit * 1000,
      onProgress: (done) => {
        if (process.stdout.isTTY && done - lastShown >= 250_000) {
          lastShown = done;
          process.stdout.write(`\r  ${server.name} ${typeName}: ${fmtInt(done)} commands, RSS ${fmtBytes(memOf(server.pid).rss)}   `);
        }
      },
    });
    if (process.stdout.isTTY) process.stdout.write('\r' + ' '.repeat(70) + '\r');
    res.loadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    // key 0 was created by the probe
    res.loaded = 1 + load.answered - load.errors;
    if (load.stoppedBy !== null) res.stoppedBy = load.firstError ? `${load.stoppedBy}: ${load.firstError}` : load.stoppedBy;
    res.rssJustAfter = memOf(server.pid).rss;
    let min = res.rssJustAfter;
    const until = Date.now() + settle * 1000;
    while (Date.now() < until) {
      await sleep(500);
      min = Math.min(min, memOf(server.pid).rss);
    }
    const after = memOf(server.pid);
    res.rssAfter = after.rss;
    res.rssMinDuringSettle = min;
    res.rssPeak = after.hwm;
    res.usedAfter = await usedMemory(conn);
    res.dbsize = await dbsize(conn);
    // a full collection (gKV) / the allocator's purge (Redis), then a second for pages to be returned
    const purge = await conn.send('MEMORY', 'PURGE');
    await sleep(2000);
    res.rssAfterGc = purge instanceof ReplyError ? NaN : memOf(server.pid).rss;
    const n = type.perElement || !Number.isFinite(res.dbsize) ? res.loaded : res.dbsize;
    res.rssPerKey = (res.rssAfter - res.rssBefore) / n;
    res.rssPerKeyGc = (res.rssAfterGc - res.rssBefore) / n;
    res.usedPerKey = (res.usedAfter - res.usedBefore) / n;
    conn.close();
  } finally {
    await server.stop();
  }
  return res;
}

/** Recovers the argument list from encodeCommand's output (for the probe). */
function decodeArgs(resp) {
  const parts = resp.split('\r\n');
  const out = [];
  for (let i = 1; i + 1 < parts.length; i += 2) out.push(parts[i + 1]);
  return out;
}

async function main() {
  const env = envInfo();
  console.log(`memory: keys=${fmtInt(keys)} value-size=${valueSize} types=${types.join(',')} servers=${serverKinds.join(',')} settle=${settle}s`);
  console.log(`env: node ${env.node}, ${env.redis.split(' ').slice(0, 3).join(' ')}, ${env.cpus} CPUs, load avg ${env.loadavg.join(' ')}, commit ${env.commit}\n`);
  const results = [];
  for (const t of types) {
    for (const k of serverKinds) {
      const r = await measure(k, t);
      results.push(r);
      if (r.unsupported) console.log(`${r.server} ${t}: ${r.unsupported}`);
      else {
        console.log(
          `${r.server} ${t}: ${fmtInt(r.loaded)} keys in ${fmtNum(r.loadSeconds, 1)} s (${fmtInt(r.loaded / r.loadSeconds)} keys/s), ` +
            `DBSIZE ${Number.isFinite(r.dbsize) ? fmtInt(r.dbsize) : 'not supported'}, ` +
            `RSS ${fmtBytes(r.rssBefore)} -> ${fmtBytes(r.rssJustAfter)} just after -> ${fmtBytes(r.rssAfter)} after ${settle}s ` +
            `(min ${fmtBytes(r.rssMinDuringSettle)}, peak ${fmtBytes(r.rssPeak)}), ${fmtBytes(r.rssAfterGc)} after MEMORY PURGE` +
            (r.stoppedBy ? `; STOPPED EARLY: ${r.stoppedBy}` : ''),
        );
      }
    }
  }
  const headers = [
    'type',
    'server',
    'keys',
    'load keys/s',
    'RSS before',
    'RSS after',
    'after GC',
    'RSS peak',
    'RSS bytes/key',
    'after GC bytes/key',
    'used_memory bytes/key',
    'gKV/Redis (RSS/key)',
    'gKV/Redis (after GC/key)',
    'gKV/Redis (total after GC)',
  ];
  const rows = [];
  for (const t of types) {
    const g = results.find((r) => r.type === t && r.server === 'gKV');
    const rd = results.find((r) => r.type === t && r.server === 'Redis');
    const both = g && rd && !g.unsupported && !rd.unsupported;
    const ratio = both ? g.rssPerKey / rd.rssPerKey : NaN;
    const ratioGc = both ? g.rssPerKeyGc / rd.rssPerKeyGc : NaN;
    const ratioTotal = both ? g.rssAfterGc / rd.rssAfterGc : NaN;
    for (const r of results.filter((x) => x.type === t)) {
      if (r.unsupported) {
        rows.push([t, r.server, 'not supported', ...Array(headers.length - 3).fill('')]);
        continue;
      }
      rows.push([
        t,
        r.server,
        fmtInt(Number.isFinite(r.dbsize) ? r.dbsize : r.loaded),
        fmtInt(r.loaded / r.loadSeconds),
        fmtBytes(r.rssBefore),
        fmtBytes(r.rssAfter),
        fmtBytes(r.rssAfterGc),
        fmtBytes(r.rssPeak),
        fmtNum(r.rssPerKey, 1),
        fmtNum(r.rssPerKeyGc, 1),
        Number.isFinite(r.usedPerKey) ? fmtNum(r.usedPerKey, 1) : 'n/a (no INFO)',
        r.server === 'gKV' ? fmtNum(ratio) : '',
        r.server === 'gKV' ? fmtNum(ratioGc) : '',
        r.server === 'gKV' ? fmtNum(ratioTotal) : '',
      ]);
    }
  }
  console.log('\n' + textTable(headers, rows));
  if (opts.markdown) console.log('\n' + markdownTable(headers, rows));
  if (opts.json) console.log(`results written to ${writeResults('memory', { env, results })}`);
}

main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(1);
});
