#!/usr/bin/env bash
# Redis 7.0.15's own test suite over TLS: `./runtest --tls`, which
# ../shared/redis-suite/run does not pass. Every server the suite starts then
# listens on tls-port only (port 0) with the suite's certificates, and every
# client — the suite's own, redis-cli, redis-benchmark — connects with TLS.
#
#   scripts/suite-tls.sh [UNIT ...]     default: unit/tls
#
# Environment: SERVER (default bin/gkv-server; SERVER=/usr/bin/redis-server
# gives Redis's own figures), BASEPORT (default 21111; a run uses 900 ports
# from there), TAGS (runtest --tags, default "-slow"), UNIT_TIMEOUT (900 s),
# LOGDIR (default a new dir under $TMPDIR), KEEP=1 keeps the work copy.
#
# Like ../shared/redis-suite/run it works in a copy of the suite (runtest and
# tests/, unmodified but for run's one adaptation: the per-server "function
# flush" tolerated), with src/redis-server starting $SERVER and redis-cli,
# redis-benchmark, redis-check-aof from the PATH. The certificates the suite
# looks for in tests/tls/ are made by scripts/gen-test-certs.sh, as Redis's
# utils/gen-test-certs.sh makes them. Needs tclsh with the tls package
# (apt-get install tcl-tls) and openssl.
#
# Output: "UNIT ok=N err=N exception=yes|no time=S" per unit, then TOTAL;
# LOGDIR/<unit>.log, summary.txt, failures.txt.
set -u -o pipefail
cd "$(dirname "$0")/.."
root=$PWD
suite=${REDIS_SUITE_DIR:-../shared/redis-suite/redis-7.0.15}
die() { echo "suite-tls: $*" >&2; exit 2; }
[[ -d $suite/tests ]] || die "no Redis suite at $suite (set REDIS_SUITE_DIR)"
SERVER=${SERVER:-$root/bin/gkv-server}
[[ $SERVER == /* ]] || SERVER=$root/$SERVER
[[ -x $SERVER ]] || die "no server at $SERVER"
tclsh=$(command -v tclsh8.6 || command -v tclsh8.7 || command -v tclsh) || die "tclsh not found (apt-get install tcl)"
echo 'package require tls' | "$tclsh" >/dev/null 2>&1 || die "tcl's tls package not found (apt-get install tcl-tls)"
for b in redis-cli redis-benchmark redis-check-aof openssl; do command -v $b >/dev/null || die "$b not found"; done
(( $# )) && units=("$@") || units=(unit/tls)
for u in "${units[@]}"; do [[ -f $suite/tests/$u.tcl ]] || die "no such unit: $u"; done

work=$(mktemp -d "${TMPDIR:-/tmp}/redis-suite-tls.XXXXXX")
LOGDIR=${LOGDIR:-$work/logs}
mkdir -p "$LOGDIR" "$work/suite/src"
cp -r "$suite/runtest" "$suite/tests" "$work/suite/"
chmod -R u+w "$work/suite"
mkdir -p "$work/suite/tests/tmp"
sed -i 's/^    r function flush$/    catch {r function flush}/' "$work/suite/tests/support/server.tcl"
# the suite's certificates
bash "$root/scripts/gen-test-certs.sh" "$work/suite/tests/tls" || die "certificates not made"
printf '#!/usr/bin/env bash\nexec %q "$@"\n' "$SERVER" > "$work/suite/src/redis-server"
chmod +x "$work/suite/src/redis-server"
for b in redis-cli redis-benchmark redis-check-aof; do ln -s "$(command -v $b)" "$work/suite/src/$b"; done
: > "$LOGDIR/summary.txt"; : > "$LOGDIR/failures.txt"
echo "suite-tls: $SERVER, ${#units[@]} units over TLS, logs in $LOGDIR" >&2

# gkv-server prints the " PID: <pid>" line the suite waits for, as redis-server does
for unit in "${units[@]}"; do
  log="$LOGDIR/${unit//\//_}.log" t0=$SECONDS reason=
  ( cd "$work/suite" && exec env TERM=dumb timeout -k 10 "${UNIT_TIMEOUT:-900}" ./runtest --tls \
      --single "$unit" --clients 1 --timeout 120 --durable --tags "${TAGS--slow}" \
      --baseport "${BASEPORT:-21111}" --portcount 900
  ) < /dev/null > "$log" 2>&1
  rc=$?
  # servers a stalled or killed unit left behind: those running in this copy
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/cwd" 2>/dev/null) == "$work/suite"* ]] && kill "${p#/proc/}" 2>/dev/null
  done
  ok=$(grep -c '^\[ok\]: ' "$log"); err=$(grep -c '^\[err\]: ' "$log")
  if (( rc == 124 || rc == 137 )); then reason=timeout
  elif grep -q '^\[TIMEOUT\]' "$log"; then reason=stall
  elif grep -q '^\[exception\]: ' "$log"; then reason=exception
  elif ! grep -q 'The End' "$log"; then reason="no-end(rc=$rc)"
  fi
  line="$unit ok=$ok err=$err exception=$([[ -n $reason ]] && echo yes || echo no) time=$((SECONDS - t0))s"
  [[ -n $reason ]] && line+=" reason=$reason"
  echo "$line" | tee -a "$LOGDIR/summary.txt"
  grep -E '^\[(err|exception)\]: |^\[TIMEOUT\]' "$log" | sed "s|^|$unit\t|" >> "$LOGDIR/failures.txt"
done
awk '{for(i=2;i<=NF;i++){split($i,kv,"="); if(kv[1]=="ok")o+=kv[2]; if(kv[1]=="err")e+=kv[2]; if($i=="exception=yes")x++}; n++}
     END{printf "TOTAL ok=%d err=%d units_crashed=%d units=%d\n", o, e, x, n}' "$LOGDIR/summary.txt" | tee -a "$LOGDIR/summary.txt"
[[ ${KEEP:-0} == 1 ]] || rm -rf "$work/suite"
echo "suite-tls: logs in $LOGDIR" >&2
