import Foundation
import QADCore
import QADFormats
import QADStore

/// A project's spectral cache, memory-mapped: normalized flux and weight rows
/// and the rest grid they sit on. Either one shard (`main` of a single-process
/// ingest) or every shard of the store (`allShards`): a shared store's workers
/// write one shard per input file, and these are then read as one matrix, the
/// shards in name order, each with its committed rows. Global row numbers are
/// what training and inference see; `location(ofRow:)` maps them back.
public final class SpectralCache: @unchecked Sendable {
    // @unchecked: read-only mappings.
    /// Every shard of the store, in name order.
    public static let allShards = "*"

    /// The shard asked for: a name, or `allShards`.
    public let shard: String
    /// Shard names, in global row order.
    public let shardNames: [String]
    public let flux: CacheMatrix
    public let weight: CacheMatrix
    public let grid: RestGrid
    public let referenceHash: String
    /// Names this exact cache content (shard names and row counts): inference
    /// progress recorded under another identity starts over, since global rows moved.
    public let identity: String
    public var rows: Int { flux.rows }
    public var bins: Int { flux.columns }

    public init(project: ProjectStore, shard: String = "main") throws {
        self.shard = shard
        let gridPath = project.cacheDirectory + "/grid.npy"
        let (centers, _) = try NPYFile.readDoubles(gridPath)
        guard centers.count >= 2 else { throw ModelError("\(gridPath): \(centers.count) bin centres") }
        let shards: [(name: String, rows: Int)]
        if shard == Self.allShards {
            shards = try project.store.cacheShards().filter { $0.rows > 0 }.sorted { $0.name < $1.name }.map { ($0.name, $0.rows) }
        } else {
            shards = [(shard, try project.store.committedRows(shard: shard))]
        }
        shardNames = shards.map(\.name)
        var fluxParts: [MappedNPYMatrix] = [], weightParts: [MappedNPYMatrix] = []
        for s in shards {
            let f = try MappedNPYMatrix(path: project.fluxPath(shard: s.name), rows: s.rows)
            let w = try MappedNPYMatrix(path: project.weightPath(shard: s.name), rows: s.rows)
            guard f.columns == centers.count, w.columns == centers.count else {
                throw ModelError("\(project.cacheDirectory): shard \(s.name) has \(f.columns) flux and \(w.columns) weight columns; the grid has \(centers.count) bins")
            }
            fluxParts.append(f)
            weightParts.append(w)
        }
        flux = CacheMatrix(parts: fluxParts, columns: centers.count)
        weight = CacheMatrix(parts: weightParts, columns: centers.count)
        grid = Self.logGrid(centers)
        let (reference, _) = (try? NPYFile.readDoubles(project.cacheDirectory + "/reference.npy")) ?? ([], [])
        var h = ContentHash()
        h.update(reference.map(Float.init))
        referenceHash = h.hex
        if shard == Self.allShards {
            var ids = ContentHash()
            for s in shards {
                Array(s.name.utf8).withUnsafeBytes { ids.update($0.baseAddress!, count: $0.count) }
                ids.update(UInt64(s.rows))
            }
            identity = "\(Self.allShards)\(shards.count):\(ids.hex)"
        } else {
            identity = shard
        }
    }

    /// The shard and row within it of global row `r`.
    public func location(ofRow r: Int) -> (shard: String, row: Int) {
        let (p, local) = flux.locate(r)
        return (shardNames[p], local)
    }

    /// Catalog spectra whose global rows lie in `rows`, ordered by row (global numbers).
    public func refs(in rows: Range<Int>, store: any ModelOutputStore) throws -> [CacheRowRef] {
        guard !rows.isEmpty, !shardNames.isEmpty else { return [] }
        var out: [CacheRowRef] = []
        for p in flux.locate(rows.lowerBound).part...flux.locate(rows.upperBound - 1).part {
            let start = flux.starts[p]
            let lo = max(rows.lowerBound, start) - start, hi = min(rows.upperBound, start + flux.parts[p].rows) - start
            out += try store.cacheRows(shard: shardNames[p], in: lo..<hi).map { CacheRowRef(targetid: $0.targetid, row: $0.row + start) }
        }
        return out
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
