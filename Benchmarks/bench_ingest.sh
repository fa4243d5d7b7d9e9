#!/usr/bin/env bash
# Ingest benchmark: `qad ingest` against its Python/NumPy peer on the same simulated survey.
#
#   bash Benchmarks/bench_ingest.sh [N]        (N spectra, default 20000)
#
# Steps: make sure .venv has numpy + astropy, build qad (release), `qad simulate`
# N quasars, time `qad ingest` and Benchmarks/ingest_peer.py under /usr/bin/time -v
# (wall time and peak RSS), check that both ingested the same spectra, print a table.
#
# Environment overrides:
#   QAD_BIN=path        use this qad binary, skip the release build
#   WORK=dir            scratch folder (default: a new /tmp/qad-bench.XXXXXX, kept)
#   BENCH_INPUT=path    ingest this folder instead of simulating (then BENCH_CATALOG
#   BENCH_CATALOG=file    is the QSO catalog to use; both given together)
#   PEER_WORKERS=n      worker processes for the peer (default: all cores, like qad)
#   REPEAT=n            runs of each contender, alternating (default 3); the
#                       table shows the median wall time and the largest peak RSS
set -euo pipefail

N=${1:-20000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK=${WORK:-$(mktemp -d /tmp/qad-bench.XXXXXX)}
mkdir -p "$WORK"
PY="$ROOT/.venv/bin/python"

say() { printf '%s\n' "$*" >&2; }

# --- Python environment for the peer
if ! [ -x "$PY" ] || ! "$PY" -c 'import numpy, astropy' 2>/dev/null; then
    say "setting up .venv with numpy + astropy"
    [ -x "$PY" ] || python3 -m venv "$ROOT/.venv"
    "$PY" -m pip install --quiet numpy astropy
fi

# GNU time and the qad binary
source "$ROOT/Benchmarks/common.sh"

# --- input
if [ -n "${BENCH_INPUT:-}" ]; then
    INPUT=$BENCH_INPUT
    CATALOG=${BENCH_CATALOG:?BENCH_CATALOG must accompany BENCH_INPUT}
else
    say "simulating $N spectra into $WORK/sim"
    rm -rf "$WORK/sim"
    "$QAD" simulate --out "$WORK/sim" --n "$N" --seed 1 >&2
    INPUT=$WORK/sim/healpix
    CATALOG=$WORK/sim/QSO_cat_sim.fits
fi
# same (warm) page cache for both contenders, and the simulation's dirty
# pages written out first: their writeback would otherwise run (on the same
# two cores) during whichever contender comes first
find "$INPUT" -name 'coadd-*' -type f -exec cat {} + >/dev/null
sync
REPEAT=${REPEAT:-3}

# /usr/bin/time -v fields
wall_s() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$1"; }
rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
QAD_RUNS="" PEER_RUNS="" QAD_RSS=0 PEER_RSS=0
for run in $(seq "$REPEAT"); do
    # --- qad
    say "qad ingest (run $run of $REPEAT)"
    rm -rf "$WORK/store"
    sync  # the previous run's output written out first, off the clock
    /usr/bin/time -v -o "$WORK/qad.time" \
        "$QAD" ingest --store "$WORK/store" --qso-catalog "$CATALOG" --plain "$INPUT" >"$WORK/qad.log" 2>&1 \
        || { cat "$WORK/qad.log" >&2; exit 1; }
    QAD_RUNS="$QAD_RUNS $(wall_s "$WORK/qad.time")"
    QAD_RSS=$(( $(rss_mb "$WORK/qad.time") > QAD_RSS ? $(rss_mb "$WORK/qad.time") : QAD_RSS ))

    # --- peer (its BLAS/OpenMP environment cleaned, for the peer only)
    say "python peer (run $run of $REPEAT)"
    rm -rf "$WORK/peer"
    sync
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
        /usr/bin/time -v -o "$WORK/peer.time" \
        "$PY" "$ROOT/Benchmarks/ingest_peer.py" --out "$WORK/peer" --reference-store "$WORK/store" \
            --qso-catalog "$CATALOG" ${PEER_WORKERS:+--workers "$PEER_WORKERS"} "$INPUT" >"$WORK/peer.log" 2>&1 \
        || { cat "$WORK/peer.log" >&2; exit 1; }
    PEER_LINE=$(grep '^peer:' "$WORK/peer.log" | tail -1)
    PEER_RUNS="$PEER_RUNS $(wall_s "$WORK/peer.time")"
    # the peer's own figure sums the parent's and every worker's peak; time -v sees only the largest process
    rss=$(sed -n 's/.*peak RSS \([0-9.]*\) MB.*/\1/p' <<<"$PEER_LINE")
    PEER_RSS=$(awk -v a="$rss" -v b="$PEER_RSS" 'BEGIN {print (a > b) ? a : b}')
done
QAD_N=$("$PY" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from spectrum").fetchone()[0])' \
    "$WORK/store/qad.sqlite")
QAD_S=$(tr ' ' '\n' <<<"$QAD_RUNS" | grep . | median)
PEER_S=$(tr ' ' '\n' <<<"$PEER_RUNS" | grep . | median)

# --- same spectra?
read -r PEER_N SAME < <("$PY" - "$WORK/store/qad.sqlite" "$WORK/peer/catalog.npy" <<'EOF'
import sqlite3, sys
import numpy as np
q = {r[0] for r in sqlite3.connect(sys.argv[1]).execute("select targetid from spectrum")}
p = np.load(sys.argv[2])["TARGETID"].tolist()
print(len(p), "yes" if q == set(p) and len(p) == len(set(p)) else "no")
EOF
)

awk -v qn="$QAD_N" -v qs="$QAD_S" -v qr="$QAD_RSS" -v pn="$PEER_N" -v ps="$PEER_S" -v pr="$PEER_RSS" 'BEGIN {
    printf "%-6s %9s %9s %11s %13s\n", "", "spectra", "seconds", "spectra/s", "peak RSS MB"
    printf "%-6s %9d %9.2f %11.1f %13.0f\n", "qad", qn, qs, qn / qs, qr
    printf "%-6s %9d %9.2f %11.1f %13.0f\n", "peer", pn, ps, pn / ps, pr
    printf "throughput ratio qad/peer: %.1fx\n", (qn / qs) / (pn / ps)
}'
echo "($(nproc) cores; peer workers: ${PEER_WORKERS:-$(nproc)}; seconds = median wall time of the whole command over $REPEAT runs (qad:$QAD_RUNS; peer:$PEER_RUNS); peer RSS = parent + workers)"
say "peer says: $PEER_LINE"
say "work folder: $WORK"
if [ "$QAD_N" != "$PEER_N" ] || [ "$SAME" != yes ]; then
    say "MISMATCH: qad stored $QAD_N spectra, the peer $PEER_N (same TARGETIDs: $SAME)"
    exit 1
fi
echo "qad and peer agree: $QAD_N spectra, same TARGETIDs"
