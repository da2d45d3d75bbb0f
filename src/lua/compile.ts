/**
 * The Lua 5.1 → JavaScript compiler: a chunk's syntax tree becomes the
 * source of one JavaScript function, made once per chunk with `new
 * Function`; V8 then optimises the Lua code as it does any JavaScript.
 *
 * The shape of the generated code (see runtime.ts for the slow paths):
 * - Every Lua function is a generator function wrapped in a LuaClosure.
 *   Calling a LuaClosure is `yield* f.g(args)`; calling a native is a plain
 *   call. At function entry and at every loop back-edge the code does
 *   `if (--L.steps < 0) yield BUDGET`: the driver (the host) then refills
 *   the budget, looks at the clock, and may pause the script there or stop
 *   it (SCRIPT KILL: the driver throws L.kill instead of resuming).
 * - Locals are JavaScript `let` bindings, one per Lua declaration (renamed
 *   `name$N`); a local declared in a loop body is a fresh binding at every
 *   iteration, so closures capture per-iteration variables as Lua's do, and
 *   upvalues are simply JavaScript closures. A numeric for's variable is a
 *   copy of the hidden counter, as in Lua.
 * - Multiple results are arrays (EMPTY for none), varargs a rest parameter
 *   `...va` (never mutated, so it can be returned as a result array).
 * - Fast paths are inline and monomorphic: arithmetic and comparisons on two
 *   numbers are JavaScript operators; indexing a table without metatable is
 *   t.get/getStr/getInt. Everything else calls runtime.ts, which knows the
 *   metamethods and the error texts; the compiler passes it the variable's
 *   description (getobjname's "local 'x'", "global 'f'", "field 'k'" …) and
 *   the line.
 * - Before every call the code sets `L.line`, so a native's error
 *   (luaL_error, error() at level 1) names the caller's line.
 * - `L.depth` counts nested Lua calls: past MAX_DEPTH the call raises Lua's
 *   "stack overflow" before JavaScript's stack runs out. A function that
 *   returns decrements it; one that throws leaves it to whoever catches
 *   (pcall restores the depth it saw).
 * - Evaluation order is Lua's: call arguments, constructor items, return
 *   lists and explists are evaluated left to right into values (a later
 *   argument's side effect on a local does not change an earlier one), the
 *   targets of a multiple assignment (tables and keys) before the values,
 *   stores from right to left.
 * - Proper tail calls are not implemented: `return f(x)` nests a call (and
 *   counts toward the stack depth), which only matters for unbounded
 *   tail recursion; such a script gets "stack overflow" where lua5.1 loops.
 */
import type { Expr, FuncNode, LocalVar, Stat } from './ast.js';

const BIN_EVENT: Record<string, string> = {
  '+': '__add',
  '-': '__sub',
  '*': '__mul',
  '/': '__div',
  '%': '__mod',
  '^': '__pow',
};

function lit(s: string): string {
  return JSON.stringify(s);
}

function num(n: number): string {
  if (Object.is(n, -0)) return '(-0)';
  if (n !== n) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '(-Infinity)';
  return n < 0 ? `(${n})` : String(n);
}

/** getobjname: what an error message calls the value of an expression ('' when Lua names none) */
function describe(e: Expr): string {
  switch (e.k) {
    case 'local':
      return `local '${e.v.name}'`;
    case 'upval':
      return `upvalue '${e.v.name}'`;
    case 'global':
      return `global '${e.name}'`;
    case 'paren':
      // (x) is discharged into a register by the same instruction x would be: the name survives
      return describe(e.e);
    case 'index':
      // kname: a key that is not a constant string is '?'
      return e.key.k === 'str' ? `field '${e.key.v}'` : "field '?'";
  }
  return '';
}

/** a constant: its JS code can be repeated and evaluated at any point */
function isConst(e: Expr): boolean {
  return e.k === 'nil' || e.k === 'true' || e.k === 'false' || e.k === 'num' || e.k === 'str';
}

