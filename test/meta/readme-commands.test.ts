import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CommandTable, commandListMarkdown } from '../../src/commands/table.js';
import { registerAllCommands } from '../../src/commands/index.js';

test('the README lists exactly the commands in the command table (regenerate: node scripts/update-readme-commands.mjs)', () => {
  const t = new CommandTable();
  registerAllCommands(t);
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const m = /<!-- commands:start -->\n([\s\S]*?)\n<!-- commands:end -->/.exec(readme);
  assert.ok(m, 'README.md has the command list markers');
  assert.equal(m[1], commandListMarkdown(t));
});

test('every registered command has a handler', () => {
  const t = new CommandTable();
  registerAllCommands(t);
  for (const spec of t.all()) {
    if (spec.subcommands !== null) continue;
    assert.ok(spec.handler !== null, `${spec.fullName} has a handler`);
  }
});
