import Foundation

/// xoshiro256** seeded through SplitMix64: fast, reproducible on every
/// platform, and independent streams for independent jobs (shuffle of epoch 3,
/// noise of batch 17, …) derived from one user seed, so resuming at any epoch
/// replays exactly what an uninterrupted run would have drawn.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func next() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    /// A stream for one job: the seed mixed with labels (epoch, batch, …).
    public init(seed: UInt64, stream: UInt64...) {
        var h = seed
        for label in stream {
            var g = SeededRandom(seed: h ^ (label &* 0xD1B5_4A32_D192_ED03))
            h = g.next()
        }
        self.init(seed: h)
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Fills `count` values with standard normal draws (Box–Muller, in pairs).
    public mutating func fillGaussian(_ out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i < count {
            let u1 = max(nextUniform(), 0x1.0p-60)
            let u2 = nextUniform()
            let r = (-2 * log(u1)).squareRoot()
            let a = 2 * Double.pi * u2
            out[i] = Float(r * cos(a))
            if i + 1 < count { out[i + 1] = Float(r * sin(a)) }
            i += 2
        }
    }

    /// A uniformly random permutation of `0..<n` (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffleInPlace(&p)
        return p
    }

    public mutating func shuffleInPlace<T>(_ a: inout [T]) {
        if a.count < 2 { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            // Multiply-high maps 64 random bits to 0...i without modulo bias worth noting.
            let j = Int(next().multipliedFullWidth(by: UInt64(i + 1)).high)
            a.swapAt(i, j)
        }
    }
}

