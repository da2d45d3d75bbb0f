/**
 * Transactions: MULTI, EXEC, DISCARD (WATCH/UNWATCH arrive with the
 * transactions issue). Queueing happens in the pipeline (server.ts guard 7);
 * EXEC runs the queue with the clock frozen, so nothing interleaves and keys
 * do not expire halfway through.
 */
import type { CommandRow } from '../spec.js';
import type { Client } from '../../server/client.js';
import type { Server } from '../../server/server.js';

function multiCommand(c: Client): void {
  if (c.inMulti) {
    c.addError('ERR MULTI calls can not be nested');
    return;
  }
  c.inMulti = true;
  c.multiQueue = [];
  c.multiError = false;
  c.addOK();
}

export function discardTransaction(c: Client): void {
  c.inMulti = false;
  c.multiQueue = [];
  c.multiError = false;
  c.dirtyCas = false;
}

function discardCommand(c: Client): void {
  if (!c.inMulti) {
    c.addError('ERR DISCARD without MULTI');
    return;
  }
  discardTransaction(c);
  c.addOK();
}

function execCommand(c: Client, _argv: string[], s: Server): void {
  if (!c.inMulti) {
    c.addError('ERR EXEC without MULTI');
    return;
  }
  if (c.multiError) {
    discardTransaction(c);
    c.addError('EXECABORT Transaction discarded because of previous errors.');
    return;
  }
  if (c.dirtyCas) {
    discardTransaction(c);
    c.addNullArray();
    return;
  }
  const queue = c.multiQueue;
  discardTransaction(c);
  c.addArrayLen(queue.length);
  s.ks.updateClock();
  s.inExec = true;
  try {
    for (const q of queue) s.call(c, q.cmd, q.argv);
  } finally {
    s.inExec = false;
  }
}

export const transactionCommands: CommandRow[] = [
  { name: 'multi', handler: multiCommand },
  { name: 'exec', handler: execCommand },
  { name: 'discard', handler: discardCommand },
];
