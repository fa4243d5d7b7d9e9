import Foundation
import GRDB
import QADCore

/// A person who reviews candidates. Only the SHA-256 of their sign-in token is
/// stored: a copy of the store does not let anyone sign in.
public struct ReviewerRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "reviewer"

    public var id: Int64?
    public var name: String
    public var tokenHash: String
    /// The user who runs `qad review` (its printed address signs them in).
    public var isLocal: Bool
    public var createdAt: Double

    public init(id: Int64? = nil, name: String, tokenHash: String, isLocal: Bool, createdAt: Double) {
        self.id = id
        self.name = name
        self.tokenHash = tokenHash
        self.isLocal = isLocal
        self.createdAt = createdAt
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// One label decision as a reviewer made it. Events are only ever appended
/// (triggers refuse UPDATE and DELETE): a reviewer's current label of a target
/// is their latest event for it, and every earlier decision stays readable.
public struct LabelEventRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "label_event"

    public var id: Int64?
    public var reviewerId: Int64
    public var targetid: TargetID
    public var labelClass: LabelClass
    public var subtype: String
    public var confidence: LabelConfidence
    public var notes: String
    public var createdAt: Double
    /// Chosen by the client per decision, so a retried POST is stored once.
    public var clientEventId: String?

    public init(id: Int64? = nil, reviewerId: Int64, targetid: TargetID, labelClass: LabelClass, subtype: String = "",
                confidence: LabelConfidence = .medium, notes: String = "", createdAt: Double = Date().timeIntervalSince1970,
                clientEventId: String? = nil) {
        self.id = id
        self.reviewerId = reviewerId
        self.targetid = targetid
        self.labelClass = labelClass
        self.subtype = subtype
        self.confidence = confidence
        self.notes = notes
        self.createdAt = createdAt
        self.clientEventId = clientEventId
    }

    enum CodingKeys: String, CodingKey {
        case id, reviewerId, targetid, subtype, confidence, notes, createdAt, clientEventId
        case labelClass = "class"
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

extension LabelClass: DatabaseValueConvertible {}
extension LabelConfidence: DatabaseValueConvertible {}

extension SQLiteStore {
    static func registerReviewMigration(_ m: inout DatabaseMigrator) {
        m.registerMigration("v4: reviewers and labels") { db in
            try db.create(table: "reviewer") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("token_hash", .text).notNull().unique()
                t.column("is_local", .boolean).notNull()
                t.column("created_at", .double).notNull()
            }
            try db.create(table: "label_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("reviewer_id", .integer).notNull().references("reviewer")
                t.column("targetid", .integer).notNull()
                t.column("class", .text).notNull()
                t.column("subtype", .text).notNull()
                t.column("confidence", .integer).notNull()
                t.column("notes", .text).notNull()
                t.column("created_at", .double).notNull()
                t.column("client_event_id", .text)
                t.uniqueKey(["reviewer_id", "client_event_id"])
            }
            try db.create(index: "label_event_by_reviewer", on: "label_event", columns: ["reviewer_id", "targetid", "id"])
            try db.create(index: "label_event_by_target", on: "label_event", columns: ["targetid", "reviewer_id", "id"])
            // History is never overwritten: the database itself refuses it.
            for op in ["UPDATE", "DELETE"] {
                try db.execute(sql: """
                    CREATE TRIGGER label_event_no_\(op.lowercased()) BEFORE \(op) ON label_event
                    BEGIN SELECT RAISE(ABORT, 'label_event is append-only'); END
                    """)
            }
            // The queue reads candidates by descending score with TARGETID as
            // tie-break; this index serves that order without sorting the sample.
            try db.execute(sql: "CREATE INDEX score_queue_order ON score(model, score DESC, targetid)")
        }
    }
}
