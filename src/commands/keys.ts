/**
 * Key extraction: which arguments of a command are keys, and how the command
 * uses each (Redis's getKeysFromCommandWithSpecs, db.c). COMMAND GETKEYS and
 * GETKEYSANDFLAGS answer from it today; ACL key patterns, cluster slots,
 * client-side tracking and scripts' declared keys will ask it too.
 *
 * A pure function of the command's metadata and argv: no server, no
 * keyspace. The key specs (Redis 7.0's metadata, commands/meta/) say it for
 * most commands: a begin_search (an index, or a keyword searched from a
 * position) and a find_keys (a range, or a count read from argv). Where the
 * specs cannot say everything — flags that depend on the arguments (SET …
 * GET, BITFIELD), keys only an option names (SORT … STORE), MIGRATE's KEYS —
 * Redis calls the command's own getkeys proc, reproduced here by name.
 */
import type { KeySpec } from './spec.js';
import { is } from './args.js';
import { parseInt64 } from '../util/numbers.js';

/** What key extraction reads of a command (a CommandSpec is one). */
export interface KeyedCommand {
  readonly fullName: string;
  readonly arity: number;
  readonly info: { readonly keySpecs: readonly KeySpec[] };
}

/** A key argument: its index in argv (the command name at 0) and its key-spec flags (RO, RW, OW, access, update …). */
export interface KeyRef {
  pos: number;
  flags: readonly string[];
}

const RW_ACCESS_UPDATE = ['RW', 'access', 'update'];
// the procs' flags are shared arrays: consumers may cache what they derive from one (the ACL check does)
const OW_UPDATE = ['OW', 'update'];
const RO_ACCESS = ['RO', 'access'];
const RW_ACCESS_DELETE = ['RW', 'access', 'delete'];

/**
 * Keys found by the key specs (Redis's getKeysUsingKeySpecs), in spec
 * order; null when a spec is of an unknown kind, is incomplete, or does not
 * fit argv (the caller then falls back to the command's own proc).
 */
export function getKeysUsingKeySpecs(cmd: KeyedCommand, argv: readonly string[]): KeyRef[] | null {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const ks of cmd.info.keySpecs) {
    if (ks.flags.includes('not_key')) continue;
    let first = 0;
    const bs = ks.begin_search;
    if (bs.type === 'index') first = bs.spec.index!;
    else if (bs.type === 'keyword') {
      const from = bs.spec.startfrom!;
      const kw = bs.spec.keyword!.toLowerCase();
      const start = from > 0 ? from : argc + from;
      const end = from > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === kw) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    } else return null;
    let last: number;
    let step: number;
    const fk = ks.find_keys;
    if (fk.type === 'range') {
      step = fk.spec.keystep!;
      const lastkey = fk.spec.lastkey!;
      const limit = fk.spec.limit!;
      if (lastkey >= 0) last = first + lastkey;
      else if (!limit) last = argc + lastkey;
      else last = first + (Math.trunc((argc - first) / limit) + lastkey);
    } else if (fk.type === 'keynum') {
      step = fk.spec.keystep!;
      const idx = fk.spec.keynumidx!;
      if (idx >= argc - first) {
        if (cmd.arity < 0) continue;
        return null;
      }
      const nk = parseInt64(argv[first + idx]);
      if (nk === null || nk < 0) return null;
      first += fk.spec.firstkey!;
      last = first + Number(nk) - 1;
    } else return null;
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push({ pos: i, flags: ks.flags });
    if (ks.flags.includes('incomplete')) return null;
  }
  return out;
}

/** Redis's native getkeys procs for the commands whose key specs cannot say everything. */
function getKeysUsingProc(cmd: KeyedCommand, argv: readonly string[]): KeyRef[] {
  const argc = argv.length;
  switch (cmd.fullName) {
    case 'set': {
      for (let i = 3; i < argc; i++) if (is(argv[i], 'get')) return [{ pos: 1, flags: RW_ACCESS_UPDATE }];
      return [{ pos: 1, flags: OW_UPDATE }];
    }
    case 'bitfield': {
      let readonly = true;
      for (let i = 2; i < argc; i++) {
        const rem = argc - i - 1;
        if (is(argv[i], 'get') && rem >= 2) i += 2;
        else if ((is(argv[i], 'set') || is(argv[i], 'incrby')) && rem >= 3) {
          readonly = false;
          break;
        } else if (is(argv[i], 'overflow') && rem >= 1) i += 1;
        else {
          readonly = false;
          break;
        }
      }
      return [{ pos: 1, flags: readonly ? RO_ACCESS : RW_ACCESS_UPDATE }];
    }
    case 'sort': {
      const keys: KeyRef[] = [{ pos: 1, flags: RO_ACCESS }];
      let store: KeyRef | null = null;
      const skip: Record<string, number> = { limit: 2, get: 1, by: 1 };
      for (let i = 2; i < argc; i++) {
        const a = argv[i].toLowerCase();
        if (skip[a] !== undefined) i += skip[a];
        else if (a === 'store' && i + 1 < argc) store = { pos: i + 1, flags: OW_UPDATE };
      }
      if (store !== null) keys.push(store);
      return keys;
    }
    case 'sort_ro':
      return [{ pos: 1, flags: RO_ACCESS }];
    case 'migrate': {
      let first = 3;
      let num = 1;
      if (argc > 6) {
        const skip: Record<string, number> = { copy: 0, replace: 0, auth: 1, auth2: 2 };
        for (let i = 6; i < argc; i++) {
          const a = argv[i].toLowerCase();
          if (a === 'keys') {
            if (argv[3].length > 0) return [];
            first = i + 1;
            num = argc - first;
            break;
          }
          if (skip[a] !== undefined) i += skip[a];
        }
      }
      const out: KeyRef[] = [];
      for (let i = 0; i < num; i++) out.push({ pos: first + i, flags: RW_ACCESS_DELETE });
      return out;
    }
    default:
      // the other native procs agree with the specs when those are valid, and find no keys otherwise
      return [];
  }
}

/**
 * The keys of argv (argv[0] the command's name, argv[1] a subcommand's),
 * Redis's getKeysFromCommandWithSpecs: the key specs unless one of them has
 * variable_flags, the command's own proc when the specs do not apply. [] when
 * argv names no key. Argument count is the caller's to check (arity).
 */
export function getKeysFromCommand(cmd: KeyedCommand, argv: readonly string[]): KeyRef[] {
  const varFlags = cmd.info.keySpecs.some((k) => k.flags.includes('variable_flags'));
  if (!varFlags) {
    const r = getKeysUsingKeySpecs(cmd, argv);
    if (r !== null) return r;
  }
  return getKeysUsingProc(cmd, argv);
}

/** Whether the command has key arguments at all (a key spec that is not not_key): COMMAND GETKEYS refuses it otherwise. */
export function hasKeyArguments(cmd: KeyedCommand): boolean {
  return cmd.info.keySpecs.some((k) => !k.flags.includes('not_key'));
}
