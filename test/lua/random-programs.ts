/**
 * A generator of random Lua 5.1 programs for differential runs against
 * lua5.1 (random-programs.test.ts): seeded (same seed, same program) and
 * bounded (loops have literal bounds or counters, no recursion, strings
 * stay short), so every program ends quickly under both engines.
 *
 * A program is a series of blocks, each a function run under pcall whose
 * statements are drawn from: local declarations, (multiple) assignments,
 * table stores, if/elseif/else, numeric for, while and repeat with
 * counters, generic for over ipairs and pairs (only order-free uses of
 * pairs: Lua's hash order is not insertion order), local functions and
 * closures (also created in loops), varargs and select, method calls on
 * strings, pcall/error. Expressions mix numbers, numeric strings, other
 * strings, booleans, nil and tables under every operator, so the runtime
 * errors (with their variable names and lines) are exercised too. Values
 * are printed by a printer that shows tables and functions by type and NaN
 * as "nan" (its sign is the one thing Lua and JS do not agree to keep).
 * `#` is applied to strings and to constructors of non-nil literals only:
 * the border Lua 5.1 finds in a table with holes depends on its rehash
 * history, which gKV's tables do not reproduce.
 */
import { Rng } from '../fuzz/generate.js';

/** a small seeded PRNG: the fuzzer's mulberry32 */
export function rng(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.next();
}

const PRINTER = `local function show(v)
  local ty = type(v)
  if ty == "table" or ty == "function" or ty == "thread" or ty == "userdata" then return ty end
  if v ~= v then return "nan" end
  return (string.gsub(tostring(v), "0x%x+", "ADDR"))
end
local function S(v) return (string.gsub(tostring(v), "0x%x+", "ADDR")) end
local function P(...)
  local out = ""
  for i = 1, select("#", ...) do out = out .. (i > 1 and " " or "") .. show((select(i, ...))) end
  print(out)
end
`;

const STRINGS = ['"a"', '"b"', '"10"', '"3.5"', '"0x10"', '" 7 "', '"x y"', '""', '"abc"', '"1e2"', "'q'"];
const BINOPS = ['+', '-', '*', '/', '%', '^', '..', '==', '~=', '<', '<=', '>', '>=', 'and', 'or'];

class Gen {
  private lines: string[] = [];
  private indent = 1;
  private locals: string[][] = [[]];
  private tables: string[] = [];
  private funcs: string[] = [];
  private n = 0;
  private loopDepth = 0;

  constructor(private readonly r: () => number) {}

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  private pick<T>(xs: T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }
  private chance(p: number): boolean {
    return this.r() < p;
  }
  private emit(s: string): void {
    this.lines.push('  '.repeat(this.indent) + s);
  }
  private visible(): string[] {
    return this.locals.flat();
  }
  /** what assignments may target: loop counters stay out, so every loop ends */
  private assignable(): string[] {
    return this.visible().filter((v) => !v.startsWith('c'));
  }
  private fresh(prefix = 'v'): string {
    return `${prefix}${++this.n}`;
  }
  private declare(name: string): void {
    this.locals[this.locals.length - 1].push(name);
  }
  private scope<T>(f: () => T): T {
    this.locals.push([]);
    const nt = this.tables.length;
    const nf = this.funcs.length;
    try {
      return f();
    } finally {
      this.locals.pop();
      this.tables.length = nt;
      this.funcs.length = nf;
    }
  }

  number(): string {
    switch (this.int(0, 5)) {
      case 0:
        return String(this.int(-5, 20));
      case 1:
        return this.pick(['0.5', '1.25', '1e3', '2.5e-1', '0x1f', '100', '3', '7', '0']);
      case 2:
        return String(this.int(0, 9));
      default:
        return String(this.int(1, 6));
    }
  }

  literal(): string {
    switch (this.int(0, 9)) {
      case 0:
        return 'nil';
      case 1:
        return this.pick(['true', 'false']);
      case 2:
      case 3:
        return this.pick(STRINGS);
      default:
        return this.number();
    }
  }

