import Foundation
import QADCore
import QADStore
import QADTestSupport
import Testing
@testable import QADPipeline

@Suite struct WorkerTests {
    /// Three `qad worker` processes share one queue; one is SIGKILLed while it
    /// holds a claim. Every file ends ingested exactly once, no spectrum is lost
    /// or duplicated, and catalog and cache equal a single-process SQLite run.
    /// QAD_WORKER_SPECTRA sets the survey size (default 3,000 in 50 files; the
    /// issue's 20,000-spectrum case is `QAD_WORKER_SPECTRA=20000`).
    @Test(.needs(.postgres), .timeLimit(.minutes(20)))
    func threeWorkersOneKilledEqualASingleProcessRun() throws {
        let cluster = try PostgresCluster.required()
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }  // hundreds of MB of FITS and cache
        let spectra = ProcessInfo.processInfo.environment["QAD_WORKER_SPECTRA"].flatMap { Int($0) } ?? 3000
        let files = (spectra + 59) / 60
        try qad(["simulate", "--out", dir + "/sim", "--n", String(spectra), "--per-file", "60", "--seed", "7",
                 "--anomaly-frac", "0.02"])
        let catalog = dir + "/sim/QSO_cat_sim.fits", input = dir + "/sim/healpix"
        try qad(["ingest", "--store", dir + "/single", "--qso-catalog", catalog, "--plain", input])

        let url = try cluster.makeDatabase(), db = databaseName(url), cache = dir + "/shared"
        let queued = try qad(["ingest", "--store", url, "--cache", cache, "--queue", input])
        #expect(queued.contains("\(files) queued"), "\(queued)")

        func worker(_ name: String) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: qadExecutable())
            p.arguments = ["worker", "--store", url, "--cache", cache, "--qso-catalog", catalog, "--owner", name,
                           "--lease-seconds", "3", "--poll-seconds", "0.3"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/\(name).log").creatingFile())
            try p.run()
            return p
        }
        let victim = try worker("w1"), survivors = [try worker("w2"), try worker("w3")]

        // Kill w1 once it has finished two files and holds a claim on another.
        // It is frozen (SIGSTOP) before its claim is read, so the claim seen is
        // the one it dies with: a commit in flight is rolled back with its connection.
        func psqlValue(_ sql: String) throws -> String {
            try cluster.psql(db, sql).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var heldItem: String?
        let deadline = Date().addingTimeInterval(120)
        while heldItem == nil && Date() < deadline {
            guard Int(try psqlValue("SELECT count(*) FROM work_queue WHERE owner = 'w1' AND state = 'done'"))! >= 2 else {
                Thread.sleep(forTimeInterval: 0.02)
                continue
            }
            kill(victim.processIdentifier, SIGSTOP)
            Thread.sleep(forTimeInterval: 0.05)
            let held = try psqlValue("SELECT id FROM work_queue WHERE owner = 'w1' AND state = 'claimed'")
            if held.isEmpty {
                kill(victim.processIdentifier, SIGCONT)  // between two files: try again
                Thread.sleep(forTimeInterval: 0.01)
            } else {
                kill(victim.processIdentifier, SIGKILL)
                heldItem = held
            }
        }
        victim.waitUntilExit()
        let killedItem = try #require(heldItem, "w1 never held a claim after finishing two files")
        #expect(victim.terminationReason == .uncaughtSignal)
        for (s, name) in zip(survivors, ["w2", "w3"]) {
            s.waitUntilExit()
            #expect(s.terminationStatus == 0, "\(name): \((try? String(contentsOfFile: dir + "/\(name).log", encoding: .utf8)) ?? "")")
        }

        // The queue: every item done, once; the killed claim taken over and redone.
        let states = try cluster.psql(db, "SELECT state || ':' || count(*) FROM work_queue GROUP BY state")
        #expect(states.trimmingCharacters(in: .whitespacesAndNewlines) == "done:\(files)")
        let killed = try cluster.psql(db, "SELECT attempts || ' ' || owner FROM work_queue WHERE id = \(killedItem)")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(killed.hasPrefix("2 ") && !killed.hasSuffix(" w1"), "\(killed)")
        // Only the winning attempt's shard is referenced, and the dead attempt's files are gone.
        let referenced = try cluster.psql(db, """
            SELECT count(*) FROM (SELECT DISTINCT cache_shard FROM spectrum) s
            WHERE cache_shard NOT IN (SELECT shard FROM work_queue WHERE shard IS NOT NULL)
            """)
        #expect(referenced.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let shardsInUse = Set(try cluster.psql(db, "SELECT DISTINCT cache_shard FROM spectrum")
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        let cacheDirectory = try ProjectStore.open(store: url, cache: cache).cacheDirectory
        let shardsOnDisk = Set(try FileManager.default.contentsOfDirectory(atPath: cacheDirectory)
            .filter { $0.hasSuffix(".flux.npy") }.map { String($0.dropLast(".flux.npy".count)) })
        #expect(shardsOnDisk == shardsInUse)

        let single = try ProjectSnapshot(ProjectStore.open(store: dir + "/single"))
        let shared = try ProjectSnapshot(ProjectStore.open(store: url, cache: cache))
        #expect(single.spectra.count > 1000)
        expectSameContent(single, shared)

        // Training and inference read the ~50 worker shards as one cache; every
        // output names its spectrum's own shard and row.
        try qad(["train", "--store", url, "--cache", cache, "--epochs", "1", "--threads", "2"])
        try qad(["infer", "--store", url, "--cache", cache, "--threads", "2"])
        let project = try ProjectStore.open(store: url, cache: cache)
        let outputs = try project.store.modelOutputs(model: "vae")
        let places = Dictionary(uniqueKeysWithValues: try project.store.spectra().map { ($0.targetid, "\($0.cacheShard)#\($0.cacheRow)") })
        #expect(outputs.count == places.count)
        #expect(outputs.allSatisfy { places[$0.targetid] == "\($0.cacheShard)#\($0.cacheRow)" && $0.reconChi2.isFinite })
    }
}

private extension URL {
    func creatingFile() -> URL {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return self
    }
}
