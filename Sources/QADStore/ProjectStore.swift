import Foundation
import QADCore
import QADFormats
import QADModel

/// A project: the catalog store plus the spectral cache and models in a folder.
/// With SQLite the folder also holds the catalog; with PostgreSQL
/// (`--store postgres://… --cache DIR`) the folder is on storage every worker
/// sees and the catalog is in the database.
///
///     STORE/qad.sqlite                 catalog, files, problems (SQLite only)
///     STORE/cache/grid.npy             rest-frame bin centres (Å, float64)
///     STORE/cache/grid_edges.npy       bin edges
///     STORE/cache/reference.npy        normalization reference spectrum
///     STORE/cache/SHARD.flux.npy       normalized flux, float32 [rows, bins]
///     STORE/cache/SHARD.weight.npy     inverse variance of that flux
public struct ProjectStore: Sendable {
    public let directory: String
    public let store: any Store
    public var cacheDirectory: String { directory + "/cache" }

    public static let defaultDirectory = "qad-store"

    /// Where the catalog is, for messages: the folder, or the database URL without password.
    public let location: String

    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try self.init(store: SQLiteStore(path: Self.sqlitePath(in: directory)), directory: directory, location: directory)
    }

    /// Any store, with the cache and models in `directory`.
    public init(store: any Store, directory: String, location: String) throws {
        self.directory = directory
        self.store = store
        self.location = location
        try FileManager.default.createDirectory(atPath: directory + "/cache", withIntermediateDirectories: true)
    }

    /// The project `--store LOCATION [--cache DIR]` names: a folder (SQLite,
    /// cache and models inside; `cache` may move the last two elsewhere) or a
    /// `postgres://` URL, which needs `cache` for the matrices and models.
    public static func open(store location: String, cache: String? = nil) throws -> ProjectStore {
        if PostgresURL.isPostgres(location) {
            guard let cache else {
                throw LocatedError("--store \(location): a PostgreSQL store needs --cache DIR for the spectral cache and models")
            }
            let store = try makeStore(url: location)
            return try ProjectStore(store: store, directory: cache, location: store.location)
        }
        guard let cache, cache != location else { return try ProjectStore(directory: location) }
        try FileManager.default.createDirectory(atPath: location, withIntermediateDirectories: true)
        return try ProjectStore(store: SQLiteStore(path: sqlitePath(in: location)), directory: cache, location: location)
    }

    /// Where the catalog tables are, for messages and provenance: the SQLite
    /// file, or the database URL without password.
    public var catalogLocation: String { store.location }

    static func sqlitePath(in directory: String) -> String { directory + "/qad.sqlite" }

    public func fluxPath(shard: String) -> String { SpectralCache.fluxPath(directory: cacheDirectory, shard: shard) }
    public func weightPath(shard: String) -> String { SpectralCache.weightPath(directory: cacheDirectory, shard: shard) }

    /// Where model `name`'s checkpoints, weights, latents and reconstructions live.
    public func modelDirectory(_ name: String) -> String { directory + "/models/" + name }

    /// The cache memory-mapped: one shard with its committed rows, or every
    /// non-empty shard in name order (`SpectralCache.allShards`).
    public func spectralCache(shard: String = "main") throws -> SpectralCache {
        let shards = shard == SpectralCache.allShards
            ? try store.cacheShards().filter { $0.rows > 0 }.sorted { $0.name < $1.name }
            : [CacheShardRecord(name: shard, rows: try store.committedRows(shard: shard), columns: 0)]
        return try SpectralCache(directory: cacheDirectory, shard: shard, shards: shards)
    }

    /// The normalization reference of this store. A new store gets the grid
    /// and `makeReference()` written once; an existing one must be on the same
    /// grid, and its stored reference is returned, so every spectrum of a store
    /// is normalized against the same shape whatever the code computes today.
    public func prepareCache(grid: RestGrid, makeReference: () -> [Double]) throws -> [Double] {
        let gridPath = cacheDirectory + "/grid.npy"
        let referencePath = cacheDirectory + "/reference.npy"
        guard FileManager.default.fileExists(atPath: gridPath) else {
            let reference = makeReference()
            try NPYFile.write(grid.edges, to: cacheDirectory + "/grid_edges.npy")
            try NPYFile.write(reference, to: referencePath)
            try NPYFile.write(grid.centers, to: gridPath)
            return reference
        }
        let (existing, _) = try NPYFile.readDoubles(gridPath)
        let centers = grid.centers
        guard existing.count == centers.count,
              zip(existing, centers).allSatisfy({ abs($0 - $1) <= 1e-9 * $1 }) else {
            throw LocatedError("\(gridPath): the store was built on a different rest grid (\(existing.count) bins); use a new --store")
        }
        let (reference, _) = try NPYFile.readDoubles(referencePath)
        guard reference.count == grid.count else {
            throw LocatedError("\(referencePath): \(reference.count) values, the grid has \(grid.count) bins")
        }
        return reference
    }
}
