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
/// where the arms overlap. Which pixels combine is a `MergePlan`; this applies
/// it to one spectrum's values in a single pass that also counts bad pixels
/// and collects the per-pixel S/N.
public enum ArmMerger {
    /// Pixels closer than this are the same wavelength seen by two arms.
    public static let sameWavelengthTolerance = 0.01

    public struct Result: Sendable {
        public var spectrum: MergedSpectrum
        public var counts: PixelCounts
        /// Largest |step| (signed, in σ) between arms where they overlap; 0 without overlap.
        public var armStep: Double
    }

    /// What merging one spectrum into a workspace gave; the merged flux/ivar and
    /// the S/N of its `goodPixels` good pixels are in the workspace.
    struct Summary {
        var counts = PixelCounts()
        var armStep = 0.0
        var goodPixels = 0
    }

    public static func merge(_ input: [ArmSpectrum]) -> Result {
        let plan = MergePlan(wavelengths: input.map(\.wavelength))
        let workspace = PreprocessingWorkspace(bins: 1)
        let summary = withArmPixels(input) { merge(plan: plan, arms: $0, into: workspace) }
        let n = plan.count
        let spectrum = MergedSpectrum(wavelength: plan.wavelength,
                                      flux: Array(UnsafeBufferPointer(start: workspace.mergedFlux, count: n)),
                                      ivar: Array(UnsafeBufferPointer(start: workspace.mergedIvar, count: n)))
        return Result(spectrum: spectrum, counts: summary.counts, armStep: summary.armStep)
    }

    /// Runs `body` with pixel views of the arms' arrays.
    static func withArmPixels<R, E: Error>(_ arms: [ArmSpectrum], _ body: ([ArmPixels]) throws(E) -> R) throws(E) -> R {
        var views: [ArmPixels] = []
        func nest(_ k: Int) throws(E) -> R {
            guard k < arms.count else { return try body(views) }
            return try arms[k].flux.withUnsafeBufferPointer { f throws(E) in
                try arms[k].ivar.withUnsafeBufferPointer { iv throws(E) in
                    try arms[k].mask.withUnsafeBufferPointer { m throws(E) in
                        // Empty arrays have no base address; a dangling pointer is never read.
                        let fp = f.baseAddress ?? UnsafePointer(bitPattern: 8)!
                        let ip = iv.baseAddress ?? UnsafePointer(bitPattern: 8)!
                        let mp = m.baseAddress ?? UnsafePointer(bitPattern: 8)!
                        views.append(ArmPixels(flux: fp, ivar: ip, mask: .int64(mp)))
                        return try nest(k + 1)
                    }
                }
            }
        }
        return try nest(0)
    }

    /// Merges one spectrum's arms (laid out as `plan` expects) into the
    /// workspace's merged flux/ivar and per-pixel S/N.
    static func merge(plan: MergePlan, arms: [ArmPixels], into ws: PreprocessingWorkspace) -> Summary {
        ws.reserve(plan.count)
        let mflux = ws.mergedFlux, mivar = ws.mergedIvar, snr = ws.pixelSNR
        var summary = Summary()
        summary.counts.total = plan.totalInput
        var good = 0
        var masked = 0, zeroIvar = 0, bad = 0
        // Per join between arm j and j+1: Σivar, Σivar·flux of arm j, then of arm j+1.
        var joinSums = [Double](repeating: 0, count: 4 * max(arms.count - 1, 0))
        for step in plan.steps {
            switch step {
            case let .run(arm, input, merged, count):
                let a = arms[arm]
                let out = (flux: mflux + merged, ivar: mivar + merged, packed: snr)
                switch (a.mask, a.bigEndian) {
                case (.int64(let m), false):
                    mergeRun(NativeFloat.self, a, input, m + input, zero: 0, count: count, out, &good, &masked, &zeroIvar, &bad)
                case (.int64(let m), true):
                    mergeRun(BigEndianFloat.self, a, input, m + input, zero: 0, count: count, out, &good, &masked, &zeroIvar, &bad)
                case (.bits32(let m, let zero), false):
                    mergeRun(NativeFloat.self, a, input, m + input, zero: zero, count: count, out, &good, &masked, &zeroIvar, &bad)
                case (.bits32(let m, let zero), true):
                    mergeRun(BigEndianFloat.self, a, input, m + input, zero: zero, count: count, out, &good, &masked, &zeroIvar, &bad)
                }
            case let .group(merged, first, count):
                // Pixels two (rarely more) arms share: combine by inverse variance
                // and add the pairs both adjacent arms measured to the join sums.
                var sumIvar = 0.0, sumIvarFlux = 0.0
                for k in first..<(first + count) {
                    let (arm, i) = plan.members[k]
                    let (f, iv) = goodValues(arms[arm], i, masked: &masked, zeroIvar: &zeroIvar, bad: &bad)
                    sumIvar += iv
                    sumIvarFlux += iv * f
                }
                for p in first..<(first + count) {
                    for q in (p + 1)..<(first + count) {
                        let a1 = plan.members[p].arm, a2 = plan.members[q].arm
                        guard abs(a2 - a1) == 1 else { continue }
                        let v1 = value(arms[a1], plan.members[p].index), v2 = value(arms[a2], plan.members[q].index)
                        guard v1.ivar > 0, v2.ivar > 0 else { continue }
                        let (lo, hi) = a1 < a2 ? (v1, v2) : (v2, v1)
                        let j = 4 * min(a1, a2)
                        joinSums[j] += lo.ivar
                        joinSums[j + 1] += lo.ivar * lo.flux
                        joinSums[j + 2] += hi.ivar
                        joinSums[j + 3] += hi.ivar * hi.flux
                    }
                }
                let f = sumIvar > 0 ? sumIvarFlux / sumIvar : 0
                mflux[merged] = f
                mivar[merged] = sumIvar > 0 ? sumIvar : 0
                if sumIvar > 0 {
                    snr[good] = f * sumIvar.squareRoot()
                    good += 1
                }
            }
        }
        summary.counts.masked = masked
        summary.counts.zeroIvar = zeroIvar
        summary.counts.badValues = bad
        summary.goodPixels = good
        for j in stride(from: 0, to: joinSums.count, by: 4) where joinSums[j] > 0 && joinSums[j + 2] > 0 {
            let m1 = joinSums[j + 1] / joinSums[j], m2 = joinSums[j + 3] / joinSums[j + 2]
            let value = (m2 - m1) / (1 / joinSums[j] + 1 / joinSums[j + 2]).squareRoot()
            if abs(value) > abs(summary.armStep) { summary.armStep = value }
        }
        return summary
    }

