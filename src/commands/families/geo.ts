/**
 * Geo commands (Redis group "geo"), as Redis 7.0's geo.c: positions kept as
 * sorted-set scores (datatypes/geohash.ts encodes them), so a geo key is a
 * plain sorted set (TYPE zset, ZRANGE, DUMP … all apply).
 *
 * Compatibility notes, each reproducing a Redis 7.0 behaviour:
 * - GEOADD is ZADD: Redis rewrites the command into ZADD key [options] score
 *   member … and runs zaddCommand, so it replies, notifies ("zadd") and counts
 *   changes as ZADD, and propagates that ZADD (scores as integers).
 * - Searches read only the score ranges of the nine cells around the centre
 *   (skipping zeroed cells and a cell equal to the one read just before), in
 *   Redis's order: centre, N, S, E, W, NE, NW, SE, SW. Unsorted replies keep
 *   that order; ASC/DESC sort by distance stably (glibc's qsort is a merge
 *   sort), and with COUNT below the match count through Redis's pqsort, whose
 *   order of equal distances is its own. ANY stops reading at COUNT matches.
 * - Distances are "%.4f" bulk strings in RESP2 and RESP3; coordinates are
 *   "%.17Lf" with trailing zeros cut (addReplyHumanLongDouble): bulk strings
 *   in RESP2, doubles in RESP3. GEOHASH is computed on latitude -90..90.
 * - Arguments are checked in geo.c's order: the source key's type first,
 *   then the centre and radius of GEORADIUS*, then options left to right;
 *   for a missing key the FROMMEMBER member (and GEORADIUSBYMEMBER's radius)
 *   are not looked at, and the store key is deleted.
 * - A stored result is built as a skiplist and converted to a listpack when
 *   small enough; "georadiusstore"/"geosearchstore" notify it, dirty counts
 *   one per member.
 */
import type { Client } from '../../server/client.js';
import type { DataCommands, DataContext } from '../context.js';
import { Err } from '../../protocol/errors.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../../keyspace/notify.js';
import { ZSet } from '../../datatypes/zset.js';
import {
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  type GeoShape,
  type U64,
  decodeGeohash,
  decodeGeohashMany,
  geohashAlign52Bits,
  geohashCalculateAreasByShapeWGS84,
  geohashGetDistanceExact,
  type DistanceOrigin,
  distanceIfInRadiusFrom,
  distanceIfInRectangleFrom,
  outsideShape,
  searchOrigin,
  geohashScoreWGS84,
  geohashString,
  hashIsZero,
  searchCells,
  u64ToString,
} from '../../datatypes/geohash.js';
import { string2d } from '../../util/strtod.js';
import { pqsort } from '../../util/pqsort.js';
import { parseInt64 } from '../../util/numbers.js';
import { is } from '../args.js';
import { getZsetRead, sortByScore, zaddCommand } from './sorted-set.js';

// ---------------------------------------------------------------- number formatting

/** The digits of n (a non-negative integer below 2^53, or a bigint) with d decimals: n / 10^d. */
function withDecimals(n: bigint, d: number): string {
  const s = n.toString().padStart(d + 1, '0');
  return d === 0 ? s : s.slice(0, s.length - d) + '.' + s.slice(s.length - d);
}

/**
 * printf("%.<d>f") of a double as glibc prints it: exact digits (toFixed's),
 * an exact tie rounded to even (toFixed rounds it up), "-" kept on negative
 * zero, inf/nan spelled out, no exponent form for huge values.
 */
export function cFixed(x: number, d: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = neg ? -x : x;
  let s: string;
  if (a >= 1e21) s = BigInt(a).toString() + (d > 0 ? '.' + '0'.repeat(d) : '');
  else {
    const m = a * 2 ** (d + 1);
    if (Number.isInteger(m) && m % 2 === 1) {
      // exactly halfway between two d-decimal numbers: the lower is (m·5^d − 1)/2
      const low = (BigInt(m) * 5n ** BigInt(d) - 1n) / 2n;
      s = withDecimals(low % 2n === 0n ? low : low + 1n, d);
    } else s = a.toFixed(d);
  }
  return neg ? '-' + s : s;
}

