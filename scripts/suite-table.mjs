#!/usr/bin/env node
// Writes the README's table of Redis's own suite (between the markers
// <!-- redis-suite:start --> and <!-- redis-suite:end -->) from two summaries
// of ../shared/redis-suite/run, gKV's and real Redis's on the same machine, and
// .ci/suite-guard.txt: the units where gKV passes every test Redis passes,
// which CI runs as a regression guard (scripts/suite-guard.sh); then the
// README's compatibility table, which reads the suite table
// (scripts/update-readme-commands.mjs, on the current build).
//   node scripts/suite-table.mjs suite-logs/gkv/summary.txt suite-logs/redis/summary.txt
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const [gkvFile, redisFile] = process.argv.slice(2);
if (!gkvFile || !redisFile) {
  console.error('usage: suite-table.mjs GKV_SUMMARY REDIS_SUMMARY');
  process.exit(2);
}
function parse(file) {
  const m = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f.length < 4 || f[0] === 'TOTAL') continue;
    const kv = Object.fromEntries(f.slice(1).map((x) => x.split('=')));
    m.set(f[0], { ok: Number(kv.ok), err: Number(kv.err), broken: kv.exception === 'yes', reason: kv.reason ?? '' });
  }
  return m;
}
const gkv = parse(gkvFile);
const redis = parse(redisFile);
const listed =
  spawnSync(process.env.REDIS_SUITE ?? '../shared/redis-suite/run', ['--list'], { encoding: 'utf8' })
    .stdout?.split('\n')
    .filter(Boolean) ?? [];
const units = [...new Set([...listed, ...gkv.keys()])].filter((u) => gkv.has(u));
const rows = [];
const guard = [];
let tg = 0,
  tr = 0,
  tpass = 0;
for (const u of units) {
  const g = gkv.get(u);
  const r = redis.get(u);
  const full = r !== undefined && r.ok > 0 && g.err === 0 && !g.broken && g.ok >= r.ok;
  if (full) {
    guard.push(u);
    tpass++;
  }
  tg += g.ok;
  tr += r?.ok ?? 0;
  const state = full ? 'passes' : g.broken ? `${g.err} failed, ${g.reason || 'aborted'}` : r !== undefined && r.ok === 0 ? '(no tests run)' : `${g.err} failed`;
  rows.push(`| ${u} | ${g.ok} | ${r?.ok ?? '?'} | ${state} |`);
}
const date = new Date().toISOString().slice(0, 10);
const table = [
  `Redis 7.0.15's own test suite (\`../shared/redis-suite/run\`, tags \`-slow\`), gKV and real Redis 7.0.15 on the same machine, ${date}. `,
  `Regenerate with \`scripts/suite.sh --table\` (about 40 minutes). "passes": gKV passes every test Redis passes; CI runs those units (\`.ci/suite-guard.txt\`).`,
  '',
  '| unit | gKV ok | Redis ok | gKV |',
  '| --- | ---: | ---: | --- |',
  ...rows,
  `| **total** | **${tg}** | **${tr}** | **${tpass} of ${units.length} units pass** |`,
].join('\n');
const readme = readFileSync('README.md', 'utf8');
const start = '<!-- redis-suite:start -->';
const end = '<!-- redis-suite:end -->';
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a === -1 || b === -1) {
  console.error('README.md has no redis-suite markers');
  process.exit(2);
}
writeFileSync('README.md', readme.slice(0, a + start.length) + '\n' + table + '\n' + readme.slice(b));
writeFileSync(
  '.ci/suite-guard.txt',
  `# Units of Redis's suite where gKV passes every test Redis passes (scripts/suite-table.mjs, ${date}).\n# CI runs them as a regression guard (scripts/suite-guard.sh).\n${guard.join('\n')}\n`,
);
console.log(`README table: ${units.length} units, ${tpass} pass fully; gKV ${tg} ok, Redis ${tr} ok; guard: ${guard.length} units`);
// the compatibility table's suite column follows the new suite table
const compat = spawnSync(process.execPath, [new URL('update-readme-commands.mjs', import.meta.url).pathname], { stdio: 'inherit' });
if (compat.status !== 0) process.exit(compat.status ?? 1);
