import Foundation
import QADCore

/// A reviewer's "less like this" for a whole family, recorded: every candidate
/// whose strongest localized residual sits in `lambdaMin...lambdaMax` (observed
/// or rest frame) and reaches `minimumPercentile` of that score leaves the
/// reviewer's queue. Undoing it stamps `withdrawnAt`; the row stays, so what
/// was hidden, by whom and when can always be read back.
public struct SuppressionRecord: Sendable, Equatable {
    public var id: Int64?
    public var reviewerId: Int64
    /// "obs" or "rest" (`FamilyWindow.Frame`).
    public var frame: String
    public var lambdaMin: Double
    public var lambdaMax: Double
    public var minimumPercentile: Double
    /// The candidate the family was taken from.
    public var seed: TargetID
    public var createdAt: Double
    public var withdrawnAt: Double?

    public init(id: Int64? = nil, reviewerId: Int64, frame: String, lambdaMin: Double, lambdaMax: Double,
                minimumPercentile: Double, seed: TargetID, createdAt: Double = Date().timeIntervalSince1970,
                withdrawnAt: Double? = nil) {
        self.id = id
        self.reviewerId = reviewerId
        self.frame = frame
        self.lambdaMin = lambdaMin
        self.lambdaMax = lambdaMax
        self.minimumPercentile = minimumPercentile
        self.seed = seed
        self.createdAt = createdAt
        self.withdrawnAt = withdrawnAt
    }

    public var isActive: Bool { withdrawnAt == nil }
}

extension SuppressionRecord: StoredRecord {
    public static let table = StoredTable<SuppressionRecord>(
        "suppression", createdBy: SchemaHistory.suppressions,
        columns: [.generatedID("id", \.id), .int64("reviewer_id", \.reviewerId), .text("frame", \.frame),
                  .double("lambda_min", \.lambdaMin), .double("lambda_max", \.lambdaMax),
                  .double("minimum_percentile", \.minimumPercentile), .int64("seed", \.seed),
                  .double("created_at", \.createdAt), .double("withdrawn_at", \.withdrawnAt)],
        indexes: [StoredIndex("suppression_by_reviewer", ["reviewer_id", "id"], createdBy: SchemaHistory.suppressions)],
        references: [StoredReference("reviewer_id", to: "reviewer")])

    public static var blank: SuppressionRecord {
        SuppressionRecord(reviewerId: 0, frame: "", lambdaMin: 0, lambdaMax: 0, minimumPercentile: 0, seed: 0, createdAt: 0)
    }
}
