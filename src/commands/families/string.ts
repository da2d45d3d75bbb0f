/**
 * String commands (Redis group "string").
 */
import type { CommandRow } from '../spec.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { isString, strValue } from '../../keyspace/value.js';

function getCommand(c: Client, argv: string[]): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) c.addNull();
  else if (!isString(v)) throw Err.wrongType();
  else c.addBulk(strValue(v));
}

function setCommand(c: Client, argv: string[]): void {
  c.db.setKey(argv[1], argv[2]);
  c.addOK();
}

export const stringCommands: CommandRow[] = [
  { name: 'get', handler: getCommand },
  { name: 'set', handler: setCommand },
];
