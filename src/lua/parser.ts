/**
 * Lua 5.1's parser (lparser.c's grammar and messages, our code): source →
 * syntax tree (src/lua/ast.ts), resolving names to locals, upvalues and
 * globals on the way as Lua's single-pass compiler does.
 *
 * Syntax errors read exactly as lua5.1's ("'=' expected near 'b'",
 * "'end' expected (to close 'function' at line 1) near '<eof>'",
 * "unexpected symbol near '+'", "ambiguous syntax (function call x new
 * statement)", "cannot use '...' outside a vararg function", "no loop to
 * break", the 200-locals and 60-upvalues limits …), prefixed with the chunk
 * name and the lexer's line, and thrown as LuaError.
 */
import type { BinOp, Expr, FuncNode, LocalVar, Stat, TableItem } from './ast.js';
import { Lexer, type TokenKind } from './lexer.js';
import { LuaError } from './value.js';

/** lparser.c's priority table: [left, right] for each binary operator */
const PRIORITY: Record<string, [number, number]> = {
  '+': [6, 6],
  '-': [6, 6],
  '*': [7, 7],
  '/': [7, 7],
  '%': [7, 7],
  '^': [10, 9], // right associative
  '..': [5, 4], // right associative
  '==': [3, 3],
  '~=': [3, 3],
  '<': [3, 3],
  '<=': [3, 3],
  '>': [3, 3],
  '>=': [3, 3],
  and: [2, 2],
  or: [1, 1],
};
const UNARY_PRIORITY = 8;
/** LUAI_MAXVARS and LUAI_MAXUPVALUES */
const MAXVARS = 200;
const MAXUPVALUES = 60;

interface FuncState {
  parent: FuncState | undefined;
  node: FuncNode;
  /** the active locals, innermost last */
  actives: LocalVar[];
  /** the enclosing loops of the block being parsed (for 'break') */
  loops: number;
  /** the distinct upvalues this function refers to (for the 60 limit) */
  upvals: Set<LocalVar>;
}

export class Parser {
  private readonly lx: Lexer;
  private fs!: FuncState;
  private nextId = 0;

  constructor(source: string, chunk: string) {
    this.lx = new Lexer(source, chunk);
  }

  /** Parses the whole chunk: the main function (a vararg function with no parameters). */
  parseChunk(): FuncNode {
    const node: FuncNode = {
      params: [],
      isVararg: true,
      argVar: undefined,
      usesVararg: false,
      body: [],
      line: 0,
      lastLine: 0,
      name: 'main chunk',
    };
    this.fs = { parent: undefined, node, actives: [], loops: 0, upvals: new Set() };
    this.lx.next();
    node.body = this.block();
    if (this.lx.tok.kind !== 'eof') throw this.errorExpected('eof');
    node.lastLine = this.lx.line;
    return node;
  }

  // ---- helpers (lparser.c's check, checknext, testnext, check_match) ----

  private get tok() {
    return this.lx.tok;
  }

  private errorExpected(kind: TokenKind): LuaError {
    return this.lx.syntaxError(`'${Lexer.kindText(kind)}' expected`);
  }

  private testNext(kind: TokenKind): boolean {
    if (this.tok.kind === kind) {
      this.lx.next();
      return true;
    }
    return false;
  }

  private checkNext(kind: TokenKind): void {
    if (this.tok.kind !== kind) throw this.errorExpected(kind);
    this.lx.next();
  }

  private checkMatch(what: TokenKind, who: TokenKind, line: number): void {
    if (this.testNext(what)) return;
    if (line === this.lx.line) throw this.errorExpected(what);
    throw this.lx.syntaxError(`'${Lexer.kindText(what)}' expected (to close '${Lexer.kindText(who)}' at line ${line})`);
  }

  private checkName(): string {
    if (this.tok.kind !== 'name') throw this.errorExpected('name');
    const v = this.tok.value;
    this.lx.next();
    return v;
  }

