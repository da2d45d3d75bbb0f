/**
 * Publishing (Redis's pubsubPublishMessage and notifyKeyspaceEvent's
 * publishing half): delivers a message to a channel's subscribers and the
 * matching patterns' subscribers, as pushes that reach them even under
 * CLIENT REPLY OFF. Used by PUBLISH/SPUBLISH (commands/families/pubsub.ts)
 * and by the keyspace's notifications (the server's notifyHook).
 */
import type { Client } from './client.js';
import type { PubSub } from '../pubsub/pubsub.js';
import { globMatch } from '../util/glob.js';
import { NOTIFY_KEYEVENT, NOTIFY_KEYSPACE } from '../keyspace/notify.js';

/** What publishing uses of the server. */
export interface PublishHost {
  readonly pubsub: PubSub<Client>;
  /** the enabled notification classes (K and E decide the channels) */
  readonly ks: { readonly notifyFlags: number };
  markPending(c: Client): void;
}

const bulk = (s: string): string => '$' + s.length + '\r\n' + s + '\r\n';

/**
 * A frame appended to many subscribers' outputs as one flat string: V8 keeps
 * concatenations as trees, and every subscriber's write would walk this
 * frame's tree again (perf: a quarter of the fan-out CPU). One copy per
 * publish instead.
 */
function flat(s: string): string {
  return s.length < 16 ? s : Buffer.from(s, 'latin1').latin1Slice(0, s.length);
}

/**
 * Appends a push frame to c's output (even under CLIENT REPLY OFF, as
 * Redis's CLIENT_PUSHING) and schedules its write: pub/sub messages here,
 * tracking's invalidations (server/tracking.ts).
 */
export function deliverPush(s: { markPending(c: Client): void }, c: Client, frame: string): void {
  if (c.closed) return;
  if (c.silenced === null) c.addRaw(frame);
  else {
    c.beginPush();
    c.addRaw(frame);
    c.endPush();
  }
  s.markPending(c);
}

/**
 * The RESP2 and RESP3 heads of a pattern's pmessage frames, per subscriber
 * set (so they live exactly as long as the pattern has subscribers): built
 * once instead of for every matching publish.
 */
const patternHeads = new WeakMap<object, [string, string]>();

/**
 * Redis's pubsubPublishMessage: delivers to the channel's subscribers, then
 * to every subscriber of each matching pattern (shard channels have no
 * patterns). Returns the number of deliveries, a client counted once per
 * matching subscription.
 */
export function publishMessage(s: PublishHost, channel: string, message: string, shard: boolean): number {
  let receivers = 0;
  const subs = (shard ? s.pubsub.shardChannels : s.pubsub.channels).get(channel);
  if (subs !== undefined) {
    const tail = bulk(channel) + bulk(message);
    const kind = shard ? '$8\r\nsmessage\r\n' : '$7\r\nmessage\r\n';
    const many = subs.size > 2;
    let m2: string | null = null;
    let m3: string | null = null;
    for (const c of subs) {
      let m: string;
      if (c.resp === 3) m = m3 ??= many ? flat('>3\r\n' + kind + tail) : '>3\r\n' + kind + tail;
      else m = m2 ??= many ? flat('*3\r\n' + kind + tail) : '*3\r\n' + kind + tail;
      deliverPush(s, c, m);
      receivers++;
    }
  }
  if (!shard && s.pubsub.patterns.size > 0) {
    let tail: string | null = null;
    for (const [pattern, psubs] of s.pubsub.patterns) {
      if (!globMatch(pattern, channel)) continue;
      // shared by every matching pattern's frame: one flat copy
      tail ??= flat(bulk(channel) + bulk(message));
      let heads = patternHeads.get(psubs);
      if (heads === undefined) {
        const body = '$8\r\npmessage\r\n' + bulk(pattern);
        heads = ['*4\r\n' + body, '>4\r\n' + body];
        patternHeads.set(psubs, heads);
      }
      let m2: string | null = null;
      let m3: string | null = null;
      for (const c of psubs) {
        deliverPush(s, c, c.resp === 3 ? (m3 ??= heads[1] + tail) : (m2 ??= heads[0] + tail));
        receivers++;
      }
    }
  }
  return receivers;
}

/**
 * Publishes a keyspace event (Redis's notifyKeyspaceEvent after its class
 * check): on `__keyspace@<db>__:<key>` when K is set, then on
 * `__keyevent@<db>__:<event>` when E is set.
 */
export function publishKeyspaceEvent(s: PublishHost, event: string, key: string, dbId: number): void {
  const f = s.ks.notifyFlags;
  if ((f & NOTIFY_KEYSPACE) !== 0) publishMessage(s, `__keyspace@${dbId}__:${key}`, event, false);
  if ((f & NOTIFY_KEYEVENT) !== 0) publishMessage(s, `__keyevent@${dbId}__:${event}`, key, false);
}
