import Foundation

/// Interesting spectra found against spectra reviewed, for a simulated
/// review session: the queue re-ranked by the labels, the static anomaly
/// ranking, and random order (dashed), with the total to be found as a
/// dotted line.
public struct DiscoveryFigure: Sendable {
    public var width = 720
    public var height = 440

    public init() {}

    /// `adaptive[n-1]` and `staticRanking[n-1]`: found after n reviewed;
    /// `randomSlope`: expected found per reviewed in random order.
    public func draw(title: String, adaptive: [Int], staticRanking: [Int], randomSlope: Double, total: Int) -> Drawing {
        var d = Drawing(width: width, height: height)
        d.add(.rect(x: 0, y: 0, width: Double(width), height: Double(height), fill: .white))
        let left = 62.0, right = Double(width) - 16, top = 34.0, bottom = Double(height) - 46
        let n = max(adaptive.count, staticRanking.count, 1)
        let yMax = Double(max(total, adaptive.last ?? 0, staticRanking.last ?? 0, 1)) * 1.05
        let x = LinearScale(domain: (0, Double(n)), range: (left, right))
        let y = LinearScale(domain: (0, yMax), range: (bottom, top))
        for t in y.ticks(5) { d.add(.polyline([(left, y(t)), (right, y(t))], stroke: .grid, width: 1, dashed: false)) }
        d.add(.polyline([(left, y(Double(total))), (right, y(Double(total)))], stroke: .axis, width: 0.8, dashed: true))
        d.add(.text("all \(total) interesting", x: right - 4, y: y(Double(total)) - 4, size: 10, color: .axis,
                    anchor: .end, vertical: false))
        let reviewed = (0...n).map(Double.init)
        func curve(_ found: [Int]) -> [Double] { [0] + found.map(Double.init) }
        let xr = 0...Double(n), yDomain = (0.0, yMax)
        d.add(.polyline(reviewed.map { (x($0), y(min($0 * randomSlope, yMax))) }, stroke: RGBA(130, 130, 130),
                        width: 1.2, dashed: true))
        SpectrumFigure.addCurve(Array(reviewed.prefix(staticRanking.count + 1)), curve(staticRanking), valid: { _ in true },
                                x: x, y: y, yDomain: yDomain, xr: xr, color: .flux, lineWidth: 1.6, into: &d)
        SpectrumFigure.addCurve(Array(reviewed.prefix(adaptive.count + 1)), curve(adaptive), valid: { _ in true },
                                x: x, y: y, yDomain: yDomain, xr: xr, color: .candidate, lineWidth: 2, into: &d)
        d.add(.polyline([(left, top), (right, top), (right, bottom), (left, bottom), (left, top)],
                        stroke: .axis, width: 1, dashed: false))
        for t in x.ticks(8) {
            d.add(.polyline([(x(t), bottom), (x(t), bottom + 4)], stroke: .axis, width: 1, dashed: false))
            d.add(.text(tickLabel(t), x: x(t), y: bottom + 16, size: 10, color: .axis, anchor: .middle, vertical: false))
        }
        for t in y.ticks(5) {
            d.add(.polyline([(left - 4, y(t)), (left, y(t))], stroke: .axis, width: 1, dashed: false))
            d.add(.text(tickLabel(t), x: left - 6, y: y(t) + 3.5, size: 10, color: .axis, anchor: .end, vertical: false))
        }
        d.add(.text("spectra reviewed", x: (left + right) / 2, y: Double(height) - 12, size: 11, color: .axis,
                    anchor: .middle, vertical: false))
        d.add(.text("interesting found", x: 16, y: (top + bottom) / 2, size: 11, color: .axis, anchor: .middle,
                    vertical: true))
        d.add(.text(title, x: left, y: 20, size: 13, color: .black, anchor: .start, vertical: false))
        let legend: [(String, RGBA, Bool)] = [("re-ranked by labels", .candidate, false), ("static ranking", .flux, false),
                                              ("random order", RGBA(130, 130, 130), true)]
        for (k, item) in legend.enumerated() {
            let ly = top + 16 + Double(k) * 16, lx = left + 12
            d.add(.polyline([(lx, ly - 4), (lx + 22, ly - 4)], stroke: item.1, width: 2, dashed: item.2))
            d.add(.text(item.0, x: lx + 28, y: ly, size: 11, color: .axis, anchor: .start, vertical: false))
        }
        return d
    }
}