  /** errorlimit: "main function has more than 200 local variables" (no "near") */
  private errorLimit(limit: number, what: string): LuaError {
    const where = this.fs.node.line === 0 ? 'main function' : `function at line ${this.fs.node.line}`;
    return new LuaError(`${this.lx.chunk}:${this.lx.line}: ${where} has more than ${limit} ${what}`);
  }

  // ---- scopes ----

  private newLocal(name: string): LocalVar {
    return { name, js: `${name}$${++this.nextId}`, captured: false, assigned: false, forVar: false };
  }

  /** makes locals visible (adjustlocalvars) */
  private activate(vars: LocalVar[]): void {
    for (const v of vars) {
      if (this.fs.actives.length >= MAXVARS) throw this.errorLimit(MAXVARS, 'local variables');
      this.fs.actives.push(v);
    }
  }

  /** singlevar: a local, an upvalue, or a global */
  private resolve(name: string): Expr {
    const own = findActive(this.fs, name);
    if (own !== undefined) return { k: 'local', v: own };
    // an enclosing function's local is an upvalue of every function in between
    const chain: FuncState[] = [this.fs];
    for (let f = this.fs.parent; f !== undefined; f = f.parent) {
      const v = findActive(f, name);
      if (v !== undefined) {
        v.captured = true;
        for (const g of chain) {
          if (!g.upvals.has(v)) {
            g.upvals.add(v);
            if (g.upvals.size > MAXUPVALUES) {
              const where = g.node.line === 0 ? 'main function' : `function at line ${g.node.line}`;
              throw new LuaError(`${this.lx.chunk}:${this.lx.line}: ${where} has more than ${MAXUPVALUES} upvalues`);
            }
          }
        }
        return { k: 'upval', v };
      }
      chain.push(f);
    }
    return { k: 'global', name, line: this.lx.lastline };
  }

  // ---- statements ----

  private blockFollow(): boolean {
    switch (this.tok.kind) {
      case 'else':
      case 'elseif':
      case 'end':
      case 'until':
      case 'eof':
        return true;
    }
    return false;
  }

  /** a block with its own scope */
  private block(): Stat[] {
    const mark = this.fs.actives.length;
    const body = this.statements();
    this.fs.actives.length = mark;
    return body;
  }

  /** chunk(): statements up to a block end; 'return' and 'break' end it */
  private statements(): Stat[] {
    const out: Stat[] = [];
    let last = false;
    while (!last && !this.blockFollow()) {
      const s = this.statement();
      last = s.k === 'return' || s.k === 'break';
      out.push(s);
      this.testNext(';');
    }
    return out;
  }

  private loopBlock(): Stat[] {
    this.fs.loops++;
    const b = this.block();
    this.fs.loops--;
    return b;
  }

  private statement(): Stat {
    const line = this.lx.line;
    switch (this.tok.kind) {
      case 'if':
        return this.ifStat(line);
      case 'while': {
        this.lx.next();
        const cond = this.expr();
        this.checkNext('do');
        const body = this.loopBlock();
        this.checkMatch('end', 'while', line);
        return { k: 'while', cond, body };
      }
      case 'do': {
        this.lx.next();
        const body = this.block();
        this.checkMatch('end', 'do', line);
        return { k: 'do', body };
      }
      case 'for':
        return this.forStat(line);
      case 'repeat': {
        this.lx.next();
        const mark = this.fs.actives.length;
        this.fs.loops++;
        const body = this.statements();
        this.fs.loops--;
        this.checkMatch('until', 'repeat', line);
        const cond = this.expr(); // sees the body's locals
        this.fs.actives.length = mark;
        return { k: 'repeat', body, cond };
      }
      case 'function':
        return this.funcStat(line);
      case 'local':
        this.lx.next();
        if (this.testNext('function')) {
          const v = this.newLocal(this.checkName());
          this.activate([v]);
          const f = this.body(false, line, v.name);
          return { k: 'localfunc', v, f };
        }
        return this.localStat();
      case 'return': {
        this.lx.next();
        let exprs: Expr[] = [];
        if (!this.blockFollow() && (this.tok.kind as string) !== ';') exprs = this.exprList();
        return { k: 'return', exprs, line: this.lx.lastline };
      }
      case 'break':
        this.lx.next();
        if (this.fs.loops === 0) throw this.lx.syntaxError('no loop to break');
        return { k: 'break' };
      default:
        return this.exprStat();
    }
  }

