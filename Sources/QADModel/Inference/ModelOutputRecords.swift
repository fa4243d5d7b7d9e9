import GRDB
import QADCore

/// Per-spectrum outputs of one model over the cache (`qad infer`). Row-aligned
/// matrices (latents, reconstructions) live in STORE/models/<model>/ as .npy;
/// these are the scalar statistics, queryable beside the catalog.
public struct ModelOutputRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "model_output"

    public var model: String
    public var targetid: TargetID
    public var cacheShard: String
    public var cacheRow: Int
    /// χ² of the reconstruction over covered bins / `dof`.
    public var reconChi2: Double
    /// Mean squared residual over covered bins.
    public var reconMse: Double
    /// KL(q(z|x) ‖ N(0, I)).
    public var kl: Double
    /// Covered rest-frame bins.
    public var dof: Int

    public init(model: String, targetid: TargetID, cacheShard: String, cacheRow: Int, reconChi2: Double,
                reconMse: Double, kl: Double, dof: Int) {
        self.model = model
        self.targetid = targetid
        self.cacheShard = cacheShard
        self.cacheRow = cacheRow
        self.reconChi2 = reconChi2
        self.reconMse = reconMse
        self.kl = kl
        self.dof = dof
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// How far inference of one model over one cache shard has come: committed in
/// the same transaction as the outputs, so a killed run resumes exactly there.
public struct ModelInferenceRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "model_inference"

    public var model: String
    /// Identifies the weights the outputs came from; other weights start over.
    public var fingerprint: String
    public var cacheShard: String
    /// Cache rows [0, rowsDone) have outputs.
    public var rowsDone: Int
    public var rowsTotal: Int
    public var updatedAt: Double

    public init(model: String, fingerprint: String, cacheShard: String, rowsDone: Int, rowsTotal: Int, updatedAt: Double) {
        self.model = model
        self.fingerprint = fingerprint
        self.cacheShard = cacheShard
        self.rowsDone = rowsDone
        self.rowsTotal = rowsTotal
        self.updatedAt = updatedAt
    }

    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// A catalog spectrum's place in the cache.
public struct CacheRowRef: Sendable, Equatable {
    public var targetid: TargetID
    public var row: Int
    public init(targetid: TargetID, row: Int) {
        self.targetid = targetid
        self.row = row
    }
}

/// What the model stages need from a store beyond ingest's `Store`.
public protocol ModelOutputStore: Sendable {
    /// Catalog spectra whose cache rows lie in [rows], ordered by row.
    func cacheRows(shard: String, in rows: Range<Int>) throws -> [CacheRowRef]
    func inferenceProgress(model: String) throws -> ModelInferenceRecord?
    /// Outputs of a stretch of rows and the new progress, in one transaction.
    func commitInference(_ outputs: [ModelOutputRecord], progress: ModelInferenceRecord) throws
    /// Forgets a model's outputs and progress.
    func resetInference(model: String) throws
    func modelOutputs(model: String) throws -> [ModelOutputRecord]
}

extension SQLiteStore: ModelOutputStore {
    public func cacheRows(shard: String, in rows: Range<Int>) throws -> [CacheRowRef] {
        try pool.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT targetid, cache_row FROM spectrum
                WHERE cache_shard = ? AND cache_row >= ? AND cache_row < ? ORDER BY cache_row
                """, arguments: [shard, rows.lowerBound, rows.upperBound])
            var out: [CacheRowRef] = []
            while let row = try cursor.next() { out.append(CacheRowRef(targetid: row[0], row: row[1])) }
            return out
        }
    }

    public func inferenceProgress(model: String) throws -> ModelInferenceRecord? {
        try pool.read { try ModelInferenceRecord.fetchOne($0, key: model) }
    }

    public func commitInference(_ outputs: [ModelOutputRecord], progress: ModelInferenceRecord) throws {
        try pool.write { db in
            // One cached statement for all rows: the record API's per-row
            // upsert costs ~100 µs, which would dominate inference.
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO model_output
                    (model, targetid, cache_shard, cache_row, recon_chi2, recon_mse, kl, dof)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for o in outputs {
                try statement.execute(arguments: [o.model, o.targetid, o.cacheShard, o.cacheRow, o.reconChi2, o.reconMse,
                                                  o.kl, o.dof])
            }
            try progress.upsert(db)
        }
    }

    public func resetInference(model: String) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM model_output WHERE model = ?", arguments: [model])
            try db.execute(sql: "DELETE FROM model_inference WHERE model = ?", arguments: [model])
        }
    }

    public func modelOutputs(model: String) throws -> [ModelOutputRecord] {
        try pool.read {
            try ModelOutputRecord.filter(Column("model") == model).order(Column("cache_shard"), Column("cache_row")).fetchAll($0)
        }
    }
}
