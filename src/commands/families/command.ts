/**
 * COMMAND (Redis's commandCommand and its subcommands, server.c): COUNT,
 * INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP.
 *
 * COMMAND INFO/DOCS/LIST/COUNT read the command table, which carries Redis
 * 7.0's metadata (see commands/spec.ts): only what gKV registered is
 * visible, so a client probing COMMAND INFO learns what gKV really serves.
 * The reply shapes reproduce Redis 7.0's exactly, RESP2 and RESP3 (flags, ACL
 * categories, tips and key-spec flags are sets of status strings in RESP3;
 * key specs are a set of maps; a command without subcommands has an empty
 * set where one with subcommands has an array). GETKEYS asks the key
 * extraction module (commands/keys.ts).
 */
import type { CommandSpec, KeySpec } from '../spec.js';
import type { ServerCommands, ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { is } from '../args.js';
import { globMatch } from '../../util/glob.js';
import { addHelp } from '../help.js';
import { getKeysFromCommand, hasKeyArguments } from '../keys.js';

// ------------------------------------------------------------------ COMMAND INFO / DOCS

function addKeySpec(c: Client, ks: KeySpec): void {
  c.addMapLen(ks.notes !== undefined ? 4 : 3);
  if (ks.notes !== undefined) {
    c.addBulk('notes');
    c.addBulk(ks.notes);
  }
  c.addBulk('flags');
  c.addSetLen(ks.flags.length);
  for (const f of ks.flags) c.addStatus(f);
  for (const [label, part] of [
    ['begin_search', ks.begin_search],
    ['find_keys', ks.find_keys],
  ] as const) {
    c.addBulk(label);
    c.addMapLen(2);
    c.addBulk('type');
    c.addBulk(part.type);
    c.addBulk('spec');
    const entries = Object.entries(part.spec as Record<string, unknown>);
    c.addMapLen(entries.length);
    for (const [k, v] of entries) {
      c.addBulk(k);
      if (typeof v === 'number') c.addInt(v);
      else c.addBulk(String(v));
    }
  }
}

/** One command's COMMAND INFO entry (Redis's addReplyCommandInfo). */
export function addCommandInfo(c: Client, spec: CommandSpec): void {
  const i = spec.info;
  c.addArrayLen(10);
  c.addBulk(spec.fullName);
  c.addInt(i.arity);
  c.addSetLen(i.flags.length);
  for (const f of i.flags) c.addStatus(f);
  c.addInt(i.firstKey);
  c.addInt(i.lastKey);
  c.addInt(i.step);
  c.addSetLen(i.acl.length);
  for (const a of i.acl) c.addStatus(a);
  c.addSetLen(i.tips.length);
  for (const t of i.tips) c.addBulk(t);
  c.addSetLen(i.keySpecs.length);
  for (const ks of i.keySpecs) addKeySpec(c, ks);
  const subs = registeredSubs(spec);
  if (subs === null) c.addSetLen(0);
  else {
    c.addArrayLen(subs.length);
    for (const sub of subs) addCommandInfo(c, sub);
  }
}

/** The registered subcommands of spec in Redis's order (the snapshot's), or null when it has none. */
function registeredSubs(spec: CommandSpec): CommandSpec[] | null {
  if (spec.subcommands === null) return null;
  const order = spec.info.subcommands.map((x) => x.name);
  return [...spec.subcommands.values()].sort((a, b) => order.indexOf(a.fullName) - order.indexOf(b.fullName));
}

type Arg = Record<string, unknown>;

function addDocArgs(c: Client, args: Arg[]): void {
  c.addArrayLen(args.length);
  for (const a of args) {
    const keys = Object.keys(a);
    c.addMapLen(keys.length);
    for (const k of keys) {
      const v = a[k];
      c.addBulk(k);
      if (k === 'flags') {
        const fl = v as string[];
        c.addSetLen(fl.length);
        for (const f of fl) c.addStatus(f);
      } else if (k === 'arguments') addDocArgs(c, v as Arg[]);
      else if (typeof v === 'number') c.addInt(v);
      else c.addBulk(String(v));
    }
  }
}

/**
 * One command's COMMAND DOCS map, in Redis's field order (addReplyCommandDocs):
 * summary, since, group, complexity, doc_flags, deprecated_since, replaced_by,
 * history, arguments, subcommands. The summary is gKV's own
 * (meta/summaries.ts); since, group, doc flags, deprecation and arguments are
 * facts from the snapshot. complexity and history are Redis's prose, so they
 * are left out, as Redis leaves them out for a command that has none.
 */
export function addCommandDocs(c: Client, spec: CommandSpec): void {
  const d = (spec.docs ?? {}) as Record<string, unknown>;
  const subs = registeredSubs(spec);
  let n = 1; // group is always there
  if (spec.summary !== null) n++;
  for (const k of ['since', 'doc_flags', 'deprecated_since', 'replaced_by', 'arguments']) if (d[k] !== undefined) n++;
  if (subs !== null) n++;
  c.addMapLen(n);
  if (spec.summary !== null) {
    c.addBulk('summary');
    c.addBulk(spec.summary);
  }
  if (d.since !== undefined) {
    c.addBulk('since');
    c.addBulk(String(d.since));
  }
  c.addBulk('group');
  c.addBulk(String(d.group ?? 'generic'));
  if (d.doc_flags !== undefined) {
    const fl = d.doc_flags as string[];
    c.addBulk('doc_flags');
    c.addSetLen(fl.length);
    for (const f of fl) c.addStatus(f);
  }
  for (const k of ['deprecated_since', 'replaced_by']) {
    if (d[k] !== undefined) {
      c.addBulk(k);
      c.addBulk(String(d[k]));
    }
  }
  if (d.arguments !== undefined) {
    c.addBulk('arguments');
    addDocArgs(c, d.arguments as Arg[]);
  }
  if (subs !== null) {
    c.addBulk('subcommands');
    c.addMapLen(subs.length);
    for (const sub of subs) {
      c.addBulk(sub.fullName);
      addCommandDocs(c, sub);
    }
  }
}

function commandCommand(c: Client, _argv: string[], s: ServerContext): void {
  c.addArrayLen(s.table.commands.size);
  for (const spec of s.table.commands.values()) addCommandInfo(c, spec);
}

function commandCountCommand(c: Client, _argv: string[], s: ServerContext): void {
  c.addInt(s.table.commands.size);
}

function commandInfoCommand(c: Client, argv: string[], s: ServerContext): void {
  if (argv.length === 2) {
    commandCommand(c, argv, s);
    return;
  }
  c.addArrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const spec = s.table.lookupFullName(argv[i]);
    if (spec === undefined) c.addNull();
    else addCommandInfo(c, spec);
  }
}

