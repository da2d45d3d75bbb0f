/**
 * The command registry: joins the family tables (rows with handlers) with
 * Redis's metadata snapshot. Everything that needs to know about commands —
 * dispatch, arity errors, COMMAND INFO/COUNT/DOCS/LIST/GETKEYS, INFO
 * commandstats, the README's command list — reads this registry.
 */
import { readFileSync } from 'node:fs';
import { CommandSpec, type CommandMetaInfo, type CommandRow } from './spec.js';
import { commandSummaries } from './meta/summaries.js';

interface MetaFile {
  source: string;
  commands: Record<string, { info: CommandMetaInfo; docs: Record<string, unknown> | null }>;
}

let metaCache: MetaFile | null = null;

/**
 * Redis 7.0's command metadata (loaded once). The JSON is data, not code: tsc
 * does not copy it to dist/, so it is read where it lives, under the package
 * root (dist/src/commands/ is three levels below it), and package.json's
 * `files` ships it in the tarball (test/meta/package.test.ts checks both).
 */
export function redisMeta(): MetaFile {
  if (metaCache === null) {
    const url = new URL('../../../src/commands/meta/redis-7.0-commands.json', import.meta.url);
    metaCache = JSON.parse(readFileSync(url, 'utf8')) as MetaFile;
  }
  return metaCache;
}

/** The registry of commands whose handlers take a Ctx (the server's: ServerContext). */
export class CommandTable<Ctx = never> {
  readonly commands = new Map<string, CommandSpec<Ctx>>();
  /**
   * Dispatch index: commands bucketed by name length and first letter, each
   * matched by a case-insensitive character compare. The name arrives as a
   * fresh string per request, so a Map lookup would hash it first; this
   * compares a few characters and allocates nothing.
   */
  private readonly buckets: { name: string; spec: CommandSpec<Ctx> }[][] = [];

  private index(name: string, spec: CommandSpec<Ctx>): void {
    const b = bucketOf(name.length, name.charCodeAt(0));
    (this.buckets[b] ??= []).push({ name, spec });
  }

  /**
   * Redis's rename-command directive: the command answers to `to` instead of
   * `from` (any case); to "" removes it. COMMAND INFO and the stats keep its
   * own name, as Redis keeps cmd->fullname. Returns Redis's error text, or
   * null when done.
   */
  rename(from: string, to: string): string | null {
    const spec = this.lookup(from);
    if (spec === undefined || spec.parent !== null) return 'No such command in rename-command';
    const b = this.buckets[bucketOf(from.length, from.charCodeAt(0))];
    b.splice(
      b.findIndex((e) => e.spec === spec),
      1,
    );
    if (to === '') {
      this.commands.delete(spec.name);
      return null;
    }
    if (this.lookup(to) !== undefined) return 'Target command name already exists';
    this.index(to.toLowerCase(), spec);
    return null;
  }

  /** Registers a family's rows. Throws if a row names a command Redis 7.0 does not have. */
  register(rows: readonly CommandRow<Ctx>[]): void {
    const meta = redisMeta().commands;
    for (const row of rows) {
      const m = meta[row.name];
      if (!m) throw new Error(`command '${row.name}' is not in Redis 7.0's command table`);
      const spec = new CommandSpec<Ctx>(row.name, row.name, m.info, m.docs, row.handler ?? null, null);
      spec.takesBigArgs = row.bigArgs === true;
      spec.declaredFlags = row.declaredFlags ?? null;
      spec.summary = commandSummaries[row.name] ?? null;
      if (row.sub) {
        spec.subcommands = new Map();
        const subDocs = (m.docs?.subcommands ?? {}) as Record<string, Record<string, unknown>>;
        for (const sr of row.sub) {
          const full = `${row.name}|${sr.name}`;
          const si = m.info.subcommands.find((s) => s.name === full);
          if (!si) throw new Error(`subcommand '${full}' is not in Redis 7.0's command table`);
          const sub = new CommandSpec<Ctx>(sr.name, full, si, subDocs[full] ?? null, sr.handler ?? null, spec);
          sub.summary = commandSummaries[full] ?? null;
          spec.subcommands.set(sr.name, sub);
        }
      }
      this.commands.set(row.name, spec);
      this.index(row.name, spec);
    }
  }

  /** Looks a command up by the name as the client sent it (any case). */
  lookup(name: string): CommandSpec<Ctx> | undefined {
    const len = name.length;
    if (len === 0 || len > 31) return undefined;
    const bucket = this.buckets[bucketOf(len, name.charCodeAt(0))];
    if (bucket === undefined) return undefined;
    outer: for (let i = 0; i < bucket.length; i++) {
      const e = bucket[i];
      const n = e.name;
      for (let j = 0; j < len; j++) {
        const x = name.charCodeAt(j);
        const y = n.charCodeAt(j);
        // y is lower case; an upper-case letter matches it, nothing else does
        if (x !== y && ((x | 0x20) !== y || y < 0x61 || y > 0x7a)) continue outer;
      }
      return e.spec;
    }
    return undefined;
  }

  /** Looks up "name" or "container|sub" (any case), as COMMAND INFO/DOCS and LATENCY HISTOGRAM do (lookupCommandBySds). */
  lookupFullName(name: string): CommandSpec<Ctx> | undefined {
    const parts = name.toLowerCase().split('|');
    if (parts.length > 2) return undefined;
    const base = this.lookup(parts[0]);
    if (base === undefined || parts.length === 1) return base;
    return base.subcommands?.get(parts[1]);
  }

  /** Every spec, subcommands included, for stats. */
  *all(): Iterable<CommandSpec<Ctx>> {
    for (const c of this.commands.values()) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }
}

/** The dispatch bucket of a name: its length and its first character folded to lower case. */
function bucketOf(len: number, c0: number): number {
  return (len << 7) | ((c0 >= 0x41 && c0 <= 0x5a ? c0 | 0x20 : c0) & 0x7f);
}

/**
 * The README's supported-commands section: commands grouped by Redis's
 * command group, subcommands in parentheses. scripts/update-readme-commands.mjs
 * writes it; a test checks the README matches the table.
 */
export function commandListMarkdown<Ctx>(t: CommandTable<Ctx>): string {
  const groups = new Map<string, string[]>();
  for (const spec of [...t.commands.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const g = spec.group;
    let item = spec.name.toUpperCase();
    if (spec.subcommands !== null) {
      item +=
        ' (' +
        [...spec.subcommands.keys()]
          .sort()
          .map((s) => s.toUpperCase())
          .join(', ') +
        ')';
    }
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(item);
  }
  const lines: string[] = [];
  for (const g of [...groups.keys()].sort()) lines.push(`- **${g}**: ${groups.get(g)!.join(', ')}`);
  return lines.join('\n');
}
