/**
 * Running a script, for EVAL and FCALL alike (Redis 7.0's script.c): the
 * run context, the checks before a script runs (its flags against the
 * server's state), the checks on each command it calls, SCRIPT KILL /
 * FUNCTION KILL, and the driver that runs the compiled Lua code.
 *
 * ## Running across turns of the event loop
 * Compiled Lua is a generator (src/lua/value.ts): it counts steps and yields
 * BUDGET when its budget is spent. The driver (`drive`) resumes it at once,
 * synchronously, while the script is younger than busy-reply-threshold
 * (lua-time-limit), so a short script costs one generator and no turn of
 * the event loop. Past the threshold the script is "timed out", as Redis
 * says: the driver logs "Slow script detected", records the run as the
 * server's `yielding` command and returns; the EVAL handler returns without
 * a reply and call() keeps the rest of its bookkeeping for later. The
 * driver then resumes the script from setImmediate in slices of SLICE_MS,
 * so the event loop reads other clients in between: they get -BUSY, except
 * the allow_busy commands (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE,
 * AUTH, MULTI …). Nothing else changes the dataset meanwhile: the server's
 * cron (active expiry, timeouts) waits, clients blocked on keys are served
 * only when the script ends, and the caller's next commands wait.
 * When the script ends, its reply is written and Server.finishYieldedCall
 * finishes the EVAL's call() (its duration counts the whole script).
 * Scripts run inside EXEC, or while loading the AOF, never yield (the
 * EXEC's reply cannot wait): they run to their end, as Redis's would while
 * refusing nothing.
 * A native that calls back into Lua synchronously (table.sort's comparator,
 * gsub's function) absorbs budget yields: a script stuck in one cannot be
 * interrupted until it returns.
 *
 * ## What is set while the script's code runs (enter/leave)
 * `inExec` (commands see a client that cannot block or wait, and the
 * command time is frozen: keys do not expire halfway through the script, as
 * Redis's scriptTimeSnapshot), `blocking.denyBlocking`, and `execOps`: the
 * writes the script's commands make are collected, and propagated when it
 * ends wrapped in MULTI … EXEC when there are several (Redis 7.0's effects
 * replication); inside EXEC they join the EXEC's. While the script is paused
 * the server's own state is put back, so the commands served meanwhile run
 * as usual.
 */
import type { PropagatedOp } from '../server/propagation.js';
import { scriptNoPermText } from '../server/acl.js';
import { asLuaError } from '../lua/runtime.js';
import { performance } from 'node:perf_hooks';
import { BUDGET, LuaClosure, LuaError, type LuaGen, LuaTable, type LuaValue } from '../lua/value.js';
import { LuaKill, type LuaState, STEP_BUDGET } from '../lua/state.js';
import type { Client, DeclaredFlags } from '../server/client.js';
import type { CommandSpec } from '../commands/spec.js';
import type { ServerContext, YieldingCommand } from '../commands/context.js';
import { Err } from '../protocol/errors.js';
import { addScriptError, errorTable, extractErrorInformation, luaToReply } from './convert.js';

// ---------------------------------------------------------------- flags

/** Script flags (Redis's SCRIPT_FLAG_*): from EVAL's shebang or a function's registration. */
export const SCRIPT_FLAG_NO_WRITES = 1 << 0;
export const SCRIPT_FLAG_ALLOW_OOM = 1 << 1;
export const SCRIPT_FLAG_ALLOW_STALE = 1 << 2;
export const SCRIPT_FLAG_NO_CLUSTER = 1 << 3;
/** no shebang: an EVAL script as before Redis 7.0 (none of the flag checks) */
export const SCRIPT_FLAG_EVAL_COMPAT_MODE = 1 << 4;
export const SCRIPT_FLAG_ALLOW_CROSS_SLOT = 1 << 5;

