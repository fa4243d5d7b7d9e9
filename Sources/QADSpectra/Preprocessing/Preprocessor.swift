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
    /// Scatter of the normalized flux over what its ivar claims (`NoiseScale`);
    /// `weight` is already divided by `max(1, noiseScale)²`.
    public var noiseScale: Double
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
    let noise: NoiseScale

    public init(grid: RestGrid = .standard, reference: [Double]) {
        precondition(reference.count == grid.count, "reference must be sampled on the grid")
        self.rebinner = RestFrameRebinner(grid: grid)
        noise = NoiseScale(grid: grid)
        self.reference = reference
    }

    /// Preprocesses one spectrum; throws an `InputProblem` naming the file and
    /// row when the spectrum cannot be used. A workspace reused across calls
    /// (one per thread) saves allocations and, for spectra on the same
    /// wavelength grids, the merge plan.
    public func process(_ s: ObservedSpectrum,
                        workspace: PreprocessingWorkspace? = nil) throws(InputProblem) -> PreprocessedSpectrum {
        let target = Provenance(info: s.info, survey: s.survey, sourceFile: s.sourceFile, sourceHDU: s.sourceHDU,
                                sourceRow: s.sourceRow)
        let z = s.info.z
        guard z.isFinite, z > 0 else { throw target.problem("Z", "redshift \(z) is not a positive number") }
        for arm in s.arms {
            let n = arm.wavelength.count
            guard arm.flux.count == n, arm.ivar.count == n, arm.mask.count == n else {
                throw target.problem(arm.name, "arrays of different lengths (wavelength \(n), flux \(arm.flux.count), ivar \(arm.ivar.count), mask \(arm.mask.count))")
            }
            guard arm.wavelength.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw target.problem(arm.name, "non-finite or non-positive wavelengths")
            }
        }
        let workspace = workspace ?? PreprocessingWorkspace(bins: rebinner.grid.count)
        let plan = workspace.plan(for: s.arms.map(\.wavelength))
        return try ArmMerger.withArmPixels(s.arms) { arms throws(InputProblem) in
            try process(target, plan: plan, arms: arms, workspace: workspace)
        }
    }

    /// Preprocesses one spectrum whose arms are laid out as `plan` expects (the
    /// plan is shared by every row of a file; the arrays' lengths and the
    /// wavelengths must have been checked), using `workspace`'s buffers.
    public func process(_ target: Provenance, plan: MergePlan, arms: [ArmPixels],
                        workspace ws: PreprocessingWorkspace) throws(InputProblem) -> PreprocessedSpectrum {
        let z = target.info.z
        guard z.isFinite, z > 0 else { throw target.problem("Z", "redshift \(z) is not a positive number") }
        precondition(arms.count == plan.armSizes.count, "arms do not match the merge plan")
        precondition(ws.bins == rebinner.grid.count, "workspace made for another grid")

        let merged = ArmMerger.merge(plan: plan, arms: arms, into: ws)
        let counts = merged.counts
        var warnings: [InputProblem] = []
        var flags: QualityFlags = []
        if counts.badValues > 0 {
            flags.insert(.badValues)
            warnings.append(target.problem("FLUX/IVAR", "\(counts.badValues) pixels with negative IVAR or non-finite values given weight 0"))
        }

        // S/N: median of flux·√ivar over good merged pixels (numpy median convention).
        guard merged.goodPixels > 0 else { throw target.problem("IVAR", "no valid pixel (all masked, zero ivar or non-finite)") }
        let snr = ArmMerger.medianSNR(ws, count: plan.count, good: merged.goodPixels)

        let nb = rebinner.grid.count
        var normFlux = [Float](repeating: 0, count: nb)
        var weight = [Float](repeating: 0, count: nb)
        let range = rebinner.rebinMerged(lowEdge: plan.lowEdge, highEdge: plan.highEdge,
                                         inverseWidth: plan.inverseWidth, z: z, workspace: ws)
        let flux = ws.binFlux - range.lowerBound, ivar = ws.binIvar - range.lowerBound
        var num = 0.0, den = 0.0, covered = 0
        reference.withUnsafeBufferPointer { reference in
            for j in range where ivar[j] > 0 {
                num += ivar[j] * flux[j] * reference[j]
                den += ivar[j] * reference[j] * reference[j]
                covered += 1
            }
        }
        guard covered > 0, den > 0 else {
            throw target.problem(nil, "no rest-frame bin covered at z = \(z)")
        }
        let amplitude = num / den
        guard amplitude.isFinite, amplitude > 0 else {
            throw target.problem("FLUX", "fitted amplitude \(amplitude) is not positive")
        }
        let a2 = amplitude * amplitude
        normFlux.withUnsafeMutableBufferPointer { normFlux in
            weight.withUnsafeMutableBufferPointer { weight in
                for j in range where ivar[j] > 0 {
                    normFlux[j] = Float(flux[j] / amplitude)
                    weight[j] = Float(ivar[j] * a2)
                }
            }
        }
        // Errors that understate the scatter would inflate every residual of
        // this spectrum: the weight takes the measured excess.
        let noiseScale = normFlux.withUnsafeBufferPointer { f in
            weight.withUnsafeBufferPointer { w in noise.measure(flux: f, weight: w, workspace: ws) }
        }
        let divisor = NoiseScale.weightDivisor(noiseScale)
        if divisor > 1 {
            let d = Float(divisor)
            for j in range where weight[j] > 0 { weight[j] /= d }
        }

        let maskFraction = counts.total > 0 ? Double(counts.masked) / Double(counts.total) : 0
        let zeroFraction = counts.total > 0 ? Double(counts.zeroIvar) / Double(counts.total) : 0
        if snr < 1 { flags.insert(.lowSNR) }
        if maskFraction > 0.2 { flags.insert(.manyMasked) }
        if abs(merged.armStep) > 5 { flags.insert(.armStep) }
        if covered < 300 { flags.insert(.fewBins) }
        if noiseScale > QualityFlags.noiseExcessThreshold { flags.insert(.noiseExcess) }

        return PreprocessedSpectrum(
            info: target.info, survey: target.survey, sourceFile: target.sourceFile, sourceHDU: target.sourceHDU,
            sourceRow: target.sourceRow, flux: normFlux, weight: weight, amplitude: amplitude, snr: snr,
            maskFraction: maskFraction, zeroIvarFraction: zeroFraction, armStep: merged.armStep,
            noiseScale: noiseScale, coveredBins: covered, flags: flags, warnings: warnings)
    }
}

/// Where a spectrum comes from, for the catalog row and for messages.
public struct Provenance: Sendable {
    public var info: TargetInfo
    public var survey: String
    public var sourceFile: String
    public var sourceHDU: String
    public var sourceRow: Int

    public init(info: TargetInfo, survey: String, sourceFile: String, sourceHDU: String, sourceRow: Int) {
        self.info = info
        self.survey = survey
        self.sourceFile = sourceFile
        self.sourceHDU = sourceHDU
        self.sourceRow = sourceRow
    }

    func problem(_ column: String?, _ message: String) -> InputProblem {
        InputProblem(file: sourceFile, hdu: sourceHDU, column: column, row: sourceRow,
                     message: "TARGETID \(info.targetID): \(message)")
    }
}