/** no code runs while evaluating it (so nothing can change a local meanwhile) */
function isPure(e: Expr): boolean {
  return isConst(e) || e.k === 'local' || e.k === 'upval' || e.k === 'vararg' || e.k === 'func';
}

/** known to be a number: numeric constants, a numeric for's variable that is never assigned, arithmetic on those */
function isNum(e: Expr): boolean {
  switch (e.k) {
    case 'num':
      return true;
    case 'local':
    case 'upval':
      return e.v.forVar && !e.v.assigned;
    case 'paren':
      return isNum(e.e);
    case 'un':
      return e.op === '-' && isNum(e.a);
    case 'bin':
      return e.op in BIN_EVENT && isNum(e.a) && isNum(e.b);
  }
  return false;
}

/**
 * A leaf function: no calls and no loops, so it always ends after a few
 * steps and never needs to pause. It is compiled as a plain JavaScript
 * function (called like a native, without a generator); its metamethods, if
 * any, run through L.callSync as every metamethod does.
 */
function isLeaf(f: FuncNode): boolean {
  const exprOk = (e: Expr): boolean => {
    switch (e.k) {
      case 'call':
      case 'method':
        return false;
      case 'table':
        return e.items.every((it) => exprOk(it.v) && (it.k === 'pos' || exprOk(it.key)));
      case 'bin':
        return exprOk(e.a) && exprOk(e.b);
      case 'un':
        return exprOk(e.a);
      case 'index':
        return exprOk(e.o) && exprOk(e.key);
      case 'paren':
        return exprOk(e.e);
    }
    return true;
  };
  const statOk = (s: Stat): boolean => {
    switch (s.k) {
      case 'local':
        return s.exprs.every(exprOk);
      case 'assign':
        return s.targets.every(exprOk) && s.exprs.every(exprOk);
      case 'do':
        return s.body.every(statOk);
      case 'if':
        return s.conds.every(exprOk) && s.blocks.every((b) => b.every(statOk)) && (s.els === undefined || s.els.every(statOk));
      case 'localfunc':
        return true;
      case 'return':
        return s.exprs.every(exprOk);
    }
    return false; // calls, loops, break
  };
  return f.line > 0 && f.body.every(statOk);
}

function isMulti(e: Expr): boolean {
  return e.k === 'call' || e.k === 'method' || e.k === 'vararg';
}

interface FnCtx {
  temps: number;
  node: FuncNode;
  /** compiled as a plain function (see isLeaf) */
  leaf: boolean;
  /**
   * Lua 5.1 keeps a function's numeric constants in a table keyed by value,
   * where 0 and -0 are one key: whichever of them the function uses first is
   * what every later 0 or -0 in it is (`print(-0, 0)` prints "-0 -0").
   */
  zero: number | undefined;
}

class Compiler {
  private fn!: FnCtx;

  constructor(private readonly chunkName: string) {}

  /** the whole chunk: the body of `new Function('rt', 'L', 'env', body)` returning the main closure */
  chunk(main: FuncNode): string {
    return [
      `"use strict";`,
      `const LuaTable = rt.LuaTable, LuaClosure = rt.LuaClosure, EMPTY = rt.EMPTY, MAXD = rt.MAX_DEPTH, NEXT = rt.nextOf(L), CL = rt.lineStack(L);`,
      `const CHUNK = ${lit(this.chunkName)};`,
      `let ENV = env;`,
      `const main = ${this.func(main)};`,
      `rt.bindEnv(main, () => ENV, (t) => { ENV = t; });`,
      `return main;`,
    ].join('\n');
  }

  private tmp(): string {
    return `$${++this.fn.temps}`;
  }

  // ---- functions ----

