import Foundation
import QADCore

/// What a work item asks for. Only `ingest` exists today; `score` is the hook
/// for scoring by pixel: a scorer enqueues items with its stage and claims
/// them with the same calls, so no new table or protocol is needed.
public enum WorkStage: String, Sendable, CaseIterable {
    case ingest
    case score
}

/// One claimed input file (healpix pixel). `attempt` counts claims, so a
/// worker whose lease ran out can tell its claim was taken over.
public struct WorkItem: Sendable, Equatable {
    public var id: Int64
    public var stage: WorkStage
    public var path: String
    public var attempt: Int

    public init(id: Int64, stage: WorkStage, path: String, attempt: Int) {
        self.id = id
        self.stage = stage
        self.path = path
        self.attempt = attempt
    }

    /// The cache shard this attempt writes: one writer per file, so no two
    /// processes ever append to one `.npy` (a stalled worker's late writes go to
    /// its own, unreferenced, attempt's files).
    public var shard: String { String(format: "q%08lld-a%d", id, attempt) }
}

public struct WorkQueueCounts: Sendable, Equatable {
    public var pending = 0
    public var claimed = 0
    public var done = 0
    public var failed = 0
    public init() {}
    public var total: Int { pending + claimed + done + failed }
}

/// A queue of input files shared by workers on many machines (PostgreSQL).
public protocol WorkQueueStore: Store {
    /// Adds paths (already queued ones are left as they are, unless `requeue`).
    /// Returns how many became pending.
    @discardableResult
    func enqueue(_ paths: [String], stage: WorkStage, requeue: Bool) throws -> Int
    /// Claims the first pending item, or one whose owner's heartbeat is older
    /// than `leaseSeconds` (its worker died); nil when there is none.
    func claim(stage: WorkStage, owner: String, leaseSeconds: Double, maxAttempts: Int) throws -> WorkItem?
    /// Marks the claim alive; false when it is no longer this owner's.
    func heartbeat(_ item: WorkItem, owner: String) throws -> Bool
    /// Commits one ingested file and closes its item, in one transaction, if the
    /// claim is still this attempt's (else throws `LostClaim`). Results are
    /// upserts: the file's earlier rows are replaced, a TARGETID another file
    /// already stored is skipped and reported. Returns the TARGETIDs skipped.
    func completeIngest(_ item: WorkItem, owner: String, commit: FileCommit, columns: Int) throws -> [TargetID]
    /// Gives an item up (the worker could not run it) with a message.
    func fail(_ item: WorkItem, owner: String, message: String) throws
    func queueCounts(stage: WorkStage) throws -> WorkQueueCounts
}

/// The item was taken over by another worker (this one's lease ran out).
public struct LostClaim: Error, CustomStringConvertible {
    public var item: WorkItem
    public init(item: WorkItem) { self.item = item }
    public var description: String {
        "work item \(item.id) (\(item.path)): claim attempt \(item.attempt) was taken over; its results were not committed"
    }
}
