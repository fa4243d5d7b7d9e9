import Foundation
import QADCore
import QADFixtures
import QADFormats
import QADTestSupport
import Testing
@testable import QADModel

@Suite struct CheckpointTests {
    @Test func safetensorsRoundTripAndLayout() throws {
        let entries = [SafeTensors.Entry(name: "a.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
                       SafeTensors.Entry(name: "a.bias", shape: [2], values: [-1, 0.5])]
        let data = try SafeTensors.encode(entries, metadata: ["k": "v"])
        // 8-byte header length, JSON header, data aligned to 8 bytes.
        let n = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        #expect((8 + n) % 8 == 0 && data.count == 8 + n + 4 * 8)
        let (decoded, meta) = try SafeTensors.decode(data, path: "mem")
        #expect(decoded["a.weight"] == entries[0] && decoded["a.bias"] == entries[1] && meta == ["k": "v"])
        #expect(throws: LocatedError.self) { try SafeTensors.decode(data.prefix(20), path: "truncated") }
    }

    @Test func modelFilesRoundTripAndDetectATornPair() throws {
        let arch = VAEArchitecture(bins: 50, hidden: [16, 8], latent: 4, activation: .elu)
        let model = try VAEModel(architecture: arch, seed: 2, outputBias: (0..<50).map { Float($0) / 50 })
        let dir = temporaryDirectory()
        let card = ModelCard(architecture: arch, restGrid: RestGrid(log10Start: 3, log10Step: 1e-3, count: 50),
                             normalization: .init(referenceHash: "r"), training: TrainingConfig(),
                             data: .init(shard: "main", hash: "h", spectra: 10, trainingSpectra: 9, validationSpectra: 1,
                                         excludedSpectra: 0),
                             epoch: 3, validationLoss: 1.5, validationMedianChi2PerDof: 1.1, weightsHash: "", tensors: [])
        let written = try ModelFiles.write(model, card: card, to: dir)
        let (loaded, loadedCard) = try ModelFiles.load(from: dir)
        #expect(loaded.parameters.array == model.parameters.array)
        #expect(loadedCard == written && written.tensors.contains("encoder.logvar.bias"))
        // Weights from another model under the same card are refused.
        let other = try VAEModel(architecture: arch, seed: 3)
        let otherDir = temporaryDirectory()
        try ModelFiles.write(other, card: card, to: otherDir)
        try FileManager.default.removeItem(atPath: dir + "/model.safetensors")
        try FileManager.default.copyItem(atPath: otherDir + "/model.safetensors", toPath: dir + "/model.safetensors")
        #expect(throws: LocatedError.self) { try ModelFiles.load(from: dir) }
    }

    /// The checkpoint read by the `safetensors` package and run in NumPy
    /// (tools/vae_forward_check.py) gives qad's latents and reconstructions.
    @Test(.needs(.python)) func pythonForwardPassMatches() throws {
        let python = try requirePython()
        let store = try SyntheticCache(spectra: 150, anomalyEvery: 10, directory: temporaryDirectory())
        // Trained (not random) weights, every activation of the checkpoint format.
        for activation in Activation.allCases {
            var arch = smallArchitecture
            arch.activation = activation
            let out = try store.trainer(activation.rawValue)
                .train(on: store, architecture: arch, config: quickConfig(epochs: 2))
            let (model, _) = try ModelFiles.load(from: out.modelDirectory)
            let (flux, weight) = try store.matrices()
            let eval = model.evaluate(flux: flux, weight: weight, batchSize: 32, threads: 2)
            let dir = temporaryDirectory()
            try NPYFile.write(flux.values, shape: [flux.rows, flux.columns], to: dir + "/flux.npy")
            try NPYFile.write(weight.values, shape: [weight.rows, weight.columns], to: dir + "/weight.npy")
            try NPYFile.write(eval.mu.values, shape: [eval.mu.rows, eval.mu.columns], to: dir + "/mu.npy")
            try NPYFile.write(eval.sigma.values, shape: [eval.sigma.rows, eval.sigma.columns], to: dir + "/sigma.npy")
            try NPYFile.write(eval.reconstruction.values, shape: [flux.rows, flux.columns], to: dir + "/recon.npy")
            let script = packageRoot.appendingPathComponent("tools/vae_forward_check.py").path
            let (status, output) = try run(python, [script, out.modelDirectory, dir + "/flux.npy", dir + "/weight.npy",
                                                    dir + "/mu.npy", dir + "/sigma.npy", dir + "/recon.npy", "--tol", "1e-4"])
            #expect(status == 0, "\(activation): \(output)")
            #expect(output.contains("reconstruction: max difference"), "\(output)")
        }
    }
}
