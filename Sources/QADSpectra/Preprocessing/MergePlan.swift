/// How the pixels of a set of arms merge (docs/preprocessing.md §2), worked
/// out from the wavelengths alone: which input pixels form each merged pixel,
/// the merged wavelengths and the observed pixel edges the rebinning uses.
/// Every row of a DESI file shares its arms' wavelength grids, so ingest builds
/// one plan per file and applies it to each row (`Preprocessor.process(_:plan:arms:workspace:)`).
public struct MergePlan: Sendable {
    /// One step of the merge, in merged-pixel order.
    enum Step: Sendable {
        /// `count` merged pixels, each a single pixel of `arm`, from `input` (the
        /// arm's pixel index) and `merged` (the merged index) on, both consecutive.
        case run(arm: Int, input: Int, merged: Int, count: Int)
        /// `count` merged pixels, each the pair of pixel `firstInput + k` of arm
        /// `firstArm` and `secondInput + k` of the adjacent arm `secondArm`, in
        /// that (merge) order: where two arms overlap on one wavelength grid.
        case pairs(firstArm: Int, firstInput: Int, secondArm: Int, secondInput: Int, merged: Int, count: Int)
        /// One merged pixel made of `members[first..<first+count]`, in merge order.
        case group(merged: Int, first: Int, count: Int)
    }

    /// Pixels per arm, as the plan expects them.
    public let armSizes: [Int]
    /// Merged wavelengths (strictly increasing up to the tolerance).
    public let wavelength: [Double]
    /// Observed edges of each merged pixel: midpoints between neighbours, half a
    /// spacing beyond the end pixels (as `RestFrameRebinner` defines them).
    let lowEdge: [Double]
    let highEdge: [Double]
    /// highEdge − lowEdge (as float32, for the merge's rebinning sums), and its inverse.
    let width: [Float]
    let inverseWidth: [Double]
    let steps: [Step]
    /// (arm, pixel index) of the members of multi-pixel groups.
    let members: [(arm: Int, index: Int)]

    public var count: Int { wavelength.count }
    public var totalInput: Int { armSizes.reduce(0, +) }

    /// The plan for arms with these wavelengths. Arms need not be ascending:
    /// each is ordered stably, then they are merged, ties taking the earlier arm
    /// (the order `ArmMerger` always used).
    public init(wavelengths: [[Double]]) {
        armSizes = wavelengths.map(\.count)
        // Merge order: a stable sort of all pixels by wavelength, as a k-way merge
        // of the arms (each ascending, or sorted stably first).
        let orders: [[Int]] = wavelengths.map { w in
            Self.isAscending(w) ? Array(w.indices) : w.indices.sorted { (w[$0], $0) < (w[$1], $1) }
        }
        var sequence: [(arm: Int, index: Int)] = []
        sequence.reserveCapacity(armSizes.reduce(0, +))
        var cursor = [Int](repeating: 0, count: wavelengths.count)
        while true {
            var best = -1
            var bestWave = 0.0
            for a in wavelengths.indices where cursor[a] < orders[a].count {
                let w = wavelengths[a][orders[a][cursor[a]]]
                if best < 0 || w < bestWave { best = a; bestWave = w }
            }
            guard best >= 0 else { break }
            sequence.append((best, orders[best][cursor[best]]))
            cursor[best] += 1
        }

        // Groups: consecutive pixels closer than the tolerance to the previous one.
        var steps: [Step] = []
        var members: [(arm: Int, index: Int)] = []
        var wave: [Double] = []
        wave.reserveCapacity(sequence.count)
        var k = 0
        while k < sequence.count {
            var end = k + 1
            var previous = wavelengths[sequence[k].arm][sequence[k].index]
            while end < sequence.count {
                let w = wavelengths[sequence[end].arm][sequence[end].index]
                guard w - previous < ArmMerger.sameWavelengthTolerance else { break }
                previous = w
                end += 1
            }
            let merged = wave.count
            wave.append(wavelengths[sequence[k].arm][sequence[k].index])
            if end - k == 1 {
                let (arm, index) = sequence[k]
                // Extend the previous run when this pixel continues it.
                if case let .run(a, i, m, c)? = steps.last, a == arm, i + c == index, m + c == merged {
                    steps[steps.count - 1] = .run(arm: a, input: i, merged: m, count: c + 1)
                } else {
                    steps.append(.run(arm: arm, input: index, merged: merged, count: 1))
                }
            } else if end - k == 2, abs(sequence[k].arm - sequence[k + 1].arm) == 1 {
                let (a1, i1) = sequence[k], (a2, i2) = sequence[k + 1]
                // Extend the previous pair run when this pair continues it.
                if case let .pairs(p1, j1, p2, j2, m, c)? = steps.last, p1 == a1, p2 == a2,
                   j1 + c == i1, j2 + c == i2, m + c == merged {
                    steps[steps.count - 1] = .pairs(firstArm: p1, firstInput: j1, secondArm: p2, secondInput: j2,
                                                    merged: m, count: c + 1)
                } else {
                    steps.append(.pairs(firstArm: a1, firstInput: i1, secondArm: a2, secondInput: i2,
                                        merged: merged, count: 1))
                }
            } else {
                steps.append(.group(merged: merged, first: members.count, count: end - k))
                members += sequence[k..<end]
            }
            k = end
        }
        self.wavelength = wave
        self.steps = steps
        self.members = members

        (lowEdge, highEdge) = Self.pixelEdges(wave)
        width = zip(lowEdge, highEdge).map { Float($1 - $0) }
        inverseWidth = zip(lowEdge, highEdge).map { 1 / ($1 - $0) }
    }

    /// Observed edges of pixels at wavelengths `w`: midpoints between
    /// neighbours, half a spacing beyond the end pixels (none for fewer than 2).
    static func pixelEdges(_ w: [Double]) -> (low: [Double], high: [Double]) {
        let n = w.count
        guard n >= 2 else { return ([], []) }
        var lo = [Double](repeating: 0, count: n), hi = [Double](repeating: 0, count: n)
        for i in 0..<n {
            lo[i] = i == 0 ? w[0] - 0.5 * (w[1] - w[0]) : 0.5 * (w[i - 1] + w[i])
            hi[i] = i == n - 1 ? w[n - 1] + 0.5 * (w[n - 1] - w[n - 2]) : 0.5 * (w[i] + w[i + 1])
        }
        return (lo, hi)
    }

    static func isAscending(_ w: [Double]) -> Bool {
        var i = 1
        while i < w.count {
            if !(w[i] >= w[i - 1]) { return false }
            i += 1
        }
        return true
    }
}
