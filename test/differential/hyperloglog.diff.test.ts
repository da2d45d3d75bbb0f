/**
 * Differential tests of the HyperLogLog commands against a real redis-server:
 *
 * - Seeded random sequences of PFADD (single elements and bulks of hundreds,
 *   so keys go sparse, dense and through the promotion), PFCOUNT of one and
 *   several keys, PFMERGE, PFDEBUG (ENCODING DECODE TODENSE GETREG), mixed
 *   with the string commands that read the bytes (GET, GETRANGE, STRLEN,
 *   DUMP, OBJECT ENCODING, COPY) or damage them (SETRANGE of a random byte,
 *   APPEND, SET of a non-HLL), under random hll-sparse-max-bytes: replies
 *   byte for byte, the change each command made to Redis's dirty counter
 *   (so what propagates), INFO errorstats, then the final state — every HLL's
 *   bytes equal Redis's.
 * - PFCOUNT values on larger random sets (up to 200 000 elements, sparse,
 *   dense, mixed) and unions of several keys, with the bytes of every HLL.
 * - Corrupt payloads: an HLL of a random size with random bytes overwritten,
 *   then every command that walks it, as Redis's "Fuzzing dense/sparse
 *   encoding" test does, but with the replies compared.
 * - HLLs made by either server, moved to both by DUMP/RESTORE and GET/SET,
 *   then read and edited: the same replies and bytes; and through an RDB
 *   file each way.
 * - The keyspace notifications of random sequences.
 *
 * Reproduce a failure with GKV_DIFF_SEED=<seed>; explore with GKV_DIFF_RUNS.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RespClient } from '../harness/resp.js';
import { startGkv, startRedis, type RedisProc } from '../harness/servers.js';
import type { Cmd } from './harness.js';
import { compareEvents, cs, diffRuns, diffSeed, dirtyOf, runSequence, sharedPair } from './runner.js';

const SEED = diffSeed(20261207);
const RUNS = diffRuns(50);

const hllKey = fc.constantFrom('h1', 'h2', 'h3');
const key = fc.oneof({ weight: 10, arbitrary: hllKey }, { weight: 1, arbitrary: fc.constantFrom('l', 's', 'none') });
const keys = (min: number, max: number) => fc.array(key, { minLength: min, maxLength: max });

/** Elements: binary strings around the hash's 8-byte blocks, and numbers that repeat across commands. */
const element = fc.oneof(fc.integer({ min: 0, max: 3000 }).map(String), fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 17 }));
/** A bulk of n elements "<prefix>:<i>": enough of them make a key dense. */
const bulk = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 900 })).map(([p, n]) => Array.from({ length: n }, (_, i) => `${p}:${i}`));

const hllCmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(key, fc.array(element, { maxLength: 6 })).map(([k, es]) => ['PFADD', k, ...es]) },
  { weight: 3, arbitrary: fc.tuple(key, bulk).map(([k, es]) => ['PFADD', k, ...es]) },
  { weight: 5, arbitrary: key.map((k) => ['PFCOUNT', k]) },
  { weight: 3, arbitrary: keys(2, 4).map((ks) => ['PFCOUNT', ...ks]) },
  { weight: 3, arbitrary: fc.tuple(key, keys(0, 3)).map(([d, ks]) => ['PFMERGE', d, ...ks]) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('ENCODING', 'DECODE', 'TODENSE', 'encoding', 'todense', 'FOO'), key).map(([s, k]) => ['PFDEBUG', s, k]) },
  { weight: 1, arbitrary: key.map((k) => ['PFDEBUG', 'GETREG', k]) },
);

const otherCmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 3, arbitrary: key.map((k) => ['GET', k]) },
  { weight: 2, arbitrary: key.map((k) => ['GETRANGE', k, '0', '17']) },
  { weight: 1, arbitrary: key.map((k) => ['STRLEN', k]) },
  { weight: 1, arbitrary: key.map((k) => ['OBJECT', 'ENCODING', k]) },
  { weight: 2, arbitrary: key.map((k) => ['DUMP', k]) },
  { weight: 1, arbitrary: fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']) },
  // damage: a byte anywhere (mostly the header and the first opcodes), a tail, a rewrite
  {
    weight: 2,
    arbitrary: fc
      .tuple(key, fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 12400 })), fc.integer({ min: 0, max: 255 }))
      .map(([k, at, b]) => ['SETRANGE', k, String(at), String.fromCharCode(b)]),
  },
  { weight: 1, arbitrary: fc.tuple(key, fc.constantFrom('hello', '\x00', '\x7f')).map(([k, t]) => ['APPEND', k, t]) },
  cs(['SET', 's', 'not an hll'], ['LPUSH', 'l', 'x'], ['DEL', 'h1'], ['SET', 'h2', 'HYLL'], ['EXPIRE', 'h3', '1000']),
);

const anyCmd = fc.oneof({ weight: 5, arbitrary: hllCmd }, { weight: 2, arbitrary: otherCmd });
const seq = fc.array(anyCmd, { minLength: 1, maxLength: 30 });
const sparseMax = fc.constantFrom('3000', '3000', '200', '40', '0', '100000');

/** INFO errorstats and the keyspace hit and miss counters (which lookups each command makes). */
async function stats(c: RespClient): Promise<string> {
  const hits = /keyspace_(hits|misses):\d+/g;
  return (await c.call('INFO', 'errorstats')).raw + ((await c.call('INFO', 'stats')).raw.match(hits) ?? []).join(',');
}

const shared = sharedPair();

