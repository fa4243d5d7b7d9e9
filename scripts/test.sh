#!/usr/bin/env bash
# The whole test suite: installs what it needs (scripts/setup.sh --python),
# builds qad, then runs every Swift test with the astropy/NumPy/pyarrow/
# safetensors cross-checks on. Ends with one line "tests: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python
swift build
export QAD_PYTHON="$PWD/.venv/bin/python"
export QAD_BIN="$PWD/.build/debug/qad"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
swift test 2>&1 | tee "$log" || status=$?
passed=$(grep -Eo 'Test run with [0-9]+ tests? in [0-9]+ suites? passed' "$log" | grep -Eo '[0-9]+' | head -1 || true)
if [ "$status" -eq 0 ] && [ -n "$passed" ] && [ "$passed" -gt 0 ]; then
  echo "tests: $passed passed, 0 failed"
else
  failed=$(grep -Ec '^✘ Test .* failed' "$log" || true)
  echo "tests: ${passed:-0} passed, ${failed:-1} failed"
  exit 1
fi
