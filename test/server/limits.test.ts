/**
 * No request can bring the server down: replies and values larger than one JS
 * string (2^29 - 24 chars) reach the client whole, counts are bounded where
 * Redis bounds them, and a command that fails unexpectedly costs at most its
 * own client. The big replies are checked as they stream in
 * (harness/stream-check.ts); each test ends by asking the server something
 * on another connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withClients, errText } from '../harness/commands.js';
import { encodeCommand } from '../harness/resp.js';
import { bulkBytes, patternBytes, sendAndCheck } from '../harness/stream-check.js';
import type { CommandSpec } from '../../src/commands/spec.js';

const MB = 1024 * 1024;
/** V8's longest string, which these replies and values pass */
const MAX_STRING = 2 ** 29 - 24;

test('MGET of a 1 MB value 600 times answers 600 MB whole, past the longest JS string, and the server goes on', async () => {
  await withClients(1, async ([c], srv) => {
    const v = patternBytes(MB);
    await c.cmd('SET', 'k', v);
    const n = 600;
    const r = await sendAndCheck(srv.port, encodeCommand(['MGET', ...Array<string>(n).fill('k')]), [
      { bytes: Buffer.from(`*${n}\r\n`), times: 1 },
      { bytes: bulkBytes(v), times: n },
    ]);
    assert.equal(r.firstMismatch, -1);
    assert.ok(r.received > MAX_STRING);
    assert.equal(r.received, 6 + n * bulkBytes(v).length);
    assert.equal(await c.cmd('PING'), 'PONG');
  });
});

test('HRANDFIELD with repetitions of a hash holding a 1 MB value answers whole: its batches of 1000 are cut by size (fuzz seed 11)', async () => {
  await withClients(1, async ([c], srv) => {
    const v = patternBytes(MB, 5);
    await c.cmd('HSET', 'h', 'f', v);
    const n = 600;
    const pair = Buffer.concat([bulkBytes(Buffer.from('f')), bulkBytes(v)]);
    const r = await sendAndCheck(srv.port, encodeCommand(['HRANDFIELD', 'h', String(-n), 'WITHVALUES']), [
      { bytes: Buffer.from(`*${2 * n}\r\n`), times: 1 },
      { bytes: pair, times: n },
    ]);
    assert.equal(r.firstMismatch, -1);
    assert.ok(r.received > MAX_STRING);
    assert.equal(r.received, 7 + n * pair.length);
    assert.equal(await c.cmd('PING'), 'PONG');
  });
});

test('EXEC of 520 GETs of a 1 MB value answers every reply in step, then the connection serves the next command', async () => {
  await withClients(1, async ([c], srv) => {
    const v = patternBytes(MB, 3);
    await c.cmd('SET', 'k', v);
    const n = 520;
    const req = Buffer.concat([encodeCommand(['MULTI']), ...Array.from({ length: n }, () => encodeCommand(['GET', 'k'])), encodeCommand(['EXEC']), encodeCommand(['PING'])]);
    const r = await sendAndCheck(srv.port, req, [
      { bytes: Buffer.from('+OK\r\n'), times: 1 },
      { bytes: Buffer.from('+QUEUED\r\n'), times: n },
      { bytes: Buffer.from(`*${n}\r\n`), times: 1 },
      { bytes: bulkBytes(v), times: n },
      { bytes: Buffer.from('+PONG\r\n'), times: 1 },
    ]);
    assert.equal(r.firstMismatch, -1);
    assert.equal(r.received, 5 + 9 * n + 6 + n * bulkBytes(v).length + 7);
    assert.equal(await c.cmd('DBSIZE'), 1);
  });
});

test('ZRANDMEMBER, SRANDMEMBER and HRANDFIELD refuse a count of -2^63 with Redis range errors, before looking at the key', async () => {
  await withClients(1, async ([c]) => {
    await c.cmd('ZADD', 'z', '1', 'a');
    await c.cmd('SADD', 's', 'a');
    await c.cmd('HSET', 'h', 'a', '1');
    const range = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
    for (const [cmd, key] of [
      ['ZRANDMEMBER', 'z'],
      ['SRANDMEMBER', 's'],
      ['HRANDFIELD', 'h'],
      ['ZRANDMEMBER', 'nokey'],
      ['HRANDFIELD', 's'],
    ]) {
      assert.equal(errText(await c.cmd(cmd, key, '-9223372036854775808')), range, cmd);
    }
    assert.equal(errText(await c.cmd('ZRANDMEMBER', 'z', '-4611686018427387904', 'WITHSCORES')), 'ERR value is out of range');
    assert.equal(errText(await c.cmd('HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES')), 'ERR value is out of range');
    assert.equal(errText(await c.cmd('SRANDMEMBER', 's', '9223372036854775808')), 'ERR value is not an integer or out of range');
    assert.deepEqual(await c.cmd('ZRANDMEMBER', 'z', '-3', 'WITHSCORES'), ['a', '1', 'a', '1', 'a', '1']);
  });
});

