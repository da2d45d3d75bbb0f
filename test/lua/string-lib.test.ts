/**
 * The string library against lua5.1, calling our natives directly: a table
 * of hand-picked cases (every function, its edge positions and its errors)
 * and generated ones (string.format items of every conversion, flag, width
 * and precision over awkward numbers; random patterns over random subjects
 * through find, match, gmatch and gsub). Skips loudly without lua5.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openString } from '../../src/lua/lib/string.js';
import { LuaState } from '../../src/lua/state.js';
import { EMPTY, LuaError, LuaTable, type LuaValue } from '../../src/lua/value.js';
import { type Arg, type Case, diffCases, haveLua51, rng, ser } from './lib-oracle.js';

const HAVE = haveLua51();
if (!HAVE) console.warn('*** lua5.1 is not installed: the string library differential tests are SKIPPED ***');

/** T.gm(s, p): every gmatch result, serialised, on both sides */
const GM_LUA = `T = {}
function T.gm(s, p) local out = {} for a, b, c in string.gmatch(s, p) do out[#out + 1] = ser(a, b, c) end return table.concat(out, ';') end`;

function open(L: LuaState): void {
  const lib = openString(L);
  const gmatch = lib.get('gmatch') as (...a: LuaValue[]) => LuaValue[];
  const t = new LuaTable();
  t.set('gm', (s: LuaValue, p: LuaValue) => {
    const it = gmatch(s, p)[0] as () => LuaValue[];
    const out: string[] = [];
    for (let n = 0; n < 100000; n++) {
      const r = it();
      if (r === EMPTY || r[0] === undefined) break;
      out.push(ser([r[0], r[1], r[2]]));
    }
    return [out.join(';')];
  });
  L.globals.set('T', t);
}

function S(fn: string, ...args: Arg[]): Case {
  return { lib: 'string', fn, args };
}

