import ArgumentParser
import QADCore
import QADStore

/// The typed candidate filters `qad rank` (and other candidate readers) share.
/// Values only ever become bound SQL parameters.
struct CandidateFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Model whose scores to use.")
    var model = "vae"

    @Option(name: .long, help: "Keep spectra with SCORE ≥ VALUE, e.g. --min knn=1.5 (repeatable). Scores: \(ScoreName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var min: [String] = []

    @Option(name: .customLong("min-pct"), help: "Keep spectra with SCORE's percentile ≥ P (0–100), e.g. --min-pct score=99 (repeatable).")
    var minPct: [String] = []

    @Option(name: .customLong("z-min")) var zMin: Double?
    @Option(name: .customLong("z-max")) var zMax: Double?
    @Option(name: .customLong("snr-min")) var snrMin: Double?
    @Option(name: .customLong("snr-max")) var snrMax: Double?

    @Option(name: .long, help: "BAL quasars (BAL_PROB ≥ --bal-prob or BI_CIV > 0): flag (keep, marked), exclude or only.")
    var bal = "flag"

    @Option(name: .customLong("bal-prob"), help: "BAL_PROB threshold.")
    var balProb = 0.5

    @Option(name: .customLong("exclude-flags"), help: "Leave out spectra with any of these quality flags, comma-separated: \(QualityFlags.names.map(\.1).joined(separator: ", ")).")
    var excludeFlags: String?

    @Option(name: .long, help: "Sort by this score (descending unless --ascending).")
    var sort = "score"

    @Flag(name: .long, help: "Sort ascending.")
    var ascending = false

    @Option(name: .long, help: "Number of candidates (0: all).")
    var limit = 50

    @Option(name: .long, help: "Skip this many candidates first.")
    var offset = 0

    func validate() throws { _ = try query() }

    /// The query these options describe, or a usage error naming the bad option.
    func query() throws -> CandidateQuery {
        var q = CandidateQuery(model: model)
        func pairs(_ items: [String], option: String) throws -> [ScoreName: Double] {
            var out: [ScoreName: Double] = [:]
            for item in items {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let name = ScoreName(rawValue: parts[0].lowercased()), let v = Double(parts[1]),
                      v.isFinite else {
                    throw ValidationError("\(option) \(item): expected SCORE=NUMBER with SCORE one of \(ScoreName.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                out[name] = v
            }
            return out
        }
        q.minimum = try pairs(min, option: "--min")
        q.minimumPercentile = try pairs(minPct, option: "--min-pct")
        q.zMin = zMin
        q.zMax = zMax
        q.snrMin = snrMin
        q.snrMax = snrMax
        guard let b = CandidateQuery.BALHandling(rawValue: bal.lowercased()) else {
            throw ValidationError("--bal \(bal): expected flag, exclude or only")
        }
        q.bal = b
        q.balProbThreshold = balProb
        if let excludeFlags {
            for name in excludeFlags.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).uppercased() }) {
                guard let flag = QualityFlags.names.first(where: { $0.1 == name })?.0 else {
                    throw ValidationError("--exclude-flags \(name): unknown flag; known: \(QualityFlags.names.map(\.1).joined(separator: ", "))")
                }
                q.excludeFlags.insert(flag)
            }
        }
        guard let s = ScoreName(rawValue: sort.lowercased()) else {
            throw ValidationError("--sort \(sort): expected one of \(ScoreName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        q.sortBy = s
        q.ascending = ascending
        guard limit >= 0, offset >= 0 else { throw ValidationError("--limit and --offset must not be negative") }
        q.limit = limit == 0 ? nil : limit
        q.offset = offset
        return q
    }
}
