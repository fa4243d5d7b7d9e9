import PostgresNIO
import QADCore
import QADCrossmatch

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
            throw LocatedError("crossmatch \(catalog.name): a match of TARGETID \(m.targetid) names catalog \(m.catalog)")
        }
        let logger = self.logger
        try pool.transaction { c in
            // The catalog row goes too (its matches by cascade), and comes back with the new ones.
            try await c.query("DELETE FROM crossmatch_match WHERE catalog = \(catalog.name)", logger: logger)
            try await c.query("DELETE FROM crossmatch_catalog WHERE name = \(catalog.name)", logger: logger)
            try await c.copy([catalog], logger: logger)
            try await c.copy(matches, into: "crossmatch_match", logger: logger)
        }
    }

    public func crossmatchCatalogs() throws -> [CrossmatchCatalogRecord] {
        try fetch(CrossmatchCatalogRecord.self, """
            SELECT \(unescaped: CrossmatchCatalogRecord.table.postgresSelectList()) FROM crossmatch_catalog
            ORDER BY name COLLATE "C"
            """)
    }

    public func crossmatches(catalog: String) throws -> [CrossmatchMatchRecord] {
        try fetch(CrossmatchMatchRecord.self, """
            SELECT \(unescaped: CrossmatchMatchRecord.table.postgresSelectList()) FROM crossmatch_match
            WHERE catalog = \(catalog) ORDER BY targetid
            """)
    }

    public func crossmatches(of targetid: TargetID) throws -> [CrossmatchMatchRecord] {
        try fetch(CrossmatchMatchRecord.self, """
            SELECT \(unescaped: CrossmatchMatchRecord.table.postgresSelectList()) FROM crossmatch_match
            WHERE targetid = \(targetid) ORDER BY catalog COLLATE "C"
            """)
    }
}
