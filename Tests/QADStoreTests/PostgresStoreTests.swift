import Foundation
import QADCore
import QADTestSupport
import Testing
@testable import QADStore

@Suite struct PostgresStoreTests {
    @Test func urlsParseAndHideTheirPassword() throws {
        let u = try PostgresURL("postgres://qad:s3cret@db.example.org:6543/survey/ard.qso_ard?sslmode=require")
        #expect(u.user == "qad" && u.password == "s3cret" && u.host == "db.example.org" && u.port == 6543)
        #expect(u.database == "survey" && u.extraPath == ["ard.qso_ard"] && u.tls == .require)
        #expect(!u.description.contains("s3cret"))
        let env = try PostgresURL("postgresql://worker@10.0.0.5/qad", environment: ["PGPASSWORD": "fromenv"])
        #expect(env.password == "fromenv" && env.port == 5432 && env.tls == .prefer)
        #expect(throws: LocatedError.self) { _ = try PostgresURL("postgres://host-only") }
        #expect(throws: LocatedError.self) { _ = try PostgresURL("postgres://u@h/db?sslmode=bogus") }
        let ard = try ARDTableReader(url: "postgres://u@h:5/db/ard.qso_ard")
        #expect(ard.schema == "ard" && ard.table == "qso_ard" && ard.url.extraPath.isEmpty)
    }

    /// Workers start together: each migrates, the schema is built once.
    @Test(.needs(.postgres)) func concurrentOpenersMigrateOnce() throws {
        let cluster = try PostgresCluster.required()
        let url = try cluster.makeDatabase()
        let errors = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do { _ = try PostgresStore(url: url) } catch { errors.withLock { $0.append("\(error)") } }
        }
        #expect(errors.value.isEmpty, "\(errors.value)")
        let database = String(url.split(separator: "/").last!.split(separator: "?").first!)
        let names = try cluster.psql(database, "SELECT name FROM schema_migrations ORDER BY name")
        #expect(names.split(separator: "\n").count == StoreSchema.steps.count)
    }

    /// Many synchronous callers at once, from plain threads and from inside Swift
    /// tasks (whose cooperative pool has as many threads as cores): more callers
    /// than pooled connections, no deadlock, every commit lands once.
    @Test(.needs(.postgres)) func concurrentCallersShareThePool() async throws {
        let cluster = try PostgresCluster.required()
        let store = try PostgresStore(url: try cluster.makeDatabase(), maxConnections: 3)
        DispatchQueue.concurrentPerform(iterations: 12) { i in
            let path = "thread-\(i)"
            try! store.commit(FileCommit(file: fileRecord(path), spectra: [spectrum(TargetID(i), file: path, row: 0, shard: path)],
                                         problems: []), shard: path, shardRows: 1, columns: 4)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<24 {
                group.addTask {
                    let path = "task-\(i)"
                    try store.commit(FileCommit(file: fileRecord(path), spectra: [spectrum(TargetID(100 + i), file: path, row: 0, shard: path)],
                                                problems: []), shard: path, shardRows: 1, columns: 4)
                    _ = try store.spectrumCount()
                }
            }
            try await group.waitForAll()
        }
        #expect(try store.spectrumCount() == 36)
        #expect(try store.files().count == 36)
    }

    @Test(.needs(.postgres)) func copyLoadsManyRowsExactly() throws {
        let cluster = try PostgresCluster.required()
        let store = try PostgresStore(url: try cluster.makeDatabase())
        var rng = SystemRandomNumberGenerator()
        let rows = (0..<20_000).map { i -> SpectrumRecord in
            var s = spectrum(TargetID(i) * 1_000_003, file: "big", row: i)
            s.z = Double.random(in: 0...7, using: &rng)
            s.snr = Double(bitPattern: UInt64.random(in: 0x0010_0000_0000_0000...0x7FE0_0000_0000_0000, using: &rng))
            return s
        }
        try store.commit(FileCommit(file: fileRecord("big", spectra: rows.count), spectra: rows, problems: []),
                         shard: "main", shardRows: rows.count, columns: 4)
        #expect(try store.spectra() == rows)
    }
}
