/**
 * Redis's addReplyHelp: the reply of every container command's HELP
 * subcommand (COMMAND, CONFIG, MEMORY, SLOWLOG, OBJECT, CLIENT, PUBSUB,
 * LATENCY …), one status line each, in Redis's words.
 */
import type { Client } from '../server/client.js';

/** Redis's addReplyHelp: the header line, the given lines, then HELP. */
export function addHelp(c: Client, cmd: string, lines: string[]): void {
  const all = [`${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`, ...lines, 'HELP', '    Prints this help.'];
  c.addArrayLen(all.length);
  for (const l of all) c.addStatus(l);
}
