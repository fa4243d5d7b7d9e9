#!/usr/bin/env bash
# VAE benchmark: `qad train` / `qad infer` against the same network in PyTorch
# (CPU) on the same simulated survey, plus the model's quality there.
#
#   bash Benchmarks/bench_vae.sh [N]        (N spectra simulated, default 20000)
#
# Steps: set up .venv-bench with torch==2.13.0+cpu, build qad (release),
# `qad simulate` N spectra (2 % injected anomalies) and ingest the quasars,
# `qad train` (full schedule: the per-epoch spectra/s and the final quality
# are both reported), `qad infer` under /usr/bin/time -v (throughput, peak RSS),
# `qad infer` again on a copy of the store with the cache replicated 4x (peak
# RSS must not grow with the number of spectra), then Benchmarks/vae_peer.py
# with the same architecture, batch size and thread count. Prints a table.
#
# Environment overrides:
#   QAD_BIN=path      use this qad binary, skip the release build
#   WORK=dir          scratch folder (default: a new /tmp/qad-vae-bench.XXXXXX, kept)
#   THREADS=n         threads for both (default 2)
#   PEER_EPOCHS=n     PyTorch training epochs timed (default 3)
#   EPOCHS=n          qad train --epochs (default: qad's default)
set -euo pipefail

