import Foundation
import GRDB
import QADCore

/// A reviewer's current label of a target: their latest label event for it.
public typealias CurrentLabel = LabelEventRecord

/// Reviewers, their label history and the consensus over it: what `qad review`
/// writes and `qad export` reads.
public protocol ReviewStore: Sendable {
    /// Creates a reviewer, or gives an existing one (by name) a new token hash,
    /// which ends the old token.
    func upsertReviewer(name: String, tokenHash: String, isLocal: Bool) throws -> ReviewerRecord
    func reviewer(tokenHash: String) throws -> ReviewerRecord?
    func reviewers() throws -> [ReviewerRecord]
    /// Appends one label event and returns it as stored. An event whose
    /// `clientEventId` this reviewer already used is not stored again: the
    /// earlier one is returned.
    func appendLabel(_ event: LabelEventRecord) throws -> LabelEventRecord
    /// Label events in the order they were made, optionally of one reviewer and/or target.
    func labelHistory(reviewerId: Int64?, targetid: TargetID?) throws -> [LabelEventRecord]
    /// Current labels (latest event per reviewer and target), optionally of one
    /// reviewer and/or some targets.
    func currentLabels(reviewerId: Int64?, targetids: [TargetID]?) throws -> [CurrentLabel]
    func labelEventCount() throws -> Int
    /// Consensus of one target, nil when nobody labelled it.
    func consensus(targetid: TargetID) throws -> LabelConsensus?
    /// Consensus of every labelled target, in TARGETID order.
    func consensus() throws -> [LabelConsensus]
    /// Mean agreement and pairwise Cohen's κ over all current labels.
    func agreementSummary() throws -> AgreementSummary
    /// The candidates of `query` in its order; with `unlabelledFirst`, those
    /// this reviewer has not labelled come first (each part in query order).
    /// `total`, when the caller knows it (`candidateCount(query)`), saves
    /// counting the selection again.
    func reviewQueue(_ query: CandidateQuery, reviewerId: Int64, unlabelledFirst: Bool, total: Int?) throws -> ReviewQueuePage
}

/// What every store derives the same way from its current labels: consensus
/// and agreement are pure Swift over `currentLabels`, so both stores agree.
extension ReviewStore {
    public func consensus(targetid: TargetID) throws -> LabelConsensus? {
        let labels = try currentLabels(reviewerId: nil, targetids: [targetid])
        return labels.isEmpty ? nil : LabelConsensus(targetid: targetid, labels: labels.map(\.labelClass))
    }

    public func consensus() throws -> [LabelConsensus] {
        let labels = try currentLabels(reviewerId: nil, targetids: nil)
        var byTarget: [TargetID: [LabelClass]] = [:]
        for l in labels { byTarget[l.targetid, default: []].append(l.labelClass) }
        return byTarget.keys.sorted().map { LabelConsensus(targetid: $0, labels: byTarget[$0]!) }
    }

    public func agreementSummary() throws -> AgreementSummary {
        let names = Dictionary(uniqueKeysWithValues: try reviewers().compactMap { r in r.id.map { ($0, r.name) } })
        return Agreement.summarize(try currentLabels(reviewerId: nil, targetids: nil), reviewerNames: names)
    }
}

extension SQLiteStore: ReviewStore, ReviewQueueSelections {
    public func upsertReviewer(name: String, tokenHash: String, isLocal: Bool) throws -> ReviewerRecord {
        try pool.write { db in
            if var existing = try ReviewerRecord.filter(Column("name") == name).fetchOne(db) {
                existing.tokenHash = tokenHash
                existing.isLocal = existing.isLocal || isLocal
                try existing.update(db)
                return existing
            }
            var r = ReviewerRecord(name: name, tokenHash: tokenHash, isLocal: isLocal,
                                   createdAt: Date().timeIntervalSince1970)
            try r.insert(db)
            r.id = db.lastInsertedRowID
            return r
        }
    }

    public func reviewer(tokenHash: String) throws -> ReviewerRecord? {
        try pool.read { try ReviewerRecord.filter(Column("token_hash") == tokenHash).fetchOne($0) }
    }

    public func reviewers() throws -> [ReviewerRecord] {
        try pool.read { try ReviewerRecord.order(Column("id")).fetchAll($0) }
    }

    public func appendLabel(_ event: LabelEventRecord) throws -> LabelEventRecord {
        try pool.write { db in
            if let key = event.clientEventId,
               let earlier = try LabelEventRecord.filter(Column("reviewer_id") == event.reviewerId
                                                         && Column("client_event_id") == key).fetchOne(db) {
                return earlier
            }
            var e = event
            e.id = nil
            try e.insert(db)
            e.id = db.lastInsertedRowID
            return e
        }
    }

    public func labelHistory(reviewerId: Int64?, targetid: TargetID?) throws -> [LabelEventRecord] {
        try pool.read { db in
            var request = LabelEventRecord.order(Column("id"))
            if let reviewerId { request = request.filter(Column("reviewer_id") == reviewerId) }
            if let targetid { request = request.filter(Column("targetid") == targetid) }
            return try request.fetchAll(db)
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
                out += try LabelEventRecord.fetchAll(db, sql: """
                    SELECT label_event.* FROM label_event JOIN
                      (SELECT MAX(id) AS latest FROM label_event \(whereSQL) GROUP BY reviewer_id, targetid) m
                      ON label_event.id = m.latest
                    ORDER BY label_event.targetid, label_event.reviewer_id
                    """, arguments: StatementArguments(args))
            }
            return out
        }
    }

    public func labelEventCount() throws -> Int {
        try pool.read { try LabelEventRecord.fetchCount($0) }
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
    func queueCandidates(_ query: CandidateQuery, reviewerId: Int64, part: QueuePart, limit: Int,
                         offset: Int) throws -> [Candidate] {
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
        let direction = query.ascending ? "ASC" : "DESC"
        let sql = """
            SELECT score.*, spectrum.* FROM \(from)
            WHERE \(whereSQL) ORDER BY score.\(query.sortBy.rawValue) \(direction), score.targetid LIMIT ? OFFSET ?
            """
        args += [limit, offset]
        return try pool.read { try Self.fetchCandidates($0, sql: sql, arguments: StatementArguments(args)) }
    }
}
