import Foundation

/// log σ² from the encoder's raw output h: lv = U − softplus(U − h), equal
/// to h well below U = 1 and smoothly bounded above by it (σ < e^½). A
/// posterior wider than the N(0, 1) prior is never useful, and an unbounded
/// σ let one unusual bright spectrum draw z far out, decode garbage with a
/// χ² of 1e9 and derail training. Below −30 it is clamped (σ would vanish
/// in Float32), with zero derivative there.
public enum LogVariance {
    public static let upper: Float = 1
    public static let floor: Float = -30

    @inline(__always)
    static func softplus(_ x: Float) -> Float { x > 20 ? x : log1pf(expf(x)) }

    @inline(__always)
    public static func value(_ h: Float) -> Float { max(upper - softplus(upper - h), floor) }

    /// d lv / d h = sigmoid(U − h) (0 where clamped).
    @inline(__always)
    public static func derivative(_ h: Float) -> Float {
        upper - softplus(upper - h) < floor ? 0 : 1 / (1 + expf(h - upper))
    }
}

extension VAEModel {
    /// Gathers a batch into the workspace: the union [lo, hi) of bins any of
    /// its spectra covers, raw flux and weight there (targets of the loss) and
    /// the encoder's features (clipped flux where covered, scaled log(1 + weight)).
    /// Non-finite or negative values count as uncovered.
    public func load(_ batch: SpectrumRows, into ws: VAEWorkspace) {
        precondition(batch.count <= ws.capacity, "batch of \(batch.count) in a workspace for \(ws.capacity)")
        let bins = architecture.bins
        var lo = bins, hi = 0
        for b in 0..<batch.count {
            let w = batch.weight[b]
            var first = 0
            while first < bins && !(w[first] > 0 && w[first].isFinite) { first += 1 }
            if first == bins { continue }
            var last = bins - 1
            while last > first && !(w[last] > 0 && w[last].isFinite) { last -= 1 }
            lo = min(lo, first)
            hi = max(hi, last + 1)
        }
        if hi <= lo { lo = 0; hi = 0 }
        ws.rows = batch.count
        ws.lo = lo
        ws.hi = hi
        let width = hi - lo
        let clip = architecture.inputClip, weightScale = architecture.weightFeatureScale
        for b in 0..<batch.count {
            let f = batch.flux[b] + lo, w = batch.weight[b] + lo
            let of = ws.flux.pointer + b * width, ow = ws.weight.pointer + b * width
            let xf = ws.featureFlux.pointer + b * width, xw = ws.featureWeight.pointer + b * width
            for j in 0..<width {
                let fv = f[j], wv = w[j]
                let ok = wv > 0 && wv.isFinite && fv.isFinite
                of[j] = ok ? fv : 0
                ow[j] = ok ? wv : 0
                xf[j] = ok ? min(max(fv, -clip), clip) : 0
                xw[j] = ok ? weightScale * FastMath.log1p(wv) : 0
            }
        }
    }

    /// Runs the encoder and decoder on the loaded batch. With `sample`, z = μ +
    /// σ·ε using the workspace's `noise` (filled by the caller); otherwise z = μ.
    /// The decoder computes all bins when `fullOutput`, else only [lo, hi).
    public func forward(_ ws: VAEWorkspace, sample: Bool, fullOutput: Bool) {
        let a = architecture, p = parameters, n = ws.rows, L = a.latent
        let act = a.activation
        let enc = layout.encoder, dec = layout.decoder

        // Encoder: first layer over the covered columns of both feature blocks.
        let z0 = ws.hiddenView(ws.encoderZ[0], a.hidden[0])
        enc[0].multiply(ws.inputView(ws.featureFlux), inputRange: ws.lo..<ws.hi, parameters: p, into: z0)
        enc[0].multiply(ws.inputView(ws.featureWeight), inputRange: (a.bins + ws.lo)..<(a.bins + ws.hi),
                        parameters: p, into: z0, accumulate: true)
        enc[0].addBias(parameters: p, to: z0)
        act.forward(z0, into: ws.hiddenView(ws.encoderA[0], a.hidden[0]))
        for i in 1..<a.hidden.count {
            let zi = ws.hiddenView(ws.encoderZ[i], a.hidden[i])
            enc[i].forward(ws.hiddenView(ws.encoderA[i - 1], a.hidden[i - 1]), parameters: p, into: zi)
            act.forward(zi, into: ws.hiddenView(ws.encoderA[i], a.hidden[i]))
        }
        enc.last!.forward(ws.hiddenView(ws.encoderA.last!, a.hidden.last!), parameters: p, into: ws.latentView)

        // Reparameterization.
        let h = ws.latentView
        for r in 0..<n {
            let hp = h.rowPointer(r), sp = ws.sigma.pointer + r * L, zp = ws.z.pointer + r * L
            let ep = ws.noise.pointer + r * L, lp = ws.logVar.pointer + r * L
            for k in 0..<L {
                let lv = LogVariance.value(hp[L + k])
                lp[k] = lv
                sp[k] = expf(0.5 * lv)
                zp[k] = sample ? hp[k] + sp[k] * ep[k] : hp[k]
            }
        }

        // Decoder: hidden widths in reverse order, then the spectrum.
        let decWidths = Array(a.hidden.reversed())
        var input = ws.z.view(rows: n, columns: L)
        for i in 0..<decWidths.count {
            let zi = ws.hiddenView(ws.decoderZ[i], decWidths[i])
            dec[i].forward(input, parameters: p, into: zi)
            input = ws.hiddenView(ws.decoderA[i], decWidths[i])
            act.forward(zi, into: input)
        }
        ws.outLo = fullOutput ? 0 : ws.lo
        ws.outHi = fullOutput ? a.bins : ws.hi
        let out = ws.outputView
        dec.last!.multiply(input, outputRange: ws.outLo..<ws.outHi, parameters: p, into: out)
        dec.last!.addBias(parameters: p, outputRange: ws.outLo..<ws.outHi, to: out)
    }