N=${1:-20000}
THREADS=${THREADS:-2}
PEER_EPOCHS=${PEER_EPOCHS:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK=${WORK:-$(mktemp -d /tmp/qad-vae-bench.XXXXXX)}
mkdir -p "$WORK"
VENV="$ROOT/.venv-bench"
PY="$VENV/bin/python"

say() { printf '%s\n' "$*" >&2; }

# --- PyTorch (CPU) for the peer
if ! [ -x "$PY" ] || ! "$PY" -c 'import torch, numpy' 2>/dev/null; then
    say "setting up .venv-bench with torch 2.13.0+cpu"
    [ -x "$PY" ] || python3 -m venv "$VENV"
    "$PY" -m pip install --quiet "torch==2.13.0+cpu" numpy
fi

# GNU time and the qad binary
source "$ROOT/Benchmarks/common.sh"

# --- data
STORE=$WORK/store
if ! [ -f "$STORE/qad.sqlite" ]; then
    say "simulating $N spectra into $WORK/sim and ingesting the quasars"
    rm -rf "$WORK/sim" "$STORE"
    "$QAD" simulate --out "$WORK/sim" --n "$N" --anomaly-frac 0.02 --seed 1 >&2
    "$QAD" ingest --store "$STORE" --qso-catalog "$WORK/sim/QSO_cat_sim.fits" --plain "$WORK/sim/healpix" >&2
fi

peak_rss_mb() { awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
wall_s() { awk '/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s }' "$1"; }

# --- qad train
say "qad train ($THREADS threads)"
EPOCH_ARGS=(); [ -n "${EPOCHS:-}" ] && EPOCH_ARGS=(--epochs "$EPOCHS")
/usr/bin/time -v -o "$WORK/train.time" "$QAD" train --store "$STORE" --threads "$THREADS" --seed 1 --force \
    "${EPOCH_ARGS[@]}" | tee "$WORK/train.log" >&2
TRAIN_RATE=$(awk '/^epoch / { for (i = 1; i <= NF; i++) if ($i == "spectra/s") print $(i - 1) }' "$WORK/train.log" \
    | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')
EPOCHS_RUN=$(grep -c '^epoch ' "$WORK/train.log")
BATCH=$("$PY" -c "import json; print(json.load(open('$STORE/models/vae/model.json'))['training']['batchSize'])")
ARCH=$("$PY" -c "import json; a = json.load(open('$STORE/models/vae/model.json'))['architecture']; print('hidden', a['hidden'], 'latent', a['latent'], a['activation'])")

# --- qad infer, and on a 4x replica of the store
say "qad infer ($THREADS threads)"
/usr/bin/time -v -o "$WORK/infer.time" "$QAD" infer --store "$STORE" --threads "$THREADS" --force | tee "$WORK/infer.log" >&2
INFER_RATE=$(sed -n 's/.*: \([0-9]*\) spectra\/s.*/\1/p' "$WORK/infer.log" | tail -1)
INFER_RSS=$(peak_rss_mb "$WORK/infer.time")

say "replicating the cache 4x for the memory check"
"$PY" - "$STORE" "$WORK/store4" <<'PYEOF'
import numpy as np, os, shutil, sqlite3, sys
src, dst = sys.argv[1], sys.argv[2]
shutil.rmtree(dst, ignore_errors=True)
os.makedirs(dst + "/cache"); os.makedirs(dst + "/models/vae")
for f in os.listdir(src + "/cache"):
    if not f.startswith("main."):
        shutil.copy(f"{src}/cache/{f}", f"{dst}/cache/{f}")
for f in ("model.json", "model.safetensors"):
    shutil.copy(f"{src}/models/vae/{f}", f"{dst}/models/vae/{f}")
db = sqlite3.connect(src + "/qad.sqlite")
rows = db.execute("SELECT rows FROM cache_shard WHERE name = 'main'").fetchone()[0]
for kind in ("flux", "weight"):
    m = np.load(f"{src}/cache/main.{kind}.npy", mmap_mode="r")[:rows]
    out = np.lib.format.open_memmap(f"{dst}/cache/main.{kind}.npy", mode="w+", dtype="<f4", shape=(4 * rows, m.shape[1]))
    for k in range(4):
        out[k * rows:(k + 1) * rows] = m
    out.flush()
db.execute(f"VACUUM INTO '{dst}/qad.sqlite'")
d = sqlite3.connect(dst + "/qad.sqlite")
cols = [c[1] for c in d.execute("PRAGMA table_info(spectrum)")]
sel = ", ".join("targetid + ?" if c == "targetid" else "cache_row + ?" if c == "cache_row" else c for c in cols)
for k in range(1, 4):
    d.execute(f"INSERT INTO spectrum ({', '.join(cols)}) SELECT {sel} FROM spectrum WHERE cache_row < ?",
              (k * 10**15, k * rows, rows))
d.execute("UPDATE cache_shard SET rows = ? WHERE name = 'main'", (4 * rows,))
d.execute("DELETE FROM model_output"); d.execute("DELETE FROM model_inference")
d.commit()
PYEOF
/usr/bin/time -v -o "$WORK/infer4.time" "$QAD" infer --store "$WORK/store4" --threads "$THREADS" | tee "$WORK/infer4.log" >&2
INFER4_RATE=$(sed -n 's/.*: \([0-9]*\) spectra\/s.*/\1/p' "$WORK/infer4.log" | tail -1)
INFER4_RSS=$(peak_rss_mb "$WORK/infer4.time")
# The same work as the peer (the decoder over the whole grid for every spectrum).
"$QAD" infer --store "$WORK/store4" --threads "$THREADS" --force --full-reconstructions | tee "$WORK/infer4full.log" >&2
INFER4_FULL=$(sed -n 's/.*: \([0-9]*\) spectra\/s.*/\1/p' "$WORK/infer4full.log" | tail -1)
SPECTRA=$(sed -n 's/^inferred \([0-9]*\) spectra.*/\1/p' "$WORK/infer.log")
SPECTRA4=$(sed -n 's/^inferred \([0-9]*\) spectra.*/\1/p' "$WORK/infer4.log")

# --- quality on the simulated truth
QUALITY=$("$PY" - "$STORE" "$WORK/sim/truth.csv" <<'PYEOF'
import csv, sqlite3, sys
import numpy as np
store, truth = sys.argv[1], sys.argv[2]
kind = {int(r["TARGETID"]): r["ANOMALY"] for r in csv.DictReader(open(truth))}
out = sqlite3.connect(store + "/qad.sqlite").execute("SELECT targetid, recon_chi2 FROM model_output WHERE model = 'vae'").fetchall()
normal = np.array([c for t, c in out if kind.get(t, "") == ""])
anom = {}
for t, c in out:
    if kind.get(t, ""):
        anom.setdefault(kind[t], []).append(c)
p90 = np.percentile(normal, 90)
allan = np.concatenate([np.array(v) for v in anom.values()]) if anom else np.array([np.nan])
print(f"normal quasars      {len(normal):6d}  median chi2/dof {np.median(normal):.3f}  90th pct {p90:.3f}")
print(f"anomalies (all)     {len(allan):6d}  median chi2/dof {np.median(allan):.3f}  above normal 90th pct {100 * np.mean(allan > p90):.0f} %")
for k, v in sorted(anom.items()):
    v = np.array(v)
    print(f"  {k:22s}{len(v):6d}  median chi2/dof {np.median(v):.3f}  above normal 90th pct {100 * np.mean(v > p90):.0f} %")
PYEOF
)

# --- PyTorch peer (OMP threads that spin would steal qad's cores: passive; and
# OpenBLAS core overrides are not for it)
say "PyTorch peer ($THREADS threads, $PEER_EPOCHS epochs)"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
    /usr/bin/time -v -o "$WORK/peer.time" "$PY" "$ROOT/Benchmarks/vae_peer.py" --store "$STORE" \
    --threads "$THREADS" --epochs "$PEER_EPOCHS" --batch-size "$BATCH" | tee "$WORK/peer.log" >&2
PEER_TRAIN=$(sed -n 's/^peer train: \([0-9]*\) spectra\/s.*/\1/p' "$WORK/peer.log")
PEER_INFER=$(sed -n 's/^peer infer: \([0-9]*\) spectra\/s.*/\1/p' "$WORK/peer.log")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
cat <<EOF2

VAE benchmark: $N simulated spectra, $SPECTRA quasars; $ARCH, batch $BATCH, $THREADS threads
OpenBLAS core: ${OPENBLAS_CORETYPE:-auto}; machine load at start: $(cut -d' ' -f1-3 /proc/loadavg)

                         qad            PyTorch        qad/PyTorch
training  spectra/s      $(printf '%-14s' "$TRAIN_RATE") $(printf '%-14s' "$PEER_TRAIN") $(ratio "$TRAIN_RATE" "$PEER_TRAIN")   (median over $EPOCHS_RUN qad epochs, $PEER_EPOCHS PyTorch epochs)
inference spectra/s      $(printf '%-14s' "$INFER_RATE") $(printf '%-14s' "$PEER_INFER") $(ratio "$INFER_RATE" "$PEER_INFER")   (latents, reconstructions over covered bins, chi2/dof, MSE, KL written)
inference, 4x replica    $INFER4_RATE spectra/s; $INFER4_FULL spectra/s with --full-reconstructions ($SPECTRA4 spectra)
inference peak RSS       ${INFER_RSS} MB for $SPECTRA spectra; ${INFER4_RSS} MB for $SPECTRA4 spectra
training wall time       $(wall_s "$WORK/train.time") s for $EPOCHS_RUN epochs; peak RSS $(peak_rss_mb "$WORK/train.time") MB

quality (model $STORE/models/vae, truth $WORK/sim/truth.csv):
$QUALITY
work folder: $WORK
EOF2
