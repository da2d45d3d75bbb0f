/**
 * Random Lua programs (random-programs.ts) run under lua5.1 and gKV's
 * engine: their outputs must be identical. LUA_RANDOM_SEEDS=<n> runs n
 * seeds (default 300) and LUA_RANDOM_FROM=<s> starts at seed s; a failing
 * seed's program is left in the temp directory named in the message.
 * Skips loudly without lua5.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveLua51, runLua51, runOurs } from './lua51.js';
import { randomProgram } from './random-programs.js';

const SEEDS = Number(process.env.LUA_RANDOM_SEEDS ?? 300);
const FROM = Number(process.env.LUA_RANDOM_FROM ?? 1);

test(`${SEEDS} random programs print what lua5.1 prints`, { skip: !haveLua51() && 'lua5.1 not installed' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-lua-random-'));
  const failures: string[] = [];
  for (let seed = FROM; seed < FROM + SEEDS; seed++) {
    const src = randomProgram(seed);
    const file = `r${seed}.lua`;
    writeFileSync(join(dir, file), src, 'latin1');
    const expected = runLua51(dir, file);
    const ours = await runOurs(src, file);
    if (ours !== expected) {
      failures.push(`seed ${seed}: ${join(dir, file)}`);
      if (failures.length === 1) assert.equal(ours, expected, `seed ${seed} (${join(dir, file)})`);
    }
  }
  if (failures.length === 0) rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(failures, []);
});
