import Foundation
import GRDB
import QADCore
import QADDetect
import QADLabels

extension SQLiteStore: ReviewStore, ReviewQueueSelections {
    public func upsertReviewer(name: String, tokenHash: String, isLocal: Bool) throws -> ReviewerRecord {
        try pool.write { db in
            if var existing = try db.fetchOne(ReviewerRecord.self, where: "name = ?", arguments: [name], source: path) {
                existing.tokenHash = tokenHash
                existing.isLocal = existing.isLocal || isLocal
                existing.removedAt = nil
                try db.execute(sql: "UPDATE reviewer SET token_hash = ?, is_local = ?, removed_at = NULL WHERE id = ?",
                               arguments: [tokenHash, existing.isLocal, existing.id])
                return existing
            }
            var r = ReviewerRecord(name: name, tokenHash: tokenHash, isLocal: isLocal,
                                   createdAt: Date().timeIntervalSince1970)
            r.id = try db.insertReturningID(r)
            return r
        }
    }

    public func reviewer(tokenHash: String) throws -> ReviewerRecord? {
        try pool.read { try $0.fetchOne(ReviewerRecord.self, where: "token_hash = ?", arguments: [tokenHash], source: path) }
    }

    public func removeReviewer(name: String, unusableHash: String) throws -> ReviewerRecord? {
        try pool.write { db in
            guard var r = try db.fetchOne(ReviewerRecord.self, where: "name = ?", arguments: [name], source: path) else { return nil }
            r.tokenHash = unusableHash
            r.removedAt = r.removedAt ?? Date().timeIntervalSince1970
            try db.execute(sql: "UPDATE reviewer SET token_hash = ?, removed_at = ? WHERE id = ?",
                           arguments: [r.tokenHash, r.removedAt, r.id])
            return r
        }
    }

    public func reviewers() throws -> [ReviewerRecord] {
        try pool.read { try $0.fetchAll(ReviewerRecord.self, order: "id", source: path) }
    }

    public func appendLabel(_ event: LabelEventRecord) throws -> LabelEventRecord {
        try pool.write { db in
            if let key = event.clientEventId,
               let earlier = try db.fetchOne(LabelEventRecord.self, where: "reviewer_id = ? AND client_event_id = ?",
                                             arguments: [event.reviewerId, key], source: path) {
                return earlier
            }
            var e = event
            e.id = try db.insertReturningID(e)
            return e
        }
    }

    public func labelHistory(reviewerId: Int64?, targetid: TargetID?) throws -> [LabelEventRecord] {
        try pool.read { db in
            var clauses = ["1"]
            var args: [DatabaseValueConvertible?] = []
            if let reviewerId { clauses.append("reviewer_id = ?"); args.append(reviewerId) }
            if let targetid { clauses.append("targetid = ?"); args.append(targetid) }
            return try db.fetchAll(LabelEventRecord.self, where: clauses.joined(separator: " AND "),
                                   arguments: StatementArguments(args), order: "id", source: path)
        }
    }

    public func currentLabels(reviewerId: Int64?, targetids: [TargetID]?) throws -> [CurrentLabel] {
        try pool.read { db in
            var out: [CurrentLabel] = []
            // Chunks keep the IN list far below SQLite's bound-parameter limit.
            var chunks: [[TargetID]?] = [nil]
            if let ids = targetids {
                chunks = stride(from: 0, to: ids.count, by: 500).map { Optional(Array(ids[$0..<min(ids.count, $0 + 500)])) }
            }
            for chunk in chunks {
                var clauses: [String] = []
                var args: [DatabaseValueConvertible?] = []
                if let reviewerId { clauses.append("reviewer_id = ?"); args.append(reviewerId) }
                if let chunk {
                    guard !chunk.isEmpty else { continue }
                    clauses.append("targetid IN (" + Array(repeating: "?", count: chunk.count).joined(separator: ",") + ")")
                    args += chunk.map { $0 as DatabaseValueConvertible? }
                }
                let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
                out += try db.fetch(LabelEventRecord.self, sql: """
                    SELECT \(LabelEventRecord.table.selectList(qualified: true)) FROM label_event JOIN
                      (SELECT MAX(id) AS latest FROM label_event \(whereSQL) GROUP BY reviewer_id, targetid) m
                      ON label_event.id = m.latest
                    ORDER BY label_event.targetid, label_event.reviewer_id
                    """, arguments: StatementArguments(args), source: path)
            }
            return out
        }
    }

