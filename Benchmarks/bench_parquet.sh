#!/usr/bin/env bash
# Parquet read throughput on ~1 GB of ARD tiles: qad beside pyarrow reading
# the same columns (target_id, z, wavelength, flux, ivar, mask_array) into
# NumPy, both in one thread, row group by row group, with the files in the
# page cache. Prints MB/s, spectra/s and peak RSS for each.
#
#   bash Benchmarks/bench_parquet.sh [MB] [DIR]     (QAD_BIN=path: that qad, not a release build)
#
# The tiles are synthetic rows built from the real DESI QSO spectra in
# ../shared/data (tools/make_ard_tiles.py bench): the upstream schema, 7,927
# pixels a row, 100 rows a file, pyarrow defaults (snappy, dictionary).
# A second pass reads the same rows from one file of ~1 GB, to show that
# memory stays at about one row group, not the file size.
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-1024}"
DIR="${2:-${TMPDIR:-/tmp}/qad-parquet-bench}"
PY="${QAD_PYTHON:-.venv/bin/python}"
source Benchmarks/common.sh

if [ ! -f "$DIR/tiles/.complete-$MB" ]; then
  rm -rf "$DIR"
  mkdir -p "$DIR/tiles" "$DIR/one-file"
  "$PY" tools/make_ard_tiles.py bench ../shared/data "$DIR/tiles" "$MB"
  "$PY" - "$DIR" <<'PYEOF'
import glob, sys, pyarrow.parquet as pq
d = sys.argv[1]
files = sorted(glob.glob(f"{d}/tiles/**/*.parquet", recursive=True))
with pq.ParquetWriter(f"{d}/one-file/qso_data_ALL.parquet", pq.read_schema(files[0])) as w:
    for f in files:
        w.write_table(pq.read_table(f), row_group_size=100)
PYEOF
  touch "$DIR/tiles/.complete-$MB"
fi

for set in tiles one-file; do
  echo "== $set: $(du -sh "$DIR/$set" | cut -f1)"
  cat "$DIR/$set"/*/*.parquet "$DIR/$set"/*.parquet 2>/dev/null > /dev/null || true  # into the page cache
  "$PY" Benchmarks/parquet_peer.py "$DIR/$set"
  "$QAD" bench parquet "$DIR/$set"
done
