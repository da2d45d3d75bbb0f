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
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LuaError, LuaKill, loadChunk, rawToString, runToEnd } from '../../src/lua/index.js';
import { newState } from './engine.js';

export const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test/lua/corpus');

export function haveLua51(): boolean {
  return spawnSync('lua5.1', ['-v'], { encoding: 'utf8' }).status === 0;
}

/** lua5.1's output for a program: stdout, then "error: <msg>" when it failed */
export function runLua51(dir: string, file: string): string {
  const r = spawnSync('lua5.1', [file], { cwd: dir, encoding: 'latin1', timeout: 20_000 });
  let out = r.stdout;
  if (r.status !== 0) {
    if (r.stderr === '') return out + 'error: <nil>\n';
    const m = /^lua5\.1: ([\s\S]*?)\nstack traceback:/.exec(r.stderr);
    out += `error: ${m ? m[1] : r.stderr.replace(/^lua5\.1: /, '').trimEnd()}\n`;
  }
  return out;
}

/** our engine's output for a program, the same way */
export async function runOurs(source: string, chunkname: string): Promise<string> {
  const lines: string[] = [];
  const L = await newState(lines);
  let err = '';
  try {
    runToEnd(L, loadChunk(L, source, '@' + chunkname), []);
  } catch (e) {
    if (e instanceof LuaKill) throw e;
    if (!(e instanceof LuaError)) throw e;
    const v = e.value;
    // lua.c's report: a message that is not a string (or number) shows as this; nil shows nothing
    if (v === undefined) err = 'error: <nil>\n';
    else err = `error: ${typeof v === 'string' || typeof v === 'number' ? rawToString(v) : '(error object is not a string)'}\n`;
  }
  return lines.map((l) => l + '\n').join('') + err;
}

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
