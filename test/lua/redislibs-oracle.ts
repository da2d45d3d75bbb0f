/**
 * Differential testing of the C libraries Redis bundles into its Lua (cjson,
 * cmsgpack, struct, bit): a case is a sequence of library calls with Lua
 * values as arguments. The oracle runs them in real Redis through EVAL (one
 * script, every call on line 1 inside pcall, so errors carry
 * "user_script:1: " as ours do), our side calls the natives directly from
 * TypeScript in a fresh LuaState. Each call's results (or its error) are
 * serialised the same way on both sides — strings as hex, numbers by %.17g,
 * tables as sorted key=value lists — and the texts compared.
 *
 * Tables in Lua iterate in their hash order and ours in insertion order, so
 * cases whose output depends on pairs() order of several hash keys (JSON
 * objects, msgpack maps) ask for canonical comparison: the output string is
 * decoded again (by our decoder) on both sides before serialising.
 */
import { LuaState } from '../../src/lua/state.js';
import { LuaError, LuaTable, LuaUserdata, type LuaValue, isFunction } from '../../src/lua/value.js';
import { formatG } from '../../src/util/numbers.js';
import { setList, tableOf } from '../../src/lua/runtime.js';
import { cjsonNull, openCjson } from '../../src/lua/lib/cjson.js';
import { openCmsgpack } from '../../src/lua/lib/cmsgpack.js';
import { openStruct } from '../../src/lua/lib/struct.js';
import { openBit } from '../../src/lua/lib/bit.js';
import type { RespClient } from '../harness/resp.js';

export interface Call {
  /** "cjson.encode", "struct.unpack" … */
  fn: string;
  args: LuaValue[];
  /** decode a string result again before comparing (hash order differs between Lua and us) */
  canon?: 'json' | 'msgpack';
}

/** A table from positional values and key/value pairs (in this order of insertion). */
export function T(arr: LuaValue[] = [], pairs: [LuaValue, LuaValue][] = []): LuaTable {
  const t = new LuaTable();
  arr.forEach((v, i) => {
    if (v !== undefined) t.set(i + 1, v);
  });
  for (const [k, v] of pairs) t.set(k, v);
  return t;
}

/** Lua source for a number (exact: %.17g round-trips; -0, inf, nan computed at run time) */
function numLiteral(n: number): string {
  if (n !== n) return '(0/0)';
  if (n === Infinity) return '(1/0)';
  if (n === -Infinity) return '(-1/0)';
  if (n === 0 && 1 / n < 0) return 'NEGZERO';
  return '(' + formatG(n, 17) + ')';
}

/** Lua source for a byte string (decimal escapes for everything unprintable) */
function strLiteral(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c < 127 && c !== 34 && c !== 92) out += s[i];
    else out += '\\' + String(c).padStart(3, '0');
  }
  return out + '"';
}

/** Lua source that builds v */
export function luaLiteral(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return String(v);
    case 'number':
      return numLiteral(v);
    case 'string':
      return strLiteral(v);
  }
  if (v === cjsonNull) return 'cjson.null';
  if (v instanceof LuaTable) {
    // a deep chain {{{…}}} is built at run time (Lua's parser nests 200 levels at most)
    let depth = 0;
    let inner: LuaValue = v;
    while (inner instanceof LuaTable && inner.arr.length === 1 && (inner.hash === undefined || inner.hash.size === 0)) {
      inner = inner.arr[0];
      depth++;
    }
    if (depth >= 50) return `NEST(${depth},${luaLiteral(inner)})`;
    const parts: string[] = [];
    const a = v.arr;
    // the array part positionally when it has no holes (as a Lua constructor builds it)
    const positional = a.every((x) => x !== undefined);
    if (positional) for (const x of a) parts.push(luaLiteral(x));
    let k: LuaValue = positional && a.length > 0 ? a.length : undefined;
    for (;;) {
      const e = v.next(k);
      if (e === undefined) break;
      parts.push(`[${luaLiteral(e[0])}]=${luaLiteral(e[1])}`);
      k = e[0];
    }
    return '{' + parts.join(',') + '}';
  }
  if (isFunction(v)) return '(function() end)';
  throw new Error('no literal for this value');
}

