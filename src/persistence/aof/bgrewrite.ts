/**
 * The AOF rewrite (Redis's rewriteAppendOnlyFileBackground and
 * backgroundRewriteDoneHandler, aof.c): BGREWRITEAOF, the automatic rewrite,
 * and the rewrite that turns the AOF on (CONFIG SET appendonly yes).
 *
 * In Redis 7.0's order: flush; open a new incremental file and add it to the
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
 * RDB module's writer (rdb-hooks.ts); until one is installed the base is
 * written in command form (.base.aof, rewrite.ts) whatever the setting.
 *
 * After 3 consecutive failures automatic rewrites wait, 1 minute doubling up
 * to 1 hour (Redis's aofRewriteLimited); BGREWRITEAOF is not limited.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ServerContext } from '../../commands/context.js';
import { cloneManifest, writeAll, markRewrittenIncrsAsHistory, newBase, newIncr, persistManifest, tempIncrName } from './manifest.js';
import { CommandSink, Sink, respCommand } from './rewrite.js';
import type { RdbHooks } from './rdb-hooks.js';
import { Snapshot } from '../snapshot.js';
import { ChildSave, activeChildOf, type ChildResult, type SaveOutput } from '../child.js';
import { strerror } from '../../util/strerror.js';
import type { AofFeed, AofState } from './feed.js';
import type { Manifest } from './manifest.js';

/**
 * What the rewrite and the load at boot (boot.ts) use of their AOF (aof.ts,
 * which implements it): its files, its manifest, its state, its feed.
 */
export interface AofCore {
  readonly s: ServerContext;
  state: AofState;
  manifest: Manifest;
  dir: string;
  name: string;
  readonly feed: AofFeed;
  readonly rdbHooks: RdbHooks;
  resolvedDir(): string;
  path(fileName: string): string;
  useRdbBase(): boolean;
  loadManifestFromDisk(): Manifest;
  deleteHistoryFiles(): void;
}

/** A rewrite in progress: its child (persistence/child.ts) writes the new base. */
interface RewriteJob {
  child: ChildSave;
  /** the base is an RDB image (aof-use-rdb-preamble) */
  rdb: boolean;
  startedAt: number;
}

export class AofRewriter {
  /** the rewrite in progress */
  job: RewriteJob | null = null;
  get rewriteInProgress(): boolean {
    return this.job !== null;
  }
  // INFO's aof_ rewrite fields
  rewriteScheduled = false;
  lastRewriteStatus: 'ok' | 'err' = 'ok';
  rewrites = 0;
  rewriteFailures = 0;
  lastRewriteTimeSec = -1;
  rewriteStartedAt = -1;
  /** the last rewrite's duration (ms), for reports and tests */
  lastRewriteMs = 0;
  /** INFO aof_last_cow_size: the bytes the last rewrite's snapshot held because of writes */
  lastCowSize = 0;
  /** the AOF's size after the last rewrite (INFO aof_base_size): automatic rewrites measure growth from it */
  rewriteBaseSize = 0;

  private rewriteWaiters: (() => void)[] = [];
  private lastRewriteFailure = 0;
  private limitLogged = false;

  constructor(
    readonly s: ServerContext,
    private readonly aof: AofCore,
  ) {}

  /** The output for a base sent through `out`: commands, or an RDB image through the RDB module's sink. Null: RDB without a sink. */
  private baseOutput(out: (b: Buffer) => void, rdb: boolean): SaveOutput | null {
    if (rdb) {
      if (this.aof.rdbHooks.image === null) return null;
      const img = this.aof.rdbHooks.image(this.s, out);
      return { sink: img, drain: () => img.drain(), end: () => img.end(), size: () => img.size };
    }
    const sink = new Sink(out);
    if (this.s.config.getBool('aof-timestamp-enabled')) sink.push(`#TS:${Math.floor(Date.now() / 1000)}\r\n`);
    // rewriteFunctions: the libraries first, as FUNCTION LOAD commands
    for (const code of this.s.functions?.codes() ?? []) sink.push(respCommand(['FUNCTION', 'LOAD', code]));
    // the command form buffers ~1 MB itself: nothing to drain per slice
    return { sink: new CommandSink(sink), drain: () => {}, end: () => sink.flush(), size: () => sink.bytes };
  }

