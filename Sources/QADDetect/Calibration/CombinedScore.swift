import Foundation
import QADCore

/// The combined anomaly score. Each component is first put on a scale where
/// its normal spectra are roughly symmetric (log for χ², KL and distances,
/// which are skewed and positive), then standardized against spectra of
/// similar z and S/N by running median and MAD (`NuisanceCells`), and mapped
/// through its rank in the sample to a standard normal deviate, so that every
/// component holds the same share of the top of the list whatever the shape
/// of its tail. Above the component's 99.5th percentile the standardized value
/// itself is kept, scaled so that percentile lands at Φ⁻¹(0.995): a 40σ
/// outlier still outranks the merely top-ranked value of another component.
///
/// Components come in groups that measure one kind of thing (rest-frame
/// residuals: anywhere, and in BAL troughs; the broadband shape: colour and
/// lines; the instrument's signatures: arm-join step and sky lines). A
/// group's value is the largest of its members', mapped the same way once
/// more, so that each group, not each component, holds one share of the top
/// of the list: every component added on its own would bring its share of
/// normal spectra with it. The combined value is the largest over
/// the groups — an anomaly needs to stand out in one way, not in all —
/// standardized once more, so that among normal spectra its centre and
/// spread are the same at every S/N and redshift.
public enum CombinedScore {
    /// The scale a component is standardized on.
    static func transformed(_ name: ScoreName, _ v: [Double]) -> [Double] {
        switch name {
        case .reconChi2, .reconMse, .kl, .knn:
            return v.map { $0 > 0 ? log($0) : ($0 == 0 ? -30 : .nan) }
        case .iforest, .localRest, .localObs, .colour, .lines, .armJoinStep, .skyLines, .balTrough, .score:
            return v
        }
    }

    /// The tail quantile above which magnitudes are kept.
    static let tailQuantile = 0.995

    /// Φ⁻¹ of each value's percentile, and above the tail quantile the value scaled to continue it.
    static func rankNormalized(_ x: [Double]) -> [Double] {
        let sorted = x.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return x }
        let position = tailQuantile * Double(sorted.count - 1)
        let lower = Int(position), upper = min(lower + 1, sorted.count - 1)
        let xq = sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
        let gq = normalQuantile(tailQuantile)
        return zip(x, percentiles(x)).map { value, pct in
            guard value.isFinite else { return .nan }
            return xq > 0 && value > xq ? value * gq / xq : normalQuantile(pct / 100)
        }
    }

    public static func combine(_ values: [ScoreName: [Double]], groups: [[ScoreName]], cells: NuisanceCells,
                               z: [Double], snr: [Double]) -> [Double] {
        var combined = [Double](repeating: -.infinity, count: z.count)
        for group in groups {
            var largest = [Double](repeating: -.infinity, count: z.count)
            for name in group {
                guard let v = values[name] else { continue }
                let gaussian = rankNormalized(cells.standardize(transformed(name, v), z: z, snr: snr))
                for i in largest.indices where gaussian[i].isFinite { largest[i] = max(largest[i], gaussian[i]) }
            }
            let members = group.filter { values[$0] != nil }.count
            guard members > 0 else { continue }
            let value = members == 1 ? largest
                : rankNormalized(cells.standardize(largest.map { $0.isFinite ? $0 : .nan }, z: z, snr: snr))
            for i in combined.indices where value[i].isFinite { combined[i] = max(combined[i], value[i]) }
        }
        // A spectrum with no finite component is as suspicious as the worst.
        let worst = combined.filter(\.isFinite).max() ?? 0
        for i in combined.indices where !combined[i].isFinite { combined[i] = worst }
        return cells.standardize(combined, z: z, snr: snr)
    }
}
