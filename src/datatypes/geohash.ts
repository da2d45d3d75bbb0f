/**
 * Redis's geohash (geohash.c + geohash_helper.c of Redis 7.0): how the geo
 * commands turn a longitude/latitude into a sorted-set score and back, and
 * which score ranges a radius or box search reads.
 *
 * Design and invariants:
 * - A position is two fixed-point indexes of `step` bits each (26 for stored
 *   points): latitude over [-85.05112878, 85.05112878] and longitude over
 *   [-180, 180], truncated as C converts a double to uint32_t. The score is
 *   the two interleaved (interleave64: latitude on the even bits, longitude on
 *   the odd ones), a 52-bit integer held exactly by a double. JS bitwise
 *   operators stop at 32 bits, so 64-bit words are handled as two uint32
 *   halves (`U64`), the way the C code's uint64_t would be split.
 * - Redis's quirks are kept because replies must match digit for digit: a
 *   coordinate exactly at the upper limit gives the index 2^step (one bit past
 *   the 52, so the score can reach 2^54 and is rounded to a double as strtod
 *   would round Redis's decimal ZADD argument); a score that no GEOADD made
 *   is read as (uint64_t)score would be on x86-64 and its decoded position
 *   clamped to the limits; neighbours wrap around modulo 2^step (geohash_move_x/y).
 * - A cell (GeoHashBits) is kept as its two indexes rather than interleaved
 *   bits: moving east/west/north/south is then +-1 modulo 2^step on one index,
 *   which is what Redis's masked add on the interleaved word computes; the
 *   interleaved form is built only for a cell's score range.
 * - Arithmetic is IEEE double in Redis's order of operations (no fused
 *   multiply-add: Redis is built for plain x86-64), the distance is the
 *   haversine with EARTH_RADIUS_IN_METERS as 7.0 computes it (7.2's shortcuts
 *   for equal longitudes are not 7.0's), and the box test is 7.0's.
 * - Redis's sin/cos/asin are glibc's; Math's differ in the last bit for a
 *   few percent of arguments. Searches compute with Math (fast) and recompute
 *   with glibc's algorithms (util/crmath.ts) where the last bits decide: a
 *   distance on the edge of a radius or box here, on a "%.4f" rounding edge
 *   or stored (STOREDIST) in the commands. Beyond ~1600 km the arcsine is
 *   glibc's table-driven one, stood in for by a correctly rounded one: about
 *   0.15% of those long distances may differ from Redis's in their last bit.
 * Pure: no server, no allocation on the per-point paths (results go to
 * caller-provided arrays, as the C functions' out-parameters).
 */
import { glibcAsin, glibcCos, glibcSin } from '../util/crmath.js';

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
/** Earth's quadratic mean radius for WGS-84 */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
export const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;

const degRad = (ang: number): number => ang * D_R;
const radDeg = (ang: number): number => ang / D_R;

const TWO32 = 4294967296;

/** A 64-bit word as two uint32 halves. */
export interface U64 {
  hi: number;
  lo: number;
}

/** A range of one coordinate. */
export interface GeoHashRange {
  min: number;
  max: number;
}

/**
 * A geohash cell: the latitude and longitude indexes at `step` bits each
 * (Redis's GeoHashBits holds them interleaved). step 0 is the zeroed cell
 * (GZERO: an area a search leaves out).
 */
export interface GeoHashBits {
  lat: number;
  lon: number;
  step: number;
}

