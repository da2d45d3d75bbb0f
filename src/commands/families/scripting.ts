/**
 * The scripting family (Redis's eval.c commands): EVAL, EVALSHA, EVAL_RO,
 * EVALSHA_RO and SCRIPT. The work is the scripting subsystem's
 * (src/scripting/: the cache in eval.ts, the run in script.ts); these rows
 * parse SCRIPT's subcommands and hand over.
 */
import type { ServerCommands, ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { addHelp } from '../help.js';
import { type Scripting, scriptKill } from '../../scripting/index.js';

function scriptingOf(s: ServerContext): Scripting {
  if (s.scripting === null) throw Err.raw('ERR scripting is not installed on this server');
  return s.scripting;
}

function evalCommand(c: Client, argv: string[], s: ServerContext): void {
  scriptingOf(s).eval.evalGenericCommand(c, argv, false, false);
}

function evalRoCommand(c: Client, argv: string[], s: ServerContext): void {
  scriptingOf(s).eval.evalGenericCommand(c, argv, false, true);
}

function evalShaCommand(c: Client, argv: string[], s: ServerContext): void {
  scriptingOf(s).eval.evalGenericCommand(c, argv, true, false);
}

function evalShaRoCommand(c: Client, argv: string[], s: ServerContext): void {
  scriptingOf(s).eval.evalGenericCommand(c, argv, true, true);
}

const SCRIPT_HELP = [
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

function scriptHelpCommand(c: Client): void {
  addHelp(c, 'SCRIPT', SCRIPT_HELP);
}

/** SCRIPT FLUSH [ASYNC|SYNC]: the cache and the Lua VM start anew (not propagated, as in Redis 7.0) */
function scriptFlushCommand(c: Client, argv: string[], s: ServerContext): void {
  if (argv.length > 3 || (argv.length === 3 && !['sync', 'async'].includes(argv[2].toLowerCase()))) {
    c.addError('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    return;
  }
  const async = argv.length === 3 ? argv[2].toLowerCase() === 'async' : s.config.getBool('lazyfree-lazy-user-flush');
  const ev = scriptingOf(s).eval;
  // the cache is dropped at once either way (V8's collector frees it); ASYNC counts it as Redis's lazy free does
  if (async) s.lazyfree.freeScriptsAsync(ev.scripts.size);
  ev.reset();
  c.addOK();
}

function scriptExistsCommand(c: Client, argv: string[], s: ServerContext): void {
  const ev = scriptingOf(s).eval;
  c.addArrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) c.addInt(ev.exists(argv[j]) ? 1 : 0);
}

function scriptLoadCommand(c: Client, argv: string[], s: ServerContext): void {
  const sha = scriptingOf(s).eval.createFunction(c, argv[2]);
  if (sha !== null) c.addBulk(sha);
}

function scriptKillCommand(c: Client, _argv: string[], s: ServerContext): void {
  scriptKill(s, c, true);
}

/** EVAL's flags for the pipeline: the script's shebang flags when it declares some (Redis's evalGetCommandFlags) */
const EVAL = { readonly: false };
const EVAL_RO = { readonly: true };
const evalFlags = (argv: string[], s: ServerContext) => s.scripting?.eval.evalGetCommandFlags(EVAL, argv, false) ?? null;
const evalRoFlags = (argv: string[], s: ServerContext) => s.scripting?.eval.evalGetCommandFlags(EVAL_RO, argv, false) ?? null;
const evalShaFlags = (argv: string[], s: ServerContext) => s.scripting?.eval.evalGetCommandFlags(EVAL, argv, true) ?? null;
const evalShaRoFlags = (argv: string[], s: ServerContext) => s.scripting?.eval.evalGetCommandFlags(EVAL_RO, argv, true) ?? null;

export const scriptingCommands: ServerCommands = [
  { name: 'eval', handler: evalCommand, declaredFlags: evalFlags },
  { name: 'eval_ro', handler: evalRoCommand, declaredFlags: evalRoFlags },
  { name: 'evalsha', handler: evalShaCommand, declaredFlags: evalShaFlags },
  { name: 'evalsha_ro', handler: evalShaRoCommand, declaredFlags: evalShaRoFlags },
  {
    name: 'script',
    sub: [
      { name: 'help', handler: scriptHelpCommand },
      { name: 'flush', handler: scriptFlushCommand },
      { name: 'exists', handler: scriptExistsCommand },
      { name: 'load', handler: scriptLoadCommand },
      { name: 'kill', handler: scriptKillCommand },
    ],
  },
];
