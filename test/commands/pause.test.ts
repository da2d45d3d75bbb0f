import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withClients } from '../harness/commands.js';
import { waitFor } from '../harness/servers.js';
import { infoField as info, waitForBlocked } from '../harness/info.js';

test('a client whose command waits for CLIENT PAUSE counts in blocked_clients and shows flag b', async () => {
  await withClients(3, async ([a, b, c]) => {
    await a.cmd('CLIENT', 'PAUSE', '60000', 'WRITE');
    await b.cmd('GET', 'x');
    await b.cmd('PING');
    assert.equal(await info(a, 'blocked_clients'), '0');
    await b.cmd('CLIENT', 'SETNAME', 'writer');
    const set = b.cmd('SET', 'x', '1');
    const pub = c.cmd('PUBLISH', 'ch', 'm'); // may replicate: paused too
    await waitForBlocked(a, 2);
    assert.match((await a.cmd('CLIENT', 'LIST')) as string, / name=writer .*flags=b /);
    assert.equal(await a.cmd('CLIENT', 'UNPAUSE'), 'OK');
    assert.equal(await set, 'OK');
    assert.equal(await pub, 0);
    assert.equal(await info(a, 'blocked_clients'), '0');
  });
});

test('CLIENT PAUSE WRITE holds an EXEC that queued a write, not one that only reads; ALL holds everything', async () => {
  await withClients(3, async ([a, b, c]) => {
    await b.cmd('MULTI');
    await b.cmd('SET', 'k', 'v');
    await c.cmd('MULTI');
    await c.cmd('PING');
    await c.cmd('GET', 'k');
    await a.cmd('CLIENT', 'PAUSE', '60000', 'WRITE');
    const exec = b.cmd('EXEC');
    assert.deepEqual(await c.cmd('EXEC'), ['PONG', null]);
    await waitForBlocked(a, 1);
    await a.cmd('CLIENT', 'UNPAUSE');
    assert.deepEqual(await exec, ['OK']);
    await a.cmd('CLIENT', 'PAUSE', '300', 'ALL');
    const t = Date.now();
    assert.equal(await b.cmd('PING'), 'PONG'); // answered once the pause times out
    assert.ok(Date.now() - t >= 150);
  });
});

test('a CLIENT PAUSE inside MULTI takes effect when the transaction ends', async () => {
  await withClients(2, async ([a, b]) => {
    await a.cmd('MULTI');
    await a.cmd('SET', 'f1', 'bar');
    await a.cmd('CLIENT', 'PAUSE', '60000', 'WRITE');
    await a.cmd('SET', 'f2', 'bar');
    assert.deepEqual(await a.cmd('EXEC'), ['OK', 'OK', 'OK']);
    const set = b.cmd('SET', 'f3', 'bar');
    await waitForBlocked(a, 1);
    assert.equal(await a.cmd('GET', 'f2'), 'bar');
    assert.equal(await a.cmd('GET', 'f3'), null);
    await a.cmd('CLIENT', 'UNPAUSE');
    assert.equal(await set, 'OK');
  });
});

test('keys are not expired during a pause, lazily or actively; they are once it ends', async () => {
  await withClients(1, async ([a]) => {
    const before = Number(await info(a, 'expired_keys'));
    await a.cmd('MULTI');
    await a.cmd('SET', 'foo', 'bar', 'PX', '10');
    await a.cmd('SET', 'bar', 'foo', 'PX', '10');
    await a.cmd('CLIENT', 'PAUSE', '50000', 'WRITE');
    await a.cmd('EXEC');
    await waitFor(async () => (await a.cmd('GET', 'foo')) === null && (await a.cmd('GET', 'bar')) === null, 'foo and bar read as expired');
    await new Promise((r) => setTimeout(r, 300)); // active expiry cycles run meanwhile
    assert.equal(Number(await info(a, 'expired_keys')), before);
    await a.cmd('CLIENT', 'UNPAUSE');
    await a.cmd('GET', 'foo');
    await a.cmd('GET', 'bar');
    assert.equal(Number(await info(a, 'expired_keys')), before + 2);
  });
});
