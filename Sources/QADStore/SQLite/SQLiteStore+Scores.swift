import Foundation
import GRDB
import QADCore

/// Every score of one spectrum under one model (`qad score`), with each score's
/// percentile over the scored sample, where its most significant localized
/// residual sits, the windows that carry the residual, and its nearest latent
/// neighbours. Larger scores are more anomalous.
public struct ScoreRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "score"

    public var model: String
    public var targetid: TargetID
    public var reconChi2: Double
    public var reconMse: Double
    public var kl: Double
    public var iforest: Double
    public var knn: Double
    public var localRest: Double
    public var localObs: Double
    public var colour: Double
    public var lines: Double
    public var armJoinStep: Double
    public var skyLines: Double
    public var balTrough: Double
    public var score: Double
    public var reconChi2Pct: Double
    public var reconMsePct: Double
    public var klPct: Double
    public var iforestPct: Double
    public var knnPct: Double
    public var localRestPct: Double
    public var localObsPct: Double
    public var colourPct: Double
    public var linesPct: Double
    public var armJoinStepPct: Double
    public var skyLinesPct: Double
    public var balTroughPct: Double
    public var scorePct: Double
    /// Centre and full width (Å) of the most significant rest-frame window.
    public var localRestLambda: Double
    public var localRestWidth: Double
    /// Centre and full width (Å) of the most significant observed-frame window.
    public var localObsLambda: Double
    public var localObsWidth: Double
    /// JSON array of {"window", "frame", "share"}: the named windows carrying
    /// most of the excess residual, largest share first.
    public var explanation: String
    /// JSON array of the nearest latent neighbours' TARGETIDs (exact integers).
    public var neighbors: String

    public init(model: String, targetid: TargetID, values: [ScoreName: Double], percentiles: [ScoreName: Double],
                localRestLambda: Double, localRestWidth: Double, localObsLambda: Double, localObsWidth: Double,
                explanation: String, neighbors: String) {
        self.model = model
        self.targetid = targetid
        reconChi2 = values[.reconChi2] ?? .nan
        reconMse = values[.reconMse] ?? .nan
        kl = values[.kl] ?? .nan
        iforest = values[.iforest] ?? .nan
        knn = values[.knn] ?? .nan
        localRest = values[.localRest] ?? .nan
        localObs = values[.localObs] ?? .nan
        colour = values[.colour] ?? .nan
        lines = values[.lines] ?? .nan
        armJoinStep = values[.armJoinStep] ?? .nan
        skyLines = values[.skyLines] ?? .nan
        balTrough = values[.balTrough] ?? .nan
        score = values[.score] ?? .nan
        reconChi2Pct = percentiles[.reconChi2] ?? .nan
        reconMsePct = percentiles[.reconMse] ?? .nan
        klPct = percentiles[.kl] ?? .nan
        iforestPct = percentiles[.iforest] ?? .nan
        knnPct = percentiles[.knn] ?? .nan
        localRestPct = percentiles[.localRest] ?? .nan
        localObsPct = percentiles[.localObs] ?? .nan
        colourPct = percentiles[.colour] ?? .nan
        linesPct = percentiles[.lines] ?? .nan
        armJoinStepPct = percentiles[.armJoinStep] ?? .nan
        skyLinesPct = percentiles[.skyLines] ?? .nan
        balTroughPct = percentiles[.balTrough] ?? .nan
        scorePct = percentiles[.score] ?? .nan
        self.localRestLambda = localRestLambda
        self.localRestWidth = localRestWidth
        self.localObsLambda = localObsLambda
        self.localObsWidth = localObsWidth
        self.explanation = explanation
        self.neighbors = neighbors
    }

    public func value(_ name: ScoreName) -> Double {
        switch name {
        case .reconChi2: return reconChi2
        case .reconMse: return reconMse
        case .kl: return kl
        case .iforest: return iforest
        case .knn: return knn
        case .localRest: return localRest
        case .localObs: return localObs
        case .colour: return colour
        case .lines: return lines
        case .armJoinStep: return armJoinStep
        case .skyLines: return skyLines
        case .balTrough: return balTrough
        case .score: return score
        }
    }

    public func percentile(_ name: ScoreName) -> Double {
        switch name {
        case .reconChi2: return reconChi2Pct
        case .reconMse: return reconMsePct
        case .kl: return klPct
        case .iforest: return iforestPct
        case .knn: return knnPct
        case .localRest: return localRestPct
        case .localObs: return localObsPct
        case .colour: return colourPct
        case .lines: return linesPct
        case .armJoinStep: return armJoinStepPct
        case .skyLines: return skyLinesPct
        case .balTrough: return balTroughPct
        case .score: return scorePct
        }
    }

    /// The explanation windows, decoded.
    public var explanationWindows: [ExplanationWindow] {
        (try? JSONDecoder().decode([ExplanationWindow].self, from: Data(explanation.utf8))) ?? []
    }

    /// The neighbours' TARGETIDs, decoded.
    public var neighborIDs: [TargetID] {
        (try? JSONDecoder().decode([TargetID].self, from: Data(neighbors.utf8))) ?? []
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    /// Column order of `insertSQL` and `insertArguments`, for bulk inserts.
    public static let columns: [String] = ["model", "targetid"]
        + ScoreName.allCases.map(\.rawValue) + ScoreName.allCases.map(\.percentileColumn)
        + ["local_rest_lambda", "local_rest_width", "local_obs_lambda", "local_obs_width", "explanation", "neighbors"]
    static let insertSQL = "INSERT INTO score (\(columns.joined(separator: ", "))) VALUES ("
        + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"

    var insertArguments: StatementArguments {
        var values: [DatabaseValueConvertible?] = [model, targetid]
        for name in ScoreName.allCases { values.append(value(name)) }
        for name in ScoreName.allCases { values.append(percentile(name)) }
        values += [localRestLambda, localRestWidth, localObsLambda, localObsWidth, explanation, neighbors]
        return StatementArguments(values)
    }
}

