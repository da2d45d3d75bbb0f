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
import { withServer } from '../harness/commands.js';
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
  await withServer({}, async (c) => {
    // members of very different lengths: the first few (short) stand for all when sampled
    const members = Array.from({ length: 200 }, (_, j) => (j < 5 ? `s${j}` : `long:${j}:${'y'.repeat(200)}`));
    await c.cmd('SADD', 's', ...members);
    const all = Number(await c.cmd('MEMORY', 'USAGE', 's', 'SAMPLES', '0'));
    const five = Number(await c.cmd('MEMORY', 'USAGE', 's'));
    assert.ok(all > 200 * 200, `every member counted: ${all}`);
    assert.ok(five < all / 3, `the default 5 samples extrapolate the short first members: ${five} vs ${all}`);
    assert.equal(await c.cmd('MEMORY', 'USAGE', 's', 'SAMPLES', '1000'), all);
    assert.equal(await c.cmd('MEMORY', 'USAGE', 'nokey'), null);
  });
});

/** MEMORY STATS as a map of name → value (nested maps as objects). */
function statsMap(reply: unknown): Map<string, unknown> {
  const a = reply as unknown[];
  const m = new Map<string, unknown>();
  for (let i = 0; i < a.length; i += 2) m.set(String(a[i]), a[i + 1]);
  return m;
}

test('MEMORY STATS adds up: overhead is the clients, scripts and tables (startup: the empty ones among them); dataset the rest; the ratios are their figures', async () => {
  await withServer({}, async (c) => {
    await loadShape(c, SHAPES[0], 'k', 5000);
    await c.cmd('SELECT', '3');
    await c.cmd('SET', 'x', '1', 'EX', '100');
    const st = statsMap(await c.cmd('MEMORY', 'STATS'));
    const n = (k: string): number => Number(st.get(k));
    const db0 = statsMap(st.get('db.0'));
    const db3 = statsMap(st.get('db.3'));
    assert.ok(Number(db0.get('overhead.hashtable.main')) >= 5000 * 32, 'a slot per key at least');
    assert.equal(Number(db0.get('overhead.hashtable.expires')) > 0, true);
    assert.ok(Number(db3.get('overhead.hashtable.expires')) > Number(db0.get('overhead.hashtable.expires')), 'TTL arrays once a key has a TTL');
    const tables = [db0, db3].reduce((t, d) => t + Number(d.get('overhead.hashtable.main')) + Number(d.get('overhead.hashtable.expires')), 0);
    assert.equal(n('overhead.total'), n('clients.normal') + n('lua.caches') + n('functions.caches') + tables);
    assert.ok(n('startup.allocated') > 0 && n('startup.allocated') < tables, 'startup: the empty tables and caches');
    assert.equal(n('dataset.bytes'), n('total.allocated') - n('overhead.total'));
    assert.equal(n('keys.count'), 5001);
    assert.equal(n('keys.bytes-per-key'), Math.floor((n('total.allocated') - n('startup.allocated')) / 5001));
    // used memory is the accounted counter; the allocator's figure is V8's heap, the runtime and its garbage included
    assert.ok(n('allocator.allocated') > n('total.allocated'));
    assert.equal(n('allocator-fragmentation.bytes'), n('allocator.active') - n('allocator.allocated'));
    assert.equal(n('allocator-rss.bytes'), n('allocator.resident') - n('allocator.active'));
    assert.ok(n('allocator-rss.bytes') >= 0, "V8's own malloc'd memory");
    const rss = n('rss-overhead.bytes') + n('allocator.resident');
    assert.equal(n('fragmentation.bytes'), rss - n('total.allocated'));
    assert.ok(Math.abs(n('fragmentation') - rss / n('total.allocated')) < 1e-3);
    assert.ok(rss > n('allocator.resident'), "the process's RSS holds more than the heap: code, native libraries, stacks");
  });
});

test('used_memory follows the dataset: it grows by what the keys take and falls back once they are flushed and collected', async () => {
  await withServer({}, async (c) => {
    const used = async (): Promise<number> => {
      await c.cmd('MEMORY', 'PURGE');
      return Number(/used_memory:(\d+)/.exec(String(await c.cmd('INFO', 'memory')))![1]);
    };
    const base = await used();
    const shape = SHAPES.find((s) => s.name === 'string of 5000 bytes')!;
    await loadShape(c, shape, 'k', 4000);
    const loaded = await used();
    const usage = await sumMemoryUsage(c, shape, 'k', 4000);
    assert.ok(loaded - base > 0.9 * usage && loaded - base < 1.25 * usage, `grew ${loaded - base} for keys of ${usage}`);
    await c.cmd('FLUSHALL');
    const flushed = await used();
    assert.ok(flushed - base < 0.1 * usage, `back to ${flushed} from ${loaded} (start ${base})`);
  });
});

test("MEMORY DOCTOR reports Redis's issues from INFO's figures: all clear, or each issue found", async () => {
  await withServer({}, async (c, srv) => {
    assert.match(String(await c.cmd('MEMORY', 'DOCTOR')), /^Hi Sam, this instance is empty or is using very little memory, .* as soon as I finished rebooting\.\n$/);
    await loadShape(c, SHAPES.find((s) => s.name === 'string of 5000 bytes')!, 'k', 2000);
    await c.cmd('MEMORY', 'PURGE');
    // a peak of twice the memory in use now
    const used = Number(/used_memory:(\d+)/.exec(String(await c.cmd('INFO', 'memory')))![1]);
    srv.server.peakMemory = 3 * used;
    const report = String(await c.cmd('MEMORY', 'DOCTOR'));
    assert.match(report, /^Sam, I detected a few issues in this Redis instance memory implants:\n\n \* Peak memory: In the past this instance used more than 150% /);
    assert.match(report, /\n\nI'm here to keep you safe, Sam\. I want to help you\.\n$/);
    // every paragraph is one of Redis's, each followed by a blank line
    for (const p of report.split('\n\n').slice(1, -1))
      assert.match(p, /^ \* (Peak memory|High total RSS|High allocator fragmentation|High allocator RSS overhead|High process RSS overhead|Big client buffers|Many scripts): /);
  });
});
