import Foundation
import QADCore
import QADFormats
import QADSpectra
import QADStore

/// Settings of one `qad worker` process.
public struct WorkerOptions: Sendable {
    public var selection: SampleSelection
    /// Names this worker in the queue (`owner` column); unique per process.
    public var owner: String
    /// A claim whose heartbeat is older than this is taken over by another worker.
    public var leaseSeconds: Double
    /// Claims of one item (deaths of its workers) before it is marked failed.
    public var maxAttempts: Int
    /// How often an idle worker looks again while other workers still hold claims.
    public var pollSeconds: Double
    /// Links the epochs once the queue is drained (every worker that sees it
    /// drained does, from the same final store, so they agree).
    public var linker = EpochLinker()

    public init(selection: SampleSelection = SampleSelection(), owner: String = WorkerOptions.defaultOwner(),
                leaseSeconds: Double = 120, maxAttempts: Int = 3, pollSeconds: Double = 2) {
        self.selection = selection
        self.owner = owner
        self.leaseSeconds = leaseSeconds
        self.maxAttempts = maxAttempts
        self.pollSeconds = pollSeconds
    }

    public static func defaultOwner() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(getpid())"
    }
}

public struct WorkerSummary: Sendable {
    public var itemsDone = 0
    public var filesFailed = 0
    public var spectra = 0
    public var duplicatesSkipped = 0
    public var claimsLost = 0
    public var epochs = EpochLinker.Summary()
    public var seconds = 0.0
}

/// Claims input files from the shared queue one at a time, ingests each into
/// its own cache shard (`WorkItem.shard`), and commits it with the item in one
/// transaction; exits when no item is pending or claimed by anyone. A worker
/// killed part-way leaves a claim whose heartbeat stops; after the lease
/// another worker redoes the file under a new shard name.
public final class QueueWorker {
    public let project: ProjectStore
    public let options: WorkerOptions
    let queue: any WorkQueueStore
    let preprocessor: Preprocessor
    public var log: (String) -> Void = { _ in }

    public init(project: ProjectStore, options: WorkerOptions, grid: RestGrid = .standard) throws {
        guard let queue = project.store as? any WorkQueueStore else {
            throw LocatedError("\(project.location): workers need a shared PostgreSQL store (--store postgres://…)")
        }
        self.project = project
        self.options = options
        self.queue = queue
        let reference = try project.prepareCache(grid: grid) { QuasarModel.meanRestSpectrum(wavelengths: grid.centers) }
        preprocessor = Preprocessor(grid: grid, reference: reference)
    }

