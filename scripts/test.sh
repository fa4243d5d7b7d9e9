#!/usr/bin/env bash
# The whole test suite: installs what it needs (scripts/setup.sh --tests --python),
# builds qad, then runs every Swift test with the astropy/NumPy/pyarrow/
# safetensors cross-checks on. Ends with one line "tests: N passed, M failed,
# K skipped" (a check whose tool is missing outside CI is skipped, never passed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests --python
swift build
export QAD_PYTHON="$PWD/.venv/bin/python"
export QAD_BIN="$PWD/.build/debug/qad"
# The test process runs qad's stages in-process: like the qad executable
# (ProcessSettings), one BLAS thread inside qad's own parallel workers.
export OPENBLAS_NUM_THREADS=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
swift test 2>&1 | tee "$log" || status=$?
total=$(grep -Eo 'Test run with [0-9]+ tests? in [0-9]+ suites? (passed|failed)' "$log" | grep -Eo '[0-9]+' | head -1 || true)
skipped=$(grep -Ec '^➜ Test .* skipped' "$log" || true)
failed=$(grep -Ec '^✘ Test [^ ]+ .*failed after' "$log" || true)
passed=$(( ${total:-0} - ${skipped:-0} - ${failed:-0} ))
if [ "$status" -eq 0 ] && [ "$passed" -gt 0 ]; then
  echo "tests: $passed passed, 0 failed, ${skipped:-0} skipped"
else
  echo "tests: $passed passed, ${failed:-1} failed, ${skipped:-0} skipped"
  exit 1
fi