/** Redis's createStringObjectFromLongDouble(d, humanfriendly): "%.17Lf" without trailing zeros; "-0" is "0". */
function humanLongDouble(d: number): string {
  let s = cFixed(d, 17);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  s = s.slice(0, end);
  return s === '-0' ? '0' : s;
}

/** addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3. */
function addReplyHumanLongDouble(c: Client, d: number): void {
  const s = humanLongDouble(d);
  if (c.resp === 2) c.addBulk(s);
  else c.addRaw(',' + s + '\r\n');
}

/** addReplyDoubleDistance: "%.4f" as a bulk string, whatever the protocol. */
function addReplyDoubleDistance(c: Client, d: number): void {
  c.addBulk(cFixed(d, 4));
}

/**
 * Whether "%.4f" of a distance computed with Math's functions could round
 * otherwise than Redis's (its fifth decimal on the 5 edge within the last bits).
 */
function nearDecimalEdge(d: number): boolean {
  const t = d * 1e4;
  return Math.abs(t - Math.floor(t) - 0.5) <= 1e-9 + Math.abs(t) * 1e-13;
}

// ---------------------------------------------------------------- argument readers

/** getDoubleFromObjectOrReply with a message (or "value is not a valid float"). */
function doubleArg(s: string, msg?: string): number {
  const v = string2d(s);
  if (v === null) throw msg === undefined ? Err.notFloat() : Err.raw('ERR ' + msg);
  return v;
}

/** extractLongLatOrReply: longitude and latitude at argv[i], argv[i+1], within Redis's limits. */
function extractLongLat(argv: string[], i: number, xy: Float64Array): void {
  xy[0] = doubleArg(argv[i]);
  xy[1] = doubleArg(argv[i + 1]);
  if (xy[0] < GEO_LONG_MIN || xy[0] > GEO_LONG_MAX || xy[1] < GEO_LAT_MIN || xy[1] > GEO_LAT_MAX) {
    throw Err.raw(`ERR invalid longitude,latitude pair ${cFixed(xy[0], 6)},${cFixed(xy[1], 6)}`);
  }
}

/** extractUnitOrReply: meters per unit (m, km, ft, mi, any case). */
function extractUnit(u: string): number {
  if (is(u, 'm')) return 1;
  if (is(u, 'km')) return 1000;
  if (is(u, 'ft')) return 0.3048;
  if (is(u, 'mi')) return 1609.34;
  throw Err.raw('ERR unsupported unit provided. please use M, KM, FT, MI');
}

/** extractDistanceOrReply: radius and unit at argv[i], argv[i+1] into the shape. */
function extractDistance(argv: string[], i: number, shape: GeoShape): void {
  const distance = doubleArg(argv[i], 'need numeric radius');
  if (distance < 0) throw Err.raw('ERR radius cannot be negative');
  shape.radius = distance;
  shape.conversion = extractUnit(argv[i + 1]);
}

/** extractBoxOrReply: width, height and unit at argv[i..i+2] into the shape. */
function extractBox(argv: string[], i: number, shape: GeoShape): void {
  const w = doubleArg(argv[i], 'need numeric width');
  const h = doubleArg(argv[i + 1], 'need numeric height');
  if (h < 0 || w < 0) throw Err.raw('ERR height or width cannot be negative');
  shape.height = h;
  shape.width = w;
  shape.conversion = extractUnit(argv[i + 2]);
}

/** FROMMEMBER / GEORADIUSBYMEMBER's member is not in the set. */
const memberNotFound = () => Err.raw('ERR could not decode requested zset member');

/** longLatFromMember: the member's decoded position, false when it is not in the set. */
function longLatFromMember(z: ZSet, member: string, xy: Float64Array): boolean {
  const score = z.score(member);
  if (score === undefined) return false;
  decodeGeohash(score, xy);
  return true;
}

// ---------------------------------------------------------------- GEOADD

const scoreWord: U64 = { hi: 0, lo: 0 };
const addXY = new Float64Array(2);

