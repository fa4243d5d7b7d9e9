import Foundation
import QADCore

/// Settings of an Isolation Forest (Liu, Ting & Zhou 2008, "Isolation Forest").
public struct IsolationForestConfiguration: Sendable, Codable, Equatable {
    /// Trees in the forest (the paper's t; 100 in the paper, 200 here for
    /// steadier scores of rare points).
    public var trees: Int
    /// Sub-sample size ψ drawn (without replacement) for each tree; clipped to n.
    public var sampleSize: Int
    /// Every random draw derives from this seed; tree t uses its own stream
    /// SplitMix64.derive(seed, t), so the forest does not depend on thread count.
    public var seed: UInt64

    public init(trees: Int = 200, sampleSize: Int = 256, seed: UInt64 = 0) {
        self.trees = trees
        self.sampleSize = sampleSize
        self.seed = seed
    }
}

/// A fitted Isolation Forest. Each tree is grown on ψ points to height
/// ceil(log2 ψ); a point's path length h(x) is the depth of the leaf it lands
/// in plus c(leaf size), and its score is s = 2^(−E[h(x)] / c(ψ)), in (0, 1]:
/// larger is more anomalous (≈ 0.5 for ordinary points).
public struct IsolationForest: Sendable {
    public let configuration: IsolationForestConfiguration
    /// ψ actually used: min(configuration.sampleSize, n).
    public let sampleSize: Int
    public let dimensions: Int
    /// All trees' nodes in one flat array, tree t starting at `roots[t]`.
    let nodes: [IsolationNode]
    let roots: [Int32]

    /// Grows the forest on `points`, trees spread over `threads` workers.
    public static func fit(_ points: PointMatrix, configuration: IsolationForestConfiguration = .init(),
                           threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> IsolationForest {
        guard configuration.trees > 0 else {
            throw LocatedError(column: "trees", message: "need at least one tree, got \(configuration.trees)")
        }
        guard configuration.sampleSize >= 2 else {
            throw LocatedError(column: "sampleSize", message: "ψ must be at least 2, got \(configuration.sampleSize)")
        }
        guard points.count >= 2 else {
            throw LocatedError(column: "points", message: "an Isolation Forest needs at least 2 points, got \(points.count)")
        }
        let psi = min(configuration.sampleSize, points.count)
        let heightLimit = Int((log2(Double(psi))).rounded(.up))
        let grown = SharedArray<[IsolationNode]>(repeating: [], count: configuration.trees)
        parallelBlocks(total: configuration.trees, blockSize: 1, threads: threads) { range in
            for t in range {
                var builder = IsolationTreeBuilder(points: points, sampleSize: psi, heightLimit: heightLimit,
                                                   seed: SplitMix64.derive(configuration.seed, UInt64(t)))
                grown[t] = builder.grow()
            }
        }
        let trees = grown.array
        var nodes: [IsolationNode] = []
        nodes.reserveCapacity(trees.reduce(0) { $0 + $1.count })
        var roots: [Int32] = []
        for tree in trees {
            let offset = Int32(nodes.count)
            roots.append(offset)
            // Child links are tree-local; shift them to the flat array.
            nodes.append(contentsOf: tree.map { $0.shifted(by: offset) })
        }
        return IsolationForest(configuration: configuration, sampleSize: psi, dimensions: points.dimensions,
                               nodes: nodes, roots: roots)
    }

    /// E[h(x)]: each point's path length averaged over the trees.
    public func meanPathLengths(_ points: PointMatrix,
                                threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> [Double] {
        guard points.dimensions == dimensions else {
            throw LocatedError(column: "points",
                                      message: "forest was fitted on \(dimensions)-D points, got \(points.dimensions)-D")
        }
        let sums = SharedArray<Double>(repeating: 0, count: points.count)
        let d = dimensions
        // Blocks of points walk one tree at a time, so a tree (a few kB) stays
        // in L1 while hundreds of points pass through it. Each point's sum runs
        // over the trees in the same order whatever the thread count.
        let nodes = self.nodes, roots = self.roots, x = points.values
        parallelBlocks(total: points.count, blockSize: 512, threads: threads) { range in
            nodes.withUnsafeBufferPointer { nodeBuffer in
                x.withUnsafeBufferPointer { xBuffer in
                    let nodeBase = nodeBuffer.baseAddress!, xBase = xBuffer.baseAddress!
                    for root in roots {
                        for i in range {
                            let p = xBase + i * d
                            var k = Int(root)
                            while true {
                                let node = nodeBase[k]
                                if node.attribute < 0 {
                                    sums[i] += Double(node.value)
                                    break
                                }
                                k = Int(node.left) + (p[Int(node.attribute)] < node.value ? 0 : 1)
                            }
                        }
                    }
                }
            }
        }
        let trees = Double(roots.count)
        return sums.array.map { $0 / trees }
    }

    /// Anomaly scores s = 2^(−E[h(x)] / c(ψ)) of `points`; larger is more anomalous.
    public func scores(_ points: PointMatrix,
                       threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> [Double] {
        let normalizer = Self.averagePathLength(sampleSize)
        return try meanPathLengths(points, threads: threads).map { exp2(-$0 / normalizer) }
    }

    /// c(n): the average path length of an unsuccessful search in a binary
    /// search tree of n points, 2H(n−1) − 2(n−1)/n with H(i) ≈ ln i + γ.
    /// c(0) = c(1) = 0 and c(2) = 1 exactly (as scikit-learn), where the
    /// harmonic approximation would be poor.
    public static func averagePathLength(_ n: Int) -> Double {
        if n <= 1 { return 0 }
        if n == 2 { return 1 }
        let m = Double(n - 1)
        return 2 * (log(m) + 0.5772156649) - 2 * m / Double(n)
    }

    /// Nodes in all trees (memory is 12 bytes a node).
    public var nodeCount: Int { nodes.count }
}

/// One node, 12 bytes. Inner node: `attribute` ≥ 0, points with
/// x[attribute] < value go to `left`, the others to `left + 1`. External
/// node: `attribute` = −1 and `value` is its path length depth + c(size).
struct IsolationNode: Sendable, Equatable {
    var attribute: Int32
    var value: Float
    var left: Int32

    static func external(pathLength: Double) -> IsolationNode {
        IsolationNode(attribute: -1, value: Float(pathLength), left: -1)
    }

    func shifted(by offset: Int32) -> IsolationNode {
        attribute < 0 ? self : IsolationNode(attribute: attribute, value: value, left: left + offset)
    }
}
