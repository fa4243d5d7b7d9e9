import ArgumentParser
import Foundation
import QADDetect
import QADFormats

extension Bench {
    /// Times the latent-space scorers on a points file, for the comparison
    /// with scikit-learn in Benchmarks/bench_detect.sh.
    struct Detect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time Isolation Forest fit+score and exact k-NN on a float32 .npy of points (n × d).")

        @Option(help: "A float32 or float64 .npy matrix, one point a row.")
        var points: String

        @Option(help: "Neighbours per point for the k-NN distances.")
        var k: Int = 10

        @Option(help: "Isolation Forest trees.")
        var trees: Int = 200

        @Option(help: "Isolation Forest sub-sample size ψ.")
        var sampleSize: Int = 256

        @Option(help: "Worker threads.")
        var threads: Int = 2

        @Option(help: "Points per kd-tree leaf.")
        var leafSize: Int = 32

        @Option(help: "Seed of the Isolation Forest.")
        var seed: UInt64 = 0

        @Option(help: "Write iforest.npy (scores), knn.npy (k-th neighbour distances) and knn_index.npy here.")
        var out: String?

        func validate() throws {
            guard FileManager.default.fileExists(atPath: points) else { throw ValidationError("\(points): no such file") }
            guard k >= 1 else { throw ValidationError("--k must be at least 1") }
            guard trees >= 1 else { throw ValidationError("--trees must be at least 1") }
            guard sampleSize >= 2 else { throw ValidationError("--sample-size must be at least 2") }
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
            guard leafSize >= 1 else { throw ValidationError("--leaf-size must be at least 1") }
        }

        func run() throws {
            let (values, shape) = try NPYFile.readDoubles(points)
            guard shape.count == 2 else { throw ValidationError("\(points): expected a 2-D matrix, got shape \(shape)") }
            let matrix = try PointMatrix(values: values.map(Float.init), dimensions: shape[1], name: points)
            print("\(matrix.count) points of \(matrix.dimensions) dimensions from \(points), \(threads) threads")
            print(String(format: "load: peak RSS %.0f MB", peakRSSMegabytes()))

            var t = Date()
            let forest = try IsolationForest.fit(
                matrix, configuration: .init(trees: trees, sampleSize: sampleSize, seed: seed), threads: threads)
            let fitSeconds = Date().timeIntervalSince(t)
            t = Date()
            let scores = try forest.scores(matrix, threads: threads)
            let scoreSeconds = Date().timeIntervalSince(t)
            print(String(format: "iforest: fit %.3f s, score %.3f s, total %.3f s (%d trees, ψ %d, %d nodes)",
                         fitSeconds, scoreSeconds, fitSeconds + scoreSeconds, trees, forest.sampleSize, forest.nodeCount))

            t = Date()
            let index = NearestNeighborIndex(matrix, leafSize: leafSize)
            let buildSeconds = Date().timeIntervalSince(t)
            t = Date()
            let neighbors = try index.neighborsOfIndexedPoints(k: k, threads: threads)
            let querySeconds = Date().timeIntervalSince(t)
            print(String(format: "knn: build %.3f s, query %.3f s, total %.3f s (k %d, leaf size %d)",
                         buildSeconds, querySeconds, buildSeconds + querySeconds, k, leafSize))
            print(String(format: "peak RSS %.0f MB", peakRSSMegabytes()))

            if let out {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try NPYFile.write(scores, to: out + "/iforest.npy")
                try NPYFile.write(neighbors.kthDistances, to: out + "/knn.npy")
                try NPYFile.write(neighbors.indices.map(Double.init), shape: [neighbors.count, k], to: out + "/knn_index.npy")
            }
        }

        private func peakRSSMegabytes() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_maxrss) / 1024  // kB on Linux
        }
    }
}
