/**
 * Versions: the Redis version gKV implements and reports (INFO redis_version,
 * RDB aux, config errors, HELLO), and gKV's own release (package.json's
 * "version": INFO gkv_version, gkv-server --version, the startup log).
 * A test keeps GKV_VERSION equal to package.json's.
 */
export const REDIS_VERSION = '7.0.15';
export const GKV_VERSION = '0.1.0';
