import ArgumentParser
import Foundation
import QADModel
import QADPipeline
import QADStore

/// Synchronous on purpose: a worker blocks on the database and on cfitsio, which
/// must not happen on Swift's cooperative pool.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Claim queued input files from a shared PostgreSQL store and ingest them, until the queue is empty.",
        discussion: """
        Fill the queue with `qad ingest --queue --store postgres://… --cache DIR PATH…`, then start \
        any number of workers on any machines that see DIR. Each claims one file at a time \
        (SELECT … FOR UPDATE SKIP LOCKED), writes its matrices to a cache shard of its own, commits \
        the file and closes the item in one transaction, and heartbeats meanwhile. A worker that dies \
        stops heartbeating; after --lease-seconds another worker redoes its file. Give workers the \
        same sample options (--qso-catalog, --ard-table, --spectype, --any-zwarn) as a single-process \
        ingest would get.
        """)

    @OptionGroup var common: StoreOptions

    @OptionGroup var sample: SampleOptions

    @Option(name: .customLong("lease-seconds"), help: "A claim without a heartbeat for this long is redone by another worker.")
    var leaseSeconds: Double = 120

    @Option(name: .customLong("max-attempts"), help: "Claims of one file (deaths of its workers) before it is marked failed.")
    var maxAttempts: Int = 3

    @Option(name: .customLong("poll-seconds"), help: "How often an idle worker checks whether other workers' claims still run.")
    var pollSeconds: Double = 2

    @Option(name: .long, help: "This worker's name in the queue (default: HOST-PID).")
    var owner: String?

    func validate() throws {
        if !common.isPostgres { throw ValidationError("qad worker needs a shared store: --store postgres://… --cache DIR") }
        if !(leaseSeconds > 0) { throw ValidationError("--lease-seconds must be positive") }
        if maxAttempts < 1 { throw ValidationError("--max-attempts must be at least 1") }
        if !(pollSeconds > 0) { throw ValidationError("--poll-seconds must be positive") }
    }

    func run() throws {
        ProcessSettings.forIngest()
        let project = try common.openProject()
        let options = WorkerOptions(selection: try sample.selection(project: project),
                                    owner: owner ?? WorkerOptions.defaultOwner(), leaseSeconds: leaseSeconds,
                                    maxAttempts: maxAttempts, pollSeconds: pollSeconds)
        let worker = try QueueWorker(project: project, options: options)
        worker.log = { log("[\(options.owner)] \($0)") }
        let summary = try worker.run()
        print("""
        worker \(options.owner): \(summary.itemsDone) files (\(summary.filesFailed) failed inputs), \
        \(summary.spectra) spectra, \(summary.duplicatesSkipped) duplicate TARGETIDs skipped, \
        \(summary.claimsLost) claims lost, \(String(format: "%.1f", summary.seconds)) s; store: \
        \(summary.epochs.objects) objects, \(summary.epochs.repeated) with repeat epochs
        """)
        if summary.epochs.invalidatedModelOutputs {
            log("note: objects changed their primary spectrum; model outputs were forgotten (run qad infer and qad score again)")
        }
    }
}
