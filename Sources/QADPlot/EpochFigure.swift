import Foundation
import QADDetect

/// The figure of an object's repeat epochs: every epoch's flux overlaid in
/// the observed frame (each in its own colour, with its date and visit in
/// the legend), broad emission lines at the redshift; below, the latest
/// epoch's difference from the earliest, in σ, with the latest put on the
/// earliest one's continuum level (`EpochDifference.continuumRatio`).
public struct EpochFigure: Sendable {
    /// Inverse-variance-weighted boxcar width in pixels (1: as observed).
    public var smoothing = 5
    public var width = 900
    public var height = 520
    /// Line names in ASCII (the PNG's bitmap font has no Greek).
    public var asciiText = false

    public init() {}

    /// Colours of the epochs, earliest first (then repeating).
    static let palette: [RGBA] = [RGBA(40, 40, 40), RGBA(214, 39, 40), RGBA(31, 119, 180), RGBA(44, 160, 44),
                                  RGBA(148, 103, 189), RGBA(255, 127, 14)]

    /// `epochs` earliest first; `difference` the latest against the earliest.
    public func draw(targetid: Int64, z: Double, epochs: [EpochSpectrum], labels: [String],
                     difference: EpochDifference?) -> Drawing {
        var d = Drawing(width: width, height: height)
        d.add(.rect(x: 0, y: 0, width: Double(width), height: Double(height), fill: .white))
        let left = 62.0, right = Double(width) - 14, top = 30.0, bottom = Double(height) - 40
        let split = top + (bottom - top) * 0.68
        let fluxBox = (top, split - 6), diffBox = (split + 6, bottom)
        let lambdas = epochs.flatMap { e in e.lambda.indices.filter { e.ivar[$0] > 0 }.map { e.lambda[$0] } }
        guard let lo = lambdas.min(), let hi = lambdas.max(), hi > lo, epochs.count >= 2 else {
            d.add(.text("fewer than two epochs with data", x: Double(width) / 2, y: Double(height) / 2, size: 14,
                        color: .axis, anchor: .middle, vertical: false))
            return d
        }
        let x = LinearScale(domain: (lo, hi), range: (left, right))
        let smoothedEpochs = epochs.map { smooth($0) }
        let yDomain = SpectrumFigure.robustRange(smoothedEpochs.flatMap { $0.filter(\.isFinite) })
        let y = LinearScale(domain: yDomain, range: (fluxBox.1, fluxBox.0))
        for t in y.ticks(5) { d.add(.polyline([(left, y(t)), (right, y(t))], stroke: .grid, width: 1, dashed: false)) }
        for (k, flux) in smoothedEpochs.enumerated() {
            SpectrumFigure.addCurve(epochs[k].lambda, flux, valid: { _ in true }, x: x, y: y, yDomain: yDomain, xr: lo...hi,
                                    color: Self.palette[k % Self.palette.count], lineWidth: 1, into: &d)
        }

        // The difference of the latest from the earliest, at the earliest's level.
        let first = epochs[0], last = epochs[epochs.count - 1]
        let level = difference.map(\.continuumRatio).flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? 1
        var diff = [Double](repeating: .nan, count: first.lambda.count)
        var j = 0
        for i in first.lambda.indices where first.ivar[i] > 0 {
            let lam = first.lambda[i]
            while j + 1 < last.lambda.count && last.lambda[j + 1] <= lam { j += 1 }
            // The nearest pixel of the latest epoch, within 1 Å.
            let k = j + 1 < last.lambda.count && abs(last.lambda[j + 1] - lam) < abs(last.lambda[j] - lam) ? j + 1 : j
            guard abs(last.lambda[k] - lam) <= 1, last.ivar[k] > 0 else { continue }
            let later = last.flux[k] / level, variance = 1 / first.ivar[i] + 1 / (last.ivar[k] * level * level)
            diff[i] = (later - first.flux[i]) / variance.squareRoot()
        }
        let binned = boxcar(diff, width: max(1, smoothing))
        let dMax = max(5, min(30, (binned.filter(\.isFinite).map(abs).max() ?? 5) * 1.1))
        let yd = LinearScale(domain: (-dMax, dMax), range: (diffBox.1, diffBox.0))
        d.add(.polyline([(left, yd(0)), (right, yd(0))], stroke: .axis, width: 0.8, dashed: false))
        SpectrumFigure.addCurve(first.lambda, binned, valid: { _ in true }, x: x, y: yd, yDomain: (-dMax, dMax), xr: lo...hi,
                                color: .residual, lineWidth: 1, into: &d)

        // Broad lines at the redshift, labelled.
        var row = 0
        for line in EmissionLine.quasarLines {
            let at = line.restLambda * (1 + z)
            guard (lo...hi).contains(at) else { continue }
            d.add(.polyline([(x(at), top), (x(at), bottom)], stroke: .line, width: 0.8, dashed: true))
            d.add(.text(asciiText ? line.ascii : line.name, x: x(at) + 2, y: top + 10 + Double(row % 2) * 11, size: 10,
                        color: .line, anchor: .start, vertical: false))
            row += 1
        }
        SpectrumFigure.addAxes(x: x, y: y, yr: yd, left: left, right: right, fluxBox: fluxBox, residBox: diffBox, into: &d)
        // Legend: one line per epoch, in its colour, on a white ground.
        let legendWidth = Double(labels.map(\.count).max() ?? 0) * 6.6 + 10
        d.add(.rect(x: right - 2 - legendWidth, y: fluxBox.0 + 2, width: legendWidth,
                    height: Double(labels.count) * 13 + 6, fill: RGBA(255, 255, 255, 0.85)))
        for (k, label) in labels.enumerated() {
            d.add(.text(label, x: right - 6, y: fluxBox.0 + 14 + Double(k) * 13, size: 11,
                        color: Self.palette[k % Self.palette.count], anchor: .end, vertical: false))
        }
        let flags = difference.map { $0.reasons.joined(separator: "; ") } ?? ""
        d.add(.text("TARGETID \(targetid)   z = \(String(format: "%.4f", z))   \(epochs.count) epochs"
                    + (flags.isEmpty ? "" : "   " + (asciiText ? ascii(flags) : flags)),
                    x: left, y: 18, size: 13, color: .black, anchor: .start, vertical: false))
        d.add(.text("Observed wavelength (A)", x: (left + right) / 2, y: Double(height) - 6, size: 12, color: .axis,
                    anchor: .middle, vertical: false))
        d.add(.text("Flux", x: 14, y: (fluxBox.0 + fluxBox.1) / 2, size: 12, color: .axis, anchor: .middle, vertical: true))
        d.add(.text("Last - first (sigma)", x: 14, y: (diffBox.0 + diffBox.1) / 2, size: 10, color: .axis,
                    anchor: .middle, vertical: true))
        return d
    }

