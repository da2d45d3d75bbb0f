/**
 * The list family (t_list.c) in-process, one client: replies, errors,
 * encodings and conversions of each command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raw, withServer, WRONGTYPE as WRONGTYPE_TEXT } from '../harness/commands.js';

/** the WRONGTYPE error as the raw reply */
const WRONGTYPE = `-${WRONGTYPE_TEXT}\r\n`;

test('LPUSH and RPUSH add at either end and reply with the length; LRANGE reads any range', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('RPUSH', 'l', 'b', 'c'), 2);
    assert.equal(await c.cmd('LPUSH', 'l', 'a', '0'), 4);
    assert.deepEqual(await c.cmd('LRANGE', 'l', '0', '-1'), ['0', 'a', 'b', 'c']);
    assert.deepEqual(await c.cmd('LRANGE', 'l', '-2', '100'), ['b', 'c']);
    assert.deepEqual(await c.cmd('LRANGE', 'l', '3', '1'), []);
    assert.deepEqual(await c.cmd('LRANGE', 'l', '-9223372036854775808', '9223372036854775807'), ['0', 'a', 'b', 'c']);
    assert.equal(await raw(c, 'LRANGE', 'l', 'x', '1'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(await raw(c, 'LRANGE', 'nokey', '0', '-1'), '*0\r\n');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'l'), 'quicklist');
    await c.cmd('SET', 's', 'x');
    assert.equal(await raw(c, 'LPUSH', 's', 'a'), WRONGTYPE);
    assert.equal(await raw(c, 'LRANGE', 's', '0', '1'), WRONGTYPE);
  });
});

test('LPUSHX and RPUSHX push only onto an existing list', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('LPUSHX', 'l', 'a'), 0);
    assert.equal(await c.cmd('EXISTS', 'l'), 0);
    await c.cmd('RPUSH', 'l', 'm');
    assert.equal(await c.cmd('LPUSHX', 'l', 'a', 'b'), 3);
    assert.equal(await c.cmd('RPUSHX', 'l', 'z'), 4);
    assert.deepEqual(await c.cmd('LRANGE', 'l', '0', '-1'), ['b', 'a', 'm', 'z']);
  });
});

test('LPOP and RPOP pop one element or count elements, with the RESP2 and RESP3 null forms', async () => {
  await withServer(async (c) => {
    await c.cmd('RPUSH', 'l', '1', '2', '3', '4', '5');
    assert.equal(await c.cmd('LPOP', 'l'), '1');
    assert.equal(await c.cmd('RPOP', 'l'), '5');
    assert.deepEqual(await c.cmd('RPOP', 'l', '2'), ['4', '3']);
    assert.equal(await raw(c, 'LPOP', 'l', '0'), '*0\r\n');
    assert.deepEqual(await c.cmd('LPOP', 'l', '10'), ['2']);
    assert.equal(await c.cmd('EXISTS', 'l'), 0, 'an emptied list is deleted');
    assert.equal(await raw(c, 'LPOP', 'l'), '$-1\r\n');
    assert.equal(await raw(c, 'LPOP', 'l', '0'), '*-1\r\n');
    assert.equal(await raw(c, 'LPOP', 'l', '-1'), '-ERR value is out of range, must be positive\r\n');
    assert.equal(await raw(c, 'LPOP', 'l', '1', '2'), "-ERR wrong number of arguments for 'lpop' command\r\n");
    await c.cmd('SET', 's', 'x');
    assert.equal(await raw(c, 'LPOP', 's', 'abc'), '-ERR value is out of range, must be positive\r\n', 'the count is parsed before the type check');
    assert.equal(await raw(c, 'RPOP', 's'), WRONGTYPE);
    await c.cmd('HELLO', '3');
    assert.equal(await raw(c, 'LPOP', 'l'), '_\r\n');
    assert.equal(await raw(c, 'RPOP', 'l', '3'), '_\r\n');
  });
});

