#!/usr/bin/env node
// Regenerates src/commands/meta/redis-7.0-commands.json from a live redis-server 7.0:
// COMMAND INFO (arity, flags, first/last/step, ACL categories, tips, key specs,
// subcommands) and the structural part of COMMAND DOCS (group, since, arguments,
// doc flags, deprecation). Redis's prose (summaries, complexity, history) is
// left out: gKV's own summaries are src/commands/meta/summaries.ts, and
// test/meta/command-summaries.test.ts fails for a name the refresh adds until
// it has one. Usage: node scripts/refresh-command-meta.mjs [port]
// With no port it starts a throwaway redis-server on a free loopback port.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { RespClient } from '../dist/test/harness/resp.js';

function freePort() {
  return new Promise((res) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

const toJson = (v) => {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? Number(v) : v;
  if (Array.isArray(v)) return v.map(toJson);
  if ('map' in v) return Object.fromEntries(v.map.map(([k, x]) => [k, toJson(x)]));
  if ('set' in v) return v.set.map(toJson);
  if ('double' in v) return Number(v.double);
  if ('verbatim' in v) return v.verbatim;
  return v;
};

let port = Number(process.argv[2]);
let child;
if (!port) {
  port = await freePort();
  child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
}
const c = await RespClient.connect(port);
await c.cmd('HELLO', '3');
const version = toJson(await c.cmd('INFO', 'server')).match(/redis_version:(\S+)/)[1];
const info = toJson(await c.cmd('COMMAND', 'INFO'));
const docs = toJson(await c.cmd('COMMAND', 'DOCS'));

function infoEntry(e) {
  const [name, arity, flags, firstKey, lastKey, step, acl, tips, keySpecs, subs] = e;
  return {
    name,
    arity,
    flags,
    firstKey,
    lastKey,
    step,
    acl,
    tips,
    keySpecs,
    subcommands: subs.map(infoEntry),
  };
}
function docEntry(d) {
  const out = { group: d.group, since: d.since };
  if (d.doc_flags) out.doc_flags = d.doc_flags;
  if (d.deprecated_since) out.deprecated_since = d.deprecated_since;
  if (d.replaced_by) out.replaced_by = d.replaced_by;
  if (d.arguments) out.arguments = d.arguments.map(stripArg);
  if (d.subcommands) out.subcommands = Object.fromEntries(Object.entries(d.subcommands).map(([k, v]) => [k, docEntry(v)]));
  return out;
}
function stripArg(a) {
  const o = { ...a };
  delete o.summary;
  if (o.arguments) o.arguments = o.arguments.map(stripArg);
  return o;
}
const commands = {};
for (const e of info) {
  if (!e) continue;
  const ie = infoEntry(e);
  commands[ie.name] = { info: ie, docs: docs[ie.name] ? docEntry(docs[ie.name]) : null };
}
const sorted = Object.fromEntries(
  Object.keys(commands)
    .sort()
    .map((k) => [k, commands[k]]),
);
const out = { source: `redis-server ${version}`, commands: sorted };
writeFileSync(new URL('../src/commands/meta/redis-7.0-commands.json', import.meta.url), JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${Object.keys(sorted).length} commands from redis ${version}`);
c.close();
if (child) child.kill();
