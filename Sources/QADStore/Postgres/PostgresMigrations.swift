import PostgresNIO

/// The PostgreSQL schema: the steps of `StoreSchema` in PostgreSQL's types,
/// plus the work queue only a shared store has. Each step runs in its own
/// transaction under an advisory lock, so workers starting together migrate once.
enum PostgresMigrations {
    /// Any constant works; it only has to be the same for every qad process.
    static let lockKey: Int64 = 0x0051_4144_5343_4845  // "QADSCHE"

    static func migrate(_ pool: PostgresConnectionPool) throws {
        let logger = pool.logger
        try pool.transaction { c in
            try await c.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await c.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
        }
        for step in StoreSchema.steps {
            let statements = StoreSchema.statements(of: step, in: .postgres)
            try pool.transaction { c in
                try await c.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                let done = try await c.query("SELECT 1 FROM schema_migrations WHERE name = \(step)",
                                             logger: logger).collect()
                guard done.isEmpty else { return }
                for statement in statements {
                    try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await c.query("INSERT INTO schema_migrations (name) VALUES (\(step))", logger: logger)
            }
        }
    }
}
