import PostgresNIO
import QADCore

extension ScoreRecord: CopyRow {
    static var copyColumns: [String] { columns }
    static let selectColumns = columns.map { "score." + $0 }.joined(separator: ", ")

    func encode(into row: inout CopyTextEncoder) {
        row.field(model)
        row.field(targetid)
        for name in ScoreName.allCases { row.field(value(name)) }
        for name in ScoreName.allCases { row.field(percentile(name)) }
        row.field(localRestLambda)
        row.field(localRestWidth)
        row.field(localObsLambda)
        row.field(localObsWidth)
        row.field(explanation)
        row.field(neighbors)
    }

    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        var values: [ScoreName: Double] = [:], pct: [ScoreName: Double] = [:]
        for name in ScoreName.allCases {
            values[name] = try r[name.rawValue].decode(Double.self)
            pct[name] = try r[name.percentileColumn].decode(Double.self)
        }
        self.init(model: try r["model"].decode(String.self), targetid: try r["targetid"].decode(Int64.self),
                  values: values, percentiles: pct,
                  localRestLambda: try r["local_rest_lambda"].decode(Double.self),
                  localRestWidth: try r["local_rest_width"].decode(Double.self),
                  localObsLambda: try r["local_obs_lambda"].decode(Double.self),
                  localObsWidth: try r["local_obs_width"].decode(Double.self),
                  explanation: try r["explanation"].decode(String.self), neighbors: try r["neighbors"].decode(String.self))
    }
}

extension ScoreRunRecord {
    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        self.init(model: try r["model"].decode(String.self), modelFingerprint: try r["model_fingerprint"].decode(String.self),
                  scoredAt: try r["scored_at"].decode(Double.self), spectra: try r["spectra"].decode(Int.self),
                  parameters: try r["parameters"].decode(String.self))
    }
}

/// The score migration of SQLiteStore's "v3: scores", in PostgreSQL's types.
enum PostgresScoreSchema {
    static let migration = PostgresMigrations.Migration(name: "v3: scores", statements: [
        "CREATE TABLE score (model TEXT NOT NULL, targetid BIGINT NOT NULL, "
            + ScoreName.firstSchema.map { "\($0.rawValue) DOUBLE PRECISION NOT NULL, " }.joined()
            + ScoreName.firstSchema.map { "\($0.percentileColumn) DOUBLE PRECISION NOT NULL, " }.joined()
            + "local_rest_lambda DOUBLE PRECISION NOT NULL, local_rest_width DOUBLE PRECISION NOT NULL, "
            + "local_obs_lambda DOUBLE PRECISION NOT NULL, local_obs_width DOUBLE PRECISION NOT NULL, "
            + "explanation TEXT NOT NULL, neighbors TEXT NOT NULL, PRIMARY KEY (model, targetid))",
        "CREATE INDEX score_by_score ON score (model, score)",
        """
        CREATE TABLE score_run (model TEXT PRIMARY KEY, model_fingerprint TEXT NOT NULL,
            scored_at DOUBLE PRECISION NOT NULL, spectra BIGINT NOT NULL, parameters TEXT NOT NULL)
        """,
    ])
    static let shapeMigration = PostgresMigrations.Migration(
        name: ScoreName.shapeMigrationName, statements: ScoreName.shapeMigrationStatements(double: "DOUBLE PRECISION"))
    static let targetedMigration = PostgresMigrations.Migration(
        name: ScoreName.targetedMigrationName,
        statements: ScoreName.targetedMigrationStatements(double: "DOUBLE PRECISION"))
}

extension PostgresStore: ScoreStore {
    public func replaceScores(_ scores: [ScoreRecord], run: ScoreRunRecord) throws {
        for s in scores where s.model != run.model {
            throw StoreError("score of TARGETID \(s.targetid) belongs to model \(s.model), not \(run.model)")
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
        try rows("SELECT model, model_fingerprint, scored_at, spectra, parameters FROM score_run WHERE model = \(model)")
            .first.map(ScoreRunRecord.init(postgres:))
    }

    public func scores(model: String) throws -> [ScoreRecord] {
        try rows("SELECT \(unescaped: ScoreRecord.selectColumns) FROM score WHERE model = \(model) ORDER BY targetid")
            .map(ScoreRecord.init(postgres:))
    }

    public func score(model: String, targetid: TargetID) throws -> ScoreRecord? {
        try rows("""
            SELECT \(unescaped: ScoreRecord.selectColumns) FROM score WHERE model = \(model) AND targetid = \(targetid)
            """).first.map(ScoreRecord.init(postgres:))
    }

    public func candidates(_ query: CandidateQuery) throws -> [Candidate] {
        try fetchCandidates(candidateSQL(query, select: candidateColumns, ordered: true))
    }

    /// The score and spectrum columns a candidate is decoded from.
    var candidateColumns: String {
        "\(ScoreRecord.selectColumns), " + SpectrumRecord.insertColumns.map { "spectrum." + $0 }.joined(separator: ", ")
    }

    func fetchCandidates(_ sql: PostgresQuery) throws -> [Candidate] {
        try rows(sql).map { row in
            Candidate(spectrum: try SpectrumRecord(postgres: row), score: try ScoreRecord(postgres: row))
        }
    }

    public func candidateCount(_ query: CandidateQuery) throws -> Int {
        try rows(candidateSQL(query, select: "COUNT(*)", ordered: false)).first?.decode(Int.self) ?? 0
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
        var clauses = ["score.model = \(bind(q.model))"]
        for name in ScoreName.allCases {
            if let v = q.minimum[name] { clauses.append("score.\(name.rawValue) >= \(bind(v))") }
            if let v = q.minimumPercentile[name] { clauses.append("score.\(name.percentileColumn) >= \(bind(v))") }
        }
        if let v = q.zMin { clauses.append("spectrum.z >= \(bind(v))") }
        if let v = q.zMax { clauses.append("spectrum.z <= \(bind(v))") }
        if let v = q.snrMin { clauses.append("spectrum.snr >= \(bind(v))") }
        if let v = q.snrMax { clauses.append("spectrum.snr <= \(bind(v))") }
        switch q.bal {
        case .flag: break
        case .exclude:
            clauses.append("NOT (COALESCE(spectrum.bal_prob, 0) >= \(bind(q.balProbThreshold)) OR COALESCE(spectrum.bi_civ, 0) > 0)")
        case .only:
            clauses.append("(COALESCE(spectrum.bal_prob, 0) >= \(bind(q.balProbThreshold)) OR COALESCE(spectrum.bi_civ, 0) > 0)")
        }
        if !q.excludeFlags.isEmpty { clauses.append("(spectrum.flags & \(bind(q.excludeFlags.rawValue))) = 0") }
        if let restrict, restrict.part != .all {
            let labelled = "SELECT targetid FROM label_event WHERE reviewer_id = \(bind(restrict.reviewerId))"
            clauses.append("score.targetid \(restrict.part == .labelled ? "IN" : "NOT IN") (\(labelled))")
        }
        var sql = "SELECT \(select) FROM score JOIN spectrum ON spectrum.targetid = score.targetid WHERE "
            + clauses.joined(separator: " AND ")
        if ordered {
            sql += " ORDER BY score.\(q.sortBy.rawValue) \(q.ascending ? "ASC" : "DESC"), score.targetid"
            if let limit = q.limit { sql += " LIMIT \(bind(limit))" }
            if q.offset > 0 { sql += " OFFSET \(bind(q.offset))" }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}
