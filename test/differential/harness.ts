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
    gkv, redis, g, r,
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
    for (const k of keys) {
      const type = String(await c.cmd('TYPE', k));
      const val = await contentOf(c, k, type);
      const enc = await c.cmd('OBJECT', 'ENCODING', k);
      const pttl = Number(await c.cmd('PTTL', k));
      out.push(`${db}|${JSON.stringify(k)}|${type}|${enc}|${JSON.stringify(val)}|${pttl < 0 ? pttl : 'ttl'}`);
    }
  }
  await c.cmd('SELECT', '0');
  return out.join('\n');
}

/** A key's value in a comparable form: unordered collections are sorted. */
async function contentOf(c: RespClient, k: string, type: string): Promise<unknown> {
  const pairs = (flat: unknown[]) => {
    const ps: string[] = [];
    for (let i = 0; i < flat.length; i += 2) ps.push(`${flat[i]}=${flat[i + 1]}`);
    return ps.sort();
  };
  switch (type) {
    case 'string': return c.cmd('GET', k);
    case 'list': return c.cmd('LRANGE', k, '0', '-1');
    case 'hash': return pairs((await c.cmd('HGETALL', k)) as unknown[]);
    case 'set': return ((await c.cmd('SMEMBERS', k)) as unknown[]).map(String).sort();
    case 'zset': return c.cmd('ZRANGE', k, '0', '-1', 'WITHSCORES');
    default: return '';
  }
}
