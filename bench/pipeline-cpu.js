#!/usr/bin/env node
// In-process cost of the per-command path (parse → guards → call → handler →
// reply), without sockets: feeds pre-built pipelines of redis-benchmark-style
// requests to one client's parser and runs Server.processInput, as a read
// event would. Prints ns per command. Use it to compare builds of gKV; it says
// nothing about Redis (bench/side-by-side.js does).
//   node bench/pipeline-cpu.js [--gkv-dist dist] [--tests set,get,...] [--pipeline 16] [--seconds 2]
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    'gkv-dist': { type: 'string', default: process.env.GKV_DIST || 'dist' },
    tests: { type: 'string', default: 'set,get,incr,mset,ping_mbulk,lpush,rpop,sadd,hset,zadd,rb_hset,rb_zadd,rb_zpopmin,rb_spop,rb_sadd,rb_lrange_100' },
    pipeline: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '2' },
    keys: { type: 'string', default: '100000' },
  },
});
const { createServer } = await import(`../${o['gkv-dist']}/src/index.js`);
const srv = await createServer({ port: 0 });
const server = srv.server;
const P = Number(o.pipeline);
const KEYS = Number(o.keys);

const bulk = (s) => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
const cmd = (...a) => `*${a.length}\r\n${a.map(bulk).join('')}`;
const key = (i) => 'key:' + String(i % KEYS).padStart(12, '0');
const V = 'xxx';
const gen = {
  set: (i) => cmd('SET', key(i), V),
  get: (i) => cmd('GET', key(i)),
  incr: (i) => cmd('INCR', 'counter:' + String(i % KEYS).padStart(12, '0')),
  mset: (i) => cmd('MSET', ...Array.from({ length: 10 }, (_, j) => [key(i * 10 + j), V]).flat()),
  ping_mbulk: () => cmd('PING'),
  lpush: () => cmd('LPUSH', 'mylist', V),
  rpop: () => cmd('RPOP', 'mylist'),
  sadd: (i) => cmd('SADD', 'myset', 'element:' + String(i % KEYS).padStart(12, '0')),
  hset: (i) => cmd('HSET', 'myhash', 'element:' + String(i % KEYS).padStart(12, '0'), V),
  zadd: (i) => cmd('ZADD', 'myzset', String(i % 1000), 'element:' + String(i % KEYS).padStart(12, '0')),
  // redis-benchmark's own forms (no -r: __rand_int__ stays literal)
  rb_hset: () => cmd('HSET', 'myhash', 'element:__rand_int__', V),
  rb_zadd: () => cmd('ZADD', 'myzset', '0', 'element:__rand_int__'),
  rb_zpopmin: () => cmd('ZPOPMIN', 'myzset'),
  rb_spop: () => cmd('SPOP', 'myset'),
  rb_sadd: () => cmd('SADD', 'myset', 'element:__rand_int__'),
  rb_lrange_100: () => cmd('LRANGE', 'mylist', '0', '99'),
};
const NAME = { ping_mbulk: 'ping' };

const c = server.createClient(null);
const known = new Set(server.table.commands.keys());
for (const t of o.tests.split(',')) {
  const name = NAME[t] ?? t.replace(/^rb_/, '').replace(/_\d+$/, '');
  if (!known.has(name) || !gen[t]) {
    console.log(`${t.padEnd(12)} (not implemented)`);
    continue;
  }
  // 256 distinct pipelines, reused round-robin
  const chunks = [];
  for (let b = 0; b < 256; b++) {
    let s = '';
    for (let j = 0; j < P; j++) s += gen[t](b * P + j + Math.floor(Math.random() * KEYS));
    chunks.push(Buffer.from(s, 'latin1'));
  }
  if (t === 'rb_lrange_100') for (let k = 0; k < 600; k++) server.processCommand(c, ['LPUSH', 'mylist', V]);
  const deadline = Number(o.seconds) * 1000;
  let n = 0;
  let warm = true;
  let start = performance.now();
  for (let i = 0; ; i++) {
    if (t === 'rpop' && (i & 1023) === 0) server.processCommand(c, ['RPUSH', 'mylist', ...Array(1024 * P).fill(V)]);
    c.parser.feed(chunks[i & 255]);
    server.processInput(c);
    c.out = '';
    n += P;
    if ((i & 255) === 255) {
      const el = performance.now() - start;
      if (warm && el > 300) {
        warm = false;
        n = 0;
        start = performance.now();
      } else if (!warm && el > deadline) break;
    }
  }
  const ns = ((performance.now() - start) * 1e6) / n;
  console.log(`${t.padEnd(12)} ${ns.toFixed(0).padStart(6)} ns/command  (P${P}, ${n.toLocaleString()} commands)`);
}
await srv.close();
