/**
 * Pub/sub and WATCH through real client libraries (node-redis with RESP2 and
 * RESP3, ioredis), and the output-buffer bound on a subscriber that stops
 * reading.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createClient } from 'redis';
import { Redis } from 'ioredis';
import { startGkv, waitFor, WAIT_CEILING_MS } from '../harness/servers.js';
import { RespClient } from '../harness/resp.js';
import type { GkvServer } from '../../src/index.js';

let srv: GkvServer;
before(async () => {
  srv = await startGkv();
});
after(async () => {
  await srv.close();
});

/** p, or a failure past a generous ceiling (the machine may be busy). */
function within<T>(p: Promise<T>, ms = WAIT_CEILING_MS): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error('timed out')), ms))]);
}

for (const RESP of [2, 3] as const) {
  test(`node-redis RESP${RESP}: channel, pattern and shard subscribers receive published messages in order`, async () => {
    const pub = createClient({ socket: { port: srv.port, host: '127.0.0.1' }, RESP });
    const sub = pub.duplicate();
    for (const c of [pub, sub]) c.on('error', () => {});
    await Promise.all([pub.connect(), sub.connect()]);
    try {
      const got: string[] = [];
      await sub.subscribe('news', (m, ch) => got.push(`${ch}:${m}`));
      await sub.pSubscribe('room:*', (m, ch) => got.push(`p ${ch}:${m}`));
      await sub.sSubscribe('shard1', (m, ch) => got.push(`s ${ch}:${m}`));
      assert.deepEqual({ ...(await pub.pubSubNumSub(['news', 'none'])) }, { news: 1, none: 0 });
      assert.equal(await pub.pubSubNumPat(), 1);
      assert.deepEqual(await pub.pubSubShardChannels(), ['shard1']);
      for (let i = 0; i < 100; i++) assert.equal(await pub.publish('news', `m${i}`), 1);
      assert.equal(await pub.publish('room:1', 'hi'), 1);
      assert.equal(await pub.sPublish('shard1', 'sh'), 1);
      assert.equal(await pub.publish('nobody', 'x'), 0);
      await waitFor(() => got.length >= 102, 'the 102 messages');
      assert.deepEqual(
        got.slice(0, 100),
        Array.from({ length: 100 }, (_, i) => `news:m${i}`),
      );
      assert.deepEqual(got.slice(100), ['p room:1:hi', 's shard1:sh']);
      await sub.unsubscribe('news');
      assert.equal(await pub.publish('news', 'late'), 0);
      if (RESP === 3) {
        // RESP3: the subscribed connection still runs ordinary commands
        assert.equal(await sub.set('k', 'v'), 'OK');
        assert.equal(await sub.get('k'), 'v');
      }
    } finally {
      await Promise.all([pub.quit(), sub.quit()]);
    }
  });
}

test('ioredis: subscribe, psubscribe and ssubscribe events carry channel, pattern and binary payload', async () => {
  const pub = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  const sub = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  await Promise.all([pub.connect(), sub.connect()]);
  try {
    const payload = Buffer.from([0, 255, 13, 10, 1, 2]);
    const events: string[] = [];
    const binary = new Promise<Buffer>((res) => sub.on('messageBuffer', (_ch: Buffer, m: Buffer) => res(m)));
    sub.on('pmessage', (p: string, ch: string, m: string) => events.push(`${p}|${ch}|${m}`));
    const smessage = new Promise<string>((res) => sub.on('smessage', (ch: string, m: string) => res(`${ch}|${m}`)));
    assert.equal(await sub.subscribe('bin', 'other'), 2);
    assert.equal(await sub.psubscribe('ev.*'), 3);
    assert.equal(await sub.ssubscribe('sh'), 1);
    assert.equal(await pub.publish('bin', payload), 1);
    assert.deepEqual(await within(binary), payload);
    assert.equal(await pub.publish('ev.a', 'x'), 1);
    assert.equal(await pub.spublish('sh', 'y'), 1);
    assert.equal(await within(smessage), 'sh|y');
    assert.deepEqual(events, ['ev.*|ev.a|x']);
    assert.deepEqual(await pub.pubsub('NUMSUB', 'bin', 'other'), ['bin', 1, 'other', 1]);
  } finally {
    pub.disconnect();
    sub.disconnect();
  }
});

test('WATCH through ioredis: a key changed by another client makes EXEC return null, an untouched one commits', async () => {
  const a = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  const b = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  await Promise.all([a.connect(), b.connect()]);
  try {
    await a.set('balance', '10');
    await a.watch('balance');
    await b.incrby('balance', 5);
    assert.equal(await a.multi().set('balance', '0').exec(), null);
    assert.equal(await a.get('balance'), '15');
    await a.watch('balance');
    const r = await a.multi().incrby('balance', 1).exec();
    assert.deepEqual(r, [[null, 16]]);
  } finally {
    a.disconnect();
    b.disconnect();
  }
});

test('a subscriber that stops reading is disconnected at the pubsub hard limit while the publisher and others go on', async () => {
  const limited = await startGkv({ 'client-output-buffer-limit': 'pubsub 1mb 512kb 60' });
  const slow = net.connect(limited.port, '127.0.0.1');
  await new Promise((r) => slow.once('connect', r));
  const subscribed = new Promise((r) => slow.once('data', r)); // the SUBSCRIBE confirmation
  slow.write('*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nc\r\n');
  await within(subscribed);
  slow.pause(); // stop reading: the server's writes back up
  const closed = new Promise<void>((r) => slow.once('close', () => r()));
  slow.on('error', () => {});
  const pub = await RespClient.connect(limited.port);
  const other = await RespClient.connect(limited.port);
  try {
    const big = 'x'.repeat(64 * 1024);
    let receivers = 1;
    // the kernel's socket buffers (tens of MB on loopback) fill first, as they would in front of Redis
    for (let i = 0; i < 3000 && receivers === 1; i++) receivers = Number(await pub.cmd('PUBLISH', 'c', big));
    assert.equal(receivers, 0, 'the slow subscriber was dropped');
    slow.resume(); // drain what the kernel holds, then see the server's close
    await within(closed);
    assert.equal(await other.cmd('PING'), 'PONG');
    assert.deepEqual(await pub.cmd('PUBSUB', 'NUMSUB', 'c'), ['c', 0]);
  } finally {
    pub.close();
    other.close();
    slow.destroy();
    await limited.close();
  }
});
