import Foundation

/// A physically motivated departure from the normal quasar population,
/// injected into a fraction of simulated quasars and recorded in the truth table.
public enum QuasarAnomaly: Sendable, Hashable {
    /// Broad absorption line outflow: troughs in CIV, SiIV and NV between
    /// `vMinKms` and `vMaxKms` blueward of each line (outflow speeds, > 0),
    /// with maximum fractional depth `depth`.
    case bal(vMinKms: Double, vMaxKms: Double, depth: Double)
    /// Dust in the quasar host: SMC extinction with colour excess E(B-V).
    case reddening(ebv: Double)
    /// Weak-line quasar: every emission line's EW multiplied by `scale`.
    case weakLines(scale: Double)
    /// An additional broad Gaussian on one line (offset broad-line region,
    /// double-peaked disk emitter, recoil candidate): velocity offset, FWHM and
    /// EW in rest Å.
    case extraBroadComponent(line: String, restWavelength: Double, offsetKms: Double,
                             fwhmKms: Double, ew: Double)

    /// Truth-table type name.
    public var typeName: String {
        switch self {
        case .bal: return "BAL"
        case .reddening: return "REDDENED"
        case .weakLines: return "WEAK_LINES"
        case .extraBroadComponent: return "EXTRA_BROAD_COMPONENT"
        }
    }

    /// `key=value;key=value` (no commas, so it sits in one CSV field unquoted).
    public var parameterDescription: String {
        func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
        switch self {
        case let .bal(vMin, vMax, depth):
            return "vmin_kms=\(f(vMin, 0));vmax_kms=\(f(vMax, 0));depth=\(f(depth, 3))"
        case let .reddening(ebv):
            return "ebv=\(f(ebv, 3));law=SMC"
        case let .weakLines(scale):
            return "ew_scale=\(f(scale, 3))"
        case let .extraBroadComponent(line, rest, offset, fwhm, ew):
            return "line=\(line);rest_A=\(f(rest, 2));offset_kms=\(f(offset, 0));fwhm_kms=\(f(fwhm, 0));ew_A=\(f(ew, 2))"
        }
    }

    static let cKms = 299_792.458
    /// Lines that carry BAL troughs (vacuum Å) and their depth relative to CIV
    /// (SiIV troughs are usually shallower; NV comparable to CIV).
    static let balLines: [(λ: Double, relDepth: Double)] = [(1549.06, 1.0), (1396.76, 0.7), (1240.14, 0.9)]

    /// Draws one anomaly for a quasar at `redshift`; the extra broad component
    /// goes on a line that DESI sees at this redshift.
    public static func draw(redshift z: Double, using rng: inout some RandomNumberGenerator) -> QuasarAnomaly {
        switch rng.drawIndex(4) {
        case 0:
            let vMin = rng.drawUniform(2000, 15_000)
            let width = rng.drawUniform(2000, min(15_000, 25_000 - vMin))
            return .bal(vMinKms: vMin, vMaxKms: vMin + width, depth: rng.drawUniform(0.3, 0.9))
        case 1:
            return .reddening(ebv: rng.drawUniform(0.1, 0.5))
        case 2:
            return .weakLines(scale: rng.drawUniform(0.1, 0.3))
        default:
            let candidates = QuasarModel.lines.filter { l in
                ["Lya", "CIV", "CIII]", "MgII", "Hb", "Ha"].contains(l.name)
                    && l.restWavelength * (1 + z) > 3750 && l.restWavelength * (1 + z) < 9650
            }
            let line = candidates.isEmpty
                ? QuasarModel.lines.first { $0.name == "MgII" }!
                : candidates[rng.drawIndex(candidates.count)]
            let sign: Double = rng.drawUnit() < 0.5 ? -1 : 1
            return .extraBroadComponent(line: line.name, restWavelength: line.restWavelength,
                                        offsetKms: sign * rng.drawUniform(1500, 6000),
                                        fwhmKms: rng.drawUniform(6000, 15_000),
                                        ew: line.equivalentWidth * rng.drawUniform(0.5, 1.5))
        }
    }

    /// Changes to the intrinsic parameters (weak lines).
    public func adjust(_ p: inout QuasarParameters) {
        if case let .weakLines(scale) = self {
            for i in p.lineScales.indices { p.lineScales[i] *= scale }
        }
    }

