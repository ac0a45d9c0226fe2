#!/usr/bin/env bash
# Keeps the CPU busy while a command runs, then stops by itself.
#
#   src/bench/cpu-load.sh [--workers N] [--max-seconds S] -- COMMAND [ARGS...]
#   src/bench/cpu-load.sh [--workers N] --seconds S          (load alone, for S seconds)
#
# Starts N busy-loop processes (default: the number of cores) at normal priority, runs COMMAND, and
# stops the load when COMMAND ends, when --max-seconds passes (default 3600), or on Ctrl-C, whichever
# comes first. Exits with COMMAND's status. Used to check that the demo and the test suite hold up on
# a loaded machine, as a Lambda host or a shared CI runner is.
set -euo pipefail

workers="$(nproc 2>/dev/null || echo 2)"
max_seconds=3600
seconds=""
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) workers="$2"; shift 2 ;;
    --max-seconds) max_seconds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cpu-load: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$workers" "$max_seconds" ${seconds:+"$seconds"}; do
  if ! [[ "$v" =~ ^[0-9]+$ ]] || [ "$v" -lt 1 ] || [ "$v" -gt 86400 ]; then
    echo "cpu-load: '$v' is not a whole number from 1 to 86400" >&2; exit 2
  fi
done
if [ -z "$seconds" ] && [ $# -eq 0 ]; then
  echo "cpu-load: give a command after -- or --seconds S (see --help)" >&2; exit 2
fi
limit="${seconds:-$max_seconds}"

pids=()
stop_load() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop_load EXIT
trap 'exit 130' INT TERM

for _ in $(seq "$workers"); do
  # Each busy loop ends by itself after the limit, even if this script is killed with SIGKILL.
  timeout "$limit" bash -c 'while :; do :; done' &
  pids+=("$!")
done
echo "cpu-load: $workers busy processes for at most ${limit}s (pids ${pids[*]})" >&2

if [ -n "$seconds" ]; then
  wait "${pids[@]}" 2>/dev/null || true
  exit 0
fi
set +e
"$@"
status=$?
set -e
exit "$status"
