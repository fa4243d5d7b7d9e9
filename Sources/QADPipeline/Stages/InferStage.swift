import Foundation
import QADCore
import QADModel
import QADStore

public struct InferenceSummary: Sendable {
    public var rowsTotal: Int
    /// Rows computed by this run (0 when everything was already done).
    public var rowsComputed: Int
    /// Catalog spectra among them (the rest are cache rows no catalog entry uses).
    public var spectraComputed: Int
    public var resumedAtRow: Int
    public var seconds: Double
    public var spectraPerSecond: Double { seconds > 0 ? Double(spectraComputed) / seconds : 0 }
    public var outputDirectory: String
}

/// `qad infer`: encodes and decodes the whole cache with a trained model,
/// streaming: chunk by chunk it writes row-aligned matrices to STORE/models/MODEL/
/// (`latent_mu.npy`, `latent_sigma.npy` [rows, latent], `reconstruction.npy`
/// [rows, bins]; row i belongs to cache row i, NaN for rows no catalog spectrum
/// uses) and per-spectrum χ²/dof, MSE and KL to the store's `model_output`
/// table, committing progress with them so a killed run resumes.
public final class InferStage {
    public let project: ProjectStore
    public let modelName: String
    public let directory: String
    public var progress: (_ rowsDone: Int, _ rowsTotal: Int, _ spectra: Int, _ elapsed: Double) -> Void = { _, _, _, _ in }

    public init(project: ProjectStore, modelName: String) {
        self.project = project
        self.modelName = modelName
        directory = project.modelDirectory(modelName)
    }

    public func run(_ options: InferenceOptions) throws -> InferenceSummary {
        let store = project.store
        let (model, card) = try ModelFiles.load(from: directory)
        let cache = try project.spectralCache(shard: card.data.shard)
        guard cache.bins == card.architecture.bins,
              abs(cache.grid.log10Start - card.restGrid.log10Start) < 1e-9,
              abs(cache.grid.log10Step - card.restGrid.log10Step) < 1e-12 else {
            throw LocatedError("\(directory): the model was trained on another rest grid than \(project.cacheDirectory)")
        }
        let fingerprint = InferenceFingerprint(
            weightsHash: card.weightsHash,
            reconstructions: options.reconstructions ? (options.fullReconstructions ? .full : .covered) : .none)
        var start = 0
        if let p = try store.inferenceProgress(model: modelName), !options.force, p.fingerprint == fingerprint,
           p.cacheShard == cache.identity {
            start = min(p.rowsDone, cache.rows)
        } else {
            try store.resetInference(model: modelName)
            try? FileManager.default.removeItem(atPath: directory + "/" + ModelFiles.reconstructionName)
        }
        let L = card.architecture.latent, bins = cache.bins
        let files = try OutputMatrices(
            mu: OutputMatrixFile(path: directory + "/" + ModelFiles.latentMuName, columns: L, committedRows: start),
            sigma: OutputMatrixFile(path: directory + "/" + ModelFiles.latentSigmaName, columns: L, committedRows: start),
            reconstruction: options.reconstructions
                ? OutputMatrixFile(path: directory + "/" + ModelFiles.reconstructionName, columns: bins, committedRows: start)
                : nil)
        let began = Date()
        var spectra = 0
        let engine = ChunkEngine(model: model, cache: cache, options: options)
        cache.flux.advise(random: false)
        cache.weight.advise(random: false)
        // Writing a chunk (latent appends; every `durableRows` rows a flush to
        // disk and one SQLite transaction) runs on a background queue while the
        // next chunk computes; at most one write is in flight, so memory holds
        // at most two chunks.
        let writer = ChunkWriter()
        var chunkStart = start
        while chunkStart < cache.rows {
            let rows = chunkStart..<min(chunkStart + options.chunkRows, cache.rows)
            let refs = try cache.refs(in: rows) { try store.cacheRows(shard: $0, in: $1) }
            let mapped = try files.reconstruction?.mapRows(rows.count)
            let out = engine.run(rows: rows, refs: refs, reconstruction: mapped?.pointer)
            cache.flux.release(rows: rows)
            cache.weight.release(rows: rows)
            try writer.wait()
            let model = modelName, identity = cache.identity, total = cache.rows
            let final = rows.upperBound == cache.rows, durableRows = options.durableRows
            writer.submit {
                let records = refs.map { ref -> ModelOutputRecord in
                    let i = ref.row - rows.lowerBound
                    let (shard, row) = cache.location(ofRow: ref.row)
                    return ModelOutputRecord(model: model, targetid: ref.targetid, cacheShard: shard, cacheRow: row,
                                             reconChi2: out.chi2PerDof[i], reconMse: out.mse[i], kl: out.kl[i],
                                             dof: out.dof[i])
                }
                try files.append(out, mapped: mapped, records: records, durableRows: durableRows, final: final) {
                    try store.commitInference($0, progress: ModelInferenceRecord(
                        model: model, fingerprint: fingerprint, cacheShard: identity, rowsDone: rows.upperBound,
                        rowsTotal: total, updatedAt: Date().timeIntervalSince1970))
                }
            }
            spectra += refs.count
            chunkStart = rows.upperBound
            progress(chunkStart, cache.rows, spectra, Date().timeIntervalSince(began))
        }
        try writer.wait()
        return InferenceSummary(rowsTotal: cache.rows, rowsComputed: cache.rows - start, spectraComputed: spectra,
                                resumedAtRow: start, seconds: Date().timeIntervalSince(began), outputDirectory: directory)
    }
}
