import Foundation
import QADFormats
import QADModel

/// A 2-D principal-component projection of latent vectors.
public struct LatentProjection: Sendable {
    public var mean: [Double]
    public var axes: [[Double]]
    /// Share of the total variance along each axis.
    public var explained: [Double]

    /// Fits the two leading principal axes of `rows` of a [rows, dim] latent
    /// matrix (streamed twice: mean, then covariance), by power iteration with
    /// deflation on the dim×dim covariance.
    public static func fit(_ mu: MappedNPYMatrix, rows: [Int]) -> LatentProjection {
        let dim = mu.columns
        var mean = [Double](repeating: 0, count: dim)
        var n = 0.0
        for r in rows {
            let p = mu.row(r)
            guard p[0].isFinite else { continue }
            for j in 0..<dim { mean[j] += Double(p[j]) }
            n += 1
        }
        guard n > 1 else {
            return LatentProjection(mean: mean, axes: [unit(dim, 0), unit(dim, min(1, dim - 1))], explained: [0, 0])
        }
        for j in 0..<dim { mean[j] /= n }
        var cov = [Double](repeating: 0, count: dim * dim)
        var d = [Double](repeating: 0, count: dim)
        for r in rows {
            let p = mu.row(r)
            guard p[0].isFinite else { continue }
            for j in 0..<dim { d[j] = Double(p[j]) - mean[j] }
            for a in 0..<dim { for b in a..<dim { cov[a * dim + b] += d[a] * d[b] } }
        }
        for a in 0..<dim { for b in a..<dim { cov[a * dim + b] /= n - 1; cov[b * dim + a] = cov[a * dim + b] } }
        let total = (0..<dim).reduce(0.0) { $0 + cov[$1 * dim + $1] }
        var axes: [[Double]] = []
        var explained: [Double] = []
        for k in 0..<2 {
            var v = (0..<dim).map { 1.0 + Double(($0 + k) % 3) }  // deterministic start
            var lambda = 0.0
            for _ in 0..<300 {
                var w = [Double](repeating: 0, count: dim)
                for a in 0..<dim { for b in 0..<dim { w[a] += cov[a * dim + b] * v[b] } }
                lambda = sqrt(w.reduce(0) { $0 + $1 * $1 })
                guard lambda > 0 else { break }
                v = w.map { $0 / lambda }
            }
            axes.append(v)
            explained.append(total > 0 ? lambda / total : 0)
            for a in 0..<dim { for b in 0..<dim { cov[a * dim + b] -= lambda * v[a] * v[b] } }
        }
        return LatentProjection(mean: mean, axes: axes, explained: explained)
    }

    public func project(_ p: UnsafePointer<Float>) -> (Double, Double)? {
        guard p[0].isFinite else { return nil }
        var x = 0.0, y = 0.0
        for j in mean.indices {
            let c = Double(p[j]) - mean[j]
            x += c * axes[0][j]
            y += c * axes[1][j]
        }
        return (x, y)
    }

    static func unit(_ dim: Int, _ i: Int) -> [Double] { (0..<dim).map { $0 == i ? 1 : 0 } }
}

/// The latent map: density of the whole sample on the first two principal
/// axes, as grey cells (log count), with candidates marked on top.
public struct LatentMapFigure: Sendable {
    public var width = 640
    public var height = 600
    public var cells = 120

    public init() {}

    public func draw(sample: [(Double, Double)], candidates: [(Double, Double)], explained: [Double]) -> Drawing {
        var d = Drawing(width: width, height: height)
        d.add(.rect(x: 0, y: 0, width: Double(width), height: Double(height), fill: .white))
        let left = 60.0, right = Double(width) - 16, top = 30.0, bottom = Double(height) - 44
        let all = sample + candidates
        guard !all.isEmpty else { return d }
        func range(_ v: [Double]) -> (Double, Double) {
            let s = v.sorted()
            var lo = s[Int(Double(s.count - 1) * 0.001)], hi = s[Int(Double(s.count - 1) * 0.999)]
            if hi <= lo { lo -= 1; hi += 1 }
            let pad = (hi - lo) * 0.05
            return (lo - pad, hi + pad)
        }
        let xs = LinearScale(domain: range(all.map(\.0)), range: (left, right))
        let ys = LinearScale(domain: range(all.map(\.1)), range: (bottom, top))
        var counts = [Int](repeating: 0, count: cells * cells)
        for (x, y) in sample {
            let cx = Int((xs(x) - left) / (right - left) * Double(cells)), cy = Int((ys(y) - top) / (bottom - top) * Double(cells))
            if cx >= 0, cx < cells, cy >= 0, cy < cells { counts[cy * cells + cx] += 1 }
        }
        let maxLog = log(Double((counts.max() ?? 1) + 1))
        let cw = (right - left) / Double(cells), ch = (bottom - top) / Double(cells)
        for cy in 0..<cells {
            for cx in 0..<cells where counts[cy * cells + cx] > 0 {
                let t = log(Double(counts[cy * cells + cx] + 1)) / maxLog
                let g = UInt8(225 - 175 * t)
                d.add(.rect(x: left + Double(cx) * cw, y: top + Double(cy) * ch, width: cw + 0.3, height: ch + 0.3,
                            fill: RGBA(g, g, g)))
            }
        }
        for (x, y) in candidates {
            d.add(.circle(x: xs(x), y: ys(y), radius: 3.2, fill: RGBA(214, 39, 40, 0.85)))
        }
        d.add(.polyline([(left, top), (right, top), (right, bottom), (left, bottom), (left, top)],
                        stroke: .axis, width: 1, dashed: false))
        for t in xs.ticks(6) {
            d.add(.polyline([(xs(t), bottom), (xs(t), bottom + 4)], stroke: .axis, width: 1, dashed: false))
            d.add(.text(tickLabel(t), x: xs(t), y: bottom + 16, size: 10, color: .axis, anchor: .middle, vertical: false))
        }
        for t in ys.ticks(6) {
            d.add(.polyline([(left - 4, ys(t)), (left, ys(t))], stroke: .axis, width: 1, dashed: false))
            d.add(.text(tickLabel(t), x: left - 6, y: ys(t) + 3.5, size: 10, color: .axis, anchor: .end, vertical: false))
        }
        let pct = explained.map { String(format: "%.0f%%", 100 * $0) } + ["", ""]
        d.add(.text("PC1 (\(pct[0]) of latent variance)", x: (left + right) / 2, y: Double(height) - 8, size: 12,
                    color: .axis, anchor: .middle, vertical: false))
        d.add(.text("PC2 (\(pct[1]))", x: 16, y: (top + bottom) / 2, size: 12, color: .axis, anchor: .middle, vertical: true))
        d.add(.text("Latent space: \(sample.count) spectra, \(candidates.count) candidates (red)", x: left, y: 18,
                    size: 13, color: .black, anchor: .start, vertical: false))
        return d
    }
}
