import Hummingbird
import QADCore
import QADDetect
import QADStore

/// Reads the queue's filters from query parameters into the same typed
/// `CandidateQuery` that `qad rank` uses. Unknown or malformed values are
/// errors (400), never silently ignored.
struct QueueParameters {
    var query: CandidateQuery
    var unlabelledFirst: Bool

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
        let limit = try number("limit").map { Int($0) } ?? 200
        let offset = try number("offset").map { Int($0) } ?? 0
        guard (1...1000).contains(limit), offset >= 0 else { throw Invalid(message: "limit must be 1–1000 and offset ≥ 0") }
        q.limit = limit
        q.offset = offset
        query = q
        let u = params.get("unlabelled_first")
        unlabelledFirst = u == nil || u == "1" || u == "on"
    }
}
