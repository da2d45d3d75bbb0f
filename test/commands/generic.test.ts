/**
 * The generic (keyspace) family in-process, on a fake clock: DEL, UNLINK,
 * EXISTS, TOUCH, TYPE, the EXPIRE family and TTL readers, KEYS, SCAN,
 * RANDOMKEY, RENAME, MOVE, COPY, SWAPDB, DBSIZE, FLUSHDB/FLUSHALL and OBJECT:
 * replies, errors, TTLs carried along, and what the expiry commands
 * propagate. (test/commands/expiry.test.ts covers the expiry options in
 * depth.) Every expectation was read from a redis-server 7.0.15.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RespClient } from '../harness/resp.js';
import { errText, recordPropagation, withClock, withServer } from '../harness/commands.js';

/** One key of each type: s, l, st, z, h. */
async function oneOfEach(c: RespClient): Promise<void> {
  await c.cmd('SET', 's', 'x');
  await c.cmd('RPUSH', 'l', 'x');
  await c.cmd('SADD', 'st', 'x');
  await c.cmd('ZADD', 'z', '1', 'x');
  await c.cmd('HSET', 'h', 'f', 'v');
}

test('DEL and UNLINK count the keys they removed, EXISTS and TOUCH the ones that exist (EXISTS counts repeats)', async () => {
  await withServer(async (c) => {
    await c.cmd('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    assert.equal(await c.cmd('DEL', 'a', 'a', 'nokey'), 1);
    assert.equal(await c.cmd('EXISTS', 'b', 'b', 'nokey', 'c'), 3);
    assert.equal(await c.cmd('UNLINK', 'b', 'nokey'), 1);
    assert.equal(await c.cmd('TOUCH', 'c', 'c', 'nokey'), 2);
    assert.equal(await c.cmd('EXISTS', 'a', 'b'), 0);
    assert.equal(await c.cmd('DBSIZE'), 2);
  });
});

test('TYPE names each type, none for a missing key', async () => {
  await withServer(async (c) => {
    await oneOfEach(c);
    for (const [k, t] of [
      ['s', 'string'],
      ['l', 'list'],
      ['st', 'set'],
      ['z', 'zset'],
      ['h', 'hash'],
      ['nokey', 'none'],
    ]) {
      assert.equal(await c.cmd('TYPE', k), t, k);
    }
  });
});

test('EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT set exact TTLs; a time in the past deletes; TTL, PTTL, EXPIRETIME and PEXPIRETIME read them', async () => {
  await withClock(async (c, clock) => {
    await c.cmd('SET', 'k', 'v');
    assert.equal(await c.cmd('TTL', 'k'), -1);
    assert.equal(await c.cmd('PTTL', 'k'), -1);
    assert.equal(await c.cmd('EXPIRETIME', 'k'), -1);
    assert.equal(await c.cmd('PEXPIRETIME', 'k'), -1);
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) assert.equal(await c.cmd(cmd, 'nokey'), -2, cmd);
    assert.equal(await c.cmd('EXPIRE', 'nokey', '10'), 0);
    assert.equal(await c.cmd('EXPIRE', 'k', '100'), 1);
    assert.equal(await c.cmd('PEXPIRETIME', 'k'), clock.now() + 100_000);
    assert.equal(await c.cmd('PEXPIRE', 'k', '2500'), 1);
    assert.equal(await c.cmd('PTTL', 'k'), 2500);
    clock.advance(1000);
    assert.equal(await c.cmd('PTTL', 'k'), 1500);
    assert.equal(await c.cmd('TTL', 'k'), 2, 'TTL rounds to the nearest second');
    const at = Math.floor(clock.now() / 1000) + 60;
    assert.equal(await c.cmd('EXPIREAT', 'k', String(at)), 1);
    assert.equal(await c.cmd('EXPIRETIME', 'k'), at);
    assert.equal(await c.cmd('PEXPIREAT', 'k', String(clock.now() + 42)), 1);
    assert.equal(await c.cmd('PTTL', 'k'), 42);
    assert.equal(await c.cmd('PERSIST', 'k'), 1);
    assert.equal(await c.cmd('PERSIST', 'k'), 0);
    assert.equal(await c.cmd('PERSIST', 'nokey'), 0);
    assert.equal(await c.cmd('EXPIRE', 'k', '-1'), 1);
    assert.equal(await c.cmd('EXISTS', 'k'), 0, 'a negative TTL deletes the key');
    await c.cmd('SET', 'k', 'v');
    assert.equal(await c.cmd('EXPIREAT', 'k', '1'), 1);
    assert.equal(await c.cmd('EXISTS', 'k'), 0, 'a time in the past deletes the key');
  });
});

