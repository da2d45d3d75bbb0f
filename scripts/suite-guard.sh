#!/usr/bin/env bash
# CI's regression guard on Redis's own suite: the units listed in
# .ci/suite-guard.txt (those where gKV passes every test real Redis passes,
# written by scripts/suite-table.mjs) must still pass every test. Exits 1 on
# any failed test, stalled or crashed unit.
set -u -o pipefail
cd "$(dirname "$0")/.."
suite=${REDIS_SUITE:-../shared/redis-suite/run}
# gkv-server prints the " PID: <pid>" line the suite waits for in its own banner, as
# redis-server does; the wrapper's printer would stay behind as a zombie child of the
# server, which the suite's get_child_pid (pgrep -P) then takes for a save's child
export PID_LINE=${PID_LINE:-0}
[[ -x $suite ]] || { echo "suite-guard: no Redis suite at $suite" >&2; exit 2; }
mapfile -t units < <(grep -v '^#' .ci/suite-guard.txt | grep .)
(( ${#units[@]} )) || { echo "suite-guard: no units listed" >&2; exit 2; }
logs=$(mktemp -d "${TMPDIR:-/tmp}/gkv-suite-guard.XXXXXX")
LOGDIR=$logs "$suite" "${units[@]}"
bad=$(grep -v '^TOTAL' "$logs/summary.txt" | grep -Ev ' err=0 exception=no ' || true)
if [[ -n $bad ]]; then
  echo "suite-guard: units that no longer pass fully:"; echo "$bad"
  echo "failed tests:"; cat "$logs/failures.txt"
  exit 1
fi
echo "suite-guard: ${#units[@]} units pass fully"
