/**
 * Lua 5.1's math library (lmathlib.c) for gKV's Lua, and Redis's
 * replacement of math.random / math.randomseed.
 *
 * - abs ceil floor sqrt sin cos tan asin acos atan atan2 sinh cosh tanh exp
 *   log log10 pow fmod modf frexp ldexp deg rad min max, huge pi, and mod
 *   (5.1's LUA_COMPAT_MOD alias of fmod). Each is the C library call on a
 *   double, as glibc computes it: V8's fdlibm-based Math functions differ
 *   from glibc's in the last bit for a few percent of arguments, which
 *   shows in comparisons and sometimes in %.14g, so sin/cos/asin/acos come
 *   from util/crmath.ts and exp/log/log10/pow/tan/atan/atan2/sinh/cosh from
 *   util/libm.ts; sqrt, floor, ceil, fmod (JS's %), frexp, ldexp are exact
 *   in both, and tanh is fdlibm's in both.
 * - random / randomseed as lua5.1 has them: glibc's rand() (the TYPE_3
 *   additive feedback generator, seeded by srand), so math.random() gives
 *   lua5.1's sequence; one generator per LuaState (C's is per process).
 * - Redis replaces both in its scripting sandbox (script_lua.c's
 *   redis_math_random / redis_math_randomseed) with rand48 on 48-bit state
 *   (rand.c's redisLrand48 / redisSrand48). Its state is one C static per
 *   process, shared by EVAL and FCALL, that starts at rand.c's X0/X1/X2
 *   (0x1234ABCD330E) and is only reseeded by math.randomseed: Redis 6
 *   reseeded it with 0 before every EVAL, 7.0 (scripts replicated as
 *   effects) does not, so consecutive EVALs continue one sequence — checked
 *   against redis-server 7.0.15. openRedisMathRandom installs the two
 *   functions on a RedisRand48 the caller keeps per server.
 */
import { crAcos, glibcAsin, glibcCos, glibcSin } from '../../util/crmath.js';
import { glibcAtan, glibcAtan2, glibcCosh, glibcExp, glibcLog, glibcLog10, glibcPow, glibcSinh, glibcTan } from '../../util/libm.js';
import type { LuaState } from '../state.js';
import { LuaTable, type LuaValue } from '../value.js';
import { checkInt, checkNumber } from './auxlib.js';

const PI = 3.141592653589793;
const RADIANS_PER_DEGREE = PI / 180.0;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** frexp: [m, e] with x = m·2^e, 0.5 <= |m| < 1 (0, inf and NaN as they are, e = 0) */
export function frexp(x: number): [number, number] {
  if (x === 0 || x !== x || x === Infinity || x === -Infinity) return [x, 0];
  f64[0] = x;
  let bexp = (u32[1] >>> 20) & 0x7ff;
  let adj = 0;
  if (bexp === 0) {
    // subnormal: scale into the normal range first
    f64[0] = x * 2 ** 64;
    bexp = (u32[1] >>> 20) & 0x7ff;
    adj = -64;
  }
  const e = bexp - 1022;
  u32[1] = (u32[1] & 0x800fffff) | (1022 << 20);
  return [f64[0], e + adj];
}

/** ldexp / scalbn: x·2^n rounded once (musl's scalbn steps, so that subnormal results round once) */
export function ldexp(x: number, n: number): number {
  let y = x;
  if (n > 1023) {
    y *= 2 ** 1023;
    n -= 1023;
    if (n > 1023) {
      y *= 2 ** 1023;
      n -= 1023;
      if (n > 1023) n = 1023;
    }
  } else if (n < -1022) {
    // keep the final factor's exponent below -53 so that rounding happens once
    y *= 2 ** -1022 * 2 ** 53;
    n += 1022 - 53;
    if (n < -1022) {
      y *= 2 ** -1022 * 2 ** 53;
      n += 1022 - 53;
      if (n < -1022) n = -1022;
    }
  }
  return y * 2 ** n;
}

/**
 * glibc's rand()/srand(): random_r.c's TYPE_3 generator (degree 31,
 * separation 3) — r[i] = r[i-31] + r[i-3] (mod 2^32), output r >> 1 — seeded
 * by srandom_r (16807 LCG, then 310 outputs discarded).
 */
export class GlibcRand {
  private f = 3; // front index (as glibc's fptr), into a ring of 31
  private b = 0; // rear index
  private readonly state = new Int32Array(31);

  constructor(seed = 1) {
    this.srand(seed);
  }

  srand(seed: number): void {
    let s = seed | 0;
    if (s === 0) s = 1;
    const st = this.state;
    st[0] = s;
    let word = s;
    for (let i = 1; i < 31; i++) {
      // word = 16807 * word % 2147483647, computed as Schrage's method does it
      const hi = Math.trunc(word / 127773);
      const lo = word % 127773;
      word = 16807 * lo - 2836 * hi;
      if (word < 0) word += 2147483647;
      st[i] = word;
    }
    this.f = 3;
    this.b = 0;
    for (let i = 0; i < 310; i++) this.rand();
  }

