import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGkv, startRedis, waitFor } from '../harness/servers.js';
import { cleanEnv, cli, cliMainJs, oracleCliSkip, runProgram, type Run } from '../harness/cli-run.js';
import { bytesToHuman, fixed, fixedZeroPad } from '../../src/cli/cformat.js';
import { completionsFor, helpFromCommandDocs, hintFor, strcasecmp } from '../../src/cli/help.js';
import { getInfoField, statLine } from '../../src/cli/modes.js';
import { ReplyParser, type Reply } from '../../src/cli/resp.js';
import { splitArgs } from '../../src/protocol/inline.js';
import { GKV_VERSION } from '../../src/version.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

// ---------------------------------------------------------------- units

test('numbers print as glibc printf prints them: ties to even, zero padding, nan', () => {
  assert.equal(fixed(0.125, 2), '0.12');
  assert.equal(fixed(0.375, 2), '0.38');
  assert.equal(fixed(9 / 8, 2), '1.12');
  assert.equal(fixed(2 / 3, 2), '0.67');
  assert.equal(fixed(0, 2), '0.00');
  assert.equal(fixedZeroPad(0, 5, 2), '00.00');
  assert.equal(fixedZeroPad(16.666666, 5, 2), '16.67');
  assert.equal(fixedZeroPad(100, 5, 2), '100.00');
  assert.equal(fixedZeroPad(Number.NaN, 5, 2), '  nan');
  assert.equal(bytesToHuman(1023), '1023B');
  assert.equal(bytesToHuman(1024), '1.00K');
  assert.equal(bytesToHuman(14_785_000), '14.10M');
  assert.equal(bytesToHuman(3 * 1024 ** 3), '3.00G');
});

test("--stat lines take INFO's fields as redis-cli finds them (first match, up to CR or comma)", () => {
  const info =
    '# Clients\r\nconnected_clients:3\r\nblocked_clients:1\r\n# Memory\r\nused_memory:14785000\r\n# Persistence\r\nloading:0\r\n' +
    'rdb_bgsave_in_progress:1\r\naof_rewrite_in_progress:0\r\n# Stats\r\ntotal_connections_received:42\r\ntotal_commands_processed:1500\r\n' +
    '# Keyspace\r\ndb0:keys=7,expires=0,avg_ttl=0\r\ndb3:keys=5,expires=1,avg_ttl=9\r\n';
  assert.equal(getInfoField(info, 'db3:keys'), '5');
  assert.equal(getInfoField(info, 'nosuch'), null);
  const first = statLine(info, 0);
  assert.equal(first.line, '12         14.10M   3       1       1500 (+0)           42          SAVE\n');
  assert.equal(first.requests, 1500);
  assert.equal(statLine(info.replace('rdb_bgsave_in_progress:1', 'rdb_bgsave_in_progress:0'), 1490).line, '12         14.10M   3       1       1500 (+10)          42          \n');
  assert.match(statLine(info.replace('loading:0', 'loading:1').replace('rdb_bgsave_in_progress:1', 'rdb_bgsave_in_progress:0'), 1).line, /42 {10}LOAD\n$/);
});

/** A COMMAND DOCS reply (RESP2 shape) for a SET-like command with a subcommand-bearing CONFIG. */
function docsFixture(): Reply {
  const s = (x: string): Reply => ({ t: 'string', s: x });
  const st = (x: string): Reply => ({ t: 'status', s: x });
  const arr = (...items: Reply[]): Reply => ({ t: 'array', items });
  const arg = (fields: Record<string, Reply>): Reply => arr(...Object.entries(fields).flatMap(([k, v]) => [s(k), v]));
  const set = arg({
    summary: s('Stores a value'),
    since: s('1.0.0'),
    group: s('string'),
    arguments: arr(
      arg({ name: s('key'), type: s('key') }),
      arg({ name: s('value'), type: s('string') }),
      arg({
        name: s('condition'),
        type: s('oneof'),
        flags: arr(st('optional')),
        arguments: arr(arg({ name: s('nx'), type: s('pure-token'), token: s('NX') }), arg({ name: s('xx'), type: s('pure-token'), token: s('XX') })),
      }),
      arg({ name: s('seconds'), type: s('integer'), token: s('EX'), flags: arr(st('optional')) }),
    ),
  });
  const config = arg({
    since: s('2.0.0'),
    group: s('server'),
    subcommands: arr(s('config|get'), arg({ since: s('2.0.0'), group: s('server'), arguments: arr(arg({ name: s('parameter'), type: s('string'), flags: arr(st('multiple')) })) })),
  });
  const mset = arg({
    group: s('string'),
    arguments: arr(arg({ name: s('data'), type: s('block'), flags: arr(st('multiple')), arguments: arr(arg({ name: s('key'), type: s('key') }), arg({ name: s('value'), type: s('string') })) })),
  });
  return arr(s('set'), set, s('config'), config, s('mset'), mset);
}

