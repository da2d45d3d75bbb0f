/**
 * DEBUG subcommands as Redis 7.0's debug.c answers them (the ones Redis's own
 * test suite relies on).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RespClient } from '../harness/resp.js';
import type { GkvServer } from '../../src/index.js';
import { withServer as withAnyServer } from '../harness/commands.js';

const withServer = (fn: (c: RespClient, srv: GkvServer) => Promise<void>): Promise<void> => withAnyServer({ 'enable-debug-command': 'yes' }, fn);

const addr = (s: unknown): string => /^Value at:(0x[0-9a-f]+) /.exec(String(s))![1];

test('DEBUG OBJECT keeps an integer\'s address across an in-place INCR, as Redis reuses an unshared integer object', async () => {
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
