/**
 * What list commands tell the rest of the server, as Redis 7.0 does: the
 * keyspace events they send (in order, once per command, the del of an
 * emptied list, blocked pops served later), the changes they count
 * (rdb_changes_since_last_save) and, for blocking commands, the slow log and
 * INFO commandstats when a blocked client is served, times out or is
 * CLIENT UNBLOCKed. Every expectation was read from a redis-server 7.0.15.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RespClient, Reply } from '../harness/resp.js';
import { RecordingConn } from '../harness/recording-conn.js';
import { withClients } from '../harness/commands.js';
import { infoField, waitForBlocked } from '../harness/info.js';
import type { GkvServer } from '../../src/index.js';

interface Ctx {
  srv: GkvServer;
  a: RespClient;
  b: RespClient;
  /** the keyevent notifications ("event key") since the last call */
  events(): Promise<string[]>;
}

/** Two clients and a subscriber to every keyevent of db 0 (notify-keyspace-events EAn). */
async function withServer(fn: (x: Ctx) => Promise<void>): Promise<void> {
  await withClients(2, async ([a, b], srv) => {
    const sub = await RecordingConn.open(srv.port);
    let token = 0;
    const events = async () => {
      const frames = await sub.barrier(`t${++token}`);
      return frames
        .map((f) => f.value)
        .filter((v): v is string[] => Array.isArray(v) && v[0] === 'pmessage')
        .map((v) => `${v[2].replace('__keyevent@0__:', '')} ${v[3]}`);
    };
    try {
      await a.cmd('CONFIG', 'SET', 'notify-keyspace-events', 'EAn');
      sub.send(['PSUBSCRIBE', '__keyevent@0__:*']);
      await events();
      await fn({ srv, a, b, events });
    } finally {
      sub.close();
    }
  });
}

async function dirty(c: RespClient): Promise<number> {
  return Number(await infoField(c, 'rdb_changes_since_last_save', 'persistence'));
}

/** SLOWLOG GET as [client name, argv] pairs, oldest first. */
async function slowlog(c: RespClient): Promise<[string, string[]][]> {
  const entries = (await c.cmd('SLOWLOG', 'GET', '-1')) as unknown as unknown[][];
  return entries.reverse().map((e) => [String(e[5]), (e[3] as unknown[]).map(String)]);
}

async function cmdstat(c: RespClient, name: string): Promise<string> {
  const line = String(await c.cmd('INFO', 'commandstats'))
    .split('\r\n')
    .find((l) => l.startsWith(`cmdstat_${name}:`));
  return line === undefined ? '' : line.replace(/,usec=[^,]*,usec_per_call=[^,]*/, '');
}

test('pushes send one event per command after every element, "new" first for a new list; LPUSHX on a missing key sends nothing', async () => {
  await withServer(async ({ a, events }) => {
    await a.cmd('RPUSH', 'l', 'a', 'b', 'c');
    assert.deepEqual(await events(), ['new l', 'rpush l']);
    await a.cmd('LPUSHX', 'l', 'x', 'y');
    await a.cmd('RPUSHX', 'l', 'z');
    await a.cmd('LPUSHX', 'nope', 'x');
    await a.cmd('LPUSH', 'l', 'w');
    assert.deepEqual(await events(), ['lpush l', 'rpush l', 'lpush l']);
  });
});

test('pops send lpop or rpop once per command, then del when the list empties; a count of 0 sends nothing', async () => {
  await withServer(async ({ a, events }) => {
    await a.cmd('RPUSH', 'l', 'a', 'b', 'c', 'd');
    await events();
    await a.cmd('LPOP', 'l', '0');
    await a.cmd('LPOP', 'l', '2');
    await a.cmd('RPOP', 'l');
    assert.deepEqual(await events(), ['lpop l', 'rpop l']);
    await a.cmd('LMPOP', '2', 'none', 'l', 'RIGHT', 'COUNT', '5');
    assert.deepEqual(await events(), ['rpop l', 'del l']);
    await a.cmd('RPUSH', 'm', 'a');
    await a.cmd('BLPOP', 'none', 'm', '0');
    assert.deepEqual(await events(), ['new m', 'rpush m', 'lpop m', 'del m']);
  });
});

