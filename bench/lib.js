/**
 * Shared helpers for the benchmark scripts in bench/ (plain Node ESM, no build
 * step): starting gKV and a real redis-server on free loopback ports, reading a
 * process's CPU time and resident memory from /proc, a small RESP client, and a
 * pipelined bulk loader over a raw socket.
 *
 * gKV is started as `node <heap flags> bin/gkv-server` (the launcher, finding
 * node sized, runs the server in that process, so the PID we get is the
 * server's own). GKV_DIST=<dir> (or --gkv-dist <dir>) runs
 * <dir>/src/bin/server.js with the same node flags instead, for a private build.
 */
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ------------------------------------------------------------------ CLI

/**
 * Parses `--name value` / `--flag` arguments. `spec` maps option names to
 * 'string' | 'bool'; unknown options are an error (so typos do not silently
 * run a 5-minute default benchmark).
 */
export function parseArgs(argv, spec) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    let name = a.slice(2);
    let value;
    const eq = name.indexOf('=');
    if (eq !== -1) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const kind = spec[name];
    if (kind === undefined) throw new Error(`unknown option --${name}`);
    if (kind === 'bool') {
      out[name] = value === undefined ? true : value !== 'no' && value !== 'false' && value !== '0';
    } else {
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new Error(`--${name} needs a value`);
        value = argv[++i];
      }
      out[name] = value;
    }
  }
  return out;
}

/**
 * parseArgs for a bench's command line, with --help: prints `usage` and
 * exits 0 on --help, exits 2 with the error and `usage` on a bad option.
 */
export function parseArgsOrExit(argv, spec, usage) {
  let opts;
  try {
    opts = parseArgs(argv, { ...spec, help: 'bool' });
  } catch (e) {
    console.error(`${e.message}\n${usage}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log(usage);
    process.exit(0);
  }
  return opts;
}

export function intOpt(v, def) {
  if (v === undefined) return def;
  const n = Number(String(v).replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`bad number '${v}'`);
  return Math.floor(n);
}

/**
 * The run options the redis-benchmark side-by-side benches share: --pipeline
 * (default 1,16), --clients (50), --rounds (3, or 1 with --quick), --timeout
 * (seconds, default `timeout`) and --requests per pipeline depth: `full`
 * ([at -P 1, deeper]) or `quick` with --quick, unless --requests gives one.
 */
export function benchRunOpts(opts, { full, quick, timeout = 120 }) {
  return {
    pipelines: listOpt(opts.pipeline, ['1', '16']).map((p) => intOpt(p, 1) || 1),
    clients: intOpt(opts.clients, 50),
    rounds: intOpt(opts.rounds, opts.quick ? 1 : 3) || 1,
    timeoutS: intOpt(opts.timeout, timeout),
    requestsFor: (p) => {
      if (opts.requests !== undefined) return intOpt(opts.requests, 100000);
      const [one, deep] = opts.quick ? quick : full;
      return p === 1 ? one : deep;
    },
  };
}

export function listOpt(v, def) {
  if (v === undefined) return def;
  return String(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

// ------------------------------------------------------------------ /proc

let clkTck = 0;
export function clockTicks() {
  if (clkTck === 0) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** utime+stime of a process (all its threads) in seconds. */
export function cpuSeconds(pid) {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  // the command name (field 2) may hold spaces: fields resume after the last ')'
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state); utime is field 14, stime field 15
  return (Number(f[11]) + Number(f[12])) / clockTicks();
}

/** VmRSS (and VmHWM, the peak) of a process in bytes. */
export function memOf(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(s);
    return m ? Number(m[1]) * 1024 : NaN;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

// ------------------------------------------------------------------ servers

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function defaultHeapMb() {
  return Math.floor((os.totalmem() / 1024 / 1024) * 0.85);
}

/**
 * Starts a server process and waits until it answers PING (with
 * `wait: false`, returns as soon as it is spawned: a caller timing its
 * startup polls it itself).
 * kind: 'gkv' | 'redis'. Returns { kind, name, port, pid, proc, stop() }.
 */
export async function startServer(kind, opts = {}) {
  const port = opts.port ?? (await freePort());
  let cmd;
  let args;
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (kind === 'redis') {
    cmd = 'redis-server';
    args = [...common, ...(opts.extraArgs ?? [])];
  } else {
    const dist = opts.gkvDist ?? process.env.GKV_DIST;
    // node sized as bin/gkv-server sizes it, given on node's command line: the launcher then runs the
    // server in the process started (on every Node, with or without process.execve), so the PID is the server's
    const heap = process.env.GKV_HEAP_MB ?? String(defaultHeapMb());
    const flags = [`--max-old-space-size=${heap}`, `--max-semi-space-size=${process.env.GKV_SEMI_SPACE_MB ?? 8}`];
    cmd = process.execPath;
    if (dist) {
      args = [...flags, path.resolve(ROOT, dist, 'src/bin/server.js'), ...common, ...(opts.extraArgs ?? [])];
    } else {
      args = [...flags, path.join(ROOT, 'bin/gkv-server'), ...common, ...(opts.extraArgs ?? [])];
      if (!fs.existsSync(path.join(ROOT, 'dist/src/bin/server.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    }
  }
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d) => {
    log += d.toString();
    if (log.length > 20000) log = log.slice(-10000);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  let exited = false;
  const exitP = new Promise((r) => proc.once('exit', () => ((exited = true), r())));
  const deadline = Date.now() + 15000;
  for (; opts.wait !== false; ) {
    if (exited) throw new Error(`${kind} server exited at startup:\n${log}`);
    try {
      const c = await RespConn.connect(port);
      const r = await c.call('PING');
      c.close();
      if (r === 'PONG') break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${kind} server did not answer PING within 15 s:\n${log}`);
    }
    await sleep(50);
  }
  const name = kind === 'redis' ? 'Redis' : 'gKV';
  return {
    kind,
    name,
    port,
    pid: proc.pid,
    proc,
    get exited() {
      return exited;
    },
    get log() {
      return log;
    },
    async stop() {
      if (exited) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10000);
      await exitP;
      clearTimeout(t);
    },
  };
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function redisVersion() {
  try {
    return execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'redis-server not found';
  }
}

