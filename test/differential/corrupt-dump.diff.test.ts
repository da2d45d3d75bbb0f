/**
 * Corrupt DUMP payloads, accepted or refused as a real redis-server 7.0
 * accepts or refuses them, with sanitize-dump-payload no (Redis 7.0's
 * default: listpacks and intsets get only their shallow checks) and yes
 * (everything checked entry by entry).
 *
 * The corpus: Redis's own DUMPs of keys of every type and compact encoding
 * (small and big listpack hashes and zsets, multi-node quicklists, intsets,
 * strings, plain sets) and the older encodings Redis 7.0 still loads
 * (ziplists, zipmaps: test/harness/rdb-payloads.ts), each with one or two
 * bytes of its body replaced by a seeded generator, plus every payload of
 * Redis's suite (integration/corrupt-dump.tcl, ./corrupt-dump-payloads.ts)
 * but its streams'. Both servers skip the CRC check (DEBUG
 * SET-SKIP-CHECKSUM-VALIDATION 1) and run with small listpack limits, so
 * that the big payloads go through the conversions Redis makes at load.
 * Compared: each RESTORE's reply, byte for byte. Where Redis does not
 * survive a payload (an assertion in a conversion at load), the payload is
 * not compared; Redis is restarted, and gKV must only have answered and kept
 * serving. The accepted keys are not read on Redis (that can crash it too);
 * test/persistence/corrupt-payloads.test.ts runs commands on what gKV
 * accepts. Payloads whose type byte became a stream's are not compared
 * either: gKV holds no streams yet (issue 10) and refuses them all.
 *
 * GKV_DIFF_RUNS scales the count (default 20: 600 payloads per setting);
 * GKV_DIFF_SEED replays another corpus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient, type Reply } from '../harness/resp.js';
import { oracleSkip, startGkv, startRedis, type RedisProc } from '../harness/servers.js';
import { payload, ziplistBlob, zipmapBlob } from '../harness/rdb-payloads.js';
import {
  RDB_TYPE_HASH,
  RDB_TYPE_HASH_ZIPLIST,
  RDB_TYPE_HASH_ZIPMAP,
  RDB_TYPE_LIST,
  RDB_TYPE_LIST_QUICKLIST,
  RDB_TYPE_LIST_ZIPLIST,
  RDB_TYPE_ZSET,
  RDB_TYPE_ZSET_ZIPLIST,
} from '../../src/persistence/rdb/encode.js';
import { diffRuns, diffSeed } from './runner.js';
import { SUITE_PAYLOADS } from './corrupt-dump-payloads.js';
import { Rng } from '../fuzz/generate.js';

const SEED = diffSeed(20261401);
const COUNT = diffRuns(20) * 30;

/** RDB_TYPE_STREAM_LISTPACKS, _2, _3 */
const STREAM_TYPES = new Set([15, 19, 21]);

/** A seeded PRNG's next float in [0, 1), so a corpus can be replayed. */
function prng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** The limits both servers load under: the "big" keys (10 elements) exceed them and are converted at load. */
const LIMITS = [
  ['hash-max-listpack-entries', '5'],
  ['zset-max-listpack-entries', '5'],
  ['set-max-intset-entries', '5'],
  ['list-max-listpack-size', '5'],
];

/** Commands building keys of every type and compact encoding on Redis (under its default limits, so big ones stay compact). */
function builders(): string[][] {
  const cmds: string[][] = [];
  for (const [suffix, n] of [
    ['', 3],
    ['big', 10],
  ] as const) {
    for (let j = 0; j < n; j++) {
      const val = j % 2 === 0 ? String(j) : `_${j}`;
      cmds.push(['HSET', `hash${suffix}`, String(j), val], ['RPUSH', `list${suffix}`, val], ['ZADD', `zset${suffix}`, String(j), val]);
      cmds.push(['SADD', `set${suffix}`, val], ['SADD', `intset${suffix}`, String(j * 1000 - 3)]);
    }
  }
  cmds.push(['SADD', 'intset64', '1', '-5', '4294967296', '-9223372036854775808']);
  cmds.push(['ZADD', 'zsetfloat', '1.5', 'a', '-2.25', 'bb', '1e100', 'c']);
  cmds.push(['HSET', 'hashlong', 'f', 'v'.repeat(200), 'g'.repeat(70), '-123456789012']);
  cmds.push(['SET', 'int', '12345'], ['SET', 'string', 'str'], ['SET', 'long', 'x'.repeat(300)]);
  return cmds;
}

/** Older encodings Redis 7.0 still loads. */
function oldPayloads(): Buffer[] {
  const O = { compress: false };
  return [
    payload(RDB_TYPE_LIST_QUICKLIST, (w) => {
      w.saveLen(2);
      w.saveBlob(ziplistBlob(['a', '1', 'bb']), O);
      w.saveBlob(ziplistBlob(['-7', 'zz', '300000']), O);
    }),
    payload(RDB_TYPE_LIST_ZIPLIST, (w) => w.saveBlob(ziplistBlob(['x', '2', 'yy']), O)),
    payload(RDB_TYPE_HASH_ZIPLIST, (w) => w.saveBlob(ziplistBlob(['f', 'v', 'g', '12']), O)),
    payload(RDB_TYPE_ZSET_ZIPLIST, (w) => w.saveBlob(ziplistBlob(['m', '1.5', 'n', '2']), O)),
    payload(RDB_TYPE_HASH_ZIPMAP, (w) =>
      w.saveBlob(
        zipmapBlob([
          ['f', 'v'],
          ['gg', 'hh'],
        ]),
        O,
      ),
    ),
    payload(RDB_TYPE_LIST, (w) => {
      w.saveLen(3);
      for (const e of ['a', '12', 'ccc']) w.saveString(e, O);
    }),
    payload(RDB_TYPE_HASH, (w) => {
      w.saveLen(2);
      for (const e of ['f', 'v', 'g', '300']) w.saveString(e, O);
    }),
    // the text scores of RDB_TYPE_ZSET: a length byte, then that many characters
    payload(RDB_TYPE_ZSET, (w) => {
      w.saveLen(2);
      for (const [m, sc] of [
        ['a', '1.5'],
        ['b', '-3'],
      ]) {
        w.saveString(m, O);
        w.u8(sc.length);
        for (const ch of sc) w.u8(ch.charCodeAt(0));
      }
    }),
  ];
}

