import Foundation
import QADCore
import QADSpectra

/// Everything written about one simulated spectrum besides its pixels:
/// FIBERMAP row, redrock row, catalog row and truth row.
struct SimulatedTarget: Sendable {
    // Identity and position.
    var targetID: TargetID
    var healpix: Int
    var ra: Double
    var dec: Double
    var release: Int
    var brickID: Int
    var brickName: String
    var objID: Int

    // Truth.
    var target: MockTarget
    var snr: Double

    // Photometry (nanomaggies) and targeting.
    var fiberFlux: (g: Double, r: Double, z: Double)
    var totalFlux: (g: Double, r: Double, z: Double, w1: Double, w2: Double)
    var ebv: Double
    var morphType: String
    var desiTarget: Int64
    var mwsTarget: Int64
    var priority: Int64
    var numObs: Int64
    var subpriority: Double
    var pm: (ra: Double, dec: Double)
    var exposureTime: Double
    var mjd: (min: Double, max: Double, mean: Double)
    var fiberOffset: (ra: Double, dec: Double)

    // Redrock.
    var redrock: MockRedrockRow

    // QSO catalog (quasars only).
    var catalogZ: Double
    var balProb: Double
    var biCIV: Double
    var aiCIV: Double
}

/// One row of a redrock REDSHIFTS table.
struct MockRedrockRow: Sendable {
    var z: Double
    var zerr: Double
    var zwarn: Int64
    var chi2: Double
    var coeff: [Double]
    var npixels: Int64
    var spectype: String
    var subtype: String
    var ncoeff: Int64
    var deltachi2: Double
}

/// The redrock outcome the simulator assigns. Redrock is right for the vast
/// majority; the exceptions mimic its known failure modes: quasars taken for
/// galaxies through line confusion (MgII read as [OII], CIV as MgII),
/// low-ΔCHI2 fits flagged with ZWARN bit 2 (SMALL_DELTA_CHI2), and faint
/// ELGs with a wrong redshift. BALs and reddened quasars fail more often.
enum MockRedrock {
    static let smallDeltaChi2: Int64 = 1 << 2

    static func run(_ t: MockTarget, snr: Double, goodPixels: Int,
                    using rng: inout some RandomNumberGenerator) -> MockRedrockRow {
        let z = t.redshift
        let npix = Int64(goodPixels)
        let chi2 = Double(goodPixels) * rng.drawUniform(0.95, 1.2)
        let s = max(snr, 0.3)
        func coeffs(_ n: Int) -> [Double] {
            (0..<10).map { $0 < n ? rng.drawNormal(mean: 0, sd: 20) * s : 0 }
        }
        switch t.mockClass {
        case .qso:
            var failure = rng.drawUnit()
            if t.anomaly != nil { failure *= 0.5 }  // anomalous quasars fail twice as often
            let goodChi2 = 25 + 250 * s * s * rng.drawUniform(0.5, 1.5)
            let zerr = min(0.0004 * (1 + z) * 2.3 / s, 0.01)
            let sub = z < 1.6 ? "LOZ" : "HIZ"
            if failure > 0.07 {
                return MockRedrockRow(z: z + rng.drawNormal(mean: 0, sd: zerr), zerr: zerr, zwarn: 0, chi2: chi2,
                                  coeff: coeffs(4), npixels: npix, spectype: "QSO", subtype: sub, ncoeff: 4,
                                  deltachi2: goodChi2)
            }
            if failure > 0.04 {
                // Classified as a galaxy: MgII taken for [OII] where that gives z > 0.
                let zMg = (1 + z) * 2798.75 / 3728.48 - 1
                let zg = zMg > 0.05 && z < 2.2 ? zMg : max(z + rng.drawNormal(mean: 0, sd: 0.002), 0.01)
                return MockRedrockRow(z: zg, zerr: 3e-5 * (1 + zg), zwarn: 0, chi2: chi2, coeff: coeffs(10),
                                  npixels: npix, spectype: "GALAXY", subtype: "", ncoeff: 10,
                                  deltachi2: rng.drawUniform(10, 80))
            }
            if failure > 0.01 {
                // Ambiguous QSO fit: ZWARN SMALL_DELTA_CHI2, half with line confusion.
                var zq = z + rng.drawNormal(mean: 0, sd: zerr)
                if rng.drawUnit() < 0.5 {
                    let alt = rng.drawUnit() < 0.5 ? (1 + z) * 1549.06 / 2798.75 - 1 : (1 + z) * 2798.75 / 1549.06 - 1
                    if alt > 0.05 && alt < 6.5 { zq = alt }
                }
                return MockRedrockRow(z: zq, zerr: zerr * 3, zwarn: smallDeltaChi2, chi2: chi2, coeff: coeffs(4),
                                  npixels: npix, spectype: "QSO", subtype: sub, ncoeff: 4,
                                  deltachi2: rng.drawUniform(1, 9))
            }
            // Rarely a faint quasar is fit best by a star.
            return MockRedrockRow(z: rng.drawNormal(mean: 0, sd: 3e-4), zerr: 1e-5, zwarn: smallDeltaChi2, chi2: chi2,
                              coeff: coeffs(5), npixels: npix, spectype: "STAR", subtype: "K", ncoeff: 5,
                              deltachi2: rng.drawUniform(1, 20))
        case .galaxy:
            let zerr = 1.5e-5 * (1 + z) * 2 / s
            if t.subtype == "ELG" && rng.drawUnit() < 0.06 {
                return MockRedrockRow(z: rng.drawUniform(0.05, 1.6), zerr: zerr * 5, zwarn: smallDeltaChi2, chi2: chi2,
                                  coeff: coeffs(10), npixels: npix, spectype: "GALAXY", subtype: "", ncoeff: 10,
                                  deltachi2: rng.drawUniform(1, 9))
            }
            return MockRedrockRow(z: z + rng.drawNormal(mean: 0, sd: zerr), zerr: zerr, zwarn: 0, chi2: chi2,
                              coeff: coeffs(10), npixels: npix, spectype: "GALAXY", subtype: "", ncoeff: 10,
                              deltachi2: 20 + 150 * s * s * rng.drawUniform(0.5, 1.5))
        case .star:
            return MockRedrockRow(z: z + rng.drawNormal(mean: 0, sd: 1e-5), zerr: 1e-5, zwarn: 0, chi2: chi2,
                              coeff: coeffs(5), npixels: npix, spectype: "STAR", subtype: t.subtype, ncoeff: 5,
                              deltachi2: 100 + 400 * s * s * rng.drawUniform(0.5, 1.5))
        }
    }
}