test('the EXPIRE family refuses bad numbers, overflowing times and incompatible options', async () => {
  await withServer(async (c) => {
    await c.cmd('SET', 's', 'x');
    assert.equal(errText(await c.cmd('EXPIRE', 's', 'abc')), 'ERR value is not an integer or out of range');
    assert.equal(errText(await c.cmd('EXPIRE', 's', '10', 'NX', 'XX')), 'ERR NX and XX, GT or LT options at the same time are not compatible');
    assert.equal(errText(await c.cmd('EXPIRE', 's', '10', 'GT', 'LT')), 'ERR GT and LT options at the same time are not compatible');
    assert.equal(errText(await c.cmd('EXPIRE', 's', '10', 'BOGUS')), 'ERR Unsupported option BOGUS');
    for (const cmd of ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']) {
      if (cmd === 'PEXPIREAT') continue; // milliseconds since the epoch: any int64 is a time
      assert.equal(errText(await c.cmd(cmd, 's', '9223372036854775807')), `ERR invalid expire time in '${cmd.toLowerCase()}' command`, cmd);
    }
    assert.equal(await c.cmd('TTL', 's'), -1, 'nothing was set');
  });
});

test('expiry commands propagate absolute times (PEXPIREAT), a deleting one as DEL, PERSIST only when it removed a TTL', async () => {
  await withClock(async (c, clock, srv) => {
    await c.cmd('MSET', 'a', '1', 'b', '2');
    const prop = recordPropagation(srv);
    const now = clock.now();
    await c.cmd('EXPIRE', 'a', '10');
    await c.cmd('PEXPIRE', 'a', '500');
    await c.cmd('EXPIREAT', 'a', String(Math.floor(now / 1000) + 100));
    await c.cmd('PERSIST', 'a');
    await c.cmd('PERSIST', 'a');
    await c.cmd('EXPIRE', 'b', '-1');
    await c.cmd('EXPIRE', 'nokey', '10');
    assert.deepEqual(prop, [
      ['PEXPIREAT', 'a', String(now + 10_000)],
      ['PEXPIREAT', 'a', String(now + 500)],
      ['PEXPIREAT', 'a', String((Math.floor(now / 1000) + 100) * 1000)],
      ['PERSIST', 'a'],
      ['DEL', 'b'],
    ]);
  });
});

test('KEYS and SCAN find keys by glob pattern; SCAN filters by TYPE and refuses a bad cursor or COUNT', async () => {
  await withServer(async (c) => {
    await oneOfEach(c);
    const sorted = (v: unknown) => (v as string[]).slice().sort();
    assert.deepEqual(sorted(await c.cmd('KEYS', '*')), ['h', 'l', 's', 'st', 'z']);
    assert.deepEqual(sorted(await c.cmd('KEYS', '?')), ['h', 'l', 's', 'z']);
    assert.deepEqual(sorted(await c.cmd('KEYS', '[lz]')), ['l', 'z']);
    assert.deepEqual(await c.cmd('KEYS', 'nothing*'), []);
    const [cursor, keys] = (await c.cmd('SCAN', '0', 'MATCH', '[lz]', 'COUNT', '100')) as [string, string[]];
    assert.equal(cursor, '0', 'a small keyspace is scanned in one call');
    assert.deepEqual(keys.slice().sort(), ['l', 'z']);
    assert.deepEqual(await c.cmd('SCAN', '0', 'TYPE', 'hash'), ['0', ['h']]);
    assert.equal(errText(await c.cmd('SCAN', 'abc')), 'ERR invalid cursor');
    assert.equal(errText(await c.cmd('SCAN', '0', 'TYPE')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('SCAN', '0', 'COUNT', '0')), 'ERR syntax error');
  });
});

