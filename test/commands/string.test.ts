/**
 * The string family (t_string.c) in-process, on a fake clock: each command's
 * replies and errors, the expiry options of SET, SETEX, PSETEX and GETEX with
 * exact TTLs (time moves only when the test moves it), and the forms writes
 * propagate in (absolute PXAT times, INCRBYFLOAT as SET KEEPTTL). Every
 * expectation was read from a redis-server 7.0.15.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errText, recordPropagation, withClock, withServer, WRONGTYPE } from '../harness/commands.js';

test('GET reads a string, nil for a missing key, WRONGTYPE for another type; SET replaces any value', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('GET', 'k'), null);
    assert.equal(await c.cmd('SET', 'k', 'v'), 'OK');
    assert.equal(await c.cmd('GET', 'k'), 'v');
    assert.equal(await c.cmd('SET', 'k', ''), 'OK');
    assert.equal(await c.cmd('GET', 'k'), '');
    await c.cmd('LPUSH', 'l', 'a');
    assert.equal(errText(await c.cmd('GET', 'l')), WRONGTYPE);
    assert.equal(await c.cmd('SET', 'l', 'now a string'), 'OK');
    assert.equal(await c.cmd('GET', 'l'), 'now a string');
    const bin = '\x00\xff\r\n';
    assert.equal(await c.cmd('SET', 'b', bin), 'OK');
    assert.equal(await c.cmd('GET', 'b'), bin);
  });
});

test('SET NX and XX set only a missing or an existing key; GET returns the old value, and WRONGTYPE aborts the SET', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('SET', 'k', 'v', 'XX'), null);
    assert.equal(await c.cmd('EXISTS', 'k'), 0);
    assert.equal(await c.cmd('SET', 'k', 'v', 'NX'), 'OK');
    assert.equal(await c.cmd('SET', 'k', 'w', 'NX'), null);
    assert.equal(await c.cmd('SET', 'k', 'w', 'XX'), 'OK');
    assert.equal(await c.cmd('SET', 'k', 'x', 'GET'), 'w');
    assert.equal(await c.cmd('SET', 'k', 'y', 'NX', 'GET'), 'x', 'NX GET: not set, the old value returned');
    assert.equal(await c.cmd('GET', 'k'), 'x');
    assert.equal(await c.cmd('SET', 'new', 'v', 'GET'), null);
    await c.cmd('LPUSH', 'l', 'a');
    assert.equal(errText(await c.cmd('SET', 'l', 'v', 'GET')), WRONGTYPE);
    assert.equal(await c.cmd('TYPE', 'l'), 'list');
    assert.equal(errText(await c.cmd('SET', 'k', 'v', 'NX', 'XX')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('SET', 'k', 'v', 'BOGUS')), 'ERR syntax error');
  });
});

test('SET EX, PX, EXAT and PXAT set exact TTLs on the fake clock; KEEPTTL keeps one; bad times are refused', async () => {
  await withClock(async (c, clock) => {
    assert.equal(await c.cmd('SET', 'k', 'v', 'EX', '100'), 'OK');
    assert.equal(await c.cmd('PTTL', 'k'), 100_000);
    clock.advance(40_000);
    assert.equal(await c.cmd('TTL', 'k'), 60);
    assert.equal(await c.cmd('SET', 'k', 'w', 'KEEPTTL'), 'OK');
    assert.equal(await c.cmd('PTTL', 'k'), 60_000);
    assert.equal(await c.cmd('SET', 'k', 'x'), 'OK');
    assert.equal(await c.cmd('TTL', 'k'), -1, 'a plain SET clears the TTL');
    assert.equal(await c.cmd('SET', 'k', 'v', 'PX', '1500'), 'OK');
    assert.equal(await c.cmd('PTTL', 'k'), 1500);
    clock.advance(1500);
    assert.equal(await c.cmd('GET', 'k'), null, 'gone once its time has come');
    const at = clock.now() + 30_000;
    assert.equal(await c.cmd('SET', 'k', 'v', 'PXAT', String(at)), 'OK');
    assert.equal(await c.cmd('PEXPIRETIME', 'k'), at);
    assert.equal(await c.cmd('SET', 'k', 'v', 'EXAT', String(Math.floor(at / 1000) + 10)), 'OK');
    assert.equal(await c.cmd('EXPIRETIME', 'k'), Math.floor(at / 1000) + 10);
    for (const bad of [
      ['EX', '0'],
      ['PX', '-1'],
      ['EXAT', '0'],
      ['EX', '9223372036854775807'],
    ]) {
      assert.equal(errText(await c.cmd('SET', 'k', 'v', ...bad)), "ERR invalid expire time in 'set' command", bad.join(' '));
    }
    assert.equal(errText(await c.cmd('SET', 'k', 'v', 'EX', 'abc')), 'ERR value is not an integer or out of range');
    assert.equal(errText(await c.cmd('SET', 'k', 'v', 'KEEPTTL', 'EX', '10')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('SET', 'k', 'v', 'EX', '10', 'PX', '10')), 'ERR syntax error');
    assert.equal(await c.cmd('EXPIRETIME', 'k'), Math.floor(at / 1000) + 10, 'a refused SET changed nothing');
  });
});

test('SETEX and PSETEX set a value with a TTL, SETNX only a missing key', async () => {
  await withClock(async (c) => {
    assert.equal(await c.cmd('SETEX', 'k', '10', 'v'), 'OK');
    assert.equal(await c.cmd('PTTL', 'k'), 10_000);
    assert.equal(await c.cmd('PSETEX', 'k', '2500', 'w'), 'OK');
    assert.equal(await c.cmd('PTTL', 'k'), 2500);
    assert.equal(await c.cmd('GET', 'k'), 'w');
    assert.equal(errText(await c.cmd('SETEX', 'k', '0', 'v')), "ERR invalid expire time in 'setex' command");
    assert.equal(errText(await c.cmd('PSETEX', 'k', '-5', 'v')), "ERR invalid expire time in 'psetex' command");
    assert.equal(errText(await c.cmd('SETEX', 'k', 'x', 'v')), 'ERR value is not an integer or out of range');
    assert.equal(errText(await c.cmd('SETEX', 'k', '10')), "ERR wrong number of arguments for 'setex' command");
    assert.equal(await c.cmd('SETNX', 'k', 'z'), 0);
    assert.equal(await c.cmd('GET', 'k'), 'w');
    assert.equal(await c.cmd('SETNX', 'n', 'z'), 1);
    assert.equal(await c.cmd('GET', 'n'), 'z');
    assert.equal(await c.cmd('TTL', 'n'), -1);
  });
});

test('GETEX reads a value and sets, changes or drops its TTL; GETDEL reads and deletes; GETSET swaps', async () => {
  await withClock(async (c, clock) => {
    await c.cmd('SET', 'k', 'v');
    assert.equal(await c.cmd('GETEX', 'k'), 'v');
    assert.equal(await c.cmd('TTL', 'k'), -1);
    assert.equal(await c.cmd('GETEX', 'k', 'EX', '50'), 'v');
    assert.equal(await c.cmd('TTL', 'k'), 50);
    assert.equal(await c.cmd('GETEX', 'k', 'PX', '700'), 'v');
    assert.equal(await c.cmd('PTTL', 'k'), 700);
    assert.equal(await c.cmd('GETEX', 'k', 'PXAT', String(clock.now() + 9000)), 'v');
    assert.equal(await c.cmd('PTTL', 'k'), 9000);
    assert.equal(await c.cmd('GETEX', 'k', 'EXAT', String(Math.floor(clock.now() / 1000) + 20)), 'v');
    assert.equal(await c.cmd('TTL', 'k'), 20);
    assert.equal(await c.cmd('GETEX', 'k', 'PERSIST'), 'v');
    assert.equal(await c.cmd('TTL', 'k'), -1);
    assert.equal(await c.cmd('GETEX', 'nokey', 'EX', '5'), null);
    assert.equal(errText(await c.cmd('GETEX', 'k', 'EX', '5', 'PX', '5')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('GETEX', 'k', 'KEEPTTL')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('GETEX', 'k', 'EX', '0')), "ERR invalid expire time in 'getex' command");
    assert.equal(await c.cmd('GETDEL', 'k'), 'v');
    assert.equal(await c.cmd('GETDEL', 'k'), null);
    assert.equal(await c.cmd('EXISTS', 'k'), 0);
    await c.cmd('SET', 'n', 'z', 'EX', '10');
    assert.equal(await c.cmd('GETSET', 'n', 'a'), 'z');
    assert.equal(await c.cmd('TTL', 'n'), -1, 'GETSET drops the TTL, as SET does');
    assert.equal(await c.cmd('GETSET', 'n2', 'a'), null);
    assert.equal(await c.cmd('GET', 'n2'), 'a');
    await c.cmd('LPUSH', 'l', 'x');
    for (const cmd of [
      ['GETEX', 'l'],
      ['GETDEL', 'l'],
      ['GETSET', 'l', 'v'],
    ])
      assert.equal(errText(await c.cmd(...cmd)), WRONGTYPE, cmd[0]);
  });
});

test('MSET sets every pair, MSETNX all or none, MGET reads nil for a missing key or another type', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('MSET', 'a', '1', 'b', '2'), 'OK');
    assert.equal(errText(await c.cmd('MSET', 'a', '1', 'b')), "ERR wrong number of arguments for 'mset' command");
    assert.equal(errText(await c.cmd('MSETNX', 'a', '1', 'b')), "ERR wrong number of arguments for 'msetnx' command");
    assert.equal(await c.cmd('MSETNX', 'a', 'x', 'c', '3'), 0);
    assert.equal(await c.cmd('EXISTS', 'c'), 0, 'none is set when one exists');
    assert.equal(await c.cmd('MSETNX', 'c', '3', 'd', '4'), 1);
    await c.cmd('LPUSH', 'l', 'x');
    assert.deepEqual(await c.cmd('MGET', 'a', 'l', 'nokey', 'd'), ['1', null, null, '4']);
  });
});

test('APPEND, STRLEN, GETRANGE (and SUBSTR) and SETRANGE work on bytes, padding with zero bytes', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('APPEND', 's', 'hello'), 5);
    assert.equal(await c.cmd('APPEND', 's', ' world'), 11);
    assert.equal(await c.cmd('STRLEN', 's'), 11);
    assert.equal(await c.cmd('STRLEN', 'nokey'), 0);
    assert.equal(await c.cmd('GETRANGE', 's', '0', '4'), 'hello');
    assert.equal(await c.cmd('GETRANGE', 's', '-5', '-1'), 'world');
    assert.equal(await c.cmd('GETRANGE', 's', '5', '2'), '');
    assert.equal(await c.cmd('GETRANGE', 's', '0', '9223372036854775807'), 'hello world');
    assert.equal(await c.cmd('GETRANGE', 'nokey', '0', '-1'), '');
    assert.equal(await c.cmd('SUBSTR', 's', '6', '100'), 'world');
    assert.equal(errText(await c.cmd('GETRANGE', 's', 'a', '1')), 'ERR value is not an integer or out of range');
    assert.equal(await c.cmd('SETRANGE', 's', '6', 'W'), 11);
    assert.equal(await c.cmd('GET', 's'), 'hello World');
    assert.equal(await c.cmd('SETRANGE', 'new', '3', 'ab'), 5);
    assert.equal(await c.cmd('GET', 'new'), '\x00\x00\x00ab');
    assert.equal(await c.cmd('SETRANGE', 'empty', '0', ''), 0);
    assert.equal(await c.cmd('EXISTS', 'empty'), 0, 'an empty SETRANGE creates no key');
    assert.equal(errText(await c.cmd('SETRANGE', 's', '-1', 'x')), 'ERR offset is out of range');
    assert.equal(errText(await c.cmd('SETRANGE', 's', '536870912', 'x')), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 's'), 'raw');
    await c.cmd('LPUSH', 'l', 'x');
    for (const cmd of [
      ['APPEND', 'l', 'x'],
      ['STRLEN', 'l'],
      ['GETRANGE', 'l', '0', '1'],
      ['SETRANGE', 'l', '0', 'x'],
    ]) {
      assert.equal(errText(await c.cmd(...cmd)), WRONGTYPE, cmd[0]);
    }
  });
});

test('INCR, INCRBY, DECR and DECRBY count in 64 bits, refuse non-integers and overflow', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('INCR', 'i'), 1);
    await c.cmd('SET', 'i', '10');
    assert.equal(await c.cmd('INCR', 'i'), 11);
    assert.equal(await c.cmd('INCRBY', 'i', '-20'), -9);
    assert.equal(await c.cmd('DECR', 'i'), -10);
    assert.equal(await c.cmd('DECRBY', 'i', '5'), -15);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'i'), 'int');
    assert.equal(errText(await c.cmd('INCRBY', 'i', 'abc')), 'ERR value is not an integer or out of range');
    await c.cmd('SET', 's', 'hello');
    assert.equal(errText(await c.cmd('INCR', 's')), 'ERR value is not an integer or out of range');
    await c.cmd('SET', 's', ' 1');
    assert.equal(errText(await c.cmd('INCR', 's')), 'ERR value is not an integer or out of range');
    await c.cmd('SET', 'big', '9223372036854775807');
    assert.equal(errText(await c.cmd('INCR', 'big')), 'ERR increment or decrement would overflow');
    assert.equal(await c.cmd('GET', 'big'), '9223372036854775807');
    assert.equal(await c.cmd('DECRBY', 'big', '9223372036854775807'), 0);
    assert.equal(errText(await c.cmd('DECRBY', 'i', '-9223372036854775808')), 'ERR decrement would overflow');
    await c.cmd('LPUSH', 'l', 'x');
    assert.equal(errText(await c.cmd('INCR', 'l')), WRONGTYPE);
  });
});

test('INCRBYFLOAT adds in long double precision and prints as Redis does; NaN and Infinity are refused', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('INCRBYFLOAT', 'f', '10.5'), '10.5');
    assert.equal(await c.cmd('INCRBYFLOAT', 'f', '1e2'), '110.5');
    assert.equal(await c.cmd('INCRBYFLOAT', 'f', '-110.5'), '0');
    await c.cmd('SET', 'ff', '3.0e3');
    assert.equal(await c.cmd('INCRBYFLOAT', 'ff', '0.1'), '3000.10000000000000009');
    assert.equal(errText(await c.cmd('INCRBYFLOAT', 'f', 'abc')), 'ERR value is not a valid float');
    assert.equal(errText(await c.cmd('INCRBYFLOAT', 'f', 'inf')), 'ERR increment would produce NaN or Infinity');
    await c.cmd('SET', 's', 'x');
    assert.equal(errText(await c.cmd('INCRBYFLOAT', 's', '1')), 'ERR value is not a valid float');
  });
});

test('LCS gives the longest common subsequence, its length, or the matching ranges', async () => {
  await withServer(async (c) => {
    await c.cmd('MSET', 'l1', 'ohmytext', 'l2', 'mynewtext');
    assert.equal(await c.cmd('LCS', 'l1', 'l2'), 'mytext');
    assert.equal(await c.cmd('LCS', 'l1', 'l2', 'LEN'), 6);
    assert.deepEqual(await c.cmd('LCS', 'l1', 'l2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'), ['matches', [[[4, 7], [5, 8], 4]], 'len', 6]);
    assert.deepEqual(await c.cmd('LCS', 'l1', 'l2', 'IDX'), [
      'matches',
      [
        [
          [4, 7],
          [5, 8],
        ],
        [
          [2, 3],
          [0, 1],
        ],
      ],
      'len',
      6,
    ]);
    assert.equal(await c.cmd('LCS', 'l1', 'nokey'), '');
    assert.equal(errText(await c.cmd('LCS', 'l1', 'l2', 'LEN', 'IDX')), 'ERR If you want both the length and indexes, please just use IDX.');
    await c.cmd('LPUSH', 'l', 'x');
    assert.equal(errText(await c.cmd('LCS', 'l1', 'l')), 'ERR The specified keys must contain string values');
  });
});

test('string writes propagate deterministically: relative times as PXAT, INCRBYFLOAT as SET KEEPTTL, GETEX as PEXPIREAT or PERSIST', async () => {
  await withClock(async (c, clock, srv) => {
    const prop = recordPropagation(srv);
    const now = clock.now();
    await c.cmd('SET', 'k', 'v', 'EX', '10');
    await c.cmd('SETEX', 'k2', '5', 'v');
    await c.cmd('PSETEX', 'k3', '500', 'v');
    await c.cmd('INCRBYFLOAT', 'f', '1.5');
    await c.cmd('GETEX', 'k', 'PX', '100');
    await c.cmd('GETEX', 'k', 'PERSIST');
    await c.cmd('GETEX', 'k');
    await c.cmd('GET', 'k');
    await c.cmd('SET', 'k', 'v', 'NX');
    assert.deepEqual(prop, [
      ['SET', 'k', 'v', 'PXAT', String(now + 10_000)],
      ['SET', 'k2', 'v', 'PXAT', String(now + 5000)],
      ['SET', 'k3', 'v', 'PXAT', String(now + 500)],
      ['SET', 'f', '1.5', 'KEEPTTL'],
      ['PEXPIREAT', 'k', String(now + 100)],
      ['PERSIST', 'k'],
    ]);
  });
});
