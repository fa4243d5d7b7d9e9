import Foundation

/// Parameters of a galaxy spectrum: an old stellar population (4000 Å break,
/// metal absorption lines) mixed with a young, star-forming one (blue
/// continuum, Balmer absorption, nebular emission lines).
public struct GalaxyParameters: Sendable, Hashable {
    /// Fraction of the 4500 Å continuum from the young population (0 = passive
    /// LRG-like, 1 = pure star-forming ELG-like).
    public var youngFraction: Double
    /// Strength of the old population's 4000 Å break, D4000 = ⟨f_ν⟩(4000–4100)
    /// / ⟨f_ν⟩(3850–3950): ≈ 1.8–2.2 for passive galaxies (Balogh et al. 1999).
    public var d4000: Double
    /// UV slope β of the young population (f_λ ∝ λ^β, ≈ -2 … -1 for star-forming
    /// galaxies, Calzetti et al. 1994).
    public var youngSlope: Double
    /// Stellar velocity dispersion (absorption-line widths), km/s.
    public var sigmaStarsKms: Double
    /// Ionized-gas velocity dispersion (emission-line widths), km/s.
    public var sigmaGasKms: Double
    /// Hβ emission EW in Å against the total continuum (scales all nebular lines).
    public var hbetaEW: Double
    /// log10 [OIII]5008/Hβ (≈ -0.5 … +0.7 along the BPT star-forming sequence).
    public var logOIIIHb: Double
    /// log10 [NII]6585/Hα.
    public var logNIIHa: Double
    /// [OII]3727+3729 / Hβ flux ratio (≈ 1–4 in star-forming galaxies, Kewley et al. 2004).
    public var oiiHb: Double
    /// Balmer decrement Hα/Hβ (2.86 for Case B, larger with dust).
    public var balmerDecrement: Double

    public init(youngFraction: Double, d4000: Double, youngSlope: Double, sigmaStarsKms: Double,
                sigmaGasKms: Double, hbetaEW: Double, logOIIIHb: Double, logNIIHa: Double,
                oiiHb: Double, balmerDecrement: Double) {
        self.youngFraction = youngFraction
        self.d4000 = d4000
        self.youngSlope = youngSlope
        self.sigmaStarsKms = sigmaStarsKms
        self.sigmaGasKms = sigmaGasKms
        self.hbetaEW = hbetaEW
        self.logOIIIHb = logOIIIHb
        self.logNIIHa = logNIIHa
        self.oiiHb = oiiHb
        self.balmerDecrement = balmerDecrement
    }

    /// A luminous red galaxy: passive, strong break, no emission.
    public static func drawPassive(using rng: inout some RandomNumberGenerator) -> GalaxyParameters {
        GalaxyParameters(youngFraction: rng.drawUniform(0, 0.08), d4000: rng.drawUniform(1.7, 2.2),
                         youngSlope: rng.drawUniform(-2, -1.2), sigmaStarsKms: rng.drawUniform(150, 300),
                         sigmaGasKms: rng.drawUniform(60, 150), hbetaEW: rng.drawUniform(0, 0.5),
                         logOIIIHb: rng.drawUniform(-0.2, 0.5), logNIIHa: rng.drawUniform(-0.3, 0.1),
                         oiiHb: rng.drawUniform(1.5, 4), balmerDecrement: rng.drawUniform(2.9, 4.5))
    }