test('random members with repetitions stream any count: SRANDMEMBER -80000000 (560 MB), ZRANDMEMBER and HRANDFIELD with values', async () => {
  await withClients(1, async ([c], srv) => {
    await c.cmd('SADD', 's', 'a');
    await c.cmd('ZADD', 'z', '1', 'a');
    await c.cmd('HSET', 'h', 'a', '1');
    const a = Buffer.from('$1\r\na\r\n');
    const one = Buffer.from('$1\r\n1\r\n');
    const big = await sendAndCheck(srv.port, encodeCommand(['SRANDMEMBER', 's', '-80000000']), [
      { bytes: Buffer.from('*80000000\r\n'), times: 1 },
      { bytes: a, times: 80000000 },
    ]);
    assert.equal(big.firstMismatch, -1);
    assert.equal(big.received, 11 + 7 * 80000000);
    const pair = Buffer.concat([a, one]);
    for (const cmd of [
      ['ZRANDMEMBER', 'z', '-1000000', 'WITHSCORES'],
      ['HRANDFIELD', 'h', '-1000000', 'WITHVALUES'],
    ]) {
      const r = await sendAndCheck(srv.port, encodeCommand(cmd), [
        { bytes: Buffer.from('*2000000\r\n'), times: 1 },
        { bytes: pair, times: 1000000 },
      ]);
      assert.equal(r.firstMismatch, -1, cmd[0]);
      assert.equal(r.received, 10 + 14 * 1000000, cmd[0]);
    }
    // RESP3 nests each member with its score
    await c.cmd('HELLO', '3');
    assert.deepEqual(await c.cmd('ZRANDMEMBER', 'z', '-2', 'WITHSCORES'), [
      ['a', { double: '1' }],
      ['a', { double: '1' }],
    ]);
  });
});

