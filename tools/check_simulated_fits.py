#!/usr/bin/env python3
"""Independent check of a `qad simulate` output directory with astropy.

Usage: check_simulated_fits.py OUTDIR

Asserts that the mock survey has the DESI layout other tools expect:
  * OUTDIR/healpix/main/dark/<hpx//100>/<hpx>/coadd-main-dark-<hpx>.fits and
    redrock-main-dark-<hpx>.fits for every healpix pixel;
  * coadd HDUs PRIMARY, FIBERMAP, {B,R,Z}_{WAVELENGTH,FLUX,IVAR,MASK} in that
    order (no RESOLUTION), primary keywords HPXPIXEL/HPXNSIDE/SURVEY/PROGRAM;
  * big-endian dtypes: wavelength >f8 (exact DESI grids start + i*0.8),
    flux/ivar >f4 [nspec, nwave], mask >i4 (plain int32, no BZERO);
  * TARGETID >i8, above 2**53, unique, and exactly the integers listed in
    truth.csv and the QSO catalog (no float round trip anywhere);
  * redrock REDSHIFTS with the redrock column types, rows in FIBERMAP order;
  * QSO_cat_sim.fits HDU QSO_CAT holding exactly the truth-table quasars;
  * the SNR column of truth.csv equals the median of flux*sqrt(ivar) over
    good pixels after merging the arm overlaps (docs/preprocessing.md).
Exits 0 and prints a one-line summary when everything holds.
"""
import csv
import glob
import os
import sys

import numpy as np
from astropy.io import fits

ARMS = [("B", 3600.0, 2751), ("R", 5760.0, 2326), ("Z", 7520.0, 2881)]
TWO53 = 2 ** 53