/** Redis's scripts_flags_def: the names the shebang and register_function take. */
export const SCRIPT_FLAGS_DEF: readonly [number, string][] = [
  [SCRIPT_FLAG_NO_WRITES, 'no-writes'],
  [SCRIPT_FLAG_ALLOW_OOM, 'allow-oom'],
  [SCRIPT_FLAG_ALLOW_STALE, 'allow-stale'],
  [SCRIPT_FLAG_NO_CLUSTER, 'no-cluster'],
  [SCRIPT_FLAG_ALLOW_CROSS_SLOT, 'allow-cross-slot-keys'],
];

/**
 * Redis's scriptFlagsToCmdFlags: a script that declares flags is a write
 * (and deny-oom) command unless it says no-writes (allow-oom); never a
 * may-replicate one. Null in compatibility mode (the command's own flags).
 */
export function scriptFlagsToCmdFlags(cmd: { readonly: boolean }, flags: number): DeclaredFlags | null {
  if ((flags & SCRIPT_FLAG_EVAL_COMPAT_MODE) !== 0) return null;
  return {
    write: (flags & SCRIPT_FLAG_NO_WRITES) === 0,
    denyoom: (flags & (SCRIPT_FLAG_ALLOW_OOM | SCRIPT_FLAG_NO_WRITES)) === 0,
    mayReplicate: false,
    // runs on a stale replica only when it says allow-stale (the command itself is stale-allowed)
    stale: (flags & SCRIPT_FLAG_ALLOW_STALE) !== 0,
    readonly: cmd.readonly,
  };
}

/** redis.set_repl's flags (PROPAGATE_AOF, PROPAGATE_REPL) */
export const PROPAGATE_AOF = 1;
export const PROPAGATE_REPL = 2;

/** Once timed out, a script runs this long between two turns of the event loop. */
const SLICE_MS = 5;

// ---------------------------------------------------------------- the run

/** What a run uses of its engine (engine.ts's LuaEngine). */
export interface ScriptEngine {
  readonly L: LuaState;
  /** the client the script's commands run on */
  readonly client: Client;
  /** the run in progress */
  run: ScriptRunCtx | null;
  /** scripts run on this engine */
  runs: number;
  readonly host: { readonly scriptDenyDisabled: boolean };
}

/** What one run of a script needs (EVAL: the cached script; FCALL: the function). */
export interface ScriptInvocation {
  engine: ScriptEngine;
  /** the compiled function (EVAL: the script's chunk; FCALL: the registered callback) */
  fn: LuaValue;
  /** what errors and FUNCTION STATS name it by: the script's SHA1, or the function's name */
  funcname: string;
  /** SCRIPT_FLAG_* */
  flags: number;
  /** EVAL_RO, EVALSHA_RO, FCALL_RO */
  ro: boolean;
  keys: string[];
  args: string[];
}

/** Redis's scriptRunCtx: one running script. */
export class ScriptRunCtx implements YieldingCommand {
  /** the client's argv of the running command, for FUNCTION STATS (running_script.command) */
  readonly argv: string[];
  /** when it started: its command's start (ServerContext.callStart), no clock read of its own */
  readonly startTime: number;
  /** the time commands see while the script runs (Redis's snapshot_time) */
  readonly snapshotTime: number;
  readonly readOnly: boolean;
  readonly allowOom: boolean;
  /** used memory was over maxmemory when the script started (Redis's server.script_oom) */
  readonly scriptOom: boolean;
  /** redis.set_repl */
  replFlags = PROPAGATE_AOF | PROPAGATE_REPL;
  /** a write command ran: SCRIPT KILL refuses (UNKILLABLE) */
  writeDirty = false;
  /** SCRIPT KILL / FUNCTION KILL asked to stop it */
  killed = false;
  /** past busy-reply-threshold: other clients get -BUSY */
  timedOut = false;
  /** "Slow script detected" was logged */
  private slowLogged = false;
  /** the writes to propagate at the end (null: inside EXEC, they join its ops) */
  readonly ops: PropagatedOp[] | null;
  endCall: (() => void) | null = null;
  /** may give the event loop back (a connected client's command: not inside EXEC, nor while loading) */
  readonly mayYield: boolean;
  gen: LuaGen | null = null;
  /** saved server state while the script's code runs (enter/leave) */
  private savedInExec = false;
  private savedExecOps: PropagatedOp[] | null = null;
  private savedCurrentClient: Client | null = null;
  private savedCurrentExecuting = false;
  private sliceStart = 0;

