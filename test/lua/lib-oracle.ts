/**
 * Differential checks of library natives against Debian's lua5.1, without the
 * compiler: each case is a call `lib.fn(args…)` of primitive arguments (and
 * optionally a function or table given both as Lua source and as a JS value).
 * One lua5.1 process runs a whole batch through pcall and prints each
 * outcome; the same calls run on our natives; results are compared value by
 * value (strings byte for byte, numbers as %.17g reads back), and error
 * messages with their "chunk:line: " position removed (natives called from JS
 * have no Lua position).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatFloat, type Spec } from '../../src/lua/lib/printf.js';
import { LuaState } from '../../src/lua/state.js';
import { LuaClosure, LuaError, LuaTable, type LuaValue, luaType } from '../../src/lua/value.js';

/** An argument that is not a primitive: its Lua source and our value. */
export interface Special {
  lua: string;
  js: LuaValue;
}
export type Arg = string | number | boolean | undefined | Special;

export interface Case {
  lib: string;
  fn: string;
  args: Arg[];
}

export { haveLua51 } from './lua51.js';

function luaString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c < 127 && c !== 34 && c !== 92) out += s[i];
    else out += '\\' + c;
  }
  return out + '"';
}

function luaNumber(n: number): string {
  if (n !== n) return '(0/0)';
  if (n === Infinity) return '(1/0)';
  if (n === -Infinity) return '(-1/0)';
  if (n === 0 && 1 / n < 0) return '(1/(-1/0))';
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) return n < 0 ? `(${n})` : String(n);
  const s = n.toPrecision(17);
  return n < 0 ? `(${s})` : s;
}

function luaArg(a: Arg): string {
  if (a === undefined) return 'nil';
  if (typeof a === 'string') return luaString(a);
  if (typeof a === 'number') return luaNumber(a);
  if (typeof a === 'boolean') return String(a);
  return a.lua;
}

const PRELUDE = `
local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end
local function ser(...)
  local out = {}
  for i = 1, select('#', ...) do
    local v = select(i, ...)
    local t = type(v)
    if t == 'string' then out[#out + 1] = 's' .. hex(v)
    elseif t == 'number' then out[#out + 1] = 'n' .. string.format('%.17g', v)
    elseif t == 'boolean' or t == 'nil' then out[#out + 1] = tostring(v)
    else out[#out + 1] = t end
  end
  return table.concat(out, ',')
end
local function report(ok, ...)
  if ok then print('ok ' .. ser(...))
  else
    local m = ...
    if type(m) == 'string' then m = string.gsub(m, '^[^:\\n]*:%d+: ', '') end
    print('err ' .. ser(m))
  end
end
`;

function hex(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += s.charCodeAt(i).toString(16).padStart(2, '0');
  return out;
}

/** 'n' and %.17g as lua5.1 prints it (NaN as "nan" whatever its sign) */
function fmtNum(n: number): string {
  if (n !== n) return 'nnan';
  return 'n' + formatFloat(G17, 103, n);
}
const G17: Spec = { minus: false, plus: false, space: false, hash: false, zero: false, width: 0, precision: 17 };

/** our side of one token */
export function ser(vs: LuaValue[]): string {
  return vs
    .map((v) => {
      switch (typeof v) {
        case 'string':
          return 's' + hex(v);
        case 'number':
          return fmtNum(v);
        case 'boolean':
          return String(v);
        case 'undefined':
          return 'nil';
      }
      return luaType(v);
    })
    .join(',');
}

/** lua's %.17g numbers read back into the same form as fmtNum */
function normaliseLua(line: string): string {
  return line.replace(/(^|,| )n-?nan(?=,|$)/g, '$1nnan');
}

/** Runs the cases through lua5.1; one outcome line per case. */
export function runLua(cases: Case[], extraLua = ''): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-lualib-'));
  try {
    const lines = [PRELUDE, extraLua];
    for (const c of cases) {
      lines.push(`report(pcall(function(...) return ${c.lib}.${c.fn}(...) end${c.args.length ? ', ' : ''}${c.args.map(luaArg).join(', ')}))`);
    }
    const file = join(dir, 'cases.lua');
    writeFileSync(file, lines.join('\n'), 'latin1');
    const r = spawnSync('lua5.1', [file], { encoding: 'latin1', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`lua5.1 failed: ${r.stderr}`);
    const out = r.stdout.split('\n');
    out.pop();
    return out.map(normaliseLua);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the cases on our natives (L opened by `open`). */
export function runOurs(L: LuaState, cases: Case[]): string[] {
  return cases.map((c) => {
    const lib = L.globals.get(c.lib) as LuaTable;
    const f = lib.get(c.fn);
    const args = c.args.map((a) => (a !== null && typeof a === 'object' ? a.js : a));
    try {
      const r = typeof f === 'function' ? f(...args) : L.callSync(f as LuaClosure, args);
      return 'ok ' + ser(r);
    } catch (e) {
      if (!(e instanceof LuaError)) return 'throw ' + String(e);
      let m = e.value;
      if (typeof m === 'string') m = m.replace(/^[^:\n]*:\d+: /, '');
      return 'err ' + ser([m]);
    }
  });
}

/** Both sides; returns the mismatches (at most `max`) as readable lines. */
/** Whether two outcome lines agree with numbers allowed `ulps` units in the last place apart. */
function closeEnough(a: string, b: string, ulps: number): boolean {
  const ta = a.split(',');
  const tb = b.split(',');
  if (ta.length !== tb.length) return false;
  for (let i = 0; i < ta.length; i++) {
    if (ta[i] === tb[i]) continue;
    const na = /^(ok )?n(.*)$/.exec(ta[i]);
    const nb = /^(ok )?n(.*)$/.exec(tb[i]);
    if (na === null || nb === null || na[1] !== nb[1]) return false;
    const x = Number(na[2]);
    const y = Number(nb[2]);
    if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
    const ulp = Math.max(Number.MIN_VALUE, 2 ** (Math.floor(Math.log2(Math.max(Math.abs(x), Math.abs(y)))) - 52));
    if (Math.abs(x - y) > ulps * ulp) return false;
  }
  return true;
}

export function diffCases(open: (L: LuaState) => void, cases: Case[], max = 20, extraLua = '', ulps = 0): string[] {
  const L = new LuaState();
  open(L);
  const ours = runOurs(L, cases);
  const theirs = runLua(cases, extraLua);
  const bad: string[] = [];
  for (let i = 0; i < cases.length && bad.length < max; i++) {
    if (ours[i] !== theirs[i] && !(ulps > 0 && closeEnough(ours[i], theirs[i], ulps))) {
      const c = cases[i];
      bad.push(`${c.lib}.${c.fn}(${c.args.map(luaArg).join(', ')}): lua5.1 ${unhex(theirs[i])} / ours ${unhex(ours[i])}`);
    }
  }
  return bad;
}

/** s<hex> tokens back to quoted text for messages */
function unhex(line: string | undefined): string {
  if (line === undefined) return '(missing)';
  return line.replace(/(^|,| )s([0-9a-f]*)/g, (_m, pre: string, h: string) => {
    let s = '';
    for (let i = 0; i < h.length; i += 2) s += String.fromCharCode(Number.parseInt(h.slice(i, i + 2), 16));
    return pre + JSON.stringify(s);
  });
}

/** A small seeded PRNG for generated cases (random-programs.ts's). */
export { rng } from './random-programs.js';