function commandDocsCommand(c: Client, argv: string[], s: ServerContext): void {
  const specs: CommandSpec[] = [];
  if (argv.length === 2) specs.push(...s.table.commands.values());
  else {
    for (let i = 2; i < argv.length; i++) {
      const spec = s.table.lookupFullName(argv[i]);
      if (spec !== undefined) specs.push(spec);
    }
  }
  c.addMapLen(specs.length);
  for (const spec of specs) {
    c.addBulk(spec.fullName);
    addCommandDocs(c, spec);
  }
}

function commandListCommand(c: Client, argv: string[], s: ServerContext): void {
  let filter: ((spec: CommandSpec) => boolean) | null = null;
  if (argv.length === 5 && is(argv[2], 'filterby')) {
    const arg = argv[4];
    if (is(argv[3], 'module'))
      filter = () => false; // gKV has no modules
    else if (is(argv[3], 'aclcat')) {
      const cat = arg.toLowerCase();
      filter = (spec) => spec.aclCategories.includes(cat);
    } else if (is(argv[3], 'pattern')) filter = (spec) => globMatch(arg, spec.fullName, true);
    else throw Err.syntax();
  } else if (argv.length !== 2) {
    throw Err.syntax();
  }
  const names: string[] = [];
  for (const spec of s.table.all()) if (filter === null || filter(spec)) names.push(spec.fullName);
  c.addBulks(names);
}

function getKeysSubcommand(c: Client, argv: string[], s: ServerContext, withFlags: boolean): void {
  const cargv = argv.slice(2);
  let spec = s.table.lookup(cargv[0]);
  if (spec !== undefined && spec.subcommands !== null && cargv.length >= 2) spec = spec.subcommands.get(cargv[1].toLowerCase());
  if (spec === undefined) throw Err.raw('ERR Invalid command specified');
  if (!hasKeyArguments(spec)) throw Err.raw('ERR The command has no key arguments');
  if (!spec.arityOk(cargv.length)) throw Err.raw('ERR Invalid number of arguments specified for command');
  const keys = getKeysFromCommand(spec, cargv);
  if (keys.length === 0) {
    if (spec.flagSet.has('no_mandatory_keys')) c.addArrayLen(0);
    else throw Err.raw('ERR Invalid arguments specified for command');
    return;
  }
  c.addArrayLen(keys.length);
  for (const k of keys) {
    if (!withFlags) c.addBulk(cargv[k.pos]);
    else {
      c.addArrayLen(2);
      c.addBulk(cargv[k.pos]);
      c.addSetLen(k.flags.length);
      for (const f of k.flags) c.addStatus(f);
    }
  }
}

function commandHelpCommand(c: Client): void {
  addHelp(c, 'COMMAND', [
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
    'GETKEYSANDFLAGS <full-command>',
    '    Return the keys and the access flags from a full Redis command.',
  ]);
}

// ------------------------------------------------------------------ table

export const commandCommands: ServerCommands = [
  {
    name: 'command',
    handler: commandCommand,
    sub: [
      { name: 'count', handler: commandCountCommand },
      { name: 'info', handler: commandInfoCommand },
      { name: 'docs', handler: commandDocsCommand },
      { name: 'list', handler: commandListCommand },
      { name: 'getkeys', handler: (c, argv, s) => getKeysSubcommand(c, argv, s, false) },
      { name: 'getkeysandflags', handler: (c, argv, s) => getKeysSubcommand(c, argv, s, true) },
      { name: 'help', handler: commandHelpCommand },
    ],
  },
];
