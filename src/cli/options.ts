/**
 * gkv-cli's command line, parsed like redis-cli 7.0 parses its own: options
 * first, the command (if any) from the first word not starting with '-'.
 */
import type { OutputMode } from './format.js';
import { splitArgs } from '../protocol/inline.js';

export interface CliConfig {
  host: string;
  port: number;
  socket: string | null;
  user: string | null;
  auth: string | null;
  noAuthWarning: boolean;
  /** the database asked for with -n or the URI */
  dbnum: number;
  resp3: boolean;
  /** HELLO 3 asked for by --json alone: a server refusing it is told about, not fatal */
  resp3Soft: boolean;
  repeat: number;
  /** milliseconds to wait after each command (-i) */
  interval: number;
  stdinLastArg: boolean;
  stdinTag: string | null;
  output: OutputMode;
  pushOutput: boolean;
  mbDelim: string;
  cmdDelim: string;
  quotedInput: boolean;
  setErrcode: boolean;
  scan: boolean;
  stat: boolean;
  bigkeys: boolean;
  memkeys: boolean;
  /** MEMORY USAGE ... SAMPLES n for --memkeys (0: the server's default) */
  memkeysSamples: number;
  latency: boolean;
  latencyHistory: boolean;
  pipe: boolean;
  /** seconds --pipe waits for replies after stdin ended (0: forever) */
  pipeTimeout: number;
  /** --rdb's (or --functions-rdb's) file ("-": standard output), null without either */
  rdb: string | null;
  /** --functions-rdb: the RDB with the functions only */
  functionsRdb: boolean;
  /** --replica: SYNC, then print what the master sends */
  replica: boolean;
  pattern: string | null;
  verbose: boolean;
  cluster: boolean;
  help: boolean;
  version: boolean;
  /** the command and its arguments (latin1 byte strings) */
  args: string[];
}

export class OptionError extends Error {}

/** C atoi: leading blanks, optional sign, digits; 0 when there are none. */
export function atoi(s: string): number {
  const m = /^[\s]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = Number(m[1]);
  return Math.max(-2147483648, Math.min(2147483647, n)) | 0;
}

/** C atof (the decimal forms). */
function atof(s: string): number {
  const m = /^[\s]*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** Command-line strings arrive UTF-8 decoded; the wire wants their bytes. */
export function toBytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

function percentDecode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '%') {
      out += s[i];
      continue;
    }
    if (i === s.length - 1) throw new OptionError('Incomplete URI encoding');
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new OptionError('Illegal character in URI encoding');
    out += String.fromCharCode(parseInt(hex, 16));
    i += 2;
  }
  return out;
}

