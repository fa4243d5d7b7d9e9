import Foundation


/// The review figure of one spectrum: observed flux, reconstruction, noise
/// band, masked pixels, emission lines at the catalog redshift and explanation
/// windows above; the residual normalized by the noise below; one wavelength axis.
public struct SpectrumFigure: Sendable {
    public enum Frame: String, Sendable, CaseIterable { case rest, observed }

    public var frame: Frame = .observed
    /// Boxcar width in bins (inverse-variance weighted); 1 draws the data as is.
    public var smoothing = 1
    public var width = 900
    public var height = 480
    /// Wavelength range shown (in the chosen frame); nil shows the covered range.
    public var xRange: ClosedRange<Double>?
    /// Axis labels, line names and title; off for thumbnails.
    public var decorated = true
    /// Line names in ASCII (the PNG's bitmap font has no Greek).
    public var asciiText = false

    public init() {}

    public func draw(_ s: SpectrumData) -> Drawing {
        var d = Drawing(width: width, height: height)
        d.add(.rect(x: 0, y: 0, width: Double(width), height: Double(height), fill: .white))
        let left = decorated ? 62.0 : 2, right = Double(width) - (decorated ? 14 : 2)
        let top = decorated ? 30.0 : 2, bottom = Double(height) - (decorated ? 40 : 2)
        let split = top + (bottom - top) * 0.72
        let fluxBox = (top, split - (decorated ? 6 : 1)), residBox = (split + (decorated ? 6 : 1), bottom)
        let factor = frame == .observed ? 1 + s.z : 1
        let lam = s.restLambda.map { $0 * factor }
        guard let lo = lam.first, let hi = lam.last, hi > lo else {
            if decorated { d.add(.text("no covered pixels", x: Double(width) / 2, y: Double(height) / 2, size: 14,
                                       color: .axis, anchor: .middle, vertical: false)) }
            return d
        }
        let xr = xRange ?? lo...hi
        let x = LinearScale(domain: (xr.lowerBound, xr.upperBound), range: (left, right))
        let (flux, sigma) = smoothed(s.flux, s.ivar, width: max(1, smoothing))
        let model = s.model
        let visible = lam.indices.filter { xr.contains(lam[$0]) }
        let yDomain = Self.robustRange(visible.flatMap { i in [flux[i], Double(model[i])] }.filter(\.isFinite))
        let y = LinearScale(domain: yDomain, range: (fluxBox.1, fluxBox.0))
        let residual: [Double] = lam.indices.map { i in
            sigma[i].isFinite && sigma[i] > 0 && model[i].isFinite ? (flux[i] - Double(model[i])) / sigma[i] : .nan
        }
        let rMax = max(5, min(30, (visible.map { abs(residual[$0]) }.filter(\.isFinite).max() ?? 5) * 1.1))
        let yr = LinearScale(domain: (-rMax, rMax), range: (residBox.1, residBox.0))

        // Regions first, so the curves sit on top.
        for run in Self.runs(where: { s.ivar[$0] <= 0 }, count: lam.count) {
            let a = max(x(lam[run.lowerBound]), left), b = min(x(lam[run.upperBound]), right)
            if b > a { d.add(.rect(x: a, y: top, width: max(1, b - a), height: bottom - top, fill: .masked)) }
        }
        for w in s.windows {
            guard var r = WindowRanges.range(of: w) else { continue }
            r = convert(r, from: w.frame == "obs" ? .observed : .rest, z: s.z)
            shade(r, x: x, left: left, right: right, top: top, bottom: bottom, fill: .window, into: &d)
        }
        if let l = s.localRest {
            let r = convert((l.lambda - l.width / 2)...(l.lambda + l.width / 2), from: .rest, z: s.z)
            shade(r, x: x, left: left, right: right, top: top, bottom: bottom, fill: .localWindow, into: &d)
        }
        if let l = s.localObs {
            let r = convert((l.lambda - l.width / 2)...(l.lambda + l.width / 2), from: .observed, z: s.z)
            shade(r, x: x, left: left, right: right, top: top, bottom: bottom, fill: .localWindow, into: &d)
        }
        if decorated {
            for t in y.ticks(5) { d.add(.polyline([(left, y(t)), (right, y(t))], stroke: .grid, width: 1, dashed: false)) }
        }
        // Noise band: ±1σ around the model where there is one, else around the flux.
        for run in Self.runs(where: { s.ivar[$0] > 0 && xr.contains(lam[$0]) }, count: lam.count) {
            let centre = run.map { model[$0].isFinite ? Double(model[$0]) : flux[$0] }
            let upper = zip(run, centre).map { (x(lam[$0]), y(clampY($1 + sigma[$0], yDomain))) }
            let lower = zip(run, centre).map { (x(lam[$0]), y(clampY($1 - sigma[$0], yDomain))) }
            if run.count > 1 { d.add(.polygon(upper + lower.reversed(), fill: .noise)) }
        }
        addCurve(lam, flux, valid: { s.ivar[$0] > 0 }, x: x, y: y, yDomain: yDomain, xr: xr, color: .flux, into: &d)
        addCurve(lam, model.map(Double.init), valid: { model[$0].isFinite }, x: x, y: y, yDomain: yDomain, xr: xr,
                 color: .model, into: &d)
        d.add(.polyline([(left, yr(0)), (right, yr(0))], stroke: .axis, width: 0.8, dashed: false))
        addCurve(lam, residual, valid: { residual[$0].isFinite }, x: x, y: yr, yDomain: (-rMax, rMax), xr: xr,
                 color: .residual, into: &d)

        // Emission lines at the catalog redshift.
        var labelRow = 0
        for line in EmissionLine.quasarLines {
            let at = line.restLambda * factor
            guard xr.contains(at) else { continue }
            let px = x(at)
            d.add(.polyline([(px, top), (px, bottom)], stroke: .line, width: 0.8, dashed: true))
            if decorated {
                d.add(.text(asciiText ? line.ascii : line.name, x: px + 2, y: top + 10 + Double(labelRow % 2) * 11,
                            size: 10, color: .line, anchor: .start, vertical: false))
                labelRow += 1
            }
        }
        if decorated {
            Self.addAxes(x: x, y: y, yr: yr, left: left, right: right, fluxBox: fluxBox, residBox: residBox, into: &d)
            let title = "TARGETID \(s.targetid)   z = \(String(format: "%.4f", s.z))"
                + (smoothing > 1 ? "   smoothed \(smoothing) bins" : "")
            d.add(.text(title, x: left, y: 18, size: 13, color: .black, anchor: .start, vertical: false))
            d.add(.text(frame == .observed ? "Observed wavelength (A)" : "Rest-frame wavelength (A)",
                        x: (left + right) / 2, y: Double(height) - 6, size: 12, color: .axis, anchor: .middle, vertical: false))
            d.add(.text("Flux (normalized)", x: 14, y: (fluxBox.0 + fluxBox.1) / 2, size: 12, color: .axis,
                        anchor: .middle, vertical: true))
            d.add(.text("Resid/sigma", x: 14, y: (residBox.0 + residBox.1) / 2, size: 11, color: .axis,
                        anchor: .middle, vertical: true))
        }
        return d
    }

