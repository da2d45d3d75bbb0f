/**
 * The package a user installs works: `npm pack` of this tree, installed from
 * the tarball into an empty directory (offline — gkv has no runtime
 * dependencies, so nothing needs fetching), then run both ways a user runs it:
 * `npx gkv-server --port N` answers PING, and `import { createServer } from
 * 'gkv'` starts a server in-process. The types a TypeScript user imports
 * resolve through package.json's `exports`.
 *
 * Packing uses --ignore-scripts: `npm test` has just built dist/, and the
 * prepack/prepare scripts would rebuild it under the other test files running
 * from it. Skips, loudly, only when npm itself is not there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectWhenListening, freePort } from '../harness/servers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** a bound for each npm/node step: a hang guard on a loaded machine, not a speed bound */
const STEP_MS = 120_000;

/**
 * The environment without npm's own variables: `npm test` exports
 * npm_config_* (the local prefix among them), which would make the npm run
 * here act on this tree instead of the empty directory.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return env;
}

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout: STEP_MS });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (status ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

const npmMissing = spawnSync('npm', ['--version'], { env: cleanEnv(), encoding: 'utf8' }).status !== 0;
if (npmMissing) process.stderr.write('\n*** npm NOT FOUND: the packaging test (npm pack, install, npx gkv-server) is SKIPPED ***\n\n');
const skip = npmMissing ? 'npm is not installed' : false;

let work = '';
let app = '';
let packed: string[] = [];
let installOutput = '';

before(() => {
  if (npmMissing) return;
  work = mkdtempSync(join(tmpdir(), 'gkv-pack-'));
  const t0 = Date.now();
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
  const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  packed = info[0].files.map((f) => f.path);
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'gkv-pack-check', private: true, type: 'module' }));
  const t1 = Date.now();
  // --offline: only the npm cache may be read; a package with runtime dependencies not cached fails here (ENOTCACHED)
  const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, info[0].filename)], app);
  installOutput = install.stdout + install.stderr;
  process.stderr.write(`# npm pack ${t1 - t0} ms, npm install of the tarball ${Date.now() - t1} ms\n`);
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the compiled server, the binaries and the command metadata, and no tests', { skip }, () => {
  for (const f of [
    'package.json',
    'LICENSE',
    'README.md',
    'bin/gkv-server',
    'bin/gkv-cli',
    'dist/src/index.js',
    'dist/src/index.d.ts',
    'dist/src/bin/server.js',
    'dist/src/cli/main.js',
    'src/commands/meta/redis-7.0-commands.json',
  ]) {
    assert.ok(packed.includes(f), `${f} is not in the tarball`);
  }
  assert.deepEqual(
    packed.filter((f) => f.startsWith('dist/test/') || f.startsWith('test/')),
    [],
  );
  const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'gkv', 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; scripts?: Record<string, string> };
  assert.deepEqual(Object.keys(installed.dependencies ?? {}), [], 'gkv has no runtime dependencies');
  // no install scripts: nothing for the installing project to approve (npm 11 warns of any, prepare included)
  for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(installed.scripts?.[s], undefined, `a ${s} script`);
  assert.doesNotMatch(installOutput, /install-scripts|allowScripts/);
});

test('npx gkv-server --port N, installed from the tarball in an empty directory, answers PING', { skip }, async () => {
  const port = await freePort();
  // `--` so that npx hands --port to gkv-server instead of reading it as an npm option
  const p = spawn('npx', ['--no', '--', 'gkv-server', '--port', String(port), '--save', '', '--appendonly', 'no'], {
    cwd: app,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npx's shell and the server go together if it must be killed
  });
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  try {
    const c = await Promise.race([
      connectWhenListening(port, STEP_MS),
      exited.then((code) => {
        throw new Error(`gkv-server exited (${code}) before listening:\n${out}`);
      }),
    ]);
    assert.equal(await c.cmd('PING'), 'PONG');
    assert.equal(await c.cmd('SET', 'k', 'v'), 'OK');
    assert.equal(await c.cmd('GET', 'k'), 'v');
    assert.ok(Number(await c.cmd('COMMAND', 'COUNT')) > 100, 'the command table loaded its metadata');
    // the other binary, as installed: npm's link in node_modules/.bin
    const cli = spawnSync(join(app, 'node_modules', '.bin', 'gkv-cli'), ['-p', String(port), 'get', 'k'], { cwd: app, env: cleanEnv(), encoding: 'utf8', timeout: STEP_MS });
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.stdout, 'v\n');
    void c.call('SHUTDOWN', 'NOSAVE'); // no reply: the server closes the connection as it exits
    await c.waitClose();
    assert.equal(await exited, 0, out);
  } finally {
    if (p.exitCode === null && p.signalCode === null) process.kill(-p.pid!, 'SIGKILL');
  }
});

test("import { createServer } from 'gkv', installed from the tarball, starts a server in-process", { skip }, () => {
  const script = join(app, 'check.mjs');
  writeFileSync(
    script,
    `import net from 'node:net';
import { createServer } from 'gkv';
const srv = await createServer({ port: 0 });
const reply = await new Promise((resolve, reject) => {
  const s = net.connect(srv.port, srv.host, () => s.write('*1\\r\\n$4\\r\\nPING\\r\\n'));
  s.once('data', (d) => { resolve(d.toString()); s.destroy(); });
  s.once('error', reject);
});
await srv.close();
process.stdout.write(JSON.stringify(reply));
`,
  );
  const r = run(process.execPath, [script], app);
  assert.equal(JSON.parse(r.stdout), '+PONG\r\n');
});

test("the types resolve: a TypeScript file importing 'gkv' compiles against the installed package", { skip }, () => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  assert.ok(existsSync(tsc), 'typescript (a devDependency) is installed');
  writeFileSync(
    join(app, 'check.ts'),
    `import { createServer, type GkvServer, type ServerOptions } from 'gkv';
const opts: ServerOptions = { port: 0, maxmemory: '1mb', 'maxmemory-policy': 'allkeys-lru', log: (level, line) => console.log(level, line) };
// @ts-expect-error -- a misspelt parameter is a compile error for the package's users too
const typo: ServerOptions = { prot: 6379 };
void typo;
const srv: GkvServer = await createServer(opts);
const port: number = srv.port;
await srv.close({ nosave: true });
export { port };
`,
  );
  const typeRoots = join(root, 'node_modules', '@types');
  // gkv's own settings (tsconfig.json), skipLibCheck included: @types/node 20 fails this TypeScript's check of its own .d.ts
  const opts = ['--noEmit', '--strict', '--target', 'ES2022', '--lib', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--skipLibCheck'];
  run(process.execPath, [tsc, ...opts, '--typeRoots', typeRoots, '--types', 'node', 'check.ts'], app);
});

test("npm's Windows shims for the installed binaries run them with node (cmd-shim, as npm on Windows writes them)", { skip }, async () => {
  // npm's own copy of cmd-shim: what `npm install` uses on Windows to make gkv-server.cmd and .ps1
  const npmRoot = run('npm', ['root', '-g'], app).stdout.trim();
  const shimModule = join(npmRoot, 'npm', 'node_modules', 'cmd-shim');
  if (!existsSync(shimModule)) {
    process.stderr.write(`\n*** npm's cmd-shim not found under ${npmRoot}: the Windows shim check is SKIPPED ***\n\n`);
    return;
  }
  const { createRequire } = await import('node:module');
  const cmdShim = createRequire(import.meta.url)(shimModule) as (from: string, to: string) => Promise<void>;
  const shims = join(work, 'win-shims');
  for (const name of ['gkv-server', 'gkv-cli']) {
    await cmdShim(join(app, 'node_modules', 'gkv', 'bin', name), join(shims, name));
    const cmd = readFileSync(join(shims, `${name}.cmd`), 'utf8');
    // the .cmd runs node.exe (next to it, or on PATH) on the bin file; the .ps1 the same
    assert.ok(cmd.includes('SET "_prog=node"'), cmd);
    assert.ok(cmd.includes('"%_prog%"  "%dp0%\\') && cmd.includes(`\\gkv\\bin\\${name}" %*`), cmd);
    assert.ok(!cmd.includes('/bin/sh'), cmd);
    const ps1 = readFileSync(join(shims, `${name}.ps1`), 'utf8');
    assert.ok(ps1.includes(`& "node$exe"  "$basedir/`) && ps1.includes(`/gkv/bin/${name}" $args`), ps1);
  }
});

test('LICENSE is the MIT licence package.json names, held by the gKV authors', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string };
  assert.equal(pkg.license, 'MIT');
  const text = readFileSync(join(root, 'LICENSE'), 'utf8');
  assert.equal(text.split('\n')[0], 'MIT License');
  assert.match(text, /^Copyright \(c\) \d{4} The gKV authors$/m);
  assert.match(text, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
});
