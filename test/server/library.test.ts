/**
 * The library API's defaults (src/index.ts): in memory (no dump.rdb or AOF in
 * the caller's working directory, whatever the commands), typed options (a
 * misspelt name is a compile error: the `@ts-expect-error` lines below fail
 * the build when the error they expect goes away), and a log that is silent
 * or goes to the caller's function.
 *
 * The in-memory checks run createServer in a child process whose working
 * directory is an empty temporary one: the `dir` parameter's default is the
 * working directory when the server module loads, so only a fresh process
 * shows what a caller's directory receives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer, type ServerOptions } from '../../src/index.js';
import { CONFIG_OPTION_NAMES } from '../../src/server/config-options.js';
import { RespClient } from '../harness/resp.js';
import { oracleSkip, startRedis } from '../harness/servers.js';

const distRoot = fileURLToPath(new URL('../../', import.meta.url));
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs `body` (an async function's text, given `createServer`, `RespClient`, `out`) in a node child whose cwd is `cwd`. */
function runInChild(cwd: string, body: string): { stdout: string; stderr: string; out: Record<string, unknown> } {
  const outFile = join(mkdtempSync(join(tmpdir(), 'gkv-lib-out-')), 'out.json');
  const script = `
    import { writeFileSync } from 'node:fs';
    const { createServer } = await import(${JSON.stringify(pathToFileURL(join(distRoot, 'src/index.js')).href)});
    const { RespClient } = await import(${JSON.stringify(pathToFileURL(join(distRoot, 'test/harness/resp.js')).href)});
    const out = {};
    await (async () => { ${body} })();
    writeFileSync(${JSON.stringify(outFile)}, JSON.stringify(out));
    process.exit(0);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `child failed (status ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  const out = JSON.parse(readFileSync(outFile, 'utf8')) as Record<string, unknown>;
  rmSync(join(outFile, '..'), { recursive: true, force: true });
  return { stdout: r.stdout, stderr: r.stderr, out };
}

test('createServer() writes nothing into the working directory: not at close(), FLUSHALL, SAVE, BGSAVE, appendonly, SHUTDOWN; and logs nothing', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'gkv-lib-cwd-'));
  try {
    const { stdout, stderr, out } = runInChild(
      cwd,
      `
      const wait = async (check) => { for (let i = 0; i < 2000 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10)); };
      // 1: writes, FLUSHALL, explicit SAVE and BGSAVE, the AOF switched on, then close()
      const a = await createServer({ port: 0 });
      out.dirA = a.server.config.get('dir');
      let c = await RespClient.connect(a.port);
      await c.cmd('SET', 'k', 'v');
      await c.cmd('FLUSHALL');
      await c.cmd('SET', 'k', 'v');
      out.save = String(await c.cmd('SAVE'));
      await c.cmd('BGSAVE');
      await wait(async () => /rdb_bgsave_in_progress:0/.test(String(await c.cmd('INFO', 'persistence'))));
      out.setAof = String(await c.cmd('CONFIG', 'SET', 'appendonly', 'yes'));
      await wait(async () => /aof_rewrite_in_progress:0/.test(String(await c.cmd('INFO', 'persistence'))) && /aof_rewrite_scheduled:0/.test(String(await c.cmd('INFO', 'persistence'))));
      await c.cmd('SET', 'k2', 'v');
      out.filesA = (await import('node:fs')).readdirSync(out.dirA).sort();
      c.close();
      await a.close();
      // 2: SHUTDOWN SAVE from a client
      const b = await createServer({ port: 0 });
      out.dirB = b.server.config.get('dir');
      c = await RespClient.connect(b.port);
      await c.cmd('SET', 'k', 'v');
      void c.cmd('SHUTDOWN', 'SAVE').catch(() => {});
      await b.server.closed;
      // 3: a plain SHUTDOWN, with options that say "no persistence" explicitly
      const d = await createServer({ port: 0, save: '', appendonly: false });
      out.dirD = d.server.config.get('dir');
      c = await RespClient.connect(d.port);
      await c.cmd('SET', 'k', 'v');
      out.saveD = String(await c.cmd('SAVE'));
      void c.cmd('SHUTDOWN').catch(() => {});
      await d.server.closed;
      await new Promise((r) => setTimeout(r, 50));
      `,
    );
    assert.deepEqual(readdirSync(cwd), [], 'the working directory stays empty');
    assert.equal(out.save, 'OK');
    assert.equal(out.saveD, 'OK');
    assert.equal(out.setAof, 'OK');
    // the files went to the server's private directory (so the commands worked) ...
    assert.ok((out.filesA as string[]).includes('dump.rdb'), `dump.rdb in the private dir: ${out.filesA}`);
    assert.ok((out.filesA as string[]).includes('appendonlydir'), `appendonlydir in the private dir: ${out.filesA}`);
    // ... which was not the working directory and is gone once the server stopped
    for (const d of [out.dirA, out.dirB, out.dirD] as string[]) {
      assert.notEqual(d, cwd);
      assert.equal(existsSync(d), false, `${d} removed when the server stopped`);
    }
    assert.equal(stdout, '', 'nothing on stdout');
    assert.equal(stderr, '', 'nothing on stderr');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('createServer() with persistence asked for (save points, appendonly) writes into the working directory, as redis-server does', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'gkv-lib-cwd-'));
  try {
    const { out } = runInChild(
      cwd,
      `
      const a = await createServer({ port: 0, save: '3600 1' });
      out.dir = a.server.config.get('dir');
      const c = await RespClient.connect(a.port);
      await c.cmd('SET', 'k', 'v');
      c.close();
      await a.close();
      const b = await createServer({ port: 0, appendonly: true });
      out.dirB = b.server.config.get('dir');
      await b.close();
      `,
    );
    assert.equal(out.dir, cwd);
    assert.equal(out.dirB, cwd);
    assert.deepEqual(readdirSync(cwd).sort(), ['appendonlydir', 'dump.rdb']);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test("createServer's log goes to the caller's function, by level, without Redis's prefix; silent by default", async () => {
  const lines: [string, string][] = [];
  const srv = await createServer({ port: 0, log: (level, line) => lines.push([level, line]) });
  assert.deepEqual(
    lines.find(([, l]) => l === 'Ready to accept connections'),
    ['notice', 'Ready to accept connections'],
  );
  const c = await RespClient.connect(srv.port, srv.host);
  // loglevel still filters, and follows CONFIG SET
  assert.equal(await c.cmd('CONFIG', 'SET', 'loglevel', 'warning'), 'OK');
  c.close();
  lines.length = 0;
  await srv.close();
  assert.ok(lines.length > 0, 'the shutdown is logged');
  assert.ok(
    lines.every(([level]) => level === 'warning'),
    `only warnings at loglevel warning: ${JSON.stringify(lines)}`,
  );
  assert.ok(lines.some(([, l]) => l === 'User requested shutdown...'));
  for (const [, l] of lines) assert.doesNotMatch(l, /^\d+:[MCSX] \d\d [A-Z][a-z]{2} \d{4} /, 'no redis-server prefix');

  // without a function, nothing reaches stdout
  const written: string[] = [];
  const real = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const quiet = await createServer({ port: 0 });
    await quiet.close();
  } finally {
    process.stdout.write = real;
  }
  assert.deepEqual(written, []);
});

