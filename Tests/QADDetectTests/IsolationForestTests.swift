import Foundation
import QADCore
import Testing
@testable import QADDetect

@Suite struct IsolationForestTests {
    @Test func averagePathLengthMatchesTheFormula() {
        #expect(IsolationForest.averagePathLength(0) == 0)
        #expect(IsolationForest.averagePathLength(1) == 0)
        #expect(IsolationForest.averagePathLength(2) == 1)
        // c(3) = 2(ln 2 + γ) − 4/3; c(256) = 2(ln 255 + γ) − 510/256.
        #expect(abs(IsolationForest.averagePathLength(3) - 1.2073923577) < 1e-9)
        #expect(abs(IsolationForest.averagePathLength(256) - 10.2447709) < 1e-6)
    }

    @Test func identicalPointsAllScoreOneHalf() throws {
        // No attribute can split: every tree is one leaf of ψ points, h = c(ψ), s = 2^-1.
        let points = try PointMatrix(values: [Float](repeating: 1.5, count: 300 * 4), dimensions: 4)
        let forest = try IsolationForest.fit(points, configuration: .init(trees: 10, sampleSize: 64), threads: 2)
        #expect(forest.nodeCount == 10)
        #expect(try forest.scores(points).allSatisfy { abs($0 - 0.5) < 1e-6 })
    }

    @Test func twoPointsAreIsolatedByOneSplit() throws {
        // ψ = 2, height limit 1: one split, two leaves of one point at depth 1; c(2) = 1.
        let points = try PointMatrix(values: [0, 0, 1, 2], dimensions: 2)
        let forest = try IsolationForest.fit(points, configuration: .init(trees: 5, sampleSize: 256), threads: 1)
        #expect(forest.sampleSize == 2 && forest.nodeCount == 15)
        #expect(try forest.meanPathLengths(points) == [1, 1])
        #expect(try forest.scores(points) == [0.5, 0.5])
    }

    @Test func plantedOutliersScoreHighest() throws {
        let (points, labels) = try plantedPoints(inliers: 3000, outliers: 20, dimensions: 16, seed: 4)
        let scores = try IsolationForest.fit(points, configuration: .init(seed: 1)).scores(points)
        #expect(try EvaluationMetrics.rocAUC(scores: scores, labels: labels) > 0.99)
        #expect(scores.allSatisfy { $0 > 0 && $0 <= 1 })
        // Trees are height-limited: ceil(log2 256) = 8, so at most 2^9 − 1 nodes a tree.
        let forest = try IsolationForest.fit(points)
        #expect(forest.nodeCount <= 200 * 511)
    }

    @Test func sameSeedSameScoresWhateverTheThreads() throws {
        let (points, _) = try plantedPoints(inliers: 2000, outliers: 10, dimensions: 16, seed: 5)
        let config = IsolationForestConfiguration(trees: 50, sampleSize: 128, seed: 9)
        let one = try IsolationForest.fit(points, configuration: config, threads: 1).scores(points, threads: 1)
        let four = try IsolationForest.fit(points, configuration: config, threads: 4).scores(points, threads: 3)
        #expect(one == four)
        var other = config
        other.seed = 10
        #expect(try IsolationForest.fit(points, configuration: other).scores(points) != one)
    }

    @Test func badInputIsRefusedWithItsName() throws {
        #expect(throws: LocatedError(column: "latents", message: "point 1, coordinate 0 is nan")) {
            try PointMatrix(values: [0, 1, .nan, 2], dimensions: 2, name: "latents")
        }
        let points = try PointMatrix(values: [0, 1, 2, 3], dimensions: 2)
        #expect(throws: LocatedError.self) { try IsolationForest.fit(points, configuration: .init(trees: 0)) }
        let single = try PointMatrix(values: [0, 1], dimensions: 2)
        #expect(throws: LocatedError.self) { try IsolationForest.fit(single) }
        let forest = try IsolationForest.fit(points)
        #expect(throws: LocatedError.self) { try forest.scores(try PointMatrix(values: [0, 1, 2], dimensions: 3)) }
    }
}
