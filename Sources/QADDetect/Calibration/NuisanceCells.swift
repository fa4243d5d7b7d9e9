import Foundation

/// Cells of equal population in redshift × S/N (and so, through z, in
/// wavelength coverage): z quantile bins, then S/N quantile bins inside each.
/// A raw score standardized within its cell no longer tracks S/N or z: every
/// cell's normal spectra end up with the same centre and spread.
public struct NuisanceCells: Sendable, Codable, Equatable {
    /// Upper z edge of each z bin (the last is +∞).
    public var zEdges: [Double]
    /// Per z bin: upper S/N edges of its S/N bins (the last is +∞).
    public var snrEdges: [[Double]]

    public var count: Int { snrEdges.reduce(0) { $0 + $1.count } }

    /// Chooses about `spectraPerCell` spectra per cell, with at most
    /// `maxZBins` × `maxSNRBins` cells, splitting z twice as finely as S/N.
    public init(z: [Double], snr: [Double], spectraPerCell: Int = 400, maxZBins: Int = 24, maxSNRBins: Int = 12) {
        precondition(z.count == snr.count)
        let cells = max(1, z.count / max(1, spectraPerCell))
        let nz = max(1, min(maxZBins, Int((2 * Double(cells)).squareRoot().rounded())))
        let nsnr = max(1, min(maxSNRBins, cells / nz))
        zEdges = Self.quantileEdges(z, parts: nz)
        var perZ = [[Double]](repeating: [], count: zEdges.count)
        for i in z.indices { perZ[Self.bin(z[i], edges: zEdges)].append(snr[i]) }
        snrEdges = perZ.map { Self.quantileEdges($0, parts: nsnr) }
    }

    /// Upper edges splitting `values` into `parts` equal-count bins (last +∞).
    static func quantileEdges(_ values: [Double], parts: Int) -> [Double] {
        let sorted = values.filter(\.isFinite).sorted()
        guard parts > 1, sorted.count > parts else { return [.infinity] }
        var edges: [Double] = []
        for p in 1..<parts {
            let e = sorted[sorted.count * p / parts]
            if edges.last.map({ e > $0 }) ?? true { edges.append(e) }
        }
        return edges + [.infinity]
    }

    @inline(__always)
    static func bin(_ x: Double, edges: [Double]) -> Int {
        var lo = 0, hi = edges.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if x < edges[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// The cell of one spectrum (non-finite z or S/N fall in the last bins).
    public func cell(z: Double, snr: Double) -> Int {
        let zb = Self.bin(z.isFinite ? z : .infinity, edges: zEdges)
        var base = 0
        for b in 0..<zb { base += snrEdges[b].count }
        return base + Self.bin(snr.isFinite ? snr : .infinity, edges: snrEdges[zb])
    }

    /// (x − median) / (1.4826 · MAD) of each value within its cell: a robust
    /// z-score that a few anomalies in a cell do not move. Non-finite values
    /// stay non-finite.
    public static func standardize(_ values: [Double], cells: [Int], cellCount: Int) -> [Double] {
        var members = [[Int]](repeating: [], count: cellCount)
        for i in values.indices where values[i].isFinite { members[cells[i]].append(i) }
        var out = [Double](repeating: .nan, count: values.count)
        for m in members where !m.isEmpty {
            let v = m.map { values[$0] }
            let med = median(v)
            var mad = 1.4826 * median(v.map { abs($0 - med) })
            if !(mad > 0) {
                // Half the cell shares one value: fall back to the mean deviation.
                mad = v.reduce(0) { $0 + abs($1 - med) } / Double(v.count)
            }
            let scale = mad > 0 ? mad : 1
            for i in m { out[i] = (values[i] - med) / scale }
        }
        return out
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

/// Percentile (0–100) of each value within `values`: 100·(rank − ½)/n with
/// average ranks for ties, so the largest of n distinct values sits just
/// below 100. Non-finite values get NaN.
public func percentiles(_ values: [Double]) -> [Double] {
    let idx = values.indices.filter { values[$0].isFinite }.sorted { values[$0] < values[$1] }
    var out = [Double](repeating: .nan, count: values.count)
    let n = Double(idx.count)
    var i = 0
    while i < idx.count {
        var j = i
        while j + 1 < idx.count && values[idx[j + 1]] == values[idx[i]] { j += 1 }
        let rank = Double(i + j) / 2 + 1
        for k in i...j { out[idx[k]] = 100 * (rank - 0.5) / n }
        i = j + 1
    }
    return out
}
