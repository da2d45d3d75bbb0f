/**
 * Hash commands in-process: replies, encodings and their conversion points,
 * the keyspace commands on hash values, dirty counting and what each write
 * propagates. (Byte-for-byte agreement with Redis is the differential test's
 * job; these pin the behaviours down by name.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RespValue } from '../harness/resp.js';
import { errText, fakeClock, recordPropagation, withServer, WRONGTYPE } from '../harness/commands.js';
import net from 'node:net';

/** flat [f, v, …] → sorted "f=v" */
function pairsOf(v: RespValue): string[] {
  const a = v as string[];
  const out: string[] = [];
  for (let i = 0; i < a.length; i += 2) out.push(`${a[i]}=${a[i + 1]}`);
  return out.sort();
}

test('HSET counts new fields, HGET/HMGET/HLEN/HEXISTS/HSTRLEN read them, and a missing key reads as empty', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('HSET', 'h', 'a', '1', 'b', 'hello', 'a', '2'), 2);
    assert.equal(await c.cmd('HSET', 'h', 'a', '3', 'c', ''), 1);
    assert.equal(await c.cmd('HGET', 'h', 'a'), '3');
    assert.equal(await c.cmd('HGET', 'h', 'zz'), null);
    assert.equal(await c.cmd('HGET', 'nokey', 'a'), null);
    assert.deepEqual(await c.cmd('HMGET', 'h', 'a', 'zz', 'c'), ['3', null, '']);
    assert.deepEqual(await c.cmd('HMGET', 'nokey', 'a', 'b'), [null, null]);
    assert.equal(await c.cmd('HLEN', 'h'), 3);
    assert.equal(await c.cmd('HLEN', 'nokey'), 0);
    assert.equal(await c.cmd('HEXISTS', 'h', 'b'), 1);
    assert.equal(await c.cmd('HEXISTS', 'h', 'zz'), 0);
    assert.equal(await c.cmd('HEXISTS', 'nokey', 'b'), 0);
    assert.equal(await c.cmd('HSTRLEN', 'h', 'b'), 5);
    assert.equal(await c.cmd('HSTRLEN', 'h', 'zz'), 0);
    assert.equal(await c.cmd('HSTRLEN', 'nokey', 'b'), 0);
    assert.equal(await c.cmd('TYPE', 'h'), 'hash');
  });
});

test('HMSET answers OK; HSET and HMSET with a field lacking its value are arity errors', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('HMSET', 'h', 'a', '1', 'b', '2'), 'OK');
    assert.deepEqual(await c.cmd('HMGET', 'h', 'a', 'b'), ['1', '2']);
    assert.equal(errText(await c.cmd('HSET', 'h', 'a', '1', 'b')), "ERR wrong number of arguments for 'hset' command");
    assert.equal(errText(await c.cmd('HMSET', 'h', 'a')), "ERR wrong number of arguments for 'hmset' command");
    assert.equal(await c.cmd('HLEN', 'h'), 2);
  });
});

test('every hash command on a string key answers WRONGTYPE and changes nothing', async () => {
  await withServer(async (c) => {
    await c.cmd('SET', 's', 'v');
    const cmds = [
      ['HSET', 's', 'a', '1'],
      ['HMSET', 's', 'a', '1'],
      ['HSETNX', 's', 'a', '1'],
      ['HGET', 's', 'a'],
      ['HMGET', 's', 'a'],
      ['HDEL', 's', 'a'],
      ['HLEN', 's'],
      ['HSTRLEN', 's', 'a'],
      ['HEXISTS', 's', 'a'],
      ['HKEYS', 's'],
      ['HVALS', 's'],
      ['HGETALL', 's'],
      ['HINCRBY', 's', 'a', '1'],
      ['HINCRBYFLOAT', 's', 'a', '1'],
      ['HRANDFIELD', 's'],
      ['HRANDFIELD', 's', '0'],
      ['HRANDFIELD', 's', '2', 'WITHVALUES'],
      ['HSCAN', 's', '0'],
    ];
    for (const cmd of cmds) assert.equal(errText(await c.cmd(...cmd)), WRONGTYPE, cmd.join(' '));
    assert.equal(await c.cmd('GET', 's'), 'v');
  });
});

