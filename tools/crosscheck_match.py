"""Cross-checks qad's cross-match against astropy's search_around_sky.

    crosscheck_match.py random OUTDIR N_TARGETS N_SOURCES SEED
        Writes targets.parquet (TARGETID above 2^53, RA, DEC) and sources.fits
        (SOURCE_ID, RA, DEC): uniform on the sphere plus crowds within 1 deg of
        both poles and along RA = 0/360, points exactly at the poles and at
        RA = 0, exact duplicates, and counterparts of targets a random distance
        (< 3 arcsec) away, so that every edge case yields pairs.

    crosscheck_match.py check TARGETS T_RA T_DEC T_ID CATALOG C_RA C_DEC C_ID RADIUS PAIRS_CSV
        Runs search_around_sky on the two files (C_ID may be ROW: the 0-based
        row) and compares with qad's pairs file (TARGETID, id, SEP_ARCSEC):
        the same pairs, separations within 1 mas. Prints a summary; exit
        status 1 on any difference.
"""
import csv
import sys

import numpy as np


def read_table(path, columns):
    """Columns of a FITS, CSV or Parquet file as NumPy arrays (names case-insensitive)."""
    low = path.lower()
    if low.endswith(".parquet"):
        import pyarrow.parquet as pq
        t = pq.read_table(path)
        names = {n.lower(): n for n in t.column_names}
        return [t.column(names[c.lower()]).to_numpy() if c != "ROW" else np.arange(t.num_rows) for c in columns]
    if low.endswith(".csv"):
        with open(path, newline="") as f:
            rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
        header = {n.strip().lower(): i for i, n in enumerate(rows[0])}
        body = rows[1:]
        out = []
        for c in columns:
            if c == "ROW":
                out.append(np.arange(len(body)))
                continue
            vals = [r[header[c.lower()]] for r in body]
            try:
                out.append(np.array([int(v) for v in vals], dtype=np.int64))
            except ValueError:
                try:
                    out.append(np.array([float(v) for v in vals]))
                except ValueError:
                    out.append(np.array(vals, dtype=object))
        return out
    from astropy.io import fits
    with fits.open(path) as h:
        hdu = next(x for x in h[1:] if isinstance(x, fits.BinTableHDU))
        data = hdu.data
        names = {n.lower(): n for n in hdu.columns.names}
        return [np.asarray(data[names[c.lower()]]) if c != "ROW" else np.arange(len(data)) for c in columns]


def random_sky(rng, n):
    ra = rng.uniform(0, 360, n)
    dec = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    return ra, dec


def crowds(rng, n):
    """n points: a third near each pole, a third along RA = 0/360."""
    k = n // 3
    ra_n = rng.uniform(0, 360, k)
    dec_n = 90 - rng.uniform(0, 1, k)
    ra_s = rng.uniform(0, 360, k)
    dec_s = -90 + rng.uniform(0, 1, k)
    m = n - 2 * k
    ra_w = np.mod(rng.uniform(-0.01, 0.01, m), 360.0)
    dec_w = rng.uniform(-60, 60, m)
    return np.concatenate([ra_n, ra_s, ra_w]), np.concatenate([dec_n, dec_s, dec_w])


def offset(rng, ra, dec, max_arcsec):
    """Points a random separation (< max) and direction away, exact on the sphere."""
    from astropy.coordinates import SkyCoord
    import astropy.units as u
    c = SkyCoord(ra * u.deg, dec * u.deg)
    sep = rng.uniform(0, max_arcsec, len(ra)) * u.arcsec
    pa = rng.uniform(0, 360, len(ra)) * u.deg
    o = c.directional_offset_by(pa, sep)
    return o.ra.deg, o.dec.deg


