/**
 * Wiring RDB persistence into a server (installRdb): SAVE, BGSAVE
 * [SCHEDULE], LASTSAVE, save points (`save 3600 1 300 100 60 10000`), the
 * save at shutdown, loading the file at startup, INFO persistence's rdb_
 * fields, the AOF's RDB preamble (the AOF's rdbHooks), FLUSHALL's kill-and-save. The
 * file format and the saves are file.ts; BGSAVE's child is ../child.ts; the
 * commands SAVE, BGSAVE and LASTSAVE are commands.ts.
 * The shutdown step refuses the exit when the final save fails, unless
 * FORCE (Redis's "Error trying to save the DB, can't exit.").
 *
 * As Redis: a BGSAVE counts the changes made since it started as still
 * unsaved (dirty minus the dirty at its start, on success); a failed BGSAVE
 * is retried by the save points only after 5 seconds; with
 * stop-writes-on-bgsave-error yes and save points set, write commands (and
 * PING) are refused with -MISCONF while the last BGSAVE failed.
 */
import type { ServerContext } from '../../commands/context.js';
import { RdbCrcError, RdbImage, RdbLoadError, RdbLoader, loadRdbImage, rdbChildError, rdbPath, rdbSaveSteps, saveRdbSync, startRdbChild, writeRdbToFd } from './file.js';
import { RdbError } from './decode.js';
import { rdbCreateFunctions } from './functions.js';
import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { strerror } from '../../util/strerror.js';
import { sleepBlocking } from '../../util/sleep.js';
import { activeChildOf, type ChildSave } from '../child.js';
import type { ShutdownFlags } from '../../commands/context.js';
import { aofOf } from '../aof/index.js';
import type { Value } from '../../keyspace/value.js';

const BGSAVE_RETRY_DELAY_MS = 5000;
/**
 * The longest a loading slice runs before the event loop gets a turn, on
 * top of Redis's loading-process-events-interval-bytes: gKV reads a byte
 * slower than Redis, so the same 2 MB would keep a client waiting longer.
 */
const LOAD_SLICE_MS = 25;
const MISCONF_RDB =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

export class RdbState {
  lastSave = Math.floor(Date.now() / 1000);
  lastBgsaveOk = true;
  lastBgsaveTry = 0;
  lastBgsaveTimeSec = -1;
  saves = 0;
  /** the BGSAVE child (Redis's child_type RDB) */
  bg: ChildSave | null = null;
  bgScheduled = false;
  dirtyAtBgStart = 0;
  lastLoadLoaded = 0;
  lastLoadExpired = 0;
  /** INFO rdb_last_cow_size: the bytes the last BGSAVE's snapshot held because of writes */
  lastCowSize = 0;
  /** (seconds, changes) pairs of the `save` parameter */
  points: [number, number][] = [];
  private timer: NodeJS.Timeout | null = null;
  /** called when a BGSAVE ends (true: the file is written): the replicas waiting for it (Redis's updateSlavesWaitingBgsave) */
  readonly onBackgroundDone: ((ok: boolean) => void)[] = [];

  constructor(private readonly s: ServerContext) {}

  /** SAVE (Redis's rdbSave in the foreground): false when it failed (logged). */
  saveNow(): boolean {
    const s = this.s;
    const dirty = s.ks.dirty;
    if (!saveRdbSync(s)) return false;
    this.afterSave(dirty);
    return true;
  }

  /** A save that started at `dirtyAtStart` changes has completed. */
  markSaved(dirtyAtStart: number): void {
    this.afterSave(dirtyAtStart);
  }

  private afterSave(dirtyAtStart: number): void {
    this.s.ks.dirty -= dirtyAtStart;
    if (this.s.ks.dirty < 0) this.s.ks.dirty = 0;
    this.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
    this.saves++;
  }

