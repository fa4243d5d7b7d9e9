/// Sums for fitting a window statistic's centre and core variance
/// (x − centre)² ≈ a + b·reach² over a population, by least squares weighted
/// with 1/variance² from the previous pass (a squared deviation's own
/// variance grows as the variance squared; unweighted, the brightest windows
/// would decide a alone). The sums are taken about the previous pass's
/// centre μ₀ (d = x − μ₀, q = reach²):
/// n, Σw, Σw·d, Σw·d², Σw·q, Σw·q², Σw·d·q, Σw·d²·q.
enum ReachScaledFit {
    static let terms = 8

    /// The constant term is at least this fraction of the mean variance, so
    /// a fit that puts all the variance on reach² still leaves faint windows a scale.
    static let minimumBaseFraction = 0.1

    /// The weight of a value whose previous-pass variance is `variance` (1 in the unclipped first pass).
    @inline(__always)
    static func weight(variance: Double) -> Double { variance.isFinite ? 1 / (variance * variance) : 1 }

    @inline(__always)
    static func add(_ s: UnsafeMutablePointer<Double>, d: Double, q: Double, weight w: Double) {
        s[0] += 1
        s[1] += w
        s[2] += w * d
        s[3] += w * d * d
        s[4] += w * q
        s[5] += w * q * q
        s[6] += w * d * q
        s[7] += w * d * d * q
    }

    /// Adds sums taken about centre `m` to `pooled`, taken about 0.
    static func pool(_ s: ArraySlice<Double>, about m: Double, into pooled: inout [Double]) {
        let s = Array(s)
        pooled[0] += s[0]
        pooled[1] += s[1]
        pooled[2] += s[2] + m * s[1]
        pooled[3] += s[3] + 2 * m * s[2] + m * m * s[1]
        pooled[4] += s[4]
        pooled[5] += s[5]
        pooled[6] += s[6] + m * s[4]
        pooled[7] += s[7] + 2 * m * s[6] + m * m * s[4]
    }

    /// Centre, constant and reach² terms from sums taken about `centre`.
    static func fit(_ sums: ArraySlice<Double>, about centre: Double) -> (mean: Double, base: Double, growth: Double) {
        let s = Array(sums)
        let w = s[1]
        let shift = s[2] / w  // new centre − previous centre
        // Weighted means of e = (x − centre)² = d² − 2·shift·d + shift², of q and of e·q.
        let meanE = max(s[3] / w - shift * shift, 0)
        let meanQ = s[4] / w
        let meanEQ = (s[7] - 2 * shift * s[6] + shift * shift * s[4]) / w
        let varQ = s[5] / w - meanQ * meanQ
        var growth = varQ > 1e-12 * max(meanQ * meanQ, 1e-300) ? max((meanEQ - meanE * meanQ) / varQ, 0) : 0
        var base = meanE - growth * meanQ
        if base < minimumBaseFraction * meanE {
            // Too little left for faint windows: keep the floor and refit the slope through the mean.
            base = minimumBaseFraction * meanE
            growth = meanQ > 0 ? (meanE - base) / meanQ : 0
        }
        return (centre + shift, max(base, 1e-6), growth)
    }
}
