import Foundation
import QADCore
import QADModel
import QADStore

/// `qad train`: the VAE trained on a project's cache (`VAETrainer`), its
/// checkpoints and published weights in STORE/models/MODEL.
public final class TrainStage {
    public let project: ProjectStore
    public let modelName: String
    /// Called after every epoch (the `qad train` log line).
    public var onEpoch: (EpochReport) -> Void = { _ in }
    /// Progress messages (resume, stop reasons).
    public var log: (String) -> Void = { _ in }

    public init(project: ProjectStore, modelName: String) {
        self.project = project
        self.modelName = modelName
    }

    /// Bins of the cache the model is trained on.
    public func cacheBins(shard: String = "main") throws -> Int {
        try project.spectralCache(shard: shard).bins
    }

    /// Trains, resuming from the last checkpoint unless `force` (which also
    /// forgets the model's earlier inference outputs). `architecture` nil
    /// means the default (or the checkpoint's when resuming).
    public func run(architecture: VAEArchitecture?, config: TrainingConfig, force: Bool = false) throws -> TrainingOutcome {
        try config.validate()
        let trainer = try VAETrainer(directory: project.modelDirectory(modelName), modelName: modelName)
        trainer.onEpoch = onEpoch
        trainer.log = log
        if force {
            try trainer.discardCheckpoints()
            try project.store.resetInference(model: modelName)
        }
        let cache = try project.spectralCache(shard: config.shard)
        let store = project.store
        let refs = try cache.refs(in: 0..<cache.rows) { try store.cacheRows(shard: $0, in: $1) }
        let data = try TrainingSet(cache: cache, refs: refs, config: config, clip: architecture?.inputClip ?? 20,
                                   location: project.location)
        return try trainer.train(data: data, architecture: architecture, config: config)
    }
}
