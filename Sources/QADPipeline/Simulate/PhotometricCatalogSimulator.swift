import Foundation
import QADCore
import QADFormats

/// A mock mid-infrared catalog in AllWISE's column names (cntr, ra, dec,
/// w1mpro, w1sigmpro, w2mpro, w2sigmpro; Vega magnitudes), for the demo's
/// cross-match: a counterpart for most targets, offset by WISE's astrometric
/// scatter, plus unrelated field sources around every target at AllWISE's
/// high-latitude density, so the chance-coincidence rate means something.
public enum PhotometricCatalogSimulator {
    public struct Target: Sendable {
        public var targetID: TargetID
        public var ra: Double
        public var dec: Double
        public var isQuasar: Bool
        public init(targetID: TargetID, ra: Double, dec: Double, isQuasar: Bool) {
            self.targetID = targetID
            self.ra = ra
            self.dec = dec
            self.isQuasar = isQuasar
        }
    }

    /// Fraction of targets with a counterpart (faint ones drop below WISE's limit).
    public static let detectedFraction = 0.93
    /// Positional scatter per axis of a counterpart (arcsec).
    public static let scatterArcsec = 0.25
    /// Field sources per arcmin² (AllWISE at high Galactic latitude: ~2.5).
    public static let fieldDensity = 2.5
    /// Field sources are drawn within this radius of each target (arcsec).
    public static let fieldRadiusArcsec = 60.0

    /// Writes the catalog as a FITS binary table; returns the number of sources.
    @discardableResult
    public static func write(targets: [Target], to path: String, seed: UInt64) throws -> Int {
        var rng = Xoshiro256StarStar(seed: SplitMix64.derive(seed, 0x5749_5345))  // "WISE"
        func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        func normal() -> Double { (-2 * log(max(unit(), 1e-300))).squareRoot() * cos(2 * .pi * unit()) }
        var ra: [Double?] = [], dec: [Double?] = [], w1: [Double?] = [], w2: [Double?] = []
        func add(_ r: Double, _ d: Double, w1 m1: Double, colour: Double) {
            ra.append((r.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360))
            dec.append(min(max(d, -90), 90))
            w1.append(m1)
            w2.append(m1 - colour)
        }
        /// (ra, dec) moved by (east, north) arcsec.
        func offset(_ r: Double, _ d: Double, _ east: Double, _ north: Double) -> (Double, Double) {
            (r + east / 3600 / max(cos(d * .pi / 180), 1e-6), d + north / 3600)
        }
        let fieldPerTarget = fieldDensity * Double.pi * pow(fieldRadiusArcsec / 60, 2)
        for t in targets {
            if unit() < detectedFraction {
                let (r, d) = offset(t.ra, t.dec, scatterArcsec * normal(), scatterArcsec * normal())
                // Quasars: W1−W2 ≈ 1.0 ± 0.3 (most above Stern et al.'s 0.8); stars and galaxies ≈ 0–0.4.
                let colour = t.isQuasar ? 1.0 + 0.3 * normal() : 0.2 + 0.15 * normal()
                add(r, d, w1: 15.5 + 1.2 * normal(), colour: colour)
            }
            var n = 0
            var p = exp(-fieldPerTarget), cumulative = p
            let u = unit()
            while u > cumulative && n < 100 { n += 1; p *= fieldPerTarget / Double(n); cumulative += p }
            for _ in 0..<n {
                let radius = fieldRadiusArcsec * unit().squareRoot(), angle = 2 * Double.pi * unit()
                let (r, d) = offset(t.ra, t.dec, radius * cos(angle), radius * sin(angle))
                add(r, d, w1: 16.5 + 1.0 * normal(), colour: 0.3 + 0.4 * normal())
            }
        }
        let n = ra.count
        let table = CatalogTable(name: "ALLWISE_SIM", description: "simulated AllWISE-like catalog (qad demo)", columns: [
            CatalogTableColumn(name: "cntr", values: .int64((0..<n).map { Int64($0 + 1) }), description: "source number"),
            CatalogTableColumn(name: "ra", values: .float64(ra), unit: "deg", description: "right ascension"),
            CatalogTableColumn(name: "dec", values: .float64(dec), unit: "deg", description: "declination"),
            CatalogTableColumn(name: "w1mpro", values: .float64(w1), unit: "mag", description: "W1 profile-fit magnitude (Vega)"),
            CatalogTableColumn(name: "w1sigmpro", values: .float64(w1.map { $0.map { 0.02 + 0.02 * max($0 - 14, 0) } }),
                               unit: "mag", description: "W1 uncertainty"),
            CatalogTableColumn(name: "w2mpro", values: .float64(w2), unit: "mag", description: "W2 profile-fit magnitude (Vega)"),
            CatalogTableColumn(name: "w2sigmpro", values: .float64(w2.map { $0.map { 0.03 + 0.03 * max($0 - 13, 0) } }),
                               unit: "mag", description: "W2 uncertainty"),
        ], provenance: [CatalogProvenance("QADSEED", .int(Int64(bitPattern: seed)), comment: "qad demo seed")])
        try FITSCatalogWriter.write(table, to: path)
        return n
    }
}
