import Foundation
import QADCore

/// The Lyα forest, judged as a population rather than pixel by pixel. Its
/// absorption is stochastic: no model predicts where the absorbers fall,
/// only how deep the forest is on average at a given z and how much it
/// scatters. The residual's model error ε (`ModelErrorFloor`, fitted on the
/// population) already holds that scatter per rest bin, so in units of
/// √(1/w + (ε·m)²) a normal forest has residuals of mean about 0 and spread
/// about 1. Per spectrum, over rest 1040–1190 Å (between Lyβ/OVI and the
/// Lyα/NV wing):
///
/// - `mean`: Σr/√n, the forest's mean transmission against the model's —
///   too little absorption (no forest: a star or galaxy at a quasar's z, a
///   wrong z) or too much (a trough, an unmodelled absorber complex);
/// - `spread`: the Wilson–Hilferty deviate of Σr²/n — a forest too smooth
///   or too ragged for its S/N.
///
/// Each is standardized by running median/MAD along z (the forest thickens
/// with z), and the score is their Euclidean norm. Spectra covering less
/// than half of the range get no score (NaN; stored as 0, no evidence).
/// The localized windows leave the forest out: searched window by window,
/// its stochastic troughs fill the top of the list (docs/scores.md).
public enum LymanForestScore {
    public static let restRange = 1040.0...1190.0
    /// Share of the range's bins a spectrum must cover.
    public static let minimumCoverage = 0.5

    /// The forest's bins on `grid`.
    public static func bins(_ grid: RestGrid) -> Range<Int> {
        let lo = max(0, grid.bin(containing: restRange.lowerBound) + 1)
        let hi = min(grid.count, grid.bin(containing: restRange.upperBound))
        return lo < hi ? lo..<hi : lo..<lo
    }

    /// (mean, spread) of one spectrum's residual over `forest`, or nil when
    /// it covers too little of it.
    public static func measure(_ residual: SpectrumResidual, forest: Range<Int>) -> (mean: Double, spread: Double)? {
        var sum = 0.0, squares = 0.0, n = 0
        for i in forest where i >= residual.lo && i < residual.lo + residual.count {
            let k = i - residual.lo
            guard residual.covered[k] != 0 else { continue }
            sum += residual.r[k]
            squares += residual.r[k] * residual.r[k]
            n += 1
        }
        guard n >= 2, Double(n) >= minimumCoverage * Double(forest.count) else { return nil }
        let nd = Double(n), k = 2 / (9 * nd)
        return (sum / nd.squareRoot(), (cbrt(squares / nd) - (1 - k)) / k.squareRoot())
    }

    /// The score of every spectrum from its measurement (nil: none) and z,
    /// standardized among the `window` spectra nearest in z.
    public static func scores(_ measurements: [(mean: Double, spread: Double)?], z: [Double], window: Int) -> [Double] {
        let mean = ShapeScores.standardizedAlongZ(measurements.map { $0?.mean ?? .nan }, z: z, window: window)
        let spread = ShapeScores.standardizedAlongZ(measurements.map { $0?.spread ?? .nan }, z: z, window: window)
        return zip(mean, spread).map { m, s in m.isFinite && s.isFinite ? (m * m + s * s).squareRoot() : .nan }
    }
}
