#!/usr/bin/env bash
# The whole test suite: installs what it needs (scripts/setup.sh --python),
# builds qad, then runs every Swift test with the astropy/NumPy cross-checks on.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python
swift build
export QAD_PYTHON="$PWD/.venv/bin/python"
export QAD_BIN="$PWD/.build/debug/qad"
swift test
