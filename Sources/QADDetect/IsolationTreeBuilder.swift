import QADCore

/// Grows one isolation tree: draws ψ distinct points, then splits recursively
/// on a random attribute at a value uniform between the node's min and max,
/// until a node holds one point, all its points are equal, or the height
/// limit is reached.
struct IsolationTreeBuilder {
    private let sampleSize: Int
    private let heightLimit: Int
    private let dimensions: Int
    private var rng: Xoshiro256StarStar
    /// The sub-sample, copied row-major so the splits scan a few kB.
    private var sample: [Float]
    /// Permutation of 0..<ψ partitioned in place as the tree grows.
    private var order: [Int32]
    private var nodes: [IsolationNode] = []
    private var lower: [Float]
    private var upper: [Float]
    private var candidates: [Int32]

    init(points: PointMatrix, sampleSize: Int, heightLimit: Int, seed: UInt64) {
        self.sampleSize = sampleSize
        self.heightLimit = heightLimit
        dimensions = points.dimensions
        rng = Xoshiro256StarStar(seed: seed)
        let d = points.dimensions
        lower = [Float](repeating: 0, count: d)
        upper = [Float](repeating: 0, count: d)
        candidates = []
        candidates.reserveCapacity(d)
        order = (0..<Int32(sampleSize)).map { $0 }
        sample = []
        sample.reserveCapacity(sampleSize * d)
        for row in Self.distinctRows(sampleSize, of: points.count, rng: &rng) {
            sample.append(contentsOf: points.values[(row * d)..<((row + 1) * d)])
        }
    }

    /// ψ distinct row numbers of 0..<n, in draw order (Floyd's algorithm would
    /// also do; rejection is simpler and ψ ≪ n in practice). When ψ = n this is
    /// a random permutation, i.e. the whole set.
    private static func distinctRows(_ count: Int, of n: Int, rng: inout Xoshiro256StarStar) -> [Int] {
        if count * 2 > n {
            var all = Array(0..<n)
            for i in 0..<count {  // partial Fisher–Yates shuffle
                all.swapAt(i, i + rng.drawBelow(n - i))
            }
            return Array(all[0..<count])
        }
        var seen = Set<Int>(minimumCapacity: count * 2)
        var rows: [Int] = []
        rows.reserveCapacity(count)
        while rows.count < count {
            let r = rng.drawBelow(n)
            if seen.insert(r).inserted { rows.append(r) }
        }
        return rows
    }

    mutating func grow() -> [IsolationNode] {
        nodes.reserveCapacity(2 * sampleSize)
        nodes.append(.external(pathLength: 0))
        split(node: 0, lo: 0, hi: sampleSize, depth: 0)
        return nodes
    }

    private mutating func split(node: Int, lo: Int, hi: Int, depth: Int) {
        let size = hi - lo
        if depth >= heightLimit || size <= 1 {
            nodes[node] = .external(pathLength: Double(depth) + IsolationForest.averagePathLength(size))
            return
        }
        let d = dimensions
        for a in 0..<d {
            lower[a] = .infinity
            upper[a] = -.infinity
        }
        for i in lo..<hi {
            let base = Int(order[i]) * d
            for a in 0..<d {
                let v = sample[base + a]
                lower[a] = min(lower[a], v)
                upper[a] = max(upper[a], v)
            }
        }
        // A constant attribute cannot separate anything: draw among the others
        // (as scikit-learn's random splitter does). All constant: a leaf.
        candidates.removeAll(keepingCapacity: true)
        for a in 0..<d where upper[a] > lower[a] { candidates.append(Int32(a)) }
        if candidates.isEmpty {
            nodes[node] = .external(pathLength: Double(depth) + IsolationForest.averagePathLength(size))
            return
        }
        let attribute = Int(candidates[rng.drawBelow(candidates.count)])
        let lo_ = lower[attribute], hi_ = upper[attribute]
        // Uniform in [min, max); x < value goes left. A value rounded down to
        // min would leave the left side empty, so it moves up one ulp (≤ max).
        var value = Float(Double(lo_) + rng.drawUnit() * (Double(hi_) - Double(lo_)))
        if value <= lo_ { value = lo_.nextUp }
        var mid = lo
        for i in lo..<hi where sample[Int(order[i]) * d + attribute] < value {
            order.swapAt(i, mid)
            mid += 1
        }
        let left = nodes.count
        nodes.append(.external(pathLength: 0))
        nodes.append(.external(pathLength: 0))
        nodes[node] = IsolationNode(attribute: Int32(attribute), value: value, left: Int32(left))
        split(node: left, lo: lo, hi: mid, depth: depth + 1)
        split(node: left + 1, lo: mid, hi: hi, depth: depth + 1)
    }
}

extension Xoshiro256StarStar {
    /// Uniform in [0, 1) with 53 random bits.
    fileprivate mutating func drawUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in 0..<bound (Lemire's multiply-shift with rejection: unbiased,
    /// and defined here so draws do not change with the standard library).
    fileprivate mutating func drawBelow(_ bound: Int) -> Int {
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }
}
