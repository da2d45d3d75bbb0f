/**
 * The master side of replication (Redis's replication.c, "MASTER" part):
 * replicas attach with SYNC or PSYNC, get the dataset as an RDB, then the
 * stream of every write, as Redis 7.0 sends them, so a real Redis replica
 * (or redis-cli --replica / --rdb, or a gKV replica) follows a gKV master.
 *
 * The stream. Once a replica has attached, a propagation listener
 * (server/propagation.ts) encodes every propagated command as RESP — with a
 * SELECT when the database differs from the stream's (slaveseldb) — appends
 * it to the backlog and counts it into master_repl_offset at once (so a
 * SYNC in the same event gets the right offset), and hands it to the
 * replicas once per event (before the replies leave, or from a
 * setImmediate when no reply follows): online replicas get it on their
 * socket; replicas waiting for their RDB keep it, in order, until their RDB
 * has been sent. Pending bytes are always handed out before the set of
 * replicas or their states change, so no replica gets a byte twice or
 * misses one.
 *
 * Full sync (syncCommand → startBgsaveForReplication): the RDB comes from a
 * BGSAVE — the server's fork-less snapshot walked into a child that writes
 * dump.rdb — whose cut is taken synchronously when it starts, so the offset
 * sent in +FULLRESYNC is exactly the stream position of the cut. When it
 * ends, the file is sent as `$<size>\r\n<bytes>` (disk target) and the
 * replica goes online with what it kept meanwhile. Replicas that attach
 * while that BGSAVE runs share it (their kept stream copied from one that
 * started with it); others wait for the next one, started when the child is
 * gone. `repl-diskless-sync` is honoured as a disk target: the replica gets
 * the same bytes (see docs/ARCHITECTURE.md, Replication).
 *
 * Partial resync (masterTryPartialResynchronization): PSYNC with our
 * replication id (or the previous one up to second_repl_offset) and an
 * offset the backlog still covers gets +CONTINUE and the bytes from there.
 *
 * Replies to a replica's own commands (REPLCONF ACK has none) are not sent:
 * its connection carries the stream only, as Redis's.
 */
import { openSync, fstatSync, closeSync, createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ServerContext } from '../commands/context.js';
import type { Client } from '../server/client.js';
import { ReplBacklog } from './backlog.js';
import { PROPAGATE_ALL, PROPAGATE_REPL } from '../server/propagation.js';
import { Err } from '../protocol/errors.js';
import { DisklessSync } from './diskless.js';
import { CAPA_EOF, CAPA_PSYNC2, ReplicaLink, sendToReplica } from './link.js';
import { ReplicaOf } from './replica.js';
import { rdbStateOf } from '../persistence/rdb/index.js';
import { rdbPath } from '../persistence/rdb/file.js';

