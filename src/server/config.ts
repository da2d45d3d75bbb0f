/**
 * Configuration: redis.conf parameters, as redis-server takes them.
 *
 * One table of parameters (name, aliases, type, default, bounds, whether
 * CONFIG SET may change it, and an `apply` hook for parameters that act on a
 * running server). Sources, in order: defaults, the config file, the command
 * line (`--port 7000`), then CONFIG SET at run time. CONFIG GET takes glob
 * patterns; CONFIG SET takes several parameters at once and applies all or
 * none, as Redis 7 does. Values are kept in their canonical CONFIG GET form.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { sdsRepr } from '../util/repr.js';
import { REDIS_VERSION } from '../version.js';
import { splitArgs } from '../protocol/inline.js';
import { Err, RedisError } from '../protocol/errors.js';
import { globMatch } from '../util/glob.js';
import { parseInt64 } from '../util/numbers.js';
import { strerror } from '../util/strerror.js';

export type ParamType = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'special';

export interface ParamDef {
  name: string;
  alias?: string;
  type: ParamType;
  default: string;
  /** bounds (bigint where int64 precision matters, e.g. LONG_MAX) */
  min?: number | bigint;
  max?: number | bigint;
  /** enum values */
  values?: string[];
  /** CONFIG SET refused ("can't set immutable config") */
  immutable?: boolean;
  /** validates and canonicalises a 'special' or 'string' value; throws a message string on error */
  parse?: (v: string, current: string) => string;
  /** not shown by CONFIG GET * (sensitive or deprecated aliases) */
  hidden?: boolean;
  /** CONFIG SET refused unless enable-protected-configs allows it ("can't set protected config") */
  protected?: boolean;
  /** normalises a validated value (e.g. hz is clamped to 1..500 as Redis's updateHZ does) */
  post?: (v: string) => string;
  /** how CONFIG GET/REWRITE show a stored value, when it keeps more than Redis shows */
  show?: (stored: string) => string;
  /** takes several arguments (Redis's MULTI_ARG_CONFIG: save, bind, client-output-buffer-limit …) */
  multiArg?: boolean;
  /** CONFIG SET refused with -LOADING while the dataset loads (Redis's DENY_LOADING_CONFIG) */
  denyLoading?: boolean;
}

/** A rename-command directive; `error` builds the config error naming its line. */
export interface RenameCommand {
  from: string;
  to: string;
  error: (msg: string) => ConfigError;
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 ** 2,
  mb: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1024 ** 3,
};

/**
 * Redis's memtoull exactly: digits then an optional unit (b, k, kb, m, mb, g,
 * gb, any case); no sign; an empty number counts as 0 (so "" and "mb" are 0,
 * as in Redis). Returns a bigint, or null when invalid.
 */
export function memToULL(s: string): bigint | null {
  const m = /^(\d*)([a-zA-Z]*)$/.exec(s);
  if (!m) return null;
  const unit = MEMORY_UNITS[m[2].toLowerCase()];
  if (unit === undefined || m[1].length >= 128) return null;
  const n = m[1] === '' ? 0n : BigInt(m[1]);
  if (n > 18446744073709551615n) return null;
  return (n * BigInt(unit)) & 0xffffffffffffffffn;
}

/** Redis's memtoull: "1gb", "100mb", "512" → bytes; null if invalid. */
export function parseMemory(s: string): number | null {
  const m = /^(-?\d+)([a-zA-Z]*)$/.exec(s);
  if (!m) return null;
  const unit = MEMORY_UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  return Number(m[1]) * unit;
}

