import Foundation
import QADCore

/// x^a for x > 0 as exp(a ln x): several times faster than `pow` on glibc,
/// accurate to a few ulps, which is all a spectrum model needs.
@inline(__always)
func fastPow(_ x: Double, _ a: Double) -> Double { exp(a * log(x)) }

extension RandomNumberGenerator {
    /// Uniform in [0, 1) with 53 random bits (no platform-dependent conversion,
    /// so draws are reproducible everywhere).
    @inline(__always)
    public mutating func drawUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [a, b).
    @inline(__always)
    public mutating func drawUniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * drawUnit()
    }

    /// Standard normal by Box–Muller (one of the pair is discarded to keep the
    /// generator stateless beyond its own state; speed is not critical here).
    @inline(__always)
    public mutating func drawNormal() -> Double {
        var u1 = drawUnit()
        while u1 <= 0 { u1 = drawUnit() }
        let u2 = drawUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    public mutating func drawNormal(mean: Double, sd: Double) -> Double {
        mean + sd * drawNormal()
    }

    /// 10^N(0, dex): a multiplicative scatter of `dex` in log10.
    public mutating func drawLogNormalDex(_ dex: Double) -> Double {
        pow(10, dex * drawNormal())
    }

    /// Poisson deviate: inversion for small means, normal approximation above 50
    /// (the simulator only needs small means: absorbers per sightline, cosmic rays).
    public mutating func drawPoisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 50 { return max(0, Int((mean + mean.squareRoot() * drawNormal()).rounded())) }
        let limit = exp(-mean)
        var k = 0
        var p = drawUnit()
        while p > limit { k += 1; p *= drawUnit() }
        return k
    }

    /// Both standard normals of one Box–Muller draw, for hot loops that need many.
    @inline(__always)
    public mutating func drawNormalPair() -> (Double, Double) {
        var u1 = drawUnit()
        while u1 <= 0 { u1 = drawUnit() }
        let r = (-2 * log(u1)).squareRoot()
        let phase = 2 * Double.pi * drawUnit()
        return (r * cos(phase), r * sin(phase))
    }

    /// Integer in 0..<n.
    public mutating func drawIndex(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(next() % UInt64(n))
    }
}
