import Foundation

/// An exact sky index of points (the qad targets): Dec zones of fixed height,
/// each sorted by RA. A disc query visits the zones its Dec range touches and,
/// in each, the RA interval(s) the disc can reach (split at RA = 0/360; every
/// RA when the disc reaches a pole), then keeps the candidates whose exact
/// separation is within the radius. The intervals are padded by far more than
/// rounding, so no pair within the radius is ever missed; the final test is on
/// the exact separation, so none outside is ever kept.
public struct ZoneIndex: Sendable {
    /// Zone height in degrees.
    public let zoneHeight: Double
    public var count: Int { ra.count }

    private let zoneCount: Int
    /// Entries of zone z are zoneStart[z] ..< zoneStart[z + 1].
    private let zoneStart: [Int]
    /// Sorted by (zone, RA): RA in degrees, unit vector, index of the point as given.
    private let ra: [Double]
    private let vectors: [SIMD3<Double>]
    private let original: [Int32]

    /// Indexes points given in degrees (RA any finite value, Dec in [-90, 90]).
    /// Zones at least `zoneHeight` high keep each query to two or three zones.
    public init(ra raIn: [Double], dec decIn: [Double], zoneHeight requested: Double) {
        precondition(raIn.count == decIn.count && raIn.count < Int(Int32.max))
        let height = min(max(requested, 1.0 / 3600), 180)
        let zones = max(1, Int((180 / height).rounded(.up)))
        zoneHeight = 180 / Double(zones)
        zoneCount = zones
        let n = raIn.count
        let normalized = raIn.map(SkyGeometry.normalizedRA)
        var zoneOf = [Int32](repeating: 0, count: n)
        var start = [Int](repeating: 0, count: zones + 1)
        for i in 0..<n {
            let z = Self.zone(of: decIn[i], height: zoneHeight, count: zones)
            zoneOf[i] = Int32(z)
            start[z + 1] += 1
        }
        for z in 0..<zones { start[z + 1] += start[z] }
        // Counting sort by zone into contiguous (RA, index) keys, then an RA
        // sort inside each zone on those keys (no indirection while sorting).
        var keys = [(ra: Double, index: Int32)](repeating: (0, 0), count: n)
        var fill = start
        for i in 0..<n {
            let z = Int(zoneOf[i])
            keys[fill[z]] = (normalized[i], Int32(i))
            fill[z] += 1
        }
        keys.withUnsafeMutableBufferPointer { k in
            for z in 0..<zones where start[z + 1] - start[z] > 1 {
                k[start[z]..<start[z + 1]].sort { $0.ra != $1.ra ? $0.ra < $1.ra : $0.index < $1.index }
            }
        }
        let order = keys.map(\.index)
        zoneStart = start
        original = order
        ra = keys.map(\.ra)
        vectors = order.map { SkyGeometry.unitVector(raDegrees: normalized[Int($0)], decDegrees: decIn[Int($0)]) }
    }

    public var zones: Int { zoneCount }

    /// The zone a Dec (degrees) falls in: querying positions zone by zone keeps
    /// each zone's few kilobytes of the index in cache.
    @inline(__always)
    public func zone(of dec: Double) -> Int { Self.zone(of: dec, height: zoneHeight, count: zoneCount) }

    @inline(__always)
    private static func zone(of dec: Double, height: Double, count: Int) -> Int {
        min(max(Int(((dec + 90) / height).rounded(.down)), 0), count - 1)
    }

    /// The per-radius constants of a disc query, computed once per catalog.
    public struct Disc: Sendable {
        /// Radius in degrees and radians.
        public let degrees: Double
        let radians: Double
        /// Padding (degrees) of the zone and RA ranges: 1e-9° (3.6 µas) plus
        /// a relative 1e-12, beyond any rounding in the bounds below.
        let pad: Double
        let sinPadded: Double
        /// Squared chord of the padded radius: a cheap pre-test before the exact separation.
        let chord2Limit: Double