export function gitCommit() {
  try {
    const h = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return dirty ? `${h}+dirty` : h;
  } catch {
    return 'unknown';
  }
}

export function envInfo() {
  return {
    node: process.version,
    redis: redisVersion(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? '',
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    commit: gitCommit(),
    date: new Date().toISOString(),
  };
}

export function writeResults(name, data) {
  const dir = path.join(ROOT, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

// ------------------------------------------------------------------ RESP

export class ReplyError extends Error {}

/**
 * Streaming RESP2 reply decoder. push(buf) feeds bytes; every complete
 * top-level reply is passed to onReply(value) (errors as ReplyError objects).
 * Simple strings come out as JS strings, bulks as latin1 strings.
 */
export class ReplyReader {
  constructor(onReply) {
    this.onReply = onReply;
    this.buf = Buffer.alloc(0);
    this.pos = 0;
  }

  push(chunk) {
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    }
    this.pos = 0;
    for (;;) {
      const r = this.read(this.pos);
      if (r === null) break;
      this.pos = r.next;
      this.onReply(r.v);
    }
  }

  /** Decodes one value at p: { v, next } or null if incomplete. */
  read(p) {
    const buf = this.buf;
    if (p >= buf.length) return null;
    const nl = buf.indexOf(10, p);
    if (nl === -1) return null;
    const type = buf[p];
    const line = buf.toString('latin1', p + 1, nl - 1);
    switch (type) {
      case 43: // +
        return { v: line, next: nl + 1 };
      case 45: // -
        return { v: new ReplyError(line), next: nl + 1 };
      case 58: // :
        return { v: Number(line), next: nl + 1 };
      case 36: {
        // $
        const n = Number(line);
        if (n < 0) return { v: null, next: nl + 1 };
        if (nl + 1 + n + 2 > buf.length) return null;
        return { v: buf.toString('latin1', nl + 1, nl + 1 + n), next: nl + 1 + n + 2 };
      }
      case 42: {
        // *
        const n = Number(line);
        if (n < 0) return { v: null, next: nl + 1 };
        const arr = [];
        let q = nl + 1;
        for (let i = 0; i < n; i++) {
          const r = this.read(q);
          if (r === null) return null;
          arr.push(r.v);
          q = r.next;
        }
        return { v: arr, next: q };
      }
      default:
        throw new Error(`unexpected reply byte ${type}`);
    }
  }
}

export function encodeCommand(args) {
  let s = '*' + args.length + '\r\n';
  for (const a of args) {
    const x = String(a);
    s += '$' + Buffer.byteLength(x, 'latin1') + '\r\n' + x + '\r\n';
  }
  return s;
}

/** A minimal connection: call(...args) → reply (ReplyError objects are thrown). */
export class RespConn {
  static connect(port, host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection({ port, host, noDelay: true });
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(new RespConn(sock));
      });
    });
  }

  constructor(sock) {
    this.sock = sock;
    this.waiters = [];
    /** when set, replies go here instead of to waiters (bulk loader) */
    this.sink = null;
    this.error = null;
    this.reader = new ReplyReader((v) => {
      if (this.sink !== null) this.sink(v);
      else {
        const w = this.waiters.shift();
        if (w) w(v);
      }
    });
    sock.on('data', (d) => this.reader.push(d));
    const fail = (e) => {
      this.error = e ?? new Error('connection closed');
      for (const w of this.waiters.splice(0)) w(new ReplyError(`connection lost: ${this.error.message}`));
      if (this.onFail) this.onFail(this.error);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(null));
  }

  /** Resolves with the reply; error replies resolve as ReplyError objects (not thrown). */
  send(...args) {
    return new Promise((resolve) => {
      if (this.error) return resolve(new ReplyError(`connection lost: ${this.error.message}`));
      this.waiters.push(resolve);
      this.sock.write(encodeCommand(args), 'latin1');
    });
  }

  async call(...args) {
    const r = await this.send(...args);
    if (r instanceof ReplyError) throw r;
    return r;
  }

  close() {
    this.sock.destroy();
  }
}