test('help entries are built from COMMAND DOCS: parameter lines, subcommands, groups, sorted', () => {
  const entries = helpFromCommandDocs(docsFixture());
  assert.deepEqual(
    entries.map((e) => e.full),
    ['@server', '@string', 'CONFIG', 'CONFIG GET', 'MSET', 'SET'],
  );
  const byName = new Map(entries.map((e) => [e.full, e]));
  assert.equal(byName.get('SET')!.params, 'key value [NX|XX] [EX seconds]');
  assert.equal(byName.get('CONFIG GET')!.params, 'parameter [parameter ...]');
  assert.equal(byName.get('MSET')!.params, 'key value [key value ...]');
  assert.equal(byName.get('SET')!.summary, 'Stores a value');
  assert.equal(byName.get('MSET')!.summary, null);
  assert.ok(strcasecmp('CONFIG GET', 'CONFIGX') < 0, 'a space sorts before letters');
});

test('hints show the parameters not yet typed, up to the first optional one; Tab completes names', () => {
  const entries = helpFromCommandDocs(docsFixture());
  const hint = (line: string) => hintFor(entries, line, splitArgs(line));
  assert.equal(hint('set'), ' key value [NX|XX] [EX seconds]');
  assert.equal(hint('SET '), 'key value [NX|XX] [EX seconds]');
  assert.equal(hint('set k'), ' value [NX|XX] [EX seconds]');
  assert.equal(hint('set k v'), ' [NX|XX] [EX seconds]');
  assert.equal(hint('set k v nx'), ' [NX|XX] [EX seconds]');
  assert.equal(hint('config get'), ' parameter [parameter ...]');
  assert.equal(hint('config'), ' ');
  assert.equal(hint('se'), null);
  assert.equal(hint(''), null);
  assert.deepEqual(completionsFor(entries, 'se'), ['SET']);
  assert.deepEqual(completionsFor(entries, 'config'), ['CONFIG', 'CONFIG GET']);
  assert.deepEqual(completionsFor(entries, 'help @s'), ['help @server', 'help @string']);
  assert.deepEqual(completionsFor(entries, '@s'), []);
});

// ---------------------------------------------------------------- against redis-cli on the same server

/** Fills a server with keys of every type (more than one SCAN batch), binary names included, through redis-cli. */
async function populate(port: number): Promise<void> {
  const lines = [
    'rpush mylist a b c',
    'hset h f1 v1 f2 v2',
    'sadd s x y z w',
    'zadd z 1 a 2 b',
    'xadd st * f v',
    'set str hello',
    `set "bin\\x00\\xffkey" ${'x'.repeat(100)}`,
    'sadd ints 1 2 3',
    'hset bighash a 1 b 2 c 3 d 4 e 5',
    ...Array.from({ length: 40 }, (_, i) => `set k${i} ${'v'.repeat(i + 1)}`),
    'select 2',
    'set only-in-db2 x',
  ];
  const r = await runProgram('redis-cli', ['-p', String(port)], lines.join('\n') + '\n');
  assert.equal(r.code, 0, r.err);
}

async function sameAsRedisCli(port: number, args: string[], input = '', what = args.join(' ')): Promise<Run> {
  const all = ['-p', String(port), ...args];
  const want = await runProgram('redis-cli', all, input);
  const got = await cli(all, input);
  assert.deepEqual(got, want, `gkv-cli ${what}`);
  return got;
}

