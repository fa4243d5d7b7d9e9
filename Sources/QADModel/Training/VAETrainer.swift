import Foundation
import QADCore
import QADFormats

/// How a `train` call ended.
public struct TrainingOutcome: Sendable {
    public var state: TrainingState
    /// The epoch a killed or stopped run was resumed after (nil: fresh start).
    public var resumedAfterEpoch: Int?
    /// True when the model was already trained and nothing was done.
    public var alreadyFinished: Bool
    /// The published model folder (model.safetensors + model.json).
    public var modelDirectory: String
}

/// Trains the VAE on a training set: Adam on mini-batches drawn from the
/// memory-mapped cache in a seeded order, β warm-up, validation every epoch,
/// reduce-on-plateau learning rate, early stopping, and a checkpoint after
/// every epoch from which a killed run resumes exactly where it would have been.
public final class VAETrainer {
    public let modelName: String
    public let directory: CheckpointDirectory
    /// Called after every epoch (the `qad train` log line).
    public var onEpoch: (EpochReport) -> Void = { _ in }
    /// Progress messages (resume, stop reasons).
    public var log: (String) -> Void = { _ in }

    /// A trainer whose checkpoints and published model live in `directory`.
    public init(directory path: String, modelName: String) throws {
        guard !modelName.isEmpty, !modelName.contains("/"), !modelName.hasPrefix(".") else {
            throw LocatedError("model name '\(modelName)' must be a plain folder name")
        }
        self.modelName = modelName
        directory = CheckpointDirectory(path: path)
    }

    /// Records which cache rows the model did not train on
    /// (`ModelFiles.validationRowsName`), so that a score can be compared
    /// between spectra the model saw and spectra it did not.
    private func writeValidationRows(_ data: TrainingSet) throws {
        try NPYFile.write(data.validation.map(Double.init), to: directory.path + "/" + ModelFiles.validationRowsName)
    }

    /// Discards every checkpoint and the published model (`--force`).
    public func discardCheckpoints() throws {
        try directory.remove()
    }

