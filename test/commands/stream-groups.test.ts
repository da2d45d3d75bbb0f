/**
 * Stream reads and consumer groups, in process on the fake clock where time
 * matters (idle times, min-idle, delivery times in the propagated XCLAIMs),
 * and with several real TCP clients for blocking: XREADGROUP consumers
 * served first come first served, `$` resolved when the command blocks,
 * timeouts, MULTI, CLIENT UNBLOCK, a group destroyed or a key deleted,
 * flushed or swapped away while clients wait, and what each serve propagates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Reply } from '../harness/resp.js';
import { errText, recordPropagation, withClients, withClock } from '../harness/commands.js';
import { waitForBlocked } from '../harness/info.js';
import { RecordingConn } from '../harness/recording-conn.js';

const T0 = 1_800_000_000_000;

/** Resolves with p's raw reply, or 'pending' when none came within ms. */
function pendingFor(p: Promise<Reply>, ms: number): Promise<string> {
  return Promise.race([p.then((r) => r.raw), new Promise<string>((r) => setTimeout(() => r('pending'), ms))]);
}

test('XREADGROUP > delivers new entries once per group, records them as pending and reads them back as history', async () => {
  await withClock(async (c) => {
    await c.cmd('XADD', 's', '1-0', 'a', '1');
    await c.cmd('XADD', 's', '2-0', 'b', '2');
    assert.equal(await c.cmd('XGROUP', 'CREATE', 's', 'g', '0'), 'OK');
    assert.deepEqual(await c.cmd('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '>'), [['s', [['1-0', ['a', '1']]]]]);
    assert.deepEqual(await c.cmd('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>'), [['s', [['2-0', ['b', '2']]]]]);
    assert.equal(await c.cmd('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>'), null, 'nothing new: a null array');
    assert.deepEqual(await c.cmd('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'), [['s', [['1-0', ['a', '1']]]]], "alice's history is her own");
    await c.cmd('XDEL', 's', '1-0');
    assert.deepEqual(await c.cmd('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'), [['s', [['1-0', null]]]], 'a deleted pending entry reads as nil');
    assert.deepEqual(await c.cmd('XPENDING', 's', 'g'), [
      2,
      '1-0',
      '2-0',
      [
        ['alice', '1'],
        ['bob', '1'],
      ],
    ]);
    assert.equal(await c.cmd('XACK', 's', 'g', '1-0', '2-0', '9-9'), 2);
    assert.deepEqual(await c.cmd('XPENDING', 's', 'g'), [0, null, null, null]);
  });
});

test('XREAD and XREADGROUP argument errors come in Redis order and words', async () => {
  await withClock(async (c) => {
    await c.cmd('SET', 'str', 'x');
    await c.cmd('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const err = async (...a: string[]) => errText(await c.cmd(...a));
    assert.equal(await err('XREAD', 'STREAMS', 's', 't', '0'), "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
    assert.equal(await err('XREAD', 'GROUP', 'g', 'c', 'STREAMS', 's', '0'), 'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
    assert.equal(await err('XREAD', 'NOACK', 'STREAMS', 's', '0'), 'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
    assert.equal(await err('XREAD', 'STREAMS', 's', '>'), 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
    assert.equal(await err('XREAD', 'BLOCK', '1.5', 'STREAMS', 's', '0'), 'ERR timeout is not an integer or out of range');
    assert.equal(await err('XREAD', 'BLOCK', '-1', 'STREAMS', 's', '0'), 'ERR timeout is negative');
    assert.equal(await err('XREAD', 'STREAMS', 'str', '0'), 'WRONGTYPE Operation against a key holding the wrong kind of value');
    assert.equal(await err('XREADGROUP', 'COUNT', '1', 'NOACK', 'STREAMS', 's', '>'), 'ERR Missing GROUP option for XREADGROUP');
    assert.equal(await err('XREADGROUP', 'GROUP', 'nog', 'c', 'STREAMS', 's', '$'), "NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option");
    assert.match(await err('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '$'), /^ERR The \$ ID is meaningless in the context of XREADGROUP/);
  });
});

test('XGROUP subcommands: CREATE with MKSTREAM and ENTRIESREAD, SETID, CREATECONSUMER, DELCONSUMER, DESTROY and their errors', async () => {
  await withClock(async (c) => {
    assert.match(errText(await c.cmd('XGROUP', 'CREATE', 's', 'g', '$')), /^ERR The XGROUP subcommand requires the key to exist/);
    assert.equal(await c.cmd('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM', 'ENTRIESREAD', '0'), 'OK');
    assert.equal(errText(await c.cmd('XGROUP', 'CREATE', 's', 'g', '0')), 'BUSYGROUP Consumer Group name already exists');
    assert.equal(errText(await c.cmd('XGROUP', 'CREATE', 's', 'h', '0', 'ENTRIESREAD', '-2')), 'ERR value for ENTRIESREAD must be positive or -1');
    assert.equal(errText(await c.cmd('XGROUP', 'SETID', 's', 'g', '0', 'MKSTREAM')), "ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP.");
    assert.equal(errText(await c.cmd('XGROUP', 'SETID', 's', 'nog', '0')), "NOGROUP No such consumer group 'nog' for key name 's'");
    await c.cmd('XADD', 's', '5-0', 'f', 'v');
    assert.equal(await c.cmd('XGROUP', 'SETID', 's', 'g', '$', 'ENTRIESREAD', '1'), 'OK');
    assert.deepEqual(await c.cmd('XINFO', 'GROUPS', 's'), [['name', 'g', 'consumers', 0, 'pending', 0, 'last-delivered-id', '5-0', 'entries-read', 1, 'lag', 0]]);
    assert.equal(await c.cmd('XGROUP', 'CREATECONSUMER', 's', 'g', 'c'), 1);
    assert.equal(await c.cmd('XGROUP', 'CREATECONSUMER', 's', 'g', 'c'), 0);
    await c.cmd('XGROUP', 'SETID', 's', 'g', '0');
    await c.cmd('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    assert.equal(await c.cmd('XGROUP', 'DELCONSUMER', 's', 'g', 'c'), 1, 'the pending entries it had');
    assert.deepEqual(await c.cmd('XPENDING', 's', 'g'), [0, null, null, null]);
    assert.equal(await c.cmd('XGROUP', 'DESTROY', 's', 'g'), 1);
    assert.equal(await c.cmd('XGROUP', 'DESTROY', 's', 'g'), 0);
    const help = (await c.cmd('XGROUP', 'HELP')) as string[];
    assert.equal(help[0], 'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.equal(help[help.length - 1], '    Prints this help.');
  });
});

test('XPENDING reports idle times and delivery counts, filters by IDLE and consumer', async () => {
  await withClock(async (c, clock) => {
    for (const id of ['1-0', '2-0', '3-0']) await c.cmd('XADD', 's', id, 'f', 'v');
    await c.cmd('XGROUP', 'CREATE', 's', 'g', '0');
    await c.cmd('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '2', 'STREAMS', 's', '>');
    clock.advance(1000);
    await c.cmd('XREADGROUP', 'GROUP', 'g', 'b', 'STREAMS', 's', '>');
    clock.advance(500);
    assert.deepEqual(await c.cmd('XPENDING', 's', 'g', '-', '+', '10'), [
      ['1-0', 'a', 1500, 1],
      ['2-0', 'a', 1500, 1],
      ['3-0', 'b', 500, 1],
    ]);
    assert.deepEqual(await c.cmd('XPENDING', 's', 'g', 'IDLE', '1000', '-', '+', '10'), [
      ['1-0', 'a', 1500, 1],
      ['2-0', 'a', 1500, 1],
    ]);
    assert.deepEqual(await c.cmd('XPENDING', 's', 'g', '(1-0', '+', '10', 'b'), [['3-0', 'b', 500, 1]]);
    assert.deepEqual(await c.cmd('XPENDING', 's', 'g', '-', '+', '10', 'nobody'), []);
    assert.equal(errText(await c.cmd('XPENDING', 's', 'g', '-', '+')), 'ERR syntax error');
    assert.equal(errText(await c.cmd('XPENDING', 's', 'nog')), "NOGROUP No such key 's' or consumer group 'nog'");
  });
});

test('XCLAIM moves entries idle long enough, with IDLE, TIME, RETRYCOUNT, FORCE, JUSTID and LASTID', async () => {
  await withClock(async (c, clock) => {
    for (const id of ['1-0', '2-0', '3-0']) await c.cmd('XADD', 's', id, 'f', 'v');
    await c.cmd('XGROUP', 'CREATE', 's', 'g', '0');
    await c.cmd('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '2', 'STREAMS', 's', '>');
    clock.advance(100);
    assert.deepEqual(await c.cmd('XCLAIM', 's', 'g', 'b', '200', '1-0'), [], 'not idle long enough');
    assert.deepEqual(await c.cmd('XINFO', 'CONSUMERS', 's', 'g'), [['name', 'a', 'pending', 2, 'idle', 100]], 'a claim that claims nothing creates no consumer');
    assert.deepEqual(await c.cmd('XCLAIM', 's', 'g', 'b', '50', '1-0'), [['1-0', ['f', 'v']]]);
    assert.deepEqual(await c.cmd('XCLAIM', 's', 'g', 'b', '0', '2-0', 'JUSTID', 'IDLE', '5000', 'RETRYCOUNT', '7'), ['2-0']);
    assert.deepEqual(await c.cmd('XPENDING', 's', 'g', '-', '+', '10'), [
      ['1-0', 'b', 0, 2],
      ['2-0', 'b', 5000, 7],
    ]);
    assert.deepEqual(await c.cmd('XCLAIM', 's', 'g', 'c', '0', '3-0', 'JUSTID'), [], 'not pending: ignored');
    assert.deepEqual(await c.cmd('XCLAIM', 's', 'g', 'c', '0', '3-0', 'FORCE', 'TIME', String(T0 - 10), 'LASTID', '9-0'), [['3-0', ['f', 'v']]]);
    assert.deepEqual(await c.cmd('XPENDING', 's', 'g', '3-0', '3-0', '1'), [['3-0', 'c', 110, 2]]);
    assert.equal(((await c.cmd('XINFO', 'GROUPS', 's')) as unknown[][])[0][7], '9-0', 'LASTID moved the group forward');
    assert.equal(errText(await c.cmd('XCLAIM', 's', 'g', 'c', 'x', '1-0')), 'ERR Invalid min-idle-time argument for XCLAIM');
    assert.equal(errText(await c.cmd('XCLAIM', 's', 'g', 'c', '0', '1-0', 'IDLE')), "ERR Unrecognized XCLAIM option 'IDLE'");
    assert.equal(errText(await c.cmd('XCLAIM', 's', 'g', 'c', '0', '1-0', 'RETRYCOUNT', 'x')), 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
  });
});

test('XAUTOCLAIM walks the PEL as a cursor and reports entries deleted meanwhile', async () => {
  await withClock(async (c, clock) => {
    for (const id of ['1-0', '2-0', '3-0', '4-0']) await c.cmd('XADD', 's', id, 'f', 'v');
    await c.cmd('XGROUP', 'CREATE', 's', 'g', '0');
    await c.cmd('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>');
    clock.advance(1000);
    await c.cmd('XDEL', 's', '2-0');
    assert.deepEqual(await c.cmd('XAUTOCLAIM', 's', 'g', 'b', '500', '-', 'COUNT', '2'), ['3-0', [['1-0', ['f', 'v']]], ['2-0']]);
    assert.deepEqual(await c.cmd('XAUTOCLAIM', 's', 'g', 'b', '500', '3-0', 'JUSTID'), ['0-0', ['3-0', '4-0'], []]);
    assert.deepEqual(await c.cmd('XAUTOCLAIM', 's', 'g', 'c', '500', '-'), ['0-0', [], []], 'all were just claimed');
    assert.equal(errText(await c.cmd('XAUTOCLAIM', 's', 'g', 'c', '0', '-', 'COUNT', '0')), 'ERR COUNT must be > 0');
    assert.equal(errText(await c.cmd('XAUTOCLAIM', 's', 'nog', 'c', '0', '-')), "NOGROUP No such key 's' or consumer group 'nog'");
  });
});

test('group side effects propagate as Redis 7.0 propagates them: XCLAIM per delivered entry, SETID for NOACK, never the read itself', async () => {
  await withClock(async (c, clock, srv) => {
    const log = recordPropagation(srv);
    const t = String(T0);
    await c.cmd('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    for (const id of ['1-1', '2-1', '3-1']) await c.cmd('XADD', 's', id, 'f', 'v');
    log.length = 0;
    await c.cmd('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>');
    await c.cmd('XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'STREAMS', 's', '>');
    await c.cmd('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0');
    clock.advance(10);
    await c.cmd('XCLAIM', 's', 'g', 'carol', '0', '1-1', 'JUSTID');
    await c.cmd('XCLAIM', 's', 'g', 'dave', '0', '3-1');
    await c.cmd('XDEL', 's', '2-1');
    await c.cmd('XAUTOCLAIM', 's', 'g', 'erin', '0', '0');
    await c.cmd('XCLAIM', 's', 'g', 'zed', '0', '3-1', 'LASTID', '7-0');
    await c.cmd('XACK', 's', 'g', '1-1');
    const t1 = String(T0 + 10);
    const claim = (who: string, id: string, time: string, n: number, last: string) => ['XCLAIM', 's', 'g', who, '0', id, 'TIME', time, 'RETRYCOUNT', String(n), 'FORCE', 'JUSTID', 'LASTID', last];
    assert.deepEqual(log, [
      ['MULTI'],
      claim('alice', '1-1', t, 1, '1-1'),
      claim('alice', '2-1', t, 1, '2-1'),
      ['EXEC'],
      ['MULTI'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g', 'bob'],
      ['XGROUP', 'SETID', 's', 'g', '3-1', 'ENTRIESREAD', '3'],
      ['EXEC'],
      claim('carol', '1-1', t1, 2, '3-1'),
      ['XDEL', 's', '2-1'],
      ['MULTI'],
      claim('erin', '1-1', t1, 3, '3-1'),
      claim('alice', '2-1', t, 2, '3-1'),
      ['EXEC'],
      ['XGROUP', 'SETID', 's', 'g', '7-0', 'ENTRIESREAD', '3'],
      ['XACK', 's', 'g', '1-1'],
    ]);
  });
});

test('XGROUP CREATE MKSTREAM and consumers created by reads send the keyspace events Redis sends', async () => {
  await withClients(1, async ([a], srv) => {
    const sub = await RecordingConn.open(srv.port);
    try {
      await a.cmd('CONFIG', 'SET', 'notify-keyspace-events', 'EAn');
      sub.send(['PSUBSCRIBE', '__keyevent@0__:*']);
      await sub.barrier('t0');
      await a.cmd('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      await a.cmd('XADD', 's', '1-0', 'f', 'v');
      await a.cmd('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
      await a.cmd('XGROUP', 'SETID', 's', 'g', '0');
      await a.cmd('XCLAIM', 's', 'g', 'd', '0', '1-0');
      await a.cmd('XGROUP', 'DELCONSUMER', 's', 'g', 'c');
      await a.cmd('XGROUP', 'DESTROY', 's', 'g');
      const events = (await sub.barrier('t1'))
        .map((f) => f.value)
        .filter((v): v is string[] => Array.isArray(v) && v[0] === 'pmessage')
        .map((v) => String(v[2]).replace('__keyevent@0__:', ''));
      assert.deepEqual(events, ['new', 'xgroup-create', 'xadd', 'xgroup-createconsumer', 'xgroup-setid', 'xgroup-createconsumer', 'xgroup-delconsumer', 'xgroup-destroy']);
    } finally {
      sub.close();
    }
  });
});

// ---------------------------------------------------------------- blocking

test('consumers of one group blocked on > are served first come, first served, and each entry goes to one of them', async () => {
  await withClients(4, async ([a, b, c, d]) => {
    await a.cmd('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const pb = b.call('XREADGROUP', 'GROUP', 'g', 'bob', 'BLOCK', '0', 'STREAMS', 's', '>');
    await waitForBlocked(a, 1);
    const pc = c.call('XREADGROUP', 'GROUP', 'g', 'carol', 'BLOCK', '0', 'STREAMS', 's', '>');
    await waitForBlocked(a, 2);
    const pd = d.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await waitForBlocked(a, 3);
    await a.cmd('XADD', 's', '1-0', 'f', 'v');
    assert.deepEqual((await pb).value, [['s', [['1-0', ['f', 'v']]]]]);
    assert.deepEqual((await pd).value, [['s', [['1-0', ['f', 'v']]]]], 'a plain reader sees it too');
    assert.equal(await pendingFor(pc, 50), 'pending', 'the group moved past the entry: carol waits');
    await a.cmd('XADD', 's', '2-0', 'f', 'w');
    assert.deepEqual((await pc).value, [['s', [['2-0', ['f', 'w']]]]]);
    assert.deepEqual(await a.cmd('XPENDING', 's', 'g'), [
      2,
      '1-0',
      '2-0',
      [
        ['bob', '1'],
        ['carol', '1'],
      ],
    ]);
  });
});

test('XREAD $ is resolved when the command blocks; a timeout answers a null array; MULTI does not block', async () => {
  await withClients(2, async ([a, b]) => {
    await a.cmd('XADD', 's', '1-0', 'f', 'v');
    const pb = b.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', 'other', '$', '$');
    await waitForBlocked(a, 1);
    await a.cmd('XADD', 'other', '5-0', 'x', 'y');
    assert.equal((await pb).raw, '*1\r\n*2\r\n$5\r\nother\r\n*1\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n');
    const t0 = Date.now();
    assert.equal((await b.call('XREAD', 'BLOCK', '50', 'STREAMS', 's', '$')).raw, '*-1\r\n');
    assert.ok(Date.now() - t0 >= 45);
    await b.cmd('HELLO', '3');
    assert.equal(
      (await b.call('XREADGROUP', 'GROUP', 'nog', 'c', 'BLOCK', '10', 'STREAMS', 'nokey', '>')).raw,
      "-NOGROUP No such key 'nokey' or consumer group 'nog' in XREADGROUP with GROUP option\r\n",
    );
    await a.cmd('XGROUP', 'CREATE', 's', 'g', '$');
    assert.equal((await b.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '20', 'STREAMS', 's', '>')).raw, '_\r\n');
    await a.cmd('MULTI');
    await a.cmd('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await a.cmd('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
    assert.equal((await a.call('EXEC')).raw, '*2\r\n*-1\r\n*-1\r\n');
  });
});

test('a destroyed group answers NOGROUP, a deleted or overwritten key -UNBLOCKED, while XREAD keeps waiting', async () => {
  await withClients(4, async ([a, b, c, d]) => {
    await a.cmd('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    await a.cmd('XGROUP', 'CREATE', 't', 'g', '$', 'MKSTREAM');
    const pb = b.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
    const pc = c.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 't', '>');
    const pd = d.call('XREAD', 'BLOCK', '0', 'STREAMS', 't', '$');
    await waitForBlocked(a, 3);
    await a.cmd('XGROUP', 'DESTROY', 's', 'g');
    assert.equal((await pb).raw, '-NOGROUP the consumer group this client was blocked on no longer exists\r\n');
    await a.cmd('SET', 't', 'string now');
    assert.equal((await pc).raw, '-UNBLOCKED the stream key no longer exists\r\n');
    assert.equal(await pendingFor(pd, 50), 'pending');
    await a.cmd('DEL', 't');
    await a.cmd('XADD', 't', '1-0', 'f', 'v');
    assert.deepEqual((await pd).value, [['t', [['1-0', ['f', 'v']]]]]);
    assert.match(String(await a.cmd('INFO', 'errorstats')), /errorstat_NOGROUP:count=1\r\nerrorstat_UNBLOCKED:count=1/);
  });
});

test('FLUSHALL and SWAPDB answer XREADGROUP clients whose stream went away; CLIENT UNBLOCK releases a reader', async () => {
  await withClients(3, async ([a, b, c]) => {
    await a.cmd('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const pb = b.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
    await waitForBlocked(a, 1);
    await a.cmd('FLUSHALL');
    assert.equal((await pb).raw, '-UNBLOCKED the stream key no longer exists\r\n');
    await a.cmd('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const pb2 = b.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
    await waitForBlocked(a, 1);
    await a.cmd('SWAPDB', '0', '1');
    assert.equal((await pb2).raw, '-UNBLOCKED the stream key no longer exists\r\n');
    const cid = String(await c.cmd('CLIENT', 'ID'));
    const pc = c.call('XREAD', 'BLOCK', '0', 'STREAMS', 'x', '0');
    await waitForBlocked(a, 1);
    assert.equal(await a.cmd('CLIENT', 'UNBLOCK', cid), 1);
    assert.equal((await pc).raw, '*-1\r\n');
  });
});

test('a served XREADGROUP propagates its XCLAIMs together, and without COUNT serves at most 1000 entries', async () => {
  await withClients(2, async ([a, b], srv) => {
    await a.cmd('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const log = recordPropagation(srv);
    const pb = b.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
    await waitForBlocked(a, 1);
    await a.cmd('MULTI');
    for (let i = 1; i <= 1001; i++) await a.cmd('XADD', 's', `${i}-0`, 'f', 'v');
    await a.cmd('EXEC');
    const got = (await pb).value as [string, unknown[]][];
    assert.equal(got[0][1].length, 1000);
    const claims = log.filter((x) => x[0] === 'XCLAIM');
    assert.equal(claims.length, 1000);
    assert.deepEqual(claims[0].slice(0, 6), ['XCLAIM', 's', 'g', 'c', '0', '1-0']);
    assert.deepEqual(log[log.length - 1], ['EXEC']);
    assert.deepEqual(log[log.length - 1002], ['MULTI'], 'the 1000 XCLAIMs leave as one transaction after the writer’s');
  });
});

test('a deleted stream is signalled for plain readers too: it keeps its place in the ready list, as in Redis', async () => {
  await withClients(2, async ([a, b]) => {
    await a.cmd('XADD', 's1', '1-0', 'f', 'v');
    const pb = b.call('XREAD', 'BLOCK', '0', 'STREAMS', 's3', 's1', '$', '$');
    await waitForBlocked(a, 1);
    await a.cmd('MULTI');
    await a.cmd('DEL', 's1');
    await a.cmd('XADD', 's3', '4-0', 'f', 'v');
    await a.cmd('XADD', 's1', '4-0', 'f', 'v');
    await a.cmd('EXEC');
    assert.deepEqual((await pb).value, [['s1', [['4-0', ['f', 'v']]]]], 's1, deleted first, is served before s3');
  });
});
