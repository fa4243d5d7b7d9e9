import CHEALPix
import Foundation

/// Counts of catalog sources on nested HEALPix pixels (chealpix), from which
/// the local source density around any target is read. The finest level is
/// nside 512 (6.9′ pixels, 0.0131 deg²); where a catalog is sparse, the count
/// is taken from the smallest enclosing pixel (nested: parent = pixel >> 2)
/// that holds at least `minimumCount` sources, down to nside 8 (53.7 deg²), so
/// every estimate rests on enough sources to mean something.
public struct LocalDensity: Sendable {
    public static let finestOrder = 9
    public static let coarsestOrder = 3
    public static let skyAreaDeg2 = 4 * Double.pi * SkyGeometry.degreesPerRadian * SkyGeometry.degreesPerRadian

    private var finest: [Int32]
    /// Counts of every order from finestOrder down to coarsestOrder, one after
    /// the other in one array (built by `finish()`); `offsets[order]` is where an order starts.
    private var levels: [Int32] = []
    private var offsets = [Int](repeating: 0, count: finestOrder + 1)

    public init() {
        finest = [Int32](repeating: 0, count: 12 << (2 * Self.finestOrder))
    }

    /// Nested pixel index at the finest level of a unit vector.
    @inline(__always)
    public static func pixel(_ v: SIMD3<Double>) -> Int {
        let xyz = (v.x, v.y, v.z)
        var p: Int64 = 0
        withUnsafePointer(to: xyz) { t in
            t.withMemoryRebound(to: Double.self, capacity: 3) { vec2pix_nest64(Int64(1) << finestOrder, $0, &p) }
        }
        return Int(p)
    }

    public mutating func add(pixel: Int) { finest[pixel] &+= 1 }

    /// Sums the finest counts into the coarser levels; call once, after the last `add`.
    public mutating func finish() {
        var all = finest
        var fineStart = 0
        offsets[Self.finestOrder] = 0
        for order in stride(from: Self.finestOrder - 1, through: Self.coarsestOrder, by: -1) {
            let n = 12 << (2 * order)
            let start = all.count
            offsets[order] = start
            all.reserveCapacity(start + n)
            for i in 0..<n {
                let f = fineStart + 4 * i
                all.append(all[f] &+ all[f + 1] &+ all[f + 2] &+ all[f + 3])
            }
            fineStart = start
        }
        levels = all
    }

    /// Sources per deg² around a target in finest pixel `pixel`, not counting
    /// `own` sources (its counterparts within the match radius), and the area
    /// (deg²) the estimate came from.
    public func density(pixel: Int, excluding own: Int, minimumCount: Int) -> (perDeg2: Double, areaDeg2: Double) {
        precondition(!levels.isEmpty, "finish() first")
        for order in stride(from: Self.finestOrder, through: Self.coarsestOrder, by: -1) {
            let p = pixel >> (2 * (Self.finestOrder - order))
            let n = max(Int(levels[offsets[order] + p]) - own, 0)
            if n >= minimumCount || order == Self.coarsestOrder {
                let area = Self.skyAreaDeg2 / Double(12 << (2 * order))
                return (Double(n) / area, area)
            }
        }
        fatalError("unreachable")
    }
}
