import Foundation
import QADCore
import Testing
@testable import QADCrossmatch

@Suite struct GeometryTests {
    @Test func separationsAreExactAtEveryScale() {
        // Across RA = 0/360: 0.001° apart in RA on the equator is 3.6″.
        #expect(abs(SkyGeometry.separationArcsec(ra1: 359.9995, dec1: 0, ra2: 0.0005, dec2: 0) - 3.6) < 1e-9)
        // At the pole RA does not matter.
        #expect(SkyGeometry.separationArcsec(ra1: 10, dec1: 90, ra2: 250, dec2: 90) < 1e-9)
        #expect(abs(SkyGeometry.separationArcsec(ra1: 0, dec1: 89.9999, ra2: 180, dec2: 89.9999) - 0.72) < 1e-8)
        // Antipodes and a right angle, where acos and haversine lose digits.
        #expect(abs(SkyGeometry.separationArcsec(ra1: 0, dec1: 0, ra2: 180, dec2: 0) - 648_000) < 1e-6)
        #expect(abs(SkyGeometry.separationArcsec(ra1: 0, dec1: 90, ra2: 0, dec2: 0) - 324_000) < 1e-6)
        // 1 mas is resolved: far below acos's ~0.2″ floor.
        #expect(abs(SkyGeometry.separationArcsec(ra1: 150, dec1: 2, ra2: 150, dec2: 2 + 0.001 / 3600) - 0.001) < 1e-9)
    }

    @Test func raHalfWidthIsTheCircleExtent() throws {
        // The point at the reported RA offset on the circle's widest Dec is exactly r away.
        for dec in [-80.0, -30, 0, 45, 89] {
            let r = 0.5
            let w = try #require(SkyGeometry.raHalfWidth(radius: r, dec: dec))
            let widestDec = asin(sin(dec * .pi / 180) / cos(r * .pi / 180)) * 180 / .pi
            let sep = SkyGeometry.separationArcsec(ra1: 100, dec1: dec, ra2: 100 + w, dec2: widestDec) / 3600
            #expect(abs(sep - r) < 1e-12)
        }
        #expect(SkyGeometry.raHalfWidth(radius: 1, dec: 89.5) == nil)
        #expect(SkyGeometry.normalizedRA(-0.0) == 0 && SkyGeometry.normalizedRA(360) == 0 && SkyGeometry.normalizedRA(-10) == 350)
    }

    @Test func angleUnits() {
        #expect(AngleUnit(spelling: "hourangle")!.degrees(1.5) == 22.5)
        #expect(abs(AngleUnit(spelling: "rad")!.degrees(.pi) - 180) < 1e-12)
        #expect(AngleUnit(spelling: "furlong") == nil)
    }

    /// The index against brute force on crowded poles and the RA seam, many radii.
    @Test func zoneIndexEqualsBruteForce() {
        var rng = SplitMix64(seed: 7)
        func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * Double(rng.next() >> 11) / Double(1 << 53) }
        var ra: [Double] = [], dec: [Double] = []
        for i in 0..<3000 {
            switch i % 4 {
            case 0: ra.append(uniform(0, 360)); dec.append(asin(uniform(-1, 1)) * 180 / .pi)
            case 1: ra.append(uniform(0, 360)); dec.append(90 - uniform(0, 0.3))
            case 2: ra.append(uniform(0, 360)); dec.append(-90 + uniform(0, 0.3))
            default: ra.append(SkyGeometry.normalizedRA(uniform(-0.2, 0.2))); dec.append(uniform(-5, 5))
            }
        }
        ra += [0, 45, 359.99, 12]; dec += [90, -90, 0, 90]
        for radiusArcsec in [0.0, 1, 60, 900, 3600] {
            let index = ZoneIndex(ra: ra, dec: dec, zoneHeight: max(radiusArcsec / 3600, 1.0 / 60))
            for q in stride(from: 0, to: ra.count, by: 7) {
                let qra = SkyGeometry.normalizedRA(ra[q] + (q % 2 == 0 ? 0 : 0.01)), qdec = dec[q]
                let v = SkyGeometry.unitVector(raDegrees: qra, decDegrees: qdec)
                var found: [Int] = []
                index.forEachPoint(within: radiusArcsec / 3600, ofRA: qra, dec: qdec, vector: v) { i, _ in found.append(i) }
                let brute = ra.indices.filter {
                    SkyGeometry.separation(SkyGeometry.unitVector(raDegrees: SkyGeometry.normalizedRA(ra[$0]), decDegrees: dec[$0]), v)
                        <= radiusArcsec / 3600 * .pi / 180
                }
                #expect(found.sorted() == brute, "radius \(radiusArcsec)″ around (\(qra), \(qdec))")
            }
        }
    }
}
