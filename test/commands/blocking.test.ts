/**
 * Blocking list commands with several real TCP clients: wake-up order,
 * timeouts, transactions, BLMOVE chains, CLIENT UNBLOCK, disconnects,
 * pipelining behind a blocked command, and what gets propagated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Reply } from '../harness/resp.js';
import { withClients } from '../harness/commands.js';
import { waitForBlocked } from '../harness/info.js';

/** Resolves with p's raw reply, or 'pending' when none came within ms: the way to see that a client stays blocked. */
function pendingFor(p: Promise<Reply>, ms: number): Promise<string> {
  return Promise.race([p.then((r) => r.raw), new Promise<string>((r) => setTimeout(() => r('pending'), ms))]);
}

test('clients blocked on one key are served first come, first served, one element each', async () => {
  await withClients(4, async ([a, b, c, d]) => {
    const pb = b.call('BLPOP', 'k', '0');
    await waitForBlocked(a, 1);
    const pc = c.call('BRPOP', 'k', '0');
    await waitForBlocked(a, 2);
    const pd = d.call('BLPOP', 'other', 'k', '0');
    await waitForBlocked(a, 3);
    assert.equal(await a.cmd('RPUSH', 'k', 'x', 'y'), 2);
    assert.equal((await pb).raw, '*2\r\n$1\r\nk\r\n$1\r\nx\r\n');
    assert.equal((await pc).raw, '*2\r\n$1\r\nk\r\n$1\r\ny\r\n');
    assert.equal(await pendingFor(pd, 50), 'pending', 'the third client stays blocked when the list ran out');
    assert.equal(await a.cmd('EXISTS', 'k'), 0);
    await a.cmd('LPUSH', 'k', 'z');
    assert.equal((await pd).raw, '*2\r\n$1\r\nk\r\n$1\r\nz\r\n');
  });
});

test('a blocking pop with a timeout answers a null array when it expires, in RESP2 and RESP3', async () => {
  await withClients(2, async ([a, b]) => {
    const t0 = Date.now();
    assert.equal((await b.call('BLPOP', 'k', '0.1')).raw, '*-1\r\n');
    assert.ok(Date.now() - t0 >= 90, 'waited the timeout');
    assert.equal((await b.call('BLMOVE', 'k', 'd', 'LEFT', 'RIGHT', '0.05')).raw, '*-1\r\n', 'BLMOVE times out with a null array too');
    assert.equal((await b.call('BLMPOP', '0.05', '1', 'k', 'LEFT')).raw, '*-1\r\n');
    await b.cmd('HELLO', '3');
    assert.equal((await b.call('BRPOPLPUSH', 'k', 'd', '0.05')).raw, '_\r\n');
    assert.equal(String(await a.cmd('INFO', 'clients')).includes('clients_in_timeout_table:0'), true);
    assert.equal((await a.call('BLPOP', 'k', '-1')).raw, '-ERR timeout is negative\r\n');
    assert.equal((await a.call('BLPOP', 'k', 'soon')).raw, '-ERR timeout is not a float or out of range\r\n');
  });
});

test('a push inside MULTI wakes the blocked client once, after EXEC, with the final state', async () => {
  await withClients(3, async ([a, b, c]) => {
    const pb = b.call('BLPOP', 'k', '0');
    const pc = c.call('BLPOP', 'gone', '0');
    await waitForBlocked(a, 2);
    await a.cmd('MULTI');
    await a.cmd('RPUSH', 'k', 'first', 'second');
    await a.cmd('LPOP', 'k');
    await a.cmd('RPUSH', 'gone', 'x');
    await a.cmd('DEL', 'gone');
    assert.equal((await a.call('EXEC')).raw, '*4\r\n:2\r\n$5\r\nfirst\r\n:1\r\n:1\r\n');
    assert.equal((await pb).raw, '*2\r\n$1\r\nk\r\n$6\r\nsecond\r\n');
    assert.equal(await pendingFor(pc, 50), 'pending', 'a key created and deleted inside EXEC wakes nobody');
  });
});

