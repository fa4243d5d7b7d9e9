import Foundation
import QADCore

/// An anomaly `qad inject` puts into an observed spectrum (real or simulated),
/// for completeness studies: the astrophysical states qad should find (BAL,
/// reddening, weak lines), catalog errors (wrong redshift, a star or a galaxy
/// labelled quasar) and instrument or pipeline artifacts. Parameter ranges
/// and their sources are in docs/scores.md.
public enum InjectedAnomaly: Sendable, Equatable {
    /// High-ionization BAL: troughs blueward of CIV, SiIV and NV.
    case hiBAL(vMinKms: Double, vMaxKms: Double, depth: Double)
    /// Low-ionization BAL: the high-ionization troughs plus MgII and AlIII ones.
    case loBAL(vMinKms: Double, vMaxKms: Double, depth: Double)
    /// SMC-like dust in the host with colour excess E(B−V).
    case reddening(ebv: Double)
    /// Every broad line's flux above the continuum multiplied by `scale`.
    case weakLines(scale: Double)
    /// The catalog redshift of a spectrum whose line at `trueLine` Å was taken for `assumedLine` Å.
    case wrongRedshift(trueLine: String, assumedLine: String, newZ: Double)
    /// The spectrum replaced by a star's (the quasar's noise kept).
    case star(StarParameters)
    /// The spectrum replaced by a galaxy's at redshift `z` (the quasar's noise kept).
    case galaxy(z: Double, parameters: GalaxyParameters)
    /// One arm's flux scaled by `factor` (a bad flux calibration of that camera).
    case armStep(arm: String, factor: Double)
    /// Badly subtracted sky lines: residuals of `amplitude` σ per pixel at `lines`
    /// (> 0 under-subtracted, < 0 over-subtracted).
    case skyResidual(lines: [Double], amplitude: Double)
    /// A stretch of CCD columns without signal that the pipeline did not mask.
    case deadSegment(startÅ: Double, widthÅ: Double)
    /// A linear tilt of the flux calibration: fractional change `slope` per 1000 Å around 6500 Å.
    case calibrationTilt(slope: Double)

    public static let classNames = ["BAL_HI", "BAL_LO", "REDDENED", "WEAK_LINES", "WRONG_Z", "STAR", "GALAXY",
                                    "ARM_STEP", "SKY_RESIDUAL", "DEAD_SEGMENT", "CALIBRATION_TILT"]

    /// Truth-table class name.
    public var className: String {
        switch self {
        case .hiBAL: return "BAL_HI"
        case .loBAL: return "BAL_LO"
        case .reddening: return "REDDENED"
        case .weakLines: return "WEAK_LINES"
        case .wrongRedshift: return "WRONG_Z"
        case .star: return "STAR"
        case .galaxy: return "GALAXY"
        case .armStep: return "ARM_STEP"
        case .skyResidual: return "SKY_RESIDUAL"
        case .deadSegment: return "DEAD_SEGMENT"
        case .calibrationTilt: return "CALIBRATION_TILT"
        }
    }

    /// `key=value;…` (no commas: one CSV field).
    public var parameterDescription: String {
        func f(_ x: Double, _ d: Int = 1) -> String { String(format: "%.\(d)f", x) }
        switch self {
        case let .hiBAL(a, b, d), let .loBAL(a, b, d): return "vmin_kms=\(f(a, 0));vmax_kms=\(f(b, 0));depth=\(f(d, 3))"
        case let .reddening(e): return "ebv=\(f(e, 3));law=SMC"
        case let .weakLines(s): return "line_scale=\(f(s, 3))"
        case let .wrongRedshift(t, a, z): return "true_line=\(t);assumed_line=\(a);new_z=\(f(z, 4))"
        case let .star(p): return "teff_k=\(f(p.temperature, 0));class=\(p.spectralClass)"
        case let .galaxy(z, p): return "z=\(f(z, 4));young_fraction=\(f(p.youngFraction, 2))"
        case let .armStep(arm, k): return "arm=\(arm);factor=\(f(k, 3))"
        case let .skyResidual(lines, a): return "lines_A=\(lines.map { f($0, 1) }.joined(separator: "/"));amplitude_sigma=\(f(a, 1))"
        case let .deadSegment(s, w): return "start_A=\(f(s, 1));width_A=\(f(w, 1))"
        case let .calibrationTilt(s): return "slope_per_1000A=\(f(s, 3))"
        }
    }