const LUA_SER =
  "local function ser(v) local t = type(v) if t == 'string' then return 's' .. (v:gsub('.', function(c) return string.format('%02x', c:byte()) end)) " +
  "elseif t == 'number' then if v ~= v then return 'nnan' end return 'n' .. string.format('%.17g', v) " +
  "elseif t == 'table' then local pre, d = {}, 0 while true do local k, x = next(v) if k == nil or next(v, k) ~= nil or type(x) ~= 'table' then break end " +
  "pre[#pre+1] = '{' .. ser(k) .. '=' v = x d = d + 1 end if d > 0 then return table.concat(pre) .. ser(v) .. string.rep('}', d) end local ks = {} for k, x in pairs(v) do ks[#ks+1] = ser(k) .. '=' .. ser(x) end table.sort(ks) return '{' .. table.concat(ks, ';') .. '}' " +
  "elseif t == 'nil' then return 'nil' elseif t == 'boolean' then return 'b' .. tostring(v) elseif t == 'userdata' then return 'u' .. tostring(v) else return t end end " +
  "local function pk(...) return select('#', ...), {...} end local NEGZERO = -(tonumber('0')) local function NEST(n, v) for i = 1, n do v = {v} end return v end local out = {} ";

/** The oracle's script for a case (all on line 1). */
export function oracleScript(calls: Call[]): string {
  const body = calls.map((c) => {
    // more arguments than a Lua function's registers hold: through unpack
    const args = c.args.length > 200 ? `unpack({${c.args.map(luaLiteral).join(',')}}, 1, ${c.args.length})` : c.args.map(luaLiteral).join(',');
    return `out[#out+1] = (function() local ok, n, t = pcall(function() return pk(${c.fn}(${args})) end) if not ok then return 'E:' .. tostring(n) end local p = {} for i = 1, n do p[i] = ${c.canon ? 'RAW(t[i])' : 'ser(t[i])'} end return table.concat(p, ',') end)() `;
  });
  return LUA_SER + body.join('') + "return table.concat(out, '\\n')";
}

/** serialisation of a value as LUA_SER does it */
export function ser(v: LuaValue): string {
  switch (typeof v) {
    case 'string': {
      let h = 's';
      for (let i = 0; i < v.length; i++) h += v.charCodeAt(i).toString(16).padStart(2, '0');
      return h;
    }
    case 'number':
      if (v !== v) return 'nnan';
      if (v === Infinity) return 'ninf';
      if (v === -Infinity) return 'n-inf';
      return 'n' + formatG(v, 17);
    case 'undefined':
      return 'nil';
    case 'boolean':
      return 'b' + v;
  }
  if (v instanceof LuaTable) {
    // a chain of one-entry tables ({{{…}}}, {a={a=…}}) without recursing as deep (JS's stack is smaller than Lua's)
    let pre = '';
    let depth = 0;
    let inner: LuaTable = v;
    for (;;) {
      const e = inner.next(undefined);
      if (e === undefined || inner.next(e[0]) !== undefined || !(e[1] instanceof LuaTable)) break;
      pre += '{' + ser(e[0]) + '=';
      inner = e[1];
      depth++;
    }
    if (depth > 0) return pre + ser(inner) + '}'.repeat(depth);
    const ks: string[] = [];
    let k: LuaValue = undefined;
    for (;;) {
      const e = v.next(k);
      if (e === undefined) break;
      ks.push(ser(e[0]) + '=' + ser(e[1]));
      k = e[0];
    }
    // Lua's table.sort compares the strings bytewise, as JS does for ASCII
    ks.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return '{' + ks.join(';') + '}';
  }
  if (v instanceof LuaUserdata) return v.tag === 'null' ? 'uuserdata: (nil)' : 'uuserdata';
  return isFunction(v) ? 'function' : 'thread';
}

/** A LuaState with the four libraries, positioned on line 1 of "user_script" as the oracle's calls are. */
export function libState(): LuaState {
  const L = new LuaState();
  L.chunk = 'user_script';
  L.line = 1;
  openCjson(L);
  openCmsgpack(L);
  openStruct(L);
  openBit(L);
  return L;
}

function lookup(L: LuaState, path: string): LuaValue {
  let v: LuaValue = L.globals;
  for (const part of path.split('.')) v = (v as LuaTable).get(part);
  return v;
}

