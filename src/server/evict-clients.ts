/**
 * Client eviction (maxmemory-clients), as Redis 7.0's evictClients and its
 * memory-usage buckets (server.c, networking.c).
 *
 * Every client's memory is what CLIENT LIST's tot-mem reports (Redis's
 * getClientMemoryUsage: server/client-mem.ts). The figure of each client is
 * remembered (Client.lastMemoryUsage) and summed per client type (Redis's
 * stat_clients_type_memory); it is taken again at the points where Redis
 * takes it: after a client's input was processed, after output was written
 * to it, by the clients cron about once a second, on CLIENT NO-EVICT OFF and
 * when maxmemory-clients changes.
 *
 * While maxmemory-clients is set, the clients that may be evicted (normal
 * and pub/sub ones, not flagged no-evict) sit in buckets by size: bucket i
 * holds those whose memory has 15 + i significant bits (up to 32 KB in the
 * first, over 4 GB in the last), in the order they entered it. When the
 * normal and pub/sub clients together use at least the limit, clients are
 * freed from the biggest bucket down, each logged as Redis logs it, until
 * they are under it. Eviction runs where Redis runs it: before a command
 * (processCommand, after the auth and ACL guards: the client about to run
 * may be the one evicted) and once per event-loop iteration after the
 * replies were written (beforeSleep).
 *
 * The limit is maxmemory-clients in bytes, or a percentage of maxmemory
 * ("10%": none while maxmemory is 0), and never under 128 KB so that a bad
 * setting cannot cut every connection (getClientEvictionLimit).
 */

/** Redis's client types (getClientType), the index of ClientEviction.typeMemory */
export const CLIENT_TYPE_NORMAL = 0;
export const CLIENT_TYPE_SLAVE = 1;
export const CLIENT_TYPE_PUBSUB = 2;
export const CLIENT_TYPE_MASTER = 3;

/** Bucket sizes start at up to 32 KB (2^15); the last holds clients of over 4 GB (2^32) */
const CLIENT_MEM_USAGE_BUCKET_MIN_LOG = 15;
const CLIENT_MEM_USAGE_BUCKET_MAX_LOG = 33;
const CLIENT_MEM_USAGE_BUCKETS = 1 + CLIENT_MEM_USAGE_BUCKET_MAX_LOG - CLIENT_MEM_USAGE_BUCKET_MIN_LOG;
/** the least maxmemory-clients takes effect as (Redis's getClientEvictionLimit) */
const MIN_CLIENT_EVICTION_LIMIT = 128 * 1024;

/** What eviction keeps on each client (server/client.ts's Client has these fields). */
export interface EvictableClient {
  noEvict: boolean;
  /** the memory last measured, counted in typeMemory under lastMemoryType */
  lastMemoryUsage: number;
  lastMemoryType: number;
  /** the bucket the client sits in, -1 when in none */
  memBucket: number;
  /** a connection (not a script's, AOF's or module's fake client) */
  readonly socket: unknown;
  readonly closed: boolean;
}

/** What eviction needs of the server. */
export interface ClientEvictionHost<C extends EvictableClient> {
  /** Redis's getClientMemoryUsage: CLIENT LIST tot-mem */
  clientMemory(c: C): number;
  /** Redis's getClientType */
  clientType(c: C): number;
  /** CLIENT LIST's line for the client (catClientInfoString) */
  clientInfo(c: C): string;
  freeClient(c: C): void;
  logNotice(msg: string): void;
  logWarning(msg: string): void;
}

/** The bucket of a client using mem bytes: its bit length, within the buckets' range. */
function bucketOf(mem: number): number {
  const bits = mem <= 0 ? 0 : mem < 2 ** 32 ? 32 - Math.clz32(mem) : 33;
  const idx = bits > CLIENT_MEM_USAGE_BUCKET_MAX_LOG ? CLIENT_MEM_USAGE_BUCKET_MAX_LOG : bits < CLIENT_MEM_USAGE_BUCKET_MIN_LOG ? CLIENT_MEM_USAGE_BUCKET_MIN_LOG : bits;
  return idx - CLIENT_MEM_USAGE_BUCKET_MIN_LOG;
}

export class ClientEviction<C extends EvictableClient> {
  /** Redis's stat_clients_type_memory: the clients' memory by type (INFO mem_clients_normal, mem_clients_slaves) */
  readonly typeMemory = [0, 0, 0, 0];
  /** the buckets while maxmemory-clients is set (null otherwise) */
  private buckets: Set<C>[] | null = null;
  /** INFO stats evicted_clients */
  evicted = 0;
  /** maxmemory-clients: bytes, or a percentage of maxmemory when percent */
  private setting = 0;
  private percent = false;
  /** maxmemory, for a percentage */
  private maxmemory = 0;

  constructor(private readonly host: ClientEvictionHost<C>) {}

