/**
 * ROLE and WAIT of a master without replicas, against Redis: the same replies
 * for every argument form, WAIT blocking for its timeout (or until CLIENT
 * UNBLOCK) when it asks for replicas, and never inside MULTI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespClient } from '../harness/resp.js';
import { waitForBlocked } from '../harness/info.js';
import { sharedPair } from './runner.js';

const sp = sharedPair();

test('ROLE and the non-blocking forms of WAIT reply as Redis', { skip: sp.skip }, async () => {
  const { g, r } = sp.p;
  const forms = [
    ['ROLE'],
    ['ROLE', 'x'],
    ['WAIT', '0', '0'],
    ['WAIT', '-1', '100'],
    ['WAIT', 'x', '1'],
    ['WAIT', '1', 'x'],
    ['WAIT', '1', '-5'],
    ['WAIT', '1', '1.5'],
    ['WAIT', '1'],
    ['MULTI'],
    ['WAIT', '1', '0'],
    ['EXEC'],
  ];
  for (const f of forms) {
    const [a, b] = await Promise.all([g.call(...f), r.call(...f)]);
    assert.equal(a.raw, b.raw, JSON.stringify(f));
  }
});

test('WAIT for replicas that do not exist blocks for its timeout, or until CLIENT UNBLOCK, then replies 0', { skip: sp.skip }, async () => {
  for (const port of [sp.p.gkv.port, sp.p.redis.port]) {
    const w = await RespClient.connect(port);
    const admin = await RespClient.connect(port);
    try {
      const t0 = Date.now();
      assert.equal(await w.cmd('WAIT', '1', '60'), 0);
      assert.ok(Date.now() - t0 >= 55, `waited ${Date.now() - t0} ms`);
      const id = await w.cmd('CLIENT', 'ID');
      const forever = w.call('WAIT', '1', '0');
      await waitForBlocked(admin, 1);
      assert.equal(await admin.cmd('CLIENT', 'UNBLOCK', String(id)), 1);
      assert.equal((await forever).raw, ':0\r\n');
      const again = w.call('WAIT', '2', '0');
      await waitForBlocked(admin, 1);
      assert.equal(await admin.cmd('CLIENT', 'UNBLOCK', String(id), 'ERROR'), 1);
      assert.equal((await again).raw, '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
    } finally {
      w.close();
      admin.close();
    }
  }
});