  private ifStat(line: number): Stat {
    const conds: Expr[] = [];
    const blocks: Stat[][] = [];
    do {
      this.lx.next(); // 'if' or 'elseif'
      conds.push(this.expr());
      this.checkNext('then');
      blocks.push(this.block());
    } while (this.tok.kind === 'elseif');
    let els: Stat[] | undefined;
    if (this.testNext('else')) els = this.block();
    this.checkMatch('end', 'if', line);
    return { k: 'if', conds, blocks, els };
  }

  private forStat(line: number): Stat {
    this.lx.next();
    const name = this.checkName();
    let s: Stat;
    switch (this.tok.kind) {
      case '=': {
        this.lx.next();
        const start = this.expr();
        this.checkNext(',');
        const limit = this.expr();
        const step = this.testNext(',') ? this.expr() : undefined;
        this.checkNext('do');
        const prepLine = this.lx.lastline; // FORPREP is coded after 'do': its errors name that line
        const v = this.newLocal(name);
        v.forVar = true;
        const mark = this.fs.actives.length;
        this.activate([v]);
        const body = this.loopBlock();
        this.fs.actives.length = mark;
        s = { k: 'fornum', v, start, limit, step, body, line: prepLine };
        break;
      }
      case ',':
      case 'in': {
        const vars = [this.newLocal(name)];
        while (this.testNext(',')) vars.push(this.newLocal(this.checkName()));
        this.checkNext('in');
        const exprs = this.exprList();
        this.checkNext('do');
        const mark = this.fs.actives.length;
        this.activate(vars);
        const body = this.loopBlock();
        this.fs.actives.length = mark;
        s = { k: 'forin', vars, exprs, body, line }; // TFORLOOP is fixed to the 'for' line
        break;
      }
      default:
        throw this.lx.syntaxError("'=' or 'in' expected");
    }
    this.checkMatch('end', 'for', line);
    return s;
  }

  private funcStat(line: number): Stat {
    this.lx.next();
    // funcname: NAME {'.' NAME} [':' NAME]
    let name = this.checkName();
    let target: Expr = this.resolve(name);
    let fullName = name;
    let self = false;
    while (this.tok.kind === '.') {
      this.lx.next();
      name = this.checkName();
      fullName += '.' + name;
      target = { k: 'index', o: target, key: { k: 'str', v: name }, line: this.lx.lastline };
    }
    if (this.tok.kind === ':') {
      this.lx.next();
      name = this.checkName();
      fullName += ':' + name;
      target = { k: 'index', o: target, key: { k: 'str', v: name }, line: this.lx.lastline };
      self = true;
    }
    const f = this.body(self, line, fullName);
    if (target.k === 'local' || target.k === 'upval') target.v.assigned = true;
    return { k: 'assign', targets: [target], exprs: [{ k: 'func', f }], line: f.lastLine };
  }

  private localStat(): Stat {
    const vars: LocalVar[] = [];
    do vars.push(this.newLocal(this.checkName()));
    while (this.testNext(','));
    let exprs: Expr[] = [];
    if (this.testNext('=')) exprs = this.exprList();
    const line = this.lx.lastline;
    this.activate(vars);
    return { k: 'local', vars, exprs, line };
  }

