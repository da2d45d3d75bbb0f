/**
 * gkv-cli: a command-line client that behaves like redis-cli 7.0.
 *
 *   gkv-cli [options] cmd args...   one command (repeatable with -r/-i), then exit
 *   gkv-cli [options]               a REPL on a terminal; otherwise one command
 *                                   per line from standard input
 *
 * Output is formatted like redis-cli on a terminal (or with --no-raw or the
 * FAKETTY environment variable) and raw otherwise; see format.ts.
 */
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Connection, ConnError } from './connection.js';
import { formatInvalidateTTY, formatReply, isInvalidate, UnknownReplyType } from './format.js';
import { cliOutputHelp, completionsFor, genericHelp, helpFromCommand, helpFromCommandDocs, hintFor, type HelpEntry } from './help.js';
import { findBigKeys, getRDB, latencyMode, pipeMode, replicaMode, statMode, type ModeHost } from './modes.js';
import { atoi, OptionError, parseOptions, USAGE, type CliConfig } from './options.js';
import type { Reply } from './resp.js';
import { splitArgs } from '../protocol/inline.js';
import { GKV_VERSION as VERSION } from '../version.js';
const HISTORY_MAX = 100;

/** Thrown to end the program with an exit status. */
class Exit {
  constructor(public code: number) {}
}

function writeOut(s: string): void {
  process.stdout.write(Buffer.from(s, 'latin1'));
}

function writeErr(s: string): void {
  process.stderr.write(Buffer.from(s, 'latin1'));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Commands whose replies redis-cli prints raw even on a terminal. */
function isVerbatimCommand(argv: string[]): boolean {
  const cmd = argv[0].toLowerCase();
  const sub = argv.length >= 2 ? argv[1].toLowerCase() : '';
  if (cmd === 'info' || cmd === 'lolwut') return true;
  if (argv.length >= 2 && cmd === 'debug' && (sub === 'htstats' || sub === 'htstats-key' || sub === 'client-eviction')) return true;
  if (argv.length >= 2 && cmd === 'memory' && (sub === 'malloc-stats' || sub === 'doctor')) return true;
  if (argv.length === 2 && cmd === 'cluster' && (sub === 'nodes' || sub === 'info')) return true;
  if (argv.length >= 2 && cmd === 'client' && (sub === 'list' || sub === 'info')) return true;
  if (argv.length === 3 && cmd === 'latency' && sub === 'graph') return true;
  if (argv.length === 2 && cmd === 'latency' && sub === 'doctor') return true;
  if (argv.length >= 2 && cmd === 'proxy' && sub === 'info') return true;
  return false;
}

/** strtol-style repeat prefix of a REPL line: a number, or undefined when the word is not one. */
function repeatPrefix(word: string): number | undefined {
  if (word !== '' && !/^\s*[+-]?\d+$/.test(word)) return undefined;
  const n = word === '' ? 0 : Number(word.trim());
  return n;
}

/** Reads standard input line by line as latin1 strings (null at the end). */
class LineReader {
  private buf: Buffer = Buffer.alloc(0);
  private it: AsyncIterator<Buffer>;
  private done = false;

  constructor(stream: NodeJS.ReadableStream) {
    this.it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async next(): Promise<string | null> {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl >= 0) {
        const line = this.buf.toString('latin1', 0, nl);
        this.buf = this.buf.subarray(nl + 1);
        return line;
      }
      if (this.done) {
        if (this.buf.length === 0) return null;
        const line = this.buf.toString('latin1');
        this.buf = Buffer.alloc(0);
        return line;
      }
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    }
  }
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('latin1');
}

type ReplyType = Reply['t'];

