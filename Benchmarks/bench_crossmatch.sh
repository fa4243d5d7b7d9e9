#!/usr/bin/env bash
# Cross-match benchmark: `qad bench crossmatch` beside astropy's
# search_around_sky on the same files — 1.6 million targets against 10
# million sources at 2″ by default. Prints wall time, pair count and peak RSS
# (GNU time) for each; the pair counts must agree.
#
#   bash Benchmarks/bench_crossmatch.sh [N_TARGETS] [N_SOURCES] [RADIUS]
#
# The data (Benchmarks/crossmatch_peer.py make): uniform on the sphere, a
# tenth of the sources within 1.5″ of a target, Parquet written by pyarrow.
# qad runs with 1 thread and with all cores; astropy is single-threaded.
#
# Environment overrides:
#   QAD_BIN=path      use this qad binary, skip the release build
#   WORK=dir          data folder (default /tmp/qad-xmatch-bench, reused)
set -euo pipefail
NT=${1:-1600000}
NS=${2:-10000000}
RADIUS=${3:-2}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PY="${QAD_PYTHON:-$ROOT/.venv/bin/python}"
WORK=${WORK:-/tmp/qad-xmatch-bench}
mkdir -p "$WORK"

source "$ROOT/Benchmarks/common.sh"

if ! [ -f "$WORK/.complete-$NT-$NS" ]; then
    say "writing $NT targets and $NS sources to $WORK"
    "$PY" Benchmarks/crossmatch_peer.py make "$WORK" "$NT" "$NS" 1
    touch "$WORK/.complete-$NT-$NS"
fi
cat "$WORK"/*.parquet > /dev/null   # into the page cache for both

peak_rss_mb() { awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
# CPU seconds (user + system): what the work costs when other jobs share the machine.
cpu_s() { awk -F: '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$1"; }

run() {  # label, command…
    local label=$1; shift
    /usr/bin/time -v -o "$WORK/$label.time" "$@" > "$WORK/$label.out"
    printf '%s  [CPU %s s, peak RSS %s MB]\n' "$(cat "$WORK/$label.out")" "$(cpu_s "$WORK/$label.time")" \
        "$(peak_rss_mb "$WORK/$label.time")"
}

echo "== $NT targets x $NS sources at ${RADIUS}″ ($(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg))"
run qad-1 "$QAD" bench crossmatch --targets "$WORK/targets.parquet" --catalog "$WORK/catalog.parquet" --radius "$RADIUS" --threads 1
run qad-n "$QAD" bench crossmatch --targets "$WORK/targets.parquet" --catalog "$WORK/catalog.parquet" --radius "$RADIUS"
run astropy env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" Benchmarks/crossmatch_peer.py match "$WORK" "$RADIUS"

pairs() { grep -o '[0-9]* pairs' "$WORK/$1.out" | cut -d' ' -f1; }
if [ "$(pairs qad-1)" != "$(pairs astropy)" ] || [ "$(pairs qad-n)" != "$(pairs astropy)" ]; then
    say "pair counts differ: qad $(pairs qad-1)/$(pairs qad-n), astropy $(pairs astropy)"; exit 1
fi
