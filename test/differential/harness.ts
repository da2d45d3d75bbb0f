/**
 * Differential testing: the same command sequence against gKV and a real
 * redis-server; every reply is compared byte for byte (after an optional
 * per-command normaliser for legitimately unordered or time-dependent replies).
 */
import { RespClient, type Reply } from '../harness/resp.js';
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

/** Sorts the elements of a flat array reply, for unordered replies (KEYS). */
export function sortedArrayRaw(rep: Reply): string {
  const v = rep.value;
  if (!Array.isArray(v)) return rep.raw;
  return JSON.stringify([...v].map(String).sort());
}

export type Normaliser = (cmd: Cmd, rep: Reply) => string;

export const defaultNormaliser: Normaliser = (cmd, rep) => {
  const name = cmd[0].toLowerCase();
  if (name === 'keys') return sortedArrayRaw(rep);
  return rep.raw;
};

export interface Mismatch {
  index: number;
  cmd: Cmd;
  gkv: string;
  redis: string;
}

/** Runs cmds one by one on both servers; returns the first mismatch or null. */
export async function runBoth(p: Pair, cmds: Cmd[], norm: Normaliser = defaultNormaliser): Promise<Mismatch | null> {
  for (let i = 0; i < cmds.length; i++) {
    const [a, b] = await Promise.all([p.g.call(...cmds[i]), p.r.call(...cmds[i])]);
    const na = norm(cmds[i], a);
    const nb = norm(cmds[i], b);
    if (na !== nb) return { index: i, cmd: cmds[i], gkv: na, redis: nb };
  }
  return null;
}

export function describe(m: Mismatch | null): string {
  if (m === null) return 'no mismatch';
  return `command #${m.index} ${JSON.stringify(m.cmd)}\n  gKV:   ${JSON.stringify(m.gkv)}\n  Redis: ${JSON.stringify(m.redis)}`;
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
