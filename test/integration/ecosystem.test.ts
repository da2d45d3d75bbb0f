/**
 * Real libraries that use Redis as infrastructure, run against gKV unchanged:
 * the Socket.IO Redis adapter (classic pub/sub with PSUBSCRIBE and PUBSUB
 * NUMSUB for cross-server requests, and the sharded adapter on
 * SSUBSCRIBE/SPUBLISH) and connect-redis, express-session's Redis store.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { Server as IoServer } from 'socket.io';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { createAdapter as createStreamsAdapter } from '@socket.io/redis-streams-adapter';
import { Redis as IORedis } from 'ioredis';
import { RedisStore } from 'connect-redis';
import { startGkv } from '../harness/servers.js';
import type { GkvServer } from '../../src/index.js';

let srv: GkvServer;
before(async () => {
  srv = await startGkv();
});
after(async () => {
  await srv.close();
});

type RedisClient = ReturnType<typeof createClient>;

async function redisPair(): Promise<[RedisClient, RedisClient]> {
  const pub = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
  const sub = pub.duplicate();
  for (const c of [pub, sub]) c.on('error', () => {});
  await Promise.all([pub.connect(), sub.connect()]);
  return [pub, sub];
}

interface IoNode {
  io: IoServer;
  http: HttpServer;
  port: number;
  clients: RedisClient[];
}

async function ioNode(sharded: boolean): Promise<IoNode> {
  const [pub, sub] = await redisPair();
  const http = createHttpServer();
  const io = new IoServer(http, { adapter: sharded ? createShardedAdapter(pub, sub) : createAdapter(pub, sub) });
  io.on('connection', (s) => {
    s.join('room1');
    s.on('whoami', (cb: (id: string) => void) => cb(s.id));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return { io, http, port: (http.address() as AddressInfo).port, clients: [pub, sub] };
}

async function closeNode(n: IoNode): Promise<void> {
  n.io.close();
  await Promise.all(n.clients.map((c) => c.quit().catch(() => {})));
}

function connectClient(port: number): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    const c = ioClient(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
    c.once('connect', () => resolve(c));
    c.once('connect_error', reject);
  });
}

for (const sharded of [false, true]) {
  test(`Socket.IO ${sharded ? 'sharded ' : ''}Redis adapter: a broadcast from one server reaches a client of the other, and fetchSockets sees both`, async () => {
    const a = await ioNode(sharded);
    const b = await ioNode(sharded);
    const client = await connectClient(b.port);
    try {
      const got = new Promise<string>((r) => client.once('news', (m: string) => r(m)));
      // give the adapters a moment to subscribe
      await new Promise((r) => setTimeout(r, 100));
      a.io.to('room1').emit('news', 'from server a');
      assert.equal(await Promise.race([got, new Promise<string>((_, rej) => setTimeout(() => rej(new Error('no broadcast')), 3000))]), 'from server a');
      // a cross-server request: server a asks every server for its sockets
      const sockets = await a.io.fetchSockets();
      assert.equal(sockets.length, 1);
      assert.deepEqual([...sockets[0].rooms].sort(), [sockets[0].id, 'room1'].sort());
      const fromOther = new Promise<string>((r) => b.io.on('ping-servers', (m: string) => r(m)));
      a.io.serverSideEmit('ping-servers', 'hello b');
      assert.equal(await fromOther, 'hello b');
    } finally {
      client.close();
      await closeNode(a);
      await closeNode(b);
    }
  });
}

for (const lib of ['redis', 'ioredis'] as const) {
  test(`Socket.IO streams adapter (${lib}): broadcasts cross servers through XADD/XREAD BLOCK, fetchSockets and serverSideEmit too`, async () => {
    const made: { quit(): Promise<unknown> }[] = [];
    const node = async () => {
      let client: Parameters<typeof createStreamsAdapter>[0];
      if (lib === 'redis') {
        const c = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
        c.on('error', () => {});
        await c.connect();
        made.push(c);
        client = c;
      } else {
        const c = new IORedis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
        c.on('error', () => {});
        await c.connect();
        made.push(c);
        client = c;
      }
      const http = createHttpServer();
      const io = new IoServer(http, { adapter: createStreamsAdapter(client, { streamName: `io-${lib}`, blockTimeInMs: 200 }) });
      io.on('connection', (s) => s.join('room1'));
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
      return { io, port: (http.address() as AddressInfo).port };
    };
    const a = await node();
    const b = await node();
    const client = await connectClient(b.port);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const got = new Promise<string>((r) => client.once('news', (m: string) => r(m)));
      a.io.to('room1').emit('news', 'through the stream');
      assert.equal(await Promise.race([got, new Promise<string>((_, rej) => setTimeout(() => rej(new Error('no broadcast')), 5000))]), 'through the stream');
      const sockets = await a.io.fetchSockets();
      assert.equal(sockets.length, 1);
      const fromOther = new Promise<string>((r) => b.io.on('ping-servers', (m: string) => r(m)));
      a.io.serverSideEmit('ping-servers', 'hello b');
      assert.equal(await fromOther, 'hello b');
      // the broadcast went through the adapter's stream (ephemeral requests go by pub/sub)
      const check = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
      await check.connect();
      assert.ok((await check.xLen(`io-${lib}`)) >= 1);
      await check.quit();
    } finally {
      client.close();
      a.io.close();
      b.io.close();
      await Promise.all(made.map((c) => c.quit().catch(() => {})));
    }
  });
}

test('connect-redis stores, reads, touches, lists and destroys express sessions with their TTL', async () => {
  const client = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
  client.on('error', () => {});
  await client.connect();
  try {
    const store = new RedisStore({ client, prefix: 'sess:' });
    const call = <T>(fn: (cb: (err: unknown, v?: T) => void) => void): Promise<T | undefined> => new Promise((res, rej) => fn((err, v) => (err ? rej(err) : res(v))));
    const session = { cookie: { originalMaxAge: 60000, expires: new Date(Date.now() + 60000) }, user: 'ada' } as never;
    await call((cb) => store.set('abc', session, cb));
    const ttl = await client.ttl('sess:abc');
    assert.ok(ttl > 55 && ttl <= 60, `TTL ${ttl}`);
    const back = (await call((cb) => store.get('abc', cb))) as { user: string } | undefined;
    assert.equal(back?.user, 'ada');
    await call((cb) => store.set('def', { cookie: { originalMaxAge: 120000, expires: new Date(Date.now() + 120000) } } as never, cb));
    assert.equal(await call<number>((cb) => store.length(cb)), 2);
    assert.deepEqual(((await call<string[]>((cb) => store.ids(cb))) ?? []).sort(), ['abc', 'def']);
    await call((cb) => store.touch('abc', { cookie: { originalMaxAge: 300000, expires: new Date(Date.now() + 300000) } } as never, cb));
    assert.ok((await client.ttl('sess:abc')) > 290);
    await call((cb) => store.destroy('abc', cb));
    assert.equal(await call((cb) => store.get('abc', cb)), null);
    await call((cb) => store.clear(cb));
    assert.equal(await call<number>((cb) => store.length(cb)), 0);
  } finally {
    await client.quit();
  }
});
