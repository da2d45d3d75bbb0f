/**
 * SORT and SORT_RO (Redis group "generic"), as Redis 7.0's sort.c: parse the
 * options, load the elements of the list, set or sorted set into a vector,
 * fetch each one's weight, sort, then reply (or STORE a list).
 *
 * Redis's rules reproduced here:
 * - Options are read left to right; ASC/DESC/ALPHA and a BY without '*' (such
 *   as "nosort", which means "do not sort") stick; a later LIMIT or BY
 *   replaces an earlier one. LIMIT's numbers are read as it is met ("value is
 *   not an integer" ends the parse), unknown words are a syntax error, STORE
 *   is unknown to SORT_RO. Only then is the key looked up (WRONGTYPE unless
 *   list, set or zset; missing = empty).
 * - Patterns (sort.c lookupKeyByPattern): "#" is the element itself; else the
 *   first '*' is replaced by the element, and "->field" after it (with a
 *   non-empty field) reads a hash field instead of a string key. A pattern
 *   without '*' finds nothing. Redis scans patterns as C strings, so the '*'
 *   and "->" searches stop at a NUL byte.
 * - Weights: numeric by default — C strtod of the element (or BY value), so
 *   leading spaces, hex and "" (= 0) are numbers; NaN, trailing garbage and
 *   ERANGE (1e400, 1e-400) fail the whole command with "One or more scores
 *   can't be converted into double"; a missing BY value weighs 0. Equal
 *   weights are ordered by the elements' bytes. ALPHA compares with strcoll
 *   (C strings: the comparison stops at a NUL byte; the C/C.UTF-8 locales are
 *   byte order) or, when STORE is given, binary-safely; a missing ALPHA BY
 *   value sorts first. DESC reverses the comparison (ties keep their order).
 * - "nosort" keeps the native order: a list's, a sorted set's (DESC walks it
 *   backwards, LIMIT takes the range directly), a set's iteration order — but
 *   a set with STORE is sorted ALPHA anyway, so replicas get the same list.
 * - SORT converts a listpack sorted set to a skiplist (Redis does so
 *   destructively before reading it).
 * - STORE writes a list (OBJECT ENCODING "quicklist" in 7.0) of the output,
 *   with "" for GETs that found nothing; an empty output deletes the key.
 *
 * The sort is stable (as glibc's merge-sort qsort that Redis uses), so ties
 * come out in input order. Redis switches to its own partial quicksort when BY
 * and LIMIT are both given; that only changes the order of ALPHA BY ties,
 * which gKV leaves in input order.
 *
 * Not reproduced: Redis 7.0 tests `errno == ERANGE` after strtod without
 * clearing errno first, so once any earlier command left errno at ERANGE (a
 * SCAN cursor of 2^64 or more, a SORT weight such as 1e400, a ZRANGEBYSCORE
 * bound 1e400) every numeric SORT fails with the conversion error until some
 * command clears errno (a valid SCAN cursor, ZADD, INCRBYFLOAT…). gKV judges
 * each weight on its own.
 */
import type { Client } from '../../server/client.js';
import type { DataCommands, DataContext } from '../context.js';
import { Err } from '../../protocol/errors.js';
import type { Db } from '../../keyspace/keyspace.js';
import { isString, strValue } from '../../keyspace/value.js';
import { SetValue } from '../../datatypes/set.js';
import { ZSet } from '../../datatypes/zset.js';
import { HashValue } from '../../datatypes/hash.js';
import { QuickList } from '../../datatypes/quicklist.js';
import { strtod } from '../../util/strtod.js';
import { parseInt64 } from '../../util/numbers.js';
import { is } from '../args.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../../keyspace/notify.js';

// ---------------------------------------------------------------- lists

/**
 * count elements of a list from index start, or — reverse, as SORT's
 * nosort DESC walks from the tail — from index start counted from the tail.
 */
function listRange(l: QuickList, start: number, count: number, reverse: boolean): string[] {
  const out: string[] = [];
  if (count <= 0) return out;
  const from = reverse ? l.length - start - count : start;
  l.forRange(from, from + count - 1, (v) => {
    out.push(v);
  });
  return reverse ? out.reverse() : out;
}

// ---------------------------------------------------------------- patterns

/** The prefix of s before its first NUL byte (what C string functions see). */
function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z === -1 ? s : s.slice(0, z);
}

