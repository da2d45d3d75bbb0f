import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config, ConfigError } from '../../src/server/config.js';
import { PARAMS } from '../../src/server/params.js';
import { composeServer } from '../../src/compose.js';
import { connectWhenListening, freePort, redisServerAvailable } from '../harness/servers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin', 'gkv-server');

/** A Config loaded from an optional file text and command-line arguments. */
function configFrom(fileText: string | null, args: string[]): Config {
  const cfg = new Config(PARAMS);
  if (fileText === null) {
    cfg.loadArgs(args);
    return cfg;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gkv-conf-'));
  try {
    const file = join(dir, 'gkv.conf');
    writeFileSync(file, fileText);
    cfg.loadArgs([file, ...args]);
    return cfg;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the first save directive replaces the default save points, later ones add to them, save "" clears them', () => {
  assert.equal(configFrom('port 1\n', []).get('save'), '3600 1 300 100 60 10000');
  assert.equal(configFrom('save 900 1\n', []).get('save'), '900 1');
  assert.equal(configFrom('save 900 1\n', ['--save', '100', '100']).get('save'), '900 1 100 100');
  assert.equal(configFrom('save 900 1\n', ['--save', '']).get('save'), '');
  assert.equal(configFrom('save 900 1\nsave ""\nsave 5 5\n', []).get('save'), '5 5');
  assert.equal(configFrom('save 900 1\n', ['--save', '300 10']).get('save'), '900 1 300 10');
});

test('command line: --save alone or before another option means save "", and values may start with --', () => {
  let c = configFrom(null, ['--save', '--loglevel', 'verbose']);
  assert.equal(c.get('save'), '');
  assert.equal(c.get('loglevel'), 'verbose');
  c = configFrom(null, ['--loglevel', 'verbose', '--save']);
  assert.equal(c.get('save'), '');
  c = configFrom(null, ['--proc-title-template', '--save', '--save', '', '--loglevel', 'verbose']);
  assert.equal(c.get('proc-title-template'), '--save');
  assert.equal(c.get('save'), '');
  c = configFrom(null, ['--proc-title-template --my--title--template', '--loglevel verbose']);
  assert.equal(c.get('proc-title-template'), '--my--title--template');
  c = configFrom(null, ['--shutdown-on-sigint', 'nosave', 'force', 'now', '--shutdown-on-sigterm', 'nosave force']);
  assert.equal(c.get('shutdown-on-sigint'), 'nosave now force');
  assert.equal(c.get('shutdown-on-sigterm'), 'nosave force');
  c = configFrom('port 1\n', ['loglevel', 'verbose', "--maxmemory '700mb'"]);
  assert.equal(c.get('loglevel'), 'verbose');
  assert.equal(c.get('maxmemory'), '734003200');
});

test('config errors name the line as Redis does: arity, values, unknown directives', () => {
  const err = (fileText: string | null, args: string[]): string => {
    try {
      configFrom(fileText, args);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.message;
    }
    assert.fail('no error');
  };
  assert.equal(err(null, ['--port']), "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port'\nwrong number of arguments");
  assert.match(err(null, ['--port', '6379', '6380']), />>> 'port "6379" "6380"'\nwrong number of arguments$/);
  assert.match(err(null, ['--port', '--bla', '--loglevel', 'verbose']), />>> 'port "--bla"'\nargument couldn't be parsed into an integer$/);
  assert.match(err(null, ['--replicaof', '127.0.0.1', 'abc']), />>> 'replicaof "127.0.0.1" "abc"'\nInvalid master port$/);
  assert.match(err(null, ['--replicaof', '--127.0.0.1', '--abc']), />>> 'replicaof "--127.0.0.1"'\nwrong number of arguments$/);
  assert.match(err('port 1\nnosuch 2\n', []), /at line 2\n>>> 'nosuch 2'\nBad directive or wrong number of arguments$/);
  assert.match(err('port "1\n', []), /Unbalanced quotes in configuration line$/);
});

test('rename-command gives a command another name, or removes it with ""', () => {
  const cfg = configFrom('rename-command flushdb badger\nrename-command keys ""\n', []);
  const s = composeServer(cfg);
  assert.equal(s.table.lookup('flushdb'), undefined);
  assert.equal(s.table.lookup('BADGER')?.name, 'flushdb');
  assert.equal(s.table.lookup('keys'), undefined);
  assert.throws(() => composeServer(configFrom('rename-command nosuch x\n', [])), /No such command in rename-command/);
  assert.throws(() => composeServer(configFrom('rename-command get set\n', [])), /Target command name already exists/);
});

/** stderr of a server binary started with args (it must fail at once). */
function startupError(server: string, args: string[]): string {
  const r = spawnSync(server, args, { encoding: 'latin1', timeout: 20000 });
  return r.stderr;
}

test('command-line errors are reported exactly as redis-server reports them', { skip: !redisServerAvailable() && 'redis-server 7 not installed' }, () => {
  const cases = [
    ['--port'],
    ['--port', '6380', '--loglevel'],
    ['--port', '6379', '6380'],
    ['--port', '--loglevel', 'verbose'],
    ['--port', '--bla', '--loglevel', 'verbose'],
    ['--logfile', '--my--log--file', '--loglevel', '--bla'],
    ['--shutdown-on-sigint'],
    ['--shutdown-on-sigint', 'now force', '--shutdown-on-sigterm'],
    ['--replicaof', '127.0.0.1', 'abc'],
    ['--save', '--port', 'x'],
  ];
  for (const args of cases) assert.equal(startupError(bin, args), startupError('redis-server', args), args.join(' '));
});

/** Starts a server binary on a config file, applies CONFIG SETs, rewrites; returns the file's new text. */
async function rewriteWith(server: string, text: string, sets: string[][]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-rw-'));
  const port = await freePort();
  const file = join(dir, 'r.conf');
  writeFileSync(file, text.replace('$PORT', String(port)).replace('$DIR', dir));
  const p = spawn(server, [file], { stdio: 'ignore' });
  try {
    const c = await connectWhenListening(port);
    for (const s of sets) assert.equal(await c.cmd('CONFIG', 'SET', ...s), 'OK');
    assert.equal(await c.cmd('CONFIG', 'REWRITE'), 'OK');
    c.close();
    return readFileSync(file, 'latin1').replaceAll(dir, '$DIR').replace(String(port), '$PORT');
  } finally {
    p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

test('CONFIG REWRITE writes what Redis writes: lines in place, aliases renamed, orphans blanked, the rest appended', { skip: !redisServerAvailable() && 'redis-server 7 not installed' }, async () => {
  const text = 'port $PORT\nbind 127.0.0.1\n# comment\nsave 900 1\nsave 300 10\nmaxmemory 1mb\nslave-read-only yes\nmaxmemory 2mb\n\n\ndir $DIR\nrename-command flushdb badger\n';
  const sets = [
    ['save', '3600 1 300 100 60 10000'],
    ['shutdown-on-sigterm', 'nosave now'],
    ['client-output-buffer-limit', 'pubsub 1mb 2mb 3'],
    ['notify-keyspace-events', 'KEA'],
    ['maxmemory', '3000'],
    ['hz', '20'],
    ['proc-title-template', 'x "y"'],
  ];
  const ours = await rewriteWith(bin, text, sets);
  const theirs = await rewriteWith('redis-server', text, sets);
  // Redis appends in its config dictionary's (random) order and writes ACL users: compare the kept part
  // exactly and the appended part as a set
  const split = (t: string): [string, string[]] => {
    const [head, tail = ''] = t.split('# Generated by CONFIG REWRITE\n');
    return [
      head,
      tail
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('user '))
        .sort(),
    ];
  };
  assert.deepEqual(split(ours), split(theirs));
});

test('while loading, CONFIG SET of dir, dbfilename or appendonly answers -LOADING; other parameters change', () => {
  const cfg = new Config(PARAMS);
  cfg.setMany([['loglevel', 'debug']], true, true);
  assert.equal(cfg.get('loglevel'), 'debug');
  for (const name of ['dir', 'dbfilename', 'appendonly']) {
    assert.throws(
      () =>
        cfg.setMany(
          [
            ['loglevel', 'notice'],
            [name, 'x'],
          ],
          true,
          true,
        ),
      /^Error: LOADING Redis is loading the dataset in memory$|LOADING Redis is loading/,
    );
  }
  assert.equal(cfg.get('loglevel'), 'debug');
  // errors about the arguments themselves come first
  assert.throws(
    () =>
      cfg.setMany(
        [
          ['nosuch', '1'],
          ['dir', 'x'],
        ],
        true,
        true,
      ),
    /Unknown option/,
  );
});
