import Dispatch
import Foundation
import QADCore

/// Receives every (target, source) pair within the radius, in catalog row order.
public protocol PairSink: AnyObject {
    /// Called once before the first pair, with the id column as the catalog spells it.
    func begin(idColumn: String) throws
    func pair(target: TargetID, sourceID: CatalogValue, separationArcsec: Double) throws
}

/// Matches the qad targets against an external catalog streamed in chunks:
/// the targets (≤ a few million) are indexed once in a `ZoneIndex`; each
/// catalog chunk is queried in parallel slices and merged in row order, so
/// results do not depend on the thread count. Memory is the index, the
/// per-target state and one chunk, whatever the catalog's size.
public final class Crossmatcher {
    public let targets: SkyTargets
    private var index: ZoneIndex?

    public init(targets: SkyTargets) {
        self.targets = targets
    }

    public func run(_ request: CrossmatchRequest, pairs sink: PairSink? = nil,
                    progress: ((Int) -> Void)? = nil) throws -> CrossmatchResult {
        let start = Date()
        let radius = request.radiusArcsec
        guard radius.isFinite, radius >= 0, radius < 3600 * 10 else {
            throw LocatedError(file: request.catalogPath, message: "radius \(radius)″ must be within [0, 36000)")
        }
        let catalog = try openExternalCatalog(request.catalogPath)
        let columns = try ResolvedColumns(catalog: catalog, request: request)
        if let csv = catalog as? CSVCatalog {
            csv.setKind(.float64, of: columns.ra)
            csv.setKind(.float64, of: columns.dec)
        }
        for c in [columns.ra, columns.dec] {
            guard try catalog.kind(of: c) == .float64 || catalog.kind(of: c) == .int64 else {
                throw LocatedError(file: catalog.path, column: c, message: "coordinates must be numbers")
            }
        }
        let radiusDeg = radius / SkyGeometry.arcsecPerDegree
        let zoneHeight = max(radiusDeg, 1.0 / 60)
        let disc = ZoneIndex.Disc(radiusDegrees: radiusDeg)
        if index == nil || index!.zoneHeight < zoneHeight * 0.999 || index!.zoneHeight > zoneHeight * 2 {
            index = ZoneIndex(ra: targets.ra, dec: targets.dec, zoneHeight: zoneHeight)
        }
        let index = index!

        let n = targets.count
        var countWithin = [Int32](repeating: 0, count: n)
        var nearestSep = [Double](repeating: .infinity, count: n)
        var nearestRow = [Int](repeating: -1, count: n)
        // Arrays, not dictionaries: hundreds of thousands of targets change
        // their nearest source in a large match.
        var nearestID = [CatalogValue?](repeating: nil, count: n)
        var nearestValues = [[CatalogValue]?](repeating: nil, count: n)
        var density = LocalDensity()
        var sourcesRead = 0
        var pairCount = 0
        let threads = max(1, request.threads)
        let needed = [columns.ra, columns.dec] + (columns.id.map { [$0] } ?? []) + columns.keep
        var seen = Set<String>()
        let readColumns = needed.filter { seen.insert($0).inserted }
        try sink?.begin(idColumn: columns.id ?? "ROW")

        try catalog.forEachChunk(columns: readColumns, rows: request.chunkRows) { chunk in
            let (ra, dec) = try coordinates(chunk, columns, request, path: catalog.path)
            let slices = splitRows(chunk.count, parts: chunk.count < 4096 ? 1 : threads * 4)
            var results = [SliceResult](repeating: SliceResult(), count: slices.count)
            results.withUnsafeMutableBufferPointer { out in
                let outBase = out.baseAddress!
                nonisolated(unsafe) let outPointer = outBase
                parallelFor(slices.count) { s in
                    var r = SliceResult()
                    r.pixels.reserveCapacity(slices[s].count)
                    let sorted = ZoneOrdered(slices[s], ra: ra, dec: dec, index: index)
                    for k in 0..<sorted.rows.count {
                        let a = sorted.ra[k], d = sorted.dec[k], row = sorted.rows[k]
                        let v = SkyGeometry.unitVector(raDegrees: a, decDegrees: d)
                        r.pixels.append(Int32(truncatingIfNeeded: LocalDensity.pixel(v)))
                        index.forEachPoint(within: disc, ofRA: a, dec: d, vector: v) { t, sep in
                            r.pairs.append(SlicePair(row: row, target: Int32(t), separation: sep))
                        }
                    }
                    // Back to row order (then index order within a row) for the merge.
                    r.pairs.sort { $0.row != $1.row ? $0.row < $1.row : $0.target < $1.target }
                    outPointer[s] = r
                }
            }
            // Merge in row order: deterministic whatever the thread count.
            var changed: [Int] = []
            for r in results {
                for p in r.pixels { density.add(pixel: Int(p)) }
                for p in r.pairs {
                    let t = Int(p.target)
                    let sepArcsec = p.separation * SkyGeometry.degreesPerRadian * SkyGeometry.arcsecPerDegree
                    countWithin[t] += 1
                    pairCount += 1
                    if sepArcsec < nearestSep[t] {
                        nearestSep[t] = sepArcsec
                        nearestRow[t] = chunk.firstRow + Int(p.row)
                        changed.append(t)
                    }
                    if let sink {
                        try sink.pair(target: targets.ids[t], sourceID: columns.idValue(chunk, Int(p.row)),
                                      separationArcsec: sepArcsec)
                    }
                }
            }
            for t in changed where nearestRow[t] >= chunk.firstRow {
                let row = nearestRow[t] - chunk.firstRow
                nearestID[t] = columns.idValue(chunk, row)
                nearestValues[t] = columns.keep.map { chunk.columns[$0]![row] }
            }
            sourcesRead += chunk.count
            progress?(sourcesRead)
        }
        density.finish()

        let keptColumns = columns.keep.map { name in
            KeptColumn(name: name, kind: (try? catalog.kind(of: name)) ?? .string, unit: catalog.unit(of: name))
        } + columns.derived.map { KeptColumn(name: $0.name, kind: $0.kind, unit: $0.unit, description: $0.description) }
        let area = Double.pi * (radiusDeg * radiusDeg)
        var matches: [TargetMatch] = []
        matches.reserveCapacity(n)
        for t in 0..<n {
            let own = Int(countWithin[t])
            let pixel = LocalDensity.pixel(SkyGeometry.unitVector(raDegrees: targets.ra[t], decDegrees: targets.dec[t]))
            let (rho, rhoArea) = density.density(pixel: pixel, excluding: own, minimumCount: request.densityMinimumCount)
            var values: [CatalogValue]? = nil
            if own > 0, var kept = nearestValues[t] {
                var byName: [String: CatalogValue] = [:]
                for (name, v) in zip(columns.keep, kept) { byName[name.uppercased()] = v }
                kept += columns.derived.map { $0.compute(byName) }
                values = kept
            }
            matches.append(TargetMatch(
                nearestID: own > 0 ? nearestID[t]?.text : nil,
                nearestSeparationArcsec: own > 0 ? nearestSep[t] : nil,
                countWithin: own, values: values,
                densityPerDeg2: rho, densityAreaDeg2: rhoArea, chanceMatches: rho * area))
        }
        return CrossmatchResult(catalogPath: catalog.path, raColumn: columns.ra, decColumn: columns.dec,
                                idColumn: columns.id ?? "ROW", radiusArcsec: radius, keptColumns: keptColumns,
                                sourcesRead: sourcesRead, pairs: pairCount, matches: matches,
                                seconds: Date().timeIntervalSince(start))
    }
}