    /// Per-spectrum χ² = Σ w' (f − m)² over covered bins, with
    /// w' = 1/(1/w + (ε·m)²) the weight widened by the model's own error
    /// (`modelError`; w' = w without one), the noise-only Σ w (f − m)², the
    /// squared error, the number of covered bins, and KL(q(z|x) ‖ N(0, 1));
    /// returns the batch sums of χ² and KL. The likelihood's normalization
    /// term is `varianceLogRatio`, computed only where a loss needs it.
    ///
    /// w' is computed from the current reconstruction when `reweight` and
    /// then held fixed: the gradient (`backward`) treats it as a constant, as
    /// in iteratively reweighted least squares. Letting it vary would reward
    /// the decoder for inflating |m| where it fits badly, to widen its own
    /// error bar. `reweight: false` reuses the weights of the last
    /// reweighting of the same batch; `withModelError: false` uses w itself
    /// (training on χ² against the noise).
    @discardableResult
    public func computeLoss(_ ws: VAEWorkspace, reweight: Bool = true, withModelError: Bool = true)
        -> (chi2: Double, kl: Double) {
        let L = architecture.latent, width = ws.width, lo = ws.lo
        let out = ws.outputView, shift = ws.lo - ws.outLo
        let h = ws.latentView
        var total = (0.0, 0.0)
        let epsilon = withModelError ? modelError ?? [] : []
        epsilon.withUnsafeBufferPointer { eps in
            let widened = eps.count == architecture.bins
            for r in 0..<ws.rows {
                let f = ws.flux.pointer + r * width, w = ws.weight.pointer + r * width
                let we = ws.effectiveWeight.pointer + r * width
                let rp = out.rowPointer(r) + shift
                if reweight {
                    for k in 0..<width {
                        let e = widened ? eps[lo + k] * rp[k] : 0
                        we[k] = w[k] > 0 ? w[k] / (1 + w[k] * e * e) : 0
                    }
                }
                // Double sums: exact enough for any length, and a corrupt bin
                // (flux 1e20) gives a huge χ², not an overflow to infinity.
                var c2 = 0.0, noise = 0.0, se = 0.0, covered = 0
                for k in 0..<width {
                    let d = Double(f[k]) - Double(rp[k])
                    let wk = Double(w[k]), wek = Double(we[k])
                    c2 += wek * d * d
                    noise += wk * d * d
                    se += wk > 0 ? d * d : 0
                    covered &+= wk > 0 ? 1 : 0
                }
                var klr = 0.0
                let hp = h.rowPointer(r), lp = ws.logVar.pointer + r * L
                for k in 0..<L {
                    let mu = Double(hp[k])
                    let lv = Double(lp[k])
                    klr += -0.5 * (1 + lv - mu * mu - exp(lv))
                }
                ws.chi2[r] = c2
                ws.noiseChi2[r] = noise
                ws.squaredError[r] = se
                ws.dof[r] = covered
                ws.kl[r] = klr
                total.0 += c2
                total.1 += klr
            }
        }
        return total
    }

    /// Σ log(w/w') over row `r`'s covered bins, i.e. Σ log(1 + w·(ε·m)²):
    /// the Gaussian likelihood's normalization for the variance widened by
    /// the last `computeLoss` (0 where it did not widen). Only a loss on the
    /// widened χ² needs it; inference and training on χ² against the noise
    /// skip the logarithms.
    public func varianceLogRatio(_ ws: VAEWorkspace, row r: Int) -> Double {
        let width = ws.width
        let w = ws.weight.pointer + r * width, we = ws.effectiveWeight.pointer + r * width
        var sum = 0.0
        for k in 0..<width {
            let wk = Double(w[k]), wek = Double(we[k])
            if wek > 0 && wek < wk { sum += log(wk / wek) }
        }
        return sum
    }
}
