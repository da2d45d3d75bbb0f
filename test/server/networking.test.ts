import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RespClient } from '../harness/resp.js';
import { freePort } from '../harness/servers.js';
import { errText, withServer } from '../harness/commands.js';
import { createServer } from '../../src/index.js';

/** Whether a TCP connection to port on 127.0.0.1 is accepted. */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

test('CONFIG SET port listens on the new port at once; a port in use fails and the old one stays', async () => {
  await withServer(async (c, srv) => {
    const old = srv.port;
    const port = await freePort();
    assert.equal(await c.cmd('CONFIG', 'SET', 'port', String(port)), 'OK');
    assert.equal(await canConnect(old), false);
    const c2 = await RespClient.connect(port);
    assert.equal(await c2.cmd('PING'), 'PONG');
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const busyPort = (busy.address() as net.AddressInfo).port;
    try {
      assert.match(errText(await c2.cmd('CONFIG', 'SET', 'port', String(busyPort))), /^ERR CONFIG SET failed \(possibly related to argument 'port'\) - Unable to listen on this port$/);
      assert.equal(await c2.cmd('CONFIG', 'GET', 'port').then((r) => (r as string[])[1]), String(port));
      assert.equal(await canConnect(port), true);
      assert.match((await c2.cmd('INFO', 'server')) as string, new RegExp(`tcp_port:${port}\\r`));
    } finally {
      busy.close();
      c2.close();
    }
  });
});

test('CONFIG SET bind rebinds; an address that cannot be bound fails and the old ones stay; "" listens on nothing', async () => {
  await withServer(async (c, srv) => {
    assert.match(errText(await c.cmd('CONFIG', 'SET', 'bind', '999.999.999.999')), /Failed to bind to specified addresses\.$/);
    assert.equal(await canConnect(srv.port), true);
    assert.equal(await c.cmd('CONFIG', 'SET', 'bind', '127.0.0.1 -::1'), 'OK');
    assert.equal(await canConnect(srv.port), true);
    assert.equal(await c.cmd('CONFIG', 'SET', 'bind', ''), 'OK');
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'bind'), ['bind', '']);
    assert.equal(await canConnect(srv.port), false);
    assert.equal(await c.cmd('PING'), 'PONG'); // connected clients stay
    assert.equal(await c.cmd('CONFIG', 'SET', 'bind', '*'), 'OK');
    assert.equal(await canConnect(srv.port), true);
  });
});

test('unixsocket: clients connect through it (flag U, the path as address), unixsocketperm is octal, the file goes at shutdown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-unix-'));
  const path = join(dir, 'socket');
  const srv = await createServer({ port: 0, unixsocket: path, unixsocketperm: '700' });
  try {
    assert.equal(statSync(path).mode & 0o777, 0o700);
    const c = await RespClient.connectUnix(path);
    const info = (await c.cmd('CLIENT', 'INFO')) as string;
    assert.match(info, new RegExp(`^id=\\d+ addr=${path}:0 laddr=${path}:0 .* flags=U `));
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'unixsocketperm'), ['unixsocketperm', '700']);
    c.close();
  } finally {
    await srv.close();
  }
  assert.equal(existsSync(path), false);
  rmSync(dir, { recursive: true, force: true });
});

test('protected mode: without a password only 127.0.0.1 and ::1 are served; a password or protected-mode no lifts it', async () => {
  await withServer({ 'protected-mode': 'yes' }, async (c, srv) => {
    /** what a client from 127.0.0.2 (not Redis's "local") gets first */
    const fromOther = (): Promise<string> =>
      new Promise((resolve) => {
        const s = net.connect({ port: srv.port, host: '127.0.0.1', localAddress: '127.0.0.2' });
        let got = '';
        s.on('data', (d) => (got += d.toString('latin1')));
        s.once('connect', () => s.write('PING\r\n'));
        s.on('close', () => resolve(got));
        s.on('error', () => resolve(got));
        setTimeout(() => s.destroy(), 3000);
      });
    assert.match(await fromOther(), /^-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user\. .*outside\.\r\n$/);
    await c.cmd('CONFIG', 'SET', 'protected-mode', 'no');
    assert.equal(await fromOther(), '+PONG\r\n');
    await c.cmd('CONFIG', 'SET', 'protected-mode', 'yes', 'requirepass', 'secret');
    assert.equal(await fromOther(), '-NOAUTH Authentication required.\r\n');
  });
});
