import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withGkv } from '../harness/commands.js';
import { RespClient, RespError } from '../harness/resp.js';

test('with requirepass, commands get NOAUTH until AUTH succeeds; a wrong password gets WRONGPASS', () =>
  withGkv({ requirepass: 'pw' }, async ({ port }) => {
    const c = await RespClient.connect(port);
    assert.equal((await c.call('GET', 'k')).raw, '-NOAUTH Authentication required.\r\n');
    assert.equal((await c.call('AUTH', 'nope')).raw, '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    assert.equal(await c.cmd('AUTH', 'pw'), 'OK');
    assert.equal(await c.cmd('SET', 'k', 'v'), 'OK');
    // RESET drops the authentication again
    assert.equal(await c.cmd('RESET'), 'RESET');
    assert.equal((await c.call('GET', 'k')).raw, '-NOAUTH Authentication required.\r\n');
    assert.equal(await c.cmd('AUTH', 'default', 'pw'), 'OK');
    c.close();
  }));

test('HELLO 3 switches the connection to RESP3: maps, nulls and doubles change their encoding', () =>
  withGkv({}, async ({ port }) => {
    const c = await RespClient.connect(port);
    assert.equal((await c.call('GET', 'missing')).raw, '$-1\r\n');
    const hello = await c.call('HELLO', '3', 'SETNAME', 'conn1');
    assert.match(hello.raw, /^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n\$7\r\nversion\r\n\$6\r\n7\.0\.15\r\n\$5\r\nproto\r\n:3\r\n/);
    assert.equal((await c.call('GET', 'missing')).raw, '_\r\n');
    assert.equal(await c.cmd('CLIENT', 'GETNAME'), 'conn1');
    const h2 = await c.call('HELLO', '2');
    assert.match(h2.raw, /^\*14\r\n/);
    assert.equal((await c.call('HELLO', '4')).raw, '-NOPROTO unsupported protocol version\r\n');
    c.close();
  }));

test('SELECT isolates databases and QUIT closes after replying OK', () =>
  withGkv({}, async ({ port }) => {
    const c = await RespClient.connect(port);
    await c.cmd('SET', 'k', 'db0');
    assert.equal(await c.cmd('SELECT', '3'), 'OK');
    assert.equal(await c.cmd('GET', 'k'), null);
    assert.equal((await c.call('SELECT', '16')).raw, '-ERR DB index is out of range\r\n');
    assert.equal(await c.cmd('ECHO', 'hi'), 'hi');
    assert.equal(await c.cmd('QUIT'), 'OK');
    await c.waitClose();
  }));

test('CLIENT ID, SETNAME, GETNAME, INFO and LIST describe the connections', () =>
  withGkv({}, async ({ port }) => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    const id = (await a.cmd('CLIENT', 'ID')) as number;
    assert.equal(await a.cmd('CLIENT', 'SETNAME', 'alpha'), 'OK');
    assert.equal((await a.call('CLIENT', 'SETNAME', 'a b')).raw, '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    assert.equal(await a.cmd('CLIENT', 'GETNAME'), 'alpha');
    const info = (await a.cmd('CLIENT', 'INFO')) as string;
    assert.match(
      info,
      new RegExp(
        `^id=${id} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:${port} fd=\\d+ name=alpha age=\\d+ idle=\\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=\\d+ qbuf-free=\\d+ argv-mem=\\d+ multi-mem=0 rbs=\\d+ rbp=\\d+ obl=0 oll=0 omem=\\d+ tot-mem=\\d+ events=r cmd=client\\|info user=default redir=-1 resp=2\\n$`,
      ),
    );
    const list = (await b.cmd('CLIENT', 'LIST')) as string;
    assert.equal(list.trim().split('\n').length, 2);
    assert.match(list, /name=alpha/);
    assert.equal(await a.cmd('CLIENT', 'GETREDIR'), -1);
    assert.equal(await a.cmd('CLIENT', 'NO-EVICT', 'on'), 'OK');
    assert.match((await a.cmd('CLIENT', 'INFO')) as string, /flags=e /);
    const help = (await a.cmd('CLIENT', 'HELP')) as string[];
    assert.equal(help[0], 'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    a.close();
    b.close();
  }));

test('CLIENT KILL closes the named connection and counts it; the old form replies OK or "No such client"', () =>
  withGkv({}, async ({ port }) => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    const bid = (await b.cmd('CLIENT', 'ID')) as number;
    assert.equal(await a.cmd('CLIENT', 'KILL', 'ID', String(bid)), 1);
    await b.waitClose();
    assert.equal((await a.call('CLIENT', 'KILL', '1.2.3.4:5')).raw, '-ERR No such client\r\n');
    assert.equal(await a.cmd('CLIENT', 'KILL', 'ID', '9223372036854775807'), 0, 'any positive int64 is an id, beyond 2^53 too');
    assert.equal((await a.call('CLIENT', 'KILL', 'ID', '0')).raw, '-ERR client-id should be greater than 0\r\n');
    const c = await RespClient.connect(port);
    const caddr = ((await c.cmd('CLIENT', 'INFO')) as string).match(/addr=(\S+)/)![1];
    assert.equal(await a.cmd('CLIENT', 'KILL', caddr), 'OK');
    await c.waitClose();
    assert.equal(await a.cmd('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'), 0);
    assert.equal(await a.cmd('PING'), 'PONG');
    a.close();
  }));

test('CLIENT REPLY OFF suppresses replies until ON; SKIP drops only the next reply', () =>
  withGkv({}, async ({ port }) => {
    const c = await RespClient.connect(port);
    const replies = c.sendRaw('CLIENT REPLY OFF\r\nSET a 1\r\nGET a\r\nCLIENT REPLY ON\r\nCLIENT REPLY SKIP\r\nGET a\r\nECHO last\r\n', 2);
    const [on, last] = await replies;
    assert.equal(on.raw, '+OK\r\n');
    assert.equal(last.raw, '$4\r\nlast\r\n');
    assert.equal(await c.cmd('CLIENT', 'REPLY', 'ON'), 'OK');
    assert.equal((await c.call('CLIENT', 'REPLY', 'MAYBE')).raw, '-ERR syntax error\r\n');
    c.close();
  }));

test('CLIENT PAUSE WRITE holds writes until the pause ends, while reads go on; UNPAUSE ends it early', () =>
  withGkv({}, async ({ port }) => {
    const a = await RespClient.connect(port);
    const b = await RespClient.connect(port);
    assert.equal(await a.cmd('CLIENT', 'PAUSE', '10000', 'WRITE'), 'OK');
    let done = false;
    const write = b.cmd('SET', 'p', '1').then((r) => {
      done = true;
      return r;
    });
    assert.equal(await a.cmd('GET', 'p'), null);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(done, false);
    assert.equal(await a.cmd('CLIENT', 'UNPAUSE'), 'OK');
    assert.equal(await write, 'OK');
    assert.equal(await a.cmd('GET', 'p'), '1');
    assert.ok((await a.call('CLIENT', 'PAUSE', 'x')).value instanceof RespError);
    a.close();
    b.close();
  }));