  expr(depth: number): string {
    const vis = this.visible();
    if (depth <= 0) {
      if (vis.length > 0 && this.chance(0.6)) return this.pick(vis);
      return this.literal();
    }
    switch (this.int(0, 16)) {
      case 0:
      case 1:
      case 2:
      case 3: {
        const op = this.pick(BINOPS);
        return `${this.expr(depth - 1)} ${op} ${this.expr(depth - 1)}`;
      }
      case 4:
        return `(${this.expr(depth - 1)})`;
      case 5:
        return `${this.pick(['-', 'not '])}${this.atom(depth - 1)}`;
      case 6:
        return `#${this.pick([...STRINGS, `{${this.int(1, 4)}, "s", true}`, '{}', ...vis.filter(() => this.chance(0.2))])}`;
      case 7:
        return this.tableCtor(depth - 1);
      case 8:
        if (this.tables.length > 0) {
          const t = this.pick(this.tables);
          return this.chance(0.5) ? `${t}.${this.pick(['x', 'y', 'n'])}` : `${t}[${this.expr(depth - 1)}]`;
        }
        return this.literal();
      case 9:
        if (this.funcs.length > 0) return `${this.pick(this.funcs)}(${this.args(depth - 1)})`;
        return this.literal();
      case 10:
        return `${this.pick(['S', 'tonumber', 'type'])}(${this.expr(depth - 1)})`;
      case 11:
        return `select(${this.pick(['"#"', '1', '2', '-1'])}, ${this.args(depth - 1) || '1'})`;
      case 12: {
        const s = this.chance(0.7) ? `(${this.pick(STRINGS)})` : this.atom(depth - 1);
        return `${s}:${this.pick(['upper()', 'len()', 'sub(1, 2)', 'byte(1)', 'rep(2)', 'lower()'])}`;
      }
      case 13: {
        const p = this.fresh('p');
        return `(function(${p}, ...) return ${this.exprWith(depth - 1, [p])}, select("#", ...) end)(${this.args(depth - 1)})`;
      }
      case 14:
        return `${this.atom(depth - 1)} ${this.pick(['and', 'or'])} ${this.atom(depth - 1)}`;
      default:
        return this.atom(depth - 1);
    }
  }

  private exprWith(depth: number, names: string[]): string {
    return this.scope(() => {
      for (const n of names) this.declare(n);
      return this.expr(depth);
    });
  }

  private atom(depth: number): string {
    const e = this.expr(Math.min(depth, 0));
    return /^[\w".' ]+$/.test(e) && !e.includes(' ') ? e : `(${e})`;
  }

  private args(depth: number): string {
    const n = this.int(0, 3);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.expr(depth));
    return out.join(', ');
  }

  private tableCtor(depth: number): string {
    const items: string[] = [];
    const n = this.int(0, 4);
    for (let i = 0; i < n; i++) {
      if (this.chance(0.3)) items.push(`${this.pick(['x', 'y', 'n'])} = ${this.expr(depth)}`);
      else items.push(this.chance(0.5) ? this.pick(STRINGS) : this.number());
    }
    return `{${items.join(', ')}}`;
  }

