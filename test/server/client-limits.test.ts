/**
 * Client limits as Redis 7.0 enforces them: client eviction over
 * maxmemory-clients (the biggest clients first, CLIENT NO-EVICT exempt,
 * 128 KB at least, a percentage of maxmemory), idle clients closed after
 * `timeout` (not subscribers, blocked clients or monitors), TCP keepalive on
 * accepted connections (tcp-keepalive), the log lines naming a client, and
 * maxclients lowered to the open files limit with Redis's lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { RespClient, encodeCommand } from '../harness/resp.js';
import { withClients, withGkv } from '../harness/commands.js';
import { freePort, oracleSkip, waitFor } from '../harness/servers.js';
import { gkvServerBin, logLines, startProgram, type Program } from '../harness/programs.js';
import { ClientEviction, type EvictableClient } from '../../src/server/evict-clients.js';
import { adjustOpenFilesLimit } from '../../src/server/fd-limit.js';

/** The CLIENT LIST line of the client named name, or undefined. */
async function listed(c: RespClient, name: string): Promise<string | undefined> {
  const list = (await c.cmd('CLIENT', 'LIST')) as string;
  return list.split('\n').find((l) => l.includes(` name=${name} `));
}

function field(line: string, f: string): number {
  return Number(new RegExp(` ${f}=(\\d+)`).exec(line)![1]);
}

/** A client named name that sent the start of a command with a bulk of n bytes, n - 1000 of them. */
async function partialBulk(port: number, name: string, n: number, noEvict = false): Promise<RespClient> {
  const c = await RespClient.connect(port);
  await c.cmd('CLIENT', 'SETNAME', name);
  if (noEvict) await c.cmd('CLIENT', 'NO-EVICT', 'on');
  c.socket.write(`*2\r\n$3\r\nSET\r\n$${n}\r\n` + 'v'.repeat(n - 1000));
  return c;
}

async function evictedClients(c: RespClient): Promise<number> {
  return Number(/evicted_clients:(\d+)/.exec((await c.cmd('INFO', 'stats')) as string)![1]);
}

test('over maxmemory-clients the client with a big command arriving is evicted, logged with its CLIENT LIST line', async () => {
  const log: string[] = [];
  await withGkv({ log: (_level, line) => log.push(line) }, async (srv) => {
    const c = await RespClient.connect(srv.port);
    try {
      await c.cmd('CONFIG', 'SET', 'maxmemory-clients', '200000');
      const big = await partialBulk(srv.port, 'big', 300000);
      await big.waitClose();
      assert.equal(await listed(c, 'big'), undefined);
      assert.equal(await evictedClients(c), 1);
      const line = log.find((l) => l.startsWith('Evicting client: '));
      assert.ok(line, log.join('\n'));
      // Redis's catClientInfoString: the command's arguments read so far count (argv-mem=3: "SET")
      assert.match(line, /^Evicting client: id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name=big age=\d+ idle=\d+ flags=N .* argv-mem=3 .* tot-mem=\d+ .*cmd=client\|setname /);
      // a client under the limit stays
      const small = await partialBulk(srv.port, 'small', 50000);
      await waitFor(async () => field((await listed(c, 'small'))!, 'qbuf') >= 49000, 'the small bulk buffered');
      assert.equal(await evictedClients(c), 1);
      small.close();
    } finally {
      c.close();
    }
  });
});

test('CLIENT NO-EVICT on keeps a client over the limit; OFF makes it eligible again and it is evicted', async () => {
  await withClients(2, async ([c, x]) => {
    await c.cmd('CLIENT', 'NO-EVICT', 'on');
    await c.cmd('SET', 'k', 'v'.repeat(1024 * 1024));
    await c.cmd('CONFIG', 'SET', 'maxmemory-clients', '200000');
    await x.cmd('CLIENT', 'SETNAME', 'x');
    await x.cmd('CLIENT', 'NO-EVICT', 'on');
    // x reads nothing more: its replies pile up in the server's output buffers
    x.socket.pause();
    x.socket.write(encodeCommand(['GET', 'k']).toString('latin1').repeat(20), 'latin1');
    await waitFor(async () => field((await listed(c, 'x'))!, 'omem') > 200000, "x's output over the limit");
    assert.match((await listed(c, 'x'))!, / flags=e /);
    assert.equal(await evictedClients(c), 0);
    x.socket.write(encodeCommand(['CLIENT', 'NO-EVICT', 'off']));
    await waitFor(async () => (await listed(c, 'x')) === undefined, 'x evicted');
    assert.equal(await evictedClients(c), 1);
  });
});

