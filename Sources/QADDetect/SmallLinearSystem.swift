import Foundation

/// Small dense linear systems (normal equations of a few dozen unknowns):
/// the line fits of `EpochComparison` and the Newton steps of
/// `RelevanceModel`'s logistic prior.
enum SmallLinearSystem {
    /// Gauss–Jordan with partial pivoting on the n×n row-major system A x = b:
    /// the solution and the diagonal of A⁻¹ (for normal equations, the
    /// coefficients' variances); nil when A is singular.
    static func solve(_ a: [Double], _ b: [Double], _ n: Int) -> (solution: [Double], inverseDiagonal: [Double])? {
        var m = a, inv = (0..<n * n).map { $0 / n == $0 % n ? 1.0 : 0.0 }, rhs = b
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(m[$0 * n + col]) < abs(m[$1 * n + col]) }),
                  abs(m[pivot * n + col]) > 1e-300 else { return nil }
            for c in 0..<n {
                m.swapAt(col * n + c, pivot * n + c)
                inv.swapAt(col * n + c, pivot * n + c)
            }
            rhs.swapAt(col, pivot)
            let p = m[col * n + col]
            for c in 0..<n { m[col * n + c] /= p; inv[col * n + c] /= p }
            rhs[col] /= p
            for r in 0..<n where r != col {
                let f = m[r * n + col]
                guard f != 0 else { continue }
                for c in 0..<n { m[r * n + c] -= f * m[col * n + c]; inv[r * n + c] -= f * inv[col * n + c] }
                rhs[r] -= f * rhs[col]
            }
        }
        return (rhs, (0..<n).map { inv[$0 * n + $0] })
    }
}
