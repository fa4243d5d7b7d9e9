import Foundation

/// The model's own fractional error per rest bin, ε: how far normal spectra
/// scatter about their reconstruction beyond their noise, relative to the
/// reconstructed flux. Estimated on a sample as
///     ε² = Σ w²·((f − m)² − 1/w) / Σ w²·m²
/// (each term weighted by the inverse variance of (f − m)², ~w²/2), leaving
/// out bins more than 10σ off (anomalies, not model error), floored at 0.
public enum ModelErrorFloor {
    public static let outlierSigma = 10.0

    public static func fit(bins: Int, sample: [(flux: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                reconstruction: UnsafePointer<Float>)]) -> [Double] {
        var numerator = [Double](repeating: 0, count: bins)
        var denominator = numerator
        var counts = [Int](repeating: 0, count: bins)
        for row in sample {
            for i in 0..<bins {
                let w = Double(row.weight[i]), f = Double(row.flux[i]), m = Double(row.reconstruction[i])
                guard w > 0, w.isFinite, f.isFinite, m.isFinite else { continue }
                let d2 = (f - m) * (f - m)
                guard d2 * w <= outlierSigma * outlierSigma else { continue }
                numerator[i] += w * w * (d2 - 1 / w)
                denominator[i] += w * w * m * m
                counts[i] += 1
            }
        }
        return (0..<bins).map { i in
            counts[i] >= 20 && denominator[i] > 0 ? max(0, numerator[i] / denominator[i]).squareRoot() : 0
        }
    }
}
