#!/usr/bin/env node
/**
 * How long createServer({ port: 0 }) takes, the library's promise to test
 * suites that start a server per test: each round starts a server in this
 * process, connects, PINGs and closes it; the figures are milliseconds per
 * start (to listening), per first reply and per close, median and 90th
 * percentile. The first round (module loading, JIT) is reported apart.
 *
 *   npm run build && node bench/create-server.js [--rounds 200] [--gkv-dist dist]
 *
 * --gkv-dist runs another build (e.g. one of main's), for a before/after
 * comparison in the same conditions.
 */
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, parseArgs } from './lib.js';

const opts = parseArgs(process.argv.slice(2), { rounds: 'string', 'gkv-dist': 'string' });
const rounds = Number(opts.rounds ?? 200);
const dist = path.resolve(ROOT, opts['gkv-dist'] ?? process.env.GKV_DIST ?? 'dist');

const t0 = performance.now();
const { createServer } = await import(pathToFileURL(path.join(dist, 'src/index.js')).href);
const importMs = performance.now() - t0;

function ping(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
    s.once('data', () => {
      s.destroy();
      resolve();
    });
    s.once('error', reject);
  });
}

const start = [];
const reply = [];
const close = [];
for (let i = 0; i < rounds + 1; i++) {
  const a = performance.now();
  const srv = await createServer({ port: 0 });
  const b = performance.now();
  await ping(srv.port);
  const c = performance.now();
  await srv.close();
  const d = performance.now();
  start.push(b - a);
  reply.push(c - b);
  close.push(d - c);
}
const q = (xs, p) => {
  const s = xs.slice(1).sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(2);
};
console.log(`createServer({ port: 0 }) from ${path.relative(ROOT, dist) || '.'}: import ${importMs.toFixed(1)} ms; first round: start ${start[0].toFixed(1)} ms`);
console.log(`over ${rounds} rounds (ms)   median   p90`);
console.log(`  start (listening)        ${q(start, 0.5).padStart(6)} ${q(start, 0.9).padStart(6)}`);
console.log(`  first reply (PING)       ${q(reply, 0.5).padStart(6)} ${q(reply, 0.9).padStart(6)}`);
console.log(`  close()                  ${q(close, 0.5).padStart(6)} ${q(close, 0.9).padStart(6)}`);
