/**
 * Background saves with a child process: BGSAVE and the AOF rewrite, in the
 * shape Redis gives them with fork(). The server walks its fork-less snapshot
 * (snapshot.ts) in event-loop slices and streams the encoded bytes to a child
 * process (save-child.ts) that writes, fsyncs and (for an RDB) renames the
 * file. So, as with Redis:
 * - the save is a child process of the server (pgrep -P), its file is named
 *   after the child's pid (temp-<pid>.rdb, temp-rewriteaof-bg-<pid>.aof);
 * - a child that dies (kill -9, a disk error) fails the save: the server logs
 *   "terminated by signal" or the error, removes the temporary file, and the
 *   dataset and the previous file are untouched;
 * - the server kills it (FLUSHALL, SHUTDOWN, turning the AOF off) without
 *   that counting as an error;
 * - one child at a time (Redis's hasActiveChildProcess): activeChildOf(s).
 * The walk honours rdb-key-save-delay (microseconds per key, as Redis's
 * child sleeps in rdbSaveKeyValuePair) with a timer per key, never blocking
 * the event loop, and pauses while the pipe to the child is full, so the bytes in
 * flight stay bounded.
 *
 * INFO's current_save_keys_processed/total and current_fork_perc come from
 * the walk; current_cow_size from the memory of the entries the snapshot had
 * to copy (encode early) because a write was about to change them before
 * they were saved — what copy-on-write costs Redis's fork.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { closeSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActiveChild } from '../server/children.js';
import type { ServerContext } from '../commands/context.js';
import { Snapshot, type SnapshotSink } from './snapshot.js';
import { strerror } from '../util/strerror.js';
import { memoryUsageOf } from '../keyspace/object-size.js';

const CHILD_JS = fileURLToPath(new URL('./save-child.js', import.meta.url));
/** event-loop time a slice of the walk may take */
const SLICE_MS = 2;

/** What a save writes its bytes through: the snapshot's sink and its output (see rdb/file.ts's RdbImage). */
export interface SaveOutput {
  sink: SnapshotSink<unknown>;
  /** hands what is buffered to the output (after each slice) */
  drain(): void;
  /** ends the file (RDB: EOF and checksum) and hands the rest to the output */
  end(): void;
  /** bytes produced */
  size(): number;
}

export type ChildType = 'rdb' | 'aof';

/** How a child ended. `killed`: the server stopped it (not an error for Redis). */
export type ChildResult = { ok: true; size: number } | { ok: false; killed: boolean; signal: number | null; code: number | null; error: string; op: string };

let spawnSeq = 0;

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* not created, or gone */
  }
}

/** The child running for s (Redis's server.child_pid / child_type), or null. */
export function activeChildOf(s: ServerContext): ChildSave | null {
  const c = s.children.active;
  return c instanceof ChildSave ? c : null;
}

