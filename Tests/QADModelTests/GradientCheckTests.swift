import Foundation
import Testing
@testable import QADModel

/// Central finite difference of `f` at parameter `i` of `buffer`.
private func finiteDifference(_ buffer: FloatBuffer, _ i: Int, step: Float, _ f: () -> Double) -> Double {
    let saved = buffer.pointer[i]
    buffer.pointer[i] = saved + step
    let up = f()
    buffer.pointer[i] = saved - step
    let down = f()
    buffer.pointer[i] = saved
    return (up - down) / Double(2 * step)
}

/// Float32 forward passes: a wrong gradient is off by O(1) relative, rounding by ~1e-4.
private func close(_ numeric: Double, _ analytic: Double, relative: Double = 2e-2, absolute: Double = 2e-3) -> Bool {
    abs(numeric - analytic) <= relative * max(abs(numeric), abs(analytic)) + absolute
}

private func randomMatrix(_ rows: Int, _ columns: Int, _ rng: inout SeededRandom, scale: Float = 1) -> Matrix {
    Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { _ in Float(2 * rng.nextUniform() - 1) * scale })
}

@Suite struct DenseLayerGradientTests {
    /// L = Σ c ⊙ (x·Wᵀ + b) over an output block, with x over an input block:
    /// the layer's weight, bias and input gradients against finite differences.
    @Test(arguments: [(nil, nil), (2..<7, nil), (nil, 1..<4)] as [(Range<Int>?, Range<Int>?)])
    func weightBiasAndInputGradients(inputRange: Range<Int>?, outputRange: Range<Int>?) {
        var rng = SeededRandom(seed: 11)
        let layer = DenseLayer(inputs: 9, outputs: 5, offset: 3)
        let params = FloatBuffer((0..<(3 + layer.parameterCount)).map { _ in Float(2 * rng.nextUniform() - 1) })
        let ins = inputRange ?? 0..<9, outs = outputRange ?? 0..<5
        var x = randomMatrix(4, ins.count, &rng)
        let c = randomMatrix(4, outs.count, &rng)
        func loss() -> Double {
            var y = Matrix(rows: 4, columns: outs.count)
            x.withView { xv in
                y.withView { yv in
                    layer.multiply(xv, inputRange: inputRange, outputRange: outputRange, parameters: params, into: yv)
                    layer.addBias(parameters: params, outputRange: outputRange, to: yv)
                }
            }
            return zip(y.values, c.values).reduce(0) { $0 + Double($1.0 * $1.1) }
        }
        let grads = FloatBuffer(count: params.count, repeating: 7)  // stale values must be overwritten
        layer.zeroGradient(grads)
        var delta = c
        var dx = Matrix(rows: 4, columns: ins.count)
        let ones = FloatBuffer(count: 4, repeating: 1)
        delta.withView { dv in
            x.withView { xv in
                layer.weightGradient(delta: dv, input: xv, inputRange: inputRange, outputRange: outputRange, gradients: grads)
                layer.biasGradient(delta: dv, outputRange: outputRange, gradients: grads, ones: ones.pointer)
            }
            dx.withView { layer.inputGradient(delta: dv, inputRange: inputRange, outputRange: outputRange, parameters: params, into: $0) }
        }
        for i in layer.offset..<(layer.offset + layer.parameterCount) {
            let numeric = finiteDifference(params, i, step: 1e-2, loss)
            #expect(close(numeric, Double(grads.pointer[i])), "parameter \(i): numeric \(numeric) analytic \(grads.pointer[i])")
        }
        #expect(grads.pointer[0] == 7, "gradient written outside the layer")
        for k in 0..<x.values.count {
            let saved = x.values[k]
            x.values[k] = saved + 1e-2; let up = loss()
            x.values[k] = saved - 1e-2; let down = loss()
            x.values[k] = saved
            #expect(close((up - down) / 2e-2, Double(dx.values[k])), "input \(k)")
        }
    }
}

@Suite struct ActivationGradientTests {
    /// δ·f′(z) against finite differences of Σ c·f(z), with z away from the
    /// kinks of the rectifiers.
    @Test(arguments: Activation.allCases)
    func derivativeMatchesFiniteDifferences(activation: Activation) {
        var rng = SeededRandom(seed: 5)
        var z = Matrix(rows: 3, columns: 16, values: (0..<48).map { _ in
            let v = Float(0.1 + 2.9 * rng.nextUniform())
            return rng.nextUniform() < 0.5 ? -v : v
        })
        let c = randomMatrix(3, 16, &rng)
        func apply(_ z: Matrix) -> Matrix {
            var zz = z, a = Matrix(rows: 3, columns: 16)
            zz.withView { zv in a.withView { activation.forward(zv, into: $0) } }
            return a
        }
        var a = apply(z)
        var delta = c
        z.withView { zv in a.withView { av in delta.withView { activation.backward(z: zv, a: av, delta: $0) } } }
        for k in 0..<48 {
            let h: Float = 1e-3
            var up = z, down = z
            up.values[k] += h
            down.values[k] -= h
            let numeric = Double(c.values[k]) * Double(apply(up).values[k] - apply(down).values[k]) / Double(2 * h)
            #expect(close(numeric, Double(delta.values[k]), relative: 1e-2, absolute: 1e-3),
                    "\(activation) element \(k): numeric \(numeric) analytic \(delta.values[k])")
        }
    }
}