    /// Pixels that only one arm measured: copied with weight 0 unless good,
    /// counted, and their S/N appended. Branch-free but for the loop.
    @inline(__always)
    private static func mergeRun<F: StoredFloat, M: FixedWidthInteger>(
        _: F.Type, _ a: ArmPixels, _ input: Int, _ mk: UnsafePointer<M>, zero: M, count: Int,
        _ out: (flux: UnsafeMutablePointer<Double>, ivar: UnsafeMutablePointer<Double>, packed: UnsafeMutablePointer<Double>),
        _ good: inout Int, _ masked: inout Int, _ zeroIvar: inout Int, _ bad: inout Int
    ) {
        let fx = a.flux + 4 * input, iv = a.ivar + 4 * input
        let flux = out.flux, ivar = out.ivar, snr = out.packed
        var g = good, nm = 0, nz = 0, nb = 0
        for i in 0..<count {
            let f = F.load(fx, i), v = F.load(iv, i)
            // The tests on the bits of the float32 values, without branches:
            // finite = exponent not all ones; 0 < v < ∞ = positive as Int32 below ∞.
            let fb = f.bitPattern, vb = Int32(bitPattern: v.bitPattern)
            let fFinite = fb & 0x7f80_0000 != 0x7f80_0000
            let vFinite = UInt32(bitPattern: vb) & 0x7f80_0000 != 0x7f80_0000
            let positive = vb > 0 && vb < 0x7f80_0000
            let negative = vb < 0 && vb != Int32.min  // below 0 (−0 is not); NaN is counted as not finite
            let isMasked = mk[i] != zero
            nm &+= isMasked ? 1 : 0
            nb &+= (!(fFinite && vFinite) || negative) ? 1 : 0
            nz &+= positive ? 0 : 1
            let ok = !isMasked && fFinite && positive
            let fd = Double(f), vd = Double(v)
            flux[i] = ok ? fd : 0
            ivar[i] = ok ? vd : 0
            snr[g] = fd * vd.squareRoot()
            g &+= ok ? 1 : 0
        }
        good = g; masked &+= nm; zeroIvar &+= nz; bad &+= nb
    }

    /// Flux and ivar of one pixel with weight 0 unless good, counting it.
    @inline(__always)
    private static func goodValues(_ a: ArmPixels, _ i: Int, masked: inout Int, zeroIvar: inout Int,
                                   bad: inout Int) -> (Double, Double) {
        let f = Double(a.fluxValue(i)), v = Double(a.ivarValue(i))
        let isMasked = a.isMasked(i)
        let finite = f.isFinite && v.isFinite
        if isMasked { masked += 1 }
        if !finite || v < 0 { bad += 1 }
        if !(v > 0) || !v.isFinite { zeroIvar += 1 }
        let ok = !isMasked && finite && v > 0
        return ok ? (f, v) : (0, 0)
    }

    /// Flux and ivar of one pixel with weight 0 unless good, not counted.
    @inline(__always)
    private static func value(_ a: ArmPixels, _ i: Int) -> (flux: Double, ivar: Double) {
        let f = Double(a.fluxValue(i)), v = Double(a.ivarValue(i))
        let ok = !a.isMasked(i) && f.isFinite && v.isFinite && v > 0
        return ok ? (f, v) : (0, 0)
    }
}
