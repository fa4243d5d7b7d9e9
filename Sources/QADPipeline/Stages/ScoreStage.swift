import Foundation
import QADCore
import QADDetect
import QADFormats
import QADModel
import QADStore

/// `qad score`: every score of every spectrum a model has outputs for
/// (`ScoreEngine`), written to the store in one transaction that replaces
/// that model's previous scores.
public final class ScoreStage {
    public let project: ProjectStore
    public let modelName: String
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var log: (String) -> Void = { _ in }

    public init(project: ProjectStore, modelName: String) {
        self.project = project
        self.modelName = modelName
    }

    public func run(_ settings: ScoreSettings, force: Bool = false) throws -> ScoreSummary {
        let began = Date()
        let store = project.store
        let directory = project.modelDirectory(modelName)
        guard let card = try ModelFiles.card(in: directory) else {
            throw LocatedError(file: directory + "/" + ModelFiles.cardName,
                               message: "no trained model '\(modelName)' (run qad train first)")
        }
        guard let progress = try store.inferenceProgress(model: modelName), progress.isComplete(weightsHash: card.weightsHash) else {
            throw LocatedError("model \(modelName): outputs with reconstructions of the current weights are incomplete "
                               + "(run qad infer first, without --no-reconstructions)")
        }
        let parameters = String(decoding: try JSONEncoder.sorted.encode(settings), as: UTF8.self)
        let outputs = try store.modelOutputs(model: modelName).sorted { $0.cacheRow < $1.cacheRow }
        if !force, let previous = try store.scoreRun(model: modelName), previous.modelFingerprint == card.weightsHash,
           previous.parameters == parameters, previous.spectra == outputs.count {
            return ScoreSummary(spectra: outputs.count, skipped: true, seconds: 0, activeLatentDimensions: [],
                                calibrationCells: 0)
        }
        var catalog: [TargetID: SpectrumRecord] = [:]
        for s in try store.spectra() { catalog[s.targetid] = s }
        let items = try outputs.map { o -> ScoreInput in
            guard let s = catalog[o.targetid] else {
                throw LocatedError("TARGETID \(o.targetid) has model outputs but no catalog row (re-run qad infer --force)")
            }
            return ScoreInput(targetid: o.targetid, row: o.cacheRow, z: s.z, snr: s.snr, reconChi2: o.reconChi2,
                              reconMse: o.reconMse, kl: o.kl)
        }
        catalog = [:]

        let cache = try project.spectralCache(shard: card.data.shard)
        let reconstruction = try MappedNPYMatrix(path: directory + "/" + ModelFiles.reconstructionName, rows: cache.rows)
        let latents = try MappedNPYMatrix(path: directory + "/" + ModelFiles.latentMuName, rows: cache.rows)
        let engine = ScoreEngine(settings: settings)
        engine.threads = threads
        engine.log = log
        let result = try engine.score(items, model: modelName, cache: cache, reconstruction: reconstruction, latents: latents)
        try store.replaceScores(result.records, run: ScoreRunRecord(model: modelName, modelFingerprint: card.weightsHash,
                                                                    scoredAt: Date().timeIntervalSince1970,
                                                                    spectra: result.records.count, parameters: parameters))
        return ScoreSummary(spectra: result.records.count, skipped: false, seconds: Date().timeIntervalSince(began),
                            activeLatentDimensions: result.activeLatentDimensions,
                            calibrationCells: result.calibrationCells)
    }
}

/// What `qad score` did.
public struct ScoreSummary: Sendable {
    public var spectra: Int
    public var skipped: Bool
    public var seconds: Double
    public var activeLatentDimensions: [Int]
    public var calibrationCells: Int
}