/** redis://[[user]:password@]host[:port][/db] */
function parseUri(uri: string, cfg: CliConfig): void {
  let rest: string;
  if (/^rediss:\/\//i.test(uri)) throw new OptionError('gkv-cli: TLS (rediss://) is not supported');
  if (/^redis:\/\//i.test(uri)) rest = uri.slice(8);
  else throw new OptionError('Invalid URI scheme');
  if (rest === '') return;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const colon = rest.indexOf(':');
    let start = 0;
    if (colon >= 0 && colon < at) {
      cfg.user = percentDecode(rest.slice(0, colon));
      start = colon + 1;
    }
    cfg.auth = percentDecode(rest.slice(start, at));
    rest = rest.slice(at + 1);
  }
  if (rest === '') return;
  const slash = rest.indexOf('/');
  if (rest[0] !== '/') {
    let hostEnd = slash >= 0 ? slash : rest.length;
    const colon = rest.indexOf(':');
    if (colon >= 0) {
      cfg.port = atoi(rest.slice(colon + 1));
      hostEnd = colon;
    }
    cfg.host = rest.slice(0, hostEnd);
  }
  rest = slash >= 0 ? rest.slice(slash + 1) : '';
  if (rest === '') return;
  cfg.dbnum = atoi(rest);
}

export interface ParseResult {
  cfg: CliConfig;
  /** lines for stderr (the password warning) */
  warnings: string[];
}

/**
 * Parses argv (without node and script). `stdoutIsTty` picks the default
 * output (formatted on a terminal, raw otherwise). Throws OptionError.
 */
export function parseOptions(argv: string[], stdoutIsTty: boolean, env: NodeJS.ProcessEnv = {}): ParseResult {
  const cfg: CliConfig = {
    host: '127.0.0.1',
    port: 6379,
    socket: null,
    user: null,
    auth: null,
    noAuthWarning: false,
    dbnum: 0,
    resp3: false,
    resp3Soft: false,
    repeat: 1,
    interval: 0,
    stdinLastArg: false,
    stdinTag: null,
    output: stdoutIsTty ? 'standard' : 'raw',
    pushOutput: stdoutIsTty,
    mbDelim: '\n',
    cmdDelim: '\n',
    quotedInput: false,
    setErrcode: false,
    scan: false,
    stat: false,
    bigkeys: false,
    memkeys: false,
    memkeysSamples: 0,
    latency: false,
    latencyHistory: false,
    pipe: false,
    pipeTimeout: 30,
    rdb: null,
    functionsRdb: false,
    replica: false,
    pattern: null,
    verbose: false,
    cluster: false,
    help: false,
    version: false,
    args: [],
  };
  let resp2 = false;
  let rdbGiven = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    const hasArg = i < argv.length - 1;
    const val = () => argv[++i];
    if (a === '-h' && hasArg) cfg.host = val();
    else if (a === '-h' || a === '--help') cfg.help = true;
    else if (a === '-x') cfg.stdinLastArg = true;
    else if (a === '-X' && hasArg) cfg.stdinTag = toBytes(val());
    else if (a === '-p' && hasArg) cfg.port = atoi(val());
    else if (a === '-s' && hasArg) cfg.socket = val();
    else if (a === '-r' && hasArg) cfg.repeat = atoi(val());
    else if (a === '-i' && hasArg) cfg.interval = atof(val()) * 1000;
    else if (a === '-n' && hasArg) cfg.dbnum = atoi(val());
    else if (a === '--no-auth-warning') cfg.noAuthWarning = true;
    else if ((a === '-a' || a === '--pass') && hasArg) cfg.auth = toBytes(val());
    else if (a === '--user' && hasArg) cfg.user = toBytes(val());
    else if (a === '-u' && hasArg) parseUri(toBytes(val()), cfg);
    else if (a === '--raw') cfg.output = 'raw';
    else if (a === '--no-raw') cfg.output = 'standard';
    else if (a === '--csv') cfg.output = 'csv';
    else if (a === '--quoted-input') cfg.quotedInput = true;
    else if (a === '--show-pushes' && hasArg) {
      const v = val().toLowerCase();
      if (v !== 'yes' && v !== 'no') throw new OptionError(`Unknown --show-pushes value '${argv[i]}' (valid: '[y]es', '[n]o')`);
      cfg.pushOutput = v === 'yes';
    } else if (a === '-d' && hasArg) cfg.mbDelim = toBytes(val());
    else if (a === '-D' && hasArg) cfg.cmdDelim = toBytes(val());
    else if (a === '-e') cfg.setErrcode = true;
    else if (a === '-c') cfg.cluster = true;
    else if (a === '-2') resp2 = true;
    else if (a === '-3') cfg.resp3 = true;
    else if (a === '--json' || a === '--quoted-json') {
      cfg.output = a === '--json' ? 'json' : 'quoted-json';
      cfg.resp3Soft = true;
    } else if (a === '--scan') cfg.scan = true;
    else if (a === '--stat') cfg.stat = true;
    else if (a === '--bigkeys') cfg.bigkeys = true;
    else if (a === '--memkeys') cfg.memkeys = true;
    else if (a === '--memkeys-samples' && hasArg) {
      cfg.memkeys = true;
      cfg.memkeysSamples = atoi(val());
    } else if (a === '--latency') cfg.latency = true;
    else if (a === '--latency-history') cfg.latency = cfg.latencyHistory = true;
    else if (a === '--pipe') cfg.pipe = true;
    else if (a === '--pipe-timeout' && hasArg) cfg.pipeTimeout = atoi(val());
    else if (a === '--rdb' && hasArg) {
      cfg.rdb = val();
      rdbGiven = true;
    } else if (a === '--functions-rdb' && hasArg) {
      cfg.rdb = val();
      cfg.functionsRdb = true;
    } else if (a === '--replica') cfg.replica = true;
    else if (a === '--pattern' && hasArg) cfg.pattern = toBytes(val());
    else if (a === '--quoted-pattern' && hasArg) {
      const parts = splitArgs(toBytes(val()));
      if (!parts || parts.length !== 1) throw new OptionError('Invalid quoted string specified for --quoted-pattern.');
      cfg.pattern = parts[0];
    } else if (a === '--verbose') cfg.verbose = true;
    else if (a === '-v' || a === '--version') cfg.version = true;
    else if (a.startsWith('-')) throw new OptionError(`Unrecognized option or bad number of args for: '${a}'`);
    else break;
  }
  cfg.args = argv.slice(i).map(toBytes);
  // the combinations redis-cli refuses, with its words
  if (cfg.socket !== null && cfg.cluster) throw new OptionError('Options -c and -s are mutually exclusive.');
  if (resp2 && cfg.resp3) throw new OptionError('Options -2 and -3 are mutually exclusive.');
  if (cfg.functionsRdb && rdbGiven) throw new OptionError('Option --functions-rdb and --rdb are mutually exclusive.');
  if (cfg.stdinLastArg && cfg.stdinTag !== null) throw new OptionError('Options -x and -X are mutually exclusive.');
  // -2 wins over --json's wish for RESP3; -3 makes it a requirement
  if (resp2) cfg.resp3 = cfg.resp3Soft = false;
  if (cfg.resp3) cfg.resp3Soft = false;
  const warnings: string[] = [];
  if (!cfg.noAuthWarning && cfg.auth !== null) {
    warnings.push("Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.");
  }
  if (cfg.auth === null && env.REDISCLI_AUTH !== undefined) cfg.auth = toBytes(env.REDISCLI_AUTH);
  return { cfg, warnings };
}

