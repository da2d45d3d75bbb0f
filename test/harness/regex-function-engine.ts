/**
 * A stand-in for the LUA functions engine, for tests of the functions
 * registry, its commands and its persistence while gKV's Lua engine is not
 * there: a library's functions are the names in its
 * `redis.register_function('name', …)` calls, found by a regular expression
 * (so the same library code loads into a real redis-server too). FCALL
 * replies with the function's name.
 */
import type { GkvServer } from '../../src/index.js';
import { type EngineInfo, type FunctionLibInfo, Functions, FunctionsError } from '../../src/scripting/functions.js';

function regexEngine(): EngineInfo {
  return {
    name: 'LUA',
    engine: {
      create(lib: FunctionLibInfo, code: string) {
        if (/^\s*bad script/m.test(code)) throw new FunctionsError("Error compiling function: user_function:2: '=' expected near 'script'");
        try {
          for (const m of code.matchAll(/register_function\('([^']*)'/g)) lib.createFunction(m[1], m[1], undefined, 0);
        } catch (e) {
          // as the LUA engine reports an error raised by redis.register_function
          throw new FunctionsError(`Error registering functions: ERR ${(e as Error).message}`);
        }
      },
      call(c, _s, fi) {
        c.addBulk(fi.name);
      },
      usedMemory: () => 0,
      functionOverhead: () => 0,
      freeFunction() {},
      dispose() {},
    },
  };
}

/** Puts the stand-in engine on srv (its libraries emptied). */
export function useRegexEngine(srv: GkvServer): void {
  srv.server.functions = new Functions(() => [regexEngine()]);
}