test('LINSERT, LSET, LREM and LTRIM send their events only when they change the list, LTRIM even when it trims nothing', async () => {
  await withServer(async ({ a, events }) => {
    await a.cmd('RPUSH', 'l', 'a', 'b', 'a');
    await events();
    await a.cmd('LINSERT', 'l', 'BEFORE', 'q', 'z');
    await a.cmd('LINSERT', 'l', 'AFTER', 'b', 'z');
    await a.cmd('LSET', 'l', '0', 'y');
    await a.call('LSET', 'none', '0', 'y');
    await a.cmd('LREM', 'l', '0', 'nothing');
    await a.cmd('LREM', 'l', '0', 'a');
    await a.cmd('LTRIM', 'l', '0', '-1');
    await a.cmd('LTRIM', 'none', '0', '1');
    assert.deepEqual(await events(), ['linsert l', 'lset l', 'lrem l', 'ltrim l']);
    await a.cmd('LTRIM', 'l', '5', '10');
    assert.deepEqual(await events(), ['ltrim l', 'del l']);
    await a.cmd('RPUSH', 'r', 'x');
    await a.cmd('LREM', 'r', '1', 'x');
    assert.deepEqual(await events(), ['new r', 'rpush r', 'lrem r', 'del r']);
  });
});

test('LMOVE sends the destination\'s push (after "new") before the source\'s pop and del; onto itself, push then pop', async () => {
  await withServer(async ({ a, events }) => {
    await a.cmd('RPUSH', 'src', 'a', 'b');
    await events();
    await a.cmd('LMOVE', 'src', 'dst', 'LEFT', 'RIGHT');
    assert.deepEqual(await events(), ['new dst', 'rpush dst', 'lpop src']);
    await a.cmd('RPOPLPUSH', 'src', 'src');
    assert.deepEqual(await events(), ['lpush src', 'rpop src']);
    await a.cmd('LMOVE', 'src', 'dst', 'RIGHT', 'LEFT');
    assert.deepEqual(await events(), ['lpush dst', 'rpop src', 'del src']);
    await a.cmd('SET', 'str', 'v');
    await events();
    await a.call('LMOVE', 'dst', 'str', 'LEFT', 'LEFT');
    assert.deepEqual(await events(), [], 'a WRONGTYPE destination sends nothing');
  });
});

test("a blocked BLPOP served by a push sends the push, then lpop and del; a served BLMOVE the new destination's push, then the source's pop and del", async () => {
  await withServer(async ({ a, b, events }) => {
    const p1 = b.call('BLPOP', 'k', '0');
    await waitForBlocked(a, 1);
    await a.cmd('LPUSH', 'k', 'x');
    assert.equal((await p1).raw, '*2\r\n$1\r\nk\r\n$1\r\nx\r\n');
    assert.deepEqual(await events(), ['new k', 'lpush k', 'lpop k', 'del k']);
    const p2 = b.call('BLMOVE', 'k', 'd', 'RIGHT', 'LEFT', '0');
    await waitForBlocked(a, 1);
    await a.cmd('RPUSH', 'k', 'x', 'y');
    assert.equal((await p2).raw, '$1\r\ny\r\n');
    assert.deepEqual(await events(), ['new k', 'rpush k', 'new d', 'lpush d', 'rpop k']);
    const p3 = b.call('BLMPOP', '0', '1', 'e', 'LEFT', 'COUNT', '5');
    await waitForBlocked(a, 1);
    await a.cmd('LMOVE', 'k', 'e', 'LEFT', 'LEFT');
    await p3;
    assert.deepEqual(await events(), ['new e', 'lpush e', 'lpop k', 'del k', 'lpop e', 'del e']);
  });
});

test('pops, LTRIM and LREM count one change per element; a move counts one; served BLPOP and BLMOVE count none, a served BLMPOP one per element', async () => {
  await withServer(async ({ a, b }) => {
    const step = async (...argv: string[]) => {
      const before = await dirty(a);
      await a.call(...argv);
      return (await dirty(a)) - before;
    };
    assert.equal(await step('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f', 'g'), 7);
    assert.equal(await step('LPOP', 'l', '2'), 2);
    assert.equal(await step('LMPOP', '1', 'l', 'RIGHT', 'COUNT', '2'), 2);
    assert.equal(await step('LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'), 1);
    assert.equal(await step('LTRIM', 'l', '0', '-1'), 0);
    assert.equal(await step('RPUSH', 'l', 'x', 'x', 'y'), 3);
    assert.equal(await step('LREM', 'l', '0', 'x'), 2);
    assert.equal(await step('LTRIM', 'l', '0', '0'), 2);
    assert.equal(await step('LTRIM', 'l', '1', '0'), 1, 'emptied: one per removed element');
    for (const [block, expected] of [
      [['BLPOP', 'w', '0'], 2],
      [['BLMOVE', 'w', 'w2', 'LEFT', 'LEFT', '0'], 2],
      [['BLMPOP', '0', '1', 'w', 'LEFT', 'COUNT', '5'], 4],
    ] as const) {
      const before = await dirty(a);
      const p = b.call(...block);
      await waitForBlocked(a, 1);
      await a.cmd('RPUSH', 'w', 'a', 'b');
      await p;
      assert.equal((await dirty(a)) - before, expected, `${block[0]} served`);
      await a.cmd('DEL', 'w');
    }
  });
});

