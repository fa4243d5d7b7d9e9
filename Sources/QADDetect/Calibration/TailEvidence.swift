import Foundation

/// How unusual each value is among the values of spectra of similar S/N, as
/// an upper-tail p-value on a log scale: `L = −log10 p`.
///
/// Below the running (1 − f) quantile `u` (f the tail fraction) p is the
/// empirical fraction of the window at or above the value. Above it, p comes
/// from a generalized Pareto tail fitted to the same window's quantiles at
/// 1 − f, 1 − f/2 and 1 − f/4: shape ξ = log2((q₃ − q₂)/(q₂ − u)), clipped to
/// [0, 1] (exponential to heavy, never a bounded tail), and scale σ that puts
/// q₂ where the fit says. So the tail each component is judged by is fitted
/// to the bulk of that component's own normal spectra on the data at hand:
/// a component whose normal spectra scatter widely (a heavy tail) needs a
/// larger value to reach the same p than one whose normal spectra agree, and
/// no constant tuned on a benchmark says how heavy a tail is. A value far
/// beyond every spectrum in the window still gets its own, finite `L`
/// (computed in the log, never rounding to p = 0).
public enum TailEvidence {
    /// `L` of every finite value of `x` among the `window` spectra nearest in
    /// S/N (the whole sample when `window` is 0 or larger); NaN stays NaN.
    public static func log10Evidence(_ x: [Double], snr: [Double], window: Int, tailFraction f: Double) -> [Double] {
        precondition(f > 0 && f < 0.5, "tail fraction must be in (0, 0.5)")
        let finite = x.indices.filter { x[$0].isFinite }
        var out = [Double](repeating: .nan, count: x.count)
        guard !finite.isEmpty else { return out }
        let ordered = NuisanceCells.ordered(finite, by: snr)
        let w = window > 0 ? window : ordered.count
        let running = RunningQuantile.percentilesAndQuantiles(x, ordered: ordered, window: w,
                                                              quantiles: [1 - f, 1 - f / 2, 1 - f / 4])
        for (k, i) in ordered.enumerated() {
            let q = running.quantiles[k]
            out[i] = evidence(x[i], percentile: running.percentile[k], u: q[0], q2: q[1], q3: q[2], tailFraction: f)
        }
        return out
    }

    /// `L` of one value from its percentile and the window's three quantiles.
    static func evidence(_ x: Double, percentile: Double, u: Double, q2: Double, q3: Double, tailFraction f: Double) -> Double {
        guard x > u else { return -log10(max(1 - percentile / 100, 1e-300)) }
        let d1 = max(q2 - u, 1e-9), d2 = max(q3 - q2, 1e-9)
        let xi = min(max(log2(d2 / d1), 0), 1)
        let e = (x - u)
        if xi < 1e-6 {
            // Exponential tail: p(q2) = f/2 fixes the scale at d1 / ln 2.
            let sigma = d1 / M_LN2
            return -log10(f) + e / sigma / M_LN10
        }
        // p(x) = f (1 + ξ e/σ)^(−1/ξ), with p(q2) = f/2: σ = ξ d1 / (2^ξ − 1).
        let sigma = xi * d1 / (pow(2, xi) - 1)
        return -log10(f) + log10(1 + xi * e / sigma) / xi
    }

    /// The one-sided normal significance (σ) of a p-value given as `L = −log10 p`:
    /// Φ⁻¹(1 − p), continued beyond double precision by Newton steps on the
    /// normal tail's asymptotic log.
    public static func sigma(log10Evidence l: Double) -> Double {
        guard l.isFinite else { return l }
        if l < 300 { return -normalQuantile(pow(10, -l)) }
        // log Φ(−x) ≈ −x²/2 − log(x √(2π)) for large x.
        let target = l * M_LN10
        var x = (2 * target).squareRoot()
        for _ in 0..<20 {
            let f = 0.5 * x * x + log(x) + 0.5 * log(2 * Double.pi) - target
            let step = f / (x + 1 / x)
            x -= step
            if abs(step) < 1e-12 * x { break }
        }
        return x
    }
}
