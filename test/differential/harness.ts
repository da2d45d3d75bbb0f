/**
 * Differential testing: the same command sequence against gKV and a real
 * redis-server; every reply is compared byte for byte (after an optional
 * per-command normaliser for legitimately unordered or time-dependent replies).
 */
import { RespClient } from '../harness/resp.js';
import { startGkv, startRedis, type RedisProc } from '../harness/servers.js';
import type { GkvServer } from '../../src/index.js';

export type Cmd = string[];

export interface Pair {
  gkv: GkvServer;
  redis: RedisProc;
  g: RespClient;
  r: RespClient;
  close(): Promise<void>;
}

export async function startPair(gkvOptions: Record<string, string | number> = {}, redisArgs: string[] = []): Promise<Pair> {
  const [gkv, redis] = await Promise.all([startGkv(gkvOptions), startRedis(redisArgs)]);
  const [g, r] = await Promise.all([RespClient.connect(gkv.port), RespClient.connect(redis.port)]);
  return {
    gkv,
    redis,
    g,
    r,
    async close() {
      g.close();
      r.close();
      await Promise.all([gkv.close(), redis.stop()]);
    },
  };
}

/**
 * Both servers' full state of the given dbs: keys, types, contents (unordered
 * collections sorted), OBJECT ENCODING and TTL presence.
 */
export async function stateOf(c: RespClient, dbs: number[]): Promise<string> {
  const out: string[] = [];
  for (const db of dbs) {
    await c.cmd('SELECT', String(db));
    const keys = ((await c.cmd('KEYS', '*')) as string[]).map(String).sort();
    // pipelined, a few thousand keys at a time: a big dataset is not one round trip per command
    for (let i = 0; i < keys.length; i += 2000) {
      const part = keys.slice(i, i + 2000);
      const types = (await c.pipeline(part.map((k) => ['TYPE', k]))).map((r) => String(r.value));
      const cmds: string[][] = [];
      part.forEach((k, j) => cmds.push(contentCommand(k, types[j]), ['OBJECT', 'ENCODING', k], ['PTTL', k]));
      const replies = await c.pipeline(cmds);
      part.forEach((k, j) => {
        const val = comparable(types[j], replies[3 * j].value);
        const enc = replies[3 * j + 1].value;
        const pttl = Number(replies[3 * j + 2].value);
        out.push(`${db}|${JSON.stringify(k)}|${types[j]}|${enc}|${JSON.stringify(val)}|${pttl < 0 ? pttl : 'ttl'}`);
      });
    }
  }
  await c.cmd('SELECT', '0');
  return out.join('\n');
}

/** The command reading a key's whole value, by its type. */
function contentCommand(k: string, type: string): string[] {
  switch (type) {
    case 'string':
      return ['GET', k];
    case 'list':
      return ['LRANGE', k, '0', '-1'];
    case 'hash':
      return ['HGETALL', k];
    case 'set':
      return ['SMEMBERS', k];
    case 'zset':
      return ['ZRANGE', k, '0', '-1', 'WITHSCORES'];
    case 'stream':
      return ['XINFO', 'STREAM', k, 'FULL'];
    default:
      return ['ECHO', ''];
  }
}

/** A value read by contentCommand in a comparable form: unordered collections are sorted. */
function comparable(type: string, v: unknown): unknown {
  if (type === 'hash') {
    const flat = v as unknown[];
    const ps: string[] = [];
    for (let i = 0; i < flat.length; i += 2) ps.push(`${flat[i]}=${flat[i + 1]}`);
    return ps.sort();
  }
  if (type === 'set') return (v as unknown[]).map(String).sort();
  return v;
}
