import Foundation
import QADCrossmatch
import Testing

@Suite struct SkyGroupsTests {
    @Test func chainsAcrossRAZeroAndThePoleJoinOnlyWithinTheRadius() {
        // Three positions 0.6″ apart along the equator across RA 0, a pair on
        // opposite sides of the pole, and a lone position 1.2″ beyond the chain.
        let step = 0.6 / 3600
        let along = (0..<5).map { (359.9999 + Double($0) * step).truncatingRemainder(dividingBy: 360) }
        let r = [along[0], along[1], along[2], 0, 180, along[4]]
        let d = [0, 0, 0, 89.99995, 89.99995, 0]
        let groups = SkyGroups.friendsOfFriends(ra: r, dec: d, radiusArcsec: 1)
        // The pole pair is 2 × 0.00005° = 0.36″ apart across the pole.
        #expect(groups == [[0, 1, 2], [3, 4], [5]])
        #expect(SkyGroups.friendsOfFriends(ra: r, dec: d, radiusArcsec: 0.1) == [[0], [1], [2], [3], [4], [5]])
        #expect(SkyGroups.friendsOfFriends(ra: [], dec: [], radiusArcsec: 1).isEmpty)
    }

    /// Friends of friends agrees with joining every pair within the radius (brute force).
    @Test func agreesWithAllPairs() {
        var rng = SystemRandomNumberGenerator()
        let n = 400
        let ra = (0..<n).map { _ in Double.random(in: 10...10.01, using: &rng) }
        let dec = (0..<n).map { _ in Double.random(in: -30.005...(-30), using: &rng) }
        let radius = 20.0
        var parent = Array(0..<n)
        func root(_ i: Int) -> Int { var i = i; while parent[i] != i { i = parent[i] }; return i }
        for i in 0..<n {
            for j in (i + 1)..<n where SkyGeometry.separationArcsec(ra1: ra[i], dec1: dec[i], ra2: ra[j], dec2: dec[j]) <= radius {
                let (a, b) = (root(i), root(j))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        let brute = Set(Dictionary(grouping: 0..<n, by: root).values.map { Set($0) })
        let ours = SkyGroups.friendsOfFriends(ra: ra, dec: dec, radiusArcsec: radius)
        #expect(Set(ours.map { Set($0) }) == brute)
        #expect(ours.flatMap { $0 }.sorted() == Array(0..<n))
    }
}
