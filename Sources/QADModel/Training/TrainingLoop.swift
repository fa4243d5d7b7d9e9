import Foundation
import QADCore

/// The compute of training: data-parallel steps over `threads` workers (each
/// with its own workspace, gradient buffer and a single BLAS thread), Adam,
/// and validation. Everything random is drawn from streams keyed by (seed,
/// epoch, batch), so an epoch replays identically after a resume.
final class TrainingLoop: @unchecked Sendable {
    // @unchecked: the workers write only their own workspace and gradient
    // buffer; parameters change only in the optimizer step between batches.
    let model: VAEModel
    let optimizer: AdamOptimizer
    let data: TrainingSet
    let config: TrainingConfig
    let workers: Int
    let workspaces: [VAEWorkspace]
    let gradients: [FloatBuffer]
    let noise: FloatBuffer

    init(model: VAEModel, optimizer: AdamOptimizer, data: TrainingSet, config: TrainingConfig) {
        self.model = model
        self.optimizer = optimizer
        self.data = data
        self.config = config
        workers = max(1, min(config.threads, config.batchSize / 2))
        // Parallelism is ours across batch shards; BLAS inside each stays single-threaded.
        let capacity = (config.batchSize + workers - 1) / workers
        workspaces = (0..<workers).map { _ in VAEWorkspace(layout: model.layout, capacity: capacity) }
        gradients = (0..<workers).map { _ in FloatBuffer(count: model.parameterCount) }
        noise = FloatBuffer(count: config.batchSize * model.architecture.latent)
        data.cache.flux.advise(random: true)
        data.cache.weight.advise(random: true)
    }

    struct EpochTotals {
        var loss: Double
        var chi2PerDof: Double
        var beta: Float
    }

    /// β at a global step: linear warm-up from 0 to `config.beta`.
    func beta(atStep step: Int, stepsPerEpoch: Int) -> Float {
        let warm = config.betaWarmupEpochs * stepsPerEpoch
        if warm == 0 { return config.beta }
        return config.beta * Float(min(1, Double(step + 1) / Double(warm)))
    }

    /// One pass over the training rows in this epoch's seeded order.
    func runEpoch(_ epoch: Int, state: inout TrainingState) throws -> EpochTotals {
        let n = data.training.count, B = config.batchSize, L = model.architecture.latent
        let stepsPerEpoch = (n + B - 1) / B
        var rng = SeededRandom(seed: config.seed, stream: 0xE90C, UInt64(epoch))
        let order = rng.permutation(n)
        var lossSum = 0.0, chi2Sum = 0.0, dofSum = 0, beta: Float = 0
        let partial = SharedArray<(Double, Double, Int, Double)>(repeating: (0, 0, 0, 0), count: workers)
        for k in 0..<stepsPerEpoch {
            let rows = order[(k * B)..<min((k + 1) * B, n)].map { data.training[$0] }
            beta = self.beta(atStep: state.steps, stepsPerEpoch: stepsPerEpoch)
            var noiseRng = SeededRandom(seed: config.seed, stream: 0x401_5E, UInt64(epoch), UInt64(k))
            noiseRng.fillGaussian(noise.pointer, count: rows.count * L)
            let shards = splitRange(rows.count, parts: workers).filter { !$0.isEmpty }
            let scale = 1 / Float(rows.count), b = beta
            let batch = data.cache.batch(rows)
            parallelFor(shards.count) { t in
                let ws = self.workspaces[t], shard = shards[t]
                self.model.load(batch[shard], into: ws)
                ws.noise.pointer.update(from: self.noise.pointer + shard.lowerBound * L, count: shard.count * L)
                self.model.forward(ws, sample: true, fullOutput: false)
                let (c2, kl) = self.model.computeLoss(ws, withModelError: self.config.trainsWithModelError)
                self.model.backward(ws, sample: true, beta: b, scale: scale, gradients: self.gradients[t])
                let logRatio = self.config.trainsWithModelError
                    ? (0..<ws.rows).reduce(0.0) { $0 + self.model.varianceLogRatio(ws, row: $1) } : 0
                partial[t] = (c2, kl, ws.dof.prefix(ws.rows).reduce(0, +), logRatio)
            }
            for t in 0..<shards.count {
                let (c2, kl, dof, logRatio) = partial[t]
                lossSum += c2 + logRatio + Double(beta) * kl
                chi2Sum += c2
                dofSum += dof
            }
            guard lossSum.isFinite else {
                throw LocatedError("training diverged at epoch \(epoch), batch \(k + 1) (loss \(lossSum)); try a lower --learning-rate")
            }
            // Adaptive clipping against the running mean norm (after 20 steps of history).
            let used = Array(gradients.prefix(shards.count))
            let norm = AdamOptimizer.norm(of: used, threads: workers)
            var gradientScale: Float = 1
            if let avg = state.gradientNormAverage, state.steps >= 20, norm > Double(config.gradientClipFactor) * avg {
                gradientScale = Float(Double(config.gradientClipFactor) * avg / norm)
            }
            if norm.isFinite {
                let clipped = norm * Double(gradientScale)
                state.gradientNormAverage = state.gradientNormAverage.map { 0.95 * $0 + 0.05 * clipped } ?? clipped
            }
            let warm = config.learningRateWarmupSteps
            let lr = warm > 0 ? state.learningRate * Float(min(1, Double(state.steps + 1) / Double(warm))) : state.learningRate
            optimizer.step(parameters: model.parameters, gradients: used, learningRate: lr, threads: workers,
                           gradientScale: gradientScale)
            state.steps += 1
        }
        return EpochTotals(loss: lossSum / Double(n), chi2PerDof: chi2Sum / Double(max(dofSum, 1)), beta: beta)
    }

