import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

test("the README's compatibility table is generated from the command table, Redis's metadata and the suite table (node scripts/update-readme-commands.mjs)", () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const r = spawnSync(process.execPath, ['scripts/update-readme-commands.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const m = /<!-- compatibility:start -->\n([\s\S]*?)\n<!-- compatibility:end -->/.exec(readme);
  assert.ok(m, 'README.md has the compatibility markers');
  // every group Redis 7.0 has is a row, and the total is Redis's command count
  const t = new CommandTable();
  registerAllCommands(t);
  assert.match(m[1], new RegExp(`\\| \\*\\*all\\*\\* \\| \\*\\*240\\*\\* \\| \\*\\*${t.commands.size}\\*\\* \\|`));
  for (const g of ['string', 'list', 'hash', 'set', 'sorted-set', 'stream', 'server', 'cluster']) assert.match(m[1], new RegExp(`^\\| ${g} \\|`, 'm'));
});
