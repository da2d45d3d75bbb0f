/**
 * The fork-less snapshot against its promise: random commands of every type
 * run while a snapshot walks the keyspace in tiny slices; what it emits must
 * be exactly the dataset at the cut — every key once, with its value and TTL
 * of that moment, grouped by database — whatever the commands did to the
 * keys meanwhile (overwrites, in-place edits, deletes, TTL changes, expiry,
 * FLUSHDB, SWAPDB, RENAME, MOVE).
 *
 * The sink copies each value (dup) when it is encoded; the copies are then
 * installed in a scratch server and described through ordinary commands, as
 * is the live dataset at the cut.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { composeServer } from '../../src/compose.js';
import type { Server } from '../../src/server/server.js';
import { Snapshot } from '../../src/persistence/snapshot.js';
import type { Value } from '../../src/keyspace/value.js';
import type { Client } from '../../src/server/client.js';
import type { RespValue } from '../harness/resp.js';
import { runCommand } from '../harness/commands.js';

const run = runCommand;

function dupValue(v: Value): Value {
  return typeof v === 'string' ? v : v.dup();
}

/** Every key of every db as "db|key|type|content|ttl-present", sorted. */
function describe(s: Server, c: Client): string[] {
  const out: string[] = [];
  for (const db of s.ks.dbs) {
    run(s, c, ['SELECT', String(db.id)]);
    const keys = (run(s, c, ['KEYS', '*']) as string[]).map(String);
    for (const k of keys) {
      const type = String(run(s, c, ['TYPE', k]));
      let content: RespValue;
      if (type === 'string') content = run(s, c, ['GET', k]);
      else if (type === 'list') content = run(s, c, ['LRANGE', k, '0', '-1']);
      else if (type === 'hash') content = (run(s, c, ['HGETALL', k]) as string[]).map(String).sort();
      else if (type === 'set') content = (run(s, c, ['SMEMBERS', k]) as string[]).map(String).sort();
      else content = run(s, c, ['ZRANGE', k, '0', '-1', 'WITHSCORES']);
      const pexpireAt = Number(run(s, c, ['PEXPIRETIME', k]));
      out.push(`${db.id}|${k}|${type}|${JSON.stringify(content)}|${pexpireAt}`);
    }
  }
  run(s, c, ['SELECT', '0']);
  return out.sort();
}

