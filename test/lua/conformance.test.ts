/**
 * Conformance of gKV's Lua with Debian's lua5.1: every program in
 * test/lua/corpus/*.lua runs under `lua5.1 <file>` and under our engine
 * (test/lua/engine.ts: base, coroutine and the string/table/math libraries
 * present in the tree), and the two outputs must be identical: what the
 * program printed, then, if it failed, the error message (lua5.1's
 * "lua5.1: <msg>" line on stderr; ours from the LuaError).
 *
 * Adding a case: drop a .lua file into test/lua/corpus/ (no build step).
 * Guidelines: print results (print, tostring); print errors through pcall
 * so one file can check many; never print addresses (tostring of tables
 * and functions) or anything that depends on the machine; use only what
 * both have (no io/os/debug/package, no Redis libraries — those are tested
 * against Redis). The chunk name is "<file>.lua", as lua5.1 names a file.
 *
 * Without lua5.1 installed the test skips loudly (CI installs it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { haveLua51, runLua51, runOurs } from './lua51.js';

// the runners live in lua51.ts; re-exported for the tests that imported them from here
export { haveLua51, runLua51, runOurs };

const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test/lua/corpus');

const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.lua'))
  .sort();
const lua = haveLua51();
if (!lua) console.error('\n*** lua5.1 is not installed: the Lua conformance tests are SKIPPED (apt-get install lua5.1) ***\n');

for (const f of files) {
  test(`corpus ${f} prints what lua5.1 prints`, { skip: !lua && 'lua5.1 not installed' }, async () => {
    const expected = runLua51(CORPUS, f);
    const ours = await runOurs(readFileSync(join(CORPUS, f), 'latin1'), f);
    assert.equal(ours, expected);
  });
}
