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
import { readFileSync } from 'node:fs';
import { splitArgs } from '../protocol/inline.js';
import { RedisError } from '../protocol/errors.js';
import { globMatch } from '../util/glob.js';

export type ParamType = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'special';

export interface ParamDef {
  name: string;
  alias?: string;
  type: ParamType;
  default: string;
  min?: number;
  max?: number;
  /** enum values */
  values?: string[];
  /** CONFIG SET refused ("can't set immutable config") */
  immutable?: boolean;
  /** validates and canonicalises a 'special' or 'string' value; throws a message string on error */
  parse?: (v: string) => string;
  /** not shown by CONFIG GET * (sensitive or deprecated aliases) */
  hidden?: boolean;
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3,
};

/** Redis's memtoull: "1gb", "100mb", "512" → bytes; null if invalid. */
export function parseMemory(s: string): number | null {
  const m = /^(-?\d+)([a-zA-Z]*)$/.exec(s);
  if (!m) return null;
  const unit = MEMORY_UNITS[m[2].toLowerCase()];
  if (unit === undefined) return null;
  return Number(m[1]) * unit;
}

export class ConfigError extends Error {}

export class Config {
  private defs = new Map<string, ParamDef>();
  private values = new Map<string, string>();
  /** hooks run after a parameter changes (name → fn(newValue)) */
  private hooks = new Map<string, (v: string) => void>();
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

  onChange(name: string, fn: (v: string) => void): void {
    this.hooks.set(name, fn);
  }

  /** Validates a value for a parameter; returns the canonical value or throws ConfigError(message). */
  validate(d: ParamDef, raw: string): string {
    switch (d.type) {
      case 'bool': {
        const v = raw.toLowerCase();
        if (v !== 'yes' && v !== 'no') throw new ConfigError('argument must be \'yes\' or \'no\'');
        return v;
      }
      case 'int': {
        if (!/^-?\d+$/.test(raw)) throw new ConfigError('argument couldn\'t be parsed into an integer');
        const n = Number(raw);
        if ((d.min !== undefined && n < d.min) || (d.max !== undefined && n > d.max))
          throw new ConfigError(`argument must be between ${d.min} and ${d.max} inclusive`);
        return String(n);
      }
      case 'memory': {
        const n = parseMemory(raw);
        if (n === null) throw new ConfigError('argument must be a memory value');
        if ((d.min !== undefined && n < d.min) || (d.max !== undefined && n > d.max))
          throw new ConfigError(`argument must be between ${d.min} and ${d.max} inclusive`);
        return String(n);
      }
      case 'enum': {
        const v = raw.toLowerCase();
        if (!d.values!.includes(v)) throw new ConfigError(`argument(s) must be one of the following: ${d.values!.join(', ')}`);
        return v;
      }
      case 'string':
      case 'special':
        return d.parse ? d.parse(raw) : raw;
    }
  }

  /** Sets at startup (file/argv): immutable parameters allowed. Throws ConfigError. */
  setStartup(name: string, args: string[]): void {
    const d = this.defs.get(name.toLowerCase());
    if (!d) throw new ConfigError('Bad directive or wrong number of arguments');
    // multi-argument directives (save 900 1 300 10, client-output-buffer-limit ...) join with spaces
    const raw = args.join(' ');
    this.values.set(d.name, this.validate(d, raw));
  }

  /**
   * CONFIG SET with several pairs: validates all first, then applies all; on
   * a failing apply hook, restores the previous values. Throws RedisError.
   */
  setMany(pairs: [string, string][]): void {
    const seen = new Set<string>();
    const staged: [ParamDef, string][] = [];
    for (const [name, raw] of pairs) {
      const d = this.defs.get(name.toLowerCase());
      if (!d || d.hidden === true && d.immutable === true) {
        throw new RedisError(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
      }
      if (d.immutable) throw new RedisError(`ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`);
      if (seen.has(d.name)) throw new RedisError(`ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`);
      seen.add(d.name);
      try {
        staged.push([d, this.validate(d, raw)]);
      } catch (e) {
        if (e instanceof ConfigError) throw new RedisError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${e.message}`);
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
      for (const [d, v] of previous) {
        this.values.set(d.name, v);
        if (applied.includes(d)) this.hooks.get(d.name)?.(v);
      }
      const msg = e instanceof ConfigError ? e.message : String(e);
      const failed = staged[applied.length][0].name;
      throw new RedisError(`ERR CONFIG SET failed (possibly related to argument '${failed}') - ${msg}`);
    }
  }

  /** Runs every apply hook with the current values (after startup parsing). */
  applyAll(): void {
    for (const [name, fn] of this.hooks) fn(this.values.get(name)!);
  }

  /** CONFIG GET: [name, value] pairs for the parameters matching any pattern. */
  getMatching(patterns: string[]): [string, string][] {
    const out = new Map<string, string>();
    for (const p of patterns) {
      const lp = p.toLowerCase();
      const isGlob = /[*?[]/.test(lp);
      if (!isGlob) {
        const d = this.defs.get(lp);
        if (d) out.set(lp === d.alias ? d.alias : d.name, this.values.get(d.name)!);
        continue;
      }
      for (const [key, d] of this.defs) {
        if (d.hidden) continue;
        if (globMatch(lp, key, false)) out.set(key, this.values.get(d.name)!);
      }
    }
    return [...out];
  }

  /** Parses a redis.conf-style text: one directive per line, # comments, quoted args. */
  loadText(text: string, origin: string): void {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '' || line.startsWith('#')) continue;
      const args = splitArgs(line);
      if (args === null || args.length === 0) throw new ConfigError(configFileError(origin, i + 1, line, 'Unbalanced quotes in configuration line'));
      const name = args[0].toLowerCase();
      if (name === 'include') {
        this.loadText(readFileSync(args[1], 'utf8'), args[1]);
        continue;
      }
      try {
        this.setStartup(name, args.slice(1));
      } catch (e) {
        const msg = e instanceof ConfigError ? e.message : String(e);
        throw new ConfigError(configFileError(origin, i + 1, line, msg));
      }
    }
  }

  /**
   * Parses redis-server's command line: an optional config file path first,
   * then `--name value [value...]` options (values up to the next --option).
   */
  loadArgs(argv: string[]): void {
    let i = 0;
    if (argv.length > 0 && !argv[0].startsWith('--')) {
      this.configFile = argv[0];
      this.loadText(readFileSync(argv[0], 'latin1'), argv[0]);
      i = 1;
    }
    let text = '';
    for (; i < argv.length; i++) {
      const a = argv[i];
      if (a.startsWith('--')) {
        if (text !== '') text += '\n';
        text += a.slice(2) + ' ';
      } else {
        text += quoteArg(a) + ' ';
      }
    }
    if (text !== '') this.loadText(text, 'command line');
  }

  allDefs(): ParamDef[] {
    return [...new Set(this.defs.values())];
  }
}

function quoteArg(a: string): string {
  if (a === '') return '""';
  if (/[\s"'\\]/.test(a)) return '"' + a.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  return a;
}

function configFileError(origin: string, lineNo: number, line: string, msg: string): string {
  return `\n*** FATAL CONFIG FILE ERROR (Redis 7.0) ***\nReading the configuration file, at line ${lineNo}\n>>> '${line}'\n${msg}` + (origin === 'command line' ? '' : '');
}