        public init(radiusDegrees r: Double) {
            precondition(r >= 0 && r < 90)
            degrees = r
            radians = r / SkyGeometry.degreesPerRadian
            pad = 1e-9 + r * 1e-12
            let padded = (r + pad) / SkyGeometry.degreesPerRadian
            sinPadded = sin(padded)
            let chord = 2 * sin(padded / 2) + 1e-15
            chord2Limit = chord * chord
        }
    }

    /// Calls `body(point, separation in radians)` for every indexed point within
    /// the disc around the position (RA in [0, 360), Dec, its unit vector), in
    /// index order.
    @inline(__always)
    public func forEachPoint(within disc: Disc, ofRA qra: Double, dec qdec: Double, vector q: SIMD3<Double>,
                             _ body: (Int, Double) -> Void) {
        let padded = disc.degrees + disc.pad
        let z0 = Self.zone(of: max(qdec - padded, -90), height: zoneHeight, count: zoneCount)
        let z1 = Self.zone(of: min(qdec + padded, 90), height: zoneHeight, count: zoneCount)

        // RA half-width: asin(sin r / cos δ) (the circle's exact extent),
        // bounded above by s / sqrt(1 − s²) (= tan(asin s)) to spare the asin;
        // cos δ comes from the unit vector. Every RA when the disc reaches a pole.
        // At most two intervals (split at RA = 0/360), kept in scalars: this
        // runs once per catalog source.
        var lo1 = 0.0, hi1 = 360.0, lo2 = 1.0, hi2 = 0.0
        let cosDec = (q.x * q.x + q.y * q.y).squareRoot()
        if abs(qdec) + padded < 90, disc.sinPadded < cosDec {
            let s = disc.sinPadded / cosDec
            let w = s / (1 - s * s).squareRoot() * SkyGeometry.degreesPerRadian + disc.pad
            if w < 180 {
                let lo = qra - w, hi = qra + w
                if lo < 0 {
                    (lo1, hi1, lo2, hi2) = (0, hi, lo + 360, 360)
                } else if hi >= 360 {
                    (lo1, hi1, lo2, hi2) = (0, hi - 360, lo, 360)
                } else {
                    (lo1, hi1) = (lo, hi)
                }
            }
        }

        ra.withUnsafeBufferPointer { ras in
            vectors.withUnsafeBufferPointer { vs in
                original.withUnsafeBufferPointer { orig in
                    @inline(__always) func scan(_ zs: Int, _ ze: Int, _ lo: Double, _ hi: Double) {
                        var i = Self.lowerBound(ras, lo, zs, ze)
                        while i < ze && ras[i] <= hi {
                            let d = vs[i] - q
                            if (d * d).sum() <= disc.chord2Limit {
                                let sep = SkyGeometry.separation(vs[i], q)
                                if sep <= disc.radians { body(Int(orig[i]), sep) }
                            }
                            i += 1
                        }
                    }
                    for z in z0...z1 {
                        let zs = zoneStart[z], ze = zoneStart[z + 1]
                        if zs == ze { continue }
                        scan(zs, ze, lo1, hi1)
                        if lo2 <= hi2 { scan(zs, ze, lo2, hi2) }
                    }
                }
            }
        }
    }

    /// The same, with the radius in degrees (< 90).
    public func forEachPoint(within radius: Double, ofRA qra: Double, dec qdec: Double, vector q: SIMD3<Double>,
                             _ body: (Int, Double) -> Void) {
        forEachPoint(within: Disc(radiusDegrees: radius), ofRA: qra, dec: qdec, vector: q, body)
    }

    @inline(__always)
    private static func lowerBound(_ a: UnsafeBufferPointer<Double>, _ value: Double, _ start: Int, _ end: Int) -> Int {
        var lo = start, hi = end
        while lo < hi {
            let mid = (lo + hi) >> 1
            if a[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
