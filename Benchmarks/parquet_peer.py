"""pyarrow peer for Benchmarks/bench_parquet.sh: reads the ARD columns of
every tile under a folder into NumPy arrays, in one thread, row group by row
group, and prints read throughput and peak RSS in the same form as qad.

    python Benchmarks/parquet_peer.py DIR
"""
import glob
import os
import resource
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

COLUMNS = ["target_id", "z", "wavelength", "flux", "ivar", "mask_array"]


def to_numpy(chunked):
    """The values a caller works with: flat arrays, or list values + offsets."""
    out = []
    for chunk in chunked.chunks:
        if pa.types.is_list(chunk.type):
            out.append((chunk.values.to_numpy(zero_copy_only=False), chunk.offsets.to_numpy()))
        else:
            out.append(chunk.to_numpy(zero_copy_only=False))
    return out


def read_all(files):
    spectra = 0
    for path in files:
        f = pq.ParquetFile(path)
        for g in range(f.num_row_groups):
            t = f.read_row_group(g, columns=COLUMNS, use_threads=False)
            arrays = [to_numpy(t.column(c)) for c in COLUMNS]
            spectra += t.num_rows
            del arrays, t
    return spectra


def main(directory):
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    files = sorted(glob.glob(os.path.join(directory, "**", "*.parquet"), recursive=True))
    size = sum(os.path.getsize(p) for p in files)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pq.ParquetFile(files[0]).read_row_group(0, columns=COLUMNS, use_threads=False)  # warm up the library
    start = time.perf_counter()
    spectra = read_all(files)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pyarrow: {len(files)} files, {size / 1e6:.0f} MB, {spectra} spectra in {seconds:.2f} s: "
          f"{size / 1e6 / seconds:.0f} MB/s, {spectra / seconds:.0f} spectra/s, peak RSS {rss:.0f} MB "
          f"({before:.0f} MB before any Parquet read)")


if __name__ == "__main__":
    main(sys.argv[1])
