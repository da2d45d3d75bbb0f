/**
 * Functions' libraries in persistence and propagation: RDB files carry
 * them both ways with a real redis-server (Redis loads gKV's dump.rdb and
 * runs its functions, gKV loads Redis's), DEBUG RELOAD keeps them and its
 * NOFLUSH / MERGE options treat a library already loaded as Redis does,
 * FLUSHALL leaves them, the AOF's command-form base starts with their
 * FUNCTION LOAD, and FUNCTION LOAD / DELETE / FLUSH / RESTORE propagate as
 * sent (failed ones not at all), each counting one change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { oracleSkip, startGkv, startRedis, waitFor } from '../harness/servers.js';
import { RespClient } from '../harness/resp.js';
import { errText, recordPropagation, withServer } from '../harness/commands.js';
import { RdbWriter, dumpPayloadEnd } from '../../src/persistence/rdb/encode.js';
import { RDB_OPCODE_FUNCTION } from '../../src/persistence/rdb/functions.js';

const lib = (name: string, fn: string, body = `return '${fn}'`): string => `#!lua name=${name}\nredis.register_function('${fn}', function(keys, args) ${body} end)`;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gkv-fn-'));
}

test("an RDB file with libraries goes both ways: gKV loads Redis's, Redis loads gKV's and runs its functions", { skip: oracleSkip() }, async () => {
  const rdir = tempDir();
  const gdir = tempDir();
  try {
    const r = await startRedis(['--dir', rdir]);
    const rc = await RespClient.connect(r.port);
    await rc.cmd('FUNCTION', 'LOAD', lib('redislib', 'rf', "return 'from redis'"));
    await rc.cmd('SET', 'k', 'v');
    assert.equal(await rc.cmd('SAVE'), 'OK');
    rc.close();
    await r.stop();

    const g = await startGkv({ dir: gdir, 'enable-debug-command': 'yes' });
    const gc = await RespClient.connect(g.port);
    copyFileSync(join(rdir, 'dump.rdb'), join(gdir, 'dump.rdb'));
    assert.equal(await gc.cmd('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
    assert.deepEqual(await gc.cmd('FUNCTION', 'LIST', 'WITHCODE'), [
      ['library_name', 'redislib', 'engine', 'LUA', 'functions', [['name', 'rf', 'description', null, 'flags', []]], 'library_code', lib('redislib', 'rf', "return 'from redis'")],
    ]);
    assert.equal(await gc.cmd('FCALL', 'rf', '0'), 'from redis');
    assert.equal(await gc.cmd('GET', 'k'), 'v');
    await gc.cmd('FUNCTION', 'LOAD', lib('gkvlib', 'gf', "return 'from gkv'"));
    assert.equal(await gc.cmd('SAVE'), 'OK');
    gc.close();
    await g.close();

    const check = spawnSync('redis-check-rdb', [join(gdir, 'dump.rdb')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const r2 = await startRedis(['--dir', gdir, '--dbfilename', 'dump.rdb']);
    const rc2 = await RespClient.connect(r2.port);
    try {
      assert.equal(await rc2.cmd('FCALL', 'gf', '0'), 'from gkv');
      assert.equal(await rc2.cmd('FCALL', 'rf', '0'), 'from redis');
      assert.equal(await rc2.cmd('GET', 'k'), 'v');
    } finally {
      rc2.close();
      await r2.stop();
    }
  } finally {
    rmSync(rdir, { recursive: true, force: true });
    rmSync(gdir, { recursive: true, force: true });
  }
});

test('DEBUG RELOAD keeps the libraries; NOFLUSH fails on a library already loaded, NOFLUSH MERGE replaces it; FLUSHALL leaves them', async () => {
  const dir = tempDir();
  try {
    const g = await startGkv({ dir, 'enable-debug-command': 'yes' });
    const c = await RespClient.connect(g.port);
    try {
      await c.cmd('FUNCTION', 'LOAD', lib('l1', 'f1'));
      assert.equal(await c.cmd('DEBUG', 'RELOAD'), 'OK');
      assert.equal(await c.cmd('FCALL', 'f1', '0'), 'f1');
      assert.match(errText(await c.cmd('DEBUG', 'RELOAD', 'NOFLUSH')), /Error trying to load the RDB dump/);
      assert.equal(await c.cmd('DEBUG', 'RELOAD', 'NOFLUSH', 'MERGE'), 'OK');
      assert.deepEqual(await c.cmd('FUNCTION', 'STATS'), ['running_script', null, 'engines', ['LUA', ['libraries_count', 1, 'functions_count', 1]]]);
      await c.cmd('SET', 'x', '1');
      assert.equal(await c.cmd('FLUSHALL'), 'OK');
      assert.equal(await c.cmd('FLUSHDB'), 'OK');
      assert.equal(await c.cmd('FCALL', 'f1', '0'), 'f1');
    } finally {
      c.close();
      await g.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the AOF's command-form base starts with a FUNCTION LOAD per library, and DEBUG LOADAOF brings them back", async () => {
  const dir = tempDir();
  try {
    const g = await startGkv({ dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no', 'enable-debug-command': 'yes' });
    const c = await RespClient.connect(g.port);
    try {
      await c.cmd('FUNCTION', 'LOAD', lib('l1', 'f1'));
      await c.cmd('SET', 'k', 'v');
      assert.equal(await c.cmd('BGREWRITEAOF'), 'Background append only file rewriting started');
      await waitFor(
        async () => /aof_rewrite_in_progress:0/.test((await c.call('INFO', 'persistence')).raw) && /aof_rewrite_scheduled:0/.test((await c.call('INFO', 'persistence')).raw),
        'the rewrite',
      );
      const adir = join(dir, 'appendonlydir');
      const base = readdirSync(adir).find((f) => f.endsWith('.base.aof'))!;
      const code = lib('l1', 'f1');
      assert.ok(readFileSync(join(adir, base), 'latin1').startsWith(`*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$${code.length}\r\n${code}\r\n`));
      await c.cmd('FUNCTION', 'LOAD', lib('l2', 'f2'));
      assert.equal(await c.cmd('DEBUG', 'LOADAOF'), 'OK');
      assert.deepEqual(await c.cmd('FUNCTION', 'STATS'), ['running_script', null, 'engines', ['LUA', ['libraries_count', 2, 'functions_count', 2]]]);
      assert.equal(await c.cmd('FCALL', 'f2', '0'), 'f2');
      assert.equal(await c.cmd('GET', 'k'), 'v');
    } finally {
      c.close();
      await g.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('FUNCTION LOAD, DELETE, FLUSH and RESTORE propagate as sent and count one change each; failures neither', async () => {
  await withServer(async (c, srv) => {
    const propagated = recordPropagation(srv);
    const dirty = () => srv.server.ks.dirty;
    let d = dirty();
    const code = lib('l1', 'f1');
    await c.cmd('FUNCTION', 'LOAD', code);
    assert.equal(dirty() - d, 1);
    const dump = (await c.cmd('FUNCTION', 'DUMP')) as string;
    d = dirty();
    errText(await c.cmd('FUNCTION', 'LOAD', code));
    errText(await c.cmd('FUNCTION', 'DELETE', 'nope'));
    errText(await c.cmd('FUNCTION', 'RESTORE', dump));
    errText(await c.cmd('FUNCTION', 'RESTORE', 'junk'));
    assert.equal(dirty(), d);
    await c.cmd('FUNCTION', 'RESTORE', dump, 'REPLACE');
    await c.cmd('FUNCTION', 'DELETE', 'l1');
    await c.cmd('FUNCTION', 'FLUSH', 'ASYNC');
    await c.cmd('FUNCTION', 'FLUSH');
    assert.equal(dirty() - d, 4);
    assert.deepEqual(propagated, [
      ['FUNCTION', 'LOAD', code],
      ['FUNCTION', 'RESTORE', dump, 'REPLACE'],
      ['FUNCTION', 'DELETE', 'l1'],
      ['FUNCTION', 'FLUSH', 'ASYNC'],
      ['FUNCTION', 'FLUSH'],
    ]);
  });
});

test('a restarted server loads its libraries from the RDB file, and from the AOF (FUNCTION LOAD replayed, no time limit)', async () => {
  const forms: Record<string, string>[] = [{}, { appendonly: 'yes' }, { appendonly: 'yes', 'aof-use-rdb-preamble': 'no' }];
  for (const opts of forms) {
    const dir = tempDir();
    try {
      const a = await startGkv({ dir, ...opts });
      const ca = await RespClient.connect(a.port);
      await ca.cmd('FUNCTION', 'LOAD', lib('l1', 'f1'));
      await ca.cmd('FUNCTION', 'LOAD', lib('l2', 'f2'));
      await ca.cmd('FUNCTION', 'DELETE', 'l2');
      if (opts.appendonly === undefined) assert.equal(await ca.cmd('SAVE'), 'OK');
      ca.close();
      await a.close();
      const b = await startGkv({ dir, ...opts });
      const cb = await RespClient.connect(b.port);
      try {
        assert.equal(await cb.cmd('FCALL', 'f1', '0'), 'f1', JSON.stringify(opts));
        assert.deepEqual(await cb.cmd('FUNCTION', 'STATS'), ['running_script', null, 'engines', ['LUA', ['libraries_count', 1, 'functions_count', 1]]]);
      } finally {
        cb.close();
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("FUNCTION RESTORE reads 7.0's release candidates' record (RDB_OPCODE_FUNCTION: name, engine, description, code)", async () => {
  await withServer(async (c) => {
    const w = new RdbWriter();
    w.saveType(RDB_OPCODE_FUNCTION);
    w.saveString('oldlib', { compress: false });
    w.saveString('LUA', { compress: false });
    w.saveLen(1);
    w.saveString('a description', { compress: false });
    w.saveString("redis.register_function('old', function() return 'old' end)", { compress: false });
    const payload = dumpPayloadEnd(w);
    assert.equal(await c.cmd('FUNCTION', 'RESTORE', payload), 'OK');
    assert.equal(await c.cmd('FCALL', 'old', '0'), 'old');
    assert.deepEqual(await c.cmd('FUNCTION', 'LIST', 'WITHCODE'), [
      [
        'library_name',
        'oldlib',
        'engine',
        'LUA',
        'functions',
        [['name', 'old', 'description', null, 'flags', []]],
        'library_code',
        "#!LUA name=oldlib\nredis.register_function('old', function() return 'old' end)",
      ],
    ]);
  });
});
