/**
 * gkv-server: runs the server, taking redis-server's arguments: an optional
 * config file, then `--name value` options, "-" (first or last) to read more
 * configuration from stdin; or -v/--version, -h/--help, --test-memory.
 * Startup logs what Redis's main() logs, in its order and levels.
 * SIGINT/SIGTERM shut down as SHUTDOWN does (the server stays up when the
 * final save fails); a second SIGINT while that runs forces the exit, as
 * Redis does.
 *
 * daemonize yes: Redis fork()s, the parent exits 0 and the child runs on,
 * detached from the terminal (setsid), its stdio on /dev/null, and writes
 * its pid file (/var/run/redis.pid unless pidfile names one). Node cannot
 * fork, so the parent re-spawns itself — the same node, flags, script and
 * arguments — as a detached process (libuv's detached = setsid) with its
 * stdio on /dev/null, and exits once the child is listening and has written
 * its pid file. For an operator that is Redis's daemon, and better timed:
 * when the parent has exited the server accepts connections and the pid
 * file is there; a child that fails before (port in use, unix socket) makes
 * the parent exit with the child's code instead of 0. Refusing daemonize
 * would break init scripts and redis.conf files written for Redis, so it is
 * honoured. The default pid file is /var/run/gkv.pid (gKV's name in Redis's
 * place, so a gKV and a Redis on one host do not overwrite each other's).
 */
import { spawn } from 'node:child_process';
import v8 from 'node:v8';
import { readFileSync, writeFileSync } from 'node:fs';
import { Config, ConfigError, ConfigFileOpenError } from '../server/config.js';
import { Logger } from '../server/log.js';
import { PARAMS } from '../server/params.js';
import { StartupFailure, type Server } from '../server/server.js';
import { BindError } from '../server/listeners.js';
import { composeServer } from '../compose.js';
import { rdbRemoveTempFile } from '../persistence/rdb/file.js';
import { installCrashHandlers } from '../server/crash.js';
import { strerror } from '../util/strerror.js';
import { GKV_VERSION, REDIS_VERSION } from '../version.js';

/** set in the daemon child's environment by its parent (and removed at once by the child) */
const DAEMON_CHILD_ENV = 'GKV_DAEMON_CHILD';
/** the pid file of a daemon that names none (Redis's CONFIG_DEFAULT_PID_FILE is /var/run/redis.pid) */
const DEFAULT_PID_FILE = '/var/run/gkv.pid';

async function main(argv: string[]): Promise<number> {
  // Redis's special options, taken only as the first argument
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(versionLine());
    return 0;
  }
  if (argv[0] === '-h' || argv[0] === '--help') {
    // Redis's usage(): to stderr, exit 1
    process.stderr.write(usage());
    return 1;
  }
  if (argv[0] === '--test-memory') return testMemory(argv);

  const daemonChild = process.env[DAEMON_CHILD_ENV] === '1';
  delete process.env[DAEMON_CHILD_ENV];
  // before the server exists, lines are logged as Redis's are before initServer(): role C, to stdout
  const early = new Logger();
  early.role = 'C';
  const config = new Config(PARAMS);
  let server: Server;
  try {
    config.loadArgs(argv, () => {
      // logged by the process that reads it (the daemon's parent, before it forks)
      if (!daemonChild) early.warning('Reading config from stdin');
      return readFileSync(0, 'latin1');
    });
    // every command, the configuration's renames, persistence (loading the RDB at startup)
    server = composeServer(config, { persistence: { loadRdb: true } });
  } catch (e) {
    if (e instanceof ConfigFileOpenError) {
      early.warning(e.message);
      return 1;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(e.message + '\n');
      return 1;
    }
    throw e;
  }
  const background = config.getBool('daemonize');
  if (background && !daemonChild) return daemonize(argv, config.stdinText);
  if (background && config.get('pidfile') === '') config.setStartup('pidfile', [DEFAULT_PID_FILE]);

  server.log.level = config.get('loglevel') as typeof server.log.level;
  server.log.file = config.get('logfile');
  // the process title shows proc-title-template, {title} being the name gkv-server was started as
  const argv0 = process.env.GKV_ARGV0 ?? process.argv[1];
  server.procTitleName = argv0;
  // --port 0 is no TCP listener, as for redis-server (the library's port 0 picks a free port)
  server.portZeroPicksFreePort = false;
  // once the ports are bound, before the data is loaded (Redis's main() after initServer()):
  // the pid file, the daemon's parent let go, the banner and its warnings
  server.onStartup.unshift(() => {
    if (background || config.get('pidfile') !== '') createPidFile(server);
    // (a parent gone meanwhile, killed, has closed the channel: nothing to tell)
    if (daemonChild && process.send !== undefined && process.connected) {
      process.send('listening', () => {
        if (process.connected) process.disconnect();
      });
    }
    startupBanner(server);
  });
  // kill -ABRT: Redis's crash report, then the death by that signal; installed before
  // listening and loading, as Redis's setupSignalHandlers in initServer
  installCrashHandlers(server);
  // Redis's sigShutdownHandler, installed before the ports are bound (as initServer's
  // setupSignalHandlers), so a SIGTERM once a client can connect is a shutdown, never
  // a kill: the cron carries the shutdown out (shutdownAsap); a second SIGINT while
  // one is pending or running exits at once, as an impatient Ctrl+C expects
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
  const role = server.log.role;
  server.log.role = 'C';
  redisIsSupervised(server);
  server.log.warning('oO0OoO0OoO0Oo gKV is starting oO0OoO0OoO0Oo');
  server.log.warning(`gKV version=${GKV_VERSION}, redis_version=${REDIS_VERSION}, bits=${bits()}, node=${process.version}, pid=${process.pid}, just started`);
  if (argv.length === 0) {
    server.log.warning(`Warning: no config file specified, using the default config. In order to specify a config file use ${argv0} /path/to/gkv.conf`);
  } else server.log.warning('Configuration loaded');
  server.log.role = role;
  if (!serverCanHonour(server)) return 1;
  try {
    await server.listen();
  } catch (e) {
    if (e instanceof StartupFailure) {
      server.log.warning(e.message);
      return 1;
    }
    // Redis logs the socket's failure, then gives up
    server.log.warning(`Warning: ${(e as Error).message}`);
    const overTls = e instanceof BindError && e.tls;
    server.log.warning(`Failed listening on port ${config.get(overTls ? 'tls-port' : 'port')} (${overTls ? 'TLS' : 'TCP'}), aborting.`);
    return 1;
  }
  // Redis's warning about a suspicious maxmemory, after "Ready to accept connections"
  const maxmemory = Number(config.get('maxmemory'));
  if (maxmemory > 0 && maxmemory < 1024 * 1024) {
    server.log.warning(`WARNING: You specified a maxmemory value that is less than 1MB (current value is ${maxmemory} bytes). Are you sure this is what you really want?`);
  }
  await server.closed;
  return 0;
}

