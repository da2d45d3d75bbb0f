/**
 * A Lua "VM" for scripts (Redis 7.0's script_lua.c): a LuaState with
 * Redis's sandbox, the `redis` API table, and the client the script's
 * commands run on. Redis keeps two: EVAL's (chunk "user_script") and
 * FUNCTION's ("user_function"); each is a LuaEngine here, sharing the
 * server's scripting host (SCRIPT/FUNCTION KILL, the deny-script switch).
 *
 * The sandbox, as redis-server 7.0.15 shows it (`pairs(_G)`): the globals
 * are exactly Redis's (base library without print, dofile, loadfile,
 * getfenv, setfenv, module, require, newproxy; string, table, math, cjson,
 * cmsgpack, struct, bit, coroutine; redis; no os, io, debug, package); the
 * global table answers a read of a missing name with "Script attempted to
 * access nonexistent global variable 'x'", and it and every table reachable
 * from it (metatables included) are read-only ("Attempt to modify a readonly
 * table"), so scripts cannot create globals nor change the libraries. EVAL
 * sets KEYS and ARGV by lifting the protection for that moment.
 * `pcall` is Redis's: an error table {err=…} comes back as its message.
 * `server` is an alias of `redis` (Valkey's name; scripts written for it run).
 */
import { createHash } from 'node:crypto';
import { EMPTY, LuaClosure, LuaError, type LuaGen, LuaTable, type LuaValue, numberToString, stringToNumber } from '../lua/value.js';
import { LuaState } from '../lua/state.js';
import type { Client } from '../server/client.js';
import type { ServerContext } from '../commands/context.js';
import { formatG } from '../util/numbers.js';
import { REDIS_VERSION } from '../version.js';
import { errorTable, replyToLua } from './convert.js';
import { PROPAGATE_AOF, PROPAGATE_REPL, type ScriptEngine, type ScriptRunCtx, scriptCall } from './script.js';
import { LUA_LIBRARIES } from './libs.js';
import { type RedisRand48, openRedisMathRandom } from '../lua/lib/math.js';

/** What the engines of one server share. */
export interface ScriptingHost {
  readonly s: ServerContext;
  /** math.random's state: one per server, as Redis's single static rand48 state shared by EVAL and FCALL */
  readonly rand48: RedisRand48;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: noscript commands allowed from scripts (tests) */
  scriptDenyDisabled: boolean;
}

/** The globals Redis 7.0.15's sandbox leaves (besides KEYS and ARGV, set per run). */
const ALLOWED_GLOBALS = new Set([
  '_G',
  '_VERSION',
  '__redis__err__handler',
  'assert',
  'bit',
  'cjson',
  'cmsgpack',
  'collectgarbage',
  'coroutine',
  'error',
  'gcinfo',
  'getmetatable',
  'ipairs',
  'load',
  'loadstring',
  'math',
  'next',
  'pairs',
  'pcall',
  'rawequal',
  'rawget',
  'rawset',
  'redis',
  'select',
  'setmetatable',
  'string',
  'struct',
  'table',
  'tonumber',
  'tostring',
  'type',
  'unpack',
  'xpcall',
  'server',
]);

/** REDIS_VERSION_NUM: 0x00MMmmpp */
function versionNum(v: string): number {
  const [a, b, c] = v.split('.').map(Number);
  return (a << 16) | (b << 8) | c;
}

/** SHA1 of a byte string, 40 lower-case hex digits (Redis's sha1hex) */
export function sha1hex(s: string): string {
  return createHash('sha1').update(s, 'latin1').digest('hex');
}

export class LuaEngine implements ScriptEngine {
  readonly L = new LuaState();
  /** the client the scripts' commands run on (Redis's lua_client: CLIENT_SCRIPT, DENY_BLOCKING) */
  readonly client: Client;
  /** the run in progress, null between scripts */
  run: ScriptRunCtx | null = null;
  /** scripts run (finished) on this engine */
  runs = 0;
  /** the `redis` table, for the engine's own additions (FUNCTION's register_function) */
  readonly redis: LuaTable;

  constructor(
    readonly host: ScriptingHost,
    /** the chunk name errors carry: "user_script" (EVAL) or "user_function" (FUNCTION) */
    chunk: string,
    /** extra `redis` fields before the tables are locked (FUNCTION adds register_function …) */
    extra?: (e: LuaEngine, redis: LuaTable) => void,
  ) {
    const L = this.L;
    L.chunk = chunk;
    const c = host.s.createClient(null);
    c.script = true;
    // as Redis shows a client without a connection (SLOWLOG)
    c.addr = c.laddr = '?:0';
    this.client = c;
    for (const open of LUA_LIBRARIES) open(L);
    openRedisMathRandom(L, host.rand48);
    this.redis = registerRedisApi(this);
    if (extra !== undefined) extra(this, this.redis);
    L.globals.set('server', this.redis);
    // Redis's pcall: an error table comes back as its err message
    const basePcall = L.globals.get('pcall');
    if (basePcall !== undefined) L.globals.set('pcall', luaRedisPcall(L, basePcall));
    L.globals.set('__redis__err__handler', (err: LuaValue) => [err]);
    for (const [k] of [...entries(L.globals)]) if (typeof k !== 'string' || !ALLOWED_GLOBALS.has(k)) L.globals.set(k, undefined);
    lockGlobalTable(L);
  }