  private func(f: FuncNode): string {
    const saved = this.fn;
    this.fn = { temps: 0, node: f, zero: undefined, leaf: isLeaf(f) };
    const params = f.params.map((p) => p.js);
    if (f.isVararg) params.push('...va');
    const body = this.block(f.body);
    const leaf = this.fn.leaf;
    let head = leaf ? '' : `if (++L.depth > MAXD) rt.overflow(L); CL[L.depth] = L.line; const $ch = L.chunk; L.chunk = CHUNK; if (--L.steps < 0) yield 0;`;
    if (f.argVar !== undefined) head += f.usesVararg ? ` let ${f.argVar.js};` : ` let ${f.argVar.js} = rt.packArg(va);`;
    let temps = '';
    if (this.fn.temps > 0) {
      const names: string[] = [];
      for (let i = 1; i <= this.fn.temps; i++) names.push(`$${i}`);
      temps = `let ${names.join(', ')};`;
    }
    this.fn = saved;
    if (leaf) {
      const tail = endsInReturn(f.body) ? '' : '\nreturn EMPTY;';
      return `(function $leaf(${params.join(', ')}) {\n${head}\n${temps}\n${body}${tail}\n})`;
    }
    const tail = endsInReturn(f.body) ? '' : '\nL.depth--; L.chunk = $ch; return EMPTY;';
    return `new LuaClosure(function* $lua(${params.join(', ')}) {\n${head}\n${temps}\n${body}${tail}\n}, ${lit(f.name)})`;
  }

  // ---- statements ----

  private block(body: Stat[]): string {
    let out = '';
    for (const s of body) out += this.stat(s) + '\n';
    return out;
  }

  private stat(s: Stat): string {
    switch (s.k) {
      case 'local':
        return this.localStat(s.vars, s.exprs);
      case 'assign':
        return this.assign(s.targets, s.exprs, s.line);
      case 'callstat':
        return this.callCode(s.e) + ';';
      case 'do':
        return `{\n${this.block(s.body)}}`;
      case 'while':
        return `while (${this.cond(s.cond)}) {\n${this.block(s.body)}if (--L.steps < 0) yield 0;\n}`;
      case 'repeat':
        return `for (;;) {\n${this.block(s.body)}if (${this.cond(s.cond)}) break;\nif (--L.steps < 0) yield 0;\n}`;
      case 'if': {
        let out = '';
        for (let i = 0; i < s.conds.length; i++) {
          out += `${i > 0 ? ' else ' : ''}if (${this.cond(s.conds[i])}) {\n${this.block(s.blocks[i])}}`;
        }
        if (s.els !== undefined) out += ` else {\n${this.block(s.els)}}`;
        return out;
      }
      case 'fornum':
        return this.forNum(s);
      case 'forin':
        return this.forIn(s);
      case 'localfunc':
        return `let ${s.v.js} = ${this.func(s.f)};`;
      case 'return':
        return this.ret(s.exprs);
      case 'break':
        return 'break;';
    }
  }

  private ret(exprs: Expr[]): string {
    let v: string;
    if (exprs.length === 0) v = 'EMPTY';
    else if (exprs.length === 1 && (exprs[0].k === 'call' || exprs[0].k === 'method')) v = this.callCode(exprs[0], !this.fn.leaf);
    else if (exprs.length === 1 && isMulti(exprs[0])) v = this.multi(exprs[0]);
    else v = `[${this.list(exprs).join(', ')}]`;
    if (this.fn.leaf) return `return ${v};`;
    if (v === 'EMPTY') return 'L.depth--; L.chunk = $ch; return EMPTY;';
    const r = this.tmp();
    return `${r} = ${v}; L.depth--; L.chunk = $ch; return ${r};`;
  }

  /** an explist as JS array elements, the last one spread when it is a call or `...` */
  private list(exprs: Expr[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < exprs.length; i++) {
      const e = exprs[i];
      if (i === exprs.length - 1 && isMulti(e)) out.push(`...${this.multi(e)}`);
      else out.push(this.expr(e));
    }
    return out;
  }

