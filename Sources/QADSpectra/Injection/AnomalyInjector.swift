import Foundation
import QADCore

/// Applies an `InjectedAnomaly` to an observed spectrum's arms in place.
///
/// A real spectrum has no noise-free version, so changes are made to a smooth
/// estimate m of it (an inverse-variance-weighted running mean over ±20
/// pixels, ~30 Å) and the pixel noise f − m is kept: a trough removes
/// (1 − T)·m, a tilt adds (t − 1)·m, a replacement puts a template where m
/// was. The noise level (IVAR) is left as it is: at DESI's depth it is mostly
/// sky and read noise, which an absorber or a calibration error does not change.
public enum AnomalyInjector {
    static let halfWindow = 20

    public static func apply(_ anomaly: InjectedAnomaly, to arms: inout [ArmSpectrum], z: Double) {
        for a in arms.indices {
            let arm = arms[a]
            let m = smooth(arm)
            var f = arm.flux
            let λ = arm.wavelength
            func add(_ i: Int, _ delta: Double) { f[i] = Float(Double(f[i]) + delta) }
            switch anomaly {
            case let .hiBAL(vMin, vMax, depth):
                for i in λ.indices {
                    let t = highIonizationTransmission(λ[i] / (1 + z), vMin: vMin, vMax: vMax, depth: depth)
                    add(i, -(1 - t) * m[i])
                }
            case let .loBAL(vMin, vMax, depth):
                for i in λ.indices {
                    let rest = λ[i] / (1 + z)
                    let t = highIonizationTransmission(rest, vMin: vMin, vMax: vMax, depth: depth)
                        * lowIonizationTransmission(rest, vMin: vMin, vMax: vMax, depth: depth)
                    add(i, -(1 - t) * m[i])
                }
            case let .reddening(ebv):
                // Normalized at rest 3000 Å: the amplitude fit removes overall dimming anyway.
                let ref = QuasarAnomaly.smcExtinction(3000)
                for i in λ.indices {
                    let t = pow(10, -0.4 * ebv * (QuasarAnomaly.smcExtinction(λ[i] / (1 + z)) - ref))
                    add(i, (t - 1) * m[i])
                }
            case let .weakLines(scale):
                let continuum = pseudoContinuum(arms, z: z)
                for i in λ.indices where isInBroadLine(λ[i] / (1 + z)) {
                    add(i, -(1 - scale) * max(0, m[i] - continuum(λ[i])))
                }
            case .wrongRedshift:
                break  // the catalog changes, not the spectrum
            case let .star(p):
                let template = StarModel.restSpectrum(wavelengths: λ.map { $0 / (1 + p.redshift) }, parameters: p)
                replace(&f, m: m, template: template, level: medianLevel(arms))
            case let .galaxy(zg, p):
                let template = GalaxyModel.restSpectrum(wavelengths: λ.map { $0 / (1 + zg) }, parameters: p)
                replace(&f, m: m, template: template, level: medianLevel(arms))
            case let .armStep(name, factor):
                if arm.name.uppercased().hasPrefix(name) { for i in λ.indices { add(i, (factor - 1) * m[i]) } }
            case let .skyResidual(lines, amplitude):
                // A sky line scaled wrongly in the subtraction leaves a line-shaped
                // excess (under-subtracted, amplitude > 0) or dip (over-subtracted)
                // of the instrument's line width (σ ≈ 1 Å), slightly skewed by a
                // small wavelength error.
                for line in lines {
                    for i in λ.indices where abs(λ[i] - line) < 6 && arm.ivar[i] > 0 {
                        let x = λ[i] - line
                        let shape = exp(-0.5 * x * x) + 0.3 * x * exp(-0.5 * x * x)
                        add(i, amplitude * shape / Double(arm.ivar[i]).squareRoot())
                    }
                }
            case let .deadSegment(start, width):
                for i in λ.indices where λ[i] >= start && λ[i] < start + width { add(i, -m[i]) }
            case let .calibrationTilt(slope):
                for i in λ.indices { add(i, slope * (λ[i] - 6500) / 1000 * m[i]) }
            }
            arms[a].flux = f
        }
    }

