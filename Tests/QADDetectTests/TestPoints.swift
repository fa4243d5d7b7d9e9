import Foundation
import QADCore
@testable import QADDetect

/// Seeded test points: three unit-variance Gaussian blobs in `dimensions`
/// dimensions, and every `stride`-th point (up to `outliers`) drawn 5x wider
/// around the origin instead, or, with `outlierSpread`, from its blob with
/// that standard deviation (a subtler outlier); returned with labels (true = outlier).
func plantedPoints(inliers: Int, outliers: Int, dimensions: Int, seed: UInt64, outlierSpread: Float? = nil) throws
    -> (points: PointMatrix, labels: [Bool]) {
    var rng = Xoshiro256StarStar(seed: seed)
    func normal() -> Float {
        // Box–Muller from two uniforms, the first in (0, 1].
        let u = Double((rng.next() >> 11) + 1) * 0x1p-53, v = Double(rng.next() >> 11) * 0x1p-53
        return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
    }
    let centers = (0..<3).map { _ in (0..<dimensions).map { _ in 3 * normal() } }
    let total = inliers + outliers
    let stride = outliers > 0 ? total / outliers : total + 1
    var values: [Float] = []
    var labels: [Bool] = []
    for i in 0..<total {
        let outlier = i % stride == 0 && i / stride < outliers
        for a in 0..<dimensions {
            let center = centers[i % 3][a]
            values.append(outlier ? (outlierSpread.map { center + $0 * normal() } ?? 5 * normal()) : center + normal())
        }
        labels.append(outlier)
    }
    return (try PointMatrix(values: values, dimensions: dimensions, name: "test points"), labels)
}