export class Cli implements ModeHost {
  private ctx: Connection | null = null;
  /** help entries from the server's COMMAND DOCS, read once (cliInitHelp) */
  private helpEntries: HelpEntry[] | null = null;
  /** ":set hints" / ":set nohints" */
  private hints = true;
  /** the last connection failure, printed as "Error: ..." */
  private ctxError = '';
  private inputDb: number;
  private dbnum = 0;
  private resp3: boolean;
  private inMulti = false;
  private preMultiDb = 0;
  private interactive = false;
  private lastType: ReplyType | null = null;
  private monitorMode = false;
  private pubsubMode = false;
  private shutdownSent = false;
  /** -c: the last reply was a MOVED/ASK redirect, so the command goes again to the node it named */
  private reissue = false;
  /** -c: that redirect was ASK, so ASKING goes first */
  private sendAsking = false;

  constructor(public cfg: CliConfig) {
    this.inputDb = cfg.dbnum;
    this.resp3 = cfg.resp3 || cfg.resp3Soft;
  }

  private addr(): string {
    if (this.cfg.socket) return this.cfg.socket;
    const h = this.cfg.host;
    return h.includes(':') ? `[${h}]:${this.cfg.port}` : `${h}:${this.cfg.port}`;
  }

  prompt(): string {
    if (!this.ctx) return 'not connected> ';
    let p = this.cfg.socket ? `redis ${this.cfg.socket}` : this.addr();
    if (this.dbnum !== 0) p += `[${this.dbnum}]`;
    if (this.inMulti) p += '(TX)';
    return p + '> ';
  }

  private drop(): void {
    this.ctx?.close();
    this.ctx = null;
  }

  out(s: string): void {
    writeOut(s);
  }

  err(s: string): void {
    writeErr(s);
  }

  async connection(force: boolean, quiet: boolean): Promise<Connection | null> {
    if (this.ctx && !this.ctx.alive) force = true;
    return (await this.connect(force, quiet)) ? this.ctx : null;
  }

  /** A command sent during connection setup; its reply, or null on I/O failure. */
  private async setupCall(args: string[]): Promise<Reply | null> {
    this.ctx!.send(args);
    try {
      return await this.ctx!.next();
    } catch {
      writeErr('\nI/O error\n');
      return null;
    }
  }

  /** Connects (again when `force`), then AUTH, SELECT and HELLO 3 as configured. */
  async connect(force: boolean, quiet: boolean): Promise<boolean> {
    if (this.ctx && !force) return true;
    this.drop();
    try {
      this.ctx = await Connection.open(this.cfg);
    } catch (e) {
      if (!quiet) writeErr(`Could not connect to Redis at ${this.addr()}: ${(e as Error).message}\n`);
      return false;
    }
    this.dbnum = 0;
    this.inMulti = false;
    if (this.cfg.auth !== null) {
      const args = this.cfg.user !== null ? ['AUTH', this.cfg.user, this.cfg.auth] : ['AUTH', this.cfg.auth];
      const r = await this.setupCall(args);
      if (!r) return false;
      if (r.t === 'error') {
        writeErr(`AUTH failed: ${r.s}\n`);
        return false;
      }
    }
    if (!(await this.select())) return false;
    if (this.resp3) {
      const r = await this.setupCall(['HELLO', '3']);
      if (!r) return false;
      if (r.t === 'error') {
        writeErr(`HELLO 3 failed: ${r.s}\n`);
        if (!this.cfg.resp3Soft) return false;
      }
    }
    return true;
  }

  private async select(): Promise<boolean> {
    if (this.inputDb === this.dbnum) return true;
    const r = await this.setupCall(['SELECT', String(this.inputDb)]);
    if (!r) return false;
    if (r.t === 'error') {
      writeErr(`SELECT ${this.inputDb} failed: ${r.s}\n`);
      return false;
    }
    this.dbnum = this.inputDb;
    return true;
  }

  private print(r: Reply, verbatim: boolean): void {
    let s: string;
    try {
      s = formatReply(r, this.cfg.output, verbatim, this.cfg.mbDelim, this.cfg.cmdDelim);
    } catch (e) {
      if (e instanceof UnknownReplyType) {
        writeErr(e.message + '\n');
        throw new Exit(1);
      }
      throw e;
    }
    writeOut(s);
  }

