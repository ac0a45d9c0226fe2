#!/usr/bin/env bash
# Head-to-head comparison of worker controllers on the same Temporal dev server build (docs/compare.md): for each
# run and each controller, alone, a fresh dev server + local Lambda runtime, the same workload, one CSV row; then
# the table of means and ratios against Temporal's embedded controller.
#
#   src/bench/compare.sh [--runs N] [--controllers LIST] [--out DIR] [-- WORKLOAD-OPTIONS...]
#
# --runs N          runs per controller (default 3), interleaved: run 1 of each controller, then run 2, ...
# --controllers L   comma-separated, from embedded, wci-stats, wci-metrics, wci-push (default: all four)
# --out DIR         where the CSV, the table and each run's output go (default: a new temp dir)
# Workload options (defaults in brackets): --burst N [200] --rate R [2] --trickle-seconds S [60]
#   --idle-seconds S [60] --burst2 N [200] --activity-ms MS [1000] --lambda-concurrency N [10]
#   --idle-exit-seconds S [10] --versions N [1] --switch-at-seconds S [off: every deployment gets a build b2,
#   made Current S seconds into the trickle] --wci-worker-throughput R [WCI's default, 5: WCI's
#   defaultWorkerThroughput, as docs/configuration.md advises for a known function: slots / task time]
# Build first (./mvnw -B -DskipTests package). The code is copied at the start, so rebuilding meanwhile is safe;
# so is editing this script (bash reads it whole before it runs: the braces below, and the exit inside them).
set -euo pipefail
{
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=3
controllers="embedded,wci-stats,wci-metrics,wci-push"
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="${2:?--runs needs a value}"; shift 2 ;;
    --controllers) controllers="${2:?--controllers needs a value}"; shift 2 ;;
    --out) out="${2:?--out needs a value}"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 20 ]; then
  echo "compare: --runs takes a whole number from 1 to 20, not '$runs'" >&2; exit 2
fi
IFS=',' read -r -a list <<< "$controllers"
for c in "${list[@]}"; do
  case "$c" in embedded|wci-stats|wci-metrics|wci-push) ;; *)
    echo "compare: --controllers takes embedded, wci-stats, wci-metrics and/or wci-push, not '$c'" >&2; exit 2 ;;
  esac
done
JAR="$ROOT/wci-dev/target/wci-dev.jar"
if [ ! -f "$JAR" ]; then
  echo "compare: $JAR not found; build first: ./mvnw -B -DskipTests package" >&2; exit 2
fi
out="${out:-$(mktemp -d /tmp/wci-compare-XXXXXX)}"
mkdir -p "$out/code"
cp "$JAR" "$out/code/" && cp -r "$ROOT/wci-dev/target/lib" "$out/code/"
CP="$out/code/wci-dev.jar:$out/code/lib/*"
csv="$out/compare.csv"
# The CLI is found from the repository (WCI_TEMPORAL_CLI, .venv/bin/temporal, PATH), as the demo does.
export WCI_TEMPORAL_CLI="${WCI_TEMPORAL_CLI:-$( [ -x "$ROOT/.venv/bin/temporal" ] && echo "$ROOT/.venv/bin/temporal" || true)}"
[ -n "$WCI_TEMPORAL_CLI" ] || unset WCI_TEMPORAL_CLI
echo "compare: $runs run(s) of ${list[*]}, output in $out"
failed=0
for i in $(seq "$runs"); do
  for c in "${list[@]}"; do
    log="$out/run-$i-$c.log"
    start=$(date +%s)
    set +e
    java ${WCI_JAVA_OPTS:-} -cp "$CP" dev.wci.dev.demo.Compare run --controller "$c" --run "$i" --csv "$csv" "$@" \
      >"$log" 2>&1 </dev/null
    rc=$?
    set -e
    echo "run $i $c: exit $rc in $(( $(date +%s) - start )) s: $(tail -n 1 "$log")"
    [ "$rc" = 0 ] || failed=$((failed + 1))
  done
done
echo
{
  echo "workload: $(grep -m1 '^compare: ' "$out"/run-1-*.log | head -1 | sed 's/^[^:]*:compare: [^:]*: //')"
  echo "command: src/bench/compare.sh --runs $runs --controllers $controllers${*:+ -- $*}"
  echo
  java -cp "$CP" dev.wci.dev.demo.Compare report "$csv"
} | tee "$out/table.md"
echo
echo "compare: CSV in $csv, table in $out/table.md; $failed run(s) exited non-zero"
[ "$failed" = 0 ]
exit
}