function encodeCommand(argv: string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

export class ReplicationMaster {
  /** the replication id's second form (replid2) and how far it is valid */
  replid2 = '0000000000000000000000000000000000000000';
  secondReplidOffset = -1;
  /** master_repl_offset: bytes of stream produced since the history began */
  offset = 0;
  backlog: ReplBacklog | null = null;
  /** attached replicas, in attach order (server.slaves) */
  readonly replicas: ReplicaLink[] = [];
  private readonly byClient = new Map<Client, ReplicaLink>();
  /** the database the stream last selected (-1: the next command emits a SELECT) */
  private seldb = -1;
  /** stream produced in this event, not yet handed to the replicas */
  private pending = '';
  private flushQueued = false;
  private removeListener: (() => void) | null = null;
  /** when the last replica left (s), for repl-backlog-ttl */
  noReplicasSince = Math.floor(Date.now() / 1000);
  private cronLoops = 0;
  private timer: NodeJS.Timeout | null = null;
  /** clients blocked in WAIT */
  readonly waiting = new Set<Client>();

  constructor(private readonly s: ServerContext) {}

  get replid(): string {
    return this.s.replId;
  }

  /** the master this server replicates (REPLICAOF), null while it is a master */
  upstream: ReplicaOf | null = null;

  linkOf(c: Client): ReplicaLink | undefined {
    return this.byClient.get(c);
  }

  /** How a replica is named in the log (replicationGetSlaveName). */
  nameOf(r: ReplicaLink): string {
    const ip = r.announcedIp !== '' ? r.announcedIp : peerIp(r.c.addr);
    if (ip === '') return `client id #${r.c.id}`;
    const host = ip.includes(':') ? `[${ip}]` : ip;
    return r.listeningPort !== 0 ? `${host}:${r.listeningPort}` : `${host}:<unknown-replica-port>`;
  }

  // ------------------------------------------------------------ the stream

  /** The propagation listener: one write into the stream (replicationFeedSlaves). */
  private readonly feed = (dbId: number, argv: string[], targets = PROPAGATE_ALL): void => {
    // a replica's stream is its master's, proxied byte for byte (proxyFromMaster); what is for the AOF only stays out
    if (this.upstream !== null || (targets & PROPAGATE_REPL) === 0) return;
    this.feedCommand(dbId, argv);
  };

  /** One command into the stream, with the SELECT it needs. */
  private feedCommand(dbId: number, argv: string[]): void {
    let str = '';
    if (dbId !== this.seldb) {
      str = `*2\r\n$6\r\nSELECT\r\n$${String(dbId).length}\r\n${dbId}\r\n`;
      this.seldb = dbId;
    }
    str += encodeCommand(argv);
    this.append(str);
  }

  /** The master's stream, as read: counted, kept in the backlog, proxied to our replicas (replicationFeedStreamFromMasterStream). */
  proxyFromMaster(str: string): void {
    this.append(str);
  }

  /** Bytes into the stream: the backlog, the offset, and the replicas (at the end of the event). */
  private append(str: string): void {
    this.offset += str.length;
    this.backlog?.add(str, this.offset);
    // the client whose command this is remembers where its writes end (WAIT's target)
    const c = this.s.currentClient;
    if (c !== null) c.woff = this.offset;
    if (this.replicas.length === 0) return;
    this.pending += str;
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flush);
    }
  }

  /** Hands the event's stream to the replicas: online ones get it now, the others keep it. */
  readonly flush = (): void => {
    this.flushQueued = false;
    const out = this.pending;
    if (out === '') return;
    this.pending = '';
    for (const r of [...this.replicas]) {
      if (r.state === 'wait_bgsave_start') continue;
      if (r.state === 'online' && !r.putOnlineOnAck) this.write(r, out);
      else {
        r.held.push(out);
        r.heldBytes += out.length;
        this.checkLimit(r);
      }
    }
  };

  private write(r: ReplicaLink, data: string | Buffer): void {
    sendToReplica(this.s.stats, r, data);
    this.checkLimit(r);
  }

  /** The replica class's client-output-buffer-limit over what it has not taken yet (held + unsent). */
  private checkLimit(r: ReplicaLink): void {
    const c = r.c;
    if (c.closed) return;
    this.s.overOutputLimit(c, r.heldBytes + (c.socket?.writableLength ?? 0));
  }

  /** The stream starts being recorded (the first replica): backlog and listener. */
  private createBacklog(): void {
    // a new history: a new replication id, no previous one (syncCommand)
    this.s.replId = randomBytes(20).toString('hex');
    this.clearReplid2();
    this.ensureBacklog();
    this.s.log.notice(`Replication backlog created, my new replication IDs are '${this.s.replId}' and '${this.replid2}'`);
  }

  /** The backlog and the stream's listener exist (a replica keeps a backlog from its first sync, to serve its own replicas after a failover). */
  ensureBacklog(): void {
    if (this.backlog === null) this.backlog = new ReplBacklog(this.backlogSize(), this.offset);
    if (this.removeListener === null) this.removeListener = this.s.propagation.add(this.feed);
  }

  /** A replica took its master's history from `offset` on: an empty backlog from there. */
  resetOffset(offset: number): void {
    this.offset = offset;
    this.seldb = -1;
    if (this.backlog !== null) this.backlog = new ReplBacklog(this.backlogSize(), offset);
  }

  /** disconnectSlaves: every replica reconnects (our history changed). */
  disconnectReplicas(): void {
    for (const r of [...this.replicas]) this.s.freeClient(r.c);
  }

  private backlogSize(): number {
    return Math.max(16 * 1024, Number(this.s.config.get('repl-backlog-size')));
  }

  /** CONFIG SET repl-backlog-size */
  resizeBacklog(): void {
    this.backlog?.resize(this.backlogSize(), this.offset);
  }

  clearReplid2(): void {
    this.replid2 = '0000000000000000000000000000000000000000';
    this.secondReplidOffset = -1;
  }

  // ------------------------------------------------------------ SYNC / PSYNC

  /** SYNC and PSYNC (syncCommand). */
  sync(c: Client, argv: string[]): void {
    // a replica asking again is ignored
    if (c.kind === 'replica') return;
    if (c.outBytes !== 0) {
      c.addError('ERR SYNC and PSYNC are invalid with pending output');
      return;
    }
    const psync = argv[0].toLowerCase() === 'psync';
    // what it announced with REPLCONF before asking
    const probe = this.preLinks.get(c) ?? new ReplicaLink(c);
    this.preLinks.delete(c);
    // a filtered RDB is only ever made over the socket (not as the server's RDB file)
    if (probe.excludeData && !(probe.capa & CAPA_EOF)) {
      c.addError('ERR Filtered replica requires EOF capability');
      return;
    }
    this.s.log.notice(`Replica ${this.nameOf(probe)} asks for synchronization`);
    if (psync) {
      if (this.tryPartial(probe, argv[1], argv[2])) {
        this.s.stats.syncPartialOk++;
        return;
      }
      if (argv[1] !== '?') this.s.stats.syncPartialErr++;
    } else probe.prePsync = true;
    this.s.stats.syncFull++;
    // the client becomes a replica, waiting for a BGSAVE to start
    this.flush();
    c.kind = 'replica';
    this.attach(probe);
    if (this.replicas.length === 1 && this.backlog === null) this.createBacklog();
    const rdb = rdbStateOf(this.s);
    const active = this.s.children.active;
    if (active !== null && rdb?.bg === active) {
      // a BGSAVE to disk runs: share it when another replica records the stream since its cut
      const other = this.replicas.find((r) => r.state === 'wait_bgsave_end');
      if (other !== undefined && (probe.capa & other.capa) === other.capa) {
        probe.held = [...other.held];
        probe.heldBytes = other.heldBytes;
        this.setupFullResync(probe, other.initialOffset);
        this.s.log.notice('Waiting for end of BGSAVE for SYNC');
      } else this.s.log.notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
    } else if (active instanceof DisklessSync) {
      this.s.log.notice('Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC');
    } else if (this.diskless() && probe.capa & CAPA_EOF && this.s.config.getInt('repl-diskless-sync-delay') > 0) {
      // the cron starts it after the delay, for the replicas that come meanwhile
      this.s.log.notice('Delay next BGSAVE for diskless SYNC');
    } else if (active === null) this.startBgsaveForReplication();
    else this.s.log.notice('No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed');
  }

  private diskless(): boolean {
    return this.s.config.getBool('repl-diskless-sync');
  }

  private attach(r: ReplicaLink): void {
    r.ackTime = nowSec();
    this.replicas.push(r);
    this.byClient.set(r.c, r);
  }

  /** masterTryPartialResynchronization: true when the replica continues from its offset. */
  private tryPartial(r: ReplicaLink, replid: string, offArg: string): boolean {
    const s = this.s;
    const off = /^-?\d+$/.test(offArg) ? Number(offArg) : Number.NaN;
    if (Number.isNaN(off)) return false;
    const rid = replid.toLowerCase();
    if (rid !== this.replid && (rid !== this.replid2 || off > this.secondReplidOffset)) {
      if (replid[0] !== '?') {
        if (rid !== this.replid && rid !== this.replid2)
          s.log.notice(`Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${this.replid}' and '${this.replid2}')`);
        else s.log.notice(`Partial resynchronization not accepted: Requested offset for second ID was ${off}, but I can reply up to ${this.secondReplidOffset}`);
      } else s.log.notice(`Full resync requested by replica ${this.nameOf(r)}`);
      return false;
    }
    if (this.backlog === null || !this.backlog.covers(off)) {
      s.log.notice(`Unable to partial resync with replica ${this.nameOf(r)} for lack of backlog (Replica request was: ${off}).`);
      if (off > this.offset) s.log.warning(`Warning: replica ${this.nameOf(r)} tried to PSYNC with an offset that is greater than the master replication offset.`);
      return false;
    }
    // it continues: what this event produced goes to the others first, then it joins online
    this.flush();
    r.c.kind = 'replica';
    r.state = 'online';
    r.ackTime = nowSec();
    this.attach(r);
    const sock = r.c.socket;
    if (sock !== null) sock.write(r.capa & CAPA_PSYNC2 ? `+CONTINUE ${this.replid}\r\n` : '+CONTINUE\r\n', 'latin1');
    let sent = 0;
    for (const b of this.backlog.readFrom(off)) {
      this.write(r, b);
      sent += b.length;
    }
    s.log.notice(`Partial resynchronization request from ${this.nameOf(r)} accepted. Sending ${sent} bytes of backlog starting from offset ${off}.`);
    return true;
  }

  /** replicationSetupSlaveForFullResync: from here it keeps the stream; PSYNC replicas are told where it starts. */
  private setupFullResync(r: ReplicaLink, offset: number): void {
    r.initialOffset = offset;
    r.state = 'wait_bgsave_end';
    // the stream re-selects its database for the new replica
    this.seldb = -1;
    if (!r.prePsync) r.c.socket?.write(`+FULLRESYNC ${this.replid} ${offset}\r\n`, 'latin1');
  }

  /**
   * startBgsaveForReplication: an RDB for the replicas waiting for one — to
   * their sockets when diskless sync is on and all of them take the EOF
   * form, else a BGSAVE to disk.
   */
  private startBgsaveForReplication(): boolean {
    const s = this.s;
    // one RDB serves the replicas that want the same one (all keys, or the functions only)
    const first = this.replicas.find((r) => r.state === 'wait_bgsave_start');
    if (first === undefined) return false;
    const waiting = this.replicas.filter((r) => r.state === 'wait_bgsave_start' && r.excludeData === first.excludeData);
    let mincapa = -1;
    for (const r of waiting) mincapa &= r.capa;
    const socketTarget = first.excludeData || (this.diskless() && (mincapa & CAPA_EOF) !== 0);
    s.log.notice(`Starting BGSAVE for SYNC with target: ${socketTarget ? 'replicas sockets' : 'disk'}`);
    this.flush();
    if (socketTarget) {
      // +FULLRESYNC first, then the $EOF: frame the walk writes
      for (const r of waiting) this.setupFullResync(r, this.offset);
      const job = new DisklessSync(s, waiting, first.excludeData, (ok, j) => this.disklessDone(ok, j));
      s.children.totalForks++;
      s.log.notice(`Background RDB transfer started by pid ${job.pid}`);
      return true;
    }
    const rdb = rdbStateOf(s);
    const ok = rdb !== undefined && rdb.startBackground();
    if (!ok) {
      s.log.warning('BGSAVE for replication failed');
      for (const r of waiting) {
        this.detach(r);
        r.c.kind = 'normal';
        r.c.addError("ERR BGSAVE failed, replication can't continue");
        r.c.closeAfterReply = true;
        s.markPending(r.c);
      }
      return false;
    }
    for (const r of waiting) this.setupFullResync(r, this.offset);
    return true;
  }

  /** The diskless transfer ended: its replicas are online once they ACK (updateSlavesWaitingBgsave, socket target). */
  private disklessDone(ok: boolean, job: DisklessSync): void {
    const s = this.s;
    if (ok) s.log.notice('Background RDB transfer terminated with success');
    else s.log.warning('Background transfer error');
    this.flush();
    for (const r of job.targets) {
      if (this.byClient.get(r.c) !== r || r.state !== 'wait_bgsave_end') continue;
      if (!ok) {
        s.log.warning('SYNC failed. BGSAVE child returned an error');
        s.freeClient(r.c);
        continue;
      }
      s.log.notice(`Streamed RDB transfer with replica ${this.nameOf(r)} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming`);
      r.state = 'online';
      r.putOnlineOnAck = true;
      r.ackTime = nowSec();
    }
    if (this.replicas.some((r) => r.state === 'wait_bgsave_start')) this.startPendingFork();
  }

  /** updateSlavesWaitingBgsave: a BGSAVE to disk ended; its replicas get the file, waiting ones a new BGSAVE. */
  bgsaveDone(ok: boolean): void {
    const s = this.s;
    let start = false;
    this.flush();
    for (const r of [...this.replicas]) {
      if (r.state === 'wait_bgsave_start') start = true;
      else if (r.state === 'wait_bgsave_end') {
        if (!ok) {
          s.log.warning('SYNC failed. BGSAVE child returned an error');
          s.freeClient(r.c);
          continue;
        }
        this.sendBulk(r);
      }
    }
    if (start && s.children.active === null) this.startBgsaveForReplication();
  }

  /** sendBulkToSlave: `$<size>\r\n` and the RDB file, then online. */
  private sendBulk(r: ReplicaLink): void {
    const s = this.s;
    let fd: number;
    let size: number;
    try {
      fd = openSync(rdbPath(s), 'r');
      size = fstatSync(fd).size;
    } catch (e) {
      s.log.warning(`SYNC failed. Can't open/stat DB after BGSAVE: ${(e as Error).message}`);
      s.freeClient(r.c);
      return;
    }
    r.state = 'send_bulk';
    const sock = r.c.socket;
    if (sock === null) {
      closeSync(fd);
      return;
    }
    this.write(r, `$${size}\r\n`);
    const rs = createReadStream('', { fd, highWaterMark: 1 << 20 });
    rs.on('data', (chunk) => {
      if (r.c.closed) {
        rs.destroy();
        return;
      }
      const b = chunk as Buffer;
      s.stats.netReplOutput += b.length;
      s.stats.netOutput += b.length;
      r.c.totNetOut += b.length;
      if (!sock.write(b)) {
        rs.pause();
        sock.once('drain', () => rs.resume());
      }
    });
    rs.on('error', (e) => {
      s.log.warning(`Read error sending DB to replica: ${e.message}`);
      s.freeClient(r.c);
    });
    rs.on('end', () => {
      if (!r.c.closed && this.byClient.get(r.c) === r) this.putOnline(r);
    });
  }

  /** putSlaveOnline: the RDB is sent; what it kept follows, then the live stream. */
  private putOnline(r: ReplicaLink): void {
    this.flush();
    r.state = 'online';
    r.putOnlineOnAck = false;
    r.ackTime = nowSec();
    const held = r.held;
    r.held = [];
    r.heldBytes = 0;
    for (const h of held) this.write(r, h);
    this.s.log.notice(`Synchronization with replica ${this.nameOf(r)} succeeded`);
  }

  /** A replica's client is gone (freeClient). */
  clientFreed(c: Client): void {
    if (c.kind === 'master') this.upstream?.masterFreed(c);
    this.preLinks.delete(c);
    this.waiting.delete(c);
    const r = this.byClient.get(c);
    if (r === undefined) return;
    this.s.log.warning(`Connection with replica ${this.nameOf(r)} lost.`);
    this.detach(r);
  }

  private detach(r: ReplicaLink): void {
    this.flush();
    const i = this.replicas.indexOf(r);
    if (i !== -1) this.replicas.splice(i, 1);
    this.byClient.delete(r.c);
    if (this.replicas.length === 0) this.noReplicasSince = nowSec();
  }

  // ------------------------------------------------------------ REPLCONF

  /** REPLCONF's settings given before SYNC (the client is no replica yet). */
  private readonly preLinks = new Map<Client, ReplicaLink>();

  /** REPLCONF <option> <value> ... (replconfCommand); false: no reply (ACK, GETACK). */
  replconf(c: Client, argv: string[]): void {
    if (argv.length % 2 === 0) {
      c.addError(Err.syntax().resp);
      return;
    }
    let r = this.byClient.get(c);
    for (let j = 1; j < argv.length; j += 2) {
      const opt = argv[j].toLowerCase();
      const val = argv[j + 1];
      if (opt === 'ack') {
        // the offset a replica processed: no reply
        if (r === undefined) return;
        if (!/^-?\d+$/.test(val)) return;
        const off = Number(val);
        if (off > r.ackOffset) r.ackOffset = off;
        r.ackTime = nowSec();
        if (r.putOnlineOnAck && r.state === 'online') this.putOnline(r);
        this.ackReceived();
        return;
      }
      if (opt === 'getack') {
        // our master asks where we are: the ACK leaves now, counting up to (not including) this command
        const u = this.upstream;
        if (u !== null && c === u.master) u.sendAck(encodeCommand(argv).length);
        return;
      }
      if (r === undefined) {
        r = this.preLinks.get(c) ?? new ReplicaLink(c);
        this.preLinks.set(c, r);
      }
      if (opt === 'listening-port') {
        if (!/^-?\d+$/.test(val)) {
          c.addError(Err.notInteger().resp);
          return;
        }
        r.listeningPort = Number(val);
      } else if (opt === 'ip-address') {
        if (val.length >= 46) {
          c.addError(`ERR REPLCONF ip-address provided by replica instance is too long: ${val.length} bytes`);
          return;
        }
        r.announcedIp = val;
      } else if (opt === 'capa') {
        if (val.toLowerCase() === 'eof') r.capa |= CAPA_EOF;
        else if (val.toLowerCase() === 'psync2') r.capa |= CAPA_PSYNC2;
      } else if (opt === 'rdb-filter-only') {
        // the one include filter Redis 7.0 knows: functions ("" clears it)
        const filters = val.split(' ').filter((f) => f !== '');
        for (const f of filters) {
          if (f.toLowerCase() !== 'functions') {
            c.addError(`ERR Unsupported rdb-filter-only option: ${f}`);
            return;
          }
        }
        r.excludeData = filters.length !== 0;
      } else if (opt === 'rdb-only') {
        if (val !== '0' && val !== '1') {
          c.addError(Err.notInteger().resp);
          return;
        }
      } else {
        c.addError(`ERR Unrecognized REPLCONF option: ${argv[j]}`);
        return;
      }
    }
    c.addOK();
  }

  // ------------------------------------------------------------ REPLICAOF

  /** replicationSetMaster: follow host:port (the dataset will be replaced by the master's). */
  setMaster(host: string, port: number, by: string | null): void {
    const s = this.s;
    s.config.noteState('replicaof', `${host} ${port}`);
    const wasMaster = this.upstream === null;
    const prev = this.upstream;
    prev?.close();
    // clients blocked on keys would be served by a dataset that is about to change
    s.blocking.unblockAll('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
    this.flush();
    const u = new ReplicaOf(s, this, host, port);
    // continue our own history with the new master when it has it (replicationCacheMasterUsingMyself)
    u.cached = wasMaster ? { replid: s.replId, offset: this.offset, db: Math.max(0, this.seldb) } : prev!.cached;
    this.upstream = u;
    s.ks.noExpireDeletes = true;
    if (by !== null) {
      s.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${by}')`);
      u.connect();
    }
  }

  /** replicationUnsetMaster (REPLICAOF NO ONE): a master again, its history continuing under a new id. */
  unsetMaster(by: string): void {
    const s = this.s;
    const u = this.upstream;
    if (u === null) return;
    if (u.master !== null) this.offset = u.appliedOffset();
    u.close();
    this.upstream = null;
    s.config.noteState('replicaof', '');
    s.ks.noExpireDeletes = false;
    // shiftReplicationId: replicas of the old master continue with us partially
    this.replid2 = s.replId;
    this.secondReplidOffset = this.offset + 1;
    s.replId = randomBytes(20).toString('hex');
    s.log.warning(`Setting secondary replication ID to ${this.replid2}, valid up to offset: ${this.secondReplidOffset}. New replication ID is ${s.replId}`);
    // our replicas learn the new id by reconnecting (+CONTINUE <newid>)
    this.disconnectReplicas();
    this.seldb = -1;
    s.log.notice(`MASTER MODE enabled (user request from '${by}')`);
  }

  // ------------------------------------------------------------ WAIT

  /** Replicas online that acknowledged at least `offset` (replicationCountAcksByOffset). */
  countAcked(offset: number): number {
    let n = 0;
    for (const r of this.replicas) if (r.state === 'online' && r.ackOffset >= offset) n++;
    return n;
  }

  /** An ACK arrived: WAITing clients whose count is reached are answered. */
  private ackReceived(): void {
    for (const c of [...this.waiting]) this.s.blocking.serveNow(c);
  }

  /** REPLCONF GETACK * into the stream, once per event while clients WAIT (beforeSleep's get_ack_from_slaves). */
  private getAckQueued = false;
  requestAcks(): void {
    if (this.getAckQueued || this.replicas.length === 0) return;
    this.getAckQueued = true;
    setImmediate(() => {
      this.getAckQueued = false;
      if (this.replicas.length === 0) return;
      this.feedCommand(this.seldb, ['REPLCONF', 'GETACK', '*']);
      this.flush();
    });
  }

  // ------------------------------------------------------------ cron

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (e) {
        this.s.log.warning(`BUG: replication cron failed: ${(e as Error)?.stack ?? e}`);
      }
    }, 100);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.removeListener?.();
    this.removeListener = null;
  }

  /** Every 100 ms: the pending BGSAVE for waiting replicas; once a second, replicationCron's master part. */
  private tick(): void {
    const s = this.s;
    this.startPendingFork();
    if (++this.cronLoops % 10 !== 0) return;
    this.upstream?.tick();
    const secs = this.cronLoops / 10;
    const now = nowSec();
    if (this.upstream === null && this.replicas.length !== 0 && secs % s.config.getInt('repl-ping-replica-period') === 0 && !s.clientsPaused) {
      // a PING in the stream, in the database it is at (no SELECT)
      this.feedCommand(this.seldb, ['PING']);
      this.flush();
    }
    // replicas waiting for their RDB get a newline a second, so they see the link is alive
    // (not while an RDB goes over their sockets: the newline would land inside it)
    const socketTarget = s.children.active instanceof DisklessSync;
    for (const r of this.replicas) {
      if (r.state === 'wait_bgsave_start' || (r.state === 'wait_bgsave_end' && !socketTarget)) r.c.socket?.write('\n');
    }
    const timeout = s.config.getInt('repl-timeout');
    for (const r of [...this.replicas]) {
      if (r.state !== 'online' || r.prePsync) continue;
      if (now - r.ackTime > timeout) {
        s.log.warning(`Disconnecting timedout replica (streaming sync): ${this.nameOf(r)}`);
        s.freeClient(r.c);
      }
    }
    const ttl = s.config.getInt('repl-backlog-ttl');
    if (this.upstream === null && this.backlog !== null && this.replicas.length === 0 && ttl !== 0 && now - this.noReplicasSince > ttl) {
      // a new history: nobody can continue from this one any more
      this.s.replId = randomBytes(20).toString('hex');
      this.clearReplid2();
      this.backlog = null;
      this.removeListener?.();
      this.removeListener = null;
      s.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
  }

  /** replicationStartPendingFork: replicas waiting for a BGSAVE get one once no child runs (after the diskless delay). */
  private startPendingFork(): void {
    if (this.s.children.active !== null) return;
    let waiting = 0;
    let maxIdle = 0;
    const now = Date.now();
    for (const r of this.replicas) {
      if (r.state !== 'wait_bgsave_start') continue;
      waiting++;
      maxIdle = Math.max(maxIdle, Math.floor((now - r.c.lastInteraction) / 1000));
    }
    if (waiting === 0) return;
    const maxReplicas = this.s.config.getInt('repl-diskless-sync-max-replicas');
    if (!this.diskless() || (maxReplicas > 0 && waiting >= maxReplicas) || maxIdle >= this.s.config.getInt('repl-diskless-sync-delay')) this.startBgsaveForReplication();
  }

  // ------------------------------------------------------------ reports

  /** INFO replication's slaveN lines and ROLE's entries: [ip, port, state, ackOffset, lag]. */
  describe(): { ip: string; port: number; state: string; offset: number; lag: number; online: boolean }[] {
    const now = nowSec();
    const out: { ip: string; port: number; state: string; offset: number; lag: number; online: boolean }[] = [];
    for (const r of this.replicas) {
      const ip = r.announcedIp !== '' ? r.announcedIp : peerIp(r.c.addr);
      if (ip === '') continue;
      const state = r.state === 'online' ? 'online' : r.state === 'send_bulk' ? 'send_bulk' : 'wait_bgsave';
      out.push({ ip, port: r.listeningPort, state, offset: r.ackOffset, lag: now - r.ackTime, online: r.state === 'online' });
    }
    return out;
  }

  /** Replicas online with a lag of at most min-replicas-max-lag (refreshGoodSlavesCount). */
  goodReplicas(): number {
    const maxLag = this.s.config.getInt('min-replicas-max-lag');
    const now = nowSec();
    let n = 0;
    for (const r of this.replicas) if (r.state === 'online' && now - r.ackTime <= maxLag) n++;
    return n;
  }
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

/** The IP of "ip:port" (IPv6 addresses keep their colons). */
function peerIp(addr: string): string {
  const i = addr.lastIndexOf(':');
  return i === -1 ? '' : addr.slice(0, i);
}
