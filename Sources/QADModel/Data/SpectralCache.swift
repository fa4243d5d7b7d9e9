import Foundation
import QADCore
import QADFormats

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
    /// The bin centres as `grid.npy` holds them (Å).
    public let centers: [Double]
    public let referenceHash: String
    /// Names this exact cache content (shard names and row counts): inference
    /// progress recorded under another identity starts over, since global rows moved.
    public let identity: String
    public var rows: Int { flux.rows }
    public var bins: Int { flux.columns }

    /// The cache in `directory` (`grid.npy`, `reference.npy`, `SHARD.flux.npy`,
    /// `SHARD.weight.npy`): `shards` with their committed rows, in global row
    /// order. `shard` names what was asked for (one name, or `allShards`).
    public init(directory: String, shard: String, shards: [CacheShardRecord]) throws {
        self.shard = shard
        let gridPath = directory + "/grid.npy"
        let (centers, _) = try NPYFile.readDoubles(gridPath)
        guard centers.count >= 2 else { throw LocatedError(file: gridPath, message: "\(centers.count) bin centres") }
        shardNames = shards.map(\.name)
        var fluxParts: [MappedNPYMatrix] = [], weightParts: [MappedNPYMatrix] = []
        for s in shards {
            let f = try MappedNPYMatrix(path: Self.fluxPath(directory: directory, shard: s.name), rows: s.rows)
            let w = try MappedNPYMatrix(path: Self.weightPath(directory: directory, shard: s.name), rows: s.rows)
            guard f.columns == centers.count, w.columns == centers.count else {
                throw LocatedError("\(directory): shard \(s.name) has \(f.columns) flux and \(w.columns) weight columns; the grid has \(centers.count) bins")
            }
            fluxParts.append(f)
            weightParts.append(w)
        }
        flux = CacheMatrix(parts: fluxParts, columns: centers.count)
        weight = CacheMatrix(parts: weightParts, columns: centers.count)
        grid = Self.logGrid(centers)
        self.centers = centers
        let (reference, _) = (try? NPYFile.readDoubles(directory + "/reference.npy")) ?? ([], [])
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

    public static func fluxPath(directory: String, shard: String) -> String { "\(directory)/\(shard).flux.npy" }
    public static func weightPath(directory: String, shard: String) -> String { "\(directory)/\(shard).weight.npy" }

    /// Catalog spectra whose global rows lie in `rows`, ordered by row (global
    /// numbers), from `lookup` (the catalog's spectra of one shard in a range
    /// of its own rows, ordered by row).
    public func refs(in rows: Range<Int>,
                     lookup: (_ shard: String, _ rows: Range<Int>) throws -> [CacheRowRef]) throws -> [CacheRowRef] {
        guard !rows.isEmpty, !shardNames.isEmpty else { return [] }
        var out: [CacheRowRef] = []
        for p in flux.locate(rows.lowerBound).part...flux.locate(rows.upperBound - 1).part {
            let start = flux.starts[p]
            let lo = max(rows.lowerBound, start) - start, hi = min(rows.upperBound, start + flux.parts[p].rows) - start
            out += try lookup(shardNames[p], lo..<hi).map { CacheRowRef(targetid: $0.targetid, row: $0.row + start) }
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
