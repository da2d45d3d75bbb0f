/**
 * Running a Lua program under Debian's lua5.1 and under gKV's engine, for
 * the differential tests (conformance.test.ts, random-programs.test.ts):
 * both give the program's output followed, when it failed, by
 * "error: <message>" (lua.c's report: a non-string error object shows as
 * "(error object is not a string)", nil as nothing).
 */
import { spawnSync } from 'node:child_process';
import { LuaError, LuaKill, STEP_BUDGET, loadChunk, rawToString } from '../../src/lua/index.js';
import { newState } from './engine.js';

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
export async function runOurs(source: string, chunkname: string, maxPauses = 2000): Promise<string> {
  const lines: string[] = [];
  const L = await newState(lines);
  let err = '';
  try {
    const f = loadChunk(L, source, '@' + chunkname);
    // runToEnd's loop, with a bound: a runaway program fails instead of hanging the test
    L.steps = STEP_BUDGET;
    const gen = f.g();
    for (let pauses = 0; ; pauses++) {
      const r = gen.next();
      if (r.done) break;
      if (pauses > maxPauses) throw new Error(`${chunkname} ran past ${maxPauses} step budgets`);
      L.steps = STEP_BUDGET;
    }
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
