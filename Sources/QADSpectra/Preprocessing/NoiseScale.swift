import QADCore

/// How far a spectrum's scatter exceeds what its inverse variance claims.
///
/// The statistic is the second difference `d_k = f_k − (f_{k−1} + f_{k+1})/2`
/// of the normalized rest-frame flux, divided by its claimed σ
/// `√(1/w_k + (1/w_{k−1} + 1/w_{k+1})/4)`. A quasar's continuum and broad
/// lines span many 276 km/s bins, so they nearly cancel in `d_k`; what
/// remains is noise. `s` is 1.4826 × the median absolute deviation of
/// `d_k / σ_k` (a robust σ: narrow absorbers and bad pixels do not move it)
/// over the bins redward of rest 1250 Å (the Lyα forest's real absorption
/// does not cancel). On the benchmark surveys the median `s` is 0.99; ivar
/// that claims more precision than the data show makes every residual-based
/// score of that spectrum too large and its fit too tight.
public struct NoiseScale: Sendable {
    /// Rest wavelength below which bins are left out (Lyα forest).
    public static let minimumRestWavelength = 1250.0
    /// Fewer usable second differences than this: too few to judge, `s` = 1.
    public static let minimumBins = 50

    /// The first bin whose centre lies redward of the limit.
    let firstBin: Int

    public init(grid: RestGrid) {
        var first = max(0, grid.bin(containing: Self.minimumRestWavelength))
        while first < grid.count && grid.center(first) <= Self.minimumRestWavelength { first += 1 }
        firstBin = first
    }

    /// The robust scale `s` of the normalized flux's second differences in
    /// units of their claimed σ (1 when too few bins are usable). Uses the
    /// workspace's noise buffers: allocates nothing.
    func measure(flux: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>,
                 workspace ws: PreprocessingWorkspace) -> Double {
        precondition(flux.count == weight.count && flux.count <= ws.bins, "flux, weight and workspace disagree")
        // A second difference uses bin k and the two around it, all redward of the limit.
        guard firstBin + 2 < flux.count else { return 1 }
        let d = ws.noiseValues
        var n = 0
        for k in (firstBin + 1)..<(flux.count - 1) where weight[k - 1] > 0 && weight[k] > 0 && weight[k + 1] > 0 {
            let variance = 1 / Double(weight[k]) + 0.25 * (1 / Double(weight[k - 1]) + 1 / Double(weight[k + 1]))
            let second = Double(flux[k]) - 0.5 * (Double(flux[k - 1]) + Double(flux[k + 1]))
            let x = second / variance.squareRoot()
            if x.isFinite { d[n] = x; n += 1 }
        }
        guard n >= Self.minimumBins else { return 1 }
        let values = UnsafeMutableBufferPointer(start: d, count: n)
        // The median reorders the values; the absolute deviations do not care.
        let centre = median(values, scratch: ws.noiseScratch, binOf: ws.noiseBins, histogram: ws.histogram)
        for i in 0..<n { d[i] = abs(d[i] - centre) }
        let s = 1.4826 * median(values, scratch: ws.noiseScratch, binOf: ws.noiseBins, histogram: ws.histogram)
        return s.isFinite && s > 0 ? s : 1
    }

    /// The factor the weight is divided by: `max(1, s)²`. Only excess scatter
    /// is corrected; an `s` below 1 (sparse or smooth data) never tightens the
    /// claimed errors.
    public static func weightDivisor(_ s: Double) -> Double {
        let f = max(1, s)
        return f * f
    }
}
