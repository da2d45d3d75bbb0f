/**
 * Redis 7.0's functions (functions.c): the library registry behind FUNCTION
 * LOAD / DELETE / FLUSH / LIST / DUMP / RESTORE / STATS and FCALL.
 *
 * A library is the code a client loaded (`#!lua name=mylib` then Lua that
 * calls redis.register_function): its name, its engine, its code (kept
 * whole, shebang included: it is what RDB, AOF and FUNCTION DUMP save and
 * what loading them runs again) and the functions its load registered.
 * A FunctionsLibCtx holds libraries and, across them, the functions by name
 * (function names are case-insensitive, as Redis's functionDictType;
 * library names case-sensitive, as librariesDictType), with per-engine
 * counts (FUNCTION STATS). The server has one current ctx; FUNCTION RESTORE
 * and loading an RDB build a ctx apart and join or swap it in, so a failure
 * leaves the current libraries as they were.
 *
 * Engines: Redis has one, "LUA" (function_lua.c, here functions-lua.ts),
 * behind an interface (FunctionEngine) so that the registry knows nothing
 * of Lua: `create` compiles and runs a library's code, whose registrations
 * call FunctionLibInfo.createFunction; `call` runs a function for FCALL.
 *
 * Per-server state lives in Functions (the server's typed `functions`
 * field, set by installFunctions from the composition root); nothing is in
 * module globals.
 */
import { splitArgs } from '../protocol/inline.js';
import type { LuaMemoryFigures, ServerContext } from '../commands/context.js';
import type { Client } from '../server/client.js';

// ------------------------------------------------------------------ names

/** ASCII lower case only, as strcasecmp compares (latin1 letters beyond ASCII stay as they are). */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) | 0x20)) : s;
}

// ------------------------------------------------------------------ the registry

/** An error of loading a library: `message` is Redis's text without the "ERR " code. */
export class FunctionsError extends Error {}

/** One registered function (functionInfo). `fn` is the engine's compiled function. */
export interface FunctionInfo {
  readonly name: string;
  readonly fn: unknown;
  readonly lib: FunctionLibInfo;
  readonly desc: string | undefined;
  readonly flags: number;
}

/** What an engine implements (Redis's engine struct). */
export interface FunctionEngine {
  /**
   * Compiles and runs `code` (the library's code after its shebang line) so
   * that it registers its functions on `lib` (lib.createFunction). A load
   * running longer than `timeoutMs` (0: no limit) is stopped. Throws
   * FunctionsError with Redis's text ("Error compiling function: …",
   * "Error registering functions: …").
   */
  create(lib: FunctionLibInfo, code: string, timeoutMs: number): void;
  /** Runs a function for FCALL / FCALL_RO (`ro`), writing its reply to c. */
  call(c: Client, s: ServerContext, fi: FunctionInfo, keys: string[], args: string[], ro: boolean): void;
  /** The engine's VM memory (INFO used_memory_vm_functions). */
  usedMemory(): number;
  /** A function's memory beyond the registry's records (get_function_memory_overhead). */
  functionOverhead(fn: unknown): number;
  /** Releases a function's compiled form (a library deleted or replaced). */
  freeFunction(fn: unknown): void;
}

/** A registered engine (engineInfo): its name as Redis spells it ("LUA") and its implementation. */
export interface EngineInfo {
  readonly name: string;
  readonly engine: FunctionEngine;
}

/** Names of libraries and functions: [a-zA-Z0-9_]+ (functionsVerifyName). */
export function functionsVerifyName(name: string): boolean {
  return /^[a-zA-Z0-9_]+$/.test(name);
}

export const NAME_FORMAT_ERROR = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

/** A library (functionLibInfo): its functions in registration order. */
export class FunctionLibInfo {
  readonly functions = new Map<string, FunctionInfo>();
  constructor(
    readonly name: string,
    readonly ei: EngineInfo,
    /** the whole payload, shebang line included (what is saved and restored) */
    readonly code: string,
  ) {}