    /// An emission-line galaxy: young, [OII]-bright.
    public static func drawStarForming(using rng: inout some RandomNumberGenerator) -> GalaxyParameters {
        // Metallicity sequence: higher [NII]/Hα goes with lower [OIII]/Hβ.
        let m = rng.drawUnit()
        return GalaxyParameters(youngFraction: rng.drawUniform(0.6, 1.0), d4000: rng.drawUniform(1.3, 1.7),
                                youngSlope: rng.drawUniform(-2.0, -1.0), sigmaStarsKms: rng.drawUniform(60, 150),
                                sigmaGasKms: rng.drawUniform(30, 90),
                                hbetaEW: 8 * rng.drawLogNormalDex(0.25) + 3,
                                logOIIIHb: 0.7 - 1.1 * m + rng.drawNormal(mean: 0, sd: 0.1),
                                logNIIHa: -1.3 + 0.9 * m + rng.drawNormal(mean: 0, sd: 0.1),
                                oiiHb: rng.drawUniform(1.2, 3.5), balmerDecrement: rng.drawUniform(2.86, 4.0))
    }
}

/// Rest-frame galaxy spectra from a two-population model.
public enum GalaxyModel {
    static let cKms = 299_792.458

    /// Nebular lines relative to Hβ where fixed by atomic physics or typical
    /// HII-region ratios (vacuum Å). Strong-line ratios come from the parameters.
    static func nebularLines(_ p: GalaxyParameters) -> [(λ: Double, ratio: Double)] {
        let oiii = pow(10, p.logOIIIHb)
        let ha = p.balmerDecrement
        let nii = pow(10, p.logNIIHa) * ha
        // [OII] doublet ratio 3729/3727 ≈ 1.4 at low density.
        let oiiBlue = p.oiiHb / 2.4, oiiRed = p.oiiHb * 1.4 / 2.4
        return [
            (3727.09, oiiBlue), (3729.88, oiiRed),
            (3869.86, 0.1 * oiii),                  // [NeIII] tracks [OIII]
            (3890.17, 0.107), (3971.20, 0.16),      // H8, Hε (Case B)
            (4102.89, 0.26), (4341.68, 0.47),       // Hδ, Hγ (Case B)
            (4862.68, 1.0),
            (4960.30, oiii / 2.98), (5008.24, oiii),
            (5877.25, 0.11),                        // HeI
            (6302.05, 0.05 * ha),                   // [OI]
            (6549.86, nii / 3.0), (6564.61, ha), (6585.27, nii),
            (6718.29, 0.12 * ha), (6732.67, 0.09 * ha),
        ]
    }

    /// Stellar absorption features of the old population (vacuum Å, EW Å, base σ Å).
    static let oldAbsorption: [(λ: Double, ew: Double, sigma: Double)] = [
        (3934.78, 8.0, 4), (3969.59, 7.0, 4),     // CaII K, H
        (4102.89, 1.5, 4), (4305.0, 4.5, 8),      // Hδ, G band (CH)
        (4341.68, 1.5, 4), (4862.68, 1.8, 4),     // Hγ, Hβ
        (5176.7, 4.0, 8), (5270.0, 2.5, 5),       // Mg b, Fe 5270
        (5895.6, 3.0, 4), (6564.61, 1.5, 4),      // Na D, Hα
        (8500.36, 1.2, 3), (8544.44, 3.0, 3), (8664.52, 2.5, 3),  // CaII triplet
    ]
    /// Balmer absorption of the young (A-star dominated) population.
    static let youngAbsorption: [(λ: Double, ew: Double, sigma: Double)] = [
        (3890.17, 5, 8), (3971.20, 5, 8), (4102.89, 5, 8), (4341.68, 4.5, 8),
        (4862.68, 4, 8), (6564.61, 2.5, 8),
    ]

    /// Old population continuum: a 4500 K Planck curve (the light of K giants)
    /// with the 4000 Å break: flux blueward of ~4000 Å divided by D4000^0.8 (the
    /// rest of the index comes from the CaII H&K lines themselves).
    static func oldContinuum(_ λ: Double, d4000: Double) -> Double {
        let t = 4500.0
        let x = λ / 4500
        let b = 1 / (x * x * x * x * x * (exp(1.438_777e8 / (λ * t)) - 1))
        let b0 = 1 / (exp(1.438_777e8 / (4500 * t)) - 1)
        let drop = 1 / fastPow(d4000, 0.8)
        let s = 1 / (1 + exp(-(λ - 3990) / 25))  // 0 blueward of the break, 1 redward
        return b / b0 * (drop + (1 - drop) * s)
    }

