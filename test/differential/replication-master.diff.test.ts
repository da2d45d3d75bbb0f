/**
 * gKV as a replication master, against real Redis: a real redis-server
 * replica follows a gKV master (diskless and disk-based full sync, writes
 * during the sync, partial resync after a broken link, WAIT, ROLE, INFO),
 * ending with the same dataset (DEBUG DIGEST, which gKV computes as Redis
 * does); and the command stream a SYNC client reads after the RDB is the
 * same bytes from gKV as from a Redis master fed the same commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { oracleSkip, startGkv, startRedis, waitFor } from '../harness/servers.js';
import { RespClient } from '../harness/resp.js';
import { infoField } from '../harness/info.js';

const skip = oracleSkip();

/** Writes of every type over three databases, some with TTLs. */
async function writeMix(c: RespClient, tag: string, n: number): Promise<void> {
  for (const db of ['0', '3', '9']) {
    await c.cmd('SELECT', db);
    for (let i = 0; i < n; i++) {
      await c.cmd('SET', `s:${tag}:${i}`, `v${i}`);
      await c.cmd('RPUSH', `l:${tag}`, `e${i}`);
      await c.cmd('HSET', `h:${tag}`, `f${i}`, String(i));
      await c.cmd('SADD', `set:${tag}`, String(i * 7));
      await c.cmd('ZADD', `z:${tag}`, String(i / 3), `m${i}`);
      await c.cmd('XADD', `x:${tag}`, '*', 'k', String(i));
    }
    await c.cmd('EXPIRE', `s:${tag}:0`, '1000');
    await c.cmd('INCRBYFLOAT', `f:${tag}`, '1.5');
  }
  await c.cmd('SELECT', '0');
}

async function digestsMatch(master: RespClient, replica: RespClient): Promise<void> {
  await waitFor(async () => (await master.cmd('DEBUG', 'DIGEST')) === (await replica.cmd('DEBUG', 'DIGEST')), 'the replica to have the master dataset');
}

