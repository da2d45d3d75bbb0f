/**
 * SORT and SORT_RO in-process: orders, weights from string keys and hash
 * fields, GET, LIMIT, STORE, and Redis's errors and parse order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GkvServer } from '../../src/index.js';
import { QuickList } from '../../src/datatypes/quicklist.js';
import { errText, withServer } from '../harness/commands.js';

/** A list key made directly in the keyspace (independent of the list commands). */
function putList(srv: GkvServer, key: string, items: string[]): void {
  const l = new QuickList();
  for (const v of items) l.pushTail(v);
  srv.server.ks.dbs[0].setKey(key, l);
}

const CONV = "ERR One or more scores can't be converted into double";

test('SORT orders numbers as C strtod reads them, breaking ties by bytes, and DESC reverses', async () => {
  await withServer(async (c, srv) => {
    putList(srv, 'l', ['3', '1', '2', '', ' 4', '0x10', '1.0', 'inf', '-inf']);
    assert.deepEqual(await c.cmd('SORT', 'l'), ['-inf', '', '1', '1.0', '2', '3', ' 4', '0x10', 'inf']);
    assert.deepEqual(await c.cmd('SORT', 'l', 'DESC'), ['inf', '0x10', ' 4', '3', '2', '1.0', '1', '', '-inf']);
    for (const bad of ['abc', 'nan', '1e400', '1e-400', '3 ']) {
      putList(srv, 'b', ['1', bad]);
      assert.equal(errText(await c.cmd('SORT', 'b')), CONV, bad);
    }
  });
});

test('SORT ALPHA compares bytes as strcoll does in the C locale, stopping at a NUL; with STORE the comparison is binary', async () => {
  await withServer(async (c, srv) => {
    await c.cmd('SADD', 's', 'b', 'B', 'a', 'aa', '\xe9');
    assert.deepEqual(await c.cmd('SORT', 's', 'ALPHA'), ['B', 'a', 'aa', 'b', '\xe9']);
    assert.deepEqual(await c.cmd('SORT', 's', 'ALPHA', 'DESC'), ['\xe9', 'b', 'aa', 'a', 'B']);
    putList(srv, 'l', ['a\x00z', 'a\x00b', 'a']);
    // strcoll sees three equal strings "a": input order stays
    assert.deepEqual(await c.cmd('SORT', 'l', 'ALPHA'), ['a\x00z', 'a\x00b', 'a']);
    assert.equal(await c.cmd('SORT', 'l', 'ALPHA', 'STORE', 'd'), 3);
    assert.deepEqual(await c.cmd('SORT', 'd', 'BY', 'nosort'), ['a', 'a\x00b', 'a\x00z']);
  });
});

test('BY reads weights from string keys or hash fields; a missing weight is 0, or first under ALPHA', async () => {
  await withServer(async (c) => {
    await c.cmd('SADD', 's', '1', '2', '3', '4');
    await c.cmd('MSET', 'w_1', '30', 'w_2', '10', 'w_3', '20');
    assert.deepEqual(await c.cmd('SORT', 's', 'BY', 'w_*'), ['4', '2', '3', '1']);
    await c.cmd('HSET', 'h_1', 'f', 'c');
    await c.cmd('HSET', 'h_2', 'f', 'a');
    await c.cmd('HSET', 'h_4', 'f', 'b');
    assert.deepEqual(await c.cmd('SORT', 's', 'BY', 'h_*->f', 'ALPHA'), ['3', '2', '4', '1']);
    assert.deepEqual(await c.cmd('SORT', 's', 'BY', 'h_*->f', 'ALPHA', 'GET', 'h_*->f', 'GET', '#'), [null, '3', 'a', '2', 'b', '4', 'c', '1']);
    // a hash where a string is expected (and the reverse) finds nothing
    assert.deepEqual(await c.cmd('SORT', 's', 'BY', 'h_*', 'GET', 'h_*', 'GET', 'w_*->f', 'LIMIT', '0', '1'), [null, null]);
    await c.cmd('SET', 'w_4', 'heavy');
    assert.equal(errText(await c.cmd('SORT', 's', 'BY', 'w_*')), CONV);
  });
});

test('GET returns # for the element, nil for missing keys and for patterns without a star', async () => {
  await withServer(async (c, srv) => {
    await c.cmd('SADD', 's', '2', '1');
    await c.cmd('SET', 'o_1', 'one');
    assert.deepEqual(await c.cmd('SORT', 's', 'GET', '#', 'GET', 'o_*', 'GET', 'const'), ['1', 'one', null, '2', null, null]);
    await c.cmd('HELLO', '3');
    assert.equal((await c.call('SORT', 's', 'GET', 'o_*')).raw, '*2\r\n$3\r\none\r\n_\r\n');
    await c.cmd('HELLO', '2');
    // "->" with nothing after it is part of the key name
    await c.cmd('SET', 'o_2->', 'arrow');
    assert.deepEqual(await c.cmd('SORT', 's', 'GET', 'o_*->'), [null, 'arrow']);
    void srv;
  });
});

