/**
 * Wiring the append-only file into a server: installAof(server) connects the
 * Aof (aof.ts) to the server's hooks —
 *   propagate       every write, in its propagated form, is fed to the AOF
 *   beforeReplies   the AOF buffer is written (and, appendfsync always,
 *                   fsynced) before any reply of the loop iteration leaves
 *   onStartup       appendonly yes: load the AOF directory (clients get
 *                   -LOADING meanwhile), then open it for appending
 *   onShutdown      kill a rewrite, write and fsync the buffer before exit
 *                   (a failure keeps the server up unless NOSAVE/FORCE)
 *   diskErrorChecks after a failed AOF write, write commands get -MISCONF
 * — and to CONFIG SET appendonly / appendfsync. aofOf(server) gives INFO and
 * BGREWRITEAOF the instance.
 */
import { PROPAGATE_ALL, PROPAGATE_AOF } from '../../server/propagation.js';
import type { ServerContext } from '../../commands/context.js';
import { Aof } from './aof.js';
import type { FsyncPolicy } from './feed.js';
import { ConfigError } from '../../server/config.js';

export { Aof } from './aof.js';
export { type RdbHooks, type RdbBaseWriter, type RdbImageFactory, type RdbImageSink } from './rdb-hooks.js';
export { AofLoadError, type RdbImageLoader } from './loader.js';

declare module '../../commands/context.js' {
  interface ServerContext {
    /** the append-only file, a typed field set by installAof (null until installed) */
    aof: Aof | null;
  }
}

/** The server's AOF, or undefined when installAof was not called. */
export function aofOf(s: ServerContext): Aof | undefined {
  return s.aof ?? undefined;
}

/** Installs the AOF on a server (before listen()). Returns it. */
export function installAof(s: ServerContext): Aof {
  if (s.aof !== null) return s.aof;
  const aof = new Aof(s);
  s.aof = aof;
  const feed = aof.feed;
  // what is for replicas only (PUBLISH, redis.set_repl(REPL_REPLICA)) is not the AOF's
  s.propagation.add((db, argv, targets = PROPAGATE_ALL) => {
    if ((targets & PROPAGATE_AOF) !== 0) feed.append(db, argv);
  });
  s.beforeReplies.push(() => {
    if (feed.buf.length !== 0) feed.flush(false);
  });
  let booted = false;
  s.onStartup.push(async () => {
    if (s.config.getBool('appendonly')) await aof.startAtBoot();
    aof.startTimer();
    booted = true;
  });
  s.onShutdown.push((flags, sync) => aof.shutdownStep(flags, sync));
  s.onStopped.push(() => aof.close());
  s.diskErrorChecks.push(() => (aof.state !== 'off' && feed.lastWriteStatus === 'err' ? `MISCONF Errors writing to the AOF file: ${feed.lastWriteError}` : null));
  s.config.onChange('appendonly', (v) => {
    // startup applies every hook once before loading: only runtime changes act
    if (!booted) return;
    if (v === 'yes') {
      try {
        aof.enable();
      } catch (e) {
        throw new ConfigError((e as Error).message);
      }
    } else aof.disable();
  });
  s.config.onChange('appendfsync', (v) => {
    feed.policy = v as FsyncPolicy;
  });
  s.config.onChange('aof-timestamp-enabled', (v) => (feed.timestamps = v === 'yes'));
  // Redis's updateAofAutoGCEnabled: turning the auto gc back on removes the history at once
  s.config.onChange('aof-disable-auto-gc', (v) => {
    if (booted && v === 'no' && aof.state !== 'off') aof.deleteHistoryFiles();
  });
  return aof;
}