    private func ascii(_ s: String) -> String {
        s.replacingOccurrences(of: "β", with: "b").replacingOccurrences(of: "α", with: "a")
            .replacingOccurrences(of: "→", with: "->")
    }

    /// Inverse-variance-weighted boxcar mean; NaN where no pixel has weight.
    private func smooth(_ e: EpochSpectrum) -> [Double] {
        let h = max(1, smoothing) / 2, n = e.flux.count
        var f = [Double](repeating: .nan, count: n)
        for i in 0..<n {
            var sw = 0.0, swf = 0.0
            for k in max(0, i - h)...min(n - 1, i + h) where e.ivar[k] > 0 { sw += e.ivar[k]; swf += e.ivar[k] * e.flux[k] }
            if sw > 0 { f[i] = swf / sw }
        }
        return f
    }

    /// A boxcar mean of finite values, scaled by √n so noise stays in σ.
    private func boxcar(_ v: [Double], width: Int) -> [Double] {
        guard width > 1 else { return v }
        let h = width / 2
        return v.indices.map { i in
            let window = v[max(0, i - h)...min(v.count - 1, i + h)].filter(\.isFinite)
            guard v[i].isFinite, !window.isEmpty else { return .nan }
            return window.reduce(0, +) / Double(window.count).squareRoot()
        }
    }
}
