import Foundation
import QADCore
import QADFixtures
import QADFormats
@testable import QADStore
import QADModel
import QADPipeline
import QADStoreFixtures
import QADTestSupport
import Testing
@testable import QADModel

@Suite(.serialized) struct InferenceTests {
    /// Streaming inference over the cache (small chunks, z-sorted batches,
    /// several threads) gives, row for row, what evaluating the matrices in
    /// cache order gives; rows no catalog spectrum uses are NaN.
    @Test func streamedOutputsMatchDirectEvaluation() throws {
        let store = try SyntheticStore(spectra: 300, anomalyEvery: 15, directory: temporaryDirectory())
        _ = try TrainStage(project: store.project, modelName: "vae").run(architecture: smallArchitecture,
                                                                           config: quickConfig(epochs: 3))
        // Orphan the last file's rows: a catalog without rows 290..<300.
        let sqlite = try #require(store.project.store as? SQLiteStore)
        try sqlite.forgetRows(290..<300)
        var options = InferenceOptions()
        options.chunkRows = 64
        options.durableRows = 128  // several flush-and-commit points
        options.batchSize = 16
        options.threads = 2
        let summary = try InferStage(project: store.project, modelName: "vae").run(options)
        #expect(summary.rowsTotal == 300 && summary.spectraComputed == 290 && summary.resumedAtRow == 0)

        let (model, _) = try ModelFiles.load(from: store.project.modelDirectory("vae"))
        let (flux, weight) = try store.cache.matrices()
        let direct = model.evaluate(flux: flux, weight: weight, batchSize: 300, threads: 1)
        let dir = store.project.modelDirectory("vae")
        let mu = try NPYFile.readDoubles(dir + "/latent_mu.npy")
        let sigma = try NPYFile.readDoubles(dir + "/latent_sigma.npy")
        let recon = try NPYFile.readDoubles(dir + "/reconstruction.npy")
        #expect(mu.shape == [300, 6] && sigma.shape == [300, 6] && recon.shape == [300, SyntheticCache.bins])
        for r in 0..<290 {
            for k in 0..<6 {
                #expect(abs(mu.values[r * 6 + k] - Double(direct.mu[r, k])) <= 1e-5)
                #expect(abs(sigma.values[r * 6 + k] - Double(direct.sigma[r, k])) <= 1e-5)
            }
            // Decoded over the spectrum's own covered span, NaN outside it.
            let covered = (0..<SyntheticCache.bins).filter { weight[r, $0] > 0 }
            for j in 0..<SyntheticCache.bins {
                let v = recon.values[r * SyntheticCache.bins + j]
                if j >= covered.first! && j <= covered.last! {
                    #expect(abs(v - Double(direct.reconstruction[r, j])) <= 1e-4)
                } else {
                    #expect(v.isNaN)
                }
            }
        }
        #expect((290..<300).allSatisfy { mu.values[$0 * 6].isNaN && recon.values[$0 * SyntheticCache.bins].isNaN })
        let outputs = try sqlite.modelOutputs(model: "vae")
        #expect(outputs.count == 290 && outputs.map(\.cacheRow) == Array(0..<290))
        for o in outputs {
            #expect(abs(o.reconChi2 - direct.chi2PerDof[o.cacheRow]) <= 1e-4 * max(1, o.reconChi2))
            #expect(abs(o.kl - direct.kl[o.cacheRow]) <= 1e-4 * max(1, o.kl) && o.dof == direct.dof[o.cacheRow])
            #expect(abs(o.reconMse - direct.mse[o.cacheRow]) <= 1e-4 * max(1, o.reconMse))
        }
        // Anomalous rows (an absorption trough) reconstruct worse.
        let normalMedian = median(outputs.filter { !store.anomalous.contains($0.cacheRow) }.map(\.reconChi2))
        let anomalyMedian = median(outputs.filter { store.anomalous.contains($0.cacheRow) }.map(\.reconChi2))
        #expect(anomalyMedian > 1.5 * normalMedian, "χ²/dof normal \(normalMedian), anomalous \(anomalyMedian)")
        // Done is done.
        let again = try InferStage(project: store.project, modelName: "vae").run(options)
        #expect(again.rowsComputed == 0)
    }

    /// A run stopped after some chunks continues from the committed progress;
    /// rows written past it (an uncommitted chunk) are cut and recomputed.
    @Test func resumesFromCommittedProgress() throws {
        let store = try SyntheticStore(spectra: 200, directory: temporaryDirectory())
        _ = try TrainStage(project: store.project, modelName: "vae").run(architecture: smallArchitecture,
                                                                           config: quickConfig(epochs: 2))
        var options = InferenceOptions()
        options.chunkRows = 50
        options.threads = 2
        options.fullReconstructions = true
        let full = try InferStage(project: store.project, modelName: "vae").run(options)
        #expect(full.rowsComputed == 200)
        let dir = store.project.modelDirectory("vae")
        let reference = try NPYFile.readDoubles(dir + "/reconstruction.npy").values
        // Pretend the run died after committing 100 rows but writing 150.
        let sqlite = try #require(store.project.store as? SQLiteStore)
        var progress = try #require(try sqlite.inferenceProgress(model: "vae"))
        progress.rowsDone = 100
        try sqlite.commitInference([], progress: progress)
        let resumed = try InferStage(project: store.project, modelName: "vae").run(options)
        #expect(resumed.resumedAtRow == 100 && resumed.rowsComputed == 100)
        let again = try NPYFile.readDoubles(dir + "/reconstruction.npy").values
        #expect(again == reference && !again.contains { $0.isNaN })
        #expect(try sqlite.modelOutputs(model: "vae").count == 200)
        // Retraining changes the weights: outputs start over.
        _ = try TrainStage(project: store.project, modelName: "vae").run(architecture: smallArchitecture,
                                                                           config: quickConfig(epochs: 3), force: true)
        #expect(try sqlite.inferenceProgress(model: "vae") == nil)
        let redo = try InferStage(project: store.project, modelName: "vae").run(options)
        #expect(redo.resumedAtRow == 0 && redo.rowsComputed == 200)
    }
}

extension SQLiteStore {
    /// Test helper: drops catalog rows (as `forget(file:)` would for a file).
    func forgetRows(_ rows: Range<Int>) throws {
        try pool.write { try $0.execute(sql: "DELETE FROM spectrum WHERE cache_row >= ? AND cache_row < ?",
                                        arguments: [rows.lowerBound, rows.upperBound]) }
    }
}
