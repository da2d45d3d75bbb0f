import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandTable } from '../../src/commands/table.js';
import { registerAllCommands } from '../../src/commands/index.js';

test('command lookup finds every command in any letter case and nothing else', () => {
  const t = new CommandTable();
  registerAllCommands(t);
  for (const name of t.commands.keys()) {
    assert.equal(t.lookup(name)?.name, name);
    assert.equal(t.lookup(name.toUpperCase())?.name, name);
    const mixed = [...name].map((ch, i) => (i % 2 ? ch.toUpperCase() : ch)).join('');
    assert.equal(t.lookup(mixed)?.name, name);
    // one character off in each position: no match (or a different, real command)
    for (let i = 0; i < name.length; i++) {
      for (const d of [1, 0x20 ^ 0x40, 0x80]) {
        const ch = String.fromCharCode((name.charCodeAt(i) ^ d) & 0xff);
        const near = name.slice(0, i) + ch + name.slice(i + 1);
        const found = t.lookup(near);
        if (found !== undefined) assert.equal(found.name, near.toLowerCase());
      }
    }
  }
  for (const bad of ['', 'gett', 'ge', '\xe5cho', 'ECH\x0f', 'g\x05t', 'x'.repeat(40)]) assert.equal(t.lookup(bad), undefined);
});