  /**
   * Starts a BGSAVE (Redis's rdbSaveBackground): a child writes the file.
   * Returns false when no child could be started (logged).
   */
  startBackground(): boolean {
    if (this.bg !== null) return false;
    const s = this.s;
    this.dirtyAtBgStart = s.ks.dirty;
    this.lastBgsaveTry = Date.now();
    const started = Date.now();
    try {
      this.bg = startRdbChild(s, rdbPath(s), (r, job) => {
        this.bg = null;
        this.lastBgsaveTimeSec = Math.round((Date.now() - started) / 1000);
        if (r.ok) {
          this.afterSave(this.dirtyAtBgStart);
          this.lastCowSize = job.cowBytes;
          s.log.notice('Background saving terminated with success');
        } else if (r.signal === null && !r.killed) {
          s.log.warning(rdbChildError(s, job, r));
          s.log.warning('Background saving error');
          this.lastBgsaveOk = false;
        } else {
          s.log.warning(`Background saving terminated by signal ${r.signal ?? 9}`);
          // the server's own kill (FLUSHALL, SHUTDOWN) is no error, as Redis's SIGUSR1
          if (!r.killed) this.lastBgsaveOk = false;
        }
        for (const f of this.onBackgroundDone) f(r.ok);
      });
    } catch (e) {
      this.lastBgsaveOk = false;
      s.log.warning(`Can't save in background: fork: ${(e as Error).message}`);
      return false;
    }
    s.log.notice(`Background saving started by pid ${this.bg.pid}`);
    return true;
  }

  /** serverCron's save-point check: a BGSAVE when enough changes are old enough. */
  tick(): void {
    if (activeChildOf(this.s) !== null || this.s.loading || this.s.pauseCron || this.s.shutdownRunning) return;
    if (this.bgScheduled) {
      this.bgScheduled = false;
      this.startBackground();
      return;
    }
    const now = Date.now();
    const dirty = this.s.ks.dirty;
    for (const [secs, changes] of this.points) {
      if (dirty >= changes && now / 1000 - this.lastSave > secs && (this.lastBgsaveOk || now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY_MS)) {
        this.s.log.notice(`${changes} changes in ${secs} seconds. Saving...`);
        this.startBackground();
        return;
      }
    }
  }

