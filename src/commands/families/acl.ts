/**
 * The ACL command (Redis group "server"): SETUSER, GETUSER, DELUSER, USERS,
 * LIST, CAT, WHOAMI, LOG, GENPASS, DRYRUN, LOAD, SAVE, HELP — Redis 7.0's
 * aclCommand over the users of server/acl.ts.
 *
 * Clients follow their user as Redis's do: deleting a user (DELUSER, or
 * ACL LOAD replacing every user) disconnects the clients authenticated as it
 * (the one running the command after its reply), and a SETUSER that takes
 * channels away disconnects the user's subscribers whose subscriptions are
 * no longer allowed (ACLKillPubsubClientsIfNeeded).
 */
import { resolve } from 'node:path';
import type { ServerCommands, ServerContext } from '../context.js';
import { ConfigError } from '../../server/config.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { parseInt64 } from '../../util/numbers.js';
import { addHelp } from '../help.js';
import {
  ACL_CATEGORIES,
  ACL_DENIED_CMD,
  ACL_DENIED_KEY,
  Acl,
  AclRuleError,
  type AclUser,
  F_ALLCHANNELS,
  type Selector,
  channelInList,
  describeCommandRules,
  selectorChannelsText,
  selectorKeysText,
  hasSpaces,
  reasonName,
} from '../../server/acl.js';

/** ACLFreeUserAndKillClients: u's clients go back to the default user, unauthenticated, and are closed */
export function killClientsOfUser(s: ServerContext, current: Client, u: AclUser): void {
  for (const cl of [...s.clients.values()]) {
    if (cl.user !== u) continue;
    cl.user = s.acl.defaultUser;
    cl.authenticated = false;
    if (cl === current) cl.closeAfterReply = true;
    else s.freeClient(cl);
  }
}

/**
 * ACLKillPubsubClientsIfNeeded: when the new rules (`next`) no longer list
 * every channel pattern the old ones (`original`) did, or the old ones had
 * allchannels, the user's subscribers are checked against the new patterns
 * (all selectors' lists as one) and those with a subscription no longer
 * allowed are disconnected.
 */
function killPubsubClientsIfNeeded(s: ServerContext, next: AclUser, original: AclUser): void {
  if (next.selectors.some((sel) => sel.flags & F_ALLCHANNELS)) return;
  const upcoming: string[] = [];
  for (const sel of next.selectors) upcoming.push(...sel.channels);
  if (!original.selectors.some((sel) => sel.flags & F_ALLCHANNELS)) {
    let superset = true;
    for (const sel of original.selectors) for (const ch of sel.channels) if (!upcoming.includes(ch)) superset = false;
    if (superset) return;
  }
  for (const cl of [...s.clients.values()]) {
    if (cl.user !== original || !cl.inPubSub) continue;
    let kill = false;
    if (cl.patterns) for (const p of cl.patterns) if (!kill && !channelInList(upcoming, p, true)) kill = true;
    if (cl.channels) for (const ch of cl.channels) if (!kill && !channelInList(upcoming, ch, false)) kill = true;
    if (cl.shardChannels) for (const ch of cl.shardChannels) if (!kill && !channelInList(upcoming, ch, false)) kill = true;
    if (kill) s.freeClient(cl);
  }
}

/** the ACL file's path: aclfile, relative to dir (Redis has chdir()ed there) */
function aclFilePath(s: ServerContext): string {
  return resolve(s.config.get('dir'), s.acl.filename);
}

/**
 * The users of the configuration (its `user` lines), then the ACL file
 * (Redis's ACLAppendUserForLoading while reading the file, then
 * ACLLoadUsersAtStartup): throws a ConfigError with Redis's text when a line
 * is invalid, both are given, or the file cannot be loaded.
 */
export function aclLoadUsersAtStartup(s: ServerContext): void {
  const acl = s.acl;
  // the settings the users depend on, as the configuration has them (its hooks run later, at listen())
  acl.filename = s.config.get('aclfile');
  acl.setPubsubDefault(s.config.get('acl-pubsub-default'));
  acl.setRequirePass(s.config.get('requirepass'));
  for (const u of s.config.users) {
    try {
      acl.appendUserForLoading(u.args);
    } catch (e) {
      if (!(e instanceof AclRuleError)) throw e;
      throw u.error(`Error in user declaration '${u.args[0]}': ${e.message}`);
    }
  }
  if (acl.filename !== '' && acl.usersToLoad.length !== 0) {
    throw new ConfigError(
      'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.',
    );
  }
  if (
    !acl.loadConfiguredUsers(
      (l) => s.log.warning(l),
      (l) => s.log.notice(l),
    )
  ) {
    throw new ConfigError('Critical error while loading ACLs. Exiting.');
  }
  if (acl.filename !== '') {
    const r = acl.loadFromFile(aclFilePath(s));
    if ('errors' in r) throw new ConfigError(`Aborting Redis startup because of ACL errors: ${r.errors}`);
  }
}