/** A cell's extent (GeoHashArea without the hash). */
export interface GeoHashArea {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

/** The search shape of GEOSEARCH / GEORADIUS (Redis's GeoShape). */
export interface GeoShape {
  type: 'circle' | 'box';
  /** the centre: longitude, latitude */
  xy: Float64Array;
  /** meters per unit of the radius / width / height */
  conversion: number;
  radius: number;
  width: number;
  height: number;
  /** min longitude, min latitude, max longitude, max latitude (filled by geohashBoundingBox) */
  bounds: Float64Array;
}

export const WGS84_LONG_RANGE: GeoHashRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const WGS84_LAT_RANGE: GeoHashRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
/** the standard geohash ranges GEOHASH's strings are computed on */
const STD_LONG_RANGE: GeoHashRange = { min: -180, max: 180 };
const STD_LAT_RANGE: GeoHashRange = { min: -90, max: 90 };

// ---------------------------------------------------------------- interleaving

/** The low 16 bits of v spread to the even bits of a uint32. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

/** The even bits of a uint32 gathered into 16 bits. */
function compact16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/**
 * interleave64: the bits of xlo on the even positions of a 64-bit word, those
 * of ylo on the odd ones (both uint32). Written to out.
 */
export function interleave64(xlo: number, ylo: number, out: U64): U64 {
  out.lo = (spread16(xlo) | (spread16(ylo) << 1)) >>> 0;
  out.hi = (spread16(xlo >>> 16) | (spread16(ylo >>> 16) << 1)) >>> 0;
  return out;
}

/** deinterleave64: the even bits of the word (hi, lo) into out.hi = y (odd bits), out.lo = x (even bits). */
export function deinterleave64(hi: number, lo: number, out: U64): U64 {
  out.lo = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  out.hi = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return out;
}

/** The word (hi, lo) as a double: exact below 2^53, rounded to nearest even above (uint64 → double). */
export const u64ToNumber = (w: U64): number => w.hi * TWO32 + w.lo;

/** The exact decimal text of the word (sdsfromlonglong of a value below 2^63). */
export function u64ToString(w: U64): string {
  if (w.hi < 0x200000) return String(w.hi * TWO32 + w.lo);
  return ((BigInt(w.hi) << 32n) | BigInt(w.lo)).toString();
}

/** The 64 bits (uint64_t)d gives on x86-64 (truncation; out-of-range values as gcc's code yields them). */
export function doubleToU64(d: number, out: U64): U64 {
  if (d >= 9223372036854775808) {
    // subtract 2^63, convert signed, set bit 63 again: ≥ 2^64 and +inf give 0
    if (d >= 18446744073709551616) {
      out.hi = 0;
      out.lo = 0;
      return out;
    }
    const t = Math.trunc(d);
    const hi = Math.floor(t / TWO32);
    out.hi = hi >>> 0;
    out.lo = (t - hi * TWO32) >>> 0;
    return out;
  }
  if (!(d > -9223372036854775808)) {
    // cvttsd2si's "integer indefinite" (also -inf)
    out.hi = 0x80000000;
    out.lo = 0;
    return out;
  }
  const t = Math.trunc(d);
  const hi = Math.floor(t / TWO32);
  out.lo = (t - hi * TWO32) >>> 0;
  out.hi = hi >>> 0;
  return out;
}

// ---------------------------------------------------------------- encode / decode

const scratchU64: U64 = { hi: 0, lo: 0 };

/**
 * geohashEncode: the cell of (longitude, latitude) at `step` bits per
 * coordinate over the given ranges, or null when the position is outside
 * Redis's limits or the ranges (or step is not 1..32).
 */
export function geohashEncode(longRange: GeoHashRange, latRange: GeoHashRange, longitude: number, latitude: number, step: number, out?: GeoHashBits): GeoHashBits | null {
  if (step > 32 || step === 0) return null;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  // convert to fixed point based on the step size (then to uint32_t: truncation)
  latOffset *= 2 ** step;
  longOffset *= 2 ** step;
  const h = out ?? { lat: 0, lon: 0, step: 0 };
  h.lat = Math.floor(latOffset) >>> 0;
  h.lon = Math.floor(longOffset) >>> 0;
  h.step = step;
  return h;
}

/** geohashEncodeWGS84: over Redis's limits. */
export function geohashEncodeWGS84(longitude: number, latitude: number, step: number, out?: GeoHashBits): GeoHashBits | null {
  return geohashEncode(WGS84_LONG_RANGE, WGS84_LAT_RANGE, longitude, latitude, step, out);
}

/** The cell's interleaved bits (GeoHashBits.bits): latitude on the even bits. */
export function geohashBits(h: GeoHashBits, out: U64): U64 {
  return interleave64(h.lat, h.lon, out);
}

/**
 * The score GEOADD stores for a position (geohashEncodeWGS84 at step 26,
 * geohashAlign52Bits), as exact text (what Redis hands ZADD) and as the
 * double ZADD reads from it; null when the position is outside the limits.
 */
export function geohashScoreWGS84(longitude: number, latitude: number, out: U64): U64 | null {
  const h = geohashEncodeWGS84(longitude, latitude, GEO_STEP_MAX, encodeScratch);
  if (h === null) return null;
  return interleave64(h.lat, h.lon, out);
}
const encodeScratch: GeoHashBits = { lat: 0, lon: 0, step: 0 };

/**
 * geohashAlign52Bits on (bits + add): the cell's bits shifted to 52, as the
 * double the sorted-set range reads (add 1: the exclusive end of the cell).
 */
export function geohashAlign52Bits(h: GeoHashBits, add = 0): number {
  interleave64(h.lat, h.lon, scratchU64);
  // one rounding, as the C's uint64 → double conversion (the shift by a power of two is exact)
  return (scratchU64.hi * TWO32 + (scratchU64.lo + add)) * 2 ** (52 - h.step * 2);
}

/**
 * geohashDecode: the extent of a cell with indexes (ilat, ilon) at `step`
 * over the ranges. The indexes are uint32 as in C (ilat + 1 wraps).
 */
export function geohashDecodeIndexes(longRange: GeoHashRange, latRange: GeoHashRange, ilat: number, ilon: number, step: number, area: GeoHashArea): GeoHashArea {
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  const div = 2 ** step;
  area.latMin = latRange.min + ((ilat * 1.0) / div) * latScale;
  area.latMax = latRange.min + ((((ilat + 1) >>> 0) * 1.0) / div) * latScale;
  area.lonMin = longRange.min + ((ilon * 1.0) / div) * longScale;
  area.lonMax = longRange.min + ((((ilon + 1) >>> 0) * 1.0) / div) * longScale;
  return area;
}

/** geohashDecode of a cell; false for the zeroed cell (HASHISZERO), area untouched. */
export function geohashDecode(longRange: GeoHashRange, latRange: GeoHashRange, h: GeoHashBits, area: GeoHashArea): boolean {
  if (h.step === 0 && h.lat === 0 && h.lon === 0) return false;
  geohashDecodeIndexes(longRange, latRange, h.lat, h.lon, h.step, area);
  return true;
}

/** geohashDecodeAreaToLongLat: the centre of the area, clamped to Redis's limits. */
export function geohashDecodeAreaToLongLat(area: GeoHashArea, xy: Float64Array): void {
  let x = (area.lonMin + area.lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (area.latMin + area.latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  xy[0] = x;
  xy[1] = y;
}

const decodeWord: U64 = { hi: 0, lo: 0 };
// 2^-26 and 2^-32: multiplying by them is exact, as dividing by 2^26 / 2^32 is (and far cheaper)
const INV_STEP26 = 1 / 67108864;
const INV_TWO32 = 1 / 4294967296;
const LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN;
const LONG_SCALE = GEO_LONG_MAX - GEO_LONG_MIN;

/**
 * decodeGeohash over many scores: the positions of scores[ids[i]] for
 * i < n, into lon[i] and lat[i]. Each is the centre of the score's step-26
 * cell, clamped to the limits (geohashDecodeIndexes +
 * geohashDecodeAreaToLongLat unrolled for step 26); any score decodes, read
 * as (uint64_t)score. One loop over typed arrays: a search decodes every
 * score of its nine cells, and a call per point would box each double.
 */
export function decodeGeohashMany(scores: Float64Array, ids: Int32Array, n: number, lon: Float64Array, lat: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const score = scores[ids[i]];
    let hi: number;
    let lo: number;
    if (score >= 0 && score < 9007199254740992) {
      const t = Math.floor(score);
      const h = Math.floor(t * INV_TWO32);
      hi = h | 0;
      lo = (t - h * TWO32) | 0;
    } else {
      doubleToU64(score, decodeWord);
      hi = decodeWord.hi | 0;
      lo = decodeWord.lo | 0;
    }
    // the even bits (latitude) and the odd bits (longitude) of each half, gathered
    let a = lo & 0x55555555;
    let b = hi & 0x55555555;
    let c = (lo >>> 1) & 0x55555555;
    let d = (hi >>> 1) & 0x55555555;
    a = (a | (a >>> 1)) & 0x33333333;
    b = (b | (b >>> 1)) & 0x33333333;
    c = (c | (c >>> 1)) & 0x33333333;
    d = (d | (d >>> 1)) & 0x33333333;
    a = (a | (a >>> 2)) & 0x0f0f0f0f;
    b = (b | (b >>> 2)) & 0x0f0f0f0f;
    c = (c | (c >>> 2)) & 0x0f0f0f0f;
    d = (d | (d >>> 2)) & 0x0f0f0f0f;
    a = (a | (a >>> 4)) & 0x00ff00ff;
    b = (b | (b >>> 4)) & 0x00ff00ff;
    c = (c | (c >>> 4)) & 0x00ff00ff;
    d = (d | (d >>> 4)) & 0x00ff00ff;
    a = (a | (a >>> 8)) & 0x0000ffff;
    b = (b | (b >>> 8)) & 0x0000ffff;
    c = (c | (c >>> 8)) & 0x0000ffff;
    d = (d | (d >>> 8)) & 0x0000ffff;
    const ilat = (a | (b << 16)) >>> 0;
    const ilon = (c | (d << 16)) >>> 0;
    const latMin = GEO_LAT_MIN + ilat * INV_STEP26 * LAT_SCALE;
    const latMax = GEO_LAT_MIN + ((ilat + 1) >>> 0) * INV_STEP26 * LAT_SCALE;
    const lonMin = GEO_LONG_MIN + ilon * INV_STEP26 * LONG_SCALE;
    const lonMax = GEO_LONG_MIN + ((ilon + 1) >>> 0) * INV_STEP26 * LONG_SCALE;
    let x = (lonMin + lonMax) * 0.5;
    if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
    if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
    let y = (latMin + latMax) * 0.5;
    if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
    if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
    lon[i] = x;
    lat[i] = y;
  }
}

const oneScore = new Float64Array(1);
const oneId = new Int32Array(1);
const oneLon = new Float64Array(1);
const oneLat = new Float64Array(1);

/**
 * decodeGeohash (geo.c): the position a sorted-set score stands for, written
 * to xy as [longitude, latitude].
 */
export function decodeGeohash(score: number, xy: Float64Array): void {
  oneScore[0] = score;
  decodeGeohashMany(oneScore, oneId, 1, oneLon, oneLat);
  xy[0] = oneLon[0];
  xy[1] = oneLat[0];
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';
const hashCell: GeoHashBits = { lat: 0, lon: 0, step: 0 };

/**
 * The GEOHASH command's 11-character string for a decoded position: the
 * position re-encoded at step 26 over the standard ranges (latitude -90..90),
 * ten 5-bit groups of the 52 bits, and a final '0' (Redis has no 55th bit).
 */
export function geohashString(xy: Float64Array): string {
  const h = geohashEncode(STD_LONG_RANGE, STD_LAT_RANGE, xy[0], xy[1], 26, hashCell);
  const w = h === null ? { hi: 0, lo: 0 } : interleave64(h.lat, h.lon, scratchU64);
  let s = '';
  for (let i = 0; i < 10; i++) {
    const shift = 52 - (i + 1) * 5;
    // five bits at `shift` of the 64-bit word
    let idx: number;
    if (shift >= 32) idx = (w.hi >>> (shift - 32)) & 0x1f;
    else if (shift + 5 <= 32) idx = (w.lo >>> shift) & 0x1f;
    else idx = ((w.lo >>> shift) | (w.hi << (32 - shift))) & 0x1f;
    s += GEOALPHABET[idx];
  }
  return s + '0';
}

// ---------------------------------------------------------------- neighbours

/** The eight cells around a cell (GeoHashNeighbors). */
export interface GeoHashNeighbors {
  north: GeoHashBits;
  south: GeoHashBits;
  east: GeoHashBits;
  west: GeoHashBits;
  northEast: GeoHashBits;
  northWest: GeoHashBits;
  southEast: GeoHashBits;
  southWest: GeoHashBits;
}

/**
 * The cell moved by dx along the longitude and dy along the latitude:
 * geohash_move_x / geohash_move_y, which wrap modulo 2^step (a coordinate
 * not moved keeps its index as it is, even 2^step).
 */
function moved(h: GeoHashBits, dx: number, dy: number): GeoHashBits {
  const mask = 2 ** h.step - 1;
  const lon = dx === 0 ? h.lon : ((h.lon + dx) & mask) >>> 0;
  const lat = dy === 0 ? h.lat : ((h.lat + dy) & mask) >>> 0;
  return { lat, lon, step: h.step };
}

/** geohashNeighbors: the eight cells around h. */
export function geohashNeighbors(h: GeoHashBits): GeoHashNeighbors {
  return {
    east: moved(h, 1, 0),
    west: moved(h, -1, 0),
    south: moved(h, 0, -1),
    north: moved(h, 0, 1),
    northWest: moved(h, -1, 1),
    northEast: moved(h, 1, 1),
    southEast: moved(h, 1, -1),
    southWest: moved(h, -1, -1),
  };
}

const GZERO = (h: GeoHashBits): void => {
  h.lat = 0;
  h.lon = 0;
  h.step = 0;
};

/** HASHISZERO: the cell a search left out. */
export const hashIsZero = (h: GeoHashBits): boolean => h.step === 0 && h.lat === 0 && h.lon === 0;

// ---------------------------------------------------------------- search areas

/**
 * geohashEstimateStepsByRadius: the bits per coordinate of the nine search
 * cells for a radius, fewer towards the poles.
 */
export function geohashEstimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2; // make sure range is included in most of the base cases
  // wider range towards the poles
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/**
 * geohashBoundingBox: the search shape's bounding box in degrees, written to
 * shape.bounds (min longitude, min latitude, max longitude, max latitude);
 * the longitude span is taken at the edge farther from the equator.
 */
export function geohashBoundingBox(shape: GeoShape): void {
  const longitude = shape.xy[0];
  const latitude = shape.xy[1];
  const height = shape.conversion * (shape.type === 'circle' ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.type === 'circle' ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude - latDelta)));
  const southern = latitude < 0;
  const b = shape.bounds;
  b[0] = southern ? longitude - longDeltaBottom : longitude - longDeltaTop;
  b[2] = southern ? longitude + longDeltaBottom : longitude + longDeltaTop;
  b[1] = latitude - latDelta;
  b[3] = latitude + latDelta;
}

/** What a search reads: the centre cell and its neighbours, some zeroed (GeoHashRadius). */
export interface GeoHashRadius {
  hash: GeoHashBits;
  neighbors: GeoHashNeighbors;
  area: GeoHashArea;
}

/**
 * geohashCalculateAreasByShapeWGS84: the nine cells covering the shape (the
 * centre's cell at the estimated step, one step coarser when a neighbour does
 * not reach the bounding box), with the neighbours the box does not touch
 * zeroed. Fills shape.bounds.
 */
export function geohashCalculateAreasByShapeWGS84(shape: GeoShape): GeoHashRadius {
  geohashBoundingBox(shape);
  const [minLon, minLat, maxLon, maxLat] = shape.bounds;
  const longitude = shape.xy[0];
  const latitude = shape.xy[1];
  // a box's "radius" is the distance from its centre to a corner
  let radiusMeters = shape.type === 'circle' ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;

  let steps = geohashEstimateStepsByRadius(radiusMeters, latitude);
  const lr = WGS84_LONG_RANGE;
  const ar = WGS84_LAT_RANGE;
  let hash = geohashEncode(lr, ar, longitude, latitude, steps) ?? { lat: 0, lon: 0, step: steps };
  let neighbors = geohashNeighbors(hash);
  const area: GeoHashArea = { lonMin: 0, lonMax: 0, latMin: 0, latMax: 0 };
  geohashDecode(lr, ar, hash, area);

  // is the step small enough at the limits of the covered area?
  let decreaseStep = false;
  {
    const north: GeoHashArea = { lonMin: 0, lonMax: 0, latMin: 0, latMax: 0 };
    const south: GeoHashArea = { ...north };
    const east: GeoHashArea = { ...north };
    const west: GeoHashArea = { ...north };
    geohashDecode(lr, ar, neighbors.north, north);
    geohashDecode(lr, ar, neighbors.south, south);
    geohashDecode(lr, ar, neighbors.east, east);
    geohashDecode(lr, ar, neighbors.west, west);
    if (north.latMax < maxLat) decreaseStep = true;
    if (south.latMin > minLat) decreaseStep = true;
    if (east.lonMax < maxLon) decreaseStep = true;
    if (west.lonMin > minLon) decreaseStep = true;
  }
  if (steps > 1 && decreaseStep) {
    steps--;
    hash = geohashEncode(lr, ar, longitude, latitude, steps) ?? { lat: 0, lon: 0, step: steps };
    neighbors = geohashNeighbors(hash);
    geohashDecode(lr, ar, hash, area);
  }
  // exclude the search areas that are useless
  if (steps >= 2) {
    if (area.latMin < minLat) {
      GZERO(neighbors.south);
      GZERO(neighbors.southWest);
      GZERO(neighbors.southEast);
    }
    if (area.latMax > maxLat) {
      GZERO(neighbors.north);
      GZERO(neighbors.northEast);
      GZERO(neighbors.northWest);
    }
    if (area.lonMin < minLon) {
      GZERO(neighbors.west);
      GZERO(neighbors.southWest);
      GZERO(neighbors.northWest);
    }
    if (area.lonMax > maxLon) {
      GZERO(neighbors.east);
      GZERO(neighbors.southEast);
      GZERO(neighbors.northEast);
    }
  }
  return { hash, neighbors, area };
}

/** The nine cells in the order Redis reads them (membersOfAllNeighbors). */
export function searchCells(r: GeoHashRadius): GeoHashBits[] {
  const n = r.neighbors;
  return [r.hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
}

// ---------------------------------------------------------------- distances

/** geohashGetDistance: the haversine great-circle distance in meters (Redis 7.0's formula). */
export function geohashGetDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lat1r = degRad(lat1d);
  const lon1r = degRad(lon1d);
  const lat2r = degRad(lat2d);
  const lon2r = degRad(lon2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const v = Math.sin((lon2r - lon1r) / 2);
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v));
}