    struct Validation {
        var loss: Double
        var medianChi2PerDof: Double
        var medianNoiseChi2PerDof: Double
    }

    /// The validation rows at z = μ with the final β. ε is first refitted on
    /// their residuals and set on the model (for inference's χ², and for the
    /// next epoch's loss when training with it). Training with ε, the loss is
    /// taken with the new ε, so every epoch is judged with the error its own
    /// weights make; without, it is χ² against the noise, as in training.
    func validate(beta: Float) -> Validation {
        let rows = data.validation
        let capacity = workspaces[0].capacity
        let batches = stride(from: 0, to: rows.count, by: capacity).map { $0..<min($0 + capacity, rows.count) }
        let active = min(workers, batches.count)
        if !rows.isEmpty {
            model.modelError = fitModelError(rows: rows, batches: batches, active: active)
        }
        let loss = SharedArray<Double>(repeating: 0, count: rows.count)
        let ratio = SharedArray<Double>(repeating: .nan, count: rows.count)
        let noiseRatio = SharedArray<Double>(repeating: .nan, count: rows.count)
        parallelFor(active) { t in
            let ws = self.workspaces[t]
            for b in stride(from: t, to: batches.count, by: active) {
                let range = batches[b]
                self.model.load(self.data.cache.batch(rows[range]), into: ws)
                self.model.forward(ws, sample: false, fullOutput: false)
                self.model.computeLoss(ws)
                for r in 0..<ws.rows {
                    let i = range.lowerBound + r
                    loss[i] = (self.config.trainsWithModelError ? ws.chi2[r] + self.model.varianceLogRatio(ws, row: r)
                                                                : ws.noiseChi2[r])
                        + Double(beta) * ws.kl[r]
                    if ws.dof[r] > 0 {
                        ratio[i] = ws.chi2[r] / Double(ws.dof[r])
                        noiseRatio[i] = ws.noiseChi2[r] / Double(ws.dof[r])
                    }
                }
            }
        }
        let mean = loss.array.reduce(0, +) / Double(max(rows.count, 1))
        return Validation(loss: mean, medianChi2PerDof: median(ratio.array.filter { !$0.isNaN }),
                          medianNoiseChi2PerDof: median(noiseRatio.array.filter { !$0.isNaN }))
    }

    /// ε from the current model's residuals on `rows`, one accumulator per worker.
    private func fitModelError(rows: [Int], batches: [Range<Int>], active: Int) -> [Float] {
        let bins = model.architecture.bins
        let parts = SharedArray<ModelErrorFloor?>(repeating: nil, count: active)
        parallelFor(active) { t in
            let ws = self.workspaces[t]
            var floor = ModelErrorFloor(bins: bins)
            for b in stride(from: t, to: batches.count, by: active) {
                self.model.load(self.data.cache.batch(rows[batches[b]]), into: ws)
                self.model.forward(ws, sample: false, fullOutput: false)
                let (out, _) = ws.reconstruction
                for r in 0..<ws.rows {
                    floor.add(flux: ws.flux.pointer + r * ws.width, weight: ws.weight.pointer + r * ws.width,
                              reconstruction: out.rowPointer(r), first: ws.lo, count: ws.width)
                }
            }
            parts[t] = floor
        }
        var total = ModelErrorFloor(bins: bins)
        for t in 0..<active { parts[t].map { total.merge($0) } }
        return total.epsilon.map(Float.init)
    }
}

