/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE against Redis: seeded random datasets
 * of every type and encoding (small and converted collections, integer and
 * binary members, scores of every form, TTLs, several databases) must give
 * the same 40 hex digits on both servers, for the whole dataset and per key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diffRuns, diffSeed, sharedPair } from './runner.js';

const SEED = diffSeed(20261205);
const RUNS = diffRuns(60);

const key = fc.constantFrom('a', 'b', 'l', 'h', 's', 'z', 'k\x00\xff');
const elem = fc.oneof(
  fc.constantFrom('1', '2', '-7', '10', '007', 'x', 'y', '', 'a b', '\x00\r\n\xff', '9223372036854775807'),
  fc.integer({ min: 0, max: 300 }).map(String),
  fc.constantFrom('L'.repeat(70), 'M'.repeat(300)),
);
const elems = fc.array(elem, { minLength: 1, maxLength: 6 });
const score = fc.constantFrom('0', '-0', '1', '1.5', '0.1', '-2.25', '1e30', '3.0000000000000004', 'inf', '-inf', '123456789012345678');
const cmd: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(key, elem).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key).map(([k]) => ['INCR', k]),
  fc.tuple(key, elem).map(([k, v]) => ['APPEND', k, v]),
  fc.tuple(key, elems).map(([k, v]) => ['RPUSH', k, ...v]),
  fc.tuple(key, elems).map(([k, v]) => ['LPUSH', k, ...v]),
  fc.tuple(key, elems).map(([k, v]) => ['HSET', k, ...v.flatMap((x, i) => [x, String(i)])]),
  fc.tuple(key, elems).map(([k, v]) => ['SADD', k, ...v]),
  fc.tuple(key, elems, fc.array(score, { minLength: 6, maxLength: 6 })).map(([k, v, sc]) => ['ZADD', k, ...v.flatMap((x, i) => [sc[i], x])]),
  fc.tuple(key, elem).map(([k, m]) => ['ZINCRBY', k, '0.1', m]),
  fc.tuple(key, fc.integer({ min: 1, max: 50 }), elems).map(([k, ms, v]) => ['XADD', k, `${ms}-*`, ...v.flatMap((x, i) => [x, String(i)])]),
  fc.tuple(key, fc.integer({ min: 1, max: 50 })).map(([k, ms]) => ['XDEL', k, `${ms}-0`]),
  fc.tuple(key, fc.constantFrom('100', '0')).map(([k, t]) => ['EXPIRE', k, t]),
  fc.tuple(key).map(([k]) => ['PERSIST', k]),
  fc.tuple(key).map(([k]) => ['DEL', k]),
  fc.tuple(key).map(([k]) => ['MOVE', k, '1']),
  fc.constantFrom<string[]>(['SELECT', '1'], ['SELECT', '0'], ['SWAPDB', '0', '2']),
);

const sp = sharedPair({ 'enable-debug-command': 'yes' });

test("DEBUG DIGEST and DIGEST-VALUE give Redis's digests for random datasets of every type, encoding, TTL and database", { skip: sp.skip }, async () => {
  const { g, r } = sp.p;
  for (const c of [g, r]) {
    // low thresholds: the collections convert within a few elements
    await c.cmd('CONFIG', 'SET', 'hash-max-listpack-entries', '4', 'set-max-intset-entries', '4', 'zset-max-listpack-entries', '4', 'list-max-listpack-size', '3');
  }
  const empty = await Promise.all([g.cmd('FLUSHALL').then(() => g.cmd('DEBUG', 'DIGEST')), r.cmd('FLUSHALL').then(() => r.cmd('DEBUG', 'DIGEST'))]);
  assert.deepEqual(empty, ['0'.repeat(40), '0'.repeat(40)]);
  await fc.assert(
    fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 30 }), async (cmds) => {
      for (const c of [g, r]) {
        await c.cmd('SELECT', '0');
        await c.cmd('FLUSHALL');
      }
      for (const c of cmds) {
        const [gr, rr] = await Promise.all([g.call(...c), r.call(...c)]);
        assert.equal(gr.raw.slice(0, 1) === '-', rr.raw.slice(0, 1) === '-', `error-ness of ${JSON.stringify(c)}`);
      }
      const [dg, dr] = await Promise.all([g.cmd('DEBUG', 'DIGEST'), r.cmd('DEBUG', 'DIGEST')]);
      assert.equal(dg, dr, `dataset digest after ${JSON.stringify(cmds)}`);
      const keys = ['a', 'b', 'l', 'h', 's', 'z', 'k\x00\xff', 'missing'];
      const [vg, vr] = await Promise.all([g.cmd('DEBUG', 'DIGEST-VALUE', ...keys), r.cmd('DEBUG', 'DIGEST-VALUE', ...keys)]);
      assert.deepEqual(vg, vr, `value digests after ${JSON.stringify(cmds)}`);
    }),
    { seed: SEED, numRuns: RUNS, verbose: 1 },
  );
  // the reply forms
  for (const c of [g, r]) await c.cmd('SET', 'a', '1');
  const forms = await Promise.all(
    [g, r].map(async (c) => [(await c.call('DEBUG', 'DIGEST')).raw.slice(0, 1), (await c.call('DEBUG', 'DIGEST-VALUE')).raw, (await c.call('DEBUG', 'DIGEST', 'x')).raw]),
  );
  assert.deepEqual(forms[0], forms[1]);
});
