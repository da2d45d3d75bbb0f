/**
 * gKV's library API: start a Redis-compatible server in-process.
 *
 *   import { createServer } from 'gkv';
 *   const srv = await createServer({ port: 0 });   // any free port
 *   // ... connect any Redis client to srv.host:srv.port ...
 *   await srv.close();
 *
 * Options are redis.conf parameters, by their names (`port`, `bind`,
 * `requirepass`, `maxmemory`, `save`, `dir`, `appendonly` …), as strings,
 * numbers or booleans. Defaults differ from gkv-server in two ways suited to
 * tests: bind 127.0.0.1, and nothing is logged unless `loglevel` is given;
 * nothing is saved (save "") and no RDB file is loaded unless `dir` or
 * `dbfilename` is given.
 */
import { Config, ConfigError } from './server/config.js';
import { PARAMS } from './server/params.js';
import type { Server } from './server/server.js';
import { composeServer } from './compose.js';

export type ServerOptions = Record<string, string | number | boolean | string[]>;

export interface GkvServer {
  /** the TCP port bound (the chosen one when port was 0) */
  port: number;
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

function toArgs(v: string | number | boolean | string[]): string[] {
  if (typeof v === 'boolean') return [v ? 'yes' : 'no'];
  if (Array.isArray(v)) return v;
  return [String(v)];
}

export async function createServer(options: ServerOptions = {}): Promise<GkvServer> {
  const config = new Config(PARAMS);
  config.setStartup('bind', ['127.0.0.1']);
  config.setStartup('loglevel', ['nothing']);
  config.setStartup('save', ['']);
  for (const [k, v] of Object.entries(options)) {
    try {
      config.setStartup(k, toArgs(v));
    } catch (e) {
      if (e instanceof ConfigError) throw new Error(`gkv: bad option '${k}': ${e.message}`);
      throw e;
    }
  }
  // every command, renames, persistence; the RDB file is loaded only when the caller named where it is
  const server = composeServer(config, { persistence: { loadRdb: 'dir' in options || 'dbfilename' in options } });
  await server.listen();
  return {
    port: server.port,
    host: server.host,
    server,
    close: (opts = {}) => server.shutdown(opts),
  };
}

export { Server } from './server/server.js';
export { Config } from './server/config.js';
