/**
 * The syntax tree of a Lua 5.1 chunk, as src/lua/parser.ts builds it and
 * src/lua/compile.ts turns it into JavaScript.
 *
 * Names are resolved while parsing, as Lua's own single-pass compiler does:
 * a name is a local of the running function, an upvalue (a local of an
 * enclosing function), or a global. Every local declaration is its own
 * LocalVar (`local x = 1; local x = x + 1` declares two), which is how the
 * compiler can give each one its own JavaScript `let` binding. `line` fields
 * are the lines lua5.1 would attach to the instruction that can fail there,
 * so runtime errors name the same line.
 */

export interface LocalVar {
  name: string;
  /** a unique JavaScript identifier for this declaration */
  js: string;
  /** referenced from a nested function (an upvalue there) */
  captured: boolean;
  /** the target of an assignment somewhere */
  assigned: boolean;
  /** a numeric for's control variable (a number at every iteration unless assigned) */
  forVar: boolean;
}

export type BinOp = '+' | '-' | '*' | '/' | '%' | '^' | '..' | '==' | '~=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';
export type UnOp = 'not' | '-' | '#';

export type Expr =
  | { k: 'nil' }
  | { k: 'true' }
  | { k: 'false' }
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'vararg' }
  | { k: 'func'; f: FuncNode }
  | { k: 'table'; items: TableItem[]; line: number }
  | { k: 'bin'; op: BinOp; a: Expr; b: Expr; line: number }
  | { k: 'un'; op: UnOp; a: Expr; line: number }
  | { k: 'local'; v: LocalVar }
  | { k: 'upval'; v: LocalVar }
  | { k: 'global'; name: string; line: number }
  | { k: 'index'; o: Expr; key: Expr; line: number }
  | { k: 'call'; f: Expr; args: Expr[]; line: number }
  | { k: 'method'; o: Expr; name: string; args: Expr[]; line: number }
  | { k: 'paren'; e: Expr };

export type TableItem = { k: 'pos'; v: Expr } | { k: 'named'; key: Expr; v: Expr };

export type Stat =
  | { k: 'local'; vars: LocalVar[]; exprs: Expr[]; line: number }
  | { k: 'assign'; targets: Expr[]; exprs: Expr[]; line: number }
  | { k: 'callstat'; e: Expr }
  | { k: 'do'; body: Stat[] }
  | { k: 'while'; cond: Expr; body: Stat[] }
  | { k: 'repeat'; body: Stat[]; cond: Expr }
  | { k: 'if'; conds: Expr[]; blocks: Stat[][]; els: Stat[] | undefined }
  | { k: 'fornum'; v: LocalVar; start: Expr; limit: Expr; step: Expr | undefined; body: Stat[]; line: number }
  | { k: 'forin'; vars: LocalVar[]; exprs: Expr[]; body: Stat[]; line: number }
  | { k: 'localfunc'; v: LocalVar; f: FuncNode }
  | { k: 'return'; exprs: Expr[]; line: number }
  | { k: 'break' };

export interface FuncNode {
  params: LocalVar[];
  isVararg: boolean;
  /**
   * Lua 5.1's LUA_COMPAT_VARARG: a vararg function (not the main chunk)
   * whose body never says `...` gets a local `arg` = {n = select('#', ...), ...}.
   */
  argVar: LocalVar | undefined;
  usesVararg: boolean;
  body: Stat[];
  /** the line of `function` (0 for the main chunk) */
  line: number;
  /** the line of the closing `end` */
  lastLine: number;
  name: string;
}