test('blocking commands inside MULTI do not block and answer as a timeout would', async () => {
  await withClients(1, async ([a]) => {
    await a.cmd('MULTI');
    await a.cmd('BLPOP', 'k', '0');
    await a.cmd('BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0');
    await a.cmd('BRPOPLPUSH', 'k', 'd', '0');
    await a.cmd('BLMPOP', '0', '1', 'k', 'RIGHT');
    assert.equal((await a.call('EXEC')).raw, '*4\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n');
  });
});

test('a BLMOVE chain: the moved element wakes the client blocked on the destination', async () => {
  await withClients(3, async ([a, b, c]) => {
    const pb = b.call('BLMOVE', 'l1', 'l2', 'RIGHT', 'LEFT', '0');
    await waitForBlocked(a, 1);
    const pc = c.call('BRPOP', 'l2', '0');
    await waitForBlocked(a, 2);
    await a.cmd('RPUSH', 'l1', 'a', 'b');
    assert.equal((await pb).raw, '$1\r\nb\r\n');
    assert.equal((await pc).raw, '*2\r\n$2\r\nl2\r\n$1\r\nb\r\n');
    assert.deepEqual(await a.cmd('LRANGE', 'l1', '0', '-1'), ['a']);
    assert.equal(await a.cmd('EXISTS', 'l2'), 0);
  });
});

