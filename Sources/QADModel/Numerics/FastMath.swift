/// Branch-free log1p and expm1 for the per-element work of the model (the
/// encoder's weight features, ELU). libm's scalar calls took a seventh of
/// inference time; these vectorize. Accuracy (checked against libm in the
/// tests): relative error < 2e-6 for log1p, absolute error < 3e-7 for expm1
/// on (-∞, 0] — far inside what a Float32 network resolves (the NumPy
/// cross-check of checkpoints uses libm and agrees to 1e-4).
enum FastMath {
    /// log(1 + w) for w ≥ 0.
    @inline(__always)
    static func log1p(_ w: Float) -> Float {
        let x = 1 + w
        let bits = x.bitPattern
        let exponent = Float(Int32(bitPattern: (bits >> 23) & 0xff) - 127)
        let m = Float(bitPattern: (bits & 0x7f_ffff) | 0x3f80_0000)  // mantissa in [1, 2)
        // ln m = 2 atanh(t), t = (m − 1)/(m + 1) ∈ [0, 1/3).
        let t = (m - 1) / (m + 1), t2 = t * t
        let series = t * (2 + t2 * (2 / 3 + t2 * (2 / 5 + t2 * (2 / 7 + t2 * (2 / 9 + t2 * (2 / 11))))))
        let large = exponent * 0.693_147_18 + series
        // Below 0.05, 1 + w drops too many of w's bits: the series in w is exact there.
        let small = w * (1 - w * (0.5 - w * (1 / 3 - w * (0.25 - w * 0.2))))
        return w < 0.05 ? small : large
    }

    /// e^z − 1 for z ≤ 0 (ELU's negative side).
    @inline(__always)
    static func expm1Negative(_ z: Float) -> Float {
        let y = min(max(z, -87), 0) * 1.442_695_04  // z·log2(e); positive z never reach here usefully
        let n = y.rounded()
        let f = y - n  // [-0.5, 0.5]
        // 2^f: Taylor series to f⁶ (relative error < 2e-7 on |f| ≤ ½).
        let p = 1 + f * (0.693_147_18 + f * (0.240_226_51 + f * (0.055_504_11 + f * (0.009_618_13
            + f * (0.001_333_36 + f * 0.000_154_04)))))
        let scale = Float(bitPattern: UInt32(bitPattern: Int32(n) + 127) << 23)
        // Near 0, e^z − 1 loses digits to cancellation: the Taylor series is exact there.
        let tiny = z * (1 + z * (0.5 + z * (1 / 6 + z / 24)))
        return z > -0.01 ? tiny : p * scale - 1
    }
}