  /**
   * functionLibCreateFunction: a function registered by the library's load.
   * Throws FunctionsError for a bad name or one the library already has.
   */
  createFunction(name: string, fn: unknown, desc: string | undefined, flags: number): void {
    if (!functionsVerifyName(name)) throw new FunctionsError(NAME_FORMAT_ERROR);
    // libraryFunctionDictType compares names as they are
    if (this.functions.has(name)) throw new FunctionsError('Function already exists in the library');
    this.functions.set(name, { name, fn, lib: this, desc, flags });
  }
}

interface EngineStats {
  libraries: number;
  functions: number;
}

/** functionsLibCtx: libraries, the functions of them all by (case-folded) name, counts per engine. */
export class FunctionsLibCtx {
  readonly libraries = new Map<string, FunctionLibInfo>();
  /** keyed by the ASCII-lower-cased name (dictSdsCaseHash) */
  readonly functions = new Map<string, FunctionInfo>();
  readonly stats = new Map<string, EngineStats>();
  /** the records' memory as Redis counts it (cache_memory) */
  cacheMemory = 0;

  constructor(engines: Iterable<EngineInfo>) {
    for (const ei of engines) this.stats.set(ei.name, { libraries: 0, functions: 0 });
  }

  /** A function by name (FCALL): case-insensitive. */
  lookup(name: string): FunctionInfo | undefined {
    return this.functions.get(asciiLower(name));
  }

  /** functionsLibCtxClear */
  clear(): void {
    this.functions.clear();
    this.libraries.clear();
    for (const st of this.stats.values()) {
      st.libraries = 0;
      st.functions = 0;
    }
    this.cacheMemory = 0;
  }

  /** libraryLink: a library and its functions enter the ctx. */
  link(li: FunctionLibInfo): void {
    for (const fi of li.functions.values()) {
      const k = asciiLower(fi.name);
      // dictAdd: a name differing only in case from one of the same library is not added twice
      if (!this.functions.has(k)) this.functions.set(k, fi);
      this.cacheMemory += functionMallocSize(fi);
    }
    this.libraries.set(li.name, li);
    this.cacheMemory += libraryMallocSize(li);
    const st = this.stats.get(li.ei.name)!;
    st.libraries++;
    st.functions += li.functions.size;
  }

  /** libraryUnlink: a library and its functions leave the ctx. */
  unlink(li: FunctionLibInfo): void {
    for (const fi of li.functions.values()) {
      const k = asciiLower(fi.name);
      if (this.functions.get(k) === fi) this.functions.delete(k);
      this.cacheMemory -= functionMallocSize(fi);
    }
    this.libraries.delete(li.name);
    this.cacheMemory -= libraryMallocSize(li);
    const st = this.stats.get(li.ei.name)!;
    st.libraries--;
    st.functions -= li.functions.size;
  }

  /**
   * libraryJoin: every library of `src` added to this ctx. On a library name
   * already here: with `replace` the old one is replaced, else nothing
   * changes and FunctionsError "Library x already exists"; a function name
   * already here (in another library) fails the same way. `src` is emptied
   * on success.
   */
  join(src: FunctionsLibCtx, replace: boolean): void {
    const old: FunctionLibInfo[] = [];
    try {
      for (const li of src.libraries.values()) {
        const o = this.libraries.get(li.name);
        if (o === undefined) continue;
        if (!replace) throw new FunctionsError(`Library ${li.name} already exists`);
        this.unlink(o);
        old.push(o);
      }
      for (const fi of src.functions.values()) {
        if (this.lookup(fi.name) !== undefined) throw new FunctionsError(`Function ${fi.name} already exists`);
      }
    } catch (e) {
      // revert: the replaced libraries come back
      for (const o of old) this.link(o);
      throw e;
    }
    for (const li of src.libraries.values()) this.link(li);
    src.clear();
    for (const o of old) freeLibrary(o);
  }
}

/** Releases a library's compiled functions (engineLibraryFree). */
function freeLibrary(li: FunctionLibInfo): void {
  for (const fi of li.functions.values()) li.ei.engine.freeFunction(fi.fn);
}

// Memory as Redis counts it (zmalloc_size of the structs and sds strings, jemalloc's size classes).
const FUNCTION_INFO_SIZE = 48;
const LIB_INFO_SIZE = 32;
/** the functionsLibCtx struct, the engines dict and the LUA engine's own records (FUNCTION FLUSH leaves them) */
const CTX_BASE_MEMORY = 200;

