/**
 * FUNCTION LOAD / DELETE / FLUSH / LIST / DUMP / RESTORE / STATS / KILL /
 * HELP, FCALL and FCALL_RO: the commands of Redis 7.0's functions.c, in its
 * reply shapes and error texts.
 *
 * The libraries are scripting/functions.ts (the server's `functions`); the
 * payload of DUMP and RESTORE is persistence/rdb/functions.ts (RDB's
 * FUNCTION2 records with a DUMP footer). A command that changes the
 * libraries counts one change (server.dirty++), so call() propagates it as
 * it came (AOF, replicas) and save points see it.
 */
import type { ServerCommands, ServerContext } from '../context.js';
import type { Client, DeclaredFlags } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { is } from '../args.js';
import { addHelp } from '../help.js';
import { feedMonitors } from '../../server/monitor.js';
import { LAZYFREE_THRESHOLD } from '../../server/lazyfree.js';
import { globMatch } from '../../util/glob.js';
import { parseInt64 } from '../../util/numbers.js';
import { RdbError, RdbReader, verifyDumpPayload } from '../../persistence/rdb/decode.js';
import { RDB_OPCODE_FUNCTION, RDB_OPCODE_FUNCTION2, functionDumpPayload, rdbLoadFunctionPayload } from '../../persistence/rdb/functions.js';
import { type Functions, type FunctionsLibCtx, FunctionsError, LOAD_TIMEOUT_MS } from '../../scripting/functions.js';
import { SCRIPT_FLAGS_DEF, runningScript, scriptFlagsToCmdFlags, scriptKill } from '../../scripting/script.js';

function functionsOf(s: ServerContext): Functions {
  if (s.functions === null) throw Err.raw('ERR functions are not available on this server');
  return s.functions;
}

/** A FunctionsError as Redis's reply (addReplyErrorSds: "ERR " and the text). */
function functionsErr(e: unknown): unknown {
  return e instanceof FunctionsError ? Err.generic(e.message) : e;
}

// ------------------------------------------------------------------ FUNCTION LOAD / DELETE / FLUSH

/** FUNCTION LOAD [REPLACE] <code>: the library's name. */
function functionLoadCommand(c: Client, argv: string[], s: ServerContext): void {
  let replace = false;
  let pos = 2;
  while (pos < argv.length - 1) {
    const arg = argv[pos++];
    if (is(arg, 'replace')) {
      replace = true;
      continue;
    }
    throw Err.raw(`ERR Unknown option given: ${arg}`);
  }
  if (pos >= argv.length) throw Err.raw('ERR Function code is missing');
  let name: string;
  try {
    // a client the server must obey (the AOF's, a master) loads with no time limit
    name = functionsOf(s).create(argv[pos], replace, undefined, c.kind === 'master' || c.socket === null ? 0 : LOAD_TIMEOUT_MS);
  } catch (e) {
    throw functionsErr(e);
  }
  s.ks.dirty++;
  c.addBulk(name);
}

function functionDeleteCommand(c: Client, argv: string[], s: ServerContext): void {
  if (!functionsOf(s).deleteLibrary(argv[2])) throw Err.raw('ERR Library not found');
  s.ks.dirty++;
  c.addOK();
}

