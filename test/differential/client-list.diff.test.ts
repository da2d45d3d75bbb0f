/**
 * CLIENT LIST / CLIENT INFO against Redis: the buffer figures Redis reports
 * from its allocations (qbuf, qbuf-free, argv-mem, multi-mem, rbs, rbp, obl,
 * oll, omem, tot-mem) for the same client histories — a connection that
 * sent nothing, the caller itself, a client after a PING, inside MULTI, after
 * a big argument, after the cron shrank its buffers — must be Redis's;
 * only id, addresses, fd, age and idle may differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { RespClient, encodeCommand } from '../harness/resp.js';
import { sharedServers } from './runner.js';

const servers = sharedServers();

/** A CLIENT LIST line's fields without the ones that differ between two servers by nature. */
function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of line.trim().split(' ')) {
    const i = kv.indexOf('=');
    const k = kv.slice(0, i);
    if (!['id', 'addr', 'laddr', 'fd', 'age', 'idle'].includes(k)) out[k] = kv.slice(i + 1);
  }
  return out;
}

/**
 * The fields that do not depend on when the cron last visited the client
 * (it resizes the reply buffer and resets its peak every 100 ms or so).
 */
function untimed(f: Record<string, string>): Record<string, string> {
  const { rbs: _rbs, rbp: _rbp, 'tot-mem': _tot, ...rest } = f;
  return rest;
}

/** The line of the client named `name` in CLIENT LIST. */
async function lineOf(c: RespClient, name: string): Promise<Record<string, string>> {
  const list = (await c.cmd('CLIENT', 'LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(` name=${name} `));
  assert.ok(line, `no client named ${name} in ${list}`);
  return fields(line);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The line of client `name` once `ready` holds for it (the cron's visits come when they come on a loaded machine). */
async function lineWhen(c: RespClient, name: string, ready: (f: Record<string, string>) => boolean): Promise<Record<string, string>> {
  const end = Date.now() + 30000;
  for (;;) {
    const f = await lineOf(c, name);
    if (ready(f) || Date.now() > end) return f;
    await sleep(100);
  }
}

/** Runs the same history on both servers and returns [gKV's, Redis's] figures for each probe. */
async function both<T>(fn: (port: number) => Promise<T>): Promise<[T, T]> {
  return Promise.all([fn(servers.gkv.port), fn(servers.redis.port)]);
}

test('CLIENT INFO of the caller: the command in the query buffer, its arguments, a full reply buffer', { skip: servers.skip }, async () => {
  const [a, b] = await both(async (port) => {
    const c = await RespClient.connect(port);
    try {
      return untimed(fields((await c.cmd('CLIENT', 'INFO')) as string));
    } finally {
      c.close();
    }
  });
  assert.deepEqual(a, b);
});

test('an idle client: the empty query buffer, the reply buffer shrunk by the cron', { skip: servers.skip }, async () => {
  const [a, b] = await both(async (port) => {
    const c = await RespClient.connect(port);
    const probe = await RespClient.connect(port);
    try {
      await c.cmd('CLIENT', 'SETNAME', 'idler');
      await c.cmd('PING');
      // a few cron visits: the reply buffer halves down to 1 KB
      const early = await lineWhen(probe, 'idler', (f) => f.rbs === '1024');
      // idle over 2 s: the query buffer is released
      const late = await lineWhen(probe, 'idler', (f) => f['qbuf-free'] === '0');
      // the peak itself depends on whether the first cron visit came before or after the PING
      delete early.rbp;
      delete late.rbp;
      return [early, late];
    } finally {
      c.close();
      probe.close();
    }
  });
  assert.deepEqual(a, b);
});

test('inside MULTI, multi-mem counts the queued arguments; a big argument leaves a big query buffer', { skip: servers.skip }, async () => {
  const [a, b] = await both(async (port) => {
    const c = await RespClient.connect(port);
    const probe = await RespClient.connect(port);
    try {
      await c.cmd('CLIENT', 'SETNAME', 'mx');
      await c.cmd('MULTI');
      await c.cmd('SET', 'k', 'v');
      await c.cmd('GET', 'k');
      const inMulti = untimed(await lineOf(probe, 'mx'));
      await c.cmd('DISCARD');
      await c.cmd('SET', 'big', 'x'.repeat(100000));
      const afterBig = untimed(await lineOf(probe, 'mx'));
      return [inMulti, afterBig];
    } finally {
      c.close();
      probe.close();
    }
  });
  assert.deepEqual(a, b);
});

test("a connection that sent nothing has Redis's fresh buffers", { skip: servers.skip }, async () => {
  const [a, b] = await both(async (port) => {
    const raw = net.connect(port, '127.0.0.1');
    await new Promise((r) => raw.once('connect', r));
    const probe = await RespClient.connect(port);
    try {
      await sleep(300);
      const list = (await probe.cmd('CLIENT', 'LIST')) as string;
      return untimed(fields(list.split('\n').find((l) => l.includes('cmd=NULL'))!));
    } finally {
      raw.destroy();
      probe.close();
    }
  });
  assert.deepEqual(a, b);
});

/** tot-mem without the reply buffer's size, which the cron changes when it visits. */
function totMemBeyondReplyBuffer(f: Record<string, string>): number {
  return Number(f['tot-mem']) - Number(f.rbs);
}

test("tot-mem counts WATCHed keys, MULTI's command slots, patterns, channels and shard channels as Redis", { skip: servers.skip }, async () => {
  const [a, b] = await both(async (port) => {
    const c = await RespClient.connect(port);
    const probe = await RespClient.connect(port);
    try {
      await c.cmd('CLIENT', 'SETNAME', 'holder');
      const base = totMemBeyondReplyBuffer(await lineOf(probe, 'holder'));
      const keys = Array.from({ length: 100 }, (_, i) => `w${i}`);
      await c.cmd('WATCH', ...keys);
      const watched = totMemBeyondReplyBuffer(await lineOf(probe, 'holder')) - base;
      await c.cmd('MULTI');
      for (let i = 0; i < 10; i++) await c.cmd('SET', 'k', 'v'.repeat(100));
      const f = await lineOf(probe, 'holder');
      const queued = totMemBeyondReplyBuffer(f) - base;
      await c.cmd('DISCARD');
      // 64 channels: their dict is done rehashing (at 100 Redis may be halfway through, by its random seed)
      const subs = async (verb: string, prefix: string, n: number) => {
        await c.sendRaw(encodeCommand([verb, ...Array.from({ length: n }, (_, i) => `${prefix}${i}`)]), n);
        return totMemBeyondReplyBuffer(await lineOf(probe, 'holder'));
      };
      const before = totMemBeyondReplyBuffer(await lineOf(probe, 'holder'));
      const patterns = (await subs('PSUBSCRIBE', 'p', 50)) - before;
      const channels = (await subs('SUBSCRIBE', 'c', 64)) - before - patterns;
      const shard = (await subs('SSUBSCRIBE', 's', 64)) - before - patterns - channels;
      return { watched, queued, multiMem: f['multi-mem'], patterns, channels, shard };
    } finally {
      c.close();
      probe.close();
    }
  });
  assert.deepEqual(a, b);
  // and not nothing: 56 bytes a watched key, as measured on redis-server 7.0
  assert.equal(b.watched, 5600);
});