const KEY_MODES = [
  ['--bigkeys'],
  ['--bigkeys', '--pattern', 'str'],
  ['--bigkeys', '--pattern', 'nomatch'],
  ['--memkeys'],
  ['--memkeys-samples', '2'],
  ['--bigkeys', '--pattern', 'k*'],
  ['--bigkeys', '-n', '2'],
  ['--bigkeys', '-n', '5'],
  ['--bigkeys', '-i', '0.01'],
];

test('--bigkeys and --memkeys print exactly what redis-cli prints, against gKV', { skip: oracleCliSkip() }, async () => {
  const srv = await startGkv();
  try {
    await populate(srv.port);
    for (const mode of KEY_MODES) {
      const r = await sameAsRedisCli(srv.port, mode);
      assert.match(r.out, /-------- summary -------/);
    }
    const big = await cli(['-p', String(srv.port), '--bigkeys']);
    assert.match(big.out, /Biggest   hash found '"bighash"' has 5 fields\n/);
    assert.match(big.out, /Biggest string found '"bin\\x00\\xffkey"' has 100 bytes\n/);
    assert.match(big.out, /\n2 hashs with 7 fields \(04\.08% of keys, avg size 3\.50\)\n/);
  } finally {
    await srv.close();
  }
});

test('--bigkeys and --memkeys print exactly what redis-cli prints, against Redis', { skip: oracleCliSkip() }, async () => {
  const redis = await startRedis();
  try {
    await populate(redis.port);
    for (const mode of KEY_MODES) await sameAsRedisCli(redis.port, mode);
  } finally {
    await redis.stop();
  }
});

