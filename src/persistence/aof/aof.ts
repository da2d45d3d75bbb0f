/**
 * The append-only file (Redis 7.0's multi-part AOF, aof.c): its state —
 * off, on, or being turned on (wait_rewrite) — and what coordinates its
 * three parts:
 * - feed.ts, the write path: propagated commands buffered, written before
 *   the replies leave, fsynced by the appendfsync policy;
 * - bgrewrite.ts, the rewrite: BGREWRITEAOF, automatic rewrites and the
 *   rewrite that turns the AOF on — the child writing a new base, the
 *   manifest switched when it is done;
 * - boot.ts, the load: at startup with appendonly yes, and DEBUG LOADAOF.
 * Here: turning the AOF on and off (CONFIG SET appendonly), the periodic
 * tick (serverCron's AOF part: retried writes, everysec fsync, scheduled and
 * automatic rewrites), the history files' removal, the shutdown step and
 * INFO persistence's aof_ fields.
 *
 * Files: `<dir>/<appenddirname>/` holds a base (`<name>.<seq>.base.rdb` or
 * `.base.aof`), incremental files (`<name>.<seq>.incr.aof`) and the manifest
 * (manifest.ts). Writes are appended to the last incremental file.
 */
import { existsSync, readFileSync, mkdirSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ServerContext, ShutdownFlags } from '../../commands/context.js';
import { emptyManifest, manifestName, parseManifest, persistManifest, tempIncrName, type Manifest } from './manifest.js';
import { AofFeed, type AofState, type FsyncPolicy } from './feed.js';
import { AofRewriter, type AofCore } from './bgrewrite.js';
import { loadFromDisk, startAtBoot } from './boot.js';
import type { RdbHooks } from './rdb-hooks.js';
import { activeChildOf } from '../child.js';

export type { AofState } from './feed.js';

const TICK_MS = 100;

export class Aof implements AofCore {
  state: AofState = 'off';
  manifest: Manifest = emptyManifest();
  /** the directory and name in use (fixed while the AOF is on) */
  dir = '';
  name = 'appendonly.aof';
  /** the write path: buffer, incremental file, fsync (feed.ts) */
  /** how to write and read RDB bases, filled by the RDB module when installed (rdb-hooks.ts) */
  readonly rdbHooks: RdbHooks = { writer: null, image: null, loader: null };
  readonly feed: AofFeed;
  /** the rewrite and its state (bgrewrite.ts) */
  readonly rewriter: AofRewriter;

  private timer: NodeJS.Timeout | null = null;

  constructor(readonly s: ServerContext) {
    this.feed = new AofFeed(s, this);
    this.rewriter = new AofRewriter(s, this);
  }

  // ------------------------------------------------------------ paths

  /** The AOF directory the configuration names (dir + appenddirname). */
  resolvedDir(): string {
    return resolve(this.s.config.get('dir'), this.s.config.get('appenddirname'));
  }

  /** A file of the AOF directory in use. */
  path(fileName: string): string {
    return join(this.dir, fileName);
  }

  /** Whether a new base is an RDB image: aof-use-rdb-preamble, and the RDB module installed to write it. */
  useRdbBase(): boolean {
    return this.s.config.getBool('aof-use-rdb-preamble') && (this.rdbHooks.image !== null || this.rdbHooks.writer !== null);
  }