test('a listpack hash replies in insertion order: an overwrite keeps its place, a re-added field moves to the end', async () => {
  await withServer(async (c) => {
    await c.cmd('HSET', 'h', 'z', '1', 'a', '2', 'm', '3');
    await c.cmd('HSET', 'h', 'z', '9');
    await c.cmd('HDEL', 'h', 'a');
    await c.cmd('HSET', 'h', 'a', '4');
    assert.deepEqual(await c.cmd('HGETALL', 'h'), ['z', '9', 'm', '3', 'a', '4']);
    assert.deepEqual(await c.cmd('HKEYS', 'h'), ['z', 'm', 'a']);
    assert.deepEqual(await c.cmd('HVALS', 'h'), ['9', '3', '4']);
    assert.deepEqual(await c.cmd('HSCAN', 'h', '0'), ['0', ['z', '9', 'm', '3', 'a', '4']]);
    assert.deepEqual(await c.cmd('HGETALL', 'nokey'), []);
    assert.deepEqual(await c.cmd('HKEYS', 'nokey'), []);
  });
});

test('HGETALL replies with a RESP3 map (an empty map for a missing key); HKEYS and HVALS stay arrays', async () => {
  await withServer(async (c) => {
    await c.cmd('HELLO', '3');
    await c.cmd('HSET', 'h', 'a', '1', 'b', '2');
    assert.equal((await c.call('HGETALL', 'h')).raw, '%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n');
    assert.equal((await c.call('HGETALL', 'nokey')).raw, '%0\r\n');
    assert.equal((await c.call('HKEYS', 'h')).raw, '*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    assert.equal((await c.call('HVALS', 'nokey')).raw, '*0\r\n');
  });
});

test('a hash converts to hashtable on a value or field longer than hash-max-listpack-value, and never back', async () => {
  await withServer(async (c) => {
    await c.cmd('HSET', 'h', 'a', 'x'.repeat(64));
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'listpack');
    await c.cmd('HSET', 'h', 'b', 'x'.repeat(65));
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'hashtable');
    await c.cmd('HDEL', 'h', 'b');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'hashtable');
    await c.cmd('HSET', 'k', 'f'.repeat(65), '1');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'k'), 'hashtable');
    // HMSET checks every argument before inserting
    await c.cmd('HMSET', 'm', 'a', '1', 'b', 'y'.repeat(65));
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'm'), 'hashtable');
    assert.deepEqual(pairsOf(await c.cmd('HGETALL', 'm')), ['a=1', `b=${'y'.repeat(65)}`]);
  });
});

test('a hash converts on the insert that takes it past hash-max-listpack-entries, not on an overwrite', async () => {
  await withServer(async (c) => {
    await c.cmd('CONFIG', 'SET', 'hash-max-listpack-entries', '3');
    await c.cmd('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    await c.cmd('HSET', 'h', 'c', '4');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'listpack');
    await c.cmd('HSETNX', 'h', 'd', '5');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'hashtable');
    assert.deepEqual(pairsOf(await c.cmd('HGETALL', 'h')), ['a=1', 'b=2', 'c=4', 'd=5']);
    await c.cmd('CONFIG', 'SET', 'hash-max-listpack-entries', '0');
    await c.cmd('HSET', 'z', 'a', '1');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'z'), 'hashtable');
  });
});

