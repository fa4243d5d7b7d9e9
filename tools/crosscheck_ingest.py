#!/usr/bin/env python3
"""Independent cross-check of `qad ingest` against docs/preprocessing.md.

Usage: python tools/crosscheck_ingest.py --store DIR [--rtol 1e-5]

For every ingested spectrum (the store's `epoch` table: each object's primary
and its other epochs; the `spectrum` table in a store made before epochs were
kept) this re-reads the source file
with astropy, checks the TARGETID (int64, exact), and recomputes with NumPy,
from the recipe in docs/preprocessing.md only:

  * the arm merge (good-pixel rule, stable sort, < 0.01 A merge, ivar-weighted flux),
  * the rest-frame rebin on the global grid (exact interval overlaps, computed
    here by cutting the wavelength axis at the union of pixel and bin edges),
  * the amplitude against cache/reference.npy,
  * the noise scale s (robust scale of the normalized flux's second
    differences over their claimed sigma, rest > 1250 A),
  * F/A and ivar*A^2/max(1,s)^2 (compared with the float32 cache rows),
  * SNR, MASK_FRAC, ZERO_IVAR_FRAC, ARM_STEP, NOISE_SCALE, NBINS, FLAGS
    (and Z when it came from redrock or an SDSS spec file).

Each `spectrum` row (an object's primary) must be the epoch at its cache row,
an epoch of that object.

Prints one line per spectrum and `crosscheck: N passed, M failed`; exits 1 on any
failure or when the store has no rows.
"""
import argparse
import math
import os
import sqlite3
import sys

import numpy as np
from astropy.io import fits

NBINS = 3276
LOG_LO = math.log10(460.0)
DLOG = 4e-4
MERGE_TOL = 0.01          # Angstrom
COVER_FRAC = 0.5
THRESH_EPS = 1e-9         # coverage fractions this close to 0.5 may go either way

FLAG_LOW_SNR, FLAG_MANY_MASKED, FLAG_ARM_STEP, FLAG_FEW_BINS, FLAG_BAD_VALUES = 1, 2, 4, 8, 16
FLAG_NOISE_EXCESS = 32
NOISE_MIN_REST = 1250.0   # Angstrom: the Lya forest's absorption is left out
NOISE_MIN_BINS = 50
NOISE_EXCESS = 1.2
NOISE_RTOL = 1e-4


def noise_scale(nf32, nw32, centres):
    """1.4826 MAD of (f_k - (f_{k-1}+f_{k+1})/2) / sqrt(1/w_k + (1/w_{k-1}+1/w_{k+1})/4)
    over bins k whose own and neighbours' centres lie redward of 1250 A with
    w > 0 (docs/preprocessing.md); 1 with fewer than 50 such bins."""
    f = nf32.astype(np.float64)
    w = nw32.astype(np.float64)
    ok = (w > 0) & (centres > NOISE_MIN_REST)
    k = np.flatnonzero(ok[1:-1] & ok[:-2] & ok[2:]) + 1
    with np.errstate(all="ignore"):
        d = (f[k] - 0.5 * (f[k - 1] + f[k + 1])) / np.sqrt(1 / w[k] + 0.25 * (1 / w[k - 1] + 1 / w[k + 1]))
    d = d[np.isfinite(d)]
    if d.size < NOISE_MIN_BINS:
        return 1.0
    s = 1.4826 * float(np.median(np.abs(d - np.median(d))))
    return s if np.isfinite(s) and s > 0 else 1.0


# ----------------------------------------------------------------------------- grid
def gcentres(edges):
    """Bin centres: the geometric mean of the edges."""
    return np.sqrt(edges[:-1] * edges[1:])


def grid_edges():
    k = np.arange(NBINS + 1, dtype=np.float64)
    return 10.0 ** (LOG_LO + k * DLOG)


# ----------------------------------------------------------------------------- input
class Arm:
    __slots__ = ("wave", "flux", "ivar", "mask")

    def __init__(self, wave, flux, ivar, mask):
        self.wave = np.asarray(wave, dtype=np.float64)
        self.flux = np.asarray(flux, dtype=np.float64)
        self.ivar = np.asarray(ivar, dtype=np.float64)
        self.mask = np.asarray(mask).astype(np.int64) if mask is not None else np.zeros(self.wave.size, np.int64)


