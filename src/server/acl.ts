/**
 * ACL: users, selectors and the permission check (Redis 7.0's acl.c).
 *
 * A user has flags (on/off, nopass, [skip-]sanitize-payload), a list of
 * SHA-256 password hashes and a list of selectors, the first of which is the
 * root selector (the rules given outside parentheses). A selector holds a
 * bitmap of the commands it may run (one bit per command and subcommand of
 * Redis 7.0's table, ids given in the metadata's order), first-args allowed
 * of otherwise blocked commands (`+select|0`), key patterns with read/write
 * permissions (`~`, `%R~`, `%W~`, `%RW~`) and channel patterns (`&`). A
 * command passes when one selector allows the command, every key it names
 * (commands/keys.ts: the key specs' access/insert/delete/update flags ask
 * for read or write) and every channel it publishes or subscribes to.
 *
 * The command universe is Redis's whole table (meta/redis-7.0-commands.json),
 * not gKV's: categories, ACL CAT and the compact rule descriptions (ACL LIST,
 * GETUSER: the best-fitting categories first, then single commands, as
 * ACLDescribeSelectorCommandRules) come out as Redis's, and rules naming a
 * command are checked against Redis's original names (rename-command does
 * not change ACLs, as Redis's orig_commands).
 *
 * Cost: a user whose selector may run everything on every key and channel
 * (the default user) is flagged `unrestricted` when its rules change; the
 * pipeline tests that flag and nothing else. Others pay a bit test per
 * selector, and key extraction plus glob matching only when a selector is
 * restricted in keys.
 *
 * This file knows no client: the pipeline (server.ts) and the ACL family
 * (commands/families/acl.ts) attach users to clients, log denials with the
 * client's info line and disconnect the clients of changed users.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { redisMeta } from '../commands/table.js';
import type { CommandMetaInfo } from '../commands/spec.js';
import { type KeyedCommand, getKeysFromCommand } from '../commands/keys.js';
import { globMatch } from '../util/glob.js';

declare module './client.js' {
  /** a client's user is an ACL user */
  interface ClientUser extends AclUser {}
}

/** Redis's ACLCommandCategories, in its order (ACL CAT, and the order categories are tried in descriptions). */
export const ACL_CATEGORIES = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
] as const;

/** ACLCheckAllPerm's answers (Redis's ACL_OK, ACL_DENIED_CMD/KEY/AUTH/CHANNEL: their order picks the error reported). */
export const ACL_OK = 0;
export const ACL_DENIED_CMD = 1;
export const ACL_DENIED_KEY = 2;
export const ACL_DENIED_AUTH = 3;
export const ACL_DENIED_CHANNEL = 4;
export type AclDenial = typeof ACL_DENIED_CMD | typeof ACL_DENIED_KEY | typeof ACL_DENIED_AUTH | typeof ACL_DENIED_CHANNEL;

/** where a denial happened (ACL LOG's context) */
export type AclLogContext = 'toplevel' | 'multi' | 'lua' | 'module';

const READ = 1;
const WRITE = 2;
const ALL_PERMS = READ | WRITE;

export const F_ALLKEYS = 1;
export const F_ALLCHANNELS = 2;
const F_ALLCOMMANDS = 4;
const F_ROOT = 8;

/** A command of Redis's table as ACLs see it. */
export class AclCommand implements KeyedCommand {
  readonly subs: Map<string, AclCommand> | null;
  constructor(
    readonly id: number,
    readonly fullName: string,
    readonly cats: number,
    readonly parent: AclCommand | null,
    readonly info: CommandMetaInfo,
    subs: boolean,
  ) {
    this.subs = subs ? new Map() : null;
    this.noAuth = info.flags.includes('no_auth');
  }
  get arity(): number {
    return this.info.arity;
  }
  get aclId(): number {
    return this.id;
  }
  readonly noAuth: boolean;
}

/** Redis's command table for ACLs: ids, names, categories (built once: static metadata). */
export class AclCommandTable {
  readonly top: AclCommand[] = [];
  readonly byName = new Map<string, AclCommand>();
  readonly byId: AclCommand[] = [];
  readonly words: number;

  constructor() {
    const meta = redisMeta().commands;
    const catMask = (acl: string[]): number => {
      let m = 0;
      for (const a of acl) {
        const i = ACL_CATEGORIES.indexOf(a.replace(/^@/, '') as (typeof ACL_CATEGORIES)[number]);
        if (i >= 0) m |= 1 << i;
      }
      return m;
    };
    for (const name of Object.keys(meta)) {
      const info = meta[name].info;
      const cmd = new AclCommand(this.byId.length, name, catMask(info.acl), null, info, info.subcommands.length > 0);
      this.byId.push(cmd);
      this.top.push(cmd);
      this.byName.set(name, cmd);
      for (const si of info.subcommands) {
        const sub = new AclCommand(this.byId.length, si.name, catMask(si.acl), cmd, si, false);
        this.byId.push(sub);
        cmd.subs!.set(si.name.slice(name.length + 1), sub);
        this.byName.set(si.name, sub);
      }
    }
    this.words = (this.byId.length + 31) >>> 5;
  }

  /** Redis's lookupCommandBySdsLogic: "name" or "container|sub", any case. */
  lookup(name: string): AclCommand | undefined {
    const parts = name.toLowerCase().split('|');
    if (parts.length > 2) return undefined;
    const base = this.byName.get(parts[0]);
    if (base === undefined || base.parent !== null) return undefined;
    if (parts.length === 1) return base;
    return base.subs?.get(parts[1]);
  }

