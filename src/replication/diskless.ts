/**
 * Diskless full sync (Redis's rdbSaveToSlavesSockets, `repl-diskless-sync
 * yes` for replicas that announced `capa eof`): the RDB goes straight from
 * the fork-less snapshot to the replicas' sockets, framed as
 * `$EOF:<40 random chars>\r\n<rdb bytes><the same 40 chars>`, with no file.
 *
 * Where Redis forks a child that writes to a pipe the parent relays, gKV
 * walks its snapshot (persistence/snapshot.ts) in event-loop slices while
 * the server keeps serving, pausing while a replica's socket is full (the
 * slowest replica sets the pace, as Redis's pipe does) and honouring
 * rdb-key-save-delay (one key, then a timer). It counts as the server's RDB
 * child meanwhile (INFO, BGSAVE's "already in progress").
 */
import { randomBytes } from 'node:crypto';
import type { ServerContext } from '../commands/context.js';
import type { ActiveChild } from '../server/children.js';
import { Snapshot } from '../persistence/snapshot.js';
import { RdbImage } from '../persistence/rdb/file.js';
import { memoryUsageOf } from '../keyspace/object-size.js';
import { sendToReplica, type ReplicaLink } from './link.js';

/** event-loop time a slice of the walk may take */
const SLICE_MS = 2;

export class DisklessSync implements ActiveChild {
  readonly type = 'rdb' as const;
  /** no process of its own: the walk runs in the server (INFO shows the server's pid as Redis shows its child's) */
  readonly pid = process.pid;
  readonly targets: ReplicaLink[];
  private readonly mark = randomBytes(20).toString('hex');
  private readonly img: RdbImage;
  private readonly snap: Snapshot<unknown>;
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;
  private waitingDrain = false;
  private ended = false;

  constructor(
    private readonly s: ServerContext,
    targets: ReplicaLink[],
    /** the RDB holds the functions only (REPLCONF rdb-filter-only functions) */
    private readonly excludeData: boolean,
    private readonly done: (ok: boolean, job: DisklessSync) => void,
  ) {
    this.targets = targets;
    for (const r of targets) this.send(r, `$EOF:${this.mark}\r\n`);
    this.img = new RdbImage(s, (b) => this.sendAll(b), { aofBase: false });
    this.snap = new Snapshot<unknown>(s.ks, this.img, (key, value) => memoryUsageOf(key, value, 5), true);
    s.children.active = this;
    this.schedule();
  }

  private live(): ReplicaLink[] {
    return this.targets.filter((r) => !r.c.closed && r.c.socket !== null);
  }

  private send(r: ReplicaLink, data: string | Buffer): void {
    sendToReplica(this.s.stats, r, data);
  }

  private sendAll(b: Buffer): void {
    for (const r of this.live()) this.send(r, b);
  }

  private schedule(): void {
    if (this.immediate !== null || this.timer !== null || this.ended) return;
    this.immediate = setImmediate(() => {
      this.immediate = null;
      this.walk();
    });
  }

  private walk(): void {
    if (this.ended) return;
    const live = this.live();
    if (live.length === 0) {
      // every replica went away: nothing to send to (Redis's child dies on the closed pipe)
      this.finish(false);
      return;
    }
    // the slowest replica sets the pace: wait until its socket takes more
    const full = live.find((r) => r.c.socket!.writableNeedDrain);
    if (full !== undefined) {
      if (!this.waitingDrain) {
        this.waitingDrain = true;
        const resume = (): void => {
          this.waitingDrain = false;
          full.c.socket!.off('close', resume);
          full.c.socket!.off('drain', resume);
          this.schedule();
        };
        full.c.socket!.once('drain', resume);
        full.c.socket!.once('close', resume);
      }
      return;
    }
    this.s.flushPending();
    const delayUs = this.s.config.getInt('rdb-key-save-delay');
    let complete: boolean;
    try {
      if (this.excludeData) {
        this.snap.finish();
        complete = true;
      } else complete = delayUs > 0 ? this.snap.step(SLICE_MS, 1) : this.snap.step(SLICE_MS);
      if (complete) this.img.end();
      else this.img.drain();
    } catch (e) {
      this.s.log.warning(`BUG: the diskless sync's walk failed: ${(e as Error)?.stack ?? e}`);
      this.finish(false);
      return;
    }
    if (complete) {
      for (const r of this.live()) this.send(r, this.mark);
      this.finish(true);
      return;
    }
    if (delayUs > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.walk();
      }, delayUs / 1000);
    } else this.schedule();
  }

  /** Stops the transfer (the replicas' links are closed by the caller). */
  kill(): void {
    this.finish(false);
  }

  private finish(ok: boolean): void {
    if (this.ended) return;
    this.ended = true;
    if (this.immediate !== null) clearImmediate(this.immediate);
    if (this.timer !== null) clearTimeout(this.timer);
    this.snap.finish();
    if (this.s.children.active === this) this.s.children.active = null;
    this.done(ok, this);
  }
}
