import Foundation
import QADCore

/// One spectrum's noise-normalized residual r = (flux − reconstruction)·√weight
/// on the rest grid, from its first to its last covered bin. Bins that are not
/// covered (weight 0, or a non-finite value) hold r = 0 and covered = 0.
public struct SpectrumResidual: Sendable {
    /// First rest-grid bin of `r`.
    public var lo: Int
    public var r: [Double]
    public var covered: [UInt8]
    /// Observed-frame index of rest bin i is i + shift: log10(1+z) in grid steps.
    public var shift: Int

    public var count: Int { r.count }

    /// Builds the residual of one cache row. `forestLimit` is the first rest bin
    /// the localized score may use (bins blueward of it are left uncovered).
    public init(flux: UnsafePointer<Float>, weight: UnsafePointer<Float>, reconstruction: UnsafePointer<Float>,
                bins: Int, z: Double, grid: RestGrid, firstUsableBin: Int = 0) {
        var first = -1, last = -1
        for i in max(0, firstUsableBin)..<bins where weight[i] > 0 && weight[i].isFinite && flux[i].isFinite
            && reconstruction[i].isFinite {
            if first < 0 { first = i }
            last = i
        }
        shift = Int((log10(1 + z) / grid.log10Step).rounded())
        guard first >= 0 else {
            lo = 0
            r = []
            covered = []
            return
        }
        lo = first
        let n = last - first + 1
        var r = [Double](repeating: 0, count: n)
        var covered = [UInt8](repeating: 0, count: n)
        for k in 0..<n {
            let i = first + k
            let w = weight[i], f = flux[i], m = reconstruction[i]
            if w > 0 && w.isFinite && f.isFinite && m.isFinite {
                r[k] = Double(f - m) * Double(w).squareRoot()
                covered[k] = 1
            }
        }
        self.r = r
        self.covered = covered
    }

    public init(lo: Int, r: [Double], covered: [UInt8], shift: Int) {
        self.lo = lo
        self.r = r
        self.covered = covered
        self.shift = shift
    }
}

/// The two statistics of one window of n covered bins:
/// coherent = Σr/√n (a box-shaped trough or bump: standard normal for pure noise),
/// power = (Σr² − n)/√(2n) (any excess of χ² over its expectation, also for
/// features whose sign alternates, like a badly subtracted sky line).
public protocol WindowVisitor {
    mutating func visit(slot: Int, coherent: Double, power: Double)
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
        var sc = [Int32](repeating: 0, count: n + 1)
        for k in 0..<n {
            let v = r[k]
            s1[k + 1] = s1[k] + v
            s2[k + 1] = s2[k] + v * v
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
                    let power = (s2[b] - s2[a] - nc) / (2 * nc).squareRoot()
                    visitor.visit(slot: layout.slot(widthIndex: w, start: start), coherent: coherent, power: power)
                }
                start += stride
            }
        }
    }
}
