import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGkv, waitFor } from '../harness/servers.js';
import { RespClient } from '../harness/resp.js';
import { errText, withServer } from '../harness/commands.js';
import { bytesToHuman, fixed } from '../../src/util/numbers.js';
import { jeSize } from '../../src/util/jemalloc.js';
import { IdleGc } from '../../src/server/idle-gc.js';
import { heapUsed } from '../../src/server/used-memory.js';

test('COMMAND COUNT, LIST and INFO show only the commands gKV implements', async () => {
  await withServer({}, async (c, srv) => {
    assert.equal(await c.cmd('COMMAND', 'COUNT'), srv.server.table.commands.size);
    const list = (await c.cmd('COMMAND', 'LIST')) as string[];
    assert.ok(list.includes('get') && list.includes('config|get'));
    assert.ok(!list.includes('cluster')); // not implemented (yet)
    const all = (await c.cmd('COMMAND')) as unknown[];
    assert.equal(all.length, srv.server.table.commands.size);
    assert.equal((await c.call('COMMAND', 'INFO', 'nosuchcmd')).raw, '*1\r\n$-1\r\n');
    const info = (await c.cmd('COMMAND', 'INFO', 'CONFIG|GET')) as unknown[][];
    assert.equal(info[0][0], 'config|get');
    assert.equal(info[0][1], -3);
  });
});