const bits = (): number => (process.arch.endsWith('64') ? 64 : 32);

/** -v / --version: redis-server's one line, naming gKV's release and the Redis version it implements. */
function versionLine(): string {
  return `gKV server v=${GKV_VERSION} redis_version=${REDIS_VERSION} node=${process.version} bits=${bits()}\n`;
}

/** -h / --help: redis-server's usage, for gkv-server (no Sentinel, no --check-system). */
function usage(): string {
  return [
    'Usage: gkv-server [/path/to/gkv.conf] [options] [-]',
    '       gkv-server - (read config from stdin)',
    '       gkv-server -v or --version',
    '       gkv-server -h or --help',
    '       gkv-server --test-memory <megabytes>',
    '',
    'Options are redis.conf directives: --port 7777 is the line "port 7777".',
    '',
    'Examples:',
    '       gkv-server (run the server with default conf)',
    "       echo 'maxmemory 128mb' | gkv-server -",
    '       gkv-server /etc/gkv/6379.conf',
    '       gkv-server --port 7777',
    '       gkv-server --port 7777 --unixsocket /tmp/gkv.sock --save ""',
    '       gkv-server /etc/mygkv.conf --loglevel verbose -',
    '       gkv-server /etc/mygkv.conf --loglevel verbose',
    '',
    `gKV ${GKV_VERSION}, a Redis ${REDIS_VERSION}-compatible server.`,
    '',
  ].join('\n');
}

/**
 * --test-memory: Redis's answer without the size (and exit 1). With one,
 * gKV has no memory tester to run — a JavaScript program cannot walk
 * physical memory with Redis's patterns — so it says so and names the two
 * tools Redis recommends, exiting 1 as a test not run.
 */
function testMemory(argv: string[]): number {
  if (argv.length !== 2) {
    process.stderr.write('Please specify the amount of memory to test in megabytes.\nExample: gkv-server --test-memory 4096\n\n');
    return 1;
  }
  process.stderr.write('gKV has no built-in memory test. Please use one of the following two tools:\n1) memtest86: http://www.memtest86.com/\n2) memtester: http://pyropus.ca/software/memtester/\n');
  return 1;
}

/**
 * daemonize yes in the parent: the same program started again, detached,
 * stdio on /dev/null (stdin carries the "-" configuration when there was
 * one); resolves with 0 once the child says it listens, or with the child's
 * exit code when it stops before.
 */
function daemonize(argv: string[], stdinText: string | null): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], {
      detached: true,
      stdio: [stdinText !== null ? 'pipe' : 'ignore', 'ignore', 'ignore', 'ipc'],
      env: { ...process.env, [DAEMON_CHILD_ENV]: '1' },
    });
    if (stdinText !== null) child.stdin!.end(stdinText, 'latin1');
    child.once('message', (m) => {
      if (m !== 'listening') return;
      child.disconnect();
      child.unref();
      resolve(0);
    });
    child.once('exit', (code) => resolve(code ?? 1));
    child.once('error', (e) => {
      process.stderr.write(`Failed to start the daemon: ${strerror(e)}\n`);
      resolve(1);
    });
  });
}

/**
 * Redis's createPidFile: the pid and a newline. A pid file that cannot be
 * written is logged and the server runs on (Redis 7.0 says nothing; 7.2's
 * warning is logged here, so the setting is never silently ignored).
 */
