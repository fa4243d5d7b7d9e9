import Foundation
import PostgresNIO
import QADCore

extension ReviewerRecord {
    static let selectColumns = "id, name, token_hash, is_local, created_at"

    init(postgres row: PostgresRow) throws {
        let (id, name, tokenHash, isLocal, createdAt) = try row.decode((Int64, String, String, Bool, Double).self)
        self.init(id: id, name: name, tokenHash: tokenHash, isLocal: isLocal, createdAt: createdAt)
    }
}

extension LabelEventRecord {
    static let selectColumns = "id, reviewer_id, targetid, class, subtype, confidence, notes, created_at, client_event_id"

    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        let rawClass = try r["class"].decode(String.self)
        guard let labelClass = LabelClass(rawValue: rawClass) else { throw StoreError("label_event: unknown class '\(rawClass)'") }
        let rawConfidence = try r["confidence"].decode(Int.self)
        guard let confidence = LabelConfidence(rawValue: rawConfidence) else {
            throw StoreError("label_event: unknown confidence \(rawConfidence)")
        }
        self.init(id: try r["id"].decode(Int64.self), reviewerId: try r["reviewer_id"].decode(Int64.self),
                  targetid: try r["targetid"].decode(Int64.self), labelClass: labelClass,
                  subtype: try r["subtype"].decode(String.self), confidence: confidence,
                  notes: try r["notes"].decode(String.self), createdAt: try r["created_at"].decode(Double.self),
                  clientEventId: try r["client_event_id"].decode(String?.self))
    }
}

/// The review tables on PostgreSQL, with SQLiteStore's behaviour: every value
/// is a bound parameter; optional filters are `($n IS NULL OR column = $m)`,
/// so each query is one fixed SQL text whatever the caller passes.
extension PostgresStore: ReviewStore, ReviewQueueSelections {
    public func upsertReviewer(name: String, tokenHash: String, isLocal: Bool) throws -> ReviewerRecord {
        let now = Date().timeIntervalSince1970
        return try ReviewerRecord(postgres: try rows("""
            INSERT INTO reviewer (name, token_hash, is_local, created_at) VALUES (\(name), \(tokenHash), \(isLocal), \(now))
            ON CONFLICT (name) DO UPDATE SET token_hash = EXCLUDED.token_hash,
                is_local = reviewer.is_local OR EXCLUDED.is_local
            RETURNING \(unescaped: ReviewerRecord.selectColumns)
            """).first!)
    }

    public func reviewer(tokenHash: String) throws -> ReviewerRecord? {
        try rows("SELECT \(unescaped: ReviewerRecord.selectColumns) FROM reviewer WHERE token_hash = \(tokenHash)")
            .first.map(ReviewerRecord.init(postgres:))
    }

    public func reviewers() throws -> [ReviewerRecord] {
        try rows("SELECT \(unescaped: ReviewerRecord.selectColumns) FROM reviewer ORDER BY id").map(ReviewerRecord.init(postgres:))
    }

    public func appendLabel(_ event: LabelEventRecord) throws -> LabelEventRecord {
        let e = event, logger = self.logger
        let columns = LabelEventRecord.selectColumns
        return try pool.withConnection { c in
            // ON CONFLICT waits for a concurrent insert of the same event id,
            // so two retries racing each other still store the event once.
            let inserted = try await c.query("""
                INSERT INTO label_event (reviewer_id, targetid, class, subtype, confidence, notes, created_at, client_event_id)
                VALUES (\(e.reviewerId), \(e.targetid), \(e.labelClass.rawValue), \(e.subtype), \(e.confidence.rawValue),
                    \(e.notes), \(e.createdAt), \(e.clientEventId))
                ON CONFLICT (reviewer_id, client_event_id) DO NOTHING
                RETURNING \(unescaped: columns)
                """, logger: logger).collect()
            if let row = inserted.first { return try LabelEventRecord(postgres: row) }
            let earlier = try await c.query("""
                SELECT \(unescaped: columns) FROM label_event
                WHERE reviewer_id = \(e.reviewerId) AND client_event_id = \(e.clientEventId)
                """, logger: logger).collect()
            guard let row = earlier.first else {
                throw StoreError("label_event: event \(e.clientEventId ?? "") of reviewer \(e.reviewerId) was neither stored nor found")
            }
            return try LabelEventRecord(postgres: row)
        }
    }

    public func labelHistory(reviewerId: Int64?, targetid: TargetID?) throws -> [LabelEventRecord] {
        try rows("""
            SELECT \(unescaped: LabelEventRecord.selectColumns) FROM label_event
            WHERE (\(reviewerId)::BIGINT IS NULL OR reviewer_id = \(reviewerId))
              AND (\(targetid)::BIGINT IS NULL OR targetid = \(targetid))
            ORDER BY id
            """).map(LabelEventRecord.init(postgres:))
    }

    public func currentLabels(reviewerId: Int64?, targetids: [TargetID]?) throws -> [CurrentLabel] {
        // One array parameter, however many targets: no IN list to chunk.
        try rows("""
            SELECT DISTINCT ON (targetid, reviewer_id) \(unescaped: LabelEventRecord.selectColumns) FROM label_event
            WHERE (\(reviewerId)::BIGINT IS NULL OR reviewer_id = \(reviewerId))
              AND (\(targetids)::BIGINT[] IS NULL OR targetid = ANY(\(targetids)::BIGINT[]))
            ORDER BY targetid, reviewer_id, id DESC
            """).map(LabelEventRecord.init(postgres:))
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

    func queueCandidates(_ query: CandidateQuery, reviewerId: Int64, part: QueuePart, limit: Int,
                         offset: Int) throws -> [Candidate] {
        var q = query
        q.limit = limit
        q.offset = offset
        return try fetchCandidates(candidateSQL(q, select: candidateColumns, ordered: true, restrict: (part, reviewerId)))
    }
}