/**
 * A search centre's terms of the haversine (its radians and cosine), taken
 * once per search: Redis computes the same values for every point, so the
 * distances are the same to the bit.
 */
export interface DistanceOrigin {
  lonR: number;
  latR: number;
  cosLat: number;
  /** the prefilter (see outsideShape): the largest latitude difference in radians, Infinity for none */
  latLimit: number;
  /** the prefilter: K of the longitude bound K·t² > 1, 0 for none */
  lonK: number;
}

export function distanceOrigin(lon: number, lat: number): DistanceOrigin {
  const latR = degRad(lat);
  return { lonR: degRad(lon), latR, cosLat: Math.cos(latR), latLimit: Infinity, lonK: 0 };
}

/**
 * The origin of a search with its prefilter: bounds that reject, without
 * trigonometry, candidates certainly outside the shape (the haversine's
 * terms bounded from below; margins far above the computations' rounding),
 * so that the distance is computed only for the others. Whatever passes is
 * tested exactly as Redis tests it: the result is the same.
 * - latitude: a point at distance d differs in latitude by at most d/R, and
 *   a box's north-south distance is R·|Δφ|;
 * - longitude: with cmin the smallest cos φ over that latitude band and
 *   t = x − x³/6 <= sin x (x half the longitude difference, folded to ≤ π/2),
 *   a circle needs cos φ1·cmin·t² <= sin²(r/2R) and a box's east-west
 *   distance 2R·asin(cos φ2·sin x) >= 2R·cmin·t must be <= w/2.
 */
