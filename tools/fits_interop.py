"""FITS interoperability with astropy, driven by the Swift test suite.

    python tools/fits_interop.py write PATH   # astropy writes the reference file
    python tools/fits_interop.py check PATH   # astropy reads qad's file and checks it

Both sides use the same values: an image of each type qad reads and a binary
table with every column type, including a TARGETID above 2**53.
"""
import sys

import numpy as np
from astropy.io import fits

BIG = 39633559463397282
IMAGE_F32 = np.array([[1, 2, 3], [4, 5, 6.5]], dtype=">f4")
IMAGE_F64 = np.array([3600.0, 3600.8, 3601.6, 3602.4], dtype=">f8")
IMAGE_I32 = np.array([[-1, 0, 2**31 - 1]], dtype=">i4")


def table_columns():
    return [
        fits.Column(name="TARGETID", format="K", array=np.array([BIG, -1], dtype=np.int64)),
        fits.Column(name="FIBER", format="J", array=np.array([7, 4999], dtype=np.int32)),
        fits.Column(name="PETAL", format="I", array=np.array([0, 9], dtype=np.int16)),
        fits.Column(name="FLUX", format="E", unit="1e-17 erg/(s cm2 Angstrom)", disp="F8.3",
                    array=np.array([1.5, -2.25], dtype=np.float32)),
        fits.Column(name="Z", format="D", array=np.array([2.116627083471065, 0.0])),
        fits.Column(name="GOOD", format="L", array=np.array([True, False])),
        fits.Column(name="SPECTYPE", format="6A", array=np.array(["QSO", "GALAXY"])),
        fits.Column(name="COEFF", format="3E", array=np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)),
    ]


def write(path):
    primary = fits.PrimaryHDU()
    primary.header["SURVEY"] = "main"
    primary.header["HPXPIXEL"] = 9144
    hdus = [primary,
            fits.ImageHDU(IMAGE_F32, name="F32"),
            fits.ImageHDU(IMAGE_F64, name="F64"),
            fits.ImageHDU(IMAGE_I32, name="I32"),
            fits.BinTableHDU.from_columns(table_columns(), name="CAT")]
    fits.HDUList(hdus).writeto(path, overwrite=True)


def check(path):
    with fits.open(path) as h:
        assert [x.name for x in h] == ["PRIMARY", "F32", "F64", "I32", "CAT"], [x.name for x in h]
        assert h[0].header["SURVEY"] == "main"
        assert h[0].header["HPXPIXEL"] == 9144
        assert h["F32"].data.dtype.kind == "f" and h["F32"].data.dtype.itemsize == 4
        assert np.array_equal(h["F32"].data, IMAGE_F32)
        assert h["F64"].data.dtype.itemsize == 8 and np.array_equal(h["F64"].data, IMAGE_F64)
        assert h["I32"].data.dtype.kind == "i" and np.array_equal(h["I32"].data, IMAGE_I32)
        t = h["CAT"].data
        expected = {c.name: c.array for c in table_columns()}
        for name, values in expected.items():
            got = t[name]
            if name == "SPECTYPE":
                assert list(got) == list(values), (name, got)
            elif name == "GOOD":
                assert [bool(v) for v in got] == [True, False], (name, got)
            else:
                assert np.array_equal(np.asarray(got), values), (name, got, values)
        assert t["TARGETID"].dtype == np.dtype(">i8") and int(t["TARGETID"][0]) == BIG
        assert h["CAT"].columns["FLUX"].unit == "1e-17 erg/(s cm2 Angstrom)"
        assert h["CAT"].columns["FLUX"].disp == "F8.3"
    print("astropy read the qad file: all values equal")


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1]](sys.argv[2])