const key = fc.constantFrom('a', 'b', 'c', 'l', 'h', 's', 'z', 'n');
const val = fc.constantFrom('1', 'x', 'yy', 'long-' + 'v'.repeat(70));
const cmd: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(key, val).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key).map(([k]) => ['DEL', k]),
  fc.tuple(key).map(([k]) => ['INCR', k]),
  fc.tuple(key, val).map(([k, v]) => ['APPEND', k, v]),
  fc.tuple(key, val, val).map(([k, a, b]) => ['RPUSH', k, a, b]),
  fc.tuple(key).map(([k]) => ['LPOP', k]),
  fc.tuple(key, val).map(([k, v]) => ['LSET', k, '0', v]),
  fc.tuple(key, val, val).map(([k, f, v]) => ['HSET', k, f, v]),
  fc.tuple(key, val).map(([k, f]) => ['HDEL', k, f]),
  fc.tuple(key, val, val).map(([k, a, b]) => ['SADD', k, a, b]),
  fc.tuple(key, val).map(([k, m]) => ['SREM', k, m]),
  fc.tuple(key, fc.constantFrom('1', '2.5', '-3'), val).map(([k, sc, m]) => ['ZADD', k, sc, m]),
  fc.tuple(key, val).map(([k, m]) => ['ZINCRBY', k, '1', m]),
  fc.tuple(key).map(([k]) => ['EXPIRE', k, '1000']),
  fc.tuple(key).map(([k]) => ['PEXPIREAT', k, '1']), // in the past: deleted at once
  fc.tuple(key).map(([k]) => ['PERSIST', k]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key).map(([k]) => ['MOVE', k, '1']),
  fc.tuple(key, key).map(([a, b]) => ['SUNIONSTORE', a, b]),
  fc.nat(99).map((i) => ['SET', `new:${i}`, 'v']),
  fc.tuple(key, val).map(([k, v]) => ['LREM', k, '0', v]),
  fc.tuple(key).map(([k]) => ['LTRIM', k, '1', '-1']),
  fc.tuple(key, val).map(([k, v]) => ['LINSERT', k, 'BEFORE', 'x', v]),
  fc.tuple(key, key).map(([a, b]) => ['LMOVE', a, b, 'LEFT', 'RIGHT']),
  fc.tuple(key, key).map(([a, b]) => ['RPOPLPUSH', a, b]),
  fc.tuple(key).map(([k]) => ['LMPOP', '1', k, 'RIGHT', 'COUNT', '2']),
  fc.tuple(key).map(([k]) => ['SPOP', k]),
  fc.tuple(key, key, val).map(([a, b, m]) => ['SMOVE', a, b, m]),
  fc.tuple(key, val).map(([k, m]) => ['ZREM', k, m]),
  fc.tuple(key).map(([k]) => ['ZPOPMIN', k]),
  fc.tuple(key).map(([k]) => ['ZMPOP', '1', k, 'MAX']),
  fc.tuple(key).map(([k]) => ['ZREMRANGEBYSCORE', k, '-inf', '0']),
  fc.tuple(key, key).map(([a, b]) => ['ZUNIONSTORE', a, '1', b]),
  fc.tuple(key, val).map(([k, f]) => ['HINCRBY', k, f, '2']),
  fc.tuple(key, val).map(([k, f]) => ['HINCRBYFLOAT', k, f, '0.5']),
  fc.tuple(key, val).map(([k, v]) => ['SETRANGE', k, '1', v]),
  fc.tuple(key).map(([k]) => ['INCRBYFLOAT', k, '1.5']),
  fc.tuple(key).map(([k]) => ['GETDEL', k]),
  fc.tuple(key).map(([k]) => ['GETEX', k, 'PERSIST']),
  fc.tuple(key).map(([k]) => ['GETEX', k, 'EX', '777']),
  fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
  fc.tuple(key, key).map(([a, b]) => ['SORT', a, 'ALPHA', 'STORE', b]),
  fc.nat(299).map((i) => ['SET', `bulk:${i}`, 'changed']),
  fc.nat(299).map((i) => ['EXPIRE', `bulk:${i}`, '5000']),
  fc.nat(299).map((i) => ['DEL', `bulk:${i}`]),
  fc.constantFrom<string[]>(['SELECT', '0'], ['SELECT', '1'], ['SELECT', '2'], ['FLUSHDB'], ['SWAPDB', '0', '1'], ['SWAPDB', '1', '2'], ['SWAPDB', '0', '2']),
  fc.constantFrom<string[]>(['SWAPDB', '1', '2'], ['SWAPDB', '0', '2']),
);

interface Emitted {
  db: number;
  key: string;
  value: Value;
  exp: number;
}