test('random HyperLogLog command sequences: replies, dirty counts, error and hit stats, final bytes as Redis 7.0', { skip: shared.skip }, async () => {
  const p = shared.p;
  await fc.assert(
    fc.asyncProperty(seq, sparseMax, fc.boolean(), async (cmds, limit, resp3) => {
      const last = [0, 0];
      for (const c of [p.g, p.r]) await c.cmd('CONFIG', 'RESETSTAT');
      await runSequence(p, cmds, {
        resp3,
        setup: [['CONFIG', 'SET', 'hll-sparse-max-bytes', limit]],
        note: `hll-sparse-max-bytes ${limit}`,
        before: async () => {
          [last[0], last[1]] = await Promise.all([dirtyOf(p.g), dirtyOf(p.r)]);
        },
        compare: async ({ a, b, what }) => {
          assert.equal(a.raw, b.raw, what);
          const [dg, dr] = await Promise.all([dirtyOf(p.g), dirtyOf(p.r)]);
          assert.equal(dg - last[0], dr - last[1], `dirty change of ${what}`);
        },
        end: async () => {
          assert.equal(await stats(p.g), await stats(p.r), `errorstats and keyspace hits after ${JSON.stringify(cmds)}`);
        },
      });
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  for (const c of [p.g, p.r]) await c.cmd('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
});

/** A seeded xorshift for the big sets (fast-check would shrink them for nothing). */
function rng(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

test('PFCOUNT equals Redis on random sets up to 200 000 elements and their unions, and the bytes match', { skip: shared.skip }, async () => {
  const p = shared.p;
  const rand = rng(SEED);
  for (const c of [p.g, p.r]) await c.cmd('FLUSHALL');
  const sizes = [0, 1, 3, 17, 150, 600, 1200, 2500, 5000, 20000, 200000];
  const keys: string[] = [];
  for (const [i, n] of sizes.entries()) {
    const k = `set${i}`;
    keys.push(k);
    const batches: Cmd[] = [['PFADD', k]];
    // half the elements repeat: the union's count is checked too
    for (let j = 0; j < n; j += 1000) {
      const es: string[] = [];
      for (let e = j; e < Math.min(n, j + 1000); e++)
        es.push(
          rand() < 0.5
            ? `shared:${Math.floor(rand() * 50000)}`
            : `${k}:${e}:${rand()
                .toString(36)
                .slice(2, 2 + (e % 12))}`,
        );
      batches.push(['PFADD', k, ...es]);
    }
    const [ga, ra] = await Promise.all([p.g.pipeline(batches), p.r.pipeline(batches)]);
    assert.deepEqual(
      ga.map((r) => r.raw),
      ra.map((r) => r.raw),
      `PFADD replies of ${k}`,
    );
  }
  const checks: Cmd[] = [];
  for (const k of keys) checks.push(['PFCOUNT', k], ['PFDEBUG', 'ENCODING', k], ['GET', k]);
  for (let i = 0; i < 20; i++) {
    const some = keys.filter(() => rand() < 0.4);
    checks.push(['PFCOUNT', ...keys.slice(i % 5, (i % 5) + 2), ...some]);
    checks.push(['PFMERGE', `m${i}`, ...some], ['PFCOUNT', `m${i}`], ['GET', `m${i}`], ['PFDEBUG', 'ENCODING', `m${i}`]);
  }
  const [gc, rc] = await Promise.all([p.g.pipeline(checks), p.r.pipeline(checks)]);
  for (let i = 0; i < checks.length; i++) assert.equal(gc[i].raw, rc[i].raw, `reply to ${JSON.stringify(checks[i]).slice(0, 200)}`);
});

test('corrupt HLLs: every command that walks one answers as Redis, byte for byte', { skip: shared.skip }, async () => {
  const p = shared.p;
  const corruption = fc.record({
    size: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 40, max: 3000 })),
    dense: fc.boolean(),
    edits: fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0, max: 30 }), fc.nat()), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 5 }),
    after: fc.array(
      fc.oneof(
        cs(['PFCOUNT', 'c'], ['PFCOUNT', 'c', 'ok'], ['PFMERGE', 'ok', 'c'], ['PFMERGE', 'c', 'ok'], ['PFDEBUG', 'DECODE', 'c'], ['PFDEBUG', 'TODENSE', 'c'], ['GET', 'c'], ['GET', 'ok']),
        fc.array(element, { minLength: 1, maxLength: 8 }).map((es) => ['PFADD', 'c', ...es]),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  });
  await fc.assert(
    fc.asyncProperty(corruption, async ({ size, dense, edits, after }) => {
      const setup: Cmd[] = [['PFADD', 'ok', 'a', 'b']];
      const build: Cmd[] = [['PFADD', 'c', ...Array.from({ length: size }, (_, i) => `el${i}`)]];
      if (dense) build.push(['PFDEBUG', 'TODENSE', 'c']);
      const len = Number(
        await p.r
          .cmd('FLUSHALL')
          .then(() => p.r.pipeline(build))
          .then(() => p.r.cmd('STRLEN', 'c')),
      );
      for (const [at, b] of edits) build.push(['SETRANGE', 'c', String(at % (len + 2)), String.fromCharCode(b)]);
      await runSequence(p, [...setup, ...build, ...after]);
    }),
    { seed: SEED + 2, numRuns: RUNS * 4, endOnFailure: true },
  );
});

test('an HLL moves between Redis and gKV by DUMP/RESTORE and GET/SET unchanged, sparse and dense', { skip: shared.skip }, async () => {
  const p = shared.p;
  const els = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);
  for (const [origin, name] of [
    [p.r, 'Redis'],
    [p.g, 'gKV'],
  ] as const) {
    for (const c of [p.g, p.r]) await c.cmd('FLUSHALL');
    // one side makes the HLLs; both get them as its DUMP payloads and as its bytes
    await origin.cmd('PFADD', 'sparse', ...els(100));
    await origin.cmd('PFADD', 'dense', ...els(5000));
    await origin.cmd('PFCOUNT', 'dense');
    const copy: Cmd[] = [];
    for (const k of ['sparse', 'dense']) {
      copy.push(['RESTORE', `${k}:restored`, '0', (await origin.call('DUMP', k)).value as string]);
      copy.push(['SET', `${k}:set`, (await origin.call('GET', k)).value as string]);
    }
    const probe: Cmd[] = [];
    for (const k of ['sparse', 'dense']) {
      for (const v of [`${k}:restored`, `${k}:set`]) probe.push(['PFCOUNT', v], ['PFADD', v, 'x', 'y', 'z'], ['PFCOUNT', v], ['GET', v], ['DUMP', v], ['OBJECT', 'ENCODING', v]);
      probe.push(['PFMERGE', `${k}:m`, `${k}:restored`, `${k}:set`], ['GET', `${k}:m`], ['PFDEBUG', 'ENCODING', `${k}:m`]);
    }
    const [ga, ra] = await Promise.all([p.g.pipeline([...copy, ...probe]), p.r.pipeline([...copy, ...probe])]);
    for (let i = 0; i < ga.length; i++) assert.equal(ga[i].raw, ra[i].raw, `HLLs made by ${name}: reply to ${JSON.stringify([...copy, ...probe][i]).slice(0, 80)}`);
  }
});

