/**
 * Lazy freeing against Redis: which deletions hand their value to the
 * background (UNLINK of values whose free effort passes 64 — hashtable sets
 * and hashes, skiplist sorted sets, lists of many nodes —, DEL under
 * lazyfree-lazy-user-del, FLUSHDB/FLUSHALL ASYNC or under
 * lazyfree-lazy-user-flush, one object per key) must count the same in INFO
 * lazyfreed_objects; CONFIG RESETSTAT zeroes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient } from '../harness/resp.js';
import { infoField, waitForInfo } from '../harness/info.js';
import { sharedServers } from './runner.js';

const servers = sharedServers();

async function lazyfreed(c: RespClient): Promise<number> {
  // the background job runs after the command; wait until nothing is pending
  await waitForInfo(c, 'lazyfree_pending_objects', '0', 'memory');
  return Number(await infoField(c, 'lazyfreed_objects', 'memory'));
}

test('lazyfreed_objects counts what Redis hands to its lazy free thread', { skip: servers.skip }, async () => {
  const steps: string[][] = [
    ['SADD', 'ints', ...Array.from({ length: 100 }, (_, i) => String(i))], // intset: freed at once
    ['SADD', 'strs', ...Array.from({ length: 100 }, (_, i) => `m${i}`)], // hashtable of 100
    ['HSET', 'h', ...Array.from({ length: 600 }, (_, i) => String(i))], // hashtable of 300
    ['ZADD', 'z', ...Array.from({ length: 300 }, (_, i) => String(i))], // skiplist of 150
    ['RPUSH', 'l', ...Array.from({ length: 300 }, (_, i) => 'x'.repeat(i))], // many nodes
    ['SADD', 'small', 'a', 'b'],
    ['UNLINK', 'ints', 'strs', 'h', 'small', 'nosuch'],
    ['UNLINK', 'z', 'l'],
    ['SADD', 'd', ...Array.from({ length: 100 }, (_, i) => `m${i}`)],
    ['DEL', 'd'], // DEL frees at once
    ['CONFIG', 'SET', 'lazyfree-lazy-user-del', 'yes'],
    ['SADD', 'd', ...Array.from({ length: 100 }, (_, i) => `m${i}`)],
    ['DEL', 'd'],
    ['CONFIG', 'SET', 'lazyfree-lazy-user-del', 'no'],
    ['MSET', 'a', '1', 'b', '2', 'c', '3'],
    ['FLUSHDB', 'ASYNC'],
    ['MSET', 'a', '1', 'b', '2'],
    ['FLUSHALL', 'SYNC'],
    ['MSET', 'a', '1', 'b', '2'],
    ['CONFIG', 'SET', 'lazyfree-lazy-user-flush', 'yes'],
    ['FLUSHALL'],
    ['CONFIG', 'SET', 'lazyfree-lazy-user-flush', 'no'],
  ];
  const run = async (port: number): Promise<number[]> => {
    const c = await RespClient.connect(port);
    try {
      await c.cmd('FLUSHALL');
      await c.cmd('CONFIG', 'RESETSTAT');
      const seen: number[] = [];
      for (const s of steps) {
        await c.cmd(...s);
        seen.push(await lazyfreed(c));
      }
      await c.cmd('CONFIG', 'RESETSTAT');
      seen.push(await lazyfreed(c));
      return seen;
    } finally {
      c.close();
    }
  };
  const [a, b] = await Promise.all([run(servers.gkv.port), run(servers.redis.port)]);
  assert.deepEqual(a, b);
});
