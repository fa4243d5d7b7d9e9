import Foundation
import QADModel
import QADStore
import QADStoreFixtures
import QADTestSupport
import Testing
@testable import QADModel

/// `qad train` and `qad infer` as processes (the binary built beside the tests).
@Suite(.serialized) struct TrainCommandTests {
    static func weights(_ store: String) throws -> [Float] {
        try ModelFiles.load(from: store + "/models/vae").model.parameters.array
    }

    /// `qad train` killed (SIGKILL) while training and started again finishes
    /// with exactly the weights of a run that was never interrupted.
    @Test func killedTrainingResumesToTheSameWeights() throws {
        let qad = qadExecutable()
        try #require(FileManager.default.isExecutableFile(atPath: qad), "build qad first (\(qad))")
        let args = ["train", "--epochs", "6", "--threads", "2", "--batch-size", "32", "--seed", "3"]
        let straight = try SyntheticStore(spectra: 2000, seed: 4, directory: temporaryDirectory())
        let (status, output) = try run(qad, args + ["--store", straight.directory])
        #expect(status == 0, "\(output)")
        #expect(output.components(separatedBy: "\n").filter { $0.hasPrefix("epoch ") }.count == 6, "\(output)")
        #expect(output.contains("spectra/s") && output.contains("χ²/dof"))

        let killed = try SyntheticStore(spectra: 2000, seed: 4, directory: temporaryDirectory())
        let p = Process()
        p.executableURL = URL(fileURLWithPath: qad)
        p.arguments = args + ["--store", killed.directory]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Kill it part-way through epoch 2 or later: after the first checkpoint.
        let latest = killed.directory + "/models/vae/checkpoints/LATEST"
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: latest) && Date() < deadline && p.isRunning { usleep(2_000) }
        usleep(150_000)
        let wasRunning = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(wasRunning, "training finished before it could be killed; make the test data larger")
        let state = try CheckpointDirectory(path: killed.directory + "/models/vae").loadLatest()?.state
        #expect((state?.epochsDone ?? 0) < 6)

        let (again, log) = try run(qad, args + ["--store", killed.directory])
        #expect(again == 0, "\(log)")
        #expect(log.contains("resuming model 'vae' after epoch"), "\(log)")
        #expect(try Self.weights(killed.directory) == Self.weights(straight.directory))
        // Finished: a third run does nothing.
        let (_, done) = try run(qad, args + ["--store", killed.directory])
        #expect(done.contains("already trained"), "\(done)")
    }

    @Test func inferWritesOutputsAndSkipsWhenDone() throws {
        let qad = qadExecutable()
        try #require(FileManager.default.isExecutableFile(atPath: qad), "build qad first (\(qad))")
        let store = try SyntheticStore(spectra: 300, directory: temporaryDirectory())
        #expect(try run(qad, ["train", "--store", store.directory, "--epochs", "2", "--hidden", "32,16", "--latent", "4"]).status == 0)
        let (status, output) = try run(qad, ["infer", "--store", store.directory])
        #expect(status == 0 && output.contains("inferred 300 spectra"), "\(output)")
        let outputs = try (store.project.store as! SQLiteStore).modelOutputs(model: "vae")
        #expect(outputs.count == 300 && outputs.allSatisfy { $0.reconChi2.isFinite && $0.dof > 0 })
        let (_, again) = try run(qad, ["infer", "--store", store.directory])
        #expect(again.contains("already in the store"), "\(again)")
        // Usage errors, not crashes.
        #expect(try run(qad, ["train", "--store", store.directory, "--activation", "sigmoid"]).status != 0)
        #expect(try run(qad, ["infer", "--store", store.directory, "--model", "missing"]).output.contains("no model card"))
    }
}
