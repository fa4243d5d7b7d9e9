"""Reads qad's catalog exports with the field's own tools and checks that all
four carry the same rows, values, types and units.

    export_interop.py check DIR

DIR holds table.fits, table.csv, table.parquet, table.vot and expected.json
(written by the Swift test): {"columns": [{"name", "type", "unit"}],
"values": {name: [...]}} with int64 values as strings (exact), nulls as null.

astropy reads the FITS (Table.read) and the VOTable (io.votable), pyarrow the
Parquet, Python's csv module the CSV. Null conventions checked per format:
FITS — NaN floats, TNULL-masked integers, empty strings, False for an
undefined logical (astropy has no mask for L columns); VOTable — masked;
Parquet — null; CSV — empty field. Prints one line per format and OK, or
the differences and exit status 1.
"""
import csv
import json
import math
import sys

import numpy as np

NUMPY_KIND = {"int64": np.int64, "int32": np.int32, "float64": np.float64, "float32": np.float32}
ARROW_TYPE = {"int64": "int64", "int32": "int32", "float64": "double", "float32": "float", "string": "string", "bool": "bool"}


def expected_values(spec, raw):
    t = spec["type"]
    out = []
    for v in raw:
        if v is None:
            out.append(None)
        elif t in ("int64", "int32"):
            out.append(int(v))
        elif t == "float32":
            out.append(float(np.float32(v)))
        elif t == "float64":
            out.append(float(v))
        else:
            out.append(v)
    return out


def same(a, b, t):
    if a is None or b is None:
        return a is None and b is None
    if t in ("float64", "float32"):
        return float(a) == float(b)
    return a == b


def masked_list(col, t):
    """A column (maybe masked) as Python values with None for masked cells."""
    data = np.ma.getdata(col)
    mask = np.ma.getmaskarray(col)
    out = []
    for v, m in zip(data, mask):
        if m:
            out.append(None)
        elif t in ("int64", "int32"):
            out.append(int(v))
        elif t in ("float64", "float32"):
            out.append(None if math.isnan(float(v)) else float(v))
        elif t == "bool":
            out.append(bool(v))
        else:
            out.append(v.decode() if isinstance(v, bytes) else str(v))
    return out


def check_units(fmt, name, got, want, problems):
    import astropy.units as u
    if not want:
        return
    if got is None or u.Unit(got) != u.Unit(want):
        problems.append(f"{fmt} {name}: unit {got!r}, expected {want!r}")


def check_provenance(fmt, got, want, problems):
    for k, v in want.items():
        g = got.get(k)
        if isinstance(g, bool):
            g = "T" if g else "F"
        elif isinstance(g, float) and not isinstance(v, str):
            g = repr(g)
        if g is None or str(g) != v and not (_is_number(v) and float(g) == float(v)):
            problems.append(f"{fmt} provenance {k}: {g!r}, expected {v!r}")


def _is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def read_fits(path, specs, problems, provenance):
    from astropy.io import fits
    from astropy.table import Table
    with fits.open(path) as h:
        check_provenance("FITS", dict(h[1].header), provenance, problems)
    t = Table.read(path)
    out = {}
    for s in specs:
        c = t[s["name"]]
        if s["type"] in NUMPY_KIND and c.dtype.type != NUMPY_KIND[s["type"]]:
            problems.append(f"FITS {s['name']}: dtype {c.dtype}, expected {s['type']}")
        check_units("FITS", s["name"], c.unit, s.get("unit"), problems)
        vals = masked_list(c, s["type"])
        if s["type"] == "string":
            vals = ["" if v is None else v.rstrip() for v in vals]  # astropy masks empty strings
        out[s["name"]] = vals
    return out


def read_votable(path, specs, problems, provenance):
    from astropy.io.votable import parse
    doc = parse(path)
    check_provenance("VOTable", {i.name: i.value for i in doc.resources[0].infos}, provenance, problems)
    t = doc.get_first_table().to_table()
    out = {}
    for s in specs:
        c = t[s["name"]]
        if s["type"] in NUMPY_KIND and c.dtype.type != NUMPY_KIND[s["type"]]:
            problems.append(f"VOTable {s['name']}: dtype {c.dtype}, expected {s['type']}")
        check_units("VOTable", s["name"], c.unit, s.get("unit"), problems)
        out[s["name"]] = masked_list(c, s["type"])
    return out


def read_parquet(path, specs, problems, provenance):
    import pyarrow.parquet as pq
    t = pq.read_table(path)
    meta = {k.decode(): v.decode() for k, v in (t.schema.metadata or {}).items()}
    check_provenance("Parquet", meta, provenance, problems)
    out = {}
    for s in specs:
        c = t.column(s["name"])
        if str(c.type) != ARROW_TYPE[s["type"]]:
            problems.append(f"Parquet {s['name']}: type {c.type}, expected {ARROW_TYPE[s['type']]}")
        vals = c.to_pylist()
        if s["type"] in ("float64", "float32"):
            vals = [None if v is None or math.isnan(v) else v for v in vals]
        out[s["name"]] = vals
    return out


def read_csv(path, specs, problems, provenance):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for s in specs:
        vals = []
        for r in rows:
            v = r[s["name"]]
            t = s["type"]
            if v == "" and t != "string":
                vals.append(None)
            elif t in ("int64", "int32"):
                vals.append(int(v))
            elif t in ("float64", "float32"):
                # float32 values are written in float32's shortest text: read them as float32.
                x = float(np.float32(v)) if t == "float32" else float(v)
                vals.append(None if math.isnan(x) else x)
            elif t == "bool":
                vals.append({"true": True, "false": False}[v])
            else:
                vals.append(v)
        out[s["name"]] = vals
    return out


def main(d):
    with open(f"{d}/expected.json", encoding="utf-8") as f:
        exp = json.load(f)
    specs = exp["columns"]
    want = {s["name"]: expected_values(s, exp["values"][s["name"]]) for s in specs}
    problems = []
    readers = [("FITS", read_fits, "table.fits"), ("VOTable", read_votable, "table.vot"),
               ("Parquet", read_parquet, "table.parquet"), ("CSV", read_csv, "table.csv")]
    for fmt, reader, name in readers:
        got = reader(f"{d}/{name}", specs, problems, exp.get("provenance", {}) if fmt != "CSV" else {})
        bad = 0
        for s in specs:
            g, w, t = got[s["name"]], want[s["name"]], s["type"]
            if len(g) != len(w):
                problems.append(f"{fmt} {s['name']}: {len(g)} rows, expected {len(w)}")
                continue
            for i, (a, b) in enumerate(zip(g, w)):
                if fmt == "FITS" and b is None:
                    b = {"string": "", "bool": False}.get(t)  # FITS has no null string or logical for astropy
                if t == "string" and b is not None and fmt == "FITS":
                    # FITS A columns are ASCII: qad writes other characters as '?'.
                    b = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in b).rstrip()
                if t == "string" and b is None and fmt in ("CSV", "VOTable"):
                    b = ""  # an empty cell: null and "" are one in these formats
                if t == "string" and a is None and fmt == "VOTable":
                    a = ""
                if not same(a, b, t):
                    bad += 1
                    if bad <= 5:
                        problems.append(f"{fmt} {s['name']} row {i}: {a!r}, expected {b!r}")
        print(f"{fmt}: {len(specs)} columns, {len(next(iter(got.values())))} rows read")
    if problems:
        print("\n".join(problems))
        print("MISMATCH")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "check":
        sys.exit(__doc__)
    sys.exit(main(sys.argv[2]))
