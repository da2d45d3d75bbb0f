/**
 * BGREWRITEAOF (Redis group "server"): rewrites the AOF's base from the
 * current dataset (bgrewrite.ts). Replies as Redis's
 * bgrewriteaofCommand: "…already in progress" while one runs, "…scheduled"
 * inside MULTI/EXEC or while a BGSAVE's child runs (it then starts from
 * the AOF's periodic tick once none does), "…started" otherwise.
 */
import type { Client } from '../../server/client.js';
import type { ServerContext } from '../../commands/context.js';
import type { ServerCommands } from '../../commands/context.js';
import { Err } from '../../protocol/errors.js';
import { aofOf } from './index.js';
import { activeChildOf } from '../child.js';

const cannotRewrite = () => Err.raw("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");

function bgrewriteaofCommand(c: Client, _argv: string[], s: ServerContext): void {
  const aof = aofOf(s);
  if (aof === undefined) throw cannotRewrite();
  if (aof.rewriter.rewriteInProgress) throw Err.raw('ERR Background append only file rewriting already in progress');
  // Redis schedules it while another child (a BGSAVE's) runs, or inside EXEC; a manual one is not rate-limited
  if (s.inExec || activeChildOf(s) !== null) {
    aof.rewriter.rewriteScheduled = true;
    aof.rewriter.rewriteFailures = 0;
    c.addStatus('Background append only file rewriting scheduled');
    return;
  }
  if (!aof.rewriter.start()) throw cannotRewrite();
  c.addStatus('Background append only file rewriting started');
}

export const aofCommands: ServerCommands = [{ name: 'bgrewriteaof', handler: bgrewriteaofCommand }];