for (const diskless of ['yes', 'no'] as const) {
  test(`a real Redis replica follows a gKV master (repl-diskless-sync ${diskless})`, { skip }, async () => {
    const gkv = await startGkv({ 'repl-diskless-sync': diskless, 'repl-diskless-sync-delay': 0, 'enable-debug-command': 'yes' });
    const m = await RespClient.connect(gkv.port);
    let replica: Awaited<ReturnType<typeof startRedis>> | null = null;
    let r: RespClient | null = null;
    try {
      await writeMix(m, 'before', 50);
      replica = await startRedis(['--replicaof', '127.0.0.1', String(gkv.port)]);
      r = await RespClient.connect(replica.port);
      // writes while it syncs
      await writeMix(m, 'during', 20);
      await waitFor(async () => (await infoField(r!, 'master_link_status', 'replication')) === 'up', 'the link to come up');
      await writeMix(m, 'after', 20);
      await digestsMatch(m, r);
      // INFO and ROLE name the replica as Redis does
      const slave0 = await infoField(m, 'slave0', 'replication');
      assert.match(slave0 ?? '', new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},state=online,offset=\\d+,lag=\\d+$`));
      assert.equal(await infoField(m, 'connected_slaves', 'replication'), '1');
      assert.equal(await infoField(m, 'sync_full', 'stats'), '1');
      // WAIT: the write is acknowledged by the one replica
      await m.cmd('SET', 'acked', '1');
      assert.equal(await m.cmd('WAIT', '1', '5000'), 1);
      const role = (await m.cmd('ROLE')) as unknown[];
      assert.equal(role[0], 'master');
      assert.deepEqual(
        (role[2] as string[][]).map((e) => e.slice(0, 2)),
        [['127.0.0.1', String(replica.port)]],
      );
      // the link breaks: the replica continues from its offset (+CONTINUE), nothing is lost
      await m.cmd('CLIENT', 'KILL', 'TYPE', 'replica');
      await writeMix(m, 'gap', 5);
      await waitFor(async () => (await infoField(m, 'sync_partial_ok', 'stats')) === '1', 'a partial resync');
      await writeMix(m, 'end', 5);
      await digestsMatch(m, r);
      assert.equal(await infoField(m, 'sync_full', 'stats'), '1');
      // the write WAIT counted is on the replica
      assert.equal(await r.cmd('GET', 'acked'), '1');
    } finally {
      r?.close();
      m.close();
      await replica?.stop();
      await gkv.close();
    }
  });
}

/** SYNC as redis-cli --replica and the suite do: the RDB, then the stream, as raw bytes. */
function syncStream(port: number): { stream(): string; close(): void; ready: Promise<void> } {
  const sock = net.connect(port, '127.0.0.1');
  let buf = '';
  let rdbEnd = -1;
  let resolveReady: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  sock.setEncoding('latin1');
  sock.on('data', (d: string) => {
    buf += d;
    if (rdbEnd === -1) {
      const m = /^\n*\$(\d+)\r\n/.exec(buf);
      if (m !== null && buf.length >= m[0].length + Number(m[1])) {
        rdbEnd = m[0].length + Number(m[1]);
        resolveReady();
      }
    }
  });
  sock.write('SYNC\r\n');
  return { stream: () => (rdbEnd === -1 ? '' : buf.slice(rdbEnd)), close: () => sock.destroy(), ready };
}

test('the stream after SYNC is byte for byte Redis’s for the same commands', { skip }, async () => {
  const gkv = await startGkv({ 'repl-ping-replica-period': 3600 });
  const redis = await startRedis(['--repl-ping-replica-period', '3600']);
  const ports = [gkv.port, redis.port];
  const syncs = ports.map((p) => syncStream(p));
  const clients = await Promise.all(ports.map((p) => RespClient.connect(p)));
  try {
    await Promise.all(syncs.map((s) => s.ready));
    const script = [
      ['SET', 'a', '1'],
      ['SELECT', '4'],
      ['INCRBYFLOAT', 'f', '2.5'],
      ['LPUSH', 'l', 'x', 'y'],
      ['GETDEL', 'nothing'],
      ['SET', 'g', 'v'],
      ['GETDEL', 'g'],
      ['MULTI'],
      ['SET', 'm1', 'a'],
      ['SELECT', '2'],
      ['SET', 'm2', 'b'],
      ['EXEC'],
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'],
      ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '10'],
      // PUBLISH goes to replicas (not the AOF); a script's redis.set_repl picks each command's consumers
      ['PUBLISH', 'ch', 'msg'],
      ['MULTI'],
      ['PUBLISH', 'ch', 'in-multi'],
      ['EXEC'],
      [
        'EVAL',
        "redis.call('set','a1','1') redis.set_repl(redis.REPL_NONE) redis.call('set','b1','2') redis.set_repl(redis.REPL_AOF) redis.call('set','c1','3') redis.set_repl(redis.REPL_ALL) redis.call('set','d1','4')",
        '0',
      ],
      ['SELECT', '0'],
      ['DEL', 'a'],
      ['FLUSHDB'],
    ];
    for (const cmd of script) await Promise.all(clients.map((c) => c.call(...cmd)));
    // both streams are complete once each ends with the FLUSHDB
    await waitFor(() => syncs.every((s) => s.stream().endsWith('FLUSHDB\r\n')), 'both streams to carry the commands');
    const [g, r] = syncs.map((s) => s.stream().replace(/^\n+/, ''));
    assert.equal(g, r);
  } finally {
    for (const s of syncs) s.close();
    for (const c of clients) c.close();
    await redis.stop();
    await gkv.close();
  }
});

test('a gKV replica follows a real Redis master: full sync, the stream, partial resync, READONLY, MASTERDOWN', { skip }, async () => {
  const redis = await startRedis(['--repl-diskless-sync-delay', '0']);
  const gkv = await startGkv({ 'enable-debug-command': 'yes' });
  const m = await RespClient.connect(redis.port);
  const r = await RespClient.connect(gkv.port);
  try {
    await writeMix(m, 'before', 30);
    assert.equal(await r.cmd('REPLICAOF', '127.0.0.1', String(redis.port)), 'OK');
    await writeMix(m, 'during', 10);
    await waitFor(async () => (await infoField(r, 'master_link_status', 'replication')) === 'up', 'the link to come up');
    await digestsMatch(m, r);
    assert.deepEqual(((await r.cmd('ROLE')) as unknown[]).slice(0, 4), ['slave', '127.0.0.1', redis.port, 'connected']);
    // writes are the master's: a client of the replica is refused, as by Redis
    assert.equal((await r.call('SET', 'x', '1')).raw, "-READONLY You can't write against a read only replica.\r\n");
    // WAIT on the master counts gKV's acknowledgements
    await m.cmd('SET', 'acked', '1');
    assert.equal(await m.cmd('WAIT', '1', '5000'), 1);
    // the link breaks: gKV continues from its offset
    await r.cmd('CLIENT', 'KILL', 'TYPE', 'master');
    await writeMix(m, 'gap', 5);
    await waitFor(async () => (await infoField(m, 'sync_partial_ok', 'stats')) === '1', 'a partial resync');
    await digestsMatch(m, r);
    // replica-serve-stale-data no: while the link is down only stale-allowed commands run
    await r.cmd('CONFIG', 'SET', 'replica-serve-stale-data', 'no');
    await r.cmd('REPLICAOF', '127.0.0.1', '1');
    assert.equal((await r.call('GET', 'acked')).raw, "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n");
    assert.equal(await r.cmd('REPLICAOF', 'NO', 'ONE'), 'OK');
    assert.equal(await r.cmd('GET', 'acked'), '1');
    assert.equal(await r.cmd('SET', 'x', '1'), 'OK');
  } finally {
    m.close();
    r.close();
    await gkv.close();
    await redis.stop();
  }
});

test('gKV chains: a replica of a replica, then a failover where the other replica continues partially', { skip }, async () => {
  const opts = { 'repl-diskless-sync-delay': 0, 'enable-debug-command': 'yes' } as const;
  const [a, b, c] = await Promise.all([startGkv(opts), startGkv(opts), startGkv(opts)]);
  const [ca, cb, cc] = await Promise.all([a, b, c].map((s) => RespClient.connect(s.port)));
  try {
    await writeMix(ca, 'one', 20);
    await cb.cmd('REPLICAOF', '127.0.0.1', String(a.port));
    await waitFor(async () => (await infoField(cb, 'master_link_status', 'replication')) === 'up', 'b to follow a');
    // SLAVEOF is the same command under its old name
    await cc.cmd('SLAVEOF', '127.0.0.1', String(b.port));
    await waitFor(async () => (await infoField(cc, 'master_link_status', 'replication')) === 'up', 'c to follow b');
    await writeMix(ca, 'two', 10);
    await digestsMatch(ca, cc);
    // the chain carries a's stream byte for byte: the same offsets everywhere
    await waitFor(async () => (await infoField(cc, 'master_repl_offset', 'replication')) === (await infoField(ca, 'master_repl_offset', 'replication')), 'equal offsets');
    // b becomes the master, c follows it directly: a partial resync on b's previous id
    await cb.cmd('REPLICAOF', 'NO', 'ONE');
    await cc.cmd('REPLICAOF', '127.0.0.1', String(b.port));
    await waitFor(async () => (await infoField(cc, 'master_link_status', 'replication')) === 'up', 'c to follow b again');
    assert.equal(await infoField(cb, 'sync_full', 'stats'), '1');
    await writeMix(cb, 'three', 5);
    await digestsMatch(cb, cc);
  } finally {
    for (const cl of [ca, cb, cc]) cl.close();
    await Promise.all([a, b, c].map((s) => s.close()));
  }
});
