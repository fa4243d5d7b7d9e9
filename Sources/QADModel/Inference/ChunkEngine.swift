import Foundation
import QADCore

/// Computes one chunk of cache rows on all threads. Batches are formed from
/// the chunk's spectra sorted by where their coverage starts (i.e. by
/// redshift), so each batch's covered bins are a narrow window and the first
/// layer multiplies only that window. Results do not depend on the grouping:
/// each spectrum is encoded on its own.
public final class ChunkEngine: @unchecked Sendable {
    // @unchecked: each worker writes its own workspace and disjoint output rows.
    let model: VAEModel
    let cache: SpectralCache
    let options: InferenceOptions
    let workers: Int
    let workspaces: [VAEWorkspace]

    public init(model: VAEModel, cache: SpectralCache, options: InferenceOptions) {
        self.model = model
        self.cache = cache
        self.options = options
        workers = max(1, options.threads)
        workspaces = (0..<workers).map { _ in VAEWorkspace(layout: model.layout, capacity: options.batchSize) }
    }

    /// Results for cache rows `rows`; reconstructions go to `reconstruction`
    /// ([rows.count, bins]) when given.
    public func run(rows: Range<Int>, refs: [CacheRowRef], reconstruction: UnsafeMutablePointer<Float>?) -> BatchResultWriter {
        let a = model.architecture
        let out = BatchResultWriter(rows: rows.count, latent: a.latent, reconstruction: reconstruction)
        // Rows without a catalog spectrum: NaN, so nobody mistakes them for results.
        if refs.count < rows.count {
            var live = [Bool](repeating: false, count: rows.count)
            for ref in refs { live[ref.row - rows.lowerBound] = true }
            for i in 0..<rows.count where !live[i] {
                (out.mu.pointer + i * a.latent).update(repeating: .nan, count: a.latent)
                (out.sigma.pointer + i * a.latent).update(repeating: .nan, count: a.latent)
                reconstruction.map { ($0 + i * a.bins).update(repeating: .nan, count: a.bins) }
                out.chi2PerDof[i] = .nan; out.mse[i] = .nan; out.kl[i] = .nan
            }
        }
        let starts = SharedArray<Int>(repeating: 0, count: refs.count)
        let parts = splitRange(refs.count, parts: workers)
        parallelFor(parts.count) { t in
            for i in parts[t] {
                let w = self.cache.weight.row(refs[i].row)
                var j = 0
                while j < a.bins && !(w[j] > 0) { j += 1 }
                starts[i] = j
            }
        }
        let order = (0..<refs.count).sorted { (starts[$0], $0) < (starts[$1], $1) }
        let B = options.batchSize
        let batches = stride(from: 0, to: order.count, by: B).map { Array(order[$0..<min($0 + B, order.count)]) }
        let active = min(workers, max(1, batches.count))
        parallelFor(active) { t in
            let ws = self.workspaces[t]
            for b in stride(from: t, to: batches.count, by: active) {
                let members = batches[b]
                self.model.load(self.cache.batch(members.map { refs[$0].row }), into: ws)
                self.model.forward(ws, sample: false,
                                   fullOutput: self.options.reconstructions && self.options.fullReconstructions)
                self.model.computeLoss(ws)
                out.store(ws) { refs[members[$0]].row - rows.lowerBound }
            }
        }
        return out
    }
}
