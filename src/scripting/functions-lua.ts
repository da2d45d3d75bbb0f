/**
 * The "LUA" engine of Redis 7.0's functions (function_lua.c): a Lua VM of
 * its own (a LuaEngine of the shared runtime, chunk "user_function"), the
 * environment a library's code loads in, redis.register_function, and
 * FCALL through the shared runtime (script.ts: scriptPrepareForRun,
 * scriptRun), so a function runs, pauses, is killed and propagates its
 * writes exactly as an EVAL script.
 *
 * The globals, as Redis arranges them (luaEngineInitEngine): the runtime's
 * sandboxed globals (the real ones: libraries, `redis` …, read-only, a
 * missing name raises) sit behind an empty read-only table whose
 * metatable's __index points at them; library code is compiled with that
 * table as its environment, so its functions see the real globals when
 * they run. While a library loads, __index points instead at the load API:
 * a `redis` table holding only register_function, log, the LOG_* levels,
 * REDIS_VERSION and REDIS_VERSION_NUM, so `redis.call`, `string`, `math`,
 * `getmetatable`… raise "Script attempted to access nonexistent global
 * variable". Both are read-only, so a load cannot create globals either.
 * A load runs at most LOAD_TIMEOUT_MS (500 ms): "FUNCTION LOAD timeout".
 * The callback of a function registered during one load is called by FCALL
 * with two tables, its KEYS and its ARGV.
 */
import { asLuaError } from '../lua/runtime.js';
import { performance } from 'node:perf_hooks';
import { BUDGET, type LuaClosure, LuaError, LuaTable, type LuaValue, isFunction, numberToString, tableFromArray } from '../lua/value.js';
import { STEP_BUDGET } from '../lua/state.js';
import { loadChunk } from '../lua/load.js';
import type { Client } from '../server/client.js';
import type { ServerContext } from '../commands/context.js';
import { LuaEngine, type ScriptingHost } from './engine.js';
import { errorTable, extractErrorInformation } from './convert.js';
import { SCRIPT_FLAGS_DEF, scriptPrepareForRun, scriptRun } from './script.js';
import { type EngineInfo, type FunctionEngine, type FunctionInfo, type FunctionLibInfo, FunctionsError, asciiLower } from './functions.js';

/**
 * used_memory_vm_functions: Redis's Lua heap, which gKV's VM does not have
 * apart from V8's. An estimate shaped as Redis's figures go: 33792 bytes for
 * a fresh VM, then about 12 bytes per byte of library code ever loaded, in
 * 1 KB steps (the VM keeps its garbage: FUNCTION FLUSH and DELETE do not
 * lower it).
 */
const VM_BASE_MEMORY = 33792;
const VM_BYTES_PER_CODE_BYTE = 12;

class LuaFunctionEngine implements FunctionEngine {
  readonly e: LuaEngine;
  /** the library being loaded (Redis's REGISTRY_LOAD_CTX_NAME), null outside FUNCTION LOAD */
  private loading: FunctionLibInfo | null = null;
  /** the globals library code sees, and its metatable (whose __index switches between the load API and the real globals) */
  private readonly env = new LuaTable();
  private readonly envMeta = new LuaTable();
  private readonly globalsApi: LuaTable;
  private readonly libraryApi: LuaTable;
  private codeBytes = 0;

  constructor(host: ScriptingHost) {
    const e = (this.e = new LuaEngine(host, 'user_function'));
    const L = e.L;
    this.globalsApi = L.globals;
    // the load API: redis.register_function, redis.log and the constants
    const redis = new LuaTable();
    redis.set('register_function', (...args: LuaValue[]) => this.registerFunction(args));
    for (const k of ['log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM']) redis.set(k, e.redis.get(k));
    redis.metatable = this.globalsApi.metatable;
    const api = new LuaTable();
    api.set('redis', redis);
    api.metatable = this.globalsApi.metatable;
    redis.readonly = true;
    api.readonly = true;
    this.libraryApi = api;
    this.envMeta.set('__index', this.globalsApi);
    this.envMeta.readonly = true;
    this.env.metatable = this.envMeta;
    this.env.readonly = true;
  }

  private setIndex(t: LuaTable): void {
    this.envMeta.readonly = false;
    this.envMeta.set('__index', t);
    this.envMeta.readonly = true;
  }

  /** luaEngineCreate: compiles the library's code and runs it with the load API as its globals. */
  create(lib: FunctionLibInfo, code: string, timeoutMs: number): void {
    const L = this.e.L;
    let f: LuaClosure;
    try {
      f = loadChunk(L, code, '@user_function', this.env);
    } catch (e) {
      if (e instanceof LuaError) throw new FunctionsError(`Error compiling function: ${L.tostring(e.value)}`);
      throw e;
    }
    this.setIndex(this.libraryApi);
    this.loading = lib;
    try {
      this.runLoad(f, timeoutMs);
    } catch (e) {
      if (!(e instanceof LuaError)) throw e;
      const info = extractErrorInformation(e.value);
      throw new FunctionsError(`Error registering functions: ${info.msg ?? 'ERR unknown error'}`);
    } finally {
      this.loading = null;
      this.setIndex(this.globalsApi);
    }
    this.codeBytes += lib.code.length;
  }