test('a snapshot taken during random writes emits exactly the dataset at its cut, grouped by database, walked oldest or newest first', () => {
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 60 }), fc.array(cmd, { maxLength: 120 }), fc.array(fc.nat(3), { maxLength: 120 }), fc.boolean(), (before, during, steps, newestFirst) => {
      const s = composeServer();
      const c = s.createClient(null);
      for (const a of before) run(s, c, a);
      // some bulk so the walk takes several slices
      for (const d of ['2', '1', '0']) {
        run(s, c, ['SELECT', d]);
        for (let i = 0; i < 300; i++) run(s, c, ['SET', `bulk:${i}`, `${d}:${i}`]);
        for (let i = 0; i < 300; i += 5) run(s, c, ['EXPIRE', `bulk:${i}`, String(1000 + Number(d) * 100 + i)]);
        // free slots at the cut, for keys created during the walk to reuse
        for (let i = 1; i < 300; i += 3) run(s, c, ['DEL', `bulk:${i}`]);
      }
      const atCut = describe(s, c);
      const emitted: Emitted[] = [];
      const sections: number[] = [];
      let currentDb = -1;
      const snap = new Snapshot<Emitted>(
        s.ks,
        {
          encode: (k, v, exp) => ({ db: -1, key: k, value: dupValue(v), exp }),
          beginDb: (dbIndex) => {
            sections.push(dbIndex);
            currentDb = dbIndex;
          },
          write: (e) => emitted.push({ ...e, db: currentDb }),
        },
        null,
        newestFirst,
      );
      let i = 0;
      while (!snap.finished) {
        // a few commands, then a slice of the walk (budget 0: 256 slots)
        const k = steps[i % Math.max(1, steps.length)] ?? 1;
        for (let j = 0; j < k && i < during.length; j++, i++) run(s, c, during[i]);
        if (i >= during.length) i++;
        snap.step(0);
      }
      for (; i < during.length; i++) run(s, c, during[i]);
      // sections in database order, each once
      assert.deepEqual(
        sections,
        s.ks.dbs.map((d) => d.id),
      );
      // install what was emitted in a scratch server and describe it like the live one
      const scratch = composeServer();
      const sc = scratch.createClient(null);
      const seen = new Set<string>();
      for (const e of emitted) {
        const id = `${e.db}|${e.key}`;
        assert.ok(!seen.has(id), `emitted twice: ${id}`);
        seen.add(id);
        const db = scratch.ks.dbs[e.db];
        db.add(e.key, e.value);
        if (e.exp !== 0) db.setExpire(e.key, e.exp);
      }
      assert.deepEqual(describe(scratch, sc), atCut);
      assert.equal(s.ks.beforeWrite, null, 'the write chokepoint is removed when the snapshot ends');
    }),
    { seed: 20261201, numRuns: 150 },
  );
});

test('entries changed during a snapshot are encoded before the change, and nothing created after the cut is emitted', () => {
  const s = composeServer();
  const c = s.createClient(null);
  for (let i = 0; i < 2000; i++) run(s, c, ['SET', `k${i}`, 'old']);
  run(s, c, ['RPUSH', 'list', 'a', 'b']);
  const out: string[] = [];
  const snap = new Snapshot<string>(s.ks, {
    encode: (k, v) => `${k}=${typeof v === 'string' ? v : JSON.stringify(run(s, c, ['LRANGE', k, '0', '-1']))}`,
    beginDb: () => {},
    write: (x) => out.push(x),
  });
  snap.step(0);
  run(s, c, ['SET', 'k1999', 'new']);
  run(s, c, ['RPUSH', 'list', 'c']);
  run(s, c, ['SET', 'fresh', 'x']);
  run(s, c, ['DEL', 'k1998']);
  while (!snap.step(0));
  assert.ok(out.includes('k1999=old'));
  assert.ok(out.includes('k1998=old'));
  assert.ok(out.includes('list=["a","b"]'));
  assert.ok(!out.some((x) => x.startsWith('fresh=')));
  assert.equal(out.length, 2001);
  assert.ok(snap.earlyEncoded >= 3);
});

test('newest first walks the latest created entries first; a step emits at most its limit; early copies are measured', () => {
  const s = composeServer();
  const c = s.createClient(null);
  for (let i = 0; i < 10; i++) run(s, c, ['SET', `k${i}`, 'v'.repeat(100)]);
  const out: string[] = [];
  const snap = new Snapshot<string>(s.ks, { encode: (k) => k, beginDb: () => {}, write: (x) => out.push(x) }, (_k, v) => (v as string).length, true);
  assert.equal(snap.total, 10);
  assert.equal(snap.step(Infinity, 3), false);
  assert.deepEqual(out, ['k9', 'k8', 'k7']);
  run(s, c, ['SETRANGE', 'k0', '0', 'x']); // not saved yet: copied first, its 100 bytes counted
  run(s, c, ['SETRANGE', 'k9', '0', 'x']); // already saved: nothing to copy
  assert.equal(snap.earlyEncoded, 1);
  assert.equal(snap.earlyBytes, 100);
  while (!snap.step(Infinity, 1));
  assert.deepEqual(out, ['k9', 'k8', 'k7', 'k0', 'k6', 'k5', 'k4', 'k3', 'k2', 'k1']);
  assert.equal(snap.emitted, 10);
});
