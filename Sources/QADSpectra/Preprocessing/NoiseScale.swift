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
public enum NoiseScale {
    /// Rest wavelength below which bins are left out (Lyα forest).
    public static let minimumRestWavelength = 1250.0
    /// Fewer usable second differences than this: too few to judge, `s` = 1.
    public static let minimumBins = 50

    /// The robust scale `s` of the normalized flux's second differences in
    /// units of their claimed σ (1 when too few bins are usable).
    public static func measure(flux: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>,
                               grid: RestGrid) -> Double {
        // The first bin whose centre lies redward of the limit; a second
        // difference uses that bin and the two around it.
        var first = max(0, grid.bin(containing: minimumRestWavelength))
        while first < flux.count && grid.center(first) <= minimumRestWavelength { first += 1 }
        guard flux.count == weight.count, first + 2 < flux.count else { return 1 }
        var d: [Double] = []
        d.reserveCapacity(flux.count - first)
        for k in (first + 1)..<(flux.count - 1) where weight[k - 1] > 0 && weight[k] > 0 && weight[k + 1] > 0 {
            let variance = 1 / Double(weight[k]) + 0.25 * (1 / Double(weight[k - 1]) + 1 / Double(weight[k + 1]))
            let second = Double(flux[k]) - 0.5 * (Double(flux[k - 1]) + Double(flux[k + 1]))
            let x = second / variance.squareRoot()
            if x.isFinite { d.append(x) }
        }
        guard d.count >= minimumBins else { return 1 }
        var work = d
        let centre = median(&work)
        for i in d.indices { work[i] = abs(d[i] - centre) }
        let s = 1.4826 * median(&work)
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
