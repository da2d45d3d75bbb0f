/**
 * Shared replies, as Redis's shared objects (server.c createSharedObjects):
 * the integer replies 0 and 1 that so many commands answer ("not found" /
 * "done", a count of none or one, a boolean in RESP2), the empty bulk string
 * and the empty array, named once and written whole with Client.addRaw. They
 * read the same in RESP2 and RESP3.
 */

/** shared.czero: the integer reply 0 */
export const CZERO = ':0\r\n';
/** shared.cone: the integer reply 1 */
export const CONE = ':1\r\n';
/** shared.emptybulk: the empty bulk string */
export const EMPTY_BULK = '$0\r\n\r\n';
/** shared.emptyarray: the empty array */
export const EMPTY_ARRAY = '*0\r\n';