export const USAGE = `Usage: gkv-cli [OPTIONS] [cmd [arg [arg ...]]]
  -h <hostname>      Server hostname (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -s <socket>        Server Unix socket (overrides hostname and port).
  -a <password>      Password (or set REDISCLI_AUTH in the environment).
  --user <username>  User name for AUTH (with -a / --pass).
  --pass <password>  Same as -a.
  -u <uri>           Server URI: redis://[[user]:password@]host[:port][/db].
  -r <repeat>        Run the command N times (negative: forever).
  -i <interval>      Seconds to wait after each command (fractions allowed).
  -n <db>            Database number.
  -2 / -3            Talk RESP2 (default) / RESP3 (HELLO 3 on connect).
  -x                 Take the last argument from standard input.
  -X <tag>           Replace the argument <tag> with standard input.
  -d <delimiter>     Between elements of an aggregate in raw output (default: \\n).
  -D <delimiter>     Between replies in raw output (default: \\n).
  -e                 Exit with status 1 when the command replies with an error.
  --raw              Raw output (the default when standard output is not a terminal).
  --no-raw           Formatted output even when standard output is not a terminal.
  --csv              CSV output.
  --json             JSON output (RESP3 asked for, unless -2).
  --quoted-json      The same with strings quoted as redis-cli quotes them ("\\x00").
  --quoted-input     Command-line arguments are quoted strings.
  --show-pushes <yn> Print RESP3 push messages (default: yes on a terminal).
  --scan             List the keys with SCAN (--pattern <pat> / --quoted-pattern <pat>).
  --stat             A line of server figures (keys, memory, clients, requests) every
                     second (-i <interval> to change).
  --bigkeys          The biggest key of each type (by length), and totals per type.
  --memkeys          The same by MEMORY USAGE (--memkeys-samples <n> for SAMPLES n).
                     Both take --pattern and -i (a pause every 100 SCANs).
  --latency          PING round trips in ms: min, max, average; redrawn on a
                     terminal, else printed once after a second (-i to change).
  --latency-history  The same, started afresh every 15 s (-i <interval> to change).
  --pipe             Send the Redis protocol read from stdin, count replies and errors.
  --pipe-timeout <n> With --pipe, give up when no reply came for <n> seconds after
                     the end of stdin (default 30, 0 waits forever).
  --rdb <filename>   Write the server's RDB (replication SYNC) to the file ("-": stdout).
  --functions-rdb <filename>  The same with the functions only.
  --replica          Connect as a replica (SYNC) and print the commands the master sends.
  --no-auth-warning  No warning about passwords on the command line.
  --help             This help.
  --version          The version.

Without a command, gkv-cli reads commands: interactively when standard input
is a terminal (history in ~/.gkvcli_history), else one per line.
`;
