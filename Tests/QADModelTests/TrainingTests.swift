import Foundation
import QADCore
import QADFixtures
import QADTestSupport
import Testing
@testable import QADModel

@Suite(.serialized) struct TrainingTests {
    @Test func validationLossFallsAndCheckpointsAreWritten() throws {
        let store = try SyntheticCache(spectra: 600, directory: temporaryDirectory())
        let trainer = try store.trainer("vae")
        var reports: [EpochReport] = []
        trainer.onEpoch = { reports.append($0) }
        let outcome = try trainer.train(on: store, architecture: smallArchitecture, config: quickConfig(epochs: 15))
        #expect(reports.count == 15 && reports.map(\.epoch) == Array(1...15))
        let late = reports.suffix(5).map(\.validationLoss).min()!
        #expect(late < 0.75 * reports[0].validationLoss, "validation loss \(reports.map(\.validationLoss))")
        #expect(reports.allSatisfy { $0.spectraPerSecond > 0 && $0.trainChi2PerDof > 0 })
        #expect(outcome.state.finished && outcome.state.stopReason == StopReason.maxEpochs)
        // Published model: the best epoch, loadable, with its card.
        let (model, card) = try ModelFiles.load(from: outcome.modelDirectory)
        #expect(card.epoch == outcome.state.bestEpoch)
        #expect(card.architecture == smallArchitecture && card.restGrid.count == store.grid.count)
        #expect(abs(card.restGrid.log10Start - store.grid.log10Start) < 1e-9 && abs(card.restGrid.log10Step - store.grid.log10Step) < 1e-12)
        #expect(card.data.trainingSpectra + card.data.validationSpectra == 600 && card.data.validationSpectra == 120)
        #expect(card.data.hash == outcome.state.dataHash && card.training.maxEpochs == 15)
        #expect(model.parameterCount == ParameterLayout(smallArchitecture).count)
        // Only the latest and best epochs are kept.
        let kept = try FileManager.default.contentsOfDirectory(atPath: trainer.directory.checkpoints).filter { $0.hasPrefix("epoch-") }
        #expect(Set(kept) == Set(["epoch-0015", CheckpointDirectory.epochFolderName(outcome.state.bestEpoch!)]))
        // Running again does nothing.
        let again = try trainer.train(on: store, architecture: smallArchitecture, config: quickConfig(epochs: 15))
        #expect(again.alreadyFinished)
    }

    @Test func sameSeedAndThreadsGiveTheSameWeights() throws {
        let store = try SyntheticCache(spectra: 200, directory: temporaryDirectory())
        func weights(_ name: String, seed: UInt64) throws -> [Float] {
            var c = quickConfig(epochs: 2)
            c.seed = seed
            let out = try store.trainer(name).train(on: store, architecture: smallArchitecture, config: c)
            return try ModelFiles.load(from: out.modelDirectory).model.parameters.array
        }
        let a = try weights("a", seed: 5), b = try weights("b", seed: 5), c = try weights("c", seed: 6)
        #expect(a == b)
        #expect(a != c)
    }

    /// Stopping after epoch 2 and resuming to epoch 4 gives bit-identical
    /// weights, optimizer state and history to 4 epochs in one go.
    @Test func resumingContinuesExactly() throws {
        let store = try SyntheticCache(spectra: 200, directory: temporaryDirectory())
        let straight = try store.trainer("straight")
        _ = try straight.train(on: store, architecture: smallArchitecture, config: quickConfig(epochs: 4))
        let split = try store.trainer("split")
        _ = try split.train(on: store, architecture: smallArchitecture, config: quickConfig(epochs: 2))
        let resumed = try split.train(on: store, architecture: nil, config: quickConfig(epochs: 4))
        #expect(resumed.resumedAfterEpoch == 2 && !resumed.alreadyFinished)
        let a = try straight.directory.loadLatest()!, b = try split.directory.loadLatest()!
        #expect(a.model.parameters.array == b.model.parameters.array)
        #expect(a.model.modelError != nil && a.model.modelError == b.model.modelError)
        #expect(a.optimizer.m.array == b.optimizer.m.array && a.optimizer.steps == b.optimizer.steps)
        #expect(a.state.history.map(\.validationLoss) == b.state.history.map(\.validationLoss))
    }

    /// The model's own error is refitted on the validation spectra after
    /// every epoch, travels with the published model, and widens the χ² of
    /// inference (training itself stays on χ² against the noise by default).
    @Test func modelErrorIsFittedAndPublishedWithTheModel() throws {
        let store = try SyntheticCache(spectra: 200, directory: temporaryDirectory())
        let trainer = try store.trainer("vae")
        var reports: [EpochReport] = []
        trainer.onEpoch = { reports.append($0) }
        let out = try trainer.train(on: store, architecture: smallArchitecture, config: quickConfig(epochs: 4))
        for r in reports {
            let noise = try #require(r.validationMedianNoiseChi2PerDof)
            #expect(r.validationMedianChi2PerDof < noise && (r.medianModelError ?? -1) >= 0, "\(r)")
        }
        let (model, card) = try ModelFiles.load(from: out.modelDirectory)
        let epsilon = try #require(model.modelError)
        #expect(card.modelError == epsilon && epsilon.count == smallArchitecture.bins)
        #expect(epsilon.allSatisfy { $0.isFinite && $0 >= 0 } && epsilon.contains { $0 > 0 })
        let (flux, weight) = try store.matrices()
        let widened = model.evaluate(flux: flux, weight: weight, threads: 2)
        model.modelError = nil
        let plain = model.evaluate(flux: flux, weight: weight, threads: 2)
        #expect(zip(widened.chi2PerDof, plain.chi2PerDof).allSatisfy { $0 <= $1 * (1 + 1e-6) })
        #expect(widened.chi2PerDof.reduce(0, +) < 0.95 * plain.chi2PerDof.reduce(0, +))
        #expect(widened.reconstruction == plain.reconstruction)
    }

