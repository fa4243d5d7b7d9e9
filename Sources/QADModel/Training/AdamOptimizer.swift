import Foundation
import QADCore

/// Adam (Kingma & Ba 2015) over the flat parameter buffer. The step sums the
/// workers' gradient buffers in a fixed order as it goes (no separate
/// reduction pass), and splits the parameters across threads.
public final class AdamOptimizer: @unchecked Sendable {
    // @unchecked: `step` is the only writer and runs while nothing else reads.
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// First and second moment estimates, laid out like the parameters.
    public let m: FloatBuffer
    public let v: FloatBuffer
    /// Steps taken (for bias correction).
    public internal(set) var steps: Int

    public init(parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        m = FloatBuffer(count: parameterCount)
        v = FloatBuffer(count: parameterCount)
        steps = 0
    }

    /// Restores moments and step count from a checkpoint.
    public init(m: FloatBuffer, v: FloatBuffer, steps: Int, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8) {
        precondition(m.count == v.count)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.m = m
        self.v = v
        self.steps = steps
    }

    /// The global L2 norm of Σ gradients[k], summed per thread in fixed
    /// ranges and combined in order (deterministic for a thread count).
    public static func norm(of gradients: [FloatBuffer], threads: Int) -> Double {
        let n = gradients[0].count
        let ranges = splitRange(n, parts: max(1, threads))
        let partial = SharedArray<Double>(repeating: 0, count: ranges.count)
        parallelFor(ranges.count) { t in
            var acc = 0.0
            var i = ranges[t].lowerBound
            while i < ranges[t].upperBound {
                let end = min(i + 1024, ranges[t].upperBound)
                var block: Float = 0
                for j in i..<end {
                    var g = gradients[0].pointer[j]
                    for k in 1..<gradients.count { g += gradients[k].pointer[j] }
                    block += g * g
                }
                acc += Double(block)
                i = end
            }
            partial[t] = acc
        }
        return partial.array.reduce(0, +).squareRoot()
    }

    /// One update with gradient g = gradientScale · Σ gradients[k] (summed in order k = 0, 1, …).
    public func step(parameters: FloatBuffer, gradients: [FloatBuffer], learningRate: Float, threads: Int,
                     gradientScale: Float = 1) {
        precondition(!gradients.isEmpty && gradients.allSatisfy { $0.count == parameters.count })
        steps += 1
        let b1 = beta1, b2 = beta2, eps = epsilon
        // Bias corrections folded into the step size and ε (same result as
        // correcting m and v, one multiply fewer per element).
        let c1 = 1 - pow(Double(b1), Double(steps)), c2 = 1 - pow(Double(b2), Double(steps))
        let stepSize = Float(Double(learningRate) * c2.squareRoot() / c1)
        let epsHat = Float(Double(eps) * c2.squareRoot())
        let m = self.m, v = self.v
        let ranges = splitRange(parameters.count, parts: max(1, threads))
        parallelFor(ranges.count) { t in
            let p = parameters.pointer, mp = m.pointer, vp = v.pointer
            let range = ranges[t]
            @inline(__always) func update(_ i: Int, _ g: Float) {
                let mi = b1 * mp[i] + (1 - b1) * g
                let vi = b2 * vp[i] + (1 - b2) * g * g
                mp[i] = mi
                vp[i] = vi
                p[i] -= stepSize * mi / (vi.squareRoot() + epsHat)
            }
            // The common worker counts get their own vectorizable loops.
            let s = gradientScale
            switch gradients.count {
            case 1:
                let g0 = gradients[0].pointer
                for i in range { update(i, s * g0[i]) }
            case 2:
                let g0 = gradients[0].pointer, g1 = gradients[1].pointer
                for i in range { update(i, s * (g0[i] + g1[i])) }
            default:
                let gs = gradients.map { $0.pointer }
                for i in range {
                    var g = gs[0][i]
                    for k in 1..<gs.count { g += gs[k][i] }
                    update(i, s * g)
                }
            }
        }
    }
}
