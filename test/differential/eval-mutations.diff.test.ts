/**
 * EVAL of mutated scripts against redis-server 7.0.15: a dozen scripts that
 * touch the language, the libraries and the redis API are mutated at random
 * (characters and Lua tokens inserted, spans deleted or repeated), and both
 * servers run each one on an empty database. Most mutants fail to compile or
 * fail at run time, so this compares the syntax and runtime error texts, the
 * error replies' script/line suffixes and the conversions of whatever still
 * runs, byte for byte (table addresses aside). Seeded: a failure names its
 * script.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedPair } from './runner.js';

const sp = sharedPair();

const SEEDS = [
  "local t = {1,2,3,a='x'} for k,v in pairs(t) do redis.call('hset', KEYS[1], tostring(k), tostring(v)) end return redis.call('hgetall', KEYS[1])",
  "local s = '' for i = 1, 10 do s = s .. string.format('%d,', i * 3) end return {s, #s, s:sub(2, 5), s:find(',(%d)')}",
  'local ok, e = pcall(function() return nil + 1 end) return {tostring(ok), e}',
  "return cjson.encode({a = {1, 2, {b = false}}, c = 'x'})",
  "local x = cmsgpack.unpack(cmsgpack.pack({1, 'a', {k = 2.5}})) return x[3].k",
  "local f = function(...) return select('#', ...), ... end return {f(1, nil, 3)}",
  'local co = coroutine.create(function(a) local b = coroutine.yield(a * 2) return b + 1 end) local _, x = coroutine.resume(co, 5) local _, y = coroutine.resume(co, x) return {x, y}',
  "redis.setresp(3) return redis.call('hgetall', 'nokey')",
  "local t = setmetatable({}, {__index = function(t, k) return k .. '!' end, __call = function(self, a) return a end}) return {t.x, t(5)}",
  "return string.gsub('hello world', '(%w+)', '<%1>')",
  "while false do end repeat local z = 1 until z == 1 return struct.pack('>I2i4', 258, -1)",
  'return bit.band(0xff, 0x0f) + bit.lshift(1, 4)',
];
const CHARS = '()[]{}.,;:=+-*/%^#<>~\'"\\ \n\tabcxyz0123456789_...--[[]]';
const TOKENS = [
  'end',
  'function',
  'local',
  'return',
  'nil',
  'true',
  '...',
  '..',
  '{',
  '}',
  '(',
  ')',
  '=',
  '==',
  'if',
  'then',
  'else',
  'for',
  'in',
  'do',
  'while',
  'not',
  'and',
  'or',
  '#',
  '[[',
  ']]',
  '--',
  'redis.call',
  "'x'",
  '0',
  '1e308',
  '-1',
  '0/0',
  'pcall',
  'error',
  'string.rep',
  'setmetatable',
  'coroutine.wrap',
  'unpack',
  'loadstring',
];

function mutants(seed: number, n: number): string[] {
  let x = seed;
  const rnd = (m: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % m;
  };
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    let s = SEEDS[rnd(SEEDS.length)];
    for (let i = 1 + rnd(4); i > 0; i--) {
      const p = rnd(s.length + 1);
      const op = rnd(4);
      if (op === 0) s = s.slice(0, p) + CHARS[rnd(CHARS.length)] + s.slice(p);
      else if (op === 1) s = s.slice(0, p) + s.slice(p + 1 + rnd(5));
      else if (op === 2) s = s.slice(0, p) + ' ' + TOKENS[rnd(TOKENS.length)] + ' ' + s.slice(p);
      else {
        const q = rnd(s.length + 1);
        s = s.slice(0, p) + s.slice(Math.min(p, q), Math.max(p, q)) + s.slice(p);
      }
    }
    out.push(s);
  }
  return out;
}

test('mutated scripts answer as Redis answers them, error texts included', { skip: sp.skip }, async () => {
  const { g, r } = sp.p;
  const scripts = mutants(20261207, 1500);
  let ran = 0;
  for (const script of scripts) {
    await Promise.all([g.call('FLUSHALL'), r.call('FLUSHALL')]);
    const [a, b] = await Promise.all([g.call('EVAL', script, '1', 'fz'), r.call('EVAL', script, '1', 'fz')]);
    const norm = (t: string) => t.replace(/0x[0-9a-f]+/g, '0x…');
    assert.equal(norm(a.raw), norm(b.raw), `EVAL ${JSON.stringify(script)}`);
    if (!a.raw.startsWith('-')) ran++;
  }
  // the mix is not only compile errors: some mutants still run
  assert.ok(ran > 30, `only ${ran} of ${scripts.length} mutants ran`);
});
