/**
 * Logging in redis-server's format: `pid:role dd Mon yyyy hh:mm:ss.mmm <level-char> message`,
 * with Redis's levels (debug '.', verbose '-', notice '*', warning '#').
 * An embedding program (the library's `log` option) can take the lines
 * instead: `sink` then gets each message with its level, without Redis's
 * prefix, and nothing goes to stdout or the logfile.
 */
import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
const ORDER: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARK: Record<string, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Where an embedding program takes the log: a level and one message (no prefix, no newline). */
export type LogSink = (level: Exclude<LogLevel, 'nothing'>, line: string) => void;

export class Logger {
  level: LogLevel = 'notice';
  /** when set, every line at or above `level` goes here instead of stdout or `file` */
  sink: LogSink | null = null;
  /** '' logs to stdout */
  file = '';
  role = 'M';

  log(level: Exclude<LogLevel, 'nothing'>, msg: string): void {
    if (ORDER[level] < ORDER[this.level]) return;
    if (this.sink !== null) return this.sink(level, msg);
    const d = new Date();
    const p2 = (n: number) => (n < 10 ? '0' + n : String(n));
    const ms = String(d.getMilliseconds()).padStart(3, '0');
    const line = `${process.pid}:${this.role} ${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${ms} ${MARK[level]} ${msg}\n`;
    this.write(line);
  }

  /** A line as it is, without the prefix (Redis's serverLogRaw with LL_RAW: the logo). */
  raw(level: Exclude<LogLevel, 'nothing'>, text: string): void {
    if (ORDER[level] < ORDER[this.level]) return;
    if (this.sink !== null) return this.sink(level, text.endsWith('\n') ? text.slice(0, -1) : text);
    this.write(text.endsWith('\n') ? text : text + '\n');
  }

  private write(line: string): void {
    if (this.file === '') process.stdout.write(line);
    else {
      try {
        appendFileSync(this.file, line);
      } catch {
        /* a log that cannot be written must not stop the server */
      }
    }
  }

  /** Redis's serverLogFromHandler: `pid:signal-handler (unix time) msg`, whatever the level. */
  fromSignalHandler(msg: string): void {
    if (this.level === 'nothing') return;
    if (this.sink !== null) return this.sink('warning', msg);
    this.write(`${process.pid}:signal-handler (${Math.floor(Date.now() / 1000)}) ${msg}\n`);
  }

  notice(msg: string): void {
    this.log('notice', msg);
  }
  warning(msg: string): void {
    this.log('warning', msg);
  }
  verbose(msg: string): void {
    this.log('verbose', msg);
  }
}