const fixed: Case[] = [
  S('len', 'abc'),
  S('len', ''),
  S('len', 123),
  S('len'),
  S('len', undefined),
  S('len', { lua: '{}', js: new LuaTable() }),
  S('byte', 'abc'),
  S('byte', 'abc', 2),
  S('byte', 'abc', -1),
  S('byte', 'abc', 1, -1),
  S('byte', 'abc', 0, 10),
  S('byte', 'abc', 3, 2),
  S('byte', 'abc', -10, -5),
  S('byte', 'abc', 'x'),
  S('byte', '\xff\x00'),
  S('byte', 'abc', 1.9),
  S('byte', 'abc', 2 ** 63),
  S('char'),
  S('char', 65, 66, 67),
  S('char', 0, 255),
  S('char', 256),
  S('char', -1),
  S('char', 65.7),
  S('char', '66'),
  S('char', 'x'),
  S('char', 65, undefined),
  S('sub', 'hello', 2, 4),
  S('sub', 'hello', -3),
  S('sub', 'hello', 0),
  S('sub', 'hello', 10),
  S('sub', 'hello', 2, -2),
  S('sub', 'hello', 4, 2),
  S('sub', 'hello', -100, 100),
  S('sub', 'hello'),
  S('sub', 'hello', 1, 'x'),
  S('sub', 12345, 2, 3),
  S('sub', 'hello', 2.7, 3.9),
  S('sub', 'hello', 0 / 0),
  S('upper', 'abc\xe9XyZ1'),
  S('lower', 'ABC\xc9xYz1'),
  S('upper'),
  S('lower', undefined),
  S('upper', 12),
  S('upper', true),
  S('rep', 'ab', 3),
  S('rep', 'ab', 0),
  S('rep', 'ab', -1),
  S('rep', '', 5),
  S('rep', 'x', 2.9),
  S('rep', 'x'),
  S('rep', 'x', 'y'),
  S('rep', 7, 2),
  S('reverse', 'abc'),
  S('reverse', ''),
  S('reverse', 'a\0b'),
  S('reverse'),
  S('dump', 'x'),
  S('dump'),
  S('find', 'hello world', 'o w'),
  S('find', 'hello', 'l'),
  S('find', 'hello', 'l', 4),
  S('find', 'hello', 'l', -1),
  S('find', 'hello', 'l', -2),
  S('find', 'hello', '', 10),
  S('find', 'hello', '', -10),
  S('find', 'hello', 'xyz'),
  S('find', 'a.b', '.', 1, true),
  S('find', 'a.b', '%.'),
  S('find', 'a+b', '+', 1, true),
  S('find', 'hello', 'l+'),
  S('find', 'hello', '(l)(l)'),
  S('find', 'hello', '()ll()'),
  S('find', 'abc', ')'),
  S('find', 'a\0b', '\0'),
  S('find', 'a.b\0.', '.\0', 1),
  S('find', 'a\0b', 'b\0%'),
  S('find', 'aaa', '^a', 2),
  S('find', 'hello', 'o$'),
  S('find', 'x', 'x', 1, 1),
  S('find', 'x', '.', 1, false),
  S('find'),
  S('find', 'x'),
  S('match', 'hello', 'l+'),
  S('match', 'key=val', '(%w+)=(%w+)'),
  S('match', 'hello', '()'),
  S('match', '  trim  ', '^%s*(.-)%s*$'),
  S('match', 'hello', 'x'),
  S('match', 'hello', '.', -1),
  S('match', '2024-01-05', '(%d+)-(%d+)-(%d+)'),
  S('match', 'f(a(b)c)', '%b()'),
  S('match', 'THE (quick) fox', '%f[%a]%a+'),
  S('match', 'hello', '%f[%l]'),
  S('match', 'abab', '(ab)%1'),
  S('match', 'aXb', '%u'),
  S('match', 'x=1, y=2', '(%a)=(%d)', 5),
  S('match', '[x]', '[]]'),
  S('match', 'a-b', '[a-]+'),
  S('match', '^x', '^^x'),
  S('match', 'a$b', 'a$b'),
  S('match', 'abc', '[^%a]'),
  S('match', '\0a', '%z'),
  S('match', 'a', '%Z'),
  S('match', 'hello', '(h)(e)(l)(l)(o)'),
  S('match', 'abc', '%'),
  S('match', 'abc', '[a'),
  S('match', 'abc', '[%'),
  S('match', 'abc', '(()'),
  S('match', 'abc', '%1'),
  S('match', 'abc', 'a)'),
  S('match', 'abc', '%b'),
  S('match', 'abc', '%ba'),
  S('match', 'abc', '%fa'),
  S('match', 'abc', '(a)%2'),
  S('match', 'abc', '(a%1)'),
  S('match', 'aaa', '(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))'),
  S('match', 'abc', '%0'),
  S('gsub', 'hello world', 'o', '0'),
  S('gsub', 'hello world', 'o', '0', 1),
  S('gsub', 'hello', '', '-'),
  S('gsub', 'hello', 'l*', 'X'),
  S('gsub', 'abc', '%w', '%0%0'),
  S('gsub', 'abc', '(%w)', '%1.'),
  S('gsub', 'abc', 'b', '%%'),
  S('gsub', 'abc', 'b', '%'),
  S('gsub', 'abc', 'b', '%x'),
  S('gsub', 'abc', 'b', '%2'),
  S('gsub', 'abc', '(b)', '%2'),
  S('gsub', 'abc', '()b', '%1'),
  S('gsub', 'hello', '^h', 'J'),
  S('gsub', 'hello', '^', '>'),
  S('gsub', 'hello', '$', '<'),
  S('gsub', 'abc', '.', 5),
  S('gsub', 'abc', '.', true),
  S('gsub', 'abc', '.'),
  S('gsub', 'abc', '.', 'x', 0),
  S('gsub', 'abc', '.', 'x', -1),
  S('gsub', 'abc', '.', 'x', 2.5),
  S('gsub', 'abc', '.', 'x', 'y'),
  S('gsub', 'a b c', ' ', '', undefined),
  S('gsub', 'abc', '%w', { lua: '{a = 1, b = true}', js: tbl({ a: 1, b: true }) }),
  S('gsub', 'abc', '%w', { lua: '{a = "A", b = false}', js: tbl({ a: 'A', b: false }) }),
  S('gsub', 'abc', '%w', { lua: '{a = {}}', js: tbl({ a: new LuaTable() }) }),
  S('gsub', 'abc', '(%w)', { lua: 'function(c) if c == "b" then return nil end return c .. "!" end', js: (c: LuaValue) => (c === 'b' ? [undefined] : [`${c as string}!`]) }),
  S('gsub', 'abc', '%w', { lua: 'function(c) return 7 end', js: () => [7] }),
  S('gsub', 'abc', '%w', { lua: 'function(c) return true end', js: () => [true] }),
  S('gsub', 'abc', '()', { lua: 'function(p) return p end', js: (p: LuaValue) => [p] }),
  S('gmatch', 'x', 'y'),
  S('gmatch'),
  S('gfind', 'x', 'x'),
  { lib: 'T', fn: 'gm', args: ['hello world from lua', '%a+'] },
  { lib: 'T', fn: 'gm', args: ['k1=v1, k2=v2', '(%w+)=(%w+)'] },
  { lib: 'T', fn: 'gm', args: ['abc', ''] },
  { lib: 'T', fn: 'gm', args: ['abc', '()'] },
  { lib: 'T', fn: 'gm', args: ['aaa', 'a*'] },
  { lib: 'T', fn: 'gm', args: ['^a^a', '^a'] },
  { lib: 'T', fn: 'gm', args: ['one two', '(%a+)()'] },
  S('format', '%d', 3.7),
  S('format', '%d', -3.7),
  S('format', '%d', 2 ** 63),
  S('format', '%d', 0 / 0),
  S('format', '%5d|%-5d|%05d', 42, 42, 42),
  S('format', '%x %X %o %u', 255, 255, 8, 3.9),
  S('format', '%x', -1),
  S('format', '%x', 2 ** 64),
  S('format', '%x', 0 / 0),
  S('format', '%#x %#o %#X', 0, 0, 1),
  S('format', '%c%c%c', 76, 117, 97),
  S('format', '%c', 0),
  S('format', '%5c', 0),
  S('format', '%-5c|', 65),
  S('format', '%c', 256 + 65),
  S('format', '%e', 12345.6789),
  S('format', '%E', 0.000123),
  S('format', '%.3f', 2.0005),
  S('format', '%.2f', 0.125),
  S('format', '%.2f', 0.375),
  S('format', '%.0f', 0.5),
  S('format', '%.0f', 1.5),
  S('format', '%.0f', 2.5),
  S('format', '%g', 100000),
  S('format', '%g', 1000000),
  S('format', '%g', 1e-5),
  S('format', '%g', 0.0001),
  S('format', '%#g', 1),
  S('format', '%G', 1e-10),
  S('format', '%.14g', 0.1),
  S('format', '%.14g', 2 ** 63),
  S('format', '%f', 1e300),
  S('format', '%.99f', 1 / 3),
  S('format', '%99.99f', -1e308),
  S('format', '%f %e %g', 1 / 0, -1 / 0, 0 / 0),
  S('format', '%5.1f|%+.2e|% g', 3.14159, 12345.678, 1e20),
  S('format', '%s', 'x'),
  S('format', '%s', 12),
  S('format', '%10s|%-10s|', 'hi', 'hi'),
  S('format', '%.2s', 'hello'),
  S('format', '%s', 'a\0b'),
  S('format', '%s', 'a\0b'.repeat(50)),
  S('format', '%.200s', 'x'),
  S('format', '%s'),
  S('format', '%s', undefined),
  S('format', '%s', { lua: '{}', js: new LuaTable() }),
  S('format', '%q', 'a\0b\r\n"\\\x01'),
  S('format', '%q', 1 / 3),
  S('format', '%q'),
  S('format', '%%'),
  S('format', '100%%'),
  S('format', '%'),
  S('format', '%', 1),
  S('format', '%y', 1),
  S('format', '%F', 1),
  S('format', '%i', 5),
  S('format', '%------d', 1),
  S('format', '%-----d', 1),
  S('format', '%100d', 1),
  S('format', '%1.100d', 1),
  S('format', '%d', 'x'),
  S('format', '%d'),
  S('format', '%d', '10'),
  S('format', '%d', ' 0x10 '),
  S('format', 'a\0b%d', 1),
  S('format', '%5.3s|', 'abcdef'),
  S('format'),
  S('format', 12),
  S('format', '%d %s', 1),
];

