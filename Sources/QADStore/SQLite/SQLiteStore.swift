import Foundation
import GRDB
import QADCore

/// The embedded store: one SQLite file (WAL mode) through GRDB.
public final class SQLiteStore: Store, @unchecked Sendable {
    public var location: String { path }
    // DatabasePool is itself thread-safe; the class holds nothing else mutable.
    let pool: DatabasePool
    public let path: String

    /// Opens (creating and migrating unless `readOnly`) the store at `path`. A
    /// read-only store can watch another process's run without taking locks.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        var config = Configuration()
        // Reads through a memory map: pages come from the OS cache that every
        // connection shares, without a read() call and a copy each (the review
        // server's twenty readers each had a 2 MB page cache over a store of
        // hundreds of MB). SQLite caps the size at its compiled-in maximum.
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA mmap_size = \(Self.mmapBytes)")
            // WAL with synchronous=NORMAL: always consistent, durable at checkpoints.
            // A commit per input file then costs no fsync; a power cut can lose the
            // last files, which the next run redoes.
            if !readOnly { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        }
        if readOnly {
            config.readonly = true
            pool = try DatabasePool(path: path, configuration: config)
            return
        }
        config.busyMode = .timeout(30)
        pool = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(pool)
    }

    static let mmapBytes = 1 << 36

    public func fileRecord(path: String) throws -> IngestedFileRecord? {
        try pool.read { try $0.fetchOne(IngestedFileRecord.self, where: "path = ?", arguments: [path], source: self.path) }
    }

    public func allTargetIDs() throws -> Set<TargetID> {
        try pool.read { Set(try TargetID.fetchAll($0, sql: "SELECT targetid FROM spectrum")) }
    }

    public func sourceFile(of id: TargetID) throws -> String? {
        try pool.read { try String.fetchOne($0, sql: "SELECT source_file FROM spectrum WHERE targetid = ?", arguments: [id]) }
    }

    public func committedRows(shard: String) throws -> Int {
        try pool.read { try $0.fetchOne(CacheShardRecord.self, where: "name = ?", arguments: [shard], source: path)?.rows ?? 0 }
    }

    public func commit(_ commit: FileCommit, shard: String, shardRows: Int, columns: Int) throws {
        try pool.write { db in
            try db.insert(commit.spectra)
            try db.insert(commit.epochs)
            try db.insert(commit.problems)
            try db.insert([commit.file], verb: "INSERT OR REPLACE")
            try db.insert([CacheShardRecord(name: shard, rows: shardRows, columns: columns)], verb: "INSERT OR REPLACE")
        }
    }

    public func forget(file path: String) throws {
        try pool.write { db in
            try Self.deleteFile(path, in: db)
        }
    }

    /// Removes everything one input file contributed: its spectra and epochs,
    /// problems and record. An object whose primary came from it gets its
    /// next primary when the epochs are linked again (end of ingest).
    private static func deleteFile(_ path: String, in db: Database) throws {
        try db.execute(sql: "DELETE FROM spectrum WHERE source_file = ?", arguments: [path])
        try db.execute(sql: "DELETE FROM epoch WHERE source_file = ?", arguments: [path])
        try db.execute(sql: "DELETE FROM input_problem WHERE file = ?", arguments: [path])
        try db.execute(sql: "DELETE FROM ingested_file WHERE path = ?", arguments: [path])
    }

    public func forgetFiles(beyondCacheRow availableRows: Int, shard: String) throws -> [String] {
        try pool.write { db in
            let lost = try Row.fetchAll(db, sql: """
                SELECT source_file, MIN(cache_row) AS first FROM epoch
                WHERE cache_shard = ? GROUP BY source_file HAVING MAX(cache_row) >= ?
                """, arguments: [shard, availableRows])
            guard !lost.isEmpty else { return [] }
            let firstRow: Int = lost.map { $0["first"] as Int }.min()!
            let paths: [String] = lost.map { $0["source_file"] }
            for path in paths {
                try Self.deleteFile(path, in: db)
            }
            try db.execute(sql: "UPDATE cache_shard SET rows = ? WHERE name = ?", arguments: [firstRow, shard])
            return paths
        }
    }

    public func spectrumCount() throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM spectrum") ?? 0 }
    }

    public func spectra() throws -> [SpectrumRecord] {
        try pool.read { try $0.fetchAll(SpectrumRecord.self, order: "cache_shard, cache_row", source: path) }
    }

    public func spectrum(_ id: TargetID) throws -> SpectrumRecord? {
        try pool.read { try $0.fetchOne(SpectrumRecord.self, where: "targetid = ?", arguments: [id], source: path) }
    }

    public func problems() throws -> [ProblemRecord] {
        try pool.read { try $0.fetchAll(ProblemRecord.self, order: "id", source: path) }
    }

    public func cacheShards() throws -> [CacheShardRecord] {
        try pool.read { try $0.fetchAll(CacheShardRecord.self, order: "name", source: path) }
    }

    public func files() throws -> [IngestedFileRecord] {
        try pool.read { try $0.fetchAll(IngestedFileRecord.self, order: "path", source: path) }
    }
}
