#!/usr/bin/env bash
# Do two qad binaries give the same outputs? Runs simulate → inject → ingest →
# train → infer → score → crossmatch → rank → export with each binary on one
# survey, into a SQLite store and into a PostgreSQL store each, and compares
# digests of what they wrote: the cache matrices, every store table (rows in key
# order, columns by name, wall-clock columns left out), the model's outputs,
# the ranked list and the four export formats (their export date masked).
# A refactoring that claims "behaviour unchanged" must print "identical".
#
#   bash scripts/compare_outputs.sh OLD_QAD NEW_QAD [N]   (N spectra, default 20000)
#
# Environment overrides:
#   WORK=dir      scratch folder (default: a new /tmp/qad-compare.XXXXXX, kept)
#   EPOCHS=n      qad train --epochs (default 40, as Benchmarks/bench_scores.sh)
#   KINDS="sqlite postgres"   which stores to compare
#   REUSE_OLD=1   keep the old binary's outputs from an earlier run in WORK
set -euo pipefail
OLD=$(realpath "$1"); NEW=$(realpath "$2"); N=${3:-20000}
EPOCHS=${EPOCHS:-40}
KINDS=${KINDS:-"sqlite postgres"}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { bash "$ROOT/scripts/setup.sh" --python >&2; }
WORK=${WORK:-$(mktemp -d /tmp/qad-compare.XXXXXX)}
mkdir -p "$WORK"; chmod 777 "$WORK"
say() { printf '%s\n' "$*" >&2; }
say "work folder: $WORK"

# --- one survey for both binaries, made by the old one
if [ ! -f "$WORK/inj/injected.csv" ]; then
    rm -rf "$WORK/sim" "$WORK/inj"
    "$OLD" simulate --out "$WORK/sim" --n "$N" --seed 1 >/dev/null
    "$OLD" inject --input "$WORK/sim" --out "$WORK/inj" --qso-catalog "$WORK/sim/QSO_cat_sim.fits" \
        --fraction 0.01 --seed 1 >/dev/null
fi
# A small external catalog to cross-match against: every 50th target, shifted by 1".
"$PY" - "$WORK/sim/QSO_cat_sim.fits" "$WORK/xmatch.csv" <<'EOF'
import sys, numpy as np
from astropy.io import fits
t = fits.open(sys.argv[1])[1].data
with open(sys.argv[2], "w") as f:
    f.write("id,ra,dec,mag\n")
    for i in range(0, len(t), 50):
        f.write(f"{1000 + i},{t['TARGET_RA'][i] + 1 / 3600:.9f},{t['TARGET_DEC'][i]:.9f},{18 + (i % 7) / 3:.4f}\n")
EOF

