import Foundation
import GRDB
import QADCore

/// The embedded store: one SQLite file (WAL mode) through GRDB.
public final class SQLiteStore: Store, @unchecked Sendable {
    // DatabasePool is itself thread-safe; the class holds nothing else mutable.
    let pool: DatabasePool
    public let path: String

    /// Opens (creating and migrating unless `readOnly`) the store at `path`. A
    /// read-only store can watch another process's run without taking locks.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        var config = Configuration()
        if readOnly {
            config.readonly = true
            pool = try DatabasePool(path: path, configuration: config)
            return
        }
        config.busyMode = .timeout(30)
        // WAL with synchronous=NORMAL: always consistent, durable at checkpoints.
        // A commit per input file then costs no fsync; a power cut can lose the
        // last files, which the next run redoes.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        pool = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: catalog, files, problems, cache shards") { db in
            try db.create(table: "spectrum") { t in
                t.column("targetid", .integer).primaryKey()
                t.column("ra", .double)
                t.column("dec", .double)
                t.column("z", .double).notNull()
                t.column("z_source", .text).notNull()
                t.column("spectype", .text)
                t.column("zwarn", .integer)
                t.column("deltachi2", .double)
                t.column("bal_prob", .double)
                t.column("bi_civ", .double)
                t.column("ai_civ", .double)
                t.column("snr", .double).notNull()
                t.column("amplitude", .double).notNull()
                t.column("mask_frac", .double).notNull()
                t.column("zero_ivar_frac", .double).notNull()
                t.column("arm_step", .double).notNull()
                t.column("nbins", .integer).notNull()
                t.column("flags", .integer).notNull()
                t.column("survey", .text).notNull()
                t.column("source_file", .text).notNull()
                t.column("source_hdu", .text).notNull()
                t.column("source_row", .integer).notNull()
                t.column("cache_shard", .text).notNull()
                t.column("cache_row", .integer).notNull()
                t.uniqueKey(["cache_shard", "cache_row"])
            }
            try db.create(index: "spectrum_source_file", on: "spectrum", columns: ["source_file"])
            try db.create(table: "ingested_file") { t in
                t.column("path", .text).primaryKey()
                t.column("size", .integer).notNull()
                t.column("mtime", .double).notNull()
                t.column("status", .text).notNull()
                t.column("n_spectra", .integer).notNull()
                t.column("n_skipped", .integer).notNull()
                t.column("ingested_at", .double).notNull()
            }
            try db.create(table: "input_problem") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("file", .text).notNull().indexed()
                t.column("hdu", .text)
                t.column("column", .text)
                t.column("row", .integer)
                t.column("severity", .text).notNull()
                t.column("message", .text).notNull()
            }
            try db.create(table: "cache_shard") { t in
                t.column("name", .text).primaryKey()
                t.column("rows", .integer).notNull()
                t.column("columns", .integer).notNull()
            }
        }
        m.registerMigration("v2: model outputs") { db in
            try db.create(table: "model_output") { t in
                t.column("model", .text).notNull()
                t.column("targetid", .integer).notNull()
                t.column("cache_shard", .text).notNull()
                t.column("cache_row", .integer).notNull()
                t.column("recon_chi2", .double).notNull()
                t.column("recon_mse", .double).notNull()
                t.column("kl", .double).notNull()
                t.column("dof", .integer).notNull()
                t.primaryKey(["model", "targetid"])
            }
            try db.create(table: "model_inference") { t in
                t.column("model", .text).primaryKey()
                t.column("fingerprint", .text).notNull()
                t.column("cache_shard", .text).notNull()
                t.column("rows_done", .integer).notNull()
                t.column("rows_total", .integer).notNull()
                t.column("updated_at", .double).notNull()
            }
        }
        registerScoreMigration(&m)
        registerCrossmatchMigration(&m)
        registerReviewMigration(&m)
        m.registerMigration(UpstreamARDSchema.migrationName) { db in
            try db.create(table: "upstream_ard") { t in
                t.column("targetid", .integer).primaryKey()
                t.column("z_helio", .double)
                t.column("spectype", .text)
                t.column("bal_prob", .double)
                t.column("latent_vec", .blob)
                t.column("recon_mse", .double)
                t.column("anomaly_score", .double)
                t.column("source", .text).notNull()
            }
            try db.create(index: "upstream_ard_anomaly_score", on: "upstream_ard", columns: ["anomaly_score"])
        }
        registerAddedScoreMigrations(&m)
        return m
    }

    public func fileRecord(path: String) throws -> IngestedFileRecord? {
        try pool.read { try IngestedFileRecord.fetchOne($0, key: path) }
    }

    public func allTargetIDs() throws -> Set<TargetID> {
        try pool.read { Set(try TargetID.fetchAll($0, sql: "SELECT targetid FROM spectrum")) }
    }

    public func sourceFile(of id: TargetID) throws -> String? {
        try pool.read { try String.fetchOne($0, sql: "SELECT source_file FROM spectrum WHERE targetid = ?", arguments: [id]) }
    }

    public func committedRows(shard: String) throws -> Int {
        try pool.read { try CacheShardRecord.fetchOne($0, key: shard)?.rows ?? 0 }
    }

    public func commit(_ commit: FileCommit, shard: String, shardRows: Int, columns: Int) throws {
        try pool.write { db in
            // One prepared statement for all rows: GRDB's Codable insert costs more
            // per row than preprocessing a spectrum.
            let insert = try db.cachedStatement(sql: SpectrumRecord.insertSQL)
            for s in commit.spectra { try insert.execute(arguments: s.insertArguments) }
            for p in commit.problems { try p.insert(db) }
            try commit.file.save(db)
            try CacheShardRecord(name: shard, rows: shardRows, columns: columns).save(db)
        }
    }

    public func forget(file path: String) throws {
        try pool.write { db in
            try Self.deleteFile(path, in: db)
        }
    }

    /// Removes everything one input file contributed: its spectra, problems and record.
    private static func deleteFile(_ path: String, in db: Database) throws {
        try db.execute(sql: "DELETE FROM spectrum WHERE source_file = ?", arguments: [path])
        try db.execute(sql: "DELETE FROM input_problem WHERE file = ?", arguments: [path])
        try db.execute(sql: "DELETE FROM ingested_file WHERE path = ?", arguments: [path])
    }

    public func forgetFiles(beyondCacheRow availableRows: Int, shard: String) throws -> [String] {
        try pool.write { db in
            let lost = try Row.fetchAll(db, sql: """
                SELECT source_file, MIN(cache_row) AS first FROM spectrum
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
        try pool.read { try SpectrumRecord.fetchCount($0) }
    }

    public func spectra() throws -> [SpectrumRecord] {
        try pool.read { try SpectrumRecord.order(Column("cache_shard"), Column("cache_row")).fetchAll($0) }
    }

    public func spectrum(_ id: TargetID) throws -> SpectrumRecord? {
        try pool.read { try SpectrumRecord.fetchOne($0, key: id) }
    }

    public func problems() throws -> [ProblemRecord] {
        try pool.read { try ProblemRecord.order(Column("id")).fetchAll($0) }
    }

    public func cacheShards() throws -> [CacheShardRecord] {
        try pool.read { try CacheShardRecord.order(Column("name")).fetchAll($0) }
    }

    public func files() throws -> [IngestedFileRecord] {
        try pool.read { try IngestedFileRecord.order(Column("path")).fetchAll($0) }
    }
}
