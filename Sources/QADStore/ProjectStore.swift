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

    /// Writes the grid and reference once; refuses a store built on another grid.
    public func prepareCache(grid: RestGrid, reference: [Double]) throws {
        let gridPath = cacheDirectory + "/grid.npy"
        if FileManager.default.fileExists(atPath: gridPath) {
            let (existing, _) = try NPYFile.readDoubles(gridPath)
            let centers = grid.centers
            guard existing.count == centers.count,
                  zip(existing, centers).allSatisfy({ abs($0 - $1) <= 1e-9 * $1 }) else {
                throw StoreError("\(gridPath): the store was built on a different rest grid (\(existing.count) bins); use a new --store")
            }
        } else {
            try NPYFile.write(grid.edges, to: cacheDirectory + "/grid_edges.npy")
            try NPYFile.write(reference, to: cacheDirectory + "/reference.npy")
            try NPYFile.write(grid.centers, to: gridPath)
        }
    }
}
