/**
 * Set commands in-process: replies, encodings, the keyspace commands on set
 * values, and what each write propagates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errText, fakeClock, recordPropagation, withServer, WRONGTYPE } from '../harness/commands.js';

test('SADD counts new members, SMEMBERS of an intset is ascending, and SCARD/SISMEMBER/SMISMEMBER answer membership', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('SADD', 's', '10', '-3', '7', '10'), 3);
    assert.equal(await c.cmd('SADD', 's', '7'), 0);
    assert.deepEqual(await c.cmd('SMEMBERS', 's'), ['-3', '7', '10']);
    assert.equal(await c.cmd('SCARD', 's'), 3);
    assert.equal(await c.cmd('SCARD', 'nokey'), 0);
    assert.equal(await c.cmd('SISMEMBER', 's', '7'), 1);
    assert.equal(await c.cmd('SISMEMBER', 's', '07'), 0);
    assert.deepEqual(await c.cmd('SMISMEMBER', 's', '7', 'x', '-3'), [1, 0, 1]);
    assert.deepEqual(await c.cmd('SMISMEMBER', 'nokey', 'a'), [0]);
    assert.deepEqual(await c.cmd('SMEMBERS', 'nokey'), []);
  });
});

test('a set is an intset until a non-integer member or set-max-intset-entries+1 members, and never converts back', async () => {
  await withServer(async (c) => {
    await c.cmd('CONFIG', 'SET', 'set-max-intset-entries', '3');
    await c.cmd('SADD', 'a', '1', '2', '3');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'a'), 'intset');
    await c.cmd('SADD', 'a', '4');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'a'), 'hashtable');
    await c.cmd('SREM', 'a', '4', '3');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'a'), 'hashtable');
    for (const m of ['007', '-0', '+1', '1.0', 'x', '9223372036854775808']) {
      await c.cmd('DEL', 'b');
      await c.cmd('SADD', 'b', '1', m);
      assert.equal(await c.cmd('OBJECT', 'ENCODING', 'b'), 'hashtable', m);
    }
    await c.cmd('DEL', 'b');
    await c.cmd('SADD', 'b', '-9223372036854775808', '9223372036854775807');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'b'), 'intset');
    assert.deepEqual(await c.cmd('SMEMBERS', 'b'), ['-9223372036854775808', '9223372036854775807']);
  });
});

test('SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count reply with a RESP3 set; SRANDMEMBER with a count with an array', async () => {
  await withServer(async (c) => {
    await c.cmd('HELLO', '3');
    await c.cmd('SADD', 's', '1', '2');
    for (const cmd of [
      ['SMEMBERS', 's'],
      ['SINTER', 's'],
      ['SUNION', 's'],
      ['SDIFF', 's'],
    ]) {
      assert.equal((await c.call(...cmd)).raw, '~2\r\n$1\r\n1\r\n$1\r\n2\r\n', cmd[0]);
    }
    assert.equal((await c.call('SMEMBERS', 'nokey')).raw, '~0\r\n');
    assert.equal((await c.call('SINTER', 's', 'nokey')).raw, '~0\r\n');
    assert.equal((await c.call('SRANDMEMBER', 's', '5')).raw, '*2\r\n$1\r\n1\r\n$1\r\n2\r\n');
    assert.equal((await c.call('SRANDMEMBER', 'nokey', '5')).raw, '*0\r\n');
    assert.equal((await c.call('SPOP', 'nokey', '5')).raw, '~0\r\n');
    assert.equal((await c.call('SPOP', 'nokey')).raw, '_\r\n');
    assert.equal((await c.call('SPOP', 's', '5')).raw, '~2\r\n$1\r\n1\r\n$1\r\n2\r\n');
  });
});

test('SREM deletes the emptied set and SMOVE moves a member, creating the destination with its own encoding', async () => {
  await withServer(async (c) => {
    await c.cmd('SADD', 'src', 'a', '1');
    assert.equal(await c.cmd('SMOVE', 'src', 'dst', '1'), 1);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'dst'), 'intset');
    assert.equal(await c.cmd('SMOVE', 'src', 'dst', 'nope'), 0);
    assert.equal(await c.cmd('SMOVE', 'src', 'src', 'a'), 1);
    assert.equal(await c.cmd('SMOVE', 'src', 'src', 'b'), 0);
    assert.equal(await c.cmd('SMOVE', 'src', 'dst', 'a'), 1);
    assert.equal(await c.cmd('EXISTS', 'src'), 0);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'dst'), 'hashtable');
    assert.equal(await c.cmd('SREM', 'dst', 'a', 'x', '1'), 2);
    assert.equal(await c.cmd('EXISTS', 'dst'), 0);
    assert.equal(await c.cmd('SREM', 'dst', 'a'), 0);
  });
});

test('SMOVE from a missing key answers 0 before checking types; WRONGTYPE for a string source or destination', async () => {
  await withServer(async (c) => {
    await c.cmd('SET', 'str', 'x');
    await c.cmd('SADD', 's', '1');
    assert.equal(await c.cmd('SMOVE', 'nokey', 'str', '1'), 0);
    assert.equal(errText(await c.cmd('SMOVE', 's', 'str', '1')), WRONGTYPE);
    assert.equal(errText(await c.cmd('SMOVE', 'str', 's', '1')), WRONGTYPE);
    for (const cmd of [
      ['SADD', 'str', 'a'],
      ['SREM', 'str', 'a'],
      ['SCARD', 'str'],
      ['SISMEMBER', 'str', 'a'],
      ['SMISMEMBER', 'str', 'a'],
      ['SMEMBERS', 'str'],
      ['SPOP', 'str'],
      ['SRANDMEMBER', 'str'],
      ['SSCAN', 'str', '0'],
      ['SINTERCARD', '1', 'str'],
    ]) {
      assert.equal(errText(await c.cmd(...cmd)), WRONGTYPE, cmd[0]);
    }
    // 7.0 type-checks every key, even after a missing one
    assert.equal(errText(await c.cmd('SINTER', 's', 'nokey', 'str')), WRONGTYPE);
    assert.equal(errText(await c.cmd('SUNION', 'nokey', 'str')), WRONGTYPE);
    assert.equal(errText(await c.cmd('SDIFF', 'nokey', 'str')), WRONGTYPE);
  });
});

test('SINTER iterates its smallest set; SINTERSTORE/SUNIONSTORE/SDIFFSTORE store the encoding Redis would and delete the destination on an empty result', async () => {
  await withServer(async (c) => {
    await c.cmd('SADD', 'h', '5', 'a', '1', '3');
    await c.cmd('SADD', 'i', '3', '1', '5', '9');
    await c.cmd('SADD', 'small', '5', '1', '3');
    assert.deepEqual(await c.cmd('SINTER', 'h', 'small'), ['1', '3', '5']);
    assert.equal(await c.cmd('SINTERSTORE', 'd', 'h', 'i'), 3);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'd'), 'intset');
    assert.deepEqual(await c.cmd('SMEMBERS', 'd'), ['1', '3', '5']);
    assert.equal(await c.cmd('SUNIONSTORE', 'u', 'i', 'small'), 4);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'u'), 'intset');
    assert.deepEqual(await c.cmd('SUNION', 'small', 'i'), ['1', '3', '5', '9']);
    assert.equal(await c.cmd('SUNIONSTORE', 'u', 'h', 'i'), 5);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'u'), 'hashtable');
    assert.deepEqual(await c.cmd('SDIFF', 'i', 'h'), ['9']);
    assert.equal(await c.cmd('SDIFFSTORE', 'x', 'h', 'i'), 1);
    assert.deepEqual(await c.cmd('SMEMBERS', 'x'), ['a']);
    await c.cmd('SET', 'str', 'v');
    assert.equal(await c.cmd('SINTERSTORE', 'str', 'h', 'nokey'), 0);
    assert.equal(await c.cmd('EXISTS', 'str'), 0);
    await c.cmd('SET', 'str', 'v', 'EX', '100');
    assert.equal(await c.cmd('SUNIONSTORE', 'str', 'i'), 4);
    assert.equal(await c.cmd('TTL', 'str'), -1);
    assert.equal(await c.cmd('SDIFFSTORE', 'x', 'i', 'i'), 0);
    assert.equal(await c.cmd('EXISTS', 'x'), 0);
  });
});

test('SDIFF with a large first set and small others uses the add-then-remove algorithm, which leaves a hashtable result', async () => {
  await withServer(async (c) => {
    await c.cmd('SADD', 'a', '1', '2', '3', '4', '5', '6', 'x');
    await c.cmd('SADD', 'b', 'x');
    await c.cmd('SADD', 'c', '1');
    await c.cmd('SADD', 'd', '2');
    assert.equal(await c.cmd('SDIFFSTORE', 'r', 'a', 'b', 'c', 'd'), 4);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'r'), 'hashtable');
    assert.equal(await c.cmd('SDIFFSTORE', 'r', 'a', 'b'), 6);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'r'), 'intset');
  });
});

test('SINTERCARD counts the intersection, stops at LIMIT, and validates numkeys and LIMIT as Redis', async () => {
  await withServer(async (c) => {
    await c.cmd('SADD', 'a', '1', '2', '3', '4');
    await c.cmd('SADD', 'b', '2', '3', '4', '5');
    assert.equal(await c.cmd('SINTERCARD', '2', 'a', 'b'), 3);
    assert.equal(await c.cmd('SINTERCARD', '2', 'a', 'b', 'LIMIT', '2'), 2);
    assert.equal(await c.cmd('SINTERCARD', '2', 'a', 'b', 'limit', '0'), 3);
    assert.equal(await c.cmd('SINTERCARD', '1', 'a', 'LIMIT', '1', 'LIMIT', '3'), 3);
    assert.equal(await c.cmd('SINTERCARD', '2', 'a', 'nokey'), 0);
    assert.equal(errText(await c.cmd('SINTERCARD', '0', 'a')), 'ERR numkeys should be greater than 0');
    assert.equal(errText(await c.cmd('SINTERCARD', 'x', 'a')), 'ERR numkeys should be greater than 0');
    assert.equal(errText(await c.cmd('SINTERCARD', '3', 'a', 'b')), "ERR Number of keys can't be greater than number of args");
    assert.equal(errText(await c.cmd('SINTERCARD', '1', 'a', 'LIMIT', '-1')), "ERR LIMIT can't be negative");
    assert.equal(errText(await c.cmd('SINTERCARD', '1', 'a', 'LIMIT', 'x')), "ERR LIMIT can't be negative");
    assert.equal(errText(await c.cmd('SINTERCARD', '1', 'a', 'LIMIT')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('SINTERCARD', '1', 'a', 'b')), 'ERR syntax error');
  });
});

test('SPOP and SRANDMEMBER draw members; counts are validated before the key is looked up', async () => {
  await withServer(async (c) => {
    await c.cmd('SADD', 's', ...Array.from({ length: 20 }, (_, i) => String(i)));
    const pool = new Set(Array.from({ length: 20 }, (_, i) => String(i)));
    const r = (await c.cmd('SRANDMEMBER', 's', '5')) as string[];
    assert.equal(new Set(r).size, 5);
    for (const m of r) assert.ok(pool.has(m));
    const rep = (await c.cmd('SRANDMEMBER', 's', '-50')) as string[];
    assert.equal(rep.length, 50);
    assert.ok(pool.has((await c.cmd('SRANDMEMBER', 's')) as string));
    assert.deepEqual(await c.cmd('SRANDMEMBER', 's', '0'), []);
    assert.equal(errText(await c.cmd('SRANDMEMBER', 'nokey', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(errText(await c.cmd('SRANDMEMBER', 's', '-9223372036854775808')), 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    assert.equal(errText(await c.cmd('SRANDMEMBER', 's', '1', '2')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('SPOP', 'nokey', '-1')), 'ERR value is out of range, must be positive');
    assert.equal(errText(await c.cmd('SPOP', 's', 'x')), 'ERR value is out of range, must be positive');
    assert.equal(errText(await c.cmd('SPOP', 's', '1', '2')), 'ERR syntax error');
    const popped = (await c.cmd('SPOP', 's', '3')) as string[];
    assert.equal(new Set(popped).size, 3);
    assert.equal(await c.cmd('SCARD', 's'), 17);
    for (const m of popped) assert.equal(await c.cmd('SISMEMBER', 's', m), 0);
    // most of the set popped: the survivors move to a new set, the rest comes out ascending
    const most = (await c.cmd('SPOP', 's', '15')) as string[];
    assert.deepEqual(
      most,
      [...most].sort((x, y) => Number(x) - Number(y)),
    );
    assert.equal(await c.cmd('SCARD', 's'), 2);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 's'), 'intset');
  });
});

test('SPOP propagates the members it chose as SREM, or DEL when it takes the whole set; no-ops propagate nothing', async () => {
  await withServer(async (c, srv) => {
    const propagated = recordPropagation(srv);
    await c.cmd('SADD', 's', 'a', 'b', 'c', 'd', 'e', 'f');
    propagated.length = 0;
    const one = (await c.cmd('SPOP', 's')) as string;
    assert.deepEqual(propagated.pop(), ['SREM', 's', one]);
    const two = (await c.cmd('SPOP', 's', '2')) as string[];
    assert.deepEqual(propagated.pop(), ['SREM', 's', ...two]);
    const many = (await c.cmd('SPOP', 's', '2')) as string[];
    assert.deepEqual(propagated.pop(), ['SREM', 's', ...many]);
    await c.cmd('SPOP', 's', '0');
    await c.cmd('SPOP', 'nokey', '3');
    await c.cmd('SREM', 's', 'zzz');
    await c.cmd('SADD', 's', one);
    propagated.length = 0;
    await c.cmd('SADD', 's', one);
    assert.deepEqual(propagated, []);
    await c.cmd('SPOP', 's', '10');
    assert.deepEqual(propagated.pop(), ['DEL', 's']);
    assert.equal(await c.cmd('EXISTS', 's'), 0);
  });
});

test('SSCAN returns a whole intset with cursor 0, walks a hashtable by cursor, and checks the cursor before the key', async () => {
  await withServer(async (c) => {
    await c.cmd('SADD', 'i', '3', '1', '2');
    assert.deepEqual(await c.cmd('SSCAN', 'i', '0', 'COUNT', '1'), ['0', ['1', '2', '3']]);
    assert.deepEqual(await c.cmd('SSCAN', 'i', '99', 'MATCH', '[12]'), ['0', ['1', '2']]);
    assert.deepEqual(await c.cmd('SSCAN', 'nokey', '0', 'COUNT', '0'), ['0', []]);
    assert.equal(errText(await c.cmd('SSCAN', 'nokey', 'x')), 'ERR invalid cursor');
    assert.equal(errText(await c.cmd('SSCAN', 'i', '0', 'COUNT', '0')), 'ERR syntax error');
    const members = Array.from({ length: 300 }, (_, i) => `m:${i}`);
    await c.cmd('SADD', 'h', ...members);
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = (await c.cmd('SSCAN', 'h', cursor, 'COUNT', '20')) as [string, string[]];
      for (const m of items) seen.add(m);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    assert.ok(calls > 5, `walked in steps (${calls} calls)`);
    assert.deepEqual([...seen].sort(), [...members].sort());
  });
});

test('TYPE, COPY, RENAME, MOVE, DEL and EXPIRE work on sets; a copy is independent of its source', async () => {
  await withServer(async (c, srv) => {
    const clock = fakeClock(srv);
    await c.cmd('SADD', 'i', '1', '2');
    await c.cmd('SADD', 'h', 'x', 'y');
    assert.equal(await c.cmd('TYPE', 'i'), 'set');
    assert.equal(await c.cmd('COPY', 'i', 'i2'), 1);
    assert.equal(await c.cmd('COPY', 'h', 'h2'), 1);
    await c.cmd('SADD', 'i2', '3');
    await c.cmd('SREM', 'h2', 'x');
    assert.deepEqual(await c.cmd('SMEMBERS', 'i'), ['1', '2']);
    assert.deepEqual(((await c.cmd('SMEMBERS', 'h')) as string[]).sort(), ['x', 'y']);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'i2'), 'intset');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h2'), 'hashtable');
    assert.equal(await c.cmd('RENAME', 'i2', 'r'), 'OK');
    assert.deepEqual(await c.cmd('SMEMBERS', 'r'), ['1', '2', '3']);
    assert.equal(await c.cmd('MOVE', 'r', '1'), 1);
    await c.cmd('SELECT', '1');
    assert.equal(await c.cmd('SCARD', 'r'), 3);
    await c.cmd('SELECT', '0');
    assert.equal(await c.cmd('EXPIRE', 'h', '10'), 1);
    clock.advance(11_000);
    assert.equal(await c.cmd('SCARD', 'h'), 0);
    assert.equal(await c.cmd('EXISTS', 'h'), 0);
    assert.equal(await c.cmd('DEL', 'i', 'h2'), 2);
    assert.equal(await c.cmd('TYPE', 'i'), 'none');
  });
});

test('writes that change nothing do not count as changes (WATCH stays valid)', async () => {
  await withServer(async (c, srv) => {
    await c.cmd('SADD', 's', '1', '2');
    const dirty = srv.server.ks.dirty;
    await c.cmd('SADD', 's', '1');
    await c.cmd('SREM', 's', '9');
    await c.cmd('SREM', 'nokey', '9');
    await c.cmd('SMOVE', 's', 'd', '9');
    await c.cmd('SPOP', 's', '0');
    await c.cmd('SINTERSTORE', 'none', 's', 'nokey');
    assert.equal(srv.server.ks.dirty, dirty);
    await c.cmd('SADD', 's', '3', '4');
    assert.equal(srv.server.ks.dirty, dirty + 2);
  });
});
