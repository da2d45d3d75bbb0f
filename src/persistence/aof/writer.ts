/**
 * The append-only file (Redis 7.0's multi-part AOF, aof.c): the feed of
 * propagated writes, the fsync policies, the rewrite, turning it on and off,
 * startup loading and shutdown.
 *
 * Files: `<dir>/<appenddirname>/` holds a base (`<name>.<seq>.base.rdb` or
 * `.base.aof`), incremental files (`<name>.<seq>.incr.aof`) and the manifest
 * (manifest.ts). Writes are appended to the last incremental file.
 *
 * The feed: Server.propagate calls feed(dbId, argv) after every command that
 * changed the dataset, in its propagated form (absolute expiries, MULTI …
 * EXEC around a transaction's writes, DEL for expired keys). A SELECT is
 * emitted when the database differs from the last one written (and after a
 * new incremental file is opened), as Redis's feedAppendOnlyFile does. The
 * commands accumulate in a latin1 string (Redis's aof_buf) and are written
 * once per event-loop iteration, before any reply leaves: flush() runs from
 * the server's beforeReplies hook (the start of flushPending and of every
 * flushClient) and, for writes no reply follows (active expiry), from a
 * setImmediate.
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
 * aof_last_write_status:err and retries every 100 ms.
 *
 * Rewrite (BGREWRITEAOF, automatic rewrite, CONFIG SET appendonly yes), in
 * Redis 7.0's order: flush; open a new incremental file and add it to the
 * manifest (so a crash during the rewrite still loads base + all incrs);
 * take the snapshot's cut and start a child process (persistence/child.ts)
 * that writes the new base to temp-rewriteaof-bg-<childpid>.aof in `dir` and
 * fsyncs it; when it exits 0, rename the file to the next base name, mark the
 * old base and the older incrs as history, persist the manifest atomically
 * (temp + fsync + rename), delete the history files. Writes made after the
 * rewrite started go to the new incremental file, so none is lost. When
 * appendonly is being turned on, the new incr is a temp-<name>.incr file
 * that joins the manifest only when the base is done; a rewrite that fails
 * then drops it and is scheduled again (Redis's AOF_WAIT_REWRITE).
 *
 * Without fork: the base is read through the keyspace's cut (snapshot.ts),
 * walked in event-loop slices while the server keeps serving, its cut taken
 * in the same iteration the new incremental file is opened, so base + new
 * incr is exactly the dataset; the child only writes. A child killed from
 * outside fails the rewrite ("terminated by signal"); turning the AOF off or
 * a shutdown kills it (Redis's killAppendOnlyChild). bench/aof.js, 1M keys,
 * command-form base: the walk takes ~250 ms and the longest reply meanwhile
 * ~15 ms (Redis's forked rewrite: ~700 ms).
 *
 * The base format: aof-use-rdb-preamble yes writes an RDB base through the
 * RDB module's writer (rdbBaseWriter, installed by it); until one is
 * installed the base is written in command form (.base.aof) whatever the
 * setting, and loading an RDB base needs rdbImageLoader likewise.
 */
import { closeSync, existsSync, readFileSync, readdirSync, fdatasyncSync, fstatSync, fsync, ftruncateSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Server, ShutdownFlags } from '../../server/server.js';
import { AofLoadError, loadAppendOnlyFiles, loadAppendOnlyFilesSync, type RdbImageLoader } from './loader.js';
import {
  cloneManifest, emptyManifest, fsyncDir, writeAll, manifestName, markRewrittenIncrsAsHistory, newBase, newIncr, parseManifest,
  persistManifest, tempIncrName, tempManifestName, ManifestError, type Manifest,
} from './manifest.js';
import { CommandSink, Sink } from './rewrite.js';
import { Snapshot, type SnapshotSink } from '../snapshot.js';
import { ChildSave, activeChildOf, type ChildResult, type SaveOutput } from '../child.js';
import { sleepBlocking } from '../../util/sleep.js';
import { strerror } from '../../util/strerror.js';

export type AofState = 'off' | 'on' | 'wait_rewrite';
export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** Writes an RDB image of the whole dataset (with the aof-base aux field) to fd at once; returns its size. */
export type RdbBaseWriter = (s: Server, fd: number) => number;