test('help <command>, help <command> <subcommand> and help @group print what redis-cli prints from COMMAND DOCS', { skip: oracleCliSkip() }, async () => {
  const srv = await startGkv();
  const redis = await startRedis();
  try {
    for (const port of [srv.port, redis.port]) {
      for (const topic of [['set'], ['SET'], ['config'], ['config', 'get'], ['@string'], ['@hash'], ['@STREAM'], ['nosuch'], ['@nosuch'], ['client', 'kill']]) {
        const r = await sameAsRedisCli(port, ['help', ...topic]);
        assert.ok(r.out.endsWith('\r\n'));
      }
      // the same through stdin, where help is one line among commands
      await sameAsRedisCli(port, [], 'help get\nping\n? @generic\n', 'with help on stdin');
    }
    const set = await cli(['-p', String(srv.port), 'help', 'set']);
    assert.match(set.out, /\x1b\[1mSET\x1b\[0m \x1b\[90mkey value \[NX\|XX\] \[GET\]/);
    assert.match(set.out, /\x1b\[33mgroup:\x1b\[0m string\r\n/);
    // "help" alone: redis-cli's text about help, naming gkv-cli
    const generic = await cli(['-p', String(srv.port), 'help']);
    const theirs = await runProgram('redis-cli', ['-p', String(srv.port), 'help']);
    assert.equal(
      generic.out,
      theirs.out
        .replace(/^redis-cli \S+/, `gkv-cli ${GKV_VERSION}`)
        .replace('To set redis-cli', 'To set gkv-cli')
        .replace('Set your preferences in ~/.redisclirc\n', ''),
    );
  } finally {
    await redis.stop();
    await srv.close();
  }
});

test('--pipe sends stdin as it is and counts replies and errors as redis-cli does', { skip: oracleCliSkip() }, async () => {
  const srv = await startGkv();
  const redis = await startRedis();
  try {
    const proto = 'SET a 1\r\nSET b 2\r\nINCR a\r\nINCR nosuch x\r\n*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$5\r\nhello\r\nGET q\r\n';
    const big = Array.from({ length: 3000 }, (_, i) => `*3\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n$${String(i).length}\r\n${i}\r\n`).join('');
    for (const port of [srv.port, redis.port]) {
      const r = await sameAsRedisCli(port, ['--pipe'], proto, '--pipe < commands with an error');
      assert.deepEqual(r, {
        out: 'All data transferred. Waiting for the last reply...\nLast reply received from server.\nerrors: 1, replies: 6\n',
        err: "ERR wrong number of arguments for 'incr' command\n",
        code: 1,
      });
      const ok = await sameAsRedisCli(port, ['--pipe'], big, '--pipe < 3000 RPUSH');
      assert.match(ok.out, /errors: 0, replies: 3000\n$/);
      assert.equal(ok.code, 0);
      await sameAsRedisCli(port, ['--pipe'], '', '--pipe < nothing');
      // the server closes the connection: status 1, no count
      const quit = await sameAsRedisCli(port, ['--pipe'], 'PING\r\nQUIT\r\nPING\r\n', '--pipe < PING QUIT PING');
      assert.deepEqual([quit.out, quit.err, quit.code], ['All data transferred. Waiting for the last reply...\n', '', 1]);
      // no reply within --pipe-timeout (the server's clients paused): it gives up, counting that as an error
      for (const prog of ['redis-cli', 'gkv-cli']) {
        assert.equal((await runProgram('redis-cli', ['-p', String(port), 'client', 'pause', '8000', 'all'])).out, 'OK\n');
        const args = ['-p', String(port), '--pipe', '--pipe-timeout', '1'];
        const r = prog === 'redis-cli' ? await runProgram('redis-cli', args, 'PING\r\n') : await cli(args, 'PING\r\n');
        assert.deepEqual(r, { out: 'All data transferred. Waiting for the last reply...\nerrors: 1, replies: 0\n', err: 'No replies for 1 seconds: exiting.\n', code: 1 }, prog);
        await runProgram('redis-cli', ['-p', String(port), 'client', 'unpause']);
      }
    }
    assert.equal((await cli(['-p', String(srv.port), 'llen', 'list'])).out, '6000\n');
  } finally {
    await redis.stop();
    await srv.close();
  }
});

test('--rdb writes the RDB as redis-cli does, from gKV and from Redis (diskless and disk)', { skip: oracleCliSkip() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-cli-rdb-'));
  const srv = await startGkv();
  const diskless = await startRedis();
  const disk = await startRedis(['--repl-diskless-sync', 'no']);
  try {
    for (const redis of [srv, diskless, disk]) {
      await populate(redis.port);
      const theirs = join(dir, `redis-cli-${redis.port}.rdb`);
      const ours = join(dir, `gkv-cli-${redis.port}.rdb`);
      const want = await runProgram('redis-cli', ['-p', String(redis.port), '--rdb', theirs]);
      const got = await cli(['-p', String(redis.port), '--rdb', ours]);
      assert.equal(got.code, 0, got.err);
      assert.equal(got.out, want.out);
      assert.equal(got.err.replaceAll(ours, theirs), want.err);
      const a = readFileSync(theirs);
      const b = readFileSync(ours);
      assert.equal(b.length, a.length);
      assert.equal(b.subarray(0, 9).toString(), 'REDIS0010');
      const check = spawnSync('redis-check-rdb', [ours], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stdout);
    }
    assert.match((await cli(['-p', String(disk.port), '--rdb', join(dir, 'x.rdb')])).err, /writing \d+ bytes to/);
    assert.match((await cli(['-p', String(diskless.port), '--rdb', join(dir, 'y.rdb')])).err, /until EOF marker/);
  } finally {
    await disk.stop();
    await diskless.stop();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Digits masked (they vary with time and traffic) and runs of spaces folded, so the layout is what compares. */
const mask = (s: string) => s.replace(/\d+(\.\d+)?/g, '#').replace(/ +/g, ' ');

test('--latency and --latency-history print the figures in the shapes redis-cli prints them', { skip: oracleCliSkip() }, async () => {
  const srv = await startGkv();
  try {
    const p = String(srv.port);
    // off a terminal: one line after the interval, then the end
    for (const [mode, shape] of [
      ['--raw', /^\d+ \d+ \d+\.\d\d \d+\n$/],
      ['--csv', /^\d+,\d+,\d+\.\d\d,\d+\n$/],
    ] as const) {
      const want = await runProgram('redis-cli', ['-p', p, '--latency', mode, '-i', '0.3']);
      const got = await cli(['-p', p, '--latency', mode, '-i', '0.3']);
      assert.match(want.out, shape);
      assert.match(got.out, shape);
      assert.deepEqual([got.err, got.code], [want.err, want.code]);
    }
    // history: every sample, a " -- N seconds range" line per interval; redrawn in place on a terminal
    for (const mode of [['--raw'], ['--no-raw']]) {
      const args = ['-p', p, '--latency-history', '-i', '0.2', ...mode];
      const untilRange = { stopWhen: (out: string) => out.includes(' seconds range\n') };
      const want = await runProgram('stdbuf', ['-o0', 'redis-cli', ...args], '', {}, untilRange);
      const got = await cli(args, '', {}, untilRange);
      const firstRange = (s: string) => mask(s.slice(0, s.indexOf(' seconds range\n') + 15));
      const strip = (s: string) =>
        firstRange(s)
          .replace(/(# # # #\n)+/, 'SAMPLES\n')
          .replace(/(\x1b\[#G\x1b\[#Kmin: #, max: #, avg: # \(# samples\))+/, 'SAMPLES');
      assert.match(got.out, / -- \d+\.\d\d seconds range\n/);
      assert.equal(strip(got.out), strip(want.out), `gkv-cli ${args.join(' ')}`);
    }
  } finally {
    await srv.close();
  }
});

test('--stat prints the header and a line per interval in the layout redis-cli uses', { skip: oracleCliSkip() }, async () => {
  const srv = await startGkv();
  try {
    await populate(srv.port);
    const args = ['-p', String(srv.port), '--stat', '-i', '0.1'];
    const fourLines = { stopWhen: (out: string) => out.split('\n').length > 4 };
    const want = await runProgram('stdbuf', ['-o0', 'redis-cli', ...args], '', {}, fourLines);
    const got = await cli(args, '', {}, fourLines);
    const lines = (s: string) => s.split('\n').slice(0, 4);
    assert.deepEqual(lines(got.out).slice(0, 2), lines(want.out).slice(0, 2));
    assert.deepEqual(lines(got.out).map(mask), lines(want.out).map(mask));
    // 49 keys in db0, 1 in db2; total_commands_processed advances by the INFO itself
    assert.match(got.out.split('\n')[2], /^50 {9}\S+ +\d+ +0 +\d+ \(\+0\) +\d+ +$/);
    assert.match(got.out.split('\n')[3], /\(\+1\)/);
  } finally {
    await srv.close();
  }
});

/**
 * Types keys one at a time into the REPL on a pseudo-terminal (script(1))
 * and returns what was drawn. Each key waits for the prompt (the first) or
 * for the redraw of the one before, so every key is seen alone whatever the
 * machine's load. The terminal has 80 columns, so hints are cut as
 * redis-cli cuts them. Keys use printf escapes ("\\r", "\\t").
 */
async function typeInRepl(program: string[], keys: string[]): Promise<string> {
  const cmd = `stty cols 80 rows 24; ${program.map((a) => `'${a}'`).join(' ')}`;
  const p = spawn('script', ['-qc', cmd, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: cleanEnv({ HOME: tmpdir(), REDISCLI_HISTFILE: '/dev/null', TERM: 'xterm' }),
  });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  const closed = new Promise<void>((r) => p.once('close', () => r()));
  const grows = async (from: number) => {
    await waitFor(() => out.length > from, 'the REPL drew something', 20_000, 5);
    await new Promise((r) => setTimeout(r, 40)); // the rest of the redraw
  };
  try {
    await waitFor(() => out.includes('> '), 'the prompt', 20_000, 10);
    for (const k of keys) {
      const before = out.length;
      p.stdin.write(k.replace('\\r', '\r').replace('\\t', '\t'));
      await grows(before);
    }
    p.stdin.end();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
  } finally {
    p.kill('SIGKILL');
  }
  return out;
}

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

test('on a terminal, hints and Tab completion come from COMMAND DOCS as in redis-cli', { skip: oracleCliSkip() || (hasScript ? false : 'script(1) is not installed') }, async () => {
  const srv = await startGkv();
  try {
    const p = String(srv.port);
    const keys = ['s', 'e', 't', ' ', 'k', ' ', 'v', ' ', 'n', 'x', '\\r', 'c', 'o', 'n', 'f', 'i', 'g', ' ', 'g', 'e', 't', '\\r', 'e', 'x', 'i', 't', '\\r'];
    const theirs = await typeInRepl(['redis-cli', '-p', p], keys);
    const ours = await typeInRepl([process.execPath, cliMainJs, '-p', p], keys);
    const hints = (s: string) => [...s.matchAll(/\x1b\[0;90;49m([^\x1b]*)\x1b\[0m/g)].map((m) => m[1]).filter((h, i, all) => i === 0 || h !== all[i - 1]);
    assert.ok(hints(theirs).length >= 5, JSON.stringify(theirs));
    assert.deepEqual(hints(ours), hints(theirs));
    assert.ok(hints(ours).includes(' value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix'));
    // redis-cli's SET NX ran first, so ours finds the key there
    assert.match(ours, /\r\n\(nil\)\r\n/);
    // Tab completes a command name; the completed command is what runs
    const tab = ['c', 'o', 'n', 'f', 'i', 'g', ' ', 'r', 'e', 's', 'e', 't', 's', '\\t', '\\r', 'e', 'x', 'i', 't', '\\r'];
    const theirsTab = await typeInRepl(['redis-cli', '-p', p], tab);
    const oursTab = await typeInRepl([process.execPath, cliMainJs, '-p', p], tab);
    assert.match(theirsTab, /\r\nOK\r\n/);
    assert.match(oursTab, /CONFIG RESETSTAT/);
    assert.match(oursTab, /\r\nOK\r\n/);
    // ":set nohints" turns them off
    const off = await typeInRepl([process.execPath, cliMainJs, '-p', p], [':set nohints\\r', 's', 'e', 't', ' ', '\\r', 'e', 'x', 'i', 't', '\\r']);
    assert.deepEqual(hints(off), []);
  } finally {
    await srv.close();
  }
});

test('--version prints gkv-cli and the version in package.json', async () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(GKV_VERSION, pkg.version);
  for (const opt of ['--version', '-v']) assert.deepEqual(await cli([opt]), { out: `gkv-cli ${pkg.version}\n`, err: '', code: 0 });
});

test('a mode that cannot connect says so as redis-cli does and ends with status 1', { skip: oracleCliSkip() }, async () => {
  const srv = await startGkv();
  const port = srv.port;
  await srv.close();
  for (const mode of [['--bigkeys'], ['--memkeys'], ['--stat'], ['--latency'], ['--pipe'], ['--rdb', '/nonexistent/x.rdb']]) {
    await sameAsRedisCli(port, mode);
  }
});

test('--replica and --functions-rdb: as redis-cli, against gKV and against Redis', { skip: oracleCliSkip() }, async () => {
  const srv = await startGkv();
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'gkv-cli-replica-'));
  try {
    assert.equal((await cli(['-p', String(srv.port), '--rdb', 'a', '--functions-rdb', 'b'])).err, 'Option --functions-rdb and --rdb are mutually exclusive.\n');
    for (const port of [srv.port, redis.port]) await followAndDumpFunctions(String(port), dir);
  } finally {
    await redis.stop();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Both CLIs follow the master's stream and print the same CSV lines; --functions-rdb writes the functions only. */
async function followAndDumpFunctions(p: string, dir: string): Promise<void> {
  {
    const follow = (prog: 'redis-cli' | 'gkv-cli') => {
      const args = prog === 'redis-cli' ? ['stdbuf', '-o0', '-e0', 'redis-cli', '-p', p, '--replica'] : [process.execPath, cliMainJs, '-p', p, '--replica'];
      const child = spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
      const got = { out: '', err: '' };
      child.stdout.on('data', (d: Buffer) => (got.out += d.toString('latin1')));
      child.stderr.on('data', (d: Buffer) => (got.err += d.toString('latin1')));
      return { child, got };
    };
    const theirs = follow('redis-cli');
    const ours = follow('gkv-cli');
    try {
      for (const f of [theirs, ours]) await waitFor(() => f.got.err.includes('sending REPLCONF ACK 0\n'), 'the replica online');
      await runProgram('redis-cli', ['-p', p], 'set foo "bar baz"\nselect 3\nrpush l a b\nincr n\n');
      for (const f of [theirs, ours]) await waitFor(() => f.got.out.includes('"incr","n"\n'), 'the commands followed');
    } finally {
      theirs.child.kill('SIGKILL');
      ours.child.kill('SIGKILL');
    }
    const noPings = (s: string) => s.replaceAll('"ping"\n', '');
    assert.equal(noPings(ours.got.out), noPings(theirs.got.out));
    // the first command (SELECT 0) is taken for the reply to redis-cli's REPLCONF ACK, so neither shows it
    assert.equal(noPings(ours.got.out), '"set","foo","bar baz"\n"SELECT","3"\n"rpush","l","a","b"\n"incr","n"\n');
    assert.equal(ours.got.err.replace(/after \d+ bytes/, 'after N bytes'), theirs.got.err.replace(/after \d+ bytes/, 'after N bytes'));
    // --functions-rdb writes an RDB holding the functions only
    await runProgram('redis-cli', ['-p', p, 'function', 'load', "#!lua name=lib\nredis.register_function('f', function() return 1 end)"]);
    const file = join(dir, `functions-${p}.rdb`);
    const got = await cli(['-p', p, '--functions-rdb', file]);
    assert.equal(got.code, 0, got.err);
    assert.match(got.err, /sending REPLCONF rdb-filter-only functions\n/);
    const rdb = readFileSync(file).toString('latin1');
    assert.ok(rdb.includes("redis.register_function('f'"));
    assert.ok(!rdb.includes('bar baz'), 'no keys in a functions-only RDB');
  }
}

/** A fake cluster node: answers each command (its words joined by spaces) from a table, as Redis's fake_redis_node.tcl does. */
async function fakeNode(replies: Record<string, string>): Promise<{ port: number; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = net.createServer((sock) => {
    const parser = new ReplyParser();
    sock.on('data', (d: Buffer) => {
      for (const cmd of parser.feed(d)) {
        const words = cmd.t === 'array' ? cmd.items.map((w) => ('s' in w ? w.s : '')) : [];
        const line = words.join(' ');
        seen.push(line);
        sock.write(replies[line] ?? `-ERR unexpected ${line}\r\n`);
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as net.AddressInfo).port, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('-c follows MOVED and ASK redirects (ASKING first) as redis-cli does', { skip: oracleCliSkip() }, async () => {
  const target = await fakeNode({ ASKING: '+OK\r\n', 'SET foo bar': '+OK\r\n', 'GET foo': '$3\r\nbar\r\n' });
  const first = await fakeNode({ 'SET foo bar': `-ASK 12182 127.0.0.1:${target.port}\r\n`, 'GET foo': `-MOVED 12182 127.0.0.1:${target.port}\r\n` });
  try {
    const p = String(first.port);
    for (const args of [
      ['-c', 'SET', 'foo', 'bar'],
      ['-c', 'GET', 'foo'],
      ['-c', '-r', '3', 'GET', 'foo'],
      ['SET', 'foo', 'bar'],
    ]) {
      await sameAsRedisCli(first.port, args);
    }
    // piped, the REPL says where it was sent, and stays connected there
    const piped = await sameAsRedisCli(first.port, ['-c'], 'SET foo bar\nGET foo\n', '-c < SET, GET');
    assert.equal(piped.out, `-> Redirected to slot [12182] located at 127.0.0.1:${target.port}\nOK\nbar\n`);
    assert.deepEqual((await cli(['-p', p, '-c', 'SET', 'foo', 'bar'])).out, 'OK\n');
    assert.ok(target.seen.includes('ASKING'));
  } finally {
    await first.close();
    await target.close();
  }
});
