import Foundation
import QADCore
import QADDetect
import QADLabels
import QADStore

/// A page of a live relevance queue.
public struct LiveRelevancePage: Sendable {
    /// Unlabelled candidates in the ranked pool (all pages).
    public var total: Int
    public var labels: Int
    public var rows: [RelevanceQueue.Row]
}

/// The review app's relevance queues: one model per (filters, whose labels,
/// map), kept between requests and brought up to date with the labels at
/// each request, so a new label costs one kernel pass over the pool rather
/// than a rebuild (`RelevanceModel.setRelevances`). The features are read
/// once, and again when `qad score` has run since.
public final class LiveRelevanceQueues: @unchecked Sendable {
    private let project: ProjectStore
    private let modelName: String
    private let settings: RelevanceSettings
    private let lock = NSLock()
    private var sample: ScoredSample?
    private var scoredAt: Double?

    private struct Entry {
        var filters: CandidateQuery
        var source: RelevanceSource
        var queue: RelevanceQueue
        var lastUsed: UInt64
    }
    private var entries: [Entry] = []
    private var uses: UInt64 = 0
    /// Models kept at once (each holds a few floats per pool member).
    public var capacity = 4

    public init(project: ProjectStore, model: String, settings: RelevanceSettings = RelevanceSettings()) {
        self.project = project
        modelName = model
        self.settings = settings
    }

    /// The scored sample the queues rank (read again when `qad score` has run since).
    public func currentSample() throws -> ScoredSample {
        lock.lock()
        defer { lock.unlock() }
        return try refreshedSample()
    }

    private func refreshedSample() throws -> ScoredSample {
        guard let run = try project.store.scoreRun(model: modelName) else {
            throw LocatedError("model \(modelName) has no scores in \(project.location): run qad score first")
        }
        if sample == nil || scoredAt != run.scoredAt {
            sample = try ScoredSample(project: project, model: modelName, options: settings.features)
            scoredAt = run.scoredAt
            entries = []
        }
        return sample!
    }

    /// The page `query.offset ..< offset + limit` of the queue of `source`'s
    /// unlabelled candidates among `query`'s selection.
    public func page(_ query: CandidateQuery, source: RelevanceSource, map: RelevanceMap) throws -> LiveRelevancePage {
        lock.lock()
        defer { lock.unlock() }
        let store = project.store
        let sample = try refreshedSample()
        var filters = query
        filters.limit = nil
        filters.offset = 0
        filters.sortByVariability = false
        uses += 1
        let labels = try source.labels(in: store)
        let slot: Int
        if let found = entries.firstIndex(where: { $0.filters == filters && $0.source == source && $0.queue.map == map }) {
            slot = found
        } else {
            let selection = try store.candidateIDs(filters)
            if entries.count >= capacity, let oldest = entries.indices.min(by: { entries[$0].lastUsed < entries[$1].lastUsed }) {
                entries.remove(at: oldest)
            }
            entries.append(Entry(filters: filters, source: source,
                                 queue: RelevanceQueue(sample: sample, selection: selection, map: map, settings: settings),
                                 lastUsed: uses))
            slot = entries.count - 1
        }
        entries[slot].lastUsed = uses
        // Only what changed since the last request: new, changed and withdrawn labels.
        let queue = entries[slot].queue
        queue.update(labels: labels)
        return LiveRelevancePage(total: queue.ranked.count, labels: queue.labelCount,
                                 rows: queue.rows(offset: query.offset, limit: query.limit))
    }
}
