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
    /// Families a reviewer suppressed (`qad suppress`): spectra whose strongest
    /// localized residual falls in one of these windows are left out.
    public var hiddenFamilies: [FamilyWindow] = []
    public var ascending = false
    public var limit: Int?
    public var offset = 0

    public init(model: String = "vae") { self.model = model }
}

/// A family of candidates that share where their strongest localized
/// residual sits: every spectrum whose `local_obs` (observed frame) or
/// `local_rest` (rest frame) peak lies in `lambda` and reaches
/// `minimumPercentile` of that score — e.g. every residual at the 5577 Å sky
/// line. What a reviewer suppresses with one action.
public struct FamilyWindow: Sendable, Equatable, Codable {
    public enum Frame: String, Sendable, Codable, CaseIterable {
        case observed = "obs"
        case rest

        /// "observed" or "rest", for people.
        public var title: String { self == .observed ? "observed" : "rest" }
        /// The score whose peak position defines a family in this frame.
        public var score: ScoreName { self == .observed ? .localObs : .localRest }
        /// The score table's column holding that peak's wavelength (Å).
        public var lambdaColumn: String { self == .observed ? "local_obs_lambda" : "local_rest_lambda" }

        /// Where a spectrum's strongest residual in this frame sits, and how wide its window is (Å).
        func peak(of score: ScoreRecord) -> (centre: Double, width: Double) {
            self == .observed ? (score.localObsLambda, score.localObsWidth) : (score.localRestLambda, score.localRestWidth)
        }
    }

    public var frame: Frame
    public var lambda: ClosedRange<Double>
    public var minimumPercentile: Double

    /// The score whose peak position defines the family.
    public var score: ScoreName { frame.score }

    public init(frame: Frame, lambda: ClosedRange<Double>, minimumPercentile: Double = FamilyWindow.defaultPercentile) {
        self.frame = frame
        self.lambda = lambda
        self.minimumPercentile = minimumPercentile
    }

    /// Only residuals that stand out count: a family is not every spectrum
    /// whose largest noise fluctuation happens to sit there.
    public static let defaultPercentile = 90.0
    /// Half-width (Å) at least: a narrow peak's centre moves by a few Å between spectra.
    public static let minimumHalfWidth = 5.0

    /// The family of a seed spectrum: its peak in `frame`, ± half the peak
    /// window's width (at least `minimumHalfWidth`, or `halfWidth` when given).
    public static func around(_ score: ScoreRecord, frame: Frame, halfWidth: Double? = nil) -> FamilyWindow? {
        let (centre, width) = frame.peak(of: score)
        guard centre.isFinite, centre > 0 else { return nil }
        let half = halfWidth ?? max(minimumHalfWidth, width.isFinite ? width / 2 : 0)
        return FamilyWindow(frame: frame, lambda: (centre - half)...(centre + half))
    }

    public func contains(_ score: ScoreRecord) -> Bool {
        lambda.contains(frame.peak(of: score).centre) && score.percentile(self.score) >= minimumPercentile
    }
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
