/**
 * Functions in Redis's RDB format (rdb.c's rdbSaveFunctions and
 * rdbFunctionLoad), for RDB files, the AOF's RDB preamble and FUNCTION
 * DUMP / RESTORE's payload.
 *
 * Redis 7.0 writes each library as RDB_OPCODE_FUNCTION2 (245) followed by
 * its whole code as one RDB string (shebang line included: loading runs it
 * again, exactly as FUNCTION LOAD does). It still reads the format of
 * 7.0's release candidates, RDB_OPCODE_FUNCTION (246): library name, engine
 * name, a description flag and the description, then the code without a
 * shebang, which is given one (`#!<engine> name=<name>\n<code>`).
 *
 * In a file the libraries come right after the aux fields, before the first
 * database. A FUNCTION DUMP payload is the same records followed by the RDB
 * version (2 bytes, little-endian) and a CRC-64 of everything before it, as
 * a key's DUMP payload ends.
 */
import type { ServerContext } from '../../commands/context.js';
import { RdbError, type RdbReader } from './decode.js';
import { RdbWriter, dumpPayloadEnd, type SaveOptions } from './encode.js';
import { FunctionsError, type FunctionsLibCtx } from '../../scripting/functions.js';

export const RDB_OPCODE_FUNCTION2 = 245;
/** 7.0's release candidates' format (RDB_OPCODE_FUNCTION_PRE_GA in later versions) */
export const RDB_OPCODE_FUNCTION = 246;

/** rdbSaveFunctions: one FUNCTION2 record per library. */
export function rdbSaveFunctions(w: RdbWriter, codes: readonly string[], o: SaveOptions): void {
  for (const code of codes) {
    w.saveType(RDB_OPCODE_FUNCTION2);
    w.saveString(code, o);
  }
}

/**
 * rdbFunctionLoad's reading: the library payload after a FUNCTION2 or
 * FUNCTION opcode (already read). Throws RdbError with Redis's texts.
 */
export function rdbLoadFunctionPayload(r: RdbReader, type: number): string {
  if (type === RDB_OPCODE_FUNCTION2) return readOr(r, 'Failed loading library payload');
  const name = readOr(r, 'Failed loading library name');
  const engine = readOr(r, 'Failed loading engine name');
  let hasDesc: number;
  try {
    hasDesc = r.loadLen();
  } catch {
    throw new RdbError('Failed loading library description indicator');
  }
  if (hasDesc !== 0) readOr(r, 'Failed loading library description');
  const blob = readOr(r, 'Failed loading library blob');
  return `#!${engine} name=${name}\n${blob}`;
}

function readOr(r: RdbReader, err: string): string {
  try {
    return r.loadString();
  } catch {
    throw new RdbError(err);
  }
}

/**
 * Creates the libraries read from a file into `ctx` (rdbFunctionLoad's
 * second half; no load time limit, as for any trusted source). `replace`:
 * a library already there is replaced (RDBFLAGS_ALLOW_DUP: DEBUG RELOAD
 * MERGE). Throws RdbError "Failed loading library, <reason>" as Redis logs it.
 */
export function rdbCreateFunctions(s: ServerContext, codes: readonly string[], replace: boolean, ctx?: FunctionsLibCtx): void {
  const f = s.functions;
  if (f === null) {
    if (codes.length > 0) throw new RdbError('Failed loading library, functions are not available');
    return;
  }
  for (const code of codes) {
    try {
      f.create(code, replace, ctx ?? f.lib, 0);
    } catch (e) {
      if (e instanceof FunctionsError) throw new RdbError(`Failed loading library, ${e.message}`);
      throw e;
    }
  }
}

/** FUNCTION DUMP's payload: the records, the RDB version, the CRC-64. */
export function functionDumpPayload(codes: readonly string[], o: SaveOptions): Buffer {
  const w = new RdbWriter(256);
  rdbSaveFunctions(w, codes, o);
  return dumpPayloadEnd(w);
}