test('createServer options are typed: a misspelt name, a wrong kind of value, an unknown enum value are compile errors', async () => {
  // each line below is a compile error (the build fails if one stops being one) and is refused at run time too
  // @ts-expect-error -- `prot` is not a parameter
  await assert.rejects(createServer({ prot: 6379 }), /bad option 'prot'/);
  // @ts-expect-error -- maxmemory-policy takes one of Redis's policies
  await assert.rejects(createServer({ port: 0, 'maxmemory-policy': 'allkeys-lry' }), /bad option 'maxmemory-policy'/);
  // @ts-expect-error -- databases is a number
  await assert.rejects(createServer({ port: 0, databases: true }), /bad option 'databases'/);
  // and the right kinds compile and work: booleans, numbers, lists, aliases
  const ok: ServerOptions = { port: 0, databases: 4, appendfsync: 'no', 'lazyfree-lazy-user-del': true, 'hash-max-ziplist-entries': 64, 'latency-tracking-info-percentiles': ['50', '99'] };
  const srv = await createServer(ok);
  try {
    const c = await RespClient.connect(srv.port, srv.host);
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'hash-max-listpack-entries'), ['hash-max-listpack-entries', '64']);
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'lazyfree-lazy-user-del'), ['lazyfree-lazy-user-del', 'yes']);
    c.close();
  } finally {
    await srv.close();
  }
});

test("the options' type names every parameter a real redis-server 7.0 lists in CONFIG GET *, and no name Redis refuses", { skip: oracleSkip() }, async () => {
  const redis = await startRedis();
  try {
    const c = await RespClient.connect(redis.port);
    const all = (await c.cmd('CONFIG', 'GET', '*')) as string[];
    const redisNames = all.filter((_, i) => i % 2 === 0).map(String);
    const ours = new Set(CONFIG_OPTION_NAMES);
    assert.deepEqual(
      redisNames.filter((n) => !ours.has(n)),
      [],
      'names Redis lists that the type lacks',
    );
    // every name of ours (aliases and hidden debugging parameters included) is one Redis answers by exact name
    const unknown: string[] = [];
    for (const n of CONFIG_OPTION_NAMES) {
      const r = (await c.cmd('CONFIG', 'GET', n)) as string[];
      if (r.length === 0) unknown.push(n);
    }
    assert.deepEqual(unknown, [], 'names of ours Redis does not know');
    c.close();
  } finally {
    await redis.stop();
  }
});

test('src/server/config-options.ts is generated from the parameter table (node scripts/update-option-types.mjs)', () => {
  const r = spawnSync(process.execPath, ['scripts/update-option-types.mjs', '--check'], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, GKV_DIST: process.env.GKV_DIST ?? 'dist' },
  });
  assert.equal(r.status, 0, r.stderr + r.stdout);
});
