/**
 * The append-only file (src/persistence/aof): what is written survives a
 * restart, whatever the type, the encoding, the database or the transaction;
 * truncated and corrupted files are handled as Redis 7.0 handles them and
 * never load silently in part; the manifest is read and written in Redis's
 * exact text format; a rewrite under concurrent writes loses nothing; with
 * appendfsync always a `kill -9` loses no acknowledged write; and a real
 * redis-server 7.0 loads our directory (aof-use-rdb-preamble no) and we load
 * one it wrote, with the same state on both sides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync, cpSync, mkdirSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type GkvServer, type ServerOptions } from '../../src/index.js';
import { RespClient, type RespValue } from '../harness/resp.js';
import { connectWhenListening, freePort, oracleSkip, waitFor } from '../harness/servers.js';
import { stateOf } from '../differential/harness.js';
import { waitForInfo } from '../harness/info.js';
import { formatManifest, parseManifest, ManifestError, type Manifest } from '../../src/persistence/aof/manifest.js';
import { aofOf } from '../../src/persistence/aof/index.js';
import type { RObj, Value } from '../../src/keyspace/value.js';

const serverJs = fileURLToPath(new URL('../../src/bin/server.js', import.meta.url));
const DBS = [0, 1, 2, 3, 5];

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'gkv-aof-'));
}

/** Runs fn with a fresh temporary directory, removed afterwards. */
async function inTmpDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = tmp();
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const AOF_DIR = 'appendonlydir';