    public func labelEventCount() throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM label_event") ?? 0 }
    }

    public func reviewQueue(_ query: CandidateQuery, reviewerId: Int64, unlabelledFirst: Bool,
                            total knownTotal: Int? = nil) throws -> ReviewQueuePage {
        try ReviewQueuePage.assemble(query, reviewerId: reviewerId, unlabelledFirst: unlabelledFirst, total: knownTotal,
                                     from: self)
    }

    func labelledCandidateCount(_ query: CandidateQuery, reviewerId: Int64) throws -> Int {
        let (filterSQL, filterArgs) = Self.candidateFilter(query)
        // Driven from this reviewer's few labels (CROSS JOIN fixes the join
        // order in SQLite), not from a scan of the whole score table.
        return try pool.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM (SELECT DISTINCT targetid FROM label_event WHERE reviewer_id = ?) AS mine
                CROSS JOIN score ON score.targetid = mine.targetid
                JOIN spectrum ON spectrum.targetid = score.targetid
                WHERE \(filterSQL)
                """, arguments: StatementArguments([reviewerId] + filterArgs)) ?? 0
        }
    }

    /// The unlabelled and the whole selection are plain ordered selections, so
    /// the score index serves both; the labelled part is read from the label
    /// table outwards.
    func queueRows(_ query: CandidateQuery, reviewerId: Int64, part: QueuePart, limit: Int,
                   offset: Int) throws -> [QueueRow] {
        var (whereSQL, args) = Self.candidateFilter(query)
        var from = "score JOIN spectrum ON spectrum.targetid = score.targetid"
        switch part {
        case .all:
            break
        case .unlabelled:
            whereSQL += " AND score.targetid NOT IN (SELECT targetid FROM label_event WHERE reviewer_id = ?)"
            args.append(reviewerId)
        case .labelled:
            from = """
                (SELECT DISTINCT targetid FROM label_event WHERE reviewer_id = ?) AS mine
                CROSS JOIN score ON score.targetid = mine.targetid JOIN spectrum ON spectrum.targetid = score.targetid
                """
            args = [reviewerId] + args
        }
        let sql = """
            SELECT \(QueueRow.columns) FROM \(from)
            WHERE \(whereSQL) ORDER BY \(CandidateFilter.order(query)) LIMIT ? OFFSET ?
            """
        args += [limit, offset]
        return try pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(args)).map { r in
                QueueRow(targetid: r[0], score: r[1], scorePct: r[2], z: r[3], snr: r[4], balProb: r[5], biCiv: r[6])
            }
        }
    }
}

extension SQLiteStore {
    public func addSuppression(_ suppression: SuppressionRecord) throws -> SuppressionRecord {
        try pool.write { db in
            var s = suppression
            s.id = try db.insertReturningID(s)
            return s
        }
    }

    public func withdrawSuppression(id: Int64, reviewerId: Int64, at time: Double) throws -> SuppressionRecord? {
        try pool.write { db in
            try db.execute(sql: "UPDATE suppression SET withdrawn_at = ? WHERE id = ? AND reviewer_id = ? AND withdrawn_at IS NULL",
                           arguments: [time, id, reviewerId])
            guard db.changesCount > 0 else { return nil }
            return try db.fetchOne(SuppressionRecord.self, where: "id = ?", arguments: [id], source: path)
        }
    }

    public func suppressions(reviewerId: Int64?) throws -> [SuppressionRecord] {
        try pool.read { db in
            if let reviewerId {
                return try db.fetchAll(SuppressionRecord.self, where: "reviewer_id = ?", arguments: [reviewerId], order: "id",
                                       source: path)
            }
            return try db.fetchAll(SuppressionRecord.self, order: "id", source: path)
        }
    }
}
