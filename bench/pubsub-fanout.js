#!/usr/bin/env node
/**
 * pubsub-fanout: publish throughput to many subscribers, gKV vs Redis.
 *
 * For each server and each mode, one client process holds --subs connections
 * that each SUBSCRIBE to one channel ("channel" mode) or PSUBSCRIBE to one of
 * --subs distinct patterns that all match it ("pattern" mode); a second
 * client process PUBLISHes --messages messages, pipelined in batches. The run
 * ends when every subscriber has received every message; reported are
 * deliveries per second (subs × messages / elapsed) and the server's CPU time
 * per delivery (utime+stime from /proc), side by side, with the ratios.
 *
 *   node bench/pubsub-fanout.js [--subs 1000] [--messages 2000] [--size 32]
 *        [--modes channel,pattern] [--rounds 3] [--gkv-dist dist] [--markdown]
 */
import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, intOpt, listOpt, startServer, cpuSeconds, median, fmtInt, fmtNum, textTable, markdownTable, encodeCommand } from './lib.js';

const CHANNEL = 'news.sports.football';
const SELF = fileURLToPath(import.meta.url);

/** The i-th of many distinct glob patterns that all match CHANNEL: a character class [lo-hi] around its 'n'. */
const LOS = [];
for (let c = 0x21; c <= 0x6d; c++) if (![0x2d, 0x5c, 0x5d, 0x5e].includes(c)) LOS.push(String.fromCharCode(c));
function patternFor(i) {
  const lo = LOS[i % LOS.length];
  const hi = String.fromCharCode(0x6f + (Math.floor(i / LOS.length) % 16));
  const stars = '*'.repeat(1 + Math.floor(i / (LOS.length * 16)));
  return `[${lo}-${hi}]ews.${stars}`;
}