  /** Reads and prints one reply. False when the connection broke in a way the REPL survives. */
  private async readReply(verbatim: boolean): Promise<boolean> {
    let r: Reply;
    for (;;) {
      try {
        r = await this.ctx!.next();
      } catch (e) {
        const ce = e as ConnError;
        if (this.shutdownSent) {
          this.drop();
          return true;
        }
        if (this.interactive && (ce.kind === 'eof' || ce.kind === 'reset')) {
          this.ctxError = ce.message;
          return false;
        }
        writeErr(`Error: ${ce.message}\n`);
        throw new Exit(1);
      }
      // out-of-band pushes (RESP3), unless pub/sub messages are what we read
      if (r.t === 'push' && !this.pubsubMode) {
        if (this.cfg.pushOutput) {
          if (this.cfg.output === 'standard' && isInvalidate(r)) writeOut(formatInvalidateTTY(r));
          else this.print(r, false);
        }
        continue;
      }
      break;
    }
    this.lastType = r.t;
    if (this.cfg.cluster && r.t === 'error' && (r.s.startsWith('MOVED ') || r.s.startsWith('ASK '))) {
      // "MOVED 3999 127.0.0.1:6381": follow it (the reply itself is not shown)
      const [kind, slot, addr = ''] = r.s.split(' ');
      const colon = addr.lastIndexOf(':');
      this.cfg.host = addr.slice(0, colon < 0 ? addr.length : colon);
      this.cfg.port = colon < 0 ? 0 : atoi(addr.slice(colon + 1));
      this.cfg.socket = null;
      if (this.interactive) writeOut(`-> Redirected to slot [${atoi(slot)}] located at ${this.cfg.host}:${this.cfg.port}\n`);
      this.reissue = true;
      if (kind === 'ASK') this.sendAsking = true;
      return true;
    }
    if (!this.interactive && this.cfg.setErrcode && r.t === 'error') {
      writeErr(r.s + '\n');
      throw new Exit(1);
    }
    this.print(r, verbatim);
    // keep pace with a slow reader of our output (a pipe) instead of buffering without bound
    if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
    return true;
  }

  /** Sends a command `repeat` times (forever when negative), printing each reply. */
  private async sendCommand(argv: string[], repeat: number): Promise<boolean> {
    const cmd = argv[0].toLowerCase();
    const verbatim = isVerbatimCommand(argv);
    this.shutdownSent = cmd === 'shutdown';
    if (cmd === 'monitor') this.monitorMode = true;
    if (cmd === 'subscribe' || cmd === 'psubscribe' || cmd === 'ssubscribe') this.pubsubMode = true;
    while (repeat < 0 || repeat-- > 0) {
      const ctx = this.ctx;
      if (!ctx) return true; // dropped by SHUTDOWN
      ctx.send(argv);
      if (this.monitorMode) {
        while (this.monitorMode) {
          if (!(await this.readReply(verbatim))) {
            writeErr(`Error: ${this.ctxError}\n`);
            throw new Exit(1);
          }
          if (this.lastType === 'error') this.monitorMode = false;
        }
        return true;
      }
      if (this.pubsubMode) {
        if (this.cfg.output !== 'raw') writeOut('Reading messages... (press Ctrl-C to quit)\n');
        while (this.pubsubMode) {
          if (!(await this.readReply(verbatim))) {
            writeErr(`Error: ${this.ctxError}\n`);
            throw new Exit(1);
          }
          if (this.lastType === 'error') this.pubsubMode = false;
        }
        continue;
      }
      if (!(await this.readReply(verbatim))) return false;
      this.afterReply(cmd, argv);
      // redirected (-c): the command goes once more, to the other node, and no further repeats
      if (this.reissue) break;
      if (this.cfg.interval > 0) await sleep(this.cfg.interval);
    }
    return true;
  }