/** INFO persistence's current_* fields: the running child's progress (zeros without one). */
export function childInfoFields(s: ServerContext): [string, string | number][] {
  const c = activeChildOf(s);
  if (c === null) {
    return [
      ['current_cow_peak', 0],
      ['current_cow_size', 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', '0.00'],
      ['current_save_keys_processed', 0],
      ['current_save_keys_total', 0],
    ];
  }
  const done = c.keysProcessed;
  const total = c.keysTotal;
  const perc = total > 0 ? (Math.min(done, total) * 100) / total : 0;
  return [
    ['current_cow_peak', c.cowBytes],
    ['current_cow_size', c.cowBytes],
    ['current_cow_size_age', 0],
    ['current_fork_perc', perc.toFixed(2)],
    ['current_save_keys_processed', done],
    ['current_save_keys_total', total],
  ];
}

export interface ChildSaveOptions {
  type: ChildType;
  /** the directory of the temporary file (Redis's working directory: `dir`) */
  dir: string;
  /** its name, %d standing for the child's pid */
  tempName: string;
  /** where the child renames the finished file ('' : it leaves it, the server takes it) */
  finalPath: string;
  /** builds the output given the function that sends bytes to the child */
  output(send: (b: Buffer) => void): SaveOutput;
  /** called once when the child ended, after it was unregistered */
  done(r: ChildResult, job: ChildSave): void;
}

export class ChildSave implements ActiveChild {
  readonly type: ChildType;
  readonly pid: number;
  readonly tempPath: string;
  readonly startedAt = Date.now();
  private readonly proc: ChildProcess;
  private readonly snap: Snapshot<unknown>;
  private readonly out: SaveOutput;
  private committed = false;
  private killed = false;
  private ended = false;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private stderr = '';
  /** the walk itself failed (a value the encoder could not write): the save fails with this */
  private walkError: string | null = null;
  /** set when the walk is over: the file's size */
  size = 0;

  /** Starts the child and the cut. Throws when no child could be started (Redis: "fork: …"). */
  constructor(
    private readonly s: ServerContext,
    private readonly o: ChildSaveOptions,
  ) {
    if (s.children.active !== null) throw new Error('another child process is active');
    this.type = o.type;
    const t0 = performance.now();
    // The file is created here and handed to the child as its stdout, then
    // given the child's name: it exists as soon as the save started, as after
    // Redis's fork. If it cannot be created, the child tries and reports why.
    const provisional = join(o.dir, `temp-spawn-${process.pid}-${++spawnSeq}.tmp`);
    let fd = -1;
    try {
      fd = openSync(provisional, 'w', 0o644);
    } catch {
      /* the child will fail to open it, with the error */
    }
    const proc = spawn(process.execPath, ['--max-old-space-size=64', CHILD_JS, join(o.dir, o.tempName), o.finalPath, fd !== -1 ? 'stdout' : ''], {
      stdio: ['pipe', fd !== -1 ? fd : 'ignore', 'pipe'],
    });
    if (fd !== -1) closeSync(fd);
    if (proc.pid === undefined) {
      proc.on('error', () => {});
      if (fd !== -1) unlinkQuiet(provisional);
      throw new Error('Resource temporarily unavailable');
    }
    this.proc = proc;
    this.pid = proc.pid;
    this.tempPath = join(o.dir, o.tempName.replace('%d', String(proc.pid)));
    if (fd !== -1) {
      try {
        renameSync(provisional, this.tempPath);
      } catch {
        unlinkQuiet(provisional);
      }
    }
    s.children.totalForks++;
    s.children.latestForkUsec = Math.round((performance.now() - t0) * 1000);
    this.out = o.output((b) => this.send(b));
    // what a write made the snapshot copy first: the value's memory, as MEMORY USAGE counts it
    this.snap = new Snapshot<unknown>(s.ks, this.out.sink, (key, value) => memoryUsageOf(key, value, 5), true);
    s.children.active = this;
    proc.stdin!.on('error', () => {}); // the child died: its exit says how
    proc.stdin!.on('drain', () => this.schedule());
    this.schedule();
    proc.stderr!.on('data', (d: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += d.toString('utf8');
    });
    proc.on('error', () => {}); // reported by 'exit' or 'close'
    proc.on('close', (code, signal) => this.onExit(code, signal));
  }

  /** the child process has ended (its file removed unless it succeeded) */
  get exited(): boolean {
    return this.ended;
  }

  /** keys saved so far (Redis's current_save_keys_processed) */
  get keysProcessed(): number {
    return this.snap.emitted;
  }

  /** keys in the cut (current_save_keys_total) */
  get keysTotal(): number {
    return this.snap.total;
  }

  /** bytes the snapshot held because of writes during the save (current_cow_size) */
  get cowBytes(): number {
    return this.snap.earlyBytes;
  }

  /**
   * Stops the save (Redis's killRDBChild / killAppendOnlyChild): the child
   * killed, its file removed when it is gone. `reap`: it stops counting as
   * the active child at once (killAppendOnlyChild waits for it), otherwise
   * when it has exited.
   */
  kill(reap = false): void {
    if (reap && this.s.children.active === this) this.s.children.active = null;
    if (this.ended || this.killed) return;
    this.killed = true;
    this.stopWalk();
    this.proc.kill('SIGKILL');
  }

  /** Kills it and resolves once it is gone (its file removed): shutdown waits for that. */
  killAndWait(): Promise<void> {
    const gone = new Promise<void>((r) => {
      if (this.ended) r();
      else this.proc.once('close', () => setImmediate(r));
    });
    this.kill();
    return gone;
  }

  /** Removes the child's temporary file now (a kill that cannot wait for the child's end). */
  removeTempFile(): void {
    unlinkQuiet(this.tempPath);
  }

  private send(b: Buffer): void {
    if (b.length === 0 || this.ended) return;
    const h = Buffer.allocUnsafe(4);
    for (let off = 0; off < b.length; off += 0x7fffffff) {
      const part = b.subarray(off, Math.min(b.length, off + 0x7fffffff));
      h.writeUInt32LE(part.length, 0);
      this.proc.stdin!.write(Buffer.from(h));
      this.proc.stdin!.write(part);
    }
  }

  private schedule(): void {
    if (this.immediate !== null || this.timer !== null || this.committed || this.ended) return;
    this.immediate = setImmediate(() => {
      this.immediate = null;
      this.walk();
    });
  }

  /** One slice of the walk (see the header: delay, back-pressure). */
  private walk(): void {
    if (this.committed || this.ended || this.killed) return;
    if (this.proc.stdin!.writableNeedDrain) return; // resumed by 'drain'
    // replies produced since the last slice leave first, not after it
    this.s.flushPending();
    const delayUs = this.s.config.getInt('rdb-key-save-delay');
    let done: boolean;
    let pauseMs = 0;
    try {
      if (delayUs > 0) {
        // one key, then a timer for its delay (at least a millisecond, as usleep's are in practice)
        done = this.snap.step(SLICE_MS, 1);
        pauseMs = delayUs / 1000;
      } else done = this.snap.step(SLICE_MS);
      if (done) {
        this.out.end();
        this.size = this.out.size();
      } else this.out.drain();
    } catch (e) {
      // an encoding failure is the server's bug; the save fails, the server goes on
      this.s.log.warning(`BUG: the background save's walk failed: ${(e as Error)?.stack ?? e}`);
      this.walkError = (e as Error)?.message ?? String(e);
      this.stopWalk();
      this.proc.kill('SIGKILL');
      return;
    }
    if (done) {
      this.committed = true;
      const commit = Buffer.alloc(4);
      this.proc.stdin!.end(commit);
      return;
    }
    if (pauseMs > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.walk();
      }, pauseMs);
    } else this.schedule();
  }

  private stopWalk(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.snap.finish();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.ended) return;
    this.ended = true;
    this.stopWalk();
    if (this.s.children.active === this) this.s.children.active = null;
    let r: ChildResult;
    if (this.committed && code === 0 && !this.killed) r = { ok: true, size: this.size };
    else {
      // the child removes its file when it fails; one killed by a signal cannot
      this.removeTempFile();
      let op = '';
      let error = '';
      const line = this.stderr.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined) {
        try {
          const j = JSON.parse(line) as { op: string; code: string; message: string };
          op = j.op;
          error = strerror({ code: j.code === '' ? undefined : j.code, message: j.message });
        } catch {
          /* not ours */
        }
      }
      const sig = signal === null ? null : (constants.signals[signal] ?? null);
      if (this.walkError !== null) r = { ok: false, killed: false, signal: null, code, error: this.walkError, op: 'walk' };
      else r = { ok: false, killed: this.killed, signal: sig, code, error, op };
    }
    this.o.done(r, this);
  }
}