  /**
   * `n` values of an explist, adjusted as Lua does (missing ones nil, extra
   * ones evaluated and dropped): statements to run first and the n value codes.
   */
  private adjust(exprs: Expr[], n: number): { pre: string[]; vals: string[] } {
    const pre: string[] = [];
    const vals: string[] = [];
    for (let i = 0; i < exprs.length; i++) {
      const e = exprs[i];
      const last = i === exprs.length - 1;
      if (last && isMulti(e) && vals.length < n) {
        const m = this.tmp();
        pre.push(`${m} = ${this.multi(e)}`);
        for (let j = 0; vals.length < n; j++) vals.push(`${m}[${j}]`);
      } else if (vals.length < n) {
        if (isConst(e)) vals.push(this.expr(e));
        else {
          const t = this.tmp();
          pre.push(`${t} = ${this.expr(e)}`);
          vals.push(t);
        }
      } else if (e.k === 'call' || e.k === 'method') pre.push(this.callCode(e));
      else if (!isPure(e)) pre.push(this.expr(e));
    }
    while (vals.length < n) vals.push('undefined');
    return { pre, vals };
  }

  private localStat(vars: LocalVar[], exprs: Expr[]): string {
    if (exprs.length === vars.length && !exprs.some((e) => isMulti(e) && e.k !== 'vararg')) {
      // JS evaluates the initialisers left to right, each before the next: Lua's order
      return `let ${vars.map((v, i) => `${v.js} = ${this.expr(exprs[i])}`).join(', ')};`;
    }
    const { pre, vals } = this.adjust(exprs, vars.length);
    const head = pre.length > 0 ? `${pre.join('; ')};\n` : '';
    return `${head}let ${vars.map((v, i) => `${v.js} = ${vals[i]}`).join(', ')};`;
  }

  private assign(targets: Expr[], exprs: Expr[], line: number): string {
    if (targets.length === 1 && exprs.length === 1) {
      const t = targets[0];
      const e = exprs[0];
      if (t.k === 'local' || t.k === 'upval') return `${t.v.js} = ${this.expr(e)};`;
      if (t.k === 'global') return `rt.gset(L, ENV, ${lit(t.name)}, ${this.expr(e)}, ${line});`;
      if (t.k === 'index') {
        const pre: string[] = [];
        const o = this.operand(t.o, pre, false);
        const k = this.operand(t.key, pre, false);
        const v = this.operand(e, pre, false);
        return (pre.length > 0 ? pre.join('; ') + ';\n' : '') + this.store(o, k, v, describe(t.o), t.key, line) + ';';
      }
    }
    // multiple assignment: targets' tables and keys, then the values, then stores right to left
    const pre: string[] = [];
    const places: { t: Expr; o?: string; k?: string }[] = [];
    for (const t of targets) {
      if (t.k === 'index') places.push({ t, o: this.operand(t.o, pre, true), k: this.operand(t.key, pre, true) });
      else places.push({ t });
    }
    const { pre: vpre, vals } = this.adjust(exprs, targets.length);
    pre.push(...vpre);
    const stores: string[] = [];
    for (let i = places.length - 1; i >= 0; i--) {
      const p = places[i];
      const t = p.t;
      const v = vals[i];
      if (t.k === 'local' || t.k === 'upval') stores.push(`${t.v.js} = ${v}`);
      else if (t.k === 'global') stores.push(`rt.gset(L, ENV, ${lit(t.name)}, ${v}, ${line})`);
      else if (t.k === 'index') stores.push(this.store(p.o as string, p.k as string, v, describe(t.o), t.key, line));
    }
    return `${pre.concat(stores).join(';\n')};`;
  }

  /** o[k] = v: a raw set on a plain table, else runtime's setindex (metamethods, errors with position) */
  private store(o: string, k: string, v: string, desc: string, key: Expr, line: number): string {
    const plain = `${o} instanceof LuaTable && ${o}.metatable === undefined && !${o}.readonly`;
    const slow = `rt.setindex(L, ${o}, ${k}, ${v}, ${lit(desc)}, ${line})`;
    if (key.k === 'str') return `(${plain} ? ${o}.set(${k}, ${v}) : ${slow})`;
    if (key.k === 'num' && key.v === key.v) return `(${plain} ? ${o}.set(${k}, ${v}) : ${slow})`;
    return `(${plain} && ${k} !== undefined && ${k} === ${k} ? ${o}.set(${k}, ${v}) : ${slow})`;
  }

