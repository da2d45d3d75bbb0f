/**
 * A fuzz campaign against a server process (bin/gkv-server, or any binary
 * taking redis-server's arguments): W workers each open a connection per
 * batch, write a batch of frames or commands (generate.ts) in a few random
 * pieces, half-close, and read until the server closes; a canary connection
 * meanwhile runs MULTI / SET / GET / EXEC every few milliseconds and must get
 * exactly the right reply each time, within a deadline; fixtures of every
 * type are rebuilt now and then. The campaign fails when the server exits,
 * when the canary is disturbed, or (unless allowed) when the server logs a
 * "BUG:" line (an unexpected exception a command met).
 *
 * The server runs with proto-max-bulk-len 8mb and a normal-class output
 * limit of 64 MB, so SETRANGE/SETBIT offsets and random-member counts that
 * are legal but would spend gigabytes stay within the machine: the limits
 * are checked, not the memory of the box.
 *
 * Seeded: worker w's batches come from seed + w, so a seed replays the same
 * batches (their interleaving across workers is the scheduler's). On a
 * failure the last batches of every worker are written to a file, and
 * `replay` sends them again in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../harness/servers.js';
import { CommandGen, Rng, commandBatch, fixtureCommands, frameBatch, multibulk, FUZZ_KEYS } from './generate.js';

export interface CampaignOptions {
  seed: number;
  /** stop after this many frames and this many commands were sent */
  frames: number;
  commands: number;
  /** or after this many seconds */
  seconds: number;
  workers: number;
  /** frames or commands per batch */
  batch: number;
  /** the server binary (default bin/gkv-server) */
  server?: string;
  /** a canary reply slower than this fails the campaign */
  canaryDeadlineMs: number;
  /** where to write the last batches on failure */
  reproFile?: string;
  /** progress lines to stderr */
  verbose?: boolean;
}

export interface CampaignResult {
  seed: number;
  frames: number;
  commands: number;
  batches: number;
  seconds: number;
  /** the server exited (code/signal) */
  crashed: string | null;
  /** what went wrong with the canary, null when it was never disturbed */
  canary: string | null;
  canaryChecks: number;
  canaryMaxMs: number;
  /** the commands of the batches in flight during the slowest canary check */
  canarySlowestDuring: string[];
  /** "BUG:" lines the server logged */
  bugs: string[];
  serverPeakRssKb: number;
  /** the commands with the highest time per call (INFO commandstats at the end), for finding slow paths */
  slowest: string[];
  repro: string | null;
}

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function waitListening(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('the server exited at startup');
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('the server did not start listening');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One connection: write bytes in a few pieces, half-close, read until the server closes (or a ceiling). */
function runBatch(port: number, bytes: string, rng: Rng, ceilingMs = 60000): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const buf = Buffer.from(bytes, 'latin1');
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(t);
      s.destroy();
      resolve();
    };
    const t = setTimeout(finish, ceilingMs);
    s.on('error', finish);
    s.on('close', finish);
    s.on('data', () => {});
    s.once('connect', async () => {
      // split at random points so the parser meets partial frames
      const cuts = [0, ...Array.from({ length: rng.int(4) }, () => rng.int(buf.length)).sort((a, b) => a - b), buf.length];
      for (let i = 0; i + 1 < cuts.length; i++) {
        if (s.destroyed) return;
        s.write(buf.subarray(cuts[i], cuts[i + 1]));
        await new Promise((r) => setImmediate(r));
      }
      if (!s.destroyed) s.end();
    });
  });
}

/** Rebuilds the fixture keys in databases 0 and 1. */
async function rebuildFixtures(port: number): Promise<void> {
  let bytes = '';
  for (const db of ['1', '0']) {
    bytes += multibulk(['SELECT', db]) + multibulk(['DEL', ...FUZZ_KEYS, ...Array.from({ length: 20 }, (_, i) => `k${i}`)]);
    for (const c of fixtureCommands()) bytes += multibulk(c);
  }
  await runBatch(port, bytes, new Rng(1));
}

/** The canary: MULTI SET GET EXEC on its own connection, checked byte for byte. */
class Canary {
  checks = 0;
  maxMs = 0;
  failure: string | null = null;
  private sock: net.Socket | null = null;
  private pending = '';
  private expect = '';
  private sentAt = 0;
  private resolveCheck: (() => void) | null = null;