/**
 * An RDB image fed by the snapshot (the RDB module's sink): encode/beginDb/
 * write as SnapshotSink, drain() hands buffered bytes to `out`, end() adds
 * EOF and checksum, size counts the bytes.
 */
export interface RdbImageSink extends SnapshotSink<Buffer> {
  drain(): void;
  end(): void;
  readonly size: number;
}
/** Creates an RDB image sink (aof-base 1) writing through out. */
export type RdbImageFactory = (s: Server, out: (b: Buffer) => void) => RdbImageSink;

/**
 * Hooks the RDB module installs so the AOF can write and read RDB bases:
 * `image` lets a rewrite walk the snapshot in slices; without it `writer`
 * writes the base in one go (the rewrite then pauses the server for it).
 */
export const rdbHooks: { writer: RdbBaseWriter | null; image: RdbImageFactory | null; loader: RdbImageLoader | null } = {
  writer: null,
  image: null,
  loader: null,
};

const TICK_MS = 100;
/** Whether a process with this pid exists. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A rewrite in progress: its child (persistence/child.ts) writes the new base. */
interface RewriteJob {
  child: ChildSave;
  /** the base is an RDB image (aof-use-rdb-preamble) */
  rdb: boolean;
  startedAt: number;
}

/** Past this many bytes the feed writes its buffer at once, mid-iteration (long values come in 64 MB parts). */
const FEED_WRITE_AT = 64 * 1024 * 1024;

export class Aof {
  state: AofState = 'off';
  manifest: Manifest = emptyManifest();
  /** the incremental file being appended to (-1: none) */
  fd = -1;
  /** commands not yet written (Redis's aof_buf) */
  buf = '';
  selectedDb = -1;
  policy: FsyncPolicy = 'everysec';
  /** the directory and name in use (fixed while the AOF is on) */
  dir = '';
  name = 'appendonly.aof';

  // sizes (INFO aof_current_size / aof_base_size, automatic rewrite)
  currentSize = 0;
  rewriteBaseSize = 0;
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
  private curTimestamp = 0;
  /** aof-timestamp-enabled: `#TS:<unix time>` annotations when the second changes */
  timestamps = false;
  /** DEBUG AOF-FLUSH-SLEEP: microseconds slept before writing a non-empty buffer */
  flushSleepUs = 0;

  // rewrite state (INFO)
  get rewriteInProgress(): boolean {
    return this.job !== null;
  }
  rewriteScheduled = false;
  lastRewriteStatus: 'ok' | 'err' = 'ok';
  rewrites = 0;
  rewriteFailures = 0;
  lastRewriteTimeSec = -1;
  rewriteStartedAt = -1;
  lastWriteStatus: 'ok' | 'err' = 'ok';
  lastWriteError = '';
  /** the last rewrite's duration (ms), for reports and tests */
  lastRewriteMs = 0;
  /** INFO aof_last_cow_size: the bytes the last rewrite's snapshot held because of writes */
  lastCowSize = 0;

  private flushQueued = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly flushCb = (): void => {
    this.flushQueued = false;
    this.flush(false);
  };

  constructor(readonly s: Server) {
    this.policy = s.config.get('appendfsync') as FsyncPolicy;
  }

  // ------------------------------------------------------------ paths

  private resolvedDir(): string {
    return resolve(this.s.config.get('dir'), this.s.config.get('appenddirname'));
  }

  private path(fileName: string): string {
    return join(this.dir, fileName);
  }

  private useRdbBase(): boolean {
    return this.s.config.getBool('aof-use-rdb-preamble') && (rdbHooks.image !== null || rdbHooks.writer !== null);
  }

  /** Reads the manifest from disk (Redis's aofLoadManifestFromDisk): empty if the directory or the file is missing. */
  private loadManifestFromDisk(): Manifest {
    const p = join(this.dir, manifestName(this.name));
    if (!existsSync(p)) return emptyManifest();
    return parseManifest(readFileSync(p, 'latin1'));
  }

  // ------------------------------------------------------------ the feed

