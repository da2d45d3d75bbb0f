/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's multi.c).
 * Queueing happens in the pipeline (server.ts guard 7); EXEC runs the queue
 * with the clock frozen, so nothing interleaves and keys do not expire
 * halfway through.
 *
 * WATCH keeps, per database, key → the clients watching it. The keyspace's
 * write path calls `modifiedHook` for every change (including deletion by
 * expiry), which marks the watchers dirty (CLIENT_DIRTY_CAS) so their EXEC
 * answers null; the hook is installed only while some key is watched, so
 * writes pay nothing otherwise. FLUSHDB/FLUSHALL/SWAPDB touch the watched
 * keys that existed (Redis's touchAllWatchedKeysInDb), and EXEC also fails
 * when a key that was live at WATCH time has since expired, even if nothing
 * deleted it yet (isWatchedKeyExpired).
 */
import type { ServerCommands } from '../context.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import type { Server } from '../../server/server.js';
import type { Db } from '../../keyspace/keyspace.js';

// ---------------------------------------------------------------- WATCH registry

interface WatchState {
  /** db → key → watching clients */
  byDb: Map<Db, Map<string, Set<Client>>>;
  count: number;
}

const states = new WeakMap<Server, WatchState>();

function watchState(s: Server): WatchState {
  let st = states.get(s);
  if (st === undefined) {
    st = { byDb: new Map(), count: 0 };
    states.set(s, st);
    s.onClientFree.push((c) => unwatchAllKeys(c, s));
    s.onClientReset.push((c) => unwatchAllKeys(c, s));
    s.ks.flushedHook = (emptied, replacedWith) => touchAllWatchedKeysInDb(s, emptied, replacedWith);
  }
  return st;
}

/** watchForKey: adds key of c.db to c's watched keys (once). */
function watchForKey(c: Client, s: Server, key: string): void {
  const db = c.db;
  for (const w of c.watched) if (w.db === db && w.key === key) return;
  const st = watchState(s);
  let keys = st.byDb.get(db);
  if (keys === undefined) st.byDb.set(db, (keys = new Map()));
  let clients = keys.get(key);
  if (clients === undefined) keys.set(key, (clients = new Set()));
  clients.add(c);
  const slot = db.findSlot(key);
  c.watched.push({ db, key, expired: slot !== -1 && db.slotExpired(slot) });
  if (st.count++ === 0) s.ks.modifiedHook = (d, k) => touchWatchedKey(s, d, k);
}

/** unwatchAllKeys: forgets every key c watches. */
export function unwatchAllKeys(c: Client, s: Server): void {
  if (c.watched.length === 0) return;
  const st = watchState(s);
  for (const w of c.watched) {
    const keys = st.byDb.get(w.db);
    const clients = keys?.get(w.key);
    if (clients === undefined) continue;
    clients.delete(c);
    if (clients.size === 0) keys!.delete(w.key);
    st.count--;
  }
  c.watched = [];
  if (st.count === 0) s.ks.modifiedHook = null;
}

/**
 * touchWatchedKey: every client watching key in db will fail its EXEC —
 * except one that watched the key when it had already expired and sees it
 * deleted now (by lazy or active expiry, DEL...): logically no change, and the
 * key, gone, is no longer watched as expired.
 */
function touchWatchedKey(s: Server, db: Db, key: string): void {
  const clients = states.get(s)?.byDb.get(db)?.get(key);
  if (clients === undefined) return;
  for (const c of [...clients]) {
    const w = watchedEntry(c, db, key);
    if (w !== undefined && w.expired && db.findSlot(key) === -1) {
      w.expired = false;
      continue;
    }
    c.dirtyCas = true;
    // dirty for good: no point in being told again (Redis unwatches here too)
    unwatchAllKeys(c, s);
  }
}

/** c's WATCH entry for key of db. */
function watchedEntry(c: Client, db: Db, key: string): Client['watched'][number] | undefined {
  return c.watched.find((x) => x.db === db && x.key === key);
}

/**
 * touchAllWatchedKeysInDb: `emptied` is being flushed or swapped with
 * `replacedWith`; a watched key is touched when it exists in either, unless
 * logically nothing changed: a key that had already expired when watched and
 * is now missing (the flag is cleared) or replaced by another expired key,
 * or a missing key replaced by an expired one (now watched as expired).
 */
function touchAllWatchedKeysInDb(s: Server, emptied: Db, replacedWith: Db | null): void {
  const keys = states.get(s)?.byDb.get(emptied);
  if (keys === undefined) return;
  for (const [key, clients] of [...keys]) {
    const inEmptied = emptied.findSlot(key) !== -1;
    const replSlot = replacedWith === null ? -1 : replacedWith.findSlot(key);
    if (!inEmptied && replSlot === -1) continue;
    const replExpired = replSlot !== -1 && replacedWith!.slotExpired(replSlot);
    for (const c of [...clients]) {
      const w = watchedEntry(c, emptied, key);
      if (w !== undefined && w.expired) {
        if (replSlot === -1) {
          w.expired = false;
          continue;
        }
        if (replExpired) continue;
      } else if (w !== undefined && !inEmptied && replExpired) {
        w.expired = true;
        continue;
      }
      c.dirtyCas = true;
      unwatchAllKeys(c, s);
    }
  }
}

/** isWatchedKeyExpired: a key live at WATCH time is logically expired now. */
function isWatchedKeyExpired(c: Client): boolean {
  for (const w of c.watched) {
    if (w.expired) continue;
    const slot = w.db.findSlot(w.key);
    if (slot !== -1 && w.db.slotExpired(slot)) return true;
  }
  return false;
}

function watchCommand(c: Client, argv: string[], s: Server): void {
  if (c.inMulti) {
    // replied, not rejected: the transaction stays valid (WATCH runs at once inside MULTI)
    c.addError('ERR WATCH inside MULTI is not allowed');
    return;
  }
  if (!c.dirtyCas) for (let i = 1; i < argv.length; i++) watchForKey(c, s, argv[i]);
  c.addOK();
}

function unwatchCommand(c: Client, _argv: string[], s: Server): void {
  unwatchAllKeys(c, s);
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

/** discardTransaction: leaves MULTI and forgets the queue and the watched keys. */
export function discardTransaction(c: Client, s: Server): void {
  c.inMulti = false;
  c.multiQueue = [];
  c.multiArgvMem = 0;
  c.multiError = false;
  c.dirtyCas = false;
  unwatchAllKeys(c, s);
}

function discardCommand(c: Client, _argv: string[], s: Server): void {
  if (!c.inMulti) {
    c.addError('ERR DISCARD without MULTI');
    return;
  }
  discardTransaction(c, s);
  c.addOK();
}

function execCommand(c: Client, _argv: string[], s: Server): void {
  if (!c.inMulti) {
    c.addError('ERR EXEC without MULTI');
    return;
  }
  if (isWatchedKeyExpired(c)) c.dirtyCas = true;
  if (c.multiError) {
    discardTransaction(c, s);
    c.addError('EXECABORT Transaction discarded because of previous errors.');
    return;
  }
  if (c.dirtyCas) {
    discardTransaction(c, s);
    c.addNullArray();
    return;
  }
  const queue = c.multiQueue;
  discardTransaction(c, s);
  c.addArrayLen(queue.length);
  s.ks.updateClock();
  s.inExec = true;
  const ops: [number, string[]][] = [];
  s.execOps = ops;
  try {
    for (const q of queue) {
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