    public func run() throws -> WorkerSummary {
        let start = Date()
        var summary = WorkerSummary()
        while true {
            if let item = try queue.claim(stage: .ingest, owner: options.owner, leaseSeconds: options.leaseSeconds,
                                          maxAttempts: options.maxAttempts) {
                do {
                    try ingest(item, summary: &summary)
                } catch let lost as LostClaim {
                    summary.claimsLost += 1
                    log("warning: \(lost)")
                }
                continue
            }
            // Nothing claimable: stop once no one holds a claim either (a claim
            // still held may be a dead worker's, which this worker then redoes).
            let counts = try queue.queueCounts(stage: .ingest)
            if counts.pending == 0 && counts.claimed == 0 { break }
            Thread.sleep(forTimeInterval: options.pollSeconds)
        }
        summary.epochs = try options.linker.link(project.store)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    private func ingest(_ item: WorkItem, summary: inout WorkerSummary) throws {
        let heartbeat = Heartbeat(every: max(0.2, options.leaseSeconds / 4)) { [queue, options] in
            (try? queue.heartbeat(item, owner: options.owner)) ?? true  // a failed beat is retried at the next tick
        }
        defer { heartbeat.stop() }
        let (size, mtime) = IngestRunner.fileStamp(item.path)
        let outcome = IngestRunner.process(item.path, size: size, mtime: mtime, selection: options.selection,
                                           preprocessor: preprocessor)
        guard !heartbeat.lost else { throw LostClaim(item: item) }
        let columns = preprocessor.rebinner.grid.count
        let now = Date().timeIntervalSince1970
        if let failure = outcome.failure {
            let record = IngestedFileRecord(path: item.path, size: size, mtime: mtime, status: .failed, nSpectra: 0,
                                            nSkipped: 0, ingestedAt: now)
            _ = try queue.completeIngest(item, owner: options.owner, commit: FileCommit(
                file: record, spectra: [], problems: [ProblemRecord(failure, severity: .file)]), columns: columns)
            summary.itemsDone += 1
            summary.filesFailed += 1
            log("error: \(failure)")
            return
        }
        let shard = item.shard
        if !outcome.spectra.isEmpty {
            // A fresh file per attempt, flushed to disk before the commit that
            // points at it: other machines read it as soon as the row is visible.
            let flux = try NPYMatrixAppender(path: project.fluxPath(shard: shard), columns: columns, committedRows: 0)
            let weight = try NPYMatrixAppender(path: project.weightPath(shard: shard), columns: columns, committedRows: 0)
            for s in outcome.spectra {
                try flux.append(s.flux)
                try weight.append(s.weight)
            }
            try flux.sync()
            try weight.sync()
        }
        let records = outcome.spectra.enumerated().map { i, s in IngestRunner.record(s, shard: shard, row: i) }
        let warnings = outcome.warnings + outcome.spectra.flatMap(\.warnings)
        let problems = outcome.skipped.map { ProblemRecord($0, severity: .skipped) }
            + warnings.map { ProblemRecord($0, severity: .warning) }
        let file = IngestedFileRecord(path: item.path, size: size, mtime: mtime, status: .done,
                                      nSpectra: records.count, nSkipped: outcome.skipped.count, ingestedAt: now)
        let duplicates: [TargetID]
        do {
            duplicates = try queue.completeIngest(item, owner: options.owner,
                                                  commit: FileCommit(file: file, spectra: records, problems: problems,
                                                                     epochs: records.map(outcome.epoch)),
                                                  columns: columns)
        } catch let lost as LostClaim {
            removeShardFiles(shard)  // another attempt owns the file now; nothing will point at these
            throw lost
        }
        // Earlier attempts of this item died or were overtaken before their
        // commit, so no row points at their files: reclaim the space.
        for attempt in 1..<max(1, item.attempt) {
            var earlier = item
            earlier.attempt = attempt
            removeShardFiles(earlier.shard)
        }
        summary.itemsDone += 1
        summary.spectra += records.count - duplicates.count
        summary.duplicatesSkipped += duplicates.count
    }
}

extension QueueWorker {
    /// Best effort: a file already gone, or never written, is fine.
    func removeShardFiles(_ shard: String) {
        for path in [project.fluxPath(shard: shard), project.weightPath(shard: shard)] {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}

/// Calls `beat` every `interval` seconds on a thread of its own until stopped;
/// remembers when a beat reports the claim lost.
final class Heartbeat: @unchecked Sendable {
    // @unchecked: the flags are only touched under `condition`.
    private let condition = NSCondition()
    private var stopped = false
    private var lostClaim = false

    init(every interval: Double, beat: @escaping @Sendable () -> Bool) {
        let thread = Thread { [self] in
            condition.lock()
            while !stopped {
                if condition.wait(until: Date(timeIntervalSinceNow: interval)) { continue }  // woken by stop()
                if stopped { break }
                condition.unlock()
                let alive = beat()
                condition.lock()
                if !alive { lostClaim = true }
            }
            condition.unlock()
        }
        thread.name = "qad-heartbeat"
        thread.start()
    }

    var lost: Bool { condition.withLock { lostClaim } }

    func stop() {
        condition.withLock {
            stopped = true
            condition.signal()
        }
    }
}
