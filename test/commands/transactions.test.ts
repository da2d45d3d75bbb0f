import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errText, fakeClock, withClients, withServer } from '../harness/commands.js';
import { RespError } from '../harness/resp.js';

test('MULTI queues commands and EXEC runs them in order, replying with every result', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('MULTI'), 'OK');
    assert.equal(await c.cmd('SET', 'a', '1'), 'QUEUED');
    assert.equal(await c.cmd('GET', 'a'), 'QUEUED');
    const r = await c.call('EXEC');
    assert.equal(r.raw, '*2\r\n+OK\r\n$1\r\n1\r\n');
  });
});

test('a command rejected while queueing makes EXEC fail with EXECABORT and run nothing', async () => {
  await withServer(async (c) => {
    await c.cmd('MULTI');
    await c.cmd('SET', 'a', '1');
    const bad = await c.cmd('GET');
    assert.ok(bad instanceof RespError);
    assert.equal(bad.message, "ERR wrong number of arguments for 'get' command");
    const unknown = await c.cmd('NOSUCHCMD', 'x');
    assert.ok(unknown instanceof RespError);
    const r = await c.call('EXEC');
    assert.equal(r.raw, '-EXECABORT Transaction discarded because of previous errors.\r\n');
    assert.equal(await c.cmd('GET', 'a'), null);
  });
});

test('DISCARD drops the queue; EXEC and DISCARD without MULTI and nested MULTI give Redis errors', async () => {
  await withServer(async (c) => {
    assert.equal((await c.call('EXEC')).raw, '-ERR EXEC without MULTI\r\n');
    assert.equal((await c.call('DISCARD')).raw, '-ERR DISCARD without MULTI\r\n');
    await c.cmd('MULTI');
    assert.equal((await c.call('MULTI')).raw, '-ERR MULTI calls can not be nested\r\n');
    await c.cmd('SET', 'a', '1');
    assert.equal(await c.cmd('DISCARD'), 'OK');
    assert.equal(await c.cmd('GET', 'a'), null);
  });
});

test('no other client runs a command between the commands of a transaction', async () => {
  await withClients(2, async ([a, b]) => {
    await a.cmd('MULTI');
    for (let i = 0; i < 100; i++) await a.cmd('SET', 'x', String(i));
    const other = b.cmd('SET', 'x', 'other');
    const exec = a.call('EXEC');
    await Promise.all([other, exec]);
    // b's SET ran before or after the whole transaction, never inside it
    const v = await a.cmd('GET', 'x');
    assert.ok(v === 'other' || v === '99');
  });
});

test('a transaction propagates as MULTI, its writes in their propagated form, EXEC; a single write alone; no write nothing', async () => {
  await withServer(async (c, srv) => {
    const log: string[] = [];
    srv.server.propagation.add((db, argv) => log.push(`${db}:${argv.join(' ')}`));
    await c.cmd('MULTI');
    await c.cmd('GET', 'a');
    await c.cmd('SET', 'a', '1', 'EX', '100');
    await c.cmd('INCRBYFLOAT', 'f', '1.5');
    await c.cmd('GET', 'a');
    await c.cmd('EXEC');
    assert.equal(log.length, 4);
    assert.equal(log[0], '0:MULTI');
    assert.match(log[1], /^0:SET a 1 PXAT \d+$/);
    assert.equal(log[2], '0:SET f 1.5 KEEPTTL');
    assert.equal(log[3], '0:EXEC');
    log.length = 0;
    await c.cmd('MULTI');
    await c.cmd('GET', 'a');
    await c.cmd('SET', 'x', 'y', 'NX');
    await c.cmd('SET', 'x', 'z', 'NX');
    await c.cmd('EXEC');
    // one write alone is atomic by itself: no MULTI/EXEC around it (Redis 7.0's propagatePendingCommands)
    assert.deepEqual(log, ['0:SET x y NX']);
    log.length = 0;
    await c.cmd('MULTI');
    await c.cmd('GET', 'a');
    await c.cmd('SET', 'x', 'q', 'NX');
    await c.cmd('EXEC');
    assert.deepEqual(log, []);
    await c.cmd('SET', 'solo', '1');
    assert.deepEqual(log, ['0:SET solo 1']);
  });
});

