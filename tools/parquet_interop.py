"""Parquet interoperability with pyarrow, driven by the Swift test suite.

    python tools/parquet_interop.py fixtures DIR       # pyarrow writes reference files + their values
    python tools/parquet_interop.py check FILE JSON    # pyarrow reads a qad file and compares

Values travel as canonical text per row, exact for every type: integers in
decimal, floats as their IEEE bit patterns ("f:3f800000", "d:..."), strings
as "s:" + text, binary as "x:" + hex, null as "null", lists as "[a,b]".
Each fixture FILE.parquet comes with FILE.json: {"num_rows", "num_row_groups",
"types": {column: type}, "rows": {column: [row text]}}.

`check` also compares the statistics qad wrote (min, max, null count) with
values computed here from the data, and reads the file with DuckDB and
polars too when those are installed (it says which readers ran).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


# ---------------------------------------------------------------- canonical text

def canon_value(v, t):
    if v is None:
        return "null"
    if pa.types.is_boolean(t):
        return "true" if v else "false"
    if pa.types.is_integer(t):
        return str(int(v))
    if pa.types.is_float32(t):
        return "f:%08x" % struct.unpack("<I", struct.pack("<f", v))[0]
    if pa.types.is_float64(t):
        return "d:%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "s:" + v
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return "x:" + bytes(v).hex()
    raise TypeError(f"no canonical text for {t}")


def canon_column(col):
    """Canonical row texts of a chunked array; struct columns give one entry per field."""
    t = col.type
    if pa.types.is_struct(t):
        rows = col.to_pylist()
        return {t.field(i).name: [canon_value(None if row is None else row[t.field(i).name], t.field(i).type)
                                  for row in rows] for i in range(t.num_fields)}
    values = col.to_pylist()
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        et = t.value_type
        return [("null" if row is None else "[" + ",".join(canon_value(e, et) for e in row) + "]") for row in values]
    return [canon_value(v, t) for v in values]


def type_name(t):
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return "list<" + type_name(t.value_type) + ">"
    for name, test in [("bool", pa.types.is_boolean), ("int32", pa.types.is_int32), ("int64", pa.types.is_int64),
                       ("float", pa.types.is_float32), ("double", pa.types.is_float64),
                       ("string", pa.types.is_string), ("binary", pa.types.is_binary)]:
        if test(t):
            return name
    return str(t)


def describe(table, num_row_groups):
    rows, types = {}, {}
    for name in table.column_names:
        col = table.column(name)
        c = canon_column(col)
        if isinstance(c, dict):
            for k, v in c.items():
                rows[f"{name}.{k}"] = v
                types[f"{name}.{k}"] = type_name(col.type.field(k).type)
        else:
            rows[name] = c
            types[name] = type_name(col.type)
    return {"num_rows": table.num_rows, "num_row_groups": num_row_groups, "types": types, "rows": rows}


# ---------------------------------------------------------------- fixtures

def sample_table(n, seed, nulls):
    rng = np.random.default_rng(seed)

    def mask(p):
        return rng.random(n) < p if nulls else np.zeros(n, bool)

    def with_nulls(values, p=0.15):
        m = mask(p)
        return [None if m[i] else values[i] for i in range(n)]

    f32 = rng.normal(0, 1e3, n).astype(np.float32)
    if n >= 6:
        f32[:6] = [np.nan, np.inf, -np.inf, -0.0, np.float32(1e-45), np.float32(3.4028235e38)]
    f64 = rng.normal(0, 1e6, n)
    if n >= 6:
        f64[:5] = [np.nan, -np.inf, -0.0, 5e-324, 1.7976931348623157e308]
    i64 = rng.integers(-2**63, 2**63 - 1, n, dtype=np.int64, endpoint=True)
    if n >= 6:
        i64[:3] = [39633559463397282, -1, 2**63 - 1]
    words = ["QSO", "GALAXY", "STAR", "", "Lyα forest", "ünïcødé ✓", "x" * 300]
    lengths = rng.integers(0, 12, n)

    def lists(make, p_null_list=0.1, p_null_elem=0.1):
        null_list = mask(p_null_list)
        rows = []
        for i in range(n):
            if null_list[i]:
                rows.append(None)
                continue
            elems = make(int(lengths[i]))
            if nulls:
                elems = [None if rng.random() < p_null_elem else e for e in elems]
            rows.append(elems)
        return rows

    cols = {
        "flag": pa.array(with_nulls([bool(b) for b in rng.integers(0, 2, n)]), pa.bool_()),
        "fiber": pa.array(with_nulls([int(x) for x in rng.integers(-2**31, 2**31 - 1, n)]), pa.int32()),
        "targetid": pa.array(with_nulls([int(x) for x in i64]), pa.int64()),
        "flux32": pa.array(with_nulls([float(x) for x in f32]), pa.float32()),
        "z": pa.array(with_nulls([float(x) for x in f64]), pa.float64()),
        "spectype": pa.array(with_nulls([words[int(k)] for k in rng.integers(0, len(words), n)]), pa.string()),
        "blob": pa.array(with_nulls([bytes(rng.integers(0, 256, int(k), dtype=np.uint8)) for k in rng.integers(0, 9, n)]),
                         pa.binary()),
        "flux": pa.array(lists(lambda k: [float(x) for x in rng.normal(0, 1, k)]), pa.list_(pa.float64())),
        "wavelength": pa.array(lists(lambda k: [float(np.float32(3600 + 0.8 * j)) for j in range(k)]),
                               pa.list_(pa.float32())),
        "mask_array": pa.array(lists(lambda k: [int(x) for x in rng.integers(0, 3, k)]), pa.list_(pa.int64())),
        "lines": pa.array(lists(lambda k: [words[int(x)] for x in rng.integers(0, len(words), k)]), pa.list_(pa.string())),
        "bits": pa.array(lists(lambda k: [bool(x) for x in rng.integers(0, 2, k)]), pa.list_(pa.bool_())),
        "ints": pa.array(lists(lambda k: [int(x) for x in rng.integers(-1000, 1000, k)]), pa.list_(pa.int32())),
    }
    return pa.table(cols)


def required_table(n, seed):
    t = sample_table(n, seed, nulls=False)
    fields = []
    for f in t.schema:
        if pa.types.is_list(f.type):
            fields.append(pa.field(f.name, pa.list_(pa.field("element", f.type.value_type, nullable=False)),
                                   nullable=False))
        else:
            fields.append(pa.field(f.name, f.type, nullable=False))
    return pa.Table.from_arrays([t.column(f.name).cast(fl.type) for f, fl in zip(t.schema, fields)],
                                schema=pa.schema(fields))


def struct_table(n, seed):
    rng = np.random.default_rng(seed)
    a = [int(x) for x in rng.integers(-100, 100, n)]
    b = ["r%d" % i for i in range(n)]
    valid = rng.random(n) > 0.2
    s = pa.StructArray.from_arrays([pa.array([None if i % 7 == 3 else v for i, v in enumerate(a)], pa.int32()),
                                    pa.array(b, pa.string())],
                                   names=["a", "b"], mask=pa.array(~valid))
    return pa.table({"id": pa.array(range(n), pa.int64()), "s": s})


def write_fixture(directory, name, table, **kwargs):
    path = os.path.join(directory, name + ".parquet")
    pq.write_table(table, path, **kwargs)
    meta = pq.ParquetFile(path).metadata
    back = pq.read_table(path)
    with open(os.path.join(directory, name + ".json"), "w") as f:
        json.dump(describe(back, meta.num_row_groups), f)
    return path


def fixtures(directory):
    os.makedirs(directory, exist_ok=True)
    plain = sample_table(600, 1, nulls=False)
    nulls = sample_table(600, 2, nulls=True)
    write_fixture(directory, "defaults", plain)
    write_fixture(directory, "nulls", nulls)
    write_fixture(directory, "v2", nulls, data_page_version="2.0")
    write_fixture(directory, "zstd", nulls, compression="zstd")
    write_fixture(directory, "gzip", nulls, compression="gzip")
    write_fixture(directory, "uncompressed", nulls, compression="none", use_dictionary=False)
    write_fixture(directory, "row_groups", sample_table(1000, 3, nulls=True), row_group_size=97, data_page_size=512,
                  data_page_version="2.0", compression="zstd")
    write_fixture(directory, "small_pages_v1", sample_table(1000, 4, nulls=True), row_group_size=333,
                  data_page_size=300, write_batch_size=16)
    write_fixture(directory, "checksums", nulls, write_page_checksum=True)
    write_fixture(directory, "required", required_table(300, 5))
    write_fixture(directory, "struct", struct_table(200, 6))
    # Unique values overflow a small dictionary: pyarrow falls back to PLAIN mid-chunk.
    rng = np.random.default_rng(7)
    n = 20000
    fallback = pa.table({"x": pa.array(rng.normal(0, 1, n)), "name": pa.array(["target-%06d" % i for i in rng.permutation(n)]),
                         "few": pa.array([["a", "b", "c"][i % 3] for i in range(n)])})
    write_fixture(directory, "dict_fallback", fallback, dictionary_pagesize_limit=4096, data_page_size=8192)
    write_fixture(directory, "empty", sample_table(0, 8, nulls=True))

    # Files qad must refuse with a clear error.
    small = pa.table({"x": pa.array([1.0, 2.0, 3.0]), "n": pa.array([1, 2, 3], pa.int64())})
    for codec in ["brotli", "lz4"]:
        pq.write_table(small, os.path.join(directory, f"unsupported_{codec}.parquet"), compression=codec)
    pq.write_table(pa.table({"t": pa.array(np.array(["2021-02-04T00:00:00"], dtype="datetime64[ns]"))}),
                   os.path.join(directory, "unsupported_int96.parquet"), use_deprecated_int96_timestamps=True)
    pq.write_table(small, os.path.join(directory, "unsupported_delta.parquet"), use_dictionary=False,
                   column_encoding={"n": "DELTA_BINARY_PACKED", "x": "PLAIN"})
    pq.write_table(pa.table({"ll": pa.array([[[1, 2], [3]], [[4]]], pa.list_(pa.list_(pa.int32())))}),
                   os.path.join(directory, "unsupported_nested.parquet"))
    print("fixtures written to", directory)


# ---------------------------------------------------------------- checking qad's files

def expected_stats(values, t):
    """min, max and null count pyarrow should find in qad's statistics."""
    if pa.types.is_list(t):
        t = t.value_type
        flat = [e for row in values if row is not None for e in row]
        # Level entries without a value: null lists, empty lists, null elements.
        nulls = sum(1 for row in values if row is None or len(row) == 0) + sum(1 for e in flat if e is None)
    else:
        flat = values
        nulls = sum(1 for v in values if v is None)
    present = [v for v in flat if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not present:
        return None, None, nulls
    if pa.types.is_string(t):
        key = lambda s: s.encode()
        return min(present, key=key), max(present, key=key), nulls
    lo, hi = min(present), max(present)
    if isinstance(lo, float):
        # Signed zeros: a zero minimum is written as -0, a zero maximum as +0.
        lo = -0.0 if lo == 0 else lo
        hi = 0.0 if hi == 0 else hi
    return lo, hi, nulls


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))
    return a == b