test('a blocked BLMOVE whose destination holds another type is answered WRONGTYPE and pops nothing', async () => {
  await withClients(2, async ([a, b]) => {
    await a.cmd('SET', 'dst', 'string');
    const pb = b.call('BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0');
    await waitForBlocked(a, 1);
    await a.cmd('RPUSH', 'src', 'e');
    assert.equal((await pb).raw, '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    assert.deepEqual(await a.cmd('LRANGE', 'src', '0', '-1'), ['e']);
  });
});

test('a key re-created with another type leaves its blocked clients blocked until a list appears', async () => {
  await withClients(2, async ([a, b]) => {
    const pb = b.call('BLPOP', 'k', '0');
    await waitForBlocked(a, 1);
    await a.cmd('SET', 'k', 'string');
    await a.cmd('DEL', 'k');
    await a.cmd('SADD', 'k', 'member');
    assert.equal(await pendingFor(pb, 40), 'pending');
    await a.cmd('DEL', 'k');
    await a.cmd('RPUSH', 'k', 'v');
    assert.equal((await pb).raw, '*2\r\n$1\r\nk\r\n$1\r\nv\r\n');
  });
});

test('CLIENT UNBLOCK answers the blocked client with its timeout reply or the UNBLOCKED error', async () => {
  await withClients(2, async ([a, b]) => {
    const id = String(await b.cmd('CLIENT', 'ID'));
    assert.equal(await a.cmd('CLIENT', 'UNBLOCK', id), 0, 'a client that is not blocked');
    const p1 = b.call('BLPOP', 'k', '0');
    await waitForBlocked(a, 1);
    assert.match(String(await a.cmd('CLIENT', 'LIST', 'ID', id)), /flags=b /);
    assert.equal(await a.cmd('CLIENT', 'UNBLOCK', id, 'TIMEOUT'), 1);
    assert.equal((await p1).raw, '*-1\r\n');
    const p2 = b.call('BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0');
    await waitForBlocked(a, 1);
    assert.equal(await a.cmd('CLIENT', 'UNBLOCK', id, 'error'), 1);
    assert.equal((await p2).raw, '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
    assert.equal((await a.call('CLIENT', 'UNBLOCK', id, 'later')).raw, '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
    assert.equal((await a.call('CLIENT', 'UNBLOCK', 'x')).raw, '-ERR value is not an integer or out of range\r\n');
    assert.equal((await a.call('CLIENT', 'UNBLOCK', id, 'timeout', 'x')).raw, "-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n");
  });
});

test('a blocked client that disconnects is forgotten: a later push stays in the list', async () => {
  await withClients(2, async ([a, b]) => {
    b.call('BLPOP', 'k', '0').catch(() => {});
    await waitForBlocked(a, 1);
    b.close();
    await waitForBlocked(a, 0);
    await a.cmd('RPUSH', 'k', 'kept');
    assert.deepEqual(await a.cmd('LRANGE', 'k', '0', '-1'), ['kept']);
  });
});

test('commands pipelined behind a blocking command run after it is served, seeing the whole write that woke it', async () => {
  await withClients(2, async ([a, b]) => {
    const replies = b.sendRaw('*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*2\r\n$3\r\nGET\r\n$2\r\nk2\r\n*1\r\n$4\r\nPING\r\n', 3);
    await waitForBlocked(a, 1);
    // one write: the push, then a SET in the same read
    a.socket.write('*3\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$1\r\nv\r\n*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$3\r\nnew\r\n');
    assert.deepEqual(
      (await replies).map((r) => r.raw),
      ['*2\r\n$1\r\nq\r\n$1\r\nv\r\n', '$3\r\nnew\r\n', '+PONG\r\n'],
    );
  });
});

test('the ready key is served even when a client blocked on several keys has an earlier one', async () => {
  await withClients(3, async ([a, b, c]) => {
    const pb = b.call('BLPOP', 'x', 'y', '0');
    await waitForBlocked(a, 1);
    const pc = c.call('BLPOP', 'y', '0');
    await waitForBlocked(a, 2);
    await a.cmd('MULTI');
    await a.cmd('RPUSH', 'y', '1', '2', '3');
    await a.cmd('RPUSH', 'x', '9');
    await a.cmd('EXEC');
    assert.equal((await pb).raw, '*2\r\n$1\r\ny\r\n$1\r\n1\r\n');
    assert.equal((await pc).raw, '*2\r\n$1\r\ny\r\n$1\r\n2\r\n');
    assert.deepEqual(await a.cmd('LRANGE', 'x', '0', '-1'), ['9']);
  });
});

test('served and immediate blocking pops propagate as their non-blocking forms', async () => {
  await withClients(2, async ([a, b], srv) => {
    const log: string[] = [];
    srv.server.propagation.add((_db, argv) => log.push(argv.join(' ')));
    await a.cmd('RPUSH', 'k', '1', '2', '3');
    await a.cmd('BLPOP', 'k', '0');
    await a.cmd('BLMOVE', 'k', 'd', 'RIGHT', 'LEFT', '0');
    await a.cmd('BLMPOP', '0', '1', 'k', 'LEFT', 'COUNT', '5');
    await a.cmd('BRPOPLPUSH', 'd', 'd', '0');
    const pb = b.call('BLMPOP', '0', '1', 'k', 'RIGHT', 'COUNT', '9');
    await waitForBlocked(a, 1);
    await a.cmd('RPUSH', 'k', 'x', 'y');
    await pb;
    const pb2 = b.call('BLMOVE', 'k', 'd', 'LEFT', 'RIGHT', '0');
    await waitForBlocked(a, 1);
    await a.cmd('RPUSH', 'k', 'z');
    await pb2;
    assert.deepEqual(log, ['RPUSH k 1 2 3', 'LPOP k', 'LMOVE k d RIGHT LEFT', 'LPOP k 1', 'RPOPLPUSH d d', 'RPUSH k x y', 'RPOP k 2', 'RPUSH k z', 'LMOVE k d left right']);
  });
});

test('scanDatabaseForReadyKeys wakes clients blocked on keys that a database swap brought in', async () => {
  await withClients(2, async ([a, b], srv) => {
    await a.cmd('SELECT', '1');
    await a.cmd('RPUSH', 'k', 'from-db1');
    await a.cmd('SELECT', '0');
    const pb = b.call('BLPOP', 'k', '0');
    await waitForBlocked(a, 1);
    const ks = srv.server.ks;
    ks.dbs[0].swapWith(ks.dbs[1]);
    srv.server.blocking.scanDatabaseForReadyKeys(ks.dbs[0]);
    srv.server.blocking.scanDatabaseForReadyKeys(ks.dbs[1]);
    await a.cmd('PING'); // the ready keys are served after the next command
    assert.equal((await pb).raw, '*2\r\n$1\r\nk\r\n$8\r\nfrom-db1\r\n');
  });
});

test('SWAPDB serves a client blocked on a key that the swap brings into its database', async () => {
  await withClients(2, async ([blocked, other]) => {
    const pop = blocked.call('BLPOP', 'swapped', '5');
    await waitForBlocked(other, 1);
    await other.cmd('SELECT', '1');
    await other.cmd('RPUSH', 'swapped', 'from-db1');
    assert.equal(await other.cmd('SWAPDB', '0', '1'), 'OK');
    assert.deepEqual((await pop).value, ['swapped', 'from-db1']);
  });
});
