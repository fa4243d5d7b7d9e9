import Foundation
import GRDB
import QADCore
import QADDetect

extension SQLiteStore: ScoreStore {
    public func replaceScores(_ scores: [ScoreRecord], run: ScoreRunRecord) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM score WHERE model = ?", arguments: [run.model])
            for s in scores where s.model != run.model {
                throw LocatedError("score of TARGETID \(s.targetid) belongs to model \(s.model), not \(run.model)")
            }
            try db.insert(scores)
            try db.insert([run], verb: "INSERT OR REPLACE")
        }
    }

    public func scoreRun(model: String) throws -> ScoreRunRecord? {
        try pool.read { try $0.fetchOne(ScoreRunRecord.self, where: "model = ?", arguments: [model], source: path) }
    }

    public func scores(model: String) throws -> [ScoreRecord] {
        try pool.read { try $0.fetchAll(ScoreRecord.self, where: "model = ?", arguments: [model], order: "targetid", source: path) }
    }

    public func score(model: String, targetid: TargetID) throws -> ScoreRecord? {
        try pool.read {
            try $0.fetchOne(ScoreRecord.self, where: "model = ? AND targetid = ?", arguments: [model, targetid], source: path)
        }
    }

    public func candidates(_ query: CandidateQuery) throws -> [Candidate] {
        let (sql, args) = Self.orderedSelection(query, select: Self.candidateColumns)
        return try pool.read { try self.fetchCandidates($0, sql: sql, arguments: StatementArguments(args)) }
    }

    public func candidateIDs(_ query: CandidateQuery) throws -> [TargetID] {
        let (sql, args) = Self.orderedSelection(query, select: "score.targetid")
        return try pool.read { try TargetID.fetchAll($0, sql: sql, arguments: StatementArguments(args)) }
    }

    /// SELECT `select` over a query's selection, in its order, paged by its limit and offset.
    static func orderedSelection(_ query: CandidateQuery, select: String) -> (String, [DatabaseValueConvertible?]) {
        let (whereSQL, arguments) = candidateFilter(query)
        var sql = """
            SELECT \(select) FROM score JOIN spectrum ON spectrum.targetid = score.targetid
            WHERE \(whereSQL) ORDER BY \(CandidateFilter.order(query))
            """
        var args = arguments
        if let limit = query.limit {
            sql += " LIMIT ? OFFSET ?"
            args += [limit, query.offset]
        } else if query.offset > 0 {
            sql += " LIMIT -1 OFFSET ?"
            args += [query.offset]
        }
        return (sql, args)
    }

    /// The score columns, then the spectrum columns: what a candidate is decoded from.
    static let candidateColumns = ScoreRecord.table.selectList(qualified: true) + ", "
        + SpectrumRecord.table.selectList(qualified: true)

    /// The candidates of a query that selects `candidateColumns`.
    func fetchCandidates(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Candidate] {
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        let n = ScoreRecord.table.columns.count
        var out: [Candidate] = []
        while let row = try rows.next() {
            let values: [StoredValue] = row.databaseValues.map { StoredValue($0) }
            out.append(Candidate(spectrum: try SpectrumRecord.table.decode(values[n...], source: path),
                                 score: try ScoreRecord.table.decode(values[..<n], source: path)))
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
        var args: [DatabaseValueConvertible?] = []
        let sql = CandidateFilter.whereClause(q) { value in
            args.append(value.databaseValue)
            return "?"
        }
        return (sql, args)
    }
}
