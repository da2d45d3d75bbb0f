/**
 * Wiring RDB persistence into a server (installRdb): SAVE, BGSAVE
 * [SCHEDULE], LASTSAVE, save points (`save 3600 1 300 100 60 10000`), the
 * save at shutdown, loading the file at startup, INFO persistence's rdb_
 * fields, and the AOF's RDB preamble (rdbHooks). The file format and the
 * background walk are rdb-file.ts.
 *
 * As Redis: a BGSAVE counts the changes made since it started as still
 * unsaved (dirty minus the dirty at its start, on success); a failed BGSAVE
 * is retried by the save points only after 5 seconds; with
 * stop-writes-on-bgsave-error yes and save points set, write commands (and
 * PING) are refused with -MISCONF while the last BGSAVE failed.
 */
import type { Server } from '../server/server.js';
import type { Client } from '../server/client.js';
import type { CommandRow } from '../commands/spec.js';
import { Err } from '../protocol/errors.js';
import { BackgroundSave, RdbImage, installEntries, loadRdbImage, rdbPath, readRdbFile, saveRdbSync, writeRdbToFd } from './rdb-file.js';
import { rdbHooks } from './aof/index.js';

const BGSAVE_RETRY_DELAY_MS = 5000;
const MISCONF_RDB =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
/** entries installed per event-loop slice while loading at startup */
const LOAD_SLICE = 20000;

export class RdbState {
  lastSave = Math.floor(Date.now() / 1000);
  lastBgsaveOk = true;
  lastBgsaveTry = 0;
  lastBgsaveTimeSec = -1;
  saves = 0;
  bg: BackgroundSave | null = null;
  bgScheduled = false;
  dirtyAtBgStart = 0;
  lastLoadLoaded = 0;
  lastLoadExpired = 0;
  /** (seconds, changes) pairs of the `save` parameter */
  points: [number, number][] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly s: Server) {}

  /** SAVE: the file written at once. Throws on failure (the caller replies). */
  saveNow(): void {
    const s = this.s;
    saveRdbSync(s);
    this.afterSave(s.ks.dirty);
    s.log.notice('DB saved on disk');
  }

  /** A save that started at `dirtyAtStart` changes has completed. */
  markSaved(dirtyAtStart: number): void {
    this.afterSave(dirtyAtStart);
  }

  private afterSave(dirtyAtStart: number): void {
    this.s.ks.dirty -= dirtyAtStart;
    if (this.s.ks.dirty < 0) this.s.ks.dirty = 0;
    this.lastSave = Math.floor(Date.now() / 1000);
    this.saves++;
  }

  /** Starts a BGSAVE. Returns false when one is already running. */
  startBackground(): boolean {
    if (this.bg !== null) return false;
    const s = this.s;
    this.dirtyAtBgStart = s.ks.dirty;
    this.lastBgsaveTry = Date.now();
    s.log.notice('Background saving started');
    const started = Date.now();
    this.bg = new BackgroundSave(s, rdbPath(s), (err) => {
      this.bg = null;
      this.lastBgsaveTimeSec = Math.round((Date.now() - started) / 1000);
      if (err === null) {
        this.lastBgsaveOk = true;
        this.afterSave(this.dirtyAtBgStart);
        s.log.notice('Background saving terminated with success');
      } else {
        this.lastBgsaveOk = false;
        s.log.warning(`Background saving error: ${err.message}`);
      }
      if (this.bgScheduled) {
        this.bgScheduled = false;
        this.startBackground();
      }
    });
    return true;
  }

  /** serverCron's save-point check: a BGSAVE when enough changes are old enough. */
  tick(): void {
    if (this.bg !== null || this.s.loading || this.s.pauseCron) return;
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
    if (this.bg !== null) {
      this.bg.abort();
      this.bg = null;
    }
  }

  /** Loads the file at startup (in slices: clients meanwhile get -LOADING). */
  async loadAtStartup(): Promise<void> {
    const s = this.s;
    const path = rdbPath(s);
    const started = Date.now();
    const img = readRdbFile(s, path);
    if (img === null) return;
    s.loading = true;
    const info = { start: Math.floor(started / 1000), totalBytes: img.size, loadedBytes: 0 };
    s.loadingInfo = info;
    try {
      let loaded = 0;
      let expired = 0;
      for (let i = 0; i < img.entries.length; i += LOAD_SLICE) {
        const [l, x] = installEntries(s, img.entries, i, Math.min(img.entries.length, i + LOAD_SLICE));
        loaded += l;
        expired += x;
        info.loadedBytes = Math.round((img.size * Math.min(img.entries.length, i + LOAD_SLICE)) / Math.max(1, img.entries.length));
        if (i + LOAD_SLICE < img.entries.length) {
          if (img.entries.length > 5 * LOAD_SLICE) s.log.notice(`Loading RDB: ${Math.round(((i + LOAD_SLICE) * 100) / img.entries.length)}%`);
          await new Promise((r) => setImmediate(r));
        }
      }
      this.lastLoadLoaded = loaded;
      this.lastLoadExpired = expired;
      s.ks.dirty = 0;
      s.log.notice(`Done loading RDB, keys loaded: ${loaded}, keys expired: ${expired}.`);
      s.log.notice(`DB loaded from disk: ${((Date.now() - started) / 1000).toFixed(3)} seconds`);
    } finally {
      s.loading = false;
      s.loadingInfo = null;
    }
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
      ['rdb_last_cow_size', 0],
      ['rdb_last_load_keys_expired', this.lastLoadExpired],
      ['rdb_last_load_keys_loaded', this.lastLoadLoaded],
    ];
  }
}

