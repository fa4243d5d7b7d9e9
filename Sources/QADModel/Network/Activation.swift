import Foundation

/// The nonlinearity between dense layers. Names match PyTorch's modules
/// (`nn.ReLU`, `nn.LeakyReLU(0.01)`, `nn.ELU`, `nn.Tanh`, `nn.SiLU`) so a
/// checkpoint can be rebuilt there.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case relu
    case leakyRelu = "leaky_relu"
    case elu
    case tanh
    case silu

    /// Negative slope of `leakyRelu` (PyTorch's default).
    public static let leakySlope: Float = 0.01

    /// Gain² for the initial weight variance (2 for rectifiers, 1 for tanh).
    var initGainSquared: Float {
        switch self {
        case .relu, .leakyRelu, .elu, .silu: return 2
        case .tanh: return 1
        }
    }

    /// a = f(z), element by element (same shapes; may alias).
    public func forward(_ z: MatrixView, into a: MatrixView) {
        precondition(z.rows == a.rows && z.columns == a.columns)
        let n = z.columns
        for r in 0..<z.rows {
            let zp = z.rowPointer(r), ap = a.rowPointer(r)
            switch self {
            case .relu:
                for j in 0..<n { ap[j] = max(zp[j], 0) }
            case .leakyRelu:
                let s = Self.leakySlope
                for j in 0..<n { let v = zp[j]; ap[j] = v > 0 ? v : s * v }
            case .elu:
                for j in 0..<n { let v = zp[j]; ap[j] = v > 0 ? v : FastMath.expm1Negative(v) }
            case .tanh:
                for j in 0..<n { ap[j] = tanhf(zp[j]) }
            case .silu:
                for j in 0..<n { let v = zp[j]; ap[j] = v / (1 + expf(-v)) }
            }
        }
    }

    /// δ ← δ · f′(z), given z and a = f(z).
    public func backward(z: MatrixView, a: MatrixView, delta: MatrixView) {
        precondition(z.rows == delta.rows && z.columns == delta.columns && a.rows == z.rows)
        let n = z.columns
        for r in 0..<z.rows {
            let zp = z.rowPointer(r), ap = a.rowPointer(r), dp = delta.rowPointer(r)
            switch self {
            case .relu:
                for j in 0..<n where zp[j] <= 0 { dp[j] = 0 }
            case .leakyRelu:
                let s = Self.leakySlope
                for j in 0..<n where zp[j] <= 0 { dp[j] *= s }
            case .elu:
                for j in 0..<n where zp[j] <= 0 { dp[j] *= ap[j] + 1 }
            case .tanh:
                for j in 0..<n { dp[j] *= 1 - ap[j] * ap[j] }
            case .silu:
                for j in 0..<n {
                    let sig = 1 / (1 + expf(-zp[j]))
                    dp[j] *= sig * (1 + zp[j] * (1 - sig))
                }
            }
        }
    }
}
