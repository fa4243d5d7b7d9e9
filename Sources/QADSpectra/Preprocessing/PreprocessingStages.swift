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

    /// Merges and copies out the squared S/N values (+∞ for pixels without a
    /// good member), their finite count, and the merged flux and ivar: the
    /// inputs of the later stages.
    public func mergedCopy(_ arms: [ArmPixels]) -> (snr: [Double], good: Int, flux: [Double], ivar: [Double]) {
        let s = ArmMerger.merge(plan: plan, arms: arms, into: workspace)
        return (Array(UnsafeBufferPointer(start: workspace.pixelSNR, count: plan.count)), s.goodPixels,
                Array(UnsafeBufferPointer(start: workspace.mergedFlux, count: plan.count)),
                Array(UnsafeBufferPointer(start: workspace.mergedIvar, count: plan.count)))
    }

    /// The S/N median of the `good` finite values (reorders `values`).
    public func median(_ values: inout [Double], good: Int) -> Double {
        values.withUnsafeMutableBufferPointer { v in
            workspace.reserve(v.count)
            workspace.pixelSNR.update(from: v.baseAddress!, count: v.count)
            return ArmMerger.medianSNR(workspace, count: v.count, good: good)
        }
    }

    /// Rest-frame rebinning of a merged spectrum on the plan's axis.
    public func rebin(flux: [Double], ivar: [Double], z: Double) -> Double {
        let range = flux.withUnsafeBufferPointer { f in
            ivar.withUnsafeBufferPointer { v in
                preprocessor.rebinner.rebin(lowEdge: plan.lowEdge, highEdge: plan.highEdge, flux: f.baseAddress!,
                                            ivar: v.baseAddress!, z: z, workspace: workspace)
            }
        }
        let out = [workspace.binFlux[0], Double(range.count)]
        return out[0]
    }
}