  /** rand(): 0 .. RAND_MAX (2^31 - 1) */
  rand(): number {
    const st = this.state;
    const v = (st[this.f] + st[this.b]) | 0;
    st[this.f] = v;
    const out = v >>> 1;
    if (++this.f >= 31) this.f = 0;
    if (++this.b >= 31) this.b = 0;
    return out;
  }
}

/**
 * Redis's rand48 (src/rand.c): X ← (0x5DEECE66D·X + 0xB) mod 2^48,
 * redisLrand48 returns the top 31 bits; redisSrand48(seed) sets
 * X = seed·2^16 + 0x330E (the seed's 32 bits above 0x330E).
 */
export class RedisRand48 {
  /** X as two 24-bit halves */
  private hi = 0;
  private lo = 0;

  /** rand.c's static initial state: x = {X0, X1, X2} = {0x330E, 0xABCD, 0x1234} */
  constructor() {
    this.hi = 0x1234ab;
    this.lo = 0xcd330e;
  }

  /** redisSrand48 */
  srand(seed: number): void {
    const x = (seed >>> 0) * 65536 + 0x330e;
    this.hi = Math.floor(x / 16777216);
    this.lo = x % 16777216;
  }

  /** redisLrand48: 0 .. 2^31 - 1 */
  lrand(): number {
    // a = 0x5DEECE66D = AH·2^24 + AL
    const AH = 0x5de;
    const AL = 0xece66d;
    const lo = this.lo;
    const hi = this.hi;
    const p0 = lo * AL + 0xb; // < 2^48
    const p0lo = p0 % 16777216;
    const carry = Math.floor(p0 / 16777216);
    const mid = (hi * AL + lo * AH + carry) % 16777216; // the 2^24 column, mod 2^24
    this.lo = p0lo;
    this.hi = mid;
    // top 31 bits of the 48: hi (24 bits) and the top 7 of lo
    return mid * 128 + Math.floor(p0lo / 131072);
  }
}

/**
 * math.random's body (lmathlib.c, and Redis's copy of it): r in [0, 1)
 * from one draw, then the 0-, 1- or 2-argument forms.
 */
function randomBody(L: LuaState, r: number, argc: number, m: LuaValue, n: LuaValue): LuaValue[] {
  switch (argc) {
    case 0:
      return [r];
    case 1: {
      const u = checkInt(L, m, 1, 'random', argc);
      if (!(1 <= u)) throw L.argError(1, 'random', 'interval is empty');
      return [Math.floor(r * u) + 1];
    }
    case 2: {
      const l = checkInt(L, m, 1, 'random', argc);
      const u = checkInt(L, n, 2, 'random', argc);
      if (!(l <= u)) throw L.argError(2, 'random', 'interval is empty');
      return [Math.floor(r * ((u - l + 1) | 0)) + l]; // u-l+1 in C's int
    }
    default:
      throw L.error('wrong number of arguments');
  }
}

