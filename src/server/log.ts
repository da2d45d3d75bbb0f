/**
 * Logging in redis-server's format: `pid:role dd Mon yyyy hh:mm:ss.mmm <level-char> message`,
 * with Redis's levels (debug '.', verbose '-', notice '*', warning '#').
 */
import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
const ORDER: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARK: Record<string, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export class Logger {
  level: LogLevel = 'notice';
  /** '' logs to stdout */
  file = '';
  role = 'M';

  log(level: Exclude<LogLevel, 'nothing'>, msg: string): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const d = new Date();
    const p2 = (n: number) => (n < 10 ? '0' + n : String(n));
    const ms = String(d.getMilliseconds()).padStart(3, '0');
    const line = `${process.pid}:${this.role} ${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${ms} ${MARK[level]} ${msg}\n`;
    this.write(line);
  }

  /** A line as it is, without the prefix (Redis's serverLogRaw with LL_RAW: the logo). */
  raw(level: Exclude<LogLevel, 'nothing'>, text: string): void {
    if (ORDER[level] < ORDER[this.level]) return;
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
