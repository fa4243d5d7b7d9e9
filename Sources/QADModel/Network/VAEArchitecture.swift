import QADCore
/// The shape of the VAE: encoder (flux, weight features) → hidden layers →
/// (μ, log σ²); decoder z → mirrored hidden layers → spectrum on the rest grid.
public struct VAEArchitecture: Codable, Sendable, Equatable {
    /// Rest-grid bins (the cache's columns).
    public var bins: Int
    /// Encoder hidden widths, first to last; the decoder mirrors them.
    public var hidden: [Int]
    /// Latent dimension.
    public var latent: Int
    public var activation: Activation
    /// Encoder flux features are clipped to ±inputClip (normalized units) so
    /// one wild pixel cannot saturate the first layer. The loss uses raw flux.
    public var inputClip: Float
    /// Encoder weight features are log(1 + weight) × this. Kept well below
    /// the flux features' scale: otherwise the coverage pattern (the same for
    /// every spectrum at one redshift) dominates the first layer's input and
    /// the flux differences that carry the latent information drown in it.
    public var weightFeatureScale: Float

    public init(bins: Int, hidden: [Int] = [256, 64], latent: Int = 16, activation: Activation = .elu,
                inputClip: Float = 20, weightFeatureScale: Float = 0.03) {
        self.bins = bins
        self.hidden = hidden
        self.latent = latent
        self.activation = activation
        self.inputClip = inputClip
        self.weightFeatureScale = weightFeatureScale
    }

    /// Encoder input width: flux features then weight features.
    public var inputs: Int { 2 * bins }

    public func validate() throws {
        guard bins > 0, latent > 0, !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 }), inputClip > 0, weightFeatureScale > 0 else {
            throw LocatedError("invalid architecture: bins \(bins), hidden \(hidden), latent \(latent), clip \(inputClip)")
        }
    }
}

/// Where every layer's weights sit in the flat parameter buffer, and the
/// names they carry in a checkpoint (PyTorch `nn.Linear` convention).
public struct ParameterLayout: Sendable, Equatable {
    public let architecture: VAEArchitecture
    /// Encoder layers; the last one outputs [μ | log σ²] (2·latent).
    public let encoder: [DenseLayer]
    /// Decoder layers; the last one outputs the spectrum.
    public let decoder: [DenseLayer]
    public let count: Int

    public init(_ a: VAEArchitecture) {
        architecture = a
        var offset = 0
        func layer(_ i: Int, _ o: Int) -> DenseLayer {
            defer { offset += i * o + o }
            return DenseLayer(inputs: i, outputs: o, offset: offset)
        }
        let encWidths = [a.inputs] + a.hidden + [2 * a.latent]
        encoder = (0..<(encWidths.count - 1)).map { layer(encWidths[$0], encWidths[$0 + 1]) }
        let decWidths = [a.latent] + a.hidden.reversed() + [a.bins]
        decoder = (0..<(decWidths.count - 1)).map { layer(decWidths[$0], decWidths[$0 + 1]) }
        count = offset
    }

    /// One named tensor of a checkpoint: a slice of the parameter buffer.
    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// Checkpoint tensors. The latent layer is stored as two tensors
    /// (`encoder.mu`, `encoder.logvar`): its rows are [μ rows | log σ² rows],
    /// so each half is contiguous.
    public var tensors: [Tensor] {
        var t: [Tensor] = []
        let L = architecture.latent
        for (i, l) in encoder.enumerated() {
            if i == encoder.count - 1 {
                t.append(Tensor(name: "encoder.mu.weight", shape: [L, l.inputs], offset: l.offset))
                // Its output h gives log σ² = 1 − softplus(1 − h) (see `LogVariance`).
                t.append(Tensor(name: "encoder.logvar.weight", shape: [L, l.inputs], offset: l.offset + L * l.inputs))
                t.append(Tensor(name: "encoder.mu.bias", shape: [L], offset: l.biasOffset))
                t.append(Tensor(name: "encoder.logvar.bias", shape: [L], offset: l.biasOffset + L))
            } else {
                t.append(Tensor(name: "encoder.hidden.\(i).weight", shape: [l.outputs, l.inputs], offset: l.offset))
                t.append(Tensor(name: "encoder.hidden.\(i).bias", shape: [l.outputs], offset: l.biasOffset))
            }
        }
        for (i, l) in decoder.enumerated() {
            let name = i == decoder.count - 1 ? "decoder.output" : "decoder.hidden.\(i)"
            t.append(Tensor(name: name + ".weight", shape: [l.outputs, l.inputs], offset: l.offset))
            t.append(Tensor(name: name + ".bias", shape: [l.outputs], offset: l.biasOffset))
        }
        return t
    }
}