private struct SlicePair {
    var row: Int32
    var target: Int32
    var separation: Double
}

private struct SliceResult {
    var pixels: [Int32] = []
    var pairs: [SlicePair] = []
}

/// A slice's positions reordered by the index zone of their Dec (a counting
/// sort, scattered into per-zone runs that stay in cache): consecutive queries
/// then touch the same few kilobytes of the index instead of missing the
/// cache on every binary search.
private struct ZoneOrdered {
    var ra: [Double]
    var dec: [Double]
    var rows: [Int32]

    init(_ slice: Range<Int>, ra inRA: [Double], dec inDec: [Double], index: ZoneIndex) {
        let n = slice.count
        var zoneOf = [Int32](repeating: 0, count: n)
        var start = [Int](repeating: 0, count: index.zones + 1)
        for (k, i) in slice.enumerated() {
            let z = index.zone(of: inDec[i])
            zoneOf[k] = Int32(z)
            start[z + 1] += 1
        }
        for z in 0..<index.zones { start[z + 1] += start[z] }
        ra = [Double](repeating: 0, count: n)
        dec = [Double](repeating: 0, count: n)
        rows = [Int32](repeating: 0, count: n)
        for (k, i) in slice.enumerated() {
            let z = Int(zoneOf[k])
            let j = start[z]
            start[z] = j + 1
            ra[j] = inRA[i]
            dec[j] = inDec[i]
            rows[j] = Int32(i)
        }
    }
}

private func splitRows(_ total: Int, parts: Int) -> [Range<Int>] {
    let p = max(1, min(parts, total))
    return (0..<p).map { i in (total * i / p)..<(total * (i + 1) / p) }
}

/// RA (folded into [0, 360)) and Dec in degrees of a chunk, checked: a null,
/// non-finite or out-of-range coordinate is an error naming file, column and row.
private func coordinates(_ chunk: CatalogChunk, _ columns: ResolvedColumns, _ request: CrossmatchRequest,
                         path: String) throws -> ([Double], [Double]) {
    func values(_ name: String, _ unit: AngleUnit) throws -> [Double] {
        let c = chunk.columns[name]!
        var out: [Double]
        switch c.values {
        case .float64(let v): out = v
        case .int64(let v): out = v.map(Double.init)
        default: throw LocatedError(file: path, column: name, message: "coordinates must be numbers")
        }
        for i in out.indices {
            if let valid = c.valid, !valid[i] {
                throw LocatedError(file: path, column: name, row: chunk.firstRow + i, line: chunk.lines?[i], message: "coordinate is null")
            }
            guard out[i].isFinite else {
                throw LocatedError(file: path, column: name, row: chunk.firstRow + i, line: chunk.lines?[i], message: "coordinate is \(out[i])")
            }
            out[i] = unit.degrees(out[i])
        }
        return out
    }
    var ra = try values(columns.ra, request.raUnit)
    let dec = try values(columns.dec, request.decUnit)
    for i in ra.indices { ra[i] = SkyGeometry.normalizedRA(ra[i]) }
    for i in dec.indices where abs(dec[i]) > 90 {
        throw LocatedError(file: path, column: columns.dec, row: chunk.firstRow + i, line: chunk.lines?[i], message: "Dec \(dec[i])° is outside [-90, 90] (wrong --dec-unit or column?)")
    }
    return (ra, dec)
}
