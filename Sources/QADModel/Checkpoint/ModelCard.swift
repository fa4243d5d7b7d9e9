import Foundation
import QADCore

/// The JSON beside a checkpoint's weights: everything needed to rebuild and
/// use the model elsewhere (architecture, grid, input normalization) and to
/// know where it came from (training configuration, data hash, epoch).
public struct ModelCard: Codable, Sendable, Equatable {
    public var format = "qad-vae"
    public var formatVersion = 1
    public var architecture: VAEArchitecture
    public var restGrid: RestGrid
    public var normalization: Normalization
    public var training: TrainingConfig
    public var data: DataDescription
    /// Epochs completed when these weights were saved.
    public var epoch: Int
    public var validationLoss: Double?
    public var validationMedianChi2PerDof: Double?
    /// `ContentHash` of the weights file: the card and the weights belong together.
    public var weightsHash: String
    /// Tensor names in PyTorch `nn.Linear` convention ([out, in] weights).
    public var tensors: [String]
    public var loss = "chi2 + beta * KL; chi2 = sum over covered bins of weight * (flux - reconstruction)^2; with training.modelErrorFloor, weight is replaced by 1 / (1 / weight + (modelError * reconstruction)^2), held fixed in the gradient"
    /// What inference's recon_chi2 is.
    public var reportedChi2: String? = "sum over covered bins of (flux - reconstruction)^2 / (1 / weight + (modelError * reconstruction)^2), divided by the covered bins; modelError absent: weight * (flux - reconstruction)^2"
    /// The model's own fractional error ε per rest bin, fitted on the
    /// validation spectra after this epoch (`ModelErrorFloor`); absent in
    /// cards written before it existed.
    public var modelError: [Float]?
    /// How the encoder's `encoder.logvar` output h becomes log σ².
    public var logVariance = "max(1 - softplus(1 - h), -30)"

    public struct Normalization: Codable, Sendable, Equatable {
        /// How the cache normalized the spectra (docs/preprocessing.md §4).
        public var spectra = "flux / A, weight = ivar * A^2, A = least-squares amplitude of cache/reference.npy"
        /// `ContentHash` of cache/reference.npy's values.
        public var referenceHash: String
        /// The encoder's input features.
        public var encoderFlux = "clip(flux, -inputClip, inputClip) where weight > 0, else 0"
        public var encoderWeight = "weightFeatureScale * log1p(weight) where weight > 0, else 0"
        public var encoderInput = "concatenate([flux feature, weight feature]) along the bins"
        public init(referenceHash: String) { self.referenceHash = referenceHash }
    }

    public struct DataDescription: Codable, Sendable, Equatable {
        public var shard: String
        /// `ContentHash` over the selected spectra's TARGETIDs, flux and weight rows.
        public var hash: String
        public var spectra: Int
        public var trainingSpectra: Int
        public var validationSpectra: Int
        /// Spectra left out as corrupt (see `TrainingConfig.maxAbsFlux`).
        public var excludedSpectra: Int
    }

    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(self)
    }

    public static func decode(_ data: Data, path: String) throws -> ModelCard {
        do { return try JSONDecoder().decode(ModelCard.self, from: data) } catch {
            throw LocatedError("\(path): not a qad model card (\(error))")
        }
    }
}
