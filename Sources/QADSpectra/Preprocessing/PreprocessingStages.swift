/// The preprocessing kernel one stage at a time, on a workspace, for `qad
/// bench stages` to time each stage as ingest runs it. Each call returns a
/// value that depends on the work, to keep it from being optimized away.
public struct PreprocessingStages {
    public let preprocessor: Preprocessor
    public let plan: MergePlan
    let workspace: PreprocessingWorkspace

    public init(preprocessor: Preprocessor, plan: MergePlan) {
        self.preprocessor = preprocessor
        self.plan = plan
        workspace = PreprocessingWorkspace(bins: preprocessor.rebinner.grid.count)
    }

    /// Merge with pixel counts and the per-pixel S/N values.
    public func merge(_ arms: [ArmPixels]) -> Double {
        ArmMerger.merge(plan: plan, arms: arms, into: workspace).armStep
    }

    /// Merges and copies out the S/N values and the merged flux and ivar, the
    /// inputs of the later stages.
    public func mergedCopy(_ arms: [ArmPixels]) -> (snr: [Double], flux: [Double], ivar: [Double]) {
        let s = ArmMerger.merge(plan: plan, arms: arms, into: workspace)
        return (Array(UnsafeBufferPointer(start: workspace.pixelSNR, count: s.goodPixels)),
                Array(UnsafeBufferPointer(start: workspace.mergedFlux, count: plan.count)),
                Array(UnsafeBufferPointer(start: workspace.mergedIvar, count: plan.count)))
    }

    /// The S/N median (reorders `values`).
    public func median(_ values: inout [Double]) -> Double {
        values.withUnsafeMutableBufferPointer { v in
            QADSpectra.median(v, scratch: workspace.medianScratch, binOf: workspace.medianBins,
                              histogram: workspace.histogram)
        }
    }

    /// Rest-frame rebinning of a merged spectrum on the plan's axis.
    public func rebin(flux: [Double], ivar: [Double], z: Double) -> Double {
        let r = preprocessor.rebinner
        let range = flux.withUnsafeBufferPointer { f in
            ivar.withUnsafeBufferPointer { v in
                r.accumulate(lowEdge: plan.lowEdge, highEdge: plan.highEdge, flux: f.baseAddress!,
                             ivar: v.baseAddress!, z: z, into: workspace)
            }
        }
        var out = [Double](repeating: 0, count: 2 * max(range.count, 1))
        out.withUnsafeMutableBufferPointer { o in
            r.finish(range, workspace: workspace, flux: o.baseAddress! - range.lowerBound,
                     ivar: o.baseAddress! + range.count - range.lowerBound)
        }
        return out[0]
    }
}
