#!/usr/bin/env bash
# Load benchmark of `qad review` on loopback: a store of N scored spectra
# (default 1,000,000 synthetic rows), R reviewers (default 20) labelling
# concurrently for S seconds (default 30). Prints server p50/p95/p99 time per
# candidate page, queue page and label POST (from the Server-Timing header),
# and checks in the store that no acknowledged label was lost or duplicated.
# Figures are printed, not asserted against a time budget.
#
# usage: Benchmarks/bench_review.sh [N] [REVIEWERS] [SECONDS]
#   QAD_BIN=path/to/qad   use that binary instead of a release build
#   BENCH_DIR=folder      where the store goes (default: a temporary folder; kept if set)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/common.sh

N=${1:-1000000}
REVIEWERS=${2:-20}
SECONDS_RUN=${3:-30}
DIR=${BENCH_DIR:-$(mktemp -d)}
STORE="$DIR/review-bench-$N"
PORT=$((20000 + RANDOM % 20000))

if [ ! -f "$STORE/qad.sqlite" ]; then
    say "writing a scored store of $N spectra to $STORE"
    say "building qad-review-fixture (release)"
    swift build -c release --product qad-review-fixture >&2
    /usr/bin/time -f "  store: %e s, peak RSS %M kB" "$(swift build -c release --show-bin-path)/qad-review-fixture" --out "$STORE" --n "$N"
fi

# Reviewers new to each run, so that every run starts with no labels of
# its own (a queue page's cost grows with its reviewer's labels).
RUN=$(date +%s)
TOKENS=()
for i in $(seq 1 "$REVIEWERS"); do
    TOKENS+=("$("$QAD" review add-reviewer "load$RUN-$i" --store "$STORE" | sed -n 's/.* token \([0-9a-f]*\)$/\1/p' | head -1)")
done

LOG="$DIR/review-server.log"
"$QAD" review --store "$STORE" --port "$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "qad review is serving" "$LOG" && break; sleep 0.2; done
grep -q "qad review is serving" "$LOG" || { say "the server did not start:"; cat "$LOG" >&2; exit 1; }

say "$REVIEWERS reviewers labelling for $SECONDS_RUN s against http://127.0.0.1:$PORT"
python3 Benchmarks/review_load.py "http://127.0.0.1:$PORT" "$STORE/qad.sqlite" "$SECONDS_RUN" "${TOKENS[@]}"
echo "server peak RSS: $(grep VmHWM /proc/$SERVER/status | awk '{print $2, $3}')"