  /** Redis's lookupCommand on argv: the container's subcommand when it has them. */
  lookupArgv(argv: readonly string[]): AclCommand | undefined {
    const base = this.byName.get(argv[0].toLowerCase());
    if (base === undefined || base.parent !== null) return undefined;
    if (base.subs === null || argv.length < 2) return base;
    return base.subs.get(argv[1].toLowerCase());
  }
}

let sharedTable: AclCommandTable | null = null;
/** The ACL command table (static: Redis's metadata). */
export function aclCommandTable(): AclCommandTable {
  return (sharedTable ??= new AclCommandTable());
}

/** A key pattern and the permissions it grants. */
interface KeyPattern {
  flags: number;
  pattern: string;
  /** the pattern's literal prefix when it is "<literal>*" (a startsWith test), else null */
  prefix: string | null;
}

/** a key pattern; a "<literal>*" one (the common form) is matched by startsWith instead of the glob matcher */
function keyPattern(flags: number, pattern: string): KeyPattern {
  const body = pattern.slice(0, -1);
  const prefix = pattern.endsWith('*') && !/[*?[\\]/.test(body) ? body : null;
  return { flags, pattern, prefix };
}

/** Redis's aclSelector. */
export class Selector {
  flags: number;
  bits: Uint32Array;
  /** Redis's reserved bit USER_COMMAND_BITS_COUNT-1: +@all/allcommands given (future commands allowed) */
  future = false;
  firstArgs: Map<number, string[]> | null = null;
  patterns: KeyPattern[] = [];
  channels: string[] = [];

  constructor(
    readonly t: AclCommandTable,
    flags: number,
  ) {
    this.flags = flags;
    this.bits = new Uint32Array(t.words);
  }

  copy(): Selector {
    const s = new Selector(this.t, this.flags);
    s.bits.set(this.bits);
    s.future = this.future;
    if (this.firstArgs !== null) s.firstArgs = new Map([...this.firstArgs].map(([k, v]) => [k, [...v]]));
    s.patterns = this.patterns.map((p) => ({ ...p }));
    s.channels = [...this.channels];
    return s;
  }

  getBit(id: number): boolean {
    return (this.bits[id >>> 5] & (1 << (id & 31))) !== 0;
  }

  setBit(id: number, on: boolean): void {
    if (on) this.bits[id >>> 5] |= 1 << (id & 31);
    else {
      this.bits[id >>> 5] &= ~(1 << (id & 31));
      this.flags &= ~F_ALLCOMMANDS;
    }
  }

  /** ACLChangeSelectorPerm: a container's subcommands follow it */
  changePerm(cmd: AclCommand, allow: boolean): void {
    this.setBit(cmd.id, allow);
    this.firstArgs?.delete(cmd.id);
    if (cmd.subs !== null) for (const sub of cmd.subs.values()) this.setBit(sub.id, allow);
  }

  setCategory(cat: number, allow: boolean): void {
    for (const cmd of this.t.byId) if ((cmd.cats & (1 << cat)) !== 0) this.changePerm(cmd, allow);
  }

  countCategory(cat: number): [number, number] {
    let on = 0;
    let off = 0;
    for (const cmd of this.t.byId) {
      if ((cmd.cats & (1 << cat)) === 0) continue;
      if (this.getBit(cmd.id)) on++;
      else off++;
    }
    return [on, off];
  }

  setAll(on: boolean): void {
    this.bits.fill(on ? 0xffffffff : 0);
    this.future = on;
    if (on) this.flags |= F_ALLCOMMANDS;
    else this.flags &= ~F_ALLCOMMANDS;
    this.firstArgs = null;
  }

  addFirstArg(id: number, arg: string): void {
    const m = (this.firstArgs ??= new Map<number, string[]>());
    const list = m.get(id);
    if (list === undefined) m.set(id, [arg]);
    else if (!list.some((a) => a.toLowerCase() === arg.toLowerCase())) list.push(arg);
  }

  sameBits(o: Selector): boolean {
    for (let i = 0; i < this.bits.length; i++) if (this.bits[i] !== o.bits[i]) return false;
    return true;
  }
}

/** errno of ACLSetUser, as texts (ACLSetUserStringError) */
export class AclRuleError extends Error {}
const E_NOENT = 'Unknown command or category name in ACL';
const E_INVAL = 'Syntax error';
const E_EXIST = "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
const E_ISDIR = "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
const E_NODEV = 'The password you are trying to remove from the user does not exist';
const E_BADMSG = 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
const E_CHILD = 'Allowing first-arg of a subcommand is not supported';
export const E_ALREADY = 'Duplicate user found. A user can only be defined once in config files';

/** ACLStringHasSpaces: isspace() or NUL */
export function hasSpaces(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 32 || (c >= 9 && c <= 13)) return true;
  }
  return false;
}

/** ACLHashPassword: the hex SHA-256 of the bytes */
export function hashPassword(pass: string): string {
  return createHash('sha256').update(pass, 'latin1').digest('hex');
}

function validHash(h: string): boolean {
  return /^[0-9a-f]{64}$/.test(h);
}

