import Foundation

/// The model's own fractional error per rest bin, ε: how far normal spectra
/// scatter about their reconstruction beyond their noise, relative to the
/// reconstructed flux. Estimated as
///     ε² = Σ w²·((f − m)² − 1/w) / Σ w²·m²
/// (each term weighted by the inverse variance of (f − m)², ~w²/2), leaving
/// out bins more than 10σ off (anomalies, not model error), floored at 0.
/// Training fits it on the validation spectra after every epoch and weighs
/// the next epoch's χ² by 1/(1/w + ε²m²); scoring fits it on its own sample.
public struct ModelErrorFloor: Sendable {
    public static let outlierSigma = 10.0
    /// Bins with fewer covered spectra than this get ε = 0: too few to tell
    /// model error from noise.
    public static let minimumSpectra = 20

    private var numerator: [Double]
    private var denominator: [Double]
    private var counts: [Int]

    public init(bins: Int) {
        numerator = [Double](repeating: 0, count: bins)
        denominator = numerator
        counts = [Int](repeating: 0, count: bins)
    }

    /// Adds one spectrum's bins [first, first + count) (pointers start at `first`).
    public mutating func add(flux: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                             reconstruction: UnsafePointer<Float>, first: Int, count: Int) {
        let limit = Self.outlierSigma * Self.outlierSigma
        for k in 0..<count {
            let w = Double(weight[k]), f = Double(flux[k]), m = Double(reconstruction[k])
            guard w > 0, w.isFinite, f.isFinite, m.isFinite else { continue }
            let d2 = (f - m) * (f - m)
            guard d2 * w <= limit else { continue }
            numerator[first + k] += w * w * (d2 - 1 / w)
            denominator[first + k] += w * w * m * m
            counts[first + k] += 1
        }
    }

    /// Adds another accumulator's sums (one per thread, merged at the end).
    public mutating func merge(_ other: ModelErrorFloor) {
        for i in numerator.indices {
            numerator[i] += other.numerator[i]
            denominator[i] += other.denominator[i]
            counts[i] += other.counts[i]
        }
    }

    /// ε per bin.
    public var epsilon: [Double] {
        numerator.indices.map { i in
            counts[i] >= Self.minimumSpectra && denominator[i] > 0 ? max(0, numerator[i] / denominator[i]).squareRoot() : 0
        }
    }

    /// ε per bin from whole rows of a sample.
    public static func fit(bins: Int, sample: [(flux: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                reconstruction: UnsafePointer<Float>)]) -> [Double] {
        var floor = ModelErrorFloor(bins: bins)
        for row in sample {
            floor.add(flux: row.flux, weight: row.weight, reconstruction: row.reconstruction, first: 0, count: bins)
        }
        return floor.epsilon
    }
}
