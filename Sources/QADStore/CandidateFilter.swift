import QADCore
import QADDetect

/// The WHERE clause of a candidate query, the same for both stores: values
/// are bound through `bind` (which returns the dialect's placeholder), column
/// names come only from `ScoreName`, never from user text.
enum CandidateFilter {
    static func whereClause(_ q: CandidateQuery, bind: (StoredValue) -> String) -> String {
        var clauses = ["score.model = \(bind(.text(q.model)))"]
        for name in ScoreName.allCases {
            if let v = q.minimum[name] { clauses.append("score.\(name.rawValue) >= \(bind(.real(v)))") }
            if let v = q.minimumPercentile[name] { clauses.append("score.\(name.percentileColumn) >= \(bind(.real(v)))") }
        }
        if let v = q.zMin { clauses.append("spectrum.z >= \(bind(.real(v)))") }
        if let v = q.zMax { clauses.append("spectrum.z <= \(bind(.real(v)))") }
        if let v = q.snrMin { clauses.append("spectrum.snr >= \(bind(.real(v)))") }
        if let v = q.snrMax { clauses.append("spectrum.snr <= \(bind(.real(v)))") }
        switch q.bal {
        case .flag: break
        case .exclude:
            clauses.append("NOT (COALESCE(spectrum.bal_prob, 0) >= \(bind(.real(q.balProbThreshold))) OR COALESCE(spectrum.bi_civ, 0) > 0)")
        case .only:
            clauses.append("(COALESCE(spectrum.bal_prob, 0) >= \(bind(.real(q.balProbThreshold))) OR COALESCE(spectrum.bi_civ, 0) > 0)")
        }
        if !q.excludeFlags.isEmpty { clauses.append("(spectrum.flags & \(bind(.integer(q.excludeFlags.rawValue)))) = 0") }
        return clauses.joined(separator: " AND ")
    }

    /// ORDER BY of a query: its score, then TARGETID.
    static func order(_ q: CandidateQuery) -> String {
        "score.\(q.sortBy.rawValue) \(q.ascending ? "ASC" : "DESC"), score.targetid"
    }
}
