import Foundation
import QADCore
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
        let sim = try simulateSurvey(SimulationConfig(outputDirectory: dir + "/sim", count: 3000, seed: 7,
                                                      spectraPerFile: 30))
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
        var watcher: SQLiteStore?
        while Date() < deadline, killed.isRunning {
            watcher = watcher ?? (try? SQLiteStore(path: dir + "/killed/qad.sqlite", readOnly: true))
            if let files = try? watcher?.files(), files.count >= 1 {
                doneAtKill = files.count
                break
            }
            usleep(500)
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

    @Test func aCacheThatLostItsTailIsRepairedByTheNextRun() async throws {
        // A power cut can leave the SQLite commit durable but not the cache rows
        // behind it: the next run forgets the files whose rows are gone and redoes them.
        func ingest(_ dir: String) async throws -> (ProjectStore, IngestSummary) {
            try await ingestForTest([sharedData("desi/edr-tile-80693")],
                                    catalogs: [sharedData("desi/catalogs/QSO_cat_fuji_dark_tile.fits.gz")], into: dir)
        }
        let reference = temporaryDirectory(), damaged = temporaryDirectory()
        let (a, _) = try await ingest(reference)
        let (b, first) = try await ingest(damaged)
        #expect(first.spectraIngested == 10)
        // Rows 0–4 come from the first file, 5–9 from the second: keep 7 rows.
        let flux = b.fluxPath(shard: "main")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: flux))
        try handle.truncate(atOffset: UInt64(128 + 7 * 4 * RestGrid.standard.count))
        try handle.close()

        let (_, repair) = try await ingest(damaged)
        #expect(repair.filesIngested == 1 && repair.filesAlreadyDone == 1 && repair.spectraIngested == 5)
        #expect(repair.problems.contains { $0.problem.message.contains("cache rows were lost") })
        #expect(try a.store.spectra() == b.store.spectra())
        for m in ["flux", "weight"] {
            #expect(FileManager.default.contentsEqual(atPath: "\(a.cacheDirectory)/main.\(m).npy",
                                                      andPath: "\(b.cacheDirectory)/main.\(m).npy"))
        }
    }
}
