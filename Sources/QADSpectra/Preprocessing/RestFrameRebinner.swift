import QADCore

/// Flux-conserving rebinning onto the global rest-frame grid with variance
/// propagation (docs/preprocessing.md §3).
///
/// Each bin's sums of overlap o, o·flux and o²/ivar over the good pixels are
/// taken in the observed frame: the rest-frame overlaps are these times
/// 1/(1+z), which cancels in flux = Σo·f/Σo and variance = Σo²/ivar/(Σo)².
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
        // Per pixel, over its whole width W: a = W if good (else 0), b = a·flux,
        // c = a·W/ivar (the merge computes these for ingest, in float32).
        var a = [Double](repeating: 0, count: n), b = a, c = a
        for i in 0..<n {
            let iv = s.ivar[i], w = high[i] - low[i]
            let good = iv > 0
            let ai = good ? w : 0
            a[i] = ai
            b[i] = ai * s.flux[i]
            c[i] = good ? ai * w / iv : 0
        }
        let inverseWidth = zip(low, high).map { 1 / ($1 - $0) }
        let ws = PreprocessingWorkspace(bins: nb)
        let range = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeBufferPointer { c in
                    rebin(sums: (a.baseAddress!, b.baseAddress!, c.baseAddress!), lowEdge: low, highEdge: high,
                          inverseWidth: inverseWidth, z: z, workspace: ws)
                }
            }
        }
        for j in range {
            flux[j] = ws.binFlux[j - range.lowerBound]
            ivar[j] = ws.binIvar[j - range.lowerBound]
        }
        return (flux, ivar)
    }

    /// Bins j0..<j1 reaching observed wavelengths [low, high] at 1 + z =
    /// `factor` (empty when none).
    func binsReached(low L: Double, high R: Double, factor: Double) -> (Int, Int) {
        let nb = grid.count
        return edges.withUnsafeBufferPointer { E in
            guard E[0] * factor < R, E[nb] * factor > L else { return (0, 0) }
            var lo = 0, hi = nb + 1  // last edge ≤ L, clamped to 0
            while hi - lo > 1 { let m = (lo + hi) / 2; if E[m] * factor <= L { lo = m } else { hi = m } }
            var lo2 = -1, hi2 = nb  // first edge ≥ R, clamped to nb
            while hi2 - lo2 > 1 { let m = (lo2 + hi2) / 2; if E[m] * factor >= R { hi2 = m } else { lo2 = m } }
            return (lo, hi2)
        }
    }

    /// Rebins the merged pixels whose observed edges are `lowEdge`/`highEdge`
    /// (ascending and abutting) at redshift z, from the per-pixel sums a, b
    /// and c the merge left in the workspace. Returns the bins the pixels
    /// reach; their flux and ivar (0 for bins covered less than
    /// `minimumCoverage`) are in the workspace's `binFlux`/`binIvar` from
    /// index 0. Bins outside the range are 0.
    func rebinMerged(lowEdge: [Double], highEdge: [Double], inverseWidth: [Double], z: Double,
                     workspace ws: PreprocessingWorkspace) -> Range<Int> {
        rebin(sums: (UnsafePointer(ws.pixelA), UnsafePointer(ws.pixelB), UnsafePointer(ws.pixelC)), lowEdge: lowEdge,
              highEdge: highEdge, inverseWidth: inverseWidth, z: z, workspace: ws)
    }

    /// The bin pass over per-pixel sums of either precision (summed in double).
    private func rebin<T: BinaryFloatingPoint>(
        sums: (a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafePointer<T>), lowEdge: [Double], highEdge: [Double],
        inverseWidth: [Double], z: Double, workspace ws: PreprocessingWorkspace
    ) -> Range<Int> {
        let n = lowEdge.count
        guard n >= 2 else { return 0..<0 }
        let factor = 1 + z
        let L = lowEdge[0], R = highEdge[n - 1]
        let (j0, j1) = binsReached(low: L, high: R, factor: factor)
        guard j0 < j1 else { return 0..<0 }
        let (a, b, c) = sums

        // Bin by bin: a partial pixel at each end (its share s = o/W of a, b
        // and s² of c), whole pixels between.
        let outFlux = ws.binFlux, outIvar = ws.binIvar
        edges.withUnsafeBufferPointer { E in
        lowEdge.withUnsafeBufferPointer { lo in
        highEdge.withUnsafeBufferPointer { hi in
        inverseWidth.withUnsafeBufferPointer { inverse in
            var right = max(E[j0] * factor, L)
            var p = 0  // the pixel holding the bin's left end
            while p < n - 1, hi[p] <= right { p += 1 }
            for j in j0..<j1 {
                let left = right
                right = min(E[j + 1] * factor, R)
                var sa: Double, sb: Double, sc: Double
                if hi[p] >= right {  // the bin inside one pixel (never on DESI's grids)
                    let s = (right - left) * inverse[p]
                    sa = s * Double(a[p]); sb = s * Double(b[p]); sc = s * s * Double(c[p])
                } else {
                    let s = (hi[p] - left) * inverse[p]
                    sa = s * Double(a[p]); sb = s * Double(b[p]); sc = s * s * Double(c[p])
                    var k = p + 1
                    while hi[k] < right {  // stops at n − 1 at the latest: hi[n − 1] = R ≥ right
                        sa += Double(a[k]); sb += Double(b[k]); sc += Double(c[k])
                        k += 1
                    }
                    let t = (right - lo[k]) * inverse[k]
                    sa += t * Double(a[k]); sb += t * Double(b[k]); sc += t * t * Double(c[k])
                    p = k
                }
                let out = j - j0
                if sa > 0, sa >= Self.minimumCoverage * (E[j + 1] - E[j]) * factor {
                    outFlux[out] = sb / sa
                    outIvar[out] = sc > 0 ? sa * sa / sc : 0  // 1/variance, variance = sc/sa²
                } else {
                    outFlux[out] = 0
                    outIvar[out] = 0
                }
            }
        }}}}
        return j0..<j1
    }
}
