import QADCore

/// A typed candidate selection: what `qad rank`, the review queue and export
/// ask the store for. Filters are values bound as SQL parameters; column names
/// come only from `ScoreName`, never from user text.
public struct CandidateQuery: Sendable, Equatable {
    /// What to do with broad-absorption-line quasars (BAL_PROB ≥ threshold or BI_CIV > 0).
    public enum BALHandling: String, Sendable, CaseIterable, Codable {
        /// Keep them; they are flagged in the output.
        case flag
        case exclude
        case only
    }

    public var model = "vae"
    /// score ≥ value, per score.
    public var minimum: [ScoreName: Double] = [:]
    /// percentile ≥ value (0–100), per score.
    public var minimumPercentile: [ScoreName: Double] = [:]
    public var zMin: Double?
    public var zMax: Double?
    public var snrMin: Double?
    public var snrMax: Double?
    public var bal: BALHandling = .flag
    public var balProbThreshold = 0.5
    /// Spectra with any of these quality flag bits set are left out.
    public var excludeFlags: QualityFlags = []
    public var sortBy: ScoreName = .score
    /// Sort by the object's `variability` (qad epochs) instead of `sortBy`;
    /// objects with one epoch come last.
    public var sortByVariability = false
    /// Keep objects whose variability (qad epochs) is at least this.
    public var minVariability: Double?
    /// Keep objects `qad epochs` flagged a changing look in.
    public var changingLookOnly = false
    public var ascending = false
    public var limit: Int?
    public var offset = 0

    public init(model: String = "vae") { self.model = model }
}

/// One selected spectrum: its catalog row and its scores.
public struct Candidate: Sendable, Equatable {
    public var spectrum: SpectrumRecord
    public var score: ScoreRecord

    public init(spectrum: SpectrumRecord, score: ScoreRecord) {
        self.spectrum = spectrum
        self.score = score
    }

    /// A broad-absorption-line quasar by the VAC's BAL_PROB or a positive BI_CIV.
    public func isBAL(threshold: Double = 0.5) -> Bool { spectrum.isBAL(threshold: threshold) }
}