/** GEOADD key [NX|XX] [CH] longitude latitude member [...]: ZADD with encoded scores. */
function geoaddCommand(c: Client, argv: string[], s: DataContext): void {
  let xx = false;
  let nx = false;
  let longidx = 2;
  while (longidx < argv.length) {
    const opt = argv[longidx];
    if (is(opt, 'nx')) nx = true;
    else if (is(opt, 'xx')) xx = true;
    else if (!is(opt, 'ch')) break; // CH is ZADD's
    longidx++;
  }
  if ((argv.length - longidx) % 3 !== 0 || (xx && nx)) throw Err.syntax();
  const elements = (argv.length - longidx) / 3;
  const zargv: string[] = new Array(longidx + elements * 2);
  zargv[0] = 'zadd';
  for (let i = 1; i < longidx; i++) zargv[i] = argv[i];
  for (let i = 0; i < elements; i++) {
    extractLongLat(argv, longidx + i * 3, addXY);
    geohashScoreWGS84(addXY[0], addXY[1], scoreWord);
    zargv[longidx + i * 2] = u64ToString(scoreWord);
    zargv[longidx + 1 + i * 2] = argv[longidx + i * 3 + 2];
  }
  zaddCommand(c, zargv, s);
  c.propagateArgv = zargv;
}

// ---------------------------------------------------------------- searches

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const RADIUS_NOSTORE = 4;
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

/** The matches of a search (Redis's geoArray), as parallel arrays. */
class GeoArray {
  members: string[] = [];
  dist: number[] = [];
  lon: number[] = [];
  lat: number[] = [];
  score: number[] = [];
  get used(): number {
    return this.members.length;
  }
}

// the candidates of one cell: skiplist node ids (or listpack scores), then their positions
let candIds = new Int32Array(1024);
let candScores = new Float64Array(1024);
let candLon = new Float64Array(1024);
let candLat = new Float64Array(1024);
const candMembers: string[] = [];
const IDENTITY: { ids: Int32Array } = { ids: new Int32Array(0) };

function growCandidates(n: number): void {
  if (n <= candIds.length) return;
  const size = Math.max(n, candIds.length * 2);
  const ids = new Int32Array(size);
  ids.set(candIds);
  candIds = ids;
  const sc = new Float64Array(size);
  sc.set(candScores);
  candScores = sc;
  candLon = new Float64Array(size);
  candLat = new Float64Array(size);
}

/** Positions 0..n-1 as ids: the listpack candidates' scores are already in candScores. */
function identityIds(n: number): Int32Array {
  if (IDENTITY.ids.length < n) {
    const ids = new Int32Array(Math.max(n, 256));
    for (let i = 0; i < ids.length; i++) ids[i] = i;
    IDENTITY.ids = ids;
  }
  return IDENTITY.ids;
}

/**
 * geoGetPointsInRange: the members with min <= score < max, read in score
 * order, appended when they lie in the shape (geoAppendIfWithinShape);
 * stops at `limit` matches (ANY) when not 0. The cell's scores are decoded
 * in one batch, and the prefilter drops most of those outside the shape
 * before the distance is computed.
 */
function pointsInRange(z: ZSet, min: number, max: number, shape: GeoShape, o: DistanceOrigin, reachA: number, reachB: number, ga: GeoArray, limit: number): void {
  const range = { min, max, minex: false, maxex: true };
  const sl = z.sl;
  let n = 0;
  let scores: Float64Array;
  let ids: Int32Array;
  if (sl === null) {
    candMembers.length = 0;
    z.rangeByScore(range, 0, -1, false, (m, sc) => {
      growCandidates(n + 1);
      candScores[n++] = sc;
      candMembers.push(m);
    });
    scores = candScores;
    ids = identityIds(n);
  } else {
    for (let x = sl.firstInScoreRange(range); x !== 0; x = sl.next(x)) {
      if (!(sl.scores[x] < max)) break;
      growCandidates(n + 1);
      candIds[n++] = x;
    }
    scores = sl.scores;
    ids = candIds;
  }
  decodeGeohashMany(scores, ids, n, candLon, candLat);
  const circle = shape.type === 'circle';
  const cx = shape.xy[0];
  const cy = shape.xy[1];
  for (let i = 0; i < n; i++) {
    const x = candLon[i];
    const y = candLat[i];
    if (outsideShape(o, x, y)) continue;
    const d = circle ? distanceIfInRadiusFrom(o, cx, cy, x, y, reachA) : distanceIfInRectangleFrom(o, reachA, reachB, cx, cy, x, y);
    if (d < 0) continue;
    ga.members.push(sl === null ? candMembers[i] : sl.members[ids[i]]!);
    ga.dist.push(d);
    ga.lon.push(x);
    ga.lat.push(y);
    ga.score.push(scores[ids[i]]);
    if (limit > 0 && ga.used >= limit) break;
  }
}

