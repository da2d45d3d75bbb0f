/**
 * The replica side of replication (Redis's replication.c, "SLAVE" part):
 * REPLICAOF host port connects to a master — gKV or real Redis — with
 * Redis 7.0's handshake (PING, AUTH with masterauth/masteruser, REPLCONF
 * listening-port / ip-address / capa eof capa psync2, PSYNC), loads the
 * RDB it sends (`$<size>` or the diskless `$EOF:<mark>` form) and then
 * applies the command stream through the server's pipeline as the master
 * client, acknowledging its offset (REPLCONF ACK every second and on
 * GETACK).
 *
 * Offsets and chains: the bytes of the stream are counted into this
 * server's master_repl_offset and backlog and proxied verbatim to its own
 * replicas (replicationFeedStreamFromMasterStream), so a replica of this
 * replica has the same offsets and can continue partially across a
 * failover (PSYNC2). While it is a replica the server's own propagation
 * does not feed the stream.
 *
 * A broken link keeps the master's replication id and offset (the cached
 * master), so the next connection asks PSYNC <id> <offset+1> and continues
 * with +CONTINUE when the master's backlog still covers it. A master
 * turned replica offers its own history the same way
 * (replicationCacheMasterUsingMyself). REPLICAOF NO ONE keeps the dataset
 * and the offset, and moves the master's id to replid2
 * (shiftReplicationId), so the other replicas continue partially.
 *
 * Loading: the RDB is received whole, parsed, and only then installed over
 * the emptied dataset (repl-diskless-load is accepted as a setting; the
 * dataset is never flushed before the new one is known to be good).
 */
import net from 'node:net';
import type { ServerContext } from '../commands/context.js';
import type { Client } from '../server/client.js';
import { parseRdb, installEntries } from '../persistence/rdb/file.js';
import { rdbCreateFunctions } from '../persistence/rdb/functions.js';
import type { ReplicationHistory } from './link.js';

/** Redis's repl_state as INFO and ROLE show it. */
export type LinkState = 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';

/** How a master's reply line ends a step of the handshake. */
type LineWaiter = (line: string) => void;

export class ReplicaOf {
  state: LinkState = 'connect';
  /** the master's client once the stream flows (server.master) */
  master: Client | null = null;
  private sock: net.Socket | null = null;
  /** the history to ask PSYNC for: the master's id and our offset (the cached master), null: none */
  cached: { replid: string; offset: number; db: number } | null = null;
  /** seconds since the epoch of the last byte from the master, and when the link went down */
  lastIo = 0;
  downSince = Math.floor(Date.now() / 1000);
  /** RDB transfer: bytes expected (-1: until the EOF mark), received */
  transferSize = -1;
  transferRead = 0;
  syncInProgress = false;
  /** the link was up at least once (INFO shows -1 down-since before that) */
  everUp = false;
  private gen = 0;

  constructor(
    private readonly s: ServerContext,
    private readonly m: ReplicationHistory,
    readonly host: string,
    readonly port: number,
  ) {}

  private log(level: 'notice' | 'warning' | 'verbose', line: string): void {
    this.s.log[level](line);
  }

  /** connectWithMaster: a new attempt (after a failure, once a second from the cron). */
  connect(): void {
    if (this.state !== 'connect') return;
    const gen = ++this.gen;
    this.state = 'connecting';
    this.log('notice', `Connecting to MASTER ${this.host}:${this.port}`);
    this.log('notice', 'MASTER <-> REPLICA sync started');
    // bind-source-addr: the address our side of the link is bound to (Redis's connConnect source)
    const source = this.s.config.get('bind-source-addr');
    const sock = net.connect(source !== '' ? { host: this.host, port: this.port, localAddress: source } : { host: this.host, port: this.port });
    this.sock = sock;
    sock.setNoDelay(true);
    let pending = '';
    // who takes the next line of the handshake, and (during the transfer) the raw bytes
    const io: { waiter: LineWaiter | null; bulk: ((chunk: Buffer) => void) | null } = { waiter: null, bulk: null };
    const fail = (why: string | null): void => {
      if (gen !== this.gen) return;
      if (why !== null) this.log('warning', why);
      this.dropLink();
    };
    sock.on('error', (e) => fail(`Error condition on socket for SYNC: ${e.message}`));
    sock.on('close', () => fail(null));
    sock.on('data', (chunk: Buffer) => {
      if (gen !== this.gen) return;
      this.lastIo = Math.floor(Date.now() / 1000);
      if (io.bulk !== null) {
        io.bulk(chunk);
        return;
      }
      pending += chunk.toString('latin1');
      pump();
    });
    // hands the next complete line to the step waiting for one (a step waits, then asks for the next)
    const pump = (): void => {
      if (io.waiter === null || io.bulk !== null) return;
      const nl = pending.indexOf('\n');
      if (nl === -1) return;
      const line = pending.slice(0, nl).replace(/\r$/, '');
      pending = pending.slice(nl + 1);
      const w = io.waiter;
      io.waiter = null;
      w(line);
    };
    const send = (...argv: string[]): void => {
      let out = `*${argv.length}\r\n`;
      for (const a of argv) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
      sock.write(out, 'latin1');
    };
    const expect = (): Promise<string> =>
      new Promise((resolve) => {
        io.waiter = resolve;
        pump();
      });
    sock.on('connect', () => {
      if (gen !== this.gen) return;
      this.log('notice', 'Non blocking connect for SYNC fired the event.');
      this.state = 'handshake';
      const takeRest = (): Buffer => {
        const rest = Buffer.from(pending, 'latin1');
        pending = '';
        return rest;
      };
      void this.handshake(gen, send, expect, takeRest, (b) => {
        io.bulk = b;
        // what arrived after the line that started the transfer is the transfer's
        if (b !== null && pending.length !== 0) {
          const rest = Buffer.from(pending, 'latin1');
          pending = '';
          b(rest);
        }
      }).catch((e) => fail(`Replication handshake failed: ${(e as Error).message}`));
    });
  }

