/**
 * Connection commands (Redis group "connection").
 */
import type { CommandRow } from '../spec.js';
import type { Client } from '../../server/client.js';

function pingCommand(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    c.addError("ERR wrong number of arguments for 'ping' command");
    return;
  }
  // RESP2 subscribed clients get the pub/sub form
  if (c.resp === 2 && c.inPubSub) {
    c.addArrayLen(2);
    c.addBulk('pong');
    c.addBulk(argv.length === 2 ? argv[1] : '');
    return;
  }
  if (argv.length === 2) c.addBulk(argv[1]);
  else c.addRaw('+PONG\r\n');
}

function echoCommand(c: Client, argv: string[]): void {
  c.addBulk(argv[1]);
}

function quitCommand(c: Client): void {
  c.addOK();
  c.closeAfterReply = true;
}

export const connectionCommands: CommandRow[] = [
  { name: 'ping', handler: pingCommand },
  { name: 'echo', handler: echoCommand },
  { name: 'quit', handler: quitCommand },
];
