/// A kd-tree over Float32 points: each inner node splits its points at the
/// median of the coordinate with the widest spread, down to leaves of at most
/// `leafSize` points (more only when all of a leaf's points are identical).
/// The points are stored again in tree order, so a leaf is one contiguous run
/// of memory, and every node keeps its bounding box for pruning.
struct KDTree: Sendable {
    struct Node: Sendable {
        /// Tree positions start..<end are this node's points.
        var start: Int32
        var end: Int32
        /// Children (−1 for a leaf).
        var left: Int32
        var right: Int32
    }

    let dimensions: Int
    /// Point coordinates in tree order.
    let data: [Float]
    /// The input row of the point at each tree position.
    let originalRow: [Int32]
    let nodes: [Node]
    /// Per node: d lower bounds, then d upper bounds.
    let boxes: [Float]

    init(_ points: PointMatrix, leafSize: Int) {
        let d = points.dimensions
        dimensions = d
        var builder = Builder(points: points, leafSize: max(1, leafSize))
        if points.count > 0 { _ = builder.build(start: 0, end: points.count) }
        originalRow = builder.order
        nodes = builder.nodes
        boxes = builder.boxes
        var reordered = [Float](repeating: 0, count: points.values.count)
        points.values.withUnsafeBufferPointer { src in
            for (position, row) in builder.order.enumerated() {
                for a in 0..<d { reordered[position * d + a] = src[Int(row) * d + a] }
            }
        }
        data = reordered
    }

    private struct Builder {
        let points: PointMatrix
        let leafSize: Int
        var order: [Int32]
        var nodes: [Node] = []
        var boxes: [Float] = []
        /// (coordinate, row) pairs of the node being split, for a contiguous select.
        var keys: [(Float, Int32)] = []

        init(points: PointMatrix, leafSize: Int) {
            self.points = points
            self.leafSize = leafSize
            order = (0..<Int32(points.count)).map { $0 }
            nodes.reserveCapacity(4 * points.count / leafSize + 1)
        }

        /// Builds the subtree over tree positions start..<end; returns its node number.
        mutating func build(start: Int, end: Int) -> Int32 {
            let d = points.dimensions
            let id = nodes.count
            nodes.append(Node(start: Int32(start), end: Int32(end), left: -1, right: -1))
            var lower = [Float](repeating: .infinity, count: d)
            var upper = [Float](repeating: -.infinity, count: d)
            points.values.withUnsafeBufferPointer { x in
                for i in start..<end {
                    let base = Int(order[i]) * d
                    for a in 0..<d {
                        lower[a] = min(lower[a], x[base + a])
                        upper[a] = max(upper[a], x[base + a])
                    }
                }
            }
            boxes.append(contentsOf: lower)
            boxes.append(contentsOf: upper)
            guard end - start > leafSize else { return Int32(id) }
            var widest = 0
            for a in 1..<d where upper[a] - lower[a] > upper[widest] - lower[widest] { widest = a }
            guard upper[widest] > lower[widest] else { return Int32(id) }  // all points identical
            let mid = (start + end) / 2
            splitAtMedian(start: start, end: end, mid: mid, attribute: widest)
            let left = build(start: start, end: mid)
            let right = build(start: mid, end: end)
            nodes[id].left = left
            nodes[id].right = right
            return Int32(id)
        }

        /// Reorders start..<end so that positions before `mid` hold the points
        /// with the smallest coordinates `attribute` (ties by row, so the tree
        /// is the same on every run).
        private mutating func splitAtMedian(start: Int, end: Int, mid: Int, attribute: Int) {
            let d = points.dimensions
            keys.removeAll(keepingCapacity: true)
            points.values.withUnsafeBufferPointer { x in
                for i in start..<end { keys.append((x[Int(order[i]) * d + attribute], order[i])) }
            }
            Self.select(&keys, rank: mid - start)
            for i in start..<end { order[i] = keys[i - start].1 }
        }

        /// Quickselect (Hoare partition, middle-of-three pivot): afterwards
        /// every element before `rank` is ≤ every element from `rank` on.
        private static func select(_ a: inout [(Float, Int32)], rank: Int) {
            @inline(__always) func less(_ x: (Float, Int32), _ y: (Float, Int32)) -> Bool {
                x.0 < y.0 || (x.0 == y.0 && x.1 < y.1)
            }
            var lo = 0, hi = a.count - 1
            while hi > lo {
                let m = lo + (hi - lo) / 2
                if less(a[m], a[lo]) { a.swapAt(m, lo) }
                if less(a[hi], a[lo]) { a.swapAt(hi, lo) }
                if less(a[hi], a[m]) { a.swapAt(hi, m) }
                let pivot = a[m]
                var i = lo, j = hi
                while i <= j {
                    while less(a[i], pivot) { i += 1 }
                    while less(pivot, a[j]) { j -= 1 }
                    if i <= j {
                        a.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                if rank <= j { hi = j } else if rank >= i { lo = i } else { return }
            }
        }
    }
}
