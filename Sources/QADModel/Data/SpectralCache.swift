import Foundation
import QADCore
import QADFormats
import QADStore

/// One shard of a project's spectral cache, memory-mapped: normalized flux and
/// weight rows [0, committed rows), and the rest grid they sit on.
public final class SpectralCache: @unchecked Sendable {
    // @unchecked: read-only mappings.
    public let shard: String
    public let flux: MappedNPYMatrix
    public let weight: MappedNPYMatrix
    public let grid: RestGrid
    public let referenceHash: String
    public var rows: Int { flux.rows }
    public var bins: Int { flux.columns }

    public init(project: ProjectStore, shard: String = "main") throws {
        self.shard = shard
        let committed = try project.store.committedRows(shard: shard)
        flux = try MappedNPYMatrix(path: project.fluxPath(shard: shard), rows: committed)
        weight = try MappedNPYMatrix(path: project.weightPath(shard: shard), rows: committed)
        guard flux.columns == weight.columns else {
            throw ModelError("\(project.cacheDirectory): flux has \(flux.columns) columns, weight \(weight.columns)")
        }
        let gridPath = project.cacheDirectory + "/grid.npy"
        let (centers, _) = try NPYFile.readDoubles(gridPath)
        guard centers.count == flux.columns, centers.count >= 2 else {
            throw ModelError("\(gridPath): \(centers.count) bin centres for a cache of \(flux.columns) columns")
        }
        grid = Self.logGrid(centers)
        let (reference, _) = (try? NPYFile.readDoubles(project.cacheDirectory + "/reference.npy")) ?? ([], [])
        var h = ContentHash()
        h.update(reference.map(Float.init))
        referenceHash = h.hex
    }

    /// The log-uniform grid whose bin centres are `centers`.
    static func logGrid(_ centers: [Double]) -> RestGrid {
        let step = (log10(centers[centers.count - 1]) - log10(centers[0])) / Double(centers.count - 1)
        return RestGrid(log10Start: log10(centers[0]) - step / 2, log10Step: step, count: centers.count)
    }

    /// The cache rows `rows` as batch pointers.
    public func batch(_ rows: some Collection<Int>) -> SpectrumRows {
        SpectrumRows(flux: rows.map { flux.row($0) }, weight: rows.map { weight.row($0) })
    }
}