const FLAG_ON = 1;
const FLAG_OFF = 2;
const FLAG_NOPASS = 4;
const FLAG_SKIP_SANITIZE = 8;
const FLAG_SANITIZE = 16;
const USER_FLAGS: [string, number][] = [
  ['on', FLAG_ON],
  ['off', FLAG_OFF],
  ['nopass', FLAG_NOPASS],
  ['skip-sanitize-payload', FLAG_SKIP_SANITIZE],
  ['sanitize-payload', FLAG_SANITIZE],
];

/** Redis's user. */
export class AclUser {
  flags = FLAG_OFF;
  passwords: string[] = [];
  selectors: Selector[];
  /** one selector may run every command on every key and channel: the check is skipped */
  unrestricted = false;

  constructor(
    readonly name: string,
    readonly acl: Acl,
  ) {
    this.selectors = [new Selector(acl.commands, F_ROOT | acl.pubsubDefault)];
  }

  get root(): Selector {
    return this.selectors[0];
  }
  get enabled(): boolean {
    return (this.flags & FLAG_ON) !== 0;
  }
  get nopass(): boolean {
    return (this.flags & FLAG_NOPASS) !== 0;
  }
  /** the payload of its RESTOREs is sanitized (sanitize-dump-payload clients): not skip-sanitize-payload */
  get skipSanitize(): boolean {
    return (this.flags & FLAG_SKIP_SANITIZE) !== 0;
  }

  /** ACLCopyUser: the rules of src, the name kept */
  copyFrom(src: AclUser): void {
    this.flags = src.flags;
    this.passwords = [...src.passwords];
    this.selectors = src.selectors.map((s) => s.copy());
    this.refresh();
  }

  /** recomputes what the check's fast path reads */
  refresh(): void {
    const all = F_ALLKEYS | F_ALLCHANNELS | F_ALLCOMMANDS;
    this.unrestricted = this.selectors.some((s) => (s.flags & all) === all);
    if (this === this.acl.defaultUser) this.acl.refreshDefault();
  }

  /** ACLSetUser: one rule; throws AclRuleError with Redis's text */
  set(op: string): void {
    this.setOp(op);
    this.refresh();
  }

  private setOp(op: string): void {
    if (op.length === 0) return;
    const lc = op.toLowerCase();
    if (lc === 'on') this.flags = (this.flags | FLAG_ON) & ~FLAG_OFF;
    else if (lc === 'off') this.flags = (this.flags | FLAG_OFF) & ~FLAG_ON;
    else if (lc === 'skip-sanitize-payload') this.flags = (this.flags | FLAG_SKIP_SANITIZE) & ~FLAG_SANITIZE;
    else if (lc === 'sanitize-payload') this.flags = (this.flags | FLAG_SANITIZE) & ~FLAG_SKIP_SANITIZE;
    else if (lc === 'nopass') {
      this.flags |= FLAG_NOPASS;
      this.passwords = [];
    } else if (lc === 'resetpass') {
      this.flags &= ~FLAG_NOPASS;
      this.passwords = [];
    } else if (op[0] === '>' || op[0] === '#') {
      let h: string;
      if (op[0] === '>') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!validHash(h)) throw new AclRuleError(E_BADMSG);
      }
      if (!this.passwords.includes(h)) this.passwords.push(h);
      this.flags &= ~FLAG_NOPASS;
    } else if (op[0] === '<' || op[0] === '!') {
      let h: string;
      if (op[0] === '<') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!validHash(h)) throw new AclRuleError(E_BADMSG);
      }
      const i = this.passwords.indexOf(h);
      if (i < 0) throw new AclRuleError(E_NODEV);
      this.passwords.splice(i, 1);
    } else if (op[0] === '(' && op[op.length - 1] === ')') {
      const s = new Selector(this.acl.commands, this.acl.pubsubDefault);
      for (const a of splitSelectorArgs(op.slice(1, -1))) setSelector(s, a);
      this.selectors.push(s);
    } else if (lc === 'clearselectors') {
      this.selectors.length = 1;
    } else if (lc === 'reset') {
      this.setOp('resetpass');
      this.setOp('resetkeys');
      this.setOp('resetchannels');
      if (this.acl.pubsubDefault & F_ALLCHANNELS) this.setOp('allchannels');
      this.setOp('off');
      this.setOp('sanitize-payload');
      this.setOp('clearselectors');
      this.setOp('-@all');
    } else setSelector(this.root, op);
  }

  /** ACLDescribeUser: the rules as ACL LIST and the ACL file show them */
  describe(): string {
    let r = '';
    for (const [name, f] of USER_FLAGS) if (this.flags & f) r += `${name} `;
    for (const p of this.passwords) r += `#${p} `;
    for (const s of this.selectors) {
      const d = describeSelector(s);
      r += s.flags & F_ROOT ? d : ` (${d})`;
    }
    return r;
  }

  flagNames(): string[] {
    return USER_FLAGS.filter(([, f]) => this.flags & f).map(([n]) => n);
  }
}

/** sdssplitargs for a selector's inside (quotes honoured, as Redis splits it) */
function splitSelectorArgs(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && /\s/.test(s[i])) i++;
    if (i >= n) break;
    let cur = '';
    if (s[i] === '"' || s[i] === "'") {
      const q = s[i++];
      while (i < n && s[i] !== q) {
        if (q === '"' && s[i] === '\\' && i + 1 < n) i++;
        cur += s[i++];
      }
      if (i >= n) throw new AclRuleError(E_INVAL);
      i++;
    } else while (i < n && !/\s/.test(s[i])) cur += s[i++];
    out.push(cur);
  }
  return out;
}

