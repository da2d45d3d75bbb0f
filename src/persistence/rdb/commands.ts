/**
 * SAVE, BGSAVE [SCHEDULE] and LASTSAVE (Redis group "server", rdb.c's
 * saveCommand, bgsaveCommand, lastsaveCommand): answered from the RDB state
 * installRdb gave the server (index.ts). BGSAVE replies as Redis 7.0:
 * "already in progress" while one runs; "scheduled" inside MULTI/EXEC or,
 * with SCHEDULE, while another child (an AOF rewrite) runs — it then starts
 * once none does; "started" otherwise.
 */
import type { Client } from '../../server/client.js';
import type { ServerContext } from '../../commands/context.js';
import type { ServerCommands } from '../../commands/context.js';
import { Err } from '../../protocol/errors.js';
import { rdbStateOf } from './index.js';

const saveInProgress = () => Err.raw('ERR Background save already in progress');

function saveCommand(c: Client, _argv: string[], s: ServerContext): void {
  const st = rdbStateOf(s);
  if (st === undefined) throw Err.raw('ERR');
  if (st.bg !== null) throw saveInProgress();
  if (!st.saveNow()) throw Err.raw('ERR');
  c.addOK();
}

/** BGSAVE [SCHEDULE], as Redis 7.0's bgsaveCommand. */
function bgsaveCommand(c: Client, argv: string[], s: ServerContext): void {
  const st = rdbStateOf(s);
  if (st === undefined) throw Err.raw('ERR');
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argv[1].toLowerCase() === 'schedule') schedule = true;
    else throw Err.syntax();
  }
  // an RDB being made, to a file or to replicas' sockets (a diskless sync)
  if (st.bg !== null || s.children.active?.type === 'rdb') throw saveInProgress();
  if (s.children.active !== null || s.inExec) {
    if (!schedule && !s.inExec) {
      throw Err.raw("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
    }
    st.bgScheduled = true;
    c.addStatus('Background saving scheduled');
    return;
  }
  if (!st.startBackground()) throw Err.raw('ERR');
  c.addStatus('Background saving started');
}

function lastsaveCommand(c: Client, _argv: string[], s: ServerContext): void {
  c.addInt(rdbStateOf(s)?.lastSave ?? Math.floor(s.startTime / 1000));
}

export const rdbCommands: ServerCommands = [
  { name: 'save', handler: saveCommand },
  { name: 'bgsave', handler: bgsaveCommand },
  { name: 'lastsave', handler: lastsaveCommand },
];
