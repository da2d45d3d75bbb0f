/**
 * The composition root: the one place that puts a server together, for both
 * the library API (index.ts) and gkv-server (bin/server.ts).
 *
 * `Server` (server/server.ts) runs commands but knows none of them: this file
 * registers every family's table (commands/index.ts), applies the
 * configuration's rename-command directives, registers the INFO sections
 * that families own, and installs persistence (the AOF and the RDB, each a
 * typed subsystem of the server). Nothing else imports the families or
 * persistence's installers, so the layers below stay free of cycles
 * (test/meta/layers.test.ts).
 */
import { Config } from './server/config.js';
import { PARAMS } from './server/params.js';
import { Server } from './server/server.js';
import { registerAllCommands } from './commands/index.js';
import { registerLatencyInfo } from './commands/families/latency.js';
import { clientInfoLine } from './commands/families/connection.js';
import { installAof } from './persistence/aof/index.js';
import { installRdb } from './persistence/rdb/index.js';
import { installReplication } from './replication/index.js';
import { registerPersistenceInfo } from './persistence/info.js';
import { installScripting } from './scripting/index.js';
import { installFunctions } from './scripting/functions.js';
import { luaEngine } from './scripting/functions-lua.js';
import { aclLoadUsersAtStartup } from './commands/families/acl.js';
import type { Client } from './server/client.js';

export interface ComposeOptions {
  /**
   * Install persistence (SAVE/BGSAVE, save points, the AOF, loading at
   * startup, INFO persistence); `loadRdb: false` starts without loading the
   * RDB file. Without it the server keeps its dataset in memory only (tests).
   */
  persistence?: { loadRdb: boolean };
}

/**
 * A server with every command: throws the configuration's ConfigError for a
 * rename-command of an unknown or taken name, as Redis refuses to start.
 */
export function composeServer(config: Config = new Config(PARAMS), opts: ComposeOptions = {}): Server {
  const server = new Server(config);
  registerAllCommands(server.table);
  server.applyRenames();
  server.acl.describeClient = (c) => clientInfoLine(c as Client, server); // ACL LOG's client-info (the CLIENT LIST line)
  aclLoadUsersAtStartup(server); // the configuration's user lines, or the ACL file (commands/families/acl)
  registerLatencyInfo(server); // INFO latencystats (commands/families/latency)
  server.clientInfoString = (c) => clientInfoLine(c, server); // the log lines naming a client (Redis's catClientInfoString)
  installScripting(server); // EVAL's engine and script cache (scripting/)
  installFunctions(server, [luaEngine(server)]); // FUNCTION's libraries and the LUA engine (scripting/functions)
  if (opts.persistence !== undefined) {
    installAof(server); // appendonly: load at startup, feed, fsync, rewrite (persistence/aof)
    installRdb(server, opts.persistence.loadRdb); // SAVE/BGSAVE, save points, the save at shutdown, load at startup
    registerPersistenceInfo(server); // INFO persistence: loading, rdb_ and aof_ fields (persistence/info)
  }
  installReplication(server); // the master side: SYNC/PSYNC, the stream, the backlog, WAIT (replication/)
  return server;
}
