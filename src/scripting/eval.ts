/**
 * EVAL's scripts (Redis 7.0's eval.c): the script cache — SHA1 of the body
 * → the compiled chunk and its shebang flags — and EVAL / EVALSHA /
 * EVAL_RO / EVALSHA_RO / SCRIPT's implementation on it.
 *
 * A script is compiled once, when EVAL first sees it or SCRIPT LOAD loads
 * it, as the chunk "@user_script" (its `return` is the script's result).
 * A shebang line (`#!lua flags=no-writes,allow-oom`) is parsed as Redis's
 * evalExtractShebangFlags (sdssplitargs, then `flags=` lists) and blanked
 * out but for its newline, so line numbers stay the user's. A script
 * without one runs in Redis's EVAL compatibility mode: none of the flag
 * checks (no-writes, allow-oom …) apply. SCRIPT FLUSH drops the cache and
 * the Lua VM with it (a new engine: globals as new).
 */
import type { LuaValue } from '../lua/value.js';
import { LuaError, tableFromArray } from '../lua/value.js';
import type { Client, DeclaredFlags } from '../server/client.js';
import { splitArgs } from '../protocol/inline.js';
import { Err, sanitizeErrorText } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { feedMonitors } from '../server/monitor.js';
import { LuaEngine, type ScriptingHost, sha1hex } from './engine.js';
import { LUA_COMPILER } from './libs.js';
import { SCRIPT_FLAGS_DEF, SCRIPT_FLAG_EVAL_COMPAT_MODE, scriptFlagsToCmdFlags, scriptPrepareForRun, scriptRun } from './script.js';

/** A cached script (Redis's luaScript). */
export interface LuaScript {
  /** its SHA1, lower case (the cache's key) */
  readonly sha: string;
  readonly body: string;
  readonly flags: number;
  /** the compiled chunk */
  readonly fn: LuaValue;
}

/** Redis's evalExtractShebangFlags: the flags and the shebang's length, or the error text. */
export function evalExtractShebangFlags(body: string): { flags: number; shebangLen: number } | string {
  let flags = SCRIPT_FLAG_EVAL_COMPAT_MODE;
  if (!body.startsWith('#!')) return { flags, shebangLen: 0 };
  let end = body.indexOf('\n');
  if (end === -1) return 'Invalid script shebang';
  // a C string: the shebang ends at a NUL byte too
  const nul = body.indexOf('\0');
  if (nul !== -1 && nul < end) end = nul;
  const parts = splitArgs(body.slice(0, end));
  if (parts === null || parts.length === 0) return 'Invalid engine in script shebang';
  if (parts[0] !== '#!lua') return `Unexpected engine in script shebang: ${parts[0]}`;
  flags &= ~SCRIPT_FLAG_EVAL_COMPAT_MODE;
  for (let j = 1; j < parts.length; j++) {
    const p = parts[j];
    if (!p.startsWith('flags=')) return `Unknown lua shebang option: ${p}`;
    const list = p.slice(6);
    if (list === '') continue;
    for (const f of list.split(',')) {
      const def = SCRIPT_FLAGS_DEF.find(([, name]) => name === f);
      if (def === undefined) return `Unexpected flag in script shebang: ${f}`;
      flags |= def[0];
    }
  }
  return { flags, shebangLen: end };
}

/** Redis's lctx: EVAL's Lua VM and its script cache. */
export class EvalScripts {
  engine: LuaEngine;
  readonly scripts = new Map<string, LuaScript>();
  /** bytes of the cached bodies and their SHAs (Redis's lua_scripts_mem) */
  scriptsMem = 0;

  constructor(readonly host: ScriptingHost) {
    this.engine = new LuaEngine(host, 'user_script');
    this.updateMemory();
  }

  /** SCRIPT FLUSH (Redis's scriptingReset): the cache and the VM start anew. */
  reset(): void {
    this.scripts.clear();
    this.lastShaScript = undefined;
    this.scriptsMem = 0;
    this.host.s.freeClient(this.engine.client);
    this.engine = new LuaEngine(this.host, 'user_script');
    this.updateMemory();
  }

  /** INFO memory's EVAL figures */
  private updateMemory(): void {
    const m = this.host.s.luaMemory;
    m.vmEval = this.engine.memory();
    // Redis's evalScriptsMemory: the bodies and SHAs, plus a dict entry and a luaScript per script and the buckets
    const n = this.scripts.size;
    let slots = 0;
    if (n > 0) for (slots = 4; slots < n; slots *= 2);
    m.scriptsEval = this.scriptsMem + n * (24 + 16) + slots * 8;
    m.cachedScripts = n;
  }