/** membersOfAllNeighbors: the matches of the nine cells, in Redis's order. */
function membersOfAllNeighbors(z: ZSet, shape: GeoShape, ga: GeoArray, limit: number): void {
  const cells = searchCells(geohashCalculateAreasByShapeWGS84(shape));
  const reachA = shape.type === 'circle' ? shape.radius * shape.conversion : shape.width * shape.conversion;
  const reachB = shape.height * shape.conversion;
  const o = searchOrigin(shape);
  let lastProcessed = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (hashIsZero(cell)) continue;
    // huge radiuses can make adjacent neighbours the same cell: skip a repeat of the last one read
    const last = cells[lastProcessed];
    if (lastProcessed !== 0 && cell.lat === last.lat && cell.lon === last.lon && cell.step === last.step) continue;
    if (ga.used > 0 && limit > 0 && ga.used >= limit) break;
    pointsInRange(z, geohashAlign52Bits(cell), geohashAlign52Bits(cell, 1), shape, o, reachA, reachB, ga, limit);
    lastProcessed = i;
  }
}

/** WITHHASH's integer: (long long)score, as x86-64 converts it. */
function scoreAsLongLong(score: number): number | bigint {
  if (!(score > -9223372036854775808 && score < 9223372036854775808)) return -9223372036854775808n;
  const t = Math.trunc(score);
  return Number.isSafeInteger(t) ? t : BigInt(t);
}

/**
 * georadiusGeneric: GEORADIUS, GEORADIUSBYMEMBER (and _RO), GEOSEARCH and
 * GEOSEARCHSTORE; srcKeyIndex is where the source key is.
 */