  /** Appends one propagated command (see the header). */
  feed(dbId: number, argv: string[]): void {
    // turning on: only what happens after the rewrite's cut belongs to the new AOF
    if (this.state === 'off' || (this.state === 'wait_rewrite' && this.job === null)) return;
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
  private closeFd(fd: number): void {
    if (fd === -1) return;
    if (this.fsyncInFlight && this.inFlightFd === fd) this.closeAfterFsync.add(fd);
    else closeSync(fd);
  }

  /** Writes the buffer and fsyncs synchronously (shutdown, turning off). */
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

  // ------------------------------------------------------------ periodic work

  /** Starts the periodic work (from startup, whether the AOF is on or not: BGREWRITEAOF may be scheduled). */
  startTimer(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** serverCron's AOF part: retry postponed or failed writes, everysec fsync, scheduled and automatic rewrites. */
  tick(): void {
    if (this.s.pauseCron || this.s.shutdownRunning || this.s.shuttingDown) return;
    if (this.state !== 'off') this.flush(false);
    // Redis's hasActiveChildProcess: one child at a time (a BGSAVE's, or a rewrite's)
    if (activeChildOf(this.s) !== null || this.s.loading) return;
    if (this.rewriteScheduled) {
      if (!this.rewriteLimited()) this.rewrite();
      return;
    }
    const perc = this.s.config.getInt('auto-aof-rewrite-percentage');
    const min = Number(this.s.config.get('auto-aof-rewrite-min-size'));
    if (this.state === 'on' && perc > 0 && this.currentSize > min && !this.rewriteLimited()) {
      const base = this.rewriteBaseSize > 0 ? this.rewriteBaseSize : 1;
      const growth = Math.floor((this.currentSize * 100) / base) - 100;
      if (growth >= perc) {
        this.s.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
        this.rewrite();
      }
    }
  }

  // ------------------------------------------------------------ rewrite

  /** The output for a base sent through `out`: commands, or an RDB image through the RDB module's sink. Null: RDB without a sink. */
  private baseOutput(out: (b: Buffer) => void, rdb: boolean): SaveOutput | null {
    if (rdb) {
      if (rdbHooks.image === null) return null;
      const img = rdbHooks.image(this.s, out);
      return { sink: img, drain: () => img.drain(), end: () => img.end(), size: () => img.size };
    }
    const sink = new Sink(out);
    if (this.s.config.getBool('aof-timestamp-enabled')) sink.push(`#TS:${Math.floor(Date.now() / 1000)}\r\n`);
    // the command form buffers ~1 MB itself: nothing to drain per slice
    return { sink: new CommandSink(sink), drain: () => {}, end: () => sink.flush(), size: () => sink.bytes };
  }

  /**
   * Writes a base of the whole dataset to fd in one go (the foreground
   * rewrite Redis does for a fresh directory at startup); returns its size.
   */
  private writeBaseSync(fd: number, rdb: boolean): number {
    const o = this.baseOutput((b) => writeAll(fd, b), rdb);
    if (o === null) return rdbHooks.writer!(this.s, fd);
    const snap = new Snapshot<unknown>(this.s.ks, o.sink);
    try {
      snap.step(Infinity);
    } finally {
      snap.finish();
    }
    o.end();
    return o.size();
  }

  /**
   * Redis's rewriteAppendOnlyFileBackground: flushes, opens the new
   * incremental file (so a crash during the rewrite still loads base + all
   * incrs), takes the snapshot's cut and starts the child that writes the
   * new base to temp-rewriteaof-bg-<childpid>.aof in `dir`;
   * rewriteChildDone finishes. Returns false if it could not start.
   */
  rewrite(): boolean {
    if (this.job !== null || activeChildOf(this.s) !== null) return false;
    const log = this.s.log;
    if (this.state === 'off') {
      this.dir = this.resolvedDir();
      this.name = this.s.config.get('appendfilename');
    }
    try {
      mkdirSync(this.dir, { recursive: true });
      if (this.state === 'off') this.manifest = this.loadManifestFromDisk();
    } catch (e) {
      log.warning(`Can't open or create append-only dir ${this.dir}: ${strerror(e)}`);
      this.lastRewriteStatus = 'err';
      return false;
    }
    this.selectedDb = -1;
    // Redis's flushAppendOnlyFile(1), then openNewIncrAofForAppend
    this.flush(true);
    const tempIncr = this.path(tempIncrName(this.name));
    try {
      if (this.state === 'on') {
        const m = cloneManifest(this.manifest);
        const ai = newIncr(m, this.name);
        const fd = openSync(this.path(ai.fileName), 'a', 0o644);
        try {
          persistManifest(this.dir, this.name, m);
        } catch (e) {
          closeSync(fd);
          throw e;
        }
        this.switchIncr(fd);
        this.manifest = m;
        log.notice(`Creating AOF incr file ${ai.fileName} on background rewrite`);
      } else if (this.state === 'wait_rewrite') {
        this.switchIncr(openSync(tempIncr, 'w', 0o644));
        log.notice(`Creating AOF incr file ${tempIncrName(this.name)} on background rewrite`);
      }
    } catch (e) {
      log.warning(`Can't open new incr AOF file: ${strerror(e)}`);
      this.lastRewriteStatus = 'err';
      return false;
    }
    this.selectedDb = -1;
    this.rewrites++;
    const rdb = this.useRdbBase();
    let child: ChildSave;
    try {
      child = new ChildSave(this.s, {
        type: 'aof',
        dir: resolve(this.s.config.get('dir')),
        tempName: 'temp-rewriteaof-bg-%d.aof',
        finalPath: '',
        output: (send) => this.baseOutput(send, rdb)!,
        done: (r, job) => this.rewriteChildDone(r, job),
      });
    } catch (e) {
      this.lastRewriteStatus = 'err';
      log.warning(`Can't rewrite append only file in background: fork: ${(e as Error).message}`);
      return false;
    }
    this.job = { child, rdb, startedAt: Date.now() };
    this.rewriteScheduled = false;
    this.rewriteStartedAt = this.job.startedAt;
    log.notice(`Background append only file rewriting started by pid ${child.pid}`);
    return true;
  }

  /** the rewrite in progress */
  job: RewriteJob | null = null;

  /** Redis's killAppendOnlyChild: the rewrite's child killed, its temporary base removed; no done handler runs. */
  abortRewrite(): void {
    const job = this.job;
    if (job === null) return;
    this.s.log.notice(`Killing running AOF rewrite child: ${job.child.pid}`);
    this.job = null;
    this.rewriteStartedAt = -1;
    job.child.kill(true);
    job.child.removeTempFile();
  }

  /** The child ended (Redis's backgroundRewriteDoneHandler for its exit status, then its cleanup). */
  private rewriteChildDone(r: ChildResult, child: ChildSave): void {
    const job = this.job;
    if (job === null || job.child !== child) return; // killed by abortRewrite: nothing to do
    const log = this.s.log;
    if (r.ok) {
      this.rewriteDone(job);
    } else if (r.signal === null && !r.killed) {
      if (r.op === 'rename') log.warning(`Error moving temp append only file on the final destination: ${r.error}`);
      else if (r.op === 'open') log.warning(`Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ${r.error}`);
      else if (r.op !== '') log.warning(`Write error writing append only file on disk: ${r.error}`);
      log.warning('Background AOF rewrite terminated with error');
      this.rewriteFailed();
    } else {
      log.warning(`Background AOF rewrite terminated by signal ${r.signal ?? 9}`);
      if (!r.killed) this.rewriteFailed();
    }
    // cleanup (the child's temporary base is already removed)
    this.job = null;
    if (this.state === 'wait_rewrite') {
      // what accumulated for a rewrite that failed goes; the next one starts over
      this.buf = '';
      this.deleteTempIncr();
      this.rewriteScheduled = true;
    }
    this.lastRewriteTimeSec = Math.floor((Date.now() - job.startedAt) / 1000);
    this.rewriteStartedAt = -1;
    const waiters = this.rewriteWaiters;
    this.rewriteWaiters = [];
    for (const w of waiters) w();
  }

  /** Redis's aofDelTempIncrAofFile. */
  private deleteTempIncr(): void {
    const name = tempIncrName(this.name);
    this.s.log.notice(`Removing the temp incr aof file ${name} in the background`);
    try {
      unlinkSync(this.path(name));
    } catch {
      /* not created */
    }
  }

  /** Redis's backgroundRewriteDoneHandler for a child that succeeded: the new base takes its place (see the header). */
  private rewriteDone(job: RewriteJob): void {
    const log = this.s.log;
    log.notice('Background AOF rewrite terminated with success');
    const turningOn = this.state === 'wait_rewrite';
    const tmpPath = job.child.tempPath;
    const tmpName = basename(tmpPath);
    const tempIncr = this.path(tempIncrName(this.name));
    const m = cloneManifest(this.manifest);
    const base = newBase(m, this.name, job.rdb);
    let incrName = '';
    try {
      try {
        renameSync(tmpPath, this.path(base.fileName));
      } catch (e) {
        throw new Error(`Error trying to rename the temporary AOF base file ${tmpName} into ${this.path(base.fileName)}: ${strerror(e)}`);
      }
      log.notice(`Successfully renamed the temporary AOF base file ${tmpName} into ${base.fileName}`);
      if (turningOn) {
        incrName = newIncr(m, this.name).fileName;
        try {
          renameSync(tempIncr, this.path(incrName));
        } catch (e) {
          throw new Error(`Error trying to rename the temporary AOF incr file ${tempIncr} into ${this.path(incrName)}: ${strerror(e)}`);
        }
        log.notice(`Successfully renamed the temporary AOF incr file ${tempIncrName(this.name)} into ${incrName}`);
      }
      markRewrittenIncrsAsHistory(m, this.state !== 'off');
      persistManifest(this.dir, this.name, m);
    } catch (e) {
      log.warning((e as Error).message);
      // the old manifest is intact: put the files back where it expects them
      try {
        if (incrName !== '' && existsSync(this.path(incrName))) renameSync(this.path(incrName), tempIncr);
        if (existsSync(this.path(base.fileName))) unlinkSync(this.path(base.fileName));
      } catch {
        /* best effort */
      }
      this.rewriteFailed();
      return;
    }
    this.manifest = m;
    if (turningOn) this.state = 'on';
    if (this.fd !== -1) {
      this.selectedDb = -1;
      this.currentSize = job.child.size + this.lastIncrSize;
      this.rewriteBaseSize = this.currentSize;
    }
    this.deleteHistoryFiles();
    this.lastRewriteStatus = 'ok';
    this.rewriteFailures = 0;
    this.lastRewriteMs = Date.now() - job.startedAt;
    this.lastCowSize = job.child.cowBytes;
    log.notice('Background AOF rewrite finished successfully');
  }

  /** resolved when the rewrite in progress ends (tests, DEBUG) */
  private rewriteWaiters: (() => void)[] = [];
  whenRewriteDone(): Promise<void> {
    if (this.job === null) return Promise.resolve();
    return new Promise((r) => this.rewriteWaiters.push(r));
  }

  /**
   * Redis's aofRewriteLimited: after 3 consecutive failures automatic rewrites
   * wait 1 minute, doubling up to 1 hour (BGREWRITEAOF is not limited).
   */
  private rewriteLimited(): boolean {
    if (this.rewriteFailures < 3) return false;
    const delayMin = Math.min(60, 2 ** (this.rewriteFailures - 3));
    if (Date.now() - this.lastRewriteFailure < delayMin * 60000) {
      if (!this.limitLogged) {
        this.limitLogged = true;
        this.s.log.warning(`Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${delayMin} minutes`);
      }
      return true;
    }
    this.limitLogged = false;
    return false;
  }
  private lastRewriteFailure = 0;
  private limitLogged = false;

  /** A rewrite that ran failed: status err, one more consecutive failure (Redis's aof_lastbgrewrite_status, stat_aofrw_consecutive_failures). */
  private rewriteFailed(): void {
    this.lastRewriteStatus = 'err';
    this.rewriteFailures++;
    this.lastRewriteFailure = Date.now();
  }

  /** Makes fd the file appended to; the previous one is fsynced (unless policy no) and closed. */
  private switchIncr(fd: number): void {
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

  /** Redis's aofDelHistoryFiles (unless aof-disable-auto-gc). */
  deleteHistoryFiles(): void {
    if (this.s.config.getBool('aof-disable-auto-gc') || this.manifest.history.length === 0) return;
    for (const ai of this.manifest.history) {
      this.s.log.notice(`Removing the history file ${ai.fileName} in the background`);
      try {
        unlinkSync(this.path(ai.fileName));
      } catch {
        /* already gone */
      }
    }
    this.manifest.history = [];
    try {
      persistManifest(this.dir, this.name, this.manifest);
    } catch (e) {
      this.s.log.warning(`Failed to persist the AOF manifest after removing history files: ${(e as Error).message}`);
    }
  }

  // ------------------------------------------------------------ on / off

  /**
   * Startup with appendonly yes (Redis's loadAppendOnlyFiles, then
   * aofOpenIfNeededOnServerStart and aofDelHistoryFiles). Throws AofLoadError
   * with the log line when the server must not start.
   */
  async startAtBoot(): Promise<void> {
    const s = this.s;
    this.dir = this.resolvedDir();
    this.name = s.config.get('appendfilename');
    this.policy = s.config.get('appendfsync') as FsyncPolicy;
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new AofLoadError(`Can't open or create append-only dir ${this.dir}: ${(e as Error).message}`);
    }
    try {
      this.manifest = this.loadManifestFromDisk();
    } catch (e) {
      if (e instanceof ManifestError) throw new AofLoadError(`${e.message} (the AOF manifest ${join(this.dir, manifestName(this.name))})`);
      throw new AofLoadError(`Can't read the AOF manifest: ${(e as Error).message}`);
    }
    const m = this.manifest;
    // A Redis < 7 single-file AOF in `dir` becomes the base (Redis's
    // aofUpgradePrepare) when the manifest lists nothing, or only that file
    // as its base and the AOF directory does not have it yet (an upgrade
    // interrupted before its rename).
    const old = resolve(s.config.get('dir'), this.name);
    const upgrade =
      (m.base === null && m.incrs.length === 0) ||
      (m.base !== null && m.incrs.length === 0 && m.base.fileName === this.name && !existsSync(this.path(this.name)));
    if (upgrade && existsSync(old) && statSync(old).isFile()) {
      const ai = { fileName: this.name, seq: 1, type: 'b' as const };
      m.base = ai;
      m.baseSeq = 1;
      persistManifest(this.dir, this.name, m);
      renameSync(old, this.path(this.name));
      fsyncDir(this.dir);
      s.log.notice(`Successfully migrated an old-style AOF into the AOF directory ${this.dir}.`);
    }
    this.removeStaleTempFiles();
    const files = [...(m.base !== null ? [m.base] : []), ...m.incrs];
    let total = 0;
    for (const ai of files) {
      try {
        total += statSync(this.path(ai.fileName)).size;
      } catch (e) {
        throw new AofLoadError(`Unable to obtain the AOF file ${ai.fileName} length. stat: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
      }
    }
    if (files.length > 0) {
      s.loading = true;
      try {
        await loadAppendOnlyFiles(s, this.dir, m, { loadTruncated: s.config.getBool('aof-load-truncated'), rdbLoader: rdbHooks.loader });
      } finally {
        s.loading = false;
      }
      // sizes after truncation
      total = 0;
      for (const ai of files) total += statSync(this.path(ai.fileName)).size;
    }
    this.currentSize = total;
    this.rewriteBaseSize = total;
    // aofOpenIfNeededOnServerStart: a fresh directory gets a base of the current (empty) dataset
    if (m.base === null && m.incrs.length === 0) {
      const rdb = this.useRdbBase();
      const base = newBase(m, this.name, rdb);
      const fd = openSync(this.path(base.fileName), 'w', 0o644);
      try {
        this.currentSize += this.writeBaseSync(fd, rdb);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.rewriteBaseSize = this.currentSize;
      s.log.notice(`Creating AOF base file ${base.fileName} on server start`);
    }
    const existing = m.incrs.length > 0;
    const incr = existing ? m.incrs[m.incrs.length - 1] : newIncr(m, this.name);
    this.switchIncr(openSync(this.path(incr.fileName), 'a', 0o644));
    persistManifest(this.dir, this.name, m);
    s.log.notice(`${existing ? 'Opening' : 'Creating'} AOF incr file ${incr.fileName} on server start`);
    this.deleteHistoryFiles();
    this.selectedDb = -1;
    this.lastFsync = Date.now();
    this.state = 'on';
  }

  /**
   * Temporary files a killed process left (a rewrite's base, the incr of an
   * AOF being turned on, a manifest being replaced): no manifest names them,
   * so they are removed at startup (Redis leaves them behind).
   */
  private removeStaleTempFiles(): void {
    const stale = new Set([tempIncrName(this.name), tempManifestName(this.name)]);
    const remove = (dir: string, f: string): void => {
      this.s.log.notice(`Removing the stale temporary AOF file ${f}`);
      try {
        unlinkSync(join(dir, f));
      } catch {
        /* gone */
      }
    };
    for (const f of readdirSync(this.dir)) if (stale.has(f) || /^temp-rewriteaof-bg-\d+\.aof$/.test(f)) remove(this.dir, f);
    // a rewrite child's base in `dir`, left by a server killed mid-rewrite (not one a live child still writes)
    const root = resolve(this.s.config.get('dir'));
    for (const f of readdirSync(root)) {
      const m = /^temp-rewriteaof-bg-(\d+)\.aof$/.exec(f);
      if (m !== null && !processAlive(Number(m[1]))) remove(root, f);
    }
  }

  /**
   * CONFIG SET appendonly yes (Redis's startAppendOnly): a rewrite builds the
   * base from the current data, then the AOF is on. Throws Error when it could
   * not be turned on (CONFIG SET then fails).
   */
  enable(): void {
    if (this.state !== 'off') return;
    this.dir = this.resolvedDir();
    this.name = this.s.config.get('appendfilename');
    this.policy = this.s.config.get('appendfsync') as FsyncPolicy;
    try {
      mkdirSync(this.dir, { recursive: true });
      this.manifest = this.loadManifestFromDisk();
    } catch (e) {
      this.s.log.warning(`Redis needs to enable the AOF but can't open the AOF directory ${this.dir}: ${(e as Error).message}`);
      throw new Error('Unable to turn on AOF. Check server logs.');
    }
    this.state = 'wait_rewrite';
    this.lastFsync = Date.now();
    if (activeChildOf(this.s) !== null && this.job === null) {
      // Redis: another child (a BGSAVE) runs; the rewrite starts when it is done
      this.rewriteScheduled = true;
      this.s.log.warning('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
      return;
    }
    if (this.s.inExec) {
      this.rewriteScheduled = true;
      this.s.log.warning('AOF was enabled during a transaction. An AOF background was scheduled to start when possible.');
      return;
    }
    if (this.job !== null) {
      // its base would miss what it did not accumulate: a new rewrite instead
      this.s.log.warning('AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
      this.abortRewrite();
    }
    if (this.lastWriteStatus === 'err') {
      this.s.log.warning('AOF reopen, just ignore the last error.');
      this.lastWriteStatus = 'ok';
    }
    if (!this.rewrite()) {
      this.state = 'off';
      this.s.log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
      throw new Error('Unable to turn on AOF. Check server logs.');
    }
  }

  /** CONFIG SET appendonly no (Redis's stopAppendOnly): flush, fsync, close. */
  disable(): void {
    if (this.state === 'off') return;
    this.rewriteScheduled = false;
    this.abortRewrite();
    this.flushAndSync();
    this.closeFd(this.fd);
    this.fd = -1;
    this.buf = '';
    if (this.state === 'wait_rewrite') {
      // never became the AOF: the temporary incr goes
      try {
        unlinkSync(this.path(tempIncrName(this.name)));
      } catch {
        /* gone */
      }
    }
    this.state = 'off';
    this.selectedDb = -1;
  }

  /**
   * DEBUG LOADAOF: the buffer written, the dataset emptied, the manifest read
   * from disk again and the files it lists loaded at once (history files
   * removed first, as Redis's aofDelHistoryFiles). Throws AofLoadError when
   * they cannot be loaded (Redis then exits).
   */
  loadFromDisk(): void {
    const s = this.s;
    if (this.state === 'on') this.flush(true);
    s.ks.emptyData();
    if (this.state === 'off') {
      this.dir = this.resolvedDir();
      this.name = s.config.get('appendfilename');
    }
    try {
      this.manifest = existsSync(this.dir) ? this.loadManifestFromDisk() : emptyManifest();
    } catch (e) {
      throw new AofLoadError(`${(e as Error).message} (the AOF manifest ${join(this.dir, manifestName(this.name))})`);
    }
    this.deleteHistoryFiles();
    loadAppendOnlyFilesSync(s, this.dir, this.manifest, { loadTruncated: s.config.getBool('aof-load-truncated'), rdbLoader: rdbHooks.loader });
    s.ks.dirty = 0;
  }

  /**
   * The AOF's shutdown step (Redis's finishShutdown): a rewrite turning the
   * AOF on stops the exit unless FORCE ("Writing initial AOF, can't exit");
   * any other rewrite is killed; then the buffer is written and fsynced. A
   * write or fsync that fails stops the exit too unless NOSAVE or FORCE (an
   * acknowledged write would be lost; Redis 7.0 only logs the fsync error).
   */
  *shutdownStep(flags: ShutdownFlags, sync: boolean): Generator<number, boolean, void> {
    const log = this.s.log;
    if (this.job !== null) {
      if (this.state === 'wait_rewrite') {
        if (!flags.force) {
          log.warning("Writing initial AOF, can't exit.");
          return false;
        }
        log.warning('Writing initial AOF. Exit anyway.');
      }
      log.warning('There is a child rewriting the AOF. Killing it!');
      const child = this.job.child;
      this.abortRewrite();
      if (!sync) for (let i = 0; i < 1000 && !child.exited; i++) yield 5;
    }
    if (this.state === 'off' || this.fd === -1) return true;
    log.notice('Calling fsync() on the AOF file.');
    if (this.flushAndSync()) return true;
    if (flags.force || flags.nosave) {
      log.warning('Error trying to flush the AOF file. Exit anyway.');
      return true;
    }
    log.warning("Error trying to flush the AOF file, can't exit.");
    return false;
  }

  /** The server stopped: timers off, the file closed. */
  close(): void {
    this.stopTimer();
    if (this.fd !== -1) {
      this.closeFd(this.fd);
      this.fd = -1;
    }
    this.state = 'off';
  }

  /** Redis's INFO persistence fields for the AOF. */
  infoFields(): { head: [string, string | number][]; tail: [string, string | number][] } {
    const now = Date.now();
    const head: [string, string | number][] = [
      ['aof_enabled', this.state !== 'off' ? 1 : 0],
      ['aof_rewrite_in_progress', this.rewriteInProgress ? 1 : 0],
      ['aof_rewrite_scheduled', this.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.lastRewriteTimeSec],
      ['aof_current_rewrite_time_sec', this.rewriteStartedAt === -1 ? -1 : Math.floor((now - this.rewriteStartedAt) / 1000)],
      ['aof_last_bgrewrite_status', this.lastRewriteStatus],
      ['aof_rewrites', this.rewrites],
      ['aof_rewrites_consecutive_failures', this.rewriteFailures],
      ['aof_last_write_status', this.lastWriteStatus],
      ['aof_last_cow_size', this.lastCowSize],
    ];
    const tail: [string, string | number][] =
      this.state === 'off'
        ? []
        : [
            ['aof_current_size', this.currentSize],
            ['aof_base_size', this.rewriteBaseSize],
            ['aof_pending_rewrite', this.rewriteScheduled ? 1 : 0],
            ['aof_buffer_length', this.buf.length],
            ['aof_pending_bio_fsync', this.fsyncInFlight ? 1 : 0],
            ['aof_delayed_fsync', this.delayedFsync],
          ];
    return { head, tail };
  }
}
