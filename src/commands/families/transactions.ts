/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's multi.c).
 * Queueing happens in the pipeline (server.ts guard 7); EXEC runs the queue
 * with the clock frozen, so nothing interleaves and keys do not expire
 * halfway through. The watched keys live in server/multi.ts (the server's
 * `watch`); EXEC also fails when a key that was live at WATCH time has since
 * expired, even if nothing deleted it yet (isWatchedKeyExpired).
 */
import type { PropagatedOp } from '../../server/propagation.js';
import { execNoPermText } from '../../server/acl.js';
import type { ServerCommands, ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { discardTransaction } from '../../server/multi.js';

/** isWatchedKeyExpired: a key live at WATCH time is logically expired now. */
function isWatchedKeyExpired(c: Client): boolean {
  for (const w of c.watched) {
    if (w.expired) continue;
    const slot = w.db.findSlot(w.key);
    if (slot !== -1 && w.db.slotExpired(slot)) return true;
  }
  return false;
}

function watchCommand(c: Client, argv: string[], s: ServerContext): void {
  if (c.inMulti) {
    // replied, not rejected: the transaction stays valid (WATCH runs at once inside MULTI)
    c.addError('ERR WATCH inside MULTI is not allowed');
    return;
  }
  if (!c.dirtyCas) for (let i = 1; i < argv.length; i++) s.watch.watchForKey(c, argv[i]);
  c.addOK();
}

function unwatchCommand(c: Client, _argv: string[], s: ServerContext): void {
  s.watch.unwatchAllKeys(c);
  c.dirtyCas = false;
  c.addOK();
}

// ---------------------------------------------------------------- MULTI / EXEC

function multiCommand(c: Client): void {
  if (c.inMulti) {
    c.addError(Err.multiNested().resp);
    return;
  }
  c.inMulti = true;
  c.multiQueue = [];
  c.multiArgvMem = 0;
  c.multiError = false;
  c.addOK();
}

function discardCommand(c: Client, _argv: string[], s: ServerContext): void {
  if (!c.inMulti) {
    c.addError('ERR DISCARD without MULTI');
    return;
  }
  discardTransaction(c, s.watch);
  c.addOK();
}

function execCommand(c: Client, _argv: string[], s: ServerContext): void {
  if (!c.inMulti) {
    c.addError('ERR EXEC without MULTI');
    return;
  }
  if (isWatchedKeyExpired(c)) c.dirtyCas = true;
  if (c.multiError) {
    discardTransaction(c, s.watch);
    c.addError('EXECABORT Transaction discarded because of previous errors.');
    return;
  }
  if (c.dirtyCas) {
    discardTransaction(c, s.watch);
    c.addNullArray();
    return;
  }
  const queue = c.multiQueue;
  discardTransaction(c, s.watch);
  c.addArrayLen(queue.length);
  s.ks.updateClock();
  s.inExec = true;
  const ops: PropagatedOp[] = [];
  s.execOps = ops;
  try {
    for (const q of queue) {
      // the ACL rules may have changed since the command was queued: checked again (Redis's execCommand)
      const user = c.user;
      if (user !== null && !user.unrestricted) {
        const d = s.aclCheck(user, q.cmd, q.argv);
        if (d !== null) {
          s.aclLogDenial(c, d.denial, 'multi', q.cmd, q.argv, d.pos);
          c.addError(execNoPermText(d.denial));
          continue;
        }
      }
      c.bigArgs = q.big;
      s.call(c, q.cmd, q.argv);
    }
  } finally {
    c.bigArgs = null;
    s.inExec = false;
    s.execOps = null;
  }
  // the transaction's writes leave together (MULTI … EXEC when several); EXEC's own call() adds nothing
  s.propagateTransaction(ops);
  c.propagated = true;
}

export const transactionCommands: ServerCommands = [
  { name: 'multi', handler: multiCommand },
  { name: 'exec', handler: execCommand },
  { name: 'discard', handler: discardCommand },
  { name: 'watch', handler: watchCommand },
  { name: 'unwatch', handler: unwatchCommand },
];