/** ACLSetSelector */
function setSelector(s: Selector, op: string): void {
  const lc = op.toLowerCase();
  const t = s.t;
  if (lc === 'allkeys' || op === '~*') {
    s.flags |= F_ALLKEYS;
    s.patterns = [];
  } else if (lc === 'resetkeys') {
    s.flags &= ~F_ALLKEYS;
    s.patterns = [];
  } else if (lc === 'allchannels' || op === '&*') {
    s.flags |= F_ALLCHANNELS;
    s.channels = [];
  } else if (lc === 'resetchannels') {
    s.flags &= ~F_ALLCHANNELS;
    s.channels = [];
  } else if (lc === 'allcommands' || lc === '+@all') {
    s.setAll(true);
  } else if (lc === 'nocommands' || lc === '-@all') {
    s.setAll(false);
  } else if (op[0] === '~' || op[0] === '%') {
    if (s.flags & F_ALLKEYS) throw new AclRuleError(E_EXIST);
    let flags = 0;
    let off = 1;
    if (op[0] === '%') {
      for (; off < op.length; off++) {
        const ch = op[off].toUpperCase();
        if (ch === 'R' && !(flags & READ)) flags |= READ;
        else if (ch === 'W' && !(flags & WRITE)) flags |= WRITE;
        else if (op[off] === '~') {
          off++;
          break;
        } else throw new AclRuleError(E_INVAL);
      }
    } else flags = ALL_PERMS;
    const pat = op.slice(off);
    if (hasSpaces(pat)) throw new AclRuleError(E_INVAL);
    const old = s.patterns.find((p) => p.pattern === pat);
    if (old === undefined) s.patterns.push(keyPattern(flags, pat));
    else old.flags |= flags;
    s.flags &= ~F_ALLKEYS;
  } else if (op[0] === '&') {
    if (s.flags & F_ALLCHANNELS) throw new AclRuleError(E_ISDIR);
    const pat = op.slice(1);
    if (hasSpaces(pat)) throw new AclRuleError(E_INVAL);
    if (!s.channels.includes(pat)) s.channels.push(pat);
    s.flags &= ~F_ALLCHANNELS;
  } else if (op[0] === '+' && op[1] !== '@') {
    const bar = op.lastIndexOf('|');
    if (bar < 0) {
      const cmd = t.lookup(op.slice(1));
      if (cmd === undefined) throw new AclRuleError(E_NOENT);
      s.changePerm(cmd, true);
    } else {
      const cmd = t.lookup(op.slice(1, bar));
      const sub = op.slice(bar + 1);
      if (cmd === undefined) throw new AclRuleError(E_NOENT);
      if (cmd.parent !== null) throw new AclRuleError(E_CHILD);
      if (sub.length === 0) throw new AclRuleError(E_INVAL);
      if (cmd.subs !== null) {
        const sc = t.lookup(op.slice(1));
        if (sc === undefined) throw new AclRuleError(E_NOENT);
        s.changePerm(sc, true);
      } else s.addFirstArg(cmd.id, sub);
    }
  } else if (op[0] === '-' && op[1] !== '@') {
    const cmd = t.lookup(op.slice(1));
    if (cmd === undefined) throw new AclRuleError(E_NOENT);
    s.changePerm(cmd, false);
  } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
    const cat = ACL_CATEGORIES.indexOf(op.slice(2).toLowerCase() as (typeof ACL_CATEGORIES)[number]);
    if (cat < 0) throw new AclRuleError(E_NOENT);
    s.setCategory(cat, op[0] === '+');
  } else throw new AclRuleError(E_INVAL);
}

function patternString(p: KeyPattern): string {
  return (p.flags === ALL_PERMS ? '~' : p.flags === READ ? '%R~' : '%W~') + p.pattern;
}

/** GETUSER's "keys": the patterns, or ~* */
export function selectorKeysText(s: Selector): string {
  return s.flags & F_ALLKEYS ? '~*' : s.patterns.map(patternString).join(' ');
}

/** GETUSER's "channels": the patterns, or &* */
export function selectorChannelsText(s: Selector): string {
  return s.flags & F_ALLCHANNELS ? '&*' : s.channels.map((c) => `&${c}`).join(' ');
}

/** ACLDescribeSelector */
function describeSelector(s: Selector): string {
  let r = '';
  if (s.flags & F_ALLKEYS) r += '~* ';
  else for (const p of s.patterns) r += `${patternString(p)} `;
  if (s.flags & F_ALLCHANNELS) r += '&* ';
  else {
    r += 'resetchannels ';
    for (const c of s.channels) r += `&${c} `;
  }
  return r + describeCommandRules(s);
}

/**
 * ACLDescribeSelectorCommandRules: +@all or -@all, then the categories that
 * fit best (more commands in common than different, fewest differences),
 * then the single commands still differing, and first-args.
 */
