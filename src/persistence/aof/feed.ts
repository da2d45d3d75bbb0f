/**
 * The AOF's write path (Redis's feedAppendOnlyFile and flushAppendOnlyFile,
 * aof.c): propagated commands appended to a buffer, written to the
 * incremental file being appended to, and fsynced by the appendfsync policy.
 *
 * The feed: a propagation listener (server/propagation.ts) calls append(dbId, argv) after every command
 * that changed the dataset, in its propagated form (absolute expiries, MULTI
 * … EXEC around a transaction's writes, DEL for expired keys). A SELECT is
 * emitted when the database differs from the last one written (and after a
 * new incremental file is opened), as Redis's feedAppendOnlyFile does. The
 * commands accumulate in a latin1 string (Redis's aof_buf) and are written
 * once per event-loop iteration, before any reply leaves: flush() runs from
 * the server's beforeReplies hook (the start of flushPending and of every
 * flushClient) and, for writes no reply follows (active expiry), from a
 * setImmediate. Nothing is appended while the AOF is off, nor while it is
 * being turned on before the rewrite that starts it took its cut.
 *
 * fsync policies (appendfsync):
 * - always: write + fdatasync (Redis's redis_fsync on Linux) synchronously in
 *   flush(), so every reply to a write leaves after the write is on disk; all
 *   writes of one iteration share one fdatasync. A write or fsync error exits
 *   the process, as Redis does (it cannot acknowledge writes it did not keep).
 *   bench/aof.js on the development machine: one client ~290 µs per SET
 *   (Redis 233 µs), 50 clients ~42k SET/s (Redis 62k).
 * - everysec: written every iteration; fs.fsync (libuv's thread pool, off the
 *   event loop) at most once a second; while one is in flight, writes are
 *   postponed up to 2 s as Redis does (aof_delayed_fsync counts the times it
 *   gave up waiting).
 * - no: written every iteration, never fsynced by us.
 * A write error with everysec/no keeps the buffer, records
 * aof_last_write_status:err and retries every 100 ms (the AOF's tick).
 *
 * The file appended to changes when a rewrite starts (switchIncr): the old
 * one is fsynced and closed — after the background fsync using it, if one is
 * in flight.
 */
import { closeSync, fdatasyncSync, fstatSync, fsync, ftruncateSync, writeSync } from 'node:fs';
import type { ServerContext } from '../../commands/context.js';
import { activeChildOf } from '../child.js';
import { sleepBlocking } from '../../util/sleep.js';
import { strerror } from '../../util/strerror.js';

/** The AOF's state (aof.ts): off, on, or waiting for the rewrite that turns it on. */
export type AofState = 'off' | 'on' | 'wait_rewrite';

/** What the feed reads of its AOF (aof.ts): whether it is on, and whether a rewrite runs. */
export interface FeedOwner {
  readonly state: AofState;
  readonly rewriter: { readonly job: unknown };
}

export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** Past this many bytes the feed writes its buffer at once, mid-iteration (long values come in 64 MB parts). */
const FEED_WRITE_AT = 64 * 1024 * 1024;

export class AofFeed {
  /** the incremental file being appended to (-1: none) */
  fd = -1;
  /** commands not yet written (Redis's aof_buf) */
  buf = '';
  selectedDb = -1;
  policy: FsyncPolicy = 'everysec';
  /** aof-timestamp-enabled: `#TS:<unix time>` annotations when the second changes */
  timestamps = false;
  private curTimestamp = 0;
  /** DEBUG AOF-FLUSH-SLEEP: microseconds slept before writing a non-empty buffer */
  flushSleepUs = 0;

  // sizes (INFO aof_current_size, automatic rewrite)
  /** the AOF's size: base and incrementals (Redis's aof_current_size) */
  currentSize = 0;
  /** bytes written to the current incremental file */
  lastIncrSize = 0;

  // fsync state
  lastFsync = 0;
  fsyncInFlight = false;
  private inFlightFd = -1;
  private closeAfterFsync = new Set<number>();
  /** bytes of the current incr known to be on disk */
  fsyncedSize = 0;
  flushPostponedStart = 0;
  delayedFsync = 0;

  // write errors (INFO aof_last_write_status; -MISCONF while err)
  lastWriteStatus: 'ok' | 'err' = 'ok';
  lastWriteError = '';

  private flushQueued = false;
  private readonly flushCb = (): void => {
    this.flushQueued = false;
    this.flush(false);
  };

  constructor(
    readonly s: ServerContext,
    private readonly aof: FeedOwner,
  ) {
    this.policy = s.config.get('appendfsync') as FsyncPolicy;
  }