  constructor(
    readonly s: ServerContext,
    readonly caller: Client,
    readonly inv: ScriptInvocation,
    readonly evalMode: boolean,
  ) {
    this.argv = caller.curArgv ?? [];
    this.startTime = s.callStart;
    this.snapshotTime = s.ks.now;
    const compat = (inv.flags & SCRIPT_FLAG_EVAL_COMPAT_MODE) !== 0;
    this.readOnly = inv.ro || (!compat && (inv.flags & SCRIPT_FLAG_NO_WRITES) !== 0);
    this.allowOom = !compat && (inv.flags & (SCRIPT_FLAG_ALLOW_OOM | SCRIPT_FLAG_NO_WRITES)) !== 0;
    this.scriptOom = scriptOomNow(s);
    this.ops = s.execOps === null ? [] : null;
    // only a connected client's own command may wait: not inside EXEC, nor the AOF loader's replay (DEBUG LOADAOF, startup)
    this.mayYield = !s.inExec && !s.loading && caller.socket !== null;
  }

  get engine(): ScriptEngine {
    return this.inv.engine;
  }

  /** ms since the script started (FUNCTION STATS duration_ms, the BUSY threshold) */
  durationMs(): number {
    return Math.floor(performance.now() - this.startTime);
  }

  /** Sets the server's state for the script's code (see the header). */
  enter(): void {
    const s = this.s;
    this.savedInExec = s.inExec;
    this.savedExecOps = s.execOps;
    s.inExec = true;
    if (this.ops !== null) s.execOps = this.ops;
    // the caller executes, also when resumed from the event loop (Redis keeps
    // current_client through processEventsWhileBlocked): NOLOOP, and its own
    // invalidations held until its reply
    this.savedCurrentClient = s.currentClient;
    this.savedCurrentExecuting = s.currentExecuting;
    s.currentClient = this.caller;
    s.currentExecuting = true;
    s.scriptClient = this.engine.client;
    s.blocking.denyBlocking++;
    if (s.ks.now !== this.snapshotTime) s.ks.setNow(this.snapshotTime);
    this.engine.run = this;
  }

  /** Puts the server's state back (the script ended or pauses). */
  leave(): void {
    const s = this.s;
    s.inExec = this.savedInExec;
    s.execOps = this.savedExecOps;
    s.currentClient = this.savedCurrentClient;
    s.currentExecuting = this.savedCurrentExecuting;
    s.scriptClient = null;
    s.blocking.denyBlocking--;
    this.engine.run = null;
  }

  /** Runs the script until it ends or pauses; returns true when it ended (its reply written). */
  drive(): boolean {
    const L = this.engine.L;
    const gen = this.gen!;
    const s = this.s;
    this.enter();
    if (this.timedOut) this.sliceStart = performance.now();
    try {
      for (;;) {
        let r: IteratorResult<unknown, LuaValue[]>;
        if (this.killed) {
          s.log.warning('Lua script killed by user with SCRIPT KILL.');
          r = gen.throw(new LuaKill(killError()));
        } else r = gen.next();
        if (r.done === true) {
          this.leave();
          this.endOk(r.value[0]);
          return true;
        }
        // a coroutine.yield outside any coroutine: Lua 5.1's error from lua_yield in the main thread
        if (r.value !== BUDGET) throw new LuaError('attempt to yield across metamethod/C-call boundary');
        L.steps = STEP_BUDGET;
        if (this.slowLogged && !this.mayYield) continue;
        const now = performance.now();
        if (!this.timedOut) {
          const threshold = s.config.getInt('busy-reply-threshold');
          if (threshold <= 0 || now - this.startTime < threshold) continue;
          if (!this.slowLogged) {
            const elapsed = Math.floor(now - this.startTime);
            s.log.warning(
              `Slow script detected: still in execution after ${elapsed} milliseconds. You can try killing the script using the ${this.evalMode ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${this.inv.funcname}.`,
            );
            this.slowLogged = true;
          }
          // inside EXEC or while loading the script runs to its end (logged all the same, as Redis logs it)
          if (!this.mayYield) continue;
          this.timedOut = true;
          s.yielding = this;
          this.sliceStart = now;
        } else if (now - this.sliceStart < SLICE_MS) continue;
        this.leave();
        setImmediate(() => this.resume());
        return false;
      }
    } catch (e) {
      this.leave();
      // JS's own stack ran out before the engine's depth limit: Lua's "stack overflow"
      this.endError(asLuaError(L, e));
      return true;
    }
  }

