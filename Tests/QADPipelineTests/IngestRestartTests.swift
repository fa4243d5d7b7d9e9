import Foundation
import QADFormats
import QADStore
import QADTestSupport
import Testing
@testable import QADPipeline

/// A `qad ingest` killed with SIGKILL part-way and started again ends with the
/// same store, byte for byte in the cache, as one uninterrupted run.
@Suite struct IngestRestartTests {
    @Test func killedAndRestartedRunEqualsUninterruptedRun() async throws {
        let qad = qadExecutable()
        try #require(FileManager.default.isExecutableFile(atPath: qad), "build qad first (swift build): \(qad)")
        let dir = temporaryDirectory()
        let sim = try simulateSurvey(SimulationConfig(outputDirectory: dir + "/sim", count: 2400, seed: 7,
                                                      spectraPerFile: 60))
        let arguments = { (store: String) in
            ["ingest", "--store", store, "--qso-catalog", sim.catalogFile, "--workers", "2", "--plain", dir + "/sim/healpix"]
        }

        let whole = try run(qad, arguments(dir + "/whole"))
        try #require(whole.status == 0, "\(whole.output)")

        // Start, wait for some files to be committed, SIGKILL, start again.
        let killed = Process()
        killed.executableURL = URL(fileURLWithPath: qad)
        killed.arguments = arguments(dir + "/killed")
        killed.standardOutput = FileHandle.nullDevice
        killed.standardError = FileHandle.nullDevice
        try killed.run()
        var doneAtKill = 0
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let store = try? SQLiteStore(path: dir + "/killed/qad.sqlite"), let files = try? store.files(), files.count >= 2 {
                doneAtKill = files.count
                break
            }
            usleep(2_000)
        }
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        #expect(killed.terminationReason == .uncaughtSignal, "the first run finished before it could be killed")
        #expect(doneAtKill > 0 && doneAtKill < sim.files)

        let resumed = try run(qad, arguments(dir + "/killed"))
        try #require(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("already in store"))

        let a = try ProjectStore(directory: dir + "/whole"), b = try ProjectStore(directory: dir + "/killed")
        let rowsA = try a.store.spectra(), rowsB = try b.store.spectra()
        #expect(rowsA.count > 1000)
        #expect(rowsA == rowsB)
        #expect(try a.store.files().map(\.path) == b.store.files().map(\.path))
        for matrix in ["flux", "weight"] {
            let pa = "\(a.cacheDirectory)/main.\(matrix).npy", pb = "\(b.cacheDirectory)/main.\(matrix).npy"
            let same = FileManager.default.contentsEqual(atPath: pa, andPath: pb)
            #expect(same, "\(matrix) cache differs after the restart")
        }
    }
}
