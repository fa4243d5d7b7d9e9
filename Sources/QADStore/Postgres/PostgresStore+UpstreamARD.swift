import PostgresNIO
import QADCore

extension PostgresStore: UpstreamARDStore {
    public func saveUpstream(_ records: [UpstreamARDRecord]) throws {
        let logger = self.logger
        try pool.transaction { c in
            try await c.query("CREATE TEMP TABLE IF NOT EXISTS upstream_ard_stage (LIKE upstream_ard) ON COMMIT DELETE ROWS",
                              logger: logger)
            try await c.copy(records, into: "upstream_ard_stage", logger: logger)
            try await c.query("""
                INSERT INTO upstream_ard SELECT * FROM upstream_ard_stage
                ON CONFLICT (targetid) DO UPDATE SET z_helio = EXCLUDED.z_helio, spectype = EXCLUDED.spectype,
                    bal_prob = EXCLUDED.bal_prob, latent_vec = EXCLUDED.latent_vec, recon_mse = EXCLUDED.recon_mse,
                    anomaly_score = EXCLUDED.anomaly_score, source = EXCLUDED.source
                """, logger: logger)
        }
    }

    public func upstreamCount() throws -> Int {
        try rows("SELECT count(*) FROM upstream_ard").first!.decode(Int.self)
    }

    public func upstreamScores(for ids: [TargetID]) throws -> [TargetID: UpstreamARDRecord] {
        guard !ids.isEmpty else { return [:] }
        var out: [TargetID: UpstreamARDRecord] = [:]
        // One array parameter instead of one per id.
        for r in try fetch(UpstreamARDRecord.self, """
            SELECT \(unescaped: UpstreamARDRecord.table.postgresSelectList()) FROM upstream_ard WHERE targetid = ANY(\(ids))
            """) {
            out[r.targetid] = r
        }
        return out
    }

    public func upstreamCandidates(_ q: UpstreamCandidateQuery) throws -> [UpstreamARDRecord] {
        // Absent bounds are bound as NULL and switch their condition off, so the
        // SQL text is one constant whatever the filters.
        try fetch(UpstreamARDRecord.self, """
            SELECT \(unescaped: UpstreamARDRecord.table.postgresSelectList()) FROM upstream_ard
            WHERE anomaly_score > \(q.minAnomalyScore)
              AND (\(q.minReconMSE)::float8 IS NULL OR recon_mse >= \(q.minReconMSE))
              AND (\(q.maxReconMSE)::float8 IS NULL OR recon_mse <= \(q.maxReconMSE))
              AND (\(q.maxBALProb)::float8 IS NULL OR bal_prob IS NULL OR bal_prob < \(q.maxBALProb))
            ORDER BY anomaly_score DESC, targetid
            LIMIT \(q.limit.map(Int64.init))
            """)
    }
}
