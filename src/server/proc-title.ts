/**
 * The process title (Redis's redisSetProcTitle): with set-proc-title yes,
 * `ps` shows proc-title-template expanded — {title} (the name the server was
 * started as), {listen-addr} (first bind address and port, or the Unix
 * socket), {server-mode}, {port}, {tls-port}, {unixsocket}, {config-file} —
 * instead of the command line. Only the gkv-server binary sets it (an
 * embedding process keeps its own title); Node can write at most as many
 * bytes as the original command line held.
 *
 * Templates follow Redis's sdstemplate: "{name}" is replaced, "{{" is a
 * literal '{'; an unknown name or an unclosed '{' makes the template
 * invalid, as does one that expands to nothing.
 */
import type { Config } from './config.js';

const VARIABLES = new Set(['title', 'listen-addr', 'server-mode', 'config-file', 'port', 'tls-port', 'unixsocket']);

/** Redis's sdstemplate: the template with each {variable} replaced, or null when it is invalid. */
export function expandTemplate(template: string, value: (name: string) => string | null): string | null {
  let out = '';
  let p = 0;
  while (p < template.length) {
    const sv = template.indexOf('{', p);
    if (sv === -1) {
      out += template.slice(p);
      break;
    }
    out += template.slice(p, sv);
    if (sv + 1 >= template.length) return null;
    if (template[sv + 1] === '{') {
      out += '{';
      p = sv + 2;
      continue;
    }
    const ev = template.indexOf('}', sv + 1);
    if (ev === -1) return null;
    const v = value(template.slice(sv + 1, ev));
    if (v === null) return null;
    out += v;
    p = ev + 1;
  }
  return out;
}

/** Redis's validateProcTitleTemplate (for CONFIG SET and the config file): throws the message when invalid. */
export function validateProcTitleTemplate(template: string): string {
  const r = expandTemplate(template, (n) => (!VARIABLES.has(n) ? null : n === 'title' || n === 'server-mode' ? '' : n));
  if (r === null || r.trim() === '') throw new Error('template format is invalid or contains unknown variables');
  return template;
}

/** The title for the server's current state (Redis's expandProcTitleTemplate, spaces trimmed). */
/** What the title's fields come from. */
export interface ProcTitleHost {
  readonly config: Config;
  /** the TCP port listened on (0: none) */
  readonly port: number;
}

export function procTitle(s: ProcTitleHost, title: string): string {
  const cfg = s.config;
  const binds = cfg.get('bind').split(' ').filter(Boolean);
  const unix = cfg.get('unixsocket');
  const r = expandTemplate(cfg.get('proc-title-template'), (n) => {
    switch (n) {
      case 'title':
        return title;
      case 'listen-addr':
        return s.port !== 0 ? `${binds.length > 0 ? binds[0] : '*'}:${s.port}` : `unixsocket:${unix}`;
      case 'server-mode':
        return '';
      case 'config-file':
        return cfg.configFile ?? '-';
      case 'port':
        return String(s.port);
      case 'tls-port':
        return cfg.get('tls-port');
      case 'unixsocket':
        return unix;
      default:
        return null;
    }
  });
  return (r ?? title).replace(/^ +| +$/g, '');
}
