import QADCore

/// A spectrum ready for the cache: normalized rest-frame flux and weight plus
/// the catalog columns that describe it.
public struct PreprocessedSpectrum: Sendable {
    public var info: TargetInfo
    public var survey: String
    public var sourceFile: String
    public var sourceHDU: String
    public var sourceRow: Int
    /// Normalized flux on the rest grid (0 where not covered).
    public var flux: [Float]
    /// Inverse variance of the normalized flux (0 where not covered).
    public var weight: [Float]
    public var amplitude: Double
    public var snr: Double
    public var maskFraction: Double
    public var zeroIvarFraction: Double
    public var armStep: Double
    public var coveredBins: Int
    public var flags: QualityFlags
    /// Non-fatal problems (e.g. corrupt pixels zeroed) to report.
    public var warnings: [InputProblem]
}

/// Merge → rest-frame rebin → amplitude fit → quality metrics
/// (docs/preprocessing.md). Stateless and thread-safe.
public struct Preprocessor: Sendable {
    public let rebinner: RestFrameRebinner
    /// Reference quasar spectrum on the grid, for the amplitude fit.
    public let reference: [Double]

    public init(grid: RestGrid = .standard, reference: [Double]) {
        precondition(reference.count == grid.count, "reference must be sampled on the grid")
        self.rebinner = RestFrameRebinner(grid: grid)
        self.reference = reference
    }

    /// Preprocesses one spectrum; throws an `InputProblem` naming the file and
    /// row when the spectrum cannot be used.
    public func process(_ s: ObservedSpectrum) throws(InputProblem) -> PreprocessedSpectrum {
        func problem(_ column: String?, _ message: String) -> InputProblem {
            InputProblem(file: s.sourceFile, hdu: s.sourceHDU, column: column, row: s.sourceRow,
                         message: "TARGETID \(s.info.targetID): \(message)")
        }
        let z = s.info.z
        guard z.isFinite, z > 0 else { throw problem("Z", "redshift \(z) is not a positive number") }
        for arm in s.arms {
            let n = arm.wavelength.count
            guard arm.flux.count == n, arm.ivar.count == n, arm.mask.count == n else {
                throw problem(arm.name, "arrays of different lengths (wavelength \(n), flux \(arm.flux.count), ivar \(arm.ivar.count), mask \(arm.mask.count))")
            }
            guard arm.wavelength.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw problem(arm.name, "non-finite or non-positive wavelengths")
            }
        }

        let merged = ArmMerger.merge(s.arms)
        let counts = merged.counts
        var warnings: [InputProblem] = []
        var flags: QualityFlags = []
        if counts.badValues > 0 {
            flags.insert(.badValues)
            warnings.append(problem("FLUX/IVAR", "\(counts.badValues) pixels with negative IVAR or non-finite values given weight 0"))
        }

        // S/N: median of flux·√ivar over good merged pixels (numpy median convention).
        var pixelSNR = Self.pixelSNR(merged.spectrum)
        guard !pixelSNR.isEmpty else { throw problem("IVAR", "no valid pixel (all masked, zero ivar or non-finite)") }
        let snr = median(&pixelSNR)

        let (flux, ivar) = rebinner.rebin(merged.spectrum, z: z)
        var num = 0.0, den = 0.0, covered = 0
        for j in 0..<flux.count where ivar[j] > 0 {
            num += ivar[j] * flux[j] * reference[j]
            den += ivar[j] * reference[j] * reference[j]
            covered += 1
        }
        guard covered > 0, den > 0 else {
            throw problem(nil, "no rest-frame bin covered at z = \(z)")
        }
        let amplitude = num / den
        guard amplitude.isFinite, amplitude > 0 else {
            throw problem("FLUX", "fitted amplitude \(amplitude) is not positive")
        }
        var normFlux = [Float](repeating: 0, count: flux.count)
        var weight = [Float](repeating: 0, count: flux.count)
        let a2 = amplitude * amplitude
        for j in 0..<flux.count where ivar[j] > 0 {
            normFlux[j] = Float(flux[j] / amplitude)
            weight[j] = Float(ivar[j] * a2)
        }

        let maskFraction = counts.total > 0 ? Double(counts.masked) / Double(counts.total) : 0
        let zeroFraction = counts.total > 0 ? Double(counts.zeroIvar) / Double(counts.total) : 0
        if snr < 1 { flags.insert(.lowSNR) }
        if maskFraction > 0.2 { flags.insert(.manyMasked) }
        if abs(merged.armStep) > 5 { flags.insert(.armStep) }
        if covered < 300 { flags.insert(.fewBins) }

