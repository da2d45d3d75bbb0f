/**
 * Generated Lua programs over the string, table and math libraries, run by
 * lua5.1 and by our compiler + libraries, outputs compared line by line.
 * Where test/lua/{string,table,math}-lib.test.ts call the natives directly,
 * these go through compiled calls: argument counts (nil versus no value),
 * method calls, multiple results, errors with their positions. Seeded;
 * skips loudly without lua5.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveLua51, runLua51, runOurs } from './lua51.js';
import { rng } from './lib-oracle.js';

const HAVE = haveLua51();
if (!HAVE) console.warn('*** lua5.1 is not installed: the generated library programs are SKIPPED ***');

function gen(seed: number, statements: number): string {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const str = (): string => {
    const n = Math.floor(r() * 8);
    let s = '';
    for (let i = 0; i < n; i++) s += pick(['a', 'b', 'c', 'A', '1', '2', ' ', '.', '%', '-', '(', ')', '[', ']', '^', '$', '*', '+', '?', ',', '\\0', '\\255', '\\n']);
    return `"${s}"`;
  };
  const num = (): string => pick(['0', '1', '2', '3', '-1', '-2', '10', '100', '0.5', '-0.5', '2.7', '1e10', '2^31', '-2^31', '2^53', '1/0', '-1/0', '255', '256', '65', '"3"', '" 7 "', '1e300']);
  const pat = (): string =>
    pick(['"%a+"', '"(%d+)"', '"[%w_]+"', '"^%s*(.-)%s*$"', '"()"', '"(a)(b)"', '"%b()"', '"%f[%w]%w+"', '"a-"', '"[^,]+"', '"(%a)%1"', '".-"', '"x*"', '"%"', '"[a"', '"(()"', '"%1"', '"%z"']);
  const fmt = (): string =>
    `"${pick(['', 'x', '%d', '%5.2f', '%s', '%q', '%x', '%g', '%e', '%c', '%-5s|', '%05d', '%+.3e', '%%', '%10.4g', '%i', '%o', '%X', '%#x', '%.0f', '%y', '%'])}${pick(['', ' %s', ' %d', '|%g'])}"`;
  const arg = (): string => {
    const k = r();
    if (k < 0.35) return num();
    if (k < 0.7) return str();
    if (k < 0.8) return 'nil';
    if (k < 0.85) return pick(['true', 'false']);
    return '{}';
  };
  const argList = (first: () => string, rest: (() => string)[]): string[] => {
    const n = Math.floor(r() * (rest.length + 2));
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(i === 0 ? first() : i - 1 < rest.length && r() < 0.8 ? rest[i - 1]() : arg());
    return out;
  };
  const args = (first: () => string, rest: (() => string)[]): string => argList(first, rest).join(', ');
  const lines: string[] = [
    // NaN prints as "nan" here: glibc gives NaNs of either sign (acos(2) "nan", sqrt(-1) "-nan"), gKV's are all "-nan"
    'local function show(ok, ...) local t = {tostring(ok)} for i = 1, select("#", ...) do local v = select(i, ...) t[#t + 1] = type(v) == "string" and string.format("%q", v) or v ~= v and "nan" or tostring(v) end print(table.concat(t, " ")) end',
    'local function tshow(t) local o = {} for k = -2, 12 do if t[k] ~= nil then o[#o + 1] = k .. "=" .. (type(t[k]) == "table" and "table" or tostring(t[k])) end end return table.concat(o, " ") end',
  ];
  for (let i = 0; i < statements; i++) {
    const k = r();
    let call: string;
    if (k < 0.5) {
      const f = pick(['byte', 'char', 'find', 'format', 'gsub', 'len', 'lower', 'match', 'rep', 'reverse', 'sub', 'upper']);
      let a: string[];
      switch (f) {
        case 'find':
        case 'match':
          a = argList(str, [pat, num, () => pick(['true', 'nil', 'false'])]);
          break;
        case 'gsub':
          a = argList(str, [pat, () => pick([str(), num(), '{a = "A", b = 1}', 'function(c) return c .. c end', 'function() return nil end', 'true']), num]);
          break;
        case 'format':
          a = argList(fmt, [arg, arg]);
          break;
        case 'char':
          a = argList(num, [num, num]);
          break;
        default:
          a = argList(str, [num, num]);
      }
      const self = a[0];
      // method calls only where no argument error can follow: lua5.1 numbers a method's arguments
      // from its self (luaL_argerror's namewhat "method"), a call-site fact our natives do not see yet
      const method = self !== undefined && r() < 0.2 && self.startsWith('"') && a.length === 1 && ['len', 'lower', 'upper', 'reverse', 'byte'].includes(f);
      call = method ? `(${self}):${f}(${a.slice(1).join(', ')})` : `string.${f}(${a.join(', ')})`;
      lines.push(`show(pcall(function() return ${call} end))`);
    } else if (k < 0.8) {
      const f = pick([
        'abs',
        'ceil',
        'floor',
        'sqrt',
        'sin',
        'cos',
        'tan',
        'asin',
        'acos',
        'atan',
        'atan2',
        'exp',
        'log',
        'log10',
        'pow',
        'fmod',
        'modf',
        'frexp',
        'ldexp',
        'deg',
        'rad',
        'min',
        'max',
        'sinh',
        'cosh',
        'tanh',
      ]);
      lines.push(`show(pcall(function() return math.${f}(${args(num, [num, num])}) end))`);
    } else {
      const init = `{${Array.from({ length: Math.floor(r() * 6) }, () => pick(['1', '2', '3', '"a"', '"b"', '2.5', '-1'])).join(', ')}}`;
      const f = pick(['insert', 'remove', 'concat', 'getn', 'maxn', 'sort', 'sort2']);
      let body: string;
      switch (f) {
        case 'insert': {
          // small positions only: lua5.1 shifts every slot between #t and a far one (2^31 -> 2^31 moves)
          const a = args(() => pick(['0', '1', '2', '3', '7', '-1', '1.5', '"2"', 'nil', '"x"']), [arg]);
          body = `table.insert(t${a === '' ? '' : ', ' + a})`;
          break;
        }
        case 'remove':
          body = `table.remove(t${r() < 0.6 ? ', ' + num() : ''})`;
          break;
        case 'concat': {
          const a = args(str, [num, num]);
          body = `table.concat(t${a === '' ? '' : ', ' + a})`;
          break;
        }
        case 'sort':
          body = 'table.sort(t)';
          break;
        case 'sort2':
          body = `table.sort(t, ${pick(['function(a, b) return tostring(a) > tostring(b) end', 'function() return true end', 'function(a, b) return a < b end'])})`;
          break;
        default:
          body = `table.${f}(t)`;
      }
      lines.push(`do local t = ${init} show(pcall(function() return ${body} end)) print(tshow(t)) end`);
    }
  }
  return lines.join('\n') + '\n';
}

test('generated programs over string, table and math print what lua5.1 prints', { skip: !HAVE }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-libs-random-'));
  try {
    const bad: string[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const file = `libs${seed}.lua`;
      const src = gen(seed, 250);
      writeFileSync(join(dir, file), src, 'latin1');
      const expected = runLua51(dir, file).split('\n');
      // the program must run to its end (a generator slip would make both sides fail alike)
      assert.ok(expected.length > 250 && !expected.some((l) => l.startsWith('error:')), `${file} did not run: ${expected.slice(-3).join(' / ')}`);
      const ours = (await runOurs(src, file)).split('\n');
      const srcLines = src.split('\n');
      for (let i = 0; i < Math.max(expected.length, ours.length); i++) {
        if (expected[i] !== ours[i]) {
          bad.push(`${file} output line ${i + 1} (source line ${i + 3}: ${srcLines[i + 2]})\n  lua5.1: ${expected[i]}\n  ours:   ${ours[i]}`);
          break;
        }
      }
    }
    assert.deepEqual(bad, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
