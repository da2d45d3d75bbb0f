/**
 * INFO in tests: reading one field, and waiting for a field to reach a value.
 * A test that needs something to have happened in the server (a client
 * blocked, a rewrite done, a key expired by the active cycle) polls INFO for
 * it with waitFor's generous ceiling, never sleeps a fixed time and hopes.
 * Works for gKV and for the oracle, in RESP2 and RESP3 (a verbatim string).
 */
import { waitFor } from './servers.js';
import type { RespClient } from './resp.js';

/** The text of INFO [section] (the default sections without one). */
export async function infoText(c: RespClient, section?: string): Promise<string> {
  const v = await (section === undefined ? c.cmd('INFO') : c.cmd('INFO', section));
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && 'verbatim' in v) return v.verbatim.slice(4);
  throw new Error(`INFO answered ${String(v)}`);
}

/** An INFO field's value (undefined when INFO does not show it), read from INFO [section]. */
export async function infoField(c: RespClient, field: string, section?: string): Promise<string | undefined> {
  const m = new RegExp(`(?:^|\\r\\n)${field}:([^\\r]*)\\r\\n`).exec(await infoText(c, section));
  return m === null ? undefined : m[1];
}

/**
 * Polls INFO [section] until field has the value want (or want(value) is
 * true); fails past the ceiling, naming the field and the last value seen.
 */
export async function waitForInfo(c: RespClient, field: string, want: string | ((v: string) => boolean), section?: string): Promise<void> {
  let last: string | undefined;
  const ok = (v: string | undefined): boolean => v !== undefined && (typeof want === 'string' ? v === want : want(v));
  try {
    await waitFor(async () => ok((last = await infoField(c, field, section))), `INFO ${field}`);
  } catch (e) {
    throw new Error(`${(e as Error).message} (want ${typeof want === 'string' ? want : 'a match'}, last ${last})`);
  }
}

/** Waits until the server reports n blocked clients (INFO clients). */
export function waitForBlocked(c: RespClient, n: number): Promise<void> {
  return waitForInfo(c, 'blocked_clients', String(n), 'clients');
}
