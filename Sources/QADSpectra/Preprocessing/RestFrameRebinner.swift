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
        var flux = [Double](repeating: 0, count: nb)
        var ivar = [Double](repeating: 0, count: nb)
        let n = s.wavelength.count
        guard n >= 2 else { return (flux, ivar) }
        let (low, high) = MergePlan.pixelEdges(s.wavelength)
        let ws = PreprocessingWorkspace(bins: nb)
        let range = s.flux.withUnsafeBufferPointer { f in
            s.ivar.withUnsafeBufferPointer { v in
                accumulate(lowEdge: low, highEdge: high, flux: f.baseAddress!, ivar: v.baseAddress!, z: z, into: ws)
            }
        }
        flux.withUnsafeMutableBufferPointer { f in
            ivar.withUnsafeMutableBufferPointer { v in
                finish(range, workspace: ws, flux: f.baseAddress!, ivar: v.baseAddress!)
            }
        }
        return (flux, ivar)
    }

    /// Adds the good pixels (ivar > 0) of a merged spectrum whose observed
    /// pixel edges are `lowEdge`/`highEdge` to the workspace's per-bin sums of
    /// overlap o, o·flux and o²/ivar; returns the bins touched (empty when none).
    func accumulate(lowEdge: [Double], highEdge: [Double], flux fx: UnsafePointer<Double>,
                    ivar ivx: UnsafePointer<Double>, z: Double, into ws: PreprocessingWorkspace) -> Range<Int> {
        let n = lowEdge.count
        let nb = grid.count
        guard n >= 2 else { return 0..<0 }
        let scale = 1 / (1 + z)
        let sumO = ws.sumO, sumOF = ws.sumOF, sumO2V = ws.sumO2V
        // Merged pixels are ascending and abut, so the bins they reach never go
        // back: each bin's overlaps arrive one after another, are summed in
        // registers and added to memory (still 0) when the next bin starts, the
        // same additions in the same order as summing in memory throughout.
        var current = -1, first = nb, last = -1
        var o0 = 0.0, o1 = 0.0, o2 = 0.0
        @inline(__always) func flush() {
            guard current >= 0 else { return }
            sumO[current] += o0
            sumOF[current] += o1
            sumO2V[current] += o2
            first = min(first, current)
            last = max(last, current)
        }
        edges.withUnsafeBufferPointer { E in
        lowEdge.withUnsafeBufferPointer { lowEdge in
        highEdge.withUnsafeBufferPointer { highEdge in
            @inline(__always) func add(_ j: Int, _ o: Double, _ f: Double, _ v: Double) {
                if j != current {
                    flush()
                    current = j
                    o0 = 0; o1 = 0; o2 = 0
                }
                o0 += o
                o1 += o * f
                o2 += o * o * v
            }
            var k = 0
            for i in 0..<n {
                let iv = ivx[i]
                guard iv > 0 else { continue }
                let l = lowEdge[i] * scale, r = highEdge[i] * scale
                if r <= E[0] || l >= E[nb] { continue }
                while k < nb, E[k + 1] <= l { k += 1 }
                let f = fx[i], v = 1 / iv
                if k + 2 <= nb, E[k] <= l, r <= E[k + 2] {
                    // The usual pixel: inside bin k, or reaching into k + 1 (then
                    // the overlap with k + 1 is positive, else 0 and not added).
                    add(k, min(r, E[k + 1]) - l, f, v)
                    let o = r - E[k + 1]
                    if o > 0 { add(k + 1, o, f, v) }
                    continue
                }
                // Near the grid's ends, or a pixel wider than a bin.
                while k > 0, E[k] > l { k -= 1 }
                var j = k
                while j < nb, E[j] < r {
                    let o = min(r, E[j + 1]) - max(l, E[j])
                    if o > 0 { add(j, o, f, v) }
                    j += 1
                }
            }
            flush()
        }}}
        return first <= last ? first..<(last + 1) : 0..<0
    }

    /// Turns the sums over `range` into flux density and ivar (0 for bins
    /// covered less than `minimumCoverage`), written to `flux`/`ivar` (which
    /// must be 0 elsewhere), and clears the sums for the next spectrum.
    func finish(_ range: Range<Int>, workspace ws: PreprocessingWorkspace,
                flux: UnsafeMutablePointer<Double>, ivar: UnsafeMutablePointer<Double>) {
        let sumO = ws.sumO, sumOF = ws.sumOF, sumO2V = ws.sumO2V
        edges.withUnsafeBufferPointer { E in
            for j in range {
                let s = sumO[j]
                if s > 0, s >= Self.minimumCoverage * (E[j + 1] - E[j]) {
                    flux[j] = sumOF[j] / s
                    let variance = sumO2V[j] / (s * s)
                    ivar[j] = variance > 0 ? 1 / variance : 0
                } else {
                    flux[j] = 0
                    ivar[j] = 0
                }
                sumO[j] = 0
                sumOF[j] = 0
                sumO2V[j] = 0
            }
        }
    }
}