def check(path, expected_path):
    with open(expected_path) as f:
        expected = json.load(f)
    pf = pq.ParquetFile(path)
    table = pf.read()
    got = describe(table, pf.metadata.num_row_groups)
    problems = []
    for key in ["num_rows", "num_row_groups", "types"]:
        if key in expected and got[key] != expected[key]:
            problems.append(f"{key}: pyarrow sees {got[key]}, qad wrote {expected[key]}")
    for name, rows in expected["rows"].items():
        mine = got["rows"].get(name)
        if mine != rows:
            bad = next((i for i, (a, b) in enumerate(zip(mine or [], rows)) if a != b), None)
            problems.append(f"column {name}: first difference at row {bad}: pyarrow {mine[bad] if bad is not None else mine}"
                            f" vs qad {rows[bad] if bad is not None else rows}")
    # Statistics, per row group, against values computed here.
    for g in range(pf.metadata.num_row_groups):
        rg_table = pf.read_row_group(g)
        for j in range(pf.metadata.num_columns):
            col = pf.metadata.row_group(g).column(j)
            name = col.path_in_schema.split(".")[0]
            field = table.schema.field(name)
            stats = col.statistics
            if stats is None:
                problems.append(f"row group {g} column {name}: no statistics")
                continue
            lo, hi, nulls = expected_stats(rg_table.column(name).to_pylist(), field.type)
            if stats.null_count != nulls:
                problems.append(f"row group {g} column {name}: null_count {stats.null_count}, expected {nulls}")
            if lo is None:
                if stats.has_min_max:
                    problems.append(f"row group {g} column {name}: min/max written for a column with no values")
            elif not stats.has_min_max:
                problems.append(f"row group {g} column {name}: no min/max")
            else:
                smin, smax = stats.min, stats.max
                if isinstance(smin, bytes) and isinstance(lo, str):
                    smin, smax = smin.decode(), smax.decode()
                if not (same(smin, lo) and same(smax, hi)):
                    problems.append(f"row group {g} column {name}: min/max {smin!r}/{smax!r}, expected {lo!r}/{hi!r}")
    readers = ["pyarrow"]
    try:
        import duckdb
        con = duckdb.connect()
        rel = con.sql(f"SELECT COUNT(*) FROM read_parquet('{path}')").fetchall()[0][0]
        if rel != expected["num_rows"]:
            problems.append(f"duckdb counts {rel} rows")
        result = con.sql(f"SELECT * FROM read_parquet('{path}')")
        cols = result.to_arrow_table() if hasattr(result, "to_arrow_table") else result.arrow()
        dgot = describe(cols, got["num_row_groups"])
        for name, rows in expected["rows"].items():
            if dgot["rows"].get(name) != rows:
                bad = next((i for i, (a, b) in enumerate(zip(dgot["rows"].get(name) or [], rows)) if a != b), None)
                problems.append(f"duckdb reads column {name} differently (row {bad})")
        readers.append("duckdb " + duckdb.__version__)
    except ImportError:
        pass
    try:
        import polars as pl
        ptab = pl.read_parquet(path).to_arrow()
        pgot = describe(ptab, got["num_row_groups"])
        for name, rows in expected["rows"].items():
            if pgot["rows"].get(name) != rows:
                bad = next((i for i, (a, b) in enumerate(zip(pgot["rows"].get(name) or [], rows)) if a != b), None)
                problems.append(f"polars reads column {name} differently (row {bad})")
        readers.append("polars " + pl.__version__)
    except ImportError:
        pass
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"{os.path.basename(path)}: {', '.join(readers)} read every value qad wrote; statistics agree")


if __name__ == "__main__":
    if sys.argv[1] == "fixtures":
        fixtures(sys.argv[2])
    elif sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
