/**
 * gkv-cli's command help, hints and Tab completion, built from the server's
 * COMMAND DOCS reply as redis-cli 7.0 builds them (cliInitHelp):
 *
 * - one entry per command and subcommand ("CONFIG GET"), its parameter line
 *   made from the argument tree (cliAddArgument: tokens, `[optional]`,
 *   `a|b` choices, `x [x ...]` repeats), plus one entry per group ("@string");
 *   entries sorted case-insensitively by their full name;
 * - `help <command words>` prints every entry whose first words match,
 *   `help @group` every command of the group, with redis-cli's ANSI colours
 *   and CRLF line ends (it prints the same bytes on a pipe as on a terminal);
 * - a hint is the parameter line of the longest matching entry with the
 *   arguments already typed removed, up to the first optional one;
 * - Tab completes command names (and group names after "help ").
 *
 * A server without COMMAND DOCS (before 7.0) gets entries from COMMAND: the
 * arity and first key as "key arg ...options...", "Help not available".
 * redis-cli then also has its compiled-in help.h text; gkv-cli has none, so
 * without a server (or with such a server) help says less than redis-cli's.
 */
import type { Reply } from './resp.js';

export interface HelpEntry {
  kind: 'command' | 'group';
  /** the words to type: ["CONFIG", "GET"], or ["@string"] */
  argv: string[];
  /** argv joined by a space */
  full: string;
  params: string;
  /** null when the server gives none (printed "(null)" as redis-cli's printf does) */
  summary: string | null;
  since: string | null;
  group: string | null;
}

function str(r: Reply | undefined): string | null {
  return r && (r.t === 'string' || r.t === 'status' || r.t === 'verb') ? r.s : null;
}

function items(r: Reply | undefined): Reply[] {
  return r && (r.t === 'array' || r.t === 'map' || r.t === 'set') ? r.items : [];
}

/** An empty value shows as "" in a parameter line (sdscat_orempty). */
function orEmpty(s: string): string {
  return s === '' ? '""' : s;
}

/** Writes "Unknown type ..." warnings (redis-cli prints them on stderr); replaceable for tests. */
export type WarnFn = (line: string) => void;

/** One argument of the COMMAND DOCS tree as it reads in a parameter line (cliAddArgument). */
export function cliAddArgument(arg: Reply, warn: WarnFn): string {
  if (arg.t !== 'array' && arg.t !== 'map') return '';
  let name = '';
  let type = '';
  let token = '';
  let hasToken = false;
  let optional = false;
  let multiple = false;
  let multipleToken = false;
  let subargs: Reply[] = [];
  for (let i = 0; i + 1 < arg.items.length; i += 2) {
    const key = str(arg.items[i]);
    const val = arg.items[i + 1];
    if (key === 'name') name = str(val) ?? '';
    else if (key === 'token') {
      token += orEmpty(str(val) ?? '');
      hasToken = true;
    } else if (key === 'type') type = str(val) ?? '';
    else if (key === 'arguments') subargs = items(val);
    else if (key === 'flags') {
      for (const f of items(val)) {
        const flag = str(f);
        if (flag === 'optional') optional = true;
        else if (flag === 'multiple') multiple = true;
        else if (flag === 'multiple_token') multipleToken = true;
      }
    }
  }
  let repeat = '';
  if (['key', 'string', 'integer', 'double', 'pattern', 'unix-time', 'token'].includes(type)) repeat = orEmpty(name);
  else if (type === 'oneof') repeat = cliConcatArguments(subargs, '|', warn);
  else if (type === 'block') repeat = cliConcatArguments(subargs, ' ', warn);
  else if (type !== 'pure-token') warn(`Unknown type '${type}' set for argument '${name}'`);
  let tokenPart = hasToken ? token : '';
  if (tokenPart !== '' && type !== 'pure-token') tokenPart += ' ';
  let out = optional ? '[' : '';
  out += tokenPart + repeat;
  if (multiple) out += ' [' + (multipleToken ? tokenPart : '') + repeat + ' ...]';
  if (optional) out += ']';
  return out;
}

/** Arguments joined by `sep` (a space in a sequence, "|" between choices). */
export function cliConcatArguments(args: Reply[], sep: string, warn: WarnFn): string {
  return args.map((a) => cliAddArgument(a, warn)).join(sep);
}

function commandEntry(cmd: string, sub: string | null, specs: Reply, out: HelpEntry[], groups: Set<string>, warn: WarnFn): void {
  const argv = [cmd.toUpperCase()];
  if (sub !== null) argv.push(sub.slice(sub.indexOf('|') + 1).toUpperCase());
  const e: HelpEntry = { kind: 'command', argv, full: argv.join(' '), params: '', summary: null, since: null, group: null };
  out.push(e);
  const fields = items(specs);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const key = str(fields[i]);
    const val = fields[i + 1];
    if (key === 'summary') e.summary = str(val);
    else if (key === 'since') e.since = str(val);
    else if (key === 'group') {
      e.group = str(val);
      if (e.group !== null) groups.add(e.group);
    } else if (key === 'arguments') e.params += cliConcatArguments(items(val), ' ', warn);
    else if (key === 'subcommands') {
      const subs = items(val);
      for (let j = 0; j + 1 < subs.length; j += 2) commandEntry(cmd, str(subs[j]) ?? '', subs[j + 1], out, groups, warn);
    }
  }
}

