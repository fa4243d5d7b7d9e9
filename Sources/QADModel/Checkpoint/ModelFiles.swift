import Foundation
import QADCore

/// A model as two files: `model.safetensors` (weights) and `model.json` (its
/// card). The card carries the weights' hash, so a pair torn apart by a crash
/// between the two renames is detected on load.
public enum ModelFiles {
    public static let weightsName = "model.safetensors"
    public static let cardName = "model.json"
    /// Inference's row-aligned outputs beside them: row i belongs to cache row i.
    public static let latentMuName = "latent_mu.npy"
    public static let latentSigmaName = "latent_sigma.npy"
    public static let reconstructionName = "reconstruction.npy"
    /// The cache rows held out for validation (float64, sorted): spectra the
    /// published model never trained on.
    public static let validationRowsName = "validation_rows.npy"

    /// The card in `directory`, or nil when no model has been published there.
    public static func card(in directory: String) throws -> ModelCard? {
        let path = directory + "/" + cardName
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try ModelCard.decode(data, path: path)
    }

    /// The weights as named tensors in PyTorch layout.
    public static func entries(_ model: VAEModel) -> [SafeTensors.Entry] {
        model.layout.tensors.map { t in
            SafeTensors.Entry(name: t.name, shape: t.shape,
                              values: Array(UnsafeBufferPointer(start: model.parameters.pointer + t.offset, count: t.count)))
        }
    }

    /// Writes both files into `directory` (which must exist); fills the card's
    /// weights hash and tensor list.
    @discardableResult
    public static func write(_ model: VAEModel, card: ModelCard, to directory: String) throws -> ModelCard {
        let weights = try SafeTensors.encode(entries(model), metadata: ["format": "qad-vae", "card": cardName])
        var card = card
        card.modelError = model.modelError
        card.weightsHash = weights.withUnsafeBytes { raw in
            var h = ContentHash()
            h.update(raw.baseAddress!, count: raw.count)
            return h.hex
        }
        card.tensors = model.layout.tensors.map(\.name)
        try DurableFile.write(weights, to: directory + "/" + weightsName)
        try DurableFile.write(try card.encoded(), to: directory + "/" + cardName)
        return card
    }

    /// Loads and checks a model written by `write`.
    public static func load(from directory: String) throws -> (model: VAEModel, card: ModelCard) {
        let cardPath = directory + "/" + cardName, weightsPath = directory + "/" + weightsName
        guard let cardData = FileManager.default.contents(atPath: cardPath) else {
            throw LocatedError("\(cardPath): no model card (train a model first: qad train)")
        }
        let card = try ModelCard.decode(cardData, path: cardPath)
        guard let weights = FileManager.default.contents(atPath: weightsPath) else {
            throw LocatedError("\(weightsPath): weights missing")
        }
        let hash = weights.withUnsafeBytes { raw in
            var h = ContentHash()
            h.update(raw.baseAddress!, count: raw.count)
            return h.hex
        }
        guard hash == card.weightsHash else {
            throw LocatedError("\(weightsPath): weights hash \(hash) does not match \(cardPath) (\(card.weightsHash))")
        }
        let (entries, _) = try SafeTensors.decode(weights, path: weightsPath)
        let layout = ParameterLayout(card.architecture)
        let parameters = FloatBuffer(count: layout.count)
        for t in layout.tensors {
            guard let e = entries[t.name] else { throw LocatedError("\(weightsPath): tensor \(t.name) missing") }
            guard e.shape == t.shape else {
                throw LocatedError("\(weightsPath): tensor \(t.name) has shape \(e.shape), the card's architecture needs \(t.shape)")
            }
            e.values.withUnsafeBufferPointer { (parameters.pointer + t.offset).update(from: $0.baseAddress!, count: t.count) }
        }
        let model = try VAEModel(architecture: card.architecture, parameters: parameters)
        if let epsilon = card.modelError {
            guard epsilon.count == card.architecture.bins, epsilon.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw LocatedError("\(cardPath): modelError has \(epsilon.count) values, or a negative or non-finite one; the architecture has \(card.architecture.bins) bins")
            }
            model.modelError = epsilon
        }
        return (model, card)
    }
}
