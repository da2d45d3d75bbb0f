#!/usr/bin/env node
// Rewrites the supported-commands list in README.md from the command table.
// Run after `npm run build`: node scripts/update-readme-commands.mjs (GKV_DIST=dist-x for another build dir)
import { readFileSync, writeFileSync } from 'node:fs';
const dist = process.env.GKV_DIST || 'dist';
const { CommandTable, commandListMarkdown } = await import(`../${dist}/src/commands/table.js`);
const { registerAllCommands } = await import(`../${dist}/src/commands/index.js`);

const t = new CommandTable();
registerAllCommands(t);
const readme = readFileSync('README.md', 'utf8');
const start = '<!-- commands:start -->';
const end = '<!-- commands:end -->';
const i = readme.indexOf(start);
const j = readme.indexOf(end);
if (i === -1 || j === -1) throw new Error('README.md lacks the command list markers');
const out = readme.slice(0, i + start.length) + '\n' + commandListMarkdown(t) + '\n' + readme.slice(j);
writeFileSync('README.md', out);
console.log(`README.md: ${t.commands.size} commands listed`);