  private exprStat(): Stat {
    const e = this.primaryExp();
    if (e.k === 'call' || e.k === 'method') return { k: 'callstat', e };
    const targets: Expr[] = [e];
    for (;;) {
      const t = targets[targets.length - 1];
      if (t.k !== 'local' && t.k !== 'upval' && t.k !== 'global' && t.k !== 'index') throw this.lx.syntaxError('syntax error');
      if (!this.testNext(',')) break;
      targets.push(this.primaryExp());
    }
    this.checkNext('=');
    const exprs = this.exprList();
    for (const t of targets) if (t.k === 'local' || t.k === 'upval') t.v.assigned = true;
    return { k: 'assign', targets, exprs, line: this.lx.lastline };
  }

  // ---- functions ----

  private body(needSelf: boolean, line: number, name: string): FuncNode {
    const node: FuncNode = {
      params: [],
      isVararg: false,
      argVar: undefined,
      usesVararg: false,
      body: [],
      line,
      lastLine: line,
      name,
    };
    const parent = this.fs;
    this.fs = { parent, node, actives: [], loops: 0, upvals: new Set() };
    this.checkNext('(');
    if (needSelf) node.params.push(this.newLocal('self'));
    if (this.tok.kind !== ')') {
      do {
        if (this.tok.kind === 'name') node.params.push(this.newLocal(this.checkName()));
        else if (this.tok.kind === '...') {
          this.lx.next();
          node.isVararg = true;
          node.argVar = this.newLocal('arg'); // LUA_COMPAT_VARARG
        } else throw this.lx.syntaxError("<name> or '...' expected");
      } while (!node.isVararg && this.testNext(','));
    }
    this.activate(node.params);
    if (node.argVar !== undefined) this.activate([node.argVar]);
    this.checkNext(')');
    node.body = this.statements();
    node.lastLine = this.lx.line;
    this.checkMatch('end', 'function', line);
    this.fs = parent;
    return node;
  }

  // ---- expressions ----

  private exprList(): Expr[] {
    const out = [this.expr()];
    while (this.testNext(',')) out.push(this.expr());
    return out;
  }

  expr(): Expr {
    return this.subExpr(0);
  }

  private subExpr(limit: number): Expr {
    let e: Expr;
    const k = this.tok.kind;
    if (k === 'not' || k === '-' || k === '#') {
      this.lx.next();
      const a = this.subExpr(UNARY_PRIORITY);
      e = foldUnary(k, a, this.lx.lastline);
    } else e = this.simpleExp();
    for (;;) {
      const op = this.tok.kind;
      const pr = PRIORITY[op];
      if (pr === undefined || pr[0] <= limit) break;
      this.lx.next();
      const b = this.subExpr(pr[1]);
      e = foldBinary(op as BinOp, e, b, this.lx.lastline);
    }
    return e;
  }

