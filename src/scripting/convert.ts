/**
 * Conversions between Redis replies and Lua values, as Redis 7.0's
 * script_lua.c does them (redisProtocolToLuaType, luaReplyToRedisReply,
 * luaPushErrorBuff).
 *
 * RESP → Lua: redis.call runs the command on the script's own client and
 * converts the reply that client received, parsed from its RESP text as
 * Redis parses it (resp_parser.c). The script client speaks RESP2 unless
 * the script called redis.setresp(3):
 *   integer → number; bulk → string; null bulk / null array → false;
 *   array → table (1..n; an element converted to nil ends it for Lua's #);
 *   status → {ok=…}; error → {err="CODE msg", ignore_error_stats_update=true}
 *   RESP3: map → {map={k=v}}; set → {set={m=true}}; null → nil;
 *   boolean → boolean; double → {double=d}; big number → {big_number="…"};
 *   verbatim → {verbatim_string={string=…, format=…}}; attributes are skipped.
 *
 * Lua → RESP (the script's result, to the caller):
 *   string → bulk; number → integer (C's (long long) cast: truncated, and
 *   LLONG_MIN when out of range or NaN); true → :1 (RESP3 #t after
 *   setresp(3)); false → null (#f after setresp(3)); nil and other types →
 *   null; tables: {err=…} error, {ok=…} status, {double=…}, {big_number=…},
 *   {verbatim_string=…}, {map=…}, {set=…}, else an array of t[1], t[2] …
 *   up to the first nil. Only raw fields are looked at (lua_rawget).
 */
import { LuaTable, type LuaValue, numberToString } from '../lua/value.js';
import type { Client } from '../server/client.js';
import { Err, sanitizeErrorText } from '../protocol/errors.js';
import { strtod } from '../util/strtod.js';

/** A parsed reply and where it ended. */
interface Cursor {
  s: string;
  p: number;
}

function line(cur: Cursor): string {
  const e = cur.s.indexOf('\r\n', cur.p);
  const l = cur.s.slice(cur.p, e);
  cur.p = e + 2;
  return l;
}

/**
 * Redis's luaPushErrorBuff: the error table redis.pcall returns and
 * redis.call raises. "-CODE msg" keeps its code, a text without a leading
 * '-' gets ERR; trailing CR/LF are trimmed.
 */
export function errorTable(text: string, ignoreStats = false): LuaTable {
  let code: string;
  let msg: string;
  if (text.charCodeAt(0) === 45) {
    const sp = text.indexOf(' ');
    if (sp === -1) {
      code = 'ERR';
      msg = text.slice(1);
    } else {
      code = text.slice(1, sp);
      msg = text.slice(sp + 1);
    }
  } else {
    code = 'ERR';
    msg = text;
  }
  const t = new LuaTable();
  t.set('err', code + ' ' + trimCrLf(msg));
  if (ignoreStats) t.set('ignore_error_stats_update', true);
  return t;
}

/** sdstrim(s, "\r\n") */
function trimCrLf(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 13 || s.charCodeAt(a) === 10)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 13 || s.charCodeAt(b - 1) === 10)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Redis's redisProtocolToLuaType: the Lua value of one complete reply. */
export function replyToLua(reply: string): LuaValue {
  // the common replies of one integer or one bulk string, read in place
  const type = reply.charCodeAt(0);
  if (type === 58 || type === 36) {
    const n = leadingNumber(reply);
    if (n !== null) {
      if (type === 58) return n;
      if (n >= 0 && reply.length === smallNumberEnd + n + 2) return reply.slice(smallNumberEnd, smallNumberEnd + n);
    }
  }
  return parseReply({ s: reply, p: 0 }, true);
}

/** Out-parameter of leadingNumber: the index after its line's CRLF. */
let smallNumberEnd = 0;

/** The number after the type byte of s when its line is at most 15 digits (else null): exact as a double. */
function leadingNumber(s: string): number | null {
  let i = 1;
  let neg = false;
  if (s.charCodeAt(1) === 45) {
    neg = true;
    i = 2;
  }
  const start = i;
  let v = 0;
  for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) v = v * 10 + (c - 48);
  if (i === start || i - start > 15 || s.charCodeAt(i) !== 13) return null;
  smallNumberEnd = i + 2;
  return neg ? -v : v;
}

