/**
 * Real client libraries over TCP: node-redis (RESP2 and RESP3) and ioredis.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createClient, RESP_TYPES } from 'redis';
import { Redis } from 'ioredis';
import { startGkv } from '../harness/servers.js';
import type { GkvServer } from '../../src/index.js';

let srv: GkvServer;
before(async () => {
  srv = await startGkv();
});
after(async () => {
  await srv.close();
});

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

for (const RESP of [2, 3] as const) {
  test(`node-redis with RESP${RESP}: commands, a 10,000-command pipeline, binary values, MULTI and errors`, async () => {
    const client = createClient({ socket: { port: srv.port, host: '127.0.0.1' }, RESP });
    client.on('error', () => {});
    await client.connect();
    try {
      const p = `nr${RESP}:`;
      assert.equal(await client.set(p + 'a', '1'), 'OK');
      assert.equal(await client.get(p + 'a'), '1');
      assert.equal(await client.incr(p + 'a'), 2);
      assert.equal(await client.get(p + 'missing'), null);
      assert.equal(await client.exists([p + 'a', p + 'missing']), 1);
      // pipeline of 10,000 commands
      const multi = client.multi();
      const pipe = [];
      for (let i = 0; i < 10000; i++) pipe.push(client.set(`${p}k${i}`, String(i)));
      const results = await Promise.all(pipe);
      assert.equal(results.length, 10000);
      assert.ok(results.every((r) => r === 'OK'));
      const gets = await Promise.all(Array.from({ length: 10000 }, (_, i) => client.get(`${p}k${i}`)));
      assert.ok(gets.every((v, i) => v === String(i)));
      // binary-safe values
      await client.set(p + 'bin', allBytes);
      const back = await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(p + 'bin');
      assert.ok(Buffer.isBuffer(back));
      assert.ok(allBytes.equals(back as Buffer));
      // MULTI through the client API
      const r = await multi
        .set(p + 'm', 'x')
        .get(p + 'm')
        .incr(p + 'n')
        .exec();
      assert.deepEqual(r, ['OK', 'x', 1]);
      // errors surface with Redis's text
      await client.set(p + 's', 'notanumber');
      await assert.rejects(client.incr(p + 's'), /ERR value is not an integer or out of range/);
      await assert.rejects(client.sendCommand(['NOSUCHCOMMAND']), /ERR unknown command 'NOSUCHCOMMAND'/);
    } finally {
      await client.quit();
    }
  });
}

test('ioredis: commands, a 10,000-command pipeline, binary values, MULTI and errors', async () => {
  const client = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    assert.equal(await client.set('io:a', 'v'), 'OK');
    assert.equal(await client.get('io:a'), 'v');
    assert.equal(await client.ttl('io:a'), -1);
    assert.equal(await client.expire('io:a', 100), 1);
    assert.ok((await client.pttl('io:a')) > 99000);
    const pipe = client.pipeline();
    for (let i = 0; i < 10000; i++) pipe.incr('io:counter');
    const res = await pipe.exec();
    assert.equal(res!.length, 10000);
    assert.deepEqual(res![9999], [null, 10000]);
    await client.set('io:bin', allBytes);
    const back = await client.getBuffer('io:bin');
    assert.ok(back !== null && allBytes.equals(back));
    const tx = await client.multi().set('io:m', '1').incrby('io:m', 41).get('io:m').exec();
    assert.deepEqual(tx, [
      [null, 'OK'],
      [null, 42],
      [null, '42'],
    ]);
    await assert.rejects(client.call('LCS', 'io:m', 'io:nolist', 'LEN', 'IDX'), /ERR If you want both the length and indexes, please just use IDX\./);
    assert.equal(await client.select(2), 'OK');
    assert.equal(await client.get('io:a'), null);
  } finally {
    client.disconnect();
  }
});

test('a 100 MB value is stored and read back intact', async () => {
  const client = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  await client.connect();
  try {
    const big = Buffer.alloc(100 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 255;
    big.write('start', 0);
    big.write('end', big.length - 3);
    const want = createHash('sha256').update(big).digest('hex');
    assert.equal(await client.set('big', big), 'OK');
    assert.equal(await client.strlen('big'), big.length);
    const back = await client.getBuffer('big');
    assert.ok(back !== null);
    assert.equal(back.length, big.length);
    assert.equal(createHash('sha256').update(back).digest('hex'), want);
    assert.equal(await client.getrange('big', 0, 4), 'start');
    await client.del('big');
  } finally {
    client.disconnect();
  }
});
