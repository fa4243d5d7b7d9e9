import Foundation

/// Parameters of a Milky Way star seen in a dark-time fiber (mostly QSO-target
/// contaminants and MWS targets): effective temperature and radial velocity.
public struct StarParameters: Sendable, Hashable {
    /// Effective temperature, 3500–10 000 K (M to A types).
    public var temperature: Double
    /// Heliocentric radial velocity in km/s (halo stars: σ ≈ 100 km/s).
    public var radialVelocityKms: Double

    public init(temperature: Double, radialVelocityKms: Double) {
        self.temperature = temperature
        self.radialVelocityKms = radialVelocityKms
    }

    /// Redshift z = v/c (non-relativistic, |v| ≪ c).
    public var redshift: Double { radialVelocityKms / 299_792.458 }

    /// MK spectral class letter, as redrock's STAR SUBTYPE.
    public var spectralClass: String {
        switch temperature {
        case 7300...: return "A"
        case 6000..<7300: return "F"
        case 5200..<6000: return "G"
        case 3900..<5200: return "K"
        default: return "M"
        }
    }

    /// Temperatures weighted toward F/G/K dwarfs (the bulk of faint halo and
    /// thick-disk stars), with M dwarfs and some A/BHB stars.
    public static func draw(using rng: inout some RandomNumberGenerator) -> StarParameters {
        let u = rng.drawUnit()
        let t: Double
        if u < 0.15 { t = rng.drawUniform(3500, 3900) }
        else if u < 0.45 { t = rng.drawUniform(3900, 5200) }
        else if u < 0.75 { t = rng.drawUniform(5200, 6000) }
        else if u < 0.93 { t = rng.drawUniform(6000, 7300) }
        else { t = rng.drawUniform(7300, 10_000) }
        return StarParameters(temperature: t, radialVelocityKms: rng.drawNormal(mean: 0, sd: 100))
    }
}

/// Stellar spectra: Planck continuum with line blanketing, the Balmer jump
/// and Balmer lines of hot stars, CaII H&K, G band, Mg b, Na D and the CaII
/// triplet of cool stars, and TiO bands in M dwarfs.
public enum StarModel {
    /// Balmer series (vacuum Å) from Hα to H10.
    static let balmer: [Double] = [6564.61, 4862.68, 4341.68, 4102.89, 3971.20, 3890.17, 3836.47, 3799.0]
    /// TiO band heads (vacuum Å); each band degrades to the red over ~150 Å.
    static let tioHeads: [Double] = [4955.7, 5168.7, 5448.8, 5849.7, 6160.0, 6652.8, 7055.9, 7591.0, 8434.0]

    /// Balmer-line EW (Å) vs temperature: a peak ≈ 14 Å (Hβ) near 9500 K (A0–A2),
    /// falling to ~2 Å for G stars (Gray & Corbally 2009).
    static func balmerEW(_ t: Double) -> Double {
        let x = (t - 9500) / 1800
        return 1.2 + 13 * exp(-0.5 * x * x)
    }

    /// Metal-line strength vs temperature: 0 at 8000 K rising to 1 at ≲ 4500 K.
    static func metalStrength(_ t: Double) -> Double {
        min(max((8000 - t) / 3500, 0), 1)
    }

    /// Spectrum f_λ at rest wavelengths, ≈ 1 at 5500 Å before absorption.
    public static func restSpectrum(wavelengths restÅ: [Double], parameters p: StarParameters,
                                    resolutionSigmaRest: Double = 0) -> [Double] {
        let t = p.temperature
        let hcOverk = 1.438_777e8  // Å·K
        let b5500 = 1 / (pow(5500, 5) * (exp(hcOverk / (5500 * t)) - 1))
        let metals = metalStrength(t)
        let r2 = resolutionSigmaRest * resolutionSigmaRest
        // Balmer jump: opacity of n=2 hydrogen suppresses flux below 3646 Å in
        // A/F stars (up to ~50%).
        let jump = 0.5 * exp(-0.5 * pow((t - 9000) / 2000, 2))
        // Lines: (centre, EW, Lorentzian HWHM for Stark-broadened Balmer lines or Gaussian σ).
        var lorentz: [(c: Double, ew: Double, g: Double)] = []
        let ewB = balmerEW(t)
        for (k, c) in balmer.enumerated() {
            // Higher series members are weaker; Hα slightly weaker than Hβ in A stars.
            let scale = k == 0 ? 0.8 : pow(0.85, Double(k - 1))
            let ew = ewB * scale
            // Wings grow with line strength: HWHM ≈ EW/(π·depth) with depth ~0.7.
            let g = max(ew / (Double.pi * 0.7), 1.0)
            lorentz.append((c, ew, g))
        }
        var gauss: [(c: Double, ew: Double, s: Double)] = [
            (3934.78, 1 + 14 * metals, 3), (3969.59, 1 + 10 * metals, 3),  // CaII K, H
            (4227.9, 3 * metals * metals, 2),                              // CaI
            (4305.0, 6 * metals, 8),                                        // G band
            (5176.7, 5 * metals, 6),                                        // Mg b
            (5895.6, 4 * metals, 3),                                        // Na D
            (8500.36, 1.5 * metals, 2), (8544.44, 3.5 * metals, 2), (8664.52, 3 * metals, 2),
        ]
        for i in gauss.indices {
            gauss[i].s = (gauss[i].s * gauss[i].s + r2).squareRoot()
        }
        let tio = min(max((4000 - t) / 500, 0), 1) * 0.5
        let norm = 1 / (2 * Double.pi).squareRoot()
        return restÅ.map { λ in
            let λ2 = λ * λ
            var f = 1 / (λ2 * λ2 * λ * (exp(hcOverk / (λ * t)) - 1)) / b5500
            // Line blanketing in the near-UV of cool stars (many metal lines).
            if λ < 4200 { f *= 1 - 0.6 * metals * min((4200 - λ) / 1000, 1) }
            if λ < 3700 { f *= 1 - jump / (1 + exp((λ - 3646) / 15)) }
            var depth = 0.0
            for l in lorentz {
                let d = λ - l.c
                if abs(d) < 60 * l.g {
                    // Lorentzian profile normalized to unit area, times EW.
                    depth += l.ew * l.g / (Double.pi * (d * d + l.g * l.g))
                }
            }
            for l in gauss where l.ew > 0 {
                let x = (λ - l.c) / l.s
                if abs(x) < 6 { depth += l.ew * norm / l.s * exp(-0.5 * x * x) }
            }
            f *= max(1 - depth, 0.05)
            if tio > 0 {
                for h in tioHeads where λ >= h && λ < h + 150 {
                    f *= 1 - tio * (1 - (λ - h) / 150)
                }
            }
            return f
        }
    }
}
