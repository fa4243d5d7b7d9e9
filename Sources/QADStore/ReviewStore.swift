import Foundation
import QADCore
import QADDetect
import QADLabels

/// Reviewers, their label history and the consensus over it: what `qad review`
/// writes and `qad export` reads.
public protocol ReviewStore: Sendable {
    /// Creates a reviewer, or gives an existing one (by name) a new token hash,
    /// which ends the old token.
    func upsertReviewer(name: String, tokenHash: String, isLocal: Bool) throws -> ReviewerRecord
    func reviewer(tokenHash: String) throws -> ReviewerRecord?
    /// Ends a reviewer's access: their token hash becomes `unusableHash` (no
    /// token hashes to it) and `removed_at` is set. Their labels stay. Nil when
    /// no reviewer has that name.
    func removeReviewer(name: String, unusableHash: String) throws -> ReviewerRecord?
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
    /// Records a suppressed family and returns it as stored (with its id).
    func addSuppression(_ suppression: SuppressionRecord) throws -> SuppressionRecord
    /// Undoes suppression `id` of `reviewerId`: stamps its `withdrawn_at`. Nil
    /// when that reviewer has no active suppression with this id.
    func withdrawSuppression(id: Int64, reviewerId: Int64, at time: Double) throws -> SuppressionRecord?
    /// Suppressions in the order they were made, optionally of one reviewer;
    /// withdrawn ones included.
    func suppressions(reviewerId: Int64?) throws -> [SuppressionRecord]
}

extension ReviewStore {
    /// The id of the reviewer called `name`; nil when there is none.
    public func reviewerId(named name: String) throws -> Int64? {
        try reviewers().first { $0.name == name }?.id
    }

    /// The families hidden from a reviewer's queue (nil: every reviewer's, the
    /// team's), from their active suppressions.
    public func hiddenFamilies(reviewerId: Int64?) throws -> [FamilyWindow] {
        try suppressions(reviewerId: reviewerId).filter(\.isActive).compactMap(\.window)
    }
}

extension SuppressionRecord {
    /// The family it hides; nil for a frame this version does not know.
    public var window: FamilyWindow? {
        FamilyWindow.Frame(rawValue: frame).map {
            FamilyWindow(frame: $0, lambda: lambdaMin...max(lambdaMin, lambdaMax), minimumPercentile: minimumPercentile)
        }
    }

    /// A suppression of `window`, taken from `seed`, by `reviewerId`.
    public init(reviewerId: Int64, window: FamilyWindow, seed: TargetID, createdAt: Double = Date().timeIntervalSince1970) {
        self.init(reviewerId: reviewerId, frame: window.frame.rawValue, lambdaMin: window.lambda.lowerBound,
                  lambdaMax: window.lambda.upperBound, minimumPercentile: window.minimumPercentile, seed: seed,
                  createdAt: createdAt)
    }
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

    /// Reviewer names by id, for showing who made an event.
    public func reviewerNames() throws -> [Int64: String] {
        Dictionary(uniqueKeysWithValues: try reviewers().compactMap { r in r.id.map { ($0, r.name) } })
    }

    public func agreementSummary() throws -> AgreementSummary {
        let names = try reviewerNames()
        return Agreement.summarize(try currentLabels(reviewerId: nil, targetids: nil), reviewerNames: names)
    }
}