/**
 * Redis's lookupKeyByPattern: the string a GET/BY pattern names for element
 * `subst`, or null when there is none.
 */
function lookupKeyByPattern(db: Db, pattern: string, subst: string): string | null {
  const spat = cstr(pattern);
  if (spat === '#') return subst;
  const p = spat.indexOf('*');
  if (p === -1) return null;
  const f = spat.indexOf('->', p + 1);
  let fieldlen = 0;
  let field: string | null = null;
  if (f !== -1 && f + 2 < spat.length) {
    fieldlen = pattern.length - f - 2;
    field = pattern.slice(f + 2);
  }
  const postfixlen = pattern.length - (p + 1) - (fieldlen ? fieldlen + 2 : 0);
  const key = pattern.slice(0, p) + subst + pattern.slice(p + 1, p + 1 + postfixlen);
  const o = db.lookupRead(key);
  if (o === undefined) return null;
  if (field !== null) return o instanceof HashValue ? o.get(field) : null;
  return isString(o) ? strValue(o) : null;
}

// ---------------------------------------------------------------- comparison

interface SortItem {
  obj: string;
  score: number;
  /** the ALPHA BY value (null: none found) */
  cmp: string | null;
}

/** memcmp then length: Redis's compareStringObjects (JS compares latin1 strings by unsigned bytes). */
function binaryCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C / C.UTF-8 locale: byte order of the C strings (up to a NUL). */
function collate(a: string, b: string): number {
  return binaryCompare(cstr(a), cstr(b));
}

/** Redis's sortCompare for the options in force. */
function comparator(alpha: boolean, byPattern: boolean, store: boolean, desc: boolean): (a: SortItem, b: SortItem) => number {
  let cmp: (a: SortItem, b: SortItem) => number;
  if (!alpha) {
    cmp = (a, b) => (a.score > b.score ? 1 : a.score < b.score ? -1 : binaryCompare(a.obj, b.obj));
  } else if (byPattern) {
    const strCmp = store ? binaryCompare : collate;
    cmp = (a, b) => {
      if (a.cmp === null || b.cmp === null) return a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1;
      return strCmp(a.cmp, b.cmp);
    };
  } else {
    cmp = store ? (a, b) => binaryCompare(a.obj, b.obj) : (a, b) => collate(a.obj, b.obj);
  }
  return desc ? (a, b) => -cmp(a, b) || 0 : cmp;
}

/** C strtod with Redis's SORT check; null when the value is not a usable double. */
function sortScore(s: string): number | null {
  const r = strtod(s);
  const end = r.end;
  if ((end !== s.length && s.charCodeAt(end) !== 0) || r.erange || Number.isNaN(r.value)) return null;
  return r.value;
}

// ---------------------------------------------------------------- the command

/** A long argument (getLongFromObjectOrReply). */
function longArg(s: string): number {
  const v = parseInt64(s);
  if (v === null) throw Err.notInteger();
  return Number(v);
}