    /// Inverse-variance-weighted running mean of an arm's usable pixels.
    static func smooth(_ arm: ArmSpectrum) -> [Double] {
        let n = arm.flux.count
        var sw = [Double](repeating: 0, count: n + 1), swf = sw
        for i in 0..<n {
            let w = arm.mask[i] == 0 && arm.ivar[i] > 0 && arm.flux[i].isFinite ? Double(arm.ivar[i]) : 0
            sw[i + 1] = sw[i] + w
            swf[i + 1] = swf[i] + (w > 0 ? w * Double(arm.flux[i]) : 0)
        }
        return (0..<n).map { i in
            let lo = max(0, i - halfWindow), hi = min(n, i + halfWindow + 1)
            let w = sw[hi] - sw[lo]
            return w > 0 ? (swf[hi] - swf[lo]) / w : 0
        }
    }

    /// The smoothed flux of all arms at their median (the spectrum's brightness).
    static func medianLevel(_ arms: [ArmSpectrum]) -> Double {
        let all = arms.flatMap { smooth($0) }.sorted()
        return all.isEmpty ? 0 : all[all.count / 2]
    }

    /// Puts `template`, scaled to the spectrum's median brightness, where m was.
    static func replace(_ f: inout [Float], m: [Double], template: [Double], level: Double) {
        let sorted = template.sorted()
        let t = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        let scale = t > 0 ? max(level, 0) / t : 0
        for i in f.indices { f[i] = Float(Double(f[i]) - m[i] + scale * template[i]) }
    }

    /// Velocity (km/s, > 0 blueward) at which a line at `lineλ` absorbs at rest λ.
    static func outflowVelocity(_ λ: Double, line: Double) -> Double {
        let r = (λ / line) * (λ / line)
        return InjectedAnomaly.cKms * (1 - r) / (1 + r)
    }

    static func highIonizationTransmission(_ rest: Double, vMin: Double, vMax: Double, depth: Double) -> Double {
        guard rest > 1000 && rest < 1600 else { return 1 }
        return QuasarAnomaly.balTransmission(rest, vMin: vMin, vMax: vMax, depth: depth)
    }

    /// MgII and AlIII troughs of a LoBAL, somewhat shallower than CIV's.
    static func lowIonizationTransmission(_ rest: Double, vMin: Double, vMax: Double, depth: Double) -> Double {
        var t = 1.0
        for (line, rel) in [(2798.75, 0.8), (1857.40, 0.6)] where rest > line * 0.88 && rest < line * 1.01 {
            t *= 1 - depth * rel * QuasarAnomaly.troughProfile(outflowVelocity(rest, line: line), vMin: vMin, vMax: vMax)
        }
        return t
    }

    /// Broad emission-line regions (rest Å) whose flux above the continuum `weakLines` scales.
    static let broadLineRegions: [ClosedRange<Double>] = [
        1180...1265, 1370...1430, 1500...1600, 1860...1960, 2730...2870, 4780...4940, 6450...6680,
    ]
    static func isInBroadLine(_ rest: Double) -> Bool { broadLineRegions.contains { $0.contains(rest) } }

    /// Line-free rest windows (Å) that fix the continuum under the lines.
    static let continuumWindows: [ClosedRange<Double>] = [
        1275...1290, 1340...1360, 1440...1470, 1690...1720, 2200...2260, 3010...3040, 3540...3600, 4200...4230,
        5080...5120, 6000...6100, 7000...7100,
    ]

    /// A continuum through the smoothed flux in the line-free windows the
    /// spectrum covers, interpolated linearly in log λ (flat beyond the ends).
    static func pseudoContinuum(_ arms: [ArmSpectrum], z: Double) -> (Double) -> Double {
        var points: [(x: Double, y: Double)] = []
        let smoothed = arms.map { smooth($0) }
        for window in continuumWindows {
            var s = 0.0, n = 0.0
            for (a, arm) in arms.enumerated() {
                for i in arm.wavelength.indices where window.contains(arm.wavelength[i] / (1 + z)) && arm.ivar[i] > 0 {
                    s += smoothed[a][i]
                    n += 1
                }
            }
            if n > 0 { points.append((log((window.lowerBound + window.upperBound) / 2 * (1 + z)), s / n)) }
        }
        return { λobs in
            guard let first = points.first, let last = points.last else { return .infinity }
            let x = log(λobs)
            if x <= first.x { return first.y }
            if x >= last.x { return last.y }
            let k = points.firstIndex { $0.x >= x }!
            let (a, b) = (points[k - 1], points[k])
            return a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x)
        }
    }
}