  /**
   * Writes a base of the whole dataset to fd in one go (the foreground
   * rewrite Redis does for a fresh directory at startup); returns its size.
   */
  writeBaseSync(fd: number, rdb: boolean): number {
    const o = this.baseOutput((b) => writeAll(fd, b), rdb);
    if (o === null) return this.aof.rdbHooks.writer!(this.s, fd);
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
   * childDone finishes. Returns false if it could not start.
   */
  start(): boolean {
    if (this.job !== null || activeChildOf(this.s) !== null) return false;
    const log = this.s.log;
    if (this.aof.state === 'off') {
      this.aof.dir = this.aof.resolvedDir();
      this.aof.name = this.s.config.get('appendfilename');
    }
    try {
      mkdirSync(this.aof.dir, { recursive: true });
      if (this.aof.state === 'off') this.aof.manifest = this.aof.loadManifestFromDisk();
    } catch (e) {
      log.warning(`Can't open or create append-only dir ${this.aof.dir}: ${strerror(e)}`);
      this.lastRewriteStatus = 'err';
      return false;
    }
    this.aof.feed.selectedDb = -1;
    // Redis's flushAppendOnlyFile(1), then openNewIncrAofForAppend
    this.aof.feed.flush(true);
    const tempIncr = this.aof.path(tempIncrName(this.aof.name));
    try {
      if (this.aof.state === 'on') {
        const m = cloneManifest(this.aof.manifest);
        const ai = newIncr(m, this.aof.name);
        const fd = openSync(this.aof.path(ai.fileName), 'a', 0o644);
        try {
          persistManifest(this.aof.dir, this.aof.name, m);
        } catch (e) {
          closeSync(fd);
          throw e;
        }
        this.aof.feed.switchIncr(fd);
        this.aof.manifest = m;
        log.notice(`Creating AOF incr file ${ai.fileName} on background rewrite`);
      } else if (this.aof.state === 'wait_rewrite') {
        this.aof.feed.switchIncr(openSync(tempIncr, 'w', 0o644));
        log.notice(`Creating AOF incr file ${tempIncrName(this.aof.name)} on background rewrite`);
      }
    } catch (e) {
      log.warning(`Can't open new incr AOF file: ${strerror(e)}`);
      this.lastRewriteStatus = 'err';
      return false;
    }
    this.aof.feed.selectedDb = -1;
    this.rewrites++;
    const rdb = this.aof.useRdbBase();
    let child: ChildSave;
    try {
      child = new ChildSave(this.s, {
        type: 'aof',
        dir: resolve(this.s.config.get('dir')),
        tempName: 'temp-rewriteaof-bg-%d.aof',
        finalPath: '',
        output: (send) => this.baseOutput(send, rdb)!,
        done: (r, job) => this.childDone(r, job),
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

  /** Redis's killAppendOnlyChild: the rewrite's child killed, its temporary base removed; no done handler runs. */
  abort(): void {
    const job = this.job;
    if (job === null) return;
    this.s.log.notice(`Killing running AOF rewrite child: ${job.child.pid}`);
    this.job = null;
    this.rewriteStartedAt = -1;
    job.child.kill(true);
    job.child.removeTempFile();
  }

  /** The child ended (Redis's backgroundRewriteDoneHandler for its exit status, then its cleanup). */
  private childDone(r: ChildResult, child: ChildSave): void {
    const job = this.job;
    if (job === null || job.child !== child) return; // killed by abort: nothing to do
    const log = this.s.log;
    if (r.ok) {
      this.done(job);
    } else if (r.signal === null && !r.killed) {
      if (r.op === 'rename') log.warning(`Error moving temp append only file on the final destination: ${r.error}`);
      else if (r.op === 'open') log.warning(`Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ${r.error}`);
      else if (r.op !== '') log.warning(`Write error writing append only file on disk: ${r.error}`);
      log.warning('Background AOF rewrite terminated with error');
      this.failed();
    } else {
      log.warning(`Background AOF rewrite terminated by signal ${r.signal ?? 9}`);
      if (!r.killed) this.failed();
    }
    // cleanup (the child's temporary base is already removed)
    this.job = null;
    if (this.aof.state === 'wait_rewrite') {
      // what accumulated for a rewrite that failed goes; the next one starts over
      this.aof.feed.buf = '';
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
    const name = tempIncrName(this.aof.name);
    this.s.log.notice(`Removing the temp incr aof file ${name} in the background`);
    try {
      unlinkSync(this.aof.path(name));
    } catch {
      /* not created */
    }
  }

  /** Redis's backgroundRewriteDoneHandler for a child that succeeded: the new base takes its place (see the header). */
  private done(job: RewriteJob): void {
    const log = this.s.log;
    log.notice('Background AOF rewrite terminated with success');
    const turningOn = this.aof.state === 'wait_rewrite';
    const tmpPath = job.child.tempPath;
    const tmpName = basename(tmpPath);
    const tempIncr = this.aof.path(tempIncrName(this.aof.name));
    const m = cloneManifest(this.aof.manifest);
    const base = newBase(m, this.aof.name, job.rdb);
    let incrName = '';
    try {
      try {
        renameSync(tmpPath, this.aof.path(base.fileName));
      } catch (e) {
        throw new Error(`Error trying to rename the temporary AOF base file ${tmpName} into ${this.aof.path(base.fileName)}: ${strerror(e)}`);
      }
      log.notice(`Successfully renamed the temporary AOF base file ${tmpName} into ${base.fileName}`);
      if (turningOn) {
        incrName = newIncr(m, this.aof.name).fileName;
        try {
          renameSync(tempIncr, this.aof.path(incrName));
        } catch (e) {
          throw new Error(`Error trying to rename the temporary AOF incr file ${tempIncr} into ${this.aof.path(incrName)}: ${strerror(e)}`);
        }
        log.notice(`Successfully renamed the temporary AOF incr file ${tempIncrName(this.aof.name)} into ${incrName}`);
      }
      markRewrittenIncrsAsHistory(m, this.aof.state !== 'off');
      persistManifest(this.aof.dir, this.aof.name, m);
    } catch (e) {
      log.warning((e as Error).message);
      // the old manifest is intact: put the files back where it expects them
      try {
        if (incrName !== '' && existsSync(this.aof.path(incrName))) renameSync(this.aof.path(incrName), tempIncr);
        if (existsSync(this.aof.path(base.fileName))) unlinkSync(this.aof.path(base.fileName));
      } catch {
        /* best effort */
      }
      this.failed();
      return;
    }
    this.aof.manifest = m;
    if (turningOn) this.aof.state = 'on';
    if (this.aof.feed.fd !== -1) {
      this.aof.feed.selectedDb = -1;
      this.aof.feed.currentSize = job.child.size + this.aof.feed.lastIncrSize;
      this.rewriteBaseSize = this.aof.feed.currentSize;
    }
    this.aof.deleteHistoryFiles();
    this.lastRewriteStatus = 'ok';
    this.rewriteFailures = 0;
    this.lastRewriteMs = Date.now() - job.startedAt;
    this.lastCowSize = job.child.cowBytes;
    log.notice('Background AOF rewrite finished successfully');
  }

  /** Resolves when the rewrite in progress ends (tests, DEBUG). */
  whenDone(): Promise<void> {
    if (this.job === null) return Promise.resolve();
    return new Promise((r) => this.rewriteWaiters.push(r));
  }

  /**
   * Redis's aofRewriteLimited: after 3 consecutive failures automatic rewrites
   * wait 1 minute, doubling up to 1 hour (BGREWRITEAOF is not limited).
   */
  limited(): boolean {
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
  /** A rewrite that ran failed: status err, one more consecutive failure (Redis's aof_lastbgrewrite_status, stat_aofrw_consecutive_failures). */
  private failed(): void {
    this.lastRewriteStatus = 'err';
    this.rewriteFailures++;
    this.lastRewriteFailure = Date.now();
  }
}
