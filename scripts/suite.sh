#!/usr/bin/env bash
# Redis 7.0.15's own test suite against gKV (../shared/redis-suite/run, which
# starts bin/gkv-server as the suite starts redis-server).
#
#   scripts/suite.sh [UNIT ...]          gKV only; logs in suite-logs/gkv/
#   scripts/suite.sh --table [UNIT ...]  gKV, then real Redis (redis-server on
#                                        the PATH) on the same machine, then the
#                                        README's table and .ci/suite-guard.txt
#                                        are regenerated from the two summaries
#   scripts/suite.sh --table-only        regenerate them from suite-logs/ as is
#
# Every unit by default (about 20 minutes each for gKV and Redis here).
set -u -o pipefail
cd "$(dirname "$0")/.."
suite=${REDIS_SUITE:-../shared/redis-suite/run}
# gkv-server prints the " PID: <pid>" line the suite waits for in its own banner, as
# redis-server does; the wrapper's printer would stay behind as a zombie child of the
# server, which the suite's get_child_pid (pgrep -P) then takes for a save's child
export PID_LINE=${PID_LINE:-0}
[[ -x $suite ]] || { echo "suite.sh: no Redis suite at $suite (set REDIS_SUITE)" >&2; exit 2; }
table=0; only=0
case ${1:-} in
  --table) table=1; shift ;;
  --table-only) only=1; shift ;;
esac
if (( !only )); then
  rm -rf suite-logs/gkv && mkdir -p suite-logs/gkv
  LOGDIR=$PWD/suite-logs/gkv "$suite" "$@"
  if (( table )); then
    rm -rf suite-logs/redis && mkdir -p suite-logs/redis
    SERVER=$(command -v redis-server) BASEPORT=24111 LOGDIR=$PWD/suite-logs/redis "$suite" "$@"
  fi
fi
if (( table || only )); then
  node scripts/suite-table.mjs suite-logs/gkv/summary.txt suite-logs/redis/summary.txt
fi
