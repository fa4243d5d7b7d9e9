"""ARD Parquet tiles from real DESI coadds, the way the upstream converter
writes them, for qad's tests and benchmark.

    python tools/make_ard_tiles.py tiles DATA OUT      # tiles + trimmed FITS twins
    python tools/make_ard_tiles.py bench DATA OUT MB   # about MB megabytes of tiles

DATA is ../shared/data. A tile row is one QSO-catalog target of a coadd:
target_id (int64), ra, dec, z (float64, from the catalog), then the B, R and
Z arms concatenated and cut to 3600-9800 A: wavelength list<float32>, flux
and ivar list<float64>, mask_array list<int64> (7,927 pixels, the arm
overlaps duplicated). Files are tile_ID/qso_data_TILEID.parquet, written by
pyarrow with its defaults.

`tiles` also writes OUT/fits/: the same coadds with every arm cut to the
same 3600-9800 A window (Z loses its last 31 pixels), so that ingesting the
FITS twin and the tile must give identical cache rows.

`bench` writes synthetic tiles of 100 rows each: the real QSO spectra with
fresh Gaussian noise (drawn from their ivar), new target ids and positions.
"""
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from astropy.io import fits

WMIN, WMAX = 3600.0, 9800.0
SOURCES = [  # (coadd, catalog, tile id)
    ("desi/edr-tile-80693/coadd-1-80693-thru20210204.fits", "desi/catalogs/QSO_cat_fuji_dark_tile.fits.gz", 80693),
    ("desi/edr-tile-80693/coadd-2-80693-thru20210204.fits", "desi/catalogs/QSO_cat_fuji_dark_tile.fits.gz", 80693),
    ("desi/edr-healpix-9144/coadd-main-dark-9144.fits", "desi/catalogs/QSO_cat_fuji_dark_healpix.fits.gz", 9144),
]
SCHEMA = pa.schema([("target_id", pa.int64()), ("ra", pa.float64()), ("dec", pa.float64()), ("z", pa.float64()),
                    ("wavelength", pa.list_(pa.float32())), ("flux", pa.list_(pa.float64())),
                    ("ivar", pa.list_(pa.float64())), ("mask_array", pa.list_(pa.int64()))])


def catalog(path):
    with fits.open(path) as h:
        t = h["QSO_CAT"].data
        return {int(tid): (float(z), float(ra), float(dec))
                for tid, z, ra, dec in zip(t["TARGETID"], t["Z"], t["TARGET_RA"], t["TARGET_DEC"])}


def qso_rows(coadd_path, cat):
    """The upstream converter's rows for one coadd: catalog QSOs, arms concatenated and cut."""
    rows = []
    with fits.open(coadd_path) as h:
        ids = h["FIBERMAP"].data["TARGETID"]
        keep = {a: (h[a + "_WAVELENGTH"].data >= WMIN) & (h[a + "_WAVELENGTH"].data <= WMAX) for a in "BRZ"}
        wave = np.concatenate([h[a + "_WAVELENGTH"].data[keep[a]] for a in "BRZ"]).astype(np.float32)
        for i, tid in enumerate(ids):
            if int(tid) not in cat:
                continue
            z, ra, dec = cat[int(tid)]
            flux = np.concatenate([h[a + "_FLUX"].data[i][keep[a]] for a in "BRZ"]).astype(np.float64)
            ivar = np.concatenate([h[a + "_IVAR"].data[i][keep[a]] for a in "BRZ"]).astype(np.float64)
            mask = np.concatenate([h[a + "_MASK"].data[i][keep[a]] for a in "BRZ"]).astype(np.int64)
            rows.append(dict(target_id=int(tid), ra=ra, dec=dec, z=z, wavelength=wave, flux=flux, ivar=ivar,
                             mask_array=mask))
    return rows


def write_tile(rows, out, tile):
    folder = os.path.join(out, f"tile_{tile}")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"qso_data_TILE{tile}.parquet")
    table = pa.table({name: [r[name] for r in rows] for name in SCHEMA.names}, schema=SCHEMA)
    pq.write_table(table, path)
    return path


def write_trimmed_fits(coadd_path, out):
    """The coadd with every arm cut to 3600-9800 A (FIBERMAP kept, RESOLUTION dropped)."""
    os.makedirs(out, exist_ok=True)
    with fits.open(coadd_path) as h:
        hdus = [fits.PrimaryHDU(header=h[0].header), h["FIBERMAP"].copy()]
        for a in "BRZ":
            w = h[a + "_WAVELENGTH"].data
            keep = (w >= WMIN) & (w <= WMAX)
            hdus.append(fits.ImageHDU(w[keep], name=a + "_WAVELENGTH"))
            for kind in ["FLUX", "IVAR", "MASK"]:
                hdus.append(fits.ImageHDU(h[f"{a}_{kind}"].data[:, keep], name=f"{a}_{kind}"))
        fits.HDUList(hdus).writeto(os.path.join(out, os.path.basename(coadd_path)), overwrite=True)


def tiles(data, out):
    by_tile = {}
    for coadd, cat_path, tile in SOURCES:
        by_tile.setdefault(tile, []).extend(qso_rows(os.path.join(data, coadd), catalog(os.path.join(data, cat_path))))
        write_trimmed_fits(os.path.join(data, coadd), os.path.join(out, "fits"))
    for tile, rows in by_tile.items():
        path = write_tile(rows, os.path.join(out, "tiles"), tile)
        print(path, len(rows), "rows", len(rows[0]["wavelength"]), "pixels")


def bench(data, out, megabytes):
    rng = np.random.default_rng(2024)
    templates = []
    for coadd, cat_path, _ in SOURCES:
        templates += qso_rows(os.path.join(data, coadd), catalog(os.path.join(data, cat_path)))
    total, tile, rows_written = 0, 100000, 0
    while total < megabytes * 1e6:
        rows = []
        for k in range(100):
            t = templates[int(rng.integers(len(templates)))]
            sigma = np.where(t["ivar"] > 0, 1 / np.sqrt(np.maximum(t["ivar"], 1e-30)), 0)
            flux = (t["flux"] + rng.normal(0, 1, t["flux"].size) * sigma).astype(np.float32).astype(np.float64)
            rows.append(dict(target_id=39627000000000000 + tile * 1000 + k, ra=float(rng.uniform(0, 360)),
                             dec=float(rng.uniform(-20, 80)), z=t["z"], wavelength=t["wavelength"], flux=flux,
                             ivar=t["ivar"], mask_array=t["mask_array"]))
        total += os.path.getsize(write_tile(rows, out, tile))
        rows_written += len(rows)
        tile += 1
    print(f"{tile - 100000} tiles, {rows_written} rows, {total / 1e6:.0f} MB in {out}")


if __name__ == "__main__":
    if sys.argv[1] == "tiles":
        tiles(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "bench":
        bench(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
