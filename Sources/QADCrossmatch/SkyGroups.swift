import Foundation

/// Positions that belong to one object: friends of friends within a radius,
/// so repeat observations whose fibre positions scatter by a fraction of an
/// arcsecond fall together. A sweep in Dec (positions sorted by Dec, each
/// compared with those at most the radius above it) keeps it O(n log n) for
/// scattered positions; separations are exact on the sphere.
public enum SkyGroups {
    /// Groups of indices into `ra`/`dec` (degrees), each group in increasing
    /// index order, the groups ordered by their first index. Every position is
    /// in exactly one group. `accept`, when given, must also hold for two
    /// positions within the radius to be friends (e.g. consistent redshifts).
    public static func friendsOfFriends(ra: [Double], dec: [Double], radiusArcsec: Double,
                                        accept: ((Int, Int) -> Bool)? = nil) -> [[Int]] {
        precondition(ra.count == dec.count)
        let radius = radiusArcsec / SkyGeometry.arcsecPerDegree / SkyGeometry.degreesPerRadian
        let vectors = zip(ra, dec).map { SkyGeometry.unitVector(raDegrees: $0, decDegrees: $1) }
        let order = dec.indices.sorted { dec[$0] < dec[$1] }
        var parent = Array(ra.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        let radiusDegrees = radiusArcsec / SkyGeometry.arcsecPerDegree
        for (k, i) in order.enumerated() {
            for j in order[(k + 1)...] {
                guard dec[j] - dec[i] <= radiusDegrees else { break }
                if SkyGeometry.separation(vectors[i], vectors[j]) <= radius, accept?(i, j) ?? true {
                    let (a, b) = (root(i), root(j))
                    if a != b { parent[max(a, b)] = min(a, b) }
                }
            }
        }
        var members: [Int: [Int]] = [:]
        for i in ra.indices { members[root(i), default: []].append(i) }
        return members.values.sorted { $0[0] < $1[0] }
    }
}
