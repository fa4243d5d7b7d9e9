import PostgresNIO
import QADCore

extension PostgresStore {
    /// The advisory lock key linking holds ("qad epochs" in ASCII).
    static let epochLinkLock: Int64 = 0x7161_6420_6570_6F63
    public func epochKeys() throws -> Set<EpochKey> {
        Set(try rows("SELECT targetid, visit FROM epoch").map {
            let (id, visit) = try $0.decode((Int64, String).self)
            return EpochKey(targetid: id, visit: visit)
        })
    }

    public func sourceFile(of epoch: EpochKey) throws -> String? {
        try rows("SELECT source_file FROM epoch WHERE targetid = \(epoch.targetid) AND visit = \(epoch.visit)")
            .first?.decode(String.self)
    }

    public func epochs() throws -> [EpochRecord] {
        try fetch(EpochRecord.self, """
            SELECT \(unescaped: EpochRecord.table.postgresSelectList()) FROM epoch ORDER BY cache_shard COLLATE "C", cache_row
            """)
    }

    public func epochs(of object: TargetID) throws -> [EpochRecord] {
        try fetch(EpochRecord.self, """
            SELECT \(unescaped: EpochRecord.table.postgresSelectList()) FROM epoch WHERE object = \(object)
            ORDER BY (mjd_min + mjd_max) IS NULL, (mjd_min + mjd_max), cache_shard COLLATE "C", cache_row
            """)
    }

    public func applyEpochLinks(_ links: EpochLinks) throws -> Bool {
        let logger = self.logger
        return try pool.transaction { c in
            // Two processes linking at once (workers that all saw the queue
            // drained) apply the same plan one after the other: each statement
            // then sees the other's committed rows, and the second changes nothing.
            try await c.query("SELECT pg_advisory_xact_lock(\(Self.epochLinkLock))", logger: logger)
            for m in links.moved {
                try await c.query("""
                    UPDATE epoch SET object = \(m.object) WHERE targetid = \(m.key.targetid) AND visit = \(m.key.visit)
                    """, logger: logger)
            }
            // Every changed object's row goes first, so a primary that moves
            // between objects never meets its old row's cache-row key.
            let changed = links.removedObjects + links.primaries.map(\.targetid)
            if !changed.isEmpty {
                try await c.query("DELETE FROM spectrum WHERE targetid = ANY(\(changed))", logger: logger)
            }
            try await c.copy(links.primaries, into: "spectrum", logger: logger)
            let stale = try await c.query("""
                SELECT EXISTS (SELECT 1 FROM model_output o LEFT JOIN spectrum s ON s.targetid = o.targetid
                               WHERE s.targetid IS NULL OR s.cache_shard <> o.cache_shard OR s.cache_row <> o.cache_row)
                """, logger: logger).collect().first?.decode(Bool.self) ?? false
            if stale {
                for table in ["model_output", "model_inference", "score_run"] {
                    try await c.query("DELETE FROM \(unescaped: table)", logger: logger)
                }
            }
            return stale
        }
    }
}

extension PostgresStore {
    public func replaceEpochVariability(_ records: [EpochVariabilityRecord]) throws {
        let logger = self.logger
        try pool.transaction { c in
            try await c.query("DELETE FROM epoch_variability", logger: logger)
            try await c.copy(records, into: "epoch_variability", logger: logger)
        }
    }

    public func epochVariability() throws -> [EpochVariabilityRecord] {
        try fetch(EpochVariabilityRecord.self, """
            SELECT \(unescaped: EpochVariabilityRecord.table.postgresSelectList()) FROM epoch_variability
            ORDER BY variability DESC, object
            """)
    }

    public func epochVariability(of object: TargetID) throws -> EpochVariabilityRecord? {
        try fetch(EpochVariabilityRecord.self, """
            SELECT \(unescaped: EpochVariabilityRecord.table.postgresSelectList()) FROM epoch_variability WHERE object = \(object)
            """).first
    }
}
