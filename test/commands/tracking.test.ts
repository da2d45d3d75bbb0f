import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withGkv } from '../harness/commands.js';
import { RecordingConn } from '../harness/recording-conn.js';
import { infoField, waitForInfo } from '../harness/info.js';
import { waitFor } from '../harness/servers.js';
import { RespClient, type RespValue } from '../harness/resp.js';

/** The invalidated keys in the frames a RESP3 tracking client received. */
function invalidated(frames: { value: RespValue }[]): string[] {
  const keys: string[] = [];
  for (const f of frames) {
    const v = f.value;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'push' in v && v.push[0] === 'invalidate') keys.push(...(v.push[1] as string[]));
  }
  return keys;
}

test('over tracking-table-max-keys the oldest keys are invalidated until the table fits', async () => {
  await withGkv({}, async (srv) => {
    const t = await RecordingConn.open(srv.port);
    const other = await RespClient.connect(srv.port);
    try {
      t.send(['HELLO', '3']);
      t.send(['CLIENT', 'TRACKING', 'on']);
      for (let i = 0; i < 10; i++) t.send(['GET', `k${i}`]);
      await t.barrier('tracked');
      assert.equal(await infoField(other, 'tracking_total_keys', 'stats'), '10');
      assert.equal(await other.cmd('CONFIG', 'SET', 'tracking-table-max-keys', '3'), 'OK');
      // the next command (this INFO) trims the table first
      assert.equal(await infoField(other, 'tracking_total_keys', 'stats'), '3');
      assert.equal(await infoField(other, 'tracking_total_items', 'stats'), '3');
      assert.deepEqual(invalidated(await t.barrier('after')), ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    } finally {
      t.close();
      other.close();
    }
  });
});

test('writes pay no tracking listener once no key is tracked; a tracking client leaving is counted out', async () => {
  await withGkv({}, async (srv) => {
    const ks = srv.server.ks;
    const t = await RecordingConn.open(srv.port);
    const other = await RespClient.connect(srv.port);
    try {
      t.send(['HELLO', '3']);
      t.send(['CLIENT', 'TRACKING', 'on']);
      await t.barrier('on');
      assert.equal(ks.modified.fn, null);
      t.send(['GET', 'a']);
      await t.barrier('read');
      assert.notEqual(ks.modified.fn, null);
      await other.cmd('SET', 'a', '1');
      assert.deepEqual(invalidated(await t.barrier('inv')), ['a']);
      assert.equal(ks.modified.fn, null);
      assert.equal(await infoField(other, 'tracking_clients', 'clients'), '1');
      t.close();
      await waitForInfo(other, 'tracking_clients', '0', 'clients');
    } finally {
      other.close();
    }
  });
});

test('CLIENT LIST shows t, B and R among the flags and the redirect id in redir=', async () => {
  await withGkv({}, async (srv) => {
    const a = await RespClient.connect(srv.port);
    const b = await RespClient.connect(srv.port);
    try {
      const bid = String(await b.cmd('CLIENT', 'ID'));
      assert.equal(await a.cmd('CLIENT', 'TRACKING', 'on', 'BCAST', 'REDIRECT', bid), 'OK');
      assert.match(String(await a.cmd('CLIENT', 'INFO')), new RegExp(`flags=tB .* redir=${bid} `));
      b.close();
      await waitForInfo(a, 'connected_clients', '1', 'clients');
      await a.cmd('SET', 'x', '1');
      // the broadcast found the redirect client gone
      await a.cmd('PING');
      assert.match(String(await a.cmd('CLIENT', 'INFO')), new RegExp(`flags=tRB .* redir=${bid} `));
      assert.equal(await a.cmd('CLIENT', 'TRACKING', 'off'), 'OK');
      assert.match(String(await a.cmd('CLIENT', 'INFO')), / flags=N .* redir=-1 /);
    } finally {
      a.close();
    }
  });
});

test('a script that yields keeps its caller the executing client: its own invalidation follows its reply', async () => {
  await withGkv({ 'busy-reply-threshold': 20 }, async (srv) => {
    const t = await RecordingConn.open(srv.port);
    const other = await RespClient.connect(srv.port);
    try {
      t.send(['HELLO', '3']);
      t.send(['CLIENT', 'TRACKING', 'on']);
      t.send(['GET', 'mine']);
      await t.barrier('tracked');
      // the script writes its key, then runs past busy-reply-threshold: the rest runs in slices from the event loop
      const script = "redis.call('SET', KEYS[1], 'x') local i = 0 while i < 100000000 do i = i + 1 end return 1";
      t.send(['EVAL', script, '1', 'mine']);
      // meanwhile another client's command is refused (BUSY): the caller's invalidation does not leave with it
      await waitFor(async () => (await other.call('GET', 'x')).raw.startsWith('-BUSY'), 'the script yielding');
      const frames = await t.barrier('after');
      assert.deepEqual(
        frames.map((f) => f.raw),
        [':1\r\n', '>2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\nmine\r\n', '$5\r\nafter\r\n'],
      );
    } finally {
      t.close();
      other.close();
    }
  });
});

test('a key evicted before a command is invalidated before the reply of that command', async () => {
  await withGkv({}, async (srv) => {
    const t = await RecordingConn.open(srv.port);
    const other = await RespClient.connect(srv.port);
    try {
      t.send(['HELLO', '3']);
      t.send(['CLIENT', 'TRACKING', 'on']);
      t.send(['SETEX', 'volatile-key', '10000', 'x']);
      t.send(['GET', 'volatile-key']);
      await t.barrier('tracked');
      const used = Number(await infoField(other, 'used_memory', 'memory')) - Number(await infoField(other, 'mem_not_counted_for_evict', 'memory'));
      await other.cmd('CONFIG', 'SET', 'maxmemory-policy', 'volatile-random');
      await other.cmd('CONFIG', 'SET', 'maxmemory', String(used + 100 * 1024));
      // a 200 KB value takes used memory over the limit: the next command evicts the volatile key first
      t.send(['SETBIT', 'big-key', '1600000', '0']);
      t.send(['GETBIT', 'big-key', '0']);
      const frames = await t.barrier('evicted');
      assert.deepEqual(
        frames.map((f) => f.raw),
        [':0\r\n', '>2\r\n$10\r\ninvalidate\r\n*1\r\n$12\r\nvolatile-key\r\n', ':0\r\n', '$7\r\nevicted\r\n'],
      );
    } finally {
      t.close();
      other.close();
    }
  });
});
