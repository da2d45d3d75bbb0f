/**
 * The pub/sub registry: who listens to what. Three independent namespaces, as
 * in Redis: channels (SUBSCRIBE), patterns (PSUBSCRIBE) and shard channels
 * (SSUBSCRIBE). Each maps a name to the set of its subscribers in
 * subscription order (a JS Set keeps insertion order and deletes in O(1)), so
 * a message reaches subscribers in the order they subscribed, like Redis's
 * per-channel client list. A name with no subscriber left is removed, so
 * PUBSUB CHANNELS and NUMPAT count only live ones.
 *
 * The registry knows nothing of the wire: a subscriber is any object that
 * keeps its own sets of names (`channels`, `patterns`, `shardChannels`), so
 * unsubscribing everything of one subscriber costs its own subscriptions, not
 * the whole registry. The command layer (commands/families/pubsub.ts) builds
 * the messages.
 */

export type Namespace = 'channels' | 'patterns' | 'shardChannels';

export interface Subscriber {
  channels: Set<string> | null;
  patterns: Set<string> | null;
  shardChannels: Set<string> | null;
}

export class PubSub<S extends Subscriber> {
  readonly channels = new Map<string, Set<S>>();
  readonly patterns = new Map<string, Set<S>>();
  readonly shardChannels = new Map<string, Set<S>>();

  /** Adds s to name in ns. Returns false when s was already subscribed to it. */
  subscribe(ns: Namespace, s: S, name: string): boolean {
    let own = s[ns];
    if (own === null) own = s[ns] = new Set();
    if (own.has(name)) return false;
    own.add(name);
    const m = this[ns];
    let subs = m.get(name);
    if (subs === undefined) m.set(name, (subs = new Set()));
    subs.add(s);
    return true;
  }

  /** Removes s from name in ns. Returns false when s was not subscribed to it. */
  unsubscribe(ns: Namespace, s: S, name: string): boolean {
    const own = s[ns];
    if (own === null || !own.delete(name)) return false;
    const m = this[ns];
    const subs = m.get(name);
    if (subs !== undefined) {
      subs.delete(s);
      if (subs.size === 0) m.delete(name);
    }
    return true;
  }

  /** The names s is subscribed to in ns, in subscription order (a copy). */
  subscriptionsOf(ns: Namespace, s: S): string[] {
    const own = s[ns];
    return own === null ? [] : [...own];
  }

  /** Removes every subscription of s in every namespace (client gone or RESET). */
  unsubscribeAll(s: S): void {
    for (const ns of ['channels', 'patterns', 'shardChannels'] as const) {
      const own = s[ns];
      if (own === null) continue;
      for (const name of own) {
        const subs = this[ns].get(name);
        if (subs === undefined) continue;
        subs.delete(s);
        if (subs.size === 0) this[ns].delete(name);
      }
      s[ns] = null;
    }
  }

  /** Number of subscribers of name in ns. */
  count(ns: Namespace, name: string): number {
    return this[ns].get(name)?.size ?? 0;
  }
}