    /// `modelErrorFloor` trains on the widened χ² from the second epoch on
    /// (the first has no ε yet); without it the weights follow χ² against
    /// the noise.
    @Test func trainingWithTheModelErrorFloorWeighsByIt() throws {
        let store = try SyntheticCache(spectra: 200, directory: temporaryDirectory())
        func weights(_ name: String, epochs: Int, floor: Bool) throws -> [Float] {
            var c = quickConfig(epochs: epochs)
            c.modelErrorFloor = floor
            let trainer = try store.trainer(name)
            _ = try trainer.train(on: store, architecture: smallArchitecture, config: c)
            return try #require(try trainer.directory.loadLatest()).model.parameters.array  // the last epoch, not the best
        }
        #expect(try weights("a", epochs: 1, floor: false) == weights("b", epochs: 1, floor: true))
        #expect(try weights("c", epochs: 2, floor: false) != weights("d", epochs: 2, floor: true))
        #expect(!TrainingConfig().trainsWithModelError)
    }

    /// Cards and checkpoints written before the model error existed load as
    /// models without one, trained without one.
    @Test func cardsWithoutAModelErrorLoadAsPlainChiSquare() throws {
        let store = try SyntheticCache(spectra: 120, directory: temporaryDirectory())
        let out = try store.trainer("old").train(on: store, architecture: smallArchitecture, config: quickConfig(epochs: 1))
        let path = out.modelDirectory + "/" + ModelFiles.cardName
        var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        json["modelError"] = nil
        var training = try #require(json["training"] as? [String: Any])
        training["modelErrorFloor"] = nil
        json["training"] = training
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let (model, card) = try ModelFiles.load(from: out.modelDirectory)
        #expect(model.modelError == nil && card.training.modelErrorFloor == nil && !card.training.trainsWithModelError)
        // A modelError of the wrong length is refused, naming the card.
        json["modelError"] = [0.1, 0.2]
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        #expect { try ModelFiles.load(from: out.modelDirectory) } throws: { "\($0)".contains(path) && "\($0)".contains("modelError") }
    }

    @Test func resumeRefusesOtherSettingsOrData() throws {
        let store = try SyntheticCache(spectra: 120, directory: temporaryDirectory())
        let trainer = try store.trainer("vae")
        _ = try trainer.train(on: store, architecture: smallArchitecture, config: quickConfig(epochs: 1))
        var other = quickConfig(epochs: 3)
        other.batchSize = 16
        #expect(throws: LocatedError.self) { try trainer.train(on: store, architecture: nil, config: other) }
        var wider = smallArchitecture
        wider.hidden = [80, 32]
        #expect(throws: LocatedError.self) { try trainer.train(on: store, architecture: wider, config: quickConfig(epochs: 3)) }
        // Different data (a subset) is refused; --force starts over.
        var subset = quickConfig(epochs: 3)
        subset.subset = 100
        #expect(throws: LocatedError.self) { try trainer.train(on: store, architecture: nil, config: subset) }
        try trainer.discardCheckpoints()
        let fresh = try trainer.train(on: store, architecture: nil, config: subset)
        #expect(fresh.resumedAfterEpoch == nil && fresh.state.epochsDone == 3)
        #expect(try ModelFiles.load(from: fresh.modelDirectory).card.data.spectra == 100)
    }

    /// Corrupt spectra (absurd flux in a covered bin) are left out of training
    /// and do not derail it.
    @Test func corruptSpectraAreLeftOut() throws {
        let store = try SyntheticCache(spectra: 150, directory: temporaryDirectory())
        // Overwrite one bin of row 3 in the cache with 1e20.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: store.fluxPath))
        let cache = try store.cache()
        let w = cache.weight.row(3)
        let j = (0..<SyntheticCache.bins).first { w[$0] > 0 }!
        try handle.seek(toOffset: UInt64(128 + 4 * (3 * SyntheticCache.bins + j)))
        var big: Float = 1e20
        try handle.write(contentsOf: Data(bytes: &big, count: 4))
        try handle.close()
        let data = try store.trainingSet(quickConfig())
        #expect(data.excluded.map(\.row) == [3] && data.count == 149)
        let out = try store.trainer("vae").train(on: store, architecture: smallArchitecture, config: quickConfig(epochs: 3))
        #expect(out.state.history.allSatisfy { $0.validationLoss.isFinite })
    }
}

@Suite struct ScheduleTests {
    @Test func plateauHalvesTheLearningRateAndPatienceStops() {
        var c = TrainingConfig()
        c.betaWarmupEpochs = 1
        c.learningRatePatience = 2
        c.earlyStoppingPatience = 3
        var s = TrainingState(learningRate: 1e-3, architecture: smallArchitecture, config: c, dataHash: "")
        func epoch(_ loss: Double) -> Bool {
            let better = Schedule.update(&s, validationLoss: loss, config: c)
            s.epochsDone += 1
            return better
        }
        #expect(epoch(100))          // epoch 1 (warm-up)
        #expect(epoch(50))           // better
        #expect(!epoch(50.1))        // stagnant 1
        #expect(s.learningRate == 1e-3)
        #expect(!epoch(60))          // stagnant 2 → halve
        #expect(s.learningRate == 5e-4 && s.epochsWithoutImprovement == 2)
        #expect(epoch(49.99))        // best weights but not better by 0.1 %: still stagnant
        #expect(s.epochsWithoutImprovement == 3 && s.bestEpoch == 5)
        #expect(epoch(10))           // real improvement resets
        #expect(s.epochsWithoutImprovement == 0)
    }
}
