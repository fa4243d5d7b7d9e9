import Foundation
import QADCore
import QADFixtures
import QADStore

/// `SyntheticCache` with a project store whose catalog lists its spectra:
/// what the pipeline stages (train, infer, score) run on in tests.
public struct SyntheticStore {
    public let cache: SyntheticCache
    public let project: ProjectStore
    public var directory: String { cache.directory }
    public var grid: RestGrid { cache.grid }
    public var anomalous: Set<Int> { cache.anomalous }

    public init(spectra n: Int, seed: UInt64 = 7, anomalyEvery: Int = 0, directory: String) throws {
        cache = try SyntheticCache(spectra: n, seed: seed, anomalyEvery: anomalyEvery, directory: directory)
        project = try ProjectStore(directory: directory)
        try project.store.commit(FileCommit(file: IngestedFileRecord(path: "synthetic", size: 0, mtime: 0, status: .done,
                                                                     nSpectra: n, nSkipped: 0, ingestedAt: 0),
                                            spectra: cache.records, problems: []),
                                 shard: "main", shardRows: n, columns: SyntheticCache.bins)
    }
}