  /** Tracks the state the prompt shows (db, MULTI) and the protocol version. */
  private afterReply(cmd: string, argv: string[]): void {
    const ok = this.lastType !== 'error';
    if (cmd === 'select' && argv.length === 2 && ok) {
      this.inputDb = this.dbnum = atoi(argv[1]);
    } else if (cmd === 'multi' && argv.length === 1 && ok) {
      this.inMulti = true;
      this.preMultiDb = this.dbnum;
    } else if (cmd === 'exec' && argv.length === 1 && this.inMulti) {
      this.inMulti = false;
      if (this.lastType === 'error' || this.lastType === 'nil') this.inputDb = this.dbnum = this.preMultiDb;
    } else if (cmd === 'discard' && argv.length === 1 && ok) {
      this.inMulti = false;
      this.inputDb = this.dbnum = this.preMultiDb;
    } else if (cmd === 'reset' && argv.length === 1 && ok) {
      this.inMulti = false;
      this.inputDb = this.dbnum = 0;
      this.resp3 = false;
    } else if (cmd === 'hello') {
      if (this.lastType === 'map') this.resp3 = true;
      else if (this.lastType === 'array') this.resp3 = false;
    }
  }

  /** Runs one command line's command (connecting first when needed). */
  async issue(argv: string[], repeat: number): Promise<boolean> {
    const cmd = argv[0].toLowerCase();
    if (cmd === 'help' || cmd === '?') {
      await this.help(argv.slice(1));
      return true;
    }
    for (;;) {
      if (this.reissue || !this.ctx) {
        if (!(await this.connect(true, false))) {
          this.reissue = false;
          return false;
        }
      }
      this.reissue = false;
      if (this.sendAsking) {
        this.sendAsking = false;
        const r = await this.setupCall(['ASKING']);
        if (!r) return false;
        if (r.t === 'error') {
          writeErr(`ASKING failed: ${r.s}\n`);
          return false;
        }
      }
      if (!(await this.sendCommand(argv, repeat))) {
        if (this.ctx) writeErr(`Error: ${this.ctxError}\n`);
        this.drop();
        return false;
      }
      if (this.cfg.cluster && this.reissue) continue;
      return true;
    }
  }

  private async help(topic: string[]): Promise<void> {
    if (topic.length === 0) {
      writeOut(genericHelp(VERSION));
      return;
    }
    await this.initHelp();
    writeOut(cliOutputHelp(this.helpEntries ?? [], topic));
  }

  /**
   * The help entries from COMMAND DOCS (COMMAND for a server without DOCS),
   * read once; none when the server cannot be reached (redis-cli then falls
   * back to its compiled-in table, which gkv-cli does not have).
   */
  private async initHelp(): Promise<void> {
    if (this.helpEntries) return;
    if (!this.ctx && !(await this.connect(false, true))) return;
    const ask = async (args: string[]): Promise<Reply | null> => {
      this.ctx!.send(args);
      try {
        return await this.ctx!.next();
      } catch {
        return null;
      }
    };
    const docs = await ask(['COMMAND', 'DOCS']);
    if (!docs) return;
    if (docs.t === 'error') {
      const table = await ask(['COMMAND']);
      this.helpEntries = table ? helpFromCommand(table) : [];
    } else {
      this.helpEntries = helpFromCommandDocs(docs, (line) => writeErr(line + '\n'));
    }
  }

  /** Non-interactive: the command from the command line. Returns the exit status. */
  async oneShot(args: string[]): Promise<number> {
    if (this.cfg.quotedInput) {
      const out: string[] = [];
      for (const a of args) {
        const parts = splitArgs(a);
        if (!parts || parts.length !== 1) {
          writeOut('Invalid quoted string\n');
          return 1;
        }
        out.push(parts[0]);
      }
      args = out;
    }
    if (this.cfg.stdinLastArg) {
      args = [...args, await readAllStdin()];
    } else if (this.cfg.stdinTag !== null) {
      const at = args.indexOf(this.cfg.stdinTag);
      if (at < 0) {
        writeErr(`Using -X option but stdin tag not match.\n`);
        return 1;
      }
      args = [...args];
      args[at] = await readAllStdin();
    }
    await this.connect(false, true);
    return (await this.issue(args, this.cfg.repeat)) ? 0 : 1;
  }