    // MARK: pieces

    private func convert(_ r: ClosedRange<Double>, from: Frame, z: Double) -> ClosedRange<Double> {
        switch (from, frame) {
        case (.rest, .observed): return (r.lowerBound * (1 + z))...(r.upperBound * (1 + z))
        case (.observed, .rest): return (r.lowerBound / (1 + z))...(r.upperBound / (1 + z))
        default: return r
        }
    }

    private func shade(_ r: ClosedRange<Double>, x: LinearScale, left: Double, right: Double, top: Double, bottom: Double,
                       fill: RGBA, into d: inout Drawing) {
        let a = max(left, x(r.lowerBound)), b = min(right, x(r.upperBound))
        if b > a { d.add(.rect(x: a, y: top, width: max(1, b - a), height: bottom - top, fill: fill)) }
    }

    private func clampY(_ v: Double, _ dom: (Double, Double)) -> Double {
        let span = dom.1 - dom.0
        return min(max(v, dom.0 - span), dom.1 + span)
    }

    private func addCurve(_ lam: [Double], _ v: [Double], valid: (Int) -> Bool, x: LinearScale, y: LinearScale,
                          yDomain: (Double, Double), xr: ClosedRange<Double>, color: RGBA, into d: inout Drawing) {
        Self.addCurve(lam, v, valid: valid, x: x, y: y, yDomain: yDomain, xr: xr, color: color,
                      lineWidth: decorated ? 1 : 0.8, into: &d)
    }