test('a blocking command reaches the slow log when served, after the command that served it, and not when it blocks or times out', async () => {
  await withServer(async ({ a, b }) => {
    await b.cmd('CLIENT', 'SETNAME', 'blocker');
    await a.cmd('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await a.cmd('SLOWLOG', 'RESET');
    await a.cmd('CONFIG', 'RESETSTAT');
    assert.equal((await b.call('BLPOP', 'k', '0.01')).raw, '*-1\r\n');
    const p = b.call('BRPOP', 'k', '0');
    await waitForBlocked(a, 1);
    await a.cmd('RPUSH', 'k', 'x');
    await p;
    const log = (await slowlog(a)).filter(([, argv]) => argv[0] !== 'INFO');
    assert.deepEqual(log, [
      ['', ['SLOWLOG', 'RESET']],
      ['', ['CONFIG', 'RESETSTAT']],
      ['', ['RPUSH', 'k', 'x']],
      ['blocker', ['BRPOP', 'k', '0']],
    ]);
    assert.equal(await cmdstat(a, 'blpop'), 'cmdstat_blpop:calls=1,rejected_calls=0,failed_calls=0');
    assert.equal(await cmdstat(a, 'brpop'), 'cmdstat_brpop:calls=1,rejected_calls=0,failed_calls=0');
  });
});

test('CLIENT UNBLOCK, in either form, logs the unblocked command without arguments and counts it as a failed call', async () => {
  await withServer(async ({ a, b }) => {
    await b.cmd('CLIENT', 'SETNAME', 'blocker');
    const id = String(await b.cmd('CLIENT', 'ID'));
    await a.cmd('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await a.cmd('SLOWLOG', 'RESET');
    await a.cmd('CONFIG', 'RESETSTAT');
    for (const form of [[], ['ERROR']]) {
      const p: Promise<Reply> = b.call('BLPOP', 'k', '0');
      await waitForBlocked(a, 1);
      assert.equal(await a.cmd('CLIENT', 'UNBLOCK', id, ...form), 1);
      await p;
    }
    const log = (await slowlog(a)).filter(([, argv]) => argv[0] !== 'INFO').slice(2);
    assert.deepEqual(log, [
      ['blocker', []],
      ['', ['CLIENT', 'UNBLOCK', id]],
      ['blocker', []],
      ['', ['CLIENT', 'UNBLOCK', id, 'ERROR']],
    ]);
    assert.equal(await cmdstat(a, 'blpop'), 'cmdstat_blpop:calls=2,rejected_calls=0,failed_calls=2');
    // the -UNBLOCKED error is written while CLIENT UNBLOCK runs, so Redis counts that call as failed too
    assert.equal(await cmdstat(a, 'client|unblock'), 'cmdstat_client|unblock:calls=2,rejected_calls=0,failed_calls=1');
  });
});

test('a served BLMOVE whose destination holds the wrong type is logged and counted as a failed call', async () => {
  await withServer(async ({ a, b }) => {
    await a.cmd('SET', 'str', 'v');
    await a.cmd('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await a.cmd('CONFIG', 'RESETSTAT');
    const p = b.call('BLMOVE', 'k', 'str', 'LEFT', 'LEFT', '0');
    await waitForBlocked(a, 1);
    await a.cmd('RPUSH', 'k', 'x');
    assert.equal((await p).raw, '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    assert.deepEqual((await slowlog(a)).at(-1), ['', ['BLMOVE', 'k', 'str', 'LEFT', 'LEFT', '0']]);
    assert.equal(await cmdstat(a, 'blmove'), 'cmdstat_blmove:calls=1,rejected_calls=0,failed_calls=1');
  });
});

test('a failing command inside EXEC is a failed call of its own, not of EXEC; CONFIG RESETSTAT is no failed call', async () => {
  await withServer(async ({ a }) => {
    await a.call('LPUSH');
    await a.cmd('SET', 'str', 'v');
    await a.call('LPUSH', 'str', 'x');
    await a.cmd('CONFIG', 'RESETSTAT');
    await a.cmd('MULTI');
    await a.cmd('LPUSH', 'str', 'x');
    await a.cmd('LPUSH', 'l', 'x');
    await a.cmd('EXEC');
    assert.equal(await cmdstat(a, 'config|resetstat'), 'cmdstat_config|resetstat:calls=1,rejected_calls=0,failed_calls=0');
    assert.equal(await cmdstat(a, 'lpush'), 'cmdstat_lpush:calls=2,rejected_calls=0,failed_calls=1');
    assert.equal(await cmdstat(a, 'exec'), 'cmdstat_exec:calls=1,rejected_calls=0,failed_calls=0');
  });
});
