import Hummingbird
import QADCore
import QADDetect
import QADLabels
import QADStore

/// Reads the queue's filters from query parameters into the same typed
/// `CandidateQuery` that `qad rank` uses. Unknown or malformed values are
/// errors (400), never silently ignored.
struct QueueParameters {
    var query: CandidateQuery
    var unlabelledFirst: Bool
    /// Order by the relevance learned from these labels instead of by score.
    var relevance: Relevance?

    /// `order=relevance`: whose labels (`relevance=team|me`) and which map (`map=physics|instrument`).
    struct Relevance {
        var team: Bool
        var map: RelevanceMap
    }

    struct Invalid: Error { var message: String }

    init(_ params: Parameters, model: String) throws {
        var q = CandidateQuery(model: model)
        func number(_ name: String) throws -> Double? {
            guard let raw = params.get(name), !raw.isEmpty else { return nil }
            guard let v = Double(raw), v.isFinite else { throw Invalid(message: "\(name)=\(raw) is not a number") }
            return v
        }
        for name in ScoreName.allCases {
            if let v = try number("min_" + name.rawValue) { q.minimum[name] = v }
            if let v = try number("pct_" + name.rawValue) { q.minimumPercentile[name] = v }
        }
        q.zMin = try number("z_min")
        q.zMax = try number("z_max")
        q.snrMin = try number("snr_min")
        q.snrMax = try number("snr_max")
        if let raw = params.get("bal"), !raw.isEmpty {
            guard let b = CandidateQuery.BALHandling(rawValue: raw) else { throw Invalid(message: "bal=\(raw): flag, exclude or only") }
            q.bal = b
        }
        if let raw = params.get("sort"), !raw.isEmpty {
            guard let s = ScoreName(rawValue: raw) else { throw Invalid(message: "sort=\(raw) is not a score") }
            q.sortBy = s
        }
        q.ascending = params.get("asc") == "1"
        if params.get("exclude_flagged") == "1" || params.get("exclude_flagged") == "on" {
            q.excludeFlags = QualityFlags(rawValue: QualityFlags.names.reduce(0) { $0 | $1.0.rawValue })
        }
        // Whole numbers in range, parsed as integers: converting a Double such
        // as 1e20 to Int would trap and take the server down.
        func count(_ name: String, in range: ClosedRange<Int>, default value: Int) throws -> Int {
            guard let raw = params.get(name), !raw.isEmpty else { return value }
            guard let v = Int(raw), range.contains(v) else {
                throw Invalid(message: "\(name)=\(raw.prefix(40)) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return v
        }
        q.limit = try count("limit", in: 1...1000, default: 200)
        q.offset = try count("offset", in: 0...1_000_000_000, default: 0)
        query = q
        let u = params.get("unlabelled_first")
        unlabelledFirst = u == nil || u == "1" || u == "on"
        switch params.get("order") ?? "" {
        case "", "score": relevance = nil
        case "relevance":
            let whose = params.get("relevance") ?? "me"
            guard ["team", "me"].contains(whose) else { throw Invalid(message: "relevance=\(whose.prefix(40)): team or me") }
            let map = params.get("map") ?? "physics"
            guard ["physics", "instrument"].contains(map) else { throw Invalid(message: "map=\(map.prefix(40)): physics or instrument") }
            relevance = Relevance(team: whose == "team", map: map == "physics" ? .physics : .instrument)
        case let other: throw Invalid(message: "order=\(other.prefix(40)): score or relevance")
        }
    }
}