test('RANDOMKEY returns nil for an empty database and one of its keys otherwise, never an expired one', async () => {
  await withClock(async (c, clock) => {
    assert.equal(await c.cmd('RANDOMKEY'), null);
    await c.cmd('SET', 'only', 'v');
    assert.equal(await c.cmd('RANDOMKEY'), 'only');
    await c.cmd('SET', 'soon', 'v', 'PX', '10');
    clock.advance(10);
    for (let i = 0; i < 20; i++) assert.equal(await c.cmd('RANDOMKEY'), 'only');
  });
});

test('RENAME moves a value with its TTL, RENAMENX only onto a missing key; a missing source is an error', async () => {
  await withClock(async (c) => {
    assert.equal(errText(await c.cmd('RENAME', 'nokey', 'x')), 'ERR no such key');
    assert.equal(errText(await c.cmd('RENAMENX', 'nokey', 'x')), 'ERR no such key');
    await c.cmd('SET', 'src', 'v', 'EX', '100');
    assert.equal(await c.cmd('RENAME', 'src', 'src'), 'OK');
    assert.equal(await c.cmd('RENAMENX', 'src', 'src'), 0);
    assert.equal(await c.cmd('RENAME', 'src', 'dst'), 'OK');
    assert.equal(await c.cmd('EXISTS', 'src'), 0);
    assert.equal(await c.cmd('GET', 'dst'), 'v');
    assert.equal(await c.cmd('TTL', 'dst'), 100);
    await c.cmd('SET', 'other', 'o');
    assert.equal(await c.cmd('RENAMENX', 'dst', 'other'), 0);
    assert.equal(await c.cmd('RENAMENX', 'dst', 'fresh'), 1);
    assert.equal(await c.cmd('TTL', 'fresh'), 100);
    await c.cmd('RPUSH', 'l', 'x');
    assert.equal(await c.cmd('RENAME', 'l', 'other'), 'OK', 'RENAME replaces a value of any type');
    assert.equal(await c.cmd('TYPE', 'other'), 'list');
  });
});