  /** A paused (timed out) script goes on, from the event loop. */
  private resume(): void {
    const s = this.s;
    if (s.shuttingDown || s.shutdownRunning) {
      // SHUTDOWN NOSAVE stopped the server under the script: it never answers, as Redis's process exits
      if (s.shuttingDown && s.yielding === this) s.yielding = null;
      if (!s.shuttingDown) setImmediate(() => this.resume());
      return;
    }
    try {
      this.drive();
    } catch (e) {
      s.log.warning(`BUG: unexpected exception running a script: ${(e as Error)?.stack ?? e}`);
    }
  }

  /** The script returned v: its reply, then the end of the run. */
  private endOk(v: LuaValue): void {
    const c = this.caller;
    if (!c.closed) {
      const mark = this.timedOut && c.replyMode === 'off' ? c.deferLen() : null;
      luaToReply(c, this.engine.client.resp, v);
      if (mark !== null) c.dropSince(mark);
    }
    this.end();
  }

  /** The script raised e: Redis's error reply "-<msg> script: <name>, on <source>:<line>." */
  private endError(e: unknown): void {
    const c = this.caller;
    const L = this.engine.L;
    let text: string;
    let ignoreStats = false;
    if (e instanceof LuaKill || e instanceof LuaError) {
      // __redis__err__handler: anything but a table becomes {err='ERR '..tostring(err)}; source and line added
      const v = e instanceof LuaKill ? killError() : e.value;
      const info = v instanceof LuaTable ? extractErrorInformation(v) : { msg: Err.generic(L.tostring(v)).resp, source: undefined, line: undefined, ignoreStats: false };
      ignoreStats = info.ignoreStats;
      text = info.msg ?? 'ERR unknown error';
      text += ` script: ${this.inv.funcname}, on @${L.chunk}:${L.line}.`;
    } else {
      this.s.log.warning(`BUG: unexpected exception in script ${this.inv.funcname}: ${(e as Error)?.stack ?? e}`);
      text = 'ERR internal error running the script';
    }
    if (!c.closed) {
      const mark = this.timedOut && c.replyMode === 'off' ? c.deferLen() : null;
      addScriptError(c, '-' + text, ignoreStats);
      if (mark !== null) c.dropSince(mark);
    }
    this.end();
  }

  /** Redis's scriptResetRun: propagate the script's writes, then finish the caller's command. */
  private end(): void {
    const s = this.s;
    if (this.ops !== null && this.ops.length !== 0) s.propagateTransaction(this.ops);
    // the script itself is never propagated: its effects were (Redis's preventCommandPropagation)
    this.caller.propagated = true;
    this.engine.runs++;
    if (this.timedOut) s.finishYieldedCall(this.caller);
  }
}

/** "Script killed by user with SCRIPT KILL..." as the error table the kill raises */
function killError(): LuaTable {
  return errorTable('Script killed by user with SCRIPT KILL...');
}

/**
 * Used memory is over maxmemory and nothing could be evicted when the
 * command that runs the script started (Redis's server.pre_command_oom_state,
 * set by processCommand's performEvictions).
 */