  /** The REPL: a line editor on a terminal, plain lines otherwise. */
  async repl(): Promise<number> {
    this.interactive = true;
    const tty = !!process.stdin.isTTY;
    const history: string[] = [];
    let histFile: string | null = null;
    let rl: readline.Interface | null = null;
    let lines: LineReader | null = null;
    if (tty) {
      histFile = process.env.GKVCLI_HISTFILE ?? join(homedir(), '.gkvcli_history');
      if (histFile === '' || histFile === '/dev/null') histFile = null;
      if (histFile) {
        try {
          history.push(
            ...readFileSync(histFile, 'utf8')
              .split('\n')
              .filter((l) => l !== '')
              .slice(-HISTORY_MAX),
          );
        } catch {
          // no history yet
        }
      }
      rl = readline.createInterface({
        input: process.stdin,
        output: process.stdout,
        terminal: true,
        // Tab: command names from COMMAND DOCS (and groups after "help "), as redis-cli completes them
        completer: (line: string) => this.complete(line),
        history: [...history].reverse(),
        historySize: HISTORY_MAX,
        removeHistoryDuplicates: false,
      });
    } else {
      lines = new LineReader(process.stdin);
    }
    let closed = false;
    let pending: ((line: string | null) => void) | null = null;
    if (rl) {
      rl.on('SIGINT', () => rl!.close());
      rl.on('close', () => {
        closed = true;
        pending?.(null);
      });
    }
    const readLine = async (): Promise<string | null> => {
      if (lines) return lines.next();
      if (closed) return null;
      return new Promise((resolve) => {
        pending = resolve;
        rl!.question(this.prompt(), (answer) => {
          pending = null;
          // the terminal gives UTF-8 text; commands carry its bytes
          resolve(Buffer.from(answer, 'utf8').toString('latin1'));
        });
      });
    };
    const remember = (line: string) => {
      if (!tty) return;
      history.push(Buffer.from(line, 'latin1').toString('utf8'));
      if (history.length > HISTORY_MAX) history.shift();
      if (histFile) {
        try {
          mkdirSync(dirname(histFile), { recursive: true });
          writeFileSync(histFile, history.join('\n') + '\n', { mode: 0o600 });
        } catch {
          // history is best effort
        }
      }
    };

    await this.connect(false, false);
    if (tty) {
      await this.initHelp();
      this.loadPreferences();
      this.showHints(rl!);
    }
    try {
      for (;;) {
        const line = await readLine();
        if (line === null) break;
        if (line === '') continue;
        const argv = splitArgs(line);
        remember(line);
        if (argv === null) {
          writeOut('Invalid argument(s)\n');
          continue;
        }
        if (argv.length === 0) continue;
        let repeat = 1;
        let skip = 0;
        const n = repeatPrefix(argv[0]);
        if (argv.length > 1 && n !== undefined) {
          if (n <= 0 || n > Number.MAX_SAFE_INTEGER) {
            writeOut('Invalid redis-cli repeat command option value.\n');
            continue;
          }
          repeat = n;
          skip = 1;
        }
        const first = argv[0].toLowerCase();
        if (first === 'quit' || first === 'exit') return 0;
        if (first.startsWith(':')) {
          this.setPreference(argv, true);
          continue;
        }
        if (first === 'restart') {
          writeOut("Use 'restart' only in Lua debugging mode.\n");
          continue;
        }
        if (argv.length === 3 && first === 'connect') {
          this.cfg.host = argv[1];
          this.cfg.port = Number.parseInt(argv[2], 10) || 0;
          this.cfg.socket = null;
          await this.connect(true, false);
          continue;
        }
        if (argv.length === 1 && first === 'clear') {
          writeOut('\x1b[H\x1b[2J');
          continue;
        }
        const start = Date.now();
        // while a command runs, Ctrl-C is a real SIGINT again (it ends gkv-cli, as in redis-cli)
        if (tty) process.stdin.setRawMode(false);
        try {
          await this.issue(argv.slice(skip), repeat);
        } finally {
          if (tty) process.stdin.setRawMode(true);
        }
        const elapsed = Date.now() - start;
        if (elapsed >= 500 && this.cfg.output === 'standard') writeOut(`(${(elapsed / 1000).toFixed(2)}s)\n`);
      }
      return 0;
    } finally {
      rl?.close();
    }
  }

