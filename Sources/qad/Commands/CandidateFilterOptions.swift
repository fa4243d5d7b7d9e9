import ArgumentParser
import QADCore
import QADDetect
import QADPipeline
import QADStore

/// The typed candidate filters `qad rank` (and other candidate readers) share.
/// Values only ever become bound SQL parameters.
struct CandidateFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Model whose scores to use.")
    var model = "vae"

    @Option(name: .long, help: "Keep spectra with SCORE ≥ VALUE, e.g. --min knn=1.5 (repeatable). Scores: \(ScoreName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var min: [ScoreThreshold] = []

    @Option(name: .customLong("min-pct"), help: "Keep spectra with SCORE's percentile ≥ P (0–100), e.g. --min-pct score=99 (repeatable).")
    var minPct: [ScoreThreshold] = []

    @Option(name: .customLong("z-min"), help: "Keep spectra with catalog redshift Z ≥ this.") var zMin: Double?
    @Option(name: .customLong("z-max"), help: "Keep spectra with catalog redshift Z ≤ this.") var zMax: Double?
    @Option(name: .customLong("snr-min"), help: "Keep spectra with median per-pixel S/N ≥ this.") var snrMin: Double?
    @Option(name: .customLong("snr-max"), help: "Keep spectra with median per-pixel S/N ≤ this.") var snrMax: Double?

    @Option(name: .long, help: "BAL quasars (BAL_PROB ≥ --bal-prob or BI_CIV > 0): flag (keep, marked), exclude or only.")
    var bal = CandidateQuery.BALHandling.flag

    @Option(name: .customLong("bal-prob"), help: "BAL_PROB threshold.")
    var balProb = 0.5

    @Option(name: .customLong("exclude-flags"), help: "Leave out spectra with any of these quality flags, comma-separated: \(QualityFlags.names.map(\.1).joined(separator: ", ")).")
    var excludeFlags: QualityFlagList?

    @Option(name: .long, help: "Sort by this score (descending unless --ascending), or by `variability` (qad epochs; objects with one epoch last).")
    var sort = SortKey.score(.score)

    @Option(name: .customLong("min-variability"), help: "Keep objects whose variability between epochs (qad epochs) is at least this (σ).")
    var minVariability: Double?

    @Flag(name: .customLong("changing-look"), help: "Keep objects qad epochs flagged a changing look in.")
    var changingLook = false

    @Flag(name: .long, help: "Sort ascending.")
    var ascending = false

    @Option(name: .customLong("hide-suppressed"),
            help: "Leave out the candidate families suppressed (qad suppress) by this reviewer, or by anyone with 'team'.")
    var hideSuppressed: String?

    @Option(name: .long, help: "Number of candidates (0: all).")
    var limit = 50

    @Option(name: .long, help: "Skip this many candidates first.")
    var offset = 0

    func validate() throws {
        guard limit >= 0, offset >= 0 else { throw ValidationError("--limit and --offset must not be negative") }
    }

    /// The query these options describe, with the suppressed families of
    /// --hide-suppressed read from the store.
    func query(hidingIn store: any Store) throws -> CandidateQuery {
        var q = query
        if let hideSuppressed { q.hiddenFamilies = try FamilySuppressions(store: store).hiddenFamilies(of: hideSuppressed) }
        return q
    }

    /// The query these options describe (without --hide-suppressed, which needs the store).
    var query: CandidateQuery {
        var q = CandidateQuery(model: model)
        for t in min { q.minimum[t.score] = t.value }
        for t in minPct { q.minimumPercentile[t.score] = t.value }
        q.zMin = zMin
        q.zMax = zMax
        q.snrMin = snrMin
        q.snrMax = snrMax
        q.bal = bal
        q.balProbThreshold = balProb
        q.excludeFlags = excludeFlags?.flags ?? []
        switch sort {
        case .score(let name): q.sortBy = name
        case .variability: q.sortByVariability = true
        }
        q.minVariability = minVariability
        q.changingLookOnly = changingLook
        q.ascending = ascending
        q.limit = limit == 0 ? nil : limit
        q.offset = offset
        return q
    }
}

/// What `--sort` orders by: a score, or the variability between epochs.
enum SortKey: ExpressibleByArgument, Equatable {
    case score(ScoreName)
    case variability

    init?(argument: String) {
        if argument == "variability" { self = .variability; return }
        guard let name = ScoreName(argument: argument) else { return nil }
        self = .score(name)
    }

    static var allValueStrings: [String] { ScoreName.allValueStrings + ["variability"] }
}
