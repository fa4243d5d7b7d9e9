import Foundation
import QADCore

/// One spectrum's normalized residual on the rest grid, from its first to its
/// last covered bin: r = (flux − m)/√(1/weight + (ε·m)²) with m the
/// reconstruction and ε the model's own fractional error at that rest bin
/// (`ModelErrorFloor`). Without ε, residuals in σ of the noise grow with S/N
/// wherever the model is imperfect (the Lyα peak, line cores), and a bright
/// normal quasar would outrank a faint anomalous one. Bins that are not
/// covered (weight 0, or a non-finite value) hold r = 0 and covered = 0.
///
/// ε only covers model error that is independent from bin to bin. The
/// model's errors are also smooth (a continuum a few per cent off over
/// hundreds of Å), and those add up coherently in a wide window, more so the
/// brighter the spectrum. `modelSNR` (|m| over the same σ) lets the window
/// calibration scale each window by how bright the model is there.
public struct SpectrumResidual: Sendable {
    /// First rest-grid bin of `r`.
    public var lo: Int
    public var r: [Double]
    public var covered: [UInt8]
    /// |m|/√(1/weight + (ε·m)²) per bin, 0 where not covered.
    public var modelSNR: [Double]
    /// Observed-frame index of rest bin i is i + shift: log10(1+z) in grid steps.
    public var shift: Int

    public var count: Int { r.count }

    /// Builds the residual of one cache row (`modelError`: ε per rest bin).
    public init(flux: UnsafePointer<Float>, weight: UnsafePointer<Float>, reconstruction: UnsafePointer<Float>,
                bins: Int, z: Double, grid: RestGrid, modelError: [Double]? = nil) {
        var first = -1, last = -1
        for i in 0..<bins where weight[i] > 0 && weight[i].isFinite && flux[i].isFinite
            && reconstruction[i].isFinite {
            if first < 0 { first = i }
            last = i
        }
        shift = Int((log10(1 + z) / grid.log10Step).rounded())
        guard first >= 0 else {
            lo = 0
            r = []
            covered = []
            modelSNR = []
            return
        }
        lo = first
        let n = last - first + 1
        var r = [Double](repeating: 0, count: n)
        var covered = [UInt8](repeating: 0, count: n)
        var modelSNR = [Double](repeating: 0, count: n)
        for k in 0..<n {
            let i = first + k
            let w = weight[i], f = flux[i], m = reconstruction[i]
            if w > 0 && w.isFinite && f.isFinite && m.isFinite {
                let e = modelError.map { $0[i] * Double(m) } ?? 0
                let sigma = (1 / Double(w) + e * e).squareRoot()
                r[k] = Double(f - m) / sigma
                modelSNR[k] = Double(abs(m)) / sigma
                covered[k] = 1
            }
        }
        self.r = r
        self.covered = covered
        self.modelSNR = modelSNR
    }

    /// The same residual without the bins before rest bin `first`, trimmed to
    /// its first and last covered bin (the localized score leaves out the
    /// Lyα forest; explanations use the whole residual).
    public func dropping(before first: Int) -> SpectrumResidual {
        let start = max(0, first - lo)
        guard let a = covered.indices.first(where: { $0 >= start && covered[$0] != 0 }),
              let b = covered.indices.last(where: { covered[$0] != 0 }) else {
            return SpectrumResidual(lo: 0, r: [], covered: [], shift: shift)
        }
        return SpectrumResidual(lo: lo + a, r: Array(r[a...b]), covered: Array(covered[a...b]), shift: shift,
                                modelSNR: Array(modelSNR[a...b]))
    }

    /// A residual given directly; without `modelSNR` every bin's model S/N is 0 (pure noise).
    public init(lo: Int, r: [Double], covered: [UInt8], shift: Int, modelSNR: [Double]? = nil) {
        precondition(modelSNR == nil || modelSNR!.count == r.count)
        self.lo = lo
        self.r = r
        self.covered = covered
        self.shift = shift
        self.modelSNR = modelSNR ?? [Double](repeating: 0, count: r.count)
    }
}