  async connect(port: number): Promise<void> {
    this.sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    this.sock.on('data', (d) => {
      this.pending += d.toString('latin1');
      if (this.pending.length >= this.expect.length && this.resolveCheck !== null) this.resolveCheck();
    });
    this.sock.on('close', () => {
      if (this.failure === null && !this.closing) this.failure = 'the server closed the canary connection';
      if (this.resolveCheck !== null) this.resolveCheck();
    });
    this.sock.on('error', () => {});
  }

  /** One check; false (and failure set) when the reply was wrong, missing or late. */
  async check(deadlineMs: number): Promise<boolean> {
    if (this.failure !== null || this.sock === null) return false;
    const n = this.checks++;
    const key = `canary:${n % 100}`;
    const val = `v${n}-${'c'.repeat(n % 50)}`;
    this.expect = `+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n$${val.length}\r\n${val}\r\n`;
    this.pending = '';
    this.sentAt = Date.now();
    const got = new Promise<void>((r) => (this.resolveCheck = r));
    const timer = new Promise<void>((r) => setTimeout(r, deadlineMs).unref());
    this.sock.write(multibulk(['MULTI']) + multibulk(['SET', key, val]) + multibulk(['GET', key]) + multibulk(['EXEC']));
    await Promise.race([got, timer]);
    this.resolveCheck = null;
    const ms = Date.now() - this.sentAt;
    if (ms > this.maxMs) this.maxMs = ms;
    if (this.failure !== null) return false;
    if (this.pending.length < this.expect.length) {
      this.failure = `no canary reply within ${deadlineMs} ms (got ${JSON.stringify(this.pending.slice(0, 200))})`;
      return false;
    }
    if (this.pending !== this.expect) {
      this.failure = `wrong canary reply: ${JSON.stringify(this.pending.slice(0, 300))}, expected ${JSON.stringify(this.expect)}`;
      return false;
    }
    return true;
  }

  private closing = false;

  close(): void {
    this.closing = true;
    this.sock?.destroy();
  }
}

function peakRssKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The command names of a batch (the first word of each multibulk), for reports. */
function commandNames(bytes: string): string {
  const names: string[] = [];
  for (const m of bytes.matchAll(/\*\d+\r\n\$\d+\r\n([^\r]{1,30})\r\n/g)) names.push(m[1]);
  return names.join(' ');
}

/** The five commands with the highest usec_per_call in INFO commandstats. */
async function slowestCommands(port: number): Promise<string[]> {
  const info = await new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.endsWith('\r\n\r\n') || /^\$\d+\r\n[\s\S]*\r\n$/.test(got)) s.end();
    });
    s.on('close', () => resolve(got));
    s.on('error', () => resolve(got));
    s.write(multibulk(['INFO', 'commandstats']));
    setTimeout(() => s.destroy(), 10000).unref();
  });
  const rows = [...info.matchAll(/^cmdstat_(\S+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/gm)];
  rows.sort((a, b) => Number(b[4]) - Number(a[4]));
  return rows.slice(0, 5).map((m) => `${m[1]} calls=${m[2]} usec_per_call=${m[4]}`);
}

