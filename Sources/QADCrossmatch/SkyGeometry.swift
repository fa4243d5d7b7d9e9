import Foundation

/// Exact geometry on the unit sphere. Positions become unit vectors once, so
/// neither the poles nor RA = 0/360 are special anywhere after that.
public enum SkyGeometry {
    public static let degreesPerRadian = 180.0 / Double.pi
    public static let arcsecPerDegree = 3600.0

    /// Unit vector of (RA, Dec) in degrees.
    @inline(__always)
    public static func unitVector(raDegrees ra: Double, decDegrees dec: Double) -> SIMD3<Double> {
        let a = ra / degreesPerRadian, d = dec / degreesPerRadian
        let cd = cos(d)
        return SIMD3(cd * cos(a), cd * sin(a), sin(d))
    }

    /// Angle between two unit vectors in radians: atan2(|a×b|, a·b), the vector
    /// form of Vincenty's formula. Unlike acos(a·b) (which loses all precision
    /// below ~1e-8 rad) or haversine (which does near π), it is accurate to a
    /// few ulps at every separation.
    @inline(__always)
    public static func separation(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
        let c = SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
        return atan2((c * c).sum().squareRoot(), (a * b).sum())
    }

    /// Separation of two (RA, Dec) positions in degrees, in arcseconds.
    public static func separationArcsec(ra1: Double, dec1: Double, ra2: Double, dec2: Double) -> Double {
        separation(unitVector(raDegrees: ra1, decDegrees: dec1), unitVector(raDegrees: ra2, decDegrees: dec2))
            * degreesPerRadian * arcsecPerDegree
    }

    /// Half-width in RA (degrees) of the circle of radius `r` (degrees) around
    /// Dec `dec`, or nil when the circle reaches a pole and so spans every RA.
    /// The circle's widest point is at Dec asin(sin δ / cos r), where the RA
    /// offset is exactly asin(sin r / cos δ).
    public static func raHalfWidth(radius r: Double, dec: Double) -> Double? {
        if abs(dec) + r >= 90 { return nil }
        let s = sin(r / degreesPerRadian) / cos(dec / degreesPerRadian)
        if s >= 1 { return nil }
        return asin(s) * degreesPerRadian
    }

    /// RA folded into [0, 360).
    @inline(__always)
    public static func normalizedRA(_ ra: Double) -> Double {
        if ra >= 0 && ra < 360 { return ra }
        var a = ra.truncatingRemainder(dividingBy: 360)
        if a < 0 { a += 360 }
        return a >= 360 ? 0 : a
    }
}
