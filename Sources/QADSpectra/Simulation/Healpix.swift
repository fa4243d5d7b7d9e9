import CHEALPix
import Foundation

/// HEALPix nested-scheme pixelization through the C library (Górski et al.
/// 2005), in the RA/Dec degrees DESI files use. DESI groups spectra by
/// nside-64 nested pixels (`HPXNSIDE`, `HPXNEST`).
public enum HealpixNest {
    static let degree = Double.pi / 180

    /// Pixel containing (ra, dec) in degrees.
    public static func pixel(nside: Int, ra: Double, dec: Double) -> Int {
        var ipix = 0
        ang2pix_nest(nside, (90 - dec) * degree, ra * degree, &ipix)
        return ipix
    }

    /// Centre of a pixel as (ra, dec) in degrees.
    public static func centre(nside: Int, pixel: Int) -> (ra: Double, dec: Double) {
        var theta = 0.0, phi = 0.0
        pix2ang_nest(nside, pixel, &theta, &phi)
        return (phi / degree, 90 - theta / degree)
    }
}