    /// The redshift the catalog should carry after injection, when it changes.
    public var catalogRedshift: Double? {
        if case let .wrongRedshift(_, _, z) = self { return z }
        return nil
    }

    static let cKms = 299_792.458
    /// Strong lines for redshift confusion (vacuum Å).
    static let confusionLines: [(String, Double)] = [("Lya", 1215.67), ("CIV", 1549.06), ("CIII]", 1908.73),
                                                     ("MgII", 2798.75), ("Hb", 4862.68), ("Ha", 6564.61)]
    /// Bright night-sky lines (vacuum Å) where subtraction residuals appear.
    static let skyLines = ObservedFeatures.brightSkyLines

    /// Draws one anomaly of class `name` for a quasar at redshift z, or nil
    /// when the class cannot show at this redshift (e.g. CIV troughs below z 1.4).
    public static func draw(_ name: String, z: Double, using rng: inout some RandomNumberGenerator) -> InjectedAnomaly? {
        switch name {
        case "BAL_HI", "BAL_LO":
            // Troughs start at 0–15,000 km/s and span 2,000–20,000 km/s (BI needs ≥ 2,000;
            // Weymann et al. 1991, Gibson et al. 2009); depth 0.3–0.9 of the continuum.
            let vMin = rng.drawUniform(1000, 15_000)
            let vMax = vMin + rng.drawUniform(2000, min(20_000, 29_000 - vMin))
            let depth = rng.drawUniform(0.3, 0.9)
            if name == "BAL_HI" {
                guard 1549.06 * (1 + z) > 3800 else { return nil }
                return .hiBAL(vMinKms: vMin, vMaxKms: vMax, depth: depth)
            }
            guard 2798.75 * (1 + z) > 3800 && 2798.75 * (1 + z) < 9700 else { return nil }
            return .loBAL(vMinKms: vMin, vMaxKms: vMax, depth: depth)
        case "REDDENED":
            // E(B−V) 0.1–0.4: the range of red quasars in SDSS/DESI (Richards et al. 2003, Klindt et al. 2019).
            return .reddening(ebv: rng.drawUniform(0.1, 0.4))
        case "WEAK_LINES":
            // Weak-line quasars: CIV/Lyα EW a few times below normal (Diamond-Stanic et al. 2009).
            return .weakLines(scale: rng.drawUniform(0.1, 0.35))
        case "WRONG_Z":
            var options: [InjectedAnomaly] = []
            for (trueName, trueλ) in confusionLines where trueλ * (1 + z) > 3700 && trueλ * (1 + z) < 9700 {
                for (assumedName, assumedλ) in confusionLines where assumedName != trueName {
                    let newZ = trueλ * (1 + z) / assumedλ - 1
                    if newZ > 0.05 && newZ < 6.5 && abs(newZ - z) > 0.1 {
                        options.append(.wrongRedshift(trueLine: trueName, assumedLine: assumedName, newZ: newZ))
                    }
                }
            }
            return options.isEmpty ? nil : options[rng.drawIndex(options.count)]
        case "STAR":
            // The stellar types of the simulator (those that enter quasar target selection).
            return .star(StarParameters.draw(using: &rng))
        case "GALAXY":
            let p = rng.drawUnit() < 0.5 ? GalaxyParameters.drawPassive(using: &rng) : GalaxyParameters.drawStarForming(using: &rng)
            return .galaxy(z: rng.drawUniform(0.05, 0.8), parameters: p)
        case "ARM_STEP":
            let up = rng.drawUnit() < 0.5
            let factor = up ? rng.drawUniform(1.15, 1.4) : rng.drawUniform(0.6, 0.85)
            return .armStep(arm: rng.drawUnit() < 0.5 ? "B" : "Z", factor: factor)
        case "SKY_RESIDUAL":
            var lines = skyLines
            var chosen: [Double] = []
            for _ in 0..<(2 + rng.drawIndex(3)) { chosen.append(lines.remove(at: rng.drawIndex(lines.count))) }
            let amplitude = rng.drawUniform(4, 15)
            return .skyResidual(lines: chosen.sorted(), amplitude: rng.drawUnit() < 0.7 ? amplitude : -amplitude)
        case "DEAD_SEGMENT":
            let width = rng.drawUniform(60, 300)
            return .deadSegment(startÅ: rng.drawUniform(3700, 9700 - width), widthÅ: width)
        case "CALIBRATION_TILT":
            let s = rng.drawUniform(0.05, 0.15)
            return .calibrationTilt(slope: rng.drawUnit() < 0.5 ? s : -s)
        default:
            return nil
        }
    }
}