test('HLLs saved in an RDB by either server load in the other with the same bytes and counts', { skip: shared.skip }, async () => {
  const gdir = mkdtempSync(join(tmpdir(), 'gkv-hll-rdb-'));
  const g = await startGkv({ dir: gdir });
  const cg = await RespClient.connect(g.port);
  let r: RedisProc | null = null;
  let cr: RespClient | null = null;
  try {
    const els = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`);
    // sparse (a string in gKV), dense (a buffer), one that arrived by SET, a cached count
    await cg.cmd('PFADD', 'sparse', ...els(200, 's'));
    await cg.cmd('PFADD', 'dense', ...els(4000, 'd'));
    await cg.cmd('PFCOUNT', 'dense');
    await cg.cmd('SET', 'copy', (await cg.cmd('GET', 'sparse')) as string);
    const probe: Cmd[] = [];
    for (const k of ['sparse', 'dense', 'copy']) probe.push(['GET', k], ['PFCOUNT', k], ['PFDEBUG', 'ENCODING', k], ['OBJECT', 'ENCODING', k]);
    probe.push(['PFCOUNT', 'sparse', 'dense']);
    // the first PFCOUNTs write the caches: the probe answers the same from its second run on
    await cg.pipeline(probe);
    const before = (await cg.pipeline(probe)).map((x) => x.raw);
    await cg.cmd('SAVE');
    r = await startRedis(['--dir', gdir, '--dbfilename', 'dump.rdb']);
    cr = await RespClient.connect(r.port);
    assert.deepEqual(
      (await cr.pipeline(probe)).map((x) => x.raw),
      before,
      'Redis reads what gKV saved',
    );
    // and back: Redis saves, a new gKV loads
    await cr.cmd('PFADD', 'sparse', 'more');
    await cr.pipeline(probe);
    await cr.cmd('SAVE');
    const redisSide = (await cr.pipeline(probe)).map((x) => x.raw);
    const g2dir = mkdtempSync(join(tmpdir(), 'gkv-hll-rdb-'));
    copyFileSync(join(gdir, 'dump.rdb'), join(g2dir, 'dump.rdb'));
    const g2 = await startGkv({ dir: g2dir });
    const cg2 = await RespClient.connect(g2.port);
    try {
      assert.deepEqual(
        (await cg2.pipeline(probe)).map((x) => x.raw),
        redisSide,
        'gKV reads what Redis saved',
      );
    } finally {
      cg2.close();
      await g2.close();
      rmSync(g2dir, { recursive: true, force: true });
    }
  } finally {
    cr?.close();
    await r?.stop();
    cg.close();
    await g.close();
    rmSync(gdir, { recursive: true, force: true });
  }
});

test("the keyspace notifications of random HyperLogLog sequences are Redis 7.0's", { skip: shared.skip }, async () => {
  await compareEvents(shared.p, {
    flags: fc.constantFrom('KEA', 'K$g', 'Egm', 'Kd', 'En', 'KA'),
    limits: sparseMax,
    config: (limit) => [['CONFIG', 'SET', 'hll-sparse-max-bytes', limit]],
    cmds: seq,
    params: { seed: SEED + 1, numRuns: Math.max(10, Math.floor(RUNS / 3)) },
  });
  for (const c of [shared.p.g, shared.p.r]) await c.cmd('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
});
