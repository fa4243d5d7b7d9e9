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
    /// good member), their finite count, and the per-pixel sums the
    /// rebinning starts from: the inputs of the later stages.
    public func mergedCopy(_ arms: [ArmPixels]) -> (snr: [Float], good: Int, sums: [[Float]]) {
        let s = ArmMerger.merge(plan: plan, arms: arms, into: workspace)
        return (Array(UnsafeBufferPointer(start: workspace.pixelSNR, count: plan.count)), s.goodPixels,
                [workspace.pixelA, workspace.pixelB, workspace.pixelC].map { (p: UnsafeMutablePointer<Float>) in
                    Array(UnsafeBufferPointer(start: p, count: plan.count))
                })
    }

    /// The S/N median of the `good` finite values (reorders `values`).
    public func median(_ values: inout [Float], good: Int) -> Double {
        values.withUnsafeMutableBufferPointer { v in
            workspace.reserve(v.count)
            workspace.pixelSNR.update(from: v.baseAddress!, count: v.count)
            return ArmMerger.medianSNR(workspace, count: v.count, good: good)
        }
    }

    /// Rest-frame rebinning of a merged spectrum on the plan's axis, from
    /// its per-pixel sums (put back in the workspace first, as a merge leaves them).
    public func rebin(sums: [[Float]], z: Double) -> Double {
        for (buffer, values) in zip([workspace.pixelA, workspace.pixelB, workspace.pixelC], sums) {
            values.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: $0.count) }
        }
        let range = preprocessor.rebinner.rebinMerged(lowEdge: plan.lowEdge, highEdge: plan.highEdge,
                                                      inverseWidth: plan.inverseWidth, z: z,
                                                      workspace: workspace)
        return workspace.binFlux[0] + Double(range.count)
    }
}
