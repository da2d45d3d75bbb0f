/**
 * Stream commands in-process: auto IDs from the server's clock, what XADD,
 * XTRIM and XDEL propagate (the generated ID, approximate trims made exact),
 * dirty counting, and the generic commands on stream keys. (Byte-for-byte
 * agreement with Redis is test/differential/stream.diff.test.ts's job.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errText, fakeClock, recordPropagation, withServer, WRONGTYPE } from '../harness/commands.js';

test('XADD * takes the clock, then the next sequence while the clock stands or goes back', async () => {
  await withServer(async (c, srv) => {
    const clock = fakeClock(srv, 1_800_000_000_000);
    assert.equal(await c.cmd('XADD', 's', '*', 'a', '1'), '1800000000000-0');
    assert.equal(await c.cmd('XADD', 's', '*', 'a', '2'), '1800000000000-1');
    clock.advance(-5);
    assert.equal(await c.cmd('XADD', 's', '*', 'a', '3'), '1800000000000-2');
    clock.advance(10);
    assert.equal(await c.cmd('XADD', 's', '1800000000005-*', 'a', '4'), '1800000000005-0');
    assert.equal(await c.cmd('XADD', 's', '1800000000005-*', 'a', '5'), '1800000000005-1');
    assert.equal(await c.cmd('XLEN', 's'), 5);
    assert.equal(await c.cmd('TYPE', 's'), 'stream');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 's'), 'stream');
    assert.deepEqual(await c.cmd('SCAN', '0', 'TYPE', 'stream'), ['0', ['s']]);
    assert.equal(errText(await c.cmd('XADD', 's', '1-1', 'a', '1')), 'ERR The ID specified in XADD is equal or smaller than the target stream top item');
    await c.cmd('SET', 'str', 'x');
    assert.equal(errText(await c.cmd('XADD', 'str', '*', 'a', '1')), WRONGTYPE);
    assert.equal(await c.cmd('XADD', 'none', 'NOMKSTREAM', '*', 'a', '1'), null);
    assert.equal(await c.cmd('EXISTS', 'none'), 0);
  });
});

test('XADD propagates the ID it made and an approximate trim as an exact one; XTRIM/XDEL count one change per entry', async () => {
  await withServer(async (c, srv) => {
    fakeClock(srv, 1_700_000_000_000);
    await c.cmd('CONFIG', 'SET', 'stream-node-max-entries', '2');
    const prop = recordPropagation(srv);
    await c.cmd('XADD', 's', '5-*', 'f', 'v');
    await c.cmd('XADD', 's', '5-*', 'f', 'v');
    for (let i = 0; i < 6; i++) await c.cmd('XADD', 's', `${10 + i}-1`, 'f', String(i));
    prop.length = 0;
    assert.equal(await c.cmd('XADD', 's', 'MAXLEN', '~', '3', '20-1', 'f', 'v'), '20-1');
    // whole nodes only: 9 entries in nodes of 2 → 3 left
    assert.equal(await c.cmd('XLEN', 's'), 3);
    assert.deepEqual(prop, [['XADD', 's', 'MAXLEN', '=', '3', '20-1', 'f', 'v']]);
    prop.length = 0;
    const dirty0 = Number(/rdb_changes_since_last_save:(\d+)/.exec(String(await c.cmd('INFO', 'persistence')))![1]);
    assert.equal(await c.cmd('XTRIM', 's', 'MINID', '15'), 1);
    assert.equal(await c.cmd('XDEL', 's', '15-1', '20-1', '99-9'), 2);
    const dirty1 = Number(/rdb_changes_since_last_save:(\d+)/.exec(String(await c.cmd('INFO', 'persistence')))![1]);
    assert.equal(dirty1 - dirty0, 3);
    assert.deepEqual(prop, [
      ['XTRIM', 's', 'MINID', '15'],
      ['XDEL', 's', '15-1', '20-1', '99-9'],
    ]);
    assert.equal(await c.cmd('XLEN', 's'), 0);
    assert.deepEqual(await c.cmd('XRANGE', 's', '-', '+'), []);
    assert.equal(await c.cmd('XSETID', 's', '30-0'), 'OK');
    assert.equal(errText(await c.cmd('XADD', 's', '30-0', 'a', 'b')), 'ERR The ID specified in XADD is equal or smaller than the target stream top item');
  });
});

test('COPY, RENAME and DEBUG DIGEST-VALUE treat a stream as a value', async () => {
  await withServer({ 'enable-debug-command': 'yes' }, async (c) => {
    for (let i = 1; i <= 300; i++) await c.cmd('XADD', 's', `${i}-0`, 'n', String(i), ...(i % 2 ? ['odd', 'yes'] : []));
    await c.cmd('XDEL', 's', '7-0');
    assert.equal(await c.cmd('COPY', 's', 't'), 1);
    await c.cmd('XADD', 't', '301-0', 'n', '301');
    assert.equal(await c.cmd('XLEN', 's'), 299);
    assert.equal(await c.cmd('XLEN', 't'), 300);
    assert.equal(await c.cmd('RENAME', 't', 'u'), 'OK');
    assert.deepEqual(await c.cmd('XREVRANGE', 'u', '+', '-', 'COUNT', '1'), [['301-0', ['n', '301']]]);
    const [a, b] = (await c.cmd('DEBUG', 'DIGEST-VALUE', 's', 'u')) as string[];
    assert.notEqual(a, b);
    await c.cmd('XDEL', 'u', '301-0');
    const [x, y] = (await c.cmd('DEBUG', 'DIGEST-VALUE', 's', 'u')) as string[];
    assert.equal(x, y);
  });
});