  /** Client eviction is on (maxmemory-clients is not 0): the buckets are kept. */
  get enabled(): boolean {
    return this.buckets !== null;
  }

  /** Redis's getClientEvictionLimit: the limit in bytes, 0 when none. */
  limit(): number {
    let actual: number;
    if (this.percent) {
      if (this.maxmemory === 0) return 0;
      actual = Math.floor((this.maxmemory * this.setting) / 100);
    } else if (this.setting > 0) actual = this.setting;
    else return 0;
    return actual < MIN_CLIENT_EVICTION_LIMIT ? MIN_CLIENT_EVICTION_LIMIT : actual;
  }

  /** CONFIG SET maxmemory: a percentage limit follows it. */
  setMaxmemory(bytes: number): void {
    this.maxmemory = bytes;
  }

  /**
   * CONFIG SET maxmemory-clients (Redis's applyClientMaxMemoryUsage): on, every
   * client is measured and put in its bucket; off, the buckets go.
   */
  setLimit(value: string, clients: Iterable<C>): void {
    this.percent = value.endsWith('%');
    this.setting = Number(this.percent ? value.slice(0, -1) : value);
    if (this.setting === 0) {
      for (const c of clients) c.memBucket = -1;
      this.buckets = null;
      return;
    }
    if (this.buckets === null) {
      this.buckets = [];
      for (let i = 0; i < CLIENT_MEM_USAGE_BUCKETS; i++) this.buckets.push(new Set());
    }
    for (const c of clients) this.updateAndBucket(c);
  }

  /** Redis's clientEvictionAllowed: eviction on, a connection, normal or pub/sub, not no-evict. */
  private allowed(c: C): boolean {
    if (this.buckets === null || c.noEvict || c.socket === null) return false;
    const t = this.host.clientType(c);
    return t === CLIENT_TYPE_NORMAL || t === CLIENT_TYPE_PUBSUB;
  }

  /** Redis's updateClientMemoryUsage: measures c and moves its figure to its current type. */
  updateMemoryUsage(c: C): void {
    const mem = this.host.clientMemory(c);
    const type = this.host.clientType(c);
    const tm = this.typeMemory;
    tm[c.lastMemoryType] -= c.lastMemoryUsage;
    tm[type] += mem;
    c.lastMemoryType = type;
    c.lastMemoryUsage = mem;
  }

  /**
   * Redis's updateClientMemUsageAndBucket: measures c and moves it to the
   * bucket of its size. Returns false (and does not measure) when c may not
   * be evicted: it then leaves the buckets.
   */
  updateAndBucket(c: C): boolean {
    if (!this.allowed(c)) {
      this.removeFromBucket(c);
      return false;
    }
    this.updateMemoryUsage(c);
    const b = bucketOf(c.lastMemoryUsage);
    if (b !== c.memBucket) {
      const buckets = this.buckets!;
      if (c.memBucket !== -1) buckets[c.memBucket].delete(c);
      buckets[b].add(c);
      c.memBucket = b;
    }
    return true;
  }

  /** Takes c out of its bucket (CLIENT NO-EVICT ON, a client that may no longer be evicted). */
  removeFromBucket(c: C): void {
    if (c.memBucket === -1) return;
    this.buckets?.[c.memBucket].delete(c);
    c.memBucket = -1;
  }

  /** c is being freed: its memory leaves the totals and it leaves its bucket. */
  clientFreed(c: C): void {
    this.removeFromBucket(c);
    this.typeMemory[c.lastMemoryType] -= c.lastMemoryUsage;
    c.lastMemoryUsage = 0;
  }

  /** Normal and pub/sub clients use at least the limit: evictClients has work to do. */
  get overLimit(): boolean {
    if (this.buckets === null) return false;
    const limit = this.limit();
    return limit !== 0 && this.typeMemory[CLIENT_TYPE_NORMAL] + this.typeMemory[CLIENT_TYPE_PUBSUB] >= limit;
  }

  /**
   * Redis's evictClients: while the normal and pub/sub clients use at least
   * the limit, frees clients from the biggest bucket down, logging each one.
   */
  evictClients(): void {
    if (!this.overLimit) return;
    const limit = this.limit();
    const buckets = this.buckets!;
    const tm = this.typeMemory;
    let b = CLIENT_MEM_USAGE_BUCKETS - 1;
    while (tm[CLIENT_TYPE_NORMAL] + tm[CLIENT_TYPE_PUBSUB] >= limit) {
      const first = buckets[b].values().next();
      if (first.done !== true) {
        const c = first.value;
        this.host.logNotice(`Evicting client: ${this.host.clientInfo(c)}`);
        this.host.freeClient(c);
        // a client freed by any path leaves its bucket (clientFreed); never loop on one that did not
        this.removeFromBucket(c);
        this.evicted++;
      } else if (--b < 0) {
        this.host.logWarning('Over client maxmemory after evicting all evictable clients');
        break;
      }
    }
  }
}
