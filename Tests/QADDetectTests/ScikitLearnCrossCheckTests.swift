import Foundation
import QADCore
import QADFormats
import QADTestSupport
import Testing
@testable import QADDetect

/// qad's scorers and metrics against scikit-learn and SciPy, through
/// tools/crosscheck_detect.py (needs QAD_PYTHON with scikit-learn; required under CI=true).
@Suite struct ScikitLearnCrossCheckTests {
    private let script = packageRoot.appendingPathComponent("tools/crosscheck_detect.py").path

    private func check(_ python: String, _ mode: String, _ dir: String, _ options: [String] = []) throws {
        let (status, output) = try run(python, [script, mode, dir] + options)
        print(output, terminator: "")  // the compared figures, for the test log
        #expect(status == 0, "\(output)")
        #expect(output.hasSuffix("ok\n"), "\(output)")
    }

    private func write(_ points: PointMatrix, to dir: String) throws {
        try NPYFile.write(points.values, shape: [points.count, points.dimensions], to: dir + "/points.npy")
    }

    @Test(.needs(.python)) func isolationForestRanksLikeScikitLearn() throws {
        let python = try requirePython()
        // Outliers only 1.6x wider than their clusters, so that neither forest
        // is perfect. One forest's AUC here varies by ~0.02 with its seed, so
        // both sides average three seeds of 1000 trees.
        let (points, labels) = try plantedPoints(inliers: 6000, outliers: 120, dimensions: 16, seed: 11,
                                                 outlierSpread: 1.6)
        let dir = temporaryDirectory()
        try write(points, to: dir)
        try NPYFile.write(labels.map { $0 ? 1.0 : 0.0 }, to: dir + "/labels.npy")
        for seed in 0..<3 {
            let forest = try IsolationForest.fit(points, configuration: .init(trees: 1000, seed: UInt64(seed)))
            try NPYFile.write(try forest.scores(points), to: dir + "/qad_scores_\(seed).npy")
        }
        try check(python, "iforest", dir, ["--trees", "1000"])
    }

    @Test(.needs(.python)) func nearestNeighbourDistancesEqualScikitLearn() throws {
        let python = try requirePython()
        var (points, _) = try plantedPoints(inliers: 2500, outliers: 25, dimensions: 16, seed: 12)
        var values = points.values
        for i in 0..<40 {  // duplicates, some of them in threes
            let source = (i % 20) * 16, target = (points.count - 1 - i) * 16
            for a in 0..<16 { values[target + a] = values[source + a] }
        }
        points = try PointMatrix(values: values, dimensions: 16)
        let dir = temporaryDirectory()
        try write(points, to: dir)
        let ks = [1, 5, 10]
        try NPYFile.write(ks.map(Double.init), to: dir + "/ks.npy")
        let index = NearestNeighborIndex(points)
        for k in ks {
            let found = try index.neighborsOfIndexedPoints(k: k, threads: 2)
            try NPYFile.write(found.distances, shape: [points.count, k], to: dir + "/qad_dist_\(k).npy")
            try NPYFile.write(found.indices.map(Double.init), shape: [points.count, k], to: dir + "/qad_index_\(k).npy")
        }
        try check(python, "knn", dir)
    }

    @Test(.needs(.python)) func localOutlierFactorEqualsScikitLearn() throws {
        let python = try requirePython()
        // Clusters of different densities: the k-th distance alone ranks the
        // sparse cluster's members as outliers, the LOF does not.
        let (points, labels) = try plantedPoints(inliers: 3000, outliers: 30, dimensions: 8, seed: 14)
        let dir = temporaryDirectory()
        try write(points, to: dir)
        try NPYFile.write(labels.map { $0 ? 1.0 : 0.0 }, to: dir + "/labels.npy")
        let k = 10
        let lists = try NearestNeighborIndex(points).neighborsOfIndexedPoints(k: k, threads: 2)
        try NPYFile.write(LocalOutlierFactor.scores(lists, k: k), to: dir + "/qad_lof.npy")
        try check(python, "lof", dir, ["--k", "\(k)"])
    }

    @Test(.needs(.python)) func metricsEqualScikitLearnAndSciPy() throws {
        let python = try requirePython()
        var rng = Xoshiro256StarStar(seed: 13)
        let n = 5000
        // Scores on a coarse grid (many ties), positives shifted up.
        let labels = (0..<n).map { _ in rng.next() % 10 == 0 }
        let scores = labels.map { Double((rng.next() % 40) + ($0 ? 8 : 0)) / 4 }
        let other = scores.map { $0 + Double(rng.next() % 20) / 2 }
        let fractions = [0.01, 0.05, 0.1, 0.3]
        var mine = [try EvaluationMetrics.rocAUC(scores: scores, labels: labels),
                    try EvaluationMetrics.averagePrecision(scores: scores, labels: labels),
                    try EvaluationMetrics.spearman(scores, other)]
        for f in fractions {
            let (p, r) = try EvaluationMetrics.precisionRecallAtFraction(scores: scores, labels: labels, fraction: f)
            mine += [p, r]
        }
        let dir = temporaryDirectory()
        try NPYFile.write(scores, to: dir + "/scores.npy")
        try NPYFile.write(other, to: dir + "/other.npy")
        try NPYFile.write(labels.map { $0 ? 1.0 : 0.0 }, to: dir + "/labels.npy")
        try NPYFile.write(fractions, to: dir + "/fractions.npy")
        try NPYFile.write(mine, to: dir + "/qad_metrics.npy")
        try check(python, "metrics", dir)
    }
}
