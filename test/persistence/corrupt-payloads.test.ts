/**
 * Corrupt DUMP payloads and RDB files never bring the server down, as in
 * Redis's integration/corrupt-dump*: a seeded fuzzer DUMPs keys of every type
 * and encoding (old ziplist and zipmap forms included, and listpacks longer
 * than the limits, converted at load), corrupts one or two bytes, RESTOREs
 * them (CRC checks off) with sanitize-dump-payload yes and no, and runs
 * commands on what was accepted; no command may end in an unexpected
 * exception and a canary client is served throughout. The same corruptions
 * in RDB files either load (and then serve commands) or are refused with an
 * RdbError. Refusals give "Bad data format" and log Redis's reason at
 * verbose level ("… integrity check failed."); a file's empty keys are
 * skipped with Redis's lines, its corrupt values stop the start with
 * redis-check-rdb's report. Unsanitized, what Redis's shallow checks pass is
 * accepted, and gKV holds what it can read of it (the suite's payloads).
 * Accept or refuse as Redis does: test/differential/corrupt-dump.diff.test.ts.
 *
 * GKV_CORRUPT_RUNS sets the count (default 1500 payloads and 500 files per
 * sanitize mode).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { composeServer } from '../../src/compose.js';
import type { Server } from '../../src/server/server.js';
import type { Client } from '../../src/server/client.js';
import { runCommand } from '../harness/commands.js';
import { RespError } from '../harness/resp.js';
import { payload, ziplistBlob, zipmapBlob } from '../harness/rdb-payloads.js';
import { RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_HASH_ZIPMAP, RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_ZSET_ZIPLIST, RDB_VERSION } from '../../src/persistence/rdb/encode.js';
import { Crc64 } from '../../src/persistence/rdb/crc64.js';
import { RdbError } from '../../src/persistence/rdb/decode.js';
import { installEntries, parseRdb } from '../../src/persistence/rdb/file.js';
import { freePort } from '../harness/servers.js';
import { Rng } from '../fuzz/generate.js';

const serverJs = fileURLToPath(new URL('../../src/bin/server.js', import.meta.url));
const RUNS = Number(process.env.GKV_CORRUPT_RUNS ?? 1500);

/** A seeded PRNG's next float in [0, 1), so a failure can be replayed. */
function prng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

const run = runCommand;

/** Keys of every type and encoding, in the layout Redis's fuzzer uses (small and big collections). */
function populate(s: Server, c: Client): void {
  // listpacks of 10 entries, built under the default limits: loaded under the limits below, they are converted
  for (let j = 0; j < 10; j++) {
    const val = j % 2 === 0 ? String(j) : `_${j}`;
    run(s, c, ['HSET', 'hashbiglp', String(j), val]);
    run(s, c, ['ZADD', 'zsetbiglp', String(j), val]);
    run(s, c, ['SADD', 'intsetbig', String(j * 7 - 20)]);
  }
  run(s, c, ['CONFIG', 'SET', 'set-max-intset-entries', '5']);
  run(s, c, ['CONFIG', 'SET', 'list-max-listpack-size', '5']);
  run(s, c, ['CONFIG', 'SET', 'hash-max-listpack-entries', '5']);
  run(s, c, ['CONFIG', 'SET', 'zset-max-listpack-entries', '5']);
  for (const [suffix, n] of [
    ['', 3],
    ['big', 10],
  ] as const) {
    for (let j = 0; j < n; j++) {
      const val = j % 2 === 0 ? String(j) : `_${j}`;
      run(s, c, ['HSET', `hash${suffix}`, String(j), val]);
      run(s, c, ['LPUSH', `list${suffix}`, val]);
      run(s, c, ['ZADD', `zset${suffix}`, String(j), val]);
      run(s, c, ['SADD', `set${suffix}`, val]);
    }
  }
  run(s, c, ['SADD', 'intset', '1', '2', '300000', '-5']);
  run(s, c, ['INCR', 'int']);
  run(s, c, ['SET', 'string', 'str']);
  run(s, c, ['SET', 'long', 'x'.repeat(300)]);
}