  /**
   * Redis's luaCreateFunction: the cached script of `body`, compiled and
   * added when new. On error writes it to c and returns null.
   */
  createFunction(c: Client, body: string, sha = sha1hex(body)): string | null {
    if (this.scripts.has(sha)) return sha;
    const sh = evalExtractShebangFlags(body);
    if (typeof sh === 'string') {
      c.addError(Err.generic(sh).resp);
      return null;
    }
    // the shebang is skipped but its line feed kept, so line numbers are the user's
    const source = sh.shebangLen === 0 ? body : body.slice(sh.shebangLen);
    let fn: LuaValue;
    try {
      fn = compile(this.engine, source);
    } catch (e) {
      if (!(e instanceof LuaError)) throw e;
      c.addError(sanitizeErrorText(`ERR Error compiling script (new function): ${this.engine.L.tostring(e.value)}`));
      return null;
    }
    this.scripts.set(sha, { sha, body, flags: sh.flags, fn });
    this.scriptsMem += 40 + 9 + body.length + 9;
    this.updateMemory();
    return sha;
  }

  /** Redis's evalGenericCommand: EVAL, EVALSHA and their _RO forms. */
  evalGenericCommand(c: Client, argv: string[], evalsha: boolean, ro: boolean): void {
    const s = this.host.s;
    // explicitly fed here, so the script's commands show after it (EVAL is skip_monitor for call())
    if (s.monitors.size !== 0) feedMonitors(s, c, argv);
    const numkeys = parseNumKeys(c, argv);
    if (numkeys === null) return;
    let sha: string;
    if (evalsha) {
      if (argv[1].length !== 40) {
        c.addError(NOSCRIPT);
        return;
      }
      sha = argv[1];
    } else sha = this.shaOf(argv[1]);
    let script = evalsha ? this.bySha(sha) : this.scripts.get(sha);
    if (script !== undefined) sha = script.sha;
    if (script === undefined) {
      if (evalsha) {
        c.addError(NOSCRIPT);
        return;
      }
      if (this.createFunction(c, argv[1], sha) === null) return;
      script = this.scripts.get(sha)!;
    }
    const engine = this.engine;
    const keys = argv.slice(3, 3 + numkeys);
    const args = argv.slice(3 + numkeys);
    const run = scriptPrepareForRun(s, c, { engine, fn: script.fn, funcname: sha, flags: script.flags, ro, keys, args }, true);
    if (run === null) return;
    // on EVAL, KEYS and ARGV are globals
    engine.setGlobal('KEYS', tableFromArray(keys));
    engine.setGlobal('ARGV', tableFromArray(args));
    scriptRun(run, []);
  }

  /** the last body EVAL hashed and its SHA1 (declaredFlags and the handler hash the same body) */
  private lastBody = '';
  private lastSha = '';

  /** sha1hex of an EVAL's body, remembered for the next ask */
  shaOf(body: string): string {
    if (body !== this.lastBody) {
      this.lastSha = sha1hex(body);
      this.lastBody = body;
    }
    return this.lastSha;
  }

  /**
   * Redis's evalGetCommandFlags: the flags a cached (or, for EVAL, given)
   * script declares in its shebang, in place of EVAL's own for the pipeline's
   * guards; null for a script without one (EVAL's flags apply).
   */
  evalGetCommandFlags(cmd: { readonly: boolean }, argv: string[], evalsha: boolean): DeclaredFlags | null {
    if (argv.length < 2 || (evalsha && argv[1].length !== 40)) return null;
    const script = evalsha ? this.bySha(argv[1]) : this.scripts.get(this.shaOf(argv[1]));
    let flags: number;
    if (script !== undefined) flags = script.flags;
    else {
      if (evalsha) return null;
      const sh = evalExtractShebangFlags(argv[1]);
      if (typeof sh === 'string') return null;
      flags = sh.flags;
    }
    return scriptFlagsToCmdFlags(cmd, flags);
  }

  /** the SHA string bySha last found and its script: the guards' lookup and EVALSHA's share one argv string */
  private lastShaArg: string | null = null;
  private lastShaScript: LuaScript | undefined = undefined;

  /** The cached script of a SHA1 given in any case (lower-cased only when not found as it is). */
  bySha(sha: string): LuaScript | undefined {
    // the same SHA as the last ask: no hashing of its 40 characters again (scripts leave the cache only by reset())
    if (sha === this.lastShaArg && this.lastShaScript !== undefined) return this.lastShaScript;
    const script = this.scripts.get(sha) ?? this.scripts.get(sha.toLowerCase());
    this.lastShaArg = sha;
    this.lastShaScript = script;
    return script;
  }

  /** SCRIPT EXISTS */
  exists(sha: string): boolean {
    return this.bySha(sha) !== undefined;
  }
}

const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';

/** EVAL's numkeys (getLongLongFromObjectOrReply, then its bounds); null when an error was written. */
function parseNumKeys(c: Client, argv: string[]): number | null {
  const v = parseInt64(argv[2]);
  if (v === null) {
    c.addError(Err.notInteger().resp);
    return null;
  }
  const n = Number(v);
  if (n > argv.length - 3) {
    c.addError(Err.numkeysTooMany().resp);
    return null;
  }
  if (n < 0) {
    c.addError(Err.numkeysNegative().resp);
    return null;
  }
  return n;
}

/** Compiles a script's source as the chunk "@user_script" (throws LuaError on a syntax error). */
function compile(engine: LuaEngine, source: string): LuaValue {
  const load = LUA_COMPILER.load;
  if (load === null) throw new LuaError('user_script:1: the Lua compiler is not available');
  return load(engine.L, source, engine.L.chunk);
}