/** Redis's CONFIG SET failure, naming the parameter and why. */
const configSetFailed = (name: string, why: string) => new RedisError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`);

export class ConfigError extends Error {}

export class Config {
  private defs = new Map<string, ParamDef>();
  private values = new Map<string, string>();
  /** hooks run after a parameter changes (name → fn(newValue)) */
  private hooks = new Map<string, (v: string) => void>();
  /** told the parameter whose apply hook failed a CONFIG SET, before the old values are restored (Redis logs it) */
  applyFailed: ((name: string) => void) | null = null;
  /** the config file the server was started with, for CONFIG REWRITE */
  configFile: string | null = null;

  constructor(defs: ParamDef[]) {
    for (const d of defs) {
      this.defs.set(d.name, d);
      if (d.alias) this.defs.set(d.alias, d);
      this.values.set(d.name, d.default);
    }
  }

  def(name: string): ParamDef | undefined {
    return this.defs.get(name.toLowerCase());
  }

  /** The canonical value of a parameter (by name or alias). */
  get(name: string): string {
    const d = this.defs.get(name);
    if (!d) throw new Error(`no such config parameter ${name}`);
    return this.values.get(d.name)!;
  }

  getInt(name: string): number {
    return Number(this.get(name));
  }

  getBool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /**
   * A value the server itself changed (REPLICAOF moves `replicaof`, which
   * CONFIG SET cannot): CONFIG GET shows it and CONFIG REWRITE writes it;
   * no hook runs.
   */
  noteState(name: string, value: string): void {
    const d = this.defs.get(name);
    if (!d) throw new Error(`no such config parameter ${name}`);
    this.values.set(d.name, value);
  }

  onChange(name: string, fn: (v: string) => void): void {
    this.hooks.set(name, fn);
  }

  /** Validates a value for a parameter; returns the canonical value or throws ConfigError(message). */
  validate(d: ParamDef, raw: string): string {
    switch (d.type) {
      case 'bool': {
        const v = raw.toLowerCase();
        if (v !== 'yes' && v !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
        return v;
      }
      case 'int': {
        // string2ll rules: no '+', no leading zeros, no spaces
        const v = parseInt64(raw);
        if (v === null) throw new ConfigError("argument couldn't be parsed into an integer");
        const n = BigInt(v);
        checkBounds(d, n);
        return String(n);
      }
      case 'memory': {
        const u = memToULL(raw);
        if (u === null) throw new ConfigError('argument must be a memory value');
        // Redis stores memory values in signed long long configs: wrap like the C cast
        const n = BigInt.asIntN(64, u);
        checkBounds(d, n);
        return String(n);
      }
      case 'enum': {
        const v = raw.toLowerCase();
        if (!d.values!.includes(v)) throw new ConfigError(`argument(s) must be one of the following: ${d.values!.join(', ')}`);
        return v;
      }
      case 'string':
      case 'special':
        return d.parse ? d.parse(raw, this.values.get(d.name) ?? d.default) : raw;
    }
  }

  /** validate() then the parameter's normaliser. */
  private canonical(d: ParamDef, raw: string): string {
    const v = this.validate(d, raw);
    return d.post ? d.post(v) : v;
  }

  /** while a config file / the command line is being read (Redis's reading_config_file) */
  private readingConfig = false;
  /** the first "save" directive read replaces the default; later ones add to it */
  private saveLoaded = false;
  /** rename-command directives, in order, applied by the server to its command table */
  readonly renames: RenameCommand[] = [];
  /** the `user` directives (name and rules), for the ACLs at startup; error makes the directive's ConfigError */
  readonly users: { args: string[]; error: (msg: string) => ConfigError }[] = [];

  /**
   * Sets a parameter at startup (file, command line, library options):
   * immutable parameters allowed. args are the directive's arguments; a
   * parameter that takes one value needs exactly one, a multi-argument one
   * (save, bind, client-output-buffer-limit …) takes any number, or one
   * string that is split at spaces (--save "900 1"). Throws ConfigError.
   */
  setStartup(name: string, args: string[]): void {
    const d = this.defs.get(name.toLowerCase());
    if (!d) throw new ConfigError('Bad directive or wrong number of arguments');
    if (!d.multiArg && args.length !== 1) throw new ConfigError('wrong number of arguments');
    let parts = args;
    if (d.multiArg && args.length === 1 && args[0] !== '') {
      const split = splitArgs(args[0]);
      parts = split ?? [args[0]];
    }
    if (d.name === 'save') {
      this.setSaveStartup(d, parts);
      return;
    }
    this.values.set(d.name, this.canonical(d, parts.join(' ')));
  }

  /**
   * Redis's setConfigSaveOption while reading the configuration: `save ""`
   * clears the save points; otherwise the first save directive replaces the
   * defaults and each later one adds its points.
   */
  private setSaveStartup(d: ParamDef, parts: string[]): void {
    if (parts.length === 1 && parts[0] === '') {
      this.values.set(d.name, '');
      this.saveLoaded = true;
      return;
    }
    const v = this.canonical(d, parts.join(' '));
    const cur = this.values.get(d.name)!;
    const first = !this.saveLoaded;
    this.saveLoaded = true;
    this.values.set(d.name, first || cur === '' ? v : v === '' ? cur : `${cur} ${v}`);
  }

  /**
   * CONFIG SET with several pairs: validates all first, then applies all; on
   * a failing apply hook, restores the previous values. Protected parameters
   * (dir, dbfilename) only when allowProtected (enable-protected-configs yes,
   * or local and the client is local). Throws RedisError.
   */
  setMany(pairs: [string, string][], allowProtected = this.values.get('enable-protected-configs') === 'yes', loading = false): void {
    // Phase 1, as Redis's configSetCommand: look every name up, in order; the
    // first problem (unknown name, immutable/protected, duplicate) is reported
    // with the name as the client spelled it.
    const defsInOrder: ParamDef[] = [];
    const seen = new Set<string>();
    for (const [name] of pairs) {
      const lname = name.toLowerCase();
      const d = this.defs.get(lname);
      if (!d) throw new RedisError(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
      if (d.immutable) throw configSetFailed(name, "can't set immutable config");
      if (d.protected && !allowProtected) {
        throw configSetFailed(name, "can't set protected config");
      }
      // Redis compares config entries: an alias and its parameter are distinct entries
      if (seen.has(lname)) throw configSetFailed(name, 'duplicate parameter');
      seen.add(lname);
      defsInOrder.push(d);
    }
    // while loading, some parameters may not change (dir, dbfilename, appendonly)
    if (loading && defsInOrder.some((d) => d.denyLoading)) throw Err.loading();
    // Phase 2: validate every value; errors name the parameter in lower case.
    const staged: [ParamDef, string][] = [];
    for (let i = 0; i < pairs.length; i++) {
      const d = defsInOrder[i];
      try {
        staged.push([d, this.canonical(d, pairs[i][1])]);
      } catch (e) {
        if (e instanceof ConfigError) {
          throw configSetFailed(pairs[i][0].toLowerCase(), e.message);
        }
        throw e;
      }
    }
    const previous: [ParamDef, string][] = staged.map(([d]) => [d, this.values.get(d.name)!]);
    for (const [d, v] of staged) this.values.set(d.name, v);
    const applied: ParamDef[] = [];
    try {
      for (const [d, v] of staged) {
        const h = this.hooks.get(d.name);
        if (h) h(v);
        applied.push(d);
      }
    } catch (e) {
      this.applyFailed?.(staged[applied.length][0].name);
      for (const [d, v] of previous) {
        this.values.set(d.name, v);
        if (applied.includes(d)) this.hooks.get(d.name)?.(v);
      }
      const msg = e instanceof ConfigError ? e.message : String(e);
      const failed = staged[applied.length][0].name;
      throw configSetFailed(failed, msg);
    }
  }

  /**
   * Sets a parameter's value without its apply hook, for a value the server
   * itself corrected (maxclients lowered to the open files limit, as Redis
   * writes server.maxclients).
   */
  setCorrected(name: string, value: string): void {
    const d = this.defs.get(name);
    if (!d) throw new Error(`no such config parameter ${name}`);
    this.values.set(d.name, value);
  }

  /** Runs every apply hook with the current values (after startup parsing). */
  applyAll(): void {
    for (const [name, fn] of this.hooks) fn(this.values.get(name)!);
  }

  /** A parameter's value as CONFIG GET shows it. */
  shown(d: ParamDef): string {
    const v = this.values.get(d.name)!;
    return d.show ? d.show(v) : v;
  }

  /** CONFIG GET: [name, value] pairs for the parameters matching any pattern. */
  getMatching(patterns: string[]): [string, string][] {
    // As Redis: an exact name is reported as the client spelled it; patterns
    // match case-insensitively and skip hidden parameters; a parameter (or
    // alias) already reported is not repeated.
    const out = new Map<string, [string, string]>();
    for (const p of patterns) {
      const lp = p.toLowerCase();
      if (!/[*?[]/.test(p)) {
        if (out.has(lp)) continue;
        const d = this.defs.get(lp);
        if (d) out.set(lp, [p, this.shown(d)]);
        continue;
      }
      for (const [key, d] of this.defs) {
        if (d.hidden || out.has(key)) continue;
        if (globMatch(p, key, true)) out.set(key, [key, this.shown(d)]);
      }
    }
    return [...out.values()];
  }

  /** Every name CONFIG GET knows (parameters and aliases, hidden included). */
  names(): string[] {
    return [...this.defs.keys()];
  }

  /**
   * Redis's loadServerConfigFromString: one directive per line (trimmed),
   * # comments, arguments split as sdssplitargs does. Errors are thrown as
   * ConfigError with Redis's "FATAL CONFIG FILE ERROR" text naming the line.
   */
  loadText(text: string): void {
    const lines = text.split('\n');
    const wasReading = this.readingConfig;
    this.readingConfig = true;
    try {
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
        if (line === '' || line.startsWith('#')) continue;
        const fail = (msg: string): ConfigError => new ConfigError(configFileError(i + 1, line, msg));
        const args = splitArgs(line);
        if (args === null) throw fail('Unbalanced quotes in configuration line');
        if (args.length === 0) continue;
        const name = args[0].toLowerCase();
        if (this.defs.has(name)) {
          try {
            this.setStartup(name, args.slice(1));
          } catch (e) {
            throw fail(e instanceof ConfigError ? e.message : String(e));
          }
        } else if (name === 'include' && args.length === 2) {
          this.loadFile(args[1]);
        } else if (name === 'user' && args.length >= 2) {
          this.users.push({ args: args.slice(1), error: (msg) => fail(msg) });
        } else if (name === 'rename-command' && args.length === 3) {
          this.renames.push({ from: args[1], to: args[2], error: (msg) => fail(msg) });
        } else {
          throw fail('Bad directive or wrong number of arguments');
        }
      }
    } finally {
      this.readingConfig = wasReading;
    }
  }

  /**
   * Reads a config file (Redis's loadServerConfig of one file). Throws
   * ConfigFileOpenError (Redis logs it as one line, then exits 1) or
   * ConfigError. A directory is refused with "Is a directory" (Redis fopen()s
   * it, reads nothing and starts with the defaults: a typo'd path should not
   * start a server silently).
   */
  loadFile(path: string, extra = ''): void {
    this.loadText(`${readConfigFile(path)}${extra === '' ? '' : `\n${extra}`}`);
  }

  /**
   * Parses redis-server's command line as Redis's main() does: an optional
   * config file first (any argument not starting with '-'), then options
   * that become config lines appended to the file's text: "--name" starts a
   * line, the arguments after it are its values (quoted, so they may start
   * with "--" themselves when the option still lacks one); "--name value" in
   * one argument is a whole line; "--save" followed by another option, or
   * last, means save "".
   */
  loadArgs(argv: string[], readStdin: () => string = () => readFileSync(0, 'latin1')): void {
    let j = 0;
    let file: string | null = null;
    if (argv.length > 0 && !argv[0].startsWith('-')) {
      file = resolvePath(argv[0]);
      this.configFile = file;
      j = 1;
    }
    let options = '';
    let handledLast = true;
    let fromStdin = false;
    for (; j < argv.length; j++) {
      const a = argv[j];
      // "-" as the first or the last argument: the configuration is also read from stdin
      if (a === '-' && (j === 0 || j === argv.length - 1)) {
        fromStdin = true;
      } else if (handledLast && a.startsWith('--')) {
        if (options !== '') options += '\n';
        options += a.slice(2) + ' ';
        const parts = splitArgs(a);
        if (parts !== null && parts.length === 1) {
          // only an option name: its values follow
          handledLast = false;
          const next = argv[j + 1];
          if (a.toLowerCase() === '--save' && (next === undefined || next.startsWith('--'))) {
            options += '""';
            handledLast = next !== undefined;
          }
        } else {
          handledLast = true;
        }
      } else {
        options += sdsRepr(a) + ' ';
        handledLast = true;
      }
    }
    // Redis's loadServerConfig: the file, then stdin, then the options, parsed as one text
    let text = file !== null ? readConfigFile(file) : '';
    if (fromStdin) {
      this.stdinText = readStdin();
      text += this.stdinText;
    }
    this.loadText(`${text}\n${options}`);
    this.checkLogfile();
  }

  /** what "-" read from stdin (gkv-server hands it on to its daemon child) */
  stdinText: string | null = null;

  /**
   * Redis's check at the end of loading the configuration: a logfile that
   * cannot be opened for appending refuses to start ("Can't open the log
   * file: …", no line: it is not one line's fault). Opening creates it, as
   * Redis's fopen(…, "a") does.
   */
  private checkLogfile(): void {
    const logfile = this.get('logfile');
    if (logfile === '') return;
    try {
      closeSync(openSync(logfile, 'a'));
    } catch (e) {
      throw new ConfigError(fatalConfigError(`Can't open the log file: ${strerror(e)}`));
    }
  }

  allDefs(): ParamDef[] {
    return [...new Set(this.defs.values())];
  }
}

function checkBounds(d: ParamDef, n: bigint): void {
  const lo = d.min === undefined ? null : BigInt(d.min);
  const hi = d.max === undefined ? null : BigInt(d.max);
  if ((lo !== null && n < lo) || (hi !== null && n > hi)) {
    throw new ConfigError(`argument must be between ${lo} and ${hi} inclusive`);
  }
}

/** Redis's loaderr text (written to stderr before exiting with 1). */
function configFileError(lineNo: number, line: string, msg: string): string {
  return fatalConfigError(`Reading the configuration file, at line ${lineNo}\n>>> '${line}'\n${msg}`);
}

/** loaderr's block: its heading, then what went wrong (a line, or a check made after the last one). */
function fatalConfigError(body: string): string {
  return `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n${body}`;
}

/**
 * A config file that cannot be read: Redis logs "Fatal error, can't open
 * config file '<path>': <strerror>" as a log line (not the FATAL block) and
 * exits 1.
 */
export class ConfigFileOpenError extends ConfigError {}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (e) {
    throw new ConfigFileOpenError(`Fatal error, can't open config file '${path}': ${strerror(e)}`);
  }
}