test('eviction frees the biggest clients first and stops once under the limit', async () => {
  await withClients(1, async ([c], srv) => {
    await c.cmd('CLIENT', 'NO-EVICT', 'on');
    const small = await partialBulk(srv.port, 'small', 100000);
    const big = await partialBulk(srv.port, 'big', 1000000);
    await waitFor(async () => field((await listed(c, 'big'))!, 'qbuf') >= 990000, 'the big bulk buffered');
    const smallMem = field((await listed(c, 'small'))!, 'tot-mem');
    const bigMem = field((await listed(c, 'big'))!, 'tot-mem');
    const ctlMem = field((await listed(c, ''))!, 'tot-mem');
    // room for the small one and the control connection, not for the big one
    await c.cmd('CONFIG', 'SET', 'maxmemory-clients', String(smallMem + ctlMem + 100000));
    await big.waitClose();
    assert.ok(await listed(c, 'small'));
    assert.equal(await evictedClients(c), 1);
    assert.ok(bigMem > smallMem);
    small.close();
  });
});

test('maxmemory-clients 0 turns eviction off; a percentage follows maxmemory; the limit is 128 KB at least', () => {
  const host = {
    clientMemory: () => 0,
    clientType: () => 0,
    clientInfo: () => '',
    freeClient: () => {},
    logNotice: () => {},
    logWarning: () => {},
  };
  const ev = new ClientEviction<EvictableClient>(host);
  assert.equal(ev.enabled, false);
  ev.setLimit('1', []);
  assert.equal(ev.limit(), 128 * 1024);
  ev.setLimit('10%', []);
  assert.equal(ev.limit(), 0); // no maxmemory: no limit
  ev.setMaxmemory(100 * 1024 * 1024);
  assert.equal(ev.limit(), 10 * 1024 * 1024);
  ev.setLimit('3000000', []);
  assert.equal(ev.limit(), 3000000);
  ev.setLimit('0', []);
  assert.equal(ev.enabled, false);
  assert.equal(ev.limit(), 0);
});

test('the evicted client memory leaves the totals; an evictable client is measured into the buckets by size', () => {
  const freed: EvictableClient[] = [];
  const mem = new Map<EvictableClient, number>();
  const mk = (m: number): EvictableClient => {
    const c = { noEvict: false, lastMemoryUsage: 0, lastMemoryType: 0, memBucket: -1, socket: {}, closed: false };
    mem.set(c, m);
    return c;
  };
  const ev = new ClientEviction<EvictableClient>({
    clientMemory: (c) => mem.get(c)!,
    clientType: () => 0,
    clientInfo: () => 'c',
    freeClient: (c) => {
      freed.push(c);
      ev.clientFreed(c);
    },
    logNotice: () => {},
    logWarning: () => {},
  });
  const a = mk(40000);
  const b = mk(70000);
  const d = mk(200000);
  const exempt = mk(1000000);
  exempt.noEvict = true;
  ev.setLimit('0', []);
  ev.setLimit('300000', [a, b, d, exempt]);
  // 40 KB has 16 bits (bucket 1), 70 KB 17 (bucket 2), 200 KB 18 (bucket 3); the exempt one is in none
  assert.deepEqual([a.memBucket, b.memBucket, d.memBucket, exempt.memBucket], [1, 2, 3, -1]);
  assert.equal(ev.typeMemory[0], 310000);
  ev.evictClients();
  assert.deepEqual(freed, [d]);
  assert.equal(ev.typeMemory[0], 110000);
});

test('timeout closes idle clients, but not subscribers, blocked clients or monitors', async () => {
  await withClients(5, async ([c, idle, sub, blocked, mon], srv) => {
    await idle.cmd('CLIENT', 'SETNAME', 'idle');
    await sub.cmd('CLIENT', 'SETNAME', 'sub');
    await blocked.cmd('CLIENT', 'SETNAME', 'blocked');
    await mon.cmd('CLIENT', 'SETNAME', 'mon');
    await sub.cmd('SUBSCRIBE', 'ch');
    void blocked.call('BLPOP', 'nokey', '0');
    await mon.cmd('MONITOR');
    await c.cmd('CONFIG', 'SET', 'timeout', '1');
    // idle over 1 s (2 at most: Redis counts whole seconds), both go, the control connection too
    await idle.waitClose();
    await c.waitClose();
    const probe = await RespClient.connect(srv.port);
    for (const n of ['sub', 'blocked', 'mon']) assert.ok(await listed(probe, n), n);
    assert.equal(await listed(probe, 'idle'), undefined);
    await probe.cmd('CONFIG', 'SET', 'timeout', '0');
    probe.close();
  });
});