function aclSetuserCommand(c: Client, argv: string[], s: ServerContext): void {
  const name = argv[2];
  if (hasSpaces(name)) throw Err.raw("ERR Usernames can't contain spaces or null characters");
  const r = Acl.mergeSelectorArgs(argv.slice(3));
  if ('invalid' in r) throw Err.raw(`ERR Unmatched parenthesis in acl selector starting at '${argv[3 + r.invalid]}'.`);
  const temp = s.acl.newUser(name);
  const u = s.acl.getUser(name);
  if (u !== undefined) temp.copyFrom(u);
  for (const op of r.merged) {
    try {
      temp.set(op);
    } catch (e) {
      if (!(e instanceof AclRuleError)) throw e;
      throw Err.raw(`ERR Error in ACL SETUSER modifier '${op}': ${e.message}`);
    }
  }
  if (u !== undefined) killPubsubClientsIfNeeded(s, temp, u);
  let target = u;
  if (target === undefined) {
    target = s.acl.newUser(name);
    s.acl.users.set(name, target);
  }
  target.copyFrom(temp);
  c.addOK();
}

function aclDeluserCommand(c: Client, argv: string[], s: ServerContext): void {
  for (let j = 2; j < argv.length; j++) if (argv[j] === 'default') throw Err.raw("ERR The 'default' user cannot be removed");
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    const u = s.acl.users.get(argv[j]);
    if (u === undefined) continue;
    s.acl.users.delete(argv[j]);
    killClientsOfUser(s, c, u);
    deleted++;
  }
  c.addInt(deleted);
}

/** aclAddReplySelectorDescription: commands, keys, channels */
function addSelectorDescription(c: Client, sel: Selector): void {
  c.addBulk('commands');
  c.addBulk(describeCommandRules(sel));
  c.addBulk('keys');
  c.addBulk(selectorKeysText(sel));
  c.addBulk('channels');
  c.addBulk(selectorChannelsText(sel));
}

function aclGetuserCommand(c: Client, argv: string[], s: ServerContext): void {
  const u = s.acl.getUser(argv[2]);
  if (u === undefined) {
    c.addNull();
    return;
  }
  c.addMapLen(6);
  c.addBulk('flags');
  const flags = u.flagNames();
  c.addSetLen(flags.length);
  for (const f of flags) c.addBulk(f);
  c.addBulk('passwords');
  c.addArrayLen(u.passwords.length);
  for (const p of u.passwords) c.addBulk(p);
  addSelectorDescription(c, u.root);
  c.addBulk('selectors');
  c.addArrayLen(u.selectors.length - 1);
  for (let i = 1; i < u.selectors.length; i++) {
    c.addMapLen(3);
    addSelectorDescription(c, u.selectors[i]);
  }
}

function aclListCommand(c: Client, _argv: string[], s: ServerContext): void {
  const lines = s.acl.listLines();
  c.addArrayLen(lines.length);
  for (const l of lines) c.addBulk(l);
}

function aclUsersCommand(c: Client, _argv: string[], s: ServerContext): void {
  const users = s.acl.sortedUsers();
  c.addArrayLen(users.length);
  for (const u of users) c.addBulk(u.name);
}

function aclWhoamiCommand(c: Client): void {
  if (c.user === null) c.addNull();
  else c.addBulk(c.user.name);
}

const NO_ACLFILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

function aclLoadCommand(c: Client, _argv: string[], s: ServerContext): void {
  if (s.acl.filename === '') throw Err.raw(NO_ACLFILE);
  const r = s.acl.loadFromFile(aclFilePath(s));
  if ('errors' in r) throw Err.raw(`ERR ${r.errors}`);
  for (const u of r.removed) killClientsOfUser(s, c, u);
  c.addOK();
}

