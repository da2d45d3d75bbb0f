/**
 * A Lua state for the conformance tests against lua5.1: base and coroutine
 * (the engine's) and each library module listed in LIBRARIES that exists in
 * the tree — the libraries Debian's lua5.1 also has (string, table, math);
 * Redis's own (cjson, cmsgpack, struct, bit) are checked against Redis, not
 * here. An entry is [module path relative to this file, name of its open
 * function]; a module not built yet is skipped, so the list can run ahead
 * of the code.
 */
import { LuaState, openBase, openCoroutine } from '../../src/lua/index.js';

export const LIBRARIES: [string, string][] = [
  ['../../src/lua/lib/string.js', 'openString'],
  ['../../src/lua/lib/table.js', 'openTable'],
  ['../../src/lua/lib/math.js', 'openMath'],
];

type Opener = (L: LuaState) => void;
let openers: Opener[] | undefined;

/** the open functions of the libraries that exist (loaded once) */
export async function libraryOpeners(): Promise<Opener[]> {
  if (openers !== undefined) return openers;
  const out: Opener[] = [];
  for (const [path, name] of LIBRARIES) {
    try {
      const m = (await import(path)) as Record<string, unknown>;
      if (typeof m[name] === 'function') out.push(m[name] as Opener);
    } catch {
      // not written yet
    }
  }
  openers = out;
  return out;
}

/** a fresh state with base, coroutine and the libraries; print appends its lines to `out` */
export async function newState(out: string[]): Promise<LuaState> {
  const L = new LuaState();
  openBase(L, { print: (line) => out.push(line) });
  openCoroutine(L);
  for (const open of await libraryOpeners()) open(L);
  return L;
}
