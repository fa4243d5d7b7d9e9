import PostgresNIO
import QADCore

extension CrossmatchMatchRecord: CopyRow {
    static var copyColumns: [String] {
        ["catalog", "targetid", "nearest_id", "sep_arcsec", "n_within", "values_json", "density_deg2",
         "density_area_deg2", "chance_matches"]
    }
    static let selectColumns = copyColumns.joined(separator: ", ")

    func encode(into row: inout CopyTextEncoder) {
        row.field(catalog)
        row.field(targetid)
        row.field(nearestId)
        row.field(sepArcsec)
        row.field(nWithin)
        row.field(valuesJson)
        row.field(densityDeg2)
        row.field(densityAreaDeg2)
        row.field(chanceMatches)
    }

    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        self.init(catalog: try r["catalog"].decode(String.self), targetid: try r["targetid"].decode(Int64.self),
                  nearestId: try r["nearest_id"].decode(String?.self), sepArcsec: try r["sep_arcsec"].decode(Double?.self),
                  nWithin: try r["n_within"].decode(Int.self), valuesJson: try r["values_json"].decode(String?.self),
                  densityDeg2: try r["density_deg2"].decode(Double.self),
                  densityAreaDeg2: try r["density_area_deg2"].decode(Double.self),
                  chanceMatches: try r["chance_matches"].decode(Double.self))
    }
}

extension CrossmatchCatalogRecord {
    static let selectColumns = """
        name, path, ra_column, dec_column, id_column, radius_arcsec, preset, sources_read, targets, matched_targets, \
        pairs, columns_json, matched_at
        """

    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        self.init(name: try r["name"].decode(String.self), path: try r["path"].decode(String.self),
                  raColumn: try r["ra_column"].decode(String.self), decColumn: try r["dec_column"].decode(String.self),
                  idColumn: try r["id_column"].decode(String.self), radiusArcsec: try r["radius_arcsec"].decode(Double.self),
                  preset: try r["preset"].decode(String?.self), sourcesRead: try r["sources_read"].decode(Int.self),
                  targets: try r["targets"].decode(Int.self), matchedTargets: try r["matched_targets"].decode(Int.self),
                  pairs: try r["pairs"].decode(Int.self), columnsJson: try r["columns_json"].decode(String.self),
                  matchedAt: try r["matched_at"].decode(Double.self))
    }
}

/// SQLiteStore's crossmatch migration in PostgreSQL's types.
enum PostgresCrossmatchSchema {
    static let migration = PostgresMigrations.Migration(name: "v3 crossmatch: external catalogs and per-target matches", statements: [
        """
        CREATE TABLE crossmatch_catalog (
            name TEXT PRIMARY KEY, path TEXT NOT NULL, ra_column TEXT NOT NULL, dec_column TEXT NOT NULL,
            id_column TEXT NOT NULL, radius_arcsec DOUBLE PRECISION NOT NULL, preset TEXT, sources_read BIGINT NOT NULL,
            targets BIGINT NOT NULL, matched_targets BIGINT NOT NULL, pairs BIGINT NOT NULL, columns_json TEXT NOT NULL,
            matched_at DOUBLE PRECISION NOT NULL)
        """,
        """
        CREATE TABLE crossmatch_match (
            catalog TEXT NOT NULL REFERENCES crossmatch_catalog (name) ON DELETE CASCADE, targetid BIGINT NOT NULL,
            nearest_id TEXT, sep_arcsec DOUBLE PRECISION, n_within BIGINT NOT NULL, values_json TEXT,
            density_deg2 DOUBLE PRECISION NOT NULL, density_area_deg2 DOUBLE PRECISION NOT NULL,
            chance_matches DOUBLE PRECISION NOT NULL, PRIMARY KEY (catalog, targetid))
        """,
    ])
}

extension PostgresStore: CrossmatchStore {
    public func targetPositions() throws -> [TargetPosition] {
        try rows("SELECT targetid, ra, dec FROM spectrum WHERE ra IS NOT NULL AND dec IS NOT NULL ORDER BY targetid")
            .map { row in
                let (id, ra, dec) = try row.decode((Int64, Double, Double).self)
                return TargetPosition(targetid: id, ra: ra, dec: dec)
            }
    }

    public func targetsWithoutPosition() throws -> Int {
        try rows("SELECT COUNT(*) FROM spectrum WHERE ra IS NULL OR dec IS NULL").first?.decode(Int.self) ?? 0
    }

    public func replaceCrossmatch(_ catalog: CrossmatchCatalogRecord, matches: [CrossmatchMatchRecord]) throws {
        for m in matches where m.catalog != catalog.name {
            throw StoreError("crossmatch \(catalog.name): a match of TARGETID \(m.targetid) names catalog \(m.catalog)")
        }
        let logger = self.logger
        let c0 = catalog
        try pool.transaction { c in
            try await c.query("DELETE FROM crossmatch_match WHERE catalog = \(c0.name)", logger: logger)
            try await c.query("""
                INSERT INTO crossmatch_catalog (name, path, ra_column, dec_column, id_column, radius_arcsec, preset,
                    sources_read, targets, matched_targets, pairs, columns_json, matched_at)
                VALUES (\(c0.name), \(c0.path), \(c0.raColumn), \(c0.decColumn), \(c0.idColumn), \(c0.radiusArcsec),
                    \(c0.preset), \(c0.sourcesRead), \(c0.targets), \(c0.matchedTargets), \(c0.pairs), \(c0.columnsJson),
                    \(c0.matchedAt))
                ON CONFLICT (name) DO UPDATE SET path = EXCLUDED.path, ra_column = EXCLUDED.ra_column,
                    dec_column = EXCLUDED.dec_column, id_column = EXCLUDED.id_column,
                    radius_arcsec = EXCLUDED.radius_arcsec, preset = EXCLUDED.preset,
                    sources_read = EXCLUDED.sources_read, targets = EXCLUDED.targets,
                    matched_targets = EXCLUDED.matched_targets, pairs = EXCLUDED.pairs,
                    columns_json = EXCLUDED.columns_json, matched_at = EXCLUDED.matched_at
                """, logger: logger)
            try await c.copy(matches, into: "crossmatch_match", logger: logger)
        }
    }

    public func crossmatchCatalogs() throws -> [CrossmatchCatalogRecord] {
        try rows("SELECT \(unescaped: CrossmatchCatalogRecord.selectColumns) FROM crossmatch_catalog ORDER BY name COLLATE \"C\"")
            .map(CrossmatchCatalogRecord.init(postgres:))
    }

    public func crossmatches(catalog: String) throws -> [CrossmatchMatchRecord] {
        try rows("""
            SELECT \(unescaped: CrossmatchMatchRecord.selectColumns) FROM crossmatch_match WHERE catalog = \(catalog)
            ORDER BY targetid
            """).map(CrossmatchMatchRecord.init(postgres:))
    }

    public func crossmatches(of targetid: TargetID) throws -> [CrossmatchMatchRecord] {
        try rows("""
            SELECT \(unescaped: CrossmatchMatchRecord.selectColumns) FROM crossmatch_match WHERE targetid = \(targetid)
            ORDER BY catalog COLLATE "C"
            """).map(CrossmatchMatchRecord.init(postgres:))
    }
}
