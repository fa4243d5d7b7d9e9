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
    /// the per-pixel S/N are in the workspace, indexed like the merged pixels.
    /// The S/N f·√ivar is kept as its signed square f·|f|·ivar, which orders
    /// the same (the median maps its middle values back) and needs no square
    /// root per pixel; +∞ where a merged pixel has no good member, so that the
    /// median of the `goodPixels` finite values needs no packing.
    struct Summary {
        var counts = PixelCounts()
        var armStep = 0.0
        var goodPixels = 0
    }

    public static func merge(_ input: [ArmSpectrum]) -> Result {
        let plan = MergePlan(wavelengths: input.map(\.wavelength))
        let workspace = PreprocessingWorkspace(bins: 1)
        let summary = withArmPixels(input) { merge(plan: plan, arms: $0, into: workspace, keepValues: true) }
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
    /// workspace's per-pixel S/N and rebinning sums, and with `keepValues`
    /// its merged flux/ivar (which ingest, rebinning from the sums, skips).
    static func merge(plan: MergePlan, arms: [ArmPixels], into ws: PreprocessingWorkspace,
                      keepValues: Bool = false) -> Summary {
        ws.reserve(plan.count)
        let out = plan.width.withUnsafeBufferPointer { w in
            // The plan outlives the merge and its arrays are never mutated.
            MergedPixels(flux: ws.mergedFlux, ivar: ws.mergedIvar, keepValues: keepValues, snr: ws.pixelSNR,
                         width: w.baseAddress!, a: ws.pixelA, b: ws.pixelB, c: ws.pixelC)
        }
        var tally = PixelTally()
        // Per join between arm j and j+1: Σivar, Σivar·flux of arm j, then of arm j+1.
        var joinSums = [JoinSums](repeating: JoinSums(), count: max(arms.count - 1, 0))
        for step in plan.steps {
            switch step {
            case let .run(arm, input, merged, count):
                let a = arms[arm]
                switch (a.mask, a.bigEndian) {
                case (.int64(let m), false):
                    mergeRun(NativeFloat.self, a, input, m + input, zero: 0, count: count, out + merged, &tally)
                case (.int64(let m), true):
                    mergeRun(BigEndianFloat.self, a, input, m + input, zero: 0, count: count, out + merged, &tally)
                case (.bits32(let m, let zero), false):
                    mergeRun(NativeFloat.self, a, input, m + input, zero: zero, count: count, out + merged, &tally)
                case (.bits32(let m, let zero), true):
                    mergeRun(BigEndianFloat.self, a, input, m + input, zero: zero, count: count, out + merged, &tally)
                }
            case let .pairs(a1, i1, a2, i2, merged, count):
                let p = arms[a1], q = arms[a2]
                let firstIsLower = a1 < a2
                let o = out + merged
                switch (p.mask, q.mask, p.bigEndian, q.bigEndian) {
                case (.int64(let m1), .int64(let m2), false, false):
                    mergePairs(NativeFloat.self, p, i1, m1 + i1, zero1: 0, q, i2, m2 + i2, zero2: 0, count: count,
                               o, firstIsLower: firstIsLower, &tally, &joinSums[min(a1, a2)])
                case (.bits32(let m1, let z1), .bits32(let m2, let z2), true, true):
                    mergePairs(BigEndianFloat.self, p, i1, m1 + i1, zero1: z1, q, i2, m2 + i2, zero2: z2, count: count,
                               o, firstIsLower: firstIsLower, &tally, &joinSums[min(a1, a2)])
                default:  // arms stored differently: pixel by pixel
                    for k in 0..<count {
                        mergeGroup([(a1, i1 + k), (a2, i2 + k)], arms, o + k, &tally, &joinSums)
                    }
                }
            case let .group(merged, first, count):
                mergeGroup(plan.members[first..<(first + count)], arms, out + merged, &tally, &joinSums)
            }
        }
        var summary = Summary()
        summary.counts = PixelCounts(total: plan.totalInput, masked: tally.masked, zeroIvar: tally.zeroIvar,
                                     badValues: tally.bad)
        summary.goodPixels = tally.good
        for s in joinSums where s.lowIvar > 0 && s.highIvar > 0 {
            let m1 = s.lowIvarFlux / s.lowIvar, m2 = s.highIvarFlux / s.highIvar
            let value = (m2 - m1) / (1 / s.lowIvar + 1 / s.highIvar).squareRoot()
            if abs(value) > abs(summary.armStep) { summary.armStep = value }
        }
        return summary
    }

    /// The median S/N of a spectrum merged into `ws` (`count` merged pixels,
    /// `good` of them good), from the two middle signed squares. Reorders them.
    static func medianSNR(_ ws: PreprocessingWorkspace, count: Int, good: Int) -> Double {
        let (low, high) = middleValues(UnsafeMutableBufferPointer(start: ws.pixelSNR, count: count), finiteCount: good,
                                       scratch: ws.medianScratch, binOf: ws.medianBins, histogram: ws.histogram)
        // A finite flux too large to square in float32 gives ±∞, which still
        // sorts where it belongs among the good pixels (and +∞ ties with the
        // pixels without a measurement, all above the middle ranks): only a
        // middle value itself can be infinite, and it is kept at float32's limit.
        let limit = Double(Float.greatestFiniteMagnitude)
        func signedRoot(_ y: Float) -> Double {
            let x = min(max(Double(y), -limit), limit)
            return x < 0 ? -(-x).squareRoot() : x.squareRoot()
        }
        return good % 2 == 1 ? signedRoot(high) : 0.5 * (signedRoot(low) + signedRoot(high))
    }

    /// Where merged pixels go, indexed alike: flux, ivar and signed squared
    /// S/N, and for the rebinning (`RestFrameRebinner.rebinMerged`) each
    /// pixel's observed width W if good (else 0) as a, a·flux as b and
    /// a·W/ivar as c, from the plan's widths.
    struct MergedPixels {
        let flux: UnsafeMutablePointer<Double>
        let ivar: UnsafeMutablePointer<Double>
        /// Whether flux and ivar are written.
        let keepValues: Bool
        let snr: UnsafeMutablePointer<Float>
        let width: UnsafePointer<Float>
        let a: UnsafeMutablePointer<Float>
        let b: UnsafeMutablePointer<Float>
        let c: UnsafeMutablePointer<Float>
        static func + (o: MergedPixels, k: Int) -> MergedPixels {
            MergedPixels(flux: o.flux + k, ivar: o.ivar + k, keepValues: o.keepValues, snr: o.snr + k, width: o.width + k,
                         a: o.a + k, b: o.b + k, c: o.c + k)
        }
        /// Stores one merged pixel from its inverse-variance sums.
        @inline(__always)
        func store(_ k: Int, sumIvar: Double, sumIvarFlux: Double) -> Int {
            let has = sumIvar > 0
            let f = has ? sumIvarFlux / sumIvar : 0
            if keepValues {
                flux[k] = f
                ivar[k] = has ? sumIvar : 0
            }
            snr[k] = has ? Float(f * abs(f) * sumIvar) : .infinity
            let w = has ? Double(width[k]) : 0
            a[k] = Float(w)
            b[k] = Float(w * f)
            c[k] = has ? Float(w * w / sumIvar) : 0
            return has ? 1 : 0
        }
    }

    /// Good merged pixels and the input pixels counted bad, over a spectrum.
    struct PixelTally {
        var good = 0, masked = 0, zeroIvar = 0, bad = 0
    }

    /// Inverse-variance sums of the pixels both arms of a join measured.
    struct JoinSums {
        var lowIvar = 0.0, lowIvarFlux = 0.0, highIvar = 0.0, highIvarFlux = 0.0
    }

    /// One input pixel, judged: `ok` (1 or 0) when unmasked, finite and
    /// 0 < ivar < ∞, with 1 or 0 for masked, no weight (ivar not in (0, ∞))
    /// and bad (non-finite value or negative ivar). The tests work on the
    /// float32 bits and combine as integers, without branches (a chain of
    /// `&&` becomes jumps), so that the loops calling it vectorize.
    @inline(__always)
    private static func judge<M: FixedWidthInteger>(_ f: Float, _ v: Float, _ maskWord: M, zero: M)
        -> (ok: Int, masked: Int, zeroIvar: Int, bad: Int) {
        let exponent: UInt32 = 0x7f80_0000
        let fb = f.bitPattern, vb = v.bitPattern, vs = Int32(bitPattern: vb)
        let fFinite = fb & exponent != exponent ? 1 : 0
        let vFinite = vb & exponent != exponent ? 1 : 0
        let positive = (vs > 0 ? 1 : 0) & (vs < 0x7f80_0000 ? 1 : 0)
        let negative = (vs < 0 ? 1 : 0) & (vs != Int32.min ? 1 : 0)  // below 0 (−0 is not); NaN is not finite anyway
        let masked = maskWord != zero ? 1 : 0
        return ((1 - masked) & fFinite & positive, masked, 1 - positive, (1 - (fFinite & vFinite)) | negative)
    }

    /// Pixels that only one arm measured: copied with weight 0 unless good,
    /// counted, with their squared S/N and rebinning sums. Four pixels at a
    /// time in float32 SIMD lanes (the tests of `judge` on floats: x − x = 0
    /// only for finite x), the last few one by one.
    @inline(__always)
    private static func mergeRun<F: StoredFloat, M: MaskWord>(
        _: F.Type, _ a: ArmPixels, _ input: Int, _ mk: UnsafePointer<M>, zero: M, count: Int,
        _ out: MergedPixels, _ tally: inout PixelTally
    ) {
        let fx = a.flux + 4 * input, iv = a.ivar + 4 * input
        let flux = UnsafeMutableRawPointer(out.flux), ivar = UnsafeMutableRawPointer(out.ivar)
        let snr = UnsafeMutableRawPointer(out.snr), width = UnsafeRawPointer(out.width)
        let pa = UnsafeMutableRawPointer(out.a), pb = UnsafeMutableRawPointer(out.b), pc = UnsafeMutableRawPointer(out.c)
        let none = SIMD4<Int32>(), one = SIMD4<Int32>(repeating: 1)
        let nothing = SIMD4<Float>(), infinity = SIMD4<Float>(repeating: .infinity)
        let magnitude = SIMD4<UInt32>(repeating: 0x7fff_ffff)
        var g4 = none, nm4 = none, nz4 = none, nb4 = none
        var i = 0
        while i + 4 <= count {
            let f = F.load4(fx, i), v = F.load4(iv, i)
            let fFinite = f - f .== nothing, vFinite = v - v .== nothing
            let positive = (v .> nothing) .& vFinite
            let masked = M.isSet4(mk, i, zero: zero)
            let ok = .!masked .& fFinite .& positive
            nm4 &+= none.replacing(with: one, where: masked)
            nz4 &+= one.replacing(with: none, where: positive)
            nb4 &+= none.replacing(with: one, where: .!(fFinite .& vFinite) .| (v .< nothing))
            g4 &+= none.replacing(with: one, where: ok)
            if out.keepValues {
                let fd = SIMD4<Double>(nothing.replacing(with: f, where: ok))
                let vd = SIMD4<Double>(nothing.replacing(with: v, where: ok))
                flux.storeBytes(of: fd, toByteOffset: 8 * i, as: SIMD4<Double>.self)
                ivar.storeBytes(of: vd, toByteOffset: 8 * i, as: SIMD4<Double>.self)
            }
            let absF = unsafeBitCast(unsafeBitCast(f, to: SIMD4<UInt32>.self) & magnitude, to: SIMD4<Float>.self)
            snr.storeBytes(of: infinity.replacing(with: f * absF * v, where: ok), toByteOffset: 4 * i,
                           as: SIMD4<Float>.self)
            let w = width.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self)
            let wa = nothing.replacing(with: w, where: ok)
            pa.storeBytes(of: wa, toByteOffset: 4 * i, as: SIMD4<Float>.self)
            pb.storeBytes(of: nothing.replacing(with: wa * f, where: ok), toByteOffset: 4 * i, as: SIMD4<Float>.self)
            pc.storeBytes(of: nothing.replacing(with: wa * w / v, where: ok), toByteOffset: 4 * i, as: SIMD4<Float>.self)
            i += 4
        }
        var g = Int(g4.wrappedSum()), nm = Int(nm4.wrappedSum()), nz = Int(nz4.wrappedSum())
        var nb = Int(nb4.wrappedSum())
        while i < count {
            let f = F.load(fx, i), v = F.load(iv, i)
            let p = judge(f, v, mk[i], zero: zero)
            nm &+= p.masked
            nz &+= p.zeroIvar
            nb &+= p.bad
            let ok = p.ok != 0
            if out.keepValues {
                out.flux[i] = ok ? Double(f) : 0
                out.ivar[i] = ok ? Double(v) : 0
            }
            out.snr[i] = ok ? f * abs(f) * v : .infinity
            let w = ok ? out.width[i] : 0
            out.a[i] = w
            out.b[i] = ok ? w * f : 0
            out.c[i] = ok ? w * out.width[i] / v : 0
            g &+= p.ok
            i += 1
        }
        tally.good &+= g; tally.masked &+= nm; tally.zeroIvar &+= nz; tally.bad &+= nb
    }

    /// Pixels two adjacent arms both measured (their overlap), combined by
    /// inverse variance; pairs with both members good feed the join's sums.
    @inline(__always)
    private static func mergePairs<F: StoredFloat, M: MaskWord>(
        _: F.Type, _ a: ArmPixels, _ inputA: Int, _ ma: UnsafePointer<M>, zero1: M,
        _ b: ArmPixels, _ inputB: Int, _ mb: UnsafePointer<M>, zero2: M, count: Int,
        _ out: MergedPixels, firstIsLower: Bool, _ tally: inout PixelTally, _ join: inout JoinSums
    ) {
        let fa = a.flux + 4 * inputA, va = a.ivar + 4 * inputA
        let fb = b.flux + 4 * inputB, vb = b.ivar + 4 * inputB
        var g = 0, nm = 0, nz = 0, nb = 0
        var j = JoinSums()
        for i in 0..<count {
            let f1 = F.load(fa, i), v1 = F.load(va, i), f2 = F.load(fb, i), v2 = F.load(vb, i)
            let p1 = judge(f1, v1, ma[i], zero: zero1), p2 = judge(f2, v2, mb[i], zero: zero2)
            nm &+= p1.masked &+ p2.masked
            nz &+= p1.zeroIvar &+ p2.zeroIvar
            nb &+= p1.bad &+ p2.bad
            let ok1 = p1.ok != 0, ok2 = p2.ok != 0
            let w1 = ok1 ? Double(v1) : 0, x1 = ok1 ? Double(f1) : 0
            let w2 = ok2 ? Double(v2) : 0, x2 = ok2 ? Double(f2) : 0
            g &+= out.store(i, sumIvar: w1 + w2, sumIvarFlux: w1 * x1 + w2 * x2)
            let both = p1.ok & p2.ok != 0
            let (lw, lx, hw, hx) = firstIsLower ? (w1, x1, w2, x2) : (w2, x2, w1, x1)
            j.lowIvar += both ? lw : 0
            j.lowIvarFlux += both ? lw * lx : 0
            j.highIvar += both ? hw : 0
            j.highIvarFlux += both ? hw * hx : 0
        }
        tally.good &+= g; tally.masked &+= nm; tally.zeroIvar &+= nz; tally.bad &+= nb
        join.lowIvar += j.lowIvar; join.lowIvarFlux += j.lowIvarFlux
        join.highIvar += j.highIvar; join.highIvarFlux += j.highIvarFlux
    }

    /// Pixels of any arms that share one wavelength (rare: more than two arms,
    /// or arms stored differently), combined by inverse variance; every pair of
    /// adjacent arms both measured feeds their join's sums.
    private static func mergeGroup<C: Collection>(_ members: C, _ arms: [ArmPixels], _ out: MergedPixels,
                                                  _ tally: inout PixelTally, _ joinSums: inout [JoinSums])
        where C.Element == (arm: Int, index: Int) {
        var sumIvar = 0.0, sumIvarFlux = 0.0
        var good: [(arm: Int, flux: Double, ivar: Double)] = []
        for (arm, i) in members {
            let a = arms[arm]
            let f = a.fluxValue(i), v = a.ivarValue(i)
            let p: (ok: Int, masked: Int, zeroIvar: Int, bad: Int)
            switch a.mask {
            case .int64(let m): p = judge(f, v, m[i], zero: 0)
            case .bits32(let m, let zero): p = judge(f, v, m[i], zero: zero)
            }
            tally.masked += p.masked; tally.zeroIvar += p.zeroIvar; tally.bad += p.bad
            guard p.ok != 0 else { continue }
            sumIvar += Double(v)
            sumIvarFlux += Double(v) * Double(f)
            good.append((arm, Double(f), Double(v)))
        }
        for p in good.indices {
            for q in good.indices where q > p && abs(good[q].arm - good[p].arm) == 1 {
                let (lo, hi) = good[p].arm < good[q].arm ? (good[p], good[q]) : (good[q], good[p])
                joinSums[lo.arm].lowIvar += lo.ivar
                joinSums[lo.arm].lowIvarFlux += lo.ivar * lo.flux
                joinSums[lo.arm].highIvar += hi.ivar
                joinSums[lo.arm].highIvarFlux += hi.ivar * hi.flux
            }
        }
        tally.good += out.store(0, sumIvar: sumIvar, sumIvarFlux: sumIvarFlux)
    }
}