class FileCache:
    """Keeps the last opened file's HDUs (rows of one file are usually consecutive)."""

    def __init__(self):
        self.path = None
        self.hdul = None

    def open(self, path):
        if path != self.path:
            if self.hdul is not None:
                self.hdul.close()
            self.hdul = fits.open(path, memmap=False)  # MASK HDUs carry BZERO: no memmap
            self.path = path
        return self.hdul


def hdu_names(hdul):
    return {h.name.upper() for h in hdul}


def read_desi(hdul, row):
    """Arms B, R, Z (those present) of image row `row`, and the FIBERMAP TARGETID there."""
    names = hdu_names(hdul)
    fm = hdul["FIBERMAP"].data
    tid = np.int64(np.asarray(fm["TARGETID"])[row])
    arms = []
    for a in ("B", "R", "Z"):
        if f"{a}_FLUX" not in names:
            continue
        wave = hdul[f"{a}_WAVELENGTH"].data
        flux = hdul[f"{a}_FLUX"].data[row]
        ivar = hdul[f"{a}_IVAR"].data[row]
        mask = hdul[f"{a}_MASK"].data[row] if f"{a}_MASK" in names else None
        arms.append(Arm(wave, flux, ivar, mask))
    return tid, arms


def read_sdss(hdul, row):
    d = hdul[1].data
    cols = {c.upper(): c for c in d.columns.names}
    loglam = np.asarray(d[cols["LOGLAM"]], dtype=np.float64)
    arm = Arm(10.0 ** loglam, d[cols["FLUX"]], d[cols["IVAR"]], d[cols["AND_MASK"]])
    s = hdul[2].data
    scol = {c.upper(): c for c in s.columns.names}
    plate = int(s[scol["PLATE"]][row])
    mjd = int(s[scol["MJD"]][row])
    fiber = int(s[scol["FIBERID"]][row])
    # exact integer (docs/preprocessing.md); the caller reports one that does not fit in int64
    tid = (1 << 62) | (plate << 24) | (fiber << 14) | (mjd - 50000)
    z = float(s[scol["Z"]][row])
    return tid, [arm], z


def redrock_z(coadd_path, targetid):
    d, base = os.path.split(coadd_path)
    if not base.startswith("coadd-"):
        return None
    for prefix in ("redrock-", "zbest-"):
        for ext in ("", ".gz"):
            p = os.path.join(d, prefix + base[len("coadd-"):].removesuffix(".gz") + ext)
            if os.path.exists(p):
                with fits.open(p) as h:
                    t = h["REDSHIFTS"].data if "REDSHIFTS" in hdu_names(h) else h[1].data
                    ids = np.asarray(t["TARGETID"], dtype=np.int64)
                    hit = np.nonzero(ids == targetid)[0]
                    if hit.size:
                        return float(t["Z"][hit[0]])
    return None


# ----------------------------------------------------------------------------- recipe
def merge_arms(arms):
    """Section 2: concatenate, flag good pixels, stable sort, merge < 0.01 A neighbours."""
    wave = np.concatenate([a.wave for a in arms])
    flux = np.concatenate([a.flux for a in arms])
    ivar = np.concatenate([a.ivar for a in arms])
    mask = np.concatenate([a.mask for a in arms])

    finite = np.isfinite(flux) & np.isfinite(ivar)
    good = (mask == 0) & finite & (ivar > 0)
    stats = {
        "n_in": wave.size,
        "mask_frac": np.count_nonzero(mask != 0) / wave.size,
        "zero_ivar_frac": np.count_nonzero(~(np.isfinite(ivar) & (ivar > 0))) / wave.size,
        "bad_values": bool(np.any(~finite) or np.any(ivar[np.isfinite(ivar)] < 0)),
    }

    iv = np.where(good, ivar, 0.0)
    fx = np.where(good, flux, 0.0)

    order = np.argsort(wave, kind="stable")
    w, iv, fx = wave[order], iv[order], fx[order]
    start = np.ones(w.size, dtype=bool)
    start[1:] = np.diff(w) >= MERGE_TOL            # a new merged pixel unless < 0.01 A from the previous
    first = np.flatnonzero(start)
    mw = w[first]
    siv = np.add.reduceat(iv, first)
    sfx = np.add.reduceat(iv * fx, first)
    mgood = siv > 0
    mflux = np.zeros_like(siv)
    mflux[mgood] = sfx[mgood] / siv[mgood]
    return mw, mflux, siv, mgood, stats


