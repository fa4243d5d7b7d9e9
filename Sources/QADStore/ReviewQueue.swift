import QADCore
import QADDetect
import QADLabels

/// One page of the review queue, with the asking reviewer's current labels.
public struct ReviewQueuePage: Sendable {
    /// Candidates the query selects (all pages).
    public var total: Int
    /// Of those, how many this reviewer has not labelled.
    public var unlabelled: Int
    public var candidates: [Candidate]
    public var myLabels: [TargetID: CurrentLabel]
}

/// Which of a query's candidates one queue selection keeps, by one reviewer's labels.
enum QueuePart {
    case all, unlabelled, labelled
}

/// The selections a review queue is built from, each answered in a store's
/// own SQL; `ReviewQueuePage.assemble` combines them the same way for every
/// store, so SQLite and PostgreSQL page through a queue identically.
protocol ReviewQueueSelections: ReviewStore, ScoreStore {
    /// How many of the query's candidates (limit and offset ignored) this reviewer has labelled.
    func labelledCandidateCount(_ query: CandidateQuery, reviewerId: Int64) throws -> Int
    /// The query's candidates of `part` in the query's order, `limit` of them from `offset`.
    func queueCandidates(_ query: CandidateQuery, reviewerId: Int64, part: QueuePart, limit: Int,
                         offset: Int) throws -> [Candidate]
}

extension ReviewQueuePage {
    /// The page `store.reviewQueue` returns: with `unlabelledFirst`, the
    /// reviewer's unlabelled candidates, then their labelled ones (each part in
    /// query order, the offset counted over both parts as one list).
    static func assemble(_ query: CandidateQuery, reviewerId: Int64, unlabelledFirst: Bool, total knownTotal: Int?,
                         from store: some ReviewQueueSelections) throws -> ReviewQueuePage {
        let total = try knownTotal ?? store.candidateCount(query)
        let unlabelled = total - (try store.labelledCandidateCount(query, reviewerId: reviewerId))
        let limit = query.limit ?? total
        var candidates: [Candidate]
        if unlabelledFirst {
            candidates = try store.queueCandidates(query, reviewerId: reviewerId, part: .unlabelled, limit: limit,
                                                   offset: query.offset)
            if candidates.count < limit {
                candidates += try store.queueCandidates(query, reviewerId: reviewerId, part: .labelled,
                                                        limit: limit - candidates.count,
                                                        offset: max(0, query.offset - unlabelled))
            }
        } else {
            candidates = try store.queueCandidates(query, reviewerId: reviewerId, part: .all, limit: limit,
                                                   offset: query.offset)
        }
        let labels = try store.currentLabels(reviewerId: reviewerId, targetids: candidates.map(\.spectrum.targetid))
        return ReviewQueuePage(total: total, unlabelled: unlabelled, candidates: candidates,
                               myLabels: Dictionary(labels.map { ($0.targetid, $0) }, uniquingKeysWith: { $1 }))
    }
}
