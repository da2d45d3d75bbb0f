/**
 * The error catalogue: the error texts gKV sends from more than one place,
 * named, worded exactly as Redis 7.0 words them, so that clients and test
 * suites that match on error text see what they see against Redis.
 *
 * Where an error text lives follows Redis. Redis keeps the errors many
 * commands share as shared objects (shared.syntaxerr, shared.wrongtypeerr …,
 * server.c createSharedObjects) or helpers (addReplyErrorArity), and writes a
 * command's own error inline where the command checks for it
 * (addReplyError(c, "…")). So does gKV:
 * - a text sent from more than one place is named once: here, or, when one
 *   file alone sends it, as a constant or helper in that file;
 * - a text one place sends is written there in full (`Err.raw('ERR …')`,
 *   `c.addError('…')`), so that grepping Redis's source for it finds its twin;
 * - a text named here is not written out anywhere else.
 * test/meta/error-texts.test.ts enforces the rule on the source: no error
 * text (a string literal starting with one of Redis's error codes) appears
 * twice in src/.
 *
 * Argument readers and operations throw `RedisError`; the pipeline's `call()`
 * catches it, writes `-<text>` and counts it under its prefix (the first word) for
 * INFO errorstats. Any other exception is a bug: logged, answered with -ERR.
 */
export class RedisError extends Error {
  /** The full error line without the leading '-', e.g. "ERR syntax error". */
  readonly resp: string;
  constructor(resp: string) {
    super(resp);
    this.resp = resp;
  }
}

/** Thrown (not a reply) when a connection must be closed after replying, e.g. protocol errors. */
export class ProtocolError extends RedisError {}

const E = (text: string) => new RedisError(text);