  stat(depth: number): void {
    switch (this.int(0, 17)) {
      case 0:
      case 1: {
        const v = this.fresh();
        this.emit(`local ${v} = ${this.expr(2)}`);
        this.declare(v);
        break;
      }
      case 2: {
        const a = this.fresh();
        const b = this.fresh();
        this.emit(`local ${a}, ${b} = ${this.expr(1)}${this.chance(0.5) ? `, ${this.expr(1)}` : ''}`);
        this.declare(a);
        this.declare(b);
        break;
      }
      case 3:
        if (this.assignable().length >= 2) {
          const a = this.pick(this.assignable());
          const b = this.pick(this.assignable());
          this.emit(`${a}, ${b} = ${this.expr(1)}, ${this.expr(1)}`);
        } else this.emit(`P(${this.expr(2)})`);
        break;
      case 4:
        if (this.assignable().length > 0) this.emit(`${this.pick(this.assignable())} = ${this.expr(2)}`);
        break;
      case 5: {
        const t = this.fresh('t');
        this.emit(`local ${t} = ${this.tableCtor(1)}`);
        this.declare(t);
        this.tables.push(t);
        break;
      }
      case 6:
        if (this.tables.length > 0) {
          const t = this.pick(this.tables);
          if (this.chance(0.5)) this.emit(`${t}.${this.pick(['x', 'y', 'n'])} = ${this.expr(1)}`);
          else this.emit(`${t}[${this.pick(['1', '2', '"k"', this.expr(0)])}] = ${this.expr(1)}`);
        }
        break;
      case 7:
      case 8:
        this.emit(`P(${this.expr(2)}${this.chance(0.5) ? `, ${this.expr(1)}` : ''})`);
        break;
      case 9:
        if (depth > 0) {
          this.emit(`if ${this.expr(1)} then`);
          this.block(depth - 1, 3);
          if (this.chance(0.4)) {
            this.emit(`elseif ${this.expr(1)} then`);
            this.block(depth - 1, 2);
          }
          if (this.chance(0.5)) {
            this.emit('else');
            this.block(depth - 1, 2);
          }
          this.emit('end');
        }
        break;
      case 10:
        if (depth > 0) {
          const i = this.fresh('i');
          const lo = this.int(-2, 3);
          const hi = this.int(-1, 5);
          const step = this.pick(['', '', ', 2', ', -1', ', 0.5']);
          this.emit(`for ${i} = ${lo}, ${hi}${step} do`);
          this.loopDepth++;
          this.block(depth - 1, 3, [i]);
          this.loopDepth--;
          this.emit('end');
        }
        break;
      case 11:
        if (depth > 0) {
          const c = this.fresh('c');
          this.emit(`local ${c} = 0`);
          this.declare(c);
          const repeatLoop = this.chance(0.4);
          this.emit(repeatLoop ? 'repeat' : `while ${c} < ${this.int(1, 4)} do`);
          this.indent++;
          this.emit(`${c} = ${c} + 1`);
          this.indent--;
          this.loopDepth++;
          this.block(depth - 1, 2);
          this.loopDepth--;
          this.emit(repeatLoop ? `until ${c} >= ${this.int(1, 4)}` : 'end');
        }
        break;
      case 12:
        if (depth > 0 && this.tables.length > 0) {
          const t = this.pick(this.tables);
          const k = this.fresh('k');
          const v = this.fresh('v');
          if (this.chance(0.5)) {
            this.emit(`for ${k}, ${v} in ipairs(${t}) do`);
            this.loopDepth++;
            this.block(depth - 1, 2, [k, v]);
            this.loopDepth--;
            this.emit('end');
          } else {
            const n = this.fresh('n');
            this.emit(`local ${n} = 0`);
            this.emit(`for ${k}, ${v} in pairs(${t}) do ${n} = ${n} + 1 end`);
            this.emit(`P("pairs", ${n})`);
          }
        }
        break;
      case 13:
        if (depth > 0) {
          const f = this.fresh('f');
          const a = this.fresh('a');
          const b = this.fresh('b');
          const vararg = this.chance(0.3);
          this.emit(`local function ${f}(${a}, ${b}${vararg ? ', ...' : ''})`);
          this.scope(() => {
            this.declare(a);
            this.declare(b);
            const saved = this.loopDepth;
            this.loopDepth = 0;
            this.block(depth - 1, 3);
            this.loopDepth = saved;
            this.indent++;
            this.emit(`return ${this.expr(2)}${vararg ? ', ...' : ''}`);
            this.indent--;
          });
          this.emit('end');
          this.declare(f);
          this.funcs.push(f);
        }
        break;
      case 14:
        if (this.funcs.length > 0) this.emit(`P(${this.pick(this.funcs)}(${this.args(1)}))`);
        break;
      case 15: {
        // closures in a loop capture one variable per iteration
        const fs = this.fresh('fs');
        const i = this.fresh('i');
        this.emit(`local ${fs} = {}`);
        this.emit(`for ${i} = 1, 3 do local w = ${i} * ${this.number()} ${fs}[${i}] = function() w = w + 1 return w, ${i} end end`);
        this.emit(`P(${fs}[1](), ${fs}[2](), ${fs}[1](), ${fs}[3]())`);
        break;
      }
      case 16:
        // error's level argument stays out: level 2 and beyond name callers' lines, which the engine tracks only for level 1
        this.emit(`P(pcall(${this.chance(0.5) ? 'error' : 'function() return ' + this.expr(2) + ' end'}${this.chance(0.5) ? ', (' + this.expr(1) + ')' : ''}))`);
        break;
      default:
        if (this.loopDepth > 0 && this.chance(0.3)) this.emit(`if ${this.expr(1)} then break end`);
        else this.emit(`P(${this.expr(3)})`);
    }
  }

  block(depth: number, n: number, names: string[] = []): void {
    this.indent++;
    this.scope(() => {
      for (const v of names) this.declare(v);
      const k = this.int(1, n);
      for (let i = 0; i < k; i++) this.stat(depth);
    });
    this.indent--;
  }

  program(blocks: number): string {
    this.lines.push(PRINTER);
    for (let b = 0; b < blocks; b++) {
      this.lines.push('do');
      this.lines.push('  local ok, e = pcall(function()');
      this.indent = 2;
      this.locals = [[]];
      this.tables = [];
      this.funcs = [];
      const k = this.int(2, 7);
      for (let i = 0; i < k; i++) this.stat(3);
      this.lines.push('  end)');
      this.lines.push('  if not ok then P("error", e) end');
      this.lines.push('end');
    }
    return this.lines.join('\n') + '\n';
  }
}

/** the program of a seed */
export function randomProgram(seed: number, blocks = 8): string {
  return new Gen(rng(seed)).program(blocks);
}
