/// Where statistics that follow a running variable are computed: anchors
/// every window/4 positions along `count` ordered positions, each standing
/// for the `window` positions around it. A position between two anchors
/// takes their values interpolated linearly, so the statistic changes
/// smoothly along the running variable at a quarter of the cost of one
/// window per position. Used by `NuisanceCells.runningMedianMAD` (centre
/// and scale) and `RunningQuantile` (percentiles and quantiles).
struct RunningAnchors {
    let count: Int
    /// Positions per window (at most `count`).
    let window: Int
    /// Ordered positions of the anchors, the first 0 and the last count − 1.
    let positions: [Int]

    init(count: Int, window: Int) {
        self.count = count
        self.window = max(1, min(window, count))
        let stride = max(1, self.window / 4)
        var positions: [Int] = []
        var position = 0
        while count > 0 {
            positions.append(position)
            if position >= count - 1 { break }
            position = min(position + stride, count - 1)
        }
        self.positions = positions
    }

    /// The ordered positions anchor `a` stands for.
    func window(_ a: Int) -> Range<Int> {
        let lo = max(0, min(positions[a] - window / 2, count - window))
        return lo..<(lo + window)
    }

    /// Calls `body(p, a, t)` for every position p in order: a is the last
    /// anchor at or before p and t its weight towards the next anchor (0 after the last).
    func forEachPosition(_ body: (_ position: Int, _ anchor: Int, _ t: Double) -> Void) {
        var a = 0
        for p in 0..<count {
            while a + 1 < positions.count && positions[a + 1] <= p { a += 1 }
            let t = a + 1 < positions.count ? Double(p - positions[a]) / Double(positions[a + 1] - positions[a]) : 0
            body(p, a, t)
        }
    }

    /// An anchor value interpolated at (a, t): values[a] after the last anchor.
    func interpolate(_ values: [Double], _ a: Int, _ t: Double) -> Double {
        a + 1 < values.count ? values[a] + t * (values[a + 1] - values[a]) : values[a]
    }
}
