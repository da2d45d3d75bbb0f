/**
 * Lua 5.1's traversal order of a table, computed on demand.
 *
 * Scripts see the order in which pairs()/next() walk a table, and so do the
 * bytes cjson.encode and cmsgpack.pack write for a table with several keys:
 * Redis's `cjson.encode({a=1,b=2,c=3})` is `{"a":1,"c":3,"b":2}`. That order
 * is Lua 5.1's node layout (ltable.c): an array part for keys 1..sizearray,
 * then a vector of 2^k nodes where a key goes to its main position (the
 * string hash of lstring.c, the two 32-bit halves of a double summed, a
 * boolean) or, when that node is taken, to the last free node found by a
 * pointer walking down from the end (the colliding node moves out when it is
 * not in its own main position); a full vector is rehashed (sizes from the
 * counts of integer keys, computesizes) and the old nodes are reinserted
 * from the last to the first.
 *
 * LuaTable keeps its fast layout (an array and a Map in insertion order);
 * this module replays the table's keys into Lua's layout when a traversal
 * starts: the array part first (1..n, as a table filled in order ends up),
 * then the other keys in the order they were first inserted, from the size
 * the table constructor asked for. The result is Lua's order for every table
 * built by insertions alone, constructors included; a table whose keys were
 * deleted and others added later, or whose integer and other keys were
 * inserted interleaved across a rehash, may come out in another (still
 * valid) order. Objects (tables, functions as keys) hash by address in Lua:
 * any order is Lua's for some address, ours is stable.
 */
/** a table key (value.ts's LuaValue; this module sits below it) */
type LuaValue = unknown;
/** the pseudo-address of an object key (value.ts's addressOf) */
export type ObjectHash = (o: object) => number;

/** Lua 5.1's MAXBITS (array part sizes up to 2^26) */
const MAXBITS = 26;
const MAXASIZE = 1 << MAXBITS;

