/**
 * MIGRATE's helper inside EXEC (commands/migrate.ts's migrateExchangeSync):
 * the server waits for this process, as Redis blocks in MIGRATE, because a
 * transaction's reply cannot wait for the event loop.
 *
 *   node migrate-child.js <host> <port> <timeout ms> <reply lines>
 *
 * Reads the commands to send from stdin, connects (within the timeout; a
 * refused connection shows at the write, as Redis's non-blocking connect),
 * writes them, reads that many reply lines (each within the timeout) and
 * prints {lines, failed, failure} as JSON. Imports nothing of the server.
 */
import net from 'node:net';

const [host, port, timeoutArg, repliesArg] = process.argv.slice(2);
const timeout = Number(timeoutArg);
const replies = Number(repliesArg);

let finished = false;

function done(lines: string[], failed: 'connect' | 'write' | 'read' | null, failure: 'timeout' | 'io' | null): void {
  if (finished) return;
  finished = true;
  process.stdout.write(JSON.stringify({ lines, failed, failure }), () => process.exit(0));
}

const chunks: Buffer[] = [];
process.stdin.on('data', (d: Buffer) => chunks.push(d));
process.stdin.on('end', () => {
  const bytes = Buffer.concat(chunks);
  const socket = net.connect({ host, port: Number(port) });
  let refused = false;
  let input = '';
  const lines: string[] = [];
  let timer = setTimeout(() => done(lines, 'connect', 'timeout'), timeout);
  socket.on('error', () => {
    refused = true;
  });
  const start = (): void => {
    clearTimeout(timer);
    if (refused) return done(lines, 'write', 'io');
    timer = setTimeout(() => done(lines, 'write', 'timeout'), timeout);
    socket.write(bytes, (err) => {
      clearTimeout(timer);
      if (err) return done(lines, 'write', 'io');
      if (replies === 0) return done(lines, null, null);
      timer = setTimeout(() => done(lines, 'read', 'timeout'), timeout);
    });
  };
  let connected = false;
  socket.once('connect', () => {
    connected = true;
    start();
  });
  socket.once('error', () => {
    // refused before connecting: Redis's connect "succeeds" and its write fails
    if (!connected) start();
  });
  socket.on('data', (d: Buffer) => {
    input += d.toString('latin1');
    for (let nl = input.indexOf('\n'); nl !== -1; nl = input.indexOf('\n')) {
      let line = input.slice(0, nl);
      input = input.slice(nl + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      lines.push(line);
      clearTimeout(timer);
      if (lines.length === replies) return done(lines, null, null);
      timer = setTimeout(() => done(lines, 'read', 'timeout'), timeout);
    }
  });
  socket.on('close', () => {
    if (lines.length < replies) done(lines, 'read', 'io');
  });
});