const states = new WeakMap<Server, RdbState>();

/** The server's RDB state, or undefined when installRdb was not called. */
export function rdbStateOf(s: Server): RdbState | undefined {
  return states.get(s);
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
export function installRdb(s: Server, load = true): RdbState {
  const existing = states.get(s);
  if (existing !== undefined) return existing;
  const st = new RdbState(s);
  states.set(s, st);
  s.config.onChange('save', (v) => (st.points = parseSavePoints(v)));
  // writeCommandsDeniedByDiskError: writes refused while the last BGSAVE failed
  s.diskErrorChecks.push(() =>
    !st.lastBgsaveOk && st.points.length > 0 && s.config.getBool('stop-writes-on-bgsave-error') ? MISCONF_RDB : null,
  );
  // the AOF's RDB preamble
  rdbHooks.writer = (srv, fd) => writeRdbToFd(srv, fd, { aofBase: true });
  // lets an AOF rewrite walk the snapshot in slices instead of one pause
  rdbHooks.image = (srv, out) => new RdbImage(srv, out, { aofBase: true });
  rdbHooks.loader = (srv, data) => loadRdbImage(srv, data);
  s.onStartup.push(async () => {
    // with appendonly yes the AOF is the source of truth (it loads itself)
    if (load && !s.config.getBool('appendonly')) await st.loadAtStartup();
    st.startTimer();
  });
  s.onShutdown.push(() => {
    const f = s.shutdownFlags;
    const wantSave = f !== null && f.save ? true : f !== null && f.nosave ? false : st.points.length > 0;
    if (st.bg !== null) {
      s.log.warning('There is a child saving an .rdb. Killing it!');
      st.bg.abort();
      st.bg = null;
    }
    st.stop();
    if (!wantSave) return;
    s.log.notice('Saving the final RDB snapshot before exiting.');
    // In slices like a BGSAVE, so the event loop keeps turning: a second
    // SIGINT/SIGTERM during a long save is seen and exits at once, as Redis's
    // "You insist... exiting now".
    return new Promise<void>((resolve) => {
      const dirty = s.ks.dirty;
      try {
        new BackgroundSave(s, rdbPath(s), (err) => {
          if (err !== null) s.log.warning(`Error trying to save the DB, can't exit: ${err.message}`);
          else {
            st.markSaved(dirty);
            s.log.notice('DB saved on disk');
          }
          resolve();
        });
      } catch (e) {
        s.log.warning(`Error trying to save the DB, can't exit: ${(e as Error).message}`);
        resolve();
      }
    });
  });
  return st;
}

// ------------------------------------------------------------------ commands

function saveCommand(c: Client, _argv: string[], s: Server): void {
  const st = rdbStateOf(s);
  if (st === undefined) throw Err.raw('ERR');
  if (st.bg !== null) throw Err.raw('ERR Background save already in progress');
  try {
    st.saveNow();
  } catch (e) {
    s.log.warning(`Failed opening the RDB file ${s.config.get('dbfilename')} for saving: ${(e as Error).message}`);
    throw Err.raw('ERR');
  }
  c.addOK();
}

function bgsaveCommand(c: Client, argv: string[], s: Server): void {
  const st = rdbStateOf(s);
  if (st === undefined) throw Err.raw('ERR');
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argv[1].toLowerCase() === 'schedule') schedule = true;
    else throw Err.syntax();
  }
  if (st.bg !== null) {
    if (!schedule) throw Err.raw('ERR Background save already in progress');
    st.bgScheduled = true;
    c.addStatus('Background saving scheduled');
    return;
  }
  st.startBackground();
  c.addStatus('Background saving started');
}

function lastsaveCommand(c: Client, _argv: string[], s: Server): void {
  c.addInt(rdbStateOf(s)?.lastSave ?? Math.floor(s.startTime / 1000));
}

export const rdbCommands: CommandRow[] = [
  { name: 'save', handler: saveCommand },
  { name: 'bgsave', handler: bgsaveCommand },
  { name: 'lastsave', handler: lastsaveCommand },
];
