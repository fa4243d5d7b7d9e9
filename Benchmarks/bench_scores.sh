#!/usr/bin/env bash
# Score quality: qad's scores against injected anomalies, beside two baselines
# computed independently by tools/baselines.py (NumPy/scikit-learn): PCA-8
# reconstruction chi2 and IsolationForest on PCA-16 coefficients.
#
#   bash Benchmarks/bench_scores.sh [N] [FRACTION]   (default 20000 spectra, 0.01)
#
# Steps: qad simulate N spectra (no built-in anomalies), qad inject FRACTION of
# the quasars with every anomaly class, qad ingest (the QSO catalog defines
# the sample), qad train, qad infer, qad score (timed), tools/baselines.py,
# then qad evaluate with the baselines' scores beside qad's.
#
# Environment overrides:
#   QAD_BIN=path   use this qad binary, skip the release build
#   WORK=dir       scratch folder (default: a new /tmp/qad-scores.XXXXXX, kept)
#   EPOCHS=n       qad train --epochs (default 40)
#   SEED=s         seed of simulate/inject/train/score (default 1)
#   QUASAR_FRAC=f  fraction of the simulated spectra that are quasars (default 0.6,
#                  as qad simulate; 1.0 scores all N spectra)
set -euo pipefail
N=${1:-20000}
FRACTION=${2:-0.01}
EPOCHS=${EPOCHS:-40}
SEED=${SEED:-1}
QUASAR_FRAC=${QUASAR_FRAC:-0.6}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source Benchmarks/common.sh
use_work_folder qad-scores
use_python_tools

[ -d "$WORK/sim" ] || "$QAD" simulate --out "$WORK/sim" --n "$N" --seed "$SEED" --quasar-frac "$QUASAR_FRAC" >&2
[ -d "$WORK/inj" ] || "$QAD" inject --input "$WORK/sim" --out "$WORK/inj" --qso-catalog "$WORK/sim/QSO_cat_sim.fits" \
    --fraction "$FRACTION" --seed "$SEED" >&2
STORE="$WORK/store"
"$QAD" ingest --store "$STORE" --qso-catalog "$WORK/inj/QSO_cat_sim.fits" "$WORK/inj" >&2
"$QAD" train --store "$STORE" --epochs "$EPOCHS" --seed "$SEED" >&2
"$QAD" infer --store "$STORE" >&2
/usr/bin/time -f "qad score: %e s wall, peak RSS %M kB" "$QAD" score --store "$STORE" --seed "$SEED" --force >&2
"$PY" tools/baselines.py "$STORE" "$WORK/baselines.csv" --truth "$WORK/inj/injected.csv" --seed "$SEED"
echo
echo "qad evaluate --store $STORE --truth $WORK/inj/injected.csv --extra-scores $WORK/baselines.csv"
"$QAD" evaluate --store "$STORE" --truth "$WORK/inj/injected.csv" --extra-scores "$WORK/baselines.csv" \
    --json "$WORK/evaluation.json"
