import PostgresNIO
import QADCore

extension UpstreamARDRecord: CopyRow {
    static var copyColumns: [String] { UpstreamARDSchema.columns }

    func encode(into row: inout CopyTextEncoder) {
        row.field(targetid)
        row.field(zHelio)
        row.field(spectype)
        row.field(balProb)
        row.field(bytes: UpstreamARDSchema.bytes(latentVec))
        row.field(reconMse)
        row.field(anomalyScore)
        row.field(source)
    }

    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        let blob = try r["latent_vec"].decode(ByteBuffer?.self)
        self.init(targetid: try r["targetid"].decode(Int64.self), zHelio: try r["z_helio"].decode(Double?.self),
                  spectype: try r["spectype"].decode(String?.self), balProb: try r["bal_prob"].decode(Double?.self),
                  latentVec: try UpstreamARDSchema.floats(blob.map { Array($0.readableBytesView) }),
                  reconMse: try r["recon_mse"].decode(Double?.self),
                  anomalyScore: try r["anomaly_score"].decode(Double?.self), source: try r["source"].decode(String.self))
    }
}

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
        for row in try rows("SELECT * FROM upstream_ard WHERE targetid = ANY(\(ids))") {
            let r = try UpstreamARDRecord(postgres: row)
            out[r.targetid] = r
        }
        return out
    }

    public func upstreamCandidates(_ q: UpstreamCandidateQuery) throws -> [UpstreamARDRecord] {
        // Absent bounds are bound as NULL and switch their condition off, so the
        // SQL text is one constant whatever the filters.
        try rows("""
            SELECT * FROM upstream_ard
            WHERE anomaly_score > \(q.minAnomalyScore)
              AND (\(q.minReconMSE)::float8 IS NULL OR recon_mse >= \(q.minReconMSE))
              AND (\(q.maxReconMSE)::float8 IS NULL OR recon_mse <= \(q.maxReconMSE))
              AND (\(q.maxBALProb)::float8 IS NULL OR bal_prob IS NULL OR bal_prob < \(q.maxBALProb))
            ORDER BY anomaly_score DESC, targetid
            LIMIT \(q.limit.map(Int64.init))
            """).map(UpstreamARDRecord.init(postgres:))
    }
}