function scriptOomNow(s: ServerContext): boolean {
  return s.maxmemory !== 0 && s.preCommandOomState;
}

/**
 * Redis's scriptPrepareForRun: the checks of the script's flags against the
 * server's state, then the run context. Writes the error to the caller and
 * returns null when the script may not run.
 */
export function scriptPrepareForRun(s: ServerContext, caller: Client, inv: ScriptInvocation, evalMode: boolean): ScriptRunCtx | null {
  const flags = inv.flags;
  if ((flags & SCRIPT_FLAG_EVAL_COMPAT_MODE) === 0) {
    if ((flags & SCRIPT_FLAG_NO_WRITES) === 0) {
      for (const check of s.diskErrorChecks) {
        const err = check();
        if (err !== null) {
          caller.addError(
            err.includes('AOF')
              ? "MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts. AOF error: " +
                  err.slice(err.lastIndexOf(': ') + 2)
              : "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.",
          );
          return null;
        }
      }
      if (inv.ro) {
        caller.addError('ERR Can not execute a script with write flag using *_ro command.');
        return null;
      }
    }
    // after the write checks: no-writes implies allow-oom
    if ((flags & (SCRIPT_FLAG_ALLOW_OOM | SCRIPT_FLAG_NO_WRITES)) === 0 && scriptOomNow(s)) {
      caller.addError("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'");
      return null;
    }
  }
  const engine = inv.engine;
  const sc = engine.client;
  sc.db = caller.db;
  sc.resp = 2; // scripts start in RESP2 (redis.setresp changes it)
  return new ScriptRunCtx(s, caller, inv, evalMode);
}

/**
 * Runs a prepared script to its end, or starts it and lets it go on across
 * turns of the event loop (see the header); the reply goes to the caller.
 * Redis's luaCallFunction's call and reply part: `args` are what the
 * function is called with (EVAL: none, KEYS and ARGV are globals; FCALL:
 * the KEYS and ARGV tables).
 */
export function scriptRun(run: ScriptRunCtx, args: LuaValue[]): void {
  const L = run.engine.L;
  L.steps = STEP_BUDGET;
  L.depth = 0;
  L.kill = undefined;
  L.line = 0;
  const fn = run.inv.fn;
  run.gen = callGenerator(run, fn, args);
  run.drive();
}

/** A generator that calls fn(args): compiled closures directly, natives wrapped. */
function* nativeCall(f: (...a: LuaValue[]) => LuaValue[], args: LuaValue[]): LuaGen {
  return f(...args);
}

function callGenerator(run: ScriptRunCtx, fn: LuaValue, args: LuaValue[]): LuaGen {
  if (typeof fn === 'function') return nativeCall(fn, args);
  // a compiled closure's own generator: no second one delegating to it
  if (fn instanceof LuaClosure) return fn.g(...args);
  return run.engine.L.call(fn, args);
}

// ---------------------------------------------------------------- calling commands

/**
 * Redis's scriptCall: the checks on a command a script calls, then call()
 * on the script's client. Returns an error text ("-CODE msg" or "msg", as
 * Redis's err out-parameter) when the command may not run (the error is
 * counted as a rejection, as Redis's afterErrorReply + ERROR_COMMAND_REJECTED),
 * or null when it ran (its reply is in the script client's output).
 */