export function searchOrigin(shape: GeoShape): DistanceOrigin {
  const o = distanceOrigin(shape.xy[0], shape.xy[1]);
  const half = shape.type === 'circle' ? shape.radius * shape.conversion : (shape.height * shape.conversion) / 2;
  const halfW = shape.type === 'circle' ? half : (shape.width * shape.conversion) / 2;
  const delta = half / EARTH_RADIUS_IN_METERS;
  if (!(delta < Math.PI / 4)) return o; // huge shapes (and NaN): no prefilter
  o.latLimit = delta * (1 + 1e-9) + 1e-15;
  const maxLat = Math.abs(o.latR) + o.latLimit;
  // no longitude bound over a pole, nor for shapes so small (in either direction) that its squares underflow
  if (maxLat >= Math.PI / 2 || delta < 1e-100 || halfW / EARTH_RADIUS_IN_METERS < 1e-100) return o;
  const cmin = Math.cos(maxLat) * (1 - 1e-9);
  if (shape.type === 'circle') {
    const s = Math.sin(delta / 2);
    o.lonK = (o.cosLat * cmin) / (s * s);
  } else {
    const k = (2 * EARTH_RADIUS_IN_METERS * cmin) / halfW;
    o.lonK = k * k;
  }
  if (!Number.isFinite(o.lonK)) o.lonK = 0;
  return o;
}

