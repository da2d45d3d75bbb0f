#!/usr/bin/env node
// Rewrites two generated parts of README.md from the command table:
// - the supported-commands list (<!-- commands:start --> … <!-- commands:end -->);
// - the compatibility table (<!-- compatibility:start --> … <!-- compatibility:end -->):
//   per Redis command group, how many of Redis 7.0's commands gKV has, which
//   commands and subcommands it has not yet (Redis's metadata,
//   src/commands/meta/redis-7.0-commands.json, against the command table), and
//   how the units of Redis's own test suite that exercise the group fare (read
//   from the README's suite table, which scripts/suite-table.mjs writes from a
//   suite run of gKV and of real Redis).
// Run after `npm run build`: node scripts/update-readme-commands.mjs
//   --check   exit 1 when README.md's generated parts are stale (a test runs it)
// (GKV_DIST=dist-x for another build dir)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = process.env.GKV_DIST || 'dist';
const root = fileURLToPath(new URL('..', import.meta.url));
const { CommandTable, commandListMarkdown } = await import(new URL(`../${dist}/src/commands/table.js`, import.meta.url).href);
const { registerAllCommands } = await import(new URL(`../${dist}/src/commands/index.js`, import.meta.url).href);
const META = JSON.parse(readFileSync(`${root}src/commands/meta/redis-7.0-commands.json`, 'utf8')).commands;

const t = new CommandTable();
registerAllCommands(t);
const readmePath = `${root}README.md`;
const original = readFileSync(readmePath, 'utf8');

/** the text between two markers, replaced */
function replaceBetween(text, name, body) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i === -1 || j === -1) throw new Error(`README.md lacks the ${name} markers`);
  return text.slice(0, i + start.length) + '\n' + body + '\n' + text.slice(j);
}

/** the README's suite table (scripts/suite-table.mjs): unit → { gkv, redis, passes } */
function suiteResults(text) {
  const m = /<!-- redis-suite:start -->([\s\S]*?)<!-- redis-suite:end -->/.exec(text);
  const out = new Map();
  if (!m) return out;
  for (const line of m[1].split('\n')) {
    const f = /^\| ((?:unit|integration)\/\S+) \| (\d+) \| (\d+|\?) \| (.*) \|$/.exec(line);
    if (f) out.set(f[1], { gkv: Number(f[2]), redis: f[3] === '?' ? null : Number(f[3]), passes: f[4] === 'passes', state: f[4] });
  }
  return out;
}

/**
 * Which Redis command group a suite unit exercises (Redis's tests/unit/type/<type>.tcl
 * and the like); units about the server as a whole (persistence, replication, tools)
 * go to the last row.
 */
const UNIT_GROUP = [
  [/^unit\/type\/(string|incr)$/, 'string'],
  [/^unit\/type\/list/, 'list'],
  [/^unit\/type\/set$/, 'set'],
  [/^unit\/type\/zset$/, 'sorted-set'],
  [/^unit\/type\/hash$/, 'hash'],
  [/^unit\/type\/stream/, 'stream'],
  [/^unit\/(bitops|bitfield)$/, 'bitmap'],
  [/^unit\/hyperloglog$/, 'hyperloglog'],
  [/^unit\/geo$/, 'geo'],
  [/^unit\/pubsub/, 'pubsub'],
  [/^unit\/(scripting|functions)$/, 'scripting'],
  [/^unit\/multi$/, 'transactions'],
  [/^unit\/(keyspace|scan|expire|dump|sort|lazyfree)$/, 'generic'],
  [/^unit\/(auth|protocol|quit|tracking|networking|client-eviction|querybuf|pendingquerybuf|replybufsize)$/, 'connection'],
  [/^unit\/cluster/, 'cluster'],
  [/^unit\//, 'server'],
];
const SERVER_WIDE = 'persistence, replication, tools';
const groupOfUnit = (u) => UNIT_GROUP.find(([re]) => re.test(u))?.[1] ?? SERVER_WIDE;

function unitCell(u, r) {
  const name = u.replace(/^unit\//, '');
  if (r.passes) return `${name} ✓`;
  if (r.redis === 0 && r.gkv === 0) return `${name} (no tests run)`;
  // as many passed as Redis's, yet not every test: say what else happened (failures, a stall)
  if (r.redis !== null && r.gkv >= r.redis) return `${name} ${r.gkv}/${r.redis} (${r.state})`;
  return `${name} ${r.gkv}/${r.redis ?? '?'}`;
}

function compatibilityMarkdown(suite) {
  const groups = new Map();
  const row = (g) => {
    if (!groups.has(g)) groups.set(g, { redis: 0, ours: 0, missing: [], units: [] });
    return groups.get(g);
  };
  for (const name of Object.keys(META).sort()) {
    const m = META[name];
    const r = row(m.docs.group);
    r.redis++;
    const spec = t.commands.get(name);
    if (spec === undefined) {
      r.missing.push(name.toUpperCase());
      continue;
    }
    r.ours++;
    const subs = (m.info.subcommands ?? []).map((s) => s.name.split('|')[1]).sort();
    const lacking = subs.filter((s) => spec.subcommands === null || !spec.subcommands.has(s));
    for (const s of lacking) r.missing.push(`${name.toUpperCase()} ${s.toUpperCase()}`);
  }
  for (const [u, res] of suite) row(groupOfUnit(u)).units.push(unitCell(u, res));
  const lines = [
    'Generated from the command table and the suite table below (`node scripts/update-readme-commands.mjs`).',
    '"Suite units": Redis 7.0.15\'s own tests of the group, tests gKV passes / tests Redis passes; ✓ = all of them.',
    '',
    '| group | Redis 7.0 commands | in gKV | not yet | suite units |',
    '| --- | ---: | ---: | --- | --- |',
  ];
  let tr = 0;
  let to = 0;
  const order = [...groups.keys()].filter((g) => g !== SERVER_WIDE).sort();
  if (groups.has(SERVER_WIDE)) order.push(SERVER_WIDE);
  for (const g of order) {
    const r = groups.get(g);
    tr += r.redis;
    to += r.ours;
    const cmds = g === SERVER_WIDE ? ['', ''] : [String(r.redis), String(r.ours)];
    lines.push(`| ${g} | ${cmds[0]} | ${cmds[1]} | ${r.missing.join(', ') || (g === SERVER_WIDE ? '' : '—')} | ${r.units.join(', ')} |`);
  }
  lines.push(`| **all** | **${tr}** | **${to}** | | |`);
  return lines.join('\n');
}

let readme = replaceBetween(original, 'commands', commandListMarkdown(t));
readme = replaceBetween(readme, 'compatibility', compatibilityMarkdown(suiteResults(original)));
if (process.argv.includes('--check')) {
  if (readme !== original) {
    console.error('README.md: the command list or the compatibility table is stale: run npm run build && node scripts/update-readme-commands.mjs');
    process.exit(1);
  }
  console.log('README.md: the generated parts are up to date');
} else {
  writeFileSync(readmePath, readme);
  console.log(`README.md: ${t.commands.size} commands listed, compatibility table written`);
}
