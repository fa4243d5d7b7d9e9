import Foundation
import QADCore
import QADSpectra
import QADStore

/// `qad ingest --queue`: puts input files on the shared queue instead of
/// ingesting them, for `qad worker` processes to claim.
public enum QueueFiller {
    public struct Result: Sendable {
        public var filesFound = 0
        public var queued = 0
        public var alreadyIngested = 0
        public var alreadyQueued = 0
    }

    /// Queues every spectra file under `paths` that the store has not ingested
    /// in its current form (`force`: all of them, requeueing finished items).
    /// Also writes the cache's grid and reference once, before any worker starts.
    public static func fill(project: ProjectStore, paths: [String], force: Bool,
                            grid: RestGrid = .standard) throws -> Result {
        guard let queue = project.store as? any WorkQueueStore else {
            throw LocatedError("\(project.location): --queue needs a shared PostgreSQL store (--store postgres://…)")
        }
        _ = try project.prepareCache(grid: grid) { QuasarModel.meanRestSpectrum(wavelengths: grid.centers) }
        let files = try InputDiscovery.files(in: paths)
        var result = Result(filesFound: files.count)
        var new: [String] = [], changed: [String] = []
        for path in files {
            let (size, mtime) = IngestRunner.fileStamp(path)
            guard let done = try queue.fileRecord(path: path) else {
                new.append(path)
                continue
            }
            if force || done.size != size || done.mtime != mtime {
                changed.append(path)  // its item may be done already: requeue it
            } else {
                result.alreadyIngested += 1
            }
        }
        result.queued = try queue.enqueue(new, stage: .ingest, requeue: force)
            + queue.enqueue(changed, stage: .ingest, requeue: true)
        result.alreadyQueued = new.count + changed.count - result.queued
        return result
    }
}