/** Whether the prefilter of o rejects the point (lon, lat) in degrees: certainly outside the shape. */
export function outsideShape(o: DistanceOrigin, lon: number, lat: number): boolean {
  const dLat = degRad(lat) - o.latR;
  if (dLat > o.latLimit || -dLat > o.latLimit) return true;
  if (o.lonK === 0) return false;
  let dl = Math.abs(degRad(lon) - o.lonR);
  if (dl > Math.PI) dl = 2 * Math.PI - dl;
  const x = dl / 2;
  const t = x - (x * x * x) / 6;
  return t * t * o.lonK > 1 + 1e-7;
}

/** geohashGetDistance(origin, (lon2d, lat2d)): the centre as the first point. */
export function geohashGetDistanceFrom(o: DistanceOrigin, lon2d: number, lat2d: number): number {
  const lat2r = degRad(lat2d);
  const lon2r = degRad(lon2d);
  const u = Math.sin((lat2r - o.latR) / 2);
  const v = Math.sin((lon2r - o.lonR) / 2);
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(u * u + o.cosLat * Math.cos(lat2r) * v * v));
}

/**
 * geohashGetDistance with sin/cos/asin as glibc's libm computes them for
 * Redis (Math's differ in the last bit for a few percent of arguments): for
 * the distances whose last bits show (STOREDIST, GEODIST, a "%.4f" or a
 * radius on the edge). About 3 µs.
 */