/** One or two bytes of the body replaced (the 10-byte footer kept: the version must stay acceptable). */
function corrupt(p: Buffer, rnd: () => number): Buffer {
  const out = Buffer.from(p);
  const n = rnd() > 0.8 ? 2 : 1;
  for (let i = 0; i < n; i++) out[Math.floor(rnd() * Math.max(1, out.length - 10))] = Math.floor(rnd() * 256);
  return out;
}

/** A server that may die: its client and a way to start it again. */
interface Oracle {
  redis: RedisProc;
  c: RespClient;
}

async function startOracle(sanitize: string): Promise<Oracle> {
  const redis = await startRedis(['--sanitize-dump-payload', sanitize, ...LIMITS.flatMap(([k, v]) => [`--${k}`, v])]);
  const c = await RespClient.connect(redis.port);
  await c.cmd('DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '1');
  return { redis, c };
}

/**
 * The reply, or null when the connection closed first (the server died) or
 * no reply came within 10 s (a corrupt value can send Redis into a loop).
 */
function replyOrDeath(c: RespClient, args: (string | Buffer)[]): Promise<Reply | null> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<null>((r) => (timer = setTimeout(() => r(null), 10000)));
  return Promise.race([c.call(...args), c.waitClose().then(() => null), hung]).finally(() => clearTimeout(timer));
}

test('corrupt DUMP payloads are accepted or refused as redis-server 7.0 accepts or refuses them, sanitized or not', { skip: oracleSkip() }, async () => {
  // the corpus's sources, DUMPed by Redis itself under its default limits
  const maker = await startRedis();
  const sources: Buffer[] = [];
  try {
    const c = await RespClient.connect(maker.port);
    for (const cmd of builders()) await c.cmd(...cmd);
    const keys = ((await c.cmd('KEYS', '*')) as string[]).map(String).sort();
    for (const k of keys) sources.push(Buffer.from(String(await c.cmd('DUMP', k)), 'latin1'));
    c.close();
  } finally {
    await maker.stop();
  }
  sources.push(...oldPayloads());

  const gkv = await startGkv({ 'enable-debug-command': 'yes' });
  const g = await RespClient.connect(gkv.port);
  const summary: string[] = [];
  try {
    await g.cmd('DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '1');
    for (const [k, v] of LIMITS) await g.cmd('CONFIG', 'SET', k, v);
    for (const sanitize of ['no', 'yes']) {
      await g.cmd('CONFIG', 'SET', 'sanitize-dump-payload', sanitize);
      let o = await startOracle(sanitize);
      const rnd = prng(SEED + (sanitize === 'yes' ? 1 : 0));
      const corpus = [...SUITE_PAYLOADS.map(([, h]) => Buffer.from(h, 'hex')), ...sources];
      for (let i = 0; i < COUNT; i++) corpus.push(corrupt(sources[Math.floor(rnd() * sources.length)], rnd));
      const mismatches: string[] = [];
      let accepted = 0;
      let refused = 0;
      let redisDied = 0;
      let streams = 0;
      try {
        for (const p of corpus) {
          const args = ['RESTORE', 'k', '0', p, 'REPLACE'];
          const [a, b] = await Promise.all([g.call(...args), replyOrDeath(o.c, args)]);
          if (b === null) {
            // Redis stopped on an assertion: nothing to compare; gKV answered (OK or a refusal) and goes on
            redisDied++;
            assert.match(a.raw, /^(\+OK|-ERR Bad data format)/, `gKV's reply to ${p.toString('hex')}`);
            o.c.close();
            await o.redis.stop();
            o = await startOracle(sanitize);
          } else {
            if (STREAM_TYPES.has(p[0])) streams++;
            else {
              if (a.raw !== b.raw) mismatches.push(`${p.toString('hex')}: gKV ${JSON.stringify(a.raw)}, Redis ${JSON.stringify(b.raw)}`);
              if (b.raw === '+OK\r\n') accepted++;
              else refused++;
            }
            // freeing an accepted corrupt value can stop or hang Redis too: then a fresh oracle
            if ((await replyOrDeath(o.c, ['DEL', 'k'])) === null) {
              redisDied++;
              o.c.close();
              await o.redis.stop();
              o = await startOracle(sanitize);
            }
          }
          await g.cmd('DEL', 'k');
          assert.equal(await g.cmd('PING'), 'PONG');
        }
      } finally {
        o.c.close();
        await o.redis.stop();
      }
      summary.push(
        `sanitize-dump-payload ${sanitize}: ${corpus.length} payloads, Redis accepted ${accepted}, refused ${refused}, died on ${redisDied}, ${streams} streams not compared; ${mismatches.length} differ`,
      );
      assert.deepEqual(mismatches.slice(0, 20), [], `sanitize-dump-payload ${sanitize}: ${mismatches.length} of ${corpus.length} payloads answered differently`);
      assert.ok(accepted > 0 && refused > 0, summary.at(-1));
    }
  } finally {
    g.close();
    await gkv.close();
    process.stdout.write(`# ${summary.join('\n# ')}\n`);
  }
});
