/**
 * Expiry driven by a fake clock: the server reads `ks.clock` for each
 * command, so tests move time without sleeping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withClock } from '../harness/commands.js';

test('a key set with EX disappears once its time has passed, and TTL counts down', async () => {
  await withClock(async (c, clock) => {
    assert.equal(await c.cmd('SET', 'k', 'v', 'EX', '10'), 'OK');
    assert.equal(await c.cmd('TTL', 'k'), 10);
    clock.advance(4000);
    assert.equal(await c.cmd('TTL', 'k'), 6);
    assert.equal(await c.cmd('PTTL', 'k'), 6000);
    clock.advance(6000);
    assert.equal(await c.cmd('GET', 'k'), null);
    assert.equal(await c.cmd('EXISTS', 'k'), 0);
    assert.equal(await c.cmd('TTL', 'k'), -2);
  });
});

test('EXPIREAT, PEXPIRETIME and EXPIRETIME report absolute times; PERSIST removes the TTL', async () => {
  await withClock(async (c, clock) => {
    await c.cmd('SET', 'k', 'v');
    const at = Math.floor(clock.now() / 1000) + 100;
    assert.equal(await c.cmd('EXPIREAT', 'k', String(at)), 1);
    assert.equal(await c.cmd('EXPIRETIME', 'k'), at);
    assert.equal(await c.cmd('PEXPIRETIME', 'k'), at * 1000);
    assert.equal(await c.cmd('PERSIST', 'k'), 1);
    assert.equal(await c.cmd('TTL', 'k'), -1);
    assert.equal(await c.cmd('PERSIST', 'k'), 0);
  });
});

test('GT and LT only move a TTL in their direction; NX and XX depend on an existing TTL', async () => {
  await withClock(async (c) => {
    await c.cmd('SET', 'k', 'v');
    assert.equal(await c.cmd('EXPIRE', 'k', '100', 'XX'), 0);
    assert.equal(await c.cmd('EXPIRE', 'k', '100', 'NX'), 1);
    assert.equal(await c.cmd('EXPIRE', 'k', '200', 'NX'), 0);
    assert.equal(await c.cmd('EXPIRE', 'k', '50', 'GT'), 0);
    assert.equal(await c.cmd('EXPIRE', 'k', '150', 'GT'), 1);
    assert.equal(await c.cmd('EXPIRE', 'k', '200', 'LT'), 0);
    assert.equal(await c.cmd('PEXPIRE', 'k', '20000', 'LT'), 1);
    assert.equal(await c.cmd('TTL', 'k'), 20);
  });
});

test('SET KEEPTTL and GETEX keep, change or drop a TTL; a plain SET clears it', async () => {
  await withClock(async (c, clock) => {
    await c.cmd('SET', 'k', 'v', 'PX', '5000');
    await c.cmd('SET', 'k', 'w', 'KEEPTTL');
    assert.equal(await c.cmd('PTTL', 'k'), 5000);
    assert.equal(await c.cmd('GETEX', 'k', 'EX', '100'), 'w');
    assert.equal(await c.cmd('TTL', 'k'), 100);
    assert.equal(await c.cmd('GETEX', 'k', 'PERSIST'), 'w');
    assert.equal(await c.cmd('TTL', 'k'), -1);
    await c.cmd('SETEX', 'k', '10', 'x');
    await c.cmd('SET', 'k', 'y');
    assert.equal(await c.cmd('TTL', 'k'), -1);
    await c.cmd('PSETEX', 'k', '1000', 'z');
    clock.advance(1000);
    assert.equal(await c.cmd('GET', 'k'), null);
  });
});

test('the active expiry cycle removes expired keys nobody touches', async () => {
  await withClock(async (c, clock, srv) => {
    const cmds = [];
    for (let i = 0; i < 500; i++) cmds.push(['SET', `tmp:${i}`, 'v', 'PX', '100']);
    for (let i = 0; i < 50; i++) cmds.push(['SET', `keep:${i}`, 'v']);
    await c.pipeline(cmds);
    assert.equal(await c.cmd('DBSIZE'), 550);
    clock.advance(200);
    for (let i = 0; i < 200 && (await c.cmd('DBSIZE')) !== 50; i++) srv.server.ks.activeExpireCycle(25);
    assert.equal(await c.cmd('DBSIZE'), 50);
    const info = (await c.cmd('INFO', 'stats')) as string;
    assert.match(info, /expired_keys:500\r\n/);
  });
});

test('OBJECT ENCODING follows Redis: int, embstr, raw, and raw after APPEND', async () => {
  await withClock(async (c) => {
    await c.cmd('SET', 'i', '12345');
    await c.cmd('SET', 'e', 'short');
    await c.cmd('SET', 'r', 'x'.repeat(45));
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'i'), 'int');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'e'), 'embstr');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'r'), 'raw');
    await c.cmd('APPEND', 'i', '6');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'i'), 'raw');
    assert.equal(await c.cmd('GET', 'i'), '123456');
    assert.equal(await c.cmd('OBJECT', 'REFCOUNT', 'e'), 1);
    await c.cmd('SET', 'small', '42');
    assert.equal(await c.cmd('OBJECT', 'REFCOUNT', 'small'), 2147483647);
    assert.equal(await c.cmd('OBJECT', 'IDLETIME', 'e'), 0);
  });
});