  startTimer(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (e) {
        this.s.log.warning(`save point check failed: ${(e as Error).message}`);
      }
    }, 100);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.bg?.kill();
  }

  /**
   * Loads the file at startup (Redis's rdbLoad with its progress callback):
   * the file is read and installed in slices of
   * loading-process-events-interval-bytes, a turn of the event loop after
   * each, so clients get -LOADING and INFO's loading_* fields from the first
   * moment; key-load-delay sleeps that many microseconds per key, as Redis's
   * loader does. Keys go straight into the tables (sized once from RESIZEDB),
   * without a list of the file's entries in between. A file that cannot be
   * read or is corrupt stops the server with Redis's lines.
   */
  async loadAtStartup(): Promise<void> {
    const s = this.s;
    const path = rdbPath(s);
    const started = Date.now();
    let size: number;
    try {
      size = statSync(path).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`Fatal error loading the DB: ${strerror(e)}. Exiting.`);
    }
    // loading from here on (Redis's startLoadingFile): a client that connects at once is answered -LOADING
    s.loading = true;
    const info = { start: Math.floor(started / 1000), totalBytes: size, loadedBytes: 0, rdbUsedMem: 0 };
    s.loadingInfo = info;
    try {
      await new Promise((r) => setImmediate(r));
      await this.loadFile(path, started, info);
    } finally {
      s.loading = false;
      s.loadingInfo = null;
    }
  }

  private async loadFile(path: string, started: number, info: { totalBytes: number; loadedBytes: number; rdbUsedMem: number }): Promise<void> {
    let fd: number;
    try {
      fd = openSync(path, 'r');
      info.totalBytes = fstatSync(fd).size;
    } catch (e) {
      throw new Error(`Fatal error loading the DB: ${strerror(e)}. Exiting.`);
    }
    try {
      await this.loadFrom(fd, path, started, info);
    } finally {
      closeSync(fd);
    }
  }

  private async loadFrom(fd: number, path: string, started: number, info: { totalBytes: number; loadedBytes: number; rdbUsedMem: number }): Promise<void> {
    const s = this.s;
    let loaded = 0;
    let expired = 0;
    let delayUs = 0;
    const now = Date.now();
    const dbs = s.ks.dbs;
    const onKey = (dbIndex: number, key: string, value: Value, expireAt: number, idle: number, freq: number): void => {
      // a master drops the keys whose TTL has passed (rdbLoadRio)
      if (expireAt !== 0 && expireAt <= now) {
        expired++;
        return;
      }
      const db = dbs[dbIndex];
      let slot = db.addRdbLoad(key, value);
      if (slot === -1) {
        // a key seen twice (a damaged or hand-made file): the last one wins
        db.setKey(key, value);
        slot = db.findSlot(key);
      }
      if (expireAt !== 0) db.setExpireSlot(slot, expireAt);
      if (idle >= 0 || freq >= 0) s.ks.restoreClock(db, key, idle, freq);
      loaded++;
      if (delayUs > 0) sleepBlocking(delayUs / 1000);
    };
    let loader: RdbLoader;
    try {
      loader = RdbLoader.fromFile(s, fd, info.totalBytes, onKey);
    } catch (e) {
      if (!(e instanceof RdbError)) throw e;
      this.reportCorrupt(path, e);
    }
    // RESIZEDB: the tables sized once for the keys to come (dictExpand)
    loader.onResize = (dbIndex, size) => dbs[dbIndex].dict.expand(size);
    loader.onFunction = (payload) => rdbCreateFunctions(s, [payload], false);
    for (;;) {
      const interval = s.config.getInt('loading-process-events-interval-bytes');
      delayUs = s.config.getInt('key-load-delay');
      let done: boolean;
      try {
        done = loader.step(interval, performance.now() + LOAD_SLICE_MS);
      } catch (e) {
        if (!(e instanceof RdbError)) throw e;
        this.reportCorrupt(path, e);
      }
      info.loadedBytes = loader.loadedBytes;
      info.rdbUsedMem = Number.parseInt(loader.aux.get('used-mem') ?? '0', 10) || 0;
      if (done) break;
      await new Promise((r) => setImmediate(r));
    }
    this.lastLoadLoaded = loaded;
    this.lastLoadExpired = expired;
    s.ks.dirty = 0;
    if (loader.emptySkipped > 0) s.log.warning(`Done loading RDB, keys loaded: ${loaded}, keys expired: ${expired}, empty keys skipped: ${loader.emptySkipped}.`);
    else s.log.notice(`Done loading RDB, keys loaded: ${loaded}, keys expired: ${expired}.`);
    s.log.notice(`DB loaded from disk: ${((Date.now() - started) / 1000).toFixed(3)} seconds`);
  }

  /** Redis's rdbReportCorruptRDB while loading a file: the reason, redis-check-rdb's report, then it exits. */
  private reportCorrupt(path: string, e: RdbError): never {
    const s = this.s;
    if (e instanceof RdbCrcError) s.log.warning(e.message);
    const reason = `Internal error in RDB reading offset 0, function at rdb.c:0 -> ${e instanceof RdbCrcError ? 'RDB CRC error' : e.message}`;
    s.log.warning(reason);
    s.log.raw('warning', rdbCheckReport(basename(path), reason, e));
    throw new Error('Terminating server after rdb file reading failure.');
  }

  /** INFO persistence's rdb_ fields. */
  infoFields(): [string, string | number][] {
    const bg = this.bg;
    return [
      ['rdb_changes_since_last_save', this.s.ks.dirty],
      ['rdb_bgsave_in_progress', bg !== null ? 1 : 0],
      ['rdb_last_save_time', this.lastSave],
      ['rdb_last_bgsave_status', this.lastBgsaveOk ? 'ok' : 'err'],
      ['rdb_last_bgsave_time_sec', this.lastBgsaveTimeSec],
      ['rdb_current_bgsave_time_sec', bg !== null ? Math.round((Date.now() - bg.startedAt) / 1000) : -1],
      ['rdb_saves', this.saves],
      ['rdb_last_cow_size', this.lastCowSize],
      ['rdb_last_load_keys_expired', this.lastLoadExpired],
      ['rdb_last_load_keys_loaded', this.lastLoadLoaded],
    ];
  }
}

/** redis-check-rdb's names of the RDB types, by type byte. */
const RDB_TYPE_NAMES = [
  'string',
  'list-linked',
  'set-hashtable',
  'zset-v1',
  'hash-hashtable',
  'zset-v2',
  'module-pre-release',
  'module-value',
  '',
  'hash-zipmap',
  'list-ziplist',
  'set-intset',
  'zset-ziplist',
  'hash-ziplist',
  'quicklist',
  'stream',
  'hash-listpack',
  'zset-listpack',
  'quicklist-v2',
  'stream-v2',
  'set-listpack',
  'stream-v3',
];