/// A small VAE and a batch whose spectra cover different windows of the grid,
/// so the restricted (covered-bins-only) products are exercised.
struct TinyProblem {
    let model: VAEModel
    var flux: Matrix
    var weight: Matrix
    let noise: [Float]

    init(activation: Activation, bins: Int = 40, rows: Int = 5, seed: UInt64 = 3) throws {
        var rng = SeededRandom(seed: seed)
        let arch = VAEArchitecture(bins: bins, hidden: [12, 8], latent: 3, activation: activation, inputClip: 3)
        model = try VAEModel(architecture: arch, seed: seed)
        // Bigger than He init so every layer matters in the loss.
        for i in 0..<model.parameters.count { model.parameters.pointer[i] *= 1.5 }
        flux = randomMatrix(rows, bins, &rng, scale: 2)
        weight = Matrix(rows: rows, columns: bins)
        for r in 0..<rows {
            let start = 4 + 3 * r, end = min(bins - 6 + 2 * r, bins)
            for j in start..<end { weight[r, j] = Float(0.2 + rng.nextUniform()) }
            for j in 0..<bins where weight[r, j] == 0 { flux[r, j] = 0 }
        }
        var n = [Float](repeating: 0, count: rows * 3)
        n.withUnsafeMutableBufferPointer { rng.fillGaussian($0.baseAddress!, count: rows * 3) }
        noise = n
    }

    /// Σ (χ² + β·KL) · scale over the batch.
    /// With `reweight: false` the widened weights of the last reweighting
    /// are kept (what `backward` differentiates with a model error).
    mutating func loss(ws: VAEWorkspace, sample: Bool, beta: Float, scale: Float, reweight: Bool = true) -> Double {
        load(ws)
        model.forward(ws, sample: sample, fullOutput: false)
        let (c2, kl) = model.computeLoss(ws, reweight: reweight)
        return Double(scale) * (c2 + Double(beta) * kl)
    }

    /// The gradient's component along a seeded random direction through all
    /// parameters, and the central difference of the loss along it (z
    /// sampled, β = 1). `reweight: false` keeps the widened weights of the
    /// unshifted parameters while shifting, as `backward` does.
    mutating func directional(ws: VAEWorkspace, reweight: Bool = true) -> (analytic: Double, numeric: Double) {
        _ = loss(ws: ws, sample: true, beta: 1, scale: 0.2)
        let grads = FloatBuffer(count: model.parameterCount)
        model.backward(ws, sample: true, beta: 1, scale: 0.2, gradients: grads)
        var rng = SeededRandom(seed: 1)
        let direction = (0..<model.parameterCount).map { _ in Float(2 * rng.nextUniform() - 1) }
        let analytic = zip(direction, grads.array).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        let saved = model.parameters.array
        func shifted(_ t: Float) -> Double {
            for i in 0..<saved.count { model.parameters.pointer[i] = saved[i] + t * direction[i] }
            return loss(ws: ws, sample: true, beta: 1, scale: 0.2, reweight: reweight)
        }
        let h: Float = 2e-3
        let numeric = (shifted(h) - shifted(-h)) / Double(2 * h)
        for i in 0..<saved.count { model.parameters.pointer[i] = saved[i] }
        return (analytic, numeric)
    }

    mutating func load(_ ws: VAEWorkspace) {
        let n = flux.rows, noise = noise
        flux.withView { fv in
            weight.withView { wv in
                model.load(SpectrumRows(flux: (0..<n).map { UnsafePointer(fv.rowPointer($0)) },
                                        weight: (0..<n).map { UnsafePointer(wv.rowPointer($0)) }), into: ws)
            }
        }
        noise.withUnsafeBufferPointer { ws.noise.pointer.update(from: $0.baseAddress!, count: noise.count) }
    }
}