test('COMMAND LIST FILTERBY selects by ACL category or pattern and rejects other forms', async () => {
  await withServer({}, async (c) => {
    const admin = (await c.cmd('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'ADMIN')) as string[];
    assert.ok(admin.includes('config|set') && !admin.includes('get'));
    assert.deepEqual(await c.cmd('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', '@admin'), []);
    const pat = (await c.cmd('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'slowlog*')) as string[];
    assert.deepEqual(pat.sort(), ['slowlog', 'slowlog|get', 'slowlog|help', 'slowlog|len', 'slowlog|reset']);
    assert.deepEqual(await c.cmd('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'), []);
    assert.equal(errText(await c.cmd('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'x', 'y')), 'ERR syntax error');
  });
});

test("COMMAND DOCS replies with a map of name to docs, gKV's summary first, and skips unknown names", async () => {
  await withServer({}, async (c) => {
    const r = await c.call('COMMAND', 'DOCS', 'get', 'nosuch');
    assert.equal(
      r.raw,
      '*2\r\n$3\r\nget\r\n*8\r\n$7\r\nsummary\r\n$33\r\nReturn the string stored at a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n',
    );
  });
});

test('COMMAND GETKEYS derives keys from the key specs and gives Redis errors', async () => {
  await withServer({}, async (c) => {
    assert.deepEqual(await c.cmd('COMMAND', 'GETKEYS', 'set', 'a', 'b'), ['a']);
    assert.deepEqual(await c.cmd('COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b'), [['a', ['OW', 'update']]]);
    assert.deepEqual(await c.cmd('COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b', 'GET'), [['a', ['RW', 'access', 'update']]]);
    assert.deepEqual(await c.cmd('COMMAND', 'GETKEYSANDFLAGS', 'get', 'k'), [['k', ['RO', 'access']]]);
    assert.equal(errText(await c.cmd('COMMAND', 'GETKEYS', 'nosuch', 'a')), 'ERR Invalid command specified');
    assert.equal(errText(await c.cmd('COMMAND', 'GETKEYS', 'get', 'a', 'b')), 'ERR Invalid number of arguments specified for command');
    assert.equal(errText(await c.cmd('COMMAND', 'GETKEYS', 'config', 'get', 'x')), 'ERR The command has no key arguments');
    assert.equal(errText(await c.cmd('COMMAND', 'GETKEYS', 'get')), "ERR wrong number of arguments for 'command|getkeys' command");
  });
});

test('COMMAND HELP, CONFIG HELP, SLOWLOG HELP and MEMORY HELP list their subcommands as status lines', async () => {
  await withServer({}, async (c) => {
    for (const cmd of ['COMMAND', 'CONFIG', 'SLOWLOG', 'MEMORY']) {
      const r = await c.call(cmd, 'HELP');
      assert.ok(r.raw.includes(`+${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n`));
      assert.ok(r.raw.endsWith('+HELP\r\n+    Prints this help.\r\n'));
    }
  });
});

test('INFO default, all and named sections give Redis 7.0 headers in order', async () => {
  await withServer({}, async (c) => {
    const heads = (s: string) => s.split('\r\n').filter((l) => l.startsWith('# '));
    const def = (await c.cmd('INFO')) as string;
    assert.deepEqual(heads(def), ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Keyspace']);
    const all = (await c.cmd('INFO', 'all')) as string;
    assert.ok(heads(all).includes('# Commandstats') && heads(all).includes('# Latencystats'));
    assert.deepEqual(heads((await c.cmd('INFO', 'keyspace', 'SERVER')) as string), ['# Server', '# Keyspace']);
    assert.equal((await c.call('INFO', 'nosuch')).raw, '$0\r\n\r\n');
    assert.equal((await c.call('INFO', 'modules', 'cluster')).raw, '$43\r\n# Modules\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n');
  });
});

test('INFO reports real figures: keyspace, commandstats, errorstats, hits and misses', async () => {
  await withServer({}, async (c) => {
    await c.cmd('SET', 'a', '1');
    await c.cmd('GET', 'a');
    await c.cmd('GET', 'missing');
    await c.cmd('NOSUCHCMD');
    await c.cmd('GET');
    const info = (await c.cmd('INFO', 'everything')) as string;
    const field = (k: string) => new RegExp(`^${k}:(.*)\r$`, 'm').exec(info)?.[1];
    assert.equal(field('db0'), 'keys=1,expires=0,avg_ttl=0');
    assert.equal(field('keyspace_hits'), '1');
    assert.equal(field('keyspace_misses'), '1');
    assert.equal(field('errorstat_ERR'), 'count=2');
    assert.equal(field('total_error_replies'), '2');
    assert.match(field('cmdstat_get')!, /^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0$/);
    assert.equal(field('role'), 'master');
    assert.equal(field('redis_version'), '7.0.15');
    assert.match(field('used_memory_human')!, /^\d+\.\d\d[KMG]$/);
    assert.match(field('used_cpu_user')!, /^\d+\.\d{6}$/);
    assert.equal(field('connected_clients'), '1');
  });
});

test('INFO is a verbatim string in RESP3', async () => {
  await withServer({}, async (c, srv) => {
    await c.cmd('PING');
    for (const cl of srv.server.clients.values()) cl.resp = 3;
    assert.equal((await c.call('INFO', 'cluster')).raw, '=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n');
  });
});

test('bytesToHuman and %.2f formatting follow Redis and printf', () => {
  assert.equal(bytesToHuman(200), '200B');
  assert.equal(bytesToHuman(1015200), '991.41K');
  assert.equal(bytesToHuman(7180288), '6.85M');
  assert.equal(fixed(1.125, 2), '1.12');
  assert.equal(fixed(1.375, 2), '1.38');
  assert.equal(jeSize(21), 32);
  assert.equal(jeSize(304), 320);
});

test('CONFIG GET takes several patterns and reports exact names as spelled', async () => {
  await withServer({}, async (c) => {
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'MAXMEMORY'), ['MAXMEMORY', '0']);
    const r = (await c.cmd('CONFIG', 'GET', 'maxmemory', 'MaxMemory', 'hash-max-*')) as string[];
    assert.equal(r.length, 10);
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'save', 'client-output-buffer-limit'), [
      'save',
      '',
      'client-output-buffer-limit',
      'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    ]);
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'nosuch'), []);
  });
});

test('CONFIG SET applies several parameters or none, with Redis 7.0 error texts', async () => {
  await withServer({}, async (c) => {
    assert.equal(await c.cmd('CONFIG', 'SET', 'maxmemory', '1mb', 'hz', '1000'), 'OK');
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'maxmemory'), ['maxmemory', '1048576']);
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'hz'), ['hz', '500']);
    assert.equal(
      errText(await c.cmd('CONFIG', 'SET', 'maxmemory', '5', 'maxmemory-policy', 'bogus')),
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
    );
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'maxmemory'), ['maxmemory', '1048576']);
    assert.equal(errText(await c.cmd('CONFIG', 'SET', 'maxmemory', 'abc', 'nosuch', '1')), "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
    assert.equal(errText(await c.cmd('CONFIG', 'SET', 'daemonize', 'no')), "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
    assert.equal(errText(await c.cmd('CONFIG', 'SET', 'dir', '/tmp')), "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
    assert.equal(errText(await c.cmd('CONFIG', 'SET', 'hz', '1', 'HZ', '2')), "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter");
    assert.equal(errText(await c.cmd('CONFIG', 'SET', 'MAXMEMORY', '-1')), "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value");
    assert.equal(errText(await c.cmd('CONFIG', 'SET', 'hz', '05')), "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer");
    assert.equal(errText(await c.cmd('CONFIG', 'SET', 'timeout', '-1')), "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive");
    assert.equal(
      errText(await c.cmd('CONFIG', 'SET', 'slowlog-max-len', '-1')),
      "ERR CONFIG SET failed (possibly related to argument 'slowlog-max-len') - argument must be between 0 and 9223372036854775807 inclusive",
    );
    assert.equal(errText(await c.cmd('CONFIG', 'SET', 'save', '0 5')), "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters");
    assert.equal(errText(await c.cmd('CONFIG', 'SET', 'maxmemory', '1', 'a')), 'ERR syntax error');
    assert.equal(await c.cmd('CONFIG', 'SET', 'notify-keyspace-events', 'KEA'), 'OK');
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'notify-keyspace-events'), ['notify-keyspace-events', 'AKE']);
    assert.equal(await c.cmd('CONFIG', 'SET', 'save', '100 1 50 2'), 'OK');
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'save'), ['save', '100 1 50 2']);
  });
});