/// One named window's share of a spectrum's excess residual.
public struct ExplanationWindow: Codable, Sendable, Equatable {
    /// "CIV", "MgII", "Lya forest", "arm join b/r", "sky 5577", …
    public var window: String
    /// "rest" or "obs".
    public var frame: String
    /// Fraction of the spectrum's excess χ² inside the window (0–1).
    public var share: Double

    public init(window: String, frame: String, share: Double) {
        self.window = window
        self.frame = frame
        self.share = share
    }
}

/// Which weights, settings and calibration a model's scores came from.
/// Replacing a model's scores replaces this record in the same transaction.
public struct ScoreRunRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "score_run"

    public var model: String
    /// The weights hash of the model card: scores of other weights are stale.
    public var modelFingerprint: String
    public var scoredAt: Double
    public var spectra: Int
    /// JSON: scorer settings (seed, trees, k, window widths, calibration cells).
    public var parameters: String

    public init(model: String, modelFingerprint: String, scoredAt: Double, spectra: Int, parameters: String) {
        self.model = model
        self.modelFingerprint = modelFingerprint
        self.scoredAt = scoredAt
        self.spectra = spectra
        self.parameters = parameters
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

extension SQLiteStore {
    static func registerScoreMigration(_ m: inout DatabaseMigrator) {
        m.registerMigration("v3: scores") { db in
            try db.create(table: "score") { t in
                t.column("model", .text).notNull()
                t.column("targetid", .integer).notNull()
                for name in ScoreName.firstSchema { t.column(name.rawValue, .double).notNull() }
                for name in ScoreName.firstSchema { t.column(name.percentileColumn, .double).notNull() }
                t.column("local_rest_lambda", .double).notNull()
                t.column("local_rest_width", .double).notNull()
                t.column("local_obs_lambda", .double).notNull()
                t.column("local_obs_width", .double).notNull()
                t.column("explanation", .text).notNull()
                t.column("neighbors", .text).notNull()
                t.primaryKey(["model", "targetid"])
            }
            // The queue, `qad rank` and export read candidates in score order.
            try db.create(index: "score_by_score", on: "score", columns: ["model", "score"])
            try db.create(table: "score_run") { t in
                t.column("model", .text).primaryKey()
                t.column("model_fingerprint", .text).notNull()
                t.column("scored_at", .double).notNull()
                t.column("spectra", .integer).notNull()
                t.column("parameters", .text).notNull()
            }
        }
    }

    /// Scores added after "v3: scores" read 0 in older rows until `qad score` runs again (its settings changed, so it does).
    static func registerAddedScoreMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration(ScoreName.shapeMigrationName) { db in
            for statement in ScoreName.shapeMigrationStatements(double: "DOUBLE") { try db.execute(sql: statement) }
        }
        m.registerMigration(ScoreName.targetedMigrationName) { db in
            for statement in ScoreName.targetedMigrationStatements(double: "DOUBLE") { try db.execute(sql: statement) }
        }
    }
}

