import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { withClients, withGkv, withServer } from '../harness/commands.js';
import { RespClient } from '../harness/resp.js';

/** Sends raw bytes; resolves with everything received until the server closes (or a timeout). */
function exchange(port: number, bytes: string | Buffer, waitMs = 2000): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    let closed = false;
    const t = setTimeout(() => {
      s.destroy();
      resolve({ data, closed });
    }, waitMs);
    s.on('data', (d) => (data += d.toString('latin1')));
    s.on('close', () => {
      closed = true;
      clearTimeout(t);
      resolve({ data, closed });
    });
    s.on('error', () => {});
    s.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  });
}

test("a malformed request gets Redis's error, the connection is closed, and another client is served throughout", async () => {
  await withServer(async (bystander, srv) => {
    const cases: [string, string][] = [
      ['*1\r\n+foo\r\n', "-ERR Protocol error: expected '$', got '+'\r\n"],
      ['*3000000000\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
      ['*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ['SET "a b\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
      ['PING\r\n*1\r\n+x\r\n', "+PONG\r\n-ERR Protocol error: expected '$', got '+'\r\n"],
    ];
    for (const [input, want] of cases) {
      const r = await exchange(srv.port, input);
      assert.equal(r.data, want);
      assert.equal(r.closed, true);
      assert.equal(await bystander.cmd('PING'), 'PONG');
    }
  });
});

test('replies to a pipeline arrive complete and in order, also when the request trickles in byte by byte', async () => {
  await withGkv({}, async (srv) => {
    const c = await RespClient.connect(srv.port);
    const cmds = Array.from({ length: 2000 }, (_, i) => ['SET', `k${i}`, `v${i}`]);
    const reps = await c.pipeline(cmds);
    assert.ok(reps.every((r) => r.raw === '+OK\r\n'));
    const gets = await c.pipeline(cmds.map(([, k]) => ['GET', k]));
    assert.ok(gets.every((r, i) => r.value === `v${i}`));
    const bytes = Buffer.from('*2\r\n$3\r\nGET\r\n$2\r\nk7\r\nPING\r\n', 'latin1');
    const replies = c.sendRaw(Buffer.alloc(0), 2);
    for (const b of bytes) {
      c.socket.write(Buffer.from([b]));
      await new Promise((r) => setTimeout(r, 1));
    }
    const [a, b] = await replies;
    assert.equal(a.raw, '$2\r\nv7\r\n');
    assert.equal(b.raw, '+PONG\r\n');
    c.close();
  });
});

test('proto-max-bulk-len and client-query-buffer-limit bound requests as in Redis', async () => {
  await withServer({ 'proto-max-bulk-len': '1mb', 'client-query-buffer-limit': '1mb' }, async (bystander, srv) => {
    const r = await exchange(srv.port, `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${2 * 1024 * 1024}\r\n`);
    assert.equal(r.data, '-ERR Protocol error: invalid bulk length\r\n');
    assert.equal(r.closed, true);
    // a pending query growing past the limit closes that client without a reply
    const big = Buffer.alloc(1100 * 1024, 'a');
    const q = await exchange(srv.port, Buffer.concat([Buffer.from('*2\r\n$4\r\nECHO\r\n$2000000\r\n'), big]));
    assert.equal(q.closed, true);
    assert.equal(await bystander.cmd('PING'), 'PONG');
  });
});

test("maxclients refuses the connection beyond the limit with Redis's error", async () => {
  await withClients(
    2,
    async ([a, b], srv) => {
      await a.cmd('PING');
      await b.cmd('PING');
      const r = await exchange(srv.port, '');
      assert.equal(r.data, '-ERR max number of clients reached\r\n');
    },
    { maxclients: 2 },
  );
});

test('random bytes never crash the server nor disturb a well-behaved client', async () => {
  await withServer(async (good, srv) => {
    const samples = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 4096 }).map((u) => Buffer.from(u)),
        fc.array(fc.constantFrom('*', '$', '\r\n', '-1', '3', 'SET', 'GET', '"', "'", '\\x', '0', '99999999999', '\n', ' ', 'PING'), { maxLength: 60 }).map((p) => Buffer.from(p.join(''), 'latin1')),
      ),
      { seed: 99, numRuns: 150 },
    );
    let i = 0;
    for (const bytes of samples) {
      await exchange(srv.port, bytes, 30);
      if (i++ % 10 === 0) {
        assert.equal(await good.cmd('SET', 'good', String(i)), 'OK');
        assert.equal(await good.cmd('GET', 'good'), String(i));
      }
    }
    assert.equal(await good.cmd('PING'), 'PONG');
  });
});
