import Foundation
import QADCore

/// The VAE's parameters: one flat Float32 buffer laid out by `ParameterLayout`,
/// so the optimizer, gradient reduction and checkpoints treat it as one array.
public final class VAEModel: @unchecked Sendable {
    // @unchecked: parameters change only in the optimizer step, which runs
    // while no forward or backward pass reads them.
    public let architecture: VAEArchitecture
    public let layout: ParameterLayout
    public let parameters: FloatBuffer
    /// The model's own fractional error ε per rest bin (`ModelErrorFloor`):
    /// χ² weighs each bin by 1/(1/w + (ε·m)²) rather than w. nil for a model
    /// trained without it (plain χ²). Training refits it after every epoch,
    /// between the steps that read it.
    public var modelError: [Float]?

    /// Fresh weights: uniform with variance gain²/fan-in (He for rectifiers;
    /// nearly zero for the spectrum layer), zero biases, the output bias set to `outputBias` (the mean normalized
    /// spectrum of the training set) so training starts from the mean quasar.
    public init(architecture: VAEArchitecture, seed: UInt64, outputBias: [Float]? = nil) throws {
        try architecture.validate()
        self.architecture = architecture
        layout = ParameterLayout(architecture)
        parameters = FloatBuffer(count: layout.count)
        var rng = SeededRandom(seed: seed, stream: 0x1417)
        let layers = layout.encoder + layout.decoder
        for (i, l) in layers.enumerated() {
            let isOutput = i == layout.encoder.count - 1 || i == layers.count - 1
            // The spectrum layer starts near zero so the first reconstructions
            // are the mean spectrum (its bias), not the mean plus random
            // structure with a χ² of 1e8 that the first epochs must unlearn.
            let gain2: Float = i == layers.count - 1 ? 1e-4 : isOutput ? 1 : architecture.activation.initGainSquared
            let bound = (3 * gain2 / Float(l.inputs)).squareRoot()
            let w = parameters.pointer + l.offset
            for k in 0..<l.weightCount { w[k] = Float(2 * rng.nextUniform() - 1) * bound }
        }
        // log σ² starts at -6 (σ ≈ 0.05): with σ ≈ 1 the decoder would see
        // mostly noise, and Adam moves a bias only ~learning rate per step, so
        // it would take thousands of steps before z carried information.
        let latentLayer = layout.encoder.last!
        let logVarianceBias = latentLayer.bias(parameters) + architecture.latent
        for k in 0..<architecture.latent { logVarianceBias[k] = Self.initialLogVariance }
        if let outputBias {
            guard outputBias.count == architecture.bins else {
                throw LocatedError("output bias has \(outputBias.count) values for \(architecture.bins) bins")
            }
            let b = layout.decoder.last!.bias(parameters)
            for j in 0..<outputBias.count { b[j] = outputBias[j] }
        }
    }

    /// A model around existing weights (a checkpoint).
    public init(architecture: VAEArchitecture, parameters: FloatBuffer) throws {
        try architecture.validate()
        self.architecture = architecture
        layout = ParameterLayout(architecture)
        guard parameters.count == layout.count else {
            throw LocatedError("\(parameters.count) parameters given; the architecture needs \(layout.count)")
        }
        self.parameters = parameters
    }

    public var parameterCount: Int { layout.count }

    /// Initial log σ² of every latent dimension.
    public static let initialLogVariance: Float = -6

    /// An independent copy of the weights.
    public func copy() throws -> VAEModel {
        let p = FloatBuffer(count: parameters.count)
        p.copy(from: parameters)
        let model = try VAEModel(architecture: architecture, parameters: p)
        model.modelError = modelError
        return model
    }
}
