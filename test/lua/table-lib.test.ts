/**
 * The table library against lua5.1 (calling our natives directly): every
 * function on small tables with its positions and errors, and table.sort
 * with consistent, inconsistent and key-equal comparators over generated
 * arrays, comparing the final tables (Lua's own quicksort must leave them
 * exactly as lua5.1 does). Skips loudly without lua5.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTable } from '../../src/lua/lib/table.js';
import type { LuaState } from '../../src/lua/state.js';
import { LuaError, LuaTable, type LuaValue, luaType, numberToString } from '../../src/lua/value.js';
import { type Arg, type Case, diffCases, haveLua51, rng, ser } from './lib-oracle.js';

const HAVE = haveLua51();
if (!HAVE) console.warn('*** lua5.1 is not installed: the table library differential tests are SKIPPED ***');

const T_LUA = `T = {}
local function mk(spec) local t = {} for w in string.gmatch(spec, '[^,]+') do t[#t + 1] = tonumber(w) or w end return t end
local function dump(t) local out = {} for k = -3, 40 do if rawget(t, k) ~= nil then out[#out + 1] = k .. '=' .. tostring(rawget(t, k)) end end return table.concat(out, ' ') end
local cnt = 0
local kinds = {
  gt = function(a, b) return a > b end,
  yes = function() return true end,
  no = function() return false end,
  le = function(a, b) return a <= b end,
  rand = function() cnt = cnt + 1 return cnt % 3 == 0 end,
  key = function(a, b) return math.floor(a / 10) < math.floor(b / 10) end,
}
local function strip(ok, ...)
  if ok then return ok, ... end
  local m = ...
  return ok, (string.gsub(m, '^[^:]*:%d+: ', ''))
end
function T.apply(fname, spec, ...)
  local t = mk(spec)
  local f = loadstring('return function(...) return table.' .. fname .. '(...) end')()
  return ser(strip(pcall(f, t, ...))) .. '|' .. dump(t)
end
function T.sort(kind, spec)
  local t = mk(spec)
  cnt = 0
  return ser(strip(pcall(function() return table.sort(t, kinds[kind]) end))) .. '|' .. dump(t)
end`;

function mk(spec: string): LuaTable {
  const t = new LuaTable();
  let n = 0;
  for (const w of spec.split(',')) {
    if (w === '') continue;
    const num = Number(w);
    t.set(++n, /^-?[0-9.]+$/.test(w) && !Number.isNaN(num) ? num : w);
  }
  return t;
}

function dump(t: LuaTable): string {
  const out: string[] = [];
  for (let k = -3; k <= 40; k++) {
    const v = t.get(k);
    if (v !== undefined) out.push(`${k}=${typeof v === 'number' ? numberToString(v) : String(v)}`);
  }
  return out.join(' ');
}

function pcall(f: () => LuaValue[]): LuaValue[] {
  try {
    return [true, ...f()];
  } catch (e) {
    if (e instanceof LuaError) return [false, e.value];
    throw e;
  }
}

function open(L: LuaState): void {
  const lib = openTable(L);
  let cnt = 0;
  // the comparators as lua5.1 runs them, errors included (a > b is b < a)
  const cmpErr = (x: LuaValue, y: LuaValue) => new LuaError(`attempt to compare ${luaType(x)} with ${luaType(y)}`);
  const kinds: Record<string, LuaValue> = {
    gt: (a: LuaValue, b: LuaValue) => {
      if (typeof a !== 'number' || typeof b !== 'number') throw cmpErr(b, a);
      return [a > b];
    },
    yes: () => [true],
    no: () => [false],
    le: (a: LuaValue, b: LuaValue) => {
      if (typeof a !== 'number' || typeof b !== 'number') throw cmpErr(a, b);
      return [a <= b];
    },
    rand: () => [++cnt % 3 === 0],
    key: (a: LuaValue, b: LuaValue) => {
      if (typeof a !== 'number') throw new LuaError(`bad argument #1 to 'floor' (number expected, got ${luaType(a)})`);
      if (typeof b !== 'number') throw new LuaError(`bad argument #1 to 'floor' (number expected, got ${luaType(b)})`);
      return [Math.floor(a / 10) < Math.floor(b / 10)];
    },
  };
  const T = new LuaTable();
  T.set('apply', (fname: LuaValue, spec: LuaValue, ...rest: LuaValue[]) => {
    const t = mk(spec as string);
    const f = lib.get(fname) as (...a: LuaValue[]) => LuaValue[];
    return [ser(pcall(() => f(t, ...rest))) + '|' + dump(t)];
  });
  T.set('sort', (kind: LuaValue, spec: LuaValue) => {
    const t = mk(spec as string);
    cnt = 0;
    const f = lib.get('sort') as (...a: LuaValue[]) => LuaValue[];
    return [ser(pcall(() => (kinds[kind as string] === undefined ? f(t) : f(t, kinds[kind as string])))) + '|' + dump(t)];
  });
  L.globals.set('T', T);
}

function A(fname: string, spec: string, ...args: Arg[]): Case {
  return { lib: 'T', fn: 'apply', args: [fname, spec, ...args] };
}
function Tb(fn: string, ...args: Arg[]): Case {
  return { lib: 'table', fn, args };
}
const t3 = { lua: '{1, 2, 3}', js: mk('1,2,3') };
const tMixed = { lua: '{1, "a", 2.5}', js: mk('1,a,2.5') };
const tHole = {
  lua: '{1, {}, 3}',
  js: (() => {
    const t = mk('1');
    t.set(2, new LuaTable());
    t.set(3, 3);
    return t;
  })(),
};
const tHash = {
  lua: '{1, 2, x = 1, [10] = 5, [2.5] = 1, [-4] = 2}',
  js: (() => {
    const t = mk('1,2');
    t.set('x', 1);
    t.set(10, 5);
    t.set(2.5, 1);
    t.set(-4, 2);
    return t;
  })(),
};
const tNeg = {
  lua: '{[-1] = 1, x = 2}',
  js: (() => {
    const t = new LuaTable();
    t.set(-1, 1);
    t.set('x', 2);
    return t;
  })(),
};

const fixed: Case[] = [
  A('insert', '1,2,3', 4),
  A('insert', '1,2,3', 1, 0),
  A('insert', '1,2,3', 2, 9),
  A('insert', '1,2,3', 4, 9),
  A('insert', '1,2,3', 6, 9),
  A('insert', '1,2,3', 0, 9),
  A('insert', '1,2,3', -1, 9),
  A('insert', '', 'x'),
  A('insert', '1,2,3'),
  A('insert', '1,2,3', 1, 2, 3),
  A('insert', '1,2,3', 'x', 1),
  A('insert', '1,2,3', 2.7, 'v'),
  A('insert', '1,2,3', undefined),
  A('insert', '1,2,3', 1, undefined),
  Tb('insert'),
  Tb('insert', 1, 2),
  Tb('insert', 'x', 2),
  A('remove', '1,2,3'),
  A('remove', '1,2,3', 1),
  A('remove', '1,2,3', 2),
  A('remove', '1,2,3', 3),
  A('remove', '1,2,3', 4),
  A('remove', '1,2,3', 0),
  A('remove', '1,2,3', -1),
  A('remove', ''),
  A('remove', '', 1),
  A('remove', '1,2,3', 'x'),
  A('remove', '1,2,3', 1.9),
  Tb('remove'),
  Tb('concat', t3),
  Tb('concat', t3, ', '),
  Tb('concat', t3, '-', 2),
  Tb('concat', t3, '-', 2, 3),
  Tb('concat', t3, '-', 3, 2),
  Tb('concat', t3, '-', 1, 5),
  Tb('concat', tMixed, ' '),
  Tb('concat', tHole),
  Tb('concat', t3, 5),
  Tb('concat', t3, { lua: '{}', js: new LuaTable() }),
  Tb('concat'),
  Tb('concat', 'x'),
  Tb('concat', undefined, { lua: '{}', js: new LuaTable() }),
  Tb('concat', t3, '', 'x'),
  Tb('concat', t3, '', 0),
  Tb('concat', t3, '', -1, 1),
  Tb('getn', t3),
  Tb('getn', tHash),
  Tb('getn'),
  Tb('getn', 5),
  Tb('setn', t3, 1),
  Tb('setn'),
  Tb('maxn', t3),
  Tb('maxn', tHash),
  Tb('maxn', tNeg),
  Tb('maxn', { lua: '{}', js: new LuaTable() }),
  Tb('maxn'),
  Tb('foreach', t3, { lua: 'function(k, v) if v == 2 then return k * 10 end end', js: (k: LuaValue, v: LuaValue) => [v === 2 ? (k as number) * 10 : undefined] }),
  Tb('foreach', t3, { lua: 'function(k, v) end', js: () => [] }),
  Tb('foreach', t3),
  Tb('foreach', 1, 2),
  Tb('foreachi', t3, { lua: 'function(i, v) if i == 3 then return false end end', js: (i: LuaValue) => [i === 3 ? false : undefined] }),
  Tb('foreachi', t3, { lua: 'function(i, v) end', js: () => [] }),
  Tb('foreachi', t3, 5),
  Tb('foreachi'),
  Tb('sort'),
  Tb('sort', t3, 5),
  Tb('sort', t3, false),
  Tb('sort', 'x'),
  { lib: 'T', fn: 'sort', args: ['nil', '3,1,x'] },
  { lib: 'T', fn: 'sort', args: ['nil', 'b,a,1'] },
  { lib: 'T', fn: 'sort', args: ['nil', 'b,a,c,B,A'] },
  { lib: 'T', fn: 'sort', args: ['yes', '3,1,2'] },
  { lib: 'T', fn: 'sort', args: ['yes', '3,1,2,5,4'] },
  { lib: 'T', fn: 'sort', args: ['le', '1,1,1,1,1,1'] },
];

test('table library: hand-picked cases match lua5.1', { skip: !HAVE }, () => {
  const bad = diffCases(open, fixed, 40, T_LUA);
  assert.deepEqual(bad, []);
});

test('table.sort: generated arrays and comparators leave the tables as lua5.1 does', { skip: !HAVE }, () => {
  const r = rng(4242);
  const kinds = ['nil', 'gt', 'yes', 'no', 'le', 'rand', 'key'];
  const cases: Case[] = [];
  for (let n = 0; n < 1500; n++) {
    const len = Math.floor(r() * (r() < 0.8 ? 12 : 40));
    const vals: number[] = [];
    const dup = r() < 0.5;
    for (let i = 0; i < len; i++) vals.push(dup ? Math.floor(r() * 5) * 10 + (i % 10) : Math.floor(r() * 1000));
    cases.push({ lib: 'T', fn: 'sort', args: [kinds[n % kinds.length], vals.join(',')] });
  }
  const bad = diffCases(open, cases, 30, T_LUA);
  assert.deepEqual(bad, []);
});