function georadiusGeneric(c: Client, argv: string[], s: DataContext, srcKeyIndex: number, flags: number): void {
  let storekey: string | null = null;
  let storedist = false;
  const db = c.db;
  const z = getZsetRead(db, argv[srcKeyIndex]);

  const shape: GeoShape = { type: 'circle', xy: new Float64Array(2), conversion: 1, radius: 0, width: 0, height: 0, bounds: new Float64Array(4) };
  let baseArgs: number;
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    extractLongLat(argv, 2, shape.xy);
    extractDistance(argv, baseArgs - 2, shape);
  } else if (flags & RADIUS_MEMBER && z === null) {
    // no source key: the options are still parsed, to choose the reply
    baseArgs = 5;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    if (!longLatFromMember(z!, argv[2], shape.xy)) throw memberNotFound();
    extractDistance(argv, baseArgs - 2, shape);
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storekey = argv[1];
    }
  }

  let withdist = false;
  let withhash = false;
  let withcoords = false;
  let frommember = false;
  let fromloc = false;
  let byradius = false;
  let bybox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[baseArgs + i];
    if (is(arg, 'withdist')) withdist = true;
    else if (is(arg, 'withhash')) withhash = true;
    else if (is(arg, 'withcoord')) withcoords = true;
    else if (is(arg, 'any')) any = true;
    else if (is(arg, 'asc')) sort = SORT_ASC;
    else if (is(arg, 'desc')) sort = SORT_DESC;
    else if (is(arg, 'count') && i + 1 < remaining) {
      const v = parseInt64(argv[baseArgs + i + 1]);
      if (v === null) throw Err.notInteger();
      if (v <= 0) throw Err.countGreaterThanZero();
      count = Number(v);
      i++;
    } else if ((is(arg, 'store') || is(arg, 'storedist')) && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storekey = argv[baseArgs + i + 1];
      storedist = arg.length === 9;
      i++;
    } else if (is(arg, 'storedist') && flags & GEOSEARCH && flags & GEOSEARCHSTORE) {
      storedist = true;
    } else if (is(arg, 'frommember') && i + 1 < remaining && flags & GEOSEARCH && !fromloc) {
      // without a source key the member is not looked up: the error comes after the parsing
      if (z !== null && !longLatFromMember(z, argv[baseArgs + i + 1], shape.xy)) throw memberNotFound();
      frommember = true;
      i++;
    } else if (is(arg, 'fromlonlat') && i + 2 < remaining && flags & GEOSEARCH && !frommember) {
      extractLongLat(argv, baseArgs + i + 1, shape.xy);
      fromloc = true;
      i += 2;
    } else if (is(arg, 'byradius') && i + 2 < remaining && flags & GEOSEARCH && !bybox) {
      extractDistance(argv, baseArgs + i + 1, shape);
      shape.type = 'circle';
      byradius = true;
      i += 2;
    } else if (is(arg, 'bybox') && i + 3 < remaining && flags & GEOSEARCH && !byradius) {
      extractBox(argv, baseArgs + i + 1, shape);
      shape.type = 'box';
      bybox = true;
      i += 3;
    } else throw Err.syntax();
  }

  if (storekey !== null && (withdist || withhash || withcoords)) {
    throw Err.raw(`ERR ${flags & GEOSEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (flags & GEOSEARCH && !(frommember || fromloc)) throw Err.raw(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
  if (flags & GEOSEARCH && !(byradius || bybox)) throw Err.raw(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
  if (any && count === 0) throw Err.raw('ERR the ANY argument requires COUNT argument');

  if (z === null) {
    if (storekey !== null) {
      if (db.delete(storekey)) db.notify(NOTIFY_GENERIC, 'del', storekey);
      c.addInt(0);
    } else c.addArrayLen(0);
    return;
  }

  // COUNT without an order returns the nearest (not with ANY)
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const ga = new GeoArray();
  membersOfAllNeighbors(z, shape, ga, any ? count : 0);

  if (ga.used === 0 && storekey === null) {
    c.addArrayLen(0);
    return;
  }
  const resultLength = ga.used;
  const returnedItems = count === 0 || resultLength < count ? resultLength : count;

  const order: number[] = new Array(resultLength);
  for (let i = 0; i < resultLength; i++) order[i] = i;
  if (sort !== SORT_NONE) {
    const dist = ga.dist;
    const asc = (a: number, b: number): number => (dist[a] > dist[b] ? 1 : dist[a] === dist[b] ? 0 : -1);
    const cmp = sort === SORT_ASC ? asc : (a: number, b: number): number => -asc(a, b);
    if (returnedItems === resultLength) order.sort(cmp);
    else pqsort(order, resultLength, cmp, 0, returnedItems - 1);
  }

  if (storekey === null) {
    const optionLength = (withdist ? 1 : 0) + (withcoords ? 1 : 0) + (withhash ? 1 : 0);
    c.addArrayLen(returnedItems);
    for (let k = 0; k < returnedItems; k++) {
      const i = order[k];
      if (optionLength > 0) c.addArrayLen(optionLength + 1);
      c.addBulk(ga.members[i]);
      if (withdist) {
        let d = ga.dist[i] / shape.conversion;
        if (nearDecimalEdge(d)) d = geohashGetDistanceExact(shape.xy[0], shape.xy[1], ga.lon[i], ga.lat[i]) / shape.conversion;
        addReplyDoubleDistance(c, d);
      }
      if (withhash) c.addInt(scoreAsLongLong(ga.score[i]));
      if (withcoords) {
        c.addArrayLen(2);
        addReplyHumanLongDouble(c, ga.lon[i]);
        addReplyHumanLongDouble(c, ga.lat[i]);
      }
    }
    return;
  }

  // the destination, in sorted-set order (Redis inserts into a skiplist)
  const members: string[] = new Array(returnedItems);
  const scores: number[] = new Array(returnedItems);
  for (let k = 0; k < returnedItems; k++) {
    const i = order[k];
    members[k] = ga.members[i];
    // a stored distance shows every bit: computed as glibc's functions compute it
    scores[k] = storedist ? geohashGetDistanceExact(shape.xy[0], shape.xy[1], ga.lon[i], ga.lat[i]) / shape.conversion : ga.score[i];
  }
  if (returnedItems > 0) {
    sortByScore(members, scores);
    db.setKey(storekey, ZSet.fromSorted(members, scores, s.enc));
    db.notify(NOTIFY_ZSET, flags & GEOSEARCH ? 'geosearchstore' : 'georadiusstore', storekey);
    // Redis counts one change per member stored (setKey counted one)
    db.ks.dirty += returnedItems - 1;
  } else if (db.delete(storekey)) db.notify(NOTIFY_GENERIC, 'del', storekey);
  c.addInt(returnedItems);
}

function georadiusCommand(c: Client, argv: string[], s: DataContext): void {
  georadiusGeneric(c, argv, s, 1, RADIUS_COORDS);
}
function georadiusbymemberCommand(c: Client, argv: string[], s: DataContext): void {
  georadiusGeneric(c, argv, s, 1, RADIUS_MEMBER);
}
function georadiusroCommand(c: Client, argv: string[], s: DataContext): void {
  georadiusGeneric(c, argv, s, 1, RADIUS_COORDS | RADIUS_NOSTORE);
}
function georadiusbymemberroCommand(c: Client, argv: string[], s: DataContext): void {
  georadiusGeneric(c, argv, s, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
}
function geosearchCommand(c: Client, argv: string[], s: DataContext): void {
  georadiusGeneric(c, argv, s, 1, GEOSEARCH);
}
function geosearchstoreCommand(c: Client, argv: string[], s: DataContext): void {
  georadiusGeneric(c, argv, s, 2, GEOSEARCH | GEOSEARCHSTORE);
}

// ---------------------------------------------------------------- GEOHASH, GEOPOS, GEODIST

const readXY = new Float64Array(2);
const readXY2 = new Float64Array(2);

/** GEOHASH key [member ...]: 11-character geohash strings, nil for missing members. */
function geohashCommand(c: Client, argv: string[]): void {
  const z = getZsetRead(c.db, argv[1]);
  c.addArrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = z === null ? undefined : z.score(argv[j]);
    if (score === undefined) c.addNull();
    else {
      decodeGeohash(score, readXY);
      c.addBulk(geohashString(readXY));
    }
  }
}

/** GEOPOS key [member ...]: [longitude, latitude] pairs, a null array for missing members. */
function geoposCommand(c: Client, argv: string[]): void {
  const z = getZsetRead(c.db, argv[1]);
  c.addArrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = z === null ? undefined : z.score(argv[j]);
    if (score === undefined) c.addNullArray();
    else {
      decodeGeohash(score, readXY);
      c.addArrayLen(2);
      addReplyHumanLongDouble(c, readXY[0]);
      addReplyHumanLongDouble(c, readXY[1]);
    }
  }
}

/** GEODIST key member1 member2 [unit]: the distance, nil when either is missing. */
function geodistCommand(c: Client, argv: string[]): void {
  let toMeter = 1;
  if (argv.length === 5) toMeter = extractUnit(argv[4]);
  else if (argv.length > 5) throw Err.syntax();
  const z = getZsetRead(c.db, argv[1]);
  if (z === null) {
    c.addNull();
    return;
  }
  const score1 = z.score(argv[2]);
  const score2 = score1 === undefined ? undefined : z.score(argv[3]);
  if (score2 === undefined) {
    c.addNull();
    return;
  }
  decodeGeohash(score1!, readXY);
  decodeGeohash(score2, readXY2);
  addReplyDoubleDistance(c, geohashGetDistanceExact(readXY[0], readXY[1], readXY2[0], readXY2[1]) / toMeter);
}

// ---------------------------------------------------------------- table

export const geoCommands: DataCommands = [
  { name: 'geoadd', handler: geoaddCommand },
  { name: 'geodist', handler: geodistCommand },
  { name: 'geohash', handler: geohashCommand },
  { name: 'geopos', handler: geoposCommand },
  { name: 'georadius', handler: georadiusCommand },
  { name: 'georadius_ro', handler: georadiusroCommand },
  { name: 'georadiusbymember', handler: georadiusbymemberCommand },
  { name: 'georadiusbymember_ro', handler: georadiusbymemberroCommand },
  { name: 'geosearch', handler: geosearchCommand },
  { name: 'geosearchstore', handler: geosearchstoreCommand },
];