export function scriptCall(run: ScriptRunCtx, argv: string[]): string | null {
  const s = run.s;
  const c = run.engine.client;
  let cmd = s.table.lookup(argv[0]);
  if (cmd !== undefined && cmd.subcommands !== null && argv.length >= 2) cmd = cmd.subcommands.get(argv[1].toLowerCase());
  const err = scriptCheckCommand(run, cmd, argv);
  if (err !== null) {
    s.countRejected(cmd, err.charCodeAt(0) === 45 ? err.slice(1) : Err.generic(err).resp);
    return err;
  }
  c.lastCmd = cmd!.fullName;
  const ops = s.execOps;
  const before = ops === null ? 0 : ops.length;
  s.call(c, cmd as CommandSpec<ServerContext>, argv);
  // redis.set_repl: the command's effects go only where the script says (none: taken back)
  const flags = run.replFlags;
  if (flags !== (PROPAGATE_AOF | PROPAGATE_REPL) && ops !== null) {
    if (flags === 0) ops.length = before;
    else for (let i = before; i < ops.length; i++) ops[i][2] = (ops[i][2] ?? PROPAGATE_AOF | PROPAGATE_REPL) & flags;
  }
  return null;
}

function scriptCheckCommand(run: ScriptRunCtx, cmd: CommandSpec<ServerContext> | undefined, argv: string[]): string | null {
  if (cmd === undefined) return 'Unknown Redis command called from script';
  if (!cmd.arityOk(argv.length)) return 'Wrong number of args calling Redis command from script';
  if (cmd.noScript && !run.engine.host.scriptDenyDisabled) return 'This Redis command is not allowed from script';
  // ACL: the script's client runs as its caller's user (Redis's scriptVerifyACL, logged in the "lua" context)
  const user = run.caller.user;
  if (user !== null && !user.unrestricted) {
    const d = run.s.aclCheck(user, cmd, argv);
    if (d !== null) {
      run.s.aclLogDenial(run.caller, d.denial, 'lua', cmd, argv, d.pos);
      return scriptNoPermText(d.denial);
    }
  }
  // a may-replicate command (PUBLISH …) counts as a write in a read-only script (Redis 7.0.15)
  if (run.readOnly && (cmd.write || cmd.mayReplicate)) return 'Write commands are not allowed from read-only scripts.';
  if (cmd.write) {
    const s = run.s;
    // a read-only replica: writes come only from the clients it must obey, its master and the
    // AOF's replay (the loader's client, the one without a socket: Redis's mustObeyClient)
    if (run.caller.kind !== 'master' && run.caller.socket !== null && s.readOnlyReplica()) return '-' + Err.readonlyReplica().resp;
    for (const check of s.diskErrorChecks) {
      const e = check();
      if (e !== null) return '-' + e;
    }
    // min-replicas-to-write unmet (Redis's checkGoodReplicasStatus)
    if (s.tooFewGoodReplicas()) return '-' + Err.noReplicas().resp;
  }
  // OOM: only before the script's first write (it cannot stop halfway through its writes)
  if (!run.allowOom && !run.writeDirty && run.scriptOom && cmd.denyoom) return '-' + Err.oom().resp;
  // scriptVerifyAllowStale: on a replica whose link is down (and replica-serve-stale-data no) only stale-allowed commands run
  if (!cmd.stale && run.s.staleReplica()) return 'Can not execute the command on a stale replica';
  if (cmd.write) run.writeDirty = true;
  return null;
}

// ---------------------------------------------------------------- SCRIPT KILL / FUNCTION KILL

/** Redis's scriptKill: SCRIPT KILL (isEval) or FUNCTION KILL, from another client while a script is busy. */
export function scriptKill(s: ServerContext, c: Client, isEval: boolean): void {
  const run = s.yielding;
  if (!(run instanceof ScriptRunCtx)) {
    c.addError('NOTBUSY No scripts in execution right now.');
    return;
  }
  if (run.writeDirty) {
    c.addError(
      'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
    );
    return;
  }
  if (isEval !== run.evalMode) {
    // SCRIPT KILL does not stop a function, nor FUNCTION KILL an EVAL
    c.addError(Err.busyScript(run.evalMode).resp);
    return;
  }
  run.killed = true;
  run.engine.L.kill = new LuaKill(killError());
  c.addOK();
}

/** The script running now, null when none (FUNCTION STATS, SCRIPT KILL). */
export function runningScript(s: ServerContext): ScriptRunCtx | null {
  return s.yielding instanceof ScriptRunCtx ? s.yielding : null;
}
