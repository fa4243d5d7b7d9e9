import Foundation
import QADModel
import QADPipeline
import QADStore

/// The model stage of `qad demo`: trains a VAE on the demo store (the default
/// architecture; the demo survey is small, so a few dozen epochs take
/// seconds) and encodes every spectrum with it. Demo.run calls this after
/// ingest.
func runDemoModelStep(project: ProjectStore, seed: UInt64, step: String = "3/3") throws {
    var config = TrainingConfig()
    config.seed = seed
    config.maxEpochs = 30
    print("\(step) train: VAE on the ingested quasars → \(project.directory)/models/vae")
    let trainer = TrainStage(project: project, modelName: "vae")
    trainer.onEpoch = { r in
        if r.epoch == 1 || r.epoch % 5 == 0 {
            print(String(format: "    epoch %2d  val loss %9.1f  median χ²/dof %.3f (noise alone %.3f)  %5.0f spectra/s",
                         r.epoch, r.validationLoss, r.validationMedianChi2PerDof,
                         r.validationMedianNoiseChi2PerDof ?? .nan, r.spectraPerSecond))
        }
    }
    // The demo simulates and injects its survey afresh on every run, so a model
    // left by an earlier run (another qad version, another --n) no longer fits
    // its data: always train anew; on the demo survey that takes seconds.
    let outcome = try trainer.run(architecture: nil, config: config, force: true)
    print("    trained: best epoch \(outcome.state.bestEpoch ?? 0)")
    let inference = InferStage(project: project, modelName: "vae")
    let summary = try inference.run(InferenceOptions())
    let outputs = try project.store.modelOutputs(model: "vae")
    let chi2 = outputs.map(\.reconChi2).filter(\.isFinite).sorted()
    print(String(format: "    inferred %d spectra: median χ²/dof %.3f, 99th percentile %.2f (latents and reconstructions in %@)",
                 outputs.count, chi2.isEmpty ? .nan : chi2[chi2.count / 2],
                 chi2.isEmpty ? .nan : chi2[min(chi2.count - 1, chi2.count * 99 / 100)], summary.outputDirectory))
}