/** strcasecmp's order: byte by byte, letters folded to lower case. */
export function strcasecmp(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

/** The help entries from a COMMAND DOCS reply (RESP2 array or RESP3 map), sorted. */
export function helpFromCommandDocs(docs: Reply, warn: WarnFn = () => {}): HelpEntry[] {
  const out: HelpEntry[] = [];
  const groups = new Set<string>();
  const all = items(docs);
  for (let i = 0; i + 1 < all.length; i += 2) commandEntry(str(all[i]) ?? '', null, all[i + 1], out, groups, warn);
  for (const g of groups) out.push({ kind: 'group', argv: [`@${g}`], full: `@${g}`, params: '', summary: null, since: null, group: null });
  return out.sort((a, b) => strcasecmp(a.full, b.full));
}

/** For a server without COMMAND DOCS: one entry per COMMAND row, its parameters guessed from arity and first key. */
export function helpFromCommand(command: Reply): HelpEntry[] {
  const out: HelpEntry[] = [];
  for (const row of items(command)) {
    const f = items(row);
    if (f.length < 4 || f[0].t !== 'string' || f[1].t !== 'integer' || f[3].t !== 'integer') break;
    const name = f[0].s.toUpperCase();
    const arity = Number(f[1].s);
    let args = Math.abs(arity) - 1;
    let params = '';
    if (f[3].s === '1') {
      params += 'key ';
      args--;
    }
    while (args-- > 0) params += 'arg ';
    if (arity < 0) params += '...options...';
    out.push({ kind: 'command', argv: [name], full: name, params, summary: 'Help not available', since: 'Not known', group: 'generic' });
  }
  return out.sort((a, b) => strcasecmp(a.full, b.full));
}

/** One command's help block (cliOutputCommandHelp): bold name, grey parameters, yellow labels, CRLF. */
function commandHelp(e: HelpEntry, withGroup: boolean): string {
  let out = `\r\n  \x1b[1m${e.full}\x1b[0m \x1b[90m${e.params}\x1b[0m\r\n`;
  out += `  \x1b[33msummary:\x1b[0m ${e.summary ?? '(null)'}\r\n`;
  if (e.since !== null) out += `  \x1b[33msince:\x1b[0m ${e.since}\r\n`;
  if (withGroup) out += `  \x1b[33mgroup:\x1b[0m ${e.group ?? '(null)'}\r\n`;
  return out;
}

/** "help" alone: how to use help, in redis-cli's words but naming gkv-cli. */
export function genericHelp(version: string): string {
  return (
    `gkv-cli ${version}\n` +
    'To get help about Redis commands type:\n' +
    '      "help @<group>" to get a list of commands in <group>\n' +
    '      "help <command>" for help on <command>\n' +
    '      "help <tab>" to get a list of possible help topics\n' +
    '      "quit" to exit\n' +
    '\n' +
    'To set gkv-cli preferences:\n' +
    '      ":set hints" enable online hints\n' +
    '      ":set nohints" disable online hints\n'
  );
}

/** "help <words>" or "help @group" (cliOutputHelp); `topic` is non-empty. */
export function cliOutputHelp(entries: HelpEntry[], topic: string[]): string {
  const group = topic[0].startsWith('@') ? topic[0].slice(1) : null;
  let out = '';
  for (const e of entries) {
    if (e.kind !== 'command') continue;
    if (group === null) {
      if (topic.length <= e.argv.length && topic.every((w, i) => strcasecmp(w, e.argv[i]) === 0)) out += commandHelp(e, true);
    } else if (e.group !== null && strcasecmp(group, e.group) === 0) {
      out += commandHelp(e, false);
    }
  }
  return out + '\r\n';
}

/** Tab completion (completionCallback): whole lines, command names (and groups after "help "). */
export function completionsFor(entries: HelpEntry[], buf: string): string[] {
  let start = 0;
  let groupsToo = false;
  if (strcasecmp(buf.slice(0, 5), 'help ') === 0) {
    start = 5;
    while (start < buf.length && /\s/.test(buf[start])) start++;
    groupsToo = true;
  }
  const typed = buf.slice(start);
  const out: string[] = [];
  for (const e of entries) {
    if (e.kind === 'group' && !groupsToo) continue;
    if (strcasecmp(e.full.slice(0, typed.length), typed) === 0) out.push(buf.slice(0, start) + e.full);
  }
  return out;
}

/**
 * The hint shown after the typed line (hintsCallback): the parameters of the
 * longest matching command entry, minus one word per argument already typed
 * (stopping at the first optional "["), with a leading space unless the line
 * ends in one. Null when nothing matches. `argv` is the line split into words.
 */
export function hintFor(entries: HelpEntry[], line: string, argv: string[] | null): string | null {
  if (!argv || argv.length === 0) return null;
  let best: HelpEntry | null = null;
  for (const e of entries) {
    if (e.kind !== 'command' || e.argv.length > argv.length) continue;
    if (!e.argv.every((w, i) => strcasecmp(w, argv[i]) === 0)) continue;
    if (!best || e.argv.length > best.argv.length) best = e;
  }
  if (!best) return null;
  let hint = best.params;
  let toRemove = argv.length - best.argv.length;
  while (toRemove > 0 && hint.length > 0) {
    if (hint[0] === '[') break;
    if (hint[0] === ' ') toRemove--;
    hint = hint.slice(1);
  }
  const endSpace = line.length > 0 && /\s/.test(line[line.length - 1]);
  return endSpace ? hint : ' ' + hint;
}