export function describeCommandRules(s: Selector): string {
  const t = s.t;
  const additive = !s.future;
  const fake = new Selector(t, 0);
  let rules = additive ? '-@all ' : '+@all ';
  fake.setAll(!additive);
  const temp = new Selector(t, 0);
  temp.bits.set(s.bits);
  const applied = new Array<boolean>(ACL_CATEGORIES.length).fill(false);
  for (;;) {
    let best = -1;
    let mindiff = Number.MAX_SAFE_INTEGER;
    let maxsame = 0;
    for (let j = 0; j < ACL_CATEGORIES.length; j++) {
      if (applied[j]) continue;
      const [on, off] = temp.countCategory(j);
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < mindiff || (diff === mindiff && same > maxsame))) {
        best = j;
        mindiff = diff;
        maxsame = same;
      }
    }
    if (best === -1) break;
    fake.setCategory(best, additive);
    temp.setCategory(best, !additive);
    rules += `${additive ? '+@' : '-@'}${ACL_CATEGORIES[best]} `;
    applied[best] = true;
  }
  const single = (cmd: AclCommand): void => {
    const u = s.getBit(cmd.id);
    if (u !== fake.getBit(cmd.id)) {
      rules += `${u ? '+' : '-'}${cmd.fullName} `;
      fake.changePerm(cmd, u);
    }
    if (cmd.subs !== null) for (const sub of cmd.subs.values()) single(sub);
    const fa = s.firstArgs?.get(cmd.id);
    if (!u && fa !== undefined) for (const a of fa) rules += `+${cmd.fullName}|${a} `;
  };
  for (const cmd of t.top) single(cmd);
  return rules.slice(0, -1);
}

/** ACL LOG's entry (Redis's ACLLogEntry) */
export interface AclLogEntry {
  count: number;
  reason: AclDenial;
  context: AclLogContext;
  object: string;
  username: string;
  ctime: number;
  cinfo: string;
}

const LOG_GROUPING_MS = 60000;

/** What a check found: the denial and the argv index of the key or channel. */
export interface AclCheckResult {
  denial: AclDenial;
  pos: number;
}

/** A command the pipeline runs, as the check reads it (a CommandSpec is one, with its ACL id). */
export interface AclCheckedCommand extends KeyedCommand {
  readonly aclId: number;
  readonly noAuth: boolean;
  readonly parent: unknown;
}

const PERMS = new WeakMap<readonly string[], number>();

/** the permissions a key's key-spec flags ask for: access reads, insert/delete/update write (cached per flags array) */
function permsOf(keyFlags: readonly string[]): number {
  const known = PERMS.get(keyFlags);
  if (known !== undefined) return known;
  let need = 0;
  for (const f of keyFlags) {
    if (f === 'access') need |= READ;
    else if (f === 'insert' || f === 'delete' || f === 'update') need |= WRITE;
  }
  PERMS.set(keyFlags, need);
  return need;
}

/** the keys of the command being checked, extracted once for all selectors */
interface KeysCache {
  /** pairs: a key's argv index, the permissions it needs */
  keys: number[] | null;
}

/** a command whose keys are all at fixed positions (index begin, range find): what each range needs */
interface KeyRange {
  index: number;
  lastkey: number;
  step: number;
  limit: number;
  need: number;
}

/** key plans by ACL command id (the specs are Redis's, so one plan serves a command everywhere) */
const KEY_PLANS: (KeyRange[] | null | undefined)[] = [];

/** the command's plain key ranges, or null when a spec needs more (keywords, key counts, flags read from argv) */
function keyPlan(cmd: AclCheckedCommand): KeyRange[] | null {
  let plan = KEY_PLANS[cmd.aclId];
  if (plan !== undefined) return plan;
  plan = [];
  for (const ks of cmd.info.keySpecs) {
    if (ks.flags.includes('not_key')) continue;
    if (ks.begin_search.type !== 'index' || ks.find_keys.type !== 'range' || ks.flags.includes('variable_flags') || ks.flags.includes('incomplete')) {
      plan = null;
      break;
    }
    const f = ks.find_keys.spec;
    plan.push({ index: ks.begin_search.spec.index!, lastkey: f.lastkey!, step: f.keystep!, limit: f.limit!, need: permsOf(ks.flags) });
  }
  KEY_PLANS[cmd.aclId] = plan;
  return plan;
}

/**
 * The keys the check looks at, as (argv index, permissions) pairs: a plain
 * command's from its ranges without allocating key records (as
 * getKeysUsingKeySpecs computes them), others from commands/keys.ts.
 */
function aclKeys(cmd: AclCheckedCommand, argv: readonly string[]): number[] {
  const plan = keyPlan(cmd);
  const argc = argv.length;
  if (plan !== null) {
    const out: number[] = [];
    let ok = true;
    for (const r of plan) {
      const first = r.index;
      const last = r.lastkey >= 0 ? first + r.lastkey : !r.limit ? argc + r.lastkey : first + (Math.trunc((argc - first) / r.limit) + r.lastkey);
      if (last >= argc || last < first || first >= argc) {
        ok = false;
        break;
      }
      for (let i = first; i <= last; i += r.step) out.push(i, r.need);
    }
    if (ok) return out;
  }
  const out: number[] = [];
  for (const k of getKeysFromCommand(cmd, argv)) out.push(k.pos, permsOf(k.flags));
  return out;
}

/**
 * ACLSelectorCheckCmd: 0 when the selector allows the command, its keys and
 * channels; else the denial, with the argv index of the key or channel
 * shifted left by 3.
 */
