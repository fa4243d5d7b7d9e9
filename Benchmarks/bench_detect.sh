#!/usr/bin/env bash
# Latent-space scorers: qad's Isolation Forest (fit + score) and exact k-NN
# distances (k-th neighbour of every point, itself excluded) against
# scikit-learn's IsolationForest and NearestNeighbors with the same thread
# count, on N seeded 16-D points resembling VAE latents.
#
#   bash Benchmarks/bench_detect.sh [N]        (N points, default 1600000)
#
# Steps: set up .venv-bench with scikit-learn, build qad (release), write the
# points with Benchmarks/detect_peer.py generate, run `qad bench detect` and
# the scikit-learn peer under /usr/bin/time -v, and print times, peak RSS,
# ratios and how far the two agree (ROC-AUC on the planted outliers, Spearman
# between the two forests' scores, k-th neighbour distances).
#
# scikit-learn's algorithm='auto' picks brute force for more than 15
# dimensions; a full brute-force all-pairs run on 1.6 million points takes
# hours, so the peer queries only the first KNN_QUERIES points (against all N)
# and its query time is scaled by N/KNN_QUERIES (marked "extrapolated"; brute
# force costs the same for every query). Its kd_tree is timed the same way.
#
# Environment overrides:
#   QAD_BIN=path        use this qad binary, skip the release build
#   WORK=dir            scratch folder (default /tmp/qad-detect-bench, kept; the points are reused)
#   THREADS=n           threads for both (default 2)
#   K=n                 neighbours (default 10);  TREES=n  trees (default 200)
#   KNN_QUERIES=n       points the peer queries (default 20000; 0 = all)
#   KNN_ALGORITHMS=a,b  scikit-learn algorithms timed (default auto,kd_tree)
set -euo pipefail

N=${1:-1600000}
THREADS=${THREADS:-2}
K=${K:-10}
TREES=${TREES:-200}
KNN_QUERIES=${KNN_QUERIES:-20000}
KNN_ALGORITHMS=${KNN_ALGORITHMS:-auto,kd_tree}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK=${WORK:-/tmp/qad-detect-bench}
mkdir -p "$WORK"
VENV="$ROOT/.venv-bench"
PY="$VENV/bin/python"

say() { printf '%s\n' "$*" >&2; }

# --- scikit-learn for the peer
if ! [ -x "$PY" ] || ! "$PY" -c 'import sklearn, scipy, numpy' 2>/dev/null; then
    say "setting up .venv-bench with scikit-learn"
    [ -x "$PY" ] || python3 -m venv "$VENV"
    "$PY" -m pip install --quiet "scikit-learn>=1.4" numpy
fi

# GNU time and the qad binary
source "$ROOT/Benchmarks/common.sh"

# --- data
POINTS=$WORK/points-$N.npy
if ! [ -f "$POINTS" ]; then
    say "generating $N points"
    "$PY" Benchmarks/detect_peer.py generate "$POINTS" --n "$N" >&2
fi