export function geohashGetDistanceExact(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lat1r = degRad(lat1d);
  const lon1r = degRad(lon1d);
  const lat2r = degRad(lat2d);
  const lon2r = degRad(lon2d);
  const u = glibcSin((lat2r - lat1r) / 2);
  const v = glibcSin((lon2r - lon1r) / 2);
  return 2.0 * EARTH_RADIUS_IN_METERS * glibcAsin(Math.sqrt(u * u + glibcCos(lat1r) * glibcCos(lat2r) * v * v));
}

/** Whether a distance computed with Math's functions may compare with `limit` otherwise than Redis's. */
export const nearEdge = (d: number, limit: number): boolean => Math.abs(d - limit) <= Math.abs(limit) * 1e-12;

/**
 * geohashGetDistanceIfInRadiusWGS84: the distance from (x1, y1) to (x2, y2),
 * or -1 when it is over radius (Redis returns the distance by pointer).
 */
export function geohashGetDistanceIfInRadiusWGS84(x1: number, y1: number, x2: number, y2: number, radius: number): number {
  let distance = geohashGetDistance(x1, y1, x2, y2);
  if (nearEdge(distance, radius)) distance = geohashGetDistanceExact(x1, y1, x2, y2);
  return distance > radius ? -1 : distance;
}

