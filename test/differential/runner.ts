/**
 * The parts every differential test file shares: the pair of servers a file
 * runs against, the sequence runner (each command sent to both servers, the
 * replies compared, then the final state), the keyspace-notification
 * comparison (a subscriber on `__key*__:*` on each server, the events after
 * each command compared), a full SCAN loop and small generator helpers.
 * A family file supplies only what differs: its commands, its CONFIG SET
 * for a run, and how replies that Redis leaves unordered or random compare.
 */
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { oracleSkip, startGkv, startRedis, type RedisProc } from '../harness/servers.js';
import type { GkvServer, ServerOptions } from '../../src/index.js';
import type { Reply, RespClient } from '../harness/resp.js';
import { RecordingConn } from '../harness/recording-conn.js';
import { startPair, stateOf, type Pair, type Cmd } from './harness.js';

// ---------------------------------------------------------------- generators

/** constantFrom over command-argument arrays, typed as mutable string arrays */
export const cs = (...xs: string[][]): fc.Arbitrary<string[]> => fc.constantFrom(...xs);

/** The seed of a file's properties: GKV_DIFF_SEED, else the file's own. */
export const diffSeed = (fallback: number): number => Number(process.env.GKV_DIFF_SEED ?? fallback);

/** How many runs a file's main property makes: GKV_DIFF_RUNS, else the file's own. */
export const diffRuns = (fallback: number): number => Number(process.env.GKV_DIFF_RUNS ?? fallback);

/** Redis's dirty counter (INFO rdb_changes_since_last_save): what each command changed, and so what propagates. */
export async function dirtyOf(c: RespClient): Promise<number> {
  const info = (await c.call('INFO', 'persistence')).raw; // raw: RESP3 answers a verbatim string
  return Number(/rdb_changes_since_last_save:(\d+)/.exec(info)![1]);
}

/** A reply's first line: its type and length. */
export const header = (r: Reply): string => r.raw.slice(0, r.raw.indexOf('\r\n'));

// ---------------------------------------------------------------- the pair

export interface SharedPair {
  /** node:test's skip option: set when redis-server is not installed */
  readonly skip: string | false;
  /** the pair (only inside a test that is not skipped) */
  readonly p: Pair;
}

/** One pair of servers for a test file: started before its first test, closed after its last. */
export function sharedPair(gkvOptions: Record<string, string | number> = {}): SharedPair {
  const skip = oracleSkip();
  let pair: Pair | null = null;
  before(async () => {
    if (!skip) pair = await startPair(gkvOptions);
  });
  after(async () => {
    if (pair) await pair.close();
  });
  return {
    skip,
    get p(): Pair {
      return pair!;
    },
  };
}

export interface SharedServers {
  readonly skip: string | false;
  readonly gkv: GkvServer;
  readonly redis: RedisProc;
}

/** The two servers alone, for files that open their own connections. */
export function sharedServers(gkvOptions: ServerOptions = {}): SharedServers {
  const skip = oracleSkip();
  let gkv: GkvServer | null = null;
  let redis: RedisProc | null = null;
  before(async () => {
    if (!skip) [gkv, redis] = await Promise.all([startGkv(gkvOptions), startRedis()]);
  });
  after(async () => {
    await gkv?.close();
    await redis?.stop();
  });
  return {
    skip,
    get gkv(): GkvServer {
      return gkv!;
    },
    get redis(): RedisProc {
      return redis!;
    },
  };
}

// ---------------------------------------------------------------- sequences

/** One command of a sequence, answered by both servers. */
export interface Step {
  /** the command's index in the sequence */
  i: number;
  cmd: Cmd;
  /** gKV's reply */
  a: Reply;
  /** Redis's reply */
  b: Reply;
  /** a failure message: the command, both replies, the note and the sequence so far */
  what: string;
}

/** Returned by a `before` hook to leave a command out of the run. */
export const SKIP: unique symbol = Symbol('skip');

export interface SequenceHooks<T> {
  /** sent to both servers one by one after RESET and FLUSHALL (CONFIG SET …, data) */
  setup?: Cmd[];
  /** HELLO 3 after the setup */
  resp3?: boolean;
  /** the databases whose final state is compared: 0 and 1 unless given */
  dbs?: number[];
  /** added to the failure messages (the run's limits, its data …) */
  note?: string;
  /** runs before each command is sent: what the comparison needs to know first, or SKIP */
  before?(cmd: Cmd, i: number): Promise<T | typeof SKIP> | T | typeof SKIP;
  /** compares the two replies; byte for byte unless given */
  compare?(step: Step, pre: T): Promise<void> | void;
  /** after the last command and RESET, before the final state is compared */
  end?(): Promise<void>;
}

/**
 * Runs cmds on both servers from an empty keyspace: every reply compared (by
 * `compare`, else byte for byte), then the final state of `dbs` with stateOf.
 */
