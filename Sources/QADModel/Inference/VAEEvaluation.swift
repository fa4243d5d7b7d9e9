import Foundation
import QADCore

/// What the model says about a set of spectra: latent posterior, the
/// reconstruction on the full rest grid, and the per-spectrum fit statistics.
public struct VAEEvaluation: Sendable, Equatable {
    /// Posterior mean, [n, latent].
    public var mu: Matrix
    /// Posterior standard deviation σ = exp(½ log σ²), [n, latent].
    public var sigma: Matrix
    /// Decoder output at z = μ, [n, bins].
    public var reconstruction: Matrix
    /// χ² over covered bins divided by their number (`dof`); 0 when none.
    public var chi2PerDof: [Double]
    /// Mean squared residual (unweighted) over covered bins.
    public var mse: [Double]
    /// KL(q(z|x) ‖ N(0, I)).
    public var kl: [Double]
    /// Covered bins.
    public var dof: [Int]
}

/// Per-spectrum results of one batch, written straight into shared outputs.
public struct BatchResultWriter: @unchecked Sendable {
    // @unchecked: `reconstruction` points into memory its creator keeps alive
    // (a FloatBuffer, or a mapped region of the output file); threads write
    // disjoint rows.
    public let mu: FloatBuffer, sigma: FloatBuffer
    /// Row-major [rows, bins] reconstructions, when wanted.
    public let reconstruction: UnsafeMutablePointer<Float>?
    public let chi2PerDof: SharedArray<Double>, mse: SharedArray<Double>, kl: SharedArray<Double>, dof: SharedArray<Int>

    public init(rows n: Int, latent L: Int, reconstruction: UnsafeMutablePointer<Float>?) {
        mu = FloatBuffer(count: n * L)
        sigma = FloatBuffer(count: n * L)
        self.reconstruction = reconstruction
        chi2PerDof = SharedArray(repeating: 0, count: n)
        mse = SharedArray(repeating: 0, count: n)
        kl = SharedArray(repeating: 0, count: n)
        dof = SharedArray(repeating: 0, count: n)
    }

    /// Copies the batch in `ws` (after forward and computeLoss) to output rows
    /// `destination[r]` for each batch row r.
    func store(_ ws: VAEWorkspace, destination: (Int) -> Int) {
        let L = ws.layout.architecture.latent, bins = ws.layout.architecture.bins
        let mv = ws.mu, sv = ws.sigmaView
        let (out, range) = ws.reconstruction
        for r in 0..<ws.rows {
            let row = destination(r)
            for k in 0..<L {
                mu.pointer[row * L + k] = mv[r, k]
                sigma.pointer[row * L + k] = sv[r, k]
            }
            if let reconstruction {
                let dest = reconstruction + row * bins
                if range == 0..<bins {
                    dest.update(from: out.rowPointer(r), count: bins)
                } else {
                    // Decoded over the batch's covered window only: keep this
                    // spectrum's own covered span, NaN elsewhere.
                    let w = ws.weight.pointer + r * ws.width
                    var first = 0, last = ws.width - 1
                    while first < ws.width && !(w[first] > 0) { first += 1 }
                    while last >= first && !(w[last] > 0) { last -= 1 }
                    dest.update(repeating: .nan, count: bins)
                    if first <= last {
                        let shift = ws.lo - range.lowerBound
                        (dest + ws.lo + first).update(from: out.rowPointer(r) + shift + first, count: last - first + 1)
                    }
                }
            }
            let d = ws.dof[r]
            dof[row] = d
            chi2PerDof[row] = d > 0 ? ws.chi2[r] / Double(d) : 0
            mse[row] = d > 0 ? ws.squaredError[r] / Double(d) : 0
            kl[row] = ws.kl[r]
        }
    }
}

extension VAEModel {
    /// Encodes and decodes every row of `flux`/`weight` ([n, bins]) at z = μ,
    /// in batches spread over `threads` threads (the executable runs BLAS on one thread).
    public func evaluate(flux: Matrix, weight: Matrix, batchSize: Int = 256, threads: Int = 1) -> VAEEvaluation {
        precondition(flux.columns == architecture.bins && weight.columns == architecture.bins && flux.rows == weight.rows)
        let n = flux.rows, bins = architecture.bins, L = architecture.latent
        let reconstruction = FloatBuffer(count: n * bins)
        let out = BatchResultWriter(rows: n, latent: L, reconstruction: reconstruction.pointer)
        var flux = flux, weight = weight
        flux.withView { fv in
            weight.withView { wv in
                let rows = SpectrumRows(flux: (0..<n).map { UnsafePointer(fv.rowPointer($0)) },
                                        weight: (0..<n).map { UnsafePointer(wv.rowPointer($0)) })
                let batches = stride(from: 0, to: n, by: batchSize).map { $0..<min($0 + batchSize, n) }
                let workers = max(1, min(threads, batches.count))
                let workspaces = (0..<workers).map { _ in VAEWorkspace(layout: layout, capacity: batchSize) }
                parallelFor(workers) { t in
                    let ws = workspaces[t]
                    for b in stride(from: t, to: batches.count, by: workers) {
                        let range = batches[b]
                        self.load(rows[range], into: ws)
                        self.forward(ws, sample: false, fullOutput: true)
                        self.computeLoss(ws)
                        out.store(ws) { range.lowerBound + $0 }
                    }
                }
            }
        }
        return VAEEvaluation(mu: Matrix(rows: n, columns: L, values: out.mu.array),
                             sigma: Matrix(rows: n, columns: L, values: out.sigma.array),
                             reconstruction: Matrix(rows: n, columns: bins, values: reconstruction.array),
                             chi2PerDof: out.chi2PerDof.array, mse: out.mse.array, kl: out.kl.array, dof: out.dof.array)
    }
}
