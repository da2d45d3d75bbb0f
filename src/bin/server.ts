/**
 * gkv-server: runs the server in the foreground, taking redis-server's
 * arguments: an optional config file, then `--name value` options.
 * SIGINT/SIGTERM shut down as SHUTDOWN does (the server stays up when the
 * final save fails); a second SIGINT while that runs forces the exit, as
 * Redis does.
 */
import { Config, ConfigError } from '../server/config.js';
import { PARAMS } from '../server/params.js';
import { StartupFailure, type Server } from '../server/server.js';
import { composeServer } from '../compose.js';
import { rdbRemoveTempFile } from '../persistence/rdb/file.js';
import { installCrashHandlers } from '../server/crash.js';

import { REDIS_VERSION as VERSION } from '../version.js';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`gKV server v=${VERSION} (Redis-compatible) node=${process.version}\n`);
    return 0;
  }
  if (argv[0] === '-h' || argv[0] === '--help') {
    process.stdout.write('Usage: gkv-server [/path/to/gkv.conf] [--port 7000] [--bind 127.0.0.1] [--option value ...]\n');
    return 0;
  }
  const config = new Config(PARAMS);
  let server: Server;
  try {
    config.loadArgs(argv);
    // every command, the configuration's renames, persistence (loading the RDB at startup)
    server = composeServer(config, { persistence: { loadRdb: true } });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(e.message + '\n');
      return 1;
    }
    throw e;
  }
  server.log.level = config.get('loglevel') as typeof server.log.level;
  server.log.file = config.get('logfile');
  // the process title shows proc-title-template, {title} being the name gkv-server was started as
  server.procTitleName = process.env.GKV_ARGV0 ?? process.argv[1];
  // Redis's banner, once the port is bound and before the data is loaded
  server.onStartup.unshift(() => startupBanner(server));
  // kill -ABRT: Redis's crash report, then the death by that signal; installed before
  // listening and loading, as Redis's setupSignalHandlers in initServer
  installCrashHandlers(server);
  server.log.notice('oO0OoO0OoO0Oo gKV is starting oO0OoO0OoO0Oo');
  server.log.notice(`gKV version=${VERSION}, node=${process.version}, pid=${process.pid}, just started`);
  try {
    await server.listen();
  } catch (e) {
    if (e instanceof StartupFailure) {
      server.log.warning(e.message);
      return 1;
    }
    // Redis logs the socket's failure, then gives up
    server.log.warning(`Warning: ${(e as Error).message}`);
    server.log.warning(`Failed listening on port ${config.get('port')} (TCP), aborting.`);
    return 1;
  }
  // Redis's sigShutdownHandler: the cron carries the shutdown out (shutdownAsap); a
  // second SIGINT while one is pending or running exits at once, as an
  // impatient Ctrl+C expects
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => {
    if (server.shutdownAsap && sig === 'SIGINT') {
      server.log.fromSignalHandler('You insist... exiting now.');
      rdbRemoveTempFile(server);
      process.exit(1);
    }
    server.log.fromSignalHandler(server.loading ? 'Received shutdown signal during loading, scheduling shutdown.' : `Received ${sig} scheduling shutdown...`);
    server.shutdownAsap = true;
    server.lastSignal = sig;
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  await server.closed;
  return 0;
}

/**
 * Redis's startup banner: with always-show-logo (or a terminal) the logo,
 * which names version, mode, port and PID (Redis's test suite waits for its
 * " PID: <pid>" line), otherwise one "Running mode=" line; then "Server
 * initialized".
 */
function startupBanner(server: Server): void {
  const log = server.log;
  if (server.config.getBool('always-show-logo') || (log.file === '' && process.stdout.isTTY === true)) {
    log.raw(
      'notice',
      ['', `        gKV ${VERSION} (Redis-compatible) 64 bit, node ${process.version}`, '        Running in standalone mode', `        Port: ${server.port}`, `        PID: ${process.pid}`, ''].join(
        '\n',
      ),
    );
  } else log.notice(`Running mode=standalone, port=${server.port}.`);
  log.warning('Server initialized');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`fatal: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