def make_random(outdir, n_targets, n_sources, seed):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from astropy.io import fits
    rng = np.random.default_rng(seed)
    nt_u = n_targets * 7 // 10
    tra_u, tdec_u = random_sky(rng, nt_u)
    tra_c, tdec_c = crowds(rng, n_targets - nt_u - 6)
    # Exactly at the poles and on RA = 0.
    tra_e = np.array([0.0, 123.0, 0.0, 0.0, 0.0, 359.9999999])
    tdec_e = np.array([90.0, 90.0, -90.0, 0.0, 45.0, -30.0])
    tra = np.concatenate([tra_u, tra_c, tra_e])
    tdec = np.concatenate([tdec_u, tdec_c, tdec_e])
    tid = (np.int64(1) << np.int64(60)) + np.arange(n_targets, dtype=np.int64) * 7919 + 1
    pq.write_table(pa.table({"TARGETID": tid, "RA": tra, "DEC": tdec}), f"{outdir}/targets.parquet")

    n_cp = min(n_targets, n_sources // 4)          # counterparts of targets
    pick = rng.choice(n_targets, n_cp, replace=False)
    cra, cdec = offset(rng, tra[pick], tdec[pick], 3.0)
    n_dup = min(n_targets, 1000)                   # exact duplicates of target positions
    dra, ddec = tra[:n_dup].copy(), tdec[:n_dup].copy()
    n_rest = n_sources - n_cp - n_dup - len(tra_e)
    n_cr = n_rest // 5
    ura, udec = random_sky(rng, n_rest - n_cr)
    kra, kdec = crowds(rng, n_cr)
    sra = np.mod(np.concatenate([cra, dra, tra_e, ura, kra]), 360.0)
    sdec = np.concatenate([cdec, ddec, tdec_e, udec, kdec])
    order = rng.permutation(len(sra))
    sra, sdec = sra[order], sdec[order]
    sid = np.arange(len(sra), dtype=np.int64) * 3 + 100
    cols = [fits.Column("SOURCE_ID", "K", array=sid), fits.Column("RA", "D", array=sra, unit="deg"),
            fits.Column("DEC", "D", array=sdec, unit="deg")]
    fits.BinTableHDU.from_columns(cols, name="SOURCES").writeto(f"{outdir}/sources.fits", overwrite=True)
    print(f"wrote {n_targets} targets, {len(sra)} sources to {outdir}")


def check(targets, t_ra, t_dec, t_id, catalog, c_ra, c_dec, c_id, radius, pairs_csv):
    from astropy.coordinates import SkyCoord, search_around_sky
    import astropy.units as u
    tid, tra, tdec = read_table(targets, [t_id, t_ra, t_dec])
    cid, cra, cdec = read_table(catalog, [c_id, c_ra, c_dec])
    tc = SkyCoord(np.asarray(tra, float) * u.deg, np.asarray(tdec, float) * u.deg)
    cc = SkyCoord(np.asarray(cra, float) * u.deg, np.asarray(cdec, float) * u.deg)
    i_t, i_c, sep, _ = search_around_sky(tc, cc, float(radius) * u.arcsec)
    theirs = {}
    for a, b, s in zip(i_t, i_c, sep.to_value(u.arcsec)):
        key = (int(tid[a]), str(cid[b]).strip())
        theirs[key] = theirs.get(key, []) + [s]
    ours = {}
    with open(pairs_csv, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        assert header[0] == "TARGETID" and header[2] == "SEP_ARCSEC", header
        for row in r:
            key = (int(row[0]), row[1].strip())
            ours[key] = ours.get(key, []) + [float(row[2])]
    missing = set(theirs) - set(ours)
    extra = set(ours) - set(theirs)
    worst = 0.0
    counts_differ = 0
    for k in set(theirs) & set(ours):
        a, b = sorted(theirs[k]), sorted(ours[k])
        if len(a) != len(b):
            counts_differ += 1
            continue
        worst = max(worst, max(abs(x - y) for x, y in zip(a, b)) * 1000)
    n_theirs = sum(len(v) for v in theirs.values())
    n_ours = sum(len(v) for v in ours.values())
    print(f"astropy {n_theirs} pairs, qad {n_ours} pairs; missing {len(missing)}, extra {len(extra)}, "
          f"multiplicity differs {counts_differ}; max |Δsep| {worst:.3g} mas")
    for k in list(missing)[:5]:
        print("  missing", k, theirs[k])
    for k in list(extra)[:5]:
        print("  extra", k, ours[k])
    ok = not missing and not extra and counts_differ == 0 and worst <= 1.0 and n_theirs == n_ours
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "random":
        make_random(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "check":
        sys.exit(check(*sys.argv[2:12]))
    else:
        sys.exit(__doc__)