function aclSaveCommand(c: Client, _argv: string[], s: ServerContext): void {
  if (s.acl.filename === '') throw Err.raw(NO_ACLFILE);
  if (!s.acl.saveToFile(aclFilePath(s), (l) => s.log.warning(l))) {
    throw Err.raw('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
  }
  c.addOK();
}

function aclCatCommand(c: Client, argv: string[], s: ServerContext): void {
  if (argv.length === 2) {
    c.addArrayLen(ACL_CATEGORIES.length);
    for (const cat of ACL_CATEGORIES) c.addBulk(cat);
    return;
  }
  if (argv.length !== 3) throw Err.subcommandSyntax(argv[1], 'ACL');
  const cat = ACL_CATEGORIES.indexOf(argv[2].toLowerCase() as (typeof ACL_CATEGORIES)[number]);
  if (cat < 0) throw Err.raw(`ERR Unknown category '${argv[2].slice(0, 128)}'`);
  const names = s.acl.commands.byId.filter((cmd) => cmd.cats & (1 << cat)).map((cmd) => cmd.fullName);
  c.addArrayLen(names.length);
  for (const n of names) c.addBulk(n);
}

const GENPASS_MAX_BITS = 4096;

function aclGenpassCommand(c: Client, argv: string[]): void {
  if (argv.length > 3) throw Err.subcommandSyntax(argv[1], 'ACL');
  let bits = 256;
  if (argv.length === 3) {
    const v = parseInt64(argv[2]);
    if (v === null) throw Err.notInteger();
    bits = Number(v);
  }
  if (bits <= 0 || bits > GENPASS_MAX_BITS) {
    throw Err.raw(`ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`);
  }
  c.addBulk(Acl.genpass(bits));
}

function aclLogCommand(c: Client, argv: string[], s: ServerContext): void {
  if (argv.length > 3) throw Err.subcommandSyntax(argv[1], 'ACL');
  let count = 10;
  if (argv.length === 3) {
    if (argv[2].toLowerCase() === 'reset') {
      s.acl.log = [];
      c.addOK();
      return;
    }
    const v = parseInt64(argv[2]);
    if (v === null) throw Err.notInteger();
    count = Math.max(0, Number(v));
  }
  const log = s.acl.log;
  count = Math.min(count, log.length);
  c.addArrayLen(count);
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const e = log[i];
    c.addMapLen(7);
    c.addBulk('count');
    c.addInt(e.count);
    c.addBulk('reason');
    c.addBulk(reasonName(e.reason));
    c.addBulk('context');
    c.addBulk(e.context);
    c.addBulk('object');
    c.addBulk(e.object);
    c.addBulk('username');
    c.addBulk(e.username);
    c.addBulk('age-seconds');
    c.addDouble((now - e.ctime) / 1000);
    c.addBulk('client-info');
    c.addBulk(e.cinfo);
  }
}

function aclDryrunCommand(c: Client, argv: string[], s: ServerContext): void {
  const u = s.acl.getUser(argv[2]);
  if (u === undefined) throw Err.raw(`ERR User '${argv[2]}' not found`);
  const args = argv.slice(3);
  const cmd = s.acl.commands.lookupArgv(args);
  if (cmd === undefined) throw Err.raw(`ERR Command '${argv[3]}' not found`);
  const a = cmd.info.arity;
  if (a > 0 ? args.length !== a : args.length < -a) throw Err.wrongArity(cmd.fullName);
  const r = s.acl.checkCommand(u, cmd, args);
  if (r === null) {
    c.addOK();
    return;
  }
  if (r.denial === ACL_DENIED_CMD) c.addBulk(`This user has no permissions to run the '${cmd.fullName}' command`);
  else if (r.denial === ACL_DENIED_KEY) c.addBulk(`This user has no permissions to access the '${args[r.pos]}' key`);
  else c.addBulk(`This user has no permissions to access the '${args[r.pos]}' channel`);
}

function aclHelpCommand(c: Client): void {
  addHelp(c, 'ACL', [
    'CAT [<category>]',
    '    List all commands that belong to <category>, or all command categories',
    '    when no category is specified.',
    'DELUSER <username> [<username> ...]',
    '    Delete a list of users.',
    'DRYRUN <username> <command> [<arg> ...]',
    '    Returns whether the user can execute the given command without executing the command.',
    'GETUSER <username>',
    "    Get the user's details.",
    'GENPASS [<bits>]',
    '    Generate a secure 256-bit user password. The optional `bits` argument can',
    '    be used to specify a different size.',
    'LIST',
    '    Show users details in config file format.',
    'LOAD',
    '    Reload users from the ACL file.',
    'LOG [<count> | RESET]',
    '    Show the ACL log entries.',
    'SAVE',
    '    Save the current config to the ACL file.',
    'SETUSER <username> <attribute> [<attribute> ...]',
    '    Create or modify a user with the specified attributes.',
    'USERS',
    '    List all the registered usernames.',
    'WHOAMI',
    '    Return the current connection username.',
  ]);
}

// ------------------------------------------------------------------ table

export const aclCommands: ServerCommands = [
  {
    name: 'acl',
    sub: [
      { name: 'cat', handler: aclCatCommand },
      { name: 'deluser', handler: aclDeluserCommand },
      { name: 'dryrun', handler: aclDryrunCommand },
      { name: 'genpass', handler: aclGenpassCommand },
      { name: 'getuser', handler: aclGetuserCommand },
      { name: 'help', handler: aclHelpCommand },
      { name: 'list', handler: aclListCommand },
      { name: 'load', handler: aclLoadCommand },
      { name: 'log', handler: aclLogCommand },
      { name: 'save', handler: aclSaveCommand },
      { name: 'setuser', handler: aclSetuserCommand },
      { name: 'users', handler: aclUsersCommand },
      { name: 'whoami', handler: aclWhoamiCommand },
    ],
  },
];
