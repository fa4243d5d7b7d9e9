import Foundation
import PostgresNIO
import QADCore

/// The shared store: the same schema and `Store` protocol as `SQLiteStore`, on
/// PostgreSQL, for runs whose workers sit on several machines. Every query is
/// parameterized (values are bound, never spliced into SQL); bulk rows go in
/// through COPY; connections come from a small pool.
public final class PostgresStore: Store, @unchecked Sendable {
    public var location: String { url.description }
    // @unchecked: the pool is thread-safe; everything else is immutable.
    let pool: PostgresConnectionPool
    public let url: PostgresURL
    var logger: Logger { pool.logger }

    /// Connects to `url` and brings its schema up to date.
    public init(url: PostgresURL, maxConnections: Int = 8) throws {
        self.url = url
        pool = PostgresConnectionPool(url: url, maxConnections: maxConnections)
        try PostgresMigrations.migrate(pool)
    }

    public convenience init(url: String, maxConnections: Int = 8) throws {
        try self.init(url: try PostgresURL(url), maxConnections: maxConnections)
    }

    deinit { pool.close() }

    /// Runs one statement and returns its rows (collected).
    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        let logger = self.logger
        return try pool.withConnection { try await $0.query(query, logger: logger).collect() }
    }

    func execute(_ query: PostgresQuery) throws {
        _ = try rows(query)
    }

    public func fileRecord(path: String) throws -> IngestedFileRecord? {
        try fetch(IngestedFileRecord.self, """
            SELECT \(unescaped: IngestedFileRecord.table.postgresSelectList()) FROM ingested_file WHERE path = \(path)
            """).first
    }

    public func allTargetIDs() throws -> Set<TargetID> {
        Set(try rows("SELECT targetid FROM spectrum").map { try $0.decode(Int64.self) })
    }

    public func sourceFile(of id: TargetID) throws -> String? {
        try rows("SELECT source_file FROM spectrum WHERE targetid = \(id)").first?.decode(String.self)
    }

    public func committedRows(shard: String) throws -> Int {
        try rows("SELECT rows FROM cache_shard WHERE name = \(shard)").first?.decode(Int.self) ?? 0
    }

    public func commit(_ commit: FileCommit, shard: String, shardRows: Int, columns: Int) throws {
        let logger = self.logger
        try pool.transaction { c in
            try await c.copy(commit.spectra, into: "spectrum", logger: logger)
            try await c.copy(commit.epochs, into: "epoch", logger: logger)
            try await c.copy(commit.problems, into: "input_problem", logger: logger)
            try await Self.saveFile(commit.file, on: c, logger: logger)
            try await Self.saveShard(shard, rows: shardRows, columns: columns, on: c, logger: logger)
        }
    }

    static func saveFile(_ f: IngestedFileRecord, on c: PostgresConnection, logger: Logger) async throws {
        try await c.query("""
            INSERT INTO ingested_file (path, size, mtime, status, n_spectra, n_skipped, ingested_at)
            VALUES (\(f.path), \(f.size), \(f.mtime), \(f.status.rawValue), \(f.nSpectra), \(f.nSkipped), \(f.ingestedAt))
            ON CONFLICT (path) DO UPDATE SET size = EXCLUDED.size, mtime = EXCLUDED.mtime, status = EXCLUDED.status,
                n_spectra = EXCLUDED.n_spectra, n_skipped = EXCLUDED.n_skipped, ingested_at = EXCLUDED.ingested_at
            """, logger: logger)
    }

    static func saveShard(_ name: String, rows: Int, columns: Int, on c: PostgresConnection, logger: Logger) async throws {
        try await c.query("""
            INSERT INTO cache_shard (name, rows, columns) VALUES (\(name), \(rows), \(columns))
            ON CONFLICT (name) DO UPDATE SET rows = EXCLUDED.rows, columns = EXCLUDED.columns
            """, logger: logger)
    }

    /// Removes everything one input file contributed: its spectra, problems and record.
    static func deleteFile(_ path: String, on c: PostgresConnection, logger: Logger) async throws {
        try await c.query("DELETE FROM spectrum WHERE source_file = \(path)", logger: logger)
        try await c.query("DELETE FROM epoch WHERE source_file = \(path)", logger: logger)
        try await c.query("DELETE FROM input_problem WHERE file = \(path)", logger: logger)
        try await c.query("DELETE FROM ingested_file WHERE path = \(path)", logger: logger)
    }

    public func forget(file path: String) throws {
        let logger = self.logger
        try pool.transaction { try await Self.deleteFile(path, on: $0, logger: logger) }
    }

    public func forgetFiles(beyondCacheRow availableRows: Int, shard: String) throws -> [String] {
        let logger = self.logger
        return try pool.transaction { c in
            let lost = try await c.query("""
                SELECT source_file, MIN(cache_row) AS first FROM epoch
                WHERE cache_shard = \(shard) GROUP BY source_file HAVING MAX(cache_row) >= \(availableRows)
                ORDER BY source_file COLLATE "C"
                """, logger: logger).collect()
            guard !lost.isEmpty else { return [] }
            var paths: [String] = []
            var firstRow = Int.max
            for row in lost {
                let (path, first) = try row.decode((String, Int).self)
                paths.append(path)
                firstRow = min(firstRow, first)
                try await Self.deleteFile(path, on: c, logger: logger)
            }
            try await c.query("UPDATE cache_shard SET rows = \(firstRow) WHERE name = \(shard)", logger: logger)
            return paths
        }
    }

    public func spectrumCount() throws -> Int {
        try rows("SELECT count(*) FROM spectrum").first!.decode(Int.self)
    }

    // Text is ordered with COLLATE "C" (bytewise), as SQLite orders it, so both
    // stores list the same rows in the same order whatever the server's locale.

    public func spectra() throws -> [SpectrumRecord] {
        try fetch(SpectrumRecord.self, """
            SELECT \(unescaped: SpectrumRecord.table.postgresSelectList()) FROM spectrum ORDER BY cache_shard COLLATE "C", cache_row
            """)
    }

    public func spectrum(_ id: TargetID) throws -> SpectrumRecord? {
        try fetch(SpectrumRecord.self, """
            SELECT \(unescaped: SpectrumRecord.table.postgresSelectList()) FROM spectrum WHERE targetid = \(id)
            """).first
    }

    public func problems() throws -> [ProblemRecord] {
        try fetch(ProblemRecord.self, "SELECT \(unescaped: ProblemRecord.table.postgresSelectList()) FROM input_problem ORDER BY id")
    }

    public func cacheShards() throws -> [CacheShardRecord] {
        try fetch(CacheShardRecord.self, """
            SELECT \(unescaped: CacheShardRecord.table.postgresSelectList()) FROM cache_shard ORDER BY name COLLATE "C"
            """)
    }

    public func files() throws -> [IngestedFileRecord] {
        try fetch(IngestedFileRecord.self, """
            SELECT \(unescaped: IngestedFileRecord.table.postgresSelectList()) FROM ingested_file ORDER BY path COLLATE "C"
            """)
    }
}
