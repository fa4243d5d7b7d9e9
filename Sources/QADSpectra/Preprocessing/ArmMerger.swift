import QADCore

/// A spectrum on one strictly increasing observed wavelength axis; ivar 0 marks
/// pixels that carry no information.
public struct MergedSpectrum: Sendable {
    public var wavelength: [Double]
    public var flux: [Double]
    public var ivar: [Double]
}

/// Pixel counts over all input arms, for the quality columns.
public struct PixelCounts: Sendable, Equatable {
    public var total = 0
    public var masked = 0
    /// ivar ≤ 0 or not finite.
    public var zeroIvar = 0
    /// Negative ivar or non-finite flux/ivar: corrupt values zeroed on input.
    public var badValues = 0
}

/// Merges B/R/Z arms (docs/preprocessing.md §2): sort by wavelength, combine
/// the pixels two arms share by inverse variance, and measure the flux step
/// where the arms overlap.
public enum ArmMerger {
    /// Pixels closer than this are the same wavelength seen by two arms.
    public static let sameWavelengthTolerance = 0.01

    public struct Result: Sendable {
        public var spectrum: MergedSpectrum
        public var counts: PixelCounts
        /// Largest |step| (signed, in σ) between arms where they overlap; 0 without overlap.
        public var armStep: Double
    }

    public static func merge(_ input: [ArmSpectrum]) -> Result {
        // Arms are normally ascending already; sort any that is not (stably).
        let arms = input.map { isAscending($0.wavelength) ? $0 : sortedArm($0) }
        let n = arms.reduce(0) { $0 + $1.wavelength.count }
        var state = MergeState(capacity: n, joins: max(arms.count - 1, 0))
        state.counts.total = n

        // k-way merge of the ascending arms; ties take the earlier arm first.
        var cursor = [Int](repeating: 0, count: arms.count)
        while true {
            var best = -1
            var bestWave = 0.0
            for a in arms.indices where cursor[a] < arms[a].wavelength.count {
                let w = arms[a].wavelength[cursor[a]]
                if best < 0 || w < bestWave { best = a; bestWave = w }
            }
            guard best >= 0 else { break }
            // Take the whole run of this arm that precedes every other arm's next pixel.
            var limit = Double.infinity
            for a in arms.indices where a != best && cursor[a] < arms[a].wavelength.count {
                let w = arms[a].wavelength[cursor[a]]
                limit = min(limit, a < best ? w.nextDown : w)
            }
            cursor[best] = state.take(arms[best], arm: best, from: cursor[best], upTo: limit)
        }
        state.flush()
        return state.result()
    }

    static func isAscending(_ w: [Double]) -> Bool {
        var i = 1
        while i < w.count {
            if !(w[i] >= w[i - 1]) { return false }
            i += 1
        }
        return true
    }

    /// The arm with its pixels in ascending wavelength order (stable on ties).
    static func sortedArm(_ s: ArmSpectrum) -> ArmSpectrum {
        let order = s.wavelength.indices.sorted { (s.wavelength[$0], $0) < (s.wavelength[$1], $1) }
        return ArmSpectrum(name: s.name, wavelength: order.map { s.wavelength[$0] }, flux: order.map { s.flux[$0] },
                           ivar: order.map { s.ivar[$0] }, mask: order.map { s.mask[$0] })
    }
}

/// Accumulators of one merge: the merged output, the group of pixels that share
/// a wavelength, and the arm-join sums. A struct with mutating methods over raw
/// buffers (not closures over local arrays) keeps the per-pixel loop free of
/// runtime exclusivity and copy-on-write checks. `result()` releases the buffers.
private struct MergeState {
    let wave: UnsafeMutableBufferPointer<Double>
    let flux: UnsafeMutableBufferPointer<Double>
    let ivar: UnsafeMutableBufferPointer<Double>
    var count = 0
    var counts = PixelCounts()
    /// Per join between arm j and j+1: Σivar, Σivar·flux of arm j, then of arm j+1.
    var joinSums: [Double]
    /// Members of the current group; a group can only outgrow the arm count for
    /// pathological input (pixels closer than the tolerance within one arm).
    var groupArm: UnsafeMutableBufferPointer<Int>
    var groupFlux: UnsafeMutableBufferPointer<Double>
    var groupIvar: UnsafeMutableBufferPointer<Double>
    var groupCount = 0
    var groupWave = 0.0
    var previousWave = -Double.infinity

    init(capacity: Int, joins: Int) {
        wave = .allocate(capacity: max(capacity, 1))
        flux = .allocate(capacity: max(capacity, 1))
        ivar = .allocate(capacity: max(capacity, 1))
        joinSums = [Double](repeating: 0, count: 4 * joins)
        groupArm = .allocate(capacity: 8)
        groupFlux = .allocate(capacity: 8)
        groupIvar = .allocate(capacity: 8)
    }