function selectorCheckCmd(s: Selector, cmd: AclCheckedCommand, argv: readonly string[], cache: KeysCache): number {
  const id = cmd.aclId;
  if (!(s.flags & F_ALLCOMMANDS) && !cmd.noAuth && !s.getBit(id)) {
    // the bit is off: allowed only with one of its allowed first arguments (+select|0)
    const fa = s.firstArgs?.get(id);
    const ai = cmd.parent !== null ? 2 : 1;
    if (argv.length < 2 || fa === undefined || !fa.some((a) => a.toLowerCase() === argv[ai]?.toLowerCase())) return ACL_DENIED_CMD;
  }
  if (!(s.flags & F_ALLKEYS) && cmd.info.keySpecs.length !== 0) {
    const keys = (cache.keys ??= aclKeys(cmd, argv));
    for (let i = 0; i < keys.length; i += 2) if (!selectorCheckKey(s, argv[keys[i]], keys[i + 1])) return ACL_DENIED_KEY | (keys[i] << 3);
  }
  const chan = CHANNEL_COMMANDS[cmd.fullName];
  if (!(s.flags & F_ALLCHANNELS) && chan !== undefined) {
    const [literal, one] = chan;
    const end = one ? 2 : argv.length;
    for (let j = 1; j < end; j++) if (!channelInList(s.channels, argv[j], literal)) return ACL_DENIED_CHANNEL | (j << 3);
  }
  return 0;
}

/** ACLSelectorCheckKey */
function selectorCheckKey(s: Selector, key: string, need: number): boolean {
  if (s.flags & F_ALLKEYS) return true;
  for (const p of s.patterns) {
    if ((p.flags & need) !== need) continue;
    if (p.prefix !== null ? key.startsWith(p.prefix) : globMatch(p.pattern, key)) return true;
  }
  return false;
}

export function channelInList(list: readonly string[], ch: string, literal: boolean): boolean {
  for (const p of list) if (literal ? p === ch : globMatch(p, ch)) return true;
  return false;
}

/** the commands whose arguments are channels (ACLDoesCommandHaveChannels): [first index, literal patterns, only one] */
const CHANNEL_COMMANDS: Record<string, [boolean, boolean]> = {
  publish: [false, true],
  spublish: [false, true],
  subscribe: [false, false],
  ssubscribe: [false, false],
  psubscribe: [true, false],
};

/** The server's users, log and settings (Redis's Users, DefaultUser, ACLLog). */
export class Acl {
  readonly commands = aclCommandTable();
  readonly users = new Map<string, AclUser>();
  defaultUser: AclUser;
  /** acl-pubsub-default: F_ALLCHANNELS or 0 */
  pubsubDefault = 0;
  /** Redis's authRequired() for clients that did not authenticate: the default user has a password or is off */
  authRequired = false;
  log: AclLogEntry[] = [];
  logMaxLen = 128;
  /** the ACL file (aclfile), '' when none */
  filename = '';
  /** a client's CLIENT LIST line, for ACL LOG (set by the composition root: the CLIENT family formats it) */
  describeClient: (c: object) => string = () => '';
  /** user lines of the configuration file, loaded at startup (UsersToLoad) */
  readonly usersToLoad: string[][] = [];

  constructor() {
    this.defaultUser = this.createDefaultUser();
    this.users.set('default', this.defaultUser);
    this.refreshDefault();
  }

  refreshDefault(): void {
    const d = this.defaultUser;
    if (d === undefined) return;
    this.authRequired = !d.nopass || !d.enabled;
    this.requirePassApplied = null;
  }

  /**
   * The requirepass value the default user's password was last set from,
   * null once its rules changed otherwise: applying the configuration again
   * at listen() must not undo users loaded at startup.
   */
  requirePassApplied: string | null = null;

  setPubsubDefault(v: string): void {
    this.pubsubDefault = v === 'allchannels' ? F_ALLCHANNELS : 0;
  }

  /** ACLCreateUnlinkedUser / ACLCreateUser without linking */
  newUser(name: string): AclUser {
    return new AclUser(name, this);
  }

  createDefaultUser(): AclUser {
    const u = new AclUser('default', this);
    for (const r of ['+@all', '~*', '&*', 'on', 'nopass']) u.set(r);
    return u;
  }

  /** ACLUpdateDefaultUserPassword: requirepass sets the default user's only password ('' = nopass) */
  setRequirePass(pass: string): void {
    if (pass === this.requirePassApplied) return;
    const d = this.defaultUser;
    d.set('resetpass');
    d.set(pass === '' ? 'nopass' : `>${pass}`);
    this.requirePassApplied = pass;
  }

  /** the requirepass CONFIG GET shows: the default user's first password can't be shown, so Redis keeps the text */
  getUser(name: string): AclUser | undefined {
    return this.users.get(name);
  }

  /** ACLCheckUserCredentials: null when valid, else 'noent' | 'inval' */
  checkCredentials(name: string, pass: string): AclUser | null {
    const u = this.users.get(name);
    if (u === undefined || !u.enabled) return null;
    if (u.nopass) return u;
    const h = hashPassword(pass);
    for (const p of u.passwords) if (p === h) return u;
    return null;
  }

