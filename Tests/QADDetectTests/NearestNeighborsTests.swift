import QADCore
import Testing
@testable import QADDetect

@Suite struct NearestNeighborsTests {
    @Test func pointsOnALine() throws {
        // 0, 1, 3, 6, 6: the duplicate 6s are each other's nearest (distance 0).
        let points = try PointMatrix(values: [0, 1, 3, 6, 6], dimensions: 1)
        let index = NearestNeighborIndex(points, leafSize: 1)
        let one = try index.neighborsOfIndexedPoints(k: 1, threads: 2)
        #expect(one.distances == [1, 1, 2, 0, 0])
        #expect(one.indices == [1, 0, 1, 4, 3])
        let two = try index.neighborsOfIndexedPoints(k: 2)
        #expect(two.distances == [1, 3, 1, 2, 2, 3, 0, 3, 0, 3])
        #expect(two.indices == [1, 2, 0, 2, 1, 0, 4, 2, 3, 2])
        #expect(two.kthDistances == [3, 2, 3, 3, 3])
        let queries = try PointMatrix(values: [2, -5], dimensions: 1)
        let found = try index.neighbors(of: queries, k: 2)
        // 2 is 1 from both 1 and 3: the tie goes to the lower row.
        #expect(found.distances == [1, 1, 5, 6] && found.indices == [1, 2, 0, 1])
    }

    @Test func equalsBruteForceInManyDimensions() throws {
        for (dimensions, leafSize) in [(3, 8), (16, 32), (21, 4)] {
            let (points, _) = try plantedPoints(inliers: 1500, outliers: 15, dimensions: dimensions, seed: 7)
            // Duplicates: copy the first 50 points over the last 50.
            var values = points.values
            for i in 0..<50 {
                for a in 0..<dimensions { values[(points.count - 1 - i) * dimensions + a] = values[i * dimensions + a] }
            }
            let set = try PointMatrix(values: values, dimensions: dimensions)
            let found = try NearestNeighborIndex(set, leafSize: leafSize).neighborsOfIndexedPoints(k: 7, threads: 3)
            let expected = bruteForce(set, k: 7)
            #expect(found.indices == expected.indices, "d=\(dimensions)")
            #expect(zip(found.distances, expected.distances).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, $1) })
        }
    }

    @Test func sameAnswerWhateverTheThreads() throws {
        let (points, _) = try plantedPoints(inliers: 3000, outliers: 30, dimensions: 16, seed: 8)
        let index = NearestNeighborIndex(points)
        let one = try index.neighborsOfIndexedPoints(k: 10, threads: 1)
        let three = try index.neighborsOfIndexedPoints(k: 10, threads: 3)
        #expect(one.distances == three.distances && one.indices == three.indices)
    }

    @Test func kMustFitTheSet() throws {
        let index = NearestNeighborIndex(try PointMatrix(values: [0, 1, 2], dimensions: 1))
        #expect(throws: LocatedError.self) { try index.neighborsOfIndexedPoints(k: 3) }
        #expect(throws: LocatedError.self) { try index.neighborsOfIndexedPoints(k: 0) }
        #expect(throws: LocatedError.self) {
            try index.neighbors(of: try PointMatrix(values: [0, 1], dimensions: 2), k: 1)
        }
    }

    /// Every pair in Double, sorted by (distance, row): the definition itself.
    private func bruteForce(_ p: PointMatrix, k: Int) -> (distances: [Double], indices: [Int32]) {
        var distances: [Double] = [], indices: [Int32] = []
        let d = p.dimensions
        for i in 0..<p.count {
            var all: [(Double, Int32)] = []
            for j in 0..<p.count where j != i {
                var s = 0.0
                for a in 0..<d {
                    let t = Double(p.values[i * d + a]) - Double(p.values[j * d + a])
                    s += t * t
                }
                all.append((s.squareRoot(), Int32(j)))
            }
            all.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            distances += all.prefix(k).map(\.0)
            indices += all.prefix(k).map(\.1)
        }
        return (distances, indices)
    }
}
