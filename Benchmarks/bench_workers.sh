#!/usr/bin/env bash
# Shared-store benchmark: ingest throughput of 1 and 2 `qad worker` processes
# against PostgreSQL, a single-process `qad ingest` into the same kind of store
# and into SQLite for reference, and catalog COPY rows/s (`qad bench copy`).
#
#   bash Benchmarks/bench_workers.sh [N]        (N simulated spectra, default 6000)
#
# Starts a throwaway PostgreSQL 15 cluster (Debian's postgresql-15) on loopback
# in the scratch folder, as the postgres user when run as root, and stops it at
# the end. Scoring has no worker stage yet (the queue's `stage` column is the
# hook), so the figures are ingest only.
#
# Environment overrides:
#   QAD_BIN=path   use this qad binary, skip the release build
#   WORK=dir       scratch folder (default: a new /tmp/qad-bench-workers.XXXXXX, kept)
#   PER_FILE=n     spectra per simulated healpix file (default 250)
#   COPY_ROWS=n    rows for the COPY figure (default 200000)
set -euo pipefail

N=${1:-6000}
PER_FILE=${PER_FILE:-250}
COPY_ROWS=${COPY_ROWS:-200000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source Benchmarks/common.sh
WORK=${WORK:-$(mktemp -d /tmp/qad-bench-workers.XXXXXX)}
mkdir -p "$WORK"
PGBIN=${QAD_PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || { say "no $PGBIN/initdb: apt-get install postgresql-15"; exit 1; }

# --- a throwaway cluster
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGDATA="$WORK/pgdata"; PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
chmod 777 "$WORK"
if [ ! -d "$PGDATA" ]; then
    mkdir -p "$PGDATA"; [ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA"
    as_pg "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >/dev/null
fi
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/pg.log" -w \
    -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null
trap 'as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null' EXIT
newdb() { as_pg "$PGBIN/createdb" -h "$WORK" -p "$PORT" -U postgres "$1"; echo "postgres://postgres@127.0.0.1:$PORT/$1?sslmode=disable"; }
sql() { as_pg "$PGBIN/psql" -h "$WORK" -p "$PORT" -U postgres -d "$1" -At -c "$2"; }

# --- input
SIM="$WORK/sim"
if [ ! -f "$SIM/QSO_cat_sim.fits" ]; then
    say "simulating $N spectra, $PER_FILE per file"
    "$QAD" simulate --out "$SIM" --n "$N" --per-file "$PER_FILE" --seed 1 >/dev/null
fi
CAT="$SIM/QSO_cat_sim.fits"
FILES=$(find "$SIM/healpix" -name 'coadd-*.fits' | wc -l)
now() { date +%s.%N; }
rate() { python3 -c "import sys; n, t = float(sys.argv[1]), float(sys.argv[2]); print(f'{t:7.1f} s {n / t:8.0f} spectra/s')" "$1" "$2"; }

declare -a ROWS=()
# Single process, one worker thread, for a like-for-like baseline of one worker.
for kind in sqlite postgres; do
    if [ $kind = sqlite ]; then STORE="$WORK/single-sqlite"; rm -rf "$STORE"; ARGS=(--store "$STORE")
    else STORE=$(newdb "single_$$_$RANDOM"); ARGS=(--store "$STORE" --cache "$WORK/single-pg-cache"); fi
    t0=$(now)
    "$QAD" ingest "${ARGS[@]}" --workers 1 --plain --qso-catalog "$CAT" "$SIM/healpix" >"$WORK/single-$kind.log" 2>&1
    t1=$(now)
    n=$(grep -Eo 'spectra ingested +[0-9]+' "$WORK/single-$kind.log" | grep -Eo '[0-9]+$')
    ROWS+=("qad ingest --workers 1 ($kind)|$(rate "$n" "$(echo "$t1 - $t0" | bc)")")
done

for W in 1 2; do
    DB="workers_${W}_$$_$RANDOM"; URL=$(newdb "$DB"); CACHE="$WORK/cache-$W"; rm -rf "$CACHE"
    "$QAD" ingest --queue --store "$URL" --cache "$CACHE" "$SIM/healpix" >/dev/null
    t0=$(now)
    pids=()
    for i in $(seq 1 "$W"); do
        "$QAD" worker --store "$URL" --cache "$CACHE" --qso-catalog "$CAT" --owner "bench-$i" \
            --poll-seconds 0.2 >"$WORK/worker-$W-$i.log" 2>&1 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    t1=$(now)
    n=$(sql "$DB" "SELECT count(*) FROM spectrum")
    done_items=$(sql "$DB" "SELECT count(*) FROM work_queue WHERE state = 'done'")
    [ "$done_items" -eq "$FILES" ] || { say "only $done_items of $FILES items done"; exit 1; }
    ROWS+=("$W × qad worker (postgres)|$(rate "$n" "$(echo "$t1 - $t0" | bc)")")
done

COPY_URL=$(newdb "copy_$$_$RANDOM")
COPY_PG=$("$QAD" bench copy --store "$COPY_URL" --rows "$COPY_ROWS" --per-file 5000)
COPY_SQLITE=$("$QAD" bench copy --store "$WORK/copy-sqlite-$RANDOM" --rows "$COPY_ROWS" --per-file 5000)

echo
echo "qad shared-store benchmark: $N simulated spectra in $FILES files, $(nproc) cores"
echo "$(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-36s %s\n' "run" "wall time, ingest throughput"
for r in "${ROWS[@]}"; do printf '%-36s %s\n' "${r%%|*}" "${r#*|}"; done
echo "catalog commit, postgres (COPY):    $COPY_PG"
echo "catalog commit, sqlite (INSERT):    $COPY_SQLITE"
