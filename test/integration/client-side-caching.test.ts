/**
 * Client-side caching with real client libraries: node-redis 5's own cache
 * (RESP3, `clientSideCache`: CLIENT TRACKING on, values kept until the
 * server's invalidation push) and ioredis over RESP2 with a REDIRECT to a
 * connection subscribed to `__redis__:invalidate`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { Redis } from 'ioredis';
import { startGkv, waitFor } from '../harness/servers.js';
import type { GkvServer } from '../../src/index.js';

let srv: GkvServer;
before(async () => {
  srv = await startGkv();
});
after(async () => {
  await srv.close();
});

test('node-redis RESP3 clientSideCache: reads served from its cache until gKV invalidates them, flushes empty it', async () => {
  const cached = createClient({ socket: { port: srv.port, host: '127.0.0.1' }, RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0 } });
  const writer = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
  cached.on('error', () => {});
  writer.on('error', () => {});
  await Promise.all([cached.connect(), writer.connect()]);
  try {
    const cache = cached.clientSideCache!;
    await writer.set('csc:a', '1');
    await writer.hSet('csc:h', { f: 'v' });
    assert.equal(await cached.get('csc:a'), '1');
    assert.deepEqual({ ...(await cached.hGetAll('csc:h')) }, { f: 'v' });
    // the second reads are hits: no command reaches the server
    const before = cache.stats();
    assert.equal(await cached.get('csc:a'), '1');
    assert.deepEqual({ ...(await cached.hGetAll('csc:h')) }, { f: 'v' });
    assert.equal(cache.stats().hitCount - before.hitCount, 2);
    assert.equal(cache.size(), 2);
    // another client's write: gKV pushes `invalidate [csc:a]`, the cache drops the entry
    await writer.set('csc:a', '2');
    await waitFor(() => cache.size() === 1, 'the invalidation of csc:a');
    assert.equal(await cached.get('csc:a'), '2');
    // a write through the cached client itself invalidates too (no NOLOOP)
    await cached.incr('csc:a');
    await waitFor(async () => (await cached.get('csc:a')) === '3', 'the cached client seeing its own write');
    // FLUSHALL: one null invalidation, everything goes
    assert.ok(cache.size() >= 1);
    await writer.flushAll();
    await waitFor(() => cache.size() === 0, 'the flush invalidation');
    assert.equal(await cached.get('csc:a'), null);
    const info = await writer.info('clients');
    assert.match(info, /tracking_clients:1\r\n/);
  } finally {
    await Promise.all([cached.quit(), writer.quit()]);
  }
});

test('ioredis RESP2: invalidations redirected to a connection subscribed to __redis__:invalidate', async () => {
  const sub = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  const tracker = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  await Promise.all([sub.connect(), tracker.connect()]);
  try {
    const subId = (await sub.call('CLIENT', 'ID')) as number;
    // ioredis hands a message's payload over as a string: the one key of the array
    const messages: unknown[] = [];
    sub.on('message', (channel: string, message: unknown) => {
      if (channel === '__redis__:invalidate') messages.push(message);
    });
    await sub.subscribe('__redis__:invalidate');
    assert.equal(await tracker.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(subId)), 'OK');
    assert.equal(await tracker.call('CLIENT', 'GETREDIR'), subId);
    await tracker.set('io:a', '1');
    assert.equal(await tracker.get('io:a'), '1');
    await tracker.mget('io:b', 'io:c');
    await tracker.set('io:a', '2');
    await tracker.set('io:b', 'x');
    await waitFor(() => messages.length === 2, `two invalidations, got ${JSON.stringify(messages)}`, 5000);
    assert.deepEqual(messages, ['io:a', 'io:b']);
    await tracker.flushdb();
    await waitFor(() => messages.length === 3, 'the flush invalidation');
    // the payload is a null bulk ("everything"), which ioredis turns into ''
    assert.equal(messages[2], '');
  } finally {
    tracker.disconnect();
    sub.disconnect();
  }
});