/** FUNCTION FLUSH [ASYNC|SYNC]: without a mode, lazyfree-lazy-user-flush decides. */
function functionFlushCommand(c: Client, argv: string[], s: ServerContext): void {
  if (argv.length > 3) throw Err.subcommandSyntax(argv[1], 'FUNCTION');
  let async: boolean;
  if (argv.length === 3 && is(argv[2], 'sync')) async = false;
  else if (argv.length === 3 && is(argv[2], 'async')) async = true;
  else if (argv.length === 2) async = s.config.getBool('lazyfree-lazy-user-flush');
  else throw Err.raw('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  const n = functionsOf(s).flush();
  // freeFunctionsAsync hands the functions to the lazy-free thread when there are more than LAZYFREE_THRESHOLD
  if (async && n > LAZYFREE_THRESHOLD) s.lazyfree.emptyDbAsync(n);
  s.ks.dirty++;
  c.addOK();
}

// ------------------------------------------------------------------ FUNCTION LIST / STATS

/** FUNCTION LIST [LIBRARYNAME <pattern>] [WITHCODE] */
function functionListCommand(c: Client, argv: string[], s: ServerContext): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (!withCode && is(arg, 'withcode')) {
      withCode = true;
      continue;
    }
    if (pattern === null && is(arg, 'libraryname')) {
      if (i >= argv.length - 1) throw Err.raw('ERR library name argument was not given');
      pattern = argv[++i];
      continue;
    }
    throw Err.raw(`ERR Unknown argument ${arg}`);
  }
  // the pattern matches without regard to case (stringmatchlen's nocase)
  const libs = [...functionsOf(s).lib.libraries.values()].filter((li) => pattern === null || globMatch(pattern, li.name, true));
  c.addArrayLen(libs.length);
  for (const li of libs) {
    c.addMapLen(withCode ? 4 : 3);
    c.addBulk('library_name');
    c.addBulk(li.name);
    c.addBulk('engine');
    c.addBulk(li.ei.name);
    c.addBulk('functions');
    c.addArrayLen(li.functions.size);
    for (const fi of li.functions.values()) {
      c.addMapLen(3);
      c.addBulk('name');
      c.addBulk(fi.name);
      c.addBulk('description');
      c.addBulkOrNull(fi.desc);
      c.addBulk('flags');
      // functionListReplyFlags: a set of the declared flags' names, as statuses
      const names = SCRIPT_FLAGS_DEF.filter(([f]) => (fi.flags & f) !== 0);
      c.addSetLen(names.length);
      for (const [, n] of names) c.addStatus(n);
    }
    if (withCode) {
      c.addBulk('library_code');
      c.addBulk(li.code);
    }
  }
}

/** FUNCTION STATS: the running function (or nil) and each engine's counts. */
function functionStatsCommand(c: Client, _argv: string[], s: ServerContext): void {
  const f = functionsOf(s);
  const run = runningScript(s);
  if (run !== null && run.evalMode) throw Err.busyScript(true);
  c.addMapLen(2);
  c.addBulk('running_script');
  if (run === null) c.addNull();
  else {
    c.addMapLen(3);
    c.addBulk('name');
    c.addBulk(run.inv.funcname);
    c.addBulk('command');
    c.addBulks(run.argv);
    c.addBulk('duration_ms');
    c.addInt(run.durationMs());
  }
  c.addBulk('engines');
  c.addMapLen(f.engines.size);
  for (const ei of f.engines.values()) {
    const st = f.lib.stats.get(ei.name)!;
    c.addBulk(ei.name);
    c.addMapLen(2);
    c.addBulk('libraries_count');
    c.addInt(st.libraries);
    c.addBulk('functions_count');
    c.addInt(st.functions);
  }
}

/** FUNCTION KILL: the running function stopped (scriptKill for functions). */
function functionKillCommand(c: Client, _argv: string[], s: ServerContext): void {
  scriptKill(s, c, false);
}

// ------------------------------------------------------------------ FUNCTION DUMP / RESTORE

function functionDumpCommand(c: Client, _argv: string[], s: ServerContext): void {
  const payload = functionDumpPayload(functionsOf(s).codes(), { compress: s.config.getBool('rdbcompression') });
  c.addBulkBuffer(payload, payload.length);
}