function createPidFile(server: Server): void {
  const path = server.config.get('pidfile');
  try {
    writeFileSync(path, `${process.pid}\n`);
  } catch (e) {
    server.log.warning(`Failed to write PID file: ${strerror(e)}`);
  }
}

/**
 * Redis's startup banner: with always-show-logo (or a terminal) the logo,
 * which names version, mode, port and PID (Redis's test suite waits for its
 * " PID: <pid>" line), otherwise one "Running mode=" line; then the TCP
 * backlog warning (checkTcpBacklogSettings) and "Server initialized".
 * Redis's Linux memory warnings (overcommit_memory, transparent huge pages)
 * are not given: gKV never fork()s and V8's heap is not jemalloc's.
 */
function startupBanner(server: Server): void {
  const log = server.log;
  if (server.config.getBool('always-show-logo') || (log.file === '' && process.stdout.isTTY === true)) {
    log.raw(
      'notice',
      [
        '',
        `        gKV ${GKV_VERSION} (Redis ${REDIS_VERSION} compatible) ${bits()} bit, node ${process.version}`,
        '        Running in standalone mode',
        `        Port: ${server.port}`,
        `        PID: ${process.pid}`,
        '',
      ].join('\n'),
    );
  } else log.notice(`Running mode=standalone, port=${server.port}.`);
  checkTcpBacklogSettings(server);
  checkHeapSizing(server);
  log.warning('Server initialized');
}

/**
 * Redis's redisIsSupervised, before the "is starting" lines: supervised
 * upstart (or auto with UPSTART_JOB set) stops the process with SIGSTOP once
 * started, as Redis does, for upstart to see it ready; systemd cannot be told
 * (sd_notify needs a Unix datagram socket, which Node has not), so gKV says
 * so as a Redis built without libsystemd does. Without the supervisor's
 * variable, Redis's errors.
 */
function redisIsSupervised(server: Server): void {
  let mode = server.config.get('supervised');
  if (mode === 'auto') mode = process.env.UPSTART_JOB !== undefined ? 'upstart' : process.env.NOTIFY_SOCKET !== undefined ? 'systemd' : 'no';
  if (mode === 'upstart') {
    if (process.env.UPSTART_JOB === undefined) {
      server.log.warning('upstart supervision requested, but UPSTART_JOB not found!');
      return;
    }
    server.log.notice('supervised by upstart, will stop to signal readiness.');
    delete process.env.UPSTART_JOB;
    server.onStartup.push(() => void process.kill(process.pid, 'SIGSTOP'));
  } else if (mode === 'systemd') {
    if (process.env.NOTIFY_SOCKET === undefined) server.log.warning('systemd supervision error: NOTIFY_SOCKET not found!');
    else server.log.warning('systemd supervision requested or auto-detected, but gKV is compiled without libsystemd support!');
  }
}

/**
 * Settings gKV takes but cannot honour: those a client would be misled by
 * stop the start (cluster-enabled: no cluster mode), the others are logged
 * (syslog-enabled: the log stays where logfile says). Returns false to stop.
 */
function serverCanHonour(server: Server): boolean {
  const cfg = server.config;
  const log = server.log;
  if (cfg.getBool('cluster-enabled')) {
    log.warning('gKV has no cluster mode: cluster-enabled yes cannot be honoured, exiting.');
    return false;
  }
  if (cfg.getBool('syslog-enabled')) log.warning(`WARNING gKV does not log to syslog (syslog-enabled yes): the log goes to ${log.file === '' ? 'stdout' : log.file}.`);
  return true;
}

/**
 * bin/gkv-server sets GKV_HEAP_UNSIZED when it had to run the server with
 * V8's default heap (a Node without process.execve, on POSIX): the dataset
 * is then capped at that limit, which an operator must hear of at startup,
 * as Redis warns of a setting the system caps.
 */
function checkHeapSizing(server: Server): void {
  if (process.env.GKV_HEAP_UNSIZED !== '1') return;
  const limitMb = Math.floor(v8.getHeapStatistics().heap_size_limit / 1048576);
  server.log.warning(
    `WARNING: V8's default heap limit of ${limitMb} MB caps the dataset: node ${process.version} cannot restart gkv-server with a heap sized to the machine (no process.execve before Node 22.15). Run it on Node >= 22.15, or start it as 'node --max-old-space-size=<MB> --max-semi-space-size=8 gkv-server ...'.`,
  );
}

/** Redis's checkTcpBacklogSettings: the kernel caps listen()'s backlog at net.core.somaxconn. */
function checkTcpBacklogSettings(server: Server): void {
  let somaxconn: number;
  try {
    somaxconn = parseInt(readFileSync('/proc/sys/net/core/somaxconn', 'latin1'), 10);
  } catch {
    return; // not Linux
  }
  const backlog = server.config.getInt('tcp-backlog');
  if (somaxconn > 0 && somaxconn < backlog) {
    server.log.warning(`WARNING: The TCP backlog setting of ${backlog} cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of ${somaxconn}.`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`fatal: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
