#!/usr/bin/env python3
"""Python peer of `qad ingest` for the ingest benchmark (DESI healpix/tile coadds).

    python Benchmarks/ingest_peer.py --out DIR [--qso-catalog FILE ...]
        (--reference FILE.npy | --reference-store QADSTORE) [--workers N] PATH...

Does the work of `qad ingest` as written in docs/preprocessing.md, the way an
astronomer would write it with astropy + NumPy:

  * finds coadd-*.fits[.gz] under PATHs (sorted; the first file wins a TARGETID),
  * selects rows by the QSO catalog (TARGETID -> Z, first catalog wins) or, without
    a catalog, by the redrock file next to the coadd (SPECTYPE == QSO, ZWARN == 0),
  * merges the B/R/Z arms, rebins onto the 3276-bin rest-frame grid with exact
    pixel/bin overlaps, fits the amplitude of the reference spectrum, computes the
    quality metrics, and
  * writes DIR/flux.npy, DIR/weight.npy (float32 [rows, 3276]) and
    DIR/catalog.npy + DIR/catalog.csv.

Everything is vectorized over all selected rows of a file (in blocks): the merge
pattern and pixel edges depend only on the file's wavelength grids and are built
once per file; the rebin computes, for every pixel of every row at once, the (at
most two, for DESI's pixels) rest-frame bins it overlaps and accumulates with one
np.bincount. Files are processed by a pool of --workers processes (default: all
cores); the parent keeps file order, drops repeated TARGETIDs and streams the
rows to disk.

Last line: `peer: N spectra in T s = R spectra/s, peak RSS M MB` (peak RSS is the
parent's plus each worker's own peak, i.e. an upper bound on the joint peak).
"""
import argparse
import csv
import math
import multiprocessing as mp
import os
import resource
import sys
import time

import numpy as np
from astropy.io import fits

NB = 3276
LOG_LO = math.log10(460.0)
DLOG = 4e-4
EDGES = 10.0 ** (LOG_LO + DLOG * np.arange(NB + 1))
WIDTH = np.diff(EDGES)
MERGE_TOL = 0.01
BLOCK = 32          # rows per vectorized block (bounds the temporaries to ~100 MB)

CAT_DTYPE = np.dtype([
    ("TARGETID", "i8"), ("Z", "f8"), ("RA", "f8"), ("DEC", "f8"), ("AMPLITUDE", "f8"), ("SNR", "f8"),
    ("MASK_FRAC", "f8"), ("ZERO_IVAR_FRAC", "f8"), ("ARM_STEP", "f8"), ("NBINS", "i4"), ("FLAGS", "i4"),
    ("FILE", "i4"), ("ROW", "i4"),
])


