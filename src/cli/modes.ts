/**
 * gkv-cli's special modes, each printing what redis-cli 7.0 prints:
 *
 *   --stat             a line of INFO figures every interval (statMode)
 *   --bigkeys          SCAN + TYPE + STRLEN/LLEN/SCARD/HLEN/ZCARD/XLEN (findBigKeys)
 *   --memkeys          the same with MEMORY USAGE [SAMPLES n]
 *   --latency          PING round trips, min/max/avg in ms (latencyMode)
 *   --latency-history  the same, restarted every interval (15 s by default)
 *   --pipe             raw protocol from stdin, replies counted (pipeMode)
 *   --rdb <file>       REPLCONF capa eof, REPLCONF rdb-only 1, SYNC, the payload
 *                      to the file (getRDB); a server without SYNC ends it with
 *                      "SYNC with master failed: -ERR ..." and status 1
 *   --functions-rdb    the same, asking for the functions only
 *   --replica          SYNC, then the master's commands as CSV lines (slaveMode)
 *
 * Each mode ends the program: the functions resolve with the exit status.
 * Commands are pipelined where redis-cli pipelines them (TYPE and size
 * commands per SCAN batch), so the server sees the same traffic.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type net from 'node:net';
import { Connection, ConnError } from './connection.js';
import { bytesToHuman, fixed, fixedZeroPad } from './cformat.js';
import { formatCSV, formatTTY } from './format.js';
import type { CliConfig } from './options.js';
import { encodeCommand, ReplyParser, type Reply } from './resp.js';
import { strerror } from '../util/strerror.js';

/** What a mode needs from the CLI: its settings, output, and (re)connection with AUTH/SELECT/HELLO done. */
export interface ModeHost {
  cfg: CliConfig;
  out(s: string): void;
  err(s: string): void;
  /** the connection, opened (with setup) when there is none; null when that failed (the error was printed) */
  connection(force: boolean, quiet: boolean): Promise<Connection | null>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sends commands back to back, then reads their replies (redisAppendCommand... redisGetReply). */
async function pipeline(conn: Connection, cmds: string[][]): Promise<Reply[]> {
  for (const c of cmds) conn.send(c);
  const out: Reply[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(await conn.next());
  return out;
}

/**
 * One command, reconnecting (and retrying) while the server is away, with
 * redis-cli's "Reconnecting... N" line (reconnectingRedisCommand).
 */
async function reconnectingCommand(host: ModeHost, args: string[]): Promise<Reply> {
  let tries = 0;
  let conn = await host.connection(false, true);
  for (;;) {
    while (!conn) {
      host.out(`\r\x1b[0KReconnecting... ${++tries}\r`);
      await sleep(1000);
      conn = await host.connection(true, true);
    }
    try {
      conn.send(args);
      const r = await conn.next();
      if (tries > 0) host.out('\r\x1b[0K');
      return r;
    } catch (e) {
      if (!(e instanceof ConnError)) throw e;
      conn = null;
    }
  }
}

// ---------------------------------------------------------------- --stat

/** getInfoField: the text after "<field>:" (found anywhere, as strstr finds it) up to "\r" or ",". */
export function getInfoField(info: string, field: string): string | null {
  const at = info.indexOf(field);
  if (at < 0) return null;
  const p = at + field.length + 1;
  let end = info.indexOf('\r', p);
  if (end < 0) end = info.length;
  const comma = info.indexOf(',', p);
  if (comma >= 0 && comma < end) end = comma;
  return info.slice(p, end);
}

/** getLongInfoField: strtol of the field, null when it is missing. */
export function getLongInfoField(info: string, field: string): number | null {
  const v = getInfoField(info, field);
  if (v === null) return null;
  const m = /^\s*[+-]?\d+/.exec(v);
  return m ? Number(m[0]) : 0;
}

const STAT_HEADER = '------- data ------ --------------------- load -------------------- - child -\n' + 'keys       mem      clients blocked requests            connections          \n';

/** One --stat line from an INFO reply; `prevRequests` is the last line's total_commands_processed (0 at first). */
export function statLine(info: string, prevRequests: number): { line: string; requests: number } {
  let keys = 0;
  for (let j = 0; j < 20; j++) {
    const k = getLongInfoField(info, `db${j}:keys`);
    if (k !== null) keys += k;
  }
  const num = (f: string) => getLongInfoField(info, f);
  let line = String(keys).padEnd(11);
  line += bytesToHuman(num('used_memory') ?? 0).padEnd(8);
  line += ' ' + String(num('connected_clients') ?? 0).padEnd(8);
  line += String(num('blocked_clients') ?? 0).padEnd(8);
  const requests = num('total_commands_processed') ?? 0;
  line += `${requests} (+${prevRequests === 0 ? 0 : requests - prevRequests})`.padEnd(19);
  line += ' ' + String(num('total_connections_received') ?? 0).padEnd(12);
  // a missing bgsave field makes redis-cli's bit mask match no case; the others shift to 0
  const bgsave = num('bgsave_in_progress');
  if (bgsave !== null) {
    const child = (bgsave | ((num('aof_rewrite_in_progress') ?? 0) << 1) | ((num('loading') ?? 0) << 2)) >>> 0;
    line += ['', 'SAVE', 'AOF', 'SAVE+AOF', 'LOAD'][child] ?? '';
  }
  return { line: line + '\n', requests };
}

export async function statMode(host: ModeHost): Promise<number> {
  if (!(await host.connection(false, false))) return 1;
  const interval = host.cfg.interval > 0 ? host.cfg.interval : 1000;
  let requests = 0;
  for (let i = 0; ; i++) {
    const r = await reconnectingCommand(host, ['INFO']);
    if (r.t === 'error') {
      host.err(`ERROR: ${r.s}\n`);
      return 1;
    }
    const info = 's' in r ? r.s : '';
    if (i % 20 === 0) host.out(STAT_HEADER);
    const s = statLine(info, requests);
    requests = s.requests;
    host.out(s.line);
    await sleep(interval);
  }
}

// ---------------------------------------------------------------- --bigkeys / --memkeys

interface TypeInfo {
  name: string;
  sizecmd: string | null;
  sizeunit: string;
  biggest: number;
  count: number;
  totalsize: number;
  biggestKey: string | null;
}

/** The six types redis-cli knows, with the command giving each one's size and its unit. */
const KNOWN_TYPES: [string, string, string][] = [
  ['string', 'STRLEN', 'bytes'],
  ['list', 'LLEN', 'items'],
  ['set', 'SCARD', 'members'],
  ['hash', 'HLEN', 'fields'],
  ['zset', 'ZCARD', 'members'],
  ['stream', 'XLEN', 'entries'],
];

/**
 * The order redis-cli's summary lists the types in: its dict of them is
 * still being rehashed after the six were added, one step per lookup (one
 * per TYPE reply), so the order depends on how many keys were looked up —
 * none, one, or two and more (observed with redis-cli 7.0 against Redis and
 * gKV alike). A type it does not know (a module's) comes last.
 */
export function summaryOrder(lookups: number): string[] {
  if (lookups === 0) return ['hash', 'list', 'string', 'stream', 'set', 'zset'];
  if (lookups === 1) return ['string', 'list', 'hash', 'stream', 'set', 'zset'];
  return ['list', 'hash', 'string', 'stream', 'set', 'zset'];
}

/** hiredis's reply type numbers, which redis-cli prints in a few messages. */
const HIREDIS_TYPE: Record<Reply['t'], number> = { string: 1, array: 2, integer: 3, nil: 4, status: 5, error: 6, double: 7, bool: 8, map: 9, set: 10, push: 12, bignum: 13, verb: 14 };

/** A key as printf's "%s" shows it: up to its first NUL byte. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

function rank(order: string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}

function quoted(key: string): string {
  return formatTTY({ t: 'string', s: key }).slice(0, -1);
}

async function sendScan(host: ModeHost, conn: Connection, cursor: string): Promise<{ cursor: string; keys: string[] } | number> {
  const args = ['SCAN', cursor];
  if (host.cfg.pattern !== null) args.push('MATCH', host.cfg.pattern);
  conn.send(args);
  const r = await conn.next();
  if (r.t === 'error') {
    host.err(`SCAN error: ${r.s}\n`);
    return 1;
  }
  if (r.t !== 'array') {
    host.err('Non ARRAY response from SCAN!\n');
    return 1;
  }
  if (r.items.length !== 2) {
    host.err('Invalid element count from SCAN!\n');
    return 1;
  }
  const [c, ks] = r.items;
  if (c.t !== 'string' || ks.t !== 'array') {
    host.err('Invalid SCAN reply types!\n');
    return 1;
  }
  return { cursor: c.s, keys: ks.items.map((k) => ('s' in k ? k.s : '')) };
}

export async function findBigKeys(host: ModeHost, memkeys: boolean, memkeysSamples: number): Promise<number> {
  const conn = await host.connection(false, false);
  if (!conn) return 1;
  const types = new Map<string, TypeInfo>();
  for (const [name, sizecmd, sizeunit] of KNOWN_TYPES) types.set(name, { name, sizecmd, sizeunit, biggest: 0, count: 0, totalsize: 0, biggestKey: null });
  let cancelled = false;
  const onInt = () => {
    cancelled = true;
  };
  process.on('SIGINT', onInt);
  try {
    conn.send(['DBSIZE']);
    const dbsize = await conn.next();
    if (dbsize.t !== 'integer') {
      host.err("Couldn't determine DBSIZE!\n");
      return 1;
    }
    const totalKeys = Number(dbsize.s);
    host.out(
      '\n# Scanning the entire keyspace to find biggest keys as well as\n' +
        '# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n' +
        '# per 100 SCAN commands (not usually needed).\n\n',
    );
    let sampled = 0;
    let totlen = 0;
    let cursor = '0';
    let scanLoops = 0;
    let lookups = 0;
    let pct = 0;
    do {
      pct = (100 * sampled) / totalKeys;
      const scan = await sendScan(host, conn, cursor);
      if (typeof scan === 'number') return scan;
      cursor = scan.cursor;
      scanLoops++;
      const keys = scan.keys;
      // TYPE of every key in one pipeline, then the sizes in another (getKeyTypes, getKeySizes)
      const typeReplies = await pipeline(
        conn,
        keys.map((k) => ['TYPE', k]),
      );
      const keyTypes: (TypeInfo | null)[] = [];
      lookups += keys.length;
      for (let i = 0; i < keys.length; i++) {
        const r = typeReplies[i];
        if (r.t !== 'status') {
          if (r.t === 'error') host.err(`TYPE returned an error: ${r.s}\n`);
          else host.err(`Invalid reply type (${HIREDIS_TYPE[r.t]}) for TYPE on key '${cString(keys[i])}'!\n`);
          return 1;
        }
        let t = types.get(r.s) ?? null;
        if (!t && r.s !== 'none') {
          t = { name: r.s, sizecmd: null, sizeunit: '?', biggest: 0, count: 0, totalsize: 0, biggestKey: null };
          types.set(r.s, t);
        }
        keyTypes.push(t);
      }
      const sized = (t: TypeInfo | null) => t !== null && (t.sizecmd !== null || memkeys);
      const sizeCmds: string[][] = [];
      for (let i = 0; i < keys.length; i++) {
        const t = keyTypes[i];
        if (!sized(t)) continue;
        if (!memkeys) sizeCmds.push([t!.sizecmd!, keys[i]]);
        else if (memkeysSamples === 0) sizeCmds.push(['MEMORY', 'USAGE', keys[i]]);
        else sizeCmds.push(['MEMORY', 'USAGE', keys[i], 'SAMPLES', String(memkeysSamples)]);
      }
      const sizeReplies = await pipeline(conn, sizeCmds);
      let next = 0;
      for (let i = 0; i < keys.length; i++) {
        const t = keyTypes[i];
        let size = 0;
        if (sized(t)) {
          const r = sizeReplies[next++];
          if (r.t === 'integer') size = Number(r.s);
          else host.err(`Warning:  ${memkeys ? 'MEMORY USAGE' : t!.sizecmd} on '${cString(keys[i])}' failed (may have changed type)\n`);
        }
        if (!t) continue;
        t.totalsize += size;
        t.count++;
        totlen += Buffer.byteLength(keys[i], 'latin1');
        sampled++;
        if (t.biggest < size) {
          t.biggestKey = quoted(keys[i]);
          host.out(`[${fixedZeroPad(pct, 5, 2)}%] Biggest ${t.name.padEnd(6)} found so far '${t.biggestKey}' with ${size} ${memkeys ? 'bytes' : t.sizeunit}\n`);
          t.biggest = size;
        }
        if (sampled % 1000000 === 0) host.out(`[${fixedZeroPad(pct, 5, 2)}%] Sampled ${sampled} keys so far\n`);
      }
      if (host.cfg.interval > 0 && scanLoops % 100 === 0) await sleep(host.cfg.interval);
    } while (!cancelled && cursor !== '0');

    let out = '\n-------- summary -------\n\n';
    if (cancelled) out += `[${fixedZeroPad(pct, 5, 2)}%] `;
    out += `Sampled ${sampled} keys in the keyspace!\n`;
    out += `Total key length in bytes is ${totlen} (avg len ${fixed(totlen ? totlen / sampled : 0, 2)})\n\n`;
    const order = summaryOrder(lookups);
    const summary = [...types.values()].sort((a, b) => rank(order, a.name) - rank(order, b.name));
    for (const t of summary) {
      if (t.biggestKey !== null) out += `Biggest ${t.name.padStart(6)} found '${t.biggestKey}' has ${t.biggest} ${memkeys ? 'bytes' : t.sizeunit}\n`;
    }
    out += '\n';
    for (const t of summary) {
      const share = sampled ? (100 * t.count) / sampled : 0;
      const avg = t.count ? t.totalsize / t.count : 0;
      out += `${t.count} ${t.name}s with ${t.totalsize} ${memkeys ? 'bytes' : t.sizeunit} (${fixedZeroPad(share, 5, 2)}% of keys, avg size ${fixed(avg, 2)})\n`;
    }
    host.out(out);
    return 0;
  } catch (e) {
    if (e instanceof ConnError) {
      host.err(`Error: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', onInt);
  }
}

// ---------------------------------------------------------------- --latency / --latency-history

const LATENCY_SAMPLE_RATE = 10; // ms between PINGs
const LATENCY_HISTORY_DEFAULT_INTERVAL = 15000; // ms

function latencyFigures(mode: CliConfig['output'], min: number, max: number, avg: number, count: number): string {
  if (mode === 'standard') return `min: ${min}, max: ${max}, avg: ${fixed(avg, 2)} (${count} samples)`;
  if (mode === 'csv') return `${min},${max},${fixed(avg, 2)},${count}\n`;
  if (mode === 'raw') return `${min} ${max} ${fixed(avg, 2)} ${count}\n`;
  return ''; // --json, --quoted-json: redis-cli's latency mode has no JSON form and prints nothing
}

/**
 * PING every 10 ms, whole milliseconds per round trip. On a terminal the
 * figures are redrawn in place forever; otherwise --latency prints them once
 * after the interval (1 s by default) and ends, and --latency-history prints
 * every sample. History restarts the figures every interval (15 s by
 * default) after a " -- N seconds range" line.
 */
export async function latencyMode(host: ModeHost, history: boolean): Promise<number> {
  if (!(await host.connection(false, false))) return 1;
  const mode = host.cfg.output;
  const historyInterval = host.cfg.interval > 0 ? host.cfg.interval : LATENCY_HISTORY_DEFAULT_INTERVAL;
  const interval = host.cfg.interval > 0 ? host.cfg.interval : 1000;
  let min = 0;
  let max = 0;
  let tot = 0;
  let count = 0;
  let historyStart = Date.now();
  for (;;) {
    const start = Date.now();
    await reconnectingCommand(host, ['PING']);
    const latency = Date.now() - start;
    count++;
    if (count === 1) min = max = tot = latency;
    else {
      min = Math.min(min, latency);
      max = Math.max(max, latency);
      tot += latency;
    }
    const avg = tot / count;
    if (mode === 'standard') host.out('\x1b[0G\x1b[2K' + latencyFigures(mode, min, max, avg, count));
    else if (history) host.out(latencyFigures(mode, min, max, avg, count));
    else if (Date.now() - historyStart > interval) {
      host.out(latencyFigures(mode, min, max, avg, count));
      return 0;
    }
    if (history && Date.now() - historyStart > historyInterval) {
      host.out(` -- ${fixed((Date.now() - historyStart) / 1000, 2)} seconds range\n`);
      historyStart = Date.now();
      min = max = tot = count = 0;
    }
    await sleep(LATENCY_SAMPLE_RATE);
  }
}

// ---------------------------------------------------------------- raw socket I/O (--pipe, --rdb)

/** Reads a socket on demand: whatever has arrived, or waits for more (null at the end). */
class SocketReader {
  private chunks: Buffer[] = [];
  private ended = false;
  private wake: (() => void) | null = null;

  constructor(sock: net.Socket) {
    sock.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.notify();
    });
    sock.on('end', () => {
      this.ended = true;
      this.notify();
    });
    sock.on('error', () => {
      this.ended = true;
      this.notify();
    });
    sock.on('close', () => {
      this.ended = true;
      this.notify();
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Up to `max` bytes: what is buffered, or the next arrival; null once the socket ended. */
  async read(max: number): Promise<Buffer | null> {
    while (this.chunks.length === 0) {
      if (this.ended) return null;
      await new Promise<void>((r) => (this.wake = r));
    }
    const c = this.chunks[0];
    if (c.length <= max) {
      this.chunks.shift();
      return c;
    }
    this.chunks[0] = c.subarray(max);
    return c.subarray(0, max);
  }
}

// ---------------------------------------------------------------- --pipe

/**
 * Streams stdin to the server as it is (it should be RESP), reading replies
 * at the same time; errors go to stderr. At the end of stdin an ECHO of 20
 * random bytes follows: its reply marks the last one. Then "errors: N,
 * replies: M" (the ECHO not counted) and status 1 when there were errors.
 * With no reply for --pipe-timeout seconds after stdin ended (30 by
 * default, 0 waits forever) it gives up; when the server closes the
 * connection it ends at once, with status 1 and no count.
 */
export async function pipeMode(host: ModeHost, stdin: NodeJS.ReadableStream): Promise<number> {
  const conn = await host.connection(false, false);
  if (!conn) return 1;
  const sock = conn.takeSocket();
  const parser = new ReplyParser();
  const magic = randomBytes(20).toString('latin1');
  let errors = 0;
  let replies = 0;
  let eof = false;
  let lastRead = Date.now();
  let finish!: (code: number) => void;
  const finished = new Promise<number>((r) => (finish = r));
  let done = false;
  const end = (failed: boolean) => {
    if (done) return;
    done = true;
    host.out(`errors: ${errors}, replies: ${replies}\n`);
    finish(errors || failed ? 1 : 0);
  };

  sock.on('data', (chunk: Buffer) => {
    lastRead = Date.now();
    let got: Reply[];
    try {
      got = parser.feed(chunk);
    } catch {
      host.err('Error reading replies from server\n');
      done = true;
      finish(1);
      return;
    }
    for (const r of got) {
      if (r.t === 'error') {
        host.err(`${r.s}\n`);
        errors++;
      } else if (eof && r.t === 'string' && r.s === magic) {
        host.out('Last reply received from server.\n');
        end(false);
        return;
      }
      replies++;
    }
  });
  // the server closing the link (QUIT in the input) or a read error ends it silently with status 1,
  // after the replies that came before were counted and their errors printed, as redis-cli does
  const lost = () => {
    if (done) return;
    done = true;
    finish(1);
  };
  sock.on('error', lost);
  sock.on('close', lost);

  // stdin to the socket, pausing while the socket's buffer is full
  (async () => {
    try {
      for await (const chunk of stdin as AsyncIterable<Buffer>) {
        if (done) return;
        if (!sock.write(chunk)) await new Promise<void>((r) => sock.once('drain', () => r()));
      }
    } catch (e) {
      host.err(`Error reading from stdin: ${strerror(e)}\n`);
      done = true;
      finish(1);
      return;
    }
    if (done) return;
    eof = true;
    // a leading CRLF so that a torn last command from stdin does not swallow the ECHO
    sock.write(Buffer.concat([Buffer.from('\r\n*2\r\n$4\r\nECHO\r\n$20\r\n', 'latin1'), Buffer.from(magic, 'latin1'), Buffer.from('\r\n')]));
    host.out('All data transferred. Waiting for the last reply...\n');
    lastRead = Date.now();
  })();

  const timeout = host.cfg.pipeTimeout;
  const timer = setInterval(() => {
    // whole seconds, as redis-cli's time(NULL) counts them
    if (!done && eof && timeout > 0 && Math.floor(Date.now() / 1000) - Math.floor(lastRead / 1000) > timeout) {
      host.err(`No replies for ${timeout} seconds: exiting.\n`);
      errors++;
      end(true);
    }
  }, 250);
  try {
    return await finished;
  } finally {
    clearInterval(timer);
    sock.destroy();
  }
}

// ---------------------------------------------------------------- --rdb

const RDB_EOF_MARK_SIZE = 40;

async function sendReplconf(host: ModeHost, conn: Connection, a: string, b: string): Promise<boolean> {
  host.err(`sending REPLCONF ${a} ${b}\n`);
  conn.send(['REPLCONF', a, b]);
  const r = await conn.next();
  if (r.t === 'error') {
    host.err(`REPLCONF ${a} error: ${r.s}\n`);
    return false;
  }
  return true;
}

/** What SYNC's first line said: a payload of `length` bytes, or one ending in `mark` (diskless, "capa eof"). */
interface SyncPayload {
  length: bigint;
  mark: Buffer | null;
}

/**
 * Sends SYNC and reads its "$<length>" or "$EOF:<mark>" line (sendSync),
 * skipping the newlines a master sends to keep the link alive. Null (the
 * error printed) when it fails: "-ERR ..." is shown with its "\r", as
 * redis-cli cuts the line at "\n" only.
 */
async function sendSync(host: ModeHost, sock: net.Socket, reader: SocketReader): Promise<SyncPayload | null> {
  sock.write('SYNC\r\n');
  let line = '';
  for (;;) {
    const b = await reader.read(1);
    if (!b) {
      host.err('Error reading bulk length while SYNCing\n');
      return null;
    }
    const c = b.toString('latin1');
    if (c === '\n' && line !== '') break;
    if (c !== '\n') line += c;
  }
  if (line.startsWith('-')) {
    host.err(`SYNC with master failed: ${line}\n`);
    return null;
  }
  if (line.slice(1, 5) === 'EOF:' && line.length - 5 >= RDB_EOF_MARK_SIZE) return { length: 0n, mark: Buffer.from(line.slice(5, 5 + RDB_EOF_MARK_SIZE), 'latin1') };
  const m = /^\d+/.exec(line.slice(1));
  const length = m ? BigInt(m[0]) : 0n;
  // a length of 0 (strtoull found none) makes redis-cli wait for a mark it never got: zeros
  return { length, mark: length === 0n ? Buffer.alloc(RDB_EOF_MARK_SIZE) : null };
}

/**
 * Reads the payload, handing each chunk to `sink`; resolves with its size
 * (without the end mark), or null when the connection ended first.
 */
async function readPayload(reader: SocketReader, p: SyncPayload, sink: (chunk: Buffer) => void): Promise<number | null> {
  let left = p.length;
  let total = 0;
  let last = Buffer.alloc(0);
  for (;;) {
    if (p.mark === null && left === 0n) return total;
    const want = p.mark === null ? Number(left < 4096n ? left : 4096n) : 4096;
    const chunk = await reader.read(want);
    if (!chunk) return null;
    sink(chunk);
    total += chunk.length;
    if (p.mark === null) left -= BigInt(chunk.length);
    else {
      last = Buffer.concat([last, chunk]).subarray(-RDB_EOF_MARK_SIZE);
      if (last.length === RDB_EOF_MARK_SIZE && last.equals(p.mark)) return total - RDB_EOF_MARK_SIZE;
    }
  }
}

type Conf = [string, string];

/**
 * Connects and starts a sync: each REPLCONF in turn (a refusal printed and
 * passed over, as redis-cli does, except `required`'s, which ends it with
 * `refusal`), then SYNC and its payload line. Null when a step failed, its
 * error printed; otherwise the socket (taken from the connection), its
 * reader and what the payload will be.
 */
async function startSync(host: ModeHost, confs: Conf[], required?: { conf: Conf; refusal: string }): Promise<{ sock: net.Socket; reader: SocketReader; payload: SyncPayload } | null> {
  const conn = await host.connection(false, false);
  if (!conn) return null;
  try {
    for (const [a, b] of confs) await sendReplconf(host, conn, a, b);
    if (required && !(await sendReplconf(host, conn, ...required.conf))) {
      host.err(required.refusal);
      return null;
    }
  } catch {
    host.err('\nI/O error\n');
    return null;
  }
  const sock = conn.takeSocket();
  const reader = new SocketReader(sock);
  const payload = await sendSync(host, sock, reader);
  if (!payload) {
    sock.destroy();
    return null;
  }
  return { sock, reader, payload };
}

/**
 * --rdb: asks for an RDB-only sync and writes the payload to the file ("-":
 * standard output). The payload is "$<length>" bytes, or (diskless, as
 * "capa eof" allows) runs up to a 40-byte end mark named in "$EOF:<mark>".
 * --functions-rdb also asks for the functions only (REPLCONF rdb-filter-only functions).
 */
export async function getRDB(host: ModeHost, filename: string, functionsOnly = false): Promise<number> {
  const required = functionsOnly ? { conf: ['rdb-filter-only', 'functions'] as Conf, refusal: 'Failed requesting functions only RDB from server, aborting\n' } : undefined;
  const sync = await startSync(
    host,
    [
      ['capa', 'eof'],
      ['rdb-only', '1'],
    ],
    required,
  );
  if (!sync) return 1;
  const { sock, reader, payload: p } = sync;
  try {
    if (p.mark !== null) host.err(`SYNC sent to master, writing bytes of bulk transfer until EOF marker to '${filename}'\n`);
    else host.err(`SYNC sent to master, writing ${p.length} bytes to '${filename}'\n`);
    const toStdout = filename === '-';
    let fd: number;
    if (toStdout) fd = 1;
    else {
      try {
        fd = openSync(filename, 'w', 0o644);
      } catch (e) {
        host.err(`Error opening '${filename}': ${strerror(e)}\n`);
        return 1;
      }
    }
    let size: number | null;
    try {
      size = await readPayload(reader, p, (chunk) => writeAll(fd, chunk));
    } catch (e) {
      host.err(`Error writing data to file: ${strerror(e)}\n`);
      return 1;
    }
    if (size === null) {
      host.err('I/O Error reading RDB payload from socket\n');
      return 1;
    }
    if (p.mark !== null) {
      if (!toStdout) {
        try {
          ftruncateSync(fd, size);
        } catch (e) {
          host.err(`ftruncate failed: ${strerror(e)}.\n`);
        }
      }
      host.err(`Transfer finished with success after ${size} bytes\n`);
    } else {
      host.err('Transfer finished with success.\n');
    }
    sock.destroy();
    if (!toStdout) {
      try {
        fsyncSync(fd);
      } catch (e) {
        host.err(`Fail to fsync '${filename}': ${strerror(e)}\n`);
        return 1;
      }
      closeSync(fd);
    }
    return 0;
  } finally {
    sock.destroy();
  }
}

// ---------------------------------------------------------------- --replica

/**
 * --replica (slaveMode): SYNC, the RDB payload read and dropped, then every
 * command the master propagates printed as a CSV line, until the link ends
 * ("Error: ..." and status 1, as redis-cli's reply reader ends it). After a
 * diskless payload the replica says "REPLCONF ACK 0" a second later, which
 * puts it online on the master (and costs the first command; see below).
 */
export async function replicaMode(host: ModeHost): Promise<number> {
  // an empty filter: the whole RDB (redis-cli 7.0.15 asks so, and goes on when refused)
  const sync = await startSync(host, [
    ['capa', 'eof'],
    ['rdb-filter-only', ''],
  ]);
  if (!sync) return 1;
  const { sock, reader, payload: p } = sync;
  try {
    if (p.mark !== null) host.err('SYNC with master, discarding bytes of bulk transfer until EOF marker...\n');
    else host.err(`SYNC with master, discarding ${p.length} bytes of bulk transfer...\n`);
    const size = await readPayload(reader, p, () => {});
    if (size === null) {
      host.err('Error reading RDB payload while SYNCing\n');
      return 1;
    }
    if (p.mark !== null) {
      host.err(`SYNC done after ${size + RDB_EOF_MARK_SIZE} bytes. Logging commands from master.\n`);
      await sleep(1000);
      host.err('sending REPLCONF ACK 0\n');
      sock.write(encodeCommand(['REPLCONF', 'ACK', '0']));
    } else {
      host.err('SYNC done. Logging commands from master.\n');
    }
    // the rest is the replication stream: commands as RESP arrays. redis-cli sends its ACK as a
    // command and waits for a reply the master never gives, so the first streamed command is taken
    // for it and not printed; the same one is dropped here, so that the lines are redis-cli's.
    let swallow = p.mark !== null;
    const parser = new ReplyParser();
    for (;;) {
      const chunk = await reader.read(65536);
      if (!chunk) {
        host.err('Error: Server closed the connection\n');
        return 1;
      }
      for (const r of parser.feed(chunk)) {
        if (swallow) swallow = false;
        else host.out(formatCSV(r) + '\n');
      }
    }
  } finally {
    sock.destroy();
  }
}

function writeAll(fd: number, b: Buffer): void {
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}
