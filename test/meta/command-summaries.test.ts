/**
 * gKV's own one-line command summaries (commands/meta/summaries.ts): every
 * command and subcommand of Redis 7.0's table has one, COMMAND DOCS serves it
 * in Redis's field order, none repeats Redis's wording, and redis-cli's
 * `help <command>` and `help @<group>` against gKV print it in the layout
 * they print for a real redis-server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { commandSummaries } from '../../src/commands/meta/summaries.js';
import { redisMeta } from '../../src/commands/table.js';
import { oracleSkip, startGkv, startRedis, type RedisProc } from '../harness/servers.js';
import { RespClient } from '../harness/resp.js';

/** Every full name in the metadata snapshot: commands and their subcommands. */
function snapshotNames(): string[] {
  const names: string[] = [];
  for (const [name, m] of Object.entries(redisMeta().commands)) {
    names.push(name);
    for (const s of m.info.subcommands) names.push(s.name);
  }
  return names;
}

type Resp3 = { map: [unknown, unknown][] };

/** COMMAND DOCS (RESP3) of a server as name → [field names in order, summary]; subcommands flattened. */
async function docsOf(port: number): Promise<Map<string, { fields: string[]; summary: string | undefined }>> {
  const c = await RespClient.connect(port);
  try {
    await c.cmd('HELLO', '3');
    const out = new Map<string, { fields: string[]; summary: string | undefined }>();
    const walk = (m: Resp3): void => {
      for (const [name, doc] of m.map) {
        const fields = (doc as Resp3).map.map(([k]) => String(k));
        const summary = (doc as Resp3).map.find(([k]) => k === 'summary')?.[1] as string | undefined;
        out.set(String(name), { fields, summary });
        const subs = (doc as Resp3).map.find(([k]) => k === 'subcommands');
        if (subs !== undefined) walk(subs[1] as Resp3);
      }
    };
    walk((await c.cmd('COMMAND', 'DOCS')) as Resp3);
    return out;
  } finally {
    c.close();
  }
}

/** Lower-case words of a summary, punctuation dropped. */
const words = (s: string): string[] =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ');

/** The length of the longest run of words the two word lists share. */
function longestSharedRun(a: string[], b: string[]): number {
  let best = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      let n = 0;
      while (i + n < a.length && j + n < b.length && a[i + n] === b[j + n]) n++;
      if (n > best) best = n;
    }
  }
  return best;
}

test('every command and subcommand of Redis 7.0 has a gKV summary, and no other name has one', () => {
  const names = snapshotNames();
  assert.ok(names.length > 300, `${names.length} names in the snapshot`);
  assert.deepEqual(Object.keys(commandSummaries).sort(), names.sort());
});

test('each summary is one plain line: printable ASCII, capitalised, no final period, at most 100 characters', () => {
  for (const [name, s] of Object.entries(commandSummaries)) {
    assert.match(s, /^[A-Z0-9][\x20-\x7e]*[^.\s]$/, name);
    assert.ok(s.length <= 100, `${name}: ${s.length} characters`);
  }
});

test('COMMAND DOCS serves the summary first, before since and group, for every registered command and subcommand', async () => {
  const srv = await startGkv();
  try {
    const docs = await docsOf(srv.port);
    const all = [...srv.server.table.all()];
    assert.equal(docs.size, all.length);
    for (const spec of all) {
      const d = docs.get(spec.fullName);
      assert.ok(d !== undefined, spec.fullName);
      assert.deepEqual(d.fields.slice(0, 3), ['summary', 'since', 'group'], spec.fullName);
      assert.equal(d.summary, commandSummaries[spec.fullName], spec.fullName);
    }
  } finally {
    await srv.close();
  }
});

test("no summary repeats Redis's wording: never the same words, never six words in a row, never all of Redis's line", { skip: oracleSkip() }, async () => {
  let redis: RedisProc | null = null;
  try {
    redis = await startRedis();
    const theirs = await docsOf(redis.port);
    assert.equal(theirs.size, snapshotNames().length);
    for (const [name, { summary }] of theirs) {
      assert.ok(summary !== undefined, `Redis has a summary for ${name}`);
      const a = words(commandSummaries[name]);
      const b = words(summary);
      const run = longestSharedRun(a, b);
      assert.notDeepEqual(a, b, name);
      assert.ok(run < 6, `${name}: ${run} words in a row shared with Redis's summary`);
      assert.ok(run < b.length, `${name}: contains Redis's whole summary`);
    }
  } finally {
    await redis?.stop();
  }
});

const execFileP = promisify(execFile);
const redisCliSkip = (): string | false => oracleSkip() || (spawnSync('redis-cli', ['--version']).status === 0 ? false : 'redis-cli is not installed');

/** redis-cli's output for `args` against a port (asynchronously: the gKV under test runs in this process). */
async function redisCli(port: number, ...args: string[]): Promise<string> {
  return (await execFileP('redis-cli', ['-p', String(port), ...args], { timeout: 20000 })).stdout;
}

/** redis-cli's help output (CRLF lines, ANSI colours) with the text after each "summary:" label replaced by a mark. */
const maskSummaries = (out: string): string => out.replace(/(summary:\x1b\[0m ).*?\r\n/g, '$1<summary>\r\n');

test("redis-cli's help set, help @string and every help @group against gKV print gKV's summaries, laid out as against Redis", { skip: redisCliSkip() }, async () => {
  let redis: RedisProc | null = null;
  const srv = await startGkv();
  try {
    redis = await startRedis();
    const gkvSet = await redisCli(srv.port, 'help', 'set');
    assert.ok(gkvSet.includes(`summary:\x1b[0m ${commandSummaries.set}\r\n`), gkvSet);
    assert.ok(!gkvSet.includes('(null)'), gkvSet);
    assert.equal(maskSummaries(gkvSet), maskSummaries(await redisCli(redis.port, 'help', 'set')));

    const gkvString = await redisCli(srv.port, 'help', '@string');
    const stringCommands = [...srv.server.table.commands.values()].filter((s) => s.group === 'string');
    assert.ok(stringCommands.length >= 20, `${stringCommands.length} string commands`);
    for (const spec of stringCommands) assert.ok(gkvString.includes(`summary:\x1b[0m ${spec.summary}\r\n`), spec.name);
    assert.ok(!gkvString.includes('(null)'), gkvString);
    assert.equal(maskSummaries(gkvString), maskSummaries(await redisCli(redis.port, 'help', '@string')));

    // every group: each registered command and subcommand shows its summary, none "(null)"
    const groups = new Set([...srv.server.table.all()].map((s) => s.group));
    assert.ok(groups.size >= 12, [...groups].join(' '));
    for (const g of groups) {
      const out = await redisCli(srv.port, 'help', `@${g}`);
      assert.ok(!out.includes('(null)'), `help @${g}`);
      for (const spec of srv.server.table.all()) {
        if (spec.group === g) assert.ok(out.includes(`summary:\x1b[0m ${spec.summary}\r\n`), `help @${g}: ${spec.fullName}`);
      }
    }
  } finally {
    await srv.close();
    await redis?.stop();
  }
});