        return PreprocessedSpectrum(
            info: s.info, survey: s.survey, sourceFile: s.sourceFile, sourceHDU: s.sourceHDU,
            sourceRow: s.sourceRow, flux: normFlux, weight: weight, amplitude: amplitude, snr: snr,
            maskFraction: maskFraction, zeroIvarFraction: zeroFraction, armStep: merged.armStep,
            coveredBins: covered, flags: flags, warnings: warnings)
    }
}

extension Preprocessor {
    /// flux·√ivar of the good pixels (ivar > 0), whose median is a spectrum's S/N.
    public static func pixelSNR(_ m: MergedSpectrum) -> [Double] {
        [Double](unsafeUninitializedCapacity: m.flux.count) { buffer, count in
            var k = 0
            for i in 0..<m.flux.count where m.ivar[i] > 0 {
                buffer[k] = m.flux[i] * m.ivar[i].squareRoot()
                k += 1
            }
            count = k
        }
    }
}

/// Median with NumPy's convention (mean of the two middle values for even
/// counts), exact and in linear time: the S/N of every spectrum is a median of
/// ~8000 pixels, and sorting, then branchy quickselect, were the largest costs
/// of ingest. Reorders `values`.
public func median(_ values: inout [Double]) -> Double {
    precondition(!values.isEmpty)
    let n = values.count
    let upperRank = n / 2, lowerRank = n % 2 == 0 ? n / 2 - 1 : n / 2
    if n >= 512, let m = histogramOrderStatistics(values, lower: lowerRank, upper: upperRank) { return m }
    return middleOfSelection(&values, lower: lowerRank, upper: upperRank)
}

/// The mean of the order statistics at `lower` and `upper`, through a histogram
/// over the central range of a 64-value sample: one pass counts values per
/// bin, a second keeps only the bins holding the two ranks, and selection
/// finishes on those few values. Nil when the ranks fall outside the range (an
/// unrepresentative sample), for the caller to select on everything.
private func histogramOrderStatistics(_ values: [Double], lower: Int, upper: Int) -> Double? {
    let n = values.count
    var sample = [Double](repeating: 0, count: 64)
    for i in 0..<64 { sample[i] = values[i * n / 64] }
    for i in 1..<64 {  // insertion sort of 64 values
        let x = sample[i]
        var j = i - 1
        while j >= 0 && sample[j] > x { sample[j + 1] = sample[j]; j -= 1 }
        sample[j + 1] = x
    }
    let lo = sample[4], hi = sample[59]
    guard hi > lo, lo.isFinite, hi.isFinite else { return nil }
    let bins = 2048
    let scale = Double(bins) / (hi - lo), top = Double(bins)
    // Bin 0: below lo; 1…bins: the range; bins + 1: at or above hi. Branch-free.
    @inline(__always) func bin(_ x: Double) -> Int { Int(min(max((x - lo) * scale, -1), top) + 1) }
    var counts = [Int32](repeating: 0, count: bins + 2)
    values.withUnsafeBufferPointer { v in
        counts.withUnsafeMutableBufferPointer { c in
            for x in v { c[bin(x)] &+= 1 }
        }
    }
    var before = 0, first = 0
    while before + Int(counts[first]) <= lower { before += Int(counts[first]); first += 1 }
    var last = first, through = before + Int(counts[first])
    while through <= upper { last += 1; through += Int(counts[last]) }
    guard first > 0, last <= bins else { return nil }
    let wanted = through - before
    var kept = values.withUnsafeBufferPointer { v in
        [Double](unsafeUninitializedCapacity: wanted) { buffer, count in
            var k = 0
            for x in v {
                let i = bin(x)
                if i >= first && i <= last {
                    buffer[k] = x
                    k += 1
                    if k == wanted { break }
                }
            }
            count = k
        }
    }
    return middleOfSelection(&kept, lower: lower - before, upper: upper - before)
}

/// Mean of the order statistics at `lower` and `upper` (equal or adjacent ranks).
private func middleOfSelection(_ values: inout [Double], lower: Int, upper: Int) -> Double {
    values.withUnsafeMutableBufferPointer { v in
        let high = select(v, upper)
        guard lower < upper else { return high }
        // After selection every element left of `upper` is ≤ the upper value.
        var low = v[0]
        for i in 1..<upper where v[i] > low { low = v[i] }
        return 0.5 * (low + high)
    }
}

/// Moves the k-th smallest element to index k (smaller ones before it) and
/// returns it: Hoare partitioning around a median-of-three pivot.
private func select(_ v: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
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
