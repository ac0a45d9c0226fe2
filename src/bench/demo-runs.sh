#!/usr/bin/env bash
# Runs `bin/wci demo` several times in a row, optionally with the CPU kept busy beside it, and prints one
# row per run: exit code, wall time, workflows done, and how closely WCI's ledger followed the workers (the
# summary's "largest gap" and "worker exit -> WCI ledger" lines).
#
#   src/bench/demo-runs.sh [--runs N] [--load] [--out DIR] [-- DEMO-OPTIONS...]
#
# --load runs each demo under src/bench/cpu-load.sh (one busy process per core). Build first
# (./mvnw -B -DskipTests package). Each run's full output is kept in DIR (default: a new temp dir).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=10
load=0
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --load) load=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo-runs: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 100 ]; then
  echo "demo-runs: --runs takes a whole number from 1 to 100, not '$runs'" >&2; exit 2
fi
out="${out:-$(mktemp -d /tmp/wci-demo-runs-XXXXXX)}"
mkdir -p "$out"
echo "demo-runs: $runs run(s), load=$([ $load = 1 ] && echo on || echo off), output in $out"
printf '%-4s %-5s %-7s %-44s %s\n' run exit wall "workflows" "ledger vs runtime"
passed=0
for i in $(seq "$runs"); do
  log="$out/run-$i.log"
  start=$(date +%s)
  set +e
  if [ $load = 1 ]; then
    # The load ends with the demo, or after 20 minutes at most.
    "$ROOT/src/bench/cpu-load.sh" --max-seconds 1200 -- "$ROOT/bin/wci" demo "$@" >"$log" 2>&1 </dev/null
  else
    "$ROOT/bin/wci" demo "$@" >"$log" 2>&1 </dev/null
  fi
  rc=$?
  set -e
  wall=$(( $(date +%s) - start ))
  summary=$(grep -m1 '^Summary after' "$log" | sed 's/^Summary after [^:]*: //' || true)
  gap=$(grep -m1 'largest gap' "$log" | sed 's/^WCI live vs runtime running: //' || true)
  follow=$(grep -m1 'worker exit -> WCI ledger' "$log" | sed 's/^worker exit -> WCI ledger: //' || true)
  [ "$rc" = 0 ] && passed=$((passed + 1))
  printf '%-4s %-5s %-7s %-44s %s | %s\n' "$i" "$rc" "${wall}s" "${summary:0:44}" "${gap:--}" "${follow:--}"
done
echo "demo-runs: $passed of $runs exited 0"
[ "$passed" = "$runs" ]