test('BY nosort keeps the native order of lists and sorted sets, with DESC and LIMIT taken from the right end', async () => {
  await withServer(async (c, srv) => {
    putList(srv, 'l', ['c', 'a', 'd', 'b', 'e']);
    assert.deepEqual(await c.cmd('SORT', 'l', 'BY', 'nosort'), ['c', 'a', 'd', 'b', 'e']);
    assert.deepEqual(await c.cmd('SORT', 'l', 'BY', 'nosort', 'DESC'), ['e', 'b', 'd', 'a', 'c']);
    assert.deepEqual(await c.cmd('SORT', 'l', 'BY', 'nosort', 'LIMIT', '1', '2'), ['a', 'd']);
    assert.deepEqual(await c.cmd('SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'), ['b', 'd']);
    assert.deepEqual(await c.cmd('SORT', 'l', 'BY', 'constant', 'LIMIT', '4', '10'), ['e']);
    await c.cmd('ZADD', 'z', '3', 'x', '1', 'y', '2', 'w');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'z'), 'listpack');
    assert.deepEqual(await c.cmd('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '0', '2'), ['x', 'w']);
    // Redis converts the sorted set before reading it
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'z'), 'skiplist');
    assert.deepEqual(await c.cmd('SORT', 'z', 'ALPHA'), ['w', 'x', 'y']);
  });
});

test('LIMIT clamps its range; the last LIMIT and BY win, while DESC/ALPHA and a constant BY stick', async () => {
  await withServer(async (c) => {
    await c.cmd('SADD', 's', '5', '1', '4', '2', '3');
    assert.deepEqual(await c.cmd('SORT', 's', 'LIMIT', '-5', '2'), ['1', '2']);
    assert.deepEqual(await c.cmd('SORT', 's', 'LIMIT', '3', '-1'), ['4', '5']);
    assert.deepEqual(await c.cmd('SORT', 's', 'LIMIT', '9', '3'), []);
    assert.deepEqual(await c.cmd('SORT', 's', 'LIMIT', '2', '0'), []);
    assert.deepEqual(await c.cmd('SORT', 's', 'LIMIT', '0', '1', 'LIMIT', '1', '2'), ['2', '3']);
    assert.deepEqual(await c.cmd('SORT', 's', 'DESC', 'ASC'), ['1', '2', '3', '4', '5']);
    assert.deepEqual(await c.cmd('SORT', 's', 'BY', 'nosort', 'BY', 'w_*'), ['1', '2', '3', '4', '5']);
    assert.deepEqual(await c.cmd('SORT', 'nokey'), []);
  });
});

test('STORE writes a quicklist of the output ("" for missing GETs) and deletes the key on an empty output; a set is sorted ALPHA even with nosort', async () => {
  await withServer(async (c, srv) => {
    await c.cmd('SADD', 's', 'b', 'c', 'a');
    await c.cmd('SET', 'dst', 'old', 'EX', '100');
    assert.equal(await c.cmd('SORT', 's', 'BY', 'nosort', 'STORE', 'dst'), 3);
    assert.equal(await c.cmd('TYPE', 'dst'), 'list');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'dst'), 'quicklist');
    assert.equal(await c.cmd('TTL', 'dst'), -1);
    assert.deepEqual(await c.cmd('SORT', 'dst', 'BY', 'nosort'), ['a', 'b', 'c']);
    assert.equal(await c.cmd('SORT', 's', 'ALPHA', 'GET', '#', 'GET', 'none_*', 'STORE', 'dst'), 6);
    assert.deepEqual(await c.cmd('SORT', 'dst', 'BY', 'nosort'), ['a', '', 'b', '', 'c', '']);
    const dirty = srv.server.ks.dirty;
    assert.equal(await c.cmd('SORT', 'nokey', 'STORE', 'nothere'), 0);
    assert.equal(srv.server.ks.dirty, dirty, 'nothing to delete: no change');
    assert.equal(await c.cmd('SORT', 'nokey', 'STORE', 'dst'), 0);
    assert.equal(await c.cmd('EXISTS', 'dst'), 0);
  });
});

test('options are parsed before the key is looked up, and SORT_RO knows no STORE', async () => {
  await withServer(async (c) => {
    await c.cmd('SET', 'str', 'x');
    await c.cmd('HSET', 'hash', 'f', 'v');
    await c.cmd('SADD', 's', '1');
    assert.equal(errText(await c.cmd('SORT', 'str', 'LIMIT', 'x', '1')), 'ERR value is not an integer or out of range');
    assert.equal(errText(await c.cmd('SORT', 'str', 'LIMIT', '1')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('SORT', 'str', 'BAD')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('SORT', 'str')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
    assert.equal(errText(await c.cmd('SORT', 'hash')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
    assert.equal(errText(await c.cmd('SORT', 's', 'GET')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('SORT', 's', 'BY')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('SORT_RO', 's', 'STORE', 'd')), 'ERR syntax error');
    assert.deepEqual(await c.cmd('SORT_RO', 's', 'GET', '#', 'DESC', 'ALPHA', 'LIMIT', '0', '5'), ['1']);
  });
});