function tbl(o: Record<string, LuaValue>): LuaTable {
  const t = new LuaTable();
  for (const [k, v] of Object.entries(o)) t.set(k, v);
  return t;
}

test('string library: hand-picked cases match lua5.1', { skip: !HAVE }, () => {
  const bad = diffCases(open, fixed, 50, GM_LUA);
  assert.deepEqual(bad, []);
});

/** numbers that sit on rounding edges for printf */
function awkwardNumber(r: () => number): number {
  switch (Math.floor(r() * 12)) {
    case 0:
      return Math.floor(r() * 2000) - 1000;
    case 1:
      return (Math.floor(r() * 200) - 100) / 8; // exact ties at 1-3 decimals
    case 2:
      return (Math.floor(r() * 20000) - 10000) / 1024;
    case 3:
      return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    case 4:
      return Math.floor(r() * 100) + 0.5;
    case 5:
      return [0, -0, 1 / 0, -1 / 0, 0 / 0, 2 ** 63, -(2 ** 63), 2 ** 64, 2 ** 53 + 2, 1e21, 1e22, 5e-324, 1.7976931348623157e308][Math.floor(r() * 13)];
    case 6:
      return Math.floor(r() * 1e6) * 10 ** Math.floor(r() * 10 - 5);
    case 7:
      return (r() - 0.5) * 2 ** Math.floor(r() * 120 - 60);
    case 8:
      return 0.5 * 10 ** -Math.floor(r() * 5);
    case 9:
      return Math.floor(r() * 1e9) / 2 ** Math.floor(r() * 12);
    case 10:
      return 9.5 * 10 ** Math.floor(r() * 6 - 3);
    default:
      return r() * 1000;
  }
}