  /**
   * Sets a global past the protection (EVAL's KEYS and ARGV, Redis's
   * lua_enablereadonlytable(…, 0) around lua_setglobal).
   */
  setGlobal(name: string, v: LuaValue): void {
    const g = this.L.globals;
    g.readonly = false;
    g.set(name, v);
    g.readonly = true;
  }

  /** Lua's memory as Redis reports it (used_memory_vm_eval): an estimate, V8 keeps it with the rest */
  memory(): number {
    return 32768;
  }
}

function* entries(t: LuaTable): Generator<[LuaValue, LuaValue]> {
  for (let kv = t.next(undefined); kv !== undefined; kv = t.next(kv[0])) yield kv;
}

/**
 * Redis's global protection: reading a missing global raises, and the
 * globals and every table reachable from them are read-only.
 */
function lockGlobalTable(L: LuaState): void {
  const g = L.globals;
  const mt = new LuaTable();
  mt.set('__index', (_t: LuaValue, k: LuaValue) => {
    throw L.error(`Script attempted to access nonexistent global variable '${typeof k === 'number' ? numberToString(k) : String(k)}'`);
  });
  g.metatable = mt;
  protect(g);
}

/** luaSetTableProtectionRecursively */
function protect(t: LuaTable): void {
  if (t.readonly) return;
  t.readonly = true;
  for (const [, v] of entries(t)) if (v instanceof LuaTable) protect(v);
  if (t.metatable !== undefined) protect(t.metatable);
}

/** Redis's luaRedisPcall around the base library's pcall */
function luaRedisPcall(L: LuaState, basePcall: LuaValue): LuaClosure {
  return new LuaClosure(function* (...args: LuaValue[]): LuaGen {
    const r = yield* L.call(basePcall, args);
    if (r[0] === false && r[1] instanceof LuaTable) {
      const e = r[1].get('err');
      if (typeof e === 'string' || typeof e === 'number') return [false, e];
    }
    return r;
  }, 'pcall');
}

/**
 * Redis's luaArgsToRedisArgv: strings as they are, numbers as "%.17g"
 * (not Lua's %.14g, which loses precision); anything else fails.
 * Returns the error text (for errorTable) instead of argv. `args` is the
 * native's own rest array, so it becomes argv in place.
 */
function luaArgsToRedisArgv(args: LuaValue[]): string[] | string {
  if (args.length === 0) return 'Please specify at least one argument for this redis lib call';
  for (let j = 0; j < args.length; j++) {
    const a = args[j];
    if (typeof a === 'string') continue;
    if (typeof a === 'number') args[j] = numberArg(a);
    else return 'Lua redis lib command arguments must be strings or integers';
  }
  return args as string[];
}

/** snprintf("%.17g") of an argument */
function numberArg(n: number): string {
  if ((n | 0) === n && (n !== 0 || 1 / n > 0)) return String(n);
  if (n !== n) return '-nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return formatG(n, 17);
}

/** The script client's output as one string, taken (Redis reads c->buf and c->reply, then resets them). */
function takeReply(c: Client): string {
  let out: string;
  if (c.chunkBytes === 0) out = c.out;
  else {
    const parts: string[] = [];
    for (const ch of c.takeChunks()) parts.push(typeof ch === 'string' ? ch : ch.latin1Slice(0, ch.length));
    parts.push(c.out);
    out = parts.join('');
  }
  c.out = '';
  return out;
}

/** lua_tonumber: numbers and numeric strings, else 0 */
function toNum(v: LuaValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return stringToNumber(v) ?? 0;
  return 0;
}

/** lua_tolstring: strings and numbers (as %.14g), else undefined */
function toLStr(v: LuaValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  return undefined;
}

const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;

