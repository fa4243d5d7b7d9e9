/// Bins of the histogram `median` narrows the ranks with.
let medianHistogramBins = 2048

/// Median with NumPy's convention (mean of the two middle values for even
/// counts), exact and in linear time: the S/N of every spectrum is a median of
/// ~8000 pixels, and sorting, then branchy quickselect, were the largest costs
/// of ingest. Reorders `values`.
public func median(_ values: inout [Double]) -> Double {
    precondition(!values.isEmpty)
    var scratch = [Double](repeating: 0, count: values.count)
    var binOf = [UInt16](repeating: 0, count: values.count)
    var histogram = [Int32](repeating: 0, count: medianHistogramBins + 2)
    return values.withUnsafeMutableBufferPointer { v in
        scratch.withUnsafeMutableBufferPointer { s in
            binOf.withUnsafeMutableBufferPointer { b in
                histogram.withUnsafeMutableBufferPointer { h in
                    median(v, scratch: s.baseAddress!, binOf: b.baseAddress!, histogram: h.baseAddress!)
                }
            }
        }
    }
}

/// The median (NumPy's convention) of finite `values` with caller-provided
/// scratch (`values.count` values and bin numbers) and histogram
/// (`medianHistogramBins + 2` counts): allocates nothing. Here rather than
/// at the caller so that `middleValues` is specialized for Double even
/// without whole-module optimization (debug and test builds). Reorders `values`.
func median(_ values: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutablePointer<Double>,
            binOf: UnsafeMutablePointer<UInt16>, histogram: UnsafeMutablePointer<Int32>) -> Double {
    let (low, high) = middleValues(values, finiteCount: values.count, scratch: scratch, binOf: binOf,
                                   histogram: histogram)
    return values.count % 2 == 1 ? high : 0.5 * (low + high)
}

/// The two middle order statistics (equal ranks for an odd count) of the
/// `finiteCount` finite values of a buffer whose other values are +∞ (pixels
/// without a measurement, left in place rather than packed out), with
/// caller-provided scratch (`values.count` values and bin numbers) and
/// histogram (`medianHistogramBins + 2` counts), so it allocates nothing.
/// The median is their mean, or the middle values of any increasing function
/// of the values mapped back (the S/N takes them squared). Reorders `values`.
func middleValues<T: BinaryFloatingPoint>(_ values: UnsafeMutableBufferPointer<T>, finiteCount: Int,
                                          scratch: UnsafeMutablePointer<T>, binOf: UnsafeMutablePointer<UInt16>,
                                          histogram: UnsafeMutablePointer<Int32>) -> (low: T, high: T) {
    let n = finiteCount
    precondition(n > 0 && n <= values.count)
    // The infinities sort last, so these ranks among all values are the
    // finite values' middle ranks.
    let upperRank = n / 2, lowerRank = n % 2 == 0 ? n / 2 - 1 : n / 2
    if n >= 512, let m = histogramOrderStatistics(values, lower: lowerRank, upper: upperRank,
                                                  scratch: scratch, binOf: binOf, counts: histogram) {
        return m
    }
    return middleOfSelection(values, lower: lowerRank, upper: upperRank)
}

/// The order statistics at `lower` and `upper`, through a histogram
/// over the central range of a 64-value sample: one pass counts values per
/// bin, a second keeps only the bins holding the two ranks, and selection
/// finishes on those few values. Nil when the ranks fall outside the range (an
/// unrepresentative sample), for the caller to select on everything.
private func histogramOrderStatistics<T: BinaryFloatingPoint>(
    _ values: UnsafeMutableBufferPointer<T>, lower: Int, upper: Int, scratch: UnsafeMutablePointer<T>,
    binOf: UnsafeMutablePointer<UInt16>, counts c: UnsafeMutablePointer<Int32>
) -> (low: T, high: T)? {
    let n = values.count
    var sample = (0..<64).map { values[$0 * n / 64] }
    for i in 1..<64 {  // insertion sort of 64 values
        let x = sample[i]
        var j = i - 1
        while j >= 0 && sample[j] > x { sample[j + 1] = sample[j]; j -= 1 }
        sample[j + 1] = x
    }
    // The histogram spans the sample's central 86 %, of its finite values only.
    let finite = sample.firstIndex { $0 == .infinity } ?? 64
    guard finite >= 16 else { return nil }
    let lo = Double(sample[finite * 4 / 64]), hi = Double(sample[finite * 59 / 64])
    guard hi > lo, lo.isFinite, hi.isFinite else { return nil }
    let bins = medianHistogramBins
    let scale = Double(bins) / (hi - lo), top = Double(bins)
    // Bin 0: below lo; 1…bins: the range; bins + 1: at or above hi. The bin
    // is the clamped position rounded by adding 1.5·2⁵² (its low bits are
    // then the integer): monotonic like flooring, but free of Int(Double)'s
    // range checks, so this loop vectorizes.
    let magic = 0x1.8p52
    for i in 0..<n {
        let position = min(max((Double(values[i]) - lo) * scale, -1), top) + 1
        binOf[i] = UInt16(truncatingIfNeeded: (position + magic).bitPattern)
    }
    c.initialize(repeating: 0, count: bins + 2)
    for i in 0..<n { c[Int(binOf[i])] &+= 1 }
    var before = 0, first = 0
    while before + Int(c[first]) <= lower { before += Int(c[first]); first += 1 }
    var last = first, through = before + Int(c[first])
    while through <= upper { last += 1; through += Int(c[last]) }
    guard first > 0, last <= bins else { return nil }
    let wanted = through - before
    var k = 0
    // One unsigned range test: as two comparisons the compiler may branch on
    // each, and each goes either way for half the values (mispredicted).
    let span = UInt16(truncatingIfNeeded: last &- first), low = UInt16(truncatingIfNeeded: first)
    for i in 0..<n {
        if binOf[i] &- low <= span {
            scratch[k] = values[i]
            k += 1
            if k == wanted { break }
        }
    }
    return middleOfSelection(UnsafeMutableBufferPointer(start: scratch, count: k),
                             lower: lower - before, upper: upper - before)
}

/// The order statistics at `lower` and `upper` (equal or adjacent ranks).
private func middleOfSelection<T: BinaryFloatingPoint>(_ v: UnsafeMutableBufferPointer<T>, lower: Int,
                                                        upper: Int) -> (low: T, high: T) {
    let high = select(v, upper)
    guard lower < upper else { return (high, high) }
    // After selection every element left of `upper` is ≤ the upper value.
    var low = v[0]
    for i in 1..<upper where v[i] > low { low = v[i] }
    return (low, high)
}

/// Moves the k-th smallest element to index k (smaller ones before it) and
/// returns it: Hoare partitioning around a median-of-three pivot.
private func select<T: BinaryFloatingPoint>(_ v: UnsafeMutableBufferPointer<T>, _ k: Int) -> T {
    var lo = 0, hi = v.count - 1
    while hi > lo {
        let mid = lo + (hi - lo) / 2
        if v[mid] < v[lo] { v.swapAt(mid, lo) }
        if v[hi] < v[lo] { v.swapAt(hi, lo) }
        if v[hi] < v[mid] { v.swapAt(hi, mid) }
        let pivot = v[mid]
        var i = lo, j = hi
        while i <= j {
            while v[i] < pivot { i += 1 }
            while v[j] > pivot { j -= 1 }
            if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
        }
        if k <= j { hi = j } else if k >= i { lo = i } else { break }
    }
    return v[k]
}