  /**
   * An expression as a value that can be named several times: constants and
   * locals as they are (locals copied to a temp when `snapshot`), anything
   * else evaluated once into a temp (the evaluation appended to `pre`).
   */
  private operand(e: Expr, pre: string[], snapshot: boolean): string {
    if (isConst(e)) return this.expr(e);
    if (!snapshot && (e.k === 'local' || e.k === 'upval')) return e.v.js;
    const t = this.tmp();
    pre.push(`${t} = ${this.expr(e)}`);
    return t;
  }

  private forNum(s: Extract<Stat, { k: 'fornum' }>): string {
    const i = this.tmp();
    const lim = this.tmp();
    const line = s.line;
    let out = `${i} = ${this.expr(s.start)}; ${lim} = ${this.expr(s.limit)};`;
    let st: string;
    let stepConst: number | undefined;
    if (s.step === undefined) stepConst = 1;
    else if (s.step.k === 'num') stepConst = s.step.v;
    if (stepConst !== undefined) st = s.step === undefined ? '1' : this.expr(s.step);
    else {
      st = this.tmp();
      out += ` ${st} = ${this.expr(s.step as Expr)};`;
    }
    out += `\nif (typeof ${i} !== 'number') ${i} = rt.forNum(L, ${i}, 'initial value', ${line});`;
    out += `\nif (typeof ${lim} !== 'number') ${lim} = rt.forNum(L, ${lim}, 'limit', ${line});`;
    if (stepConst === undefined) out += `\nif (typeof ${st} !== 'number') ${st} = rt.forNum(L, ${st}, 'step', ${line});`;
    let test: string;
    if (stepConst === undefined) test = `${st} > 0 ? ${i} <= ${lim} : ${lim} <= ${i}`;
    else if (stepConst > 0) test = `${i} <= ${lim}`;
    else test = `${lim} <= ${i}`;
    out += `\nfor (; ${test}; ${i} += ${st}) {\nlet ${s.v.js} = ${i};\n${this.block(s.body)}if (--L.steps < 0) yield 0;\n}`;
    return out;
  }

  private forIn(s: Extract<Stat, { k: 'forin' }>): string {
    const f = this.tmp();
    const st = this.tmp();
    const c = this.tmp();
    const r = this.tmp();
    const { pre, vals } = this.adjust(s.exprs, 3);
    let out = pre.length > 0 ? pre.join('; ') + ';\n' : '';
    out += `${f} = ${vals[0]}; ${st} = ${vals[1]}; ${c} = ${vals[2]};\n`;
    // next() over a table (what pairs returns) runs without a call; anything else is a call
    const call = `(L.line = ${s.line}, typeof ${f} === 'function' ? ${f}(${st}, ${c}) : ${f} instanceof LuaClosure ? (yield* ${f}.g(${st}, ${c})) : (yield* rt.callMeta(L, ${f}, [${st}, ${c}], '', ${s.line})))`;
    out += `for (;;) {\n${r} = ${f} === NEXT && ${st} instanceof LuaTable ? rt.tableNext(${st}, ${c}) : ${call};\n`;
    out += `let ${s.vars[0].js} = ${r}[0];\nif (${s.vars[0].js} === undefined) break;\n${c} = ${s.vars[0].js};\n`;
    if (s.vars.length > 1)
      out += `let ${s.vars
        .slice(1)
        .map((v, i) => `${v.js} = ${r}[${i + 1}]`)
        .join(', ')};\n`;
    out += `${this.block(s.body)}if (--L.steps < 0) yield 0;\n}`;
    return `{\n${out}\n}`;
  }

  // ---- expressions ----

  /** an expression's JS code producing its array of values (calls and `...`) */
  private multi(e: Expr): string {
    if (e.k === 'vararg') return 'va';
    return this.callCode(e);
  }

