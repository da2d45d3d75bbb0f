/**
 * MEMORY USAGE against Redis's, type by type: the same keys built on both
 * servers (test/harness/memory-shapes.ts), the average MEMORY USAGE … SAMPLES
 * 0 compared. gKV reports what a key costs gKV (test/commands/memory-usage.test.ts
 * holds it to the heap it really takes), so the figures differ from Redis's,
 * but by at most 2x either way — so that `redis-cli --memkeys` / `--bigkeys`
 * rank keys alike on both — except where gKV's representation really differs
 * by more, each named with its figures below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient } from '../harness/resp.js';
import { SHAPES, loadShape, sumMemoryUsage } from '../harness/memory-shapes.js';
import { sharedServers } from './runner.js';

const servers = sharedServers();

/** Shapes whose gKV/Redis ratio is known to leave [0.5, 2], with the band they are held to and why. */
const EXCEPTIONS: Record<string, [low: number, high: number, why: string]> = {
  // measured 0.42x: packed buckets spend ~26 bytes a field where Redis's dict spends ~64
  'hash of 1000 fields (hashtable)': [0.3, 0.5, 'packed buckets'],
  // measured 0.30x and 0.36x: Redis 7.0's figure counts each node's listpack as allocated, grown
  // to stream-node-max-bytes (4 KB), and is itself ~3.7x the memory Redis grows by per key
  // (33,094 reported against 8,912 of used_memory for the second shape)
  'stream of 10 entries': [0.2, 0.5, "Redis's preallocated nodes"],
  'stream of 300 entries with a group and 100 pending': [0.2, 0.5, "Redis's preallocated nodes"],
};

test('MEMORY DOCTOR of an empty instance answers the same bytes as Redis, in RESP2 and RESP3', { skip: servers.skip }, async () => {
  const g = await RespClient.connect(servers.gkv.port);
  const r = await RespClient.connect(servers.redis.port);
  try {
    for (const proto of ['2', '3']) {
      await g.cmd('HELLO', proto);
      await r.cmd('HELLO', proto);
      assert.equal((await g.call('MEMORY', 'DOCTOR')).raw, (await r.call('MEMORY', 'DOCTOR')).raw, `RESP${proto}`);
    }
  } finally {
    g.close();
    r.close();
  }
});

test("MEMORY USAGE is within 2x of Redis's for every type and encoding", { skip: servers.skip }, async () => {
  const g = await RespClient.connect(servers.gkv.port);
  const r = await RespClient.connect(servers.redis.port);
  const out: string[] = [];
  try {
    for (const shape of SHAPES) {
      const n = Math.min(shape.keys, 100);
      const avg: number[] = [];
      for (const c of [g, r]) {
        await c.cmd('FLUSHALL');
        await loadShape(c, shape, 'k', n);
        assert.equal(await c.cmd('OBJECT', 'ENCODING', 'k0'), shape.encoding, shape.name);
        avg.push((await sumMemoryUsage(c, shape, 'k', n)) / n);
      }
      const ratio = avg[0] / avg[1];
      const [low, high] = EXCEPTIONS[shape.name] ?? [0.5, 2];
      process.stdout.write(`# ${shape.name}: gKV ${avg[0].toFixed(0)}, Redis ${avg[1].toFixed(0)}, ratio ${ratio.toFixed(2)}\n`);
      if (!(ratio >= low && ratio <= high)) out.push(`${shape.name}: ${ratio.toFixed(2)} outside [${low}, ${high}]`);
    }
  } finally {
    g.close();
    r.close();
  }
  assert.deepEqual(out, []);
});
