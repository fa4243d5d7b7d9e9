#!/usr/bin/env bash
# Detection that transfers: qad on its own simulator and on survey2, an
# independently written generator built from real data, scored with
# survey2's metrics.py beside the PCA-8 chi2 and IF-on-PCA-16 baselines,
# with a leave-one-class-out table over the combination's settings.
#
#   bash Benchmarks/bench_transfer.sh [N]    (default 20000 quasars per survey)
#
# Surveys: survey2 seeds 101 and 102 (N normal quasars, 1 % anomalies, real
# SDSS/DESI spectra mixed in) and qad simulate + inject (N spectra, seed 1,
# 1 % of the quasars injected). Per survey: ingest, train, infer, score
# (timed), export, tools/baselines.py; then qad score again under each
# setting of SETTINGS below, its SCORE column kept for the leave-one-class-out
# table, and finally once more with the defaults. tools/transfer_report.py
# prints the tables (docs/scores.md, "Detection on surveys qad did not make").
# About 8 minutes per survey on 2 cores after the surveys exist (survey2
# takes 2-4 minutes to write one, 5.9 GB each).
#
# Environment overrides:
#   QAD_BIN=path   use this qad binary, skip the release build
#   WORK=dir       scratch folder (default: a new /tmp/qad-transfer.XXXXXX, kept)
#   EPOCHS=n       qad train --epochs (default 60, qad train's own default)
#   SURVEYS="..."  which of s2-101 s2-102 qad-1 to run (default all three)
#   TRAIN_OPTIONS="..."  more qad train options (e.g. --model-error-floor)
set -euo pipefail
N=${1:-20000}
EPOCHS=${EPOCHS:-60}
SURVEYS=${SURVEYS:-"s2-101 s2-102 qad-1"}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source Benchmarks/common.sh
use_work_folder qad-transfer
use_python_tools
SURVEY2="$ROOT/../shared/survey2"
export OPENBLAS_NUM_THREADS=1
export SURVEY2_CACHE=${SURVEY2_CACHE:-$WORK/survey2-cache}

SIX=local_rest,bal_trough,colour,lines,arm_join_step,sky_lines
# name|qad score options (the first is the default: the six, lof and
# obs_shape, f = 0.4)
SETTINGS=(
    "six+lof+obs_shape|"
    "six+lof+obs_shape f=0.2|--tail-fraction 0.2"
    "six+lof|--combine $SIX,lof"
    "six+obs_shape|--combine $SIX,obs_shape"
    "six+lof+obs_shape+recon_chi2|--combine $SIX,lof,obs_shape,recon_chi2"
    "six+lof+obs_shape+lya_forest|--combine $SIX,lof,obs_shape,lya_forest"
)

REPORT=(--metrics "$SURVEY2/metrics.py")
declare -A SETTING_FILES
for S in $SURVEYS; do
    D="$WORK/$S"
    STORE="$D/store"
    case $S in
        s2-*)
            SEED=${S#s2-}
            [ -f "$D/truth.csv" ] || "$PY" "$SURVEY2/mkcorpus.py" --out "$D" --n-normal "$N" --anomaly-frac 0.01 --seed "$SEED" >&2
            INPUT="$D/healpix"; CATALOG="$D/QSO_cat.fits" ;;
        qad-*)
            SEED=${S#qad-}
            [ -d "$D/sim" ] || "$QAD" simulate --out "$D/sim" --n "$N" --seed "$SEED" >&2
            [ -d "$D/inj" ] || "$QAD" inject --input "$D/sim" --out "$D/inj" --qso-catalog "$D/sim/QSO_cat_sim.fits" \
                --fraction 0.01 --seed "$SEED" >&2
            INPUT="$D/inj"; CATALOG="$D/inj/QSO_cat_sim.fits" ;;
        *) say "unknown survey $S"; exit 2 ;;
    esac
    if ! [ -f "$STORE/export.csv" ]; then
        "$QAD" ingest --store "$STORE" --qso-catalog "$CATALOG" "$INPUT" --plain >&2
        # shellcheck disable=SC2086
        "$QAD" train --store "$STORE" --epochs "$EPOCHS" --seed 1 ${TRAIN_OPTIONS:-} >&2
        "$QAD" infer --store "$STORE" >&2
        /usr/bin/time -f "$S: qad score: %e s wall, peak RSS %M kB" "$QAD" score --store "$STORE" --seed 1 --force >&2
        "$QAD" export --store "$STORE" --all --format csv --out "$STORE/export.csv" >&2
    fi
    TRUTH="$D/truth.csv"
    [[ $S == qad-* ]] && { TRUTH="$D/truth-survey2.csv"; "$PY" tools/transfer_report.py qad-truth "$STORE" "$D/sim" "$D/inj" "$TRUTH" >&2; }
    [ -f "$D/baselines.csv" ] || "$PY" tools/baselines.py "$STORE" "$D/baselines.csv" --seed 1 >&2
    rescored=false
    for entry in "${SETTINGS[@]}"; do
        name=${entry%%|*}; options=${entry#*|}
        out="$STORE/export.csv"   # the defaults: scored above
        if [ -n "$options" ]; then
            out="$D/setting-${name//[^a-z0-9.=+]/_}.csv"
            if ! [ -f "$out" ]; then
                # shellcheck disable=SC2086
                "$QAD" score --store "$STORE" --seed 1 --force $options >/dev/null
                "$QAD" export --store "$STORE" --all --format csv --out "$out" >/dev/null
                rescored=true
            fi
        fi
        SETTING_FILES[$name]="${SETTING_FILES[$name]:-} $out"
    done
    # The store keeps the defaults' scores.
    if $rescored; then "$QAD" score --store "$STORE" --seed 1 --force >/dev/null; fi
    REPORT+=(--survey "$S" "$TRUTH" "$STORE/export.csv" "$D/baselines.csv")
done
for entry in "${SETTINGS[@]}"; do
    name=${entry%%|*}
    # shellcheck disable=SC2206
    REPORT+=(--setting "$name" ${SETTING_FILES[$name]})
done
echo
echo "$PY tools/transfer_report.py report ${REPORT[*]}"
"$PY" tools/transfer_report.py report "${REPORT[@]}"
