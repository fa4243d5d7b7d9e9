import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny generator used to expand one
/// 64-bit seed into well-mixed state words, and to derive independent child
/// seeds (one per file, one per spectrum) so results do not depend on the
/// order in which parallel tasks run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed for stream `index` of a parent seed: the same (seed, index) always
    /// gives the same child, and neighbouring indices give unrelated streams.
    public static func derive(_ seed: UInt64, _ index: UInt64) -> UInt64 {
        var g = SplitMix64(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03))
        _ = g.next()
        return g.next()
    }
}

/// xoshiro256** (Blackman & Vigna 2018): fast, 256-bit state, passes BigCrush.
/// Every random draw in the simulator comes from one of these, seeded through
/// SplitMix64, so the same seed gives byte-identical files.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is a fixed point
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }
}

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