/** Runs one campaign; resolves with its figures (it does not throw for findings). */
export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-fuzz-'));
  const port = await freePort();
  const bin = o.server ?? join(root, 'bin', 'gkv-server');
  const logfile = join(dir, 'server.log');
  const child = spawn(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--logfile',
      logfile,
      '--loglevel',
      'notice',
      '--proto-max-bulk-len',
      '8mb',
      '--client-output-buffer-limit',
      'normal 64mb 0 0',
    ],
    { stdio: 'ignore' },
  );
  let crashed: string | null = null;
  child.once('exit', (code, signal) => {
    if (!stopping) crashed = `exit code ${code} signal ${signal}`;
  });
  let stopping = false;
  const t0 = Date.now();
  const res: CampaignResult = {
    seed: o.seed,
    frames: 0,
    commands: 0,
    batches: 0,
    seconds: 0,
    crashed: null,
    canary: null,
    canaryChecks: 0,
    canaryMaxMs: 0,
    canarySlowestDuring: [],
    bugs: [],
    serverPeakRssKb: 0,
    slowest: [],
    repro: null,
  };
  const recent: string[][] = Array.from({ length: o.workers }, () => []);
  const canary = new Canary();
  try {
    await waitListening(port, child);
    await rebuildFixtures(port);
    await canary.connect(port);
    const over = (): boolean => crashed !== null || canary.failure !== null || (res.frames >= o.frames && res.commands >= o.commands) || Date.now() - t0 > o.seconds * 1000;
    const inflight: string[] = Array<string>(o.workers).fill('');
    const canaryLoop = (async () => {
      while (!over()) {
        const during = new Set(inflight);
        const before = canary.maxMs;
        if (!(await canary.check(o.canaryDeadlineMs))) break;
        if (canary.maxMs > before) for (const b of inflight) during.add(b);
        if (canary.maxMs > before && canary.maxMs > 1000) res.canarySlowestDuring = [...during].map(commandNames);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    let lastProgress = Date.now();
    const worker = async (w: number): Promise<void> => {
      const rng = new Rng(o.seed * 1000003 + w);
      const gen = new CommandGen(rng);
      let n = 0;
      while (!over()) {
        const wantFrames = res.frames < o.frames;
        const wantCommands = res.commands < o.commands;
        const framesTurn = wantFrames && (!wantCommands || rng.chance(0.5));
        let bytes: string;
        if (framesTurn) {
          const b = frameBatch(gen, o.batch);
          bytes = b.bytes;
          res.frames += b.frames;
        } else {
          const b = commandBatch(gen, o.batch);
          bytes = b.bytes;
          res.commands += b.commands;
        }
        const mine = recent[w];
        mine.push(bytes);
        if (mine.length > 8) mine.shift();
        inflight[w] = bytes;
        await runBatch(port, bytes, rng);
        inflight[w] = '';
        res.batches++;
        if (++n % 200 === 0 && w === 0) await rebuildFixtures(port);
        if (o.verbose && w === 0 && Date.now() - lastProgress > 5000) {
          lastProgress = Date.now();
          process.stderr.write(`fuzz: ${res.frames} frames, ${res.commands} commands, ${res.batches} batches, ${Math.round((Date.now() - t0) / 1000)} s, canary max ${canary.maxMs} ms\n`);
        }
      }
    };
    await Promise.all(Array.from({ length: o.workers }, (_, w) => worker(w)));
    await canaryLoop;
    // the server must still answer after the last batch
    if (crashed === null && canary.failure === null) await canary.check(o.canaryDeadlineMs);
    if (crashed === null) res.slowest = await slowestCommands(port);
  } catch (e) {
    if (crashed === null) crashed = `campaign error: ${(e as Error).message}`;
  } finally {
    canary.close();
    res.serverPeakRssKb = peakRssKb(child.pid);
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  }
  res.seconds = (Date.now() - t0) / 1000;
  res.crashed = crashed;
  res.canary = canary.failure;
  res.canaryChecks = canary.checks;
  res.canaryMaxMs = canary.maxMs;
  let log = '';
  try {
    log = readFileSync(logfile, 'latin1');
  } catch {
    // no log
  }
  const lines = log.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].includes('BUG:')) res.bugs.push(lines.slice(i, i + 6).join('\n'));
  }
  if ((crashed !== null || canary.failure !== null || res.bugs.length > 0) && o.reproFile !== undefined) {
    writeFileSync(o.reproFile, JSON.stringify({ seed: o.seed, workers: recent.map((b) => b.map((x) => Buffer.from(x, 'latin1').toString('base64'))), logTail: lines.slice(-60) }, null, 1));
    res.repro = o.reproFile;
  }
  rmSync(dir, { recursive: true, force: true });
  return res;
}

/** Sends a repro file's batches, worker by worker in order, to a server on port. */
export async function replay(file: string, port: number): Promise<void> {
  const r = JSON.parse(readFileSync(file, 'utf8')) as { workers: string[][] };
  const rng = new Rng(1);
  for (const batches of r.workers) for (const b of batches) await runBatch(port, Buffer.from(b, 'base64').toString('latin1'), rng);
}
