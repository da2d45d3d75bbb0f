/**
 * maxmemory in-process: used_memory as a counter that follows the dataset
 * (keyspace.ts's accounting), and eviction under every policy
 * (server/evict.ts) — a fill per policy writing well past the limit, with
 * used memory held under it and the evicted set what the policy promises,
 * measured the way Redis's own tests look at it: LRU keeps what was touched
 * lately, LFU what was touched often, volatile-* only evicts keys with a TTL,
 * volatile-ttl the nearest expiries first. The clock is the test's
 * (fakeClock), so idle times are exact and nothing sleeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, withClients, fakeClock, recordPropagation, errText } from '../harness/commands.js';
import { infoField } from '../harness/info.js';
import { waitFor } from '../harness/servers.js';
import type { RespClient } from '../harness/resp.js';
import type { GkvServer } from '../../src/index.js';
import { entryBytes } from '../../src/keyspace/keyspace.js';
import { evictionTimeLimitUs } from '../../src/server/evict.js';
import { Rng } from '../fuzz/generate.js';

const used = async (c: RespClient): Promise<number> => Number(await infoField(c, 'used_memory', 'memory'));

/**
 * The accounting's invariant: the sums add up exactly, and every slot's
 * figure is its key and value measured now — within 64 bytes for a list,
 * whose last-written node sits in a scratch buffer shared by all lists
 * (quicklist.ts) and is measured a little differently once another list
 * takes the buffer, without any write to the key.
 */
function checkAccounting(srv: GkvServer): void {
  const ks = srv.server.ks;
  ks.settle();
  let total = 0;
  for (const db of ks.dbs) {
    let sum = 0;
    const d = db.dict;
    for (let s = 0; s < d.top; s++) {
      const k = d.keys[s];
      if (k === undefined) {
        assert.equal(db.mem[s], 0, `db ${db.id}: free slot ${s} still counted`);
        continue;
      }
      const v = d.vals[s]!;
      const now = entryBytes(k, v);
      if (typeof v !== 'string' && v.type === 'list') assert.ok(Math.abs(db.mem[s] - now) <= 64, `db ${db.id}: list ${JSON.stringify(k)} counted at ${db.mem[s]}, now ${now}`);
      else assert.equal(db.mem[s], now, `db ${db.id}: ${JSON.stringify(k)} counted at ${db.mem[s]}`);
      sum += db.mem[s];
    }
    assert.equal(db.dataBytes, sum, `db ${db.id}'s sum`);
    total += sum;
  }
  assert.equal(ks.dataBytes, total, "the keyspace's sum");
}

test('the accounted bytes stay each key measured now through writes in place, renames, moves, swaps, expiry and flushes', async () => {
  await withServer({}, async (c, srv) => {
    const clock = fakeClock(srv);
    const rand = new Rng(13);
    const r = () => rand.next();
    const pick = <T>(xs: T[]): T => rand.pick(xs);
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const val = () => 'v'.repeat(1 + Math.floor(r() * 300));
    const gens: (() => string[])[] = [
      () => ['SET', pick(keys), val()],
      () => ['APPEND', pick(keys), val()],
      () => ['SETRANGE', pick(keys), String(Math.floor(r() * 500)), val()],
      () => ['INCR', pick(keys)],
      () => ['RPUSH', pick(keys), val(), val(), val()],
      () => ['LPOP', pick(keys), '2'],
      () => ['HSET', pick(keys), `f${Math.floor(r() * 200)}`, val()],
      () => ['HDEL', pick(keys), `f${Math.floor(r() * 200)}`],
      () => ['SADD', pick(keys), String(Math.floor(r() * 1000)), `m${Math.floor(r() * 700)}`],
      () => ['SREM', pick(keys), `m${Math.floor(r() * 700)}`],
      () => ['ZADD', pick(keys), String(r()), `z${Math.floor(r() * 300)}`],
      () => ['XADD', pick(keys), '*', 'f', val()],
      () => ['PFADD', pick(keys), `e${Math.floor(r() * 5000)}`],
      () => ['SETBIT', pick(keys), String(Math.floor(r() * 20000)), '1'],
      () => ['RENAME', pick(keys), pick(keys)],
      () => ['COPY', pick(keys), pick(keys), 'REPLACE'],
      () => ['MOVE', pick(keys), '1'],
      () => ['SWAPDB', '0', '1'],
      () => ['PEXPIRE', pick(keys), String(1 + Math.floor(r() * 2000))],
      () => ['DEL', pick(keys)],
      () => ['UNLINK', pick(keys)],
      () => ['SELECT', pick(['0', '1'])],
      () => (r() < 0.1 ? ['FLUSHDB'] : ['GETDEL', pick(keys)]),
    ];
    for (let i = 0; i < 3000; i++) {
      await c.call(...pick(gens)());
      if (i % 50 === 0) clock.advance(100);
      if (i % 100 === 99) {
        srv.server.ks.activeExpireCycle(10);
        checkAccounting(srv);
      }
    }
    checkAccounting(srv);
    await c.cmd('FLUSHALL');
    checkAccounting(srv);
    assert.equal(srv.server.ks.dataBytes, 0);
  });
});

