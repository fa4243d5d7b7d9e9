import PostgresNIO
import QADCore
import QADDetect

extension PostgresStore: ScoreStore {
    public func replaceScores(_ scores: [ScoreRecord], run: ScoreRunRecord) throws {
        for s in scores where s.model != run.model {
            throw LocatedError("score of TARGETID \(s.targetid) belongs to model \(s.model), not \(run.model)")
        }
        let logger = self.logger
        try pool.transaction { c in
            try await c.query("DELETE FROM score WHERE model = \(run.model)", logger: logger)
            try await c.copy(scores, into: "score", logger: logger)
            try await c.query("""
                INSERT INTO score_run (model, model_fingerprint, scored_at, spectra, parameters)
                VALUES (\(run.model), \(run.modelFingerprint), \(run.scoredAt), \(run.spectra), \(run.parameters))
                ON CONFLICT (model) DO UPDATE SET model_fingerprint = EXCLUDED.model_fingerprint,
                    scored_at = EXCLUDED.scored_at, spectra = EXCLUDED.spectra, parameters = EXCLUDED.parameters
                """, logger: logger)
        }
    }

    public func scoreRun(model: String) throws -> ScoreRunRecord? {
        try fetch(ScoreRunRecord.self, """
            SELECT \(unescaped: ScoreRunRecord.table.postgresSelectList()) FROM score_run WHERE model = \(model)
            """).first
    }

    public func scores(model: String) throws -> [ScoreRecord] {
        try fetch(ScoreRecord.self, """
            SELECT \(unescaped: ScoreRecord.table.postgresSelectList()) FROM score WHERE model = \(model) ORDER BY targetid
            """)
    }

    public func score(model: String, targetid: TargetID) throws -> ScoreRecord? {
        try fetch(ScoreRecord.self, """
            SELECT \(unescaped: ScoreRecord.table.postgresSelectList()) FROM score WHERE model = \(model) AND targetid = \(targetid)
            """).first
    }

    public func candidates(_ query: CandidateQuery) throws -> [Candidate] {
        try fetchCandidates(candidateSQL(query, select: candidateColumns, ordered: true))
    }

    /// The score and spectrum columns a candidate is decoded from.
    var candidateColumns: String {
        ScoreRecord.table.postgresSelectList(qualified: true) + ", " + SpectrumRecord.table.postgresSelectList(qualified: true)
    }

    func fetchCandidates(_ sql: PostgresQuery) throws -> [Candidate] {
        let n = ScoreRecord.table.columns.count
        return try rows(sql).map { row in
            Candidate(spectrum: try decode(SpectrumRecord.self, row, offset: n), score: try decode(ScoreRecord.self, row))
        }
    }

    public func candidateCount(_ query: CandidateQuery) throws -> Int {
        try rows(candidateSQL(query, select: "COUNT(*)", ordered: false)).first?.decode(Int.self) ?? 0
    }

    public func candidateIDs(_ query: CandidateQuery) throws -> [TargetID] {
        try rows(candidateSQL(query, select: "score.targetid", ordered: true)).map { try $0.decode(Int64.self) }
    }

    /// The candidate query with every value bound: column names come only from
    /// `ScoreName`. `restrict` keeps the part of the selection one reviewer
    /// has (not) labelled, for the review queue.
    func candidateSQL(_ q: CandidateQuery, select: String, ordered: Bool,
                      restrict: (part: QueuePart, reviewerId: Int64)? = nil) -> PostgresQuery {
        var bindings = PostgresBindings()
        var n = 0
        func bind(_ v: some PostgresNonThrowingEncodable) -> String {
            bindings.append(v)
            n += 1
            return "$\(n)"
        }
        var clauses = [CandidateFilter.whereClause(q) { value in
            switch value {
            case .integer(let v): return bind(v)
            case .real(let v): return bind(v)
            case .text(let v): return bind(v)
            case .boolean(let v): return bind(v)
            case .null, .blob: preconditionFailure("candidate filters bind numbers and text")
            }
        }]
        if let restrict, restrict.part != .all {
            let labelled = "SELECT targetid FROM label_event WHERE reviewer_id = \(bind(restrict.reviewerId))"
            clauses.append("score.targetid \(restrict.part == .labelled ? "IN" : "NOT IN") (\(labelled))")
        }
        var sql = "SELECT \(select) FROM score JOIN spectrum ON spectrum.targetid = score.targetid WHERE "
            + clauses.joined(separator: " AND ")
        if ordered {
            sql += " ORDER BY " + CandidateFilter.order(q)
            if let limit = q.limit { sql += " LIMIT \(bind(limit))" }
            if q.offset > 0 { sql += " OFFSET \(bind(q.offset))" }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}