test('HSETNX sets only a missing field, and a long value for an existing field does not convert', async () => {
  await withServer(async (c, srv) => {
    const propagated = recordPropagation(srv);
    assert.equal(await c.cmd('HSETNX', 'h', 'a', '1'), 1);
    assert.equal(await c.cmd('HSETNX', 'h', 'a', 'x'.repeat(100)), 0);
    assert.equal(await c.cmd('HGET', 'h', 'a'), '1');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'listpack');
    assert.equal(await c.cmd('HSETNX', 'h', 'b', 'x'.repeat(100)), 1);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'hashtable');
    assert.deepEqual(propagated, [
      ['HSETNX', 'h', 'a', '1'],
      ['HSETNX', 'h', 'b', 'x'.repeat(100)],
    ]);
  });
});

test('HINCRBY adds in int64 with Redis errors, and a long field converts the hash', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('HINCRBY', 'h', 'n', '5'), 5);
    assert.equal(await c.cmd('HINCRBY', 'h', 'n', '-7'), -2);
    await c.cmd('HSET', 'h', 'big', '9223372036854775806', 's', 'abc', 'e', '', 'sp', ' 1');
    assert.equal(await c.cmd('HINCRBY', 'h', 'big', '1'), 9223372036854775807n);
    assert.equal(errText(await c.cmd('HINCRBY', 'h', 'big', '1')), 'ERR increment or decrement would overflow');
    assert.equal(await c.cmd('HINCRBY', 'h', 'big', '-9223372036854775807'), 0);
    for (const f of ['s', 'e', 'sp']) assert.equal(errText(await c.cmd('HINCRBY', 'h', f, '1')), 'ERR hash value is not an integer');
    assert.equal(errText(await c.cmd('HINCRBY', 'h', 'n', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(errText(await c.cmd('HINCRBY', 'nokey', 'n', '1.5')), 'ERR value is not an integer or out of range');
    assert.equal(await c.cmd('EXISTS', 'nokey'), 0);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'listpack');
    await c.cmd('HINCRBY', 'h', 'f'.repeat(65), '1');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'hashtable');
  });
});

test('HINCRBYFLOAT computes in long double, refuses NaN and infinities, and propagates as HSET of the result', async () => {
  await withServer(async (c, srv) => {
    const propagated = recordPropagation(srv);
    await c.cmd('HSET', 'h', 'f', '10.5', 's', 'abc', 'i', '10');
    assert.equal(await c.cmd('HINCRBYFLOAT', 'h', 'f', '0.1'), '10.6');
    assert.equal(await c.cmd('HINCRBYFLOAT', 'h', 'i', '0x10'), '26');
    assert.equal(await c.cmd('HINCRBYFLOAT', 'h', 'new', '3.0e0'), '3');
    assert.equal(await c.cmd('HINCRBYFLOAT', 'h', 'new', '1000'), '1003');
    assert.equal(errText(await c.cmd('HINCRBYFLOAT', 'h', 's', '1')), 'ERR hash value is not a float');
    assert.equal(errText(await c.cmd('HINCRBYFLOAT', 'h', 'f', 'x')), 'ERR value is not a valid float');
    assert.equal(errText(await c.cmd('HINCRBYFLOAT', 'h', 'f', 'inf')), 'ERR value is NaN or Infinity');
    assert.equal(errText(await c.cmd('HINCRBYFLOAT', 'h', 'f', 'nan')), 'ERR value is not a valid float');
    await c.cmd('HINCRBYFLOAT', 'h', 'top', '1e4932');
    assert.equal(errText(await c.cmd('HINCRBYFLOAT', 'h', 'top', '1.1e4932')), 'ERR increment would produce NaN or Infinity');
    // the 4933-digit result is longer than hash-max-listpack-value
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'hashtable');
    assert.equal(propagated.length, 6, 'errors propagate nothing');
    assert.deepEqual(propagated.slice(1, 5), [
      ['HSET', 'h', 'f', '10.6'],
      ['HSET', 'h', 'i', '26'],
      ['HSET', 'h', 'new', '3'],
      ['HSET', 'h', 'new', '1003'],
    ]);
  });
});