  /**
   * A call or method call: JS code evaluating to its result array. A tail
   * call (`return f(x)`) is an ordinary nested call here, but a Lua callee
   * records the line its caller was called from, as if it had replaced the
   * caller's frame (Lua 5.1's OP_TAILCALL): error(msg, 2) then names the
   * same line as in lua5.1.
   */
  private callCode(e: Expr, tail = false): string {
    const pre: string[] = [];
    let fn: string;
    let desc: string;
    let self: string | undefined;
    let args: Expr[];
    let line: number;
    if (e.k === 'method') {
      const o = this.operand(e.o, pre, true);
      fn = this.tmp();
      pre.push(`${fn} = ${this.indexCode(o, { k: 'str', v: e.name }, describe(e.o), e.line)}`);
      self = o;
      desc = `method '${e.name}'`;
      args = e.args;
      line = e.line;
    } else if (e.k === 'call') {
      fn = this.operand(e.f, pre, !args0(e).every(isPure));
      desc = describe(e.f);
      args = e.args;
      line = e.line;
    } else throw new Error('not a call');
    // arguments: values in order; the callee may be named twice below, so each is a constant or a temp
    const argv: string[] = self !== undefined ? [self] : [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const last = i === args.length - 1;
      if (last && isMulti(a)) {
        if (a.k === 'vararg') argv.push('...va');
        else {
          const m = this.tmp();
          pre.push(`${m} = ${this.multi(a)}`);
          argv.push(`...${m}`);
        }
      } else argv.push(this.operand(a, pre, !args.slice(i + 1).every(isPure)));
    }
    const a = argv.join(', ');
    pre.push(`L.line = ${line}`);
    const lua = tail ? `(L.line = CL[L.depth], yield* ${fn}.g(${a}))` : `(yield* ${fn}.g(${a}))`;
    const dispatch = `typeof ${fn} === 'function' ? ${fn}(${a}) : ${fn} instanceof LuaClosure ? ${lua} : (yield* rt.callMeta(L, ${fn}, [${a}], ${lit(desc)}, ${line}))`;
    return `(${pre.join(', ')}, ${dispatch})`;
  }

  /** o[k] for an operand o: plain tables inline, the rest through runtime's index */
  private indexCode(o: string, key: Expr, desc: string, line: number, kcode?: string): string {
    const k = kcode ?? this.expr(key);
    const plain = `${o} instanceof LuaTable && ${o}.metatable === undefined`;
    let get: string;
    if (key.k === 'str') get = `${o}.getStr(${k})`;
    else if (key.k === 'num' && Number.isInteger(key.v) && key.v >= 1 && key.v <= 2 ** 31) get = `${o}.getInt(${k})`;
    else get = `${o}.get(${k})`;
    return `(${plain} ? ${get} : rt.index(L, ${o}, ${k}, ${lit(desc)}, ${line}))`;
  }

  /** an expression as one Lua value */
  expr(e: Expr): string {
    switch (e.k) {
      case 'nil':
        return 'undefined';
      case 'true':
        return 'true';
      case 'false':
        return 'false';
      case 'num':
        if (e.v === 0) {
          if (this.fn.zero === undefined) this.fn.zero = e.v;
          return num(this.fn.zero);
        }
        return num(e.v);
      case 'str':
        return lit(e.v);
      case 'vararg':
        return 'va[0]';
      case 'func':
        return this.func(e.f);
      case 'local':
      case 'upval':
        return e.v.js;
      case 'global':
        return `rt.gget(L, ENV, ${lit(e.name)}, ${e.line})`;
      case 'paren':
        return this.expr(e.e);
      case 'call':
      case 'method':
        return `${this.callCode(e)}[0]`;
      case 'index': {
        const pre: string[] = [];
        const o = this.operand(e.o, pre, false);
        let k: string;
        if (isConst(e.key) || e.key.k === 'local' || e.key.k === 'upval') k = this.expr(e.key);
        else {
          k = this.tmp();
          pre.push(`${k} = ${this.expr(e.key)}`);
        }
        const code = this.indexCode(o, e.key, describe(e.o), e.line, k);
        return pre.length > 0 ? `(${pre.join(', ')}, ${code})` : code;
      }
      case 'table':
        return this.table(e);
      case 'un':
        return this.unary(e);
      case 'bin':
        return this.binary(e);
    }
  }

