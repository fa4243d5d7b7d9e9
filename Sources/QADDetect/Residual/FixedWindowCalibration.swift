import Foundation

/// The population distribution of one statistic at one fixed window (an arm
/// join, a sky line, a BAL trough's velocity range), fitted the way
/// `WindowCalibration` fits a sliding window's slot: clipped passes for a
/// centre and a core scale √(a + b·reach²) (`ReachScaledFit`), then tail
/// factors matched to the 0.5 % and 99.5 % points of the standardized values.
struct FixedWindowCalibration: Sendable {
    var mean = 0.0, base = Double.infinity, growth = 0.0
    var upper = 1.0, lower = 1.0

    /// Too few spectra cover the window: pure-noise values.
    static let pureNoise = FixedWindowCalibration(mean: 0, base: 1, growth: 0)

    func scale(_ reach: Double) -> Double { (base + growth * reach * reach).squareRoot() }

    func standardize(_ x: Double, reach: Double) -> Double {
        let d = x - mean
        return d / (scale(reach) * (d >= 0 ? upper : lower))
    }

    /// Fits the window's (statistic, reach) pairs over the calibration sample
    /// in `passes` passes, the first unclipped.
    static func fit(_ seen: [(value: Double, reach: Double)], passes: Int) -> FixedWindowCalibration {
        var c = FixedWindowCalibration()
        for _ in 0..<max(1, passes) {
            var sums = [Double](repeating: 0, count: ReachScaledFit.terms)
            for (x, reach) in seen {
                let d = x - c.mean, scale = c.scale(reach)
                guard abs(d) <= WindowCalibration.clipSigma * scale else { continue }
                ReachScaledFit.add(&sums, d: d, q: reach * reach, weight: ReachScaledFit.weight(variance: scale * scale))
            }
            guard sums[0] >= Double(WindowCalibration.minimumCount) else { return .pureNoise }
            let f = ReachScaledFit.fit(sums[...], about: c.mean)
            c = FixedWindowCalibration(mean: f.mean, base: f.base, growth: f.growth)
        }
        let u = seen.map { c.standardize($0.value, reach: $0.reach) }.sorted()
        if u.count >= 200 {
            let q = WindowCalibration.tailQuantile
            c.upper = max(1, u[Int((q * Double(u.count - 1)).rounded())] / WindowCalibration.tailDeviate)
            c.lower = max(1, -u[Int(((1 - q) * Double(u.count - 1)).rounded())] / WindowCalibration.tailDeviate)
        }
        return c
    }
}