/** luaS_hash of lstring.c: the length as seed, at most ~32 bytes sampled from the end */
export function luaStringHash(s: string): number {
  const l = s.length;
  let h = l >>> 0;
  const step = (l >>> 5) + 1;
  for (let l1 = l; l1 >= step; l1 -= step) h = (h ^ ((h << 5) + (h >>> 2) + (s.charCodeAt(l1 - 1) & 0xff))) >>> 0;
  return h;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** ceil(log2(x)) for x >= 1 (luaO_log2(x-1)+1) */
function ceilLog2(x: number): number {
  let l = 0;
  x--;
  while (x >= 1) {
    l++;
    x = Math.floor(x / 2);
  }
  return l;
}

/** luaO_fb2int(luaO_int2fb(n)): the size a constructor's hint becomes */
export function fbRound(n: number): number {
  let x = n;
  let e = 0;
  while (x >= 16) {
    x = (x + 1) >>> 1;
    e++;
  }
  return x << e; // x < 8 only when e = 0; otherwise ((x & 7) + 8) << e is x << e
}

function arrayIndex(k: LuaValue): number {
  return typeof k === 'number' && Number.isInteger(k) && k >= 1 && k <= MAXASIZE ? k : 0;
}

class Layout {
  sizearray = 0;
  /** integer keys held by the array part */
  inArray = new Set<number>();
  size = 0;
  keys: LuaValue[] = [];
  next: Int32Array = new Int32Array(0);
  lastfree = 0;
  where = new Map<LuaValue, number>();

  constructor(
    nhash: number,
    readonly objHash: ObjectHash,
  ) {
    this.setNodeVector(nhash);
  }

  setNodeVector(n: number): void {
    this.size = n === 0 ? 0 : 1 << ceilLog2(n);
    this.keys = new Array(this.size);
    this.next = new Int32Array(this.size).fill(-1);
    this.lastfree = this.size;
    this.where = new Map();
  }

  mainPosition(k: LuaValue): number {
    const n = this.size;
    switch (typeof k) {
      case 'string':
        return luaStringHash(k) & (n - 1);
      case 'boolean':
        return (k ? 1 : 0) & (n - 1);
      case 'number': {
        if (k === 0) return 0;
        f64[0] = k;
        return ((u32[0] + u32[1]) >>> 0) % ((n - 1) | 1);
      }
    }
    return this.objHash(k as object) % ((n - 1) | 1);
  }

  insert(k: LuaValue): void {
    const ai = arrayIndex(k);
    if (ai !== 0 && ai <= this.sizearray) {
      this.inArray.add(ai);
      return;
    }
    if (this.where.has(k)) return;
    if (this.size === 0) {
      this.rehash(k);
      this.insert(k);
      return;
    }
    let mp = this.mainPosition(k);
    if (this.keys[mp] !== undefined) {
      const f = this.freePosition();
      if (f < 0) {
        this.rehash(k);
        this.insert(k);
        return;
      }
      let othern = this.mainPosition(this.keys[mp]);
      if (othern !== mp) {
        // the colliding node is out of its main position: it moves to the free node
        while (this.next[othern] !== mp) othern = this.next[othern];
        this.next[othern] = f;
        this.keys[f] = this.keys[mp];
        this.next[f] = this.next[mp];
        this.where.set(this.keys[f], f);
        this.next[mp] = -1;
        this.keys[mp] = undefined;
      } else {
        // it is in its own main position: the new key takes the free node, chained after it
        this.next[f] = this.next[mp];
        this.next[mp] = f;
        mp = f;
      }
    }
    this.keys[mp] = k;
    this.where.set(k, mp);
  }

  freePosition(): number {
    while (this.lastfree > 0) {
      this.lastfree--;
      if (this.keys[this.lastfree] === undefined) return this.lastfree;
    }
    return -1;
  }

  /** rehash(t, ek): new sizes from the counts of integer keys, then everything reinserted */
  rehash(ek: LuaValue): void {
    const nums = new Array<number>(MAXBITS + 1).fill(0);
    let nasize = 0;
    for (const k of this.inArray) {
      nums[ceilLog2(k)]++;
      nasize++;
    }
    let totaluse = nasize;
    for (let i = this.size - 1; i >= 0; i--) {
      const k = this.keys[i];
      if (k === undefined) continue;
      const ai = arrayIndex(k);
      if (ai !== 0) {
        nums[ceilLog2(ai)]++;
        nasize++;
      }
      totaluse++;
    }
    const eai = arrayIndex(ek);
    if (eai !== 0) {
      nums[ceilLog2(eai)]++;
      nasize++;
    }
    totaluse++;
    // computesizes
    let a = 0;
    let na = 0;
    let n = 0;
    for (let i = 0, twotoi = 1; twotoi / 2 < nasize; i++, twotoi *= 2) {
      if (nums[i] > 0) {
        a += nums[i];
        if (a > twotoi / 2) {
          n = twotoi;
          na = a;
        }
      }
      if (a === nasize) break;
    }
    this.resize(n, totaluse - na);
  }

  resize(nasize: number, nhsize: number): void {
    const oldKeys = this.keys;
    const oldSize = this.size;
    const oldsa = this.sizearray;
    if (nasize > oldsa) this.sizearray = nasize;
    this.setNodeVector(nhsize);
    if (nasize < oldsa) {
      this.sizearray = nasize;
      const moved = [...this.inArray].filter((k) => k > nasize).sort((x, y) => x - y);
      for (const k of moved) {
        this.inArray.delete(k);
        this.insert(k);
      }
    }
    for (let i = oldSize - 1; i >= 0; i--) if (oldKeys[i] !== undefined) this.insert(oldKeys[i]);
  }
}

/**
 * Every key of a table in the order Lua 5.1 traverses them: the keys of its
 * array part ascending, then the node vector's. `arr` is LuaTable's array
 * (keys 1..arr.length, holes as undefined), `hashKeys` its other keys in
 * first-insertion order, `late` the array keys added after the hash had keys
 * (runs: flat triples of first key, last key, the hash key added just
 * before them), replayed in their place. `arrHint` is the array size the table's constructor gave it
 * (-1: none; see constructorArraySize), `hashHint` the number of keyed items it had.
 */
export function luaTraversalOrder(arr: readonly LuaValue[], arrHint: number, hashHint: number, hashKeys: LuaValue[], late: LuaValue[] | undefined, objHash: ObjectHash): LuaValue[] {
  const lay = new Layout(hashHint > 0 ? fbRound(hashHint) : 0, objHash);
  if (arrHint >= 0) lay.sizearray = arrHint;
  const lateKeys = new Set<LuaValue>();
  const after = new Map<LuaValue, LuaValue[]>();
  if (late !== undefined) {
    for (let i = 0; i < late.length; i += 3) {
      let list = after.get(late[i + 2]);
      if (list === undefined) after.set(late[i + 2], (list = []));
      for (let k = late[i] as number; k <= (late[i + 1] as number); k++) {
        lateKeys.add(k);
        list.push(k);
      }
    }
  }
  for (let i = 1; i <= arr.length; i++) if (arr[i - 1] !== undefined && !lateKeys.has(i)) lay.insert(i);
  const present = new Set<LuaValue>(hashKeys);
  for (const k of hashKeys) {
    lay.insert(k);
    const ks = after.get(k);
    if (ks !== undefined) for (const ak of ks) if (arr[(ak as number) - 1] !== undefined) lay.insert(ak);
  }
  // array keys added after a hash key deleted since: at the end
  for (const [hk, ks] of after) if (!present.has(hk)) for (const ak of ks) if (arr[(ak as number) - 1] !== undefined) lay.insert(ak);
  const out: LuaValue[] = [...lay.inArray].sort((x, y) => x - y);
  for (let i = 0; i < lay.size; i++) if (lay.keys[i] !== undefined) out.push(lay.keys[i]);
  return out;
}

/**
 * The array part a constructor gives a table: OP_NEWTABLE's size for its
 * `npos` positional items (a trailing multiple result not counted), grown by
 * SETLIST to the last item actually stored (`stored`).
 */
export function constructorArraySize(npos: number, stored: number): number {
  return Math.max(fbRound(npos), stored);
}