/** Old encodings (ziplist quicklist, ziplist hash and zset, zipmap), which Redis 7.0 still loads. */
function oldPayloads(): Buffer[] {
  return [
    payload(RDB_TYPE_LIST_QUICKLIST, (w) => {
      w.saveLen(2);
      w.saveBlob(ziplistBlob(['a', '1', 'bb']), { compress: false });
      w.saveBlob(ziplistBlob(['-7', 'zz']), { compress: false });
    }),
    payload(RDB_TYPE_HASH_ZIPLIST, (w) => w.saveBlob(ziplistBlob(['f', 'v', 'g', '12']), { compress: false })),
    payload(RDB_TYPE_ZSET_ZIPLIST, (w) => w.saveBlob(ziplistBlob(['m', '1.5', 'n', '2']), { compress: false })),
    payload(RDB_TYPE_HASH_ZIPMAP, (w) =>
      w.saveBlob(
        zipmapBlob([
          ['f', 'v'],
          ['gg', 'hh'],
        ]),
        { compress: false },
      ),
    ),
  ];
}

function corrupt(p: Buffer, rnd: () => number): Buffer {
  const out = Buffer.from(p);
  const count = rnd() > 0.9 ? 2 : 1;
  // the 10-byte footer is left alone: the version must stay acceptable for the body to be read at all
  for (let i = 0; i < count; i++) out[Math.floor(rnd() * Math.max(1, out.length - 10))] = Math.floor(rnd() * 256);
  return out;
}

/** Commands of every kind on a key that a corrupt RESTORE created. */
function traffic(s: Server, c: Client, key: string, rnd: () => number): void {
  const cmds: string[][] = [
    ['TYPE', key],
    ['OBJECT', 'ENCODING', key],
    ['DUMP', key],
    ['DEBUG', 'DIGEST-VALUE', key],
    ['MEMORY', 'USAGE', key],
    ['LRANGE', key, '0', '-1'],
    ['LPOP', key],
    ['RPUSH', key, 'x'],
    ['LINDEX', key, '-1'],
    ['LINSERT', key, 'BEFORE', '1', 'y'],
    ['HGETALL', key],
    ['HSET', key, String(Math.floor(rnd() * 1e9)), 'v'],
    ['HDEL', key, '0'],
    ['HRANDFIELD', key, '-5', 'WITHVALUES'],
    ['SMEMBERS', key],
    ['SADD', key, 'new', '77'],
    ['SPOP', key],
    ['SRANDMEMBER', key, '-3'],
    ['SINTERCARD', '1', key],
    ['ZRANGE', key, '0', '-1', 'WITHSCORES'],
    ['ZADD', key, '3', 'q'],
    ['ZREM', key, '_1'],
    ['ZRANGEBYLEX', key, '-', '+'],
    ['ZPOPMAX', key],
    ['GET', key],
    ['APPEND', key, 'z'],
    ['STRLEN', key],
    ['SORT', key, 'ALPHA'],
    ['COPY', key, `${key}:copy`],
    ['RENAME', key, `${key}:r`],
  ];
  for (let i = 0; i < 8; i++) run(s, c, cmds[Math.floor(rnd() * cmds.length)]);
}

for (const sanitize of ['no', 'yes']) {
  test(`corrupted DUMP payloads never make a command fail unexpectedly (sanitize-dump-payload ${sanitize}), and the server keeps serving`, () => {
    const s = composeServer();
    const bugs: string[] = [];
    const warn = s.log.warning.bind(s.log);
    s.log.warning = (m: string) => {
      if (m.startsWith('BUG:')) bugs.push(m);
      warn(m);
    };
    const c = s.createClient(null);
    const canary = s.createClient(null);
    populate(s, c);
    run(s, c, ['CONFIG', 'SET', 'sanitize-dump-payload', sanitize]);
    run(s, c, ['CONFIG', 'SET', 'enable-debug-command', 'yes']);
    s.skipChecksumValidation = true;
    const keys = (run(s, c, ['KEYS', '*']) as string[]).map(String);
    const sources = [...keys.map((k) => Buffer.from(String(run(s, c, ['DUMP', k])), 'latin1')), ...oldPayloads()];
    const rnd = prng(sanitize === 'yes' ? 20261207 : 20261208);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < RUNS; i++) {
      const bad = corrupt(sources[Math.floor(rnd() * sources.length)], rnd);
      const r = run(s, c, ['RESTORE', '_k', '0', bad.toString('latin1'), 'REPLACE']);
      if (r === 'OK') {
        accepted++;
        traffic(s, c, '_k', rnd);
        for (const k of ['_k', '_k:copy', '_k:r']) run(s, c, ['DEL', k]);
      } else {
        refused++;
        assert.match(String((r as Error).message ?? r), /^ERR Bad data format|^ERR DUMP payload version/, `unexpected reply to RESTORE #${i} of ${bad.toString('hex')}: ${bugs.join(' | ')}`);
      }
      assert.equal(run(s, canary, ['PING']), 'PONG');
      assert.deepEqual(bugs, [], `payload #${i}: ${bad.toString('hex')}`);
    }
    assert.equal(run(s, c, ['DBSIZE']), keys.length, "only the fuzzer's own keys came and went");
    assert.ok(accepted > 0 && refused > 0, `accepted ${accepted}, refused ${refused}`);
  });
}

