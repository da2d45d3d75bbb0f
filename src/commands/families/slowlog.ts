/**
 * SLOWLOG (Redis's slowlog.c commands): GET, LEN, RESET, HELP.
 *
 * The log itself — which commands enter it, the argument trimming, the
 * length limit — is server/slowlog.ts, fed by Server.call(); this file
 * answers the commands that read and clear it, in Redis's reply shapes.
 */
import type { ServerCommands, ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { parseInt64 } from '../../util/numbers.js';
import { addHelp } from '../help.js';

function slowlogGetCommand(c: Client, argv: string[], s: ServerContext): void {
  let count = 10;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]);
    if (n === null || n < -1) throw Err.raw('ERR count should be greater than or equal to -1');
    count = n === -1 ? Infinity : Number(n);
  } else if (argv.length > 3) throw Err.syntax();
  const st = s.slowlog;
  const list = st.entries.slice(0, Math.min(count, st.entries.length));
  c.addArrayLen(list.length);
  for (const e of list) {
    c.addArrayLen(6);
    c.addInt(e.id);
    c.addInt(e.time);
    c.addInt(e.usec);
    c.addBulks(e.argv);
    c.addBulk(e.peer);
    c.addBulk(e.name);
  }
}

function slowlogLenCommand(c: Client, _argv: string[], s: ServerContext): void {
  c.addInt(s.slowlog.entries.length);
}

function slowlogResetCommand(c: Client, _argv: string[], s: ServerContext): void {
  s.slowlog.reset();
  c.addOK();
}

function slowlogHelpCommand(c: Client): void {
  addHelp(c, 'SLOWLOG', [
    'GET [<count>]',
    '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
    '    Entries are made of:',
    '    id, timestamp, time in microseconds, arguments array, client IP and port,',
    '    client name',
    'LEN',
    '    Return the length of the slowlog.',
    'RESET',
    '    Reset the slowlog.',
  ]);
}

// ------------------------------------------------------------------ table

export const slowlogCommands: ServerCommands = [
  {
    name: 'slowlog',
    sub: [
      { name: 'get', handler: slowlogGetCommand },
      { name: 'len', handler: slowlogLenCommand },
      { name: 'reset', handler: slowlogResetCommand },
      { name: 'help', handler: slowlogHelpCommand },
    ],
  },
];
