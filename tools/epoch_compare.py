"""Independent NumPy/astropy measurement of what changed between two SDSS
spectra of one object, for checking `qad epochs` (same method, separate code):

  - the later spectrum interpolated onto the earlier one's wavelengths;
  - later ~ earlier * (a0 + a1 x + a2 x^2) fitted on line-free continuum
    windows (x = ln lambda scaled to -1..1), the shape divided out and the
    level a0 kept;
  - each broad line's flux above a straight continuum through two side bands.

usage: epoch_compare.py EARLIER.fits LATER.fits  -> JSON on stdout
"""
import json
import sys

import numpy as np
from astropy.io import fits

LINES = [  # name, rest, line window, side band 1, side band 2 (rest Angstrom)
    ("Lyα", 1215.67, (1195, 1255), (1275, 1290), (1340, 1360)),
    ("CIV", 1549.06, (1500, 1600), (1445, 1465), (1690, 1705)),
    ("CIII]", 1908.73, (1860, 1960), (1800, 1820), (1980, 2000)),
    ("MgII", 2798.75, (2700, 2900), (2650, 2670), (2950, 3000)),
    ("Hβ", 4862.68, (4760, 4940), (4200, 4230), (5080, 5100)),
    ("Hα", 6564.61, (6400, 6750), (6110, 6250), (6800, 7000)),
]
CONTINUUM = [(1275, 1290), (1340, 1360), (1445, 1465), (1690, 1705), (1800, 1820), (1980, 2000), (2650, 2670),
             (2950, 3000), (3010, 3040), (3240, 3270), (3790, 3810), (4200, 4230), (5080, 5100), (5600, 5630),
             (6005, 6035), (6110, 6250), (6800, 7000)]


def read(path):
    with fits.open(path) as h:
        d = h[1].data
        names = {n.lower(): n for n in d.columns.names}
        lam = 10 ** d[names["loglam"]].astype(float)
        flux = d[names["flux"]].astype(float)
        ivar = d[names["ivar"]].astype(float)
        ivar[d[names["and_mask"]] != 0] = 0
        s = h[2].data
        return dict(lam=lam, flux=flux, ivar=ivar, z=float(s["Z"][0]), cls=s["CLASS"][0].strip().upper(),
                    mjd=int(s["MJD"][0]))


def compare(a, b):
    z = a["z"] if a["cls"] == "QSO" or b["cls"] != "QSO" else b["z"]
    keep = (a["lam"] >= b["lam"][0]) & (a["lam"] <= b["lam"][-1])
    lam = a["lam"][keep]
    fe, ie = a["flux"][keep], a["ivar"][keep]
    # linear interpolation of b, its variance from the two neighbours' weights
    j = np.clip(np.searchsorted(b["lam"], lam) - 1, 0, len(b["lam"]) - 2)
    t = (lam - b["lam"][j]) / (b["lam"][j + 1] - b["lam"][j])
    fl = b["flux"][j] + t * (b["flux"][j + 1] - b["flux"][j])
    ok = (ie > 0) & (b["ivar"][j] > 0) & (b["ivar"][j + 1] > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ve = np.where(ok, 1 / ie, np.inf)
        vl = np.where(ok, (1 - t) ** 2 / b["ivar"][j] + t ** 2 / b["ivar"][j + 1], np.inf)
    rest = lam / (1 + z)

    sel = np.zeros(len(lam), bool)
    used = 0
    for lo, hi in CONTINUUM:
        w = (rest >= lo) & (rest <= hi) & ok
        if w.sum() >= 5:
            sel |= w
            used += 1
    lnl = np.log(lam)
    centre = 0.5 * (lnl[sel].min() + lnl[sel].max())
    half = max(0.5 * (lnl[sel].max() - lnl[sel].min()), 1e-6)
    deg = min(2, used - 1)
    x = (lnl[sel] - centre) / half
    design = np.stack([fe[sel] * x ** d for d in range(deg + 1)], axis=1)
    wt = 1 / (ve[sel] + vl[sel])
    coef = np.linalg.solve(design.T @ (design * wt[:, None]), design.T @ (wt * fl[sel]))
    xs = np.clip((lnl - centre) / half, -1, 1)
    shape = np.maximum(sum(c / coef[0] * xs ** d for d, c in enumerate(coef)), 0.05)
    fl2, vl2 = fl / shape, vl / shape ** 2

    def measure(flux, var, window):
        name, rest_line, line, b1, b2 = window
        bands = []
        for lo, hi in (b1, b2):
            idx = np.where((rest >= lo) & (rest <= hi) & np.isfinite(var))[0]
            if len(idx) < 3:
                return None
            wgt = 1 / var[idx]
            bands.append((lam[idx[len(idx) // 2]], np.sum(flux[idx] * wgt) / wgt.sum(), 1 / wgt.sum()))
        (l1, c1, v1), (l2, c2, v2) = bands
        inwin = np.where((rest >= line[0]) & (rest <= line[1]))[0]
        good = inwin[np.isfinite(var[inwin])]
        if len(inwin) < 5 or len(good) < 0.8 * len(inwin):
            return None
        dl = np.gradient(lam)
        cont = lambda l: c1 + (c2 - c1) * (l - l1) / (l2 - l1)
        scale = dl[inwin].sum() / dl[good].sum()
        f = np.sum((flux[good] - cont(lam[good])) * dl[good]) * scale
        v = np.sum(var[good] * dl[good] ** 2) * scale ** 2 + 0.5 * (v1 + v2) * dl[inwin].sum() ** 2
        return dict(flux=f, error=float(np.sqrt(v)), ew=f / cont(rest_line * (1 + z)) / (1 + z))

    lines = {}
    for window in LINES:
        m0, m1 = measure(fe, ve, window), measure(fl2, vl2, window)
        if m0 and m1:
            lines[window[0]] = dict(earlier=m0, later=m1)
    return dict(continuum_ratio=float(coef[0]), windows=used, lines=lines)


if __name__ == "__main__":
    a, b = read(sys.argv[1]), read(sys.argv[2])
    if a["mjd"] > b["mjd"]:
        a, b = b, a
    print(json.dumps(compare(a, b)))