for (const sanitize of ['no', 'yes']) {
  test(`corrupted RDB files load or are refused with an RdbError (sanitize-dump-payload ${sanitize}); what loads serves commands`, () => {
    const s = composeServer();
    const bugs: string[] = [];
    // the loader's lines about skipped keys are expected by the thousand: only a BUG line is kept
    s.log.warning = (m: string) => {
      if (m.startsWith('BUG:')) bugs.push(m);
    };
    const c = s.createClient(null);
    populate(s, c);
    const keys = (run(s, c, ['KEYS', '*']) as string[]).map(String);
    const sources = [...keys.map((k) => Buffer.from(String(run(s, c, ['DUMP', k])), 'latin1')), ...oldPayloads()];
    run(s, c, ['FLUSHALL']);
    run(s, c, ['CONFIG', 'SET', 'sanitize-dump-payload', sanitize]);
    run(s, c, ['CONFIG', 'SET', 'enable-debug-command', 'yes']);
    s.skipChecksumValidation = true;
    const rnd = prng(sanitize === 'yes' ? 20261209 : 20261210);
    let loaded = 0;
    let refused = 0;
    for (let i = 0; i < Math.ceil(RUNS / 3); i++) {
      // three keys, one of them corrupt: the corruption may also run into the records around it
      const pick = (): Buffer => sources[Math.floor(rnd() * sources.length)];
      const file = rdbFile([record('a', pick()), record('b', corrupt(pick(), rnd)), record('c', pick())]);
      let parsed;
      try {
        parsed = parseRdb(s, file);
      } catch (e) {
        assert.ok(e instanceof RdbError, `file #${i} (${file.toString('hex')}): ${(e as Error).stack}`);
        refused++;
        continue;
      }
      loaded++;
      installEntries(s, parsed.entries);
      for (const k of run(s, c, ['KEYS', '*']) as string[]) traffic(s, c, String(k), rnd);
      run(s, c, ['FLUSHALL']);
      assert.deepEqual(bugs, [], `file #${i}: ${file.toString('hex')}`);
    }
    assert.ok(loaded > 0 && refused > 0, `loaded ${loaded}, refused ${refused}`);
  });
}

/** The payloads of Redis's integration/corrupt-dump.tcl that Redis 7.0 accepts unsanitized. */
const LPFIND = Buffer.from('1039390000001400060106010301825F33030701825F370300010001040104010901825F39030501825F3503080108010101825F31030201F001FF0A0029D7E452797A9582', 'hex');
const ASAN_LEAK = Buffer.from('120102131300000010000000030000F3FE025F3104F1FF0A00198D3D74859429BD', 'hex');

/** A DUMP payload of one listpack or intset blob (given in hex) of RDB type `type`. */
const blobPayload = (type: number, hex: string): string => payload(type, (w) => w.saveBlob(Buffer.from(hex.replace(/ /g, ''), 'hex'), { compress: false })).toString('latin1');

