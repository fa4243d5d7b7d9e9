import QADCore
import QADDetect
import QADLabels

/// One page of the review queue, with the asking reviewer's current labels.
public struct ReviewQueuePage: Sendable {
    /// Candidates the query selects (all pages).
    public var total: Int
    /// Of those, how many this reviewer has not labelled.
    public var unlabelled: Int
    public var rows: [QueueRow]
    public var myLabels: [TargetID: CurrentLabel]
}

/// What the queue lists of one candidate. A queue page reads these few
/// columns rather than whole score and spectrum records: decoding ~150
/// columns per row made a 200-row page cost ~10 ms of a store's time.
public struct QueueRow: Sendable, Equatable {
    public var targetid: TargetID
    /// The combined score and its percentile.
    public var score: Double
    public var scorePct: Double
    public var z: Double
    public var snr: Double
    public var balProb: Double?
    public var biCiv: Double?

    public init(targetid: TargetID, score: Double, scorePct: Double, z: Double, snr: Double, balProb: Double?,
                biCiv: Double?) {
        self.targetid = targetid
        self.score = score
        self.scorePct = scorePct
        self.z = z
        self.snr = snr
        self.balProb = balProb
        self.biCiv = biCiv
    }

    /// The columns a row is read from, in the initializer's order.
    static let columns = ["score.targetid", "score." + ScoreName.score.rawValue, "score." + ScoreName.score.percentileColumn,
                          "spectrum.z", "spectrum.snr", "spectrum.bal_prob", "spectrum.bi_civ"].joined(separator: ", ")

    /// As `SpectrumRecord.isBAL`.
    public func isBAL(threshold: Double = 0.5) -> Bool {
        SpectrumRecord.isBAL(balProb: balProb, biCiv: biCiv, threshold: threshold)
    }
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
    func queueRows(_ query: CandidateQuery, reviewerId: Int64, part: QueuePart, limit: Int,
                   offset: Int) throws -> [QueueRow]
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
        var rows: [QueueRow]
        if unlabelledFirst {
            rows = try store.queueRows(query, reviewerId: reviewerId, part: .unlabelled, limit: limit, offset: query.offset)
            if rows.count < limit {
                rows += try store.queueRows(query, reviewerId: reviewerId, part: .labelled, limit: limit - rows.count,
                                            offset: max(0, query.offset - unlabelled))
            }
        } else {
            rows = try store.queueRows(query, reviewerId: reviewerId, part: .all, limit: limit, offset: query.offset)
        }
        let labels = try store.currentLabels(reviewerId: reviewerId, targetids: rows.map(\.targetid))
        return ReviewQueuePage(total: total, unlabelled: unlabelled, rows: rows,
                               myLabels: Dictionary(labels.map { ($0.targetid, $0) }, uniquingKeysWith: { $1 }))
    }
}