  /**
   * Tab: the lines the typed one completes to, matched without regard to
   * case, the whole line being the part completed: readline appends the
   * rest of a match the line starts with ("help @str" + "ing") and replaces
   * a line that differs from the match in case ("config resets" becomes
   * "CONFIG RESETSTAT", as redis-cli's completion shows it).
   */
  private complete(line: string): [string[], string] {
    return [completionsFor(this.helpEntries ?? [], line), line];
  }

  /** ":set hints" / ":set nohints" (cliSetPreferences); other words are refused with redis-cli's messages. */
  private setPreference(argv: string[], interactive: boolean): void {
    const where = interactive ? '' : '.gkvclirc: ';
    if (argv[0].toLowerCase() === ':set' && argv.length >= 2) {
      const what = argv[1].toLowerCase();
      if (what === 'hints') this.hints = true;
      else if (what === 'nohints') this.hints = false;
      else writeOut(`${where}unknown redis-cli preference '${argv[1]}'\n`);
    } else {
      writeOut(`${where}unknown redis-cli internal command '${argv[0]}'\n`);
    }
  }

  /** Preferences from GKVCLI_RCFILE or ~/.gkvclirc, one ":set ..." per line (cliLoadPreferences). */
  private loadPreferences(): void {
    const file = process.env.GKVCLI_RCFILE ?? join(homedir(), '.gkvclirc');
    if (file === '' || file === '/dev/null') return;
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      const argv = splitArgs(line);
      if (argv && argv.length > 0) this.setPreference(argv, false);
    }
  }

  /**
   * Grey hints after the typed line (linenoise's hints as redis-cli sets
   * them): the parameters of the command being typed, redrawn after each
   * key while the cursor is at the end of the line, cut to the terminal's
   * width, and cleared before Enter so the line stays as typed.
   */
  private showHints(rl: readline.Interface): void {
    let shown = false;
    const input = process.stdin;
    const out = process.stdout;
    input.prependListener('keypress', (_s: string, key: { name?: string } | undefined) => {
      if (shown && (key?.name === 'return' || key?.name === 'enter')) {
        out.write('\x1b[0K');
        shown = false;
      }
    });
    input.on('keypress', () => {
      const line = rl.line;
      if (!this.hints || !this.helpEntries || rl.cursor !== line.length) return;
      let hint = hintFor(this.helpEntries, line, splitArgs(Buffer.from(line, 'utf8').toString('latin1')));
      const room = (out.columns || 80) - this.prompt().length - line.length;
      if (hint !== null) hint = room > 0 ? hint.slice(0, room) : null;
      // an empty hint (a command without arguments, typed with a space after) still draws its colour codes, as linenoise's does
      if (hint === null) {
        if (shown) out.write('\x1b[0K');
        shown = false;
        return;
      }
      out.write(`\x1b[0K\x1b[0;90;49m${hint}\x1b[0m\x1b[${hint.length}D`);
      shown = true;
    });
  }

  /** --scan: every key matching the pattern, one per line. */
  async scan(): Promise<number> {
    if (!(await this.connect(false, false))) return 1;
    let cursor = '0';
    do {
      const args = ['SCAN', cursor];
      if (this.cfg.pattern !== null) args.push('MATCH', this.cfg.pattern);
      this.ctx!.send(args);
      let r: Reply;
      try {
        r = await this.ctx!.next();
      } catch (e) {
        writeErr(`I/O error: ${(e as Error).message}\n`);
        return 1;
      }
      if (r.t === 'error') {
        writeErr(`Error: ${r.s}\n`);
        return 1;
      }
      if (r.t !== 'array' || r.items.length !== 2 || r.items[0].t !== 'string' || r.items[1].t !== 'array') {
        writeErr('Error: unexpected SCAN reply\n');
        return 1;
      }
      cursor = r.items[0].s;
      let out = '';
      for (const k of r.items[1].items) {
        if (k.t !== 'string') continue;
        out += (this.cfg.output === 'standard' ? reprKey(k.s) : k.s) + '\n';
      }
      writeOut(out);
      if (this.cfg.interval > 0 && cursor !== '0') await sleep(this.cfg.interval);
    } while (cursor !== '0');
    return 0;
  }

  close(): void {
    this.drop();
  }
}