/// The three statistics of one window of n covered bins, each standard
/// normal (or nearly) for pure noise:
/// coherent = Σr/√n (a box-shaped trough or bump),
/// power = the Wilson–Hilferty normal deviate of χ² = Σr² with n degrees of
/// freedom (any excess of χ² over its expectation, also for features whose
/// sign alternates, like a badly subtracted sky line; 0 for a single bin),
/// step = (mean of the left half − mean of the right half)/√(1/n_l + 1/n_r)
/// (a jump: an arm-join flux step, the edge of a dead segment).
/// With them comes the window's reach, Σ modelSNR/√n: what a smooth
/// fractional model error δ over the window adds to `coherent` is δ·reach.
public protocol WindowVisitor {
    mutating func visit(slot: Int, coherent: Double, power: Double, step: Double, reach: Double)
}

extension SpectrumResidual {
    /// Calls `visitor` for every window of `layout` that lies inside this
    /// spectrum's bins (frame index = rest bin + `offset`) and has at least half
    /// of its bins covered.
    public func forEachWindow<V: WindowVisitor>(layout: WindowLayout, offset: Int, _ visitor: inout V) {
        let n = r.count
        guard n > 0 else { return }
        // Prefix sums: windows of any width in O(1).
        var s1 = [Double](repeating: 0, count: n + 1)
        var s2 = [Double](repeating: 0, count: n + 1)
        var sq = [Double](repeating: 0, count: n + 1)
        var sc = [Int32](repeating: 0, count: n + 1)
        for k in 0..<n {
            let v = r[k]
            s1[k + 1] = s1[k] + v
            s2[k + 1] = s2[k] + v * v
            sq[k + 1] = sq[k] + modelSNR[k]
            sc[k + 1] = sc[k] + Int32(covered[k])
        }
        let frameLo = lo + offset, frameHi = lo + offset + n  // frame indices of this spectrum
        for w in layout.widths.indices {
            let width = layout.widths[w], stride = layout.strides[w]
            let minCovered = Int32((width + 1) / 2)
            var start = max(0, ((frameLo + stride - 1) / stride) * stride)
            while start + width <= min(frameHi, layout.frameSize + width - 1) && start < layout.frameSize {
                let a = start - frameLo, b = a + width
                let c = sc[b] - sc[a]
                if c >= minCovered {
                    let nc = Double(c)
                    let coherent = (s1[b] - s1[a]) / nc.squareRoot()
                    // Wilson–Hilferty: χ² of n bins as a near-normal deviate, so
                    // its tail is no heavier than the others' (a single bin's χ²
                    // is |coherent|², already covered).
                    var power = 0.0
                    if c >= 2 {
                        let k = 2 / (9 * nc)
                        power = (cbrt(max(s2[b] - s2[a], 0) / nc) - (1 - k)) / k.squareRoot()
                    }
                    var step = 0.0
                    let m = a + width / 2
                    let nl = Double(sc[m] - sc[a]), nr = Double(sc[b] - sc[m])
                    if width >= 2 && nl > 0 && nr > 0 {
                        step = ((s1[m] - s1[a]) / nl - (s1[b] - s1[m]) / nr) / (1 / nl + 1 / nr).squareRoot()
                    }
                    visitor.visit(slot: layout.slot(widthIndex: w, start: start), coherent: coherent, power: power,
                                  step: step, reach: (sq[b] - sq[a]) / nc.squareRoot())
                }
                start += stride
            }
        }
    }
}

extension SpectrumResidual {
    /// Σr, Σ modelSNR and the number of covered bins over rest bins `bins`
    /// (bins outside the residual count as uncovered): the sums of one fixed window.
    func totals(_ bins: Range<Int>) -> (r: Double, modelSNR: Double, covered: Int) {
        var r = 0.0, reach = 0.0, covered = 0
        for b in bins {
            let i = b - lo
            guard i >= 0, i < count, self.covered[i] != 0 else { continue }
            r += self.r[i]
            reach += modelSNR[i]
            covered += 1
        }
        return (r, reach, covered)
    }

    /// The coherent statistic Σr/√n and the reach of rest bins `bins`, nil
    /// when fewer than half of them are covered.
    func coherent(_ bins: Range<Int>) -> (value: Double, reach: Double)? {
        let t = totals(bins)
        guard t.covered > 0, t.covered >= (bins.count + 1) / 2 else { return nil }
        let n = Double(t.covered).squareRoot()
        return (t.r / n, t.modelSNR / n)
    }
}
