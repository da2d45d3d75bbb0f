/**
 * MIGRATE as Redis 7.0 answers it: keys moved (or copied) to another server
 * with their TTL, REPLACE, several keys with KEYS, NOKEY, AUTH and AUTH2,
 * the target's errors passed on, IOERR for a target that is unreachable or
 * silent, the moved keys propagated as one DEL, cached connections — and
 * moved between gKV and a real Redis 7.0 in both directions. While a MIGRATE
 * waits for its target the event loop keeps turning but no other command
 * runs (Redis blocks in MIGRATE): nothing changes its keys meanwhile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { RespClient } from '../harness/resp.js';
import { errText, recordPropagation, withClients, withGkv } from '../harness/commands.js';
import { connectWhenListening, freePort, oracleSkip, startRedis } from '../harness/servers.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const serverJs = fileURLToPath(new URL('../../src/bin/server.js', import.meta.url));

async function connect(port: number): Promise<RespClient> {
  return RespClient.connect(port);
}

test('MIGRATE moves a key with its TTL, COPY keeps it, REPLACE overwrites, KEYS moves several, NOKEY when none exists', async () => {
  await withGkv({}, async (target) => {
    await withClients(1, async ([c], srv) => {
      const t = await connect(target.port);
      try {
        await c.cmd('SET', 'k', 'v', 'EX', '100');
        const prop = recordPropagation(srv);
        assert.equal(await c.cmd('MIGRATE', '127.0.0.1', String(target.port), 'k', '3', '5000'), 'OK');
        assert.equal(await c.cmd('EXISTS', 'k'), 0);
        await t.cmd('SELECT', '3');
        assert.equal(await t.cmd('GET', 'k'), 'v');
        const ttl = Number(await t.cmd('TTL', 'k'));
        assert.ok(ttl > 90 && ttl <= 100, String(ttl));
        assert.deepEqual(prop, [['DEL', 'k']]);
        // COPY: the key stays here; without REPLACE an existing key on the target is an error from the target
        await c.cmd('RPUSH', 'l', 'a', 'b');
        assert.equal(await c.cmd('MIGRATE', '127.0.0.1', String(target.port), 'l', '3', '5000', 'COPY'), 'OK');
        assert.equal(await c.cmd('EXISTS', 'l'), 1);
        assert.equal(errText(await c.cmd('MIGRATE', '127.0.0.1', String(target.port), 'l', '3', '5000', 'COPY')), 'ERR Target instance replied with error: BUSYKEY Target key name already exists.');
        await c.cmd('RPUSH', 'l', 'c');
        assert.equal(await c.cmd('MIGRATE', '127.0.0.1', String(target.port), 'l', '3', '5000', 'REPLACE'), 'OK');
        assert.deepEqual(await t.cmd('LRANGE', 'l', '0', '-1'), ['a', 'b', 'c']);
        // KEYS: only the ones that exist; none: NOKEY
        await c.cmd('MSET', 'a', '1', 'b', '2');
        assert.equal(await c.cmd('MIGRATE', '127.0.0.1', String(target.port), '', '3', '5000', 'KEYS', 'a', 'nokey', 'b'), 'OK');
        assert.deepEqual(await t.cmd('MGET', 'a', 'b'), ['1', '2']);
        assert.equal(await c.cmd('MIGRATE', '127.0.0.1', String(target.port), '', '3', '5000', 'KEYS', 'x', 'y'), 'NOKEY');
        assert.deepEqual(prop.at(-1), ['DEL', 'a', 'b']);
        assert.ok(!prop.some((a) => a[0].toUpperCase() === 'MIGRATE'), 'MIGRATE itself is never propagated');
        const info = String(await c.cmd('INFO', 'stats'));
        assert.match(info, /migrate_cached_sockets:1\r\n/);
      } finally {
        t.close();
      }
    });
  });
});

test('MIGRATE deletes only the keys the target acknowledged: two busy keys stay', async () => {
  await withGkv({}, async (target) => {
    await withClients(1, async ([c]) => {
      const t = await connect(target.port);
      try {
        await c.cmd('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
        await t.cmd('MSET', 'b', '_', 'c', '_');
        assert.match(errText(await c.cmd('MIGRATE', '127.0.0.1', String(target.port), '', '0', '5000', 'KEYS', 'a', 'b', 'c', 'd')), /^ERR Target instance replied with error: BUSYKEY/);
        assert.deepEqual(await c.cmd('MGET', 'a', 'b', 'c', 'd'), [null, '2', '3', null]);
        assert.deepEqual(await t.cmd('MGET', 'a', 'b', 'c', 'd'), ['1', '_', '_', '4']);
      } finally {
        t.close();
      }
    });
  });
});

test("MIGRATE AUTH and AUTH2 authenticate on the target; a wrong password is the target's WRONGPASS", async () => {
  await withGkv({ requirepass: 'foobar' }, async (target) => {
    await withClients(1, async ([c]) => {
      await c.cmd('SET', 'k', 'v');
      assert.match(errText(await c.cmd('MIGRATE', '127.0.0.1', String(target.port), 'k', '0', '5000', 'AUTH', 'nope')), /^ERR Target instance replied with error: WRONGPASS /);
      assert.equal(await c.cmd('EXISTS', 'k'), 1);
      assert.equal(await c.cmd('MIGRATE', '127.0.0.1', String(target.port), 'k', '0', '5000', 'AUTH2', 'default', 'foobar'), 'OK');
      const t = await connect(target.port);
      await t.cmd('AUTH', 'foobar');
      assert.equal(await t.cmd('GET', 'k'), 'v');
      t.close();
    });
  });
});

test("MIGRATE answers Redis's errors: syntax, KEYS with a key, integers, unreachable and silent targets", async () => {
  await withClients(1, async ([c]) => {
    await c.cmd('SET', 'k', 'v');
    assert.equal(errText(await c.cmd('MIGRATE', '127.0.0.1', '1', 'k', '0', '1000', 'FOO')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('MIGRATE', '127.0.0.1', '1', 'k', '0', '1000', 'AUTH')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('MIGRATE', '127.0.0.1', '1', 'k', '0', '1000', 'AUTH2', 'u')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('MIGRATE', '127.0.0.1', '1', 'k', '0', '1000', 'KEYS', 'k')), 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
    assert.equal(errText(await c.cmd('MIGRATE', '127.0.0.1', '1', 'k', 'x', '1000')), 'ERR value is not an integer or out of range');
    assert.equal(errText(await c.cmd('MIGRATE', '127.0.0.1', '1', 'k', '0', 'x')), 'ERR value is not an integer or out of range');
    // a refused connection fails at the first write, as Redis's non-blocking connect does
    assert.equal(errText(await c.cmd('MIGRATE', '127.0.0.1', '1', 'k', '0', '1000')), 'IOERR error or timeout writing to target instance');
    // a target that accepts and never answers: the read times out
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      assert.equal(errText(await c.cmd('MIGRATE', '127.0.0.1', String(port), 'k', '0', '300')), 'IOERR error or timeout reading to target instance');
      assert.equal(await c.cmd('EXISTS', 'k'), 1);
    } finally {
      silent.close();
    }
  });
});

test("while MIGRATE waits for its target, timers run but other clients' commands wait for its end", async () => {
  const silent = net.createServer((sock) => sock.on('data', () => {}));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const port = (silent.address() as net.AddressInfo).port;
    await withClients(2, async ([a, b]) => {
      await a.cmd('SET', 'k', 'v');
      const order: string[] = [];
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const m = a.cmd('MIGRATE', '127.0.0.1', String(port), 'k', '0', '500').then((r) => order.push(`migrate:${errText(r).slice(0, 5)}`));
      await new Promise((r) => setTimeout(r, 50));
      const p = b.cmd('SET', 'k', 'changed').then((r) => order.push(`set:${r}`));
      await Promise.all([m, p]);
      clearInterval(timer);
      assert.deepEqual(order, ['migrate:IOERR', 'set:OK']);
      assert.ok(ticks >= 5, 'the event loop kept turning');
    });
  } finally {
    silent.close();
  }
});

test('keys move between gKV and a real Redis 7.0 with MIGRATE in both directions', { skip: oracleSkip() }, async () => {
  const redis = await startRedis();
  try {
    await withClients(1, async ([c], srv) => {
      const r = await connect(redis.port);
      try {
        await c.cmd('HSET', 'h', 'f1', 'v1', 'f2', 'v2');
        await c.cmd('ZADD', 'z', '1.5', 'a', '2', 'b');
        await c.cmd('SET', 'ttl', 'x', 'PX', '100000');
        assert.equal(await c.cmd('MIGRATE', '127.0.0.1', String(redis.port), '', '0', '5000', 'KEYS', 'h', 'z', 'ttl'), 'OK');
        assert.deepEqual(await r.cmd('HGETALL', 'h'), ['f1', 'v1', 'f2', 'v2']);
        assert.deepEqual(await r.cmd('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), ['a', '1.5', 'b', '2']);
        assert.ok(Number(await r.cmd('PTTL', 'ttl')) > 90000);
        await r.cmd('RPUSH', 'back', '1', '2', '3');
        assert.equal(await r.cmd('MIGRATE', '127.0.0.1', String(srv.port), 'back', '0', '5000'), 'OK');
        assert.deepEqual(await c.cmd('LRANGE', 'back', '0', '-1'), ['1', '2', '3']);
        assert.equal(await r.cmd('EXISTS', 'back'), 0);
      } finally {
        r.close();
      }
    });
  } finally {
    await redis.stop();
  }
});

test("MONITOR and SLOWLOG show MIGRATE's AUTH and AUTH2 credentials redacted, as Redis does", async () => {
  await withClients(2, async ([c, mon]) => {
    await c.cmd('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await c.cmd('SET', 'k', 'v');
    assert.equal(await mon.cmd('MONITOR'), 'OK');
    await c.cmd('MIGRATE', '127.0.0.1', '1', 'k', '0', '100', 'AUTH2', 'user', 'pass');
    await c.cmd('MIGRATE', '127.0.0.1', '1', '', '0', '100', 'AUTH', 'pass', 'KEYS', 'k');
    const lines = [String((await mon.nextPush()).value), String((await mon.nextPush()).value)];
    assert.match(lines[0], /"MIGRATE" "127\.0\.0\.1" "1" "k" "0" "100" "AUTH2" "\(redacted\)" "\(redacted\)"$/);
    assert.match(lines[1], /"MIGRATE" "127\.0\.0\.1" "1" "" "0" "100" "AUTH" "\(redacted\)" "KEYS" "k"$/);
    const log = (await c.cmd('SLOWLOG', 'GET', '2')) as unknown[][];
    assert.deepEqual(log[0][3], ['MIGRATE', '127.0.0.1', '1', '', '0', '100', 'AUTH', '(redacted)', 'KEYS', 'k']);
    assert.deepEqual(log[1][3], ['MIGRATE', '127.0.0.1', '1', 'k', '0', '100', 'AUTH2', '(redacted)', '(redacted)']);
  });
});

test('MIGRATE inside MULTI/EXEC answers in its place in the EXEC reply (the exchange blocks, as Redis)', async () => {
  // the target is another process: the exchange blocks this one's event loop
  const port = await freePort();
  const target = spawn(process.execPath, [serverJs, '--port', String(port), '--bind', '127.0.0.1', '--save', ''], { stdio: 'ignore' });
  try {
    const t = await connectWhenListening(port);
    await withClients(1, async ([c], srv) => {
      const prop = recordPropagation(srv);
      await c.cmd('MSET', 'a', '1', 'b', '2');
      const [, q1, q2, q3, exec] = await c.pipeline([['MULTI'], ['MIGRATE', '127.0.0.1', String(port), 'a', '0', '5000'], ['MIGRATE', '127.0.0.1', '1', 'b', '0', '1000'], ['GET', 'a'], ['EXEC']]);
      assert.deepEqual([q1.value, q2.value, q3.value], ['QUEUED', 'QUEUED', 'QUEUED']);
      const r = exec.value as unknown[];
      assert.equal(r[0], 'OK');
      assert.equal(errText(r[1]), 'IOERR error or timeout writing to target instance');
      assert.equal(r[2], null);
      assert.equal(await t.cmd('GET', 'a'), '1');
      // propagated as the DEL of what moved, never as MIGRATE
      assert.ok(!prop.some((a) => a[0].toUpperCase() === 'MIGRATE'), JSON.stringify(prop));
      assert.deepEqual(
        prop.filter((a) => a[0] === 'DEL'),
        [['DEL', 'a']],
      );
    });
    t.close();
  } finally {
    target.kill('SIGKILL');
  }
});
