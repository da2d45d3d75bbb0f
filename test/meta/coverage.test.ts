import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandTable } from '../../src/commands/table.js';
import { registerAllCommands } from '../../src/commands/index.js';

const testRoot = fileURLToPath(new URL('../../../test/', import.meta.url));

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts') && !p.includes('/meta/')) out.push(readFileSync(p, 'utf8'));
  }
  return out;
}

/** a command name as a quoted literal, any case: 'get', "GET", `Get ...` at the start of a template */
function mentions(text: string, name: string): boolean {
  const esc = name.replace(/[|\\-]/g, (m) => '\\' + m);
  return new RegExp(`['"\`]${esc}['"\`\\s]`, 'i').test(text);
}

test('every command and subcommand in the table is exercised by some test', () => {
  const t = new CommandTable();
  registerAllCommands(t);
  const files = sources(testRoot);
  const missing: string[] = [];
  for (const spec of t.commands.values()) {
    const withCmd = files.filter((f) => mentions(f, spec.name));
    if (withCmd.length === 0) missing.push(spec.name);
    if (spec.subcommands !== null) {
      for (const sub of spec.subcommands.values()) {
        if (!withCmd.some((f) => mentions(f, sub.name))) missing.push(sub.fullName);
      }
    }
  }
  assert.deepEqual(missing, [], `commands without a test: ${missing.join(', ')}`);
});