  /** Runs the library's main chunk to its end, stopping it past the time limit (luaEngineLoadHook). */
  private runLoad(f: LuaClosure, timeoutMs: number): void {
    const L = this.e.L;
    L.steps = STEP_BUDGET;
    L.depth = 0;
    L.kill = undefined;
    L.line = 0;
    const start = performance.now();
    const gen = f.g();
    for (;;) {
      let r: IteratorResult<unknown, LuaValue[]>;
      try {
        r = gen.next();
      } catch (e) {
        if (e instanceof RangeError) throw asLuaError(L, e);
        throw e;
      }
      if (r.done === true) return;
      if (r.value !== BUDGET) throw L.error('attempt to yield from outside a coroutine');
      L.steps = STEP_BUDGET;
      if (timeoutMs > 0 && performance.now() - start > timeoutMs) throw new LuaError(errorTable('FUNCTION LOAD timeout'));
    }
  }

  /** luaRegisterFunction: redis.register_function(name, callback) or redis.register_function{…}. */
  private registerFunction(args: LuaValue[]): LuaValue[] {
    const lib = this.loading;
    if (lib === null) raise('redis.register_function can only be called on FUNCTION LOAD command');
    let name: string | undefined;
    let desc: string | undefined;
    let callback: LuaValue = undefined;
    let flags = 0;
    if (args.length < 1 || args.length > 2) raise('wrong number of arguments to redis.register_function');
    if (args.length === 1) {
      // named arguments (luaRegisterFunctionReadNamedArgs)
      const t = args[0];
      if (!(t instanceof LuaTable)) raise('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).');
      const tbl = t as LuaTable;
      for (let kv = tbl.next(undefined); kv !== undefined; kv = tbl.next(kv[0])) {
        const key = luaString(kv[0]);
        if (key === undefined) raise('named argument key given to redis.register_function is not a string');
        const v = kv[1];
        switch (asciiLower(key!)) {
          case 'function_name':
            name = luaString(v);
            if (name === undefined) raise('function_name argument given to redis.register_function must be a string');
            break;
          case 'description':
            desc = luaString(v);
            if (desc === undefined) raise('description argument given to redis.register_function must be a string');
            break;
          case 'callback':
            if (!isFunction(v)) raise('callback argument given to redis.register_function must be a function');
            callback = v;
            break;
          case 'flags':
            if (!(v instanceof LuaTable)) raise('flags argument to redis.register_function must be a table representing function flags');
            flags = readFlags(v as LuaTable);
            break;
          default:
            raise('unknown argument given to redis.register_function');
        }
      }
      if (name === undefined) raise('redis.register_function must get a function name argument');
      if (callback === undefined) raise('redis.register_function must get a callback argument');
    } else {
      name = luaString(args[0]);
      if (name === undefined) raise('first argument to redis.register_function must be a string');
      if (!isFunction(args[1])) raise('second argument to redis.register_function must be a function');
      callback = args[1];
    }
    try {
      lib!.createFunction(name!, callback, desc, flags);
    } catch (e) {
      if (e instanceof FunctionsError) raise(e.message);
      throw e;
    }
    return [];
  }

  /** luaEngineCall: the callback with its KEYS and ARGV, run by the shared runtime. */
  call(c: Client, s: ServerContext, fi: FunctionInfo, keys: string[], args: string[], ro: boolean): void {
    const run = scriptPrepareForRun(s, c, { engine: this.e, fn: fi.fn as LuaValue, funcname: fi.name, flags: fi.flags, ro, keys, args }, false);
    if (run === null) return;
    scriptRun(run, [tableFromArray(keys), tableFromArray(args)]);
  }

  usedMemory(): number {
    return VM_BASE_MEMORY + Math.ceil((this.codeBytes * VM_BYTES_PER_CODE_BYTE) / 1024) * 1024;
  }

  /** a luaFunctionCtx (zmalloc_size of its one int: 8) */
  functionOverhead(): number {
    return 8;
  }

  freeFunction(): void {
    // the callback is garbage once the registry drops it (Redis's lua_unref)
  }
}

/** luaPushError + luaError: raises {err="ERR <msg>"} (no position, as Redis's luaPushError for these). */
function raise(msg: string): never {
  throw new LuaError(errorTable(msg));
}

/** luaGetStringSds / lua_isstring: a string, or a number as its string, else undefined. */
function luaString(v: LuaValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  return undefined;
}

/** luaRegisterFunctionReadFlags: flags[1], flags[2] … up to the first nil, each a known name. */
function readFlags(t: LuaTable): number {
  let flags = 0;
  for (let j = 1; ; j++) {
    const v = t.get(j);
    if (v === undefined) return flags;
    const name = luaString(v);
    const def = name === undefined ? undefined : SCRIPT_FLAGS_DEF.find(([, n]) => n === asciiLower(name));
    if (def === undefined) raise('unknown flag given');
    flags |= def![0];
  }
}

/** luaEngineInitEngine: a new LUA engine (its own Lua VM), on the server's scripting host. */
export function luaEngine(s: ServerContext): EngineInfo {
  const host = s.scripting;
  if (host === null) throw new Error('functions need the scripting runtime (installScripting) installed first');
  return { name: 'LUA', engine: new LuaFunctionEngine(host) };
}