def pixel_edges(w):
    e = np.empty(w.size + 1)
    e[1:-1] = 0.5 * (w[1:] + w[:-1])
    e[0] = w[0] - 0.5 * (w[1] - w[0])
    e[-1] = w[-1] + 0.5 * (w[-1] - w[-2])
    return e


def rebin(mw, mflux, mivar, mgood, z, gedges):
    """Section 3 with exact overlaps: the axis is cut at every pixel and bin edge,
    so each piece lies in exactly one pixel and one bin and its length is o_ij."""
    pe = pixel_edges(mw) / (1.0 + z)
    lo, hi = max(pe[0], gedges[0]), min(pe[-1], gedges[-1])
    nb = gedges.size - 1
    S = np.zeros(nb)
    FS = np.zeros(nb)
    VS = np.zeros(nb)
    if hi > lo:
        cuts = np.union1d(pe[(pe > lo) & (pe < hi)], gedges[(gedges > lo) & (gedges < hi)])
        cuts = np.concatenate([[lo], cuts, [hi]])
        length = np.diff(cuts)
        keep = length > 0
        mid = 0.5 * (cuts[:-1] + cuts[1:])[keep]
        o = length[keep]
        pix = np.searchsorted(pe, mid, side="right") - 1
        b = np.searchsorted(gedges, mid, side="right") - 1
        g = mgood[pix]
        pix, b, o = pix[g], b[g], o[g]
        # pieces of the same (pixel, bin) pair are contiguous; a pair is one interval,
        # but sum per pair anyway before squaring, in case of ties in the edges
        key = pix.astype(np.int64) * nb + b
        ukey, inv = np.unique(key, return_inverse=True)
        opair = np.bincount(inv, weights=o)
        ppix, pbin = ukey // nb, ukey % nb
        S = np.bincount(pbin, weights=opair, minlength=nb)
        FS = np.bincount(pbin, weights=opair * mflux[ppix], minlength=nb)
        VS = np.bincount(pbin, weights=opair ** 2 / mivar[ppix], minlength=nb)
    width = np.diff(gedges)
    frac = S / width
    return S, FS, VS, frac


def finish_bins(S, FS, VS, covered):
    F = np.zeros_like(S)
    iv = np.zeros_like(S)
    F[covered] = FS[covered] / S[covered]
    V = VS[covered] / S[covered] ** 2
    iv[covered] = 1.0 / V
    return F, iv


def arm_step(arms):
    """Section 5: per join (consecutive arms), pixels both arms measure and both call good."""
    best = 0.0
    for a1, a2 in zip(arms[:-1], arms[1:]):
        g1 = (a1.mask == 0) & np.isfinite(a1.flux) & np.isfinite(a1.ivar) & (a1.ivar > 0)
        g2 = (a2.mask == 0) & np.isfinite(a2.flux) & np.isfinite(a2.ivar) & (a2.ivar > 0)
        o1 = np.argsort(a1.wave, kind="stable")
        w1 = a1.wave[o1]
        if w1.size == 0 or a2.wave.size == 0:
            continue
        k = np.clip(np.searchsorted(w1, a2.wave), 1, w1.size - 1) if w1.size > 1 else np.zeros(a2.wave.size, int)
        if w1.size > 1:
            k = np.where(np.abs(w1[k - 1] - a2.wave) <= np.abs(w1[k] - a2.wave), k - 1, k)
        i1 = o1[k]
        pair = (np.abs(a1.wave[i1] - a2.wave) < MERGE_TOL) & g1[i1] & g2
        if not np.any(pair):
            continue
        i1 = i1[pair]
        iv1, f1 = a1.ivar[i1], a1.flux[i1]
        iv2, f2 = a2.ivar[pair], a2.flux[pair]
        s1, s2 = iv1.sum(), iv2.sum()
        m1, m2 = (iv1 * f1).sum() / s1, (iv2 * f2).sum() / s2
        step = (m2 - m1) / math.sqrt(1.0 / s1 + 1.0 / s2)
        if abs(step) > abs(best):
            best = step
    return best


