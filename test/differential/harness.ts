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

/** Both servers' full state of the given dbs: keys, types, string values, TTL presence. */
export async function stateOf(c: RespClient, dbs: number[]): Promise<string> {
  const out: string[] = [];
  for (const db of dbs) {
    await c.cmd('SELECT', String(db));
    const keys = ((await c.cmd('KEYS', '*')) as string[]).map(String).sort();
    for (const k of keys) {
      const type = await c.cmd('TYPE', k);
      const val = type === 'string' ? await c.cmd('GET', k) : '';
      const pttl = Number(await c.cmd('PTTL', k));
      out.push(`${db}|${JSON.stringify(k)}|${type}|${JSON.stringify(val)}|${pttl < 0 ? pttl : 'ttl'}`);
    }
  }
  await c.cmd('SELECT', '0');
  return out.join('\n');
}
