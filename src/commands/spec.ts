/**
 * Command specs: what the table knows of each command.
 *
 * Redis's facts about a command (arity, flags, first/last/step, ACL
 * categories, tips, key specs, documented argument structure) are not typed
 * here by hand: they come from meta/redis-7.0-commands.json, generated from a
 * live redis-server 7.0 by scripts/refresh-command-meta.mjs (the Garnet way:
 * checked against a live server, never edited by hand). A family file
 * declares rows — name and handler, subcommands nested — and the registry
 * (table.ts) joins the two. A test asserts that COMMAND INFO of every
 * implemented command matches a live Redis byte for byte.
 */
import type { Client, DeclaredFlags } from '../server/client.js';
import type { HdrHistogram } from '../util/hdr-histogram.js';

/**
 * A command's implementation: the client, its arguments, and the context the
 * handler may use. `Ctx` is the interface a family declares it needs
 * (commands/context.ts: DataContext for the data types, ServerContext for the
 * rest); the server passes itself, which implements them all. The command
 * model does not name the server, so it sits below everything that runs
 * commands.
 */
export type Handler<Ctx> = (c: Client, argv: string[], s: Ctx) => void;

/** One row of a family's table, for handlers that take a Ctx. */
export interface CommandRow<Ctx> {
  name: string;
  handler?: Handler<Ctx>;
  /** subcommands (`config|get`), each with its own handler */
  sub?: CommandRow<Ctx>[];
  /** the handler reads values longer than a JS string through argValue() (see Client.bigArgs) */
  bigArgs?: true;
  /** the flags a call declares in place of the command's (a script's shebang): see DeclaredFlags */
  declaredFlags?: (argv: string[], s: Ctx) => DeclaredFlags | null;
}

export interface BeginSearch {
  type: 'index' | 'keyword' | 'unknown';
  spec: { index?: number; keyword?: string; startfrom?: number };
}
export interface FindKeys {
  type: 'range' | 'keynum' | 'unknown';
  spec: { lastkey?: number; keystep?: number; limit?: number; keynumidx?: number; firstkey?: number };
}
export interface KeySpec {
  notes?: string;
  flags: string[];
  begin_search: BeginSearch;
  find_keys: FindKeys;
}

export interface CommandMetaInfo {
  name: string;
  arity: number;
  flags: string[];
  firstKey: number;
  lastKey: number;
  step: number;
  acl: string[];
  tips: string[];
  keySpecs: KeySpec[];
  subcommands: CommandMetaInfo[];
}

export interface CommandStats {
  calls: number;
  usec: number;
  rejected: number;
  failed: number;
  /** the latency histogram (latency-tracking), created on the first recorded call */
  hist: HdrHistogram | null;
}

/** Fresh, zeroed stats (a new command, CONFIG RESETSTAT). */
export function newCommandStats(): CommandStats {
  return { calls: 0, usec: 0, rejected: 0, failed: 0, hist: null };
}

/**
 * Redis 7.0's CMD_MAY_REPLICATE commands: they may add to the replication
 * stream without writing (a PUBLISH, a script that writes, PFCOUNT's cache
 * update), so CLIENT PAUSE WRITE holds them and a monitor or replica may not
 * run them. COMMAND INFO hides this flag ("Hidden on purpose"), so the
 * metadata does not carry it.
 */
const MAY_REPLICATE = new Set(['publish', 'spublish', 'pfcount', 'eval', 'evalsha', 'fcall']);

/**
 * A command as the table knows it. `Ctx` is the context its handler takes:
 * the server's table holds CommandSpec<ServerContext>; code that only reads
 * a command's facts (flags, stats, names) takes a plain CommandSpec, whose
 * handler it cannot call (Ctx = never).
 */
/** Redis's commands flagged PROTECTED, and the setting that allows each */
const PROTECTED_COMMANDS = new Map<string, 'enable-debug-command' | 'enable-module-command'>([
  ['debug', 'enable-debug-command'],
  ['module|load', 'enable-module-command'],
  ['module|loadex', 'enable-module-command'],
  ['module|unload', 'enable-module-command'],
]);

export class CommandSpec<Ctx = never> {
  readonly flagSet: Set<string>;
  // hot-path flags
  readonly write: boolean;
  readonly readonly: boolean;
  readonly denyoom: boolean;
  readonly admin: boolean;
  readonly noAuth: boolean;
  readonly noScript: boolean;
  readonly blocking: boolean;
  readonly loading: boolean;
  readonly stale: boolean;
  readonly fast: boolean;
  readonly pubsub: boolean;
  readonly noMulti: boolean;
  readonly allowBusy: boolean;
  readonly skipMonitor: boolean;
  readonly skipSlowlog: boolean;
  readonly mayReplicate: boolean;
  readonly movableKeys: boolean;
  /** may run untimed in a segment (Server.call): fast, never blocks, no fan-out (PUBLISH is O(receivers)) */
  readonly untimed: boolean;
  /**
   * Redis's CMD_PROTECTED (not shown by COMMAND INFO): DEBUG, and MODULE
   * LOAD/LOADEX/UNLOAD run only as this setting allows (processCommand).
   */
  readonly protectedBy: 'enable-debug-command' | 'enable-module-command' | null;
  stats: CommandStats = newCommandStats();
  /** set from the row: takes arguments longer than a JS string (CommandRow.bigArgs) */
  takesBigArgs = false;
  /** set from the row: the flags a call declares in place of these (CommandRow.declaredFlags) */
  declaredFlags: ((argv: string[], s: Ctx) => DeclaredFlags | null) | null = null;
  subcommands: Map<string, CommandSpec<Ctx>> | null = null;
  /** the command's id in the ACL bitmaps (server/acl.ts), found on its first restricted check; -1 until then */
  aclId = -1;
  /** gKV's one-line summary (meta/summaries.ts), COMMAND DOCS's `summary`; set by the registry */
  summary: string | null = null;

  constructor(
    readonly name: string,
    readonly fullName: string,
    readonly info: CommandMetaInfo,
    readonly docs: Record<string, unknown> | null,
    readonly handler: Handler<Ctx> | null,
    readonly parent: CommandSpec<Ctx> | null,
  ) {
    const f = (this.flagSet = new Set(info.flags));
    this.write = f.has('write');
    this.readonly = f.has('readonly');
    this.denyoom = f.has('denyoom');
    this.admin = f.has('admin');
    this.noAuth = f.has('no_auth');
    this.noScript = f.has('noscript');
    this.blocking = f.has('blocking');
    this.loading = f.has('loading');
    this.stale = f.has('stale');
    this.fast = f.has('fast');
    this.pubsub = f.has('pubsub');
    this.noMulti = f.has('no_multi');
    this.allowBusy = f.has('allow_busy');
    this.skipMonitor = f.has('skip_monitor');
    this.skipSlowlog = f.has('skip_slowlog');
    this.mayReplicate = MAY_REPLICATE.has(fullName);
    this.movableKeys = f.has('movablekeys');
    this.untimed = this.fast && !this.blocking && !this.pubsub;
    this.protectedBy = PROTECTED_COMMANDS.get(fullName) ?? null;
  }

  get arity(): number {
    return this.info.arity;
  }

  /** Redis's ACL categories without the '@'. */
  get aclCategories(): string[] {
    return this.info.acl.map((a) => a.replace(/^@/, ''));
  }

  get group(): string {
    return (this.docs?.group as string) ?? 'generic';
  }

  /** Arity check as Redis: N exact, -N at least N (counting the name). */
  arityOk(argc: number): boolean {
    const a = this.info.arity;
    return a > 0 ? argc === a : argc >= -a;
  }
}
