import ArgumentParser
import Foundation
import QADModel
import QADPipeline
import QADStore

struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the variational autoencoder on the store's spectral cache.",
        discussion: """
        Writes STORE/models/MODEL/ (model.safetensors + model.json, and a checkpoint after every \
        epoch). Killed and started again, it resumes from the last checkpoint; the same seed and \
        thread count give the same weights. Re-running a finished model does nothing; --force \
        retrains from scratch.
        """)

    @OptionGroup var common: StoreOptions
    @OptionGroup var parallel: ParallelOptions

    @Option(name: .long, help: "Model name (folder under STORE/models).")
    var model = "vae"

    @Option(name: .long, help: "Maximum epochs.")
    var epochs = TrainingConfig().maxEpochs

    @Option(name: .long, help: "Seed for initialization, split, shuffling and noise.")
    var seed: UInt64 = 1

    @Option(name: .customLong("batch-size"), help: "Spectra per mini-batch.")
    var batchSize = TrainingConfig().batchSize

    @Option(name: .customLong("learning-rate"), help: "Adam's initial learning rate.")
    var learningRate = TrainingConfig().learningRate

    @Option(name: .long, help: "Final KL weight β (loss = χ² + β·KL).")
    var beta = TrainingConfig().beta

    @Option(name: .customLong("warmup-epochs"), help: "Epochs over which β rises from 0.")
    var warmupEpochs = TrainingConfig().betaWarmupEpochs

    @Option(name: .long, help: "Epochs without a better validation loss before stopping.")
    var patience = TrainingConfig().earlyStoppingPatience

    @Option(name: .customLong("validation-fraction"), help: "Fraction of spectra held out for validation.")
    var validationFraction = TrainingConfig().validationFraction

    @Option(name: .long, help: "Train on a random subset of this many spectra.")
    var subset: Int?

    @Option(name: .long, help: "Threads (default: all cores). The same seed and thread count give the same weights.")
    var threads: Int?

    @Option(name: .long, help: "Encoder hidden widths, comma-separated (the decoder mirrors them).")
    var hidden: LayerWidths?

    @Option(name: .long, help: "Latent dimension.")
    var latent: Int?

    @Option(name: .long, help: "Activation: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")).")
    var activation: Activation?

    @Option(name: .customLong("weight-feature-scale"), help: "Scale of the encoder's log(1 + weight) features.")
    var weightFeatureScale: Float?

    @Flag(name: .customLong("model-error-floor"),
          help: "Train on χ² widened by the model's own error ε (refitted after every epoch), not against the noise alone.")
    var modelErrorFloor = false

    @Flag(name: .long, help: "Discard any existing checkpoints of this model and train from scratch.")
    var force = false

    func validate() throws {
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if batchSize < 2 { throw ValidationError("--batch-size must be at least 2") }
        if !(learningRate > 0) { throw ValidationError("--learning-rate must be positive") }
        if !(beta >= 0) { throw ValidationError("--beta must be ≥ 0") }
        if warmupEpochs < 0 { throw ValidationError("--warmup-epochs must be ≥ 0") }
        if patience < 1 { throw ValidationError("--patience must be at least 1") }
        if !(validationFraction > 0 && validationFraction < 1) { throw ValidationError("--validation-fraction must be in (0, 1)") }
        if let subset, subset < 2 { throw ValidationError("--subset must be at least 2") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let latent, latent < 1 { throw ValidationError("--latent must be at least 1") }
        if let weightFeatureScale, !(weightFeatureScale > 0) { throw ValidationError("--weight-feature-scale must be positive") }
        if model.isEmpty || model.contains("/") || model.hasPrefix(".") { throw ValidationError("--model must be a plain name") }
    }

    var config: TrainingConfig {
        var c = TrainingConfig()
        c.seed = seed
        c.maxEpochs = epochs
        c.batchSize = batchSize
        c.learningRate = learningRate
        c.beta = beta
        c.betaWarmupEpochs = warmupEpochs
        c.earlyStoppingPatience = patience
        c.validationFraction = validationFraction
        c.subset = subset
        c.modelErrorFloor = modelErrorFloor
        c.threads = threads ?? parallel.workers ?? ProcessInfo.processInfo.activeProcessorCount
        return c
    }

    func run() async throws {
        let project = try common.openProject()
        let trainer = TrainStage(project: project, modelName: model)
        // Architecture flags override the default; none given means the
        // default for a fresh model and the checkpoint's when resuming.
        var architecture: VAEArchitecture? = nil
        if hidden != nil || latent != nil || activation != nil || weightFeatureScale != nil {
            var a = VAEArchitecture(bins: try trainer.cacheBins())
            if let hidden { a.hidden = hidden.widths }
            if let latent { a.latent = latent }
            if let activation { a.activation = activation }
            if let weightFeatureScale { a.weightFeatureScale = weightFeatureScale }
            architecture = a
        }
        trainer.log = { log($0) }
        trainer.onEpoch = { r in
            // The noise-alone χ²/dof and the model's median error ε show what the floor absorbs.
            print(String(format: "epoch %3d  train %10.2f  val %10.2f  χ²/dof train %.3f  val median %.3f (noise alone %.3f)  ε %.4f  β %.2f  lr %.1e  %6.0f spectra/s  %.1f s",
                         r.epoch, r.trainLoss, r.validationLoss, r.trainChi2PerDof, r.validationMedianChi2PerDof,
                         r.validationMedianNoiseChi2PerDof ?? .nan, r.medianModelError ?? 0,
                         r.beta, r.learningRate, r.spectraPerSecond, r.seconds))
            fflush(nil)  // a line per epoch, visible at once when piped
        }
        // Model errors (changed data, other settings, divergence) print as
        // "Error: …" with exit status 1, not as usage errors.
        let outcome = try trainer.run(architecture: architecture, config: config, force: force)
        let s = outcome.state
        if let best = s.bestEpoch, let h = s.history.first(where: { $0.epoch == best }) {
            print(String(format: "model %@: best epoch %d, validation loss %.2f, median χ²/dof %.3f → %@",
                         model, best, h.validationLoss, h.validationMedianChi2PerDof, outcome.modelDirectory))
        }
    }
}
