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
        // Repeat epochs (qad epochs): a subquery, so queries without them join nothing more.
        if let v = q.minVariability {
            clauses.append("score.targetid IN (SELECT object FROM epoch_variability WHERE variability >= \(bind(.real(v))))")
        }
        if q.changingLookOnly {
            clauses.append("score.targetid IN (SELECT object FROM epoch_variability WHERE changing_look IS NOT NULL)")
        }
        // A suppressed family: out when its residual sits in the window; a
        // missing position or percentile keeps the spectrum in.
        for family in q.hiddenFamilies {
            clauses.append("NOT COALESCE(score.\(family.frame.lambdaColumn) BETWEEN \(bind(.real(family.lambda.lowerBound))) AND "
                           + "\(bind(.real(family.lambda.upperBound))) AND score.\(family.score.percentileColumn) >= "
                           + "\(bind(.real(family.minimumPercentile))), FALSE)")
        }
        return clauses.joined(separator: " AND ")
    }

    /// ORDER BY of a query: its score (or the object's variability, objects
    /// with one epoch last), then TARGETID.
    static func order(_ q: CandidateQuery) -> String {
        let direction = q.ascending ? "ASC" : "DESC"
        if q.sortByVariability {
            return "(SELECT variability FROM epoch_variability WHERE object = score.targetid) IS NULL, "
                + "(SELECT variability FROM epoch_variability WHERE object = score.targetid) \(direction), score.targetid"
        }
        return "score.\(q.sortBy.rawValue) \(direction), score.targetid"
    }
}