    /// Trains on `data`, resuming from the last checkpoint. `architecture`
    /// nil means the default (or the checkpoint's when resuming).
    public func train(data: TrainingSet, architecture requested: VAEArchitecture?, config: TrainingConfig) throws
        -> TrainingOutcome {
        try config.validate()
        if !data.excluded.isEmpty {
            log("left out of training: \(data.excluded.count) spectra with non-finite or |flux| > \(config.maxAbsFlux) values (e.g. TARGETID \(data.excluded[0].targetid))")
        }
        let latest = try directory.loadLatest()
        let architecture = requested ?? latest?.state.architecture ?? VAEArchitecture(bins: data.cache.bins)
        guard architecture.bins == data.cache.bins else {
            throw LocatedError("architecture has \(architecture.bins) bins; the cache has \(data.cache.bins)")
        }

        var model: VAEModel, optimizer: AdamOptimizer, state: TrainingState
        var resumedAfter: Int? = nil
        if let latest {
            let s = latest.state
            guard s.architecture == architecture else {
                throw LocatedError("\(directory.path) holds a model with architecture \(s.architecture); this run asks for \(architecture). Use --force to start over or another --model name")
            }
            guard s.config.sameTrajectory(as: config) else {
                throw LocatedError("\(directory.path) was trained with different settings (\(s.config)); use the same options, --force to start over, or another --model name")
            }
            guard s.dataHash == data.dataHash else {
                throw LocatedError("\(directory.path): the training data changed since this model was trained (hash \(s.dataHash), now \(data.dataHash)); use --force to retrain")
            }
            let extendable = s.stopReason == StopReason.maxEpochs && config.maxEpochs > s.epochsDone
            if s.finished && !extendable {
                try directory.publishBest()
                try writeValidationRows(data)
                log("model '\(modelName)' is already trained (\(s.epochsDone) epochs, \(s.stopReason ?? "")); --force retrains")
                return TrainingOutcome(state: s, resumedAfterEpoch: nil, alreadyFinished: true, modelDirectory: directory.path)
            }
            (model, optimizer, state) = (latest.model, latest.optimizer, s)
            state.config = config
            state.finished = false
            state.stopReason = nil
            resumedAfter = s.epochsDone
            log("resuming model '\(modelName)' after epoch \(s.epochsDone)")
        } else {
            model = try VAEModel(architecture: architecture, seed: config.seed, outputBias: data.meanSpectrum)
            optimizer = AdamOptimizer(parameterCount: model.parameterCount)
            state = TrainingState(learningRate: config.learningRate, architecture: architecture, config: config,
                                  dataHash: data.dataHash)
        }

        let loop = TrainingLoop(model: model, optimizer: optimizer, data: data, config: config)
        while !state.finished {
            let epoch = state.epochsDone + 1
            let started = Date()
            let train = try loop.runEpoch(epoch, state: &state)
            let trainSeconds = Date().timeIntervalSince(started)
            let val = loop.validate(beta: config.beta)
            let report = EpochReport(epoch: epoch, trainLoss: train.loss, validationLoss: val.loss,
                                     trainChi2PerDof: train.chi2PerDof, validationMedianChi2PerDof: val.medianChi2PerDof,
                                     validationMedianNoiseChi2PerDof: val.medianNoiseChi2PerDof,
                                     medianModelError: model.modelError.map { median($0.map(Double.init)) },
                                     beta: train.beta, learningRate: state.learningRate,
                                     spectraPerSecond: Double(data.training.count) / max(trainSeconds, 1e-9),
                                     seconds: Date().timeIntervalSince(started))
            guard val.loss.isFinite else {
                throw LocatedError("training diverged at epoch \(epoch) (validation loss \(val.loss)); try a lower --learning-rate")
            }
            let improved = Schedule.update(&state, validationLoss: val.loss, config: config)
            state.epochsDone = epoch
            state.history.append(report)
            if epoch >= config.maxEpochs {
                state.finished = true
                state.stopReason = StopReason.maxEpochs
            } else if state.epochsWithoutImprovement >= config.earlyStoppingPatience {
                state.finished = true
                state.stopReason = StopReason.earlyStopping
            }
            let card = ModelCard(architecture: architecture, restGrid: data.cache.grid,
                                 normalization: .init(referenceHash: data.cache.referenceHash), training: config,
                                 data: .init(shard: config.shard, hash: data.dataHash, spectra: data.count,
                                             trainingSpectra: data.training.count,
                                             validationSpectra: data.validation.count,
                                             excludedSpectra: data.excluded.count),
                                 epoch: epoch, validationLoss: val.loss,
                                 validationMedianChi2PerDof: val.medianChi2PerDof, weightsHash: "", tensors: [])
            try directory.save(epoch: epoch, model: model, card: card, optimizer: optimizer, state: state,
                               isBest: improved || directory.pointer("BEST") == nil)
            onEpoch(report)
        }
        try directory.publishBest()
        try writeValidationRows(data)
        log("stopped after epoch \(state.epochsDone): \(state.stopReason ?? ""); best epoch \(state.bestEpoch ?? 0)")
        return TrainingOutcome(state: state, resumedAfterEpoch: resumedAfter, alreadyFinished: false,
                               modelDirectory: directory.path)
    }
}

/// Why training stopped (kept in the state).
public enum StopReason {
    public static let maxEpochs = "max epochs"
    public static let earlyStopping = "early stopping"
}

/// Reduce-on-plateau and early-stopping bookkeeping.
enum Schedule {
    /// Records the epoch's validation loss; returns true when it is the best so
    /// far. Epochs inside the β warm-up never count as stagnant: the objective
    /// is still changing under them.
    static func update(_ s: inout TrainingState, validationLoss loss: Double, config: TrainingConfig) -> Bool {
        let epoch = s.epochsDone + 1
        if let best = s.bestValidationLoss, !(loss < best - config.minRelativeImprovement * abs(best)) {
            if epoch > config.betaWarmupEpochs {
                s.epochsWithoutImprovement += 1
                s.epochsSinceLearningRateChange += 1
                if s.epochsSinceLearningRateChange >= config.learningRatePatience {
                    s.learningRate = max(config.minLearningRate, s.learningRate * config.learningRateFactor)
                    s.epochsSinceLearningRateChange = 0
                }
            }
            if loss < best {
                s.bestValidationLoss = loss
                s.bestEpoch = epoch
                return true
            }
            return false
        }
        s.bestValidationLoss = loss
        s.bestEpoch = epoch
        s.epochsWithoutImprovement = 0
        s.epochsSinceLearningRateChange = 0
        return true
    }
}