peak_rss_mb() { awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

# --- qad
say "qad bench detect ($THREADS threads)"
/usr/bin/time -v -o "$WORK/qad.time" "$QAD" bench detect --points "$POINTS" --k "$K" --trees "$TREES" \
    --threads "$THREADS" --out "$WORK/qad" | tee "$WORK/qad.log" >&2

# --- scikit-learn (OpenBLAS core overrides are not for NumPy)
say "scikit-learn peer ($THREADS threads)"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    /usr/bin/time -v -o "$WORK/peer.time" "$PY" Benchmarks/detect_peer.py run "$POINTS" --k "$K" --trees "$TREES" \
    --threads "$THREADS" --knn-algorithm "$KNN_ALGORITHMS" --knn-queries "$KNN_QUERIES" --out "$WORK/peer" \
    | tee "$WORK/peer.log" >&2

field() { sed -n "s/^$1.*$2 \([0-9.]*\) s.*/\1/p" "$3" | head -1; }
QAD_IF=$(field "iforest:" total "$WORK/qad.log")
QAD_IF_FIT=$(field "iforest:" fit "$WORK/qad.log"); QAD_IF_SCORE=$(field "iforest:" score "$WORK/qad.log")
QAD_KNN=$(field "knn:" total "$WORK/qad.log")
QAD_KNN_BUILD=$(field "knn:" build "$WORK/qad.log"); QAD_KNN_QUERY=$(field "knn:" query "$WORK/qad.log")
PEER_IF=$(field "sklearn iforest:" total "$WORK/peer.log")
PEER_IF_FIT=$(field "sklearn iforest:" fit "$WORK/peer.log"); PEER_IF_SCORE=$(field "sklearn iforest:" score "$WORK/peer.log")

AGREEMENT=$("$PY" - "$POINTS" "$WORK" "$KNN_ALGORITHMS" <<'PYEOF'
import sys
import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score
points, work, algorithms = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
labels = np.load(points[:-4] + ".labels.npy")
q, p = np.load(f"{work}/qad/iforest.npy"), np.load(f"{work}/peer/iforest.npy")
print(f"iforest ROC-AUC on the planted outliers: qad {roc_auc_score(labels, q):.4f}, sklearn {roc_auc_score(labels, p):.4f}; "
      f"Spearman between the two {spearmanr(q, p).statistic:.4f}")
mine = np.load(f"{work}/qad/knn.npy")
for a in algorithms:
    theirs = np.load(f"{work}/peer/knn_{a}.npy")
    m = mine[:len(theirs)]
    rel = np.abs(m - theirs) / np.maximum(theirs, 1e-12)
    zero = theirs < 1e-6
    print(f"knn k-th distances vs sklearn {a}: {len(theirs)} points, max relative difference {rel[~zero].max():.1e}"
          f" ({zero.sum()} duplicates at distance < 1e-6: qad max {m[zero].max() if zero.any() else 0:.1e})")
print(f"knn ROC-AUC on the planted outliers (qad): {roc_auc_score(labels, mine):.4f}")
PYEOF
)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2fx", b / a; else print "-" }'; }
{
echo
echo "Latent scorers: $N points x 16, $THREADS threads, k $K, $TREES trees (ψ 256); load at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-40s %-16s %-12s %s\n' "" "qad" "sklearn" "sklearn/qad"
printf '%-40s %-16s %-12s %s\n' "Isolation Forest fit+score (s)" "$QAD_IF" "$PEER_IF" "$(ratio "$QAD_IF" "$PEER_IF")"
printf '%-40s %-16s %-12s\n' "  fit / score (s)" "$QAD_IF_FIT / $QAD_IF_SCORE" "$PEER_IF_FIT / $PEER_IF_SCORE"
for a in ${KNN_ALGORITHMS//,/ }; do
    PEER_KNN=$(field "sklearn knn $a:" total "$WORK/peer.log")
    METHOD=$(sed -n "s/^sklearn knn $a: method \([a-z_]*\).*/\1/p" "$WORK/peer.log")
    printf '%-40s %-16s %-12s %s\n' "k-NN build+query (s), sklearn $a" "$QAD_KNN" "$PEER_KNN" "$(ratio "$QAD_KNN" "$PEER_KNN")  ($METHOD$(grep -q "^sklearn knn $a:.*extrapolated" "$WORK/peer.log" && echo ", query extrapolated from $KNN_QUERIES points"))"
done
printf '%-40s %-16s\n' "  qad build / query (s)" "$QAD_KNN_BUILD / $QAD_KNN_QUERY"
printf '%-40s %-16s %-12s\n' "peak RSS (MB), whole process" "$(peak_rss_mb "$WORK/qad.time")" "$(peak_rss_mb "$WORK/peer.time")"
echo
echo "$AGREEMENT"
echo "work folder: $WORK"
}