    /// Young population: power law f_λ ∝ λ^β with a small Balmer break at 3646 Å.
    static func youngContinuum(_ λ: Double, slope: Double) -> Double {
        let s = 1 / (1 + exp(-(λ - 3660) / 20))
        return fastPow(λ / 4500, slope) * (0.85 + 0.15 * s)
    }

    /// Spectrum f_λ at rest wavelengths (Å), continuum ≈ 1 at 4500 Å.
    /// `resolutionSigmaRest` is the instrumental Gaussian σ in rest-frame Å, added
    /// in quadrature to every line width.
    public static func restSpectrum(wavelengths restÅ: [Double], parameters p: GalaxyParameters,
                                    resolutionSigmaRest: Double = 0) -> [Double] {
        let fy = min(max(p.youngFraction, 0), 1)
        // Absorption features: Gaussian dips, EW-weighted by each population's share.
        var dips: [(c: Double, s: Double, ew: Double)] = []
        let r2 = resolutionSigmaRest * resolutionSigmaRest
        for a in oldAbsorption {
            let sv = a.λ * p.sigmaStarsKms / cKms
            dips.append((a.λ, (a.sigma * a.sigma + sv * sv + r2).squareRoot(), a.ew * (1 - fy)))
        }
        for a in youngAbsorption {
            let sv = a.λ * p.sigmaStarsKms / cKms
            dips.append((a.λ, (a.sigma * a.sigma + sv * sv + r2).squareRoot(), a.ew * fy))
        }
        // Emission lines: flux = EW(Hβ) × continuum(4862) × ratio.
        let contHb = (1 - fy) * oldContinuum(4862.68, d4000: p.d4000) + fy * youngContinuum(4862.68, slope: p.youngSlope)
        var emis: [(c: Double, s: Double, flux: Double)] = []
        for l in nebularLines(p) {
            let sv = l.λ * p.sigmaGasKms / cKms
            emis.append((l.λ, (sv * sv + r2).squareRoot(), p.hbetaEW * contHb * l.ratio))
        }
        let norm = 1 / (2 * Double.pi).squareRoot()
        // Gaussians touch only pixels within ±6σ: found by bisection on an
        // ascending grid, by testing every pixel otherwise.
        let ascending = zip(restÅ, restÅ.dropFirst()).allSatisfy { $0 <= $1 }
        func window(_ c: Double, _ s: Double) -> Range<Int> {
            ascending ? LymanForest.lowerBound(restÅ, c - 6 * s)..<LymanForest.lowerBound(restÅ, c + 6 * s)
                      : 0..<restÅ.count
        }
        var absorb = [Double](repeating: 0, count: restÅ.count)
        for d in dips where d.ew > 0 {
            for i in window(d.c, d.s) {
                let x = (restÅ[i] - d.c) / d.s
                if abs(x) < 6 { absorb[i] += d.ew * norm / d.s * exp(-0.5 * x * x) }
            }
        }
        var out = [Double](repeating: 0, count: restÅ.count)
        for (i, λ) in restÅ.enumerated() {
            let cont = (1 - fy) * oldContinuum(λ, d4000: p.d4000) + fy * youngContinuum(λ, slope: p.youngSlope)
            // Absorption removes a fraction of the local continuum (capped: lines never go below zero).
            out[i] = cont * max(1 - absorb[i], 0.05)
        }
        for e in emis where e.flux > 0 {
            for i in window(e.c, e.s) {
                let x = (restÅ[i] - e.c) / e.s
                if abs(x) < 6 { out[i] += e.flux * norm / e.s * exp(-0.5 * x * x) }
            }
        }
        return out
    }
}