export function openMath(L: LuaState): LuaTable {
  const crand = new GlibcRand(1);
  const num = (v: LuaValue, name: string, argc: number, n = 1): number => (typeof v === 'number' ? v : checkNumber(L, v, n, name, argc));

  function math_abs(x: LuaValue): LuaValue[] {
    return [Math.abs(num(x, 'abs', arguments.length))];
  }
  function math_sin(x: LuaValue): LuaValue[] {
    return [glibcSin(num(x, 'sin', arguments.length))];
  }
  function math_sinh(x: LuaValue): LuaValue[] {
    return [glibcSinh(num(x, 'sinh', arguments.length))];
  }
  function math_cos(x: LuaValue): LuaValue[] {
    return [glibcCos(num(x, 'cos', arguments.length))];
  }
  function math_cosh(x: LuaValue): LuaValue[] {
    return [glibcCosh(num(x, 'cosh', arguments.length))];
  }
  function math_tan(x: LuaValue): LuaValue[] {
    return [glibcTan(num(x, 'tan', arguments.length))];
  }
  function math_tanh(x: LuaValue): LuaValue[] {
    return [Math.tanh(num(x, 'tanh', arguments.length))];
  }
  function math_asin(x: LuaValue): LuaValue[] {
    return [glibcAsin(num(x, 'asin', arguments.length))];
  }
  function math_acos(x: LuaValue): LuaValue[] {
    return [crAcos(num(x, 'acos', arguments.length))];
  }
  function math_atan(x: LuaValue): LuaValue[] {
    return [glibcAtan(num(x, 'atan', arguments.length))];
  }
  function math_atan2(y: LuaValue, x: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const b = num(x, 'atan2', argc, 2); // GCC evaluates C's call arguments right to left: #2 is checked first
    return [glibcAtan2(num(y, 'atan2', argc), b)];
  }
  function math_ceil(x: LuaValue): LuaValue[] {
    return [Math.ceil(num(x, 'ceil', arguments.length))];
  }
  function math_floor(x: LuaValue): LuaValue[] {
    return [Math.floor(num(x, 'floor', arguments.length))];
  }
  function math_fmod(x: LuaValue, y: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const b = num(y, 'fmod', argc, 2);
    return [num(x, 'fmod', argc) % b];
  }
  function math_mod(x: LuaValue, y: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const b = num(y, 'mod', argc, 2);
    return [num(x, 'mod', argc) % b];
  }
  function math_modf(x: LuaValue): LuaValue[] {
    const n = num(x, 'modf', arguments.length);
    if (n === Infinity || n === -Infinity) return [n, n > 0 ? 0 : -0];
    const ip = Math.trunc(n);
    return [ip, n - ip === 0 ? (n < 0 || (n === 0 && 1 / n < 0) ? -0 : 0) : n - ip];
  }
  function math_sqrt(x: LuaValue): LuaValue[] {
    return [Math.sqrt(num(x, 'sqrt', arguments.length))];
  }
  function math_pow(x: LuaValue, y: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const b = num(y, 'pow', argc, 2);
    return [glibcPow(num(x, 'pow', argc), b)];
  }
  function math_log(x: LuaValue): LuaValue[] {
    return [glibcLog(num(x, 'log', arguments.length))];
  }
  function math_log10(x: LuaValue): LuaValue[] {
    return [glibcLog10(num(x, 'log10', arguments.length))];
  }
  function math_exp(x: LuaValue): LuaValue[] {
    return [glibcExp(num(x, 'exp', arguments.length))];
  }
  function math_deg(x: LuaValue): LuaValue[] {
    return [num(x, 'deg', arguments.length) / RADIANS_PER_DEGREE];
  }
  function math_rad(x: LuaValue): LuaValue[] {
    return [num(x, 'rad', arguments.length) * RADIANS_PER_DEGREE];
  }
  function math_frexp(x: LuaValue): LuaValue[] {
    return frexp(num(x, 'frexp', arguments.length));
  }
  function math_ldexp(x: LuaValue, e: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const n = checkInt(L, e, 2, 'ldexp', argc);
    return [ldexp(num(x, 'ldexp', argc), n)];
  }
  function math_min(...args: LuaValue[]): LuaValue[] {
    let dmin = num(args[0], 'min', args.length);
    for (let i = 1; i < args.length; i++) {
      const d = num(args[i], 'min', args.length, i + 1);
      if (d < dmin) dmin = d;
    }
    return [dmin];
  }
  function math_max(...args: LuaValue[]): LuaValue[] {
    let dmax = num(args[0], 'max', args.length);
    for (let i = 1; i < args.length; i++) {
      const d = num(args[i], 'max', args.length, i + 1);
      if (d > dmax) dmax = d;
    }
    return [dmax];
  }
  function math_random(m: LuaValue, n: LuaValue): LuaValue[] {
    // the % avoids r == 1 (RAND_MAX = 2^31 - 1)
    const r = (crand.rand() % 2147483647) / 2147483647;
    return randomBody(L, r, arguments.length, m, n);
  }
  function math_randomseed(s: LuaValue): LuaValue[] {
    crand.srand(checkInt(L, s, 1, 'randomseed', arguments.length));
    return [];
  }

  return L.register('math', {
    abs: math_abs,
    acos: math_acos,
    asin: math_asin,
    atan2: math_atan2,
    atan: math_atan,
    ceil: math_ceil,
    cosh: math_cosh,
    cos: math_cos,
    deg: math_deg,
    exp: math_exp,
    floor: math_floor,
    fmod: math_fmod,
    frexp: math_frexp,
    ldexp: math_ldexp,
    log10: math_log10,
    log: math_log,
    max: math_max,
    min: math_min,
    modf: math_modf,
    pow: math_pow,
    rad: math_rad,
    random: math_random,
    randomseed: math_randomseed,
    sinh: math_sinh,
    sin: math_sin,
    sqrt: math_sqrt,
    tanh: math_tanh,
    tan: math_tan,
    pi: PI,
    huge: Infinity,
    mod: math_mod,
  });
}

/**
 * Installs Redis's math.random and math.randomseed (redis_math_random,
 * redis_math_randomseed) in L's math table (opening math first if needed),
 * drawing from `gen`: one per server, shared by the EVAL and FUNCTION Lua
 * states as Redis's single static state is. Returns gen.
 */
export function openRedisMathRandom(L: LuaState, gen: RedisRand48 = new RedisRand48()): RedisRand48 {
  let math = L.globals.get('math');
  if (!(math instanceof LuaTable)) math = openMath(L);
  function redis_math_random(m: LuaValue, n: LuaValue): LuaValue[] {
    // REDIS_LRAND48_MAX is INT32_MAX; the % avoids r == 1
    const r = (gen.lrand() % 2147483647) / 2147483647;
    return randomBody(L, r, arguments.length, m, n);
  }
  function redis_math_randomseed(s: LuaValue): LuaValue[] {
    gen.srand(checkInt(L, s, 1, 'randomseed', arguments.length));
    return [];
  }
  (math as LuaTable).set('random', redis_math_random);
  (math as LuaTable).set('randomseed', redis_math_randomseed);
  return gen;
}