/** FUNCTION RESTORE <payload> [FLUSH|APPEND|REPLACE] (APPEND by default). */
function functionRestoreCommand(c: Client, argv: string[], s: ServerContext): void {
  if (argv.length > 4) throw Err.subcommandSyntax(argv[1], 'FUNCTION');
  let policy: 'flush' | 'append' | 'replace' = 'append';
  if (argv.length === 4) {
    const p = argv[3];
    if (is(p, 'append')) policy = 'append';
    else if (is(p, 'replace')) policy = 'replace';
    else if (is(p, 'flush')) policy = 'flush';
    else throw Err.raw('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
  }
  const data = Buffer.from(argv[2], 'latin1');
  if (!verifyDumpPayload(data, s.skipChecksumValidation)) throw Err.dumpPayload();
  const f = functionsOf(s);
  const ctx = f.newCtx();
  restorePayloadInto(f, ctx, data);
  try {
    if (policy === 'flush') f.swap(ctx);
    else f.join(ctx, policy === 'replace');
  } catch (e) {
    throw functionsErr(e);
  }
  s.ks.dirty++;
  c.addOK();
}

/** The libraries of a verified payload created in ctx; the first error is the reply. */
function restorePayloadInto(f: Functions, ctx: FunctionsLibCtx, data: Buffer): void {
  const r = new RdbReader(data);
  // the last 10 bytes are the RDB version and the checksum
  while (data.length - r.pos > 10) {
    let type: number;
    try {
      type = r.loadType();
    } catch {
      throw Err.raw('ERR can not read data type');
    }
    if (type !== RDB_OPCODE_FUNCTION && type !== RDB_OPCODE_FUNCTION2) throw Err.raw('ERR given type is not a function');
    try {
      f.create(rdbLoadFunctionPayload(r, type), false, ctx, 0);
    } catch (e) {
      if (e instanceof RdbError || e instanceof FunctionsError) throw Err.generic(e.message);
      throw e;
    }
  }
}

function functionHelpCommand(c: Client): void {
  addHelp(c, 'FUNCTION', [
    'LOAD [REPLACE] <FUNCTION CODE>',
    '    Create a new library with the given library name and code.',
    'DELETE <LIBRARY NAME>',
    '    Delete the given library.',
    'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
    '    Return general information on all the libraries:',
    '    * Library name',
    '    * The engine used to run the Library',
    '    * Library description',
    '    * Functions list',
    '    * Library code (if WITHCODE is given)',
    '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
    'STATS',
    '    Return information about the current function running:',
    '    * Function name',
    '    * Command used to run the function',
    '    * Duration in MS that the function is running',
    '    If no function is running, return nil',
    '    In addition, returns a list of available engines.',
    'KILL',
    '    Kill the current running function.',
    'FLUSH [ASYNC|SYNC]',
    '    Delete all the libraries.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the libraries.',
    '    * SYNC: Synchronously flush the libraries.',
    'DUMP',
    '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
    'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
    '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
    '    control how to handle existing libraries (default APPEND):',
    '    * FLUSH: delete all existing libraries.',
    '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
    '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
    '      libraries with the new libraries (notice that even on this option there is a chance of failure',
    '      in case of functions name collision with another library).',
  ]);
}

// ------------------------------------------------------------------ FCALL / FCALL_RO

/** fcallCommandGeneric: the function, its keys and arguments, run by its engine. */
function fcallCommandGeneric(c: Client, argv: string[], s: ServerContext, ro: boolean): void {
  // FCALL is skip_monitor: it is fed to monitors here, before the commands it runs
  if (s.monitors.size !== 0) feedMonitors(s, c, argv);
  const f = functionsOf(s);
  const fi = f.lib.lookup(argv[1]);
  if (fi === undefined) throw Err.raw('ERR Function not found');
  const n = parseInt64(argv[2]);
  if (n === null) throw Err.raw('ERR Bad number of keys provided');
  if (n > argv.length - 3) throw Err.numkeysTooMany();
  if (n < 0) throw Err.numkeysNegative();
  const numkeys = Number(n);
  fi.lib.ei.engine.call(c, s, fi, argv.slice(3, 3 + numkeys), argv.slice(3 + numkeys), ro);
}

function fcallCommand(c: Client, argv: string[], s: ServerContext): void {
  fcallCommandGeneric(c, argv, s, false);
}

function fcallroCommand(c: Client, argv: string[], s: ServerContext): void {
  fcallCommandGeneric(c, argv, s, true);
}

/**
 * fcallGetCommandFlags: the called function's flags in place of FCALL's
 * own for the pipeline's guards (OOM, MISCONF, CLIENT PAUSE WRITE …); null
 * when there is no such function (the handler answers).
 */
const FCALL = { readonly: false };
const FCALL_RO = { readonly: true };
function fcallFlags(cmd: { readonly: boolean }, argv: string[], s: ServerContext): DeclaredFlags | null {
  const fi = argv.length >= 2 ? s.functions?.lib.lookup(argv[1]) : undefined;
  return fi === undefined ? null : scriptFlagsToCmdFlags(cmd, fi.flags);
}

// ------------------------------------------------------------------ table

export const functionCommands: ServerCommands = [
  {
    name: 'function',
    sub: [
      { name: 'load', handler: functionLoadCommand },
      { name: 'delete', handler: functionDeleteCommand },
      { name: 'flush', handler: functionFlushCommand },
      { name: 'list', handler: functionListCommand },
      { name: 'stats', handler: functionStatsCommand },
      { name: 'kill', handler: functionKillCommand },
      { name: 'dump', handler: functionDumpCommand },
      { name: 'restore', handler: functionRestoreCommand },
      { name: 'help', handler: functionHelpCommand },
    ],
  },
  { name: 'fcall', handler: fcallCommand, declaredFlags: (argv, s) => fcallFlags(FCALL, argv, s) },
  { name: 'fcall_ro', handler: fcallroCommand, declaredFlags: (argv, s) => fcallFlags(FCALL_RO, argv, s) },
];