/** True when a reply is Redis's "unknown command" error. */
export function isUnknownCommand(r) {
  return r instanceof ReplyError && /^ERR unknown command/.test(r.message);
}

/** INFO <section> as a { field: value } object, or null if INFO is not supported. */
export async function infoFields(conn, section) {
  const r = await conn.send('INFO', section);
  if (r instanceof ReplyError || typeof r !== 'string') return null;
  const out = {};
  for (const line of r.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/**
 * Pipelined bulk loader. gen(i) returns the RESP text of command i (0 ≤ i <
 * count). Commands go out in batches of `batch` with at most `window` batches
 * unanswered. Stops early at `deadline` (ms timestamp) or on the first error
 * reply (the loader then reports it). onProgress(done) is called after each
 * answered batch. Resolves { sent, answered, errors, firstError, stoppedBy }.
 */
export function bulkLoad(conn, count, gen, opts = {}) {
  const batch = opts.batch ?? 1000;
  const window = opts.window ?? 8;
  const deadline = opts.deadline ?? Infinity;
  const onProgress = opts.onProgress ?? null;
  const onReply = opts.onReply ?? null;
  return new Promise((resolve) => {
    let sent = 0;
    let answered = 0;
    let errors = 0;
    let firstError = null;
    let stoppedBy = null;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      conn.sink = null;
      conn.onFail = null;
      resolve({ sent, answered, errors, firstError, stoppedBy });
    };
    const sendBatch = () => {
      const end = Math.min(count, sent + batch);
      let s = '';
      for (let i = sent; i < end; i++) s += gen(i);
      sent = end;
      conn.sock.write(s, 'latin1');
    };
    const pump = () => {
      while (sent < count && sent - answered < batch * window && stoppedBy === null) {
        if (Date.now() > deadline) {
          stoppedBy = 'time limit';
          break;
        }
        sendBatch();
      }
      if (answered === sent && (sent >= count || stoppedBy !== null)) finish();
    };
    conn.onFail = (e) => {
      stoppedBy = `connection lost (${e.message})`;
      finish();
    };
    conn.sink = (v) => {
      if (onReply !== null) onReply(answered, v);
      answered++;
      if (v instanceof ReplyError) {
        errors++;
        if (firstError === null) {
          firstError = v.message;
          stoppedBy = 'error reply';
        }
      }
      if (answered % batch === 0 || answered === sent) {
        if (onProgress) onProgress(answered);
        pump();
      }
    };
    pump();
  });
}

/** The key redis-benchmark -r would produce for i: key:000000000042 */
export function benchKey(i) {
  return 'key:' + String(i).padStart(12, '0');
}

// ------------------------------------------------------------------ formatting

export function fmtInt(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  return Math.round(n).toLocaleString('en-US');
}

export function fmtNum(n, digits = 2) {
  if (n === null || n === undefined || !Number.isFinite(n)) return 'n/a';
  return n.toFixed(digits);
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return 'n/a';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let u = 0;
  while (Math.abs(n) >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

export function median(xs) {
  const a = xs.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (a.length === 0) return NaN;
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

export function geomean(xs) {
  const a = xs.filter((x) => Number.isFinite(x) && x > 0);
  if (a.length === 0) return NaN;
  return Math.exp(a.reduce((s, x) => s + Math.log(x), 0) / a.length);
}

/** A plain-text table (right-aligned columns except the first). */
export function textTable(headers, rows) {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  return [line(headers), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(headers, rows) {
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  return ['| ' + headers.map(esc).join(' | ') + ' |', '|' + headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|') + '|', ...rows.map((r) => '| ' + r.map(esc).join(' | ') + ' |')].join('\n');
}

/**
 * One redis-benchmark run of `cmd` (a command, or ['-t', test]) against
 * server ({ port, pid }): resolves { rps, p50, cpuUs, elapsed, name }
 * (requests per second, p50 ms, the server's CPU µs per request from /proc
 * — NaN when the server died —, wall seconds, the row's test name) or
 * { error, unsupported } (the server refused the command: an unknown command
 * is "unsupported"). `keyspace` is -r (omitted: none). `port` replaces
 * the server's (its TLS port), `extraArgs` go before the test (--tls …).
 * Killed after timeoutS seconds.
 */
export function runRedisBenchmark(server, { clients, requests, pipeline, keyspace, timeoutS, port, extraArgs }, cmd) {
  const args = ['-h', '127.0.0.1', '-p', String(port ?? server.port), '-c', String(clients), '-n', String(requests), '-P', String(pipeline), ...(extraArgs ?? [])];
  if (keyspace !== undefined) args.push('-r', String(keyspace));
  args.push('-q', '--csv', ...cmd);
  return new Promise((resolve) => {
    const cpu0 = cpuSeconds(server.pid);
    const t0 = process.hrtime.bigint();
    const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ error: `cannot run redis-benchmark: ${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
      let cpu = NaN;
      try {
        cpu = cpuSeconds(server.pid) - cpu0;
      } catch {
        /* the server died: its error shows in the output */
      }
      const err = /Error from server: (.*)/.exec(out);
      if (err) return resolve({ error: err[1].trim(), unsupported: /unknown command/i.test(err[1]) });
      if (timedOut) return resolve({ error: `timed out after ${timeoutS} s` });
      // CSV rows: "TEST","rps","avg","min","p50","p95","p99","max"
      const rows = out.split('\n').filter((l) => l.startsWith('"') && !l.startsWith('"test"'));
      if (code !== 0 || rows.length === 0) return resolve({ error: `redis-benchmark exited with ${code}: ${out.trim().split('\n').slice(-3).join(' / ')}` });
      // the test's own row is the last: LRANGE tests are preceded by redis-benchmark's
      // "LPUSH (needed to benchmark LRANGE)" fill, whose CPU the measurement then includes
      const r = rows[rows.length - 1].split(',').map((f) => f.replace(/^"|"$/g, ''));
      resolve({ rps: Number(r[1]), p50: Number(r[4]), cpuUs: (cpu / requests) * 1e6, elapsed, name: r[0] });
    });
  });
}
