/**
 * DEBUG subcommands as Redis 7.0's debug.c answers them (the ones Redis's own
 * test suite relies on).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RespClient } from '../harness/resp.js';
import type { GkvServer } from '../../src/index.js';
import { errText, withServer as withAnyServer } from '../harness/commands.js';

const withServer = (fn: (c: RespClient, srv: GkvServer) => Promise<void>): Promise<void> => withAnyServer({ 'enable-debug-command': 'yes' }, fn);

const addr = (s: unknown): string => /^Value at:(0x[0-9a-f]+) /.exec(String(s))![1];

test("DEBUG OBJECT keeps an integer's address across an in-place INCR, as Redis reuses an unshared integer object", async () => {
  await withServer(async (c) => {
    await c.cmd('SET', 'foo', '20000');
    await c.cmd('INCR', 'foo');
    const a1 = addr(await c.cmd('DEBUG', 'OBJECT', 'foo'));
    await c.cmd('INCR', 'foo');
    await c.cmd('DECRBY', 'foo', '7');
    assert.equal(addr(await c.cmd('DEBUG', 'OBJECT', 'foo')), a1, 'INCR and DECRBY change the object in place');
    await c.cmd('SET', 'foo', '20000');
    const a2 = addr(await c.cmd('DEBUG', 'OBJECT', 'foo'));
    assert.notEqual(a2, a1, 'SET stores a new object');
    await c.cmd('SET', 'foo', '5');
    await c.cmd('SET', 'bar', '5');
    assert.equal(addr(await c.cmd('DEBUG', 'OBJECT', 'foo')), addr(await c.cmd('DEBUG', 'OBJECT', 'bar')), 'shared integers are one object');
    await c.cmd('INCRBY', 'foo', '20000');
    assert.notEqual(addr(await c.cmd('DEBUG', 'OBJECT', 'foo')), addr(await c.cmd('DEBUG', 'OBJECT', 'bar')), 'a shared integer is never changed in place');
    await c.cmd('SET', 'big', '-30');
    const a3 = addr(await c.cmd('DEBUG', 'OBJECT', 'big'));
    await c.cmd('INCRBY', 'big', '35');
    assert.notEqual(addr(await c.cmd('DEBUG', 'OBJECT', 'big')), a3, 'a result in the shared range is a shared object');
  });
});

test('DEBUG QUICKLIST-PACKED-THRESHOLD takes a memory value under 4 GB, LISTPACK and QUICKLIST check the encoding, CHANGE-REPL-ID renews master_replid', async () => {
  await withServer(async (c) => {
    const thresholdErr = 'ERR argument must be a memory value bigger than 1 and smaller than 4gb';
    for (const bad of ['5gb', '4gb', 'abc', '-1']) assert.equal(errText(await c.cmd('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', bad)), thresholdErr, bad);
    assert.equal(await c.cmd('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1b'), 'OK');
    await c.cmd('RPUSH', 'l', 'aa', 'bb', '');
    await c.cmd('LSET', 'l', '1', 'x'.repeat(50));
    assert.match(
      String(await c.cmd('DEBUG', 'OBJECT', 'l')),
      / serializedlength:29 lru:\d+ lru_seconds_idle:\d+ ql_nodes:3 ql_avg_node:1\.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:61$/,
    );
    assert.equal(await c.cmd('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'), 'OK');
    assert.deepEqual(await c.cmd('LRANGE', 'l', '0', '-1'), ['aa', 'x'.repeat(50), '']);
    await c.cmd('HSET', 'h', 'f', 'v');
    assert.equal(await c.cmd('DEBUG', 'LISTPACK', 'h'), 'Listpack structure printed on stdout');
    assert.equal(errText(await c.cmd('DEBUG', 'LISTPACK', 'l')), 'ERR Not a listpack encoded object.');
    assert.equal(errText(await c.cmd('DEBUG', 'LISTPACK', 'nokey')), 'ERR no such key');
    assert.equal(await c.cmd('DEBUG', 'QUICKLIST', 'l', '1'), 'Quicklist structure printed on stdout');
    assert.equal(errText(await c.cmd('DEBUG', 'QUICKLIST', 'h')), 'ERR Not a quicklist encoded object.');
    assert.equal(await c.cmd('DEBUG', 'STRINGMATCH-TEST'), 'Apparently Redis did not crash: test passed');
    const replid = async (): Promise<string> => /master_replid:(\w+)/.exec(String(await c.cmd('INFO', 'replication')))![1];
    const id = await replid();
    assert.equal(await c.cmd('DEBUG', 'CHANGE-REPL-ID'), 'OK');
    assert.notEqual(await replid(), id);
  });
});

test("DEBUG HTSTATS and HTSTATS-KEY describe hash tables in Redis's format, and answer Redis's errors", async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('DEBUG', 'HTSTATS', '0'), '[Dictionary HT]\nNo stats available for empty dictionaries\n[Expires HT]\nNo stats available for empty dictionaries\n');
    for (let i = 0; i < 100; i++) await c.cmd('SET', `k${i}`, 'v');
    await c.cmd('EXPIRE', 'k1', '100');
    const st = String(await c.cmd('DEBUG', 'HTSTATS', '0'));
    assert.match(
      st,
      /^\[Dictionary HT\]\nHash table 0 stats \(main hash table\):\n table size: 128\n number of elements: 100\n different slots: \d+\n max chain length: \d+\n avg chain length \(counted\): \d+\.\d\d\n avg chain length \(computed\): \d+\.\d\d\n Chain length distribution:\n( {3}\d+: \d+ \(\d+\.\d\d%\)\n)+\[Expires HT\]\nHash table 0 stats \(main hash table\):\n table size: 4\n number of elements: 1\n/,
    );
    await c.cmd('SADD', 'set', 'a', 'b', 'c');
    assert.match(String(await c.cmd('DEBUG', 'HTSTATS-KEY', 'set')), /^Hash table 0 stats \(main hash table\):\n table size: 4\n number of elements: 3\n/);
    await c.cmd('SADD', 'ints', '1', '2');
    assert.equal(errText(await c.cmd('DEBUG', 'HTSTATS-KEY', 'ints')), 'ERR The value stored at the specified key is not represented using an hash table');
    assert.equal(errText(await c.cmd('DEBUG', 'HTSTATS-KEY', 'nokey')), 'ERR no such key');
    assert.equal(errText(await c.cmd('DEBUG', 'HTSTATS', '16')), 'ERR Out of range database');
    assert.equal(errText(await c.cmd('DEBUG', 'HTSTATS', 'x')), 'ERR value is not an integer or out of range');
  });
});
