import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient } from '../harness/resp.js';
import { withServer, withClients } from '../harness/commands.js';
import { waitFor } from '../harness/servers.js';

/** The CLIENT LIST line of the client named name, or undefined. */
async function listed(c: RespClient, name: string): Promise<string | undefined> {
  const list = (await c.cmd('CLIENT', 'LIST')) as string;
  return list.split('\n').find((l) => l.includes(` name=${name} `));
}

test('a reply past the normal class hard limit is never sent: the client is closed', async () => {
  await withServer(async (c, srv) => {
    await c.cmd('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 100000 0 0');
    for (let i = 0; i < 150; i++) await c.cmd('LPUSH', 'l', 'x'.repeat(1000));
    const big = await RespClient.connect(srv.port);
    let got = 0;
    big.socket.on('data', (d) => (got += d.length));
    await big.cmd('CLIENT', 'SETNAME', 'big');
    got = 0;
    big.socket.write('*4\r\n$6\r\nLRANGE\r\n$1\r\nl\r\n$1\r\n0\r\n$2\r\n-1\r\n');
    await big.waitClose();
    assert.equal(got, 0);
    assert.equal(await listed(c, 'big'), undefined);
  });
});

test('a pipeline whose replies together pass the hard limit gets none of them', async () => {
  await withServer(async (c, srv) => {
    await c.cmd('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 100000 0 0');
    await c.cmd('SET', 'bigkey', 'x'.repeat(10000));
    const p = await RespClient.connect(srv.port);
    let got = 0;
    p.socket.on('data', (d) => (got += d.length));
    let buf = '';
    for (let i = 0; i < 15; i++) buf += `set ${i} ${i}\r\nget ${i}\r\ndel ${i}\r\nget bigkey\r\n`;
    p.socket.write(buf);
    await p.waitClose();
    assert.equal(got, 0);
    // small pipelines are not affected
    const ok = await c.pipeline([['GET', 'bigkey'], ['PING']]);
    assert.equal(ok[1].value, 'PONG');
  });
});

test('a soft limit is enforced by the cron once its time passed, even when no more output comes', async () => {
  await withClients(2, async ([c, sub]) => {
    await c.cmd('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 100000 1');
    await sub.cmd('CLIENT', 'SETNAME', 'sub');
    await sub.cmd('SUBSCRIBE', 'ch');
    sub.socket.pause(); // reads nothing: the server's output piles up
    const msg = 'x'.repeat(1000);
    // publish until the subscriber's reply list passes the soft limit (the socket buffers fill first)
    await waitFor(async () => {
      for (let i = 0; i < 50; i++) await c.cmd('PUBLISH', 'ch', msg);
      const line = await listed(c, 'sub');
      return line === undefined || Number(/omem=(\d+)/.exec(line)![1]) > 100000;
    }, "the subscriber's output past the soft limit");
    // then nothing more is published: the cron closes it after the soft seconds
    await waitFor(async () => (await listed(c, 'sub')) === undefined, 'the subscriber closed');
  });
});
