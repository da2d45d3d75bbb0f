/**
 * MODULE (Redis's module.c moduleCommand): LIST, LOAD, LOADEX, UNLOAD, HELP.
 *
 * Redis modules are native shared libraries written against redis-server's
 * C API; gKV, a JavaScript server, can load none. The command still
 * answers as a Redis with no module loaded does — LIST is empty, UNLOAD
 * finds no such module — and LOAD/LOADEX fail with Redis's reply, the log
 * saying why (dlopen's text for a missing file, as Redis logs it). LOAD,
 * LOADEX and UNLOAD are protected commands: processCommand runs them only
 * as enable-module-command allows (no by default, as in Redis).
 */
import { statSync } from 'node:fs';
import type { ServerCommands, ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { addHelp } from '../help.js';

const LOAD_FAILED = 'ERR Error loading the extension. Please check the server logs.';

/** Redis's moduleLoad failing: its log line, with dlopen's reason for a file that is not there. */
function moduleLoadFailed(s: ServerContext, path: string): never {
  let why: string;
  try {
    statSync(path);
    why = `${path}: gKV cannot load Redis modules (native libraries for redis-server)`;
  } catch {
    why = `${path}: cannot open shared object file: No such file or directory`;
  }
  s.log.warning(`Module ${path} failed to load: ${why}`);
  throw Err.raw(LOAD_FAILED);
}

function moduleLoadCommand(_c: Client, argv: string[], s: ServerContext): void {
  moduleLoadFailed(s, argv[2]);
}

/** LOADEX <path> [CONFIG name value ...] [ARGS arg ...]: Redis's parseLoadexArguments, then the load. */
function moduleLoadexCommand(_c: Client, argv: string[], s: ServerContext): void {
  let i = 3;
  while (i < argv.length) {
    const a = argv[i].toLowerCase();
    if (a === 'config' && i + 2 < argv.length) i += 3;
    else if (a === 'args') break;
    else {
      s.log.notice(`Syntax Error from arguments to loadex around ${argv[i]}.`);
      throw Err.raw(LOAD_FAILED);
    }
  }
  moduleLoadFailed(s, argv[2]);
}

function moduleUnloadCommand(): void {
  throw Err.raw('ERR Error unloading module: no such module with that name');
}

function moduleListCommand(c: Client): void {
  c.addArrayLen(0);
}

function moduleHelpCommand(c: Client): void {
  addHelp(c, 'MODULE', [
    'LIST',
    '    Return a list of loaded modules.',
    'LOAD <path> [<arg> ...]',
    '    Load a module library from <path>, passing to it any optional arguments.',
    'LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]',
    '    Load a module library from <path>, while passing it module configurations and optional arguments.',
    'UNLOAD <name>',
    '    Unload a module.',
  ]);
}

// ------------------------------------------------------------------ table

export const moduleCommands: ServerCommands = [
  {
    name: 'module',
    sub: [
      { name: 'list', handler: moduleListCommand },
      { name: 'load', handler: moduleLoadCommand },
      { name: 'loadex', handler: moduleLoadexCommand },
      { name: 'unload', handler: moduleUnloadCommand },
      { name: 'help', handler: moduleHelpCommand },
    ],
  },
];
