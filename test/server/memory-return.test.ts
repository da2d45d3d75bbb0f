/**
 * Memory is given back: what a deleted value held is collected once the
 * server goes idle (server/idle-gc.ts: the keyspace's dropped-bytes counter),
 * and nothing kept for long — the slow log's excerpt of an argument — keeps
 * a deleted value alive. bench/memory-return.js measures the resident set
 * against Redis; these tests check the mechanisms in-process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer } from '../harness/commands.js';
import { IdleGc } from '../../src/server/idle-gc.js';
import { heapUsed } from '../../src/server/used-memory.js';
import { ownString } from '../../src/util/latin1.js';

const MB = 1024 * 1024;

/** INFO's allocator_allocated: the heap as V8 reports it, garbage included (used_memory is the accounted counter) */
const heapOf = async (c: { cmd(...a: string[]): Promise<unknown> }): Promise<number> => {
  const info = String(await c.cmd('INFO', 'memory'));
  return Number(/^allocator_allocated:(\d+)/m.exec(info)![1]);
};

test('the idle collector runs once the keyspace dropped a quarter of the memory in use (and 32 MB), not for less', () => {
  const g = new IdleGc();
  const used = heapUsed();
  const enough = Math.max(32 * MB, used / 4) + MB;
  // busy, then idle for a second with little dropped: nothing
  assert.equal(g.maybeCollect(1, 0, MB, used), false);
  assert.equal(g.maybeCollect(1, 1500, MB, used), false);
  // a big drop, but the server is busy: nothing yet
  assert.equal(g.maybeCollect(2, 1600, enough, used), false);
  // idle for a second after it: one collection
  assert.equal(g.maybeCollect(2, 2700, enough, used), true);
  assert.equal(g.runs, 1);
  // the drop was accounted for: the next idle ticks do not collect again
  assert.equal(g.maybeCollect(2, 3800, enough, used), false);
  assert.equal(g.runs, 1);
});

test('DEL, an overwrite, expiry and FLUSHDB count what they drop in the keyspace', async () => {
  await withServer({}, async (c, srv) => {
    const ks = srv.server.ks;
    await c.cmd('SET', 'a', 'x'.repeat(100_000));
    let before = ks.dropped;
    await c.cmd('DEL', 'a');
    assert.ok(ks.dropped - before >= 100_000, `DEL: ${ks.dropped - before}`);
    await c.cmd('SET', 'b', 'y'.repeat(50_000));
    before = ks.dropped;
    await c.cmd('SET', 'b', 'z');
    assert.ok(ks.dropped - before >= 50_000, `overwrite: ${ks.dropped - before}`);
    await c.cmd('RPUSH', 'l', ...Array.from({ length: 1000 }, (_, i) => `element:${i}`));
    before = ks.dropped;
    await c.cmd('PEXPIRE', 'l', '1');
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(await c.cmd('EXISTS', 'l'), 0);
    assert.ok(ks.dropped > before, 'expiry');
    for (let i = 0; i < 10; i++) await c.cmd('SET', `k${i}`, 'v');
    before = ks.dropped;
    await c.cmd('FLUSHDB');
    assert.ok(ks.dropped - before >= 10 * 64, `FLUSHDB: ${ks.dropped - before}`);
  });
});

test('a 48 MB value deleted is collected within seconds of going idle, with no command asking for it', async () => {
  await withServer({}, async (c, srv) => {
    const gc = srv.server.idleGc;
    await c.cmd('SET', 'big', 'x'.repeat(48 * MB));
    // the value is now what was in use at the last collection: only the drop can start the next one
    assert.equal(await c.cmd('MEMORY', 'PURGE'), 'OK');
    const runs = gc.runs;
    const withValue = await heapOf(c);
    assert.equal(await c.cmd('DEL', 'big'), 1);
    const until = Date.now() + 6000;
    while (gc.runs === runs && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.ok(gc.runs > runs, 'no idle collection within 6 s of the DEL');
    const after = await heapOf(c);
    assert.ok(after < withValue - 32 * MB, `allocator_allocated ${withValue} -> ${after}`);
  });
});

test("the slow log's excerpt of a long argument does not keep the whole value alive", async () => {
  await withServer({ 'slowlog-log-slower-than': '0' }, async (c) => {
    assert.equal(await c.cmd('MEMORY', 'PURGE'), 'OK');
    const base = await heapOf(c);
    await c.cmd('SET', 'big', 'x'.repeat(40 * MB));
    await c.cmd('DEL', 'big');
    assert.equal(await c.cmd('MEMORY', 'PURGE'), 'OK');
    const after = await heapOf(c);
    assert.ok(after < base + 16 * MB, `allocator_allocated ${base} -> ${after} with the value deleted`);
    // read only now: writing the entry out flattens it, which would hide a kept slice
    const entries = (await c.cmd('SLOWLOG', 'GET', '128')) as unknown[][];
    const set = entries.find((e) => (e[3] as string[])[0] === 'SET')!;
    assert.deepEqual(set[3], ['SET', 'big', `${'x'.repeat(128)}... (${40 * MB - 128} more bytes)`]);
  });
});

test('ownString copies a slice into a string of its own, equal to it', () => {
  const parent = 'p'.repeat(1000) + 'abcdefghijklmnopqrstuvwxyz';
  const piece = parent.slice(1000);
  const own = ownString(piece);
  assert.equal(own, 'abcdefghijklmnopqrstuvwxyz');
  assert.equal(ownString('short'), 'short');
  assert.equal(ownString(''), '');
});
