/**
 * Stream consumer groups through real client libraries over TCP: an ioredis
 * worker pool (XREADGROUP BLOCK loops acknowledging with XACK, one worker
 * that dies holding its entries, their recovery with XAUTOCLAIM), and
 * node-redis's stream API (xGroupCreate, xReadGroup with BLOCK on a
 * duplicated connection, xAck, xPending, xAutoClaim, xInfoGroups), RESP2,
 * plus XREADGROUP's RESP3 map reply read through sendCommand.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
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

type IoEntries = [string, [string, string[]][]][] | null;

test('ioredis: a pool of XREADGROUP BLOCK workers acknowledges every job once; a dead worker’s jobs are recovered with XAUTOCLAIM', async () => {
  const opts = { port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 };
  const producer = new Redis(opts);
  const workers = [new Redis(opts), new Redis(opts), new Redis(opts)];
  await producer.connect();
  for (const w of workers) await w.connect();
  try {
    await producer.xgroup('CREATE', 'jobs', 'workers', '$', 'MKSTREAM');
    const done = new Map<string, string>();
    let stop = false;
    // worker 2 takes five jobs and dies without acknowledging them
    for (let n = 0; n < 5; n++) await producer.xadd('jobs', '*', 'n', String(n));
    const lost = (await workers[2].xreadgroup('GROUP', 'workers', 'w2', 'COUNT', '5', 'STREAMS', 'jobs', '>')) as IoEntries;
    assert.equal(lost?.[0][1].length, 5);
    const loops = [0, 1].map(async (i) => {
      while (!stop) {
        const r = (await workers[i].xreadgroup('GROUP', 'workers', `w${i}`, 'COUNT', '3', 'BLOCK', '50', 'STREAMS', 'jobs', '>')) as IoEntries;
        if (r === null) continue;
        for (const [id, fields] of r[0][1]) {
          assert.ok(!done.has(id), `job ${id} delivered twice`);
          done.set(id, fields[1]);
          await workers[i].xack('jobs', 'workers', id);
        }
      }
    });
    for (let n = 5; n < 50; n++) await producer.xadd('jobs', '*', 'n', String(n));
    const deadline = Date.now() + 60000;
    while (done.size < 45 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await Promise.all(loops);
    assert.equal(done.size, 45);
    const pending = (await producer.xpending('jobs', 'workers')) as [number, string | null, string | null, [string, string][] | null];
    assert.deepEqual(pending[3], [['w2', '5']], 'only the dead worker’s jobs are pending');
    // recovery: a new worker claims whatever has been idle, in pages
    let cursor = '0-0';
    let recovered = 0;
    do {
      const [next, claimed] = (await workers[0].xautoclaim('jobs', 'workers', 'rescuer', 0, cursor, 'COUNT', 2)) as [string, [string, string[]][], string[]];
      for (const [id, fields] of claimed) {
        assert.ok(!done.has(id));
        done.set(id, fields[1]);
        await workers[0].xack('jobs', 'workers', id);
        recovered++;
      }
      cursor = next;
    } while (cursor !== '0-0');
    assert.equal(recovered, 5);
    assert.equal(done.size, 50);
    assert.deepEqual(
      [...done.values()].map(Number).sort((a, b) => a - b),
      [...Array(50).keys()],
    );
    assert.deepEqual(await producer.xpending('jobs', 'workers'), [0, null, null, null]);
  } finally {
    producer.disconnect();
    for (const w of workers) w.disconnect();
  }
});

test('node-redis: the stream consumer-group API (RESP2), and XREADGROUP’s map reply in RESP3', async () => {
  const client = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
  client.on('error', () => {});
  await client.connect();
  const blocking = client.duplicate();
  blocking.on('error', () => {});
  await blocking.connect();
  const resp3 = createClient({ socket: { port: srv.port, host: '127.0.0.1' }, RESP: 3 });
  resp3.on('error', () => {});
  await resp3.connect();
  try {
    assert.equal(await client.xGroupCreate('nr:s', 'g', '$', { MKSTREAM: true }), 'OK');
    const read = blocking.xReadGroup('g', 'c1', { key: 'nr:s', id: '>' }, { COUNT: 10, BLOCK: 5000 });
    while (!String(await client.info('clients')).includes('blocked_clients:1')) await new Promise((r) => setTimeout(r, 5));
    const id1 = await client.xAdd('nr:s', '*', { job: 'a' });
    const got = (await read) as unknown as { name: string; messages: { id: string; message: Record<string, string> }[] }[] | null;
    assert.ok(got !== null);
    assert.equal(got[0].name, 'nr:s');
    assert.equal(got[0].messages[0].id, id1);
    assert.deepEqual({ ...got[0].messages[0].message }, { job: 'a' });
    const id2 = await client.xAdd('nr:s', '*', { job: 'b' });
    await client.xReadGroup('g', 'c2', { key: 'nr:s', id: '>' });
    assert.equal((await client.xPending('nr:s', 'g')).pending, 2);
    assert.equal(await client.xAck('nr:s', 'g', id1), 1);
    const claimed = await client.xAutoClaim('nr:s', 'g', 'c3', 0, '0-0');
    assert.equal(claimed.nextId, '0-0');
    assert.equal(claimed.messages[0]?.id, id2);
    assert.deepEqual(claimed.deletedMessages, []);
    const groups = await client.xInfoGroups('nr:s');
    assert.equal(groups[0].name, 'g');
    assert.equal(groups[0].pending, 1);
    // RESP3: XREADGROUP answers a map from stream name to entries
    await client.xAdd('nr:s', '3000000000000-0', { job: 'c' });
    const r3 = (await resp3.sendCommand(['XREADGROUP', 'GROUP', 'g', 'c4', 'STREAMS', 'nr:s', '>'])) as unknown;
    const entries = r3 instanceof Map ? r3.get('nr:s') : (r3 as Record<string, unknown>)['nr:s'];
    assert.deepEqual(entries, [['3000000000000-0', ['job', 'c']]]);
  } finally {
    await client.quit();
    await blocking.quit();
    await resp3.quit();
  }
});