    /// Adds pixels of `s` from index `start` while their wavelength is ≤ `limit`
    /// (at least one); returns the index after the last one taken.
    mutating func take(_ s: ArmSpectrum, arm: Int, from start: Int, upTo limit: Double) -> Int {
        s.wavelength.withUnsafeBufferPointer { w in
        s.flux.withUnsafeBufferPointer { f in
        s.ivar.withUnsafeBufferPointer { iv in
        s.mask.withUnsafeBufferPointer { mk in
            var i = start
            repeat {
                let fv = Double(f[i]), iv0 = Double(iv[i])
                let masked = mk[i] != 0
                let finite = fv.isFinite && iv0.isFinite
                if masked { counts.masked += 1 }
                if !finite || iv0 < 0 { counts.badValues += 1 }
                if !(iv0 > 0) || !iv0.isFinite { counts.zeroIvar += 1 }
                let good = !masked && finite && iv0 > 0
                let wave = w[i]
                if !(wave - previousWave < ArmMerger.sameWavelengthTolerance) {
                    flush()
                    groupWave = wave
                }
                previousWave = wave
                addToGroup(arm: arm, flux: good ? fv : 0, ivar: good ? iv0 : 0)
                i += 1
            } while i < w.count && w[i] <= limit
            return i
        }}}}
    }

    private mutating func addToGroup(arm: Int, flux f: Double, ivar iv: Double) {
        if groupCount == groupArm.count {
            groupArm = grow(groupArm)
            groupFlux = grow(groupFlux)
            groupIvar = grow(groupIvar)
        }
        groupArm[groupCount] = arm
        groupFlux[groupCount] = f
        groupIvar[groupCount] = iv
        groupCount += 1
    }

    private func grow<T>(_ b: UnsafeMutableBufferPointer<T>) -> UnsafeMutableBufferPointer<T> {
        let bigger = UnsafeMutableBufferPointer<T>.allocate(capacity: 2 * b.count)
        _ = bigger.initialize(from: b)
        b.deallocate()
        return bigger
    }

    /// Closes the current group: one merged pixel, and join sums for pixels
    /// that adjacent arms both measured well.
    @inline(__always)
    mutating func flush() {
        let m = groupCount
        guard m > 0 else { return }
        if m == 1 {
            // The common case, a pixel only one arm measured: no sums to form.
            wave[count] = groupWave
            flux[count] = groupFlux[0]
            ivar[count] = groupIvar[0]
            count += 1
            groupCount = 0
            return
        }
        var sumIvar = 0.0, sumIvarFlux = 0.0
        for k in 0..<m {
            sumIvar += groupIvar[k]
            sumIvarFlux += groupIvar[k] * groupFlux[k]
        }
        if m >= 2 {
            for p in 0..<m {
                for q in (p + 1)..<m {
                    let a1 = groupArm[p], a2 = groupArm[q]
                    guard abs(a2 - a1) == 1, groupIvar[p] > 0, groupIvar[q] > 0 else { continue }
                    let (lo, hi) = a1 < a2 ? (p, q) : (q, p)
                    let j = 4 * min(a1, a2)
                    joinSums[j] += groupIvar[lo]
                    joinSums[j + 1] += groupIvar[lo] * groupFlux[lo]
                    joinSums[j + 2] += groupIvar[hi]
                    joinSums[j + 3] += groupIvar[hi] * groupFlux[hi]
                }
            }
        }
        wave[count] = groupWave
        flux[count] = sumIvar > 0 ? sumIvarFlux / sumIvar : 0
        ivar[count] = sumIvar > 0 ? sumIvar : 0
        count += 1
        groupCount = 0
    }

    /// The merged spectrum; releases the buffers.
    func result() -> ArmMerger.Result {
        let spectrum = MergedSpectrum(wavelength: Array(wave.prefix(count)), flux: Array(flux.prefix(count)),
                                      ivar: Array(ivar.prefix(count)))
        for b in [wave, flux, ivar, groupFlux, groupIvar] { b.deallocate() }
        groupArm.deallocate()
        var step = 0.0
        for j in stride(from: 0, to: joinSums.count, by: 4) where joinSums[j] > 0 && joinSums[j + 2] > 0 {
            let m1 = joinSums[j + 1] / joinSums[j], m2 = joinSums[j + 3] / joinSums[j + 2]
            let value = (m2 - m1) / (1 / joinSums[j] + 1 / joinSums[j + 2]).squareRoot()
            if abs(value) > abs(step) { step = value }
        }
        return ArmMerger.Result(spectrum: spectrum, counts: counts, armStep: step)
    }
}
