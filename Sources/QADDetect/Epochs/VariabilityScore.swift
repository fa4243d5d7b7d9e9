import Foundation
import QADCore

/// What one pair of epochs says about change, for the `variability` score.
public struct PairEvidence: Sendable, Equatable {
    /// |most significant localized difference| (σ).
    public var local: Double
    /// The largest |broad-line flux change| over its error.
    public var lines: Double
    /// |ln continuum ratio| over its error: the level change's significance.
    public var continuum: Double
    /// The whole difference's excess χ² (σ).
    public var whole: Double
    /// The pipeline's class change between the epochs ("QSO → STAR"), if any.
    public var classChange: String?
    /// The fainter epoch's S/N: what the measurement's noise depends on.
    public var snr: Double
    /// Days between the epochs in the quasar's rest frame.
    public var restFrameDays: Double

    public init(local: Double, lines: Double, continuum: Double, whole: Double, snr: Double, restFrameDays: Double,
                classChange: String? = nil) {
        self.classChange = classChange
        self.local = local
        self.lines = lines
        self.continuum = continuum
        self.whole = whole
        self.snr = snr
        self.restFrameDays = restFrameDays
    }

    /// The evidence of one comparison; `snr` is the fainter epoch's.
    public init(_ d: EpochDifference, snr: Double) {
        local = abs(d.localSignificance)
        lines = d.lines.map { abs($0.significance) }.filter(\.isFinite).max() ?? .nan
        let relative = d.continuumRatioError / d.continuumRatio
        continuum = d.continuumRatio > 0 && relative > 0 ? abs(log(d.continuumRatio)) / relative : .nan
        whole = d.wholeSignificance
        classChange = d.classChange
        self.snr = snr
        restFrameDays = d.restFrameDays
    }
}

/// The `variability` score of pairs of epochs, calibrated on the pairs at
/// hand like the combined anomaly score (`CombinedScore`): each component
/// (localized difference, line change, continuum change, the whole
/// difference's excess χ²) is standardized
/// by running median and MAD among pairs of similar rest-frame baseline and
/// S/N (`NuisanceCells`, with the baseline where the anomaly score has z),
/// turned into tail evidence L = −log10 p among pairs of similar S/N
/// (`TailEvidence`), and the components are joined as √(ΣL²), calibrated
/// once more and reported as a one-sided normal significance (σ). A class
/// change adds its own evidence, −log10 of the share of pairs of similar
/// S/N (a tenth of them) with the same change: a quasar re-observed as a
/// star is rare and counts, while the galaxy/quasar confusions of faint
/// spectra are common on the data at hand and count little. Ordinary
/// quasars vary more over longer baselines and show more significant
/// changes at higher S/N; calibrating along both is what keeps the score
/// from following either, with no constant that says how much.
public enum VariabilityScore {
    public static func scores(_ pairs: [PairEvidence], window: Int = 400, tailWindow: Int = 4000,
                              tailFraction: Double = 0.4) -> [Double] {
        guard !pairs.isEmpty else { return [] }
        let snr = pairs.map(\.snr), days = pairs.map(\.restFrameDays)
        let cells = NuisanceCells(spectra: pairs.count, window: window)
        // The baseline stands where the anomaly score has z.
        let components = [pairs.map(\.local), pairs.map(\.lines), pairs.map(\.continuum), pairs.map(\.whole)].map {
            CombinedScore.evidence($0, cells: cells, z: days, snr: snr, tailWindow: tailWindow, tailFraction: tailFraction)
        }
        return CombinedScore.calibratedNorm(components + [classChangeEvidence(pairs)], count: pairs.count, cells: cells,
                                            z: days, snr: snr, tailWindow: tailWindow, tailFraction: tailFraction)
    }

    /// −log10 of the share of pairs in the same S/N tenth with the same class
    /// change; NaN for pairs without one.
    static func classChangeEvidence(_ pairs: [PairEvidence]) -> [Double] {
        let order = NuisanceCells.ordered(pairs.indices, by: pairs.map(\.snr))
        let bins = max(1, min(10, pairs.count / 50))
        var out = [Double](repeating: .nan, count: pairs.count)
        for b in 0..<bins {
            let members = order[(order.count * b / bins)..<(order.count * (b + 1) / bins)]
            var counts: [String: Int] = [:]
            for i in members { if let c = pairs[i].classChange { counts[c, default: 0] += 1 } }
            for i in members { if let c = pairs[i].classChange { out[i] = -log10(Double(counts[c]!) / Double(members.count)) } }
        }
        return out
    }
}
