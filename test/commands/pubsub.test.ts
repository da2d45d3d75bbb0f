import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withClients, withServer } from '../harness/commands.js';
import { RespClient } from '../harness/resp.js';
import { waitForInfo } from '../harness/info.js';

test('PUBSUB HELP lists its subcommands and PUBSUB with a wrong subcommand form gives Redis errors', async () => {
  await withServer(async (c) => {
    const help = (await c.cmd('PUBSUB', 'HELP')) as string[];
    assert.equal(help[0], 'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.ok(help.includes('SHARDNUMSUB [<shardchannel> ...]'));
    assert.equal(help[help.length - 2], 'HELP');
    assert.equal((await c.call('PUBSUB', 'CHANNELS', 'a', 'b')).raw, "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n");
    assert.equal((await c.call('PUBSUB', 'nope')).raw, "-ERR unknown subcommand 'nope'. Try PUBSUB HELP.\r\n");
  });
});

test('a RESP2 subscriber may only (un)subscribe, PING, QUIT and RESET, and RESET leaves the subscribed context', async () => {
  await withServer(async (c, srv) => {
    assert.equal((await c.call('SUBSCRIBE', 'a')).raw, '*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n');
    assert.equal((await c.call('GET', 'k')).raw, "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
    assert.equal((await c.call('PING')).raw, '*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    assert.equal(await c.cmd('RESET'), 'RESET');
    assert.equal(await c.cmd('GET', 'k'), null);
    const other = await RespClient.connect(srv.port);
    assert.deepEqual(await other.cmd('PUBSUB', 'NUMSUB', 'a'), ['a', 0]);
    other.close();
  });
});

test('a client that disconnects loses its subscriptions and WATCHed keys', async () => {
  await withClients(2, async ([a, b], srv) => {
    await a.cmd('PSUBSCRIBE', 'x*');
    await a.cmd('SSUBSCRIBE', 's');
    a.close();
    await waitForInfo(b, 'connected_clients', '1', 'clients');
    assert.equal(await b.cmd('PUBSUB', 'NUMPAT'), 0);
    assert.deepEqual(await b.cmd('PUBSUB', 'SHARDCHANNELS'), []);
    assert.equal(await b.cmd('PUBLISH', 'xy', 'm'), 0);
    const w = await RespClient.connect(srv.port);
    await w.cmd('WATCH', 'k');
    w.close();
    await waitForInfo(b, 'connected_clients', '1', 'clients');
    // no watcher left: the keyspace's modification hook is uninstalled
    assert.equal(srv.server.ks.modified.fn, null);
  });
});
