import Foundation
import QADCore

/// The combined anomaly score. Each component is first put on a scale where
/// its normal spectra are roughly symmetric (log for χ², KL and distances,
/// which are skewed and positive), then standardized against spectra of
/// similar z and S/N by running median and MAD (`NuisanceCells`), and mapped
/// through its rank in the sample to a standard normal deviate, so that every
/// component holds the same share of the top of the list whatever the shape
/// of its tail. The combined value is the largest of these — an anomaly needs
/// to stand out in one way, not in all — standardized the same way once
/// more, so that among normal spectra its centre and spread are the same at
/// every S/N and redshift.
public enum CombinedScore {
    /// The scale a component is standardized on.
    static func transformed(_ name: ScoreName, _ v: [Double]) -> [Double] {
        switch name {
        case .reconChi2, .reconMse, .kl, .knn:
            return v.map { $0 > 0 ? log($0) : ($0 == 0 ? -30 : .nan) }
        case .iforest, .localRest, .localObs, .colour, .lines, .score:
            return v
        }
    }

    public static func combine(_ values: [ScoreName: [Double]], components: [ScoreName], cells: NuisanceCells,
                               z: [Double], snr: [Double]) -> [Double] {
        var combined = [Double](repeating: -.infinity, count: z.count)
        for name in components {
            guard let v = values[name] else { continue }
            let standardized = cells.standardize(transformed(name, v), z: z, snr: snr)
            let gaussian = percentiles(standardized).map { $0.isFinite ? normalQuantile($0 / 100) : .nan }
            for i in combined.indices where gaussian[i].isFinite { combined[i] = max(combined[i], gaussian[i]) }
        }
        // A spectrum with no finite component is as suspicious as the worst.
        let worst = combined.filter(\.isFinite).max() ?? 0
        for i in combined.indices where !combined[i].isFinite { combined[i] = worst }
        return cells.standardize(combined, z: z, snr: snr)
    }
}