test('used_memory_dataset rises by what a value takes and drops as soon as it is deleted, with no collection', async () => {
  await withServer({}, async (c) => {
    // the dataset alone: the client's query buffer that brought the value counts in used_memory too, as in Redis
    const dataset = async () => Number(await infoField(c, 'used_memory_dataset', 'memory'));
    const before = await dataset();
    await c.cmd('SET', 'big', 'x'.repeat(1_000_000));
    const withBig = await dataset();
    assert.ok(withBig - before >= 990_000 && withBig - before < 1_010_000, `grew by ${withBig - before}`);
    await c.cmd('DEL', 'big');
    const after = await dataset();
    assert.ok(Math.abs(after - before) < 2000, `${before} -> ${withBig} -> ${after}`);
  });
});

test("Redis's tenacity to time budget: linear to 500 µs at 10, +15% a step, unlimited at 100", () => {
  assert.equal(evictionTimeLimitUs(0), 0);
  assert.equal(evictionTimeLimitUs(5), 250);
  assert.equal(evictionTimeLimitUs(10), 500);
  assert.equal(evictionTimeLimitUs(11), 575);
  assert.equal(evictionTimeLimitUs(20), Math.floor(500 * 1.15 ** 10));
  assert.equal(evictionTimeLimitUs(100), Number.POSITIVE_INFINITY);
});

/** Sets maxmemory to the memory in use plus room, under policy. */
async function limitTo(c: RespClient, policy: string, room: number): Promise<number> {
  await c.cmd('CONFIG', 'SET', 'maxmemory-policy', policy);
  const limit = (await used(c)) + room;
  await c.cmd('CONFIG', 'SET', 'maxmemory', String(limit));
  return limit;
}

/**
 * EXISTS of each key: which are still there. Call it with the limit lifted
 * (unlimit): a pipeline of EXISTS takes memory too (its query buffer), which
 * would evict more keys while they are looked at.
 */
async function present(c: RespClient, keys: string[]): Promise<boolean[]> {
  const rs = await c.pipeline(keys.map((k) => ['EXISTS', k]));
  return rs.map((r) => r.value === 1);
}

/** The figures at the end of a fill, then maxmemory 0 so that looking does not evict. */
async function unlimit(c: RespClient): Promise<{ used: number; evicted: number }> {
  const u = await used(c);
  // the CONFIG SET runs after one more eviction check (of the client's own buffers too): evicted_keys read after it
  await c.cmd('CONFIG', 'SET', 'maxmemory', '0');
  return { used: u, evicted: Number(await infoField(c, 'evicted_keys', 'stats')) };
}