test("unsanitized, RESTORE accepts what Redis's shallow checks pass and holds what it can read of it; sanitized, it refuses", () => {
  const s = composeServer();
  const c = s.createClient(null);
  s.skipChecksumValidation = true;
  const restore = (key: string, p: string): unknown => {
    const r = run(s, c, ['RESTORE', key, '0', p, 'REPLACE']);
    return r instanceof RespError ? r.message : r;
  };
  const hashDup = blobPayload(16, '11000000 0400 8161 02 01 01 8161 02 02 01 ff'); // a=1, a=2
  const zsetDup = blobPayload(17, '11000000 0400 8161 02 05 01 8161 02 01 01 ff'); // a:5, a:1
  const badFirst = blobPayload(16, '0c000000 0200 f561 02 01 01 ff'); // first entry of an unknown encoding
  const noEntries = blobPayload(16, '07000000 0200 ff'); // header counts 2, no entry follows
  const countZero = blobPayload(16, '0c000000 0000 8161 02 01 01 ff'); // header counts 0: empty for Redis
  const intset = blobPayload(11, '02000000 04000000 0500 0100 0500 fdff'); // 5 1 5 -3: unsorted, repeated
  for (const p of [LPFIND.toString('latin1'), ASAN_LEAK.toString('latin1'), hashDup, zsetDup, badFirst, noEntries, countZero, intset]) {
    run(s, c, ['CONFIG', 'SET', 'sanitize-dump-payload', 'yes']);
    assert.equal(restore('k', p), 'ERR Bad data format');
  }
  run(s, c, ['CONFIG', 'SET', 'sanitize-dump-payload', 'no']);
  // the suite's "lpFind invalid access": 10 pairs by the header, the last one malformed; Redis's HLEN says 10
  assert.equal(restore('h', LPFIND.toString('latin1')), 'OK');
  assert.equal(run(s, c, ['HLEN', 'h']), 9);
  assert.equal(run(s, c, ['HGET', 'h', '9']), '_9');
  assert.equal(run(s, c, ['HSETNX', 'h', '513072881620', 'v']), 1);
  assert.equal(run(s, c, ['OBJECT', 'ENCODING', 'h']), 'listpack');
  // a repeated field: the first pair is kept, as Redis's lookups find it
  assert.equal(restore('h', hashDup), 'OK');
  assert.deepEqual(run(s, c, ['HGETALL', 'h']), ['a', '1']);
  assert.equal(restore('z', zsetDup), 'OK');
  assert.deepEqual(run(s, c, ['ZRANGE', 'z', '0', '-1', 'WITHSCORES']), ['a', '5']);
  // an intset out of order: each value once, in order
  assert.equal(restore('i', intset), 'OK');
  assert.deepEqual(run(s, c, ['SMEMBERS', 'i']), ['-3', '1', '5']);
  assert.equal(run(s, c, ['SISMEMBER', 'i', '-3']), 1);
  // accepted, but nothing readable: OK, and no key (the suite's "gcc asan reports false leak on assert" payload)
  for (const p of [ASAN_LEAK.toString('latin1'), badFirst, noEntries]) {
    run(s, c, ['SET', 'x', 'old']);
    assert.equal(restore('x', p), 'OK');
    assert.equal(run(s, c, ['EXISTS', 'x']), 0);
    assert.equal(run(s, c, ['LPOP', 'x']), null);
  }
  // an empty header count is Redis's empty key
  assert.equal(restore('e', countZero), 'ERR Bad data format');
  // converted at load (more fields than the limit), a malformed or repeated entry stops Redis: refused
  run(s, c, ['CONFIG', 'SET', 'hash-max-listpack-entries', '1']);
  run(s, c, ['CONFIG', 'SET', 'zset-max-listpack-entries', '1']);
  for (const p of [LPFIND.toString('latin1'), hashDup, zsetDup]) assert.equal(restore('c', p), 'ERR Bad data format');
  assert.deepEqual((run(s, c, ['KEYS', '*']) as string[]).map(String).sort(), ['h', 'i', 'z']);
});

