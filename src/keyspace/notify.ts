/**
 * Keyspace notification classes (Redis's NOTIFY_* flags) and the parsing of
 * notify-keyspace-events into them. Commands call `ks.notify(class, event,
 * key, db)` exactly where Redis calls notifyKeyspaceEvent, with Redis's event
 * names; the keyspace drops the call at once unless the class is enabled and
 * K or E is set, so a server without notifications pays one bit test. The
 * server publishes enabled events on `__keyspace@<db>__:<key>` (message: the
 * event) and `__keyevent@<db>__:<event>` (message: the key), in that order.
 */
export const NOTIFY_KEYSPACE = 1 << 0; // K
export const NOTIFY_KEYEVENT = 1 << 1; // E
export const NOTIFY_GENERIC = 1 << 2; // g
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x
export const NOTIFY_EVICTED = 1 << 9; // e
export const NOTIFY_STREAM = 1 << 10; // t
export const NOTIFY_KEY_MISS = 1 << 11; // m
export const NOTIFY_LOADED = 1 << 12; // module only
export const NOTIFY_MODULE = 1 << 13; // d
export const NOTIFY_NEW = 1 << 14; // n

const BY_CHAR: Record<string, number> = {
  K: NOTIFY_KEYSPACE,
  E: NOTIFY_KEYEVENT,
  g: NOTIFY_GENERIC,
  $: NOTIFY_STRING,
  l: NOTIFY_LIST,
  s: NOTIFY_SET,
  h: NOTIFY_HASH,
  z: NOTIFY_ZSET,
  x: NOTIFY_EXPIRED,
  e: NOTIFY_EVICTED,
  t: NOTIFY_STREAM,
  m: NOTIFY_KEY_MISS,
  d: NOTIFY_MODULE,
  n: NOTIFY_NEW,
};
/** what 'A' stands for (Redis's NOTIFY_ALL: every class but key-miss, loaded and new) */
const ALL = NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;

/**
 * The flags of a (validated) notify-keyspace-events value. As Redis, the
 * result is 0 — nothing is sent — unless K or E and some class are present.
 */
export function notifyFlags(v: string): number {
  let f = 0;
  for (const ch of v) f |= ch === 'A' ? ALL : (BY_CHAR[ch] ?? 0);
  if ((f & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)) === 0) return 0;
  return f;
}
