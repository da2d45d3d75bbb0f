/**
 * A transaction's state outside the command (Redis's multi.c): WATCH's
 * registry — per database, key → the clients watching it; each client lists
 * its own (`Client.watched`) — and discardTransaction, which RESET, EXEC,
 * DISCARD and a rejected EXEC share.
 *
 * The keyspace's write path calls its modified-key listeners for every change
 * (including deletion by expiry); WATCH's marks the watchers dirty
 * (CLIENT_DIRTY_CAS) so their EXEC answers null, and is installed only while
 * some key is watched, so writes pay nothing otherwise. FLUSHDB/FLUSHALL/SWAPDB touch the
 * watched keys that existed (touchAllWatchedKeysInDb) through the keyspace's
 * `flushedHook`, which the server installs.
 * The server owns one (`Server.watch`) and unwatches a client when it is
 * freed or RESET.
 */
import type { Client } from './client.js';
import type { Db, Keyspace } from '../keyspace/keyspace.js';

export class WatchedKeys {
  /** db → key → watching clients */
  private readonly byDb = new Map<Db, Map<string, Set<Client>>>();
  private count = 0;
  /** the keyspace listener, one function for add and remove */
  private readonly listener = (db: Db, key: string): void => this.touchWatchedKey(db, key);

  constructor(private readonly ks: Keyspace) {}

  /** watchForKey: adds key of c.db to c's watched keys (once). */
  watchForKey(c: Client, key: string): void {
    const db = c.db;
    for (const w of c.watched) if (w.db === db && w.key === key) return;
    let keys = this.byDb.get(db);
    if (keys === undefined) this.byDb.set(db, (keys = new Map()));
    let clients = keys.get(key);
    if (clients === undefined) keys.set(key, (clients = new Set()));
    clients.add(c);
    const slot = db.findSlot(key);
    c.watched.push({ db, key, expired: slot !== -1 && db.slotExpired(slot) });
    if (this.count++ === 0) this.ks.modified.add(this.listener);
  }

  /** unwatchAllKeys: forgets every key c watches. */
  unwatchAllKeys(c: Client): void {
    if (c.watched.length === 0) return;
    for (const w of c.watched) {
      const keys = this.byDb.get(w.db);
      const clients = keys?.get(w.key);
      if (clients === undefined) continue;
      clients.delete(c);
      if (clients.size === 0) keys!.delete(w.key);
      this.count--;
    }
    c.watched = [];
    if (this.count === 0) this.ks.modified.remove(this.listener);
  }

  /**
   * touchWatchedKey: every client watching key in db will fail its EXEC —
   * except one that watched the key when it had already expired and sees it
   * deleted now (by lazy or active expiry, DEL...): logically no change, and the
   * key, gone, is no longer watched as expired.
   */
  private touchWatchedKey(db: Db, key: string): void {
    const clients = this.byDb.get(db)?.get(key);
    if (clients === undefined) return;
    for (const c of [...clients]) {
      const w = watchedEntry(c, db, key);
      if (w !== undefined && w.expired && db.findSlot(key) === -1) {
        w.expired = false;
        continue;
      }
      c.dirtyCas = true;
      // dirty for good: no point in being told again (Redis unwatches here too)
      this.unwatchAllKeys(c);
    }
  }

  /**
   * touchAllWatchedKeysInDb: `emptied` is being flushed or swapped with
   * `replacedWith`; a watched key is touched when it exists in either, unless
   * logically nothing changed: a key that had already expired when watched and
   * is now missing (the flag is cleared) or replaced by another expired key,
   * or a missing key replaced by an expired one (now watched as expired).
   */
  touchAllWatchedKeysInDb(emptied: Db, replacedWith: Db | null): void {
    const keys = this.byDb.get(emptied);
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
        this.unwatchAllKeys(c);
      }
    }
  }
}

/** discardTransaction: leaves MULTI and forgets the queue and the watched keys. */
export function discardTransaction(c: Client, watch: WatchedKeys): void {
  c.inMulti = false;
  c.multiQueue = [];
  c.multiArgvMem = 0;
  c.multiError = false;
  c.dirtyCas = false;
  watch.unwatchAllKeys(c);
}

/** c's WATCH entry for key of db. */
function watchedEntry(c: Client, db: Db, key: string): Client['watched'][number] | undefined {
  return c.watched.find((x) => x.db === db && x.key === key);
}