/** jemalloc's small size classes: what zmalloc_size reports for a request of n bytes. */
function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  // 4 classes per doubling above 128
  const p = 2 ** Math.floor(Math.log2(n - 1));
  const step = p / 4;
  return Math.ceil(n / step) * step;
}

/** sdsZmallocSize of a string of n bytes (an sds header of 1–9 bytes and the NUL). */
function sdsSize(n: number): number {
  const hdr = n < 32 ? 1 : n < 256 ? 3 : n < 65536 ? 5 : 9;
  return jemallocSize(hdr + n + 1);
}

function functionMallocSize(fi: FunctionInfo): number {
  return FUNCTION_INFO_SIZE + sdsSize(fi.name.length) + (fi.desc !== undefined ? sdsSize(fi.desc.length) : 0) + fi.lib.ei.engine.functionOverhead(fi.fn);
}

function libraryMallocSize(li: FunctionLibInfo): number {
  return LIB_INFO_SIZE + sdsSize(li.name.length) + sdsSize(li.code.length);
}

// ------------------------------------------------------------------ the library's metadata

/** What the shebang line says (functionsLibMataData): engine, library name, and the code after it. */
export interface LibMetaData {
  engine: string;
  name: string;
  code: string;
}

/**
 * functionExtractLibMetaData: `#!<engine> name=<library>` on the first line
 * (split as sdssplitargs splits, so quotes may surround the name). The code
 * handed to the engine starts at the line's newline, so its line numbers are
 * the payload's. Throws FunctionsError with Redis's texts.
 */
export function functionExtractLibMetaData(payload: string): LibMetaData {
  if (!payload.startsWith('#!')) throw new FunctionsError('Missing library metadata');
  const nl = payload.indexOf('\n');
  if (nl === -1) throw new FunctionsError('Invalid library metadata');
  const parts = splitArgs(payload.slice(0, nl));
  if (parts === null || parts.length === 0) throw new FunctionsError('Invalid library metadata');
  const engine = parts[0].slice(2);
  let name: string | undefined;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (asciiLower(part.slice(0, 5)) === 'name=') {
      if (name !== undefined) throw new FunctionsError('Invalid metadata value, name argument was given multiple times');
      name = part.slice(5);
      continue;
    }
    throw new FunctionsError(`Invalid metadata value given: ${part}`);
  }
  if (name === undefined) throw new FunctionsError('Library name was not given');
  return { engine, name, code: payload.slice(nl) };
}

// ------------------------------------------------------------------ per server

/** Redis's LOAD_TIMEOUT_MS: a library's load may run this long. */
export const LOAD_TIMEOUT_MS = 500;

/**
 * The server's functions: the engines (by upper-cased name: engineDictType
 * compares names case-insensitively) and the current libraries.
 */
export class Functions {
  readonly engines = new Map<string, EngineInfo>();
  lib: FunctionsLibCtx;

  /** `memory`: INFO memory's figures, kept up to date here (null: not shown anywhere, a test's registry). */
  constructor(
    engines: EngineInfo[],
    private readonly memory: LuaMemoryFigures | null = null,
  ) {
    for (const ei of engines) this.engines.set(ei.name.toUpperCase(), ei);
    this.lib = new FunctionsLibCtx(this.engines.values());
    this.updateMemory();
  }

  /** INFO memory's functions figures (used_memory_vm_functions, used_memory_functions, number_of_*), after a change. */
  updateMemory(): void {
    const m = this.memory;
    if (m === null) return;
    m.vmFunctions = this.memoryVM();
    m.functions = this.memoryEngine();
    m.functionsCount = this.numFunctions;
    m.librariesCount = this.numLibraries;
  }

  /** A new, empty ctx with this server's engines (functionsLibCtxCreate). */
  newCtx(): FunctionsLibCtx {
    return new FunctionsLibCtx(this.engines.values());
  }