/** What redis-check-rdb prints about a file that failed to load (Redis runs it before exiting). */
function rdbCheckReport(file: string, reason: string, e: RdbError): string {
  const lines = [`[offset 0] Checking RDB file ${file}`, '--- RDB ERROR DETECTED ---'];
  if (e instanceof RdbLoadError) {
    const at = e.at;
    lines.push(`[offset ${at.offset}] ${reason}`);
    if (e.detail !== '') lines.push(`[additional info] ${e.detail}`);
    lines.push('[additional info] While doing: read-object-value', `[additional info] Reading key '${at.key}'`);
    lines.push(`[additional info] Reading type ${at.type} (${RDB_TYPE_NAMES[at.type] ?? 'unknown'})`, `[info] ${at.keysRead} keys read`);
  } else {
    lines.push(`[offset 0] ${reason}`);
  }
  lines.push('[info] 0 expires', '[info] 0 already expired');
  return lines.join('\n');
}

declare module '../../commands/context.js' {
  interface ServerContext {
    /** RDB persistence, a typed field set by installRdb (null until installed) */
    rdb: RdbState | null;
  }
}

/** The server's RDB state, or undefined when installRdb was not called. */
export function rdbStateOf(s: ServerContext): RdbState | undefined {
  return s.rdb ?? undefined;
}

function parseSavePoints(v: string): [number, number][] {
  const p = v.split(' ').filter(Boolean).map(Number);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < p.length; i += 2) out.push([p[i], p[i + 1]]);
  return out;
}

/**
 * Installs RDB persistence on a server (before listen()). `load`: read the
 * RDB file at startup (gkv-server always; the library API only when given a
 * dir or dbfilename, so a test suite's server does not pick up a dump.rdb
 * lying in the working directory).
 */
export function installRdb(s: ServerContext, load = true): RdbState {
  if (s.rdb !== null) return s.rdb;
  const st = new RdbState(s);
  s.rdb = st;
  s.config.onChange('save', (v) => (st.points = parseSavePoints(v)));
  // writeCommandsDeniedByDiskError: writes refused while the last BGSAVE failed
  s.diskErrorChecks.push(() => (!st.lastBgsaveOk && st.points.length > 0 && s.config.getBool('stop-writes-on-bgsave-error') ? MISCONF_RDB : null));
  // the AOF's RDB preamble, when the AOF is installed on this server
  const hooks = aofOf(s)?.rdbHooks;
  if (hooks !== undefined) {
    hooks.writer = (srv, fd) => writeRdbToFd(srv, fd, { aofBase: true });
    // lets an AOF rewrite walk the snapshot in slices instead of one pause
    hooks.image = (srv, out) => new RdbImage(srv, out, { aofBase: true });
    hooks.loader = (srv, data) => loadRdbImage(srv, data);
  }
  s.onStartup.push(async () => {
    // with appendonly yes the AOF is the source of truth (it loads itself)
    if (load && !s.config.getBool('appendonly')) await st.loadAtStartup();
    st.startTimer();
  });
  s.onShutdown.push((flags, sync) => rdbShutdownStep(s, st, flags, sync));
  s.onStopped.push(() => st.stop());
  // FLUSHALL (Redis's flushAllDataAndResetRDB): the BGSAVE in progress is killed; with save points the empty dataset is saved
  s.onFlushAll.push(() => {
    st.bg?.kill();
    if (st.points.length > 0) st.saveNow();
  });
  return st;
}

/**
 * The RDB's shutdown step (Redis's finishShutdown): a BGSAVE in progress is
 * killed; with save points (unless NOSAVE) or SAVE, the final snapshot is
 * written, in slices so a second SIGINT is still seen. A failed save stops
 * the exit unless FORCE.
 */
function* rdbShutdownStep(s: ServerContext, st: RdbState, flags: ShutdownFlags, sync: boolean): Generator<number, boolean, void> {
  const bg = st.bg;
  if (bg !== null) {
    s.log.warning('There is a child saving an .rdb. Killing it!');
    bg.kill();
    // its temporary file goes with it (waited for; inside EXEC removed at once)
    if (sync) bg.removeTempFile();
    else for (let i = 0; i < 1000 && st.bg === bg; i++) yield 5;
  }
  if (!((st.points.length > 0 && !flags.nosave) || flags.save)) return true;
  s.log.notice('Saving the final RDB snapshot before exiting.');
  const dirty = s.ks.dirty;
  if (yield* rdbSaveSteps(s)) {
    st.markSaved(dirty);
    return true;
  }
  if (flags.force) {
    s.log.warning('Error trying to save the DB. Exit anyway.');
    return true;
  }
  s.log.warning("Error trying to save the DB, can't exit.");
  return false;
}