test('WATCH of an expired key: its deletion is no change; SWAPDB bringing an expired key or taking one away is no change either', async () => {
  await withServer(async (c, srv) => {
    const clock = fakeClock(srv);
    srv.server.ks.activeExpireEnabled = false; // only lazy expiry, as DEBUG SET-ACTIVE-EXPIRE 0
    const staleKey = async (db: string, key: string, v: string): Promise<void> => {
      await c.cmd('SELECT', db);
      await c.cmd('SET', key, v, 'PX', '1');
    };
    const execPasses = async (): Promise<boolean> => {
      await c.cmd('MULTI');
      await c.cmd('PING');
      return (await c.cmd('EXEC')) !== null;
    };
    // an expired key watched, then deleted by lazy expiry
    await staleKey('0', 'x', 'foo');
    clock.advance(10);
    await c.cmd('WATCH', 'x');
    assert.equal(await c.cmd('EXISTS', 'x'), 0);
    assert.equal(await execPasses(), true, 'deleting a watched key that had expired changes nothing');
    // ... but created again: a change
    await staleKey('0', 'x', 'foo');
    clock.advance(10);
    await c.cmd('WATCH', 'x');
    await c.cmd('SET', 'x', 'new');
    assert.equal(await execPasses(), false);
    // a missing key replaced with an expired one by SWAPDB
    await c.cmd('FLUSHALL');
    await staleKey('0', 'x', 'foo');
    clock.advance(10);
    await c.cmd('SELECT', '1');
    await c.cmd('WATCH', 'x');
    await c.cmd('SWAPDB', '0', '1');
    assert.equal(await execPasses(), true, 'no key replaced with an expired key');
    // an expired key replaced with another expired key
    await c.cmd('FLUSHALL');
    await staleKey('1', 'x', 'foo');
    await staleKey('0', 'x', 'bar');
    clock.advance(10);
    await c.cmd('SELECT', '1');
    await c.cmd('WATCH', 'x');
    await c.cmd('SWAPDB', '0', '1');
    assert.equal(await execPasses(), true, 'an expired key replaced with an expired key');
    // an expired key replaced with a live key: a change
    await c.cmd('FLUSHALL');
    await staleKey('1', 'x', 'foo');
    clock.advance(10);
    await c.cmd('SELECT', '0');
    await c.cmd('SET', 'x', 'live');
    await c.cmd('SELECT', '1');
    await c.cmd('WATCH', 'x');
    await c.cmd('SWAPDB', '0', '1');
    assert.equal(await execPasses(), false, 'an expired key replaced with a live one');
    // a live key replaced with an expired one: a change
    await c.cmd('FLUSHALL');
    await staleKey('0', 'x', 'foo');
    clock.advance(10);
    await c.cmd('SELECT', '1');
    await c.cmd('SET', 'x', 'live');
    await c.cmd('WATCH', 'x');
    await c.cmd('SWAPDB', '0', '1');
    assert.equal(await execPasses(), false, 'a live key replaced with an expired one');
  });
});

test('over maxmemory with noeviction: denyoom commands and queueing are refused with OOM, reads, DEL, DISCARD and a read-only EXEC are not', async () => {
  await withClients(2, async ([c, admin]) => {
    const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
    await c.cmd('SET', 'x', 'v');
    await c.cmd('MULTI');
    await c.cmd('SET', 'x', '1');
    await c.cmd('GET', 'x');
    await admin.cmd('CONFIG', 'SET', 'maxmemory', '1');
    assert.equal(errText(await c.cmd('EXEC')), `EXECABORT Transaction discarded because of: ${OOM}`, 'an EXEC that would write is refused as a whole');
    assert.equal(await c.cmd('PING'), 'PONG', 'and the transaction is over');
    assert.equal(errText(await c.cmd('SET', 'y', '1')), OOM);
    assert.equal(errText(await c.cmd('LPUSH', 'l', 'a')), OOM);
    assert.equal(await c.cmd('GET', 'x'), 'v');
    assert.equal(await c.cmd('DEL', 'x'), 1);
    assert.equal(await c.cmd('MULTI'), 'OK');
    assert.equal(errText(await c.cmd('GET', 'x')), OOM, 'queueing takes memory: refused in MULTI');
    assert.equal(await c.cmd('DISCARD'), 'OK');
    await admin.cmd('CONFIG', 'SET', 'maxmemory', '0');
    await c.cmd('MULTI');
    await c.cmd('GET', 'x');
    await c.cmd('PING');
    await admin.cmd('CONFIG', 'SET', 'maxmemory', '1');
    assert.deepEqual(await c.cmd('EXEC'), [null, 'PONG'], 'a read-only EXEC runs');
    await admin.cmd('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    assert.equal(errText(await c.cmd('SET', 'y', '1')), OOM, 'an eviction policy with nothing left to evict refuses as noeviction does');
    assert.equal(await c.cmd('DBSIZE'), 0, 'the keys were evicted first');
    await admin.cmd('CONFIG', 'SET', 'maxmemory', '0');
  });
});

test("a rejected EXEC aborts the transaction at once, as Redis's execCommandAbort", async () => {
  await withServer(async (c) => {
    assert.equal(errText(await c.cmd('EXEC', 'x')), "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
    await c.cmd('MULTI');
    await c.cmd('SET', 'k', 'v');
    assert.equal(errText(await c.cmd('EXEC', 'x')), "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command");
    assert.equal(await c.cmd('PING'), 'PONG', 'no longer in MULTI');
    assert.equal(await c.cmd('EXISTS', 'k'), 0);
  });
});

test('min-replicas-to-write without replicas: writes and a writing EXEC get NOREPLICAS, reads go on', async () => {
  await withClients(2, async ([c, admin]) => {
    const NOREPLICAS = 'NOREPLICAS Not enough good replicas to write.';
    await c.cmd('SET', 'xx', '1');
    await c.cmd('MULTI');
    await c.cmd('INCR', 'xx');
    await admin.cmd('CONFIG', 'SET', 'min-replicas-to-write', '2');
    assert.equal(errText(await c.cmd('EXEC')), `EXECABORT Transaction discarded because of: ${NOREPLICAS}`);
    assert.equal(await c.cmd('GET', 'xx'), '1');
    assert.equal(errText(await c.cmd('SET', 'xx', '2')), NOREPLICAS);
    await admin.cmd('CONFIG', 'SET', 'min-replicas-max-lag', '0');
    assert.equal(await c.cmd('SET', 'xx', '2'), 'OK', 'a max lag of 0 turns the check off');
    await admin.cmd('CONFIG', 'SET', 'min-replicas-max-lag', '10');
    await admin.cmd('CONFIG', 'SET', 'min-replicas-to-write', '0');
    assert.equal(await c.cmd('SET', 'xx', '3'), 'OK');
  });
});
