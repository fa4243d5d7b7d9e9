import PostgresNIO

/// The PostgreSQL schema: SQLiteStore's migrations translated statement by
/// statement (INTEGER → BIGINT, REAL → DOUBLE PRECISION, BLOB → BYTEA), then
/// the tables only a shared store needs. Each migration runs in its own
/// transaction under an advisory lock, so workers starting together migrate once.
enum PostgresMigrations {
    struct Migration {
        var name: String
        var statements: [String]
    }

    /// Names match SQLiteStore's where the schema is shared.
    static let all: [Migration] = [
        Migration(name: "v1: catalog, files, problems, cache shards", statements: [
            """
            CREATE TABLE spectrum (
                targetid BIGINT PRIMARY KEY,
                ra DOUBLE PRECISION, dec DOUBLE PRECISION, z DOUBLE PRECISION NOT NULL,
                z_source TEXT NOT NULL, spectype TEXT, zwarn BIGINT, deltachi2 DOUBLE PRECISION,
                bal_prob DOUBLE PRECISION, bi_civ DOUBLE PRECISION, ai_civ DOUBLE PRECISION,
                snr DOUBLE PRECISION NOT NULL, amplitude DOUBLE PRECISION NOT NULL,
                mask_frac DOUBLE PRECISION NOT NULL, zero_ivar_frac DOUBLE PRECISION NOT NULL,
                arm_step DOUBLE PRECISION NOT NULL, nbins BIGINT NOT NULL, flags BIGINT NOT NULL,
                survey TEXT NOT NULL, source_file TEXT NOT NULL, source_hdu TEXT NOT NULL,
                source_row BIGINT NOT NULL, cache_shard TEXT NOT NULL, cache_row BIGINT NOT NULL,
                UNIQUE (cache_shard, cache_row))
            """,
            "CREATE INDEX spectrum_source_file ON spectrum (source_file)",
            """
            CREATE TABLE ingested_file (
                path TEXT PRIMARY KEY, size BIGINT NOT NULL, mtime DOUBLE PRECISION NOT NULL, status TEXT NOT NULL,
                n_spectra BIGINT NOT NULL, n_skipped BIGINT NOT NULL, ingested_at DOUBLE PRECISION NOT NULL)
            """,
            """
            CREATE TABLE input_problem (
                id BIGSERIAL PRIMARY KEY, file TEXT NOT NULL, hdu TEXT, "column" TEXT, "row" BIGINT,
                severity TEXT NOT NULL, message TEXT NOT NULL)
            """,
            "CREATE INDEX input_problem_file ON input_problem (file)",
            "CREATE TABLE cache_shard (name TEXT PRIMARY KEY, rows BIGINT NOT NULL, columns BIGINT NOT NULL)",
        ]),
        Migration(name: "v2: model outputs", statements: [
            """
            CREATE TABLE model_output (
                model TEXT NOT NULL, targetid BIGINT NOT NULL, cache_shard TEXT NOT NULL, cache_row BIGINT NOT NULL,
                recon_chi2 DOUBLE PRECISION NOT NULL, recon_mse DOUBLE PRECISION NOT NULL, kl DOUBLE PRECISION NOT NULL,
                dof BIGINT NOT NULL, PRIMARY KEY (model, targetid))
            """,
            """
            CREATE TABLE model_inference (
                model TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, cache_shard TEXT NOT NULL, rows_done BIGINT NOT NULL,
                rows_total BIGINT NOT NULL, updated_at DOUBLE PRECISION NOT NULL)
            """,
        ]),
        Migration(name: UpstreamARDSchema.migrationName, statements: [
            """
            CREATE TABLE upstream_ard (
                targetid BIGINT PRIMARY KEY, z_helio DOUBLE PRECISION, spectype TEXT, bal_prob DOUBLE PRECISION,
                latent_vec BYTEA, recon_mse DOUBLE PRECISION, anomaly_score DOUBLE PRECISION, source TEXT NOT NULL)
            """,
            "CREATE INDEX upstream_ard_anomaly_score ON upstream_ard (anomaly_score)",
        ]),
        PostgresScoreSchema.migration,
        PostgresCrossmatchSchema.migration,
        // Shared-store only: the queue workers claim input files from.
        Migration(name: "pg1: work queue", statements: [
            """
            CREATE TABLE work_queue (
                id BIGSERIAL PRIMARY KEY,
                stage TEXT NOT NULL,
                path TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'claimed', 'done', 'failed')),
                owner TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                claimed_at TIMESTAMPTZ,
                heartbeat_at TIMESTAMPTZ,
                finished_at TIMESTAMPTZ,
                shard TEXT,
                n_spectra BIGINT,
                message TEXT,
                UNIQUE (stage, path))
            """,
            "CREATE INDEX work_queue_claimable ON work_queue (stage, state, id)",
        ]),
        // Appended after the work queue: existing shared stores gain these on their next open.
        PostgresReviewSchema.migration,
        PostgresScoreSchema.shapeMigration,
        PostgresScoreSchema.targetedMigration,
    ]

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
        for migration in all {
            try pool.transaction { c in
                try await c.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                let done = try await c.query("SELECT 1 FROM schema_migrations WHERE name = \(migration.name)",
                                             logger: logger).collect()
                guard done.isEmpty else { return }
                for statement in migration.statements {
                    try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await c.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
            }
        }
    }
}
