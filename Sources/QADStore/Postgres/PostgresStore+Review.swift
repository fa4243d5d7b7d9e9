import Foundation
import PostgresNIO
import QADCore
import QADDetect
import QADLabels

/// The review tables on PostgreSQL, with SQLiteStore's behaviour: every value
/// is a bound parameter; optional filters are `($n IS NULL OR column = $m)`,
/// so each query is one fixed SQL text whatever the caller passes.
extension PostgresStore: ReviewStore, ReviewQueueSelections {
    public func upsertReviewer(name: String, tokenHash: String, isLocal: Bool) throws -> ReviewerRecord {
        let now = Date().timeIntervalSince1970
        return try decode(ReviewerRecord.self, try rows("""
            INSERT INTO reviewer (name, token_hash, is_local, created_at) VALUES (\(name), \(tokenHash), \(isLocal), \(now))
            ON CONFLICT (name) DO UPDATE SET token_hash = EXCLUDED.token_hash,
                is_local = reviewer.is_local OR EXCLUDED.is_local, removed_at = NULL
            RETURNING \(unescaped: ReviewerRecord.table.postgresSelectList())
            """).first!)
    }

    public func removeReviewer(name: String, unusableHash: String) throws -> ReviewerRecord? {
        let now = Date().timeIntervalSince1970
        return try fetch(ReviewerRecord.self, """
            UPDATE reviewer SET token_hash = \(unusableHash), removed_at = COALESCE(removed_at, \(now)) WHERE name = \(name)
            RETURNING \(unescaped: ReviewerRecord.table.postgresSelectList())
            """).first
    }

    public func reviewer(tokenHash: String) throws -> ReviewerRecord? {
        try fetch(ReviewerRecord.self, """
            SELECT \(unescaped: ReviewerRecord.table.postgresSelectList()) FROM reviewer WHERE token_hash = \(tokenHash)
            """).first
    }

    public func reviewers() throws -> [ReviewerRecord] {
        try fetch(ReviewerRecord.self, "SELECT \(unescaped: ReviewerRecord.table.postgresSelectList()) FROM reviewer ORDER BY id")
    }

    public func appendLabel(_ event: LabelEventRecord) throws -> LabelEventRecord {
        let e = event, logger = self.logger
        let columns = LabelEventRecord.table.postgresSelectList()
        return try pool.withConnection { c in
            // ON CONFLICT waits for a concurrent insert of the same event id,
            // so two retries racing each other still store the event once.
            let inserted = try await c.query("""
                INSERT INTO label_event (reviewer_id, targetid, class, subtype, confidence, notes, created_at, client_event_id,
                    proposed_z)
                VALUES (\(e.reviewerId), \(e.targetid), \(e.labelClass.rawValue), \(e.subtype), \(e.confidence.rawValue),
                    \(e.notes), \(e.createdAt), \(e.clientEventId), \(e.proposedZ))
                ON CONFLICT (reviewer_id, client_event_id) DO NOTHING
                RETURNING \(unescaped: columns)
                """, logger: logger).collect()
            if let row = inserted.first { return try self.decode(LabelEventRecord.self, row) }
            let earlier = try await c.query("""
                SELECT \(unescaped: columns) FROM label_event
                WHERE reviewer_id = \(e.reviewerId) AND client_event_id = \(e.clientEventId)
                """, logger: logger).collect()
            guard let row = earlier.first else {
                throw LocatedError("label_event: event \(e.clientEventId ?? "") of reviewer \(e.reviewerId) was neither stored nor found")
            }
            return try self.decode(LabelEventRecord.self, row)
        }
    }

    public func labelHistory(reviewerId: Int64?, targetid: TargetID?) throws -> [LabelEventRecord] {
        try fetch(LabelEventRecord.self, """
            SELECT \(unescaped: LabelEventRecord.table.postgresSelectList()) FROM label_event
            WHERE (\(reviewerId)::BIGINT IS NULL OR reviewer_id = \(reviewerId))
              AND (\(targetid)::BIGINT IS NULL OR targetid = \(targetid))
            ORDER BY id
            """)
    }