/** `ss`'s view of the server side of connections to port: whether a keepalive timer runs. */
function keepaliveTimers(port: number): string | null {
  const r = spawnSync('ss', ['-tnoH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
}

test('tcp-keepalive sets TCP keepalive on accepted connections; 0 leaves it off', { skip: keepaliveTimers(1) === null ? 'ss (iproute2) is not installed' : false }, async () => {
  await withGkv({}, async (srv) => {
    const a = await RespClient.connect(srv.port);
    await a.cmd('PING');
    assert.match(keepaliveTimers(srv.port)!, /timer:\(keepalive,/);
    await a.cmd('CONFIG', 'SET', 'tcp-keepalive', '0');
    a.close();
    const b = await RespClient.connect(srv.port);
    await b.cmd('PING');
    await waitFor(() => !/timer:\(keepalive,/.test(keepaliveTimers(srv.port)!), 'the first connection gone');
    assert.ok(/\S/.test(keepaliveTimers(srv.port)!));
    b.close();
  });
});

test("adjustOpenFilesLimit: a limit raised says so; one that cannot be lowers maxclients; too few files exits, in Redis's words", () => {
  const raised = adjustOpenFilesLimit(1000, { soft: 100, hard: 100 }, () => true);
  assert.deepEqual(raised, { maxclients: 1000, warnings: [], notices: ['Increased maximum number of open files to 1032 (it was originally set to 100).'], exit: false });
  const enough = adjustOpenFilesLimit(10000, { soft: 20000, hard: 20000 }, () => assert.fail('no raise needed'));
  assert.deepEqual(enough, { maxclients: 10000, warnings: [], notices: [], exit: false });
  const tried: number[] = [];
  const up = adjustOpenFilesLimit(1000, { soft: 100, hard: 500 }, (n) => (tried.push(n), n <= 500));
  assert.deepEqual(tried, [1032, 500]);
  assert.equal(up.maxclients, 468);
  const none = adjustOpenFilesLimit(10000, { soft: 20, hard: 20 }, () => false);
  assert.equal(none.exit, true);
  assert.deepEqual(none.warnings, ["Your current 'ulimit -n' of 20 is not enough for the server to start. Please increase your open file limit to at least 10032. Exiting."]);
  assert.equal(adjustOpenFilesLimit(10, null).maxclients, 10);
});

test("maxclients over the open files limit is lowered at startup with Redis's lines, and CONFIG SET past it is refused as Redis", { skip: oracleSkip() }, async () => {
  const procs: Program[] = [];
  const outcomes: { log: string[]; get: unknown; set: unknown }[] = [];
  try {
    for (const program of ['redis-server', gkvServerBin]) {
      const port = await freePort();
      // a shell lowers the limit for the server alone (ulimit -n sets both the soft and the hard limit)
      const p = startProgram('bash', ['-c', `ulimit -n 100 && exec ${program} --port ${port} --bind 127.0.0.1 --save '' --maxclients 1000`]);
      procs.push(p);
      await waitFor(() => /Ready to accept connections/.test(p.stdout()), `${program} ready`);
      const c = await RespClient.connect(port);
      const get = await c.cmd('CONFIG', 'GET', 'maxclients');
      const set = String(await c.call('CONFIG', 'SET', 'maxclients', '2000').then((r) => r.value));
      c.socket.write(encodeCommand(['SHUTDOWN', 'NOSAVE']));
      await p.exited;
      outcomes.push({ log: logLines(p.stdout(), /maxclients|open files|file descriptors/), get, set });
    }
  } finally {
    for (const p of procs) p.proc.kill('SIGKILL');
  }
  const [r, g] = outcomes;
  assert.ok(
    r.log.some((l) => l.includes('maxclients has been reduced to 68')),
    r.log.join('\n'),
  );
  assert.deepEqual(g, r, JSON.stringify({ g, r }, null, 1));
});
