import QADCore

/// Flux-conserving rebinning onto the global rest-frame grid with variance
/// propagation (docs/preprocessing.md §3).
public struct RestFrameRebinner: Sendable {
    public let grid: RestGrid
    public let edges: [Double]
    /// A bin is covered when good pixels span at least this fraction of it.
    public static let minimumCoverage = 0.5

    public init(grid: RestGrid = .standard) {
        self.grid = grid
        self.edges = grid.edges
    }

    /// Rest-frame flux density and inverse variance per bin; ivar 0 where the
    /// spectrum does not cover the bin.
    public func rebin(_ s: MergedSpectrum, z: Double) -> (flux: [Double], ivar: [Double]) {
        let nb = grid.count
        var sumO = [Double](repeating: 0, count: nb)
        var sumOF = [Double](repeating: 0, count: nb)
        var sumO2V = [Double](repeating: 0, count: nb)
        let n = s.wavelength.count
        guard n >= 2 else { return ([Double](repeating: 0, count: nb), [Double](repeating: 0, count: nb)) }
        let scale = 1 / (1 + z)
        edges.withUnsafeBufferPointer { E in
        s.wavelength.withUnsafeBufferPointer { w in
        s.flux.withUnsafeBufferPointer { fx in
        s.ivar.withUnsafeBufferPointer { ivx in
        sumO.withUnsafeMutableBufferPointer { sumO in
        sumOF.withUnsafeMutableBufferPointer { sumOF in
        sumO2V.withUnsafeMutableBufferPointer { sumO2V in
            var k = 0
            for i in 0..<n {
                let iv = ivx[i]
                guard iv > 0 else { continue }
                // Observed pixel edges: midpoints, half a spacing beyond the ends.
                let lo = i == 0 ? w[0] - 0.5 * (w[1] - w[0]) : 0.5 * (w[i - 1] + w[i])
                let hi = i == n - 1 ? w[n - 1] + 0.5 * (w[n - 1] - w[n - 2]) : 0.5 * (w[i] + w[i + 1])
                let l = lo * scale, r = hi * scale
                if r <= E[0] || l >= E[nb] { continue }
                while k > 0, E[k] > l { k -= 1 }
                while k < nb, E[k + 1] <= l { k += 1 }
                var j = k
                let f = fx[i], v = 1 / iv
                while j < nb, E[j] < r {
                    let o = min(r, E[j + 1]) - max(l, E[j])
                    if o > 0 {
                        sumO[j] += o
                        sumOF[j] += o * f
                        sumO2V[j] += o * o * v
                    }
                    j += 1
                }
            }
        }}}}}}}
        var flux = [Double](repeating: 0, count: nb)
        var ivar = [Double](repeating: 0, count: nb)
        for j in 0..<nb where sumO[j] > 0 {
            guard sumO[j] >= Self.minimumCoverage * (edges[j + 1] - edges[j]) else { continue }
            flux[j] = sumOF[j] / sumO[j]
            let variance = sumO2V[j] / (sumO[j] * sumO[j])
            ivar[j] = variance > 0 ? 1 / variance : 0
        }
        return (flux, ivar)
    }
}
