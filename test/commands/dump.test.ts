/**
 * DUMP and RESTORE in-process: what RESTORE propagates and counts as a
 * change, its TTL arithmetic and access clock under a fake clock, and that a
 * restored key wakes a client blocked on it. (Replies and payload bytes are
 * compared with Redis by test/differential/dump.diff.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errText, fakeClock, recordPropagation, withClients, withServer } from '../harness/commands.js';
import { waitForBlocked } from '../harness/info.js';

const T0 = 1_800_000_000_000;

test('RESTORE with a relative TTL propagates it as an absolute time with ABSTTL appended; ABSTTL and no TTL propagate as sent', async () => {
  await withServer(async (c, srv) => {
    fakeClock(srv, T0);
    const propagated = recordPropagation(srv);
    await c.cmd('SET', 'src', 'hello');
    const p = (await c.cmd('DUMP', 'src')) as string;
    assert.equal(await c.cmd('RESTORE', 'a', '5000', p, 'IDLETIME', '7'), 'OK');
    assert.equal(await c.cmd('RESTORE', 'b', String(T0 + 9000), p, 'ABSTTL'), 'OK');
    assert.equal(await c.cmd('RESTORE', 'c', '0', p), 'OK');
    assert.deepEqual(propagated.slice(1), [
      ['RESTORE', 'a', String(T0 + 5000), p, 'IDLETIME', '7', 'ABSTTL'],
      ['RESTORE', 'b', String(T0 + 9000), p, 'ABSTTL'],
      ['RESTORE', 'c', '0', p],
    ]);
    assert.equal(await c.cmd('PTTL', 'a'), 5000);
    assert.equal(await c.cmd('PEXPIRETIME', 'b'), T0 + 9000);
    assert.equal(await c.cmd('TTL', 'c'), -1);
  });
});

test('a TTL already past creates nothing: OK, no change, nothing propagated, or DEL when REPLACE removed a key', async () => {
  await withServer(async (c, srv) => {
    fakeClock(srv, T0);
    const propagated = recordPropagation(srv);
    await c.cmd('SET', 'k', 'old');
    const p = (await c.cmd('DUMP', 'k')) as string;
    const d = srv.server.ks.dirty;
    assert.equal(await c.cmd('RESTORE', 'n', String(T0 - 1), p, 'ABSTTL'), 'OK');
    assert.equal(await c.cmd('RESTORE', 'n', '9223372036854775807', p), 'OK', 'a relative TTL that overflows is in the past');
    assert.equal(await c.cmd('EXISTS', 'n'), 0);
    assert.equal(srv.server.ks.dirty, d);
    assert.equal(await c.cmd('RESTORE', 'k', String(T0), p, 'ABSTTL', 'REPLACE'), 'OK');
    assert.equal(await c.cmd('EXISTS', 'k'), 0);
    assert.deepEqual(propagated.slice(1), [['DEL', 'k']]);
  });
});

test('RESTORE counts one change, REPLACE included; a failed RESTORE counts none', async () => {
  await withServer(async (c, srv) => {
    await c.cmd('SET', 'k', 'v');
    const p = (await c.cmd('DUMP', 'k')) as string;
    let d = srv.server.ks.dirty;
    await c.cmd('RESTORE', 'x', '0', p);
    assert.equal(srv.server.ks.dirty - d, 1);
    d = srv.server.ks.dirty;
    await c.cmd('RESTORE', 'x', '0', p, 'REPLACE');
    assert.equal(srv.server.ks.dirty - d, 1);
    d = srv.server.ks.dirty;
    assert.equal(errText(await c.cmd('RESTORE', 'x', '0', p)), 'BUSYKEY Target key name already exists.');
    assert.equal(errText(await c.cmd('RESTORE', 'y', '0', p.slice(0, -1) + 'x')), 'ERR DUMP payload version or checksum are wrong');
    assert.equal(srv.server.ks.dirty, d);
  });
});

test('IDLETIME sets the idle time under an LRU policy and FREQ the counter under an LFU one, each ignored under the other', async () => {
  await withServer(async (c, srv) => {
    const clock = fakeClock(srv, T0);
    await c.cmd('SET', 'k', 'v');
    const p = (await c.cmd('DUMP', 'k')) as string;
    await c.cmd('RESTORE', 'a', '0', p, 'IDLETIME', '1000');
    await c.cmd('RESTORE', 'b', '0', p, 'FREQ', '200');
    assert.equal(await c.cmd('OBJECT', 'IDLETIME', 'a'), 1000);
    assert.equal(await c.cmd('OBJECT', 'IDLETIME', 'b'), 0);
    clock.advance(3000);
    assert.equal(await c.cmd('OBJECT', 'IDLETIME', 'a'), 1003);
    // idle times beyond the 24-bit clock wrap as Redis's lru field does
    await c.cmd('RESTORE', 'w', '0', p, 'IDLETIME', '9223372036854775807');
    assert.equal(await c.cmd('OBJECT', 'IDLETIME', 'w'), 16777214);
    await c.cmd('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
    await c.cmd('RESTORE', 'f', '0', p, 'FREQ', '200');
    await c.cmd('RESTORE', 'g', '0', p, 'IDLETIME', '10');
    assert.equal(await c.cmd('OBJECT', 'FREQ', 'f'), 200);
    assert.equal(await c.cmd('OBJECT', 'FREQ', 'g'), 5);
  });
});

test('a RESTOREd list wakes a client blocked on its key', async () => {
  await withClients(2, async ([a, b]) => {
    await a.cmd('RPUSH', 'src', 'x', 'y');
    const p = (await a.cmd('DUMP', 'src')) as string;
    const popped = b.call('BLPOP', 'dst', '0');
    await waitForBlocked(a, 1);
    assert.equal(await a.cmd('RESTORE', 'dst', '0', p), 'OK');
    assert.deepEqual((await popped).value, ['dst', 'x']);
    assert.deepEqual(await a.cmd('LRANGE', 'dst', '0', '-1'), ['y']);
  });
});

test('DUMP answers null for a missing key and a payload that RESTORE reads back for every type', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('DUMP', 'none'), null);
    await c.cmd('SET', 's', 'v');
    await c.cmd('RPUSH', 'l', 'a', 'b');
    await c.cmd('HSET', 'h', 'f', 'v');
    await c.cmd('SADD', 'st', '1', 'x');
    await c.cmd('ZADD', 'z', '1.5', 'm');
    for (const k of ['s', 'l', 'h', 'st', 'z']) {
      const p = (await c.cmd('DUMP', k)) as string;
      assert.equal(await c.cmd('RESTORE', k, '0', p, 'REPLACE'), 'OK');
    }
    assert.deepEqual(await c.cmd('LRANGE', 'l', '0', '-1'), ['a', 'b']);
    assert.deepEqual(await c.cmd('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), ['m', '1.5']);
    assert.deepEqual(((await c.cmd('SMEMBERS', 'st')) as string[]).sort(), ['1', 'x']);
  });
});
