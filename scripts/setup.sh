#!/usr/bin/env bash
# Installs what qad needs on a fresh Debian machine, and only what is missing:
#   Debian packages: C libraries (cfitsio, chealpix, SQLite, OpenBLAS, snappy, zstd, zlib) and pkg-config;
#   with --tests also what the tests start for real: PostgreSQL 15 and headless Chromium.
#   With --python, a venv in .venv with NumPy, astropy, pyarrow, safetensors and scikit-learn, used by the
#   cross-checks and the benchmark peers (never by qad itself).
# Usage: scripts/setup.sh [--tests] [--python]
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0; want_python=0
for arg in "$@"; do
  case "$arg" in
    --tests) want_tests=1 ;;
    --python) want_python=1 ;;
    *) echo "setup: unknown option $arg (use --tests, --python)" >&2; exit 2 ;;
  esac
done

DEBIAN_PACKAGES=(pkg-config libcfitsio-dev libchealpix-dev libsqlite3-dev libopenblas-dev libsnappy-dev libzstd-dev zlib1g-dev)
# chromium and chromium-driver: the review UI tests drive headless Chromium through WebDriver.
# postgresql-15: the PostgreSQL store's tests start a throwaway cluster.
if [ "$want_tests" = 1 ]; then DEBIAN_PACKAGES+=(chromium chromium-driver postgresql-15); fi
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]} (apt-get update first)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present: ${DEBIAN_PACKAGES[*]}"
fi

if [ "$want_python" = 1 ]; then
  if [ ! -x .venv/bin/python ]; then
    echo "setup: creating the Python venv .venv for cross-checks"
    python3 -m venv .venv
  fi
  if ! .venv/bin/python -c "import numpy, astropy, pyarrow, safetensors, sklearn" 2>/dev/null; then
    echo "setup: pip install -r tools/requirements.txt into .venv (numpy, astropy, pyarrow, safetensors, scikit-learn)"
    .venv/bin/pip install -q --disable-pip-version-check -r tools/requirements.txt
  else
    echo "setup: Python venv .venv ready (numpy, astropy, pyarrow, safetensors, scikit-learn)"
  fi
fi