  /**
   * ACLCheckAllUserCommandPerm: null when `user` may run `cmd` with `argv`;
   * else the denial to report: the command when no selector allows it, else
   * the last key or channel no selector could match.
   */
  checkCommand(user: AclUser, cmd: AclCheckedCommand, argv: readonly string[]): AclCheckResult | null {
    let relevant: AclDenial = ACL_DENIED_CMD;
    let lastIdx = 0;
    const cache: KeysCache = { keys: null };
    for (const s of user.selectors) {
      const r = selectorCheckCmd(s, cmd, argv, cache);
      if (r === 0) return null;
      const denial = (r & 7) as AclDenial;
      const idx = r >>> 3;
      if (denial > relevant || (denial === relevant && idx > lastIdx)) {
        relevant = denial;
        lastIdx = idx;
      }
    }
    return { denial: relevant, pos: lastIdx };
  }

  /** ACLUserCheckKeyPerm: may `user` touch `key` with these key-spec flags */
  checkKey(user: AclUser, key: string, flags: readonly string[]): boolean {
    const need = permsOf(flags);
    for (const s of user.selectors) if (selectorCheckKey(s, key, need)) return true;
    return false;
  }

  /** ACLUserCheckChannelPerm */
  checkChannel(user: AclUser, ch: string, literal: boolean): boolean {
    for (const s of user.selectors) {
      if (s.flags & F_ALLCHANNELS) return true;
      if (channelInList(s.channels, ch, literal)) return true;
    }
    return false;
  }

  /**
   * ACLUserCheckCmdWithUnrestrictedKeyAccess: a selector allows the command
   * and every key with these permissions (SORT's BY and GET patterns).
   */
  unrestrictedKeyAccess(user: AclUser, cmd: AclCheckedCommand, argv: readonly string[], flags: readonly string[]): boolean {
    const need = permsOf(flags);
    const cache: KeysCache = { keys: null };
    for (const s of user.selectors) {
      if (selectorCheckCmd(s, cmd, argv, cache) !== 0) continue;
      if (s.flags & F_ALLKEYS) return true;
      for (const p of s.patterns) if ((p.flags & need) === need && p.pattern === '*') return true;
    }
    return false;
  }

  /** addACLLogEntry: grouped with a similar entry of the last minute among the 10 newest */
  addLogEntry(reason: AclDenial, context: AclLogContext, object: string, username: string, cinfo: string, now = Date.now()): void {
    const n = Math.min(10, this.log.length);
    for (let i = 0; i < n; i++) {
      const e = this.log[i];
      if (e.reason === reason && e.context === context && Math.abs(e.ctime - now) <= LOG_GROUPING_MS && e.object === object && e.username === username) {
        e.cinfo = cinfo;
        e.ctime = now;
        e.count++;
        this.log.splice(i, 1);
        this.log.unshift(e);
        return;
      }
    }
    this.log.unshift({ count: 1, reason, context, object, username, ctime: now, cinfo });
    if (this.log.length > this.logMaxLen) this.log.length = this.logMaxLen;
  }

  /** ACLMergeSelectorArguments: selectors spread over arguments joined; null and the opening index when unmatched */
  static mergeSelectorArgs(args: readonly string[]): { merged: string[] } | { invalid: number } {
    const merged: string[] = [];
    let open = -1;
    let sel = '';
    for (let j = 0; j < args.length; j++) {
      const op = args[j];
      if (op[0] === '(' && op[op.length - 1] !== ')') {
        sel = op;
        open = j;
        continue;
      }
      if (open !== -1) {
        sel += ` ${op}`;
        if (op[op.length - 1] === ')') {
          open = -1;
          merged.push(sel);
        }
        continue;
      }
      merged.push(op);
    }
    if (open !== -1) return { invalid: open };
    return { merged };
  }

  /**
   * ACLAppendUserForLoading: a `user` line of the configuration, validated
   * on a fake user (unknown commands pass: Redis checks them at load).
   * Throws the error text for the config error.
   */
  appendUserForLoading(args: readonly string[]): void {
    if (this.usersToLoad.some((u) => u[0] === args[0])) throw new AclRuleError(E_ALREADY);
    const r = Acl.mergeSelectorArgs(args.slice(1));
    if ('invalid' in r) throw new AclRuleError('Unmatched parenthesis in selector definition');
    const fake = this.newUser('__fakeuser:0__');
    for (const op of r.merged) {
      try {
        fake.set(op);
      } catch (e) {
        if (!(e instanceof AclRuleError) || e.message !== E_NOENT) throw e;
      }
    }
    this.usersToLoad.push([args[0], ...r.merged]);
  }

  /** ACLLoadConfiguredUsers: null, or the log line of the failure */
  loadConfiguredUsers(warn: (line: string) => void, notice: (line: string) => void): boolean {
    for (const [name, ...rules] of this.usersToLoad) {
      if (hasSpaces(name)) {
        warn('Spaces not allowed in ACL usernames');
        return false;
      }
      let u = this.users.get(name);
      if (u === undefined) {
        u = this.newUser(name);
        this.users.set(name, u);
      } else u.set('reset');
      for (const r of rules) {
        try {
          u.set(r);
        } catch (e) {
          if (!(e instanceof AclRuleError)) throw e;
          warn(`Error loading ACL rule '${r}' for the user named '${name}': ${e.message}`);
          return false;
        }
      }
      if (!u.enabled) {
        notice(`The user '${name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`);
      }
    }
    return true;
  }

