/**
 * Every family's table, registered in one place.
 */
import type { CommandTable } from './table.js';
import { bitmapCommands } from './families/bitmap.js';
import { connectionCommands } from './families/connection.js';
import { aclCommands } from './families/acl.js';
import { dumpCommands } from './families/dump.js';
import { genericCommands } from './families/generic.js';
import { geoCommands } from './families/geo.js';
import { pubsubCommands } from './families/pubsub.js';
import { hashCommands } from './families/hash.js';
import { hyperloglogCommands } from './families/hyperloglog.js';
import { listCommands } from './families/list.js';
import { serverCommands } from './families/server.js';
import { debugCommands } from './families/debug.js';
import { sortedSetCommands } from './families/sorted-set.js';
import { setCommands } from './families/set.js';
import { sortCommands } from './families/sort.js';
import { stringCommands } from './families/string.js';
import { transactionCommands } from './families/transactions.js';
import { aofCommands } from '../persistence/aof/commands.js';
import { rdbCommands } from '../persistence/rdb/commands.js';
import { replicationCommands } from '../replication/commands.js';
import { latencyCommands } from './families/latency.js';
import { streamCommands } from './families/stream.js';
import { streamGroupCommands } from './families/stream-groups.js';
import { scriptingCommands } from './families/scripting.js';
import { functionCommands } from './families/functions.js';

export function registerAllCommands(t: CommandTable): void {
  t.register(bitmapCommands);
  t.register(connectionCommands);
  t.register(aclCommands);
  t.register(dumpCommands);
  t.register(genericCommands);
  t.register(geoCommands);
  t.register(hashCommands);
  t.register(hyperloglogCommands);
  t.register(listCommands);
  t.register(pubsubCommands);
  t.register(serverCommands);
  t.register(debugCommands);
  t.register(sortedSetCommands);
  t.register(setCommands);
  t.register(sortCommands);
  t.register(stringCommands);
  t.register(transactionCommands);
  t.register(aofCommands);
  t.register(rdbCommands);
  t.register(replicationCommands);
  t.register(latencyCommands);
  t.register(streamCommands);
  t.register(streamGroupCommands);
  t.register(scriptingCommands);
  t.register(functionCommands);
}