/** canonical form of a string result: decoded again by our decoder */
function canonical(L: LuaState, kind: 'json' | 'msgpack', s: string): string {
  try {
    const dec = lookup(L, kind === 'json' ? 'cjson.decode' : 'cmsgpack.unpack') as (...a: LuaValue[]) => LuaValue[];
    // the decoded value, and the bytes sorted: order aside, the text must be the same
    return 'C' + dec(s).map(ser).join(',') + '|' + ser(s.split('').sort().join(''));
  } catch (e) {
    return 'C!' + (e instanceof LuaError ? String(e.value) : String(e));
  }
}

/**
 * v as the oracle's script builds it from luaLiteral's text: the same
 * constructors, so the same sizes and the same next() order (value.ts
 * replays Lua's layout from how a table was built).
 */
function asConstructed(v: LuaValue): LuaValue {
  if (!(v instanceof LuaTable)) return v;
  let depth = 0;
  let inner: LuaValue = v;
  while (inner instanceof LuaTable && inner.arr.length === 1 && (inner.hash === undefined || inner.hash.size === 0)) {
    inner = inner.arr[0];
    depth++;
  }
  if (depth >= 50) {
    // NEST(n, v): {v} n times at run time
    let t = asConstructed(inner);
    for (let i = 0; i < depth; i++) t = tableOf([t], 1);
    return t;
  }
  const a = v.arr;
  const positional = a.every((x) => x !== undefined);
  const arr = positional ? a.map(asConstructed) : [];
  const keyed: [LuaValue, LuaValue][] = [];
  let k: LuaValue = positional && a.length > 0 ? a.length : undefined;
  for (;;) {
    const e = v.next(k);
    if (e === undefined) break;
    keyed.push([e[0], asConstructed(e[1])]);
    k = e[0];
  }
  if (keyed.length === 0) return tableOf(arr, arr.length);
  const t = new LuaTable(keyed.length, arr.length);
  for (const [key, x] of keyed) t.set(key, x);
  return setList(t, arr);
}

/** Our results for a case, one line per call. */
export function runLocal(calls: Call[]): string[] {
  const L = libState();
  return calls.map((c) => {
    const f = lookup(L, c.fn);
    let res: LuaValue[];
    try {
      res = (f as (...a: LuaValue[]) => LuaValue[])(...c.args.map(asConstructed));
    } catch (e) {
      if (e instanceof LuaError) return 'E:' + (typeof e.value === 'string' ? e.value : String(e.value));
      throw e;
    }
    return res.map((v) => (c.canon && typeof v === 'string' ? 'R' + ser(v) : ser(v))).join(',');
  });
}

/** The oracle's results for a case, one line per call. */
export async function runOracle(r: RespClient, calls: Call[]): Promise<string[]> {
  const script = oracleScript(calls).replace(/RAW\(t\[i\]\)/g, "(type(t[i]) == 'string' and 'R' .. ser(t[i]) or ser(t[i]))");
  const reply = await r.cmd('EVAL', Buffer.from(script, 'latin1'), '0');
  if (typeof reply !== 'string') throw new Error(`EVAL replied ${String(reply)} to the calls ${calls.map((c) => `${c.fn}(${c.args.map(luaLiteral).join(', ').slice(0, 200)})`).join('; ')}`);
  return reply === '' && calls.length === 1 ? [''] : reply.split('\n');
}

/** Compares both sides' lines, canonicalising string results of `canon` calls; returns a description of the first difference. */
export function compareLines(calls: Call[], ours: string[], theirs: string[]): string | undefined {
  const L = libState();
  for (let i = 0; i < calls.length; i++) {
    let a = ours[i];
    let b = theirs[i];
    const kind = calls[i].canon;
    if (kind) {
      const fix = (line: string) =>
        line
          .split(',')
          .map((x) => (x.startsWith('R') ? canonical(L, kind, unhex(x.slice(2))) : x))
          .join(',');
      a = fix(a);
      b = fix(b);
    }
    const cut = (x: string) => (x.length > 400 ? x.slice(0, 400) + '…' : x);
    if (a !== b) return `call ${i + 1} ${calls[i].fn}(${cut(calls[i].args.map(luaLiteral).join(', '))})\n  ours:  ${cut(a)}\n  redis: ${cut(b)}`;
  }
  return undefined;
}

function unhex(h: string): string {
  let s = '';
  for (let i = 0; i < h.length; i += 2) s += String.fromCharCode(Number.parseInt(h.substr(i, 2), 16));
  return s;
}