function reprKey(s: string): string {
  return formatReply({ t: 'string', s }, 'standard', false).slice(0, -1);
}

/** Runs gkv-cli with these arguments; resolves with the exit status. */
export async function main(argv: string[]): Promise<number> {
  let cfg: CliConfig;
  try {
    const stdoutTty = !!process.stdout.isTTY || process.env.FAKETTY !== undefined;
    const parsed = parseOptions(argv, stdoutTty, process.env);
    cfg = parsed.cfg;
    for (const w of parsed.warnings) writeErr(w + '\n');
  } catch (e) {
    if (e instanceof OptionError) {
      writeErr(e.message + '\n');
      return 1;
    }
    throw e;
  }
  if (cfg.version) {
    writeOut(`gkv-cli ${VERSION}\n`);
    return 0;
  }
  if (cfg.help) {
    writeOut(`gkv-cli ${VERSION}\n\n${USAGE}`);
    return 0;
  }
  const cli = new Cli(cfg);
  try {
    // the modes in the order redis-cli checks them
    if (cfg.latency) return await latencyMode(cli, cfg.latencyHistory);
    if (cfg.replica) return await replicaMode(cli);
    if (cfg.rdb !== null) return await getRDB(cli, cfg.rdb, cfg.functionsRdb);
    if (cfg.pipe) return await pipeMode(cli, process.stdin);
    if (cfg.bigkeys) return await findBigKeys(cli, false, 0);
    if (cfg.memkeys) return await findBigKeys(cli, true, cfg.memkeysSamples);
    if (cfg.stat) return await statMode(cli);
    if (cfg.scan) return await cli.scan();
    if (cfg.args.length === 0) return await cli.repl();
    return await cli.oneShot(cfg.args);
  } catch (e) {
    if (e instanceof Exit) return e.code;
    throw e;
  } finally {
    cli.close();
  }
}

/** Exits once everything written to stdout and stderr has reached them (pipes are asynchronous). */
function flushAndExit(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/** Entry point for bin/gkv-cli: runs and exits with the status. */
export function run(argv: string[]): void {
  process.on('uncaughtException', (e) => {
    if (e instanceof Exit) flushAndExit(e.code);
    else {
      writeErr(`gkv-cli: ${(e as Error)?.stack ?? String(e)}\n`);
      flushAndExit(1);
    }
  });
  // a closed reading end of a pipe (gkv-cli ... | head) ends the program quietly
  process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
  main(argv).then(flushAndExit, (e) => {
    writeErr(`gkv-cli: ${(e as Error)?.stack ?? String(e)}\n`);
    flushAndExit(1);
  });
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] && realpathOrSame(process.argv[1]) === self) run(process.argv.slice(2));

function realpathOrSame(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