export const Err = {
  syntax: () => E('ERR syntax error'),
  wrongType: () => E('WRONGTYPE Operation against a key holding the wrong kind of value'),
  notInteger: () => E('ERR value is not an integer or out of range'),
  notFloat: () => E('ERR value is not a valid float'),
  overflow: () => E('ERR increment or decrement would overflow'),
  incrFloatNaN: () => E('ERR increment would produce NaN or Infinity'),
  noSuchKey: () => E('ERR no such key'),
  outOfRange: () => E('ERR index out of range'),
  dbIndexOutOfRange: () => E('ERR DB index is out of range'),
  invalidDbIndex: () => Err.notInteger(),
  sameObject: () => E('ERR source and destination objects are the same'),
  invalidExpire: (cmd: string) => E(`ERR invalid expire time in '${cmd}' command`),
  wrongArity: (cmd: string) => E(`ERR wrong number of arguments for '${cmd}' command`),
  unknownSubcommand: (sub: string, cmd: string) => E(`ERR unknown subcommand '${sub}'. Try ${cmd.toUpperCase()} HELP.`),
  /** addReplySubcommandSyntaxError: the subcommand as typed (128 bytes at most) */
  subcommandSyntax: (sub: string, cmd: string) => E(sanitizeErrorText(`ERR unknown subcommand or wrong number of arguments for '${sub.slice(0, 128)}'. Try ${cmd} HELP.`)),
  unknownCommand: (name: string, args: string[]) => E(unknownCommandText(name, args)),
  stringTooLong: () => E('ERR string exceeds maximum allowed size (proto-max-bulk-len)'),
  bitOffset: () => E('ERR bit offset is not an integer or out of range'),
  offsetOutOfRange: () => E('ERR offset is out of range'),
  noAuth: () => E('NOAUTH Authentication required.'),
  loading: () => E('LOADING Redis is loading the dataset in memory'),
  /** a handler threw something other than a RedisError: a bug, logged; the client gets this */
  internal: (cmd: string) => E(`ERR internal error in '${cmd}' command`),
  multiNested: () => E('ERR MULTI calls can not be nested'),
  mustBePositive: () => E('ERR value is out of range, must be positive'),
  longRange: () => E('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807'),
  intRange: () => E('ERR value is out of range, value must between -2147483648 and 2147483647'),
  numkeysPositive: () => E('ERR numkeys should be greater than 0'),
  numkeysTooMany: () => E("ERR Number of keys can't be greater than number of args"),
  /** EVAL's and FCALL's numkeys */
  numkeysNegative: () => E("ERR Number of keys can't be negative"),
  limitNegative: () => E("ERR LIMIT can't be negative"),
  zaddNxXx: () => E('ERR XX and NX options at the same time are not compatible'),
  zaddGtLtNx: () => E('ERR GT, LT, and/or NX options at the same time are not compatible'),
  zaddIncrPair: () => E('ERR INCR option supports a single increment-element pair'),
  zsetNaN: () => E('ERR resulting score is not a number (NaN)'),
  zsetMinMaxNotFloat: () => E('ERR min or max is not a float'),
  zsetMinMaxNotLex: () => E('ERR min or max not valid string range item'),
  zsetWeightNotFloat: () => E('ERR weight value is not a float'),
  zsetAtLeastOneKey: (cmd: string) => E(`ERR at least 1 input key is needed for '${cmd}' command`),
  zrangeLimitRank: () => E('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX'),
  zrangeWithscoresLex: () => E('ERR syntax error, WITHSCORES not supported in combination with BYLEX'),
  countPositive: () => E('ERR count should be greater than 0'),
  /** GEOSEARCH's and XAUTOCLAIM's COUNT */
  countGreaterThanZero: () => E('ERR COUNT must be > 0'),
  valueOutOfRange: () => E('ERR value is out of range'),
  // blocking commands (getTimeoutFromObjectOrReply)
  timeoutNotFloat: () => E('ERR timeout is not a float or out of range'),
  timeoutNotInteger: () => E('ERR timeout is not an integer or out of range'),
  timeoutNegative: () => E('ERR timeout is negative'),
  // DUMP / RESTORE
  busyKey: () => E('BUSYKEY Target key name already exists.'),
  invalidTtl: () => E('ERR Invalid TTL value, must be >= 0'),
  invalidIdletime: () => E('ERR Invalid IDLETIME value, must be >= 0'),
  invalidFreq: () => E('ERR Invalid FREQ value, must be >= 0 and <= 255'),
  dumpPayload: () => E('ERR DUMP payload version or checksum are wrong'),
  badDataFormat: () => E('ERR Bad data format'),
  // bitmaps
  bitValue: () => E('ERR bit is not an integer or out of range'),
  bitposBit: () => E('ERR The bit argument must be 1 or 0.'),
  bitopNot: () => E('ERR BITOP NOT must be called with a single source key.'),
  bitfieldType: () => E('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.'),
  bitfieldOverflow: () => E('ERR Invalid OVERFLOW type specified'),
  bitfieldRo: () => E('ERR BITFIELD_RO only supports the GET subcommand'),
  /** min-replicas-to-write is not met (Redis's shared.noreplicaserr) */
  noReplicas: () => E('NOREPLICAS Not enough good replicas to write.'),
  /** a write on a read-only replica (Redis's shared.roslaveerr) */
  readonlyReplica: () => E("READONLY You can't write against a read only replica."),
  /** over maxmemory with nothing to evict (Redis's shared.oomerr) */
  oom: () => E("OOM command not allowed when used memory > 'maxmemory'."),
  /** a script past busy-reply-threshold runs (Redis's shared.slowevalerr / slowscripterr) */
  busyScript: (evalMode: boolean) => E(`BUSY Redis is busy running a script. You can only call ${evalMode ? 'SCRIPT KILL' : 'FUNCTION KILL'} or SHUTDOWN NOSAVE.`),
  generic: (msg: string) => E(`ERR ${msg}`),
  // a formatted text (addReplyErrorFormat) may carry a client's argument: kept to one line as Redis keeps it
  raw: (text: string) => E(sanitizeErrorText(text)),
} as const;

/**
 * Redis's unknown-command text: the name and up to the first 128 characters of
 * the arguments in quotes. Redis also replaces newlines with spaces so the reply
 * remains one line.
 */
export function unknownCommandText(name: string, args: string[]): string {
  let argsText = '';
  for (const a of args) {
    if (argsText.length >= 128) break;
    const room = 128 - argsText.length;
    argsText += `'${a.length > room ? a.slice(0, room) : a}' `;
  }
  return sanitizeErrorText(`ERR unknown command '${name.length > 128 ? name.slice(0, 128) : name}', with args beginning with: ${argsText}`);
}

/** Error replies must be one line: Redis turns \r and \n into spaces. */
export function sanitizeErrorText(text: string): string {
  return /[\r\n]/.test(text) ? text.replace(/[\r\n]/g, ' ') : text;
}