export async function runSequence<T = undefined>(p: Pair, cmds: Cmd[], h: SequenceHooks<T> = {}): Promise<void> {
  for (const c of [p.g, p.r]) {
    await c.cmd('RESET');
    await c.cmd('FLUSHALL');
    for (const s of h.setup ?? []) await c.cmd(...s);
    if (h.resp3) await c.cmd('HELLO', '3');
  }
  const note = h.note ? `\n  ${h.note}` : '';
  for (let i = 0; i < cmds.length; i++) {
    const cmd = cmds[i];
    const pre = h.before ? await h.before(cmd, i) : (undefined as T);
    if (pre === SKIP) continue;
    const [a, b] = await Promise.all([p.g.call(...cmd), p.r.call(...cmd)]);
    const what = `reply to command #${i} ${JSON.stringify(cmd)}\n  gKV:   ${JSON.stringify(a.raw)}\n  Redis: ${JSON.stringify(b.raw)}${note}\n  sequence: ${JSON.stringify(cmds.slice(0, i + 1))}`;
    if (h.compare) await h.compare({ i, cmd, a, b, what }, pre);
    else assert.equal(a.raw, b.raw, what);
  }
  for (const c of [p.g, p.r]) await c.cmd('RESET');
  if (h.end) await h.end();
  const dbs = h.dbs ?? [0, 1];
  const [sa, sb] = await Promise.all([stateOf(p.g, dbs), stateOf(p.r, dbs)]);
  assert.equal(sa, sb, `final state differs after ${JSON.stringify(cmds)}${note}`);
}

// ---------------------------------------------------------------- keyspace events

/**
 * A subscriber PSUBSCRIBEd to `__key*__:*` on each of two servers. `take`
 * returns everything each one received since the last take (the raw frames,
 * joined), up to the answer of a PING barrier.
 */
export class EventTap {
  private token = 0;
  private constructor(
    readonly g: RecordingConn,
    readonly r: RecordingConn,
  ) {}

  static async open(gkvPort: number, redisPort: number): Promise<EventTap> {
    const [g, r] = await Promise.all([RecordingConn.open(gkvPort), RecordingConn.open(redisPort)]);
    const tap = new EventTap(g, r);
    for (const c of [g, r]) c.send(['PSUBSCRIBE', '__key*__:*']);
    await tap.take();
    return tap;
  }

  async take(): Promise<[string, string]> {
    const t = `barrier-${++this.token}`;
    const [a, b] = await Promise.all([this.g.barrier(t), this.r.barrier(t)]);
    return [a.map((f) => f.raw).join(''), b.map((f) => f.raw).join('')];
  }

  close(): void {
    this.g.close();
    this.r.close();
  }
}

export interface EventRuns<L> {
  /** notify-keyspace-events for a run */
  flags: fc.Arbitrary<string>;
  /** a run's encoding limits (or anything else its config depends on) */
  limits: fc.Arbitrary<L>;
  /** the CONFIG SET commands for a run's limits */
  config(limits: L): Cmd[];
  cmds: fc.Arbitrary<Cmd[]>;
  /** false for a command to leave out (all are sent unless given) */
  sent?(cmd: Cmd): boolean;
  /** false for a command sent whose events are not compared (all are unless given) */
  compared?(cmd: Cmd): boolean;
  /** told each run's commands (for a count) */
  onRun?(cmds: Cmd[]): void;
  params: fc.Parameters<[string, L, Cmd[]]>;
}

/**
 * Random command sequences under random notify-keyspace-events flags: after
 * every command both servers' subscribers must have received the same
 * events, in the same order.
 */
export async function compareEvents<L>(p: Pair, o: EventRuns<L>): Promise<void> {
  const tap = await EventTap.open(p.gkv.port, p.redis.port);
  try {
    await fc.assert(
      fc.asyncProperty(o.flags, o.limits, o.cmds, async (flags, limits, cmds) => {
        for (const c of [p.g, p.r]) {
          await c.cmd('RESET');
          await c.cmd('CONFIG', 'SET', 'notify-keyspace-events', '');
          await c.cmd('FLUSHALL');
          for (const s of o.config(limits)) await c.cmd(...s);
          await c.cmd('CONFIG', 'SET', 'notify-keyspace-events', flags);
        }
        await tap.take();
        o.onRun?.(cmds);
        for (let i = 0; i < cmds.length; i++) {
          const cmd = cmds[i];
          if (o.sent && !o.sent(cmd)) continue;
          await Promise.all([p.g.call(...cmd), p.r.call(...cmd)]);
          const [a, b] = await tap.take();
          if (o.compared && !o.compared(cmd)) continue;
          assert.equal(a, b, `events of command #${i} ${JSON.stringify(cmd)} differ (flags ${flags})\n  sequence: ${JSON.stringify(cmds.slice(0, i + 1))}`);
        }
      }),
      o.params,
    );
  } finally {
    for (const c of [p.g, p.r]) await c.cmd('CONFIG', 'SET', 'notify-keyspace-events', '');
    tap.close();
  }
}

// ---------------------------------------------------------------- scans

/**
 * A whole SCAN-family iteration: `argv(cursor)` is the command for a cursor,
 * its reply [next cursor, items]. Returns every item in the order received
 * and each step's raw reply; stops after maxSteps steps.
 */
export async function fullScan(c: RespClient, argv: (cursor: string) => Cmd, maxSteps: number): Promise<{ items: string[]; steps: string[] }> {
  const items: string[] = [];
  const steps: string[] = [];
  let cursor = '0';
  let guard = 0;
  do {
    const r = await c.call(...argv(cursor));
    steps.push(r.raw);
    const [next, got] = r.value as [string, string[]];
    cursor = next;
    items.push(...got);
  } while (cursor !== '0' && ++guard < maxSteps);
  return { items, steps };
}
