import PostgresNIO
import QADCore
import QADModel

extension PostgresStore: ModelOutputStore {
    public func cacheRows(shard: String, in rows: Range<Int>) throws -> [CacheRowRef] {
        try self.rows("""
            SELECT targetid, cache_row FROM spectrum
            WHERE cache_shard = \(shard) AND cache_row >= \(rows.lowerBound) AND cache_row < \(rows.upperBound)
            ORDER BY cache_row
            """).map { row in
            let (id, r) = try row.decode((Int64, Int).self)
            return CacheRowRef(targetid: id, row: r)
        }
    }

    public func inferenceProgress(model: String) throws -> ModelInferenceRecord? {
        try fetch(ModelInferenceRecord.self, """
            SELECT \(unescaped: ModelInferenceRecord.table.postgresSelectList()) FROM model_inference WHERE model = \(model)
            """).first
    }

    public func commitInference(_ outputs: [ModelOutputRecord], progress p: ModelInferenceRecord) throws {
        let logger = self.logger
        try pool.transaction { c in
            // COPY into a session-local staging table, then one upsert: COPY
            // itself cannot resolve conflicts, and re-running a chunk must replace.
            try await c.query("""
                CREATE TEMP TABLE IF NOT EXISTS model_output_stage (LIKE model_output) ON COMMIT DELETE ROWS
                """, logger: logger)
            try await c.copy(outputs, into: "model_output_stage", logger: logger)
            try await c.query("""
                INSERT INTO model_output SELECT * FROM model_output_stage
                ON CONFLICT (model, targetid) DO UPDATE SET cache_shard = EXCLUDED.cache_shard,
                    cache_row = EXCLUDED.cache_row, recon_chi2 = EXCLUDED.recon_chi2, recon_mse = EXCLUDED.recon_mse,
                    kl = EXCLUDED.kl, dof = EXCLUDED.dof
                """, logger: logger)
            try await c.query("""
                INSERT INTO model_inference (model, fingerprint, cache_shard, rows_done, rows_total, updated_at)
                VALUES (\(p.model), \(p.fingerprint.storedText), \(p.cacheShard), \(p.rowsDone), \(p.rowsTotal), \(p.updatedAt))
                ON CONFLICT (model) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
                    cache_shard = EXCLUDED.cache_shard, rows_done = EXCLUDED.rows_done,
                    rows_total = EXCLUDED.rows_total, updated_at = EXCLUDED.updated_at
                """, logger: logger)
        }
    }

    public func resetInference(model: String) throws {
        let logger = self.logger
        try pool.transaction { c in
            try await c.query("DELETE FROM model_output WHERE model = \(model)", logger: logger)
            try await c.query("DELETE FROM model_inference WHERE model = \(model)", logger: logger)
        }
    }

    public func modelOutputs(model: String) throws -> [ModelOutputRecord] {
        try fetch(ModelOutputRecord.self, """
            SELECT \(unescaped: ModelOutputRecord.table.postgresSelectList()) FROM model_output WHERE model = \(model)
            ORDER BY cache_shard COLLATE "C", cache_row
            """)
    }
}
