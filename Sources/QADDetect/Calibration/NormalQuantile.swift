import Foundation

/// The standard normal quantile Φ⁻¹(p) for 0 < p < 1: Abramowitz & Stegun
/// 26.2.23 as the start (error < 4.5e-4), then Newton steps on
/// Φ(x) = erfc(−x/√2)/2, which bring it to double precision.
public func normalQuantile(_ p: Double) -> Double {
    guard p > 0 else { return -.infinity }
    guard p < 1 else { return .infinity }
    let q = min(p, 1 - p)
    let t = (-2 * log(q)).squareRoot()
    let tail = t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
        / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
    var x = p < 0.5 ? -tail : tail
    for _ in 0..<3 {
        let cdf = 0.5 * erfc(-x / 2.0.squareRoot())
        let density = exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
        guard density > 0 else { break }
        x -= (cdf - p) / density
    }
    return x
}