  /**
   * functionsCreateWithLibraryCtx: parses the payload, runs it in its engine
   * and links the library into `ctx`, replacing one of the same name when
   * `replace`. Returns the library's name. On any failure `ctx` is left as
   * it was and FunctionsError carries Redis's text.
   */
  create(code: string, replace: boolean, ctx: FunctionsLibCtx = this.lib, timeoutMs = LOAD_TIMEOUT_MS): string {
    const md = functionExtractLibMetaData(code);
    if (!functionsVerifyName(md.name)) throw new FunctionsError(NAME_FORMAT_ERROR);
    const ei = this.engines.get(asciiLower(md.engine).toUpperCase());
    if (ei === undefined) throw new FunctionsError(`Engine '${md.engine}' not found`);
    let old = ctx.libraries.get(md.name);
    if (old !== undefined && !replace) throw new FunctionsError(`Library '${md.name}' already exists`);
    if (old !== undefined) ctx.unlink(old);
    const li = new FunctionLibInfo(md.name, ei, code);
    try {
      ei.engine.create(li, md.code, timeoutMs);
      if (li.functions.size === 0) throw new FunctionsError('No functions registered');
      for (const fi of li.functions.values()) {
        if (ctx.lookup(fi.name) !== undefined) throw new FunctionsError(`Function ${fi.name} already exists`);
      }
    } catch (e) {
      freeLibrary(li);
      if (old !== undefined) ctx.link(old);
      old = undefined;
      throw e;
    }
    ctx.link(li);
    if (old !== undefined) freeLibrary(old);
    if (ctx === this.lib) this.updateMemory();
    return md.name;
  }

  /** FUNCTION DELETE: false when there is no such library. */
  deleteLibrary(name: string): boolean {
    const li = this.lib.libraries.get(name);
    if (li === undefined) return false;
    this.lib.unlink(li);
    freeLibrary(li);
    this.updateMemory();
    return true;
  }

  /**
   * functionsLibCtxClearCurrent (7.0's): every library gone; the engines
   * and their VMs stay. Returns the number of functions dropped.
   */
  flush(): number {
    const n = this.lib.functions.size;
    for (const li of this.lib.libraries.values()) freeLibrary(li);
    this.lib = this.newCtx();
    this.updateMemory();
    return n;
  }

  /** functionsLibCtxSwapWithCurrent (FUNCTION RESTORE FLUSH, an RDB's libraries loaded over none). */
  swap(ctx: FunctionsLibCtx): void {
    for (const li of this.lib.libraries.values()) freeLibrary(li);
    this.lib = ctx;
    this.updateMemory();
  }

  /** libraryJoin into the current libraries (FUNCTION RESTORE APPEND / REPLACE); throws FunctionsError. */
  join(ctx: FunctionsLibCtx, replace: boolean): void {
    try {
      this.lib.join(ctx, replace);
    } finally {
      this.updateMemory();
    }
  }

  /** The libraries' payloads in order (what RDB, AOF and FUNCTION DUMP save). */
  codes(): string[] {
    return Array.from(this.lib.libraries.values(), (li) => li.code);
  }

  // INFO memory's figures
  /** functionsMemoryVM */
  memoryVM(): number {
    let n = 0;
    for (const ei of this.engines.values()) n += ei.engine.usedMemory();
    return n;
  }

  /** functionsMemoryEngine: the registry's own memory */
  memoryEngine(): number {
    const buckets = this.lib.functions.size === 0 ? 0 : 2 ** Math.ceil(Math.log2(Math.max(4, this.lib.functions.size)));
    return CTX_BASE_MEMORY + buckets * 8 + this.lib.functions.size * 24 + this.lib.cacheMemory;
  }

  get numFunctions(): number {
    return this.lib.functions.size;
  }

  get numLibraries(): number {
    return this.lib.libraries.size;
  }
}

declare module '../commands/context.js' {
  interface ServerContext {
    /** FUNCTION's libraries and engines, a typed field set by installFunctions (null until installed) */
    functions: Functions | null;
  }
}

/** Installs the functions registry on a server (the composition root does, before listen()). */
export function installFunctions(s: ServerContext, engines: EngineInfo[]): Functions {
  if (s.functions === null) s.functions = new Functions(engines, s.luaMemory);
  return s.functions;
}