function sortGeneric(c: Client, argv: string[], s: DataContext, readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontsort = false;
  let sortby: string | null = null;
  let storekey: string | null = null;
  const gets: string[] = [];
  // BY and GET patterns name keys no key spec declares: only a user who may read every key may use them
  const user = c.user;
  let fullKeyAccess: boolean | null = user === null || user.unrestricted ? true : null;
  const keyAccessOk = (): boolean => (fullKeyAccess ??= user!.acl.unrestrictedKeyAccess(user!, user!.acl.commands.lookup(readonly ? 'sort_ro' : 'sort')!, argv, ['access']));
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j];
    const left = argv.length - j - 1;
    if (is(a, 'asc')) desc = false;
    else if (is(a, 'desc')) desc = true;
    else if (is(a, 'alpha')) alpha = true;
    else if (is(a, 'limit') && left >= 2) {
      limitStart = longArg(argv[j + 1]);
      limitCount = longArg(argv[j + 2]);
      j += 2;
    } else if (!readonly && is(a, 'store') && left >= 1) {
      storekey = argv[++j];
    } else if (is(a, 'by') && left >= 1) {
      sortby = argv[++j];
      // a constant BY (no '*'): nothing to sort by, nor to look up
      if (cstr(sortby).indexOf('*') === -1) dontsort = true;
      else if (!keyAccessOk()) throw Err.raw('ERR BY option of SORT denied due to insufficient ACL permissions.');
    } else if (is(a, 'get') && left >= 1) {
      if (!keyAccessOk()) throw Err.raw('ERR GET option of SORT denied due to insufficient ACL permissions.');
      gets.push(argv[++j]);
    } else throw Err.syntax();
  }

  const db = c.db;
  const found = db.lookupRead(argv[1]);
  let sortval: QuickList | SetValue | ZSet | undefined;
  if (found !== undefined) {
    if (!(found instanceof QuickList || found instanceof SetValue || found instanceof ZSet)) throw Err.wrongType();
    sortval = found;
  }
  const kind = sortval === undefined ? 'list' : sortval.type;
  // an unsorted set would reach replicas in another order, or a script's result differ from one run to another: sort it ALPHA
  if (dontsort && kind === 'set' && (storekey !== null || c.script)) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }
  if (sortval instanceof ZSet) sortval.toSkiplist();

  let vectorlen = sortval === undefined ? 0 : sortval instanceof SetValue ? sortval.size : sortval.length;
  let start = limitStart < 0 ? 0 : limitStart;
  let end = limitCount < 0 ? vectorlen - 1 : start + limitCount - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  // load the elements; an ordered type with nothing to sort loads just the range
  let objs: string[];
  if (sortval === undefined) objs = [];
  else if (!(sortval instanceof SetValue) && dontsort) {
    objs = [];
    if (end >= start) {
      if (sortval instanceof QuickList) objs = listRange(sortval, start, end - start + 1, desc);
      else sortval.rangeByRank(start, end, desc, (m) => objs.push(m));
    }
    vectorlen = objs.length;
    end -= start;
    start = 0;
  } else if (sortval instanceof QuickList) objs = listRange(sortval, 0, vectorlen, false);
  else if (sortval instanceof SetValue) objs = sortval.members();
  else {
    objs = [];
    sortval.forEach((m) => objs.push(m));
  }

  let conversionError = false;
  let items: SortItem[] | null = null;
  if (!dontsort) {
    items = new Array(objs.length);
    for (let j = 0; j < objs.length; j++) {
      const it: SortItem = { obj: objs[j], score: 0, cmp: null };
      items[j] = it;
      const byval = sortby !== null ? lookupKeyByPattern(db, sortby, it.obj) : it.obj;
      if (byval === null) continue;
      if (alpha) {
        if (sortby !== null) it.cmp = byval;
      } else {
        const sc = sortScore(byval);
        if (sc === null) conversionError = true;
        else it.score = sc;
      }
    }
    items.sort(comparator(alpha, sortby !== null, storekey !== null, desc));
    for (let j = 0; j < items.length; j++) objs[j] = items[j].obj;
  }

  const n = end - start + 1;
  const outputlen = gets.length > 0 ? gets.length * n : n;
  if (conversionError) throw Err.raw("ERR One or more scores can't be converted into double");
  if (storekey === null) {
    c.addArrayLen(outputlen);
    for (let j = start; j <= end; j++) {
      const obj = objs[j];
      if (gets.length === 0) c.addBulk(obj);
      for (const g of gets) c.addBulkOrNull(lookupKeyByPattern(db, g, obj));
    }
    return;
  }
  const out: string[] = [];
  for (let j = start; j <= end; j++) {
    const obj = objs[j];
    if (gets.length === 0) out.push(obj);
    else for (const g of gets) out.push(lookupKeyByPattern(db, g, obj) ?? '');
  }
  if (outputlen > 0) {
    const list = new QuickList(s.enc.listMaxListpackSize);
    for (const v of out) list.pushTail(v);
    db.setKey(storekey, list);
    db.notify(NOTIFY_LIST, 'sortstore', storekey);
    if (outputlen > 1) db.ks.dirty += outputlen - 1;
  } else if (db.delete(storekey)) db.notify(NOTIFY_GENERIC, 'del', storekey);
  c.addInt(outputlen);
}

function sortCommand(c: Client, argv: string[], s: DataContext): void {
  sortGeneric(c, argv, s, false);
}

function sortRoCommand(c: Client, argv: string[], s: DataContext): void {
  sortGeneric(c, argv, s, true);
}

export const sortCommands: DataCommands = [
  { name: 'sort', handler: sortCommand },
  { name: 'sort_ro', handler: sortRoCommand },
];