test('CONFIG RESETSTAT zeroes command, error and keyspace statistics', async () => {
  await withServer({}, async (c) => {
    await c.cmd('GET', 'x');
    await c.cmd('NOSUCH');
    assert.equal(await c.cmd('CONFIG', 'RESETSTAT'), 'OK');
    const info = (await c.cmd('INFO', 'all')) as string;
    assert.ok(!info.includes('cmdstat_get'));
    assert.ok(!info.includes('errorstat_ERR'));
    assert.match(info, /^keyspace_misses:0\r$/m);
    assert.match(info, /^total_error_replies:0\r$/m);
  });
});

test('CONFIG REWRITE rewrites the startup config file keeping its comments, or errors without one', async () => {
  await withServer({}, async (c, srv) => {
    assert.equal(errText(await c.cmd('CONFIG', 'REWRITE')), 'ERR The server is running without a config file');
    const dir = mkdtempSync(join(tmpdir(), 'gkv-rewrite-'));
    try {
      const file = join(dir, 'gkv.conf');
      writeFileSync(file, '# my settings\nmaxmemory 1mb\nmaxmemory 3mb\n');
      srv.server.config.configFile = file;
      await c.cmd('CONFIG', 'SET', 'maxmemory', '2mb', 'hz', '20');
      assert.equal(await c.cmd('CONFIG', 'REWRITE'), 'OK');
      const text = readFileSync(file, 'utf8');
      assert.ok(text.startsWith('# my settings\nmaxmemory 2mb\n'));
      assert.equal(text.match(/^maxmemory /gm)!.length, 1);
      assert.match(text, /# Generated by CONFIG REWRITE\n(.*\n)*hz 20\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('SHUTDOWN checks its options, ABORT has nothing to abort, and a plain SHUTDOWN stops the server', async () => {
  const srv = await startGkv();
  const c = await RespClient.connect(srv.port);
  assert.equal(errText(await c.cmd('SHUTDOWN', 'ABORT')), 'ERR No shutdown in progress.');
  assert.equal(errText(await c.cmd('SHUTDOWN', 'SAVE', 'NOSAVE')), 'ERR syntax error');
  assert.equal(errText(await c.cmd('SHUTDOWN', 'foo')), 'ERR syntax error');
  c.sendRaw('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n', 0);
  await srv.server.closed;
  assert.deepEqual(srv.server.shutdownFlags, { save: false, nosave: true, now: false, force: false });
  await c.waitClose();
  c.close();
});

test('DEBUG is refused unless enable-debug-command allows it', async () => {
  await withServer({}, async (c) => {
    assert.match(errText(await c.cmd('DEBUG', 'SLEEP', '0')), /^ERR DEBUG command not allowed\. If the enable-debug-command option is set to "local"/);
  });
});

test('DEBUG OBJECT, POPULATE, SLEEP, SET-ACTIVE-EXPIRE and PROTOCOL behave as in Redis', async () => {
  await withServer({ 'enable-debug-command': 'yes' }, async (c, srv) => {
    await c.cmd('SET', 'n', '123');
    assert.match((await c.cmd('DEBUG', 'OBJECT', 'n')) as string, /^Value at:0x[0-9a-f]+ refcount:2147483647 encoding:int serializedlength:2 lru:\d+ lru_seconds_idle:\d+$/);
    assert.equal(errText(await c.cmd('DEBUG', 'OBJECT', 'missing')), 'ERR no such key');
    assert.equal(await c.cmd('DEBUG', 'POPULATE', '3'), 'OK');
    assert.equal(await c.cmd('GET', 'key:2'), 'value:2');
    assert.equal(await c.cmd('DEBUG', 'POPULATE', '2', 'p', '3'), 'OK');
    assert.equal(await c.cmd('GET', 'p:1'), 'val');
    assert.equal(errText(await c.cmd('DEBUG', 'POPULATE', '-1')), 'ERR value is out of range, must be positive');
    assert.equal(await c.cmd('DEBUG', 'SLEEP', '0.01'), 'OK');
    assert.equal(await c.cmd('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), 'OK');
    assert.equal(srv.server.activeExpire, false);
    assert.equal(await c.cmd('DEBUG', 'SET-ACTIVE-EXPIRE', '1'), 'OK');
    assert.equal(srv.server.activeExpire, true);
    assert.equal((await c.call('DEBUG', 'PROTOCOL', 'double')).raw, '$5\r\n3.141\r\n');
    assert.equal(errText(await c.cmd('DEBUG', 'nosuch')), "ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.");
    assert.equal(errText(await c.cmd('DEBUG', 'OBJECT', 'a', 'b')), "ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.");
  });
});

test('DEBUG SET-SKIP-CHECKSUM-VALIDATION lets RESTORE take a payload whose CRC is wrong; PAUSE-CRON stops the periodic work', async () => {
  await withServer({ 'enable-debug-command': 'yes' }, async (c, srv) => {
    await c.cmd('SET', 's', 'hello');
    const dump = Buffer.from((await c.cmd('DUMP', 's')) as string, 'latin1');
    dump[dump.length - 1] ^= 0xff;
    const bad = dump.toString('latin1');
    assert.equal(errText(await c.cmd('RESTORE', 'r', '0', bad)), 'ERR DUMP payload version or checksum are wrong');
    assert.equal(await c.cmd('DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '1'), 'OK');
    assert.equal(await c.cmd('RESTORE', 'r', '0', bad), 'OK');
    assert.equal(await c.cmd('GET', 'r'), 'hello');
    assert.equal(await c.cmd('DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '0'), 'OK');
    assert.equal(errText(await c.cmd('RESTORE', 'r2', '0', bad)), 'ERR DUMP payload version or checksum are wrong');
    // a volatile key is not expired actively while the cron is paused (lazily it still is)
    assert.equal(await c.cmd('DEBUG', 'PAUSE-CRON', '1'), 'OK');
    assert.equal(srv.server.pauseCron, true);
    await c.cmd('SET', 'v', '1', 'PX', '1');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await c.cmd('DBSIZE'), 3, 'the expired key is still in the keyspace');
    assert.equal(await c.cmd('DEBUG', 'PAUSE-CRON', '0'), 'OK');
    await waitFor(async () => (await c.cmd('DBSIZE')) === 2, 'active expiry after PAUSE-CRON 0');
  });
});

test('pipelined fast commands run untimed in segments yet add up their time in commandstats, and a 0 threshold times each one', async () => {
  await withServer({}, async (c) => {
    const stat = async (name: string) => {
      const info = (await c.cmd('INFO', 'commandstats')) as string;
      const m = new RegExp(`^cmdstat_${name}:calls=(\\d+),usec=(\\d+),`, 'm').exec(info);
      return m === null ? null : { calls: Number(m[1]), usec: Number(m[2]) };
    };
    // default threshold (10000 µs): GETs go untimed, 16 to a clock read
    await c.pipeline(Array.from({ length: 5000 }, (_, i) => ['GET', `k${i}`]));
    const get = await stat('get');
    assert.equal(get?.calls, 5000);
    assert.ok(get!.usec > 0, `usec ${get!.usec}`);
    // threshold 0: every command is timed and logged on its own
    await c.cmd('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await c.cmd('SLOWLOG', 'RESET');
    await c.pipeline([
      ['GET', 'a'],
      ['GET', 'b'],
      ['INCR', 'n'],
      ['HSET', 'h', 'f', 'v'],
    ]);
    const entries = (await c.cmd('SLOWLOG', 'GET', '-1')) as unknown[][];
    assert.deepEqual(
      entries
        .slice(0, 4)
        .map((e) => e[3])
        .reverse(),
      [
        ['GET', 'a'],
        ['GET', 'b'],
        ['INCR', 'n'],
        ['HSET', 'h', 'f', 'v'],
      ],
    );
  });
});

test('SLOWLOG records commands slower than the threshold, newest first, and resets', async () => {
  await withServer({ 'enable-debug-command': 'yes' }, async (c) => {
    await c.cmd('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await c.cmd('SLOWLOG', 'RESET');
    await c.cmd('SET', 'k', 'v');
    await c.cmd('CONFIG', 'SET', 'requirepass', '');
    const entries = (await c.cmd('SLOWLOG', 'GET', '-1')) as unknown[][];
    assert.ok(((await c.cmd('SLOWLOG', 'LEN')) as number) >= 3);
    assert.deepEqual(entries[0][3], ['CONFIG', 'SET', 'requirepass', '(redacted)']);
    assert.deepEqual(entries[1][3], ['SET', 'k', 'v']);
    assert.ok((entries[0][0] as number) > (entries[1][0] as number));
    assert.equal(typeof entries[0][4], 'string');
    assert.equal(((await c.cmd('SLOWLOG', 'GET', '1')) as unknown[]).length, 1);
    assert.equal(errText(await c.cmd('SLOWLOG', 'GET', '-2')), 'ERR count should be greater than or equal to -1');
    await c.cmd('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
    assert.equal(await c.cmd('SLOWLOG', 'RESET'), 'OK');
    await c.cmd('SET', 'k', 'v');
    assert.equal(await c.cmd('SLOWLOG', 'LEN'), 0);
  });
});

test("MEMORY USAGE counts V8's bytes for key and value; STATS, DOCTOR, MALLOC-STATS and PURGE answer", async () => {
  await withServer({}, async (c) => {
    // a string costs 16 bytes of header + its bytes rounded up to 8; a key in a small database
    // a slot of its table (32): key 'k' (24) + value + 32
    await c.cmd('SET', 'k', 'v');
    assert.equal(await c.cmd('MEMORY', 'USAGE', 'k'), 24 + 24 + 32);
    await c.cmd('SET', 'k', '12');
    assert.equal(await c.cmd('MEMORY', 'USAGE', 'k'), 24 + 24 + 32);
    await c.cmd('SET', 'k', 'x'.repeat(45));
    assert.equal(await c.cmd('MEMORY', 'USAGE', 'k', 'SAMPLES', '0'), 24 + 64 + 32);
    await c.cmd('SET', 'k', 'x'.repeat(300));
    assert.equal(await c.cmd('MEMORY', 'USAGE', 'k'), 24 + 320 + 32);
    assert.equal(await c.cmd('MEMORY', 'USAGE', 'missing'), null);
    assert.equal(errText(await c.cmd('MEMORY', 'USAGE', 'k', 'SAMPLES', '-1')), 'ERR syntax error');
    const stats = (await c.cmd('MEMORY', 'STATS')) as unknown[];
    assert.equal(stats[0], 'peak.allocated');
    assert.ok(stats.includes('db.0') && stats.includes('fragmentation'));
    // the report depends on the whole process's heap (other tests' servers ran in it): its shape only
    assert.match((await c.cmd('MEMORY', 'DOCTOR')) as string, /^(Hi Sam, |Sam, I detected a few issues)/);
    assert.equal(typeof (await c.cmd('MEMORY', 'MALLOC-STATS')), 'string');
    assert.equal(await c.cmd('MEMORY', 'PURGE'), 'OK');
  });
});

test('TIME answers the wall clock as seconds and microseconds that advance', async () => {
  await withServer({}, async (c) => {
    const before = Date.now();
    const [sec, usec] = (await c.cmd('TIME')) as string[];
    assert.match(String(sec), /^\d+$/);
    assert.match(String(usec), /^\d{1,6}$/);
    const ms = Number(sec) * 1000 + Number(usec) / 1000;
    assert.ok(Math.abs(ms - before) < 2000, `TIME ${sec}.${usec} far from ${before}`);
    const [sec2, usec2] = (await c.cmd('TIME')) as string[];
    assert.ok(Number(sec2) * 1e6 + Number(usec2) > Number(sec) * 1e6 + Number(usec));
    assert.equal(errText(await c.cmd('TIME', 'x')), "ERR wrong number of arguments for 'time' command");
  });
});

test('MEMORY PURGE runs a full collection; an idle server collects once its heap grew after a burst', async () => {
  await withServer({}, async (c, srv) => {
    const gc = srv.server.idleGc;
    const before = gc.runs;
    assert.equal(await c.cmd('MEMORY', 'PURGE'), 'OK');
    assert.equal(gc.runs, before + 1);
  });
  const g = new IdleGc();
  const MB = 1024 * 1024;
  const base = heapUsed();
  // busy: the command counter moves, nothing happens however big the heap
  assert.equal(g.maybeCollect(1, 0, 0, base + 500 * MB), false);
  assert.equal(g.maybeCollect(2, 500, 0, base + 500 * MB), false);
  // idle, but not for a second yet
  assert.equal(g.maybeCollect(2, 1400, 0, base + 500 * MB), false);
  // idle for a second without growth: nothing
  assert.equal(g.maybeCollect(2, 1600, 0, base + MB), false);
  // idle for a second after growth: one collection
  assert.equal(g.maybeCollect(2, 1700, 0, base + 500 * MB), true);
  assert.equal(g.runs, 1);
});

test('OBJECT IDLETIME under an LFU policy and OBJECT FREQ under an LRU one answer with Redis 7.0 texts', async () => {
  await withServer({ 'maxmemory-policy': 'allkeys-lfu' }, async (c) => {
    await c.cmd('SET', 'k', 'v');
    assert.equal(
      errText(await c.cmd('OBJECT', 'IDLETIME', 'k')),
      'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    assert.equal(typeof (await c.cmd('OBJECT', 'FREQ', 'k')), 'number');
    await c.cmd('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    assert.match(errText(await c.cmd('OBJECT', 'FREQ', 'k')), /^ERR An LFU maxmemory policy is not selected, access frequency not tracked/);
  });
});