# ----------------------------------------------------------------------------- comparison
def close(a, b, rtol, atol=0.0):
    return abs(a - b) <= rtol * abs(b) + atol


def check_row(rec, hdul, gedges, ref, flux_cache, weight_cache, rtol):
    """Returns (ok, message)."""
    errs = []
    info = []
    path = rec["source_file"]
    row = rec["source_row"]
    is_sdss = os.path.basename(path).startswith("spec-")
    z_expected = None
    if is_sdss:
        tid, arms, z_expected = read_sdss(hdul, row)
    else:
        tid, arms = read_desi(hdul, row)
        if rec["z_source"] == "redrock":
            z_expected = redrock_z(path, int(tid))
    stored_tid = int(rec["targetid"])  # sqlite INTEGER: exact 64-bit signed
    if not -2**63 <= int(tid) < 2**63:
        wrapped = (int(tid) + 2**63) % 2**64 - 2**63
        errs.append(f"TARGETID 1<<62|plate<<24|fiber<<14|(mjd-50000) = {int(tid)} does not fit in int64"
                    + (f"; stored {stored_tid} is that value wrapped mod 2^64" if wrapped == stored_tid
                       else f"; stored {stored_tid}"))
    elif int(np.int64(tid)) != stored_tid:
        errs.append(f"TARGETID {int(tid)} at row {row} != stored {stored_tid}")
    z = float(rec["z"])
    if z_expected is not None and not close(z, z_expected, 1e-12, 1e-12):
        errs.append(f"z {z!r} != source {z_expected!r}")

    mw, mflux, mivar, mgood, st = merge_arms(arms)
    S, FS, VS, frac = rebin(mw, mflux, mivar, mgood, z, gedges)
    covered = frac >= COVER_FRAC
    ambiguous = np.abs(frac - COVER_FRAC) <= THRESH_EPS

    cflux = np.asarray(flux_cache[rec["cache_row"]], dtype=np.float64)
    cw = np.asarray(weight_cache[rec["cache_row"]], dtype=np.float64)
    ccov = cw > 0
    # a covered bin whose ivar*A^2 underflows float32 reads as weight 0: still covered
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        iv_any = np.where(S > 0, S * S / VS, 0.0)
        underflow = covered & (np.float32(0) == (iv_any * float(rec["amplitude"]) ** 2).astype(np.float32))
    if np.any(underflow & ~ccov):
        info.append(f"{np.count_nonzero(underflow & ~ccov)} bins with float32-underflowing weight")
        ccov = ccov | underflow
    diff_cov = covered != ccov
    if np.any(diff_cov & ~ambiguous):
        bad = np.flatnonzero(diff_cov & ~ambiguous)
        errs.append(f"coverage differs in {bad.size} bins (first bin {bad[0]}: frac {frac[bad[0]]:.12g}, "
                    f"mine {'covered' if covered[bad[0]] else 'empty'})")
    # at the threshold both answers are right: follow qad there so the rest is comparable
    n_amb_diff = int(np.count_nonzero(diff_cov & ambiguous))
    if n_amb_diff:
        covered = np.where(ambiguous, ccov, covered) & (S > 0)
        info.append(f"{n_amb_diff} threshold bins")
    F, IV = finish_bins(S, FS, VS, covered)
    nbins = int(np.count_nonzero(covered))

    T = ref
    A = float(np.sum(IV[covered] * F[covered] * T[covered]) / np.sum(IV[covered] * T[covered] ** 2))
    if not close(float(rec["amplitude"]), A, rtol):
        errs.append(f"amplitude {rec['amplitude']:.10g} vs {A:.10g} (rel {abs(rec['amplitude'] / A - 1):.2e})")
    if not A > 0:
        errs.append(f"stored row with non-positive amplitude {A}")

    nf = F / A
    nw = IV * A * A
    with np.errstate(over="ignore"):
        s = noise_scale(np.where(covered, nf, 0).astype(np.float32), np.where(covered, nw, 0).astype(np.float32),
                        gcentres(gedges))
    # s is a median of second differences of float32 values: at high S/N they
    # cancel to a few digits, and one-ulp differences between my float32 flux
    # and qad's move s by ~1e-5. s is checked on its own (NOISE_RTOL); the
    # weights are checked as divided by the stored s.
    s_stored = float(rec["noise_scale"])
    if not close(s_stored, s, NOISE_RTOL, 1e-9):
        errs.append(f"noise_scale {s_stored:.10g} vs {s:.10g}")
    nw = nw / max(1.0, s_stored) ** 2
    both = covered & ccov
    if np.any(both):
        scale = max(np.median(np.abs(nf[both])), 0.0)
        with np.errstate(over="ignore", invalid="ignore"):
            nf32 = nf.astype(np.float32)                  # what a float32 cache can hold
            f32 = np.spacing(np.abs(nf32)).astype(np.float64)
            tolf = rtol * np.maximum(np.abs(nf), scale) + f32
            dev = np.abs(cflux - nf)
        overflow = ~np.isfinite(nf32)                     # |F/A| beyond float32: must be the same inf
        if np.any(both & overflow):
            info.append(f"{np.count_nonzero(both & overflow)} bins with |F/A| > float32 max")
        badf = both & np.where(overflow, cflux != nf32, dev > tolf)
        dev = np.where(overflow, 0.0, dev)
        if np.any(badf):
            j = int(np.flatnonzero(badf)[np.argmax((dev / tolf)[badf])])
            errs.append(f"flux differs in {np.count_nonzero(badf)} bins (worst bin {j}: {cflux[j]:.8g} vs {nf[j]:.8g}, "
                        f"scale {scale:.4g})")
        with np.errstate(over="ignore"):
            w32 = np.spacing(np.abs(nw).astype(np.float32)).astype(np.float64)
        tolw = rtol * np.abs(nw) + w32
        devw = np.abs(cw - nw)
        badw = both & (devw > tolw)
        if np.any(badw):
            j = int(np.flatnonzero(badw)[np.argmax((devw / tolw)[badw])])
            errs.append(f"weight differs in {np.count_nonzero(badw)} bins (worst bin {j}: {cw[j]:.8g} vs {nw[j]:.8g})")
        info.append(f"flux dev/tol {np.max(dev[both] / tolf[both]):.2g}, weight dev/tol {np.max(devw[both] / tolw[both]):.2g}")
    uncovered = ~covered & ~ccov
    if np.any(cflux[uncovered] != 0):
        errs.append(f"{np.count_nonzero(cflux[uncovered] != 0)} uncovered bins have non-zero flux")

    snr = float(np.median(mflux[mgood] * np.sqrt(mivar[mgood]))) if np.any(mgood) else 0.0
    step = arm_step(arms)
    scalars = [
        ("snr", snr, 1e-12),
        ("mask_frac", st["mask_frac"], 1e-15),
        ("zero_ivar_frac", st["zero_ivar_frac"], 1e-15),
        ("arm_step", step, 1e-9),
    ]
    for name, mine, atol in scalars:
        theirs = float(rec[name])
        if not close(theirs, mine, rtol, atol):
            errs.append(f"{name} {theirs:.10g} vs {mine:.10g}")
    if int(rec["nbins"]) != nbins:
        errs.append(f"nbins {rec['nbins']} vs {nbins}")

    flags = 0
    if snr < 1:
        flags |= FLAG_LOW_SNR
    if st["mask_frac"] > 0.2:
        flags |= FLAG_MANY_MASKED
    if abs(step) > 5:
        flags |= FLAG_ARM_STEP
    if nbins < 300:
        flags |= FLAG_FEW_BINS
    if st["bad_values"]:
        flags |= FLAG_BAD_VALUES
    if s_stored > NOISE_EXCESS:
        flags |= FLAG_NOISE_EXCESS
    if int(rec["flags"]) != flags:
        errs.append(f"flags {rec['flags']} vs {flags}")

    head = f"{stored_tid} {os.path.basename(path)}[{rec['source_hdu']}:{row}] z={z:.4f}"
    if errs:
        return False, f"FAIL {head}: " + "; ".join(errs)
    return True, (f"ok   {head}: A={A:.6g} nbins={nbins} snr={snr:.4g} arm_step={step:.4g} s={s:.4g} "
                  + ", ".join(info))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--rtol", type=float, default=1e-5)
    args = ap.parse_args(argv)

    cache = os.path.join(args.store, "cache")
    db = os.path.join(args.store, "qad.sqlite")
    if not os.path.exists(db):
        print(f"crosscheck: {db}: no such store", file=sys.stderr)
        print("crosscheck: 0 passed, 0 failed")
        return 1

    ge = grid_edges()
    stored_edges = np.load(os.path.join(cache, "grid_edges.npy"))
    failed_setup = []
    if stored_edges.shape != ge.shape or not np.allclose(stored_edges, ge, rtol=1e-12, atol=0):
        failed_setup.append(f"grid_edges.npy differs from the documented grid "
                            f"(shape {stored_edges.shape}, max rel {np.max(np.abs(stored_edges / ge - 1)) if stored_edges.shape == ge.shape else 'n/a'})")
    centres = np.load(os.path.join(cache, "grid.npy"))
    if centres.shape != (NBINS,) or not np.allclose(centres, np.sqrt(ge[:-1] * ge[1:]), rtol=1e-12, atol=0):
        failed_setup.append("grid.npy is not the geometric mean of the edges")
    ref = np.asarray(np.load(os.path.join(cache, "reference.npy")), dtype=np.float64)
    if ref.shape != (NBINS,):
        failed_setup.append(f"reference.npy has shape {ref.shape}")
    for m in failed_setup:
        print(f"FAIL grid: {m}")

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    source = "epoch" if "epoch" in tables else "spectrum"
    rows = con.execute(f"SELECT * FROM {source} ORDER BY source_file, source_row").fetchall()
    shards = {r["name"]: r["rows"] for r in con.execute("SELECT name, rows FROM cache_shard")}
    if source == "epoch":
        epochs = {(r["cache_shard"], r["cache_row"]): r for r in rows}
        for p in con.execute("SELECT targetid, cache_shard, cache_row, source_file, snr FROM spectrum"):
            e = epochs.get((p["cache_shard"], p["cache_row"]))
            if e is None or e["object"] != p["targetid"] or e["source_file"] != p["source_file"] or e["snr"] != p["snr"]:
                failed_setup.append(f"spectrum row of object {p['targetid']} is not an epoch of it "
                                    f"(cache {p['cache_shard']}:{p['cache_row']})")
                print(f"FAIL primary: {failed_setup[-1]}")
    con.close()

    arrays = {}
    files = FileCache()
    passed = failed = 0
    for rec in rows:
        shard = rec["cache_shard"]
        if shard not in arrays:
            arrays[shard] = (np.load(os.path.join(cache, f"{shard}.flux.npy"), mmap_mode="r"),
                             np.load(os.path.join(cache, f"{shard}.weight.npy"), mmap_mode="r"))
        fl, wt = arrays[shard]
        try:
            if rec["cache_row"] >= shards.get(shard, fl.shape[0]) or fl.shape[1] != NBINS or wt.shape != fl.shape:
                raise ValueError(f"cache row {rec['cache_row']} not in shard {shard} {fl.shape} "
                                 f"(committed rows {shards.get(shard)})")
            ok, msg = check_row(rec, files.open(rec["source_file"]), ge, ref, fl, wt, args.rtol)
        except Exception as e:  # a crash on one row is a failure of that row, not of the run
            ok, msg = False, f"FAIL {rec['targetid']} {rec['source_file']}: {type(e).__name__}: {e}"
        print(msg)
        passed += ok
        failed += not ok
    failed += len(failed_setup)
    print(f"crosscheck: {passed} passed, {failed} failed")
    return 0 if (failed == 0 and passed > 0) else 1


if __name__ == "__main__":
    sys.exit(main())