    /// Draws a curve as polylines broken wherever `valid` fails or a value is
    /// not finite, only within `xr`, values clamped to the panel.
    static func addCurve(_ lam: [Double], _ v: [Double], valid: (Int) -> Bool, x: LinearScale, y: LinearScale,
                         yDomain: (Double, Double), xr: ClosedRange<Double>, color: RGBA, lineWidth: Double,
                         into d: inout Drawing) {
        var pts: [(Double, Double)] = []
        func flush() {
            if pts.count > 1 { d.add(.polyline(pts, stroke: color, width: lineWidth, dashed: false)) }
            pts.removeAll()
        }
        for i in lam.indices {
            guard xr.contains(lam[i]), valid(i), v[i].isFinite else { flush(); continue }
            let lo = min(yDomain.0, yDomain.1), hi = max(yDomain.0, yDomain.1)
            pts.append((x(lam[i]), y(min(max(v[i], lo), hi))))
        }
        flush()
    }

    /// Tick count asked of the residual axis, ±rMax with rMax in [5, 30]:
    /// 4 gives a step of at most rMax, so ±step is always labelled beside 0
    /// (2 left only "0" for most rMax above 5).
    static let residualTicks = 4

    /// The two panels' frames, wavelength ticks under the lower one and value
    /// ticks on both.
    static func addAxes(x: LinearScale, y: LinearScale, yr: LinearScale, left: Double, right: Double,
                         fluxBox: (Double, Double), residBox: (Double, Double), into d: inout Drawing) {
        for box in [fluxBox, residBox] {
            d.add(.polyline([(left, box.0), (right, box.0), (right, box.1), (left, box.1), (left, box.0)],
                            stroke: .axis, width: 1, dashed: false))
        }
        for t in x.ticks(8) {
            let px = x(t)
            d.add(.polyline([(px, residBox.1), (px, residBox.1 + 4)], stroke: .axis, width: 1, dashed: false))
            d.add(.text(tickLabel(t), x: px, y: residBox.1 + 16, size: 10, color: .axis, anchor: .middle, vertical: false))
        }
        for (scale, n) in [(y, 5), (yr, Self.residualTicks)] {
            for t in scale.ticks(n) {
                let py = scale(t)
                d.add(.polyline([(left - 4, py), (left, py)], stroke: .axis, width: 1, dashed: false))
                d.add(.text(tickLabel(t), x: left - 6, y: py + 3.5, size: 10, color: .axis, anchor: .end, vertical: false))
            }
        }
    }

    /// Inverse-variance-weighted boxcar mean of width `width`, and its σ.
    func smoothed(_ flux: [Float], _ ivar: [Float], width: Int) -> ([Double], [Double]) {
        let n = flux.count, h = width / 2
        var f = [Double](repeating: .nan, count: n), s = [Double](repeating: .nan, count: n)
        for i in 0..<n {
            if width == 1 {
                f[i] = Double(flux[i])
                s[i] = ivar[i] > 0 ? 1 / Double(ivar[i]).squareRoot() : .nan
                continue
            }
            var sw = 0.0, swf = 0.0
            for j in max(0, i - h)...min(n - 1, i + h) where ivar[j] > 0 {
                sw += Double(ivar[j]); swf += Double(ivar[j]) * Double(flux[j])
            }
            if sw > 0 { f[i] = swf / sw; s[i] = 1 / sw.squareRoot() }
        }
        return (f, s)
    }

    /// The 1st–99th percentile range of the values, padded by 10 %.
    static func robustRange(_ values: [Double]) -> (Double, Double) {
        guard !values.isEmpty else { return (0, 1) }
        let v = values.sorted()
        var lo = v[Int(Double(v.count - 1) * 0.01)], hi = v[Int(Double(v.count - 1) * 0.99)]
        if hi <= lo { lo -= 1; hi += 1 }
        let pad = (hi - lo) * 0.1
        return (lo - pad, hi + pad)
    }

    /// Maximal index runs where `predicate` holds.
    static func runs(where predicate: (Int) -> Bool, count: Int) -> [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        var start: Int?
        for i in 0..<count {
            if predicate(i) { if start == nil { start = i } } else if let s = start { out.append(s...(i - 1)); start = nil }
        }
        if let s = start { out.append(s...(count - 1)) }
        return out
    }
}
