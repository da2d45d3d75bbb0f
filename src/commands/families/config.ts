/**
 * CONFIG (Redis's config.c commands): GET, SET, RESETSTAT, REWRITE, HELP.
 *
 * The parameters themselves — their types, defaults, validation, apply
 * hooks and the redis.conf reader — are server/config.ts and params.ts;
 * REWRITE's editing of the file is server/config-rewrite.ts. This file is
 * the commands: argument shapes, protected configs, Redis's replies and
 * errors. RESETSTAT clears what Redis's resetServerStats clears.
 */
import { newCommandStats } from '../spec.js';
import { newServerStats, type ServerCommands, type ServerContext } from '../context.js';
import { islocalClient, type Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { rewriteConfigFile } from '../../server/config-rewrite.js';
import { addHelp } from '../help.js';

function configGetCommand(c: Client, argv: string[], s: ServerContext): void {
  const pairs = s.config.getMatching(argv.slice(2));
  c.addMapLen(pairs.length);
  for (const [k, v] of pairs) {
    c.addBulk(k);
    c.addBulk(v);
  }
}

function configSetCommand(c: Client, argv: string[], s: ServerContext): void {
  // Redis 7.0 answers an odd number of arguments with a plain syntax error
  if (argv.length < 4 || argv.length % 2 !== 0) throw Err.syntax();
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i], argv[i + 1]]);
  const protectedOk = s.config.get('enable-protected-configs');
  s.config.setMany(pairs, protectedOk === 'yes' || (protectedOk === 'local' && islocalClient(c)), s.loading);
  c.addOK();
}

/** Redis's resetServerStats + resetCommandTableStats + resetErrorTableStats. */
export function resetStats(s: ServerContext): void {
  Object.assign(s.stats, newServerStats());
  s.lazyfree.freed = 0;
  s.replyBufferStats.shrinks = 0;
  s.replyBufferStats.expands = 0;
  const ks = s.ks.stats;
  ks.expiredKeys = 0;
  ks.expiredStalePerc = 0;
  ks.expiredTimeCapReachedCount = 0;
  ks.expireCycleCpuMs = 0;
  ks.evictedKeys = 0;
  s.evictor.resetStats();
  ks.keyspaceHits = 0;
  ks.keyspaceMisses = 0;
  for (const spec of s.table.all()) spec.stats = newCommandStats();
}

function configResetstatCommand(c: Client, _argv: string[], s: ServerContext): void {
  resetStats(s);
  c.addOK();
}

function configRewriteCommand(c: Client, _argv: string[], s: ServerContext): void {
  const file = s.config.configFile;
  if (file === null) throw Err.raw('ERR The server is running without a config file');
  try {
    // the ACL users as user lines, unless an ACL file holds them
    rewriteConfigFile(s.config, file, false, s.acl.filename !== '' ? null : s.acl.listLines());
  } catch (e) {
    s.log.warning(`CONFIG REWRITE failed: ${(e as Error).message}`);
    throw Err.raw(`ERR Rewriting config file: ${(e as Error).message}`);
  }
  s.log.notice('CONFIG REWRITE executed with success.');
  c.addOK();
}

function configHelpCommand(c: Client): void {
  addHelp(c, 'CONFIG', [
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
  ]);
}

// ------------------------------------------------------------------ table

export const configCommands: ServerCommands = [
  {
    name: 'config',
    sub: [
      { name: 'get', handler: configGetCommand },
      { name: 'set', handler: configSetCommand },
      { name: 'resetstat', handler: configResetstatCommand },
      { name: 'rewrite', handler: configRewriteCommand },
      { name: 'help', handler: configHelpCommand },
    ],
  },
];