test('a reply over the normal output limit closes its client without a partial reply; the others go on', async () => {
  await withClients(1, async ([c], srv) => {
    await c.cmd('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0');
    await c.cmd('SADD', 's', 'a');
    const r = await sendAndCheck(srv.port, encodeCommand(['SRANDMEMBER', 's', '-9223372036854775807']), [{ bytes: Buffer.from('x'), times: 1 }]);
    assert.ok(r.closed);
    assert.equal(r.received, 0);
    // the limit is this server's: another server in the same process still answers a 2 MB reply
    await withClients(1, async ([o], other) => {
      // set again after the other server started, so its default came first
      await c.cmd('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0');
      await o.cmd('SADD', 's', 'a');
      const whole = await sendAndCheck(other.port, encodeCommand(['SRANDMEMBER', 's', '-300000']), [
        { bytes: Buffer.from('*300000\r\n'), times: 1 },
        { bytes: Buffer.from('$1\r\na\r\n'), times: 300000 },
      ]);
      assert.equal(whole.firstMismatch, -1);
      assert.equal(whole.received, 9 + 7 * 300000);
    });
    await c.cmd('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
    assert.equal(await c.cmd('SCARD', 's'), 1);
  });
});

test('a 512 MB value: SETRANGE at its last byte, APPEND past it refused, STRLEN, GETRANGE, GET whole, DUMP and RESTORE, DEBUG RELOAD', async () => {
  await withClients(
    1,
    async ([c], srv) => {
      const size = 512 * MB;
      assert.equal(await c.cmd('SETRANGE', 'big', String(size - 1), 'x'), size);
      assert.equal(errText(await c.cmd('APPEND', 'big', 'y')), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
      assert.equal(await c.cmd('STRLEN', 'big'), size);
      assert.equal(await c.cmd('GETRANGE', 'big', '-3', '-1'), '\0\0x');
      const zeros = Buffer.alloc(MB);
      const tail = Buffer.alloc(MB);
      tail[MB - 1] = 120;
      const whole = await sendAndCheck(srv.port, encodeCommand(['GET', 'big']), [
        { bytes: Buffer.from(`$${size}\r\n`), times: 1 },
        { bytes: zeros, times: 511 },
        { bytes: tail, times: 1 },
        { bytes: Buffer.from('\r\n'), times: 1 },
      ]);
      assert.equal(whole.firstMismatch, -1);
      assert.equal(whole.received, size + 14);
      const digest = await c.cmd('DEBUG', 'DIGEST-VALUE', 'big');
      const dump = (await c.call('DUMP', 'big')).raw;
      const payload = Buffer.from(dump.slice(dump.indexOf('\r\n') + 2, -2), 'latin1');
      assert.equal(await c.cmd('RESTORE', 'copy', '0', payload), 'OK');
      assert.deepEqual(await c.cmd('DEBUG', 'DIGEST-VALUE', 'copy'), digest);
      await c.cmd('DEL', 'copy');
      assert.equal(await c.cmd('DEBUG', 'RELOAD'), 'OK');
      assert.deepEqual(await c.cmd('DEBUG', 'DIGEST-VALUE', 'big'), digest);
      assert.equal(await c.cmd('SETRANGE', 'big', '0', 'head'), size);
      assert.equal(await c.cmd('GETRANGE', 'big', '0', '4'), 'head\0');
    },
    { 'enable-debug-command': 'yes' },
  );
});

test('SET of a 512 MB argument (longer than a JS string) stores it; GET returns it whole; other commands refuse such an argument and the connection goes on', async () => {
  await withClients(1, async ([c], srv) => {
    const size = 512 * MB;
    const v = patternBytes(size, 11);
    const req = Buffer.concat([encodeCommand(['SET', 'big', v]), encodeCommand(['STRLEN', 'big']), encodeCommand(['GET', 'big'])]);
    const r = await sendAndCheck(srv.port, req, [
      { bytes: Buffer.from('+OK\r\n'), times: 1 },
      { bytes: Buffer.from(`:${size}\r\n$${size}\r\n`), times: 1 },
      { bytes: v, times: 1 },
      { bytes: Buffer.from('\r\n'), times: 1 },
    ]);
    assert.equal(r.firstMismatch, -1);
    const other = Buffer.concat([encodeCommand(['LPUSH', 'l', v]), encodeCommand(['PING'])]);
    const refused = Buffer.from(
      `-ERR argument of ${size} bytes is too long for 'lpush' in gKV (over ${MAX_STRING} bytes only SET, SETNX, SETEX, PSETEX, GETSET, APPEND and SETRANGE take a value)\r\n+PONG\r\n`,
    );
    const r2 = await sendAndCheck(srv.port, other, [{ bytes: refused, times: 1 }]);
    assert.equal(r2.firstMismatch, -1);
    assert.equal(await c.cmd('EXISTS', 'l'), 0);
  });
});

test('a command that fails unexpectedly costs only its client: an error when it wrote nothing, the connection closed when it had', async () => {
  await withClients(2, async ([c, other], srv) => {
    const echo = srv.server.table.lookup('echo') as CommandSpec & { handler: unknown };
    const original = echo.handler;
    try {
      echo.handler = () => {
        throw new TypeError('boom');
      };
      assert.equal(errText(await c.cmd('ECHO', 'x')), "ERR internal error in 'echo' command");
      assert.equal(await c.cmd('PING'), 'PONG');
      echo.handler = (cl: { addArrayLen(n: number): void; addBulk(s: string): void }) => {
        cl.addArrayLen(3);
        cl.addBulk('half');
        throw new RangeError('boom');
      };
      // the reply is cut (an array of 3 with one element, then the error): no reply to wait for
      const closed = c.waitClose();
      void c.call('ECHO', 'x');
      await closed;
      assert.equal(await other.cmd('PING'), 'PONG');
    } finally {
      echo.handler = original;
    }
  });
});

test('the largest TTL Redis takes (PEXPIREAT 2^63-1) stays a valid int64 in replies, a SAVE and a reload', async () => {
  await withClients(
    1,
    async ([c]) => {
      await c.cmd('SET', 'k', 'v');
      assert.equal(await c.cmd('PEXPIREAT', 'k', '9223372036854775807'), 1);
      const at = BigInt(String(await c.cmd('PEXPIRETIME', 'k')));
      assert.ok(at <= 9223372036854775807n && at > 9223372036854770000n, String(at));
      assert.equal(await c.cmd('DEBUG', 'RELOAD'), 'OK');
      assert.equal(BigInt(String(await c.cmd('PEXPIRETIME', 'k'))), at);
      assert.equal(await c.cmd('GET', 'k'), 'v');
    },
    { 'enable-debug-command': 'yes' },
  );
});

test("an unauthenticated client may send at most 10 arguments of at most 16 KB (Redis's protocol errors); after AUTH the limits are gone", async () => {
  await withClients(
    0,
    async (_cs, srv) => {
      const many = await sendAndCheck(srv.port, Buffer.from('*100\r\n'), [{ bytes: Buffer.from('-ERR Protocol error: unauthenticated multibulk length\r\n'), times: 1 }]);
      assert.equal(many.firstMismatch, -1);
      assert.ok(many.closed || many.received > 0);
      const big = await sendAndCheck(srv.port, Buffer.from('*1\r\n$100000000\r\n'), [{ bytes: Buffer.from('-ERR Protocol error: unauthenticated bulk length\r\n'), times: 1 }]);
      assert.equal(big.firstMismatch, -1);
      const v = 'x'.repeat(20000);
      const after = await sendAndCheck(srv.port, Buffer.concat([encodeCommand(['AUTH', 'pw']), encodeCommand(['SET', 'k', v]), encodeCommand(['STRLEN', 'k'])]), [
        { bytes: Buffer.from('+OK\r\n+OK\r\n:20000\r\n'), times: 1 },
      ]);
      assert.equal(after.firstMismatch, -1);
    },
    { requirepass: 'pw' },
  );
});