  /** Appends one propagated command (see the header). */
  append(dbId: number, argv: string[]): void {
    // turning on: only what happens after the rewrite's cut belongs to the new AOF
    const state = this.aof.state;
    if (state === 'off' || (state === 'wait_rewrite' && this.aof.rewriter.job === null)) return;
    let s = '';
    if (this.timestamps) {
      const t = Math.floor(Date.now() / 1000);
      if (t > this.curTimestamp) {
        s += `#TS:${t}\r\n`;
        this.curTimestamp = t;
      }
    }
    if (dbId !== this.selectedDb) {
      const id = String(dbId);
      s += '*2\r\n$6\r\nSELECT\r\n$' + id.length + '\r\n' + id + '\r\n';
      this.selectedDb = dbId;
    }
    s += '*' + argv.length + '\r\n';
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      s += '$' + a.length + '\r\n' + a + '\r\n';
    }
    // a long value arrives in parts (string.ts propagateLongValue): the buffer is written before it could outgrow a JS string
    if (this.buf.length + s.length > FEED_WRITE_AT) this.flush(true);
    this.buf += s;
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flushCb);
    }
  }

  /**
   * Redis's flushAppendOnlyFile: writes the buffer to the incremental file
   * and applies the fsync policy. `force` writes even while a background
   * fsync is in flight.
   */
  flush(force: boolean): void {
    if (this.fd === -1) return;
    if (this.buf.length === 0) {
      // nothing new: everysec still syncs what an earlier write left unsynced
      if (this.policy === 'everysec' && this.fsyncedSize !== this.lastIncrSize && !this.fsyncInFlight && Date.now() - this.lastFsync >= 1000) this.backgroundFsync();
      return;
    }
    const now = Date.now();
    if (this.policy === 'everysec' && !force && this.fsyncInFlight) {
      if (this.flushPostponedStart === 0) {
        this.flushPostponedStart = now;
        return;
      }
      if (now - this.flushPostponedStart < 2000) return;
      this.delayedFsync++;
      this.s.log.notice('Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.');
    }
    this.flushPostponedStart = 0;
    if (this.flushSleepUs > 0) sleepBlocking(this.flushSleepUs / 1000);
    const data = Buffer.from(this.buf, 'latin1');
    let written = 0;
    const monitor = this.s.latency;
    const t0 = monitor.threshold !== 0 ? Date.now() : 0;
    try {
      while (written < data.length) written += writeSync(this.fd, data, written, data.length - written);
    } catch (e) {
      this.writeFailed(e as Error, written, data.length);
      return;
    }
    if (t0 !== 0) {
      // the latency monitor's AOF write events, split by what else was going on (Redis's flushAppendOnlyFile)
      const ms = Date.now() - t0;
      monitor.addSampleIfNeeded(this.fsyncInFlight ? 'aof-write-pending-fsync' : activeChildOf(this.s) !== null ? 'aof-write-active-child' : 'aof-write-alone', ms);
      monitor.addSampleIfNeeded('aof-write', ms);
    }
    this.buf = '';
    this.lastIncrSize += data.length;
    this.currentSize += data.length;
    if (this.lastWriteStatus === 'err') {
      this.s.log.warning('AOF write error looks solved, gKV can write again.');
      this.lastWriteStatus = 'ok';
    }
    if (this.policy === 'always') {
      const f0 = monitor.threshold !== 0 ? Date.now() : 0;
      try {
        fdatasyncSync(this.fd);
        if (f0 !== 0) monitor.addSampleIfNeeded('aof-fsync-always', Date.now() - f0);
      } catch (e) {
        this.s.log.warning(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${(e as Error).message}. Exiting...`);
        process.exit(1);
      }
      this.fsyncedSize = this.lastIncrSize;
      this.lastFsync = now;
    } else if (this.policy === 'everysec' && !this.fsyncInFlight && now - this.lastFsync >= 1000) {
      this.backgroundFsync();
    }
  }

  /** A failed write: undo a partial one, keep the buffer, record the error (always: exit, as Redis). */
  private writeFailed(e: Error, written: number, expected: number): void {
    const msg = strerror(e);
    if (this.lastWriteStatus === 'ok') {
      this.s.log.warning(written > 0 ? `Short write while writing to the AOF file: (nwritten=${written}, expected=${expected})` : `Error writing to the AOF file: ${msg}`);
    }
    if (written > 0) {
      try {
        ftruncateSync(this.fd, this.lastIncrSize);
      } catch {
        // could not remove the partial command: count it as written and keep the rest
        this.buf = this.buf.slice(written);
        this.lastIncrSize += written;
        this.currentSize += written;
      }
    }
    if (this.policy === 'always') {
      this.s.log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
      process.exit(1);
    }
    this.lastWriteStatus = 'err';
    this.lastWriteError = msg;
  }

  /** fsync off the event loop (libuv thread pool), as Redis's bio fsync. */
  private backgroundFsync(): void {
    const fd = this.fd;
    const upto = this.lastIncrSize;
    this.fsyncInFlight = true;
    this.inFlightFd = fd;
    this.lastFsync = Date.now();
    fsync(fd, (err) => {
      this.fsyncInFlight = false;
      this.inFlightFd = -1;
      if (err) this.s.log.warning(`Error fsyncing the AOF file: ${err.message}`);
      else if (fd === this.fd) this.fsyncedSize = upto;
      if (this.closeAfterFsync.delete(fd)) closeSync(fd);
    });
  }

  /** Closes a file descriptor, after the background fsync using it if there is one. */
  closeFd(fd: number): void {
    if (fd === -1) return;
    if (this.fsyncInFlight && this.inFlightFd === fd) this.closeAfterFsync.add(fd);
    else closeSync(fd);
  }

  /**
   * Writes the buffer and fsyncs synchronously (shutdown, turning off).
   * Returns false when something stayed unwritten or the fsync failed (logged).
   */
  flushAndSync(): boolean {
    if (this.fd === -1) return true;
    this.flush(true);
    let ok = this.buf.length === 0;
    try {
      fdatasyncSync(this.fd);
      this.fsyncedSize = this.lastIncrSize;
    } catch (e) {
      this.s.log.warning(`Fail to fsync the AOF file: ${strerror(e)}.`);
      ok = false;
    }
    return ok;
  }

  /** Makes fd the file appended to; the previous one is fsynced (unless policy no) and closed. */
  switchIncr(fd: number): void {
    const old = this.fd;
    if (old !== -1 && this.policy !== 'no') {
      try {
        fdatasyncSync(old);
      } catch {
        /* the old incr stays in the manifest; its tail is as safe as the policy made it */
      }
    }
    this.closeFd(old);
    this.fd = fd;
    this.curTimestamp = 0; // a new file opens with its #TS annotation
    this.lastIncrSize = fstatSync(fd).size;
    this.fsyncedSize = this.lastIncrSize;
  }
}
