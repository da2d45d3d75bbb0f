import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGkv } from '../harness/servers.js';
import { RespClient, RespError } from '../harness/resp.js';

test('MULTI queues commands and EXEC runs them in order, replying with every result', async () => {
  const srv = await startGkv();
  const c = await RespClient.connect(srv.port);
  try {
    assert.equal(await c.cmd('MULTI'), 'OK');
    assert.equal(await c.cmd('SET', 'a', '1'), 'QUEUED');
    assert.equal(await c.cmd('GET', 'a'), 'QUEUED');
    const r = await c.call('EXEC');
    assert.equal(r.raw, '*2\r\n+OK\r\n$1\r\n1\r\n');
  } finally {
    c.close();
    await srv.close();
  }
});

test('a command rejected while queueing makes EXEC fail with EXECABORT and run nothing', async () => {
  const srv = await startGkv();
  const c = await RespClient.connect(srv.port);
  try {
    await c.cmd('MULTI');
    await c.cmd('SET', 'a', '1');
    const bad = await c.cmd('GET');
    assert.ok(bad instanceof RespError);
    assert.equal(bad.message, "ERR wrong number of arguments for 'get' command");
    const unknown = await c.cmd('NOSUCHCMD', 'x');
    assert.ok(unknown instanceof RespError);
    const r = await c.call('EXEC');
    assert.equal(r.raw, '-EXECABORT Transaction discarded because of previous errors.\r\n');
    assert.equal(await c.cmd('GET', 'a'), null);
  } finally {
    c.close();
    await srv.close();
  }
});

test('DISCARD drops the queue; EXEC and DISCARD without MULTI and nested MULTI give Redis errors', async () => {
  const srv = await startGkv();
  const c = await RespClient.connect(srv.port);
  try {
    assert.equal((await c.call('EXEC')).raw, '-ERR EXEC without MULTI\r\n');
    assert.equal((await c.call('DISCARD')).raw, '-ERR DISCARD without MULTI\r\n');
    await c.cmd('MULTI');
    assert.equal((await c.call('MULTI')).raw, '-ERR MULTI calls can not be nested\r\n');
    await c.cmd('SET', 'a', '1');
    assert.equal(await c.cmd('DISCARD'), 'OK');
    assert.equal(await c.cmd('GET', 'a'), null);
  } finally {
    c.close();
    await srv.close();
  }
});

test('no other client runs a command between the commands of a transaction', async () => {
  const srv = await startGkv();
  const a = await RespClient.connect(srv.port);
  const b = await RespClient.connect(srv.port);
  try {
    await a.cmd('MULTI');
    for (let i = 0; i < 100; i++) await a.cmd('SET', 'x', String(i));
    const other = b.cmd('SET', 'x', 'other');
    const exec = a.call('EXEC');
    await Promise.all([other, exec]);
    // b's SET ran before or after the whole transaction, never inside it
    const v = await a.cmd('GET', 'x');
    assert.ok(v === 'other' || v === '99');
  } finally {
    a.close();
    b.close();
    await srv.close();
  }
});