test('LLEN, LINDEX and LSET address elements from either end', async () => {
  await withServer(async (c) => {
    await c.cmd('RPUSH', 'l', 'a', 'b', 'c');
    assert.equal(await c.cmd('LLEN', 'l'), 3);
    assert.equal(await c.cmd('LLEN', 'nokey'), 0);
    assert.equal(await c.cmd('LINDEX', 'l', '0'), 'a');
    assert.equal(await c.cmd('LINDEX', 'l', '-1'), 'c');
    assert.equal(await c.cmd('LINDEX', 'l', '3'), null);
    assert.equal(await raw(c, 'LINDEX', 'nokey', 'abc'), '$-1\r\n', 'the key is looked up before the index is parsed');
    assert.equal(await raw(c, 'LINDEX', 'l', 'abc'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(await c.cmd('LSET', 'l', '-2', 'B'), 'OK');
    assert.deepEqual(await c.cmd('LRANGE', 'l', '0', '-1'), ['a', 'B', 'c']);
    assert.equal(await raw(c, 'LSET', 'l', '3', 'x'), '-ERR index out of range\r\n');
    assert.equal(await raw(c, 'LSET', 'nokey', 'abc', 'x'), '-ERR no such key\r\n');
  });
});

test('LINSERT inserts before or after the first occurrence of the pivot', async () => {
  await withServer(async (c) => {
    await c.cmd('RPUSH', 'l', 'a', 'p', 'b', 'p');
    assert.equal(await c.cmd('LINSERT', 'l', 'BEFORE', 'p', 'x'), 5);
    assert.equal(await c.cmd('LINSERT', 'l', 'after', 'p', 'y'), 6);
    assert.deepEqual(await c.cmd('LRANGE', 'l', '0', '-1'), ['a', 'x', 'p', 'y', 'b', 'p']);
    assert.equal(await c.cmd('LINSERT', 'l', 'BEFORE', 'nope', 'x'), -1);
    assert.equal(await c.cmd('LINSERT', 'nokey', 'BEFORE', 'p', 'x'), 0);
    assert.equal(await raw(c, 'LINSERT', 'nokey', 'MIDDLE', 'p', 'x'), '-ERR syntax error\r\n');
  });
});

test('LREM removes from the head, the tail or everywhere; LTRIM keeps a range and deletes an emptied list', async () => {
  await withServer(async (c) => {
    await c.cmd('RPUSH', 'l', 'a', 'b', 'a', 'c', 'a', 'b');
    assert.equal(await c.cmd('LREM', 'l', '1', 'a'), 1);
    assert.equal(await c.cmd('LREM', 'l', '-1', 'b'), 1);
    assert.deepEqual(await c.cmd('LRANGE', 'l', '0', '-1'), ['b', 'a', 'c', 'a']);
    assert.equal(await c.cmd('LREM', 'l', '0', 'a'), 2);
    assert.equal(await raw(c, 'LREM', 'nokey', 'x', 'a'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(await c.cmd('LREM', 'nokey', '0', 'a'), 0);
    await c.cmd('RPUSH', 'm', '0', '1', '2', '3', '4', '5');
    assert.equal(await c.cmd('LTRIM', 'm', '1', '-2'), 'OK');
    assert.deepEqual(await c.cmd('LRANGE', 'm', '0', '-1'), ['1', '2', '3', '4']);
    assert.equal(await c.cmd('LTRIM', 'm', '5', '10'), 'OK');
    assert.equal(await c.cmd('EXISTS', 'm'), 0);
    assert.equal(await c.cmd('LTRIM', 'nokey', '0', '1'), 'OK');
  });
});

test('LPOS finds positions with RANK, COUNT and MAXLEN and gives Redis error texts', async () => {
  await withServer(async (c) => {
    await c.cmd('RPUSH', 'l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c');
    assert.equal(await c.cmd('LPOS', 'l', 'c'), 2);
    assert.equal(await c.cmd('LPOS', 'l', 'c', 'RANK', '2'), 6);
    assert.equal(await c.cmd('LPOS', 'l', 'c', 'RANK', '-1'), 7);
    assert.deepEqual(await c.cmd('LPOS', 'l', 'c', 'COUNT', '0'), [2, 6, 7]);
    assert.deepEqual(await c.cmd('LPOS', 'l', 'c', 'RANK', '-2', 'COUNT', '2'), [6, 2]);
    assert.deepEqual(await c.cmd('LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '7'), [2, 6]);
    assert.equal(await c.cmd('LPOS', 'l', 'x'), null);
    assert.deepEqual(await c.cmd('LPOS', 'nokey', 'x', 'COUNT', '1'), []);
    assert.deepEqual(await c.cmd('LPOS', 'l', 'c', 'RANK', '-9223372036854775808', 'COUNT', '1'), [7, 6, 2], 'RANK LONG_MIN ignores COUNT, as Redis');
    assert.equal(
      await raw(c, 'LPOS', 'l', 'c', 'RANK', '0'),
      "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
    );
    assert.equal(await raw(c, 'LPOS', 'l', 'c', 'COUNT', '-1'), "-ERR COUNT can't be negative\r\n");
    assert.equal(await raw(c, 'LPOS', 'l', 'c', 'MAXLEN', 'x'), "-ERR MAXLEN can't be negative\r\n");
    assert.equal(await raw(c, 'LPOS', 'l', 'c', 'RANK'), '-ERR syntax error\r\n');
  });
});

test('LMOVE and RPOPLPUSH move an element between lists, including onto the same list', async () => {
  await withServer(async (c) => {
    await c.cmd('RPUSH', 'a', '1', '2', '3');
    assert.equal(await c.cmd('LMOVE', 'a', 'b', 'LEFT', 'RIGHT'), '1');
    assert.equal(await c.cmd('RPOPLPUSH', 'a', 'b'), '3');
    assert.deepEqual(await c.cmd('LRANGE', 'b', '0', '-1'), ['3', '1']);
    assert.equal(await c.cmd('LMOVE', 'a', 'a', 'LEFT', 'RIGHT'), '2');
    assert.deepEqual(await c.cmd('LRANGE', 'a', '0', '-1'), ['2']);
    assert.equal(await raw(c, 'LMOVE', 'nokey', 'b', 'LEFT', 'LEFT'), '$-1\r\n');
    assert.equal(await raw(c, 'LMOVE', 'a', 'b', 'UP', 'LEFT'), '-ERR syntax error\r\n');
    await c.cmd('SET', 's', 'x');
    assert.equal(await raw(c, 'LMOVE', 'a', 's', 'LEFT', 'LEFT'), WRONGTYPE);
    assert.deepEqual(await c.cmd('LRANGE', 'a', '0', '-1'), ['2'], 'nothing is popped when the destination has the wrong type');
  });
});

test('LMPOP pops from the first non-empty list and checks numkeys, the direction and COUNT', async () => {
  await withServer(async (c) => {
    await c.cmd('RPUSH', 'b', '1', '2', '3');
    assert.deepEqual(await c.cmd('LMPOP', '2', 'a', 'b', 'RIGHT', 'COUNT', '2'), ['b', ['3', '2']]);
    assert.deepEqual(await c.cmd('LMPOP', '2', 'a', 'b', 'LEFT'), ['b', ['1']]);
    assert.equal(await raw(c, 'LMPOP', '2', 'a', 'b', 'LEFT'), '*-1\r\n');
    assert.equal(await raw(c, 'LMPOP', '0', 'a', 'LEFT'), '-ERR numkeys should be greater than 0\r\n');
    assert.equal(await raw(c, 'LMPOP', '2', 'a', 'LEFT'), '-ERR syntax error\r\n');
    assert.equal(await raw(c, 'LMPOP', '1', 'a', 'LEFT', 'COUNT', '0'), '-ERR count should be greater than 0\r\n');
    assert.equal(await raw(c, 'LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '1'), '-ERR syntax error\r\n');
  });
});

test('a list grown past many nodes keeps its order under pushes and pops at both ends and LINDEX from either end', async () => {
  await withServer(async (c) => {
    await c.cmd('CONFIG', 'SET', 'list-max-listpack-size', '4');
    const model: string[] = [];
    const cmds: string[][] = [];
    for (let i = 0; i < 300; i++) {
      const v = `e${i}`;
      if (i % 3 === 0) {
        cmds.push(['LPUSH', 'big', v]);
        model.unshift(v);
      } else {
        cmds.push(['RPUSH', 'big', v]);
        model.push(v);
      }
    }
    await c.pipeline(cmds);
    assert.deepEqual(await c.cmd('LRANGE', 'big', '0', '-1'), model);
    assert.equal(await c.cmd('LINDEX', 'big', '150'), model[150]);
    assert.equal(await c.cmd('LINDEX', 'big', '-17'), model[model.length - 17]);
    assert.deepEqual(await c.cmd('LRANGE', 'big', '97', '103'), model.slice(97, 104));
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'big'), 'quicklist');
  });
});