const bulkLen = (s) => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`.length;

// ------------------------------------------------------------------ child roles

async function subscriberRole(o) {
  const n = intOpt(o.subs, 1000);
  const expected = intOpt(o.messages, 2000);
  const size = intOpt(o.size, 32);
  const conns = [];
  let done = 0;
  let ready = 0;
  for (let i = 0; i < n; i++) {
    const pattern = o.mode === 'pattern' ? patternFor(i) : null;
    // every delivery on this connection has the same size
    const frame =
      pattern === null
        ? `*3\r\n$7\r\nmessage\r\n`.length + bulkLen(CHANNEL) + bulkLen('x'.repeat(size))
        : `*4\r\n$8\r\npmessage\r\n`.length + bulkLen(pattern) + bulkLen(CHANNEL) + bulkLen('x'.repeat(size));
    const confirm = pattern === null ? `*3\r\n$9\r\nsubscribe\r\n`.length + bulkLen(CHANNEL) + `:1\r\n`.length : `*3\r\n$10\r\npsubscribe\r\n`.length + bulkLen(pattern) + `:1\r\n`.length;
    const s = net.connect(Number(o.port), '127.0.0.1');
    const st = { bytes: 0, confirmed: false, finished: false };
    s.on('data', (d) => {
      st.bytes += d.length;
      if (!st.confirmed && st.bytes >= confirm) {
        st.confirmed = true;
        if (++ready === n) process.stdout.write('ready\n');
      }
      if (!st.finished && st.bytes - confirm >= frame * expected) {
        st.finished = true;
        if (++done === n) {
          process.stdout.write('done\n');
          setTimeout(() => process.exit(0), 10);
        }
      }
    });
    s.on('error', (e) => {
      process.stderr.write(`subscriber ${i}: ${e.message}\n`);
      process.exit(1);
    });
    s.write(encodeCommand(pattern === null ? ['SUBSCRIBE', CHANNEL] : ['PSUBSCRIBE', pattern]), 'latin1');
    conns.push(s);
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5));
  }
  setTimeout(() => {
    process.stderr.write(`timed out: ${done}/${n} subscribers complete\n`);
    process.exit(2);
  }, 120000).unref();
}

async function publisherRole(o) {
  const m = intOpt(o.messages, 2000);
  const size = intOpt(o.size, 32);
  const batch = 50;
  const s = net.connect(Number(o.port), '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  const one = encodeCommand(['PUBLISH', CHANNEL, 'x'.repeat(size)]);
  let pending = 0;
  let sent = 0;
  let buf = '';
  const sendBatch = () => {
    const k = Math.min(batch, m - sent);
    s.write(one.repeat(k), 'latin1');
    sent += k;
    pending += k;
  };
  s.on('data', (d) => {
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\r\n')) !== -1) {
      buf = buf.slice(i + 2);
      pending--;
    }
    if (pending === 0) {
      if (sent < m) sendBatch();
      else {
        s.end();
        process.exit(0);
      }
    }
  });
  sendBatch();
}

// ------------------------------------------------------------------ driver

function child(args) {
  const p = spawn(process.execPath, [SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = [];
  const waiters = [];
  let out = '';
  p.stdout.on('data', (d) => {
    out += d.toString();
    let i;
    while ((i = out.indexOf('\n')) !== -1) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      const w = waiters.findIndex((x) => x.line === line);
      if (w !== -1) waiters.splice(w, 1)[0].resolve();
      else lines.push(line);
    }
  });
  const exited = new Promise((r) => p.once('exit', (code) => r(code)));
  return {
    proc: p,
    exited,
    waitLine(line) {
      const i = lines.indexOf(line);
      if (i !== -1) {
        lines.splice(i, 1);
        return Promise.resolve();
      }
      return new Promise((resolve) => waiters.push({ line, resolve }));
    },
  };
}

async function runOnce(server, mode, o) {
  const common = ['--port', String(server.port), '--mode', mode, '--subs', String(o.subs), '--messages', String(o.messages), '--size', String(o.size)];
  const sub = child(['--role', 'sub', ...common]);
  await Promise.race([
    sub.waitLine('ready'),
    sub.exited.then((c) => {
      throw new Error(`subscriber exited ${c}`);
    }),
  ]);
  await new Promise((r) => setTimeout(r, 200));
  const cpu0 = cpuSeconds(server.pid);
  const t0 = process.hrtime.bigint();
  const pub = child(['--role', 'pub', ...common]);
  await Promise.race([
    sub.waitLine('done'),
    sub.exited.then((c) => {
      throw new Error(`subscriber exited ${c}`);
    }),
  ]);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuSeconds(server.pid) - cpu0;
  await pub.exited;
  await sub.exited;
  const deliveries = o.subs * o.messages;
  return { rate: deliveries / elapsed, cpuNs: (cpu * 1e9) / deliveries };
}

async function main() {
  const o = parseArgs(process.argv.slice(2), {
    role: 'string',
    port: 'string',
    mode: 'string',
    subs: 'string',
    messages: 'string',
    size: 'string',
    modes: 'string',
    rounds: 'string',
    'gkv-dist': 'string',
    markdown: 'bool',
    help: 'bool',
  });
  if (o.help) {
    console.log('usage: node bench/pubsub-fanout.js [--subs 1000] [--messages 2000] [--size 32] [--modes channel,pattern] [--rounds 3] [--gkv-dist dist] [--markdown]');
    return;
  }
  if (o.role === 'sub') return subscriberRole(o);
  if (o.role === 'pub') return publisherRole(o);
  const opts = { subs: intOpt(o.subs, 1000), messages: intOpt(o.messages, 2000), size: intOpt(o.size, 32) };
  const modes = listOpt(o.modes, ['channel', 'pattern']);
  const rounds = intOpt(o.rounds, 3);
  const servers = [await startServer('gkv', { gkvDist: o['gkv-dist'] }), await startServer('redis')];
  const results = {};
  try {
    for (let r = 0; r < rounds; r++) {
      for (const mode of modes) {
        const order = r % 2 === 0 ? servers : [...servers].reverse();
        for (const srv of order) {
          const res = await runOnce(srv, mode, opts);
          ((results[mode] ??= {})[srv.name] ??= []).push(res);
          console.log(`round ${r + 1}/${rounds} ${mode.padEnd(8)} ${srv.name.padEnd(6)} ${fmtInt(res.rate).padStart(12)} deliveries/s  ${fmtNum(res.cpuNs, 0).padStart(6)} ns CPU/delivery`);
        }
      }
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  const headers = ['mode', 'gKV deliveries/s', 'Redis deliveries/s', 'ratio', 'gKV CPU ns/delivery', 'Redis CPU ns/delivery', 'CPU ratio'];
  const rows = modes.map((mode) => {
    const g = results[mode].gKV;
    const rd = results[mode].Redis;
    const gr = median(g.map((x) => x.rate));
    const rr = median(rd.map((x) => x.rate));
    const gc = median(g.map((x) => x.cpuNs));
    const rc = median(rd.map((x) => x.cpuNs));
    return [mode, fmtInt(gr), fmtInt(rr), fmtNum(gr / rr), fmtNum(gc, 0), fmtNum(rc, 0), fmtNum(gc / rc)];
  });
  console.log(`\n${opts.subs} subscribers, ${opts.messages} messages of ${opts.size} bytes, median of ${rounds} round(s)`);
  console.log(textTable(headers, rows));
  if (o.markdown) console.log('\n' + markdownTable(headers, rows));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
