import Foundation
import QADCore

/// The k nearest neighbours of a set of query points: row i holds its k
/// neighbours, nearest first (Euclidean distances in Double, and the rows of
/// the neighbours in the indexed point set).
public struct NeighborLists: Sendable {
    public let k: Int
    /// count × k, row-major, ascending along each row.
    public let distances: [Double]
    /// count × k rows of the indexed points (Int32: an index holds fewer than
    /// 2³¹ points), in the same order as `distances`.
    public let indices: [Int32]
    public var count: Int { distances.count / k }

    public func distances(of row: Int) -> ArraySlice<Double> { distances[(row * k)..<((row + 1) * k)] }
    public func neighbors(of row: Int) -> ArraySlice<Int32> { indices[(row * k)..<((row + 1) * k)] }
    /// Distance to the k-th neighbour of each query (the `knn` score).
    public var kthDistances: [Double] { (0..<count).map { distances[$0 * k + k - 1] } }
}

/// Exact Euclidean k-nearest-neighbour search over a fixed point set through
/// a kd-tree built once. Candidates are compared in Float32 (SIMD), then the
/// k found are measured again in Double, so the distances equal a float64
/// computation (scikit-learn's) to rounding. Equal distances are ordered by
/// row, so duplicates give the same answer on every run and thread count.
public struct NearestNeighborIndex: Sendable {
    let tree: KDTree
    public let count: Int
    public let dimensions: Int

    /// `leafSize`: points per leaf; 32 suits 16-D latents.
    public init(_ points: PointMatrix, leafSize: Int = 32) {
        // Rows are kept as Int32 (half the memory of the n × k neighbour rows).
        precondition(points.count < Int(Int32.max), "a k-NN index holds at most \(Int32.max - 1) points")
        tree = KDTree(points, leafSize: leafSize)
        count = points.count
        dimensions = points.dimensions
    }

    /// For each indexed point, its k nearest other points (the point itself is
    /// left out, its duplicates are not), as scikit-learn's
    /// `NearestNeighbors().fit(X).kneighbors(n_neighbors=k)` with X=None.
    public func neighborsOfIndexedPoints(k: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws
        -> NeighborLists {
        guard k >= 1, k < count else {
            throw LocatedError(column: "k", message: "need 1 ≤ k < \(count) (points in the index), got \(k)")
        }
        // Queries in tree order: consecutive queries share leaves and cache lines.
        return search(k: k, queries: tree.data, queryCount: count, fromIndex: true, threads: threads)
    }

    /// The k nearest indexed points of each query point.
    public func neighbors(of queries: PointMatrix, k: Int,
                          threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> NeighborLists {
        guard queries.dimensions == dimensions else {
            throw LocatedError(column: "queries", message: "index holds \(dimensions)-D points, got \(queries.dimensions)-D")
        }
        guard k >= 1, k <= count else {
            throw LocatedError(column: "k", message: "need 1 ≤ k ≤ \(count) (points in the index), got \(k)")
        }
        return search(k: k, queries: queries.values, queryCount: queries.count, fromIndex: false, threads: threads)
    }

    /// Runs every query on `threads` workers. `fromIndex`: the queries are the
    /// tree's own points in tree order; each leaves itself out and writes its
    /// answer to its original row.
    private func search(k: Int, queries: [Float], queryCount: Int, fromIndex: Bool, threads: Int) -> NeighborLists {
        let distances = SharedArray<Double>(repeating: 0, count: queryCount * k)
        let indices = SharedArray<Int32>(repeating: 0, count: queryCount * k)
        let tree = self.tree, d = dimensions
        parallelBlocks(total: queryCount, blockSize: 256, threads: threads) { range in
            var searcher = KDTreeSearch(tree: tree, k: k)
            queries.withUnsafeBufferPointer { q in
                for i in range {
                    let point = q.baseAddress! + i * d
                    let outputRow = fromIndex ? Int(tree.originalRow[i]) : i
                    searcher.search(point, excluding: fromIndex ? i : -1)
                    searcher.writeExact(point, distances: distances.pointer + outputRow * k,
                                        rows: indices.pointer + outputRow * k)
                }
            }
        }
        return NeighborLists(k: k, distances: distances.array, indices: indices.array)
    }
}
