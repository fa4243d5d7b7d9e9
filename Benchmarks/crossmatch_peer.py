"""astropy's search_around_sky on the files qad bench crossmatch reads.

    crossmatch_peer.py make DIR N_TARGETS N_SOURCES SEED
        targets.parquet (TARGETID above 2^53, RA, DEC) and catalog.parquet
        (SOURCE_ID, RA, DEC): uniform on the sphere, and a tenth of the
        sources placed within 1.5 arcsec of a random target (counterparts), so
        the match finds pairs as a real one does.
    crossmatch_peer.py match DIR RADIUS_ARCSEC
        Reads both with pyarrow, builds SkyCoords, runs search_around_sky
        (KD-tree on the catalog) and prints the time and pair count.
"""
import sys
import time

import numpy as np


def make(d, n_targets, n_sources, seed):
    import pyarrow as pa
    import pyarrow.parquet as pq
    rng = np.random.default_rng(seed)
    tra = rng.uniform(0, 360, n_targets)
    tdec = np.degrees(np.arcsin(rng.uniform(-1, 1, n_targets)))
    tid = (np.int64(39627835576420141) + np.arange(n_targets, dtype=np.int64) * 4099)
    pq.write_table(pa.table({"TARGETID": tid, "RA": tra, "DEC": tdec}), f"{d}/targets.parquet")
    n_cp = n_sources // 10
    pick = rng.integers(0, n_targets, n_cp)
    # A small offset in a random direction (flat-sky is fine for making data).
    r = rng.uniform(0, 1.5, n_cp) / 3600
    pa_ = rng.uniform(0, 2 * np.pi, n_cp)
    cdec = np.clip(tdec[pick] + r * np.cos(pa_), -90, 90)
    cra = np.mod(tra[pick] + r * np.sin(pa_) / np.maximum(np.cos(np.radians(cdec)), 1e-6), 360)
    n_u = n_sources - n_cp
    sra = np.concatenate([rng.uniform(0, 360, n_u), cra])
    sdec = np.concatenate([np.degrees(np.arcsin(rng.uniform(-1, 1, n_u))), cdec])
    order = rng.permutation(n_sources)
    sid = np.arange(n_sources, dtype=np.int64)
    pq.write_table(pa.table({"SOURCE_ID": sid, "RA": sra[order], "DEC": sdec[order]}), f"{d}/catalog.parquet")


def match(d, radius):
    import astropy.units as u
    import pyarrow.parquet as pq
    from astropy.coordinates import SkyCoord, search_around_sky
    t0 = time.perf_counter()
    t = pq.read_table(f"{d}/targets.parquet")
    c = pq.read_table(f"{d}/catalog.parquet")
    tc = SkyCoord(t["RA"].to_numpy() * u.deg, t["DEC"].to_numpy() * u.deg)
    cc = SkyCoord(c["RA"].to_numpy() * u.deg, c["DEC"].to_numpy() * u.deg)
    t1 = time.perf_counter()
    i1, i2, sep, _ = search_around_sky(tc, cc, radius * u.arcsec)
    t2 = time.perf_counter()
    print(f"astropy: {len(tc)} targets x {len(cc)} sources at {radius:g} arcsec: {len(i1)} pairs, "
          f"{len(np.unique(i1))} targets matched; read {t1 - t0:.2f} s, search_around_sky {t2 - t1:.2f} s, "
          f"total {t2 - t0:.2f} s (1 thread)")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == "match":
        match(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(__doc__)