function parseReply(cur: Cursor, keep: boolean): LuaValue {
  const s = cur.s;
  const type = s.charCodeAt(cur.p++);
  switch (type) {
    case 36: {
      // '$' bulk
      const len = Number(line(cur));
      if (len < 0) return false;
      const v = s.slice(cur.p, cur.p + len);
      cur.p += len + 2;
      return v;
    }
    case 58: // ':' integer
      return Number(line(cur));
    case 43: {
      // '+' status
      const t = new LuaTable();
      t.set('ok', line(cur));
      return t;
    }
    case 45: // '-' error: counted when the command failed, not again by the script's reply
      return errorTable('-' + line(cur), true);
    case 42: {
      // '*' array
      const n = Number(line(cur));
      if (n < 0) return false;
      const t = keep ? new LuaTable() : undefined;
      for (let j = 0; j < n; j++) {
        const v = parseReply(cur, keep);
        if (t !== undefined) t.set(j + 1, v);
      }
      return t;
    }
    case 37: {
      // '%' map
      const n = Number(line(cur));
      const m = keep ? new LuaTable() : undefined;
      for (let j = 0; j < n; j++) {
        const k = parseReply(cur, keep);
        const v = parseReply(cur, keep);
        if (m !== undefined && k !== undefined) m.set(k, v);
      }
      if (m === undefined) return undefined;
      const t = new LuaTable();
      t.set('map', m);
      return t;
    }
    case 126: {
      // '~' set
      const n = Number(line(cur));
      const m = keep ? new LuaTable() : undefined;
      for (let j = 0; j < n; j++) {
        const k = parseReply(cur, keep);
        if (m !== undefined && k !== undefined) m.set(k, true);
      }
      if (m === undefined) return undefined;
      const t = new LuaTable();
      t.set('set', m);
      return t;
    }
    case 95: // '_' null
      line(cur);
      return undefined;
    case 35: // '#' boolean
      return line(cur) === 't';
    case 44: {
      // ',' double
      const d = strtod(line(cur)).value;
      const t = new LuaTable();
      t.set('double', d);
      return t;
    }
    case 40: {
      // '(' big number
      const t = new LuaTable();
      t.set('big_number', line(cur));
      return t;
    }
    case 61: {
      // '=' verbatim string: "fmt:text"
      const len = Number(line(cur));
      const body = s.slice(cur.p, cur.p + len);
      cur.p += len + 2;
      const v = new LuaTable();
      v.set('string', body.slice(4));
      v.set('format', body.slice(0, 3));
      const t = new LuaTable();
      t.set('verbatim_string', v);
      return t;
    }
    case 124: {
      // '|' attribute: skipped, then the reply it annotates
      const n = Number(line(cur));
      for (let j = 0; j < 2 * n; j++) parseReply(cur, false);
      return parseReply(cur, keep);
    }
    default:
      throw new Error(`unexpected reply type '${String.fromCharCode(type)}' in a script client's output`);
  }
}

/** The error information of a Lua error value (luaExtractErrorInformation). */
export interface ErrorInfo {
  msg: string | undefined;
  source: string | undefined;
  line: string | undefined;
  ignoreStats: boolean;
}

/** lua_isstring: strings and numbers */
function stringOf(v: LuaValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  return undefined;
}

/** Redis's luaExtractErrorInformation of an error value (a string or an error table). */
export function extractErrorInformation(v: LuaValue): ErrorInfo {
  const info: ErrorInfo = { msg: undefined, source: undefined, line: undefined, ignoreStats: false };
  const str = stringOf(v);
  if (str !== undefined) {
    info.msg = Err.generic(str).resp;
    return info;
  }
  if (v instanceof LuaTable) {
    info.msg = stringOf(v.get('err'));
    info.source = stringOf(v.get('source'));
    info.line = stringOf(v.get('line'));
    const ig = v.get('ignore_error_stats_update');
    if (typeof ig === 'boolean') info.ignoreStats = ig;
  }
  return info;
}