    /// SMC extinction curve k(λ) = A_λ/E(B-V) ≈ 1.39 λ_μm^-1.2 - 0.38 (Prévot et
    /// al. 1984 as parametrized by Hopkins et al. 2004), ≥ 0. No 2175 Å bump:
    /// quasar reddening is SMC-like (Richards et al. 2003).
    public static func smcExtinction(_ λÅ: Double) -> Double {
        max(1.39 * pow(λÅ / 10_000, -1.2) - 0.38, 0)
    }

    /// Fraction of flux left at rest wavelength λ by one BAL trough system.
    static func balTransmission(_ λ: Double, vMin: Double, vMax: Double, depth: Double) -> Double {
        var t = 1.0
        for line in balLines {
            // Outflow velocity that absorbs at λ: relativistic Doppler, v > 0 blueward.
            let r = (λ / line.λ) * (λ / line.λ)
            let v = cKms * (1 - r) / (1 + r)
            t *= 1 - depth * line.relDepth * troughProfile(v, vMin: vMin, vMax: vMax)
        }
        return t
    }

    /// Trough shape in velocity: soft edges (~300 km/s) and a mildly deeper
    /// low-velocity side, as BAL troughs often are.
    static func troughProfile(_ v: Double, vMin: Double, vMax: Double) -> Double {
        guard v > vMin - 1500 && v < vMax + 1500 else { return 0 }
        let edge = 300.0
        let rise = 1 / (1 + exp(-(v - vMin) / edge))
        let fall = 1 / (1 + exp((v - vMax) / edge))
        let tilt = 1 - 0.25 * (v - vMin) / max(vMax - vMin, 1)
        return rise * fall * min(max(tilt, 0.6), 1)
    }

    /// Applies the anomaly's multiplicative (BAL, dust) and additive (extra
    /// component) parts to an intrinsic rest spectrum.
    public func apply(restWavelengths: [Double], flux: inout [Double], parameters p: QuasarParameters) {
        switch self {
        case let .bal(vMin, vMax, depth):
            for i in flux.indices {
                let λ = restWavelengths[i]
                if λ > 1000 && λ < 1560 {
                    flux[i] *= QuasarAnomaly.balTransmission(λ, vMin: vMin, vMax: vMax, depth: depth)
                }
            }
        case let .reddening(ebv):
            for i in flux.indices {
                flux[i] *= pow(10, -0.4 * ebv * QuasarAnomaly.smcExtinction(restWavelengths[i]))
            }
        case .weakLines:
            break  // acts through `adjust`
        case let .extraBroadComponent(_, rest, offset, fwhm, ew):
            let centre = rest * (1 + offset / QuasarAnomaly.cKms)
            let sigma = centre * fwhm / (QuasarAnomaly.cKms * 2.354_820_045)
            let lineFlux = ew * QuasarModel.continuum(rest, p)
            let norm = 1 / (sigma * (2 * Double.pi).squareRoot())
            for i in flux.indices {
                let x = (restWavelengths[i] - centre) / sigma
                if abs(x) < 6 { flux[i] += lineFlux * norm * exp(-0.5 * x * x) }
            }
        }
    }

    /// Balnicity index of the CIV trough (Weymann et al. 1991):
    /// BI = ∫_{3000}^{25000} (1 - f(v)/0.9) C dv, C = 1 once the flux has been
    /// below 90% of the continuum for 2000 km/s without interruption.
    /// Absorption index (Hall et al. 2002): ∫_0^{25000} (1 - f/0.9) over every
    /// contiguous trough at least 1000 km/s wide. Computed on the noiseless trough.
    public var civIndices: (bi: Double, ai: Double) {
        guard case let .bal(vMin, vMax, depth) = self else { return (0, 0) }
        let dv = 10.0
        var bi = 0.0, ai = 0.0
        var run = 0.0, segment = 0.0
        var v = 0.0
        while v <= 25_000 {
            let f = 1 - depth * QuasarAnomaly.troughProfile(v, vMin: vMin, vMax: vMax)
            let d = 1 - f / 0.9
            if d > 0 {
                run += dv
                segment += d * dv
                if run > 2000 && v >= 3000 { bi += d * dv }
            } else {
                if run >= 1000 { ai += segment }
                run = 0
                segment = 0
            }
            v += dv
        }
        if run >= 1000 { ai += segment }
        return (bi, ai)
    }
}
