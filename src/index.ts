/**
 * gKV's library API: start a Redis-compatible server in-process.
 *
 *   import { createServer } from 'gkv';
 *   const srv = await createServer({ port: 0 });   // any free port
 *   // ... connect any Redis client to srv.host:srv.port ...
 *   await srv.close();
 *
 * Options are redis.conf parameters by their names (`port`, `bind`,
 * `requirepass`, `maxmemory`, `save`, `dir`, `appendonly` …), typed
 * (ConfigOptions, generated from the parameter table: a misspelt name is a
 * compile error), plus `log`. Defaults differ from gkv-server's in three ways
 * suited to tests and embedding:
 * - bind 127.0.0.1;
 * - in memory: unless persistence is asked for (`dir` or `dbfilename` given,
 *   save points in `save`, or `appendonly` on), nothing is saved
 *   (save "") and `dir` is a private temporary directory, removed when the
 *   server stops, so that no dump.rdb or AOF lands in the caller's working
 *   directory — not at close(), not on FLUSHALL or SHUTDOWN, not even on an
 *   explicit SAVE; no RDB file is loaded unless `dir` or `dbfilename` is given;
 * - silent: the log goes to the `log` function when one is given (at
 *   `loglevel`, notice by default), to stdout or `logfile` when `loglevel` or
 *   `logfile` is given, and nowhere otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config, ConfigError } from './server/config.js';
import { PARAMS } from './server/params.js';
import type { ConfigOptions } from './server/config-options.js';
import type { LogSink } from './server/log.js';
import type { Server } from './server/server.js';
import { composeServer } from './compose.js';

export type { ConfigOptions } from './server/config-options.js';
export type { LogSink } from './server/log.js';

export interface ServerOptions extends ConfigOptions {
  /**
   * Takes the server's log: each message with its level ('debug', 'verbose',
   * 'notice', 'warning'), without redis-server's `pid:role date` prefix. Lines
   * below `loglevel` (notice unless given) are not passed.
   */
  log?: LogSink;
}

export interface GkvServer {
  /** the TCP port bound (the chosen one when port was 0) */
  port: number;
  /** the TLS port bound (tls-port; 0 without TLS) */
  tlsPort: number;
  host: string;
  /**
   * Stops the server as SHUTDOWN does (the AOF fsynced; the final save with
   * save points). Rejects, leaving the server up, when that save or fsync
   * fails; `{ nosave: true }` skips the save, `{ force: true }` stops anyway.
   */
  close(opts?: { nosave?: boolean; force?: boolean }): Promise<void>;
  /** the underlying server, for embedding and tests */
  server: Server;
}

/**
 * Whether the options ask for persistence: then `dir` defaults to the working
 * directory, as in redis-server. `save: ''` or `appendonly: false` say
 * "none", so they do not.
 */
function wantsPersistence(p: ConfigOptions): boolean {
  if (p.dir !== undefined || p.dbfilename !== undefined) return true;
  const save = p.save === undefined ? '' : Array.isArray(p.save) ? p.save.join(' ') : String(p.save);
  const aof = p.appendonly === true || (typeof p.appendonly === 'string' && p.appendonly.toLowerCase() === 'yes');
  return save.trim() !== '' || aof;
}

/**
 * The private directories of in-memory servers not yet removed. Removing one
 * is an rmdir, which takes 1.5–2 ms on an ext4 /tmp (bench/create-server.js):
 * a server's close() would cost 40 times its start. So it is removed in the
 * background once the server stopped, and whatever is left when the process
 * exits is removed then. One registry and one exit hook for the process: a
 * hook per server would trip Node's listener-leak warning past ten servers.
 */
const pendingDirs = new Set<string>();
let exitHookInstalled = false;

function removePrivateDir(dir: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const d of pendingDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  pendingDirs.add(dir);
  // usually empty (nothing was saved): one rmdir, else the whole tree
  rmdir(dir)
    .catch(() => rm(dir, { recursive: true, force: true }))
    .then(
      () => pendingDirs.delete(dir),
      () => {},
    );
}

function toArgs(v: string | number | boolean | string[]): string[] {
  if (typeof v === 'boolean') return [v ? 'yes' : 'no'];
  if (Array.isArray(v)) return v;
  return [String(v)];
}

export async function createServer(options: ServerOptions = {}): Promise<GkvServer> {
  const { log, ...params } = options;
  const given = (k: string) => k in params;
  const config = new Config(PARAMS);
  config.setStartup('bind', ['127.0.0.1']);
  config.setStartup('save', ['']);
  config.setStartup('loglevel', [log !== undefined || given('logfile') ? 'notice' : 'nothing']);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    try {
      config.setStartup(k, toArgs(v as string | number | boolean | string[]));
    } catch (e) {
      if (e instanceof ConfigError) throw new Error(`gkv: bad option '${k}': ${e.message}`);
      throw e;
    }
  }
  // in memory: the files an explicit SAVE, SHUTDOWN SAVE or CONFIG SET appendonly would write go to a private directory
  const privateDir = wantsPersistence(params) ? null : mkdtempSync(join(tmpdir(), 'gkv-'));
  if (privateDir !== null) config.setStartup('dir', [privateDir]);
  let server: Server;
  try {
    // every command, renames, persistence; the RDB file is loaded only when the caller named where it is
    server = composeServer(config, { persistence: { loadRdb: given('dir') || given('dbfilename') } });
    server.log.level = config.get('loglevel') as typeof server.log.level;
    server.log.file = config.get('logfile');
    server.log.sink = log ?? null;
    await server.listen();
  } catch (e) {
    if (privateDir !== null) removePrivateDir(privateDir);
    throw e;
  }
  // however it stops (close(), SHUTDOWN from a client), the private directory goes with it
  if (privateDir !== null) void server.closed.then(() => removePrivateDir(privateDir));
  return {
    port: server.port,
    tlsPort: server.tlsPort,
    host: server.host,
    server,
    close: (opts = {}) => server.shutdown(opts),
  };
}

export { Server } from './server/server.js';
export { Config } from './server/config.js';
