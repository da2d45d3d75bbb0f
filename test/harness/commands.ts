/**
 * Set-up shared by the in-process command tests: a gKV server for one test
 * (closed after it, whatever happens), with or without connected clients, a
 * recorder of what the server propagates, a fake clock, and the reply helpers the tests
 * assert with.
 */
import assert from 'node:assert/strict';
import type { GkvServer, ServerOptions } from '../../src/index.js';
import { startGkv } from './servers.js';
import { RespClient, RespError, parseResp, type RespValue } from './resp.js';
import type { Server } from '../../src/server/server.js';
import type { Client } from '../../src/server/client.js';
import { Snapshot } from '../../src/persistence/snapshot.js';
import { strValue, type RawString, type Value } from '../../src/keyspace/value.js';

/** Runs fn against a fresh server (started with opts), then closes it. */
export async function withGkv(opts: ServerOptions, fn: (srv: GkvServer) => Promise<void>): Promise<void> {
  const srv = await startGkv(opts);
  try {
    await fn(srv);
  } finally {
    await srv.close();
  }
}

/** Runs fn with n clients connected to a fresh server; closes them and the server after. */
export async function withClients(n: number, fn: (cs: RespClient[], srv: GkvServer) => Promise<void>, opts: ServerOptions = {}): Promise<void> {
  await withGkv(opts, async (srv) => {
    const cs: RespClient[] = [];
    try {
      for (let i = 0; i < n; i++) cs.push(await RespClient.connect(srv.port));
      await fn(cs, srv);
    } finally {
      for (const c of cs) c.close();
    }
  });
}

type ClientFn = (c: RespClient, srv: GkvServer) => Promise<void>;

/** Runs fn with one client connected to a fresh server (started with opts when given). */
export function withServer(fn: ClientFn): Promise<void>;
export function withServer(opts: ServerOptions, fn: ClientFn): Promise<void>;
export function withServer(a: ServerOptions | ClientFn, b?: ClientFn): Promise<void> {
  const [opts, fn] = typeof a === 'function' ? [{}, a] : [a, b!];
  return withClients(1, ([c], srv) => fn(c, srv), opts);
}

/** Records every command srv propagates from now on (a copy of each argv). */
export function recordPropagation(srv: GkvServer): string[][] {
  const propagated: string[][] = [];
  srv.server.propagation.add((_db, argv) => propagated.push([...argv]));
  return propagated;
}

/** Makes srv read a clock the test moves (from start, ms since the epoch); no sleeping. */
export function fakeClock(srv: GkvServer, start = 1_800_000_000_000): { now(): number; advance(ms: number): number } {
  let now = start;
  srv.server.ks.clock = () => now;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

export type FakeClock = ReturnType<typeof fakeClock>;

/** withServer on a fake clock: fn gets the client, the clock and the server. */
export function withClock(fn: (c: RespClient, clock: FakeClock, srv: GkvServer) => Promise<void>): Promise<void> {
  return withServer(async (c, srv) => fn(c, fakeClock(srv), srv));
}

/** The message of an error reply (failing the test when v is not an error). */
export function errText(v: unknown): string {
  assert.ok(v instanceof RespError, `expected an error, got ${JSON.stringify(v)}`);
  return v.message;
}

/** A command's raw reply. */
export const raw = async (c: RespClient, ...args: string[]): Promise<string> => (await c.call(...args)).raw;

/** The WRONGTYPE error's message. */
export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/**
 * A snapshot of srv's keyspace cut now that records each string value it
 * encodes (key → bytes as latin1); `finish` walks the rest of the cut.
 */
export function stringSnapshot(srv: GkvServer): { seen: Map<string, string>; finish(): void } {
  const seen = new Map<string, string>();
  const snap = new Snapshot<null>(srv.server.ks, {
    encode: (key: string, value: Value) => {
      seen.set(key, strValue(value as string | RawString));
      return null;
    },
    beginDb: () => {},
    write: () => {},
  });
  return {
    seen,
    finish: () => {
      while (!snap.step(10));
    },
  };
}

/** Runs one command in-process through the pipeline as client c (no socket); its parsed reply. */
export function runCommand(s: Server, c: Client, argv: string[]): RespValue {
  c.out = '';
  s.processCommand(c, argv);
  const r = parseResp(c.out, 0);
  c.out = '';
  return r === null ? null : r.value;
}