/** The `redis` table (luaRegisterRedisAPI and EVAL's additions). */
function registerRedisApi(e: LuaEngine): LuaTable {
  const L = e.L;
  const s = e.host.s;
  const raise = (msg: string): never => {
    throw new LuaError(errorTable(msg));
  };

  /** luaRedisGenericCommand: redis.call (raise) and redis.pcall */
  const genericCommand = (raiseError: boolean, args: LuaValue[]): LuaValue[] => {
    const run = e.run;
    if (run === null) raise('redis.call/pcall can only be called inside a script invocation');
    const argv = luaArgsToRedisArgv(args);
    if (typeof argv === 'string') {
      const t = errorTable(argv);
      if (raiseError) throw new LuaError(t);
      return [t];
    }
    const err = scriptCall(run!, argv);
    if (err !== null) {
      const t = errorTable(err, true);
      if (raiseError) throw new LuaError(t);
      return [t];
    }
    const reply = takeReply(e.client);
    const v = replyToLua(reply);
    if (raiseError && reply.charCodeAt(0) === 45) throw new LuaError(v);
    return [v];
  };

  const redis = new LuaTable();
  const fns: Record<string, LuaValue> = {
    call: (...args: LuaValue[]) => genericCommand(true, args),
    pcall: (...args: LuaValue[]) => genericCommand(false, args),
    log: (...args: LuaValue[]) => {
      if (args.length < 2) raise('redis.log() requires two arguments or more.');
      const lv = args[0];
      if (typeof lv !== 'number' && (typeof lv !== 'string' || stringToNumber(lv) === undefined)) raise('First argument must be a number (log level).');
      const level = Math.trunc(toNum(lv));
      if (!(level >= 0 && level <= 3)) raise('Invalid debug level.');
      let msg = '';
      for (let j = 1; j < args.length; j++) {
        const str = toLStr(args[j]);
        if (str !== undefined) {
          if (j !== 1) msg += ' ';
          msg += str;
        }
      }
      s.log.log(LOG_LEVELS[level], msg);
      return EMPTY;
    },
    LOG_DEBUG: 0,
    LOG_VERBOSE: 1,
    LOG_NOTICE: 2,
    LOG_WARNING: 3,
    REDIS_VERSION_NUM: versionNum(REDIS_VERSION),
    REDIS_VERSION: REDIS_VERSION,
    setresp: (...args: LuaValue[]) => {
      const run = e.run;
      if (run === null) raise('redis.setresp can only be called inside a script invocation');
      if (args.length !== 1) raise('redis.setresp() requires one argument.');
      const resp = Math.trunc(toNum(args[0]));
      if (resp !== 2 && resp !== 3) raise('RESP version must be 2 or 3.');
      e.client.resp = resp as 2 | 3;
      return EMPTY;
    },
    sha1hex: (...args: LuaValue[]) => {
      if (args.length !== 1) raise('wrong number of arguments');
      return [sha1hex(toLStr(args[0]) ?? '')];
    },
    error_reply: (...args: LuaValue[]) => {
      const a = args[args.length - 1];
      if (args.length !== 1 || typeof a !== 'string') return [errorTable('wrong number or type of arguments')];
      return [errorTable(a.charCodeAt(0) === 45 ? a : '-' + a)];
    },
    status_reply: (...args: LuaValue[]) => {
      const a = args[args.length - 1];
      if (args.length !== 1 || typeof a !== 'string') return [errorTable('wrong number or type of arguments')];
      const t = new LuaTable();
      t.set('ok', a);
      return [t];
    },
    set_repl: (...args: LuaValue[]) => {
      const run = e.run;
      if (run === null) raise('redis.set_repl can only be called inside a script invocation');
      if (args.length !== 1) raise('redis.set_repl() requires two arguments.');
      const flags = Math.trunc(toNum(args[0]));
      if ((flags & ~(PROPAGATE_AOF | PROPAGATE_REPL)) !== 0) raise('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
      run!.replFlags = flags;
      return EMPTY;
    },
    REPL_NONE: 0,
    REPL_AOF: PROPAGATE_AOF,
    REPL_SLAVE: PROPAGATE_REPL,
    REPL_REPLICA: PROPAGATE_REPL,
    REPL_ALL: PROPAGATE_AOF | PROPAGATE_REPL,
    acl_check_cmd: (...args: LuaValue[]) => {
      if (e.run === null) raise('redis.acl_check_cmd can only be called inside a script invocation');
      const argv = luaArgsToRedisArgv(args);
      if (typeof argv === 'string') raise(argv as string);
      const a = argv as string[];
      let cmd = s.table.lookup(a[0]);
      if (cmd !== undefined && cmd.subcommands !== null && a.length >= 2) cmd = cmd.subcommands.get(a[1].toLowerCase());
      if (cmd === undefined) raise('Invalid command passed to redis.acl_check_cmd()');
      // ACLCheckAllUserCommandPerm for the script's caller (no ACL LOG entry: it only asks)
      const user = e.run!.caller.user;
      if (user === null || user.unrestricted) return [true];
      return [s.aclCheck(user, cmd!, a) === null];
    },
    // the debugger's (redis-cli --ldb): no-ops outside a debugging session
    breakpoint: () => [false],
    debug: () => EMPTY,
    // deprecated since 7.0: effects replication is the only mode
    replicate_commands: () => [true],
  };
  for (const [k, v] of Object.entries(fns)) redis.set(k, v);
  L.globals.set('redis', redis);
  return redis;
}