@Suite struct VAEGradientTests {
    /// Every tensor of every layer (encoder, μ/log σ², decoder), with and
    /// without sampling, against central differences of the full loss.
    @Test(arguments: [Activation.elu, .tanh, .silu], [true, false])
    func everyLayerMatchesFiniteDifferences(activation: Activation, sample: Bool) throws {
        var problem = try TinyProblem(activation: activation)
        let model = problem.model
        let ws = VAEWorkspace(layout: model.layout, capacity: 8)
        let beta: Float = 0.7, scale: Float = 1 / 5
        _ = problem.loss(ws: ws, sample: sample, beta: beta, scale: scale)
        #expect(ws.lo == 4 && ws.hi == 40, "coverage union \(ws.lo)..<\(ws.hi)")
        let grads = FloatBuffer(count: model.parameterCount, repeating: .nan)
        model.backward(ws, sample: sample, beta: beta, scale: scale, gradients: grads)
        var checked = 0
        var rng = SeededRandom(seed: 99)
        for tensor in model.layout.tensors {
            // Up to 12 elements of each tensor, plus the first and last.
            var picks = Set([0, tensor.count - 1])
            while picks.count < min(12, tensor.count) { picks.insert(Int(rng.next() % UInt64(tensor.count))) }
            for k in picks.sorted() {
                let i = tensor.offset + k
                // Float32 rounding favours large steps, curvature small ones: a
                // right gradient matches at one of them, a wrong one at none.
                let analytic = Double(grads.pointer[i])
                let numerics = [1e-2, 3e-3, 1e-3].map { (step: Float) in
                    finiteDifference(model.parameters, i, step: step) {
                        problem.loss(ws: ws, sample: sample, beta: beta, scale: scale)
                    }
                }
                #expect(numerics.contains { close($0, analytic, absolute: 5e-3) },
                        "\(tensor.name)[\(k)]: numeric \(numerics) analytic \(analytic)")
                checked += 1
            }
        }
        #expect(checked > 100)
        // Bins no spectrum covers: exactly zero gradient for their first-layer
        // weights (flux and weight blocks) and their output weights and bias.
        let first = model.layout.encoder[0], out = model.layout.decoder.last!
        let g = first.weight(grads)
        for j in 0..<4 { #expect(g[0, j] == 0 && g[3, 40 + j] == 0) }
        #expect(out.bias(grads)[2] == 0 && out.weight(grads)[1, 0] == 0)
    }

    /// A random direction through all parameters at once: catches a gradient
    /// that is right element by element in the samples above but wrong elsewhere.
    @Test func directionalDerivativeOverAllParameters() throws {
        var problem = try TinyProblem(activation: .elu, seed: 8)
        let ws = VAEWorkspace(layout: problem.model.layout, capacity: 8)
        let (analytic, numeric) = problem.directional(ws: ws)
        #expect(close(numeric, analytic, relative: 1e-2, absolute: 1e-2), "numeric \(numeric) analytic \(analytic)")
    }

    /// With a model error ε, χ² weighs each bin by w' = 1/(1/w + (ε·m)²):
    /// the sums match an independent computation, and the gradient is that
    /// of Σ w' (f − m)² with w' held at the reconstruction it was computed from.
    @Test func modelErrorWidensTheWeightsAndItsGradientHoldsThemFixed() throws {
        var problem = try TinyProblem(activation: .elu, seed: 8)
        let model = problem.model, bins = model.architecture.bins
        // A mean spectrum near 2, so that (ε·m)² is comparable to 1/w.
        let bias = model.layout.decoder.last!.bias(model.parameters)
        for j in 0..<bins { bias[j] = 2 }
        var rng = SeededRandom(seed: 4)
        let epsilon = (0..<bins).map { _ in Float(0.2 + 0.4 * rng.nextUniform()) }
        model.modelError = epsilon
        let ws = VAEWorkspace(layout: model.layout, capacity: 8)
        _ = problem.loss(ws: ws, sample: true, beta: 1, scale: 0.2)
        let (recon, range) = ws.reconstruction
        for r in 0..<5 {
            var chi2 = 0.0, noise = 0.0, logRatio = 0.0
            for j in range where problem.weight[r, j] > 0 {
                let w = Double(problem.weight[r, j]), m = Double(recon[r, j - range.lowerBound])
                let d = Double(problem.flux[r, j]) - m, e = Double(epsilon[j]) * m
                chi2 += d * d / (1 / w + e * e)
                noise += w * d * d
                logRatio += log(1 + w * e * e)
            }
            #expect(close(ws.chi2[r], chi2, relative: 1e-5) && close(ws.noiseChi2[r], noise, relative: 1e-5))
            #expect(close(model.varianceLogRatio(ws, row: r), logRatio, relative: 1e-4) && ws.chi2[r] < 0.8 * noise)
        }
        let widened = problem.directional(ws: ws, reweight: false)
        #expect(close(widened.numeric, widened.analytic, relative: 1e-2, absolute: 1e-2), "\(widened)")
        // Without ε the same batch has another gradient: the widening acts.
        model.modelError = nil
        let plain = problem.directional(ws: ws)
        #expect(abs(plain.analytic - widened.analytic) > 0.1 * abs(widened.analytic), "\(plain) vs \(widened)")
    }

    /// Computing only the covered output bins gives the same numbers there as
    /// decoding the whole grid.
    @Test func restrictedOutputEqualsFullOutput() throws {
        var problem = try TinyProblem(activation: .leakyRelu)
        let ws = VAEWorkspace(layout: problem.model.layout, capacity: 8)
        problem.load(ws)
        problem.model.forward(ws, sample: false, fullOutput: true)
        let full = ws.reconstruction.view.toMatrix()
        let fullLoss = problem.model.computeLoss(ws)
        problem.model.forward(ws, sample: false, fullOutput: false)
        let part = ws.reconstruction
        #expect(part.bins == 4..<40)
        for r in 0..<5 { for j in part.bins { #expect(abs(full[r, j] - part.view[r, j - 4]) <= 1e-5) } }
        let partLoss = problem.model.computeLoss(ws)
        #expect(abs(fullLoss.chi2 - partLoss.chi2) <= 1e-6 * fullLoss.chi2)
    }
}
