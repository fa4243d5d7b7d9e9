import Foundation
import QADCore

/// The combined anomaly score. Each component is first put on a scale where
/// its normal spectra are roughly symmetric (log for χ², KL and distances,
/// which are skewed and positive), then standardized against spectra of
/// similar z and S/N by running median and MAD (`NuisanceCells`), and mapped
/// through its rank among spectra of similar S/N to a standard normal
/// deviate, so that every component holds the same share of the top of the
/// list at every S/N, whatever the shape of its tail. Above the 99.5th
/// percentile among those spectra the standardized value itself is kept,
/// scaled so that percentile lands at Φ⁻¹(0.995): a 40σ outlier still
/// outranks the merely top-ranked value of another component.
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

    /// Φ⁻¹ of each value's percentile, and above the tail point (the tail
    /// quantile) the value scaled to continue it. With `snr` and a
    /// `tailWindow`, percentile and tail point are those among the
    /// `tailWindow` spectra nearest in S/N (`RunningQuantile`): the tails of a
    /// component are heavier at some S/N than at others (on the benchmark,
    /// `lines`' 99.5th percentile is about 6.2 among the faintest fifth and 3.4
    /// among the brightest, `local_rest`'s 5.5 and 11), and a global tail
    /// point would fill the top of the list with the heavy-tailed end's
    /// normal spectra. Without, both are the whole sample's.
    static func rankNormalized(_ x: [Double], snr: [Double]? = nil, tailWindow: Int = 0) -> [Double] {
        let finite = x.indices.filter { x[$0].isFinite }
        guard !finite.isEmpty else { return x }
        var pct = [Double](repeating: .nan, count: x.count), tail = pct
        if let snr, tailWindow > 0 {
            let ordered = NuisanceCells.ordered(finite, by: snr)
            let running = RunningQuantile.percentilesAndTail(x, ordered: ordered, window: tailWindow, quantile: tailQuantile)
            for (k, i) in ordered.enumerated() { (pct[i], tail[i]) = (running.percentile[k], running.tail[k]) }
        } else {
            pct = percentiles(x)
            let q = RunningQuantile.quantile(finite.map { x[$0] }.sorted(), tailQuantile)
            for i in finite { tail[i] = q }
        }
        let gq = normalQuantile(tailQuantile)
        return x.indices.map { i in
            guard x[i].isFinite else { return .nan }
            return tail[i] > 0 && x[i] > tail[i] ? x[i] * gq / tail[i] : normalQuantile(pct[i] / 100)
        }
    }

    public static func combine(_ values: [ScoreName: [Double]], groups: [[ScoreName]], cells: NuisanceCells,
                               z: [Double], snr: [Double], tailWindow: Int = 0) -> [Double] {
        var combined = [Double](repeating: -.infinity, count: z.count)
        for group in groups {
            var largest = [Double](repeating: -.infinity, count: z.count)
            for name in group {
                guard let v = values[name] else { continue }
                let gaussian = rankNormalized(cells.standardize(transformed(name, v), z: z, snr: snr), snr: snr, tailWindow: tailWindow)
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