test("a refused RESTORE logs Redis's reason at verbose level; empty and duplicate collections are refused", () => {
  const s = composeServer();
  const lines: string[] = [];
  s.log.level = 'verbose';
  s.log.verbose = (m: string) => lines.push(m);
  const c = s.createClient(null);
  s.skipChecksumValidation = true;
  // #7445: a quicklist whose ziplist's entries run past its end (Redis's suite payload)
  const p7445 = Buffer.from('0E011D1D000000160000000300000443434343060442424242063F41414141FF09008 8A5CAA8C541F435'.replace(/ /g, ''), 'hex');
  assert.equal((run(s, c, ['RESTORE', 'k', '0', p7445.toString('latin1')]) as Error).message, 'ERR Bad data format');
  assert.match(lines.at(-1)!, /^Internal error in RDB reading offset 0, function at rdb\.c:0 -> Ziplist integrity check failed\./);
  // a zset ziplist whose tail offset points inside the header
  const tail = Buffer.from('0C19190000000200000006 0000F102F10202 5F3104F202F302F3FF0900 4D727B97CD9A70C1'.replace(/ /g, ''), 'hex');
  assert.equal((run(s, c, ['RESTORE', 'z', '0', tail.toString('latin1')]) as Error).message, 'ERR Bad data format');
  assert.match(lines.at(-1)!, /-> Zset ziplist integrity check failed\./);
  // an empty zipmap fails its integrity check; duplicate fields are refused
  const zipmap = Buffer.from('0902 00FF 0900C0F1B8674C16ACE3'.replace(/ /g, ''), 'hex');
  assert.equal((run(s, c, ['RESTORE', 'h', '0', zipmap.toString('latin1')]) as Error).message, 'ERR Bad data format');
  assert.match(lines.at(-1)!, /-> Zipmap integrity check failed\./);
  run(s, c, ['CONFIG', 'SET', 'sanitize-dump-payload', 'no']);
  run(s, c, ['CONFIG', 'SET', 'hash-max-listpack-entries', '1']);
  const dupHash = Buffer.from('1017170000000400826100038262000382610003826400 03FF0A00C0CFA687E5A7C5BE'.replace(/ /g, ''), 'hex');
  assert.equal((run(s, c, ['RESTORE', 'd', '0', dupHash.toString('latin1')]) as Error).message, 'ERR Bad data format');
  assert.match(lines.at(-1)!, /-> Hash listpack with dup elements/);
  assert.equal(run(s, c, ['DBSIZE']), 0);
});

/** An RDB file: header, the given object records in db 0, EOF, checksum. */
function rdbFile(records: Buffer[]): Buffer {
  const head = Buffer.concat([Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'), Buffer.from([0xfe, 0x00])]);
  const body = Buffer.concat([head, ...records, Buffer.from([0xff])]);
  const crc = Buffer.alloc(8);
  new Crc64().update(body, 0, body.length).writeLE(crc, 0);
  return Buffer.concat([body, crc]);
}

/** A key record: type byte, key, the object body (a DUMP payload without its footer). */
function record(key: string, p: Buffer): Buffer {
  const body = p.subarray(1, p.length - 10);
  return Buffer.concat([p.subarray(0, 1), Buffer.from([key.length]), Buffer.from(key, 'latin1'), body]);
}

async function startOn(dir: string): Promise<{ code: number | null; out: string; kill(): void; port: number }> {
  const port = await freePort();
  const p = spawn(process.execPath, [serverJs, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => {
    p.once('close', (x) => r(x));
    const t = setInterval(() => {
      if (/Ready to accept connections/.test(out)) {
        clearInterval(t);
        r(null);
      }
    }, 20);
    p.once('close', () => clearInterval(t));
  });
  return { code, out, port, kill: () => p.kill('SIGKILL') };
}

test("an RDB file's empty keys are skipped with Redis's lines; a corrupt value stops the start with redis-check-rdb's report", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-corrupt-'));
  try {
    const emptyZiplistHash = payload(RDB_TYPE_HASH_ZIPLIST, (w) => w.saveBlob(ziplistBlob([]), { compress: false }));
    const good = payload(RDB_TYPE_HASH_ZIPLIST, (w) => w.saveBlob(ziplistBlob(['f', 'v']), { compress: false }));
    writeFileSync(join(dir, 'dump.rdb'), rdbFile([record('empty', emptyZiplistHash), record('good', good)]));
    const a = await startOn(dir);
    a.kill();
    assert.equal(a.code, null, a.out);
    assert.match(a.out, /# rdbLoadObject skipping empty key: empty\n/);
    assert.match(a.out, /# Done loading RDB, keys loaded: 1, keys expired: 0, empty keys skipped: 1\.\n/);
    const broken = Buffer.from(good);
    broken[broken.length - 11] = 0x00; // the ziplist's end byte
    writeFileSync(join(dir, 'dump.rdb'), rdbFile([record('good', good), record('bad', broken)]));
    const b = await startOn(dir);
    assert.equal(b.code, 1);
    assert.match(b.out, /# Internal error in RDB reading offset 0, function at rdb\.c:0 -> Hash ziplist integrity check failed\.\n/);
    assert.match(b.out, /--- RDB ERROR DETECTED ---\n\[offset \d+\] Internal error in RDB reading offset 0, function at rdb\.c:0 -> Hash ziplist integrity check failed\./);
    assert.match(b.out, /\[additional info\] Reading key 'bad'\n\[additional info\] Reading type 13 \(hash-ziplist\)\n\[info\] 2 keys read\n/);
    assert.match(b.out, /# Terminating server after rdb file reading failure\.\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