  /**
   * ACLLoadFromFile: every line validated into a fresh set of users; on any
   * error nothing changes and the errors are returned as one line; null when
   * loaded. The default user object stays (clients point to it): the new
   * rules are copied into it. Users no longer defined are returned in
   * `removed` for their clients to be disconnected.
   */
  loadFromFile(filename: string): { errors: string } | { removed: AclUser[] } {
    let text: string;
    try {
      text = readFileSync(filename, 'latin1');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return { errors: `Error loading ACLs, opening file '${filename}': ${strerror(err)}` };
    }
    const lines = text.split('\n');
    const fresh = new Map<string, AclUser>();
    let errors = '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      const linenum = i + 1;
      if (line === '') continue;
      const argv = line.split(' ');
      if (argv[0] !== 'user' || argv.length < 2) {
        errors += `${this.filename}:${linenum} should start with user keyword followed by the username. `;
        continue;
      }
      if (hasSpaces(argv[1])) {
        errors += `'${this.filename}:${linenum}: username '${argv[1]}' contains invalid characters. `;
        continue;
      }
      if (fresh.has(argv[1])) {
        errors += `WARNING: Duplicate user '${argv[1]}' found on line ${linenum}. `;
        continue;
      }
      const u = this.newUser(argv[1]);
      fresh.set(argv[1], u);
      const r = Acl.mergeSelectorArgs(argv.slice(2));
      if ('invalid' in r) {
        errors += `${this.filename}:${linenum}: Unmatched parenthesis in selector definition.`;
        continue;
      }
      for (const arg of r.merged) {
        const op = arg.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
        try {
          u.set(op);
        } catch (e) {
          if (!(e instanceof AclRuleError)) throw e;
          errors += `${this.filename}:${linenum}: Error in applying operation '${op}': ${e.message}. `;
        }
      }
    }
    if (errors !== '') return { errors: `${errors}WARNING: ACL errors detected, no change to the previously active ACL rules was performed` };
    const newDefault = fresh.get('default') ?? this.createDefaultUser();
    this.defaultUser.copyFrom(newDefault);
    fresh.set('default', this.defaultUser);
    const removed: AclUser[] = [];
    for (const [name, u] of this.users) if (name !== 'default') removed.push(u);
    this.users.clear();
    for (const [name, u] of [...fresh].sort((a, b) => cmpBytes(a[0], b[0]))) this.users.set(name, u);
    return { removed };
  }

  /** ACL LIST's lines ("user <name> <rules>"), by name as Redis's rax orders them */
  listLines(): string[] {
    return this.sortedUsers().map((u) => `user ${u.name} ${u.describe()}`);
  }

  sortedUsers(): AclUser[] {
    return [...this.users.values()].sort((a, b) => cmpBytes(a.name, b.name));
  }

  /** ACLSaveToFile: a temporary file renamed over the ACL file; false (and a log line) on failure */
  saveToFile(filename: string, warn: (line: string) => void): boolean {
    const text = this.listLines()
      .map((l) => `${l}\n`)
      .join('');
    const tmp = `${filename}.tmp-${process.pid}-${Date.now()}`;
    try {
      writeFileSync(tmp, text, 'latin1');
    } catch (e) {
      warn(`Opening temp ACL file for ACL SAVE: ${strerror(e as NodeJS.ErrnoException)}`);
      return false;
    }
    try {
      renameSync(tmp, filename);
    } catch (e) {
      warn(`Renaming ACL file for ACL SAVE: ${strerror(e as NodeJS.ErrnoException)}`);
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
      return false;
    }
    return true;
  }

  /** ACL GENPASS: `bits` of randomness as hex characters */
  static genpass(bits: number): string {
    const chars = Math.floor((bits + 3) / 4);
    return randomBytes(Math.ceil(chars / 2))
      .toString('hex')
      .slice(0, chars);
  }
}

/** byte order of latin1 strings (the rax's order) */
function cmpBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** C's strerror for the errors Node reports by code */
function strerror(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    case 'ENOTDIR':
      return 'Not a directory';
    default:
      return e.message;
  }
}

/** Redis's ACL texts for a denial in the pipeline (processCommand's rejectCommandFormat) */
export function noPermText(denial: AclDenial, fullName: string): string {
  if (denial === ACL_DENIED_CMD) return `NOPERM this user has no permissions to run the '${fullName}' command`;
  if (denial === ACL_DENIED_KEY) return 'NOPERM this user has no permissions to access one of the keys used as arguments';
  return 'NOPERM this user has no permissions to access one of the channels used as arguments';
}

/** execCommand's text when the rules changed since the command was queued */
export function execNoPermText(denial: AclDenial): string {
  const reason =
    denial === ACL_DENIED_CMD
      ? 'no permission to execute the command or subcommand'
      : denial === ACL_DENIED_KEY
        ? 'no permission to touch the specified keys'
        : 'no permission to access one of the channels used as arguments';
  return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${reason}`;
}

/** scriptVerifyACL's texts (a script's redis.call) */
export function scriptNoPermText(denial: AclDenial): string {
  if (denial === ACL_DENIED_CMD) return "The user executing the script can't run this command or subcommand";
  if (denial === ACL_DENIED_KEY) return "The user executing the script can't access at least one of the keys mentioned in the command arguments";
  return "The user executing the script can't publish to the channel mentioned in the command";
}

/** ACL LOG's reason names */
export function reasonName(r: AclDenial): string {
  return r === ACL_DENIED_CMD ? 'command' : r === ACL_DENIED_KEY ? 'key' : r === ACL_DENIED_CHANNEL ? 'channel' : 'auth';
}
