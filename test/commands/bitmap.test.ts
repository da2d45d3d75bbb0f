/**
 * Bitmap commands in-process: replies and errors, the raw encoding they
 * leave, what they propagate, the buffer mode of a bitmap (O(1) SETBIT on a
 * long string, every string reader still seeing the bytes), and snapshots
 * and reloads of a bitmap edited in place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errText, raw, recordPropagation, stringSnapshot, withServer, WRONGTYPE } from '../harness/commands.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RespClient } from '../harness/resp.js';
import type { GkvServer } from '../../src/index.js';
import { RawString } from '../../src/keyspace/value.js';

test('SETBIT answers the previous bit, grows the string with zeros, and GETBIT reads bits most significant first', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('SETBIT', 'k', '7', '1'), 0);
    assert.equal(await c.cmd('GET', 'k'), '\x01');
    assert.equal(await c.cmd('SETBIT', 'k', '7', '1'), 1);
    assert.equal(await c.cmd('SETBIT', 'k', '0', '1'), 0);
    assert.equal(await c.cmd('SETBIT', 'k', '23', '1'), 0);
    assert.equal(await c.cmd('GET', 'k'), '\x81\x00\x01');
    assert.equal(await c.cmd('GETBIT', 'k', '0'), 1);
    assert.equal(await c.cmd('GETBIT', 'k', '1'), 0);
    assert.equal(await c.cmd('GETBIT', 'k', '1000'), 0);
    assert.equal(await c.cmd('GETBIT', 'nokey', '3'), 0);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'k'), 'raw');
    await c.cmd('SET', 'e', 'abc');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'e'), 'embstr');
    assert.equal(await c.cmd('SETBIT', 'e', '0', '0'), 0);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'e'), 'raw', 'a SETBIT that changes nothing still unshares the value');
  });
});

test("the bitmap commands report Redis 7.0 errors in Redis's order", async () => {
  await withServer(async (c) => {
    await c.cmd('LPUSH', 'l', 'x');
    const bad = async (...args: string[]) => errText(await c.cmd(...args).catch((e: unknown) => e));
    assert.equal(await bad('SETBIT', 'k', '4294967296', '1'), 'ERR bit offset is not an integer or out of range');
    assert.equal(await bad('SETBIT', 'k', '-1', '1'), 'ERR bit offset is not an integer or out of range');
    assert.equal(await bad('SETBIT', 'l', 'x', '2'), 'ERR bit offset is not an integer or out of range');
    assert.equal(await bad('SETBIT', 'l', '1', '2'), 'ERR bit is not an integer or out of range');
    assert.equal(await bad('SETBIT', 'l', '1', '1'), WRONGTYPE);
    assert.equal(await bad('GETBIT', 'l', 'x'), 'ERR bit offset is not an integer or out of range');
    assert.equal(await c.cmd('BITCOUNT', 'nokey', 'x', 'y'), 0);
    assert.equal(await bad('BITCOUNT', 'l', 'x', 'y'), WRONGTYPE);
    await c.cmd('SET', 's', 'foobar');
    assert.equal(await bad('BITCOUNT', 's', '0'), 'ERR syntax error');
    assert.equal(await bad('BITCOUNT', 's', '0', '1', 'FOO'), 'ERR syntax error');
    assert.equal(await c.cmd('BITCOUNT', 's', '-1', '-2', 'FOO'), 0);
    assert.equal(await bad('BITPOS', 's', '2'), 'ERR The bit argument must be 1 or 0.');
    assert.equal(await c.cmd('BITPOS', 'nokey', '0', 'x'), 0);
    assert.equal(await bad('BITPOS', 's', '0', '0', 'x', 'FOO'), 'ERR syntax error');
    assert.equal(await bad('BITOP', 'NOT', 'd', 'a', 'b'), 'ERR BITOP NOT must be called with a single source key.');
    assert.equal(await bad('BITOP', 'NAND', 'd', 'a'), 'ERR syntax error');
    assert.equal(await bad('BITFIELD', 's', 'GET', 'u64', '0'), 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
    assert.equal(await bad('BITFIELD', 's', 'GET', 'I8', '0'), 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
    assert.equal(await bad('BITFIELD', 's', 'GET', 'i64', '#67108864'), 'ERR bit offset is not an integer or out of range');
    assert.equal(await bad('BITFIELD', 's', 'OVERFLOW', 'MAYBE'), 'ERR Invalid OVERFLOW type specified');
    assert.equal(await bad('BITFIELD', 's', 'SET', 'u8', '0'), 'ERR syntax error');
    assert.equal(await bad('BITFIELD_RO', 'l', 'SET', 'u8', '0', '1'), 'ERR BITFIELD_RO only supports the GET subcommand');
    assert.equal(await bad('BITFIELD_RO', 'l', 'GET', 'u8', '0'), WRONGTYPE);
    // offsets are bounded by proto-max-bulk-len (the offset's byte must be below it), not the field's end
    await c.cmd('CONFIG', 'SET', 'proto-max-bulk-len', '1mb');
    assert.equal(await c.cmd('SETBIT', 'big', '8388607', '1'), 0);
    assert.equal(await bad('SETBIT', 'big', '8388608', '1'), 'ERR bit offset is not an integer or out of range');
    assert.deepEqual(await c.cmd('BITFIELD', 'big2', 'SET', 'u8', '8388607', '1'), [0]);
    assert.equal(await c.cmd('STRLEN', 'big2'), 1048577);
  });
});

test('BITCOUNT and BITPOS take BYTE and BIT ranges with negative indexes; BITPOS of 0 runs past the end unless an end is given', async () => {
  await withServer(async (c) => {
    await c.cmd('SET', 's', 'foobar');
    assert.equal(await c.cmd('BITCOUNT', 's'), 26);
    assert.equal(await c.cmd('BITCOUNT', 's', '1', '1'), 6);
    assert.equal(await c.cmd('BITCOUNT', 's', '5', '30', 'BIT'), 17);
    assert.equal(await c.cmd('BITCOUNT', 's', '-3', '-1', 'bit'), 1);
    await c.cmd('SET', 'f', '\xff\xf0\x00');
    assert.equal(await c.cmd('BITPOS', 'f', '0'), 12);
    assert.equal(await c.cmd('BITPOS', 'f', '1', '2'), -1);
    assert.equal(await c.cmd('BITPOS', 'f', '1', '7', '15', 'BIT'), 7);
    await c.cmd('SET', 'ones', '\xff\xff');
    assert.equal(await c.cmd('BITPOS', 'ones', '0'), 16);
    assert.equal(await c.cmd('BITPOS', 'ones', '0', '0'), 16);
    assert.equal(await c.cmd('BITPOS', 'ones', '0', '0', '-1'), -1);
    assert.equal(await c.cmd('BITPOS', 'nokey', '1'), -1);
  });
});

test('BITOP stores a raw result as long as the longest source, clears the TTL, and deletes the destination when every source is empty', async () => {
  await withServer(async (c) => {
    await c.cmd('SET', 'a', 'foo');
    await c.cmd('SET', 'b', 'barbaz');
    assert.equal(await c.cmd('BITOP', 'AND', 'd', 'a', 'b'), 6);
    assert.equal(await c.cmd('GET', 'd'), 'bab\x00\x00\x00');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'd'), 'raw');
    assert.equal(await c.cmd('BITOP', 'XOR', 'd', 'a', 'nokey'), 3);
    assert.equal(await c.cmd('GET', 'd'), 'foo');
    assert.equal(await c.cmd('BITOP', 'NOT', 'd', 'a'), 3);
    assert.equal(await c.cmd('GET', 'd'), '\x99\x90\x90');
    await c.cmd('EXPIRE', 'd', '100');
    assert.equal(await c.cmd('BITOP', 'OR', 'd', 'a', 'b'), 6);
    assert.equal(await c.cmd('TTL', 'd'), -1);
    assert.equal(await c.cmd('BITOP', 'OR', 'd', 'nokey', 'nokey2'), 0);
    assert.equal(await c.cmd('EXISTS', 'd'), 0);
  });
});

test('BITFIELD runs GET, SET and INCRBY with WRAP, SAT and FAIL overflow, #N offsets and signed/unsigned types', async () => {
  await withServer(async (c) => {
    assert.deepEqual(await c.cmd('BITFIELD', 'k', 'SET', 'i8', '0', '100', 'INCRBY', 'i8', '0', '100', 'GET', 'u8', '0'), [0, -56, 200]);
    assert.deepEqual(await c.cmd('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '-200', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '-1'), [-128, null]);
    assert.deepEqual(await c.cmd('BITFIELD', 'k', 'SET', 'u4', '#1', '15', 'GET', 'u4', '4', 'GET', 'u16', '0'), [0, 15, 0x8f00]);
    assert.equal(await raw(c, 'BITFIELD', 'k', 'SET', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '1'), '*2\r\n:-8142508126285856768\r\n:-9223372036854775808\r\n');
    assert.equal(await raw(c, 'BITFIELD', 'k', 'GET', 'i64', '0'), '*1\r\n:-9223372036854775808\r\n');
    assert.equal(
      await raw(c, 'BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '-9223372036854775808', 'GET', 'i8', '0'),
      '*2\r\n:-128\r\n:127\r\n',
      "Redis's int64 wrap in the bound makes this saturate high",
    );
    assert.deepEqual(await c.cmd('BITFIELD', 'nokey'), []);
    assert.deepEqual(await c.cmd('BITFIELD_RO', 'k', 'OVERFLOW', 'SAT', 'GET', 'u8', '0'), [127]);
  });
});

test('SETBIT and BITFIELD count changes as Redis: an unchanged bit or an OVERFLOW FAIL is no change, a BITFIELD of GETs propagates nothing', async () => {
  await withServer(async (c, srv) => {
    const propagated = recordPropagation(srv);
    const dirty = () => srv.server.ks.dirty;
    let d = dirty();
    await c.cmd('SETBIT', 'k', '3', '1');
    assert.equal(dirty() - d, 1);
    d = dirty();
    await c.cmd('SETBIT', 'k', '3', '1');
    assert.equal(dirty() - d, 0);
    await c.cmd('SETBIT', 'k', '20', '0');
    assert.equal(dirty() - d, 1, 'growing the string is a change');
    d = dirty();
    await c.cmd('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'INCRBY', 'u8', '0', '1', 'GET', 'u8', '0');
    assert.equal(dirty() - d, 2);
    d = dirty();
    await c.cmd('BITFIELD', 'n', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000');
    assert.equal(dirty() - d, 0);
    assert.equal(await c.cmd('GET', 'n'), '\x00', 'the key is created all the same');
    d = dirty();
    await c.cmd('BITFIELD', 'k', 'SET', 'u8', '0', '2', 'SET', 'u8', '0', '2', 'INCRBY', 'u8', '0', '0');
    assert.equal(dirty() - d, 0, 'a field written with the value it holds is no change');
    await c.cmd('BITFIELD', 'k', 'SET', 'u8', '0', '3', 'SET', 'u8', '0', '3');
    assert.equal(dirty() - d, 1);
    d = dirty();
    await c.cmd('BITFIELD', 'k', 'SET', 'u8', '0', '3', 'SET', 'u8', '80', '0');
    assert.equal(dirty() - d, 2, 'once the string grew, every write counts');
    propagated.length = 0;
    await c.cmd('BITFIELD', 'k', 'GET', 'u8', '0');
    await c.cmd('BITFIELD_RO', 'k', 'GET', 'u8', '0');
    await c.cmd('SETBIT', 'k', '3', '0'); // BITFIELD's SET cleared it: no change
    await c.cmd('SETBIT', 'k', '3', '1');
    assert.deepEqual(propagated, [['SETBIT', 'k', '3', '1']]);
  });
});

test('a long bitmap takes SETBIT in place, and GET, STRLEN, GETRANGE, APPEND, COPY and MEMORY USAGE see its bytes', async () => {
  await withServer(async (c, srv) => {
    await c.cmd('SETBIT', 'big', String(8 * 50_000_000 - 1), '1');
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) await c.cmd('SETBIT', 'big', String(i * 1000), '1');
    assert.ok(performance.now() - t0 < 3000, 'SETBIT on a 50 MB string does not copy it');
    const v = srv.server.ks.dbs[0].peek('big') as RawString;
    assert.ok(v instanceof RawString && v.buf !== null, 'the bitmap is in buffer mode');
    assert.equal(await c.cmd('STRLEN', 'big'), 50_000_000);
    assert.equal(await c.cmd('BITCOUNT', 'big'), 2001);
    assert.equal(await c.cmd('GETRANGE', 'big', '-1', '-1'), '\x01');
    assert.equal(await c.cmd('COPY', 'big', 'copy'), 1);
    await c.cmd('SETBIT', 'copy', '1', '1');
    assert.equal(await c.cmd('GETBIT', 'big', '1'), 0, 'COPY is independent');
    assert.ok(Number(await c.cmd('MEMORY', 'USAGE', 'big')) >= 50_000_000);
    await c.cmd('DEL', 'big', 'copy');
    await c.cmd('SETBIT', 'b', '0', '1');
    assert.equal(await c.cmd('APPEND', 'b', 'xy'), 3);
    assert.equal(await c.cmd('SETBIT', 'b', '31', '1'), 0);
    assert.equal(await c.cmd('GET', 'b'), '\x80xy\x01');
    assert.equal(await c.cmd('SETRANGE', 'b', '1', 'Z'), 4);
    assert.equal(await c.cmd('GET', 'b'), '\x80Zy\x01');
  });
});

test('a snapshot taken before a SETBIT sees the bitmap as it was, and DEBUG RELOAD keeps a bitmap edited in place', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-bitmap-'));
  try {
    await withServer({ dir, 'enable-debug-command': 'yes' }, (c, srv) => snapshotAndReload(c, srv));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function snapshotAndReload(c: RespClient, srv: GkvServer): Promise<void> {
  {
    await c.cmd('SETBIT', 'b', '7', '1');
    await c.cmd('SETBIT', 'b', '15', '1');
    const { seen, finish } = stringSnapshot(srv);
    await c.cmd('SETBIT', 'b', '0', '1');
    await c.cmd('BITFIELD', 'b', 'SET', 'u8', '8', '255');
    finish();
    assert.equal(seen.get('b'), '\x01\x01');
    assert.equal(await c.cmd('GET', 'b'), '\x81\xff');
    assert.equal(await c.cmd('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await c.cmd('GET', 'b'), '\x81\xff');
    assert.equal(await c.cmd('SETBIT', 'b', '23', '1'), 0);
    assert.equal(await c.cmd('GET', 'b'), '\x81\xff\x01');
  }
}
