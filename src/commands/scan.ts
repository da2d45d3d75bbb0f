/**
 * The SCAN family's shared machinery (Redis's scanGenericCommand): option
 * parsing, the cursor walk over a Dict with COUNT's bounded work, MATCH
 * filtering, and the two-element reply. SCAN walks the keyspace's Dict; HSCAN,
 * SSCAN and ZSCAN walk the Dict of a hashtable-encoded value, or return every
 * element with cursor 0 for flat encodings (listpack, intset) as Redis does.
 */
import type { Client } from '../server/client.js';
import type { Dict } from '../datatypes/dict.js';
import { Err } from '../protocol/errors.js';
import { globMatch } from '../util/glob.js';
import { intArg, is } from './args.js';

export interface ScanOptions {
  count: number;
  /** null when absent or '*' */
  pattern: string | null;
  /** SCAN's TYPE filter (lower case), null when absent */
  type: string | null;
}

/**
 * Parses a SCAN cursor as Redis's parseScanCursorOrReply, which uses strtoul:
 * an optional sign ("-1" wraps to 2^64-1), decimal digits, and the empty
 * string reads as 0; a leading space, trailing bytes or a value beyond 2^64-1
 * are refused.
 */
export function parseScanCursor(s: string): number {
  const m = /^([+-]?)(\d*)$/.exec(s);
  if (m === null || (m[2] === '' && s !== '') || (m[2] !== '' && BigInt(m[2]) > 18446744073709551615n)) throw Err.raw('ERR invalid cursor');
  let v = m[2] === '' ? 0n : BigInt(m[2]);
  if (m[1] === '-') v = -v & 0xffffffffffffffffn;
  // cursors we hand out are 32-bit; keep the low bits of anything larger
  return Number(v & 0xffffffffn);
}

/**
 * Parses COUNT / MATCH (and TYPE when `allowType`, i.e. for SCAN itself) from
 * argv[from…]. Throws Redis's syntax error for anything else and for COUNT < 1.
 */
export function parseScanOptions(argv: string[], from: number, allowType: boolean): ScanOptions {
  const o: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = from; i < argv.length; ) {
    const left = argv.length - i;
    if (is(argv[i], 'count') && left >= 2) {
      o.count = intArg(argv[i + 1]);
      if (o.count < 1) throw Err.syntax();
      i += 2;
    } else if (is(argv[i], 'match') && left >= 2) {
      o.pattern = argv[i + 1] === '*' ? null : argv[i + 1];
      i += 2;
    } else if (allowType && is(argv[i], 'type') && left >= 2) {
      o.type = argv[i + 1].toLowerCase();
      i += 2;
    } else throw Err.syntax();
  }
  return o;
}

/**
 * Walks `dict` from `cursor` calling `emit(slot)` for every entry of the
 * buckets visited, until about `count` entries were emitted or count*10
 * buckets were visited (Redis's maxiterations). Returns the next cursor.
 */
export function scanDict<V>(dict: Dict<V>, cursor: number, count: number, emit: (slot: number) => void): number {
  let emitted = 0;
  let maxIterations = count * 10;
  const fn = (slot: number): void => {
    emitted++;
    emit(slot);
  };
  do {
    cursor = dict.scan(cursor, fn);
  } while (cursor !== 0 && maxIterations-- > 0 && emitted < count);
  return cursor;
}

/** True when `s` passes the MATCH pattern (no pattern: everything). */
export function scanMatches(o: ScanOptions, s: string): boolean {
  return o.pattern === null || globMatch(o.pattern, s);
}

/** The SCAN reply: [cursor, [items…]]. */
export function addScanReply(c: Client, cursor: number, items: readonly string[]): void {
  c.addArrayLen(2);
  c.addBulk(String(cursor));
  c.addBulks(items);
}

/** The reply of HSCAN/SSCAN/ZSCAN on a missing key (Redis's shared.emptyscan). */
export function addEmptyScan(c: Client): void {
  c.addRaw('*2\r\n$1\r\n0\r\n*0\r\n');
}

/**
 * HSCAN/ZSCAN/SSCAN over a collection. `flat` (when the value is in a flat
 * encoding) holds every element — for hashes and sorted sets as
 * [field, value, field, value…] with `pairs` set — and is answered whole with
 * cursor 0. Otherwise `dict` is walked from `cursor`; `emitSlot` pushes the
 * element (and its value when `pairs`) of a slot onto the list it is given.
 * MATCH filters on the element (the field or member), dropping its value too.
 */
export function scanCollection<V>(
  c: Client,
  cursor: number,
  o: ScanOptions,
  pairs: boolean,
  flat: readonly string[] | null,
  dict: Dict<V> | null,
  emitSlot: ((slot: number, out: string[]) => void) | null,
): void {
  let items: string[];
  if (flat !== null) {
    items = flat as string[];
    cursor = 0;
  } else {
    items = [];
    cursor = scanDict(dict!, cursor, o.count, (slot) => emitSlot!(slot, items));
  }
  if (o.pattern !== null) {
    const kept: string[] = [];
    const step = pairs ? 2 : 1;
    for (let i = 0; i < items.length; i += step) {
      if (!globMatch(o.pattern, items[i])) continue;
      kept.push(items[i]);
      if (pairs) kept.push(items[i + 1]);
    }
    items = kept;
  }
  addScanReply(c, cursor, items);
}
