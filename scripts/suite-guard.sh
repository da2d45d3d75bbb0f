#!/usr/bin/env bash
# CI's regression guard on Redis's own suite: the units listed in
# .ci/suite-guard.txt (those where gKV passes every test real Redis passes,
# written by scripts/suite-table.mjs) must still pass every test. Exits 1 on
# any failed test, stalled or crashed unit.
set -u -o pipefail
cd "$(dirname "$0")/.."
suite=${REDIS_SUITE:-../shared/redis-suite/run}
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
