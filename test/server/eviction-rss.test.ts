/**
 * A fill as a user meets it: gkv-server with maxmemory 32mb and allkeys-lru
 * takes 500 MB of writes (500,000 SETs of 1 KB, pipelined 1,000 at a time),
 * stays up, keeps used_memory at the limit and its resident memory bounded.
 * Measured (2-core box): RSS levels off at 240-265 MB from the 300,000th SET
 * on, where the same writes without a limit hold 660 MB (761 MB at 600,000).
 * On top of the 32 MB of data: the process's floor (Node and V8, ~70 MB),
 * V8's young generation (up to 3 x 8 MB semi-spaces) and old-space garbage
 * (evicted values) until the next full collection, which V8 starts when the
 * heap has grown by a factor of its live size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connectWhenListening, freePort } from '../harness/servers.js';
import { gkvServerBin, startProgram } from '../harness/programs.js';

const MB = 1024 * 1024;

function rssOf(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))![1]) * 1024;
}

test('500 MB of SETs into maxmemory 32mb (allkeys-lru): the server stays up, used_memory at the limit, RSS bounded', async () => {
  const port = await freePort();
  const p = startProgram(gkvServerBin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--maxmemory', '32mb', '--maxmemory-policy', 'allkeys-lru']);
  try {
    const c = await connectWhenListening(port);
    const value = 'x'.repeat(1024);
    let peak = 0;
    for (let batch = 0; batch < 500; batch++) {
      const cmds: string[][] = [];
      for (let i = 0; i < 1000; i++) cmds.push(['SET', `key:${batch * 1000 + i}`, value]);
      const rs = await c.pipeline(cmds);
      assert.ok(
        rs.every((r) => r.value === 'OK'),
        `batch ${batch}: ${rs.find((r) => r.value !== 'OK')?.raw}`,
      );
      if (batch % 10 === 9) peak = Math.max(peak, rssOf(p.proc.pid!));
    }
    assert.equal(await c.cmd('PING'), 'PONG');
    const info = String(await c.cmd('INFO'));
    const field = (f: string) => Number(new RegExp(`^${f}:(\\d+)`, 'm').exec(info)![1]);
    assert.ok(field('used_memory') <= 32 * MB + 64 * 1024, `used_memory ${field('used_memory')}`);
    const keys = Number(await c.cmd('DBSIZE'));
    assert.ok(keys > 10_000 && keys < 40_000, `${keys} keys kept`);
    assert.equal(field('evicted_keys'), 500_000 - keys);
    assert.ok(peak < 360 * MB, `peak RSS ${(peak / MB).toFixed(0)} MB`);
    c.close();
  } finally {
    p.proc.kill('SIGKILL');
    await p.exited;
  }
});
