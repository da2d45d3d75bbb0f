/**
 * Pub/sub commands (Redis group "pubsub"): SUBSCRIBE / PSUBSCRIBE /
 * SSUBSCRIBE and their UN- forms, PUBLISH / SPUBLISH and PUBSUB.
 *
 * The registry is src/pubsub/pubsub.ts, delivery server/publish.ts. Messages are built once per RESP
 * version per publish (RESP2 arrays, RESP3 push frames) and appended to each
 * subscriber's output, which leaves at the end of the event like every reply;
 * a subscriber that does not read is bounded by client-output-buffer-limit
 * pubsub (Server.flushClient), so a slow reader never slows the publisher.
 * The RESP2 subscribed-context guard lives in the pipeline (server.ts).
 */
import { PROPAGATE_REPL } from '../../server/propagation.js';
import type { ServerCommands, ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import type { Namespace } from '../../pubsub/pubsub.js';
import { Err } from '../../protocol/errors.js';
import { addHelp } from '../help.js';
import { publishMessage } from '../../server/publish.js';
import { globMatch } from '../../util/glob.js';

/** Redis's clientSubscriptionsCount (channels + patterns) or, for shard channels, clientShardSubscriptionsCount. */
function subscriptionCount(c: Client, ns: Namespace): number {
  if (ns === 'shardChannels') return c.shardChannels === null ? 0 : c.shardChannels.size;
  return c.subscriptionCount;
}

/** The [kind, name, count] confirmation (a push in RESP3); name null for "nothing to unsubscribe". */
function addSubscriptionReply(c: Client, kind: string, name: string | null, count: number): void {
  c.beginPush();
  c.addPushLen(3);
  c.addBulk(kind);
  c.addBulkOrNull(name);
  c.addInt(count);
  c.endPush();
}

function subscribeGeneric(c: Client, argv: string[], s: ServerContext, ns: Namespace, kind: string): void {
  for (let i = 1; i < argv.length; i++) {
    s.pubsub.subscribe(ns, c, argv[i]);
    addSubscriptionReply(c, kind, argv[i], subscriptionCount(c, ns));
  }
}

function unsubscribeGeneric(c: Client, argv: string[], s: ServerContext, ns: Namespace, kind: string): void {
  const names = argv.length > 1 ? argv.slice(1) : s.pubsub.subscriptionsOf(ns, c);
  if (names.length === 0) {
    addSubscriptionReply(c, kind, null, subscriptionCount(c, ns));
    return;
  }
  for (const name of names) {
    s.pubsub.unsubscribe(ns, c, name);
    addSubscriptionReply(c, kind, name, subscriptionCount(c, ns));
  }
}

// ---------------------------------------------------------------- commands

function subscribeCommand(c: Client, argv: string[], s: ServerContext): void {
  subscribeGeneric(c, argv, s, 'channels', 'subscribe');
}

function unsubscribeCommand(c: Client, argv: string[], s: ServerContext): void {
  unsubscribeGeneric(c, argv, s, 'channels', 'unsubscribe');
}

function psubscribeCommand(c: Client, argv: string[], s: ServerContext): void {
  subscribeGeneric(c, argv, s, 'patterns', 'psubscribe');
}

function punsubscribeCommand(c: Client, argv: string[], s: ServerContext): void {
  unsubscribeGeneric(c, argv, s, 'patterns', 'punsubscribe');
}

function ssubscribeCommand(c: Client, argv: string[], s: ServerContext): void {
  subscribeGeneric(c, argv, s, 'shardChannels', 'ssubscribe');
}

function sunsubscribeCommand(c: Client, argv: string[], s: ServerContext): void {
  unsubscribeGeneric(c, argv, s, 'shardChannels', 'sunsubscribe');
}

/** PUBLISH: delivered here, and propagated to the replicas (not the AOF), whose subscribers get it too */
function publishCommand(c: Client, argv: string[], s: ServerContext): void {
  c.addInt(publishMessage(s, argv[1], argv[2], false));
  c.forcePropagate = true;
  c.propagateTargets = PROPAGATE_REPL;
}

function spublishCommand(c: Client, argv: string[], s: ServerContext): void {
  c.addInt(publishMessage(s, argv[1], argv[2], true));
  c.forcePropagate = true;
  c.propagateTargets = PROPAGATE_REPL;
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]: the names with subscribers, optionally filtered. */
function channelList(c: Client, argv: string[], names: Iterable<string>): void {
  if (argv.length > 3) throw Err.subcommandSyntax(argv[1], 'PUBSUB');
  const pattern = argv.length === 3 ? argv[2] : null;
  const out: string[] = [];
  for (const n of names) if (pattern === null || globMatch(pattern, n)) out.push(n);
  c.addBulks(out);
}

function numsubReply(c: Client, argv: string[], s: ServerContext, ns: Namespace): void {
  c.addArrayLen((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    c.addBulk(argv[i]);
    c.addInt(s.pubsub.count(ns, argv[i]));
  }
}

function pubsubChannelsCommand(c: Client, argv: string[], s: ServerContext): void {
  channelList(c, argv, s.pubsub.channels.keys());
}

function pubsubShardchannelsCommand(c: Client, argv: string[], s: ServerContext): void {
  channelList(c, argv, s.pubsub.shardChannels.keys());
}

function pubsubNumsubCommand(c: Client, argv: string[], s: ServerContext): void {
  numsubReply(c, argv, s, 'channels');
}

function pubsubShardnumsubCommand(c: Client, argv: string[], s: ServerContext): void {
  numsubReply(c, argv, s, 'shardChannels');
}

function pubsubNumpatCommand(c: Client, _argv: string[], s: ServerContext): void {
  c.addInt(s.pubsub.patterns.size);
}

function pubsubHelpCommand(c: Client): void {
  addHelp(c, 'PUBSUB', [
    'CHANNELS [<pattern>]',
    "    Return the currently active channels matching a <pattern> (default: '*').",
    'NUMPAT',
    '    Return number of subscriptions to patterns.',
    'NUMSUB [<channel> ...]',
    '    Return the number of subscribers for the specified channels, excluding',
    '    pattern subscriptions(default: no channels).',
    'SHARDCHANNELS [<pattern>]',
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    'SHARDNUMSUB [<shardchannel> ...]',
    '    Return the number of subscribers for the specified shard level channel(s)',
  ]);
}

export const pubsubCommands: ServerCommands = [
  { name: 'subscribe', handler: subscribeCommand },
  { name: 'unsubscribe', handler: unsubscribeCommand },
  { name: 'psubscribe', handler: psubscribeCommand },
  { name: 'punsubscribe', handler: punsubscribeCommand },
  { name: 'ssubscribe', handler: ssubscribeCommand },
  { name: 'sunsubscribe', handler: sunsubscribeCommand },
  { name: 'publish', handler: publishCommand },
  { name: 'spublish', handler: spublishCommand },
  {
    name: 'pubsub',
    sub: [
      { name: 'channels', handler: pubsubChannelsCommand },
      { name: 'numsub', handler: pubsubNumsubCommand },
      { name: 'numpat', handler: pubsubNumpatCommand },
      { name: 'shardchannels', handler: pubsubShardchannelsCommand },
      { name: 'shardnumsub', handler: pubsubShardnumsubCommand },
      { name: 'help', handler: pubsubHelpCommand },
    ],
  },
];
