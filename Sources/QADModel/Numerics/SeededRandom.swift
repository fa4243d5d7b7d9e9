import Foundation
import QADCore

/// xoshiro256** seeded through SplitMix64: fast, reproducible on every
/// platform, and independent streams for independent jobs (shuffle of epoch 3,
/// noise of batch 17, …) derived from one user seed, so resuming at any epoch
/// replays exactly what an uninterrupted run would have drawn.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var generator: Xoshiro256StarStar

    public init(seed: UInt64) {
        generator = Xoshiro256StarStar(seed: seed)
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
    public mutating func next() -> UInt64 { generator.next() }

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

