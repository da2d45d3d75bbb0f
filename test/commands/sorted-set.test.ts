/**
 * Sorted-set commands in process: replies (RESP2 and RESP3), encodings and
 * their conversions, the generic commands on zset keys, propagation, and the
 * blocking pops with several TCP clients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errText, fakeClock, raw, recordPropagation, withClients, withServer } from '../harness/commands.js';

test('ZADD adds, updates and counts with NX, XX, GT, LT, CH and INCR as Redis does', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('ZADD', 'z', '1', 'a', '2', 'b'), 2);
    assert.equal(await c.cmd('ZADD', 'z', 'NX', '5', 'a', '3', 'c'), 1);
    assert.equal(await c.cmd('ZSCORE', 'z', 'a'), '1');
    assert.equal(await c.cmd('ZADD', 'z', 'XX', 'CH', '5', 'a', '9', 'new'), 1);
    assert.equal(await c.cmd('ZSCORE', 'z', 'new'), null);
    assert.equal(await c.cmd('ZADD', 'z', 'GT', 'CH', '4', 'a', '7', 'b'), 1);
    assert.equal(await c.cmd('ZADD', 'z', 'LT', 'CH', '6', 'a', '1', 'b'), 1);
    assert.deepEqual(await c.cmd('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), ['b', '1', 'c', '3', 'a', '5']);
    assert.equal(await c.cmd('ZADD', 'z', 'INCR', '2.5', 'a'), '7.5');
    assert.equal(await c.cmd('ZADD', 'z', 'INCR', 'GT', '-1', 'a'), null);
    assert.equal(await c.cmd('ZINCRBY', 'z', '-inf', 'a'), '-inf');
    assert.equal(await raw(c, 'ZINCRBY', 'z', '+inf', 'a'), '-ERR resulting score is not a number (NaN)\r\n');
    assert.equal(await raw(c, 'ZADD', 'z', 'NX', 'XX', '1', 'a'), '-ERR XX and NX options at the same time are not compatible\r\n');
    assert.equal(await raw(c, 'ZADD', 'z', 'GT', 'LT', '1', 'a'), '-ERR GT, LT, and/or NX options at the same time are not compatible\r\n');
    assert.equal(await raw(c, 'ZADD', 'z', 'INCR', '1', 'a', '2', 'b'), '-ERR INCR option supports a single increment-element pair\r\n');
    assert.equal(await raw(c, 'ZADD', 'z', 'nan', 'a'), '-ERR value is not a valid float\r\n');
    assert.equal(await raw(c, 'ZADD', 'z', '1e400', 'a'), '-ERR value is not a valid float\r\n');
    assert.equal(await raw(c, 'ZADD', 'z', '1', 'a', '2'), '-ERR syntax error\r\n');
    // hex floats are read as strtod reads them
    assert.equal(await c.cmd('ZADD', 'z', '0x10', 'hex'), 1);
    assert.equal(await c.cmd('ZSCORE', 'z', 'hex'), '16');
    // a failed ZADD changed nothing
    assert.equal(await c.cmd('ZCARD', 'z'), 4);
  });
});

test('scores reply in Redis 7.0 form (%.17g) as bulk strings in RESP2 and doubles in RESP3', async () => {
  await withServer(async (c) => {
    await c.cmd('ZADD', 'z', '1.1', 'a', '-0.5', 'b', 'inf', 'c');
    assert.equal(await raw(c, 'ZSCORE', 'z', 'a'), '$18\r\n1.1000000000000001\r\n');
    assert.equal(await raw(c, 'ZMSCORE', 'z', 'c', 'x'), '*2\r\n$3\r\ninf\r\n$-1\r\n');
    assert.equal(await raw(c, 'ZRANGE', 'z', '0', '0', 'WITHSCORES'), '*2\r\n$1\r\nb\r\n$4\r\n-0.5\r\n');
    assert.equal(await raw(c, 'ZPOPMIN', 'z', '1'), '*2\r\n$1\r\nb\r\n$4\r\n-0.5\r\n');
    await c.cmd('HELLO', '3');
    assert.equal(await raw(c, 'ZSCORE', 'z', 'a'), ',1.1000000000000001\r\n');
    assert.equal(await raw(c, 'ZRANGE', 'z', '0', '-1', 'WITHSCORES'), '*2\r\n*2\r\n$1\r\na\r\n,1.1000000000000001\r\n*2\r\n$1\r\nc\r\n,inf\r\n');
    // ZPOPMIN without a count stays flat; with a count it nests pairs
    assert.equal(await raw(c, 'ZPOPMAX', 'z'), '*2\r\n$1\r\nc\r\n,inf\r\n');
    assert.equal(await raw(c, 'ZPOPMAX', 'z', '1'), '*1\r\n*2\r\n$1\r\na\r\n,1.1000000000000001\r\n');
    assert.equal(await raw(c, 'ZSCORE', 'z', 'a'), '_\r\n');
    assert.equal(await raw(c, 'ZMPOP', '1', 'z', 'MIN'), '_\r\n');
  });
});

test('ZRANGE reads ranks, scores and lex ranges with REV, LIMIT and exclusive bounds', async () => {
  await withServer(async (c) => {
    await c.cmd('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
    assert.deepEqual(await c.cmd('ZRANGE', 'z', '-2', '-1'), ['d', 'e']);
    assert.deepEqual(await c.cmd('ZRANGE', 'z', '0', '1', 'REV'), ['e', 'd']);
    assert.deepEqual(await c.cmd('ZRANGE', 'z', '(1', '4', 'BYSCORE', 'LIMIT', '1', '2'), ['c', 'd']);
    assert.deepEqual(await c.cmd('ZRANGE', 'z', '+inf', '(3', 'BYSCORE', 'REV'), ['e', 'd']);
    assert.deepEqual(await c.cmd('ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', '-1', '3'), []);
    assert.deepEqual(await c.cmd('ZREVRANGEBYSCORE', 'z', '5', '1', 'LIMIT', '3', '-1'), ['b', 'a']);
    assert.equal(await c.cmd('ZCOUNT', 'z', '(1', '(5'), 3);
    await c.cmd('ZADD', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd');
    assert.deepEqual(await c.cmd('ZRANGEBYLEX', 'l', '(a', '[c'), ['b', 'c']);
    assert.deepEqual(await c.cmd('ZREVRANGEBYLEX', 'l', '+', '(b'), ['d', 'c']);
    assert.deepEqual(await c.cmd('ZRANGE', 'l', '[b', '+', 'BYLEX', 'LIMIT', '1', '1'), ['c']);
    assert.equal(await c.cmd('ZLEXCOUNT', 'l', '-', '+'), 4);
    assert.equal(await c.cmd('ZLEXCOUNT', 'l', '+', '-'), 0);
    assert.equal(await raw(c, 'ZRANGE', 'z', '0', '-1', 'LIMIT', '0', '1'), '-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n');
    assert.equal(await raw(c, 'ZRANGE', 'l', '-', '+', 'BYLEX', 'WITHSCORES'), '-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n');
    assert.equal(await raw(c, 'ZRANGEBYSCORE', 'z', 'nan', '1'), '-ERR min or max is not a float\r\n');
    assert.equal(await raw(c, 'ZRANGEBYLEX', 'l', 'a', '+'), '-ERR min or max not valid string range item\r\n');
    assert.equal(await c.cmd('ZRANK', 'z', 'c'), 2);
    assert.equal(await c.cmd('ZREVRANK', 'z', 'c'), 2);
    assert.equal(await c.cmd('ZRANK', 'z', 'nope'), null);
  });
});

test('ZRANGESTORE and ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE store results (sets as score 1) and delete an empty destination', async () => {
  await withServer(async (c) => {
    await c.cmd('ZADD', 'a', '1', 'x', '2', 'y', '3', 'z');
    await c.cmd('ZADD', 'b', '10', 'y', '20', 'z', '30', 'w');
    await c.cmd('SADD', 's', 'x', 'w');
    assert.equal(await c.cmd('ZRANGESTORE', 'd', 'a', '1', '-1'), 2);
    assert.deepEqual(await c.cmd('ZRANGE', 'd', '0', '-1', 'WITHSCORES'), ['y', '2', 'z', '3']);
    assert.equal(await c.cmd('ZUNIONSTORE', 'u', '3', 'a', 'b', 's', 'WEIGHTS', '1', '2', '100'), 4);
    assert.deepEqual(await c.cmd('ZRANGE', 'u', '0', '-1', 'WITHSCORES'), ['y', '22', 'z', '43', 'x', '101', 'w', '160']);
    assert.equal(await c.cmd('ZINTERSTORE', 'i', '2', 'a', 'b', 'AGGREGATE', 'MAX'), 2);
    assert.deepEqual(await c.cmd('ZRANGE', 'i', '0', '-1', 'WITHSCORES'), ['y', '10', 'z', '20']);
    assert.deepEqual(await c.cmd('ZDIFF', '2', 'a', 'b', 'WITHSCORES'), ['x', '1']);
    assert.deepEqual(await c.cmd('ZINTER', '2', 's', 'a', 'WITHSCORES'), ['x', '2']);
    assert.equal(await c.cmd('ZINTERCARD', '2', 'a', 'b', 'LIMIT', '1'), 1);
    assert.equal(await c.cmd('ZDIFFSTORE', 'd', '2', 'a', 'a'), 0);
    assert.equal(await c.cmd('EXISTS', 'd'), 0);
    assert.equal(await c.cmd('ZRANGESTORE', 'i', 'a', '5', '9'), 0);
    assert.equal(await c.cmd('EXISTS', 'i'), 0);
    assert.equal(await raw(c, 'ZUNIONSTORE', 'u', '0', 'a'), "-ERR at least 1 input key is needed for 'zunionstore' command\r\n");
    await c.cmd('SET', 'str', 'v');
    assert.equal(await raw(c, 'ZUNION', '2', 'a', 'str'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
  });
});

test('encodings: listpack up to zset-max-listpack-entries/value, skiplist after, never back; store results sized to fit', async () => {
  await withServer(async (c) => {
    await c.cmd('CONFIG', 'SET', 'zset-max-listpack-entries', '3', 'zset-max-listpack-value', '5');
    await c.cmd('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'z'), 'listpack');
    await c.cmd('ZADD', 'z', '4', 'd');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'z'), 'skiplist');
    await c.cmd('ZREM', 'z', 'c', 'd');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'z'), 'skiplist');
    await c.cmd('ZADD', 'long', '1', 'abcdef');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'long'), 'skiplist');
    await c.cmd('ZADD', 'long2', '1', 'a');
    await c.cmd('ZADD', 'long2', '1', 'abcdef');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'long2'), 'skiplist');
    // a result of two short members is stored as a listpack, from a skiplist source
    await c.cmd('ZUNIONSTORE', 'u', '1', 'z');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'u'), 'listpack');
    await c.cmd('ZRANGESTORE', 'r', 'z', '0', '-1');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'r'), 'listpack');
    await c.cmd('ZRANGESTORE', 'r', 'long2', '0', '-1');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'r'), 'skiplist');
    await c.cmd('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
    await c.cmd('ZADD', 'zero', '1', 'a');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'zero'), 'skiplist');
  });
});

test('TYPE, COPY, RENAME, MOVE, EXPIRE and DEL work on sorted sets; a copy is independent; an emptied zset is deleted', async () => {
  await withServer(async (c, srv) => {
    const clock = fakeClock(srv);
    for (const limit of ['128', '0']) {
      await c.cmd('FLUSHALL');
      await c.cmd('CONFIG', 'SET', 'zset-max-listpack-entries', limit);
      await c.cmd('ZADD', 'z', '1', 'a', '2', 'b');
      assert.equal(await c.cmd('TYPE', 'z'), 'zset');
      assert.equal(await c.cmd('COPY', 'z', 'c'), 1);
      await c.cmd('ZADD', 'c', '9', 'a');
      assert.equal(await c.cmd('ZSCORE', 'z', 'a'), '1');
      assert.equal(await c.cmd('OBJECT', 'ENCODING', 'c'), await c.cmd('OBJECT', 'ENCODING', 'z'));
      assert.equal(await c.cmd('RENAME', 'c', 'r'), 'OK');
      assert.deepEqual(await c.cmd('ZRANGE', 'r', '0', '-1'), ['b', 'a']);
      assert.equal(await c.cmd('MOVE', 'r', '1'), 1);
      await c.cmd('SELECT', '1');
      assert.equal(await c.cmd('ZCARD', 'r'), 2);
      await c.cmd('SELECT', '0');
      assert.equal(await c.cmd('EXPIRE', 'z', '10'), 1);
      clock.advance(11_000);
      assert.equal(await c.cmd('ZCARD', 'z'), 0);
      assert.equal(await c.cmd('EXISTS', 'z'), 0);
      await c.cmd('ZADD', 'e', '1', 'a', '2', 'b', '3', 'c');
      assert.equal(await c.cmd('ZREM', 'e', 'a'), 1);
      assert.equal(await c.cmd('ZREMRANGEBYSCORE', 'e', '2', '2'), 1);
      assert.deepEqual(await c.cmd('ZPOPMIN', 'e'), ['c', '3']);
      assert.equal(await c.cmd('EXISTS', 'e'), 0);
      await c.cmd('ZADD', 'e', '1', 'a');
      assert.equal(await c.cmd('ZREMRANGEBYLEX', 'e', '-', '+'), 1);
      assert.equal(await c.cmd('EXISTS', 'e'), 0);
      await c.cmd('ZADD', 'e', '1', 'a');
      assert.equal(await c.cmd('ZREMRANGEBYRANK', 'e', '0', '-1'), 1);
      assert.equal(await c.cmd('DEL', 'e', 'r'), 0);
    }
  });
});

test('ZRANDMEMBER returns distinct members for a positive count, repeats for a negative one, the whole set highest first when asked for more', async () => {
  await withServer(async (c) => {
    const ms = Array.from({ length: 200 }, (_, i) => [String(i), `m${i}`]).flat();
    await c.cmd('ZADD', 'big', ...ms);
    await c.cmd('ZADD', 'small', '1', 'a', '2', 'b', '3', 'c');
    for (const k of ['big', 'small']) {
      const n = k === 'big' ? 200 : 3;
      const some = (await c.cmd('ZRANDMEMBER', k, '2')) as string[];
      assert.equal(new Set(some).size, 2);
      const reps = (await c.cmd('ZRANDMEMBER', k, '-500')) as string[];
      assert.equal(reps.length, 500);
      const all = (await c.cmd('ZRANDMEMBER', k, String(n + 5))) as string[];
      assert.deepEqual(all, ((await c.cmd('ZRANGE', k, '0', '-1')) as string[]).reverse());
      const ws = (await c.cmd('ZRANDMEMBER', k, '2', 'WITHSCORES')) as string[];
      assert.equal(ws.length, 4);
      assert.equal(await c.cmd('ZSCORE', k, ws[0]), ws[1]);
      const many = (await c.cmd('ZRANDMEMBER', k, String(n - 1))) as string[];
      assert.equal(new Set(many).size, n - 1);
    }
    assert.equal(await raw(c, 'ZRANDMEMBER', 'small', '4611686018427387904', 'WITHSCORES'), '-ERR value is out of range\r\n');
    assert.equal(await raw(c, 'ZRANDMEMBER', 'nokey', '3'), '*0\r\n');
  });
});

test('ZSCAN returns a listpack whole and walks a skiplist with a cursor until every member was seen', async () => {
  await withServer(async (c) => {
    await c.cmd('ZADD', 'small', '1', 'a', '2.5', 'b');
    assert.deepEqual(await c.cmd('ZSCAN', 'small', '0', 'COUNT', '1'), ['0', ['a', '1', 'b', '2.5']]);
    const ms = Array.from({ length: 300 }, (_, i) => [String(i / 2), `m${i}`]).flat();
    await c.cmd('ZADD', 'big', ...ms);
    const seen = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, items] = (await c.cmd('ZSCAN', 'big', cursor, 'COUNT', '20')) as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
    } while (cursor !== '0');
    assert.equal(seen.size, 300);
    assert.equal(seen.get('m3'), '1.5');
    assert.equal(await raw(c, 'ZSCAN', 'nokey', '0', 'BAD'), '*2\r\n$1\r\n0\r\n*0\r\n');
  });
});

test('ZMPOP, ZPOPMIN and served blocking pops propagate as ZPOPMIN/ZPOPMAX with a count', async () => {
  await withServer(async (c, srv) => {
    const log = recordPropagation(srv);
    await c.cmd('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    await c.cmd('ZMPOP', '2', 'none', 'z', 'MAX', 'COUNT', '2');
    await c.cmd('BZPOPMIN', 'none', 'z', '0');
    await c.cmd('BZMPOP', '0', '1', 'z', 'MIN');
    await c.cmd('ZPOPMIN', 'none');
    assert.deepEqual(log.slice(1), [
      ['ZPOPMAX', 'z', '2'],
      ['ZPOPMIN', 'z'],
      ['ZPOPMIN', 'z', '1'],
    ]);
  });
});

test('blocked BZPOPMIN clients are served first come, first served when ZADD fills the key', async () => {
  await withClients(4, async ([c, a, b, d]) => {
    const pa = a.call('BZPOPMIN', 'k1', 'k', '0');
    await c.cmd('PING');
    const pb = b.call('BZPOPMAX', 'k', '0');
    await c.cmd('PING');
    const pd = d.call('BZMPOP', '0', '2', 'k2', 'k', 'MIN', 'COUNT', '5');
    await c.cmd('PING');
    assert.equal(await c.cmd('ZADD', 'k', '1', 'x', '2', 'y', '3', 'z', '4', 'w'), 4);
    assert.equal((await pa).raw, '*3\r\n$1\r\nk\r\n$1\r\nx\r\n$1\r\n1\r\n');
    assert.equal((await pb).raw, '*3\r\n$1\r\nk\r\n$1\r\nw\r\n$1\r\n4\r\n');
    assert.equal((await pd).raw, '*2\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n*2\r\n$1\r\nz\r\n$1\r\n3\r\n');
    assert.equal(await c.cmd('EXISTS', 'k'), 0);
  });
});

test('a blocking pop times out with a null array; ZUNIONSTORE creating the key wakes a blocked client', async () => {
  await withClients(2, async ([c, a]) => {
    const t0 = Date.now();
    assert.equal((await a.call('BZPOPMIN', 'k', '0.1')).raw, '*-1\r\n');
    assert.ok(Date.now() - t0 >= 90);
    assert.equal((await a.call('BZMPOP', '0.05', '1', 'k', 'MAX')).raw, '*-1\r\n');
    await a.cmd('HELLO', '3');
    assert.equal((await a.call('BZPOPMAX', 'k', '0.05')).raw, '_\r\n');
    const p = a.call('BZPOPMAX', 'k', '5');
    await c.cmd('PING');
    await c.cmd('ZADD', 'src', '7', 'm');
    await c.cmd('ZUNIONSTORE', 'k', '1', 'src');
    assert.equal((await p).raw, '*3\r\n$1\r\nk\r\n$1\r\nm\r\n,7\r\n');
  });
});

test('inside MULTI a blocking pop does not block: it answers a null array, or pops when it can', async () => {
  await withServer(async (c) => {
    await c.cmd('ZADD', 'z', '1', 'a');
    await c.cmd('MULTI');
    await c.cmd('BZPOPMIN', 'none', '0');
    await c.cmd('BZMPOP', '0', '1', 'none', 'MIN');
    await c.cmd('BZPOPMAX', 'z', '0');
    assert.equal(await raw(c, 'EXEC'), '*3\r\n*-1\r\n*-1\r\n*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n');
    assert.equal(await raw(c, 'BZPOPMIN', 'z', '-1'), '-ERR timeout is negative\r\n');
    assert.equal(await raw(c, 'BZPOPMIN', 'z', 'x'), '-ERR timeout is not a float or out of range\r\n');
    assert.equal(await raw(c, 'BZMPOP', 'x', '0', 'z', 'MIN'), '-ERR numkeys should be greater than 0\r\n');
  });
});

test('a client blocked on a key that holds another type stays blocked until a zset arrives', async () => {
  await withClients(2, async ([c, a]) => {
    const p = a.call('BZPOPMIN', 'k', '0');
    await c.cmd('PING');
    await c.cmd('SADD', 'k', 'x');
    await c.cmd('DEL', 'k');
    await c.cmd('ZADD', 'k', '5', 'm');
    assert.equal((await p).raw, '*3\r\n$1\r\nk\r\n$1\r\nm\r\n$1\r\n5\r\n');
  });
});

test('ZRANDMEMBER, SRANDMEMBER and HRANDFIELD check their count as Redis: ±LONG_MAX, ±LONG_MAX/2 with pairs, after the syntax', async () => {
  await withServer(async (c) => {
    await c.cmd('ZADD', 'z', '1', 'a');
    await c.cmd('SADD', 's', 'a');
    await c.cmd('HSET', 'h', 'a', '1');
    const longRange = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
    for (const [cmd, key, pairs] of [
      ['ZRANDMEMBER', 'z', 'WITHSCORES'],
      ['SRANDMEMBER', 's', null],
      ['HRANDFIELD', 'h', 'WITHVALUES'],
    ] as const) {
      assert.equal(errText(await c.cmd(cmd, key, '-9223372036854775808')), longRange, cmd);
      assert.equal(errText(await c.cmd(cmd, key, '9223372036854775808')), 'ERR value is not an integer or out of range', cmd);
      assert.equal(errText(await c.cmd(cmd, 'nokey', '-9223372036854775808')), longRange, `${cmd}: the count is checked before the key`);
      if (pairs === null) continue;
      assert.equal(errText(await c.cmd(cmd, key, '-9223372036854775808', pairs)), longRange, cmd);
      assert.equal(errText(await c.cmd(cmd, key, '-9223372036854770000', pairs)), 'ERR value is out of range', cmd);
      assert.equal(errText(await c.cmd(cmd, key, '4611686018427387904', pairs)), 'ERR value is out of range', cmd);
      assert.equal(errText(await c.cmd(cmd, key, '4611686018427387904', 'nosuch')), 'ERR syntax error', `${cmd}: the syntax comes first`);
      assert.equal(errText(await c.cmd(cmd, key, 'x', 'nosuch')), 'ERR value is not an integer or out of range', `${cmd}: the count comes first`);
      assert.equal(((await c.cmd(cmd, key, '4611686018427387903', pairs)) as unknown[]).length, 2, `${cmd}: LONG_MAX/2 is a legal count`);
    }
  });
});