/** geohashGetDistanceIfInRadiusWGS84 from a search's origin (o is (x1, y1)). */
export function distanceIfInRadiusFrom(o: DistanceOrigin, x1: number, y1: number, x2: number, y2: number, radius: number): number {
  let distance = geohashGetDistanceFrom(o, x2, y2);
  if (nearEdge(distance, radius)) distance = geohashGetDistanceExact(x1, y1, x2, y2);
  return distance > radius ? -1 : distance;
}

/**
 * geohashGetDistanceIfInRectangle (7.0): whether (x2, y2) lies in the
 * width_m × height_m box centred on (x1, y1) — its east-west distance at its
 * own latitude and its north-south distance at its own longitude within half
 * the sides — returning the distance from the centre, or -1 when outside.
 */
export function geohashGetDistanceIfInRectangle(widthM: number, heightM: number, x1: number, y1: number, x2: number, y2: number): number {
  return distanceIfInRectangleFrom(distanceOrigin(x1, y1), widthM, heightM, x1, y1, x2, y2);
}

/**
 * geohashGetDistanceIfInRectangle from a search's origin (o is (x1, y1)).
 * The two side distances are the haversine with one term zero (equal
 * latitudes: sin(0)² = 0; equal longitudes: the cosines times sin(0)² = +0),
 * which adds nothing: those terms are left out, the result is the same.
 */
export function distanceIfInRectangleFrom(o: DistanceOrigin, widthM: number, heightM: number, x1: number, y1: number, x2: number, y2: number): number {
  const lat2r = degRad(y2);
  const c2 = Math.cos(lat2r);
  const v = Math.sin((o.lonR - degRad(x2)) / 2);
  let lonDistance = 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(c2 * c2 * v * v));
  const u = Math.sin((o.latR - lat2r) / 2);
  let latDistance = 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(u * u));
  if (nearEdge(lonDistance, widthM / 2)) lonDistance = geohashGetDistanceExact(x2, y2, x1, y2);
  if (nearEdge(latDistance, heightM / 2)) latDistance = geohashGetDistanceExact(x2, y2, x2, y1);
  if (lonDistance > widthM / 2 || latDistance > heightM / 2) return -1;
  return geohashGetDistanceFrom(o, x2, y2);
}