/** (long long) of a double as x86-64 converts it: truncation, LLONG_MIN out of range */
export function luaNumberToInteger(n: number): number | bigint {
  if (n > -9007199254740992 && n < 9007199254740992) return Math.trunc(n) || 0;
  if (!(n >= -9223372036854775808 && n < 9223372036854775808)) return -9223372036854775808n;
  return BigInt(n);
}

/**
 * Writes an error reply from a script (addReplyErrorFormatEx(c, flags,
 * "-%s", msg)): one line; counted in the error stats unless `ignoreStats`
 * (the error came from a command that counted it already), in which case
 * the call is still counted as failed (Redis's realcmd->failed_calls++).
 */
export function addScriptError(c: Client, text: string, ignoreStats: boolean): void {
  let t = sanitizeErrorText(trimCrLf(text));
  if (t.charCodeAt(0) === 45) t = t.slice(1);
  if (ignoreStats) {
    c.addRaw('-' + t + '\r\n');
    c.callFailed = true;
  } else c.addError(t);
}

/**
 * Redis's luaReplyToRedisReply: writes the Lua value `v` to `c` as the
 * script's reply. `scriptResp` is the protocol the script client speaks
 * (redis.setresp), which decides how booleans convert.
 */
export function luaToReply(c: Client, scriptResp: 2 | 3, v: LuaValue, depth = 0): void {
  switch (typeof v) {
    case 'string':
      c.addBulk(v);
      return;
    case 'boolean':
      if (scriptResp === 2) {
        if (v) c.addInt(1);
        else c.addNull();
      } else c.addBool(v);
      return;
    case 'number':
      c.addInt(luaNumberToInteger(v));
      return;
  }
  if (!(v instanceof LuaTable)) {
    c.addNull();
    return;
  }
  if (depth >= LUA_REPLY_MAX_DEPTH) {
    // Redis: lua_checkstack fails on a too deep (or self-referencing) table
    c.addError('ERR reached lua stack limit');
    return;
  }
  const err = v.get('err');
  if (typeof err === 'string') {
    const info = extractErrorInformation(v);
    addScriptError(c, '-' + (info.msg ?? ''), info.ignoreStats);
    return;
  }
  const ok = v.get('ok');
  if (typeof ok === 'string') {
    c.addStatus(ok.replace(/[\r\n]/g, ' '));
    return;
  }
  const dbl = v.get('double');
  if (typeof dbl === 'number') {
    c.addDouble(dbl);
    return;
  }
  const big = v.get('big_number');
  if (typeof big === 'string') {
    const b = big.replace(/[\r\n]/g, ' ');
    if (c.resp === 3) c.addRaw('(' + b + '\r\n');
    else c.addBulk(b);
    return;
  }
  const verb = v.get('verbatim_string');
  if (verb instanceof LuaTable) {
    const format = verb.get('format');
    const str = verb.get('string');
    if (typeof format === 'string' && typeof str === 'string') {
      c.addVerbatim(str, format.slice(0, 3));
      return;
    }
  }
  const map = v.get('map');
  if (map instanceof LuaTable) {
    const mark = c.deferLen();
    let n = 0;
    for (let kv = map.next(undefined); kv !== undefined; kv = map.next(kv[0])) {
      luaToReply(c, scriptResp, kv[0], depth + 1);
      luaToReply(c, scriptResp, kv[1], depth + 1);
      n++;
    }
    c.finishDeferredMap(mark, n);
    return;
  }
  const set = v.get('set');
  if (set instanceof LuaTable) {
    const mark = c.deferLen();
    let n = 0;
    for (let kv = set.next(undefined); kv !== undefined; kv = set.next(kv[0])) {
      luaToReply(c, scriptResp, kv[0], depth + 1);
      n++;
    }
    c.finishDeferredSet(mark, n);
    return;
  }
  const mark = c.deferLen();
  let n = 0;
  for (let j = 1; ; j++) {
    const e = v.getInt(j);
    if (e === undefined) break;
    luaToReply(c, scriptResp, e, depth + 1);
    n++;
  }
  c.finishDeferredArray(mark, n);
}

/** How deep nested tables may go in a reply: Redis's Lua C stack (LUAI_MAXCSTACK 8000) allows about this many levels */
const LUA_REPLY_MAX_DEPTH = 1996;
