/** The Redis version gKV implements and reports (INFO redis_version, RDB aux, config errors, --version). */
export const REDIS_VERSION = '7.0.15';