  private simpleExp(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'number':
        this.lx.next();
        return { k: 'num', v: t.num };
      case 'string':
        this.lx.next();
        return { k: 'str', v: t.value };
      case 'nil':
        this.lx.next();
        return { k: 'nil' };
      case 'true':
        this.lx.next();
        return { k: 'true' };
      case 'false':
        this.lx.next();
        return { k: 'false' };
      case '...': {
        const n = this.fs.node;
        if (!n.isVararg) throw this.lx.syntaxError("cannot use '...' outside a vararg function");
        n.usesVararg = true;
        this.lx.next();
        return { k: 'vararg' };
      }
      case '{':
        return this.constructor_();
      case 'function': {
        const line = this.lx.line;
        this.lx.next();
        return { k: 'func', f: this.body(false, line, 'anonymous') };
      }
      default:
        return this.primaryExp();
    }
  }

  private prefixExp(): Expr {
    switch (this.tok.kind) {
      case '(': {
        const line = this.lx.line;
        this.lx.next();
        const e = this.expr();
        this.checkMatch(')', '(', line);
        return { k: 'paren', e };
      }
      case 'name':
        return this.resolve(this.checkName());
      default:
        throw this.lx.syntaxError('unexpected symbol');
    }
  }

  private primaryExp(): Expr {
    let e = this.prefixExp();
    for (;;) {
      switch (this.tok.kind) {
        case '.': {
          this.lx.next();
          const name = this.checkName();
          e = { k: 'index', o: e, key: { k: 'str', v: name }, line: this.lx.lastline };
          break;
        }
        case '[': {
          this.lx.next();
          const key = this.expr();
          this.checkNext(']');
          e = { k: 'index', o: e, key, line: this.lx.lastline };
          break;
        }
        case ':': {
          this.lx.next();
          const name = this.checkName();
          const line = this.lx.line;
          const args = this.funcArgs();
          e = { k: 'method', o: e, name, args, line };
          break;
        }
        case '(':
        case 'string':
        case '{': {
          const line = this.lx.line;
          const args = this.funcArgs();
          e = { k: 'call', f: e, args, line };
          break;
        }
        default:
          return e;
      }
    }
  }

  private funcArgs(): Expr[] {
    const line = this.lx.line;
    switch (this.tok.kind) {
      case '(': {
        if (line !== this.lx.lastline) throw this.lx.syntaxError('ambiguous syntax (function call x new statement)');
        this.lx.next();
        const args = (this.tok.kind as string) === ')' ? [] : this.exprList();
        this.checkMatch(')', '(', line);
        return args;
      }
      case '{':
        return [this.constructor_()];
      case 'string': {
        const v = this.tok.value;
        this.lx.next();
        return [{ k: 'str', v }];
      }
      default:
        throw this.lx.syntaxError('function arguments expected');
    }
  }

  private constructor_(): Expr {
    const line = this.lx.line;
    this.checkNext('{');
    const items: TableItem[] = [];
    do {
      if (this.tok.kind === '}') break;
      if (this.tok.kind === 'name' && this.lx.peek().kind === '=') {
        const key: Expr = { k: 'str', v: this.checkName() };
        this.checkNext('=');
        items.push({ k: 'named', key, v: this.expr() });
      } else if (this.tok.kind === '[') {
        this.lx.next();
        const key = this.expr();
        this.checkNext(']');
        this.checkNext('=');
        items.push({ k: 'named', key, v: this.expr() });
      } else items.push({ k: 'pos', v: this.expr() });
    } while (this.testNext(',') || this.testNext(';'));
    this.checkMatch('}', '{', line);
    return { k: 'table', items, line };
  }
}

function findActive(fs: FuncState, name: string): LocalVar | undefined {
  const a = fs.actives;
  for (let i = a.length - 1; i >= 0; i--) if (a[i].name === name) return a[i];
  return undefined;
}

/**
 * Lua 5.1 folds arithmetic on numeric constants at compile time (constfolding:
 * not when the result is NaN, nor a division or modulo by zero). It matters
 * only for what is observable: -0 stays -0, and `-2^2` folds the same either way.
 */
function foldBinary(op: BinOp, a: Expr, b: Expr, line: number): Expr {
  if (a.k === 'num' && b.k === 'num') {
    const x = a.v;
    const y = b.v;
    let r: number | undefined;
    switch (op) {
      case '+':
        r = x + y;
        break;
      case '-':
        r = x - y;
        break;
      case '*':
        r = x * y;
        break;
      case '/':
        if (y !== 0) r = x / y;
        break;
      case '%':
        if (y !== 0) r = x - Math.floor(x / y) * y;
        break;
      case '^':
        r = Math.pow(x, y);
        break;
    }
    if (r !== undefined && r === r) return { k: 'num', v: r };
  }
  return { k: 'bin', op, a, b, line };
}

function foldUnary(op: string, a: Expr, line: number): Expr {
  if (op === '-' && a.k === 'num') return { k: 'num', v: -a.v };
  return { k: 'un', op: op as 'not' | '-' | '#', a, line };
}

/** Parses a chunk; `chunk` is the name messages show (chunkId of the source name). */
export function parse(source: string, chunk: string): FuncNode {
  return new Parser(source, chunk).parseChunk();
}
