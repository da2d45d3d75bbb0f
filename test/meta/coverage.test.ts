/**
 * Every command and subcommand in the table has a test that runs it: some
 * in-process server of the test run executed it (test/harness/commands-ran.ts
 * records what Server.call() ran, per test process). A name mentioned in a
 * test file proves nothing; a command run does. Containers (CONFIG, CLIENT …)
 * count through their subcommands, which are what runs.
 *
 * scripts/run-tests.js runs this file after all the others, and only a full,
 * passing run checks (a filtered one records only part of what runs): then
 * this test skips, saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandTable } from '../../src/commands/table.js';
import { registerAllCommands } from '../../src/commands/index.js';

const dir = process.env.GKV_COMMANDS_RAN;
const complete = dir !== undefined && process.env.GKV_COMMANDS_RAN_COMPLETE === '1';
const skip = complete ? false : 'command coverage needs the whole suite, passing: npm test (or node scripts/run-tests.js with no filter)';
if (!complete) process.stderr.write(`\n*** command coverage NOT CHECKED: ${skip} ***\n\n`);

test('every command and subcommand in the table was run by some test', { skip }, (t) => {
  const ran = new Set<string>();
  for (const f of readdirSync(dir!)) for (const name of JSON.parse(readFileSync(join(dir!, f), 'utf8')) as string[]) ran.add(name);
  const table = new CommandTable();
  registerAllCommands(table);
  const leaves: string[] = [];
  for (const spec of table.commands.values()) {
    if (spec.subcommands === null) leaves.push(spec.fullName);
    else for (const sub of spec.subcommands.values()) leaves.push(sub.fullName);
  }
  const missing = leaves.filter((n) => !ran.has(n));
  t.diagnostic(`${leaves.length - missing.length} of ${leaves.length} commands and subcommands ran, in ${readdirSync(dir!).length} test processes`);
  assert.deepEqual(missing, [], `commands no test runs: ${missing.join(', ')}`);
});
