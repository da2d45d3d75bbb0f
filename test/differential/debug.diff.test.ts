/**
 * DEBUG subcommands against Redis: the same replies and errors for every
 * argument form the suite and client libraries use, DEBUG OBJECT's fields
 * (all but the address and the LRU clock) for every type and encoding, and
 * lists that keep their elements whatever DEBUG QUICKLIST-PACKED-THRESHOLD
 * says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedPair } from './runner.js';

const sp = sharedPair({ 'enable-debug-command': 'yes' });

const setup: string[][] = [
  ['FLUSHALL'],
  ['SET', 'int', '123'],
  ['SET', 'bigint', '12345678901'],
  ['SET', 'emb', 'hello'],
  ['SET', 'long', 'a'.repeat(100)],
  ['SET', 'rand', 'x7Kq!z0-Pw9'.repeat(4)],
  ['RPUSH', 'list', 'a', 'b', 'c', '1', '2', 'x'.repeat(300)],
  ['HSET', 'hlp', 'a', '1', 'b', '2'],
  ['ZADD', 'zlp', '1', 'a', '2.5', 'b'],
  ['SADD', 'sint', '1', '2', '3'],
  ['SADD', 'sht', 'a', 'b'],
];

test('DEBUG OBJECT, LISTPACK, QUICKLIST, QUICKLIST-PACKED-THRESHOLD, STRINGMATCH-TEST and CHANGE-REPL-ID reply as Redis', { skip: sp.skip }, async () => {
  const { g, r } = sp.p;
  for (const cmd of setup) await Promise.all([g.call(...cmd), r.call(...cmd)]);
  const forms: string[][] = [
    ['DEBUG', 'LISTPACK', 'hlp'],
    ['DEBUG', 'LISTPACK', 'zlp'],
    ['DEBUG', 'LISTPACK', 'list'],
    ['DEBUG', 'LISTPACK', 'emb'],
    ['DEBUG', 'LISTPACK', 'nokey'],
    ['DEBUG', 'LISTPACK'],
    ['DEBUG', 'QUICKLIST', 'list'],
    ['DEBUG', 'QUICKLIST', 'list', '1'],
    ['DEBUG', 'QUICKLIST', 'hlp'],
    ['DEBUG', 'QUICKLIST', 'nokey'],
    ['DEBUG', 'QUICKLIST', 'list', '1', 'x'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5gb'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '4gb'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', 'abc'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '-1'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1.5'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1b'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '3KB'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
    ['DEBUG', 'STRINGMATCH-TEST'],
    ['DEBUG', 'STRINGMATCH-TEST', 'x'],
    ['DEBUG', 'CHANGE-REPL-ID'],
    ['DEBUG', 'CHANGE-REPL-ID', 'x'],
    ['DEBUG', 'OBJECT', 'nokey'],
    ['DEBUG', 'HTSTATS', '16'],
    ['DEBUG', 'HTSTATS', 'x'],
    ['DEBUG', 'HTSTATS'],
    ['DEBUG', 'HTSTATS-KEY', 'sint'],
    ['DEBUG', 'HTSTATS-KEY', 'hlp'],
    ['DEBUG', 'HTSTATS-KEY', 'nokey'],
    ['DEBUG', 'HTSTATS-KEY', 'list'],
    ['DEBUG', 'HTSTATS-KEY', 'a', 'b'],
  ];
  for (const f of forms) {
    const [a, b] = await Promise.all([g.call(...f), r.call(...f)]);
    assert.equal(a.raw, b.raw, JSON.stringify(f));
  }
  const strip = (s: unknown): string =>
    String(s)
      .replace(/at:0x[0-9a-f]+ /, '')
      .replace(/ lru:\d+ lru_seconds_idle:\d+/, '');
  for (const key of ['int', 'bigint', 'emb', 'long', 'rand', 'list', 'hlp', 'zlp', 'sint', 'sht']) {
    const [a, b] = await Promise.all([g.cmd('DEBUG', 'OBJECT', key), r.cmd('DEBUG', 'OBJECT', key)]);
    assert.equal(strip(a), strip(b), `DEBUG OBJECT ${key}`);
  }
  const replid = async (c: typeof g): Promise<string> => /master_replid:(\w+)/.exec(String(await c.cmd('INFO', 'replication')))![1];
  const before = await replid(g);
  assert.equal(await g.cmd('DEBUG', 'CHANGE-REPL-ID'), 'OK');
  assert.notEqual(await replid(g), before, 'a new replication ID');
});

test('lists hold the same elements as in Redis whatever the packed threshold, and survive DEBUG RELOAD', { skip: sp.skip }, async () => {
  const { g, r } = sp.p;
  const big = 'e'.repeat(50);
  const seq: string[][] = [
    ['FLUSHALL'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5b'],
    ['RPUSH', 'l', 'aa', 'bb', 'cc', 'dd', 'ee'],
    ['LSET', 'l', '2', big],
    ['LSET', 'l', '0', big],
    ['LSET', 'l', '0', 'z'],
    ['LINSERT', 'l', 'BEFORE', 'dd', big],
    ['LINSERT', 'l', 'AFTER', big, 'q'],
    ['LREM', 'l', '1', big],
    ['LPOS', 'l', big],
    ['LMOVE', 'l', 'm', 'RIGHT', 'LEFT'],
    ['LTRIM', 'l', '1', '-1'],
    ['DEBUG', 'RELOAD'],
    ['LRANGE', 'l', '0', '-1'],
    ['LRANGE', 'm', '0', '-1'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1b'],
    ['LPUSH', 'l', '', 'x'],
    ['LINDEX', 'l', '1'],
    ['RPOP', 'l', '3'],
    ['LRANGE', 'l', '0', '-1'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
    ['LRANGE', 'l', '0', '-1'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5b'],
    ['RPUSH', 'd', 'aa', 'bbbbbbb', 'cc', '123456', 'x'.repeat(40), '', 'dd'],
    ['DUMP', 'd'],
    ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'],
  ];
  for (const cmd of seq) {
    const [a, b] = await Promise.all([g.call(...cmd), r.call(...cmd)]);
    assert.equal(a.raw, b.raw, JSON.stringify(cmd));
  }
});
