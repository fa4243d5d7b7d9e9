import Foundation
import QADCore

/// How `qad train` trains: optimizer, schedule, split and stopping. Saved in
/// every checkpoint; a resumed run must ask for the same (only `maxEpochs`
/// and `threads` may change).
public struct TrainingConfig: Codable, Sendable, Equatable {
    /// Seeds initialization, subset, split, shuffling and reparameterization noise.
    public var seed: UInt64 = 1
    public var maxEpochs: Int = 60
    public var batchSize: Int = 256
    /// Adam's initial step size.
    public var learningRate: Float = 1e-3
    /// The learning rate rises linearly over the first this many steps: Adam's
    /// first steps move every weight by about the full learning rate, which
    /// at full size throws the reconstructions of bright spectra far off.
    public var learningRateWarmupSteps: Int = 200
    /// Gradients whose global norm exceeds this multiple of the running mean
    /// norm are scaled down to it: one batch with a few very bright spectra
    /// (ivar weights up to 1e5) must not undo an epoch of training.
    public var gradientClipFactor: Float = 3
    /// Reduce-on-plateau: ×`learningRateFactor` after `learningRatePatience`
    /// epochs without a better validation loss, never below `minLearningRate`.
    public var learningRateFactor: Float = 0.5
    public var learningRatePatience: Int = 4
    public var minLearningRate: Float = 1e-5
    /// Stop after this many epochs without a better validation loss.
    public var earlyStoppingPatience: Int = 8
    /// A validation loss counts as better when below best·(1 − this).
    public var minRelativeImprovement: Double = 1e-3
    /// KL weight after warm-up; it rises linearly from 0 over the first
    /// `betaWarmupEpochs` epochs (per step), which keeps the latent space from
    /// collapsing before the decoder has learnt anything.
    public var beta: Float = 1
    public var betaWarmupEpochs: Int = 5
    /// Train on χ² widened by the model's own error ε: weigh each bin by
    /// 1/(1/w + (ε·m)²) rather than w (`ModelErrorFloor`). ε is fitted on the
    /// validation spectra after every epoch either way and travels with the
    /// model, for inference's χ²; this decides whether the next epoch's loss
    /// uses it. Off by default: leave-one-class-out on both simulators chose
    /// training on χ² against the noise (docs/scores.md). nil in checkpoints
    /// written before it existed: off.
    public var modelErrorFloor: Bool? = false
    /// Fraction of the spectra held out for validation (seeded).
    public var validationFraction: Double = 0.1
    /// Train on a random subset of this many spectra (seeded); nil = all.
    public var subset: Int? = nil
    /// Threads for training (data-parallel workers, one BLAS thread each).
    public var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Spectra with a covered bin beyond ±maxAbsFlux (normalized units; the
    /// mean quasar peaks near 10) or a non-finite value are corrupt and left
    /// out of training.
    public var maxAbsFlux: Float = 100
    /// The cache shard to train on; by default all of them (one `main` after a
    /// single-process ingest, one per input file after `qad worker`s).
    public var shard: String = SpectralCache.allShards

    public init() {}

    var trainsWithModelError: Bool { modelErrorFloor ?? false }

    public func validate() throws {
        guard maxEpochs >= 1, batchSize >= 2, learningRate > 0, learningRateWarmupSteps >= 0, gradientClipFactor > 1, learningRateFactor > 0, learningRateFactor <= 1,
              learningRatePatience >= 1, minLearningRate > 0, earlyStoppingPatience >= 1, beta >= 0,
              betaWarmupEpochs >= 0, validationFraction > 0, validationFraction < 1, threads >= 1, maxAbsFlux > 0,
              subset.map({ $0 >= 2 }) ?? true else {
            throw LocatedError("invalid training configuration: \(self)")
        }
    }

    /// The settings that change the trajectory (everything but epochs and threads).
    func sameTrajectory(as other: TrainingConfig) -> Bool {
        var a = self, b = other
        a.maxEpochs = 0; b.maxEpochs = 0
        a.threads = 0; b.threads = 0
        return a == b
    }
}
