/**
 * MEMORY USAGE against what keys really cost gKV: for each shape of
 * test/harness/memory-shapes.ts, the growth of V8's heap (used heap plus
 * external memory, after full collections) when the process takes on N more
 * keys of the shape, divided by N, against the average MEMORY USAGE of those
 * keys. A warm-up batch of the same shape comes first, so the figure is what
 * one more key costs (the table's growth included), not the code and buffers
 * the first command of a kind brings in.
 *
 * The band: MEMORY USAGE is within 0.8x–1.25x of the measured cost for every
 * shape (measured 2026-12-07: 0.92–1.11; `node scripts/run-tests.js
 * memory-usage.test` prints each ratio).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapStatistics } from 'node:v8';
import { startGkv } from '../harness/servers.js';
import { RespClient } from '../harness/resp.js';
import { SHAPES, loadShape, sumMemoryUsage } from '../harness/memory-shapes.js';
import { fullGc } from '../../src/server/idle-gc.js';

const LOW = 0.8;
const HIGH = 1.25;

/** Heap used + external memory after full collections (with pauses: ArrayBuffers are swept after the collection). */
async function heapUsed(): Promise<number> {
  const gc = fullGc()!;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 30));
  }
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

test('MEMORY USAGE of many keys of each type and encoding is within 0.8x-1.25x of the heap they really take', async () => {
  assert.ok(fullGc() !== null, 'a full collection can be had');
  const srv = await startGkv();
  const c = await RespClient.connect(srv.port);
  const failures: string[] = [];
  try {
    for (const shape of SHAPES) {
      await c.cmd('FLUSHALL');
      await loadShape(c, shape, 'warm:');
      const before = await heapUsed();
      await loadShape(c, shape, 'key:');
      const after = await heapUsed();
      assert.equal(await c.cmd('OBJECT', 'ENCODING', 'key:0'), shape.encoding, shape.name);
      const real = (after - before) / shape.keys;
      const reported = (await sumMemoryUsage(c, shape, 'key:')) / shape.keys;
      const ratio = reported / real;
      process.stdout.write(`# ${shape.name}: MEMORY USAGE ${reported.toFixed(0)}, heap ${real.toFixed(0)} bytes a key, ratio ${ratio.toFixed(2)}\n`);
      if (!(ratio >= LOW && ratio <= HIGH)) failures.push(`${shape.name}: ${ratio.toFixed(2)}`);
    }
  } finally {
    c.close();
    await srv.close();
  }
  assert.deepEqual(failures, []);
});

test('MEMORY USAGE samples as Redis does: SAMPLES 0 measures every element, a small sample extrapolates, a missing key is nil', async () => {
  const srv = await startGkv();
  const c = await RespClient.connect(srv.port);
  try {
    // members of very different lengths: the first few (short) stand for all when sampled
    const members = Array.from({ length: 200 }, (_, j) => (j < 5 ? `s${j}` : `long:${j}:${'y'.repeat(200)}`));
    await c.cmd('SADD', 's', ...members);
    const all = Number(await c.cmd('MEMORY', 'USAGE', 's', 'SAMPLES', '0'));
    const five = Number(await c.cmd('MEMORY', 'USAGE', 's'));
    assert.ok(all > 200 * 200, `every member counted: ${all}`);
    assert.ok(five < all / 3, `the default 5 samples extrapolate the short first members: ${five} vs ${all}`);
    assert.equal(await c.cmd('MEMORY', 'USAGE', 's', 'SAMPLES', '1000'), all);
    assert.equal(await c.cmd('MEMORY', 'USAGE', 'nokey'), null);
  } finally {
    c.close();
    await srv.close();
  }
});
