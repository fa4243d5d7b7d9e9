import Foundation
import QADCore

/// A person who reviews candidates. Only the SHA-256 of their sign-in token is
/// stored: a copy of the store does not let anyone sign in.
public struct ReviewerRecord: Sendable, Equatable {
    public var id: Int64?
    public var name: String
    public var tokenHash: String
    /// The user who runs `qad review` (its printed address signs them in).
    public var isLocal: Bool
    public var createdAt: Double
    /// When the reviewer was removed (`qad review remove-reviewer`); nil while
    /// they may sign in. Their labels stay: the log is append-only.
    public var removedAt: Double?

    public init(id: Int64? = nil, name: String, tokenHash: String, isLocal: Bool, createdAt: Double, removedAt: Double? = nil) {
        self.id = id
        self.name = name
        self.tokenHash = tokenHash
        self.isLocal = isLocal
        self.createdAt = createdAt
        self.removedAt = removedAt
    }
}

/// One label decision as a reviewer made it. Events are only ever appended
/// (triggers refuse UPDATE and DELETE): a reviewer's current label of a target
/// is their latest event for it, and every earlier decision stays readable.
public struct LabelEventRecord: Sendable, Equatable {
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
    /// The redshift the reviewer proposes (the review page's trial z), with a
    /// "wrong redshift" label above all; nil when none was proposed.
    public var proposedZ: Double?

    public init(id: Int64? = nil, reviewerId: Int64, targetid: TargetID, labelClass: LabelClass, subtype: String = "",
                confidence: LabelConfidence = .medium, notes: String = "", createdAt: Double = Date().timeIntervalSince1970,
                clientEventId: String? = nil, proposedZ: Double? = nil) {
        self.id = id
        self.reviewerId = reviewerId
        self.targetid = targetid
        self.labelClass = labelClass
        self.subtype = subtype
        self.confidence = confidence
        self.notes = notes
        self.createdAt = createdAt
        self.clientEventId = clientEventId
        self.proposedZ = proposedZ
    }

}

/// A reviewer's current label of a target: their latest label event for it.
public typealias CurrentLabel = LabelEventRecord

extension ReviewerRecord: StoredRecord {
    public static let table = StoredTable<ReviewerRecord>(
        "reviewer", createdBy: SchemaHistory.reviews,
        columns: [.generatedID("id", \.id), .text("name", \.name), .text("token_hash", \.tokenHash),
                  .bool("is_local", \.isLocal), .double("created_at", \.createdAt),
                  .double("removed_at", \.removedAt, addedBy: SchemaHistory.reviewAccess)],
        unique: [["name"], ["token_hash"]])

    public static var blank: ReviewerRecord { ReviewerRecord(name: "", tokenHash: "", isLocal: false, createdAt: 0) }
}

extension LabelEventRecord: StoredRecord {
    /// Append-only: each store adds triggers that refuse UPDATE and DELETE.
    public static let table = StoredTable<LabelEventRecord>(
        "label_event", createdBy: SchemaHistory.reviews,
        columns: [.generatedID("id", \.id), .int64("reviewer_id", \.reviewerId), .int64("targetid", \.targetid),
                  .rawText("class", \.labelClass), .text("subtype", \.subtype), .rawInt("confidence", \.confidence),
                  .text("notes", \.notes), .double("created_at", \.createdAt), .text("client_event_id", \.clientEventId),
                  .double("proposed_z", \.proposedZ, addedBy: SchemaHistory.reviewAccess)],
        unique: [["reviewer_id", "client_event_id"]],
        indexes: [StoredIndex("label_event_by_reviewer", ["reviewer_id", "targetid", "id"], createdBy: SchemaHistory.reviews),
                  StoredIndex("label_event_by_target", ["targetid", "reviewer_id", "id"], createdBy: SchemaHistory.reviews)],
        references: [StoredReference("reviewer_id", to: "reviewer")])

    public static var blank: LabelEventRecord {
        LabelEventRecord(reviewerId: 0, targetid: 0, labelClass: .unsure, createdAt: 0)
    }
}