  /** Reads the manifest from disk (Redis's aofLoadManifestFromDisk): empty if the directory or the file is missing. */
  loadManifestFromDisk(): Manifest {
    const p = join(this.dir, manifestName(this.name));
    if (!existsSync(p)) return emptyManifest();
    return parseManifest(readFileSync(p, 'latin1'));
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
    if (this.state !== 'off') this.feed.flush(false);
    // Redis's hasActiveChildProcess: one child at a time (a BGSAVE's, or a rewrite's)
    if (activeChildOf(this.s) !== null || this.s.loading) return;
    if (this.rewriter.rewriteScheduled) {
      if (!this.rewriter.limited()) this.rewriter.start();
      return;
    }
    const perc = this.s.config.getInt('auto-aof-rewrite-percentage');
    const min = Number(this.s.config.get('auto-aof-rewrite-min-size'));
    if (this.state === 'on' && perc > 0 && this.feed.currentSize > min && !this.rewriter.limited()) {
      const base = this.rewriter.rewriteBaseSize > 0 ? this.rewriter.rewriteBaseSize : 1;
      const growth = Math.floor((this.feed.currentSize * 100) / base) - 100;
      if (growth >= perc) {
        this.s.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
        this.rewriter.start();
      }
    }
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

  /** Startup with appendonly yes: see boot.ts. */
  startAtBoot(): Promise<void> {
    return startAtBoot(this);
  }

  /** DEBUG LOADAOF: see boot.ts. */
  loadFromDisk(): void {
    loadFromDisk(this);
  }

  // ------------------------------------------------------------ on / off

  /**
   * CONFIG SET appendonly yes (Redis's startAppendOnly): a rewrite builds the
   * base from the current data, then the AOF is on. Throws Error when it could
   * not be turned on (CONFIG SET then fails).
   */
  enable(): void {
    if (this.state !== 'off') return;
    this.dir = this.resolvedDir();
    this.name = this.s.config.get('appendfilename');
    this.feed.policy = this.s.config.get('appendfsync') as FsyncPolicy;
    try {
      mkdirSync(this.dir, { recursive: true });
      this.manifest = this.loadManifestFromDisk();
    } catch (e) {
      this.s.log.warning(`Redis needs to enable the AOF but can't open the AOF directory ${this.dir}: ${(e as Error).message}`);
      throw new Error('Unable to turn on AOF. Check server logs.');
    }
    this.state = 'wait_rewrite';
    this.feed.lastFsync = Date.now();
    if (activeChildOf(this.s) !== null && this.rewriter.job === null) {
      // Redis: another child (a BGSAVE) runs; the rewrite starts when it is done
      this.rewriter.rewriteScheduled = true;
      this.s.log.warning('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
      return;
    }
    if (this.s.inExec) {
      this.rewriter.rewriteScheduled = true;
      this.s.log.warning('AOF was enabled during a transaction. An AOF background was scheduled to start when possible.');
      return;
    }
    if (this.rewriter.job !== null) {
      // its base would miss what it did not accumulate: a new rewrite instead
      this.s.log.warning('AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
      this.rewriter.abort();
    }
    if (this.feed.lastWriteStatus === 'err') {
      this.s.log.warning('AOF reopen, just ignore the last error.');
      this.feed.lastWriteStatus = 'ok';
    }
    if (!this.rewriter.start()) {
      this.state = 'off';
      this.s.log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
      throw new Error('Unable to turn on AOF. Check server logs.');
    }
  }

  /** CONFIG SET appendonly no (Redis's stopAppendOnly): flush, fsync, close. */
  disable(): void {
    if (this.state === 'off') return;
    this.rewriter.rewriteScheduled = false;
    this.rewriter.abort();
    this.feed.flushAndSync();
    this.feed.closeFd(this.feed.fd);
    this.feed.fd = -1;
    this.feed.buf = '';
    if (this.state === 'wait_rewrite') {
      // never became the AOF: the temporary incr goes
      try {
        unlinkSync(this.path(tempIncrName(this.name)));
      } catch {
        /* gone */
      }
    }
    this.state = 'off';
    this.feed.selectedDb = -1;
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
    if (this.rewriter.job !== null) {
      if (this.state === 'wait_rewrite') {
        if (!flags.force) {
          log.warning("Writing initial AOF, can't exit.");
          return false;
        }
        log.warning('Writing initial AOF. Exit anyway.');
      }
      log.warning('There is a child rewriting the AOF. Killing it!');
      const child = this.rewriter.job.child;
      this.rewriter.abort();
      if (!sync) for (let i = 0; i < 1000 && !child.exited; i++) yield 5;
    }
    if (this.state === 'off' || this.feed.fd === -1) return true;
    log.notice('Calling fsync() on the AOF file.');
    if (this.feed.flushAndSync()) return true;
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
    if (this.feed.fd !== -1) {
      this.feed.closeFd(this.feed.fd);
      this.feed.fd = -1;
    }
    this.state = 'off';
  }

  /** Redis's INFO persistence fields for the AOF. */
  infoFields(): { head: [string, string | number][]; tail: [string, string | number][] } {
    const now = Date.now();
    const head: [string, string | number][] = [
      ['aof_enabled', this.state !== 'off' ? 1 : 0],
      ['aof_rewrite_in_progress', this.rewriter.rewriteInProgress ? 1 : 0],
      ['aof_rewrite_scheduled', this.rewriter.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.rewriter.lastRewriteTimeSec],
      ['aof_current_rewrite_time_sec', this.rewriter.rewriteStartedAt === -1 ? -1 : Math.floor((now - this.rewriter.rewriteStartedAt) / 1000)],
      ['aof_last_bgrewrite_status', this.rewriter.lastRewriteStatus],
      ['aof_rewrites', this.rewriter.rewrites],
      ['aof_rewrites_consecutive_failures', this.rewriter.rewriteFailures],
      ['aof_last_write_status', this.feed.lastWriteStatus],
      ['aof_last_cow_size', this.rewriter.lastCowSize],
    ];
    const tail: [string, string | number][] =
      this.state === 'off'
        ? []
        : [
            ['aof_current_size', this.feed.currentSize],
            ['aof_base_size', this.rewriter.rewriteBaseSize],
            ['aof_pending_rewrite', this.rewriter.rewriteScheduled ? 1 : 0],
            ['aof_buffer_length', this.feed.buf.length],
            ['aof_pending_bio_fsync', this.feed.fsyncInFlight ? 1 : 0],
            ['aof_delayed_fsync', this.feed.delayedFsync],
          ];
    return { head, tail };
  }
}
