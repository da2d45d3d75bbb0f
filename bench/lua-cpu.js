#!/usr/bin/env node
/**
 * lua-cpu: gKV's Lua engine (Lua 5.1 compiled to JavaScript) against
 * Debian's lua5.1 interpreter (the same interpreter Redis embeds), on
 * CPU-bound scripts, in-process (no server, no network):
 *
 *   arith      local s = 0 for i = 1, 1e6 do s = s + i % 7 * 2 end
 *   concat     100,000 "item" .. i strings, then table.concat
 *   strloop    s = s .. "x" 20,000 times
 *   tinsert    t[#t + 1] = i 1,000,000 times, then a sum over ipairs
 *   fib        fib(27), recursive
 *   methods    an object with a metatable, 300,000 method calls
 *   tiny       a 3-line script called 100,000 times (compiled once): what
 *              the per-call machinery (generator, step budget, depth) costs
 *
 * gKV compiles each script once and runs it --rounds + 1 times: "cold" is
 * the first run (V8 has not optimised the new code yet; a script run once),
 * "warm" the median of the others (a cached script called again, as EVALSHA
 * does). lua5.1 times itself with os.clock around the same code, median of
 * --rounds processes. Compile time is reported separately for gKV.
 * Ratio = lua5.1 / gKV warm (> 1: gKV faster).
 *
 *   npm run build && node bench/lua-cpu.js [--rounds 5] [--only arith,fib]
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const ROUNDS = Number(opt('rounds', 5));
const ONLY = opt('only', '');
const dist = opt('gkv-dist', 'dist');

const lua = await import(`../${dist}/src/lua/index.js`);
const { openString } = await import(`../${dist}/src/lua/lib/string.js`);
const { openTable } = await import(`../${dist}/src/lua/lib/table.js`);
const { openMath } = await import(`../${dist}/src/lua/lib/math.js`);

const CASES = {
  arith: `local s = 0 for i = 1, 1000000 do s = s + i % 7 * 2 end return s`,
  concat: `local parts = {} for i = 1, 100000 do parts[#parts + 1] = "item" .. i end local s = table.concat(parts, ",") return #s`,
  strloop: `local s = "" for i = 1, 20000 do s = s .. "x" end return #s`,
  tinsert: `local t = {} for i = 1, 1000000 do t[#t + 1] = i end local n = 0 for _, v in ipairs(t) do n = n + v end return n`,
  fib: `local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(27)`,
  methods: `local P = {} P.__index = P function P.new(x) return setmetatable({x = x}, P) end function P:inc(d) self.x = self.x + d return self end local p = P.new(0) for i = 1, 300000 do p:inc(1) end return p.x`,
};
const TINY = `local k = ... local n = tonumber(k) or 0 return n + 1`;
const TINY_CALLS = 100_000;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function newState() {
  const L = new lua.LuaState();
  lua.openBase(L, { print: () => {} });
  lua.openCoroutine(L);
  openString(L);
  openTable(L);
  openMath(L);
  return L;
}

/** compiles src once and runs it `rounds` times: the first run (cold: V8 has not optimised it yet) and the rest */
function runGkv(src, rounds) {
  const L = newState();
  const t0 = performance.now();
  const f = lua.loadChunk(L, src, '@bench');
  const compile = performance.now() - t0;
  const runs = [];
  let result;
  for (let i = 0; i < rounds; i++) {
    const t1 = performance.now();
    result = lua.runToEnd(L, f, [])[0];
    runs.push(performance.now() - t1);
  }
  return { compile, cold: runs[0], warm: median(runs.slice(1)), result };
}

function runLua51(src) {
  const prog = `local f = assert(loadstring(${JSON.stringify(src)}))\nlocal t0 = os.clock()\nlocal r = f()\nio.write(string.format("%.3f %s", (os.clock() - t0) * 1000, tostring(r)))`;
  const r = spawnSync('lua5.1', ['-e', prog], { encoding: 'latin1', timeout: 120_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  const [ms, result] = r.stdout.split(' ');
  return { run: Number(ms), result };
}

function tinyGkv() {
  const L = newState();
  const f = lua.loadChunk(L, TINY, '@tiny');
  lua.runToEnd(L, f, ['1']);
  const t0 = performance.now();
  for (let i = 0; i < TINY_CALLS; i++) lua.runToEnd(L, f, [String(i)]);
  return (performance.now() - t0) / TINY_CALLS;
}

function tinyLua51() {
  const prog = `local f = assert(loadstring(${JSON.stringify(TINY)}))\nlocal t0 = os.clock()\nfor i = 1, ${TINY_CALLS} do f(tostring(i)) end\nio.write(string.format("%.6f", (os.clock() - t0) * 1000 / ${TINY_CALLS}))`;
  const r = spawnSync('lua5.1', ['-e', prog], { encoding: 'latin1' });
  return Number(r.stdout);
}

const haveLua = spawnSync('lua5.1', ['-v']).status === 0;
const rows = [];
for (const [name, src] of Object.entries(CASES)) {
  if (ONLY && !ONLY.split(',').includes(name)) continue;
  const g = runGkv(src, ROUNDS + 1);
  const l = [];
  let lr;
  for (let r = 0; haveLua && r < ROUNDS; r++) {
    const b = runLua51(src);
    l.push(b.run);
    lr = b.result;
  }
  const lm = haveLua ? median(l) : NaN;
  rows.push({ name, cold: g.cold, warm: g.warm, compile: g.compile, lua51: lm, ratio: lm / g.warm, same: !haveLua || String(g.result) === lr });
}
if (!ONLY || ONLY.split(',').includes('tiny')) {
  const g = [];
  const l = [];
  for (let r = 0; r < ROUNDS; r++) {
    g.push(tinyGkv());
    if (haveLua) l.push(tinyLua51());
  }
  const gm = median(g);
  const lm = haveLua ? median(l) : NaN;
  rows.push({ name: `tiny (ms per call)`, cold: NaN, warm: gm, compile: NaN, lua51: lm, ratio: lm / gm, same: true });
}

const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
console.log(`rounds: ${ROUNDS} (median)${haveLua ? '' : '  [lua5.1 not installed: gKV only]'}`);
console.log('case                  gKV cold ms  gKV warm ms  compile ms   lua5.1 ms  lua5.1/gKV warm  same result');
for (const r of rows) {
  const d = r.name.startsWith('tiny') ? 4 : 1;
  console.log(
    `${r.name.padEnd(20)}${fmt(r.cold, d).padStart(13)}${fmt(r.warm, d).padStart(13)}${fmt(r.compile, 2).padStart(12)}${fmt(r.lua51, d).padStart(12)}${fmt(r.ratio).padStart(17)}  ${r.same ? 'yes' : 'NO'}`,
  );
}
