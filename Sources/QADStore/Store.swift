import Foundation
import QADCore

/// Everything one input file contributes, committed atomically: a crash leaves
/// the whole file in the store or none of it.
public struct FileCommit: Sendable {
    public var file: IngestedFileRecord
    public var spectra: [SpectrumRecord]
    public var problems: [ProblemRecord]

    public init(file: IngestedFileRecord, spectra: [SpectrumRecord], problems: [ProblemRecord]) {
        self.file = file
        self.spectra = spectra
        self.problems = problems
    }
}

/// The project store's catalog side. SQLite (GRDB) is the embedded default;
/// a PostgreSQL implementation shares this protocol and schema.
public protocol Store: AnyObject, Sendable {
    /// The record of an input file seen before, if any.
    func fileRecord(path: String) throws -> IngestedFileRecord?
    /// Every stored TARGETID (to report duplicates before writing).
    func allTargetIDs() throws -> Set<TargetID>
    /// Which file a stored TARGETID came from.
    func sourceFile(of id: TargetID) throws -> String?
    /// Rows of a cache shard that committed spectra refer to.
    func committedRows(shard: String) throws -> Int
    /// Commits one file's spectra, problems and file record, and the shard's new
    /// row count, in one transaction.
    func commit(_ commit: FileCommit, shard: String, shardRows: Int, columns: Int) throws
    /// Forgets a file (for `--force`): its spectra, problems and record.
    func forget(file path: String) throws
    /// After a cache shard lost rows (it holds only `availableRows`): forgets
    /// every file with spectra at or beyond that row, sets the shard's committed
    /// count to the first row they used, and returns their paths, in one
    /// transaction. Files are committed in order, so they are the newest ones.
    func forgetFiles(beyondCacheRow availableRows: Int, shard: String) throws -> [String]
    func spectrumCount() throws -> Int
    func spectra() throws -> [SpectrumRecord]
    func spectrum(_ id: TargetID) throws -> SpectrumRecord?
    func problems() throws -> [ProblemRecord]
    func files() throws -> [IngestedFileRecord]
    /// Every cache shard with its committed row count.
    func cacheShards() throws -> [CacheShardRecord]
}

/// Errors of the store layer, naming what they concern.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
