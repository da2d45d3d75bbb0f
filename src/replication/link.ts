/**
 * What a master knows of one attached replica (the CLIENT_SLAVE fields of
 * Redis's client struct): its state in the sync, what it announced with
 * REPLCONF, its acknowledged offset, and the stream kept for it while its
 * RDB is made and sent.
 */
import type { Client } from '../server/client.js';
import type { ServerStats } from '../commands/context.js';

/** A replica's state (Redis's SLAVE_STATE_*); INFO shows the first two as wait_bgsave. */
export type ReplicaState = 'wait_bgsave_start' | 'wait_bgsave_end' | 'send_bulk' | 'online';

export const CAPA_EOF = 1;
export const CAPA_PSYNC2 = 2;

/** What the master knows of one attached replica (the CLIENT_SLAVE fields of Redis's client). */
export class ReplicaLink {
  state: ReplicaState = 'wait_bgsave_start';
  /** REPLCONF listening-port / ip-address */
  listeningPort = 0;
  announcedIp = '';
  capa = 0;
  /** REPLCONF rdb-filter-only functions: its RDB holds the functions and no keys (SLAVE_REQ_RDB_EXCLUDE_DATA) */
  excludeData = false;
  /** attached with SYNC (no +FULLRESYNC, no ACKs expected): CLIENT_PRE_PSYNC */
  prePsync = false;
  /** the offset its full sync starts at (psync_initial_offset) */
  initialOffset = 0;
  /** the highest offset it acknowledged, and when (s) */
  ackOffset = 0;
  ackTime = 0;
  /** its RDB went over its socket (diskless): the stream starts with its first ACK (repl_put_online_on_ack) */
  putOnlineOnAck = false;
  /** the stream kept while its RDB is made and sent */
  held: string[] = [];
  heldBytes = 0;

  constructor(readonly c: Client) {}
}

/** Writes stream or RDB bytes on a replica's socket, counted as replication output (INFO stats). */
export function sendToReplica(stats: ServerStats, r: ReplicaLink, data: string | Buffer): void {
  const sock = r.c.socket;
  if (sock === null || r.c.closed) return;
  if (typeof data === 'string') sock.write(data, 'latin1');
  else sock.write(data);
  stats.netReplOutput += data.length;
  stats.netOutput += data.length;
  r.c.totNetOut += data.length;
}

/** What the replica side (replica.ts) drives of the master side's history and stream (master.ts). */
export interface ReplicationHistory {
  replid2: string;
  secondReplidOffset: number;
  readonly offset: number;
  clearReplid2(): void;
  resetOffset(offset: number): void;
  ensureBacklog(): void;
  proxyFromMaster(str: string): void;
  disconnectReplicas(): void;
}
