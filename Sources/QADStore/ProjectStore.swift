import Foundation
import QADCore
import QADFormats

/// A project folder: the catalog store plus the spectral cache beside it.
///
///     STORE/qad.sqlite                 catalog, files, problems (SQLite)
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

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory + "/cache", withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory + "/qad.sqlite")
    }

    public func fluxPath(shard: String) -> String { "\(cacheDirectory)/\(shard).flux.npy" }
    public func weightPath(shard: String) -> String { "\(cacheDirectory)/\(shard).weight.npy" }

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
            throw StoreError("\(gridPath): the store was built on a different rest grid (\(existing.count) bins); use a new --store")
        }
        let (reference, _) = try NPYFile.readDoubles(referencePath)
        guard reference.count == grid.count else {
            throw StoreError("\(referencePath): \(reference.count) values, the grid has \(grid.count) bins")
        }
        return reference
    }
}