# --- PostgreSQL: a throwaway cluster
if [[ " $KINDS " == *" postgres "* ]]; then
    PGBIN=${QAD_PG_BIN:-/usr/lib/postgresql/15/bin}
    as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    PGDATA="$WORK/pgdata"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    rm -rf "$PGDATA"; mkdir -p "$PGDATA"; [ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA"
    as_pg "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >/dev/null
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/pg.log" -w \
        -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null
    trap 'as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null' EXIT
    psql_() { as_pg "$PGBIN/psql" -h "$WORK" -p "$PORT" -U postgres -d "$1" -At -v ON_ERROR_STOP=1 -c "$2"; }
fi

# Every table's rows in key order with its columns by name; wall-clock and
# path-of-this-run columns are left out.
dump_tables() {  # kind store out
    local kind=$1 store=$2 out=$3
    "$PY" - "$kind" "$store" "$out" <<'EOF' || exit 1
import sys, subprocess, sqlite3, hashlib, os
kind, store, out = sys.argv[1:4]
skip = {"ingested_at", "scored_at", "updated_at", "matched_at", "created_at", "path", "source_file", "file",
        "cache_shard", "parameters"}
tables = {"spectrum": "targetid", "ingested_file": "n_spectra, n_skipped", "input_problem": "message",
          "cache_shard": "rows", "model_output": "targetid", "model_inference": "model", "score": "targetid",
          "score_run": "model", "crossmatch_catalog": "name", "crossmatch_match": "catalog, targetid"}
def columns_sqlite(db, t):
    return [r[1] for r in db.execute(f"PRAGMA table_info({t})")]
lines = []
if kind == "sqlite":
    db = sqlite3.connect(store + "/qad.sqlite")
    for t, key in tables.items():
        cols = sorted(c for c in columns_sqlite(db, t) if c not in skip)
        for row in db.execute(f"SELECT {', '.join(cols)} FROM {t} ORDER BY {key}, {', '.join(cols)}"):
            lines.append(t + "|" + "|".join(repr(v) for v in row))
else:
    env = dict(os.environ)
    def psql(sql):
        return subprocess.run(env["PSQL"].split() + ["-c", sql], capture_output=True, text=True, check=True).stdout
    for t, key in tables.items():
        cols = sorted(c for c in psql(f"SELECT column_name FROM information_schema.columns WHERE table_name = '{t}'").split() if c not in skip)
        quoted = ", ".join(f'"{c}"' for c in cols)
        for row in psql(f'SELECT {quoted} FROM {t} ORDER BY {key}, {quoted}').splitlines():
            lines.append(t + "|" + row)
open(out, "w").write("\n".join(lines) + "\n")
EOF
}

run_one() {  # bin tag kind
    local bin=$1 tag=$2 kind=$3 dir="$WORK/$2-$3"
    rm -rf "$dir"; mkdir -p "$dir/out"
    local args
    if [ "$kind" = sqlite ]; then args=(--store "$dir/store")
    else
        local db="cmp_${tag}"
        psql_ postgres "DROP DATABASE IF EXISTS $db" >/dev/null; psql_ postgres "CREATE DATABASE $db" >/dev/null
        args=(--store "postgres://postgres@127.0.0.1:$PORT/$db?sslmode=disable" --cache "$dir/store")
        export PSQL="$PGBIN/psql -h $WORK -p $PORT -U postgres -d $db -At -F |"
        [ "$(id -u)" -eq 0 ] && export PSQL="runuser -u postgres -- $PSQL"
    fi
    say "$tag/$kind: ingest, train ($EPOCHS epochs), infer, score, crossmatch, rank, export"
    "$bin" ingest "${args[@]}" --plain --qso-catalog "$WORK/inj/QSO_cat_sim.fits" "$WORK/inj" >"$dir/ingest.log" 2>&1
    "$bin" train "${args[@]}" --epochs "$EPOCHS" --seed 1 >"$dir/train.log" 2>&1
    "$bin" infer "${args[@]}" >"$dir/infer.log" 2>&1
    "$bin" score "${args[@]}" --seed 1 >"$dir/score.log" 2>&1
    "$bin" crossmatch "${args[@]}" --catalog "$WORK/xmatch.csv" --name ext --ra-col ra --dec-col dec --id-col id \
        --radius 2 --pairs-out "$dir/out/pairs.csv" >"$dir/crossmatch.log" 2>&1
    "$bin" rank "${args[@]}" --limit 500 --format csv --out "$dir/out/rank.csv" >/dev/null
    "$bin" rank "${args[@]}" --limit 200 --format json --out "$dir/out/rank.json" >/dev/null
    "$bin" rank "${args[@]}" --limit 100 --bal exclude --z-min 1 >"$dir/out/rank.txt"
    for f in fits csv parquet votable; do
        "$bin" export "${args[@]}" --all --format $f --out "$dir/out/catalog.$f" >/dev/null
    done
    # The export date and the store's location differ between runs by design.
    "$PY" - "$dir/out" "$dir" <<'EOF'
import re, sys, pathlib
for p in pathlib.Path(sys.argv[1]).glob("catalog.*"):
    b = re.sub(rb"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d", b"XXXX-XX-XXTXX:XX:XX", p.read_bytes())
    b = b.replace(sys.argv[2].encode(), b"DIR".ljust(len(sys.argv[2]), b"_"))
    b = re.sub(rb"postgres://postgres@127\.0\.0\.1:\d+/cmp_(old|new)", lambda m: b"PG".ljust(len(m.group(0)), b"_"), b)
    p.write_bytes(b)
EOF
    dump_tables "$kind" "$dir/store" "$dir/out/tables.txt"
    (cd "$dir/store" && find cache models -name '*.npy' -o -name '*.safetensors' | sort | xargs md5sum) >"$dir/out/matrices.md5"
}

status=0
for kind in $KINDS; do
    if [ -z "${REUSE_OLD:-}" ] || [ ! -f "$WORK/old-$kind/out/matrices.md5" ]; then run_one "$OLD" old "$kind"; fi
    run_one "$NEW" new "$kind"
    for f in $(cd "$WORK/old-$kind/out" && ls); do
        if cmp -s "$WORK/old-$kind/out/$f" "$WORK/new-$kind/out/$f"; then
            printf '%-9s %-14s identical\n' "$kind" "$f"
        else
            printf '%-9s %-14s DIFFERENT (diff %s %s)\n' "$kind" "$f" "$WORK/old-$kind/out/$f" "$WORK/new-$kind/out/$f"
            status=1
        fi
    done
done
exit $status