# ------------------------------------------------------------------ input discovery and selection
def find_coadds(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if f.startswith("coadd-") and (f.endswith(".fits") or f.endswith(".fits.gz")):
                        out.append(os.path.join(root, f))
        else:
            out.append(p)
    return out


def load_catalogs(paths):
    """Sorted TARGETIDs and their Z; when several catalogs list a TARGETID the first wins."""
    ids, zs, ras, decs = [], [], [], []
    for p in paths:
        with fits.open(p, memmap=True) as h:
            names = [x.name.upper() for x in h]
            hdu = h["QSO_CAT"] if "QSO_CAT" in names else next(x for x in h[1:] if isinstance(x, fits.BinTableHDU))
            t = hdu.data
            cols = {c.upper() for c in t.columns.names}
            ids.append(np.asarray(t["TARGETID"], dtype=np.int64))
            zs.append(np.asarray(t["Z"], dtype=np.float64))
            ras.append(np.asarray(t["TARGET_RA"] if "TARGET_RA" in cols else t["RA"], dtype=np.float64)
                       if ({"TARGET_RA", "RA"} & cols) else np.full(len(t), np.nan))
            decs.append(np.asarray(t["TARGET_DEC"] if "TARGET_DEC" in cols else t["DEC"], dtype=np.float64)
                        if ({"TARGET_DEC", "DEC"} & cols) else np.full(len(t), np.nan))
    ids, zs, ras, decs = map(np.concatenate, (ids, zs, ras, decs))
    uid, first = np.unique(ids, return_index=True)        # return_index gives the first occurrence
    return uid, zs[first], ras[first], decs[first]


def lookup(sorted_ids, ids):
    k = np.clip(np.searchsorted(sorted_ids, ids), 0, max(sorted_ids.size - 1, 0))
    hit = (sorted_ids.size > 0) & (sorted_ids[k] == ids) if sorted_ids.size else np.zeros(ids.size, bool)
    return k, hit


def redrock_path(coadd):
    d, b = os.path.split(coadd)
    stem = b[len("coadd-"):]
    for prefix in ("redrock-", "zbest-"):
        for s in (stem, stem.removesuffix(".gz"), stem + ".gz"):
            p = os.path.join(d, prefix + s)
            if os.path.exists(p):
                return p
    return None


# ------------------------------------------------------------------ per-file preprocessing plan
class Plan:
    """Everything that depends only on the wavelength grids of a file."""

    def __init__(self, waves):
        self.sizes = [w.size for w in waves]
        wave = np.concatenate(waves)
        order = np.argsort(wave, kind="stable")
        ws = wave[order]
        start = np.ones(ws.size, bool)
        start[1:] = np.diff(ws) >= MERGE_TOL
        group = np.cumsum(start) - 1                       # merged pixel of each sorted input pixel
        first = np.flatnonzero(start)
        # merge as gathers: layer 0 is each group's first member, layer L its (L+1)-th member
        rank = np.arange(ws.size) - first[group]
        self.rep = order[first]
        self.layers = [(group[rank == L], order[rank == L]) for L in range(1, int(rank.max()) + 1)]
        mw = ws[first]
        pe = np.empty(mw.size + 1)
        pe[1:-1] = 0.5 * (mw[1:] + mw[:-1])
        pe[0] = mw[0] - 0.5 * (mw[1] - mw[0])
        pe[-1] = mw[-1] + 0.5 * (mw[-1] - mw[-2])
        self.pe = pe                                        # observed pixel edges of the merged pixels
        self.w = np.diff(pe)
        self.w2 = self.w * self.w
        # arm joins: pixel pairs (index in the concatenated arrays) seen by consecutive arms
        offs = np.concatenate([[0], np.cumsum(self.sizes)])
        self.joins = []
        for a in range(len(waves) - 1):
            w1, w2 = waves[a], waves[a + 1]
            o1 = np.argsort(w1, kind="stable")
            s1 = w1[o1]
            k = np.clip(np.searchsorted(s1, w2), 1, s1.size - 1)
            k = np.where(np.abs(s1[k - 1] - w2) <= np.abs(s1[k] - w2), k - 1, k)
            pair = np.abs(s1[k] - w2) < MERGE_TOL
            if np.any(pair):
                self.joins.append((offs[a] + o1[k[pair]], offs[a + 1] + np.flatnonzero(pair)))


def median_rows(values, good):
    """Median of values[i][good[i]] per row (0 for rows without good pixels)."""
    out = np.zeros(values.shape[0])
    for i in range(values.shape[0]):
        v = values[i][good[i]]
        m = v.size
        if m == 0:
            continue
        k = (m - 1) // 2
        if m % 2:
            out[i] = np.partition(v, k)[k]
        else:
            p = np.partition(v, (k, k + 1))
            out[i] = 0.5 * (p[k] + p[k + 1])
    return out


def process_block(plan, flux, ivar, mask, z, ref):
    """flux/ivar/mask: (n, npix) concatenated arms of n rows. Returns per-row arrays."""
    n, npix = flux.shape
    finite = np.isfinite(flux) & np.isfinite(ivar)
    good = finite & (ivar > 0) & (mask == 0)
    mask_frac = np.count_nonzero(mask, axis=1) / npix
    zero_ivar_frac = 1.0 - np.count_nonzero(np.isfinite(ivar) & (ivar > 0), axis=1) / npix
    bad_values = ~np.all(finite, axis=1) | np.any(ivar < 0, axis=1)   # NaN < 0 is False
    iv = np.where(good, ivar, 0.0)
    fiv = np.where(good, flux * ivar, 0.0)

    # ARM_STEP: per join, inverse-variance means over the pixels both arms measure (both good)
    arm_step = np.zeros(n)
    for i1, i2 in plan.joins:
        both = good[:, i1] & good[:, i2]
        s1 = np.where(both, iv[:, i1], 0).sum(1)
        s2 = np.where(both, iv[:, i2], 0).sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            m1 = np.where(both, fiv[:, i1], 0).sum(1) / s1
            m2 = np.where(both, fiv[:, i2], 0).sum(1) / s2
            step = (m2 - m1) / np.sqrt(1.0 / s1 + 1.0 / s2)
        step = np.where((s1 > 0) & (s2 > 0), step, 0.0)
        arm_step = np.where(np.abs(step) > np.abs(arm_step), step, arm_step)

    # merge the arms: sum ivar and ivar*flux over the pixels of each merged wavelength
    siv = iv[:, plan.rep]
    sfx = fiv[:, plan.rep]
    for gid, member in plan.layers:
        siv[:, gid] += iv[:, member]
        sfx[:, gid] += fiv[:, member]
    mgood = siv > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mflux = np.where(mgood, sfx / siv, 0.0)
        inv_iv = np.where(mgood, 1.0 / siv, 0.0)
    ngood = np.count_nonzero(mgood, axis=1)

    # SNR: median of flux*sqrt(ivar) over good merged pixels
    snr = median_rows(mflux * np.sqrt(siv), mgood)

    # rest-frame rebin. Overlaps scale by 1/(1+z), which cancels in F and in V = sum o^2/ivar / S^2,
    # so work in the observed frame with the file's pixel edges and the grid edges times (1+z).
    # Per bin [a, b]: the partial pixels holding a and b, plus the whole pixels between them,
    # summed with one np.add.reduceat over all rows.
    pe, P = plan.pe, plan.pe.size - 1
    zf = 1.0 + z
    x = np.clip(zf[:, None] * EDGES[None, :], pe[0], pe[-1])            # (n, NB+1) observed bin edges
    p = np.minimum(np.searchsorted(pe, x, side="right") - 1, P - 1)     # pixel holding each edge
    rows = np.arange(n)[:, None]
    g = mgood.astype(np.float64)
    per_pix = np.empty((n, P, 3))
    np.multiply(g, plan.w, out=per_pix[..., 0])
    np.multiply(per_pix[..., 0], mflux, out=per_pix[..., 1])
    np.multiply(inv_iv, plan.w2, out=per_pix[..., 2])
    per_pix = per_pix.reshape(n * P, 3)
    pa, pb = p[:, :-1], p[:, 1:]
    a, b = x[:, :-1], x[:, 1:]
    flat = rows * P
    starts = np.empty((n, 2 * NB), np.int64)
    starts[:, 0::2] = flat + np.minimum(pa + 1, P - 1)
    starts[:, 1::2] = flat + pb
    inner = np.add.reduceat(per_pix, starts.ravel(), axis=0)[0::2].reshape(n, NB, 3)
    inner *= (pb - pa > 1)[..., None]                                    # reduceat quirk on empty ranges
    ia, ib = flat + pa, flat + pb
    ga, gb = g.take(ia), g.take(ib)
    fa, fb = mflux.take(ia), mflux.take(ib)
    va, vb = inv_iv.take(ia), inv_iv.take(ib)
    same = pa == pb
    la = np.where(same, b - a, pe[pa + 1] - a)                           # overlap with the left pixel
    lb = np.where(same, 0.0, b - pe[pb])                                 # overlap with the right pixel
    S = inner[..., 0] + la * ga + lb * gb
    FS = inner[..., 1] + la * ga * fa + lb * gb * fb
    VS = inner[..., 2] + la * la * va + lb * lb * vb
    covered = S >= (0.5 * WIDTH)[None, :] * zf[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        F = np.where(covered, FS / S, 0.0)
        IV = np.where(covered, S * S / VS, 0.0)
        A = (IV * F * ref).sum(1) / (IV * ref * ref).sum(1)
    nbins = np.count_nonzero(covered, axis=1)

    flags = ((snr < 1) * 1 | (mask_frac > 0.2) * 2 | (np.abs(arm_step) > 5) * 4 | (nbins < 300) * 8
             | bad_values * 16).astype(np.int32)
    keep = (ngood > 0) & np.isfinite(A) & (A > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        nflux = (F / A[:, None]).astype(np.float32)
        nweight = (IV * (A * A)[:, None]).astype(np.float32)
    return keep, nflux, nweight, dict(AMPLITUDE=A, SNR=snr, MASK_FRAC=mask_frac, ZERO_IVAR_FRAC=zero_ivar_frac,
                                      ARM_STEP=arm_step, NBINS=nbins, FLAGS=flags)


# ------------------------------------------------------------------ one file
_G = {}


def _init(ref, catalog, anyzwarn, spectypes):
    _G["ref"], _G["cat"], _G["anyzwarn"], _G["spectypes"] = ref, catalog, anyzwarn, spectypes


def process_file(args):
    ifile, path = args
    ref, cat = _G["ref"], _G["cat"]
    out = dict(file=ifile, path=path, n=0, skipped=0, error=None)
    try:
        # memmap + raw integers: only the selected rows' pages of FLUX/IVAR/MASK are touched;
        # RESOLUTION HDUs are never read. MASK's BZERO (uint32 stored as int32) is applied by hand.
        with fits.open(path, memmap=True, do_not_scale_image_data=True) as h:
            names = {x.name.upper() for x in h}
            fm = h["FIBERMAP"].data
            fcols = {c.upper() for c in fm.columns.names}
            tid = np.asarray(fm["TARGETID"], dtype=np.int64)
            if cat is not None:
                cid, cz, cra, cdec = cat
                k, hit = lookup(cid, tid)
                sel = hit & (tid >= 0)
                z = np.where(sel, cz[k], np.nan)
                ra_c, dec_c = cra[k], cdec[k]
            else:
                rp = redrock_path(path)
                if rp is None:
                    raise ValueError("no redrock file and no --qso-catalog")
                with fits.open(rp, memmap=False) as rr:
                    t = rr["REDSHIFTS"].data
                    rid = np.asarray(t["TARGETID"], dtype=np.int64)
                    o = np.argsort(rid, kind="stable")
                    k, hit = lookup(rid[o], tid)
                    k = o[k]
                    spectype = np.char.strip(np.asarray(t["SPECTYPE"]).astype(str))
                    ok = np.isin(spectype, _G["spectypes"]) & ((np.asarray(t["ZWARN"]) == 0) | _G["anyzwarn"])
                    sel = hit & (tid >= 0) & ok[k]
                    z = np.where(sel, np.asarray(t["Z"], dtype=np.float64)[k], np.nan)
                ra_c = dec_c = np.full(tid.size, np.nan)
            in_sample = sel.copy()
            sel &= np.isfinite(z) & (z > 0)
            out["skipped"] += int(np.count_nonzero(in_sample & ~sel))
            rows = np.flatnonzero(sel)
            if rows.size == 0:
                return out
            ra = np.asarray(fm["TARGET_RA"], np.float64)[rows] if "TARGET_RA" in fcols else ra_c[rows]
            dec = np.asarray(fm["TARGET_DEC"], np.float64)[rows] if "TARGET_DEC" in fcols else dec_c[rows]
            arms = [a for a in ("B", "R", "Z") if f"{a}_FLUX" in names]
            plan = Plan([np.asarray(h[f"{a}_WAVELENGTH"].data, dtype=np.float64) for a in arms])
            fl_hdus = [h[f"{a}_FLUX"].data for a in arms]
            iv_hdus = [h[f"{a}_IVAR"].data for a in arms]
            masks = None
            if all(f"{a}_MASK" in names for a in arms):
                masks = [(h[f"{a}_MASK"].data, h[f"{a}_MASK"].header.get("BZERO", 0), h[f"{a}_MASK"].header.get("BSCALE", 1))
                         for a in arms]

            def read(rb):
                """(n, npix) flux, ivar (float64) and mask of the rows rb, all arms side by side."""
                take = slice(rb[0], rb[-1] + 1) if rb[-1] - rb[0] + 1 == rb.size else rb
                flux = np.concatenate([np.asarray(d[take], np.float64) for d in fl_hdus], axis=1)
                ivar = np.concatenate([np.asarray(d[take], np.float64) for d in iv_hdus], axis=1)
                if masks is None:
                    return flux, ivar, np.zeros(flux.shape, np.uint8)
                parts = []
                for d, bzero, bscale in masks:
                    raw = np.asarray(d[take])
                    parts.append(raw if (bzero == 0 and bscale == 1) else raw.astype(np.int64) * int(bscale) + int(bzero))
                return flux, ivar, np.concatenate(parts, axis=1)

            keeps, fluxes, weights, cols = [], [], [], []
            for b in range(0, rows.size, BLOCK):
                rb = rows[b:b + BLOCK]
                with np.errstate(all="ignore"):       # non-finite inputs are handled explicitly
                    keep, nf, nw, c = process_block(plan, *read(rb), z[rb], ref)
                keeps.append(keep)
                fluxes.append(nf[keep])
                weights.append(nw[keep])
                cols.append({key: v[keep] for key, v in c.items()})
        keep = np.concatenate(keeps)
        cat_rows = np.zeros(int(keep.sum()), CAT_DTYPE)
        cat_rows["TARGETID"] = tid[rows][keep]
        cat_rows["Z"] = z[rows][keep]
        cat_rows["RA"] = ra[keep]
        cat_rows["DEC"] = dec[keep]
        for key in cols[0]:
            cat_rows[key] = np.concatenate([c[key] for c in cols])
        cat_rows["FILE"] = ifile
        cat_rows["ROW"] = rows[keep]
        out.update(n=cat_rows.size, skipped=out["skipped"] + int(np.count_nonzero(~keep)), catalog=cat_rows,
                   flux=np.concatenate(fluxes), weight=np.concatenate(weights))
    except Exception as e:  # a bad file is reported and skipped, as qad does
        out["error"] = f"{type(e).__name__}: {e}"
    out["pid"] = os.getpid()
    out["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return out


# ------------------------------------------------------------------ output
class NpyRowWriter:
    """Streams float32 rows into an .npy file; the header (fixed 128 bytes) is written last."""
    HEADER = 128

    def __init__(self, path, ncol):
        self.f = open(path, "wb")
        self.ncol = ncol
        self.rows = 0
        self.f.write(b"\0" * self.HEADER)

    def write(self, a):
        a = np.ascontiguousarray(a, dtype="<f4")
        assert a.ndim == 2 and a.shape[1] == self.ncol
        self.f.write(a.data)
        self.rows += a.shape[0]

    def close(self):
        d = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (self.rows, self.ncol)
        head = b"\x93NUMPY\x01\x00" + np.uint16(self.HEADER - 10).astype("<u2").tobytes()
        body = d.encode("latin1")
        body += b" " * (self.HEADER - len(head) - len(body) - 1) + b"\n"
        self.f.seek(0)
        self.f.write(head + body)
        # Durable like qad's cache (qad fsyncs its matrices at the end of a run).
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description="Python/NumPy peer of `qad ingest` (DESI coadds).")
    ap.add_argument("--out", required=True)
    ap.add_argument("--qso-catalog", action="append", default=[])
    ap.add_argument("--reference", help="reference spectrum on the grid (.npy, 3276 values)")
    ap.add_argument("--reference-store", help="qad store whose cache/reference.npy to use")
    ap.add_argument("--spectype", action="append", default=None,
                    help="redrock SPECTYPE accepted without a catalog (repeatable; default QSO)")
    ap.add_argument("--any-zwarn", action="store_true")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args(argv)
    ref_path = a.reference or (os.path.join(a.reference_store, "cache", "reference.npy") if a.reference_store else None)
    if ref_path is None:
        ap.error("give --reference FILE.npy or --reference-store DIR")

    t0 = time.perf_counter()
    ref = np.asarray(np.load(ref_path), dtype=np.float64)
    if ref.shape != (NB,):
        ap.error(f"{ref_path}: expected {NB} values, got {ref.shape}")
    catalog = load_catalogs(a.qso_catalog) if a.qso_catalog else None
    files = find_coadds(a.paths)
    os.makedirs(a.out, exist_ok=True)
    fw = NpyRowWriter(os.path.join(a.out, "flux.npy"), NB)
    ww = NpyRowWriter(os.path.join(a.out, "weight.npy"), NB)
    seen = set()
    catalogs = []
    worker_rss = {}
    skipped = dup = failed = 0

    def consume(res):
        nonlocal skipped, dup, failed
        worker_rss[res.get("pid")] = max(worker_rss.get(res.get("pid"), 0), res.get("maxrss", 0))
        if res["error"]:
            failed += 1
            print(f"error: {res['path']}: {res['error']}", file=sys.stderr)
            return
        skipped += res["skipped"]
        if res["n"] == 0:
            return
        c = res["catalog"]
        fresh = np.array([t not in seen for t in c["TARGETID"].tolist()])
        _, first = np.unique(c["TARGETID"], return_index=True)      # repeated within the file: first row wins
        once = np.zeros(c.size, bool)
        once[first] = True
        fresh &= once
        dup += int(np.count_nonzero(~fresh))
        seen.update(c["TARGETID"][fresh].tolist())
        if fresh.all():
            fw.write(res["flux"])
            ww.write(res["weight"])
            catalogs.append(c)
        else:
            fw.write(res["flux"][fresh])
            ww.write(res["weight"][fresh])
            catalogs.append(c[fresh])

    jobs = list(enumerate(files))
    if a.workers <= 1:
        _init(ref, catalog, a.any_zwarn, a.spectype or ["QSO"])
        for job in jobs:
            consume(process_file(job))
    else:
        ctx = mp.get_context("fork")
        with ctx.Pool(a.workers, initializer=_init, initargs=(ref, catalog, a.any_zwarn, a.spectype or ["QSO"])) as pool:
            for res in pool.imap(process_file, jobs, chunksize=1):
                consume(res)
    fw.close()
    ww.close()
    cat = np.concatenate(catalogs) if catalogs else np.zeros(0, CAT_DTYPE)
    np.save(os.path.join(a.out, "catalog.npy"), cat)
    with open(os.path.join(a.out, "catalog.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(CAT_DTYPE.names) + ["SOURCE_FILE"])
        for rec in cat.tolist():
            w.writerow(list(rec) + [files[rec[CAT_DTYPE.names.index("FILE")]]])
    dt = time.perf_counter() - t0

    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = sum(v for k, v in worker_rss.items() if k not in (None, os.getpid()))
    peak_mb = (self_rss + workers) / 1024.0
    n = cat.size
    print(f"peer files {len(files)}, failed {failed}, rows skipped {skipped}, repeated TARGETIDs {dup}",
          file=sys.stderr, flush=True)
    print(f"peer: {n} spectra in {dt:.2f} s = {n / dt if dt > 0 else 0:.1f} spectra/s, peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