  /** syncWithMaster's steps after the connection: each sends, then waits for the master's line. */
  private async handshake(gen: number, send: (...a: string[]) => void, expect: () => Promise<string>, takeRest: () => Buffer, setBulk: (b: ((c: Buffer) => void) | null) => void): Promise<void> {
    const s = this.s;
    send('PING');
    let line = await this.nextLine(expect);
    if (gen !== this.gen) return;
    // an error about authentication still means the master is there
    if (line.startsWith('-') && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(line)) {
      this.log('warning', `Error reply to PING from master: '${line.slice(1)}'`);
      this.dropLink();
      return;
    }
    this.log('notice', 'Master replied to PING, replication can continue...');
    const auth = s.config.get('masterauth');
    if (auth !== '') {
      const user = s.config.get('masteruser');
      if (user !== '') send('AUTH', user, auth);
      else send('AUTH', auth);
      line = await this.nextLine(expect);
      if (gen !== this.gen) return;
      if (line.startsWith('-')) {
        this.log('warning', `Unable to AUTH to MASTER: ${line.slice(1)}`);
        this.dropLink();
        return;
      }
    }
    const announcedPort = s.config.getInt('replica-announce-port') || s.port;
    send('REPLCONF', 'listening-port', String(announcedPort));
    line = await this.nextLine(expect);
    if (gen !== this.gen) return;
    if (line.startsWith('-')) this.log('notice', `(Non critical) Master does not understand REPLCONF listening-port: ${line.slice(1)}`);
    const announceIp = s.config.get('replica-announce-ip');
    if (announceIp !== '') {
      send('REPLCONF', 'ip-address', announceIp);
      line = await this.nextLine(expect);
      if (gen !== this.gen) return;
      if (line.startsWith('-')) this.log('notice', `(Non critical) Master does not understand REPLCONF ip-address: ${line.slice(1)}`);
    }
    send('REPLCONF', 'capa', 'eof', 'capa', 'psync2');
    line = await this.nextLine(expect);
    if (gen !== this.gen) return;
    if (line.startsWith('-')) this.log('notice', `(Non critical) Master does not understand REPLCONF capa: ${line.slice(1)}`);
    // PSYNC: continue our history when we have one, else a full resync
    const cached = this.cached;
    if (cached !== null) {
      this.log('notice', `Trying a partial resynchronization (request ${cached.replid}:${cached.offset + 1}).`);
      send('PSYNC', cached.replid, String(cached.offset + 1));
    } else {
      this.log('notice', 'Partial resynchronization not possible (no cached master)');
      send('PSYNC', '?', '-1');
    }
    line = await this.nextLine(expect);
    if (gen !== this.gen) return;
    if (line.startsWith('+FULLRESYNC')) {
      const [, replid, off] = line.split(' ');
      this.log('notice', `Full resync from master: ${replid}:${off}`);
      this.cached = null;
      this.state = 'sync';
      this.syncInProgress = true;
      this.receiveRdb(gen, replid, Number(off), expect, setBulk);
      return;
    }
    if (line.startsWith('+CONTINUE')) {
      const newId = line.slice('+CONTINUE'.length).trim();
      this.log('notice', 'Successful partial resynchronization with master.');
      const c = cached!;
      if (newId !== '' && newId !== c.replid) {
        // the master's history continues under a new id: ours follows (PSYNC2)
        this.m.replid2 = c.replid;
        this.m.secondReplidOffset = c.offset + 1;
        s.replId = newId;
        this.log('notice', `Master replication ID changed to ${newId}`);
        // our replicas reconnect to learn it
        this.m.disconnectReplicas();
      } else s.replId = c.replid;
      this.log('notice', 'MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      setBulk(null);
      // the backlog's bytes may have come with the +CONTINUE line
      this.attachMaster(c.offset, takeRest(), c.db);
      return;
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      this.log('notice', `Master is currently unable to PSYNC but should be in the future: ${line.slice(1)}`);
    } else this.log('warning', `Unexpected reply to PSYNC from master: ${line}`);
    this.dropLink();
  }

  /** The next line that is not an empty keep-alive. */
  private async nextLine(expect: () => Promise<string>): Promise<string> {
    for (;;) {
      const l = await expect();
      if (l !== '') return l;
    }
  }

  /** readSyncBulkPayload: the RDB, then the dataset replaced, then the stream. */
  private receiveRdb(gen: number, replid: string, offset: number, expect: () => Promise<string>, setBulk: (b: ((c: Buffer) => void) | null) => void): void {
    void (async () => {
      const head = await this.nextLine(expect);
      if (gen !== this.gen) return;
      if (head.startsWith('-')) {
        this.log('warning', `MASTER aborted replication with an error: ${head.slice(1)}`);
        this.dropLink();
        return;
      }
      if (!head.startsWith('$')) {
        this.log('warning', `Bad protocol from MASTER, the first byte is not '$' (we received '${head}'), are you sure the host and port are right?`);
        this.dropLink();
        return;
      }
      let mark: string | null = null;
      if (head.startsWith('$EOF:')) {
        mark = head.slice(5);
        this.transferSize = -1;
        this.log('notice', 'MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk');
      } else {
        this.transferSize = Number(head.slice(1));
        this.log('notice', `MASTER <-> REPLICA sync: receiving ${this.transferSize} bytes from master to disk`);
      }
      this.transferRead = 0;
      const parts: Buffer[] = [];
      let tail = Buffer.alloc(0);
      const finish = (rdb: Buffer, rest: Buffer): void => {
        setBulk(() => {});
        this.loadAndStart(gen, replid, offset, rdb, rest, mark !== null);
      };
      setBulk((chunk) => {
        if (mark === null) {
          const need = this.transferSize - this.transferRead;
          if (chunk.length < need) {
            parts.push(chunk);
            this.transferRead += chunk.length;
            return;
          }
          parts.push(chunk.subarray(0, need));
          this.transferRead += need;
          finish(Buffer.concat(parts), chunk.subarray(need));
          return;
        }
        parts.push(chunk);
        this.transferRead += chunk.length;
        // the transfer ends with the mark: compare the last 40 bytes seen
        tail = Buffer.concat([tail, chunk]);
        if (tail.length > 40) tail = tail.subarray(tail.length - 40);
        if (tail.length === 40 && tail.toString('latin1') === mark) {
          const all = Buffer.concat(parts);
          finish(all.subarray(0, all.length - 40), Buffer.alloc(0));
        }
      });
    })().catch((e) => {
      this.log('warning', `Replication transfer failed: ${(e as Error).message}`);
      this.dropLink();
    });
  }

  private loadAndStart(gen: number, replid: string, offset: number, rdb: Buffer, rest: Buffer, eof: boolean): void {
    if (gen !== this.gen) return;
    const s = this.s;
    let parsed: ReturnType<typeof parseRdb>;
    try {
      parsed = parseRdb(s, rdb);
    } catch (e) {
      this.log('warning', `Failed trying to load the MASTER synchronization DB from socket: ${(e as Error).message}`);
      this.dropLink();
      return;
    }
    // our replicas must resync with us too: the history changed (replicationAttachToNewMaster)
    this.m.disconnectReplicas();
    this.log('notice', 'MASTER <-> REPLICA sync: Flushing old data');
    s.ks.emptyData();
    s.ks.dirty++;
    this.log('notice', 'MASTER <-> REPLICA sync: Loading DB in memory');
    try {
      s.functions?.flush();
      rdbCreateFunctions(s, parsed.functions, true);
      const [loaded, expired] = installEntries(s, parsed.entries, 0, parsed.entries.length, true);
      this.log('notice', `Done loading RDB, keys loaded: ${loaded}, keys expired: ${expired}.`);
    } catch (e) {
      this.log('warning', `Failed trying to load the MASTER synchronization DB from socket: ${(e as Error).message}`);
      this.dropLink();
      return;
    }
    // the master's history is ours now, from its offset
    s.replId = replid;
    this.m.clearReplid2();
    this.m.resetOffset(offset);
    this.syncInProgress = false;
    this.attachMaster(offset, rest);
    this.log('notice', 'MASTER <-> REPLICA sync: Finished with success');
    // a diskless master waits for this ACK before it streams
    if (eof) this.sendAck();
  }

  /** replicationCreateMasterClient: the connection becomes the master client, its stream run as commands. */
  private attachMaster(offset: number, rest: Buffer, db = 0): void {
    const s = this.s;
    const sock = this.sock!;
    sock.removeAllListeners('data');
    const c = s.createClient(sock);
    c.kind = 'master';
    // nor to proto-max-bulk-len: what the master sends, it had accepted
    c.parser.maxBulkLen = Number.MAX_SAFE_INTEGER;
    c.db = s.ks.dbs[db] ?? s.ks.dbs[0];
    c.authenticated = true;
    c.user = null;
    this.master = c;
    if (this.m.offset !== offset) this.m.resetOffset(offset);
    this.state = 'connected';
    this.everUp = true;
    this.m.ensureBacklog();
    sock.on('data', (chunk: Buffer) => {
      if (c.closed) return;
      this.lastIo = Math.floor(Date.now() / 1000);
      this.applyFromMaster(c, chunk);
    });
    if (rest.length !== 0) this.applyFromMaster(c, rest);
  }

  /**
   * Bytes of the master's stream: proxied to our replicas and backlog, then
   * run. The master sees its keys as they are while its commands (and what
   * they wake) run: expiry is its to decide (expireIfNeeded).
   */
  private applyFromMaster(c: Client, chunk: Buffer): void {
    const s = this.s;
    this.m.proxyFromMaster(chunk.toString('latin1'));
    s.ks.masterClientRunning = true;
    try {
      s.feedClient(c, chunk);
    } finally {
      s.ks.masterClientRunning = false;
    }
  }

  /** The offset of the stream applied so far (the master client's reploff): what was read less what is not yet run; -1 without a link. */
  appliedOffset(): number {
    const c = this.master;
    return c === null ? -1 : this.m.offset - c.parser.pendingBytes;
  }

  /** REPLCONF ACK <offset applied> to the master (replicationSendAck). */
  sendAck(exclude = 0): void {
    const c = this.master;
    if (c === null || c.closed || c.socket === null) return;
    const off = String(this.appliedOffset() - exclude);
    c.socket.write(`*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$${off.length}\r\n${off}\r\n`, 'latin1');
  }

  /** The master client is gone (freeClient): keep its history for a PSYNC (replicationCacheMaster). */
  masterFreed(c: Client): void {
    if (c !== this.master) return;
    // the stream goes on in the database it had selected: the next master client starts there
    this.cached = { replid: this.s.replId, offset: this.appliedOffset(), db: c.db.id };
    this.master = null;
    this.log('notice', 'Connection with master lost.');
    this.log('notice', 'Caching the disconnected master state.');
    this.linkDown();
  }

  private linkDown(): void {
    this.state = 'connect';
    this.syncInProgress = false;
    this.downSince = Math.floor(Date.now() / 1000);
    this.sock = null;
  }

  /** The handshake or the transfer failed: a new attempt comes from the cron. */
  private dropLink(): void {
    this.gen++;
    const sock = this.sock;
    if (this.master !== null) {
      const c = this.master;
      this.s.freeClient(c);
      return;
    }
    sock?.destroy();
    this.linkDown();
  }

  /** Stops following the master (REPLICAOF NO ONE, another master, shutdown). */
  close(): void {
    this.gen++;
    const c = this.master;
    this.master = null;
    if (c !== null) this.s.freeClient(c);
    this.sock?.destroy();
    this.sock = null;
  }

  /** replicationCron's replica part: reconnect, ACK once a second, the timeout. */
  tick(): void {
    const now = Math.floor(Date.now() / 1000);
    const timeout = this.s.config.getInt('repl-timeout');
    if ((this.state === 'connecting' || this.state === 'handshake') && now - this.lastIo > timeout && this.lastIo !== 0) {
      this.log('warning', 'Timeout connecting to the MASTER...');
      this.dropLink();
    }
    if (this.state === 'sync' && now - this.lastIo > timeout) {
      this.log('warning', "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
      this.dropLink();
    }
    if (this.state === 'connected' && this.master !== null && now - this.master.lastInteraction / 1000 > timeout) {
      this.log('warning', 'MASTER timeout: no data nor PING received...');
      this.s.freeClient(this.master);
    }
    if (this.state === 'connect') {
      this.lastIo = now;
      this.connect();
    }
    if (this.state === 'connected') this.sendAck();
  }
}