async function startAof(dir: string, opts: ServerOptions = {}): Promise<GkvServer> {
  return createServer({ port: 0, dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no', ...opts });
}

async function withClient<T>(srv: { port: number }, fn: (c: RespClient) => Promise<T>): Promise<T> {
  const c = await RespClient.connect(srv.port);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/** Waits until the first AOF rewrite has started and finished (INFO persistence). */
async function rewriteDone(c: RespClient): Promise<void> {
  await waitForInfo(c, 'aof_rewrites', '1', 'persistence');
  await waitForInfo(c, 'aof_rewrite_in_progress', '0', 'persistence');
}

/** redis-check-aof (redis-tools) finds the directory valid; nothing is checked when it is not installed. */
function checkAof(dir: string): void {
  const check = spawnSync('redis-check-aof', [join(dir, AOF_DIR, 'appendonly.aof.manifest')], { encoding: 'utf8' });
  if (check.error !== undefined) {
    process.stderr.write('*** redis-check-aof not found (apt-get install redis-tools): AOF files not checked by it ***\n');
    return;
  }
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /All AOF files and manifest are valid/);
}

/** Starts gKV on dir, reads the full state, stops it. */
async function stateOnRestart(dir: string, opts: ServerOptions = {}): Promise<string> {
  const srv = await createServer({ port: 0, dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no', ...opts });
  try {
    return await withClient(srv, (c) => stateOf(c, DBS));
  } finally {
    await srv.close();
  }
}

function files(dir: string): string[] {
  return readdirSync(join(dir, AOF_DIR)).sort();
}

function manifestOf(dir: string): string {
  return readFileSync(join(dir, AOF_DIR, 'appendonly.aof.manifest'), 'latin1');
}

/** The state without OBJECT ENCODING (content, type, TTL presence). */
function withoutEncodings(state: string): string {
  return state
    .split('\n')
    .map((l) => {
      const p = l.split('|');
      return [p[0], p[1], p[2], ...p.slice(4)].join('|');
    })
    .join('\n');
}

/** A connection to port once the server there answers PING with PONG (not -LOADING). */
async function pongWhenReady(port: number): Promise<RespClient> {
  let c: RespClient | null = null;
  await waitFor(async () => {
    try {
      c ??= await RespClient.connect(port);
      if ((await c.cmd('PING')) === 'PONG') return true;
    } catch {
      c = null;
    }
    return false;
  }, `a server answering PONG on port ${port}`);
  return c!;
}

/** A real redis-server on dir (appendonly yes), stopped with SHUTDOWN so it fsyncs. */
async function redisOn(dir: string, args: string[] = []): Promise<{ port: number; c: RespClient; proc: ChildProcess; log: () => string; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const c = await pongWhenReady(port);
  return {
    port,
    c,
    proc,
    log: () => out,
    async stop() {
      c.close();
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------- a dataset of every type

const future = Date.now() + 3_600_000;

/** Deterministic commands touching every type and encoding, several dbs, a transaction, TTLs and expiry. */
function dataset(): string[][] {
  const cmds: string[][] = [];
  const range = (n: number, f: (i: number) => string[]) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(...f(i));
    return out;
  };
  cmds.push(
    ['SET', 'str:int', '12345'],
    ['SET', 'str:neg', '-9223372036854775808'],
    ['SET', 'str:emb', 'hello world'],
    ['SET', 'str:raw', 'x'.repeat(100)],
    ['SET', 'str:bin', '\x00\x01\xfe\xff\r\n*3\r\n$3 binary'],
    ['SET', 'str:empty', ''],
    ['APPEND', 'str:app', 'abc'],
    ['APPEND', 'str:app', 'def'],
    ['SETRANGE', 'str:range', '5', 'zz'],
    ['INCRBYFLOAT', 'str:float', '10.5'],
    ['INCRBYFLOAT', 'str:float', '0.25'],
    ['INCRBY', 'str:counter', '41'],
    ['INCR', 'str:counter'],
    ['DECRBY', 'str:counter', '2'],
    ['SETEX', 'str:ttl', '1000', 'v'],
    ['SET', 'str:pxat', 'v', 'PXAT', String(future)],
    ['SET', 'str:keepttl', 'a', 'EX', '5000'],
    ['SET', 'str:keepttl', 'b', 'KEEPTTL'],
    ['MSET', 'm1', '1', 'm2', '2', 'm3', '3'],
    ['MSETNX', 'n1', '1', 'n2', '2'],
    ['GETSET', 'm1', 'one'],
    ['GETDEL', 'm2'],
    ['GETEX', 'm3', 'PX', '900000'],
    ['RPUSH', 'list:small', 'a', 'b', 'c'],
    ['LPUSH', 'list:small', 'z'],
    ['LINSERT', 'list:small', 'BEFORE', 'b', 'ins'],
    ['LSET', 'list:small', '0', 'first'],
    ['RPUSH', 'list:big', ...range(300, (i) => [`element-${i}`])],
    ['LPOP', 'list:big', '3'],
    ['RPOP', 'list:big'],
    ['LTRIM', 'list:big', '0', '250'],
    ['LREM', 'list:big', '0', 'element-10'],
    ['RPUSH', 'list:long', 'y'.repeat(10000), 'short'],
    ['LMOVE', 'list:small', 'list:moved', 'LEFT', 'RIGHT'],
    ['RPOPLPUSH', 'list:small', 'list:moved'],
    ['HSET', 'hash:lp', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3'],
    ['HDEL', 'hash:lp', 'f3'],
    ['HINCRBY', 'hash:lp', 'n', '5'],
    ['HINCRBYFLOAT', 'hash:lp', 'fl', '1.25'],
    ['HSETNX', 'hash:lp', 'f1', 'not-set'],
    ['HSET', 'hash:ht', ...range(600, (i) => [`field${i}`, `value${i}`])],
    ['HSET', 'hash:longval', 'f', 'v'.repeat(100)],
    ['SADD', 'set:int', '1', '2', '3', '-5', '9223372036854775807'],
    ['SADD', 'set:str', 'a', 'b', 'c', 'd'],
    ['SREM', 'set:str', 'd'],
    ['SADD', 'set:big', ...range(600, (i) => [String(i * 7)])],
    ['SADD', 'set:mixed', ...range(40, (i) => [`m${i}`])],
    ['SMOVE', 'set:str', 'set:moved', 'a'],
    ['SUNIONSTORE', 'set:union', 'set:int', 'set:str'],
    ['SINTERSTORE', 'set:inter', 'set:big', 'set:int'],
    ['ZADD', 'zset:lp', '1', 'a', '2.5', 'b', '-inf', 'c', '+inf', 'd', '0.1', 'e'],
    ['ZINCRBY', 'zset:lp', '0.2', 'e'],
    ['ZREM', 'zset:lp', 'b'],
    ['ZADD', 'zset:sl', ...range(200, (i) => [String(i / 3), `member${i}`])],
    ['ZPOPMIN', 'zset:sl', '2'],
    ['ZREMRANGEBYSCORE', 'zset:sl', '10', '20'],
    ['ZADD', 'zset:long', '1', 'm'.repeat(100), '2', 'short'],
    ['ZUNIONSTORE', 'zset:union', '2', 'zset:lp', 'zset:long', 'WEIGHTS', '2', '3'],
    ['EXPIRE', 'list:small', '1000'],
    ['PEXPIRE', 'hash:lp', '500000'],
    ['EXPIREAT', 'set:int', String(Math.floor(future / 1000))],
    ['PEXPIREAT', 'zset:lp', String(future)],
    ['EXPIRE', 'str:emb', '1000'],
    ['PERSIST', 'str:emb'],
    ['SORT', 'list:big', 'ALPHA', 'LIMIT', '0', '10', 'STORE', 'list:sorted'],
    ['RENAME', 'm1', 'm1renamed'],
    ['COPY', 'hash:lp', 'hash:copy'],
    ['DEL', 'n2'],
    ['UNLINK', 'str:range'],
    ['EXPIREAT', 'n1', '1'], // in the past: deleted, propagated as DEL
    ['MULTI'],
    ['INCR', 'tx:counter'],
    ['INCR', 'tx:counter'],
    ['SELECT', '1'],
    ['SET', 'tx:db1', 'x'],
    ['EXEC'],
    ['SELECT', '2'],
    ['SET', 'db2:k', 'v'],
    ['RPUSH', 'db2:l', '1', '2'],
    ['MOVE', 'db2:k', '3'],
    ['SELECT', '5'],
    ['SET', 'db5:flushed', 'x'],
    ['FLUSHDB'],
    ['SET', 'db5:after', 'y'],
    ['SELECT', '3'],
    ['SET', 'db3:swap', 'x'],
    ['SWAPDB', '2', '3'],
    ['SELECT', '0'],
    ['SET', 'soon', 'v', 'PX', '1'],
  );
  return cmds;
}

async function populate(c: RespClient): Promise<void> {
  for (const cmd of dataset()) {
    const r = await c.cmd(...cmd);
    assert.ok(!(r !== null && typeof r === 'object' && 'message' in (r as object)), `${cmd.join(' ').slice(0, 60)} -> ${String(r)}`);
  }
  // the key set with PX 1 expires: reading it deletes it (DEL is propagated)
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(await c.cmd('GET', 'soon'), null);
}

// ---------------------------------------------------------------- manifest

test("the manifest is written in Redis 7.0's exact format: base, history, then incremental files", () => {
  const m: Manifest = {
    base: { fileName: 'appendonly.aof.2.base.rdb', seq: 2, type: 'b' },
    history: [{ fileName: 'appendonly.aof.1.base.rdb', seq: 1, type: 'h' }],
    incrs: [
      { fileName: 'appendonly.aof.1.incr.aof', seq: 1, type: 'i' },
      { fileName: 'appendonly.aof.2.incr.aof', seq: 2, type: 'i' },
    ],
    baseSeq: 2,
    incrSeq: 2,
  };
  const text = formatManifest(m);
  assert.equal(
    text,
    'file appendonly.aof.2.base.rdb seq 2 type b\n' +
      'file appendonly.aof.1.base.rdb seq 1 type h\n' +
      'file appendonly.aof.1.incr.aof seq 1 type i\n' +
      'file appendonly.aof.2.incr.aof seq 2 type i\n',
  );
  assert.deepEqual(parseManifest(text), m);
});

test('a file name with spaces or quotes is written quoted as sdscatrepr does and read back', () => {
  const m: Manifest = { base: { fileName: 'my "aof".1.base.aof', seq: 1, type: 'b' }, history: [], incrs: [{ fileName: 'a b\x01.1.incr.aof', seq: 1, type: 'i' }], baseSeq: 1, incrSeq: 1 };
  const text = formatManifest(m);
  assert.equal(text, 'file "my \\"aof\\".1.base.aof" seq 1 type b\nfile "a b\\x01.1.incr.aof" seq 1 type i\n');
  assert.deepEqual(parseManifest(text), m);
});

test('manifest parsing skips comments, ignores unknown keys and takes keys in any order', () => {
  const m = parseManifest('# a comment\nseq 3 type i file x.3.incr.aof extra yes\nfile x.1.base.aof seq 1 type b\n');
  assert.equal(m.base!.fileName, 'x.1.base.aof');
  assert.deepEqual(m.incrs, [{ fileName: 'x.3.incr.aof', seq: 3, type: 'i' }]);
  assert.equal(m.incrSeq, 3);
});

test("malformed manifests are refused with Redis's messages", () => {
  const bad: [string, string][] = [
    ['', 'Found an empty AOF manifest'],
    ['file a seq 1 type b\nfile b seq 2 type b\n', 'Found duplicate base file information'],
    ['file a seq 2 type i\nfile b seq 2 type i\n', 'Found a non-monotonic sequence number'],
    ['file a seq 1 type x\n', 'Unknown AOF file type'],
    ['file dir/a seq 1 type b\n', "File can't be a path, just a filename"],
    ['file a seq 1\n', 'Invalid AOF manifest file format'],
    ['file a seq 1 type\n', 'Invalid AOF manifest file format'],
    ['file a seq 0 type b\n', 'Invalid AOF manifest file format'],
    ['\n', 'Invalid AOF manifest file format'],
    ['file a seq 1 type b', 'The AOF manifest file contains too long line'],
    ['file "a seq 1 type b\n', 'Invalid AOF manifest file format'],
  ];
  for (const [text, msg] of bad) {
    assert.throws(
      () => parseManifest(text),
      (e: Error) => e instanceof ManifestError && e.message === msg,
      JSON.stringify(text),
    );
  }
});

// ---------------------------------------------------------------- round trips

test('every type, encoding, database, TTL and transaction survives a restart on the same AOF directory', async () => {
  await inTmpDir(async (dir) => {
    let srv = await startAof(dir);
    const before = await withClient(srv, async (c) => {
      await populate(c);
      return stateOf(c, DBS);
    });
    await srv.close();
    assert.deepEqual(files(dir), ['appendonly.aof.1.base.aof', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    assert.equal(manifestOf(dir), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    const incr = readFileSync(join(dir, AOF_DIR, 'appendonly.aof.1.incr.aof'), 'latin1');
    assert.ok(incr.startsWith('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$7\r\nstr:int\r\n$5\r\n12345\r\n'));
    assert.ok(incr.includes('*2\r\n$3\r\nDEL\r\n$4\r\nsoon\r\n'), 'the expired key is propagated as DEL');
    const after = await stateOnRestart(dir);
    assert.equal(after, before);
    assert.ok(before.includes('tx:counter'), 'the transaction replayed');
  });
});

test('BGREWRITEAOF writes a new base of the dataset and a new incremental file; the state survives a restart', async () => {
  await inTmpDir(async (dir) => {
    let srv = await startAof(dir);
    const before = await withClient(srv, async (c) => {
      await populate(c);
      assert.equal(await c.cmd('BGREWRITEAOF'), 'Background append only file rewriting started');
      await aofOf(srv.server)!.rewriter.whenDone();
      // writes after the rewrite go to the new incremental file
      await c.cmd('SET', 'after:rewrite', '1');
      await c.cmd('RPUSH', 'list:small', 'tail');
      const info = String(await c.cmd('INFO', 'persistence'));
      assert.match(info, /aof_rewrites:1\r\n/);
      assert.match(info, /aof_last_bgrewrite_status:ok\r\n/);
      assert.match(info, /aof_rewrite_in_progress:0\r\n/);
      return stateOf(c, DBS);
    });
    await srv.close();
    assert.deepEqual(files(dir), ['appendonly.aof.2.base.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    assert.equal(manifestOf(dir), 'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    const base = readFileSync(join(dir, AOF_DIR, 'appendonly.aof.2.base.aof'), 'latin1');
    assert.ok(base.startsWith('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n'));
    assert.ok(base.includes('$5\r\nHMSET\r\n$7\r\nhash:ht\r\n'), 'hashes are rebuilt with HMSET');
    assert.ok(base.includes('*66\r\n$5\r\nRPUSH\r\n$8\r\nlist:big\r\n'), 'collections go 64 items per command');
    const after = await stateOnRestart(dir);
    // encodings may differ as in Redis (a rewrite rebuilds each value from scratch)
    assert.equal(withoutEncodings(after), withoutEncodings(before));
  });
});

test('a rewrite that fails leaves the AOF whole: status err, temporary base removed, writes kept, next rewrite succeeds', async () => {
  await inTmpDir(async (dir) => {
    let srv = await startAof(dir);
    await withClient(srv, async (c) => {
      await c.cmd('SET', 'a', '1');
      // a value the command-form base cannot express makes the walk throw
      // (outside the closed Value union: only a cast can put it there)
      const odd: RObj = { type: 'stream', encoding: () => 'stream', dup: () => odd, freeEffort: () => 1, memoryUsage: () => 0 };
      srv.server.ks.dbs[0].add('odd', odd as unknown as Value);
      assert.equal(await c.cmd('BGREWRITEAOF'), 'Background append only file rewriting started');
      await aofOf(srv.server)!.rewriter.whenDone();
      const info = String(await c.cmd('INFO', 'persistence'));
      assert.match(info, /aof_last_bgrewrite_status:err\r\n/);
      assert.match(info, /aof_rewrites_consecutive_failures:1\r\n/);
      assert.deepEqual(files(dir), ['appendonly.aof.1.base.aof', 'appendonly.aof.1.incr.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
      await c.cmd('SET', 'b', '2');
      srv.server.ks.dbs[0].delete('odd');
      await c.cmd('BGREWRITEAOF');
      await aofOf(srv.server)!.rewriter.whenDone();
      const info2 = String(await c.cmd('INFO', 'persistence'));
      assert.match(info2, /aof_last_bgrewrite_status:ok\r\n/);
      assert.match(info2, /aof_rewrites_consecutive_failures:0\r\n/);
      await c.cmd('SET', 'c', '3');
    });
    await srv.close();
    assert.deepEqual(files(dir), ['appendonly.aof.2.base.aof', 'appendonly.aof.3.incr.aof', 'appendonly.aof.manifest']);
    srv = await startAof(dir);
    await withClient(srv, async (c) => assert.deepEqual(await c.cmd('MGET', 'a', 'b', 'c'), ['1', '2', '3']));
    await srv.close();
  });
});

test('a rewrite under concurrent writes loses none of them: base (the cut) + new incr is the dataset', async () => {
  await inTmpDir(async (dir) => {
    let srv = await startAof(dir);
    const before = await withClient(srv, async (c) => {
      const batch: string[][] = [];
      for (let i = 0; i < 20000; i++) batch.push(['SET', `k${i}`, String(i)]);
      for (let i = 0; i < 300; i++) batch.push(['RPUSH', `l${i}`, ...Array.from({ length: 50 }, (_, j) => String(j))]);
      for (let i = 0; i < 300; i++) batch.push(['HSET', `h${i}`, ...Array.from({ length: 40 }, (_, j) => String(j))]);
      await c.pipeline(batch);
      const aof = aofOf(srv.server)!;
      assert.equal(await c.cmd('BGREWRITEAOF'), 'Background append only file rewriting started');
      let during = 0;
      let round = 0;
      while (aof.rewriter.rewriteInProgress) {
        const w: string[][] = [];
        for (let j = 0; j < 50; j++) {
          const i = ((round * 50 + j) * 7) % 20000;
          w.push(['INCR', `k${i}`], ['DEL', `k${(i + 1) % 20000}`], ['SET', `new${round}:${j}`, 'n'], ['RPUSH', `l${i % 300}`, 'x'], ['HSET', `h${i % 300}`, 'f', String(round)]);
        }
        await c.pipeline(w);
        during += w.length;
        round++;
      }
      assert.ok(round >= 2, `writes ran during the rewrite (rounds: ${round})`);
      assert.equal(aof.rewriter.lastRewriteStatus, 'ok');
      void during;
      return bulkState(c);
    });
    await srv.close();
    srv = await startAof(dir);
    const after = await withClient(srv, (c) => bulkState(c));
    await srv.close();
    assert.equal(after.length, before.length);
    assert.deepEqual(after, before);
  });
});

/** Every key of db 0 with its content, read with pipelines (for large datasets). */
async function bulkState(c: RespClient): Promise<string[]> {
  const keys = ((await c.cmd('KEYS', '*')) as string[]).map(String).sort();
  const types = (await c.pipeline(keys.map((k) => ['TYPE', k]))).map((r) => String(r.value));
  const reads = keys.map((k, i) => (types[i] === 'string' ? ['GET', k] : types[i] === 'list' ? ['LRANGE', k, '0', '-1'] : ['HGETALL', k]));
  const vals = await c.pipeline(reads);
  return keys.map((k, i) => `${k}|${types[i]}|${JSON.stringify(vals[i].value)}`);
}

test('automatic rewrite starts when the AOF grew by auto-aof-rewrite-percentage over auto-aof-rewrite-min-size', async () => {
  await inTmpDir(async (dir) => {
    const srv = await startAof(dir, { 'auto-aof-rewrite-percentage': 100, 'auto-aof-rewrite-min-size': 4096 });
    await withClient(srv, async (c) => {
      await c.pipeline(Array.from({ length: 200 }, (_, i) => ['SET', `key${i}`, 'v'.repeat(20)]));
      // aof_rewrites counts a rewrite when it starts (Redis's stat_aof_rewrites): wait for it to end too
      await waitFor(async () => {
        const info = String(await c.cmd('INFO', 'persistence'));
        return /aof_rewrites:[1-9]/.test(info) && /aof_rewrite_in_progress:0/.test(info);
      }, 'an automatic rewrite');
      const info = String(await c.cmd('INFO', 'persistence'));
      const base = Number(/aof_base_size:(\d+)/.exec(info)![1]);
      const cur = Number(/aof_current_size:(\d+)/.exec(info)![1]);
      assert.ok(base > 4096 && cur >= base, info);
    });
    await srv.close();
  });
});

test('CONFIG SET appendonly yes builds the AOF from the current data; appendonly no stops appending', async () => {
  await inTmpDir(async (dir) => {
    let srv = await createServer({ port: 0, dir, 'aof-use-rdb-preamble': 'no' });
    await withClient(srv, async (c) => {
      await c.cmd('SET', 'before', '1');
      await c.cmd('RPUSH', 'list', 'a', 'b');
      assert.equal(existsSync(join(dir, AOF_DIR)), false);
      assert.equal(await c.cmd('CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
      await aofOf(srv.server)!.rewriter.whenDone();
      assert.match(String(await c.cmd('INFO', 'persistence')), /aof_enabled:1\r\n/);
      await c.cmd('SET', 'while-on', '2');
      assert.equal(await c.cmd('CONFIG', 'SET', 'appendonly', 'no'), 'OK');
      await c.cmd('SET', 'after-off', '3');
      assert.match(String(await c.cmd('INFO', 'persistence')), /aof_enabled:0\r\n/);
    });
    await srv.close();
    assert.equal(manifestOf(dir), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    srv = await startAof(dir);
    await withClient(srv, async (c) => {
      assert.equal(await c.cmd('GET', 'before'), '1');
      assert.deepEqual(await c.cmd('LRANGE', 'list', '0', '-1'), ['a', 'b']);
      assert.equal(await c.cmd('GET', 'while-on'), '2');
      assert.equal(await c.cmd('GET', 'after-off'), null);
    });
    await srv.close();
  });
});

test('while a BGSAVE walks the dataset, BGREWRITEAOF and CONFIG SET appendonly yes are scheduled and run after it', async () => {
  await inTmpDir(async (dir) => {
    const srv = await createServer({ port: 0, dir, 'aof-use-rdb-preamble': 'no' });
    await withClient(srv, async (c) => {
      await c.cmd('SET', 'n', '1');
      // a BGSAVE kept running (its child waits 0.5 s per key) is the other child process
      await c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '500000');
      assert.equal(await c.cmd('BGSAVE'), 'Background saving started');
      await c.cmd('CONFIG', 'SET', 'rdb-key-save-delay', '0');
      assert.equal(await c.cmd('CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
      assert.match(String(await c.cmd('INFO', 'persistence')), /aof_rewrite_scheduled:1\r\n/);
      assert.equal(await c.cmd('BGREWRITEAOF'), 'Background append only file rewriting scheduled');
      await c.cmd('INCR', 'n'); // before the rewrite's cut: in the base, not in the incr
      assert.match(String(await c.cmd('INFO', 'persistence')), /aof_rewrites:0\r\n/, 'nothing runs while the BGSAVE does');
      await waitFor(async () => /aof_rewrites:1\r\n/.test(String(await c.cmd('INFO', 'persistence'))), 'the scheduled rewrite');
      await aofOf(srv.server)!.rewriter.whenDone();
      assert.match(String(await c.cmd('INFO', 'persistence')), /rdb_last_bgsave_status:ok\r\n/);
      assert.match(String(await c.cmd('INFO', 'persistence')), /aof_enabled:1\r\n/);
      await c.cmd('INCR', 'n');
    });
    await srv.close();
    assert.match(await stateOnRestart(dir), /"n"\|string\|int\|"3"/);
  });
});

test("INFO persistence reports the AOF's sizes, fields and status while it is on", async () => {
  await inTmpDir(async (dir) => {
    const srv = await startAof(dir);
    await withClient(srv, async (c) => {
      await c.cmd('SET', 'a', '1');
      const info = String(await c.cmd('INFO', 'persistence'));
      const names = [...info.matchAll(/^(aof_[a-z_]+):/gm)].map((m) => m[1]);
      assert.deepEqual(names, [
        'aof_enabled',
        'aof_rewrite_in_progress',
        'aof_rewrite_scheduled',
        'aof_last_rewrite_time_sec',
        'aof_current_rewrite_time_sec',
        'aof_last_bgrewrite_status',
        'aof_rewrites',
        'aof_rewrites_consecutive_failures',
        'aof_last_write_status',
        'aof_last_cow_size',
        'aof_current_size',
        'aof_base_size',
        'aof_pending_rewrite',
        'aof_buffer_length',
        'aof_pending_bio_fsync',
        'aof_delayed_fsync',
      ]);
      const size = statSync(join(dir, AOF_DIR, 'appendonly.aof.1.incr.aof')).size;
      assert.match(info, new RegExp(`aof_current_size:${size}\\r\\n`));
      assert.ok(size > 0);
      // inside MULTI, BGREWRITEAOF is scheduled, as in Redis
      await c.cmd('MULTI');
      await c.cmd('BGREWRITEAOF');
      assert.deepEqual(await c.cmd('EXEC'), ['Background append only file rewriting scheduled']);
    });
    await srv.close();
  });
});

test('a reply to a write leaves only after the write is in the AOF file', async () => {
  await inTmpDir(async (dir) => {
    for (const policy of ['always', 'everysec', 'no'] as const) {
      const srv = await startAof(dir, { appendfsync: policy });
      await withClient(srv, async (c) => {
        for (let i = 0; i < 20; i++) {
          await c.cmd('SET', `${policy}:${i}`, 'v');
          const text = readFileSync(join(dir, AOF_DIR, 'appendonly.aof.1.incr.aof'), 'latin1');
          assert.ok(text.endsWith(`$${policy.length + 1 + String(i).length}\r\n${policy}:${i}\r\n$1\r\nv\r\n`), `${policy} ${i}`);
        }
      });
      await srv.close();
    }
  });
});

test('appendfsync everysec fsyncs what was written within about a second; appendfsync no leaves it to the kernel', async () => {
  await inTmpDir(async (dir) => {
    for (const policy of ['everysec', 'no'] as const) {
      const srv = await startAof(dir, { appendfsync: policy });
      const aof = aofOf(srv.server)!;
      await withClient(srv, async (c) => {
        await new Promise((r) => setTimeout(r, 1100)); // past the first second
        await c.cmd('SET', policy, 'v');
        assert.ok(aof.feed.lastIncrSize > aof.feed.fsyncedSize || policy === 'everysec', 'written, not yet synced');
        if (policy === 'everysec') await waitFor(() => aof.feed.fsyncedSize === aof.feed.lastIncrSize, 'the background fsync');
        else {
          await new Promise((r) => setTimeout(r, 1300));
          assert.ok(aof.feed.fsyncedSize < aof.feed.lastIncrSize, 'never synced by gKV');
        }
      });
      await srv.close();
    }
  });
});

test('after a failed AOF write, writes get -MISCONF until a retry succeeds, and nothing is lost', async () => {
  await inTmpDir(async (dir) => {
    let srv = await startAof(dir, { appendfsync: 'everysec' });
    const aof = aofOf(srv.server)!;
    await withClient(srv, async (c) => {
      await c.cmd('SET', 'a', '1');
      const real = aof.feed.fd;
      const ro = openSync(join(dir, AOF_DIR, 'appendonly.aof.1.incr.aof'), 'r');
      aof.feed.fd = ro; // every write now fails with EBADF
      assert.equal(await c.cmd('SET', 'b', '2'), 'OK', 'the write was done in memory; its AOF write failed');
      const denied = (await c.cmd('SET', 'c', '3')) as { message: string };
      assert.equal(denied.message, 'MISCONF Errors writing to the AOF file: Bad file descriptor');
      assert.equal(((await c.cmd('PING')) as { message: string }).message, 'MISCONF Errors writing to the AOF file: Bad file descriptor');
      assert.equal(await c.cmd('GET', 'a'), '1', 'reads go on');
      assert.match(String(await c.cmd('INFO', 'persistence')), /aof_last_write_status:err\r\n/);
      aof.feed.fd = real;
      closeSync(ro);
      await waitFor(async () => /aof_last_write_status:ok\r\n/.test(String(await c.cmd('INFO', 'persistence'))), 'the periodic retry');
      assert.equal(await c.cmd('SET', 'c', '3'), 'OK');
    });
    await srv.close();
    srv = await startAof(dir);
    await withClient(srv, async (c) => assert.deepEqual(await c.cmd('MGET', 'a', 'b', 'c'), ['1', '2', '3']));
    await srv.close();
  });
});

test('aof-timestamp-enabled writes #TS annotations as Redis does, and they are skipped when loading', async () => {
  await inTmpDir(async (dir) => {
    const srv = await startAof(dir, { 'aof-timestamp-enabled': 'yes' });
    await withClient(srv, async (c) => {
      await c.cmd('SET', 'a', '1');
      await c.cmd('BGREWRITEAOF');
      await aofOf(srv.server)!.rewriter.whenDone();
      await c.cmd('SET', 'b', '2');
    });
    await srv.close();
    for (const f of ['appendonly.aof.2.base.aof', 'appendonly.aof.2.incr.aof']) {
      assert.match(readFileSync(join(dir, AOF_DIR, f), 'latin1'), /^#TS:\d{10}\r\n\*2\r\n\$6\r\nSELECT\r\n/, f);
    }
    checkAof(dir);
    const state = await stateOnRestart(dir);
    assert.match(state, /"a"\|string\|int\|"1"/);
    assert.match(state, /"b"\|string\|int\|"2"/);
  });
});

// ---------------------------------------------------------------- damaged files

async function writeSome(dir: string, cmds: string[][]): Promise<string> {
  const srv = await startAof(dir);
  await withClient(srv, async (c) => {
    for (const cmd of cmds) await c.cmd(...cmd);
  });
  await srv.close();
  return join(dir, AOF_DIR, 'appendonly.aof.1.incr.aof');
}

test('a truncated last command is cut off with aof-load-truncated yes (with a log line) and the rest loads', async () => {
  await inTmpDir(async (dir) => {
    const incr = await writeSome(dir, [
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
      ['SET', 'c', '3'],
    ]);
    const full = statSync(incr).size;
    truncateSync(incr, full - 4);
    const log = join(dir, 'log');
    const srv = await startAof(dir, { loglevel: 'notice', logfile: log });
    await withClient(srv, async (c) => {
      assert.equal(await c.cmd('GET', 'b'), '2');
      assert.equal(await c.cmd('GET', 'c'), null);
      await c.cmd('SET', 'd', '4');
    });
    await srv.close();
    const text = readFileSync(log, 'latin1');
    const cut = full - '*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n'.length;
    assert.match(text, /# !!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!/);
    assert.match(text, new RegExp(`# !!! Truncating the AOF appendonly.aof.1.incr.aof at offset ${cut} !!!`));
    assert.match(text, /AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled/);
    // the file was cut at the last complete command, and appending went on from there
    const data = readFileSync(incr, 'latin1');
    assert.ok(data.slice(0, cut).endsWith('$1\r\nb\r\n$1\r\n2\r\n'));
    assert.equal(data.slice(cut), '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nd\r\n$1\r\n4\r\n');
  });
});

test('a truncated AOF is refused with aof-load-truncated no, and nothing is served', async () => {
  await inTmpDir(async (dir) => {
    const incr = await writeSome(dir, [
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
    ]);
    truncateSync(incr, statSync(incr).size - 1);
    const size = statSync(incr).size;
    await assert.rejects(startAof(dir, { 'aof-load-truncated': 'no' }), /Unexpected end of file reading the append only file appendonly.aof.1.incr.aof/);
    assert.equal(statSync(incr).size, size, 'the file is left as it was');
  });
});

test('corruption in the middle of a file is refused with a message naming the file and the offset', async () => {
  await inTmpDir(async (dir) => {
    const incr = await writeSome(dir, [
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
      ['SET', 'c', '3'],
    ]);
    const data = readFileSync(incr, 'latin1');
    const at = data.indexOf('*3\r\n$3\r\nSET\r\n$1\r\nb');
    writeFileSync(incr, Buffer.from(data.slice(0, at) + 'XXXX\r\n' + data.slice(at), 'latin1'));
    await assert.rejects(startAof(dir, { 'aof-load-truncated': 'yes' }), new RegExp(`Bad file format reading the append only file appendonly.aof.1.incr.aof at offset ${at}\\b`));
    // an argument that is not a bulk string
    writeFileSync(incr, Buffer.from(data.slice(0, at) + '*3\r\n:1\r\n' + data.slice(at), 'latin1'));
    await assert.rejects(startAof(dir), new RegExp(`appendonly.aof.1.incr.aof at offset ${at + 4}\\b`));
  });
});

test('gkv-server refuses to start on a corrupted AOF: exit code 1 and the message in its log', async () => {
  await inTmpDir(async (dir) => {
    const incr = await writeSome(dir, [['SET', 'a', '1']]);
    appendFileSync(incr, 'garbage\r\n*1\r\n$4\r\nPING\r\n');
    const srv = await childServer(dir, []);
    const child = srv.start();
    assert.equal(await child.exited, 1);
    assert.match(child.out(), /# Bad file format reading the append only file appendonly.aof.1.incr.aof at offset \d+/);
    assert.doesNotMatch(child.out(), /Ready to accept connections/);
  });
});

test('an unknown command, a wrong argument count or a file missing from the directory stop the load', async () => {
  await inTmpDir(async (dir) => {
    const incr = await writeSome(dir, [['SET', 'a', '1']]);
    const good = readFileSync(incr);
    appendFileSync(incr, '*2\r\n$7\r\nNOSUCHX\r\n$1\r\na\r\n');
    await assert.rejects(startAof(dir), /Unknown command 'NOSUCHX' reading the append only file appendonly.aof.1.incr.aof$/);
    writeFileSync(incr, Buffer.concat([good, Buffer.from('*2\r\n$3\r\nSET\r\n$1\r\na\r\n')]));
    await assert.rejects(startAof(dir), /Wrong number of arguments for 'set' reading the append only file/);
    rmSync(incr);
    await assert.rejects(startAof(dir), /Unable to obtain the AOF file appendonly.aof.1.incr.aof length/);
  });
});

test('a file that ends inside MULTI loses the whole transaction (reverted at the MULTI) and loads the rest', async () => {
  await inTmpDir(async (dir) => {
    const incr = await writeSome(dir, [['SET', 'a', '1']]);
    const size = statSync(incr).size;
    appendFileSync(incr, '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n');
    const srv = await startAof(dir);
    await withClient(srv, async (c) => {
      assert.equal(await c.cmd('GET', 'a'), '1');
      assert.equal(await c.cmd('GET', 'b'), null);
    });
    await srv.close();
    assert.equal(statSync(incr).size, size + 0, 'cut back to before MULTI, nothing appended since');
  });
});

test('a last line without its line end is read as fgets reads it: "!!!" is a format error, "*3" a truncation', async () => {
  await inTmpDir(async (dir) => {
    const incr = await writeSome(dir, [['SET', 'a', '1']]);
    const good = readFileSync(incr);
    writeFileSync(incr, Buffer.concat([good, Buffer.from('!!!')]));
    await assert.rejects(startAof(dir, { 'aof-load-truncated': 'yes' }), /Bad file format reading the append only file appendonly.aof.1.incr.aof/);
    writeFileSync(incr, Buffer.concat([good, Buffer.from('*3')]));
    await assert.rejects(startAof(dir, { 'aof-load-truncated': 'no' }), /Unexpected end of file reading the append only file appendonly.aof.1.incr.aof/);
    const srv = await startAof(dir, { 'aof-load-truncated': 'yes' });
    await withClient(srv, async (c) => assert.equal(await c.cmd('GET', 'a'), '1'));
    await srv.close();
    assert.equal(statSync(incr).size, good.length, 'cut back to the last complete command');
  });
});

test('DEBUG LOADAOF empties the dataset and loads the AOF directory back, including what was appended on disk', async () => {
  await inTmpDir(async (dir) => {
    const srv = await startAof(dir, { 'enable-debug-command': 'yes' });
    try {
      await withClient(srv, async (c) => {
        await c.cmd('SET', 'a', '1');
        await c.cmd('RPUSH', 'l', 'x', 'y');
        await c.cmd('SELECT', '3');
        await c.cmd('HSET', 'h', 'f', 'v');
        const before = await stateOf(c, DBS);
        assert.equal(await c.cmd('DEBUG', 'LOADAOF'), 'OK');
        assert.equal(await stateOf(c, DBS), before);
        // a key that exists only in memory is gone after the reload; one appended to the file appears
        await c.cmd('SELECT', '0');
        aofOf(srv.server)!.feed.flushAndSync();
        appendFileSync(join(dir, AOF_DIR, 'appendonly.aof.1.incr.aof'), '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$4\r\ndisk\r\n$1\r\n1\r\n');
        srv.server.ks.dbs[0].setKey('memonly', 'x');
        assert.equal(await c.cmd('DEBUG', 'LOADAOF'), 'OK');
        assert.equal(await c.cmd('GET', 'disk'), '1');
        assert.equal(await c.cmd('EXISTS', 'memonly'), 0);
        assert.equal(await c.cmd('GET', 'a'), '1');
        // DEBUG LOADAOF sets the change count back: it is not propagated (replaying it would reload the AOF)
        aofOf(srv.server)!.feed.flushAndSync();
        assert.doesNotMatch(readFileSync(join(dir, AOF_DIR, 'appendonly.aof.1.incr.aof'), 'latin1'), /LOADAOF/i);
        const info = String(await c.cmd('INFO', 'persistence'));
        assert.match(info, /rdb_changes_since_last_save:0\r\n/);
      });
    } finally {
      await srv.close();
    }
  });
});

test('DEBUG AOF-FLUSH-SLEEP delays the write of the AOF buffer; the reply still leaves after the write', async () => {
  await inTmpDir(async (dir) => {
    const srv = await startAof(dir, { appendfsync: 'always', 'enable-debug-command': 'yes' });
    try {
      await withClient(srv, async (c) => {
        const incr = join(dir, AOF_DIR, 'appendonly.aof.1.incr.aof');
        assert.equal(await c.cmd('DEBUG', 'AOF-FLUSH-SLEEP', '200000'), 'OK');
        const size = statSync(incr).size;
        const t0 = Date.now();
        await c.cmd('INCR', 'n');
        assert.ok(Date.now() - t0 >= 150, 'the write waited for the sleep');
        assert.ok(statSync(incr).size > size, 'the write is in the file when the reply arrives');
        assert.equal(await c.cmd('DEBUG', 'AOF-FLUSH-SLEEP', '0'), 'OK');
      });
    } finally {
      await srv.close();
    }
  });
});

test('a truncated incremental file that is not the last one is refused even with aof-load-truncated yes', async () => {
  await inTmpDir(async (dir) => {
    await writeSome(dir, [
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
    ]);
    const d = join(dir, AOF_DIR);
    const first = join(d, 'appendonly.aof.1.incr.aof');
    truncateSync(first, statSync(first).size - 2);
    writeFileSync(join(d, 'appendonly.aof.2.incr.aof'), '*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n');
    writeFileSync(join(d, 'appendonly.aof.manifest'), manifestOf(dir) + 'file appendonly.aof.2.incr.aof seq 2 type i\n');
    await assert.rejects(startAof(dir), /the truncated file appendonly.aof.1.incr.aof is not the last file/);
  });
});

test('clients connecting while a large AOF loads get -LOADING, then the data', async () => {
  await inTmpDir(async (dir) => {
    const d = join(dir, AOF_DIR);
    await writeSome(dir, [['SET', 'x', '1']]);
    // a 400k-command incremental file
    let s = '';
    for (let i = 0; i < 400000; i++) s += `*3\r\n$3\r\nSET\r\n$${String(i).length + 1}\r\nk${i}\r\n$1\r\nv\r\n`;
    appendFileSync(join(d, 'appendonly.aof.1.incr.aof'), s);
    const port = await freePort();
    const starting = startAof(dir, { port });
    const c = await connectWhenListening(port, 1000, 5);
    const r = await c.cmd('GET', 'x');
    const srv = await starting;
    assert.ok(r !== null && typeof r === 'object' && 'message' in r, `expected -LOADING, got ${String(r)}`);
    assert.equal((r as { message: string }).message, 'LOADING Redis is loading the dataset in memory');
    assert.equal(await c.cmd('DBSIZE'), 400001);
    c.close();
    await srv.close();
  });
});

test('an upgrade interrupted before its rename (manifest names appendonly.aof, the file still in dir) is completed at startup', async () => {
  await inTmpDir(async (dir) => {
    writeFileSync(join(dir, 'appendonly.aof'), '*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$2\r\nv1\r\n');
    mkdirSync(join(dir, AOF_DIR));
    writeFileSync(join(dir, AOF_DIR, 'appendonly.aof.manifest'), 'file appendonly.aof seq 1 type b\n');
    const srv = await startAof(dir);
    await withClient(srv, async (c) => assert.equal(await c.cmd('GET', 'k1'), 'v1'));
    await srv.close();
    assert.equal(existsSync(join(dir, 'appendonly.aof')), false);
    assert.ok(existsSync(join(dir, AOF_DIR, 'appendonly.aof')));
    assert.equal(manifestOf(dir), 'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  });
});

test('history files are listed newest first as Redis lists them; turning aof-disable-auto-gc off removes them at once', async () => {
  await inTmpDir(async (dir) => {
    const srv = await startAof(dir, { 'aof-disable-auto-gc': 'yes' });
    await withClient(srv, async (c) => {
      for (let i = 0; i < 2; i++) {
        await c.cmd('SET', 'k', String(i));
        await c.cmd('BGREWRITEAOF');
        await aofOf(srv.server)!.rewriter.whenDone();
      }
      assert.equal(
        manifestOf(dir),
        'file appendonly.aof.3.base.aof seq 3 type b\n' +
          'file appendonly.aof.2.incr.aof seq 2 type h\n' +
          'file appendonly.aof.2.base.aof seq 2 type h\n' +
          'file appendonly.aof.1.incr.aof seq 1 type h\n' +
          'file appendonly.aof.1.base.aof seq 1 type h\n' +
          'file appendonly.aof.3.incr.aof seq 3 type i\n',
      );
      assert.equal(await c.cmd('CONFIG', 'SET', 'aof-disable-auto-gc', 'no'), 'OK');
      assert.equal(manifestOf(dir), 'file appendonly.aof.3.base.aof seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n');
      assert.deepEqual(files(dir), ['appendonly.aof.3.base.aof', 'appendonly.aof.3.incr.aof', 'appendonly.aof.manifest']);
    });
    await srv.close();
  });
});

test('an old-style single-file appendonly.aof in dir is moved into the AOF directory as its base', async () => {
  await inTmpDir(async (dir) => {
    writeFileSync(join(dir, 'appendonly.aof'), '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$3\r\nyes\r\n');
    const srv = await startAof(dir);
    await withClient(srv, async (c) => assert.equal(await c.cmd('GET', 'old'), 'yes'));
    await srv.close();
    assert.equal(existsSync(join(dir, 'appendonly.aof')), false);
    assert.equal(manifestOf(dir), 'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  });
});

// ---------------------------------------------------------------- crash

/** gkv-server as a child process on dir (appendonly yes, command-form base), restartable with the same arguments. */
async function childServer(dir: string, extra: string[]) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', ...extra];
  const start = () => {
    const p = spawn(process.execPath, [serverJs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    return { p, exited, out: () => out };
  };
  const connect = (): Promise<RespClient> => pongWhenReady(port);
  return { start, connect };
}

test('kill -9 under a write load with appendfsync always loses no acknowledged write', async (t) => {
  await inTmpDir(async (dir) => {
    const srv = await childServer(dir, ['--appendfsync', 'always']);
    let child = srv.start();
    try {
      const clients = await Promise.all(Array.from({ length: 6 }, () => srv.connect()));
      const acked: number[] = clients.map(() => 0);
      let stop = false;
      const loops = clients.map(async (c, id) => {
        let seq = 0;
        while (!stop) {
          // 5 writes in flight per client
          const batch: string[][] = [];
          for (let j = 0; j < 5; j++) {
            seq++;
            batch.push(['SET', `c${id}:${seq}`, String(seq)]);
          }
          const replies = await c.pipeline(batch);
          if (replies.every((r) => r.value === 'OK')) acked[id] = seq;
        }
      });
      // a bounded amount of acknowledged work, however slow the machine
      await waitFor(() => acked.reduce((a, b) => a + b, 0) >= 2000, 'acknowledged writes');
      child.p.kill('SIGKILL');
      stop = true;
      await child.exited;
      // replies in flight at the kill never come: do not wait for them
      await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 500))]);
      for (const c of clients) c.close();
      const total = acked.reduce((a, b) => a + b, 0);
      assert.ok(total > 100, `writes were acknowledged (${total})`);
      t.diagnostic(`acknowledged writes before kill -9: ${total}`);
      child = srv.start();
      const c = await srv.connect();
      for (let id = 0; id < acked.length; id++) {
        const keys = Array.from({ length: acked[id] }, (_, i) => `c${id}:${i + 1}`);
        for (let i = 0; i < keys.length; i += 1000) {
          const vals = (await c.cmd('MGET', ...keys.slice(i, i + 1000))) as RespValue[];
          vals.forEach((v, j) => assert.equal(v, String(i + j + 1), `acknowledged write ${keys[i + j]} lost`));
        }
      }
      c.close();
    } finally {
      child.p.kill('SIGKILL');
      await child.exited;
    }
  });
});

test('kill -9 during a rewrite leaves a directory that loads every write (old base + every incr)', async () => {
  await inTmpDir(async (dir) => {
    const srv = await childServer(dir, ['--appendfsync', 'everysec']);
    let child = srv.start();
    try {
      let c = await srv.connect();
      const batch: string[][] = [];
      for (let i = 0; i < 100000; i += 100) batch.push(['MSET', ...Array.from({ length: 100 }, (_, j) => [`k${i + j}`, String(i + j)]).flat()]);
      await c.pipeline(batch);
      // the INFO in the same read runs right after the rewrite started
      const [started, info] = await c.pipeline([['BGREWRITEAOF'], ['INFO', 'persistence'], ['SET', 'during', 'rewrite']]);
      assert.equal(started.value, 'Background append only file rewriting started');
      assert.match(String(info.value), /aof_rewrite_in_progress:1\r\n/);
      child.p.kill('SIGKILL');
      await child.exited;
      c.close();
      // the rewrite's child writes its base in dir, as Redis's does
      const names = readdirSync(dir);
      assert.ok(
        names.some((n) => n.startsWith('temp-rewriteaof-bg-')),
        `killed mid-rewrite: ${names.join(' ')}`,
      );
      assert.equal(manifestOf(dir), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
      child = srv.start();
      c = await srv.connect();
      assert.equal(await c.cmd('DBSIZE'), 100001);
      assert.equal(await c.cmd('GET', 'k99999'), '99999');
      assert.equal(await c.cmd('GET', 'during'), 'rewrite');
      // the orphaned child saw its input end without a commit and removed its file (or the restart did)
      await waitFor(() => !readdirSync(dir).some((n) => n.startsWith('temp-')), 'the stale temporary base gone');
      // and a rewrite now completes
      await c.cmd('BGREWRITEAOF');
      await waitForInfo(c, 'aof_rewrite_in_progress', '0', 'persistence');
      assert.equal(manifestOf(dir), 'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n');
      c.close();
    } finally {
      child.p.kill('SIGKILL');
      await child.exited;
    }
  });
});

test('gkv-server fsyncs the AOF on SIGTERM and exits 0; the writes are there on restart', async () => {
  await inTmpDir(async (dir) => {
    const srv = await childServer(dir, ['--appendfsync', 'no']);
    let child = srv.start();
    try {
      let c = await srv.connect();
      await c.cmd('RPUSH', 'l', 'a', 'b');
      await c.cmd('SET', 'k', 'v');
      c.close();
      child.p.kill('SIGTERM');
      assert.equal(await child.exited, 0);
      assert.match(child.out(), /Calling fsync\(\) on the AOF file\./);
      child = srv.start();
      c = await srv.connect();
      assert.equal(await c.cmd('GET', 'k'), 'v');
      assert.deepEqual(await c.cmd('LRANGE', 'l', '0', '-1'), ['a', 'b']);
      c.close();
    } finally {
      child.p.kill('SIGKILL');
      await child.exited;
    }
  });
});

// ---------------------------------------------------------------- interoperability with Redis 7.0

test('a real Redis 7.0 loads our AOF directory (incr only, then after a rewrite) with the same state', { skip: oracleSkip() }, async () => {
  const dir = tmp();
  const copy = tmp();
  try {
    const srv = await startAof(dir);
    const live = await withClient(srv, async (c) => {
      await populate(c);
      return stateOf(c, DBS);
    });
    await srv.close();
    checkAof(dir);
    cpSync(join(dir, AOF_DIR), join(copy, AOF_DIR), { recursive: true });
    let r = await redisOn(copy);
    assert.equal(await stateOf(r.c, DBS), live, 'Redis replays our incremental file to the same state, encodings included');
    await r.stop();
    // after a rewrite: Redis and gKV load the same base to the same state
    const srv2 = await startAof(dir);
    const rewritten = await withClient(srv2, async (c) => {
      await c.cmd('BGREWRITEAOF');
      await aofOf(srv2.server)!.rewriter.whenDone();
      await c.cmd('SET', 'after:rewrite', 'v');
      return stateOf(c, DBS);
    });
    await srv2.close();
    const reloaded = await stateOnRestart(dir);
    assert.equal(withoutEncodings(reloaded), withoutEncodings(rewritten));
    rmSync(join(copy, AOF_DIR), { recursive: true, force: true });
    cpSync(join(dir, AOF_DIR), join(copy, AOF_DIR), { recursive: true });
    r = await redisOn(copy);
    assert.equal(await stateOf(r.c, DBS), reloaded, 'Redis and gKV load our rewritten base to the same state');
    await r.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(copy, { recursive: true, force: true });
  }
});

test('we load an AOF directory written by a real Redis 7.0 (base after BGREWRITEAOF plus incremental) to its state', { skip: oracleSkip() }, async () => {
  await inTmpDir(async (dir) => {
    const r = await redisOn(dir);
    await populate(r.c);
    assert.equal(await r.c.cmd('BGREWRITEAOF'), 'Background append only file rewriting started');
    await rewriteDone(r.c);
    await r.c.cmd('SET', 'after:rewrite', 'v');
    await r.c.cmd('HSET', 'hash:lp', 'later', '1');
    await r.c.cmd('MULTI');
    await r.c.cmd('INCR', 'tx:counter');
    await r.c.cmd('DEL', 'str:int');
    await r.c.cmd('EXEC');
    const redisState = await stateOf(r.c, DBS);
    await r.stop();
    assert.match(manifestOf(dir), /^file appendonly\.aof\.2\.base\.aof seq 2 type b\nfile appendonly\.aof\.2\.incr\.aof seq 2 type i\n$/);
    // Redis's own reload of its directory is the reference (a rewrite changes encodings)
    const r2 = await redisOn(dir);
    const redisReloaded = await stateOf(r2.c, DBS);
    await r2.stop();
    assert.equal(withoutEncodings(redisReloaded), withoutEncodings(redisState));
    const ours = await stateOnRestart(dir);
    assert.equal(ours, redisReloaded);
  });
});

// ---------------------------------------------------------------- RDB preamble (aof-use-rdb-preamble yes, the default)

/** Skip reason while the RDB module has not installed its hooks (persistence/rdb/index.ts). */
async function rdbSkip(): Promise<string | false> {
  const dir = tmp();
  const srv = await createServer({ port: 0, dir });
  const hooks = aofOf(srv.server)!.rdbHooks;
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
  return hooks.loader === null || (hooks.writer === null && hooks.image === null) ? 'the RDB module is not installed' : oracleSkip();
}

test('with aof-use-rdb-preamble yes the base is an RDB image: a real Redis 7.0 loads our directory and we load its', async (t) => {
  const skip = await rdbSkip();
  if (skip !== false) return t.skip(skip);
  const ours = tmp();
  const theirs = tmp();
  const copy = tmp();
  try {
    // ours: a fresh directory starts with an (empty) RDB base, as in Redis
    let srv = await createServer({ port: 0, dir: ours, appendonly: 'yes' });
    assert.deepEqual(files(ours), ['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    const live = await withClient(srv, async (c) => {
      await populate(c);
      await c.cmd('BGREWRITEAOF');
      await aofOf(srv.server)!.rewriter.whenDone();
      await c.cmd('SET', 'after:rewrite', 'v');
      await c.cmd('LPUSH', 'list:small', 'head');
      return stateOf(c, DBS);
    });
    await srv.close();
    assert.deepEqual(files(ours), ['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    assert.equal(
      readFileSync(join(ours, AOF_DIR, 'appendonly.aof.2.base.rdb'))
        .subarray(0, 9)
        .toString('latin1'),
      'REDIS0010',
    );
    checkAof(ours);
    const reloaded = await stateOnRestart(ours, { 'aof-use-rdb-preamble': 'yes' });
    assert.equal(withoutEncodings(reloaded), withoutEncodings(live));
    cpSync(join(ours, AOF_DIR), join(copy, AOF_DIR), { recursive: true });
    const r = await redisOn(copy, ['--aof-use-rdb-preamble', 'yes']);
    assert.equal(await stateOf(r.c, DBS), reloaded, 'Redis loads our RDB base + incr to the state we load');
    await r.stop();
    // theirs
    const r2 = await redisOn(theirs, ['--aof-use-rdb-preamble', 'yes']);
    await populate(r2.c);
    await r2.c.cmd('BGREWRITEAOF');
    await rewriteDone(r2.c);
    await r2.c.cmd('SET', 'after:rewrite', 'v');
    await r2.stop();
    assert.ok(files(theirs).includes('appendonly.aof.2.base.rdb'));
    const r3 = await redisOn(theirs, ['--aof-use-rdb-preamble', 'yes']);
    const redisReloaded = await stateOf(r3.c, DBS);
    await r3.stop();
    const oursOfTheirs = await stateOnRestart(theirs, { 'aof-use-rdb-preamble': 'yes' });
    assert.equal(oursOfTheirs, redisReloaded);
  } finally {
    for (const d of [ours, theirs, copy]) rmSync(d, { recursive: true, force: true });
  }
});
