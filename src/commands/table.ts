/**
 * The command registry: joins the family tables (rows with handlers) with
 * Redis's metadata snapshot. Everything that needs to know about commands —
 * dispatch, arity errors, COMMAND INFO/COUNT/DOCS/LIST/GETKEYS, INFO
 * commandstats, the README's command list — reads this registry.
 */
import { readFileSync } from 'node:fs';
import { CommandSpec, type CommandMetaInfo, type CommandRow } from './spec.js';

interface MetaFile {
  source: string;
  commands: Record<string, { info: CommandMetaInfo; docs: Record<string, unknown> | null }>;
}

let metaCache: MetaFile | null = null;

/** Redis 7.0's command metadata (loaded once). */
export function redisMeta(): MetaFile {
  if (metaCache === null) {
    const url = new URL('../../../src/commands/meta/redis-7.0-commands.json', import.meta.url);
    metaCache = JSON.parse(readFileSync(url, 'utf8')) as MetaFile;
  }
  return metaCache;
}

export class CommandTable {
  readonly commands = new Map<string, CommandSpec>();
  /** dispatch index: lower- and upper-case names, so the common cases need no toLowerCase() */
  private readonly byName = new Map<string, CommandSpec>();

  /** Registers a family's rows. Throws if a row names a command Redis 7.0 does not have. */
  register(rows: CommandRow[]): void {
    const meta = redisMeta().commands;
    for (const row of rows) {
      const m = meta[row.name];
      if (!m) throw new Error(`command '${row.name}' is not in Redis 7.0's command table`);
      const spec = new CommandSpec(row.name, row.name, m.info, m.docs, row.handler ?? null, null);
      if (row.sub) {
        spec.subcommands = new Map();
        const subDocs = (m.docs?.subcommands ?? {}) as Record<string, Record<string, unknown>>;
        for (const sr of row.sub) {
          const full = `${row.name}|${sr.name}`;
          const si = m.info.subcommands.find((s) => s.name === full);
          if (!si) throw new Error(`subcommand '${full}' is not in Redis 7.0's command table`);
          const sub = new CommandSpec(sr.name, full, si, subDocs[full] ?? null, sr.handler ?? null, spec);
          spec.subcommands.set(sr.name, sub);
        }
      }
      this.commands.set(row.name, spec);
      this.byName.set(row.name, spec);
      this.byName.set(row.name.toUpperCase(), spec);
    }
  }

  /** Looks a command up by the name as the client sent it (any case). */
  lookup(name: string): CommandSpec | undefined {
    return this.byName.get(name) ?? this.commands.get(name.toLowerCase());
  }

  /** Every spec, subcommands included, for stats. */
  *all(): Iterable<CommandSpec> {
    for (const c of this.commands.values()) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }
}

/**
 * The README's supported-commands section: commands grouped by Redis's
 * command group, subcommands in parentheses. scripts/update-readme-commands.mjs
 * writes it; a test checks the README matches the table.
 */
export function commandListMarkdown(t: CommandTable): string {
  const groups = new Map<string, string[]>();
  for (const spec of [...t.commands.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const g = spec.group;
    let item = spec.name.toUpperCase();
    if (spec.subcommands !== null) {
      item += ' (' + [...spec.subcommands.keys()].sort().map((s) => s.toUpperCase()).join(', ') + ')';
    }
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(item);
  }
  const lines: string[] = [];
  for (const g of [...groups.keys()].sort()) lines.push(`- **${g}**: ${groups.get(g)!.join(', ')}`);
  return lines.join('\n');
}