  private table(e: Extract<Expr, { k: 'table' }>): string {
    const items = e.items;
    if (items.length === 0) return 'new LuaTable()';
    const pos: string[] = [];
    const named = items.filter((it) => it.k === 'named');
    // OP_NEWTABLE's size hints (positional items but a trailing multiple result, keyed items): they shape next()'s order
    const npos = items.length - named.length - (items.length > 0 && items[items.length - 1].k === 'pos' && isMulti(items[items.length - 1].v) ? 1 : 0);
    if (named.length === 0) {
      const vals = items.map((it) => it.v);
      return `rt.tableOf([${this.list(vals).join(', ')}], ${npos})`;
    }
    // keyed items are set as they come; positional ones after them all (Lua's SETLIST)
    const t = this.tmp();
    const arr = this.tmp();
    const parts: string[] = [`${t} = new LuaTable(${named.length}, ${npos})`, `${arr} = []`];
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (it.k === 'pos') {
        if (i === items.length - 1 && isMulti(it.v)) parts.push(`${arr}.push(...${this.multi(it.v)})`);
        else {
          parts.push(`${arr}[${pos.length}] = ${this.expr(it.v)}`);
          pos.push('');
        }
      } else if (it.key.k === 'str') parts.push(`${t}.set(${lit(it.key.v)}, ${this.expr(it.v)})`);
      else {
        const k = this.tmp();
        parts.push(`${k} = ${this.expr(it.key)}`);
        parts.push(`rt.rawsetAt(L, ${t}, ${k}, ${this.expr(it.v)}, ${e.line})`);
      }
    }
    parts.push(`rt.setList(${t}, ${arr})`);
    return `(${parts.join(', ')})`;
  }

  private unary(e: Extract<Expr, { k: 'un' }>): string {
    if (e.op === 'not') return `(!${this.cond(e.a)})`;
    const pre: string[] = [];
    const a = e.a.k === 'num' ? `(${this.expr(e.a)})` : this.operand(e.a, pre, false);
    const d = lit(describe(e.a));
    let code: string;
    if (e.op === '-') code = isNum(e.a) ? `(-${a})` : `(typeof ${a} === 'number' ? -${a} : rt.unm(L, ${a}, ${d}, ${e.line}))`;
    else code = `(${a} instanceof LuaTable ? ${a}.length() : typeof ${a} === 'string' ? ${a}.length : rt.len(L, ${a}, ${d}, ${e.line}))`;
    return pre.length > 0 ? `(${pre.join(', ')}, ${code})` : code;
  }

  private binary(e: Extract<Expr, { k: 'bin' }>): string {
    const op = e.op;
    if (op === 'and' || op === 'or') {
      const t = this.tmp();
      const a = this.expr(e.a);
      const b = this.expr(e.b);
      const falsy = `((${t} = ${a}) === undefined || ${t} === false)`;
      return op === 'and' ? `(${falsy} ? ${t} : ${b})` : `(${falsy} ? ${b} : ${t})`;
    }
    if (op === '==' || op === '~=' || op === '<' || op === '<=' || op === '>' || op === '>=') return `(${this.compare(e)})`;
    const pre: string[] = [];
    // concatenation copies its operands (Lua moves them to consecutive registers); arithmetic reads them in place
    const snap = op === '..' && !isPure(e.b);
    const a = this.operand(e.a, pre, snap);
    const b = this.operand(e.b, pre, false);
    const da = lit(describe(e.a));
    const db = lit(describe(e.b));
    let code: string;
    if (op === '..') {
      code = `(typeof ${a} === 'string' && typeof ${b} === 'string' ? ${a} + ${b} : rt.concat(L, ${a}, ${b}, ${da}, ${db}, ${e.line}))`;
    } else {
      let fast: string;
      switch (op) {
        case '%':
          fast = `${a} - Math.floor(${a} / ${b}) * ${b}`;
          break;
        case '^':
          fast = `Math.pow(${a}, ${b})`;
          break;
        default:
          fast = `${a} ${op} ${b}`;
      }
      const checks: string[] = [];
      if (!isNum(e.a)) checks.push(`typeof ${a} === 'number'`);
      if (!isNum(e.b)) checks.push(`typeof ${b} === 'number'`);
      const slow = `rt.arith(L, ${lit(BIN_EVENT[op])}, ${a}, ${b}, ${da}, ${db}, ${e.line})`;
      code = checks.length === 0 ? `(${fast})` : `(${checks.join(' && ')} ? ${fast} : ${slow})`;
    }
    return pre.length > 0 ? `(${pre.join(', ')}, ${code})` : code;
  }

  /** a comparison as a JS boolean expression */
  private compare(e: Extract<Expr, { k: 'bin' }>): string {
    const pre: string[] = [];
    const a = this.operand(e.a, pre, false);
    const b = this.operand(e.b, pre, false);
    let code: string;
    switch (e.op) {
      case '==':
      case '~=': {
        let eq: string;
        if (isConst(e.a) || isConst(e.b)) eq = `${a} === ${b}`;
        else eq = `(${a} === ${b} || (typeof ${a} === 'object' && typeof ${b} === 'object' && rt.eq(L, ${a}, ${b})))`;
        code = e.op === '==' ? eq : `!(${eq})`;
        break;
      }
      default: {
        // a > b is b < a, a >= b is b <= a, as Lua compiles them (so the error names the operands swapped)
        const swap = e.op === '>' || e.op === '>=';
        const x = swap ? b : a;
        const y = swap ? a : b;
        const strict = e.op === '<' || e.op === '>';
        const jsop = strict ? '<' : '<=';
        const fn = strict ? 'rt.lt' : 'rt.le';
        const checks: string[] = [];
        if (!isNum(swap ? e.b : e.a)) checks.push(`typeof ${x} === 'number'`);
        if (!isNum(swap ? e.a : e.b)) checks.push(`typeof ${y} === 'number'`);
        const fast = `${x} ${jsop} ${y}`;
        code = checks.length === 0 ? fast : `(${checks.join(' && ')} ? ${fast} : ${fn}(L, ${x}, ${y}, ${e.line}))`;
      }
    }
    return pre.length > 0 ? `(${pre.join(', ')}, ${code})` : `(${code})`;
  }

  /** an expression as a JS boolean (Lua's truth) */
  private cond(e: Expr): string {
    switch (e.k) {
      case 'true':
        return 'true';
      case 'false':
      case 'nil':
        return 'false';
      case 'num':
      case 'str':
      case 'func':
      case 'table':
        return `(${this.expr(e)}, true)`;
      case 'paren':
        return this.cond(e.e);
      case 'un':
        if (e.op === 'not') return `(!${this.cond(e.a)})`;
        break;
      case 'bin':
        if (e.op === 'and') return `(${this.cond(e.a)} && ${this.cond(e.b)})`;
        if (e.op === 'or') return `(${this.cond(e.a)} || ${this.cond(e.b)})`;
        if (e.op === '==' || e.op === '~=' || e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=') return this.compare(e);
        break;
      case 'local':
      case 'upval':
        return `(${e.v.js} !== undefined && ${e.v.js} !== false)`;
    }
    const t = this.tmp();
    return `((${t} = ${this.expr(e)}) !== undefined && ${t} !== false)`;
  }
}

function args0(e: Extract<Expr, { k: 'call' }>): Expr[] {
  return e.args;
}

function endsInReturn(body: Stat[]): boolean {
  return body.length > 0 && body[body.length - 1].k === 'return';
}

/** The JavaScript source of a parsed chunk: the body of `new Function('rt', 'L', 'env', src)`. */
export function compileChunk(main: FuncNode, chunkName: string): string {
  return new Compiler(chunkName).chunk(main);
}