def fail(msg):
    raise AssertionError(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def merged_snr(waves, fluxes, ivars, masks):
    """Median flux*sqrt(ivar) after the preprocessing merge of the arms."""
    w = np.concatenate(waves)
    f = np.concatenate(fluxes).astype(np.float64)
    iv = np.concatenate(ivars).astype(np.float64)
    m = np.concatenate(masks)
    good = (m == 0) & (iv > 0) & np.isfinite(f) & np.isfinite(iv)
    iv = np.where(good, iv, 0.0)
    f = np.where(good, f, 0.0)
    order = np.argsort(w, kind="stable")
    w, f, iv = w[order], f[order], iv[order]
    # Groups of consecutive wavelengths closer than 0.01 A are one pixel.
    new_group = np.concatenate([[True], np.diff(w) >= 0.01])
    gid = np.cumsum(new_group) - 1
    sw = np.bincount(gid, weights=iv)
    swf = np.bincount(gid, weights=iv * f)
    ok = sw > 0
    if not ok.any():
        return 0.0
    return float(np.median(swf[ok] / np.sqrt(sw[ok])))


def main(root):
    truth_path = os.path.join(root, "truth.csv")
    with open(truth_path, newline="") as fh:
        truth_rows = list(csv.DictReader(fh))
    truth = {}
    for r in truth_rows:
        tid = int(r["TARGETID"])  # exact Python int from the text
        check(tid not in truth, f"truth.csv: TARGETID {tid} repeated")
        truth[tid] = r

    coadds = sorted(glob.glob(os.path.join(root, "healpix", "main", "dark", "*", "*", "coadd-main-dark-*.fits")))
    check(coadds, f"no coadd files under {root}/healpix/main/dark")
    expected_hdus = ["PRIMARY", "FIBERMAP"] + [f"{a}_{k}" for a, _, _ in ARMS
                                               for k in ("WAVELENGTH", "FLUX", "IVAR", "MASK")]
    grids = {a: start + np.arange(n, dtype=np.float64) * 0.8 for a, start, n in ARMS}
    seen = set()
    nspec = 0
    snr_checked = 0
    for path in coadds:
        hpx = int(os.path.basename(path)[len("coadd-main-dark-"):-len(".fits")])
        check(os.path.dirname(path).endswith(f"/{hpx // 100}/{hpx}"), f"{path}: wrong directory for pixel {hpx}")
        with fits.open(path) as h:
            names = [x.name for x in h]
            check(names == expected_hdus, f"{path}: HDUs {names}")
            ph = h[0].header
            check(ph["HPXPIXEL"] == hpx and ph["HPXNSIDE"] == 64, f"{path}: HPXPIXEL/HPXNSIDE {ph.get('HPXPIXEL')}")
            check(ph["SURVEY"] == "main" and ph["PROGRAM"] == "dark", f"{path}: SURVEY/PROGRAM")
            fm = h["FIBERMAP"].data
            tids = fm["TARGETID"]
            check(tids.dtype == np.dtype(">i8"), f"{path}: FIBERMAP TARGETID dtype {tids.dtype}")
            check(fm["TARGET_RA"].dtype == np.dtype(">f8") and fm["TARGET_DEC"].dtype == np.dtype(">f8"),
                  f"{path}: TARGET_RA/DEC dtype")
            check(fm["DESI_TARGET"].dtype == np.dtype(">i8"), f"{path}: DESI_TARGET dtype")
            check(fm["COADD_FIBERSTATUS"].dtype == np.dtype(">i4"), f"{path}: COADD_FIBERSTATUS dtype")
            check(h["FIBERMAP"].columns["OBJTYPE"].format == "3A", f"{path}: OBJTYPE format")
            n = len(tids)
            nspec += n
            for t in tids.tolist():  # Python ints, exact
                check(t > TWO53, f"{path}: TARGETID {t} not above 2**53")
                check(t not in seen, f"{path}: TARGETID {t} repeated across files")
                check(t in truth, f"{path}: TARGETID {t} missing from truth.csv")
                check(int(truth[t]["HPXPIXEL"]) == hpx, f"{path}: TARGETID {t} listed under another pixel")
                seen.add(t)
            arrays = {}
            for a, start, nw in ARMS:
                w = h[f"{a}_WAVELENGTH"]
                check(w.data.dtype == np.dtype(">f8") and w.data.shape == (nw,), f"{path}: {a}_WAVELENGTH {w.data.dtype} {w.data.shape}")
                check(np.array_equal(w.data, grids[a]), f"{path}: {a}_WAVELENGTH is not {start} + i*0.8")
                fl, iv, mk = h[f"{a}_FLUX"], h[f"{a}_IVAR"], h[f"{a}_MASK"]
                check(fl.data.dtype == np.dtype(">f4") and fl.data.shape == (n, nw), f"{path}: {a}_FLUX {fl.data.dtype} {fl.data.shape}")
                check(iv.data.dtype == np.dtype(">f4") and iv.data.shape == (n, nw), f"{path}: {a}_IVAR {iv.data.dtype} {iv.data.shape}")
                check("BZERO" not in mk.header, f"{path}: {a}_MASK has BZERO")
                check(mk.data.dtype == np.dtype(">i4") and mk.data.shape == (n, nw), f"{path}: {a}_MASK {mk.data.dtype} {mk.data.shape}")
                check(np.isfinite(fl.data).all() and np.isfinite(iv.data).all(), f"{path}: {a} non-finite values")
                check((iv.data >= 0).all(), f"{path}: {a}_IVAR negative")
                check((iv.data[mk.data != 0] == 0).all(), f"{path}: {a} masked pixels with ivar > 0")
                arrays[a] = (w.data, fl.data, iv.data, mk.data)
            # SNR of a sample of rows against truth.csv.
            for i in range(0, n, max(1, n // 25)):
                snr = merged_snr([arrays[a][0] for a, _, _ in ARMS], [arrays[a][1][i] for a, _, _ in ARMS],
                                 [arrays[a][2][i] for a, _, _ in ARMS], [arrays[a][3][i] for a, _, _ in ARMS])
                want = float(truth[tids[i].item()]["SNR"])
                check(abs(snr - want) <= 1e-3 * max(1.0, abs(want)), f"{path}: row {i} SNR {snr} vs truth {want}")
                snr_checked += 1

        rr_path = path.replace("coadd-main-dark-", "redrock-main-dark-")
        check(os.path.exists(rr_path), f"missing {rr_path}")
        with fits.open(rr_path) as r:
            check([x.name for x in r][:3] == ["PRIMARY", "REDSHIFTS", "FIBERMAP"], f"{rr_path}: HDUs {[x.name for x in r]}")
            check(r[0].header["HPXPIXEL"] == hpx, f"{rr_path}: HPXPIXEL")
            z = r["REDSHIFTS"].data
            want = {"TARGETID": ">i8", "Z": ">f8", "ZERR": ">f8", "ZWARN": ">i8", "CHI2": ">f8", "NPIXELS": ">i8",
                    "NCOEFF": ">i8", "DELTACHI2": ">f8"}
            for col, dt in want.items():
                check(z[col].dtype == np.dtype(dt), f"{rr_path}: {col} dtype {z[col].dtype}")
            check(z["COEFF"].shape == (len(z), 10) and z["COEFF"].dtype == np.dtype(">f8"), f"{rr_path}: COEFF")
            cols = r["REDSHIFTS"].columns
            check(cols["SPECTYPE"].format == "6A" and cols["SUBTYPE"].format == "20A", f"{rr_path}: string widths")
            check(len(z) == n, f"{rr_path}: {len(z)} rows, coadd has {n}")
            check(z["TARGETID"].tolist() == tids.tolist(), f"{rr_path}: TARGETIDs differ from the coadd FIBERMAP")
            check(r["FIBERMAP"].data["TARGETID"].tolist() == tids.tolist(), f"{rr_path}: FIBERMAP TARGETIDs")
            types = set(s.strip() for s in z["SPECTYPE"])
            check(types <= {"QSO", "GALAXY", "STAR"}, f"{rr_path}: SPECTYPE values {types}")
            for t, spectype in zip(tids.tolist(), z["SPECTYPE"]):
                check(truth[t]["SPECTYPE_REDROCK"] == spectype.strip(), f"{rr_path}: SPECTYPE of {t} differs from truth")

    check(seen == set(truth), f"truth.csv lists {len(truth)} targets, the coadds {len(seen)}")

    cat_path = os.path.join(root, "QSO_cat_sim.fits")
    with fits.open(cat_path) as c:
        check("QSO_CAT" in c, f"{cat_path}: no QSO_CAT HDU")
        q = c["QSO_CAT"].data
        for col, dt in {"TARGETID": ">i8", "Z": ">f8", "TARGET_RA": ">f8", "TARGET_DEC": ">f8",
                        "BAL_PROB": ">f4", "BI_CIV": ">f4", "AI_CIV": ">f4"}.items():
            check(q[col].dtype == np.dtype(dt), f"{cat_path}: {col} dtype {q[col].dtype}")
        check(set(s.strip() for s in q["SURVEY"]) == {"main"}, f"{cat_path}: SURVEY")
        check(set(s.strip() for s in q["PROGRAM"]) == {"dark"}, f"{cat_path}: PROGRAM")
        qids = q["TARGETID"].tolist()
        want_q = {t for t, r in truth.items() if r["CLASS"] == "QSO"}
        check(len(qids) == len(set(qids)) and set(qids) == want_q, f"{cat_path}: quasars differ from truth.csv")
        check(all(t > TWO53 for t in qids), f"{cat_path}: TARGETID not above 2**53")
        check((q["Z"] > 0).all(), f"{cat_path}: non-positive Z")

    print(f"OK: {len(coadds)} healpix files, {nspec} spectra, {len(qids)} quasars in the catalog, "
          f"{snr_checked} SNR values recomputed")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        main(sys.argv[1])
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