    public func currentLabels(reviewerId: Int64?, targetids: [TargetID]?) throws -> [CurrentLabel] {
        // One array parameter, however many targets: no IN list to chunk.
        try fetch(LabelEventRecord.self, """
            SELECT DISTINCT ON (targetid, reviewer_id) \(unescaped: LabelEventRecord.table.postgresSelectList()) FROM label_event
            WHERE (\(reviewerId)::BIGINT IS NULL OR reviewer_id = \(reviewerId))
              AND (\(targetids)::BIGINT[] IS NULL OR targetid = ANY(\(targetids)::BIGINT[]))
            ORDER BY targetid, reviewer_id, id DESC
            """)
    }

    public func labelEventCount() throws -> Int {
        try rows("SELECT count(*) FROM label_event").first!.decode(Int.self)
    }

    public func reviewQueue(_ query: CandidateQuery, reviewerId: Int64, unlabelledFirst: Bool,
                            total knownTotal: Int? = nil) throws -> ReviewQueuePage {
        try ReviewQueuePage.assemble(query, reviewerId: reviewerId, unlabelledFirst: unlabelledFirst, total: knownTotal,
                                     from: self)
    }

    func labelledCandidateCount(_ query: CandidateQuery, reviewerId: Int64) throws -> Int {
        try rows(candidateSQL(query, select: "COUNT(*)", ordered: false, restrict: (.labelled, reviewerId)))
            .first?.decode(Int.self) ?? 0
    }

    func queueRows(_ query: CandidateQuery, reviewerId: Int64, part: QueuePart, limit: Int,
                   offset: Int) throws -> [QueueRow] {
        var q = query
        q.limit = limit
        q.offset = offset
        return try rows(candidateSQL(q, select: QueueRow.columns, ordered: true, restrict: (part, reviewerId))).map { row in
            let (id, score, pct, z, snr, bal, bi) = try row.decode((Int64, Double, Double, Double, Double, Double?, Double?).self)
            return QueueRow(targetid: id, score: score, scorePct: pct, z: z, snr: snr, balProb: bal, biCiv: bi)
        }
    }
}

extension PostgresStore {
    public func addSuppression(_ suppression: SuppressionRecord) throws -> SuppressionRecord {
        let s = suppression
        let rows = try fetch(SuppressionRecord.self, """
            INSERT INTO suppression (reviewer_id, frame, lambda_min, lambda_max, minimum_percentile, seed, created_at, withdrawn_at)
            VALUES (\(s.reviewerId), \(s.frame), \(s.lambdaMin), \(s.lambdaMax), \(s.minimumPercentile), \(s.seed),
                    \(s.createdAt), \(s.withdrawnAt))
            RETURNING \(unescaped: SuppressionRecord.table.postgresSelectList())
            """)
        guard let stored = rows.first else { throw LocatedError("suppression: the insert returned no row") }
        return stored
    }

    public func withdrawSuppression(id: Int64, reviewerId: Int64, at time: Double) throws -> SuppressionRecord? {
        try fetch(SuppressionRecord.self, """
            UPDATE suppression SET withdrawn_at = \(time)
            WHERE id = \(id) AND reviewer_id = \(reviewerId) AND withdrawn_at IS NULL
            RETURNING \(unescaped: SuppressionRecord.table.postgresSelectList())
            """).first
    }

    public func suppressions(reviewerId: Int64?) throws -> [SuppressionRecord] {
        let columns = SuppressionRecord.table.postgresSelectList()
        if let reviewerId {
            return try fetch(SuppressionRecord.self, """
                SELECT \(unescaped: columns) FROM suppression WHERE reviewer_id = \(reviewerId) ORDER BY id
                """)
        }
        return try fetch(SuppressionRecord.self, "SELECT \(unescaped: columns) FROM suppression ORDER BY id")
    }
}
