/**
 * HyperLogLog commands in-process: replies and Redis's errors, the raw
 * string an HLL is, what each command counts and propagates (PFCOUNT's cache
 * write included), keyspace events, WATCH, hll-sparse-max-bytes through
 * CONFIG SET, HLLs that arrive as plain strings (SET, RESTORE), a reply still
 * holding the bytes while PFADD edits them, snapshots of an HLL edited in
 * place, and corrupt values that answer INVALIDOBJ without harm.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errText, recordPropagation, stringSnapshot, withServer, WRONGTYPE } from '../harness/commands.js';
import { RecordingConn } from '../harness/recording-conn.js';

const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const INVALID = 'INVALIDOBJ Corrupted HLL object detected';

test('PFADD creates a sparse raw string, answers whether a register rose, and PFCOUNT counts it', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('PFADD', 'h'), 1, 'a new key is a change even without elements');
    assert.equal(await c.cmd('PFADD', 'h'), 0);
    assert.equal(await c.cmd('TYPE', 'h'), 'string');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'h'), 'raw');
    assert.equal(await c.cmd('GET', 'h'), 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff', 'the cache invalidated by the creation');
    assert.equal(await c.cmd('PFCOUNT', 'h'), 0);
    assert.equal(await c.cmd('PFADD', 'h', 'a', 'b', 'c'), 1);
    assert.equal(await c.cmd('PFADD', 'h', 'a', 'b', 'c'), 0);
    assert.equal(await c.cmd('PFADD', 'h', ''), 1);
    assert.equal(await c.cmd('PFCOUNT', 'h'), 4);
    assert.equal(await c.cmd('PFCOUNT', 'nokey'), 0);
    assert.equal(await c.cmd('PFDEBUG', 'ENCODING', 'h'), 'sparse');
    assert.equal(await c.cmd('STRLEN', 'h'), 30);
  });
});

test('PFCOUNT caches the cardinality in the header, and PFADD invalidates it only when a register rose', async () => {
  await withServer(async (c) => {
    await c.cmd('PFADD', 'h', 'a', 'b', 'c');
    assert.equal(await c.cmd('GETRANGE', 'h', '15', '15'), '\x80');
    assert.equal(await c.cmd('PFCOUNT', 'h'), 3);
    assert.equal(await c.cmd('GETRANGE', 'h', '8', '15'), '\x03\x00\x00\x00\x00\x00\x00\x00');
    await c.cmd('PFADD', 'h', 'a');
    assert.equal(await c.cmd('GETRANGE', 'h', '15', '15'), '\x00');
    await c.cmd('PFADD', 'h', 'z');
    assert.equal(await c.cmd('GETRANGE', 'h', '15', '15'), '\x80');
    // a forged valid cache is believed, to the last bit
    await c.cmd('SETRANGE', 'h', '8', '\xff\xff\xff\xff\xff\xff\xff\x7f');
    assert.equal(await c.cmd('PFCOUNT', 'h'), 9223372036854775807n);
  });
});

test('the HyperLogLog commands answer Redis 7.0 errors', async () => {
  await withServer(async (c) => {
    const bad = async (...args: string[]) => errText(await c.cmd(...args).catch((e: unknown) => e));
    await c.cmd('LPUSH', 'l', 'x');
    await c.cmd('SET', 's', 'not an hll at all');
    await c.cmd('PFADD', 'h', 'a');
    assert.equal(await bad('PFADD', 'l', 'x'), WRONGTYPE);
    assert.equal(await bad('PFADD', 's', 'x'), NOT_HLL);
    assert.equal(await bad('PFCOUNT', 'l'), WRONGTYPE);
    assert.equal(await bad('PFCOUNT', 's'), NOT_HLL);
    assert.equal(await bad('PFCOUNT', 'h', 's'), NOT_HLL);
    assert.equal(await bad('PFMERGE', 'h', 'l'), WRONGTYPE);
    assert.equal(await bad('PFMERGE', 's', 'h'), NOT_HLL, 'the destination is checked as an input');
    assert.equal(await bad('PFDEBUG', 'ENCODING', 'nokey'), 'ERR The specified key does not exist');
    assert.equal(await bad('PFDEBUG', 'FOO', 'nokey'), 'ERR The specified key does not exist', 'the key before the subcommand');
    assert.equal(await bad('PFDEBUG', 'FOO', 'h'), "ERR Unknown PFDEBUG subcommand 'FOO'");
    assert.equal(await bad('PFDEBUG', 'ENCODING', 's'), NOT_HLL);
    await c.cmd('PFDEBUG', 'TODENSE', 'h');
    assert.equal(await bad('PFDEBUG', 'DECODE', 'h'), 'ERR HLL encoding is not sparse');
    assert.equal(await bad('PFADD'), "ERR wrong number of arguments for 'pfadd' command");
    // the header checks: length, magic, encoding, a dense one's length
    await c.cmd('SET', 'x', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00');
    assert.equal(await bad('PFCOUNT', 'x'), NOT_HLL);
    await c.cmd('SET', 'x', 'HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff');
    assert.equal(await bad('PFCOUNT', 'x'), NOT_HLL);
    await c.cmd('SET', 'x', 'HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff');
    assert.equal(await bad('PFCOUNT', 'x'), NOT_HLL);
    assert.equal(await bad('SET', 'x', '1', 'x'), 'ERR syntax error');
  });
});

test('corrupt sparse values answer INVALIDOBJ from every command and leave the server serving', async () => {
  await withServer(async (c) => {
    const bad = async (...args: string[]) => errText(await c.cmd(...args).catch((e: unknown) => e));
    await c.cmd('PFADD', 'h', 'a', 'b', 'c');
    await c.cmd('APPEND', 'h', 'hello');
    assert.equal(await bad('PFCOUNT', 'h'), INVALID);
    assert.equal(await bad('PFCOUNT', 'h', 'nokey'), INVALID);
    assert.equal(await bad('PFMERGE', 'd', 'h'), INVALID);
    assert.equal(await c.cmd('EXISTS', 'd'), 0, 'nothing written');
    assert.equal(await bad('PFDEBUG', 'TODENSE', 'h'), INVALID);
    assert.equal(await bad('PFDEBUG', 'GETREG', 'h'), INVALID);
    assert.equal(await c.cmd('PFDEBUG', 'DECODE', 'h'), 'Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603 Z:10342 Z:11373 Z:12033');
    // short: a register past the code's end cannot be set
    await c.cmd('SET', 'short', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00');
    assert.equal(await bad('PFADD', 'short', 'a', 'b', 'c', 'd'), INVALID);
    assert.equal(await c.cmd('PFDEBUG', 'DECODE', 'short'), 'Z:1', 'nothing could be written');
    // an XZERO cut in half reads a zero second byte, as Redis reads the sds terminator
    await c.cmd('SET', 'cut', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40');
    assert.equal(await c.cmd('PFDEBUG', 'DECODE', 'cut'), 'Z:1');
    // a complete code with one more opcode: corrupt for every reader (Redis's fix for CVE-2025-32023)
    await c.cmd('SET', 'tail', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x80');
    assert.equal(await bad('PFCOUNT', 'tail'), INVALID);
    assert.equal(await bad('PFCOUNT', 'tail', 'nokey'), INVALID);
    assert.equal(await bad('PFMERGE', 'd', 'tail'), INVALID);
    assert.equal(await bad('PFDEBUG', 'TODENSE', 'tail'), INVALID);
    assert.equal(await c.cmd('PING'), 'PONG');
  });
});

test('PFCOUNT of several keys counts their union without writing; PFMERGE writes it, dense when an input was', async () => {
  await withServer(async (c, srv) => {
    const propagated = recordPropagation(srv);
    await c.cmd('PFADD', 'a', 'x', 'y', 'z');
    await c.cmd('PFADD', 'b', 'y', 'z', 'w');
    propagated.length = 0;
    assert.equal(await c.cmd('PFCOUNT', 'a', 'b', 'nokey'), 4);
    assert.equal(await c.cmd('GETRANGE', 'a', '15', '15'), '\x80', 'no cache written');
    assert.deepEqual(propagated, []);
    assert.equal(await c.cmd('PFMERGE', 'm', 'a', 'b'), 'OK');
    assert.equal(await c.cmd('PFCOUNT', 'm'), 4);
    assert.equal(await c.cmd('PFDEBUG', 'ENCODING', 'm'), 'sparse');
    assert.equal(await c.cmd('PFMERGE', 'empty'), 'OK');
    assert.equal(await c.cmd('PFDEBUG', 'DECODE', 'empty'), 'Z:16384');
    await c.cmd('PFDEBUG', 'TODENSE', 'b');
    assert.equal(await c.cmd('PFMERGE', 'a', 'b'), 'OK', 'the destination is an input too');
    assert.equal(await c.cmd('PFDEBUG', 'ENCODING', 'a'), 'dense');
    assert.equal(await c.cmd('PFCOUNT', 'a'), 4);
    assert.deepEqual(propagated, [
      ['PFMERGE', 'm', 'a', 'b'],
      ['PFCOUNT', 'm'],
      ['PFMERGE', 'empty'],
      ['PFDEBUG', 'TODENSE', 'b'],
      ['PFMERGE', 'a', 'b'],
      ['PFCOUNT', 'a'],
    ]);
  });
});

test('PFADD counts one change per raised register and the creation; PFCOUNT one when it writes the cache', async () => {
  await withServer(async (c, srv) => {
    const propagated = recordPropagation(srv);
    const dirty = () => srv.server.ks.dirty;
    let d = dirty();
    await c.cmd('PFADD', 'h', 'a', 'b', 'a');
    assert.equal(dirty() - d, 3);
    d = dirty();
    await c.cmd('PFADD', 'h', 'a', 'b');
    assert.equal(dirty() - d, 0);
    await c.cmd('PFCOUNT', 'h');
    assert.equal(dirty() - d, 1);
    await c.cmd('PFCOUNT', 'h');
    assert.equal(dirty() - d, 1, 'a valid cache is only read');
    d = dirty();
    assert.equal(await c.cmd('PFDEBUG', 'GETREG', 'h').then((r) => (r as number[]).length), 16384);
    assert.equal(dirty() - d, 1, 'GETREG converts a sparse HLL to dense');
    assert.equal(await c.cmd('PFDEBUG', 'TODENSE', 'h'), 0);
    assert.equal(dirty() - d, 1);
    assert.deepEqual(propagated, [
      ['PFADD', 'h', 'a', 'b', 'a'],
      ['PFCOUNT', 'h'],
      ['PFDEBUG', 'GETREG', 'h'],
    ]);
  });
});

test('PFADD and PFMERGE send "pfadd", PFCOUNT nothing; a PFCOUNT that writes the cache touches a WATCHed key', async () => {
  await withServer(async (c, srv) => {
    const sub = await RecordingConn.open(srv.port);
    try {
      await c.cmd('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
      sub.send(['PSUBSCRIBE', '__keyevent@0__:*']);
      await sub.barrier('subscribed');
      await c.cmd('PFADD', 'h', 'a');
      await c.cmd('PFADD', 'h', 'a');
      await c.cmd('PFCOUNT', 'h');
      await c.cmd('PFMERGE', 'm', 'h');
      await c.cmd('PFMERGE', 'm', 'h');
      const events = (await sub.barrier('done'))
        .map((f) => f.value)
        .filter((v): v is string[] => Array.isArray(v) && v[0] === 'pmessage')
        .map((v) => `${v[2].replace('__keyevent@0__:', '')} ${v[3]}`);
      assert.deepEqual(events, ['pfadd h', 'pfadd m', 'pfadd m']);
    } finally {
      sub.close();
    }
    await c.cmd('PFADD', 'w', 'x');
    await c.cmd('WATCH', 'w');
    await c.cmd('PFCOUNT', 'w');
    await c.cmd('MULTI');
    await c.cmd('PING');
    assert.equal(await c.cmd('EXEC'), null);
  });
});

test('hll-sparse-max-bytes decides when a sparse HLL turns dense', async () => {
  await withServer(async (c) => {
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'hll-sparse-max-bytes'), ['hll-sparse-max-bytes', '3000']);
    await c.cmd('CONFIG', 'SET', 'hll-sparse-max-bytes', '30');
    await c.cmd('PFADD', 'h', 'a', 'b', 'c');
    assert.equal(await c.cmd('PFDEBUG', 'ENCODING', 'h'), 'sparse');
    await c.cmd('PFADD', 'h', 'd', 'e', 'f', 'g');
    assert.equal(await c.cmd('PFDEBUG', 'ENCODING', 'h'), 'dense');
    assert.equal(await c.cmd('STRLEN', 'h'), 12304);
    assert.equal(await c.cmd('PFCOUNT', 'h'), 7);
    await c.cmd('CONFIG', 'SET', 'hll-sparse-max-bytes', '0');
    await c.cmd('PFADD', 'z', 'a');
    assert.equal(await c.cmd('PFDEBUG', 'ENCODING', 'z'), 'dense', 'any growth passes a limit of 0');
  });
});

test('an HLL written as a plain string (SET, RESTORE) is read and edited, and becomes raw as Redis unshares it', async () => {
  await withServer(async (c) => {
    await c.cmd('PFADD', 'h', 'a', 'b');
    const bytes = (await c.cmd('GET', 'h')) as string;
    const dump = (await c.cmd('DUMP', 'h')) as string;
    await c.cmd('SET', 'copy', bytes);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'copy'), 'embstr');
    assert.equal(await c.cmd('PFCOUNT', 'h', 'copy'), 2);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'copy'), 'embstr', 'a read of several keys leaves it alone');
    assert.equal(await c.cmd('PFCOUNT', 'copy'), 2);
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'copy'), 'raw');
    await c.cmd('RESTORE', 'r', '0', dump);
    assert.equal(await c.cmd('PFADD', 'r', 'c'), 1);
    assert.equal(await c.cmd('PFCOUNT', 'r'), 3);
    await c.cmd('PFDEBUG', 'TODENSE', 'r');
    const dense = (await c.cmd('GET', 'r')) as string;
    await c.cmd('SET', 'd', dense);
    assert.equal(await c.cmd('PFADD', 'd', 'e'), 1);
    assert.equal(await c.cmd('PFCOUNT', 'd'), 4);
    assert.equal(await c.cmd('PFDEBUG', 'ENCODING', 'd'), 'dense');
  });
});

test('GET replies in flight keep the bytes they were given while PFADD edits the HLL in place', async () => {
  await withServer(async (c) => {
    await c.cmd('PFADD', 'h', ...Array.from({ length: 3000 }, (_, i) => `e${i}`));
    assert.equal(await c.cmd('PFDEBUG', 'ENCODING', 'h'), 'dense');
    const before = (await c.cmd('GET', 'h')) as string;
    const replies = await c.pipeline([
      ['GET', 'h'],
      ['PFADD', 'h', ...Array.from({ length: 200 }, (_, i) => `f${i}`)],
      ['GET', 'h'],
    ]);
    assert.equal(replies[0].value, before);
    assert.equal(replies[1].value, 1);
    assert.notEqual(replies[2].value, before);
    assert.equal(await c.cmd('GET', 'h'), replies[2].value);
  });
});

test('a snapshot taken before a PFADD sees the HLL as it was, and DEBUG RELOAD keeps an HLL edited in place', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-hll-'));
  try {
    await withServer({ dir, 'enable-debug-command': 'yes' }, async (c, srv) => {
      await c.cmd('PFADD', 'h', 'a', 'b');
      await c.cmd('PFADD', 'd', 'a', 'b');
      await c.cmd('PFDEBUG', 'TODENSE', 'd');
      const before = { h: (await c.cmd('GET', 'h')) as string, d: (await c.cmd('GET', 'd')) as string };
      const { seen, finish } = stringSnapshot(srv);
      await c.cmd('PFADD', 'h', 'c');
      await c.cmd('PFADD', 'd', 'c');
      finish();
      assert.equal(seen.get('h'), before.h);
      assert.equal(seen.get('d'), before.d);
      const after = { h: await c.cmd('GET', 'h'), d: await c.cmd('GET', 'd') };
      assert.equal(await c.cmd('DEBUG', 'RELOAD'), 'OK');
      assert.deepEqual({ h: await c.cmd('GET', 'h'), d: await c.cmd('GET', 'd') }, after);
      assert.equal(await c.cmd('PFCOUNT', 'h', 'd'), 3);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PFSELFTEST answers OK', async () => {
  await withServer(async (c) => {
    assert.equal(await c.cmd('PFSELFTEST'), 'OK');
  });
});