test('string.format: generated items of every conversion match lua5.1', { skip: !HAVE }, () => {
  const r = rng(20261207);
  const convs = 'diouxXceEfgGsq';
  const cases: Case[] = [];
  for (let n = 0; n < 6000; n++) {
    let flags = '';
    const nf = Math.floor(r() * 3);
    for (let k = 0; k < nf; k++) flags += '-+ #0'[Math.floor(r() * 5)];
    let width = '';
    if (r() < 0.5) width = String(Math.floor(r() * (r() < 0.8 ? 12 : 99)));
    let prec = '';
    if (r() < 0.5) prec = '.' + (r() < 0.1 ? '' : String(Math.floor(r() * (r() < 0.8 ? 20 : 99))));
    const conv = convs[Math.floor(r() * convs.length)];
    const fmt = `%${flags}${width}${prec}${conv}`;
    let v: Arg;
    if (conv === 's' || conv === 'q') {
      const len = Math.floor(r() * 8);
      let s = '';
      for (let k = 0; k < len; k++) s += String.fromCharCode(r() < 0.1 ? Math.floor(r() * 256) : 97 + Math.floor(r() * 26));
      v = r() < 0.2 ? awkwardNumber(r) : s;
    } else v = conv === 'c' ? Math.floor(r() * 300) : awkwardNumber(r);
    cases.push(S('format', fmt, v));
  }
  const bad = diffCases(open, cases, 30);
  assert.deepEqual(bad, []);
});

test('patterns: random patterns through find, match, gmatch and gsub match lua5.1', { skip: !HAVE }, () => {
  const r = rng(7);
  const atoms = ['a', 'b', '.', '%a', '%d', '%s', '%w', '%p', '%A', '[ab]', '[^a]', '[a-c]', '[%d.]', '%.', '%%', '(', ')', '()', '%b()', '%f[%a]', '%1', ' ', '[]]', '%z', 'x'];
  const quants = ['', '', '', '*', '+', '-', '?'];
  const alphabet = 'aabb c1.(x)%-[]';
  const cases: Case[] = [];
  for (let n = 0; n < 4000; n++) {
    let p = r() < 0.15 ? '^' : '';
    const k = 1 + Math.floor(r() * 5);
    for (let i = 0; i < k; i++) {
      const a = atoms[Math.floor(r() * atoms.length)];
      p += a;
      if (a !== '(' && a !== ')' && a !== '()' && !a.startsWith('%b') && !a.startsWith('%f') && a !== '%1') p += quants[Math.floor(r() * quants.length)];
    }
    if (r() < 0.1) p += '$';
    let s = '';
    const len = Math.floor(r() * 12);
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(r() * alphabet.length)];
    switch (n % 4) {
      case 0:
        cases.push(S('find', s, p, Math.floor(r() * 6) - 2));
        break;
      case 1:
        cases.push(S('match', s, p));
        break;
      case 2:
        cases.push({ lib: 'T', fn: 'gm', args: [s, p] });
        break;
      default:
        cases.push(S('gsub', s, p, ['<%0>', '%1', '[%1|%0]', 'x', '%%'][Math.floor(r() * 5)], r() < 0.3 ? Math.floor(r() * 3) : undefined));
    }
  }
  const bad = diffCases(open, cases, 30, GM_LUA);
  assert.deepEqual(bad, []);
});

test('openString sets the string metatable whose __index is the string table', () => {
  const L = new LuaState();
  const lib = openString(L);
  assert.equal(L.globals.get('string'), lib);
  assert.ok(L.stringMeta instanceof LuaTable);
  assert.equal(L.stringMeta.get('__index'), lib);
  assert.equal(lib.get('gfind'), lib.get('gmatch'));
});

test("JS's limits surface as Lua's errors: a too long result, a too deep pattern", () => {
  const L = new LuaState();
  const lib = openString(L);
  const call = (name: string, ...args: LuaValue[]) => (lib.get(name) as (...a: LuaValue[]) => LuaValue[])(...args);
  const err = (f: () => unknown): LuaValue => {
    try {
      f();
    } catch (e) {
      if (e instanceof LuaError) return e.value;
      throw e;
    }
    return 'no error';
  };
  assert.equal(
    err(() => call('rep', 'x', 2 ** 30)),
    'not enough memory',
  );
  assert.equal(
    err(() => call('gsub', 'x'.repeat(1 << 20), 'x', 'y'.repeat(1024))),
    'not enough memory',
  );
  assert.equal(
    err(() => call('format', '%s%s', 'x'.repeat(2 ** 28), 'y'.repeat(2 ** 28 + 100))),
    'not enough memory',
  );
  assert.equal(
    err(() => call('match', 'a'.repeat(200000), 'a?'.repeat(200000))),
    'pattern too complex',
  );
});
