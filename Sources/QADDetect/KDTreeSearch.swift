/// One worker's depth-first k-NN search through a `KDTree`: children are
/// visited nearer box first, and a subtree is skipped when its bounding box is
/// farther than the current k-th candidate. Scratch space is reused across queries.
struct KDTreeSearch {
    let tree: KDTree
    let k: Int
    /// Current candidates, sorted by (squared Float distance, row).
    private var bestDistance: [Float]
    private var bestRow: [Int32]
    private var bestPosition: [Int32]
    private var stack: [(node: Int32, boxDistance: Float)] = []

    init(tree: KDTree, k: Int) {
        self.tree = tree
        self.k = k
        bestDistance = [Float](repeating: .infinity, count: k)
        bestRow = [Int32](repeating: .max, count: k)
        bestPosition = [Int32](repeating: -1, count: k)
        stack.reserveCapacity(128)
    }

    /// Finds the k nearest tree points of `query`, skipping tree position `excluded`.
    mutating func search(_ query: UnsafePointer<Float>, excluding excluded: Int) {
        let d = tree.dimensions, k = self.k
        for j in 0..<k {
            bestDistance[j] = .infinity
            bestRow[j] = .max
            bestPosition[j] = -1
        }
        tree.data.withUnsafeBufferPointer { dataBuffer in
        tree.boxes.withUnsafeBufferPointer { boxBuffer in
        tree.nodes.withUnsafeBufferPointer { nodes in
        tree.originalRow.withUnsafeBufferPointer { rows in
        bestDistance.withUnsafeMutableBufferPointer { bestD in
        bestRow.withUnsafeMutableBufferPointer { bestR in
        bestPosition.withUnsafeMutableBufferPointer { bestP in
            let data = dataBuffer.baseAddress!, boxes = boxBuffer.baseAddress!
            stack.removeAll(keepingCapacity: true)
            stack.append((0, 0))
            while let (nodeIndex, boxDistance) = stack.popLast() {
                // Equal to the k-th is still visited: a tie there may have a smaller row.
                if boxDistance > bestD[k - 1] { continue }
                let node = nodes[Int(nodeIndex)]
                if node.left < 0 {
                    for position in Int(node.start)..<Int(node.end) where position != excluded {
                        let dist = squaredDistance(query, data + position * d, d)
                        let worst = bestD[k - 1]
                        if dist > worst { continue }
                        let row = rows[position]
                        if dist == worst && row >= bestR[k - 1] { continue }
                        // Insert in order, dropping the old k-th.
                        var j = k - 1
                        while j > 0 && (bestD[j - 1] > dist || (bestD[j - 1] == dist && bestR[j - 1] > row)) {
                            bestD[j] = bestD[j - 1]
                            bestR[j] = bestR[j - 1]
                            bestP[j] = bestP[j - 1]
                            j -= 1
                        }
                        bestD[j] = dist
                        bestR[j] = row
                        bestP[j] = Int32(position)
                    }
                } else {
                    let l = node.left, r = node.right
                    let dl = boxSquaredDistance(query, boxes + Int(l) * 2 * d, d)
                    let dr = boxSquaredDistance(query, boxes + Int(r) * 2 * d, d)
                    let worst = bestD[k - 1]
                    // Nearer child on top of the stack, so it is searched first.
                    if dl <= dr {
                        if dr <= worst { stack.append((r, dr)) }
                        if dl <= worst { stack.append((l, dl)) }
                    } else {
                        if dl <= worst { stack.append((l, dl)) }
                        if dr <= worst { stack.append((r, dr)) }
                    }
                }
            }
        }}}}}}}
    }

    /// Writes the k candidates found by the last `search`, measured in Double
    /// and sorted by (distance, row).
    mutating func writeExact(_ query: UnsafePointer<Float>, distances: UnsafeMutablePointer<Double>,
                             rows: UnsafeMutablePointer<Int32>) {
        let d = tree.dimensions
        var found: [(Double, Int32)] = []
        found.reserveCapacity(k)
        tree.data.withUnsafeBufferPointer { data in
            for j in 0..<k {
                let p = data.baseAddress! + Int(bestPosition[j]) * d
                var s = 0.0
                for a in 0..<d {
                    let t = Double(query[a]) - Double(p[a])
                    s += t * t
                }
                found.append((s.squareRoot(), bestRow[j]))
            }
        }
        found.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        for j in 0..<k {
            distances[j] = found[j].0
            rows[j] = found[j].1
        }
    }
}

/// Squared Euclidean distance in Float, eight coordinates at a time.
@inline(__always)
private func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ d: Int) -> Float {
    var acc = SIMD8<Float>()
    var j = 0
    while j + 8 <= d {
        let t = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD8<Float>.self)
            - UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Float>.self)
        acc += t * t
        j += 8
    }
    var s = acc.sum()
    while j < d {
        let t = a[j] - b[j]
        s += t * t
        j += 1
    }
    return s
}

/// Squared distance from a point to a box (d lower bounds, then d upper), 0 inside.
@inline(__always)
private func boxSquaredDistance(_ x: UnsafePointer<Float>, _ box: UnsafePointer<Float>, _ d: Int) -> Float {
    var acc = SIMD8<Float>()
    var j = 0
    while j + 8 <= d {
        let v = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
        let lo = UnsafeRawPointer(box + j).loadUnaligned(as: SIMD8<Float>.self)
        let hi = UnsafeRawPointer(box + d + j).loadUnaligned(as: SIMD8<Float>.self)
        let t = pointwiseMax(pointwiseMax(lo - v, v - hi), SIMD8<Float>())
        acc += t * t
        j += 8
    }
    var s = acc.sum()
    while j < d {
        let t = max(box[j] - x[j], x[j] - box[d + j], 0)
        s += t * t
        j += 1
    }
    return s
}
