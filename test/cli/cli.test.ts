import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startGkv, startRedis } from '../harness/servers.js';
import { cli, oracleCliSkip, runProgram } from '../harness/cli-run.js';
import { withGkv } from '../harness/commands.js';
import { ReplyParser, encodeCommand, type Reply } from '../../src/cli/resp.js';
import { formatCSV, formatRaw, formatTTY, repr } from '../../src/cli/format.js';
import { splitArgs } from '../../src/protocol/inline.js';
import { parseOptions } from '../../src/cli/options.js';

const distRoot = fileURLToPath(new URL('../../', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

// ---------------------------------------------------------------- units

test('the reply parser assembles nested RESP3 replies fed one byte at a time', () => {
  const wire = '*3\r\n$3\r\nfoo\r\n*2\r\n:1\r\n_\r\n%1\r\n+k\r\n~2\r\n,1.5\r\n#t\r\n' + '=9\r\ntxt:hello\r\n' + '$-1\r\n' + '*0\r\n' + '$4\r\na\r\nb\r\n';
  const p = new ReplyParser();
  const got: Reply[] = [];
  for (const b of Buffer.from(wire, 'latin1')) got.push(...p.feed(Buffer.from([b])));
  assert.deepEqual(got, [
    {
      t: 'array',
      items: [
        { t: 'string', s: 'foo' },
        { t: 'array', items: [{ t: 'integer', s: '1' }, { t: 'nil' }] },
        {
          t: 'map',
          items: [
            { t: 'status', s: 'k' },
            {
              t: 'set',
              items: [
                { t: 'double', s: '1.5' },
                { t: 'bool', v: true },
              ],
            },
          ],
        },
      ],
    },
    { t: 'verb', fmt: 'txt', s: 'hello' },
    { t: 'nil' },
    { t: 'array', items: [] },
    { t: 'string', s: 'a\r\nb' },
  ]);
});

test("the reply parser keeps each reply's exact bytes when asked (keepRaw), whatever the chunking", () => {
  const replies = ['*2\r\n$3\r\nfoo\r\n*1\r\n%1\r\n+k\r\n:7\r\n', '$-1\r\n', `$300\r\n${'\xff'.repeat(300)}\r\n`, '>2\r\n$1\r\na\r\n_\r\n', '-ERR x\r\n', '*0\r\n'];
  const wire = Buffer.from(replies.join(''), 'latin1');
  for (const size of [1, 2, 7, 64, wire.length]) {
    const p = new ReplyParser(true);
    const got: string[] = [];
    for (let i = 0; i < wire.length; i += size) got.push(...p.feedRaw(wire.subarray(i, i + size)).map((r) => r.raw));
    assert.deepEqual(got, replies, `chunks of ${size}`);
  }
  const one = new ReplyParser(true).feedRaw(wire, 1);
  assert.deepEqual(
    one.map((r) => r.raw),
    [replies[0]],
    'max stops after that many replies',
  );
});

test("the reply parser rejects an unknown type byte with hiredis's message", () => {
  assert.throws(() => new ReplyParser().feed(Buffer.from('|1\r\n')), /Protocol error, got "\|" as reply type byte/);
});

test('commands are encoded as RESP multibulk, byte for byte', () => {
  assert.equal(encodeCommand(['SET', 'k', 'a\xffb']).toString('latin1'), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na\xffb\r\n');
});

test('strings are quoted with redis-cli escapes for quotes, backslashes and non-printable bytes', () => {
  assert.equal(repr('a"b\\c\n\r\t\x07\x08\x00\x7f\xff z'), '"a\\"b\\\\c\\n\\r\\t\\a\\b\\x00\\x7f\\xff z"');
});

test('nested aggregates are numbered and indented like redis-cli, with wider indexes aligned', () => {
  const s = (x: string): Reply => ({ t: 'string', s: x });
  const inner: Reply = { t: 'array', items: Array.from({ length: 10 }, (_, i) => ({ t: 'integer', s: String(i) }) as Reply) };
  const r: Reply = { t: 'array', items: [s('a'), { t: 'array', items: [s('b'), { t: 'array', items: [] }] }, inner] };
  const expected =
    '1) "a"\n2) 1) "b"\n   2) (empty array)\n3)  1) (integer) 0\n    2) (integer) 1\n    3) (integer) 2\n    4) (integer) 3\n' +
    '    5) (integer) 4\n    6) (integer) 5\n    7) (integer) 6\n    8) (integer) 7\n    9) (integer) 8\n   10) (integer) 9\n';
  assert.equal(formatTTY(r), expected);
  assert.equal(formatRaw(r), 'a\nb\n\n0\n1\n2\n3\n4\n5\n6\n7\n8\n9');
  assert.equal(formatCSV(r), '"a","b",,0,1,2,3,4,5,6,7,8,9');
});

test('RESP3 maps, sets, doubles, booleans and verbatim strings print as redis-cli shows them', () => {
  const r: Reply = {
    t: 'map',
    items: [
      { t: 'string', s: 'k' },
      {
        t: 'set',
        items: [
          { t: 'double', s: '1.5' },
          { t: 'bool', v: false },
        ],
      },
      { t: 'string', s: 'v' },
      { t: 'verb', fmt: 'txt', s: 'raw text' },
    ],
  };
  assert.equal(formatTTY(r), '1# "k" => \n   1~ (double) 1.5\n   2~ (false)\n2# "v" => raw text\n');
  assert.equal(formatRaw(r), 'k 1.5\n(false)\nv raw text');
  assert.equal(formatTTY({ t: 'map', items: [] }), '(empty hash)\n');
  assert.equal(formatTTY({ t: 'set', items: [] }), '(empty set)\n');
});

test('command lines split with redis-cli quoting rules', () => {
  assert.deepEqual(splitArgs('set "a b" "x\\ty\\x41\\n"'), ['set', 'a b', 'x\tyA\n']);
  assert.deepEqual(splitArgs('set c \'it\\\'s\' "\\x4" "\\q"'), ['set', 'c', "it's", 'x4', 'q']);
  assert.deepEqual(splitArgs('echo a"b c"'), ['echo', 'ab c']);
  assert.deepEqual(splitArgs('   '), []);
  assert.equal(splitArgs('get "unterminated'), null);
  assert.equal(splitArgs('ping "a"b'), null);
  assert.equal(splitArgs("ping 'a"), null);
});

test('options: output defaults to raw off a terminal, a URI sets host, port, credentials and db', () => {
  assert.equal(parseOptions([], false).cfg.output, 'raw');
  assert.equal(parseOptions([], true).cfg.output, 'standard');
  assert.equal(parseOptions(['--raw'], true).cfg.output, 'raw');
  assert.equal(parseOptions(['--no-raw'], false).cfg.output, 'standard');
  const { cfg, warnings } = parseOptions(['-u', 'redis://us%41:pw@h.example:7000/3', 'get', 'k'], false);
  assert.deepEqual([cfg.user, cfg.auth, cfg.host, cfg.port, cfg.dbnum, cfg.args], ['usA', 'pw', 'h.example', 7000, 3, ['get', 'k']]);
  assert.equal(warnings.length, 1);
  assert.equal(parseOptions(['-a', 'x', '--no-auth-warning'], false).warnings.length, 0);
  assert.equal(parseOptions([], false, { REDISCLI_AUTH: 'envpw' }).cfg.auth, 'envpw');
  assert.throws(() => parseOptions(['--bogus'], false), /Unrecognized option or bad number of args for: '--bogus'/);
  assert.throws(() => parseOptions(['-p'], false), /Unrecognized option or bad number of args for: '-p'/);
  assert.throws(() => parseOptions(['-u', 'http://x'], false), /Invalid URI scheme/);
});

// ---------------------------------------------------------------- against gKV

test('gkv-cli runs one command against gKV and prints raw output when stdout is not a terminal', async () => {
  await withGkv({}, async (srv) => {
    const p = String(srv.port);
    assert.deepEqual(await cli(['-p', p, 'SET', 'foo', 'bar baz']), { out: 'OK\n', err: '', code: 0 });
    assert.deepEqual(await cli(['-p', p, 'get', 'foo']), { out: 'bar baz\n', err: '', code: 0 });
    assert.deepEqual(await cli(['-p', p, 'get', 'missing']), { out: '\n', err: '', code: 0 });
    assert.deepEqual(await cli(['-p', p, 'ping']), { out: 'PONG\n', err: '', code: 0 });
    // a reply far larger than a pipe's buffer arrives whole before the exit
    const big = 'v'.repeat(700000);
    assert.equal((await cli(['-p', p, '-x', 'set', 'big'], big)).out, 'OK\n');
    assert.equal((await cli(['-p', p, 'get', 'big'])).out, big + '\n');
  });
});

test('gkv-cli formats replies like redis-cli with --no-raw or FAKETTY', async () => {
  await withGkv({}, async (srv) => {
    const p = String(srv.port);
    await cli(['-p', p, 'set', 'bin', 'a\n"b"\xff']);
    assert.equal((await cli(['-p', p, '--no-raw', 'get', 'bin'])).out, '"a\\n\\"b\\"\\xc3\\xbf"\n');
    assert.equal((await cli(['-p', p, '--no-raw', 'get', 'missing'])).out, '(nil)\n');
    assert.equal((await cli(['-p', p, 'get', 'missing'], '', { FAKETTY: '1' })).out, '(nil)\n');
    assert.equal((await cli(['-p', p, '--no-raw', 'set', 'x', 'y'])).out, 'OK\n');
  });
});

test('error replies print as "(error) ERR ..." formatted and bare raw, exit 0, and exit 1 on stderr with -e', async () => {
  await withGkv({}, async (srv) => {
    const p = String(srv.port);
    const msg = "ERR unknown command 'nosuchcmd', with args beginning with: 'a' ";
    assert.deepEqual(await cli(['-p', p, '--no-raw', 'nosuchcmd', 'a']), { out: `(error) ${msg}\n`, err: '', code: 0 });
    assert.deepEqual(await cli(['-p', p, 'nosuchcmd', 'a']), { out: `${msg}\n\n`, err: '', code: 0 });
    assert.deepEqual(await cli(['-p', p, '-e', 'nosuchcmd', 'a']), { out: '', err: `${msg}\n`, code: 1 });
  });
});

test('-r repeats the command, -x takes the last argument from stdin', async () => {
  await withGkv({}, async (srv) => {
    const p = String(srv.port);
    assert.equal((await cli(['-p', p, '-r', '3', 'ping'])).out, 'PONG\nPONG\nPONG\n');
    assert.equal((await cli(['-p', p, '-r', '2', '-i', '0.01', '--no-raw', 'echo', 'x'])).out, '"x"\n"x"\n');
    assert.equal((await cli(['-p', p, '-r', '0', 'ping'])).out, '');
    assert.equal((await cli(['-p', p, '-x', 'set', 'fromstdin'], 'line1\nline2\n')).out, 'OK\n');
    assert.equal((await cli(['-p', p, '--no-raw', 'get', 'fromstdin'])).out, '"line1\\nline2\\n"\n');
  });
});

test('with commands on stdin, gkv-cli runs them in order, one per line, with quoting and repeat prefixes', async () => {
  await withGkv({}, async (srv) => {
    const script = ['set "a key" "x\\ty"', 'get "a key"', '', 'get "unterminated', '2 echo hi', '0 ping', 'multi', "set k 'v w'", 'get k', 'exec', 'nosuchcmd', 'echo last-line-without-newline'].join(
      '\n',
    );
    const r = await cli(['-p', String(srv.port), '--no-raw'], script);
    assert.equal(r.code, 0);
    assert.equal(
      r.out,
      'OK\n"x\\ty"\nInvalid argument(s)\n"hi"\n"hi"\nInvalid redis-cli repeat command option value.\nOK\nQUEUED\nQUEUED\n1) OK\n2) "v w"\n' +
        '(error) ERR unknown command \'nosuchcmd\', with args beginning with: \n"last-line-without-newline"\n',
    );
    const raw = await cli(['-p', String(srv.port)], 'multi\necho a\necho b\nexec\nquit\nping\n');
    assert.equal(raw.out, 'OK\nQUEUED\nQUEUED\na\nb\n');
  });
});

test('gkv-cli reports a refused connection like redis-cli: exit 1 for a command, one message per attempt on stdin', async () => {
  const port = String(await freePort());
  const one = await cli(['-p', port, 'ping']);
  assert.deepEqual(one, { out: '', err: `Could not connect to Redis at 127.0.0.1:${port}: Connection refused\n`, code: 1 });
  const piped = await cli(['-p', port], 'ping\nping\n');
  assert.equal(piped.code, 0);
  assert.equal(piped.err, `Could not connect to Redis at 127.0.0.1:${port}: Connection refused\n`.repeat(3));
});

test('bad options are refused with exit status 1', async () => {
  const r = await cli(['--bogus', 'ping']);
  assert.deepEqual(r, { out: '', err: "Unrecognized option or bad number of args for: '--bogus'\n", code: 1 });
});

test('bin/gkv-cli runs the compiled CLI found from its own real path, also through a symlink', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-cli-bin-'));
  const srv = await startGkv();
  try {
    mkdirSync(join(dir, 'pkg', 'bin'), { recursive: true });
    copyFileSync(join(repoRoot, 'bin', 'gkv-cli'), join(dir, 'pkg', 'bin', 'gkv-cli'));
    writeFileSync(join(dir, 'pkg', 'package.json'), '{"type":"module"}\n');
    symlinkSync(distRoot, join(dir, 'pkg', 'dist'));
    symlinkSync(join(dir, 'pkg', 'bin', 'gkv-cli'), join(dir, 'link'));
    const r = await runProgram(join(dir, 'link'), ['-p', String(srv.port), 'echo', 'via-bin']);
    assert.deepEqual(r, { out: 'via-bin\n', err: '', code: 0 });
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- against redis-cli (oracle)

test('gkv-cli prints exactly what redis-cli prints for the same commands against Redis', { skip: oracleCliSkip() }, async () => {
  const redis = await startRedis();
  try {
    const p = String(redis.port);
    await runProgram('redis-cli', ['-p', p, 'rpush', 'l', 'a', 'b c', '\n\x01\xff"\\']);
    await runProgram('redis-cli', ['-p', p, 'hset', 'h', 'f1', 'v1', 'f2', '2']);
    await runProgram('redis-cli', ['-p', p, 'zadd', 'z', '1.5', 'm1', '2', 'm2']);
    // bytes every output mode escapes its own way (quoted, so that NUL can be sent)
    await runProgram('redis-cli', ['-p', p], 'set bytes "a\\xf0b\\x01c\\nd\\re\\tf\\"g\\\\h\\x7fi\\x08\\x0c/\\x07\\x00"\nhset hb "K\\x00\\x01ey" "V\\x00\\x01alue" 1 One\n');
    const commands = [
      'lrange l 0 -1',
      'get bytes',
      'hgetall hb',
      'command info get set',
      'hgetall h',
      'zrange z 0 -1 withscores',
      'zscore z m1',
      'smembers nosuchset',
      'get nokey',
      'nosuchcommand x',
      'lpush h x',
      ...['string', 'integer', 'double', 'null', 'array', 'set', 'map', 'verbatim', 'true', 'false', 'push'].map((t) => `debug protocol ${t}`),
    ].join('\n');
    // the same formatting code serves one-shot and piped commands: one run per output mode
    for (const protocol of [[], ['-3']]) {
      for (const mode of [[], ['--no-raw'], ['--csv'], ['-d', ',', '-D', '|'], ['--json'], ['--quoted-json'], ['-2', '--json']]) {
        if (mode[0] === '-2' && protocol.length) continue; // -2 and -3 together are refused
        const args = ['-p', p, '--show-pushes', 'yes', ...protocol, ...mode];
        const want = await runProgram('redis-cli', args, commands);
        assert.deepEqual(await cli(args, commands), want, `gkv-cli ${args.join(' ')} < commands`);
      }
    }
    for (const args of [
      ['-p', p, '--no-raw', 'lrange', 'l', '0', '-1'],
      ['-p', p, '-e', 'lpush', 'h', 'x'],
      ['-p', p, '-3', 'debug', 'protocol', 'bignum'],
      ['-p', p, '-3', 'debug', 'protocol', 'attrib'],
    ]) {
      assert.deepEqual(await cli(args), await runProgram('redis-cli', args), `gkv-cli ${args.join(' ')}`);
    }
  } finally {
    await redis.stop();
  }
});

test('gkv-cli reads piped commands exactly like redis-cli does', { skip: oracleCliSkip() }, async () => {
  const redis = await startRedis();
  try {
    const p = String(redis.port);
    const script =
      'set "a b" "x\\ty\\x41\\n"\nget "a b"\nset c \'it\\\'s\'\nget c\nget "unterminated\n   \n3 incr cnt\n0 incr cnt\n' +
      '-1 incr cnt\n"" ping\nping "a"b\necho a"b c"\necho "\\x4" "\\q\\a\\b"\nselect 2\nping\nmulti\nset k v\nexec\n' +
      'discard\nhgetall nohash\n:set hints\nrestart\nfoo bar\nquit\nping\n';
    for (const mode of [[], ['--no-raw']]) {
      await runProgram('redis-cli', ['-p', p, 'flushall']);
      const want = await runProgram('redis-cli', ['-p', p, ...mode], script);
      await runProgram('redis-cli', ['-p', p, 'flushall']);
      const got = await cli(['-p', p, ...mode], script);
      assert.deepEqual(got, want);
    }
  } finally {
    await redis.stop();
  }
});