const VALUE = 'v'.repeat(200);
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}:${i}`);

test('allkeys-lru: a fill past the limit evicts the keys idle longest, keeps the ones touched since, and stays under the limit', async () => {
  await withServer({}, async (c, srv) => {
    const clock = fakeClock(srv);
    const old = names('old', 1000);
    const limit = await limitTo(c, 'allkeys-lru', 1500 * entryBytes(old[0], VALUE));
    for (const k of old) await c.cmd('SET', k, VALUE);
    clock.advance(100_000);
    // the even half is read 100 s later; the odd half stays idle
    for (let i = 0; i < old.length; i += 2) await c.cmd('GET', old[i]);
    clock.advance(100_000);
    const fresh = names('new', 1000);
    for (const k of fresh) await c.cmd('SET', k, VALUE);
    const { used: u, evicted } = await unlimit(c);
    assert.ok(u <= limit + 4096, `used ${u}, limit ${limit}`);
    // the tables grow too: somewhat more than 500 of the 2000 keys go
    assert.ok(evicted >= 500 && evicted <= 900, `evicted ${evicted}`);
    const p = await present(c, old);
    const oddGone = p.filter((x, i) => i % 2 === 1 && !x).length;
    const evenGone = p.filter((x, i) => i % 2 === 0 && !x).length;
    const newGone = (await present(c, fresh)).filter((x) => !x).length;
    assert.equal(oddGone + evenGone + newGone, evicted);
    // exact LRU would take the 500 odd (idle 200 s), then even ones (100 s), never new ones;
    // Redis's approximation (5 samples, a pool of 16) comes close
    assert.ok(oddGone >= 425, `odd (idle 200 s) gone: ${oddGone} of 500`);
    assert.ok(evenGone <= evicted - 425, `even (idle 100 s) gone: ${evenGone}`);
    assert.ok(newGone <= 50, `new gone: ${newGone} of 1000`);
  });
});

test('allkeys-lfu: the keys read often survive a fill, the rare ones go', async () => {
  await withServer({ 'lfu-log-factor': 0 }, async (c, srv) => {
    fakeClock(srv);
    const keys = names('k', 1000);
    const limit = await limitTo(c, 'allkeys-lfu', 1500 * entryBytes(keys[0], VALUE));
    for (const k of keys) await c.cmd('SET', k, VALUE);
    // every third key read 20 times: with lfu-log-factor 0 each read counts (5 -> 25)
    for (let r = 0; r < 20; r++) await c.pipeline(keys.filter((_, i) => i % 3 === 0).map((k) => ['GET', k]));
    assert.equal(await c.cmd('OBJECT', 'FREQ', keys[0]), 25);
    assert.equal(await c.cmd('OBJECT', 'FREQ', keys[1]), 5);
    const more = names('more', 1000);
    for (const k of more) await c.cmd('SET', k, VALUE);
    const { used: u, evicted } = await unlimit(c);
    assert.ok(u <= limit + 4096, `used ${u}, limit ${limit}`);
    assert.ok(evicted >= 400, `evicted ${evicted}`);
    const p = await present(c, keys);
    const hotKept = p.filter((x, i) => i % 3 === 0 && x).length;
    assert.equal(hotKept, 334, 'every often-read key survives');
  });
});

for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
  test(`${policy}: only keys with a TTL are evicted; with none left, writes get -OOM`, async () => {
    await withServer({}, async (c, srv) => {
      fakeClock(srv);
      const persistent = names('p', 500);
      const volatile = names('v', 500);
      const limit = await limitTo(c, policy, 1200 * entryBytes(persistent[0], VALUE));
      for (let i = 0; i < 500; i++) {
        await c.cmd('SET', persistent[i], VALUE);
        await c.cmd('SET', volatile[i], VALUE, 'EX', String(10_000 + i));
      }
      // 400 more with a TTL: 200 of the 1400 must go, all with a TTL
      for (const k of names('w', 400)) await c.cmd('SET', k, VALUE, 'EX', '100000');
      const { used: u, evicted } = await unlimit(c);
      assert.ok(u <= limit + 4096, `used ${u}, limit ${limit}`);
      assert.ok(evicted >= 150, `evicted ${evicted}`);
      assert.ok((await present(c, persistent)).every(Boolean), 'a key without TTL was evicted');
      if (policy === 'volatile-ttl') {
        // the nearest expiries first: the v: keys (TTL 10,000 s + i) before the w: ones, the low i first
        const gone = (await present(c, volatile)).map((x, i) => (x ? -1 : i)).filter((i) => i >= 0);
        assert.ok(gone.length >= 0.95 * evicted, `${gone.length} of ${evicted} evicted were v: keys`);
        // exact: the v: keys 0 .. g-1; the approximation takes most of them
        const inOrder = gone.filter((i) => i < gone.length).length;
        assert.ok(inOrder >= 0.8 * gone.length, `${inOrder} of the ${gone.length} evicted v: keys among the ${gone.length} nearest expiries`);
      }
      // only keys without a TTL left to add against: nothing can be evicted once the volatile ones are gone
      await c.cmd('CONFIG', 'SET', 'maxmemory', '1');
      await waitFor(() => srv.server.ks.dbs[0].ttlCount === 0 && !srv.server.evictor.running, 'the volatile keys evicted');
      assert.equal(errText(await c.cmd('SET', 'x', 'y')), "OOM command not allowed when used memory > 'maxmemory'.");
      assert.equal(await c.cmd('DBSIZE'), 500);
    });
  });
}

test('allkeys-random evicts old and new keys alike', async () => {
  await withServer({}, async (c) => {
    const a = names('a', 1000);
    const limit = await limitTo(c, 'allkeys-random', 1000 * entryBytes(a[0], VALUE));
    for (const k of a) await c.cmd('SET', k, VALUE);
    const b = names('b', 1000);
    for (const k of b) await c.cmd('SET', k, VALUE);
    const { used: u, evicted } = await unlimit(c);
    assert.ok(u <= limit + 4096, `used ${u}, limit ${limit}`);
    const aGone = (await present(c, a)).filter((x) => !x).length;
    const bGone = (await present(c, b)).filter((x) => !x).length;
    // about 1000 evicted, the early a: keys more exposed (sampled for longer), but b: keys too
    assert.equal(aGone + bGone, evicted);
    assert.ok(evicted >= 900, `${aGone} + ${bGone}`);
    assert.ok(aGone > 300 && bGone > 100, `a gone ${aGone}, b gone ${bGone}`);
  });
});

test('noeviction: over the limit writes get -OOM, reads and deletes still run, nothing is evicted', async () => {
  await withServer({}, async (c) => {
    await c.cmd('SET', 'a', 'x'.repeat(1000));
    await c.cmd('CONFIG', 'SET', 'maxmemory', '1');
    assert.equal(errText(await c.cmd('SET', 'b', 'y')), "OOM command not allowed when used memory > 'maxmemory'.");
    assert.equal(await c.cmd('STRLEN', 'a'), 1000);
    assert.equal(await c.cmd('DEL', 'a'), 1);
    assert.equal(await infoField(c, 'evicted_keys', 'stats'), '0');
    assert.equal(await infoField(c, 'maxmemory_policy', 'memory'), 'noeviction');
    assert.ok(Number(await infoField(c, 'current_eviction_exceeded_time', 'stats')) >= 0);
  });
});

test('an evicted key is propagated as DEL, notified as evicted, counted, and fails the WATCH on it', async () => {
  await withClients(3, async ([c, sub, w], srv) => {
    const propagated = recordPropagation(srv);
    await c.cmd('CONFIG', 'SET', 'notify-keyspace-events', 'Ee');
    await sub.cmd('SUBSCRIBE', '__keyevent@0__:evicted');
    await c.cmd('MSET', 'k1', 'a', 'k2', 'b', 'k3', 'c');
    await w.cmd('WATCH', 'k2');
    await w.cmd('MULTI');
    await w.cmd('SET', 'k2', 'mine');
    await c.cmd('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await c.cmd('CONFIG', 'SET', 'maxmemory', '1');
    await waitFor(async () => (await c.cmd('DBSIZE')) === 0, 'every key evicted');
    const dels = propagated.filter((a) => a[0] === 'DEL').map((a) => a[1]);
    assert.deepEqual(dels.sort(), ['k1', 'k2', 'k3']);
    const events = new Set<string>();
    for (let i = 0; i < 3; i++) events.add(String(((await sub.nextPush()).value as string[])[2]));
    assert.deepEqual([...events].sort(), ['k1', 'k2', 'k3']);
    assert.equal(await infoField(c, 'evicted_keys', 'stats'), '3');
    await c.cmd('CONFIG', 'SET', 'maxmemory', '0');
    assert.equal(await w.cmd('EXEC'), null);
    // lazyfree-lazy-eviction: UNLINK instead
    await c.cmd('CONFIG', 'SET', 'lazyfree-lazy-eviction', 'yes');
    await c.cmd('SET', 'k4', 'd');
    await c.cmd('CONFIG', 'SET', 'maxmemory', '1');
    await waitFor(async () => (await c.cmd('DBSIZE')) === 0, 'k4 evicted');
    assert.deepEqual(propagated.at(-1), ['UNLINK', 'k4']);
  });
});

test('CONFIG SET maxmemory evicts from the timer, not inside the transaction that sets it', async () => {
  await withServer({}, async (c, srv) => {
    const propagated = recordPropagation(srv);
    await c.cmd('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await c.cmd('MULTI');
    await c.cmd('INCR', 'x');
    await c.cmd('CONFIG', 'SET', 'maxmemory', '1');
    await c.cmd('INCR', 'x');
    assert.deepEqual(await c.cmd('EXEC'), [1, 'OK', 2]);
    await waitFor(async () => srv.server.ks.dbs[0].size === 0, 'x evicted');
    assert.deepEqual(propagated.at(-1), ['DEL', 'x']);
  });
});

test('tenacity 0: eviction goes 16 keys at a time, the timer carries on until used memory is under the limit', async () => {
  await withServer({ 'enable-debug-command': 'yes' }, async (c, srv) => {
    await c.cmd('DEBUG', 'POPULATE', '20000', 'key', '100');
    await c.cmd('CONFIG', 'SET', 'maxmemory-eviction-tenacity', '0');
    await c.cmd('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random');
    const limit = (await used(c)) - 1_000_000;
    // performEvictions directly: one call stops after 16 keys and leaves the rest to the timer
    await c.cmd('CONFIG', 'SET', 'maxmemory', String(limit));
    const ev = srv.server.evictor;
    ev.stop();
    const before = srv.server.ks.dbs[0].size;
    assert.equal(ev.performEvictions(), 'running');
    assert.equal(before - srv.server.ks.dbs[0].size, 16);
    await waitFor(() => !ev.running, 'the timer done');
    assert.ok(srv.server.usedMemory() <= limit);
    assert.equal(await infoField(c, 'current_eviction_exceeded_time', 'stats'), '0');
    assert.ok(Number(await infoField(c, 'evicted_keys', 'stats')) > 5000);
  });
});

test("a table does not double past maxmemory below a load factor of 1.618 (Redis's dictExpandAllowed)", async () => {
  await withServer({ 'enable-debug-command': 'yes' }, async (c, srv) => {
    await c.cmd('DEBUG', 'POPULATE', '4096', 'key', '1');
    const dict = srv.server.ks.dbs[0].dict;
    assert.equal(dict.bucketCount, 4096);
    await c.cmd('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random');
    await c.cmd('CONFIG', 'SET', 'maxmemory', String((await used(c)) + 10 * 1024));
    await c.cmd('SET', 'k1', 'v1');
    await c.cmd('SET', 'k2', 'v2');
    assert.equal(dict.bucketCount, 4096);
    assert.equal(await c.cmd('DBSIZE'), 4098);
    // without the limit it doubles on the next insert
    await c.cmd('CONFIG', 'SET', 'maxmemory', '0');
    await c.cmd('SET', 'k3', 'v3');
    assert.ok(dict.bucketCount > 4096);
  });
});