extension SQLiteStore: ScoreStore {
    public func replaceScores(_ scores: [ScoreRecord], run: ScoreRunRecord) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM score WHERE model = ?", arguments: [run.model])
            let insert = try db.cachedStatement(sql: ScoreRecord.insertSQL)
            for s in scores {
                guard s.model == run.model else {
                    throw StoreError("score of TARGETID \(s.targetid) belongs to model \(s.model), not \(run.model)")
                }
                try insert.execute(arguments: s.insertArguments)
            }
            try run.save(db)
        }
    }

    public func scoreRun(model: String) throws -> ScoreRunRecord? {
        try pool.read { try ScoreRunRecord.fetchOne($0, key: model) }
    }

    public func scores(model: String) throws -> [ScoreRecord] {
        try pool.read { try ScoreRecord.filter(Column("model") == model).order(Column("targetid")).fetchAll($0) }
    }

    public func score(model: String, targetid: TargetID) throws -> ScoreRecord? {
        try pool.read { try ScoreRecord.fetchOne($0, key: ["model": model, "targetid": targetid]) }
    }

    public func candidates(_ query: CandidateQuery) throws -> [Candidate] {
        let (whereSQL, arguments) = Self.candidateFilter(query)
        let direction = query.ascending ? "ASC" : "DESC"
        var sql = """
            SELECT score.*, spectrum.* FROM score JOIN spectrum ON spectrum.targetid = score.targetid
            WHERE \(whereSQL) ORDER BY score.\(query.sortBy.rawValue) \(direction), score.targetid
            """
        var args = arguments
        if let limit = query.limit {
            sql += " LIMIT ? OFFSET ?"
            args += [limit, query.offset]
        } else if query.offset > 0 {
            sql += " LIMIT -1 OFFSET ?"
            args += [query.offset]
        }
        return try pool.read { try Self.fetchCandidates($0, sql: sql, arguments: StatementArguments(args)) }
    }

    /// The candidates of a query that selects `score.*, spectrum.*` in that order.
    static func fetchCandidates(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Candidate] {
        let split = ScopeAdapter([
            "score": RangeRowAdapter(0..<ScoreRecord.columns.count),
            "spectrum": SuffixRowAdapter(fromIndex: ScoreRecord.columns.count),
        ])
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments, adapter: split)
        var out: [Candidate] = []
        while let row = try rows.next() {
            out.append(Candidate(spectrum: try SpectrumRecord(row: row.scopes["spectrum"]!),
                                 score: try ScoreRecord(row: row.scopes["score"]!)))
        }
        return out
    }

    public func candidateCount(_ query: CandidateQuery) throws -> Int {
        let (whereSQL, arguments) = Self.candidateFilter(query)
        return try pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM score JOIN spectrum ON spectrum.targetid = score.targetid WHERE \(whereSQL)
                """, arguments: StatementArguments(arguments)) ?? 0
        }
    }

    /// The WHERE clause of a query and its bound values.
    static func candidateFilter(_ q: CandidateQuery) -> (String, [DatabaseValueConvertible?]) {
        var clauses = ["score.model = ?"]
        var args: [DatabaseValueConvertible?] = [q.model]
        for name in ScoreName.allCases {
            if let v = q.minimum[name] { clauses.append("score.\(name.rawValue) >= ?"); args.append(v) }
            if let v = q.minimumPercentile[name] { clauses.append("score.\(name.percentileColumn) >= ?"); args.append(v) }
        }
        if let v = q.zMin { clauses.append("spectrum.z >= ?"); args.append(v) }
        if let v = q.zMax { clauses.append("spectrum.z <= ?"); args.append(v) }
        if let v = q.snrMin { clauses.append("spectrum.snr >= ?"); args.append(v) }
        if let v = q.snrMax { clauses.append("spectrum.snr <= ?"); args.append(v) }
        let isBAL = "(COALESCE(spectrum.bal_prob, 0) >= ? OR COALESCE(spectrum.bi_civ, 0) > 0)"
        switch q.bal {
        case .flag: break
        case .exclude: clauses.append("NOT \(isBAL)"); args.append(q.balProbThreshold)
        case .only: clauses.append(isBAL); args.append(q.balProbThreshold)
        }
        if !q.excludeFlags.isEmpty {
            clauses.append("(spectrum.flags & ?) = 0")
            args.append(q.excludeFlags.rawValue)
        }
        return (clauses.joined(separator: " AND "), args)
    }
}

extension ScoreName {
    static let shapeMigrationName = "v5: colour and line-strength scores"
    static let targetedMigrationName = "v6: arm-step, sky-line and BAL-trough scores"

    /// The same statements on SQLite and PostgreSQL, but for the float type's name.
    static func shapeMigrationStatements(double: String) -> [String] {
        addColumnStatements(shapeScores, double: double)
    }

    static func targetedMigrationStatements(double: String) -> [String] {
        addColumnStatements(targetedScores, double: double)
    }

    /// Each score's value and percentile columns, 0 in rows written before they existed.
    private static func addColumnStatements(_ names: [ScoreName], double: String) -> [String] {
        names.flatMap { name in
            [name.rawValue, name.percentileColumn].map { "ALTER TABLE score ADD COLUMN \($0) \(double) NOT NULL DEFAULT 0" }
        }
    }
}
