/**
 * Records the commands that in-process servers run, for the structural
 * coverage check (test/meta/coverage.test.ts): a command counts as tested
 * when some test made a server run it, not when its name appears in a file.
 *
 * Server.call() is where every command runs (a queued one too, from EXEC),
 * so it is wrapped once per test process, for every server the process makes
 * (createServer, new Server). When GKV_COMMANDS_RAN names a directory
 * (scripts/run-tests.js sets it), the full names run (`get`, `config|get`)
 * are written there at exit, one JSON file per process. servers.ts imports
 * this module, so any test that starts a server through the harness records.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server } from '../../src/server/server.js';

const ran = new Set<string>();
const call = Server.prototype.call;
Server.prototype.call = function (this: Server, ...args: Parameters<Server['call']>): void {
  ran.add(args[1].fullName);
  call.apply(this, args);
};

const dir = process.env.GKV_COMMANDS_RAN;
if (dir) process.on('exit', () => writeFileSync(join(dir, `${process.pid}-${Date.now()}.json`), JSON.stringify([...ran].sort())));