test('MOVE takes a key to another database unless it exists there; COPY duplicates a value, to another database too', async () => {
  await withClock(async (c) => {
    await c.cmd('SET', 't', 'v', 'EX', '100');
    assert.equal(errText(await c.cmd('MOVE', 't', '0')), 'ERR source and destination objects are the same');
    assert.equal(errText(await c.cmd('MOVE', 't', '16')), 'ERR DB index is out of range');
    assert.equal(errText(await c.cmd('MOVE', 't', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(await c.cmd('MOVE', 'nokey', '1'), 0);
    assert.equal(await c.cmd('MOVE', 't', '1'), 1);
    assert.equal(await c.cmd('EXISTS', 't'), 0);
    await c.cmd('SET', 't', 'again');
    assert.equal(await c.cmd('MOVE', 't', '1'), 0, 'not over a key that exists there');
    await c.cmd('SELECT', '1');
    assert.equal(await c.cmd('GET', 't'), 'v');
    assert.equal(await c.cmd('TTL', 't'), 100);
    assert.equal(await c.cmd('COPY', 't', 't2', 'DB', '0'), 1);
    await c.cmd('SELECT', '0');
    assert.equal(await c.cmd('TTL', 't2'), 100, 'COPY keeps the TTL');
    await c.cmd('ZADD', 'z', '1', 'x');
    assert.equal(errText(await c.cmd('COPY', 'z', 'z')), 'ERR source and destination objects are the same');
    assert.equal(await c.cmd('COPY', 'z', 'z2'), 1);
    assert.equal(await c.cmd('COPY', 'z', 'z2'), 0);
    assert.equal(await c.cmd('COPY', 'z', 'z2', 'REPLACE'), 1);
    assert.equal(await c.cmd('COPY', 'nokey', 'z3'), 0);
    await c.cmd('ZADD', 'z', '2', 'y');
    assert.deepEqual(await c.cmd('ZRANGE', 'z2', '0', '-1'), ['x'], 'the copy is independent of its source');
    assert.equal(errText(await c.cmd('COPY', 'z', 'z3', 'DB', '99')), 'ERR DB index is out of range');
    assert.equal(errText(await c.cmd('COPY', 'z', 'z3', 'BOGUS')), 'ERR syntax error');
  });
});

test('SWAPDB swaps two databases, DBSIZE counts keys, FLUSHDB and FLUSHALL empty one or all (SYNC or ASYNC)', async () => {
  await withServer(async (c) => {
    await c.cmd('SELECT', '1');
    await c.cmd('MSET', 'x', '1', 'y', '2');
    await c.cmd('SELECT', '0');
    assert.equal(await c.cmd('DBSIZE'), 0);
    assert.equal(await c.cmd('SWAPDB', '0', '1'), 'OK');
    assert.equal(await c.cmd('GET', 'x'), '1');
    assert.equal(await c.cmd('DBSIZE'), 2);
    assert.equal(errText(await c.cmd('SWAPDB', '0', '99')), 'ERR DB index is out of range');
    assert.equal(errText(await c.cmd('SWAPDB', 'x', '1')), 'ERR invalid first DB index');
    assert.equal(errText(await c.cmd('SWAPDB', '0', 'x')), 'ERR invalid second DB index');
    await c.cmd('SELECT', '2');
    await c.cmd('SET', 'z', '3');
    assert.equal(await c.cmd('FLUSHDB'), 'OK');
    assert.equal(await c.cmd('DBSIZE'), 0);
    await c.cmd('SET', 'z', '3');
    assert.equal(await c.cmd('FLUSHDB', 'ASYNC'), 'OK');
    assert.equal(await c.cmd('DBSIZE'), 0);
    await c.cmd('SELECT', '0');
    assert.equal(await c.cmd('DBSIZE'), 2, 'FLUSHDB empties only its own database');
    assert.equal(errText(await c.cmd('FLUSHDB', 'BOGUS')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('FLUSHALL', 'ASYNC', 'BOGUS')), 'ERR syntax error');
    assert.equal(await c.cmd('FLUSHALL', 'SYNC'), 'OK');
    assert.equal(await c.cmd('DBSIZE'), 0);
  });
});

test('OBJECT ENCODING, REFCOUNT, IDLETIME (on the fake clock) and FREQ (under an LFU policy) describe a value; HELP lists them', async () => {
  await withClock(async (c, clock) => {
    await c.cmd('SET', 'n', '100');
    await c.cmd('SET', 'big', '12345678901234567890');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'n'), 'int');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'big'), 'embstr');
    assert.equal(await c.cmd('OBJECT', 'REFCOUNT', 'n'), 2147483647, 'a shared integer, as Redis shares 0…9999');
    assert.equal(await c.cmd('OBJECT', 'REFCOUNT', 'big'), 1);
    for (const sub of ['ENCODING', 'REFCOUNT', 'IDLETIME', 'FREQ']) assert.equal(await c.cmd('OBJECT', sub, 'nokey'), null, sub);
    assert.equal(await c.cmd('OBJECT', 'IDLETIME', 'big'), 0);
    clock.advance(125_000);
    assert.equal(await c.cmd('OBJECT', 'IDLETIME', 'big'), 125);
    await c.cmd('GET', 'big');
    assert.equal(await c.cmd('OBJECT', 'IDLETIME', 'big'), 0, 'an access resets the idle time');
    assert.match(
      errText(await c.cmd('OBJECT', 'FREQ', 'big')),
      /^ERR An LFU maxmemory policy is not selected, access frequency not tracked\. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust\.$/,
    );
    await c.cmd('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
    await c.cmd('SET', 'f', 'v');
    assert.equal(await c.cmd('OBJECT', 'FREQ', 'f'), 5, "a new key's counter starts at LFU_INIT_VAL");
    await c.cmd('GET', 'f');
    assert.equal(await c.cmd('OBJECT', 'FREQ', 'f'), 6);
    assert.match(errText(await c.cmd('OBJECT', 'IDLETIME', 'f')), /^ERR An LFU maxmemory policy is selected, idle time not tracked\./);
    assert.equal(errText(await c.cmd('OBJECT', 'BOGUS', 'n')), "ERR unknown subcommand 'BOGUS'. Try OBJECT HELP.");
    const help = (await c.cmd('OBJECT', 'HELP')) as string[];
    assert.equal(help[0], 'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.deepEqual(
      help.filter((l) => !l.startsWith(' ')),
      [help[0], 'ENCODING <key>', 'FREQ <key>', 'IDLETIME <key>', 'REFCOUNT <key>', 'HELP'],
    );
    assert.equal(help.length, 15);
  });
});
