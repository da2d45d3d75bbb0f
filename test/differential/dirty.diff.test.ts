/**
 * Change counting against Redis: after every command of seeded random
 * sequences over all types, `rdb_changes_since_last_save` (Redis's
 * server.dirty, which drives save points and, later, replication offsets'
 * neighbours) must have moved by what Redis's moved: one per element added,
 * updated or removed, one per rename or move, one per key a flush removed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Pair } from './harness.js';
import { diffRuns, diffSeed, sharedPair } from './runner.js';

const SEED = diffSeed(20261204);
const RUNS = diffRuns(40);

const key = fc.constantFrom('a', 'b', 'l', 'h', 's', 'z');
const m = fc.constantFrom('1', '2', 'x', 'y');
const ms = fc.array(m, { minLength: 1, maxLength: 3 });
const cmd: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(key, m).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, m).map(([k, v]) => ['SETNX', k, v]),
  fc.tuple(key, m, key, m).map(([a, b, c, d]) => ['MSET', a, b, c, d]),
  fc.tuple(key).map(([k]) => ['INCR', k]),
  fc.tuple(key, m).map(([k, v]) => ['APPEND', k, v]),
  fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => ['DEL', ...ks]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key).map(([k]) => ['MOVE', k, '1']),
  fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
  fc.tuple(key, fc.constantFrom('100', '0')).map(([k, t]) => ['EXPIRE', k, t]),
  fc.tuple(key).map(([k]) => ['PERSIST', k]),
  fc.tuple(key, ms).map(([k, v]) => ['RPUSH', k, ...v]),
  fc.tuple(key, ms).map(([k, v]) => ['LPUSHX', k, ...v]),
  fc.tuple(key, fc.constantFrom('1', '2', '5')).map(([k, n]) => ['LPOP', k, n]),
  fc.tuple(key, m).map(([k, v]) => ['LREM', k, '0', v]),
  fc.tuple(key).map(([k]) => ['LTRIM', k, '1', '-2']),
  fc.tuple(key, key).map(([a, b]) => ['LMOVE', a, b, 'LEFT', 'LEFT']),
  fc.tuple(key, ms).map(([k, v]) => ['HSET', k, ...v.flatMap((x) => [x, 'v'])]),
  fc.tuple(key, ms).map(([k, v]) => ['HDEL', k, ...v]),
  fc.tuple(key, m).map(([k, f]) => ['HINCRBY', k, f, '1']),
  fc.tuple(key, ms).map(([k, v]) => ['SADD', k, ...v]),
  fc.tuple(key, ms).map(([k, v]) => ['SREM', k, ...v]),
  fc.tuple(key, fc.constantFrom('1', '3')).map(([k, n]) => ['SPOP', k, n]),
  fc.tuple(key, key, m).map(([a, b, x]) => ['SMOVE', a, b, x]),
  fc.tuple(key, key, key).map(([d, a, b]) => ['SUNIONSTORE', d, a, b]),
  fc.tuple(key, ms).map(([k, v]) => ['ZADD', k, ...v.flatMap((x, i) => [String(i), x])]),
  fc.tuple(key, m).map(([k, x]) => ['ZINCRBY', k, '2', x]),
  fc.tuple(key, ms).map(([k, v]) => ['ZREM', k, ...v]),
  fc.tuple(key, fc.constantFrom('1', '2')).map(([k, n]) => ['ZPOPMIN', k, n]),
  fc.tuple(key).map(([k]) => ['ZREMRANGEBYRANK', k, '0', '1']),
  fc.tuple(key, key).map(([d, a]) => ['ZUNIONSTORE', d, '1', a]),
  fc.tuple(key, key).map(([a, b]) => ['SORT', a, 'ALPHA', 'STORE', b]),
  fc.tuple(key, fc.constantFrom('0', '5', '30'), fc.constantFrom('0', '1')).map(([k, o, v]) => ['SETBIT', k, o, v]),
  fc
    .tuple(key, fc.constantFrom('SET', 'INCRBY'), fc.constantFrom('0', '8', '40'), fc.constantFrom('0', '1', '-1', '100'), fc.constantFrom('WRAP', 'FAIL'))
    .map(([k, op, o, v, ow]) => ['BITFIELD', k, 'OVERFLOW', ow, op, 'i5', o, v]),
  fc.constantFrom<string[]>(['FLUSHDB'], ['FLUSHALL'], ['SWAPDB', '0', '1'], ['SELECT', '1'], ['SELECT', '0']),
);

const servers = sharedPair();
const { skip } = servers;

async function changes(c: Pair['g']): Promise<number> {
  const info = String(await c.cmd('INFO', 'persistence'));
  return Number(/rdb_changes_since_last_save:(\d+)/.exec(info)![1]);
}

test('every command counts the same number of changes as Redis (rdb_changes_since_last_save)', { skip }, async () => {
  const p = servers.p;
  await fc.assert(
    fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 25 }), async (cmds) => {
      for (const c of [p.g, p.r]) {
        await c.cmd('SELECT', '0');
        await c.cmd('FLUSHALL');
      }
      for (let i = 0; i < cmds.length; i++) {
        const [g0, r0] = await Promise.all([changes(p.g), changes(p.r)]);
        const [gr, rr] = await Promise.all([p.g.call(...cmds[i]), p.r.call(...cmds[i])]);
        assert.equal(gr.raw.slice(0, 1) === '-', rr.raw.slice(0, 1) === '-', `error-ness of ${JSON.stringify(cmds[i])}`);
        const [g1, r1] = await Promise.all([changes(p.g), changes(p.r)]);
        assert.equal(g1 - g0, r1 - r0, `changes counted for command #${i} ${JSON.stringify(cmds[i])}: gKV ${g1 - g0}, Redis ${r1 - r0}\n  sequence: ${JSON.stringify(cmds.slice(0, i + 1))}`);
      }
    }),
    { seed: SEED, numRuns: RUNS, verbose: 1 },
  );
});
