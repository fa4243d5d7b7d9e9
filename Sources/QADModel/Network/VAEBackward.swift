import Foundation

extension VAEModel {
    /// Gradients of `scale · Σ_rows (χ² + β·KL)` for the batch in `ws` after
    /// `forward` (with the same `sample`) and `computeLoss`; overwrites `gradients` (laid out
    /// like `parameters`). Bins no spectrum of the batch covers get exactly
    /// zero gradient, as the full computation would give them.
    public func backward(_ ws: VAEWorkspace, sample: Bool, beta: Float, scale: Float, gradients g: FloatBuffer) {
        precondition(g.count == parameters.count)
        let a = architecture, p = parameters, n = ws.rows, L = a.latent, width = ws.width
        let act = a.activation
        let enc = layout.encoder, dec = layout.decoder
        let decWidths = Array(a.hidden.reversed())

        // ∂/∂m of scale·Σ w' (f − m)² over [lo, hi), with the effective
        // weights w' of `computeLoss` held fixed.
        let dOut = ws.deltaOutput.view(rows: n, columns: width)
        let out = ws.outputView, shift = ws.lo - ws.outLo
        for r in 0..<n {
            let f = ws.flux.pointer + r * width, w = ws.effectiveWeight.pointer + r * width
            let rp = out.rowPointer(r) + shift, dp = dOut.rowPointer(r)
            for k in 0..<width { dp[k] = -2 * scale * w[k] * (f[k] - rp[k]) }
        }

        // Decoder output layer: only the rows of W for [lo, hi) get gradient.
        let outRange = ws.lo..<ws.hi
        if outRange.count != a.bins { dec.last!.zeroGradient(outsideOutputs: outRange, gradients: g) }
        var upstream = ws.hiddenView(ws.decoderA.last!, decWidths.last!)
        dec.last!.weightGradient(delta: dOut, input: upstream, outputRange: outRange, gradients: g)
        dec.last!.biasGradient(delta: dOut, outputRange: outRange, gradients: g, ones: ws.ones.pointer)
        // Hidden-layer deltas alternate between two buffers.
        let buffers = [ws.deltaHidden.0, ws.deltaHidden.1]
        var current = 0
        var delta = buffers[current].view(rows: n, columns: decWidths.last!)
        dec.last!.inputGradient(delta: dOut, outputRange: outRange, parameters: p, into: delta)

        // Decoder hidden layers, last to first; the first one's input is z.
        for i in stride(from: decWidths.count - 1, through: 0, by: -1) {
            act.backward(z: ws.hiddenView(ws.decoderZ[i], decWidths[i]),
                         a: ws.hiddenView(ws.decoderA[i], decWidths[i]), delta: delta)
            upstream = i > 0 ? ws.hiddenView(ws.decoderA[i - 1], decWidths[i - 1]) : ws.z.view(rows: n, columns: L)
            dec[i].weightGradient(delta: delta, input: upstream, gradients: g)
            dec[i].biasGradient(delta: delta, gradients: g, ones: ws.ones.pointer)
            let next = i > 0 ? buffers[1 - current].view(rows: n, columns: decWidths[i - 1])
                             : ws.deltaZ.view(rows: n, columns: L)
            dec[i].inputGradient(delta: delta, parameters: p, into: next)
            if i > 0 {
                current = 1 - current
                delta = next
            }
        }

        // Reparameterization and KL: δμ = δz + scale·β·μ,
        // δ log σ² = δz·ε·σ/2 + scale·β·(σ² − 1)/2, then δh = δ log σ² · d log σ²/dh.
        let h = ws.latentView
        let dH = ws.deltaLatent.view(rows: n, columns: 2 * L)
        let kw = scale * beta
        for r in 0..<n {
            let hp = h.rowPointer(r), dp = dH.rowPointer(r)
            let dz = ws.deltaZ.pointer + r * L, sp = ws.sigma.pointer + r * L, ep = ws.noise.pointer + r * L
            for k in 0..<L {
                dp[k] = dz[k] + kw * hp[k]
                let s2 = sp[k] * sp[k]
                let dlv = (sample ? 0.5 * dz[k] * ep[k] * sp[k] : 0) + 0.5 * kw * (s2 - 1)
                dp[L + k] = dlv * LogVariance.derivative(hp[L + k])
            }
        }

        // Encoder latent layer.
        let encLast = enc.count - 1
        upstream = ws.hiddenView(ws.encoderA[encLast - 1], a.hidden[encLast - 1])
        enc[encLast].weightGradient(delta: dH, input: upstream, gradients: g)
        enc[encLast].biasGradient(delta: dH, gradients: g, ones: ws.ones.pointer)
        current = 0
        delta = buffers[current].view(rows: n, columns: a.hidden[encLast - 1])
        enc[encLast].inputGradient(delta: dH, parameters: p, into: delta)

        // Encoder hidden layers, last to first.
        for i in stride(from: a.hidden.count - 1, through: 0, by: -1) {
            act.backward(z: ws.hiddenView(ws.encoderZ[i], a.hidden[i]),
                         a: ws.hiddenView(ws.encoderA[i], a.hidden[i]), delta: delta)
            if i > 0 {
                upstream = ws.hiddenView(ws.encoderA[i - 1], a.hidden[i - 1])
                enc[i].weightGradient(delta: delta, input: upstream, gradients: g)
                enc[i].biasGradient(delta: delta, gradients: g, ones: ws.ones.pointer)
                let next = buffers[1 - current].view(rows: n, columns: a.hidden[i - 1])
                enc[i].inputGradient(delta: delta, parameters: p, into: next)
                current = 1 - current
                delta = next
            } else {
                // First layer: inputs are zero outside [lo, hi) in both blocks.
                if width != a.bins {
                    enc[0].zeroWeightGradient(outsideInputs: [ws.lo..<ws.hi, (a.bins + ws.lo)..<(a.bins + ws.hi)],
                                              gradients: g)
                }
                enc[0].weightGradient(delta: delta, input: ws.inputView(ws.featureFlux), inputRange: ws.lo..<ws.hi,
                                      gradients: g)
                enc[0].weightGradient(delta: delta, input: ws.inputView(ws.featureWeight),
                                      inputRange: (a.bins + ws.lo)..<(a.bins + ws.hi), gradients: g)
                enc[0].biasGradient(delta: delta, gradients: g, ones: ws.ones.pointer)
            }
        }
    }
}