test('HDEL counts removed fields and deletes the key with its last field', async () => {
  await withServer(async (c) => {
    await c.cmd('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    assert.equal(await c.cmd('HDEL', 'h', 'a', 'zz', 'a'), 1);
    assert.equal(await c.cmd('HDEL', 'nokey', 'a'), 0);
    assert.equal(await c.cmd('HDEL', 'h', 'b', 'c'), 2);
    assert.equal(await c.cmd('EXISTS', 'h'), 0);
    assert.equal(await c.cmd('TYPE', 'h'), 'none');
    await c.cmd('CONFIG', 'SET', 'hash-max-listpack-entries', '1');
    await c.cmd('HSET', 't', 'a', '1', 'b', '2');
    assert.equal(await c.cmd('HDEL', 't', 'a', 'b'), 2);
    assert.equal(await c.cmd('EXISTS', 't'), 0);
  });
});

test('dirty counts one change per HSET pair and per field deleted, none for a write that changes nothing', async () => {
  await withServer(async (c, srv) => {
    const propagated = recordPropagation(srv);
    const dirty = () => srv.server.ks.dirty;
    let d = dirty();
    await c.cmd('HSET', 'h', 'a', '1', 'b', '2', 'a', '3');
    assert.equal(dirty() - d, 3);
    d = dirty();
    await c.cmd('HDEL', 'h', 'a', 'b', 'zz');
    assert.equal(dirty() - d, 2);
    d = dirty();
    await c.cmd('HSET', 'h', 'a', '1');
    await c.cmd('HSETNX', 'h', 'a', '2');
    await c.cmd('HDEL', 'h', 'zz');
    await c.cmd('HINCRBY', 'h', 'a', 'x');
    assert.equal(dirty() - d, 1);
    assert.deepEqual(propagated.at(-1), ['HSET', 'h', 'a', '1']);
  });
});

/** HRANDFIELD's reply as [field, value|null] pairs, checking the RESP2/RESP3 shape. */
function randPairs(v: RespValue, withValues: boolean, resp: 2 | 3): [string, string | null][] {
  assert.ok(Array.isArray(v));
  if (!withValues) return v.map((x) => [String(x), null]);
  if (resp === 3) {
    return v.map((x) => {
      assert.ok(Array.isArray(x) && x.length === 2, 'RESP3 WITHVALUES entries are 2-element arrays');
      return [String(x[0]), String(x[1])];
    });
  }
  const out: [string, string | null][] = [];
  for (let i = 0; i < v.length; i += 2) out.push([String(v[i]), String(v[i + 1])]);
  return out;
}

test('HRANDFIELD returns distinct fields for a positive count and repeats for a negative one, in every case of both encodings', async () => {
  await withServer(async (c) => {
    for (const [key, n] of [
      ['small', 10],
      ['big', 600],
    ] as const) {
      const args: string[] = ['HSET', key];
      for (let i = 0; i < n; i++) args.push(`f${i}`, `v${i}`);
      await c.cmd(...args);
      assert.equal(await c.cmd('OBJECT', 'ENCODING', key), n === 10 ? 'listpack' : 'hashtable');
      for (const resp of [2, 3] as const) {
        await c.cmd('HELLO', String(resp));
        // case 1 (negative), case 2 (count >= size), case 3 (count*3 > size), case 4 (few of many), count 1
        for (const count of [-25, n + 5, n - 1, Math.floor(n / 5), 1, -1]) {
          for (const withValues of [false, true]) {
            const v = await c.cmd('HRANDFIELD', key, String(count), ...(withValues ? ['WITHVALUES'] : []));
            const ps = randPairs(v, withValues, resp);
            assert.equal(ps.length, count < 0 ? -count : Math.min(count, n));
            for (const [f, val] of ps) {
              assert.match(f, /^f\d+$/);
              if (withValues) assert.equal(val, 'v' + f.slice(1));
            }
            if (count > 0) assert.equal(new Set(ps.map((p) => p[0])).size, ps.length);
          }
        }
        const one = await c.cmd('HRANDFIELD', key);
        assert.match(String(one), /^f\d+$/);
      }
      await c.cmd('HELLO', '2');
    }
  });
});

test('HRANDFIELD with a negative count eventually picks every field, and a count of 0 or a missing key gives an empty array', async () => {
  await withServer(async (c) => {
    await c.cmd('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    const seen = new Set((await c.cmd('HRANDFIELD', 'h', '-300')) as string[]);
    assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
    assert.equal((await c.call('HRANDFIELD', 'h', '0', 'WITHVALUES')).raw, '*0\r\n');
    assert.equal((await c.call('HRANDFIELD', 'nokey', '5')).raw, '*0\r\n');
    assert.equal(await c.cmd('HRANDFIELD', 'nokey'), null);
    assert.equal((await c.call('HRANDFIELD', 'h', '9223372036854775807')).raw.slice(0, 4), '*3\r\n');
  });
});

test('HRANDFIELD validates the count, then the option, then the WITHVALUES range, before looking at the key', async () => {
  await withServer(async (c) => {
    await c.cmd('SET', 's', 'v');
    assert.equal(errText(await c.cmd('HRANDFIELD', 's', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(errText(await c.cmd('HRANDFIELD', 's', '-9223372036854775808')), 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    assert.equal(errText(await c.cmd('HRANDFIELD', 's', '1', 'WITHVALUE')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('HRANDFIELD', 's', '1', 'WITHVALUES', 'x')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('HRANDFIELD', 's', '4611686018427387904', 'WITHVALUES')), 'ERR value is out of range');
    assert.equal(errText(await c.cmd('HRANDFIELD', 's', '-4611686018427387904', 'withvalues')), 'ERR value is out of range');
    assert.equal(errText(await c.cmd('HRANDFIELD', 's', '0')), WRONGTYPE);
  });
});

test('a full HSCAN of a hashtable returns every pair; a missing key answers before the options are checked', async () => {
  await withServer(async (c) => {
    const args = ['HSET', 'h'];
    for (let i = 0; i < 1000; i++) args.push(`f${i}`, `v${i}`);
    await c.cmd(...args);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'hashtable');
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = (await c.cmd('HSCAN', 'h', cursor, 'COUNT', '37')) as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    assert.equal(seen.size, 1000);
    assert.equal(seen.get('f999'), 'v999');
    assert.ok(calls > 5, 'COUNT bounds each step');
    const [, matched] = (await c.cmd('HSCAN', 'h', '0', 'MATCH', 'f99?', 'COUNT', '100000')) as [string, string[]];
    assert.deepEqual(pairsOf(matched), Array.from({ length: 10 }, (_, i) => `f99${i}=v99${i}`).sort());
    assert.deepEqual(await c.cmd('HSCAN', 'nokey', '0', 'COUNT', '0'), ['0', []]);
    assert.equal(errText(await c.cmd('HSCAN', 'h', '0', 'COUNT', '0')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('HSCAN', 'nokey', 'x')), 'ERR invalid cursor');
    assert.deepEqual(await c.cmd('HSCAN', 'nokey', '-1'), ['0', []]);
  });
});

test('COPY duplicates a hash independently, and RENAME, MOVE, DEL, EXPIRE work on hashes of both encodings', async () => {
  await withServer(async (c) => {
    await c.cmd('HSET', 'lp', 'a', '1', 'b', '2');
    const args = ['HSET', 'ht'];
    for (let i = 0; i < 600; i++) args.push(`f${i}`, `v${i}`);
    await c.cmd(...args);
    for (const [k, enc] of [
      ['lp', 'listpack'],
      ['ht', 'hashtable'],
    ]) {
      assert.equal(await c.cmd('COPY', k, `${k}-copy`), 1);
      assert.equal(await c.cmd('OBJECT', 'ENCODING', `${k}-copy`), enc);
      await c.cmd('HSET', `${k}-copy`, 'a', 'changed', 'new', 'x');
      await c.cmd('HDEL', `${k}-copy`, 'b', 'f1');
      assert.equal(await c.cmd('HGET', k, 'a'), k === 'lp' ? '1' : null);
      assert.equal(await c.cmd('HEXISTS', k, 'new'), 0);
      assert.equal(await c.cmd('HLEN', k), k === 'lp' ? 2 : 600);
      assert.equal(await c.cmd('COPY', k, 'other', 'DB', '1'), 1);
      assert.equal(await c.cmd('RENAME', k, `${k}-renamed`), 'OK');
      assert.equal(await c.cmd('HLEN', `${k}-renamed`), k === 'lp' ? 2 : 600);
      assert.equal(await c.cmd('OBJECT', 'ENCODING', `${k}-renamed`), enc);
      assert.equal(await c.cmd('EXPIRE', `${k}-renamed`, '100'), 1);
      assert.equal(await c.cmd('MOVE', `${k}-renamed`, '2'), 1);
      await c.cmd('SELECT', '2');
      assert.equal(await c.cmd('TYPE', `${k}-renamed`), 'hash');
      assert.equal(await c.cmd('TTL', `${k}-renamed`), 100);
      assert.equal(await c.cmd('DEL', `${k}-renamed`), 1);
      await c.cmd('SELECT', '1');
      assert.equal(await c.cmd('HLEN', 'other'), k === 'lp' ? 2 : 600);
      await c.cmd('DEL', 'other');
      await c.cmd('SELECT', '0');
    }
  });
});

test('a hash with a TTL disappears once its time has passed', async () => {
  await withServer(async (c, srv) => {
    const clock = fakeClock(srv);
    await c.cmd('HSET', 'h', 'a', '1');
    assert.equal(await c.cmd('EXPIRE', 'h', '10'), 1);
    await c.cmd('HSET', 'h', 'b', '2');
    assert.equal(await c.cmd('TTL', 'h'), 10);
    clock.advance(10_000);
    assert.equal(await c.cmd('HGET', 'h', 'a'), null);
    assert.equal(await c.cmd('HLEN', 'h'), 0);
    assert.equal(await c.cmd('HSET', 'h', 'c', '3'), 1);
    assert.equal(await c.cmd('TTL', 'h'), -1);
    assert.deepEqual(await c.cmd('HGETALL', 'h'), ['c', '3']);
  });
});

test('hash writes send hset, hincrby, hincrbyfloat and hdel events, and del when the last field goes', async () => {
  await withServer(async (c, srv) => {
    const events: string[] = [];
    srv.server.ks.notifyHook = (_type, event, key) => events.push(`${event}:${key}`);
    await c.cmd('CONFIG', 'SET', 'notify-keyspace-events', 'KEAn');
    await c.cmd('HSET', 'h', 'a', '1');
    await c.cmd('HSETNX', 'h', 'a', '2');
    await c.cmd('HINCRBY', 'h', 'n', '1');
    await c.cmd('HINCRBYFLOAT', 'h', 'n', '0.5');
    await c.cmd('HDEL', 'h', 'zz');
    await c.cmd('HDEL', 'h', 'a', 'n');
    assert.deepEqual(events, ['new:h', 'hset:h', 'hincrby:h', 'hincrbyfloat:h', 'hdel:h', 'del:h']);
  });
});

test('HRANDFIELD with a huge negative count stops at the normal output limit and its client is closed without a partial reply; others go on', async () => {
  await withServer(async (c, srv) => {
    await c.cmd('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0');
    await c.cmd('HSET', 'h', 'a', '1', 'b', '2');
    const sock = net.connect(srv.port, '127.0.0.1');
    let got = '';
    sock.on('data', (d) => (got += d.toString('latin1')));
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.write('*3\r\n$10\r\nHRANDFIELD\r\n$1\r\nh\r\n$20\r\n-4611686018427387903\r\n');
    await closed;
    assert.equal(got, '');
    assert.equal(await c.cmd('PING'), 'PONG');
    await c.cmd('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
  });
});
